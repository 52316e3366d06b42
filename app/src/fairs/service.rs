//! Booth pages: the cooperative's booth with its picks drawn live from the catalogue, its team,
//! its schedule and the fair it is live at.
pub use super::chat::is_open_booth;
use super::chat::{self, Visitor};
use super::model::*;
use crate::accounts::model::Viewer;
use crate::audit::AuditAction;
use crate::audit::{Audit, record};
use crate::db::{Db, Sql};
use crate::error::AppError;
use crate::lang::Text;
use crate::live::hub::Hub;
use crate::live::model::Event;
use crate::search::fold;

/// Slots that started this long ago still show (a livestream may still be on).
const SLOT_GRACE_SECS: i64 = 2 * 3600;

#[derive(sqlx::FromRow)]
struct BoothRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    story_vi: String,
    story_en: String,
    logo_key: Option<String>,
    district_vi: Option<String>,
    district_en: Option<String>,
    banner_key: Option<String>,
    welcome_vi: Option<String>,
    welcome_en: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FairRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    starts_at: i64,
    ends_at: i64,
}

impl From<FairRow> for FairRef {
    fn from(r: FairRow) -> FairRef {
        FairRef {
            id: r.id,
            slug: r.slug,
            name: Text::new(r.name_vi, r.name_en),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
        }
    }
}

/// The booth's products: the picks in order, or (none picked) the cooperative's featured and
/// then newest products.
async fn featured_ids(db: &Db, coop: i64) -> Result<Vec<i64>, sqlx::Error> {
    let picked: Vec<i64> = sqlx::query_scalar(
        "SELECT product_id FROM booth_products WHERE cooperative_id = $1 ORDER BY position, product_id",
    )
    .bind(coop)
    .fetch_all(&db.pool)
    .await?;
    if !picked.is_empty() {
        return Ok(picked);
    }
    sqlx::query_scalar(
        "SELECT id FROM products WHERE status = 'published' AND cooperative_id = $1 \
         ORDER BY featured DESC, created_at DESC, id DESC LIMIT $2",
    )
    .bind(coop)
    .bind(MAX_FEATURED as i64)
    .fetch_all(&db.pool)
    .await
}

/// The fair `coop`'s booth is live at, at `now`.
pub async fn live_fair(db: &Db, coop: i64, now: i64) -> Result<Option<FairRef>, sqlx::Error> {
    Ok(sqlx::query_as::<_, FairRow>(
        "SELECT f.id, f.slug, f.name_vi, f.name_en, f.starts_at, f.ends_at FROM fairs f \
         JOIN fair_booths fb ON fb.fair_id = f.id WHERE fb.cooperative_id = $1 \
         AND f.starts_at <= $2 AND f.ends_at > $3 ORDER BY f.ends_at, f.id LIMIT 1",
    )
    .bind(coop)
    .bind(now)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?
    .map(Into::into))
}

/// Counts one tab walking into `booth` (as `visitor`), under the fair it is in at `now`, if any.
pub async fn record_visit(db: &Db, booth: i64, visitor: &str, now: i64) -> Result<(), sqlx::Error> {
    let fair = live_fair(db, booth, now).await?.map(|f| f.id);
    sqlx::query("INSERT INTO booth_visits (fair_id, cooperative_id, visitor, at) VALUES ($1, $2, $3, $4)")
        .bind(fair)
        .bind(booth)
        .bind(visitor.chars().take(64).collect::<String>())
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The fair the booth of `coop` is live at, at `now`; `NotFound` when it has no open booth
/// (a suspended or unknown cooperative's).
pub async fn open_booth_fair(db: &Db, coop: i64, now: i64) -> Result<Option<FairRef>, AppError> {
    if !is_open_booth(db, coop).await? {
        return Err(AppError::NotFound);
    }
    Ok(live_fair(db, coop, now).await?)
}

/// The event that tells the page of `booth` which fair it is live at, at `now`.
pub async fn booth_fair_event(db: &Db, booth: i64, now: i64) -> Result<Event, sqlx::Error> {
    Ok(Event::BoothFair { booth, fair: live_fair(db, booth, now).await? })
}

/// Tells the open pages of `booths`, on every instance, which fair each is live at after an
/// admin's change. The change is committed already, so a failure here is only logged: the
/// pages show it at their next load.
async fn announce(db: &Db, hub: &Hub, booths: Vec<i64>, now: i64) {
    for booth in booths {
        match booth_fair_event(db, booth, now).await {
            Ok(event) => hub.publish(event),
            Err(e) => tracing::warn!(error = %e, booth, "could not tell a booth's page of its fair"),
        }
    }
}

/// The booths (of approved cooperatives) whose fair opened or closed in the seconds
/// `(after, upto]`, by its schedule: their pages' "live at" badges change.
pub async fn booths_turning(db: &Db, after: i64, upto: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT fb.cooperative_id FROM fair_booths fb JOIN fairs f ON f.id = fb.fair_id \
         JOIN cooperatives c ON c.id = fb.cooperative_id WHERE c.status = 'approved' \
         AND ((f.starts_at > $1 AND f.starts_at <= $2) OR (f.ends_at > $3 AND f.ends_at <= $4)) \
         ORDER BY fb.cooperative_id",
    )
    .bind(after)
    .bind(upto)
    .bind(after)
    .bind(upto)
    .fetch_all(&db.pool)
    .await
}

pub async fn team(db: &Db, coop: i64) -> Result<Vec<TeamMember>, sqlx::Error> {
    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT id, name, role_vi, role_en, on_duty FROM booth_team WHERE cooperative_id = $1 \
         ORDER BY position, id",
    )
    .bind(coop)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, vi, en, on_duty)| TeamMember { id, name, role: Text::new(vi, en), on_duty })
        .collect())
}

/// The slots from two hours ago on (all of them when `all`), soonest first.
pub async fn schedule(db: &Db, coop: i64, now: i64, all: bool) -> Result<Vec<Slot>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT id, starts_at, title_vi, title_en, link FROM booth_slots WHERE cooperative_id = ");
    sql.bind(coop);
    if !all {
        sql.push(" AND starts_at >= ").bind(now - SLOT_GRACE_SECS);
    }
    sql.push(" ORDER BY starts_at, id LIMIT 50");
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, starts_at, vi, en, link)| Slot { id, starts_at, title: Text::new(vi, en), link })
        .collect())
}

/// The booth of the approved cooperative `slug`, as `viewer` (or the anonymous `visitor_hash`)
/// sees it now.
#[allow(clippy::too_many_arguments)]
pub async fn booth(
    db: &Db,
    hub: &Hub,
    slug: &str,
    viewer: Option<&Viewer>,
    visitor_hash: Option<&str>,
    now: i64,
    today: &str,
) -> Result<BoothView, AppError> {
    let row: BoothRow = sqlx::query_as(
        "SELECT c.id, c.slug, c.name_vi, c.name_en, c.story_vi, c.story_en, c.logo_key, \
         d.name_vi AS district_vi, d.name_en AS district_en, b.banner_key, b.welcome_vi, b.welcome_en \
         FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id \
         LEFT JOIN booths b ON b.cooperative_id = c.id WHERE c.status = 'approved' AND c.slug = $1",
    )
    .bind(slug)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let ids = featured_ids(db, row.id).await?;
    let featured = crate::catalog::service::cards_in_order(db, &ids, today).await?;
    let chat = match Visitor::of(viewer, visitor_hash) {
        Some(v) => chat::visitor_conversation(db, row.id, &v).await?,
        None => None,
    };
    let is_staff = viewer.and_then(Viewer::dashboard_cooperative).is_some_and(|m| m.cooperative_id == row.id);
    Ok(BoothView {
        cooperative_id: row.id,
        slug: row.slug,
        name: Text::new(row.name_vi, row.name_en),
        district: match (row.district_vi, row.district_en) {
            (Some(vi), Some(en)) => Some(Text::new(vi, en)),
            _ => None,
        },
        logo_url: row.logo_key.as_deref().map(crate::media::model::media_url),
        banner_url: row.banner_key.as_deref().map(crate::media::model::media_url),
        welcome: Text::new(row.welcome_vi.unwrap_or_default(), row.welcome_en.unwrap_or_default()),
        story: Text::new(row.story_vi, row.story_en),
        featured,
        team: team(db, row.id).await?,
        schedule: schedule(db, row.id, now, false).await?,
        live_fair: live_fair(db, row.id, now).await?,
        visitors: hub.visitors(row.id),
        chat,
        viewer_name: viewer.map(|v| v.display_name.clone()),
        is_staff,
        contact: crate::coops::service::contact(db, row.id).await?,
    })
}

/// The cooperative's booth console: visitors now and its conversations.
pub async fn staff_inbox(db: &Db, hub: &Hub, coop: i64) -> Result<StaffInbox, AppError> {
    let slug: String = sqlx::query_scalar("SELECT slug FROM cooperatives WHERE id = $1")
        .bind(coop)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(StaffInbox {
        booth: coop,
        booth_slug: slug,
        visitors: hub.visitors(coop),
        conversations: chat::inbox(db, coop).await?,
    })
}

// ---------------------------------------------------------------------------------------------
// Fairs.

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    description_vi: String,
    description_en: String,
    starts_at: i64,
    ends_at: i64,
    booths: i64,
}

impl SummaryRow {
    fn summary(self, now: i64) -> FairSummary {
        FairSummary {
            phase: Phase::at(self.starts_at, self.ends_at, now),
            id: self.id,
            slug: self.slug,
            name: Text::new(self.name_vi, self.name_en),
            description: Text::new(self.description_vi, self.description_en),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            booths: u32::try_from(self.booths).unwrap_or(u32::MAX),
        }
    }
}

/// The fairs' columns with the number of their approved cooperatives' booths.
const SUMMARY_SELECT: &str = "SELECT f.id, f.slug, f.name_vi, f.name_en, f.description_vi, f.description_en, \
     f.starts_at, f.ends_at, (SELECT COUNT(*) FROM fair_booths fb JOIN cooperatives c ON c.id = fb.cooperative_id \
     WHERE fb.fair_id = f.id AND c.status = 'approved') AS booths FROM fairs f";

/// How many past fairs `/fairs` lists.
const PAST_SHOWN: i64 = 24;

/// Running fairs ending soonest first, upcoming ones starting soonest first, and the latest past
/// ones.
pub async fn fairs(db: &Db, now: i64) -> Result<FairList, sqlx::Error> {
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" WHERE f.ends_at > ").bind(now).push(" ORDER BY f.starts_at, f.id");
    let current: Vec<SummaryRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" WHERE f.ends_at <= ")
        .bind(now)
        .push(" ORDER BY f.ends_at DESC, f.id DESC LIMIT ")
        .bind(PAST_SHOWN);
    let past: Vec<SummaryRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    let mut list = FairList::default();
    for fair in current.into_iter().map(|r| r.summary(now)) {
        match fair.phase {
            Phase::Running => list.running.push(fair),
            _ => list.upcoming.push(fair),
        }
    }
    list.running.sort_by_key(|f| (f.ends_at, f.id));
    list.past = past.into_iter().map(|r| r.summary(now)).collect();
    Ok(list)
}

/// The fair running now that the home page features: the one ending soonest.
pub async fn running_fair(db: &Db, now: i64) -> Result<Option<FairSummary>, sqlx::Error> {
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" WHERE f.starts_at <= ").bind(now).push(" AND f.ends_at > ").bind(now);
    sql.push(" ORDER BY f.ends_at, f.id LIMIT 1");
    Ok(sql.query_as::<SummaryRow>()?.fetch_optional(&db.pool).await?.map(|r| r.summary(now)))
}

#[derive(sqlx::FromRow)]
struct HallRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    logo_key: Option<String>,
    district_slug: Option<String>,
    district_vi: Option<String>,
    district_en: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HallProductRow {
    cooperative_id: i64,
    group_slug: String,
    group_vi: String,
    group_en: String,
    name_vi: String,
    name_en: String,
}

/// A booth of the hall with what the filters look at.
struct Candidate {
    booth: HallBooth,
    district: Option<String>,
    groups: Vec<String>,
    /// The folded words of its names and its products' names.
    words: Vec<String>,
}

impl Candidate {
    fn matches(&self, filter: &HallFilter, query: &[String]) -> bool {
        (filter.district.is_empty() || self.district.as_deref() == Some(filter.district.as_str()))
            && (filter.group.is_empty() || self.groups.contains(&filter.group))
            && query.iter().all(|q| self.words.iter().any(|w| w.starts_with(q.as_str())))
    }
}

/// A fair's hall: its booths (approved cooperatives) that match `filter`, each with its live
/// visitor count, and the districts and product groups its booths cover for the filters. The
/// search matches words of the booth's and its products' names from their start, without
/// diacritics ("che" finds "Chè"), in either language.
pub async fn hall(
    db: &Db,
    hub: &Hub,
    slug: &str,
    filter: HallFilter,
    now: i64,
) -> Result<FairHall, AppError> {
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" WHERE f.slug = ").bind(slug.to_owned());
    let fair =
        sql.query_as::<SummaryRow>()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?.summary(now);
    let rows: Vec<HallRow> = sqlx::query_as(
        "SELECT c.id, c.slug, c.name_vi, c.name_en, c.logo_key, d.slug AS district_slug, d.name_vi AS district_vi, \
         d.name_en AS district_en FROM fair_booths fb JOIN cooperatives c ON c.id = fb.cooperative_id \
         LEFT JOIN districts d ON d.id = c.district_id WHERE c.status = 'approved' AND fb.fair_id = $1 \
         ORDER BY c.name_vi, c.id",
    )
    .bind(fair.id)
    .fetch_all(&db.pool)
    .await?;
    let products: Vec<HallProductRow> = sqlx::query_as(
        "SELECT p.cooperative_id, g.slug AS group_slug, g.name_vi AS group_vi, g.name_en AS group_en, p.name_vi, \
         p.name_en FROM products p JOIN product_groups g ON g.id = p.group_id \
         JOIN fair_booths fb ON fb.cooperative_id = p.cooperative_id \
         WHERE p.status = 'published' AND fb.fair_id = $1 ORDER BY g.position, g.id",
    )
    .bind(fair.id)
    .fetch_all(&db.pool)
    .await?;

    let mut districts: Vec<Choice> = Vec::new();
    let mut groups: Vec<Choice> = Vec::new();
    let mut candidates: Vec<Candidate> = rows
        .into_iter()
        .map(|r| {
            let district = match (r.district_slug, r.district_vi, r.district_en) {
                (Some(slug), Some(vi), Some(en)) => {
                    if !districts.iter().any(|d| d.value == slug) {
                        let selected = filter.district == slug;
                        districts.push(Choice {
                            value: slug.clone(),
                            label: Text::new(vi.clone(), en.clone()),
                            selected,
                        });
                    }
                    Some((slug, Text::new(vi, en)))
                }
                _ => None,
            };
            let words =
                [r.name_vi.as_str(), r.name_en.as_str()].iter().flat_map(|n| fold::tokens(n)).collect();
            Candidate {
                booth: HallBooth {
                    cooperative_id: r.id,
                    slug: r.slug,
                    name: Text::new(r.name_vi, r.name_en),
                    district: district.as_ref().map(|(_, name)| name.clone()),
                    logo_url: r.logo_key.as_deref().map(crate::media::model::media_url),
                    groups: Vec::new(),
                    products: 0,
                    visitors: hub.visitors(r.id),
                },
                district: district.map(|(slug, _)| slug),
                groups: Vec::new(),
                words,
            }
        })
        .collect();
    for p in products {
        let Some(c) = candidates.iter_mut().find(|c| c.booth.cooperative_id == p.cooperative_id) else {
            continue;
        };
        c.booth.products += 1;
        c.words.extend(fold::tokens(&p.name_vi));
        c.words.extend(fold::tokens(&p.name_en));
        if !c.groups.contains(&p.group_slug) {
            c.groups.push(p.group_slug.clone());
            c.booth.groups.push(Text::new(p.group_vi.clone(), p.group_en.clone()));
        }
        if !groups.iter().any(|g| g.value == p.group_slug) {
            let selected = filter.group == p.group_slug;
            groups.push(Choice { value: p.group_slug, label: Text::new(p.group_vi, p.group_en), selected });
        }
    }
    districts.sort_by(|a, b| a.label.vi.cmp(&b.label.vi));
    let total = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
    let query = fold::tokens(&filter.q);
    candidates.retain(|c| c.matches(&filter, &query));
    Ok(FairHall {
        fair,
        booths: candidates.into_iter().map(|c| c.booth).collect(),
        total,
        districts,
        groups,
        filter,
    })
}

/// The booths that may take part in a fair: approved cooperatives, as (slug, name, district).
pub async fn booth_choices(db: &Db) -> Result<Vec<(String, Text, Option<Text>)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct ChoiceRow {
        slug: String,
        name_vi: String,
        name_en: String,
        district_vi: Option<String>,
        district_en: Option<String>,
    }
    let rows: Vec<ChoiceRow> = sqlx::query_as(
        "SELECT c.slug, c.name_vi, c.name_en, d.name_vi AS district_vi, d.name_en AS district_en FROM cooperatives c \
         LEFT JOIN districts d ON d.id = c.district_id WHERE c.status = 'approved' ORDER BY c.name_vi, c.id",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let district = match (r.district_vi, r.district_en) {
                (Some(vi), Some(en)) => Some(Text::new(vi, en)),
                _ => None,
            };
            (r.slug, Text::new(r.name_vi, r.name_en), district)
        })
        .collect())
}

/// A refused form's fields and errors, while its draft is kept (`drafts`).
async fn load_draft(
    db: &Db,
    draft: Option<&str>,
    now: i64,
) -> Result<Option<(FairForm, Vec<crate::error::FieldError>)>, AppError> {
    /// The create and update server functions' arguments (update's `slug` is not needed here).
    #[derive(serde::Deserialize)]
    struct Posted {
        form: FairForm,
    }
    let Some(token) = draft else { return Ok(None) };
    let Some(posted) = crate::drafts::load(db, token, now).await? else { return Ok(None) };
    Ok(posted.decode::<Posted>().map(|args| (args.form, posted.field_errors())))
}

/// The fair form's page, with a refused draft's fields and errors when `draft` is still there.
pub async fn form_page(db: &Db, draft: Option<&str>, now: i64) -> Result<FairFormPage, AppError> {
    let (form, errors) = load_draft(db, draft, now).await?.unwrap_or_default();
    Ok(FairFormPage { booths: booth_choices(db).await?, form, errors, editing: None })
}

/// The edit form of the fair `slug`: its stored fields, or a refused draft's when `draft` is
/// still there.
pub async fn edit_page(db: &Db, slug: &str, draft: Option<&str>, now: i64) -> Result<FairFormPage, AppError> {
    let fair = fair_by_slug(db, slug, now).await?.ok_or(AppError::NotFound)?;
    let (form, errors) = match load_draft(db, draft, now).await? {
        Some(refused) => refused,
        None => {
            let booths: Vec<String> =
                fair_booths(db, fair.id).await?.into_iter().map(|(slug, _)| slug).collect();
            (FairForm::of(&fair, &booths), Vec::new())
        }
    };
    Ok(FairFormPage { booths: booth_choices(db).await?, form, errors, editing: Some(fair.slug) })
}

/// Every fair for the admins' list, latest start first.
pub async fn admin_fairs(db: &Db, now: i64) -> Result<Vec<FairSummary>, sqlx::Error> {
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" ORDER BY f.starts_at DESC, f.id DESC LIMIT ").bind(ADMIN_FAIRS_SHOWN);
    Ok(sql.query_as::<SummaryRow>()?.fetch_all(&db.pool).await?.into_iter().map(|r| r.summary(now)).collect())
}

/// How many fairs the admins' list shows (a province runs a few a year).
const ADMIN_FAIRS_SHOWN: i64 = 500;

async fn fair_by_slug(db: &Db, slug: &str, now: i64) -> Result<Option<FairSummary>, sqlx::Error> {
    let mut sql = Sql::new(SUMMARY_SELECT);
    sql.push(" WHERE f.slug = ").bind(slug.to_owned());
    Ok(sql.query_as::<SummaryRow>()?.fetch_optional(&db.pool).await?.map(|r| r.summary(now)))
}

/// The booths of the fair `fair` that an admin manages (approved cooperatives'), as
/// (slug, id) by slug. A suspended cooperative's booth stays in the fair, out of sight, and
/// comes back if it is reinstated.
async fn fair_booths(db: &Db, fair: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.slug, c.id FROM fair_booths fb JOIN cooperatives c ON c.id = fb.cooperative_id \
         WHERE c.status = 'approved' AND fb.fair_id = $1 ORDER BY c.slug",
    )
    .bind(fair)
    .fetch_all(&db.pool)
    .await
}

/// Approved cooperatives by slug: the booths a fair may have.
async fn approved_booths(db: &Db) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    Ok(sqlx::query_as::<_, (String, i64)>("SELECT slug, id FROM cooperatives WHERE status = 'approved'")
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .collect())
}

/// What the audit log keeps of a fair.
fn fair_audit(name: &Text, starts_at: i64, ends_at: i64, booths: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "name_vi": name.vi, "name_en": name.en, "starts_at": starts_at, "ends_at": ends_at, "booths": booths,
    })
}

/// Edits the fair `slug`: its names, description and times, and which booths take part (added
/// and removed to match the form). Its slug stays, so that links to it keep working. The form
/// is checked whole first; returns the slug.
#[tracing::instrument(skip(db, hub, form))]
pub async fn update_fair(
    db: &Db,
    hub: &Hub,
    admin: i64,
    slug: &str,
    form: &FairForm,
    now: i64,
) -> Result<String, AppError> {
    let current = fair_by_slug(db, slug, now).await?.ok_or(AppError::NotFound)?;
    let known = approved_booths(db).await?;
    let fair = form.check(&known).map_err(AppError::Validation)?;
    let old: Vec<(String, i64)> = fair_booths(db, current.id).await?;
    let mut new: Vec<&str> = form.chosen_booths().collect();
    new.sort_unstable();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE fairs SET name_vi = $1, name_en = $2, description_vi = $3, description_en = $4, \
         starts_at = $5, ends_at = $6 WHERE id = $7",
    )
    .bind(&fair.name.vi)
    .bind(&fair.name.en)
    .bind(fair.description.vi)
    .bind(fair.description.en)
    .bind(fair.starts_at)
    .bind(fair.ends_at)
    .bind(current.id)
    .execute(&mut *tx)
    .await?;
    for (_, coop) in old.iter().filter(|(_, id)| !fair.booths.contains(id)) {
        sqlx::query("DELETE FROM fair_booths WHERE fair_id = $1 AND cooperative_id = $2")
            .bind(current.id)
            .bind(*coop)
            .execute(&mut *tx)
            .await?;
    }
    for coop in fair.booths.iter().filter(|id| !old.iter().any(|(_, o)| o == *id)) {
        sqlx::query("INSERT INTO fair_booths (fair_id, cooperative_id) VALUES ($1, $2)")
            .bind(current.id)
            .bind(*coop)
            .execute(&mut *tx)
            .await?;
    }
    let old_slugs: Vec<&str> = old.iter().map(|(slug, _)| slug.as_str()).collect();
    let audit = Audit {
        actor: admin,
        action: AuditAction::FairUpdate,
        target_id: current.id,
        before: Some(fair_audit(&current.name, current.starts_at, current.ends_at, &old_slugs)),
        after: Some(fair_audit(&fair.name, fair.starts_at, fair.ends_at, &new)),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    let mut touched: Vec<i64> =
        old.iter().map(|(_, id)| *id).filter(|id| !fair.booths.contains(id)).collect();
    touched.extend(&fair.booths);
    announce(db, hub, touched, now).await;
    // The shop shows which booths are live, and the tiles count them.
    crate::changes::catalogue_changed(db);
    hub.kpis_changed();
    Ok(current.slug)
}

/// Opens the upcoming fair `slug` now, or closes the running one now (`open_or_close`); returns
/// it as it is after. Refused with `Conflict` when its phase does not allow it.
#[tracing::instrument(skip(db, hub))]
pub async fn set_open(
    db: &Db,
    hub: &Hub,
    admin: i64,
    slug: &str,
    open: bool,
    now: i64,
) -> Result<FairSummary, AppError> {
    let fair = fair_by_slug(db, slug, now).await?.ok_or(AppError::NotFound)?;
    let (starts_at, ends_at) = open_or_close(fair.starts_at, fair.ends_at, now, open)
        .map_err(|refusal| AppError::Conflict(refusal.code()))?;
    let mut tx = db.begin_write().await?;
    // Only if nobody moved its times meanwhile.
    let updated = sqlx::query(
        "UPDATE fairs SET starts_at = $1, ends_at = $2 WHERE id = $3 AND starts_at = $4 AND ends_at = $5",
    )
    .bind(starts_at)
    .bind(ends_at)
    .bind(fair.id)
    .bind(fair.starts_at)
    .bind(fair.ends_at)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::Conflict(crate::error::ConflictCode::FairChanged));
    }
    let audit = Audit {
        actor: admin,
        action: if open { AuditAction::FairOpen } else { AuditAction::FairClose },
        target_id: fair.id,
        before: Some(serde_json::json!({ "starts_at": fair.starts_at, "ends_at": fair.ends_at })),
        after: Some(serde_json::json!({ "starts_at": starts_at, "ends_at": ends_at })),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    match fair_booths(db, fair.id).await {
        Ok(booths) => announce(db, hub, booths.into_iter().map(|(_, id)| id).collect(), now).await,
        Err(e) => tracing::warn!(error = %e, fair = fair.id, "could not tell the fair's booth pages"),
    }
    // The shop shows which booths are live, and the tiles count them.
    crate::changes::catalogue_changed(db);
    hub.kpis_changed();
    Ok(FairSummary { starts_at, ends_at, phase: Phase::at(starts_at, ends_at, now), ..fair })
}

/// A slug for a new fair from its name, made unique with a number when taken.
async fn free_slug(db: &Db, name: &Text) -> Result<String, sqlx::Error> {
    let base =
        Some(fold::slugify(&name.en)).filter(|s| !s.is_empty()).unwrap_or_else(|| fold::slugify(&name.vi));
    let base = if base.is_empty() { "fair".to_owned() } else { base };
    let taken: Vec<String> = sqlx::query_scalar("SELECT slug FROM fairs WHERE slug = $1 OR slug LIKE $2")
        .bind(&base)
        .bind(format!("{base}-%"))
        .fetch_all(&db.pool)
        .await?;
    let mut slug = base.clone();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

/// Creates a fair with its booths; returns its slug. The admin's form is checked whole first.
#[tracing::instrument(skip(db, hub, form))]
pub async fn create_fair(
    db: &Db,
    hub: &Hub,
    admin: i64,
    form: &FairForm,
    now: i64,
) -> Result<String, AppError> {
    let known = approved_booths(db).await?;
    let fair = form.check(&known).map_err(AppError::Validation)?;
    let slug = free_slug(db, &fair.name).await?;
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO fairs (slug, name_vi, name_en, description_vi, description_en, starts_at, ends_at, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&slug)
    .bind(fair.name.vi)
    .bind(fair.name.en)
    .bind(fair.description.vi)
    .bind(fair.description.en)
    .bind(fair.starts_at)
    .bind(fair.ends_at)
    .bind(admin)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let booth_count = fair.booths.len();
    for &coop in &fair.booths {
        sqlx::query("INSERT INTO fair_booths (fair_id, cooperative_id) VALUES ($1, $2)")
            .bind(id)
            .bind(coop)
            .execute(&mut *tx)
            .await?;
    }
    let audit = Audit {
        actor: admin,
        action: AuditAction::FairCreate,
        target_id: id,
        before: None,
        after: Some(serde_json::json!({
            "slug": slug, "starts_at": fair.starts_at, "ends_at": fair.ends_at, "booths": booth_count,
        })),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    announce(db, hub, fair.booths, now).await;
    // The shop shows which booths are live, and the tiles count them.
    crate::changes::catalogue_changed(db);
    hub.kpis_changed();
    Ok(slug)
}
