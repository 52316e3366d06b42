//! Form widgets: labelled fields that show their error beside them in the user's language, and
//! the alert for errors that belong to the whole form. What the user typed stays in the inputs:
//! a failed submission never re-renders them.
use leptos::prelude::*;

use crate::error::{AppError, ConflictCode, FieldCode};
use crate::i18n::{td, td_string};
use crate::lang::use_locale;

/// The error the last run of an action ended with, if it failed.
pub fn action_error<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Send + Sync + 'static,
    S: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// The data an island was rendered with, fetched again each time `version` changes (an action
/// succeeded), so the island shows what the server holds now. The first value comes from the
/// server-rendered page, so hydrating costs no request.
pub fn refreshed<T, Fut>(
    initial: T,
    version: impl Fn() -> usize + 'static,
    fetch: impl Fn() -> Fut + 'static,
) -> ReadSignal<T>
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + 'static,
{
    let (value, set_value) = signal(initial);
    Effect::new(move |previous: Option<usize>| {
        let current = version();
        if previous.is_some_and(|p| p != current) {
            let pending = fetch();
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = pending.await {
                    set_value.set(fresh);
                }
            });
        }
        current
    });
    value
}

/// How many runs of an action have succeeded. An island refreshes its data on this rather than
/// on the action's version, which also counts failures: a refused form must not be re-rendered
/// under the user, who would lose what they typed.
pub fn successes<T, S>(version: RwSignal<usize>, value: S) -> Signal<usize>
where
    T: Send + Sync + 'static,
    S: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    let counted = Memo::new(move |previous: Option<&(usize, usize)>| {
        let run = version.get();
        let ok = value.with(|v| matches!(v, Some(Ok(_))));
        match previous {
            Some(&(last, n)) if last == run => (run, n),
            Some(&(_, n)) => (run, n + usize::from(ok)),
            None => (run, 0),
        }
    });
    Signal::derive(move || counted.get().1)
}

/// The code of the error for `field`, from a validation error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<FieldCode>> {
    Signal::derive(move || {
        error.with(|e| match e {
            Some(AppError::Validation(fields)) => fields.iter().find(|f| f.field == field).map(|f| f.code),
            _ => None,
        })
    })
}

/// The sentence of a code that only plain forms are refused with, shown by pages the server
/// renders (their `Refusal`): the browser's bundle does not carry it, and would say the general
/// `$fallback` should an island ever meet the code. Keeps the first load in its budget.
macro_rules! server_sentence {
    ($i18n:expr, $($key:ident).+, $($fallback:ident).+) => {{
        #[cfg(feature = "ssr")]
        let sentence = td_string!($i18n, $($key).+);
        #[cfg(not(feature = "ssr"))]
        let sentence = td_string!($i18n, $($fallback).+);
        sentence
    }};
}

/// The sentence for a field error code: every code has one (no catch-all).
#[component]
pub fn FieldMessage(code: FieldCode) -> impl IntoView {
    let i18n = use_locale();
    move || match code {
        FieldCode::AccountInvalid => td_string!(i18n, errors.field.account_invalid),
        FieldCode::BadCredentials => td_string!(i18n, errors.field.bad_credentials),
        FieldCode::BatchCodeInvalid => td_string!(i18n, errors.field.batch_code_invalid),
        FieldCode::BatchCodeTaken => td_string!(i18n, errors.field.batch_code_taken),
        FieldCode::BoothsRequired => td_string!(i18n, errors.field.booths_required),
        FieldCode::CartFull => td_string!(i18n, errors.field.cart_full),
        FieldCode::CartInvalid => td_string!(i18n, errors.field.cart_invalid),
        FieldCode::CountInvalid => td_string!(i18n, errors.field.count_invalid),
        FieldCode::DateInvalid => td_string!(i18n, errors.field.date_invalid),
        FieldCode::DatePast => td_string!(i18n, errors.field.date_past),
        FieldCode::EmailInvalid => td_string!(i18n, errors.field.email_invalid),
        FieldCode::EmailTaken => td_string!(i18n, errors.field.email_taken),
        FieldCode::EndsBeforeStart => td_string!(i18n, errors.field.ends_before_start),
        FieldCode::HolderInvalid => td_string!(i18n, errors.field.holder_invalid),
        FieldCode::IncotermInvalid => td_string!(i18n, errors.field.incoterm_invalid),
        FieldCode::Invalid => td_string!(i18n, errors.field.invalid),
        FieldCode::MessageShort => td_string!(i18n, errors.field.message_short),
        FieldCode::MobileInvalid => td_string!(i18n, errors.field.mobile_invalid),
        FieldCode::NameOneLanguage => td_string!(i18n, errors.field.name_one_language),
        FieldCode::PasswordLong => td_string!(i18n, errors.field.password_long),
        FieldCode::PasswordShort => td_string!(i18n, errors.field.password_short),
        FieldCode::PhoneInvalid => td_string!(i18n, errors.field.phone_invalid),
        FieldCode::PriceInvalid => td_string!(i18n, errors.field.price_invalid),
        FieldCode::QuantityInvalid => td_string!(i18n, errors.field.quantity_invalid),
        FieldCode::RateLimited => td_string!(i18n, errors.field.rate_limited),
        FieldCode::RatingInvalid => td_string!(i18n, errors.field.rating_invalid),
        FieldCode::ReasonRequired => td_string!(i18n, errors.field.reason_required),
        FieldCode::Required => td_string!(i18n, errors.field.required),
        FieldCode::ReviewShort => td_string!(i18n, errors.field.review_short),
        FieldCode::SlugInvalid => td_string!(i18n, errors.field.slug_invalid),
        FieldCode::SlugTaken => td_string!(i18n, errors.field.slug_taken),
        FieldCode::StarsInvalid => td_string!(i18n, errors.field.stars_invalid),
        FieldCode::StockBelowZero => td_string!(i18n, errors.field.stock_below_zero),
        FieldCode::StockDeltaInvalid => td_string!(i18n, errors.field.stock_delta_invalid),
        FieldCode::StockReceivedNegative => td_string!(i18n, errors.field.stock_received_negative),
        FieldCode::StockShort => td_string!(i18n, errors.field.stock_short),
        FieldCode::StockWriteOffPositive => td_string!(i18n, errors.field.stock_write_off_positive),
        FieldCode::TooLong => td_string!(i18n, errors.field.too_long),
        FieldCode::TooMany => td_string!(i18n, errors.field.too_many),
        FieldCode::TrackingRequired => td_string!(i18n, errors.field.tracking_required),
        FieldCode::TransferUnavailable => td_string!(i18n, errors.field.transfer_unavailable),
        FieldCode::UploadCorrupt => td_string!(i18n, errors.field.upload_corrupt),
        FieldCode::UploadEmpty => td_string!(i18n, errors.field.upload_empty),
        FieldCode::UploadNotImage => td_string!(i18n, errors.field.upload_not_image),
        FieldCode::UploadTooLarge => td_string!(i18n, errors.field.upload_too_large),
        FieldCode::UploadTooManyPixels => td_string!(i18n, errors.field.upload_too_many_pixels),
        FieldCode::UploadTypeMismatch => td_string!(i18n, errors.field.upload_type_mismatch),
        FieldCode::UrlDuplicate => td_string!(i18n, errors.field.url_duplicate),
        FieldCode::UrlInvalid => td_string!(i18n, errors.field.url_invalid),
        FieldCode::UrlWrongChannel => td_string!(i18n, errors.field.url_wrong_channel),
        FieldCode::WrongPassword => td_string!(i18n, errors.field.wrong_password),
        // Refusals of plain forms only, shown by pages the server renders (`server_sentence!`).
        FieldCode::LinkInvalid => server_sentence!(i18n, errors.field.link_invalid, errors.field.invalid),
        FieldCode::StatementUnreadable => {
            server_sentence!(i18n, errors.field.statement_unreadable, errors.field.invalid)
        }
    }
}

/// A labelled input. `field` names it for errors; the input's `name` is `field`, or
/// `prefix[field]` for a server function that takes a struct.
#[component]
pub fn TextField(
    field: &'static str,
    #[prop(optional)] prefix: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] hint: Option<ViewFn>,
    /// A `<textarea>` instead of an `<input>`.
    #[prop(optional)]
    multiline: bool,
    /// A note beside the label, such as "missing in English".
    #[prop(default = None)]
    marker: Option<ViewFn>,
    error: Signal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let name = match prefix {
        Some(prefix) => format!("{prefix}[{field}]"),
        None => field.to_owned(),
    };
    // A refused plain form's value comes back first (`Refill`); passwords are never kept.
    let value = refilled(&name).or(value);
    let id = format!("field-{}", prefix.map_or(String::new(), |p| format!("{p}-"))) + field;
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let code = field_error(error, field);
    let described = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if code.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || code.with(Option::is_some)>
            <label class="field__label" for=id.clone()>
                {children()}
                {marker.map(|m| view! { <span class="field__marker">{m.run()}</span> })}
            </label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint.run()}</p> })}
            {if multiline {
                view! {
                    <textarea
                        class="field__input field__input--multiline"
                        id=id
                        name=name
                        rows="5"
                        required=required
                        aria-invalid=move || code.with(Option::is_some).then_some("true")
                        aria-describedby=described
                    >
                        // One plain text child: an optional or reactive one would put hydration
                        // markers inside the textarea, where the browser reads them as text.
                        {value.unwrap_or_default()}
                    </textarea>
                }
                    .into_any()
            } else {
                view! {
                    <input
                        class="field__input"
                        id=id
                        name=name
                        type=kind
                        autocomplete=autocomplete
                        required=required
                        value=value
                        aria-invalid=move || code.with(Option::is_some).then_some("true")
                        aria-describedby=described
                    />
                }
                    .into_any()
            }}
            {move || {
                code.get()
                    .map(|code| {
                        view! {
                            <p class="field__error" id=error_id.clone()>
                                <FieldMessage code />
                            </p>
                        }
                    })
            }}
        </div>
    }
    // Erased, so a form of many fields does not build one huge view type on the stack.
    .into_any()
}

/// The sentence for a refusal's code, in the user's language. Every code is matched (no
/// catch-all): a new code without its sentence does not compile.
#[component]
pub fn ConflictMessage(code: ConflictCode) -> impl IntoView {
    let i18n = use_locale();
    move || match code {
        // The admin lists' and the payments' plain forms only (`server_sentence!`).
        ConflictCode::AlreadyHidden => {
            server_sentence!(i18n, errors.conflict.already_hidden, errors.form.conflict)
        }
        ConflictCode::AlreadyReviewed => td_string!(i18n, errors.conflict.already_reviewed),
        ConflictCode::ApplicationDecided => td_string!(i18n, errors.conflict.application_decided),
        ConflictCode::CooperativeStatusChanged => {
            server_sentence!(i18n, errors.conflict.cooperative_status_changed, errors.form.conflict)
        }
        ConflictCode::FairChanged => td_string!(i18n, errors.conflict.fair_changed),
        // The fairs list's open and close buttons are plain forms.
        ConflictCode::FairNotRunning => {
            server_sentence!(i18n, errors.conflict.fair_not_running, errors.form.conflict)
        }
        ConflictCode::FairNotUpcoming => {
            server_sentence!(i18n, errors.conflict.fair_not_upcoming, errors.form.conflict)
        }
        ConflictCode::HiddenByDepartment => td_string!(i18n, errors.conflict.hidden_by_department),
        ConflictCode::IdempotencyKeyReused => td_string!(i18n, errors.conflict.idempotency_key_reused),
        ConflictCode::LeadTransition => td_string!(i18n, errors.conflict.lead_transition),
        ConflictCode::MembershipFromCooperative => {
            server_sentence!(i18n, errors.conflict.membership_from_cooperative, errors.form.conflict)
        }
        ConflictCode::NotHidden => server_sentence!(i18n, errors.conflict.not_hidden, errors.form.conflict),
        ConflictCode::NotYourself => {
            server_sentence!(i18n, errors.conflict.not_yourself, errors.form.conflict)
        }
        ConflictCode::PricesChanged => td_string!(i18n, errors.conflict.prices_changed),
        ConflictCode::TransitionNotAllowed => td_string!(i18n, errors.conflict.transition_not_allowed),
        ConflictCode::MailNotFailed => {
            server_sentence!(i18n, errors.conflict.mail_not_failed, errors.form.conflict)
        }
        ConflictCode::EmailNotVerified => td_string!(i18n, errors.conflict.email_not_verified),
        ConflictCode::ShippingChanged => td_string!(i18n, errors.conflict.shipping_changed),
        ConflictCode::PaymentRecorded => {
            server_sentence!(i18n, errors.conflict.payment_recorded, errors.form.conflict)
        }
    }
}

/// Why a plain `<form>` on this page (a list's row actions) was refused: Leptos brings the
/// refusal back in the address (`__path`, `__err`) and the router puts it in the page's context.
/// Forms built on a `ServerAction` show theirs themselves. Nothing when nothing was refused.
#[component]
pub fn Refusal() -> impl IntoView {
    use leptos::server::ServerActionError;
    use leptos::server_fn::error::ServerFnUrlError;
    let i18n = use_locale();
    let refused =
        use_context::<ServerActionError>().map(|e| ServerFnUrlError::<AppError>::decode_err(e.err()));
    refused.map(|error| {
        let text = match error {
            AppError::Conflict(code) => view! { <ConflictMessage code /> }.into_any(),
            AppError::Validation(fields) if !fields.is_empty() => {
                let code = fields[0].code;
                view! { <FieldMessage code /> }.into_any()
            }
            other => error_sentence(i18n, other).into_any(),
        };
        view! { <p class="form-alert" role="alert" data-testid="refusal">{text}</p> }
    })
}

/// What a refused form kept when the page is shown again (`drafts`): the posted fields, which
/// the server puts in the page's context; fields find their value here by name. Only on the
/// server (and only for a page asked for with `?draft=`): the browser's inputs already hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refill(pub std::sync::Arc<Vec<(String, String)>>);

impl Refill {
    /// The value posted for `name`.
    pub fn value(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// The value a refused form had posted for the field `name`, when the page shows it again.
pub fn refilled(name: &str) -> Option<String> {
    use_context::<Refill>().and_then(|refill| refill.value(name))
}

/// The sentence for an error as a whole (a refusal's own sentence is `ConflictMessage`).
fn error_sentence(i18n: crate::i18n::Locale, error: AppError) -> String {
    match error {
        AppError::Validation(_) => td_string!(i18n, errors.form.validation).to_string(),
        AppError::TooManyAttempts(secs) => td_string!(i18n, errors.form.too_many, n = secs).to_string(),
        AppError::Busy(secs) => td_string!(i18n, errors.form.busy, n = secs).to_string(),
        AppError::Unauthorized => td_string!(i18n, errors.form.unauthorized).to_string(),
        AppError::Forbidden => td_string!(i18n, errors.form.forbidden).to_string(),
        AppError::NotFound => td_string!(i18n, errors.form.not_found).to_string(),
        AppError::Conflict(_) => td_string!(i18n, errors.form.conflict).to_string(),
        AppError::OutOfStock(_) => td_string!(i18n, errors.form.out_of_stock).to_string(),
        AppError::Internal | AppError::Transport(_) => td_string!(i18n, errors.form.internal).to_string(),
    }
}

/// The alert above a form: what went wrong with the submission as a whole.
#[component]
pub fn FormAlert(error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_locale();
    move || {
        error.get().map(|e| {
            let text = match e {
                AppError::Conflict(code) => {
                    return view! {
                        <p class="form-alert" role="alert">
                            <ConflictMessage code />
                        </p>
                    }
                    .into_any();
                }
                other => error_sentence(i18n, other),
            };
            view! {
                <p class="form-alert" role="alert">
                    {text}
                </p>
            }
            .into_any()
        })
    }
}

/// "Saved." after an action succeeded, announced politely.
#[component]
pub fn SavedNote<T, S>(value: S) -> impl IntoView
where
    T: Send + Sync + 'static,
    S: With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    let i18n = use_locale();
    view! {
        <p class="form-saved" aria-live="polite">
            {move || value.with(|v| matches!(v, Some(Ok(_)))).then_some(td!(i18n, errors.form.saved))}
        </p>
    }
}
