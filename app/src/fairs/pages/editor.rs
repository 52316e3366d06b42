//! The cooperative's booth editor (`/coop/booth/edit`): banner, welcome line, featured products
//! in order, schedule and team.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::super::api::*;
use super::super::model::*;
use crate::accounts::model::Membership;
use crate::coops::frame::{Dashboard, MemberOnly};
use crate::i18n::{td, td_string};
use crate::lang::Localized;
use crate::lang::use_locale;
use crate::ui::dates::format_datetime;
use crate::ui::forms::{FieldMessage, FormAlert, SavedNote, TextField, action_error, refreshed, successes};
use crate::ui::layout::Loaded;

/// How the last banner upload (a plain multipart post that comes back here) went.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct BannerOutcome {
    added: bool,
    error: Option<crate::error::FieldCode>,
}

#[component]
pub fn CoopBoothEditPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let banner = query.with_untracked(|q| BannerOutcome {
        added: q.get("banner").is_some(),
        error: q.get("banner_error").map(|c| crate::error::FieldCode::named(&c)),
    });
    view! {
        <Title text=td_string!(i18n, fairs.editor.title).to_string() />
        <Meta name="robots" content="noindex" />
        <MemberOnly page=move |membership: Membership| {
            let settings = Resource::new(|| (), |_| fetch_booth_settings());
            let banner = banner.clone();
            view! {
                <Dashboard membership>
                    <Loaded
                        resource=settings
                        view=move |settings: BoothSettings| view! { <BoothEditor settings banner=banner.clone() /> }
                    />
                </Dashboard>
            }
        } />
    }
}

#[island(lazy)]
fn BoothEditor(settings: BoothSettings, banner: BannerOutcome) -> impl IntoView {
    crate::ui::lazy::preload_island("booth_editor");
    let i18n = use_locale();
    let welcome = ServerAction::<SaveBoothWelcome>::new();
    let remove_banner = ServerAction::<RemoveBoothBanner>::new();
    let pick = ServerAction::<PickFeatured>::new();
    let unpick = ServerAction::<UnpickFeatured>::new();
    let move_pick = ServerAction::<MoveFeatured>::new();
    let add_slot = ServerAction::<AddBoothSlot>::new();
    let delete_slot = ServerAction::<DeleteBoothSlot>::new();
    let add_member = ServerAction::<AddTeamMember>::new();
    let delete_member = ServerAction::<DeleteTeamMember>::new();
    // Refreshed after each success only: a refused form keeps what was typed.
    let done = [
        successes(welcome.version(), welcome.value()),
        successes(remove_banner.version(), remove_banner.value()),
        successes(pick.version(), pick.value()),
        successes(unpick.version(), unpick.value()),
        successes(move_pick.version(), move_pick.value()),
        successes(add_slot.version(), add_slot.value()),
        successes(delete_slot.version(), delete_slot.value()),
        successes(add_member.version(), add_member.value()),
        successes(delete_member.version(), delete_member.value()),
    ];
    let settings = refreshed(settings, move || done.iter().map(|n| n.get()).sum(), fetch_booth_settings);
    let picks_error = Signal::derive(move || {
        action_error(pick.value())
            .get()
            .or_else(|| action_error(unpick.value()).get())
            .or_else(|| action_error(move_pick.value()).get())
    });
    move || {
        let s = settings.get();
        let banner = banner.clone();
        view! {
            <div class="dashboard__heading">
                <h1>{td!(i18n, fairs.editor.title)}</h1>
                <a href=format!("/booths/{}", s.slug)>{td!(i18n, fairs.editor.view)}</a>
                <a href=format!("/booths/{}/card", s.slug)>{td!(i18n, fairs.editor.card)}</a>
            </div>
            <BannerEditor banner_url=s.banner_url.clone() outcome=banner remove=remove_banner />
            <WelcomeEditor welcome=s.welcome.clone() action=welcome />
            <PicksEditor picks=s.picks.clone() others=s.others.clone() pick unpick move_pick error=picks_error />
            <ScheduleEditor slots=s.slots.clone() add=add_slot delete=delete_slot />
            <TeamEditor team=s.team.clone() add=add_member delete=delete_member />
        }
    }
}

#[component]
fn BannerEditor(
    banner_url: Option<String>,
    outcome: BannerOutcome,
    remove: ServerAction<RemoveBoothBanner>,
) -> impl IntoView {
    let i18n = use_locale();
    let has_banner = banner_url.is_some();
    view! {
        <section class="booth-editor__section" aria-labelledby="banner-title">
            <h2 id="banner-title">{td!(i18n, fairs.editor.banner)}</h2>
            <p class="muted">{td!(i18n, fairs.editor.banner_hint)}</p>
            {banner_url.map(|src| view! {
                <img class="booth-editor__banner" src=src alt="" width="600" height="200" data-testid="banner-preview" />
            })}
            <form class="form" method="post" action="/coop/booth/banner" enctype="multipart/form-data">
                {outcome.error.map(|code| view! {
                    <p class="form-alert" role="alert"><FieldMessage code /></p>
                })}
                {outcome.added.then(|| view! { <p class="form-saved" role="status">{td!(i18n, fairs.editor.banner_added)}</p> })}
                <div class="field">
                    <label class="field__label" for="banner-file">{td!(i18n, fairs.editor.banner_file)}</label>
                    <input class="field__input" id="banner-file" type="file" name="photo" accept="image/jpeg,image/png,image/webp" required />
                </div>
                <button class="button" type="submit">{td!(i18n, fairs.editor.banner_submit)}</button>
            </form>
            {has_banner.then(|| view! {
                <ActionForm action=remove>
                    <button class="button button--secondary button--small" type="submit">{td!(i18n, fairs.editor.banner_remove)}</button>
                </ActionForm>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn WelcomeEditor(welcome: crate::lang::Text, action: ServerAction<SaveBoothWelcome>) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(action.value());
    view! {
        <section class="booth-editor__section" aria-labelledby="welcome-title">
            <h2 id="welcome-title">{td!(i18n, fairs.editor.welcome)}</h2>
            <ActionForm action attr:class="form">
                <FormAlert error />
                <div class="form-grid">
                    <TextField field="welcome_vi" prefix="form" value=welcome.vi error>
                        {td!(i18n, fairs.editor.welcome_vi)}
                    </TextField>
                    <TextField field="welcome_en" prefix="form" value=welcome.en error>
                        {td!(i18n, fairs.editor.welcome_en)}
                    </TextField>
                </div>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, fairs.editor.save)}
                </button>
                <SavedNote value=action.value() />
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The featured products in the booth's order (first, earlier, later, remove), and the
/// cooperative's other products to add.
#[component]
fn PicksEditor(
    picks: Vec<PickOption>,
    others: Vec<PickOption>,
    pick: ServerAction<PickFeatured>,
    unpick: ServerAction<UnpickFeatured>,
    move_pick: ServerAction<MoveFeatured>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let i18n = use_locale();
    let count = picks.len();
    let full = count >= MAX_FEATURED;
    let picked = picks
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let id = p.id.to_string();
            let (up, down, remove) = (id.clone(), id.clone(), id.clone());
            view! {
                <li class="picks__item" data-testid="pick">
                    <span class="picks__name"><Localized text=p.name /></span>
                    {(!p.published).then(|| view! { <span class="chip">{td!(i18n, coops.status.draft)}</span> })}
                    {(p.stock == 0).then(|| view! { <span class="chip chip--warn">{td!(i18n, fairs.editor.sold_out)}</span> })}
                    <div class="picks__actions">
                        {(i > 0).then(|| view! {
                            <ActionForm action=move_pick>
                                <input type="hidden" name="product_id" value=up />
                                <input type="hidden" name="to" value="Earlier" />
                                <button class="button button--small button--secondary" type="submit">{td!(i18n, fairs.editor.earlier)}</button>
                            </ActionForm>
                        })}
                        {(i + 1 < count).then(|| view! {
                            <ActionForm action=move_pick>
                                <input type="hidden" name="product_id" value=down />
                                <input type="hidden" name="to" value="Later" />
                                <button class="button button--small button--secondary" type="submit">{td!(i18n, fairs.editor.later)}</button>
                            </ActionForm>
                        })}
                        <ActionForm action=unpick>
                            <input type="hidden" name="product_id" value=remove />
                            <button class="button button--small button--secondary" type="submit">{td!(i18n, fairs.editor.unpick)}</button>
                        </ActionForm>
                    </div>
                </li>
            }
            .into_any()
        })
        .collect_view();
    let rest = others
        .into_iter()
        .map(|p| {
            view! {
                <li class="picks__item">
                    <span class="picks__name"><Localized text=p.name /></span>
                    {(!p.published).then(|| view! { <span class="chip">{td!(i18n, coops.status.draft)}</span> })}
                    <ActionForm action=pick>
                        <input type="hidden" name="product_id" value=p.id.to_string() />
                        <button class="button button--small" type="submit" disabled=full>{td!(i18n, fairs.editor.pick)}</button>
                    </ActionForm>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="booth-editor__section" aria-labelledby="picks-title">
            <h2 id="picks-title">{td!(i18n, fairs.editor.picks)}</h2>
            <p class="muted">{td!(i18n, fairs.editor.picks_hint, n = MAX_FEATURED)}</p>
            <FormAlert error />
            {(count == 0).then(|| view! { <p data-testid="no-picks">{td!(i18n, fairs.editor.no_picks)}</p> })}
            <ol class="picks" data-testid="picks">{picked}</ol>
            <h3>{td!(i18n, fairs.editor.others)}</h3>
            <ul class="picks picks--others">{rest}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn ScheduleEditor(
    slots: Vec<Slot>,
    add: ServerAction<AddBoothSlot>,
    delete: ServerAction<DeleteBoothSlot>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(add.value());
    let rows = slots
        .into_iter()
        .map(|s| {
            view! {
                <li class="schedule__slot">
                    <time datetime=s.starts_at.to_string()>{format_datetime(s.starts_at)}</time>
                    <span><Localized text=s.title /></span>
                    {s.link.map(|href| {
                        let text = href.clone();
                        view! { <a class="schedule__link" href=href rel="noopener nofollow" target="_blank">{text}</a> }
                    })}
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=s.id.to_string() />
                        <button class="button button--small button--secondary" type="submit">{td!(i18n, fairs.editor.delete)}</button>
                    </ActionForm>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="booth-editor__section" aria-labelledby="schedule-title">
            <h2 id="schedule-title">{td!(i18n, fairs.booth.schedule)}</h2>
            <ol class="schedule" data-testid="slots">{rows}</ol>
            <ActionForm action=add attr:class="form">
                <FormAlert error />
                <div class="form-grid">
                    <TextField field="starts_at" prefix="form" kind="datetime-local" required=true error>
                        {td!(i18n, fairs.editor.starts_at)}
                    </TextField>
                    <TextField field="link" prefix="form" kind="url" error>
                        {td!(i18n, fairs.editor.link)}
                    </TextField>
                    <TextField field="title_vi" prefix="form" required=true error>
                        {td!(i18n, fairs.editor.title_vi)}
                    </TextField>
                    <TextField field="title_en" prefix="form" error>
                        {td!(i18n, fairs.editor.title_en)}
                    </TextField>
                </div>
                <button class="button" type="submit" disabled=move || add.pending().get()>
                    {td!(i18n, fairs.editor.add_slot)}
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn TeamEditor(
    team: Vec<TeamMember>,
    add: ServerAction<AddTeamMember>,
    delete: ServerAction<DeleteTeamMember>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(add.value());
    let rows = team
        .into_iter()
        .map(|m| {
            view! {
                <li class="team__member" data-testid="team-member">
                    <strong>{m.name}</strong>
                    <span><Localized text=m.role /></span>
                    <span class="muted">{m.on_duty}</span>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=m.id.to_string() />
                        <button class="button button--small button--secondary" type="submit">{td!(i18n, fairs.editor.delete)}</button>
                    </ActionForm>
                </li>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="booth-editor__section" aria-labelledby="team-title">
            <h2 id="team-title">{td!(i18n, fairs.booth.team)}</h2>
            <ul class="team">{rows}</ul>
            <ActionForm action=add attr:class="form">
                <FormAlert error />
                <div class="form-grid">
                    <TextField field="name" prefix="form" required=true error>
                        {td!(i18n, fairs.editor.member_name)}
                    </TextField>
                    <TextField field="on_duty" prefix="form" error>
                        {td!(i18n, fairs.editor.on_duty)}
                    </TextField>
                    <TextField field="role_vi" prefix="form" error>
                        {td!(i18n, fairs.editor.role_vi)}
                    </TextField>
                    <TextField field="role_en" prefix="form" error>
                        {td!(i18n, fairs.editor.role_en)}
                    </TextField>
                </div>
                <button class="button" type="submit" disabled=move || add.pending().get()>
                    {td!(i18n, fairs.editor.add_member)}
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}
