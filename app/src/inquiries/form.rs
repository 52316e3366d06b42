//! The export inquiry form: a plain form everywhere it appears (its own page and the booth).
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::api::*;
use super::model::*;
use crate::error::{AppError, FieldError};
use crate::i18n::td;
use crate::lang::{Localized, Text, use_locale};
use crate::ui::forms::{FormAlert, TextField};

/// The inquiry form, filled with `form` and showing `errors` (a refused plain post's draft).
#[component]
pub fn InquiryFormView(
    booth: String,
    /// The product chosen when the form was opened from a product page.
    product: String,
    products: Vec<(String, Text)>,
    form: InquiryForm,
    errors: Vec<FieldError>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = Signal::stored((!errors.is_empty()).then_some(AppError::Validation(errors)));
    let chosen = if form.product.is_empty() { product } else { form.product.clone() };
    let InquiryForm {
        company,
        country,
        contact_name,
        email,
        phone,
        quantity,
        quantity_unit,
        packaging,
        incoterm,
        target_date,
        samples,
        message,
        ..
    } = form;
    let incoterm = if incoterm.is_empty() { "FOB".to_owned() } else { incoterm };
    let field = |name: &'static str| crate::ui::forms::field_error(error, name);
    let product_error = field("product");
    let incoterm_error = field("incoterm");
    let form_error = field("form");
    view! {
        <form class="form inquiry-form" id="inquiry-form" method="post" action=SendInquiry::PATH data-testid="inquiry-form">
            <FormAlert error />
            {move || form_error.get().map(|code| view! {
                <p class="form-alert" role="alert"><crate::ui::forms::FieldMessage code /></p>
            })}
            <input type="hidden" name="form[booth]" value=booth />
            <div class="form-grid">
                <TextField field="company" prefix="form" required=true value=company autocomplete="organization" error>
                    {td!(i18n, inquiries.company)}
                </TextField>
                <TextField field="country" prefix="form" required=true value=country autocomplete="country-name" error>
                    {td!(i18n, inquiries.country)}
                </TextField>
                <TextField field="contact_name" prefix="form" required=true value=contact_name autocomplete="name" error>
                    {td!(i18n, inquiries.contact_name)}
                </TextField>
                <TextField field="email" prefix="form" kind="email" required=true value=email autocomplete="email" error>
                    {td!(i18n, inquiries.email)}
                </TextField>
                <TextField field="phone" prefix="form" kind="tel" value=phone autocomplete="tel" error>
                    {td!(i18n, inquiries.phone)}
                </TextField>
                {(!products.is_empty()).then(|| view! {
                    <div class="field" class:field--invalid=move || product_error.with(Option::is_some)>
                        <label class="field__label" for="field-form-product">{td!(i18n, inquiries.product)}</label>
                        <select class="field__input" id="field-form-product" name="form[product]">
                            <option value="" selected=chosen.is_empty()>{td!(i18n, inquiries.any_product)}</option>
                            {products.into_iter().map(|(slug, name)| {
                                let selected = slug == chosen;
                                view! { <option value=slug selected=selected><Localized text=name /></option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <TextField field="quantity" prefix="form" kind="text" required=true value=quantity error>
                    {td!(i18n, inquiries.quantity)}
                </TextField>
                <TextField field="quantity_unit" prefix="form" required=true value=quantity_unit error>
                    {td!(i18n, inquiries.quantity_unit)}
                </TextField>
                <TextField field="packaging" prefix="form" value=packaging error>
                    {td!(i18n, inquiries.packaging)}
                </TextField>
                <div class="field" class:field--invalid=move || incoterm_error.with(Option::is_some)>
                    <label class="field__label" for="field-form-incoterm">{td!(i18n, inquiries.incoterm)}</label>
                    <select class="field__input" id="field-form-incoterm" name="form[incoterm]" required>
                        {INCOTERMS.into_iter().map(|term| view! {
                            <option value=term selected=term == incoterm>{term}</option>
                        }).collect_view()}
                    </select>
                </div>
                <TextField field="target_date" prefix="form" kind="date" value=target_date error>
                    {td!(i18n, inquiries.target_date)}
                </TextField>
            </div>
            <label class="check">
                <input type="checkbox" name="form[samples]" checked=samples.is_some() />
                <span>{td!(i18n, inquiries.samples)}</span>
            </label>
            <TextField field="message" prefix="form" multiline=true required=true value=message error>
                {td!(i18n, inquiries.message)}
            </TextField>
            // For bots only: people never see it, so anything in it marks the form as spam.
            <div class="honeypot" aria-hidden="true">
                <label>
                    {td!(i18n, inquiries.honeypot)}
                    <input type="text" name="form[website]" tabindex="-1" autocomplete="off" />
                </label>
            </div>
            <button class="button" type="submit">{td!(i18n, inquiries.send)}</button>
        </form>
    }
    // Erased: the form's view type is deep, and pages embed it inside their own.
    .into_any()
}
