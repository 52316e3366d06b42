//! The admins' fair pages: the list of every fair (`/admin/fairs`) with open-now and close-now
//! buttons, and the fair form to create one (`/admin/fairs/new`) or edit one and its booths
//! (`/admin/fairs/:slug/edit`). Plain forms, so they work before (or without) the page's script;
//! a refused one comes back with every field as typed.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::super::api::*;
use super::super::model::*;
use super::fairs::{FairDates, PhaseChip};
use crate::accounts::guards::admin_only;
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::lang::Localized;
use crate::lang::use_locale;
use crate::ui::forms::{FieldMessage, FormAlert, TextField};
use crate::ui::layout::Loaded;

#[component]
pub fn NewFairPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let draft = query.with_untracked(|q| q.get("draft").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, fairs.fair.create).to_string() />
        <Meta name="robots" content="noindex" />
        {admin_only(move || {
            let draft = draft.clone();
            let page = Resource::new(move || draft.clone(), fetch_fair_form);
            view! {
                <section class="admin">
                    <h1>{td!(i18n, fairs.fair.create)}</h1>
                    <Loaded resource=page view=|page: FairFormPage| view! { <FairFormView page /> } />
                </section>
            }
            .into_any()
        })}
    }
}

/// `/admin/fairs/:slug/edit`: the fair's form filled with what is stored, or with a refused
/// draft as typed.
#[component]
pub fn EditFairPage() -> impl IntoView {
    let i18n = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let draft = query.with_untracked(|q| q.get("draft").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, fairs.admin.edit_title).to_string() />
        <Meta name="robots" content="noindex" />
        {admin_only(move || {
            let key = (slug.clone(), draft.clone());
            let page = Resource::new(move || key.clone(), |(slug, draft)| fetch_fair_edit(slug, draft));
            view! {
                <section class="admin">
                    <p><a href="/admin/fairs">{td!(i18n, fairs.admin.back)}</a></p>
                    <h1>{td!(i18n, fairs.admin.edit_title)}</h1>
                    <Loaded resource=page view=|page: FairFormPage| view! { <FairFormView page /> } />
                </section>
            }
            .into_any()
        })}
    }
}

/// `/admin/fairs`: every fair with its phase and booths, to edit, open now or close now.
#[component]
pub fn AdminFairsPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, fairs.admin.title).to_string() />
        <Meta name="robots" content="noindex" />
        {admin_only(move || {
            let fairs = Resource::new(|| (), |_| fetch_admin_fairs());
            view! {
                <section class="admin">
                    <div class="page-head">
                        <h1>{td!(i18n, fairs.admin.title)}</h1>
                        <a class="button" href="/admin/fairs/new">{td!(i18n, fairs.fair.create)}</a>
                    </div>
                    <p class="lead">{td!(i18n, fairs.admin.lead)}</p>
                    <crate::ui::forms::Refusal />
                    <Loaded resource=fairs view={|fairs: Vec<FairSummary>| view! { <AdminFairTable fairs /> }} />
                </section>
            }
            .into_any()
        })}
    }
}

/// The button that opens an upcoming fair now or closes a running one now.
#[component]
fn OpenCloseForm(slug: String, phase: Phase) -> impl IntoView {
    let i18n = use_locale();
    phase.switch().map(|open| {
        let (label, class) = if open {
            (td_string!(i18n, fairs.admin.open_now), "button button--small")
        } else {
            (td_string!(i18n, fairs.admin.close_now), "button button--small button--danger")
        };
        view! {
            <form method="post" action=SetFairOpen::PATH>
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="open" value=open.to_string() />
                <button class=class type="submit">{label}</button>
            </form>
        }
    })
}

#[component]
fn AdminFairTable(fairs: Vec<FairSummary>) -> impl IntoView {
    let i18n = use_locale();
    if fairs.is_empty() {
        return view! { <p>{td!(i18n, fairs.fair.none)}</p> }.into_any();
    }
    view! {
        <table class="data-table" data-testid="admin-fairs">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, fairs.admin.fair)}</th>
                    <th scope="col">{td!(i18n, fairs.admin.when)}</th>
                    <th scope="col" class="data-table__num">{td!(i18n, fairs.admin.booths)}</th>
                    <th scope="col">{td!(i18n, admin.users.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {fairs
                    .into_iter()
                    .map(|fair| {
                        let FairSummary { slug, name, starts_at, ends_at, phase, booths, .. } = fair;
                        view! {
                            <tr data-testid="admin-fair" data-slug=slug.clone()>
                                <td>
                                    <PhaseChip phase />
                                    " "
                                    <a href=format!("/fairs/{slug}")><Localized text=name /></a>
                                </td>
                                <td><FairDates starts_at ends_at /></td>
                                <td class="data-table__num">{booths}</td>
                                <td class="data-table__actions">
                                    <a class="button button--small button--secondary" href=format!("/admin/fairs/{slug}/edit")>
                                        {td!(i18n, fairs.admin.edit)}
                                    </a>
                                    " "
                                    <OpenCloseForm slug=slug.clone() phase />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The fair form: a plain form, so it works before (or without) the page's script, and a refused
/// one comes back with every field as typed.
#[component]
fn FairFormView(page: FairFormPage) -> impl IntoView {
    let i18n = use_locale();
    let FairFormPage { booths, form, errors, editing } = page;
    let (action, submit) = if editing.is_some() {
        (UpdateFair::PATH, td_string!(i18n, fairs.admin.save))
    } else {
        (CreateFair::PATH, td_string!(i18n, fairs.fair.create_submit))
    };
    let error = Signal::stored((!errors.is_empty()).then_some(AppError::Validation(errors)));
    let booths_error = crate::ui::forms::field_error(error, "booths");
    let FairForm { name_vi, name_en, description_vi, description_en, starts_at, ends_at, booths: chosen } =
        form;
    let fields = view! {
        <div class="form-grid">
            <TextField field="name_vi" prefix="form" required=true value=name_vi error>
                {td!(i18n, fairs.fair.name_vi)}
            </TextField>
            <TextField field="name_en" prefix="form" required=true value=name_en error>
                {td!(i18n, fairs.fair.name_en)}
            </TextField>
            <TextField field="description_vi" prefix="form" multiline=true value=description_vi error>
                {td!(i18n, fairs.fair.description_vi)}
            </TextField>
            <TextField field="description_en" prefix="form" multiline=true value=description_en error>
                {td!(i18n, fairs.fair.description_en)}
            </TextField>
            <TextField
                field="starts_at"
                prefix="form"
                kind="datetime-local"
                required=true
                value=starts_at
                hint=ViewFn::from(move || td!(i18n, fairs.fair.vietnam_time))
                error
            >
                {td!(i18n, fairs.fair.starts_at)}
            </TextField>
            <TextField
                field="ends_at"
                prefix="form"
                kind="datetime-local"
                required=true
                value=ends_at
                hint=ViewFn::from(move || td!(i18n, fairs.fair.vietnam_time))
                error
            >
                {td!(i18n, fairs.fair.ends_at)}
            </TextField>
        </div>
    }
    .into_any();
    let choices = view! {
        <fieldset class="fair-form__booths" class:field--invalid=move || booths_error.with(Option::is_some)>
            <legend>{td!(i18n, fairs.fair.choose_booths)}</legend>
            {move || booths_error.get().map(|code| view! { <p class="field__error"><FieldMessage code /></p> })}
            <ul class="fair-form__choices">
                {booths.into_iter().map(|(slug, name, district)| {
                    let checked = chosen.get(&slug).is_some_and(|v| !v.is_empty());
                    view! {
                        <li>
                            <label>
                                <input type="checkbox" name=format!("form[booths][{slug}]") value="on" checked=checked />
                                " " <Localized text=name />
                                {district.map(|d| view! { <span class="muted">" · " <Localized text=d /></span> })}
                            </label>
                        </li>
                    }
                    .into_any()
                }).collect_view()}
            </ul>
        </fieldset>
    }
    .into_any();
    view! {
        <form
            class="form fair-form"
            id="fair-form"
            method="post"
            action=action
            data-testid="fair-form"
        >
            <FormAlert error />
            {editing.clone().map(|slug| view! { <input type="hidden" name="slug" value=slug /> })}
            {fields}
            {choices}
            <button class="button" type="submit">{submit}</button>
        </form>
    }
    .into_any()
}
