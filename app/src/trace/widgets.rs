//! Traceability in the app's own pages: the block on the product page (the product's QR code,
//! its traceability page and the export inquiry), and the batch editor in the dashboard's
//! product editor. The public pages themselves are in `documents`.
use leptos::prelude::*;

use super::api::{AddBatch, DeleteBatch};
use super::model::*;
use crate::i18n::{td, td_string};
use crate::lang::Localized;
use crate::lang::use_locale;
use crate::ui::forms::{FormAlert, SavedNote, TextField, action_error};

/// The product page's traceability block: the QR code that leads to the product's public
/// record, a link to it, and the way in for importers (the export inquiry form with this product
/// chosen).
#[component]
pub fn TraceBlock(
    code: String,
    /// Where the export inquiry form is, with this product chosen.
    inquiry: String,
) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <section class="trace-block" aria-labelledby="trace-title">
            <div class="trace-block__trace">
                <img
                    class="trace-block__qr"
                    src=trace_qr_path(&code)
                    alt=move || td_string!(i18n, trace.qr_alt)
                    width="120"
                    height="120"
                    loading="lazy"
                />
                <div>
                    <h2 id="trace-title" class="trace-block__title">{td!(i18n, trace.block_title)}</h2>
                    <p class="trace-block__text">{td!(i18n, trace.block_body)}</p>
                    <a class="trace-block__link" href=trace_path(&code)>{td!(i18n, trace.open_page)}</a>
                </div>
            </div>
            <div class="trace-block__inquiry">
                <p class="trace-block__text">{td!(i18n, trace.inquiry_note)}</p>
                <a class="button button--secondary" href=inquiry data-testid="export-inquiry">
                    {td!(i18n, trace.inquiry)}
                </a>
            </div>
        </section>
    }
    .into_any()
}

/// The product's trace code and batches in the product editor: the list (newest first) with a
/// delete for each, and the form to record one.
#[component]
pub fn BatchEditor(
    trace: ProductTrace,
    add: ServerAction<AddBatch>,
    delete: ServerAction<DeleteBatch>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(add.value());
    let delete_error = action_error(delete.value());
    let ProductTrace { product_id, code, public, batches } = trace;
    let links = if public {
        view! {
            <img
                class="batch-editor__qr"
                src=trace_qr_path(&code)
                alt=move || td_string!(i18n, trace.qr_alt)
                width="96"
                height="96"
            />
            <p>
                {td!(i18n, trace.code)} ": " <code>{code.clone()}</code> <br />
                <a href=trace_path(&code)>{td!(i18n, trace.public_page)}</a> " · "
                <a href=trace_qr_path(&code) download=format!("qr-{code}.svg")>{td!(i18n, trace.svg_link)}</a>
            </p>
        }
        .into_any()
    } else {
        view! {
            <p data-testid="trace-not-public">
                {td!(i18n, trace.code)} ": " <code>{code.clone()}</code> <br />
                {td!(i18n, trace.not_public)}
            </p>
        }
        .into_any()
    };
    view! {
        <section class="batch-editor" aria-labelledby="batches-title">
            <h2 id="batches-title">{td!(i18n, trace.editor_title)}</h2>
            <div class="batch-editor__code">{links}</div>
            <p class="field__hint">{td!(i18n, trace.editor_lead)}</p>
            <FormAlert error=delete_error />
            {batches.is_empty().then(|| view! { <p>{td!(i18n, trace.no_batches)}</p> })}
            <ol class="batch-editor__list">
                {batches.into_iter().map(|b| view! {
                    <li class="batch-editor__item" data-testid="batch">
                        <p>
                            <strong>{b.batch_code.clone()}</strong> " · "
                            <time datetime=b.produced_on.clone()>{b.produced_on.clone()}</time>
                        </p>
                        {(!b.notes.vi.is_empty() || !b.notes.en.is_empty()).then(|| view! {
                            <p class="batch-editor__notes"><Localized text=b.notes.clone() /></p>
                        })}
                        <details class="confirm">
                            <summary class="button button--small button--secondary">{td!(i18n, trace.delete_batch)}</summary>
                            <ActionForm action=delete>
                                <input type="hidden" name="id" value=b.id.to_string() />
                                <button class="button button--small button--danger" type="submit">
                                    {td!(i18n, trace.delete_confirm)}
                                </button>
                            </ActionForm>
                        </details>
                    </li>
                }).collect_view()}
            </ol>
            <ActionForm action=add attr:class="form batch-editor__form">
                <FormAlert error />
                <input type="hidden" name="product_id" value=product_id.to_string() />
                <div class="form-grid">
                    <TextField field="batch_code" prefix="form" required=true error>
                        {td!(i18n, trace.batch_code)}
                    </TextField>
                    <TextField field="produced_on" prefix="form" kind="date" required=true error>
                        {td!(i18n, trace.produced_on)}
                    </TextField>
                </div>
                <TextField field="notes_vi" prefix="form" multiline=true error
                    hint=ViewFn::from(move || td_string!(i18n, trace.notes_hint))>
                    {td!(i18n, trace.notes_vi)}
                </TextField>
                <TextField field="notes_en" prefix="form" multiline=true error>
                    {td!(i18n, trace.notes_en)}
                </TextField>
                <button class="button" type="submit" disabled=move || add.pending().get()>
                    {td!(i18n, trace.add_batch)}
                </button>
                <SavedNote value=add.value() />
            </ActionForm>
        </section>
    }
    .into_any()
}
