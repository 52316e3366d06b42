//! Booths, fairs and booth chat, as pages and server functions exchange them.
use serde::{Deserialize, Serialize};

use crate::catalog::model::ProductCard;
use crate::lang::Text;
use crate::live::model::ChatMessage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub role: Text,
    /// When they are at the booth, as the cooperative writes it ("8:00–17:00, thứ 2–thứ 6").
    pub on_duty: String,
}

/// An announcement or a livestream slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: i64,
    pub starts_at: i64,
    pub title: Text,
    pub link: Option<String>,
}

pub use crate::live::model::FairRef;

/// A visitor's conversation with a booth, with its messages (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub booth: i64,
    pub display_name: String,
    pub messages: Vec<ChatMessage>,
}

/// A conversation in the cooperative's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub display_name: String,
    /// Whether the visitor was signed in (an account) or anonymous.
    pub signed_in: bool,
    pub last_body: String,
    pub last_at: i64,
    /// The last message is the visitor's: waiting for a reply.
    pub awaiting_reply: bool,
}

impl ConversationSummary {
    /// The conversation as it stands once `message` is its latest: a visitor's message awaits a
    /// reply, a staff message answers it.
    pub fn after(message: &ChatMessage, display_name: String, signed_in: bool) -> ConversationSummary {
        ConversationSummary {
            id: message.conversation_id,
            display_name,
            signed_in,
            last_body: message.body.clone(),
            last_at: message.at,
            awaiting_reply: message.sender == crate::live::model::Sender::Visitor,
        }
    }
}

/// What the cooperative's booth console shows first; the rest arrives live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInbox {
    pub booth: i64,
    pub booth_slug: String,
    pub visitors: u32,
    pub conversations: Vec<ConversationSummary>,
}

/// A booth page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothView {
    pub cooperative_id: i64,
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub logo_url: Option<String>,
    pub banner_url: Option<String>,
    pub welcome: Text,
    pub story: Text,
    /// Picked and ordered by the cooperative; its featured products when it has picked none.
    pub featured: Vec<ProductCard>,
    pub team: Vec<TeamMember>,
    /// Upcoming slots, soonest first (and those of the last 2 hours, which may still be on).
    pub schedule: Vec<Slot>,
    /// The fair running now, if the booth is in one.
    pub live_fair: Option<FairRef>,
    pub visitors: u32,
    /// The visitor's own conversation with this booth, if they have started one.
    pub chat: Option<Conversation>,
    /// The signed-in visitor's name (used in the chat); anonymous visitors type one.
    pub viewer_name: Option<String>,
    /// The viewer is a member of this cooperative (staff answer from the dashboard).
    pub is_staff: bool,
    /// The contacts the cooperative shows.
    pub contact: crate::coops::contact::Contact,
}

// ---------------------------------------------------------------------------------------------
// The cooperative's booth editor.

/// One of the cooperative's products, as the featured-products picker lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickOption {
    pub id: i64,
    pub name: Text,
    pub published: bool,
    pub stock: i64,
}

/// Everything the booth editor shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothSettings {
    pub slug: String,
    pub banner_url: Option<String>,
    pub welcome: Text,
    /// The featured products, in the booth's order.
    pub picks: Vec<PickOption>,
    /// The cooperative's other products, which can be picked.
    pub others: Vec<PickOption>,
    /// Every slot, past ones included, soonest first.
    pub slots: Vec<Slot>,
    pub team: Vec<TeamMember>,
}

/// The welcome line under the booth's name, in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeForm {
    #[serde(default)]
    pub welcome_vi: String,
    #[serde(default)]
    pub welcome_en: String,
}

/// A new schedule slot: its start in Vietnam time as a `datetime-local` input sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotForm {
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub title_vi: String,
    #[serde(default)]
    pub title_en: String,
    #[serde(default)]
    pub link: String,
}

/// A new member of the booth's team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role_vi: String,
    #[serde(default)]
    pub role_en: String,
    #[serde(default)]
    pub on_duty: String,
}

/// A booth features at most this many products.
pub const MAX_FEATURED: usize = 12;
/// A booth's welcome line is one short sentence.
pub const MAX_WELCOME_CHARS: usize = 160;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_LINK_CHARS: usize = 500;
pub const MAX_NAME_CHARS: usize = 80;
/// A booth lists at most this many slots and team members.
pub const MAX_SLOTS: i64 = 50;
pub const MAX_TEAM: i64 = 12;

#[cfg(feature = "ssr")]
mod checks {
    use super::*;
    use crate::error::FieldError;

    /// Trims `value` to one line; pushes `required` or `too_long` for `field`.
    fn line(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool, max: usize) -> String {
        let v = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if required && v.is_empty() {
            errors.push(FieldError::new(field, crate::error::FieldCode::Required));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
        }
        v
    }

    fn done<T>(errors: Vec<FieldError>, value: T) -> Result<T, Vec<FieldError>> {
        if errors.is_empty() { Ok(value) } else { Err(errors) }
    }

    /// An `http(s)://host…` address, or a field error.
    pub fn web_link(errors: &mut Vec<FieldError>, field: &str, value: &str) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        let host = v.strip_prefix("https://").or_else(|| v.strip_prefix("http://"));
        let valid = host.is_some_and(|h| {
            let host = h.split(['/', '?', '#']).next().unwrap_or_default();
            host.contains('.') && !host.contains(char::is_whitespace)
        });
        if !valid {
            errors.push(FieldError::new(field, crate::error::FieldCode::UrlInvalid));
        } else if v.chars().count() > MAX_LINK_CHARS {
            errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
        }
        Some(v.to_owned())
    }

    impl WelcomeForm {
        pub fn check(&self) -> Result<Text, Vec<FieldError>> {
            let mut errors = Vec::new();
            let vi = line(&mut errors, "welcome_vi", &self.welcome_vi, false, MAX_WELCOME_CHARS);
            let en = line(&mut errors, "welcome_en", &self.welcome_en, false, MAX_WELCOME_CHARS);
            done(errors, Text::new(vi, en))
        }
    }

    /// A checked slot: its start (Unix seconds), title and link.
    pub struct CheckedSlot {
        pub starts_at: i64,
        pub title: Text,
        pub link: Option<String>,
    }

    impl SlotForm {
        pub fn check(&self) -> Result<CheckedSlot, Vec<FieldError>> {
            let mut errors = Vec::new();
            let starts_at = crate::ui::dates::parse_vietnam_local(&self.starts_at);
            if starts_at.is_none() {
                errors.push(FieldError::new(
                    "starts_at",
                    if self.starts_at.trim().is_empty() {
                        crate::error::FieldCode::Required
                    } else {
                        crate::error::FieldCode::DateInvalid
                    },
                ));
            }
            let vi = line(&mut errors, "title_vi", &self.title_vi, true, MAX_TITLE_CHARS);
            let en = line(&mut errors, "title_en", &self.title_en, false, MAX_TITLE_CHARS);
            let link = web_link(&mut errors, "link", &self.link);
            done(
                errors,
                CheckedSlot { starts_at: starts_at.unwrap_or_default(), title: Text::new(vi, en), link },
            )
        }
    }

    /// A checked team member.
    pub struct CheckedMember {
        pub name: String,
        pub role: Text,
        pub on_duty: String,
    }

    impl TeamForm {
        pub fn check(&self) -> Result<CheckedMember, Vec<FieldError>> {
            let mut errors = Vec::new();
            let name = line(&mut errors, "name", &self.name, true, MAX_NAME_CHARS);
            let vi = line(&mut errors, "role_vi", &self.role_vi, false, MAX_NAME_CHARS);
            let en = line(&mut errors, "role_en", &self.role_en, false, MAX_NAME_CHARS);
            let on_duty = line(&mut errors, "on_duty", &self.on_duty, false, MAX_NAME_CHARS);
            done(errors, CheckedMember { name, role: Text::new(vi, en), on_duty })
        }
    }

    impl FairForm {
        /// Checks every field at once. `known` maps the slugs of the booths that may take part
        /// (approved cooperatives) to their ids.
        pub fn check(
            &self,
            known: &std::collections::HashMap<String, i64>,
        ) -> Result<CheckedFair, Vec<FieldError>> {
            let mut errors = Vec::new();
            let name_vi = line(&mut errors, "name_vi", &self.name_vi, true, MAX_TITLE_CHARS);
            let name_en = line(&mut errors, "name_en", &self.name_en, true, MAX_TITLE_CHARS);
            let description_vi = self.description_vi.trim().to_owned();
            let description_en = self.description_en.trim().to_owned();
            for (field, value) in [("description_vi", &description_vi), ("description_en", &description_en)] {
                if value.chars().count() > MAX_FAIR_DESCRIPTION_CHARS {
                    errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
                }
            }
            let mut time = |field: &str, value: &str| {
                let t = crate::ui::dates::parse_vietnam_local(value);
                if t.is_none() {
                    errors.push(FieldError::new(
                        field,
                        if value.trim().is_empty() {
                            crate::error::FieldCode::Required
                        } else {
                            crate::error::FieldCode::DateInvalid
                        },
                    ));
                }
                t
            };
            let starts_at = time("starts_at", &self.starts_at);
            let ends_at = time("ends_at", &self.ends_at);
            if let (Some(s), Some(e)) = (starts_at, ends_at)
                && e <= s
            {
                errors.push(FieldError::new("ends_at", crate::error::FieldCode::EndsBeforeStart));
            }
            let mut booths = Vec::new();
            for slug in self.chosen_booths() {
                match known.get(slug) {
                    Some(id) => booths.push(*id),
                    None => errors.push(FieldError::new("booths", crate::error::FieldCode::Invalid)),
                }
            }
            if booths.is_empty() && !errors.iter().any(|e| e.field == "booths") {
                errors.push(FieldError::new("booths", crate::error::FieldCode::BoothsRequired));
            }
            done(
                errors,
                CheckedFair {
                    name: Text::new(name_vi, name_en),
                    description: Text::new(description_vi, description_en),
                    starts_at: starts_at.unwrap_or_default(),
                    ends_at: ends_at.unwrap_or_default(),
                    booths,
                },
            )
        }
    }

    /// A checked fair.
    pub struct CheckedFair {
        pub name: Text,
        pub description: Text,
        pub starts_at: i64,
        pub ends_at: i64,
        pub booths: Vec<i64>,
    }
}
#[cfg(feature = "ssr")]
pub use checks::{CheckedFair, CheckedMember, CheckedSlot, web_link};

// ---------------------------------------------------------------------------------------------
// Fairs.

/// Where a fair is in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Upcoming,
    Running,
    Past,
}

impl Phase {
    /// A fair runs from its start (included) to its end (excluded).
    pub fn at(starts_at: i64, ends_at: i64, now: i64) -> Phase {
        if now < starts_at {
            Phase::Upcoming
        } else if now < ends_at {
            Phase::Running
        } else {
            Phase::Past
        }
    }

    /// What an admin's one click does to a fair in this phase: `Some(true)` opens it now (it is
    /// upcoming), `Some(false)` closes it now (it runs), `None` neither (it is over).
    pub fn switch(self) -> Option<bool> {
        match self {
            Phase::Upcoming => Some(true),
            Phase::Running => Some(false),
            Phase::Past => None,
        }
    }
}

/// Why a fair cannot be opened or closed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenRefusal {
    /// Opening a fair that runs already, or closing one that has not opened.
    NotUpcoming,
    NotRunning,
}

impl OpenRefusal {
    pub fn code(self) -> crate::error::ConflictCode {
        match self {
            OpenRefusal::NotUpcoming => crate::error::ConflictCode::FairNotUpcoming,
            OpenRefusal::NotRunning => crate::error::ConflictCode::FairNotRunning,
        }
    }
}

/// The fair's new times when an admin opens it now (an upcoming fair starts at `now`, its end
/// unchanged) or closes it now (a running fair ends at `now`). A past fair runs again only by
/// editing its dates, so that its record is not rewritten by a click. A fair closed in the
/// second it opened is taken to have run for that one second, since a fair ends after it starts.
pub fn open_or_close(starts_at: i64, ends_at: i64, now: i64, open: bool) -> Result<(i64, i64), OpenRefusal> {
    match (Phase::at(starts_at, ends_at, now).switch(), open) {
        (Some(true), true) => Ok((now, ends_at)),
        (Some(false), false) => Ok((starts_at.min(now - 1), now)),
        (_, true) => Err(OpenRefusal::NotUpcoming),
        (_, false) => Err(OpenRefusal::NotRunning),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairSummary {
    pub id: i64,
    pub slug: String,
    pub name: Text,
    pub description: Text,
    pub starts_at: i64,
    pub ends_at: i64,
    pub phase: Phase,
    /// Its booths (of approved cooperatives).
    pub booths: u32,
}

/// The `/fairs` page: running fairs (ending soonest first), upcoming ones (starting soonest
/// first) and past ones (latest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairList {
    pub running: Vec<FairSummary>,
    pub upcoming: Vec<FairSummary>,
    pub past: Vec<FairSummary>,
    /// The viewer may create fairs.
    pub can_create: bool,
}

/// A booth in a fair's hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallBooth {
    pub cooperative_id: i64,
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub logo_url: Option<String>,
    /// Its product groups, for the card.
    pub groups: Vec<Text>,
    pub products: u32,
    pub visitors: u32,
}

/// An option of a filter: its value in the address, its label, and whether it is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
    pub selected: bool,
}

/// The hall's search and filters, as they are in the address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallFilter {
    pub q: String,
    pub district: String,
    pub group: String,
}

impl HallFilter {
    pub fn is_empty(&self) -> bool {
        self.q.trim().is_empty() && self.district.is_empty() && self.group.is_empty()
    }
}

/// A fair's hall: the fair and the booths that match the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairHall {
    pub fair: FairSummary,
    pub booths: Vec<HallBooth>,
    /// How many booths the fair has in all (before the filter).
    pub total: u32,
    pub districts: Vec<Choice>,
    pub groups: Vec<Choice>,
    pub filter: HallFilter,
}

/// A fair's description is a few paragraphs at most.
pub const MAX_FAIR_DESCRIPTION_CHARS: usize = 4000;

/// A new fair, as the admin's form sends it. Times are Vietnam time (`datetime-local`); booths
/// are checkboxes named `form[booths][<slug>]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairForm {
    #[serde(default)]
    pub name_vi: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description_vi: String,
    #[serde(default)]
    pub description_en: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub booths: std::collections::BTreeMap<String, String>,
}

impl FairForm {
    /// The slugs of the booths ticked.
    pub fn chosen_booths(&self) -> impl Iterator<Item = &str> {
        self.booths.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k.as_str())
    }
}

/// The fair form's page: the booths to choose from, and a refused draft's fields and errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairFormPage {
    /// Approved cooperatives: (slug, name, district).
    pub booths: Vec<(String, Text, Option<Text>)>,
    pub form: FairForm,
    pub errors: Vec<crate::error::FieldError>,
    /// The fair being edited (its slug); `None` for a new fair.
    pub editing: Option<String>,
}

impl FairForm {
    /// The form filled with a stored fair, to edit it.
    pub fn of(fair: &FairSummary, booths: &[String]) -> FairForm {
        FairForm {
            name_vi: fair.name.vi.clone(),
            name_en: fair.name.en.clone(),
            description_vi: fair.description.vi.clone(),
            description_en: fair.description.en.clone(),
            starts_at: crate::ui::dates::vietnam_local_input(fair.starts_at),
            ends_at: crate::ui::dates::vietnam_local_input(fair.ends_at),
            booths: booths.iter().map(|slug| (slug.clone(), "on".to_owned())).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_000_000;
    const END: i64 = 2_000_000;

    #[test]
    fn opening_an_upcoming_fair_moves_its_start_to_now_and_keeps_its_end() {
        assert_eq!(open_or_close(START, END, START - 60, true), Ok((START - 60, END)));
    }

    #[test]
    fn closing_a_running_fair_ends_it_now() {
        assert_eq!(open_or_close(START, END, START + 60, false), Ok((START, START + 60)));
    }

    #[test]
    fn a_fair_closed_in_the_second_it_opened_ran_for_that_second() {
        let (starts_at, ends_at) = open_or_close(START, END, START - 60, true).expect("opens");
        let closed = open_or_close(starts_at, ends_at, starts_at, false);
        assert_eq!(closed, Ok((START - 61, START - 60)));
        let (starts_at, ends_at) = closed.expect("closes");
        assert!(ends_at > starts_at, "the store checks that a fair ends after it starts");
        assert_eq!(Phase::at(starts_at, ends_at, START - 60), Phase::Past);
    }

    #[test]
    fn only_an_upcoming_fair_opens_and_only_a_running_one_closes() {
        assert_eq!(
            [Phase::Upcoming, Phase::Running, Phase::Past].map(Phase::switch),
            [Some(true), Some(false), None],
            "the list's button"
        );
        assert_eq!(open_or_close(START, END, START, true), Err(OpenRefusal::NotUpcoming), "running");
        assert_eq!(open_or_close(START, END, END, true), Err(OpenRefusal::NotUpcoming), "past");
        assert_eq!(open_or_close(START, END, START - 1, false), Err(OpenRefusal::NotRunning), "upcoming");
        assert_eq!(open_or_close(START, END, END, false), Err(OpenRefusal::NotRunning), "past");
    }

    #[test]
    fn a_stored_fair_fills_the_form_in_vietnam_time() {
        let fair = FairSummary {
            id: 1,
            slug: "tea".into(),
            name: Text::new("Hội chợ chè", "Tea fair"),
            description: Text::new("Chè", "Tea"),
            // 2027-01-20 01:00 UTC is 08:00 in Vietnam.
            starts_at: 1_800_406_800,
            ends_at: 1_800_406_800 + 3600,
            phase: Phase::Upcoming,
            booths: 1,
        };
        let form = FairForm::of(&fair, &["binh-minh".to_owned()]);
        assert_eq!(form.starts_at, "2027-01-20T08:00");
        assert_eq!(form.ends_at, "2027-01-20T09:00");
        assert_eq!(form.chosen_booths().collect::<Vec<_>>(), vec!["binh-minh"]);
        assert_eq!(form.name_vi, "Hội chợ chè");
    }
}
