//! The pages of the links sent by email: "forgot password", choosing a new password, confirming
//! an email address; and the email section of `/account` (confirmation state, sending the link
//! again, changing the email). Plain forms: they work without JavaScript, and a refused one comes
//! back with what was typed (never a password) and why (`Refusal`).
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::api::*;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;
use crate::ui::forms::{Refusal, TextField};
use crate::ui::layout::Loaded;

fn no_error() -> Signal<Option<crate::error::AppError>> {
    Signal::derive(|| None)
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_locale();
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    view! {
        <Title text=td_string!(i18n, accounts.forgot.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, accounts.forgot.title)}</h1>
            {if sent {
                view! { <p class="form-saved" role="status" data-testid="reset-sent">{td!(i18n, accounts.forgot.sent)}</p> }
                    .into_any()
            } else {
                view! {
                    <p>{td!(i18n, accounts.forgot.lead)}</p>
                    <form method="post" action=RequestPasswordReset::PATH class="form auth__form">
                        <Refusal />
                        <TextField field="email" kind="email" autocomplete="email" required=true error=no_error()>
                            {td!(i18n, accounts.field.email)}
                        </TextField>
                        <button class="button" type="submit">{td!(i18n, accounts.forgot.submit)}</button>
                    </form>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_locale();
    let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
    view! {
        <Title text=td_string!(i18n, accounts.reset.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, accounts.reset.title)}</h1>
            <form method="post" action=ResetPassword::PATH class="form auth__form">
                <Refusal />
                <input type="hidden" name="token" value=token />
                <TextField
                    field="new_password"
                    kind="password"
                    autocomplete="new-password"
                    required=true
                    error=no_error()
                    hint=ViewFn::from(move || td_string!(i18n, accounts.field.password_hint))
                >
                    {td!(i18n, accounts.field.new_password)}
                </TextField>
                <button class="button" type="submit">{td!(i18n, accounts.reset.submit)}</button>
            </form>
            <p class="auth__alt"><a href="/forgot-password">{td!(i18n, accounts.forgot.link)}</a></p>
        </section>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_locale();
    let (token, done) =
        use_query_map().with_untracked(|q| (q.get("token").unwrap_or_default(), q.get("done").is_some()));
    let link = Resource::new(move || token.clone(), fetch_verification);
    view! {
        <Title text=td_string!(i18n, accounts.verify.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="auth">
            <h1 class="auth__title">{td!(i18n, accounts.verify.title)}</h1>
            {if done {
                view! {
                    <p class="form-saved" role="status" data-testid="email-verified">{td!(i18n, accounts.verify.done)}</p>
                    <p><a class="button" href="/account">{td!(i18n, accounts.account.title)}</a></p>
                }
                    .into_any()
            } else {
                view! {
                    <Refusal />
                    <Loaded
                        resource=link
                        view={move |email: Option<String>| match email {
                            Some(email) => {
                                let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
                                view! {
                                    <form method="post" action=VerifyEmail::PATH class="form">
                                        <p>{td_string!(i18n, accounts.verify.lead, email = email).to_string()}</p>
                                        <input type="hidden" name="token" value=token />
                                        <button class="button" type="submit">{td!(i18n, accounts.verify.submit)}</button>
                                    </form>
                                }
                                    .into_any()
                            }
                            None => view! { <p class="form-alert">{td!(i18n, errors.field.link_invalid)}</p> }.into_any(),
                        }}
                    />
                }
                    .into_any()
            }}
        </section>
    }
}

/// The email section of `/account`: whether the address is confirmed (with the link sent again
/// on request), and the change of email.
#[component]
pub fn EmailSection() -> impl IntoView {
    let i18n = use_locale();
    let (resent, sent) =
        use_query_map().with_untracked(|q| (q.get("resent").is_some(), q.get("email_sent").is_some()));
    let status = Resource::new(|| (), |_| fetch_email_status());
    view! {
        <section class="account__email" id="email" aria-labelledby="email-title">
            <h2 id="email-title">{td!(i18n, accounts.change_email.title)}</h2>
            <Loaded
                resource=status
                view={move |(verified, email): (bool, String)| {
                    (!verified).then(|| view! {
                        <div class="form-alert" data-testid="email-unverified">
                            <p>{td_string!(i18n, accounts.verify.pending, email = email).to_string()}</p>
                            <form method="post" action=ResendVerification::PATH>
                                <button class="button button--secondary" type="submit">{td!(i18n, accounts.verify.resend)}</button>
                            </form>
                        </div>
                    })
                }}
            />
            {resent.then(|| view! { <p class="form-saved" role="status">{td!(i18n, accounts.verify.resent)}</p> })}
            {sent.then(|| view! { <p class="form-saved" role="status" data-testid="email-change-sent">{td!(i18n, accounts.change_email.sent)}</p> })}
            <p>{td!(i18n, accounts.change_email.lead)}</p>
            <form method="post" action=ChangeEmail::PATH class="form">
                <Refusal />
                <TextField field="email" prefix="change" kind="email" autocomplete="email" required=true error=no_error()>
                    {td!(i18n, accounts.change_email.new_email)}
                </TextField>
                <TextField
                    field="current_password"
                    prefix="change"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    error=no_error()
                >
                    {td!(i18n, accounts.field.current_password)}
                </TextField>
                <button class="button" type="submit">{td!(i18n, accounts.change_email.submit)}</button>
            </form>
        </section>
    }
}
