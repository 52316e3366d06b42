//! `/admin/users` and `/admin/audit`. Both are rendered on the server with plain GET filter forms
//! and plain POST forms, so they work without JavaScript and a filtered list can be linked.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::list::AdminList;
use super::model::*;
use crate::accounts::model::Role;
use crate::i18n::{td, td_string};
use crate::lang::Localized;
use crate::lang::use_locale;
use crate::messages::model::{MailStatus, OutboxPage};
use crate::orders::shipping::RateTable;
use crate::ui::dates::format_datetime;
use crate::ui::forms::Refusal;
use crate::ui::layout::Loaded;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let i18n = use_locale();
    let filter = use_query_map().with_untracked(|q| UserFilter {
        q: q.get("q").unwrap_or_default(),
        role: q.get("role").unwrap_or_default(),
        status: q.get("status").unwrap_or_default(),
    });
    view! {
        <AdminList
            title=td_string!(i18n, admin.users.title).to_string()
            filter
            fetch=fetch_users
            action="/admin/users"
            fields={|filter: UserFilter| view! { <UserFilters filter /> }.into_any()}
            list={|list: UserList| view! { <UserTable list /> }}
        />
    }
}

#[component]
fn UserFilters(filter: UserFilter) -> impl IntoView {
    let i18n = use_locale();
    let role = filter.role();
    let status = filter.status();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.users.search)}</span>
            <input class="field__input" type="search" name="q" value=filter.q.clone() maxlength="100" />
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.users.role)}</span>
            <select class="field__input" name="role">
                <option value="" selected=role.is_none()>{td!(i18n, admin.users.any)}</option>
                <option value="shopper" selected=role == Some(Role::Shopper)>{td!(i18n, accounts.role.shopper)}</option>
                <option value="member" selected=role == Some(Role::Member)>{td!(i18n, accounts.role.member)}</option>
                <option value="admin" selected=role == Some(Role::Admin)>{td!(i18n, accounts.role.admin)}</option>
            </select>
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.users.status)}</span>
            <select class="field__input" name="status">
                <option value="" selected=status.is_none()>{td!(i18n, admin.users.any)}</option>
                <option value="active" selected=status == Some(AccountStatus::Active)>{td!(i18n, admin.users.active)}</option>
                <option value="disabled" selected=status == Some(AccountStatus::Disabled)>{td!(i18n, admin.users.disabled)}</option>
            </select>
        </label>
    }
}

#[component]
fn UserTable(list: UserList) -> impl IntoView {
    let i18n = use_locale();
    let UserList { users, total, viewer_id } = list;
    let shown = users.len();
    view! {
        <p class="filters__count" data-testid="user-count">
            {td!(i18n, admin.users.count, shown = shown, total = total)}
        </p>
        <table class="data-table" data-testid="users">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.users.account)}</th>
                    <th scope="col">{td!(i18n, admin.users.role)}</th>
                    <th scope="col">{td!(i18n, admin.users.status)}</th>
                    <th scope="col">{td!(i18n, admin.users.last_seen)}</th>
                    <th scope="col">{td!(i18n, admin.users.actions)}</th>
                </tr>
            </thead>
            <tbody>
                {users.into_iter().map(|u| view! { <UserLine user=u viewer_id /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn UserLine(user: UserRow, viewer_id: i64) -> impl IntoView {
    let i18n = use_locale();
    let own = user.id == viewer_id;
    let id = user.id.to_string();
    let role = match user.role {
        Role::Shopper => td_string!(i18n, accounts.role.shopper),
        Role::Member => td_string!(i18n, accounts.role.member),
        Role::Admin => td_string!(i18n, accounts.role.admin),
    };
    let disabled = user.status == AccountStatus::Disabled;
    // The controls follow the model's rules: the service refuses anything else.
    let (to, to_param, label) = if user.role == Role::Admin {
        (Role::Shopper, "Shopper", td_string!(i18n, admin.users.make_shopper))
    } else {
        (Role::Admin, "Admin", td_string!(i18n, admin.users.make_admin))
    };
    let role_form = check_role_change(viewer_id, user.id, user.role, to).is_ok().then(|| {
        view! {
            <form method="post" action=SetUserRole::PATH>
                <input type="hidden" name="user_id" value=id.clone() />
                <input type="hidden" name="role" value=to_param />
                <button class="button button--small button--secondary" type="submit">{label}</button>
            </form>
        }
    });
    // Enabling is one click; disabling ends every session, so it asks once more.
    let status_form = check_status_change(viewer_id, user.id).is_ok().then(|| {
        if disabled {
            view! {
                <form method="post" action=SetUserStatus::PATH>
                    <input type="hidden" name="user_id" value=id.clone() />
                    <input type="hidden" name="status" value="Active" />
                    <button class="button button--small button--secondary" type="submit">
                        {td!(i18n, admin.users.enable)}
                    </button>
                </form>
            }
            .into_any()
        } else {
            view! {
                <details class="confirm">
                    <summary class="button button--small button--danger">{td!(i18n, admin.users.disable)}</summary>
                    <form method="post" action=SetUserStatus::PATH>
                        <input type="hidden" name="user_id" value=id.clone() />
                        <input type="hidden" name="status" value="Disabled" />
                        <button class="button button--small button--danger" type="submit">
                            {td!(i18n, admin.users.disable_confirm)}
                        </button>
                    </form>
                </details>
            }
            .into_any()
        }
    });
    view! {
        <tr data-testid="user" data-email=user.email.clone()>
            <td>
                <strong>{user.display_name.clone()}</strong>
                {own.then(|| view! { " " <span class="badge">{td!(i18n, admin.users.you)}</span> })}
                <br />
                <span class="muted">{user.email.clone()}</span>
            </td>
            <td>
                {role}
                {user.cooperative.clone().map(|c| view! { <br /><span class="muted"><Localized text=c /></span> })}
            </td>
            <td data-testid="user-status">
                {if disabled { td_string!(i18n, admin.users.disabled) } else { td_string!(i18n, admin.users.active) }}
            </td>
            <td>
                {match user.last_seen_at {
                    Some(at) => format_datetime(at),
                    None => td_string!(i18n, admin.users.never).to_string(),
                }}
            </td>
            <td class="data-table__actions">{role_form}{status_form}</td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let i18n = use_locale();
    let filter = use_query_map().with_untracked(|q| AuditFilter {
        action: q.get("action").unwrap_or_default(),
        actor: q.get("actor").unwrap_or_default(),
    });
    view! {
        <AdminList
            title=td_string!(i18n, admin.audit.title).to_string()
            filter
            fetch=fetch_audit
            action="/admin/audit"
            fields={|filter: AuditFilter| view! { <AuditFilters filter /> }.into_any()}
            list={|entries: Vec<AuditEntry>| view! { <AuditTable entries /> }}
        />
    }
}

/// The action's name for people.
fn action_label(i18n: crate::i18n::Locale, action: AuditAction) -> String {
    match action {
        AuditAction::UserRole => td_string!(i18n, admin.audit.user_role),
        AuditAction::UserDisable => td_string!(i18n, admin.audit.user_disable),
        AuditAction::UserEnable => td_string!(i18n, admin.audit.user_enable),
        AuditAction::CooperativeApprove => td_string!(i18n, admin.audit.cooperative_approve),
        AuditAction::CooperativeReject => td_string!(i18n, admin.audit.cooperative_reject),
        AuditAction::CooperativeSuspend => td_string!(i18n, admin.audit.cooperative_suspend),
        AuditAction::CooperativeReinstate => td_string!(i18n, admin.audit.cooperative_reinstate),
        AuditAction::ProductHide => td_string!(i18n, admin.audit.product_hide),
        AuditAction::ProductUnhide => td_string!(i18n, admin.audit.product_unhide),
        AuditAction::FairCreate => td_string!(i18n, admin.audit.fair_create),
        AuditAction::FairUpdate => td_string!(i18n, admin.audit.fair_update),
        AuditAction::FairOpen => td_string!(i18n, admin.audit.fair_open),
        AuditAction::FairClose => td_string!(i18n, admin.audit.fair_close),
        AuditAction::ShippingRates => td_string!(i18n, admin.audit.shipping_rates),
    }
    .to_string()
}

#[component]
fn AuditFilters(filter: AuditFilter) -> impl IntoView {
    let i18n = use_locale();
    let current = filter.action();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.audit.action)}</span>
            <select class="field__input" name="action">
                <option value="" selected=current.is_none()>{td!(i18n, admin.users.any)}</option>
                {AuditAction::ALL.into_iter().map(|a| view! {
                    <option value=a.as_db() selected=current == Some(a)>{action_label(i18n, a)}</option>
                }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.audit.actor)}</span>
            <input class="field__input" type="search" name="actor" value=filter.actor.clone() maxlength="100" />
        </label>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let i18n = use_locale();
    if entries.is_empty() {
        return view! { <p data-testid="audit-empty">{td!(i18n, admin.audit.empty)}</p> }.into_any();
    }
    view! {
        <table class="data-table" data-testid="audit">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.audit.at)}</th>
                    <th scope="col">{td!(i18n, admin.audit.actor)}</th>
                    <th scope="col">{td!(i18n, admin.audit.action)}</th>
                    <th scope="col">{td!(i18n, admin.audit.target)}</th>
                    <th scope="col">{td!(i18n, admin.audit.before)}</th>
                    <th scope="col">{td!(i18n, admin.audit.after)}</th>
                </tr>
            </thead>
            <tbody>
                {entries.into_iter().map(|e| view! {
                    <tr data-testid="audit-entry" data-action=e.action.as_db()>
                        <td>{format_datetime(e.at)}</td>
                        <td>{e.actor_email.clone().unwrap_or_default()}</td>
                        <td>{action_label(i18n, e.action)}</td>
                        <td>{format!("{} #{}", e.target_kind, e.target_id)}</td>
                        <td><code>{e.before.clone().unwrap_or_default()}</code></td>
                        <td><code>{e.after.clone().unwrap_or_default()}</code></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn AdminCertificatesPage() -> impl IntoView {
    let i18n = use_locale();
    let filter = use_query_map().with_untracked(|q| CertificateFilter {
        q: q.get("q").unwrap_or_default(),
        stars: q.get("stars").unwrap_or_default(),
        council: q.get("council").unwrap_or_default(),
        state: q.get("state").unwrap_or_default(),
    });
    view! {
        <AdminList
            title=td_string!(i18n, admin.certificates.title).to_string()
            lead=td_string!(i18n, admin.certificates.lead).to_string()
            filter
            fetch=fetch_certificates
            action="/admin/certificates"
            fields={|filter: CertificateFilter| view! { <CertificateFilters filter /> }.into_any()}
            buttons={|| view! { <ExportCertificates /> }.into_any()}
            list={|registry: CertificateRegistry| view! { <Registry registry /> }}
        />
    }
}

/// The filtered registry as a spreadsheet: the filter form's second button.
#[component]
fn ExportCertificates() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <button class="button button--secondary" type="submit" formaction="/admin/export/certificates.csv">
            {td!(i18n, admin.dashboard.export_certificates)}
        </button>
    }
}

#[component]
fn CertificateFilters(filter: CertificateFilter) -> impl IntoView {
    let i18n = use_locale();
    let stars = filter.stars();
    let council = filter.council();
    let state = filter.state();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, admin.certificates.search)}</span>
            <input class="field__input" type="search" name="q" value=filter.q.clone() maxlength="100" />
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.certificates.stars)}</span>
            <select class="field__input" name="stars">
                <option value="" selected=stars.is_none()>{td!(i18n, admin.users.any)}</option>
                {[3_i64, 4, 5].into_iter().map(|n| view! {
                    <option value=n.to_string() selected=stars == Some(n)>{"★".repeat(n as usize)}</option>
                }).collect_view()}
            </select>
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.certificates.council)}</span>
            <select class="field__input" name="council">
                <option value="" selected=council.is_none()>{td!(i18n, admin.users.any)}</option>
                <option value="provincial" selected=council == Some("provincial")>{td!(i18n, admin.certificates.provincial)}</option>
                <option value="national" selected=council == Some("national")>{td!(i18n, admin.certificates.national)}</option>
            </select>
        </label>
        <label class="field">
            <span class="field__label">{td!(i18n, admin.certificates.state)}</span>
            <select class="field__input" name="state">
                <option value="" selected=state.is_none()>{td!(i18n, admin.users.any)}</option>
                <option value="valid" selected=state == Some(CertificateState::Valid)>{td!(i18n, admin.certificates.valid)}</option>
                <option value="expiring" selected=state == Some(CertificateState::Expiring)>{td!(i18n, admin.certificates.expiring)}</option>
                <option value="expired" selected=state == Some(CertificateState::Expired)>{td!(i18n, admin.certificates.expired)}</option>
            </select>
        </label>
    }
}

#[component]
fn Registry(registry: CertificateRegistry) -> impl IntoView {
    let i18n = use_locale();
    let CertificateRegistry { certificates, total, expiring, today: _ } = registry;
    let shown = certificates.len();
    view! {
        <section class="admin__block" aria-labelledby="expiring-title" data-testid="expiring">
            <h2 id="expiring-title">{td!(i18n, admin.certificates.expiring_title, n = expiring.len())}</h2>
            {if expiring.is_empty() {
                view! { <p>{td!(i18n, admin.certificates.none_expiring)}</p> }.into_any()
            } else {
                view! { <CertificateTable rows=expiring /> }.into_any()
            }}
        </section>
        <section class="admin__block" aria-labelledby="registry-title">
            <h2 id="registry-title">{td!(i18n, admin.certificates.all)}</h2>
            <p class="filters__count" data-testid="certificate-count">
                {td!(i18n, admin.certificates.count, shown = shown, total = total)}
            </p>
            <CertificateTable rows=certificates />
        </section>
    }
    .into_any()
}

#[component]
fn CertificateTable(rows: Vec<CertificateRow>) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <table class="data-table" data-testid="certificates">
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.certificates.product)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.stars)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.council)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.decision)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.issued)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.expires)}</th>
                    <th scope="col">{td!(i18n, admin.certificates.state)}</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let state = match c.state {
                        CertificateState::Valid => td_string!(i18n, admin.certificates.valid),
                        CertificateState::Expiring => td_string!(i18n, admin.certificates.expiring),
                        CertificateState::Expired => td_string!(i18n, admin.certificates.expired),
                    };
                    let council = if c.council == "national" {
                        td_string!(i18n, admin.certificates.national)
                    } else {
                        td_string!(i18n, admin.certificates.provincial)
                    };
                    view! {
                        <tr data-testid="certificate" data-state=c.state.as_param()>
                            <td>
                                <a href=format!("/p/{}", c.product_slug)><Localized text=c.product.clone() /></a>
                                <br />
                                <span class="muted"><Localized text=c.cooperative.clone() /></span>
                                {c.district.clone().map(|d| view! { " · " <span class="muted"><Localized text=d /></span> })}
                            </td>
                            <td>{"★".repeat(c.stars.clamp(0, 5) as usize)}</td>
                            <td>{council}</td>
                            <td>{c.decision_no.clone()}</td>
                            <td><time datetime=c.issued_on.clone()>{c.issued_on.clone()}</time></td>
                            <td><time datetime=c.expires_on.clone()>{c.expires_on.clone()}</time></td>
                            <td>{state} {(c.state != CertificateState::Expired).then(|| format!(" ({})", c.days_left))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The outbox: emails waiting, sent and failed, with each failure's last error and a button to
/// send it again.
#[component]
pub fn AdminEmailsPage() -> impl IntoView {
    let i18n = use_locale();
    let status = use_query_map().with_untracked(|q| q.get("status").unwrap_or_default());
    view! {
        <AdminList
            title=td_string!(i18n, notify.outbox.title).to_string()
            lead=td_string!(i18n, notify.outbox.lead).to_string()
            filter=status
            fetch=fetch_emails
            action="/admin/emails"
            fields={|status: String| view! { <EmailFilters status /> }.into_any()}
            list={|page: OutboxPage| view! { <EmailTable page /> }}
        />
    }
}

fn mail_status_label(i18n: crate::i18n::Locale, status: MailStatus) -> &'static str {
    match status {
        MailStatus::Pending => td_string!(i18n, notify.outbox.pending),
        MailStatus::Sent => td_string!(i18n, notify.outbox.sent),
        MailStatus::Failed => td_string!(i18n, notify.outbox.failed),
    }
}

#[component]
fn EmailFilters(status: String) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <label class="field">
            <span class="field__label">{td!(i18n, notify.outbox.status)}</span>
            <select class="field__input" name="status">
                <option value="" selected=status.is_empty()>{td!(i18n, admin.users.any)}</option>
                {[MailStatus::Pending, MailStatus::Sent, MailStatus::Failed].into_iter().map(|s| view! {
                    <option value=s.key() selected=status == s.key()>{mail_status_label(i18n, s)}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn EmailTable(page: OutboxPage) -> impl IntoView {
    let i18n = use_locale();
    let lang = crate::lang::Lang::from(i18n);
    let counts = format!(
        "{}: {} · {}: {} · {}: {}",
        mail_status_label(i18n, MailStatus::Pending),
        page.pending,
        mail_status_label(i18n, MailStatus::Sent),
        page.sent,
        mail_status_label(i18n, MailStatus::Failed),
        page.failed
    );
    if page.items.is_empty() {
        return view! { <p>{counts}</p><p data-testid="emails-empty">{td!(i18n, notify.outbox.empty)}</p> }
            .into_any();
    }
    view! {
        <p data-testid="email-counts">{counts}</p>
        // Wider than a phone: it scrolls in its own box, which the keyboard can reach.
        <table class="data-table" data-testid="emails" tabindex="0" aria-label=td_string!(i18n, notify.outbox.title)>
            <thead>
                <tr>
                    <th scope="col">{td!(i18n, admin.audit.at)}</th>
                    <th scope="col">{td!(i18n, notify.outbox.recipient)}</th>
                    <th scope="col">{td!(i18n, notify.outbox.kind)}</th>
                    <th scope="col">{td!(i18n, notify.outbox.status)}</th>
                    <th scope="col">{td!(i18n, notify.outbox.attempts)}</th>
                    <th scope="col">{td!(i18n, notify.outbox.error)}</th>
                </tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|e| view! {
                    <tr data-testid="email" data-status=e.status.key()>
                        <td>{format_datetime(e.sent_at.unwrap_or(e.created_at))}</td>
                        <td>{e.recipient.clone()}</td>
                        <td>{crate::messages::compose::kind_name(e.kind, lang)}</td>
                        <td>{mail_status_label(i18n, e.status)}</td>
                        <td>{e.attempts}</td>
                        <td>
                            <code>{e.last_error.clone().unwrap_or_default()}</code>
                            {(e.status == MailStatus::Failed).then(|| view! {
                                <form method="post" action=RetryEmail::PATH>
                                    <input type="hidden" name="id" value=e.id />
                                    <button class="button button--secondary" type="submit">{td!(i18n, notify.outbox.retry)}</button>
                                </form>
                            })}
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The department's shipping rate table: a fee per zone and weight step, and per 500 g beyond.
#[component]
pub fn AdminShippingPage() -> impl IntoView {
    let i18n = use_locale();
    let saved = use_query_map().with_untracked(|q| q.get("saved").is_some());
    view! {
        <Title text=td_string!(i18n, admin.shipping.title).to_string() />
        <Meta name="robots" content="noindex" />
        {crate::accounts::guards::admin_only(move || {
            let rates = Resource::new(|| (), |_| fetch_shipping_rates());
            view! {
                <section class="admin">
                    <h1>{td!(i18n, admin.shipping.title)}</h1>
                    <p>{td!(i18n, admin.shipping.lead)}</p>
                    <Refusal />
                    {saved.then(|| view! { <p class="form-saved" role="status" data-testid="rates-saved">{td!(i18n, admin.shipping.saved)}</p> })}
                    <Loaded resource=rates view=|table: RateTable| view! { <RateForm table /> } />
                </section>
            }
            .into_any()
        })}
    }
}

#[component]
fn RateForm(table: RateTable) -> impl IntoView {
    use crate::orders::shipping::{STEPS_GRAMS, Zone};
    let i18n = use_locale();
    let zone_name = move |zone: Zone| match zone {
        Zone::Province => td_string!(i18n, admin.shipping.zone_province),
        Zone::Region => td_string!(i18n, admin.shipping.zone_region),
        Zone::National => td_string!(i18n, admin.shipping.zone_national),
    };
    let input = move |name: String, label: String, value: i64| {
        let id = format!("rate-{name}");
        view! {
            <div class="field">
                <label class="field__label" for=id.clone()>{label}</label>
                <input
                    class="field__input"
                    id=id
                    type="number"
                    inputmode="numeric"
                    min="0"
                    step="500"
                    required
                    name=format!("rates[{name}]")
                    value=value
                />
            </div>
        }
    };
    view! {
        <form method="post" action=SaveShippingRates::PATH class="form rates">
            {Zone::ALL.into_iter().map(|zone| {
                let steps = STEPS_GRAMS.into_iter().map(|grams| {
                    let fee = table.steps.iter().find(|s| s.0 == zone && s.1 == grams).map_or(0, |s| s.2);
                    input(
                        format!("{}_{grams}", zone.key()),
                        td_string!(i18n, admin.shipping.up_to, grams = crate::ui::money::group_thousands(grams)).to_string(),
                        fee,
                    )
                }).collect_view();
                let beyond = table.beyond.iter().find(|b| b.0 == zone).map_or(0, |b| b.1);
                view! {
                    <fieldset class="form__group rates__zone" data-zone=zone.key()>
                        <legend>{zone_name(zone)}</legend>
                        {steps}
                        {input(format!("{}_beyond", zone.key()), td_string!(i18n, admin.shipping.beyond).to_string(), beyond)}
                    </fieldset>
                }
            }).collect_view()}
            <button class="button" type="submit">{td!(i18n, admin.shipping.save)}</button>
        </form>
    }
}
