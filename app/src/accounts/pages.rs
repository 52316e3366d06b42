//! Account pages: log in, sign up, my account, the cooperative application, and the admin's
//! review of applications. Every form is an `ActionForm` inside an island, so it works before
//! hydration (as a plain form post) and in place after it.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use leptos_router::hooks::use_query_map;

use super::api::*;
use super::guards::{CoopStatusChip, SignedIn, admin_only, use_viewer};
use super::model::*;
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::lang::{Localized, use_lang};
use crate::ui::forms::{FormAlert, SavedNote, TextField, action_error, refreshed};
use crate::ui::layout::Loaded;

/// Loads `path` afresh once `value` holds a success: a new or ended session changes what every
/// part of the page shows, so nothing rendered for the old one is kept.
fn reload_on_success<T, S>(value: S, path: impl Fn(&T) -> String + Send + Sync + 'static)
where
    T: Send + Sync + 'static,
    S: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(target) = value.with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(&path)) {
            let _ = window().location().assign(&target);
        }
    });
}

/// The header's account links: log in and sign up, or the user's name and their workspace.
#[component]
pub fn AccountNav() -> impl IntoView {
    let i18n = use_locale();
    let ctx = use_viewer();
    view! {
        <Transition>
            {move || {
                ctx.viewer
                    .get()
                    .map(|result| match result.ok().flatten() {
                        Some(viewer) => {
                            let workspace = if viewer.dashboard_cooperative().is_some() {
                                Some(view! { <a class="site-nav__link" href="/coop">{td!(i18n, accounts.nav.dashboard)}</a> }.into_any())
                            } else if viewer.is_admin() {
                                Some(view! {
                                    <a class="site-nav__link" href="/admin">{td!(i18n, accounts.nav.admin)}</a>
                                    <a class="site-nav__link" href="/admin/users">{td!(i18n, admin.users.title)}</a>
                                    <a class="site-nav__link" href="/admin/certificates">{td!(i18n, admin.nav.certificates)}</a>
                                    <a class="site-nav__link" href="/admin/audit">{td!(i18n, admin.audit.title)}</a>
                                    <a class="site-nav__link" href="/admin/emails">{td!(i18n, notify.outbox.title)}</a>
                                    <a class="site-nav__link" href="/admin/shipping">{td!(i18n, admin.shipping.nav)}</a>
                                }.into_any())
                            } else {
                                None
                            };
                            view! {
                                {workspace}
                                <a class="site-nav__link site-nav__account" href="/account">
                                    {viewer.display_name}
                                </a>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <a class="site-nav__link" href="/login">
                                    {td!(i18n, accounts.nav.login)}
                                </a>
                                <a class="site-nav__link" href="/signup">
                                    {td!(i18n, accounts.nav.signup)}
                                </a>
                            }
                                .into_any()
                        }
                    })
            }}
        </Transition>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_locale();
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
    let reset = query.with_untracked(|q| q.get("reset").is_some());
    view! {
        <Title text=td_string!(i18n, accounts.login.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, accounts.login.title)}</h1>
            {reset.then(|| view! { <p class="form-saved" role="status" data-testid="password-reset">{td!(i18n, accounts.reset.done)}</p> })}
            <LoginForm next />
            <p class="auth__alt"><a href="/forgot-password">{td!(i18n, accounts.forgot.link)}</a></p>
            <p class="auth__alt">
                {td!(i18n, accounts.login.no_account)} " " <a href="/signup">{td!(i18n, accounts.login.signup_link)}</a>
            </p>
            <p class="auth__alt">
                {td!(i18n, accounts.login.coop)} " " <a href="/apply">{td!(i18n, accounts.login.apply_link)}</a>
            </p>
        </section>
    }
}

/// `next` is where the login page was asked to send the user afterwards.
#[island(lazy)]
fn LoginForm(next: String) -> impl IntoView {
    crate::ui::lazy::preload_island("login_form");
    let i18n = use_locale();
    let action = ServerAction::<Login>::new();
    let error = action_error(action.value());
    let target = next.clone();
    reload_on_success(action.value(), move |viewer: &Viewer| landing_path(viewer, &target));
    view! {
            <ActionForm action attr:class="form auth__form">
                <FormAlert error />
                <input type="hidden" name="next" value=next />
                <TextField field="email" kind="email" autocomplete="email" required=true error>
                    {td!(i18n, accounts.field.email)}
                </TextField>
                <TextField field="password" kind="password" autocomplete="current-password" required=true error>
                    {td!(i18n, accounts.field.password)}
                </TextField>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, accounts.login.submit)}
                </button>
            </ActionForm>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, accounts.signup.title).to_string() />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, accounts.signup.title)}</h1>
            <SignUpForm />
            <p class="auth__alt">
                {td!(i18n, accounts.signup.have_account)} " " <a href="/login">{td!(i18n, accounts.signup.login_link)}</a>
            </p>
        </section>
    }
}

#[island(lazy)]
fn SignUpForm() -> impl IntoView {
    crate::ui::lazy::preload_island("sign_up_form");
    let i18n = use_locale();
    let action = ServerAction::<SignUp>::new();
    let error = action_error(action.value());
    reload_on_success(action.value(), |_: &Viewer| "/account".to_owned());
    view! {
            <ActionForm action attr:class="form auth__form">
                <FormAlert error />
                <TextField field="display_name" autocomplete="name" required=true error>
                    {td!(i18n, accounts.field.display_name)}
                </TextField>
                <TextField field="email" kind="email" autocomplete="email" required=true error>
                    {td!(i18n, accounts.field.email)}
                </TextField>
                <TextField
                    field="password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    error
                    hint=ViewFn::from(move || td_string!(i18n, accounts.field.password_hint))
                >
                    {td!(i18n, accounts.field.password)}
                </TextField>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, accounts.signup.submit)}
                </button>
            </ActionForm>
    }
}

/// The account page; `children` (the shell gives the email settings) come after its own forms.
#[component]
pub fn AccountPage(children: ChildrenFn) -> impl IntoView {
    let i18n = use_locale();
    let more = StoredValue::new(children);
    view! {
        <Title text=td_string!(i18n, accounts.account.title).to_string() />
        <Meta name="robots" content="noindex" />
        <SignedIn page=move |viewer: Viewer| view! { <AccountDetails viewer more=more.get_value() /> } />
    }
}

#[component]
fn AccountDetails(viewer: Viewer, more: ChildrenFn) -> impl IntoView {
    let i18n = use_locale();
    let role = move || match viewer.role {
        Role::Shopper => td_string!(i18n, accounts.role.shopper),
        Role::Member => td_string!(i18n, accounts.role.member),
        Role::Admin => td_string!(i18n, accounts.role.admin),
    };
    let membership = viewer.membership.clone().map(|m| {
        let reason = m.refusal_reason().map(str::to_owned);
        view! {
            <dt>{td!(i18n, accounts.account.cooperative)}</dt>
            <dd>
                <Localized text=m.name.clone() />
                " · "
                <CoopStatusChip status=m.status />
            </dd>
            {reason.map(|r| view! {
                <dt>{td!(i18n, accounts.account.reason)}</dt>
                <dd data-testid="coop-reason">{r}</dd>
            })}
        }
    });
    view! {
        <section class="account">
            <h1>{td!(i18n, accounts.account.title)}</h1>
            <dl class="account__facts">
                <dt>{td!(i18n, accounts.field.display_name)}</dt>
                <dd>{viewer.display_name.clone()}</dd>
                <dt>{td!(i18n, accounts.field.email)}</dt>
                <dd>{viewer.email.clone()}</dd>
                <dt>{td!(i18n, accounts.account.role)}</dt>
                <dd>{role}</dd>
                {membership}
            </dl>
            <AccountForms />
            <super::link_pages::EmailSection />
            {more()}
        </section>
    }
}

/// Log out, and change the password.
#[island(lazy)]
fn AccountForms() -> impl IntoView {
    crate::ui::lazy::preload_island("account_forms");
    let i18n = use_locale();
    let logout = ServerAction::<Logout>::new();
    reload_on_success(logout.value(), |_: &()| "/".to_owned());
    let change = ServerAction::<ChangePassword>::new();
    let change_error = action_error(change.value());
    view! {
            <ActionForm action=logout attr:class="account__logout">
                <button class="button button--secondary" type="submit">
                    {td!(i18n, accounts.account.logout)}
                </button>
            </ActionForm>
            <h2>{td!(i18n, accounts.account.change_password)}</h2>
            <ActionForm action=change attr:class="form">
                <FormAlert error=change_error />
                <TextField
                    field="current_password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    error=change_error
                >
                    {td!(i18n, accounts.field.current_password)}
                </TextField>
                <TextField
                    field="new_password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    error=change_error
                    hint=ViewFn::from(move || td_string!(i18n, accounts.field.password_hint))
                >
                    {td!(i18n, accounts.field.new_password)}
                </TextField>
                <button class="button" type="submit" disabled=move || change.pending().get()>
                    {td!(i18n, accounts.account.change_submit)}
                </button>
                <SavedNote value=change.value() />
            </ActionForm>
    }
}

#[component]
pub fn ApplyPage() -> impl IntoView {
    let i18n = use_locale();
    let districts = Resource::new(|| (), |_| fetch_districts());
    view! {
        <Title text=td_string!(i18n, accounts.apply.title).to_string() />
        <Meta name="description" content=move || td_string!(i18n, accounts.apply.lead) />
        <section class="auth auth--wide">
            <h1 class="auth__title">{td!(i18n, accounts.apply.title)}</h1>
            <p>{td!(i18n, accounts.apply.lead)}</p>
            <Loaded resource=districts view=|districts| view! { <ApplyForm districts /> } />
        </section>
    }
}

#[island(lazy)]
fn ApplyForm(districts: Vec<DistrictOption>) -> impl IntoView {
    crate::ui::lazy::preload_island("apply_form");
    let i18n = use_locale();
    let lang = use_lang();
    let action = ServerAction::<ApplyCooperative>::new();
    let error = action_error(action.value());
    let district_error = crate::ui::forms::field_error(error, "district");
    let options = districts
        .into_iter()
        .map(|d| {
            let name = d.name.clone();
            view! { <option value=d.slug>{move || name.best(lang.get())}</option> }
        })
        .collect_view();
    view! {
            <ActionForm action attr:class="form auth__form">
                <FormAlert error />
                <fieldset class="form__group">
                    <legend>{td!(i18n, accounts.apply.cooperative)}</legend>
                    <TextField field="name_vi" prefix="form" required=true error>
                        {td!(i18n, accounts.apply.name_vi)}
                    </TextField>
                    <TextField field="name_en" prefix="form" required=true error>
                        {td!(i18n, accounts.apply.name_en)}
                    </TextField>
                    <div class="field" class:field--invalid=move || district_error.with(Option::is_some)>
                        <label class="field__label" for="field-form-district">
                            {td!(i18n, accounts.apply.district)}
                        </label>
                        <select class="field__input" id="field-form-district" name="form[district]" required>
                            <option value="">{td!(i18n, accounts.apply.choose_district)}</option>
                            {options}
                        </select>
                    </div>
                    <TextField field="commune" prefix="form" required=true error>
                        {td!(i18n, accounts.apply.commune)}
                    </TextField>
                </fieldset>
                <fieldset class="form__group">
                    <legend>{td!(i18n, accounts.apply.contact)}</legend>
                    <TextField field="contact_name" prefix="form" autocomplete="name" required=true error>
                        {td!(i18n, accounts.apply.contact_name)}
                    </TextField>
                    <TextField field="contact_phone" prefix="form" kind="tel" autocomplete="tel" required=true error>
                        {td!(i18n, accounts.apply.contact_phone)}
                    </TextField>
                    <TextField field="email" prefix="form" kind="email" autocomplete="email" required=true error>
                        {td!(i18n, accounts.field.email)}
                    </TextField>
                    <TextField
                        field="password"
                        prefix="form"
                        kind="password"
                        autocomplete="new-password"
                        required=true
                        error
                        hint=ViewFn::from(move || td_string!(i18n, accounts.field.password_hint))
                    >
                        {td!(i18n, accounts.field.password)}
                    </TextField>
                </fieldset>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, accounts.apply.submit)}
                </button>
            </ActionForm>
    }
}

#[component]
pub fn ApplySentPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, accounts.apply.sent_title).to_string() />
        <section class="auth" role="status">
            <h1 class="auth__title">{td!(i18n, accounts.apply.sent_title)}</h1>
            <p>{td!(i18n, accounts.apply.sent_body)}</p>
        </section>
    }
}

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, accounts.review.title).to_string() />
        <Meta name="robots" content="noindex" />
        {admin_only(|| view! { <ApplicationsLoader /> }.into_any())}
    }
}

#[component]
fn ApplicationsLoader() -> impl IntoView {
    let i18n = use_locale();
    let applications = Resource::new(|| (), |_| fetch_applications());
    view! {
        <section class="review">
            <h1>{td!(i18n, accounts.review.title)}</h1>
            <Loaded resource=applications view=|applications| view! { <ApplicationList applications /> } />
        </section>
    }
}

#[island(lazy)]
fn ApplicationList(applications: Vec<Application>) -> impl IntoView {
    crate::ui::lazy::preload_island("application_list");
    let i18n = use_locale();
    let review = ServerAction::<ReviewApplication>::new();
    let applications = refreshed(applications, move || review.version().get(), fetch_applications);
    view! {
        <FormAlert error=action_error(review.value()) />
        {move || {
            let list = applications.get();
            if list.is_empty() {
                view! { <p>{td!(i18n, accounts.review.empty)}</p> }.into_any()
            } else {
                view! {
                    <ul class="review__list">
                        {list.into_iter().map(|a| view! { <ApplicationCard application=a review /> }).collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn ApplicationCard(application: Application, review: ServerAction<ReviewApplication>) -> impl IntoView {
    let i18n = use_locale();
    let a = application;
    let pending = a.status == CoopStatus::Pending;
    let id = a.cooperative_id.to_string();
    let note_id = format!("review-note-{id}");
    view! {
        <li class="review__item">
            <article class="application" aria-label=a.name.vi.clone()>
                <h2 class="application__name">
                    <Localized text=a.name.clone() />
                </h2>
                <p class="application__status">
                    <CoopStatusChip status=a.status />
                </p>
                <dl class="application__facts">
                    <dt>{td!(i18n, accounts.apply.district)}</dt>
                    <dd>{a.district.clone().map(|d| view! { <Localized text=d /> })} ", " {a.commune.clone()}</dd>
                    <dt>{td!(i18n, accounts.apply.contact_name)}</dt>
                    <dd>{a.contact_name.clone()} " · " {a.contact_phone.clone()} " · " {a.applicant_email.clone()}</dd>
                </dl>
                {a.review_note.clone().map(|note| view! { <p class="application__note">{note}</p> })}
                {pending
                    .then(|| {
                        view! {
                            <ActionForm action=review attr:class="application__decide">
                                <input type="hidden" name="cooperative_id" value=id.clone() />
                                <label for=note_id.clone()>{td!(i18n, accounts.review.note)}</label>
                                <textarea id=note_id.clone() name="note" rows="2"></textarea>
                                <div class="application__buttons">
                                    <button class="button" type="submit" name="decision" value="Approve">
                                        {td!(i18n, accounts.review.approve)}
                                    </button>
                                    <button class="button button--danger" type="submit" name="decision" value="Reject">
                                        {td!(i18n, accounts.review.reject)}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                    })}
            </article>
        </li>
    }
}
