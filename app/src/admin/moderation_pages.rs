//! `/admin/cooperatives` and `/admin/products`: suspending cooperatives and hiding products,
//! each with the reason the cooperative reads. Plain GET filters and plain POST forms, so they
//! work without JavaScript; a refused form comes back with `?error=<code>`.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::list::AdminList;
use super::model::*;
use crate::accounts::model::CoopStatus;
use crate::i18n::{td, td_string};
use crate::lang::Localized;
use crate::lang::use_locale;
use crate::ui::dates::format_datetime;

/// The reason input of a suspend or hide form.
#[component]
fn ReasonField() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.moderation.reason)}</span>
            <input class="field__input" type="text" name="reason" required maxlength=MAX_REASON_CHARS.to_string() />
        </label>
    }
}

fn coop_status_label(i18n: crate::i18n::Locale, status: CoopStatus) -> String {
    match status {
        CoopStatus::Pending => td_string!(i18n, accounts.coop_status.pending),
        CoopStatus::Approved => td_string!(i18n, accounts.coop_status.approved),
        CoopStatus::Rejected => td_string!(i18n, accounts.coop_status.rejected),
        CoopStatus::Suspended => td_string!(i18n, accounts.coop_status.suspended),
    }
    .to_string()
}

#[component]
pub fn AdminCooperativesPage() -> impl IntoView {
    let i18n = use_locale();
    let filter = use_query_map().with_untracked(|q| CoopFilter {
        q: q.get("q").unwrap_or_default(),
        status: q.get("status").unwrap_or_default(),
    });
    view! {
        <AdminList
            title=td_string!(i18n, admin.moderation.coops_title).to_string()
            lead=td_string!(i18n, admin.moderation.coops_lead).to_string()
            filter
            fetch=fetch_cooperatives
            action="/admin/cooperatives"
            fields={|filter: CoopFilter| view! { <CoopFilters filter /> }.into_any()}
            list={|rows: Vec<CoopRow>| view! { <CoopTable rows /> }}
        />
    }
}

#[component]
fn CoopFilters(filter: CoopFilter) -> impl IntoView {
    let i18n = use_locale();
    let status = filter.status();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.moderation.search_coops)}</span>
            <input class="field__input" type="search" name="q" value=filter.q.clone() maxlength="100" />
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.users.status)}</span>
            <select class="field__input" name="status">
                <option value="" selected=status.is_none()>{td!(i18n, admin.users.any)}</option>
                {[CoopStatus::Approved, CoopStatus::Suspended, CoopStatus::Pending, CoopStatus::Rejected]
                    .into_iter()
                    .map(|s| view! {
                        <option value=s.as_db() selected=status == Some(s)>{coop_status_label(i18n, s)}</option>
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn CoopTable(rows: Vec<CoopRow>) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <table class="data-table" data-testid="cooperatives">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.moderation.cooperative)}</th>
                    <th scope="col">{td!(i18n, admin.users.status)}</th>
                    <th scope="col" class="data-table__num">{td!(i18n, admin.moderation.products)}</th>
                    <th scope="col">{td!(i18n, admin.users.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|c| {
                        let id = c.id.to_string();
                        let action = if can_suspend(c.status) {
                            Some(view! {
                                <details class="confirm">
                                    <summary class="button button--small button--danger">{td!(i18n, admin.moderation.suspend)}</summary>
                                    <form method="post" action=SetCooperativeSuspended::PATH class="moderation-form">
                                        <input type="hidden" name="cooperative_id" value=id.clone() />
                                        <input type="hidden" name="suspend" value="true" />
                                        <ReasonField />
                                        <button class="button button--small button--danger" type="submit">
                                            {td!(i18n, admin.moderation.suspend_confirm)}
                                        </button>
                                    </form>
                                </details>
                            }.into_any())
                        } else if can_reinstate(c.status) {
                            Some(view! {
                                <form method="post" action=SetCooperativeSuspended::PATH>
                                    <input type="hidden" name="cooperative_id" value=id.clone() />
                                    <input type="hidden" name="suspend" value="false" />
                                    <input type="hidden" name="reason" value="" />
                                    <button class="button button--small button--secondary" type="submit">
                                        {td!(i18n, admin.moderation.reinstate)}
                                    </button>
                                </form>
                            }.into_any())
                        } else if c.status == CoopStatus::Pending {
                            Some(view! { <a href="/admin/applications">{td!(i18n, admin.moderation.review)}</a> }.into_any())
                        } else {
                            None
                        };
                        view! {
                            <tr data-testid="cooperative" data-slug=c.slug.clone() data-status=c.status.as_db()>
                                <td>
                                    <a href=format!("/c/{}", c.slug)><Localized text=c.name.clone() /></a>
                                    {c.district.clone().map(|d| view! { <br /><span class="muted"><Localized text=d /></span> })}
                                </td>
                                <td>
                                    {coop_status_label(i18n, c.status)}
                                    {c.note.clone().filter(|_| c.status != CoopStatus::Approved).map(|n| view! { <br /><span class="muted">{n}</span> })}
                                </td>
                                <td class="data-table__num">{c.products}</td>
                                <td class="data-table__actions">{action}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn AdminProductsPage() -> impl IntoView {
    let i18n = use_locale();
    let filter = use_query_map().with_untracked(|q| ProductModerationFilter {
        q: q.get("q").unwrap_or_default(),
        hidden: q.get("hidden").unwrap_or_default(),
    });
    view! {
        <AdminList
            title=td_string!(i18n, admin.moderation.products_title).to_string()
            lead=td_string!(i18n, admin.moderation.products_lead).to_string()
            filter
            fetch=fetch_moderated_products
            action="/admin/products"
            fields={|filter: ProductModerationFilter| view! { <ProductFilters filter /> }.into_any()}
            list={|rows: Vec<ModeratedProduct>| view! { <ProductTable rows /> }}
        />
    }
}

#[component]
fn ProductFilters(filter: ProductModerationFilter) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.moderation.search_products)}</span>
            <input class="field__input" type="search" name="q" value=filter.q.clone() maxlength="100" />
        </label>
        <label class="field field--check">
            <input type="checkbox" name="hidden" value="1" checked=filter.hidden_only() />
            <span>{td!(i18n, admin.moderation.hidden_only)}</span>
        </label>
    }
}

#[component]
fn ProductTable(rows: Vec<ModeratedProduct>) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <table class="data-table" data-testid="moderated-products">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.moderation.product)}</th>
                    <th scope="col">{td!(i18n, admin.users.status)}</th>
                    <th scope="col">{td!(i18n, admin.users.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|p| {
                        let id = p.id.to_string();
                        let hidden = p.hidden_reason.is_some();
                        let action = if hidden {
                            view! {
                                <form method="post" action=SetProductHidden::PATH>
                                    <input type="hidden" name="product_id" value=id.clone() />
                                    <input type="hidden" name="hide" value="false" />
                                    <input type="hidden" name="reason" value="" />
                                    <button class="button button--small button--secondary" type="submit">
                                        {td!(i18n, admin.moderation.unhide)}
                                    </button>
                                </form>
                            }
                            .into_any()
                        } else {
                            view! {
                                <details class="confirm">
                                    <summary class="button button--small button--danger">{td!(i18n, admin.moderation.hide)}</summary>
                                    <form method="post" action=SetProductHidden::PATH class="moderation-form">
                                        <input type="hidden" name="product_id" value=id.clone() />
                                        <input type="hidden" name="hide" value="true" />
                                        <ReasonField />
                                        <button class="button button--small button--danger" type="submit">
                                            {td!(i18n, admin.moderation.hide_confirm)}
                                        </button>
                                    </form>
                                </details>
                            }
                            .into_any()
                        };
                        let status = if hidden {
                            td_string!(i18n, admin.moderation.hidden)
                        } else if p.status == "published" {
                            td_string!(i18n, coops.status.published)
                        } else {
                            td_string!(i18n, coops.status.draft)
                        };
                        view! {
                            <tr data-testid="moderated-product" data-slug=p.slug.clone() data-hidden=hidden.to_string()>
                                <td>
                                    <Localized text=p.name.clone() />
                                    <br />
                                    <span class="muted"><Localized text=p.cooperative.clone() /></span>
                                </td>
                                <td>
                                    {status}
                                    {p.hidden_reason.clone().map(|r| view! { <br /><span class="muted">{r}</span> })}
                                    {p.hidden_at.map(|at| view! { <br /><span class="muted">{format_datetime(at)}</span> })}
                                </td>
                                <td class="data-table__actions">{action}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
