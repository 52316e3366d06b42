//! Dashboard pages at /coop: overview, product list, product editor.
use crate::notifications::bell::NewOrdersLive;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::*;
pub use super::frame::{Dashboard, MemberOnly};
use super::model::*;
use crate::accounts::model::Membership;
use crate::error::{AppError, FieldCode};
use crate::i18n::{td, td_string};
use crate::lang::use_lang;
use crate::lang::use_locale;
use crate::trace::api::{AddBatch, DeleteBatch, fetch_product_trace};
use crate::trace::model::ProductTrace;
use crate::trace::widgets::BatchEditor;
use crate::ui::forms::{FormAlert, SavedNote, TextField, action_error, field_error, refreshed, successes};
use crate::ui::layout::{LoadError, Loaded};
use crate::ui::money::format_vnd;

#[component]
pub fn CoopOverviewPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, coops.overview.title).to_string() />
        <MemberOnly page=|membership: Membership| {
            let slug = membership.slug.clone();
            let cooperative_id = membership.cooperative_id;
            view! {
                <Dashboard membership>
                    <NewOrdersLive cooperative_id />
                    <OverviewTiles />
                    <BoothCardLink slug />
                </Dashboard>
            }
        } />
    }
}

/// The way to the booth's printable QR card, for the cooperative's stand at a physical fair.
#[component]
fn BoothCardLink(slug: String) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <p class="booth-card-link">
            <a class="button button--secondary" href=crate::trace::model::booth_card_path(&slug)>
                {td!(i18n, trace.card_link)}
            </a>
        </p>
    }
}

#[component]
fn Tile(
    label: String,
    value: String,
    #[prop(optional)] href: Option<&'static str>,
    #[prop(optional)] warn: bool,
) -> impl IntoView {
    let body = view! {
        <span class="tile__value">{value}</span>
        <span class="tile__label">{label}</span>
    };
    match href {
        Some(href) => view! { <a class="tile" class:tile--warn=warn href=href>{body}</a> }.into_any(),
        None => view! { <div class="tile" class:tile--warn=warn>{body}</div> }.into_any(),
    }
}

#[component]
fn OverviewTiles() -> impl IntoView {
    let i18n = use_locale();
    let overview = Resource::new(|| (), |_| fetch_overview());
    view! {
        <h1>{td!(i18n, coops.overview.title)}</h1>
        <Suspense fallback=move || view! { <p>{td!(i18n, common.loading)}</p> }>
            {move || {
                overview
                    .get()
                    .map(|r| match r {
                        Ok(o) => {
                            let later = td_string!(i18n, coops.overview.coming).to_string();
                            view! {
                                <div class="tiles">
                                    <Tile label=td_string!(i18n, coops.overview.products).to_string() value=format!("{} / {}", o.published, o.products) href="/coop/products" />
                                    <Tile label=td_string!(i18n, coops.overview.low_stock).to_string() value=o.low_stock.to_string() href="/coop/products" warn={o.low_stock > 0} />
                                    <Tile label=td_string!(i18n, coops.overview.expiring).to_string() value=o.certificates_expiring.to_string() warn={o.certificates_expiring > 0} />
                                    <Tile label=td_string!(i18n, coops.overview.expired).to_string() value=o.certificates_expired.to_string() warn={o.certificates_expired > 0} />
                                    <Tile
                                        label=format!("{} ({later})", td_string!(i18n, coops.overview.orders))
                                        value=o.orders_pending.map_or("—".to_owned(), |n| n.to_string())
                                    />
                                    <Tile
                                        label=format!("{} ({later})", td_string!(i18n, coops.overview.inquiries))
                                        value=o.inquiries_open.map_or("—".to_owned(), |n| n.to_string())
                                    />
                                </div>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
pub fn CoopProductsPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, coops.products.title).to_string() />
        <MemberOnly page=|membership: Membership| view! { <Dashboard membership><ProductTableLoader /></Dashboard> } />
    }
}

/// Loads the cooperative's products for the table.
#[component]
fn ProductTableLoader() -> impl IntoView {
    let products = Resource::new(|| (), |_| fetch_dashboard_products());
    view! { <Loaded resource=products view=|products| view! { <ProductTable products /> } /> }
}

#[island(lazy)]
fn ProductTable(products: Vec<DashboardProduct>) -> impl IntoView {
    crate::ui::lazy::preload_island("product_table");
    let i18n = use_locale();
    let lang = use_lang();
    let publish = ServerAction::<SetPublished>::new();
    let delete = ServerAction::<DeleteProduct>::new();
    let products = refreshed(
        products,
        move || publish.version().get() + delete.version().get(),
        fetch_dashboard_products,
    );
    let error = Signal::derive(move || {
        action_error(publish.value()).get().or_else(|| action_error(delete.value()).get())
    });
    view! {
        <div class="dashboard__heading">
            <h1>{td!(i18n, coops.products.title)}</h1>
            <a class="button" href="/coop/products/new">{td!(i18n, coops.products.add)}</a>
        </div>
        <FormAlert error />
        {move || {
            let list = products.get();
            if list.is_empty() {
                return view! { <p>{td!(i18n, coops.products.empty)}</p> }.into_any();
            }
            view! {
                            <table class="data-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{td!(i18n, coops.products.name)}</th>
                                        <th scope="col">{td!(i18n, coops.products.status)}</th>
                                        <th scope="col" class="data-table__num">{td!(i18n, coops.products.price)}</th>
                                        <th scope="col" class="data-table__num">{td!(i18n, coops.products.stock)}</th>
                                        <th scope="col">{td!(i18n, coops.products.actions)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|p| {
                                        let published = p.status == ProductStatus::Published;
                                        let id = p.id.to_string();
                                        let delete_id = id.clone();
                                        let name = p.name.clone();
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <a href=format!("/coop/products/{}", p.id)>{move || name.best(lang.get())}</a>
                                                    {p.missing_vi.then(|| view! { <span class="chip chip--warn">{td!(i18n, coops.products.missing_vi)}</span> })}
                                                    {p.missing_en.then(|| view! { <span class="chip chip--warn">{td!(i18n, coops.products.missing_en)}</span> })}
                                                    {p.hidden_reason.clone().map(|reason| view! {
                                                        <p class="moderation-note" data-testid="hidden-reason">
                                                            <strong>{td!(i18n, coops.products.hidden_by_department)}</strong>
                                                            " "
                                                            {reason}
                                                        </p>
                                                    })}
                                                </th>
                                                <td>
                                                    <span class="chip" class:chip--ok=published>
                                                        {if published { td_string!(i18n, coops.status.published) } else { td_string!(i18n, coops.status.draft) }}
                                                    </span>
                                                </td>
                                                <td class="data-table__num">{format_vnd(p.price_vnd)}</td>
                                                <td class="data-table__num" class:data-table__warn={p.stock <= LOW_STOCK}>{p.stock}</td>
                                                <td class="data-table__actions">
                                                    <ActionForm action=publish>
                                                        <input type="hidden" name="id" value=id />
                                                        <input type="hidden" name="publish" value=(!published).to_string() />
                                                        <button class="button button--small" type="submit">
                                                            {if published { td_string!(i18n, coops.products.unpublish) } else { td_string!(i18n, coops.products.publish) }}
                                                        </button>
                                                    </ActionForm>
                                                    <details class="confirm">
                                                        <summary class="button button--small button--secondary">{td!(i18n, coops.products.delete)}</summary>
                                                        <ActionForm action=delete>
                                                            <input type="hidden" name="id" value=delete_id />
                                                            <button class="button button--small button--danger" type="submit">
                                                                {td!(i18n, coops.products.delete_confirm)}
                                                            </button>
                                                        </ActionForm>
                                                    </details>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
            }
                .into_any()
        }}
    }
}

#[component]
pub fn NewProductPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, coops.editor.new_title).to_string() />
        <MemberOnly page=|membership: Membership| view! { <Dashboard membership><NewProduct /></Dashboard> } />
    }
}

#[component]
fn NewProduct() -> impl IntoView {
    let i18n = use_locale();
    let groups = Resource::new(|| (), |_| fetch_groups());
    view! {
        <h1>{td!(i18n, coops.editor.new_title)}</h1>
        <Loaded resource=groups view=|groups| view! { <NewProductForm groups /> } />
    }
}

/// Creating a product sends the user on to its editor (a redirect from the server function).
#[island(lazy)]
fn NewProductForm(groups: Vec<GroupOption>) -> impl IntoView {
    crate::ui::lazy::preload_island("new_product_form");
    let i18n = use_locale();
    let create = ServerAction::<CreateProduct>::new();
    let error = action_error(create.value());
    view! {
        <ActionForm action=create attr:class="form product-editor">
            <FormAlert error />
            <ProductFields form=ProductForm::default() groups error with_stock=true />
            <button class="button" type="submit" disabled=move || create.pending().get()>
                {td!(i18n, coops.editor.create)}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn EditProductPage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, coops.editor.edit_title).to_string() />
        <MemberOnly page=|membership: Membership| view! { <Dashboard membership><EditProduct /></Dashboard> } />
    }
}

#[component]
fn EditProduct() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    // The outcome of a photo upload: a plain multipart post that comes back here with
    // `photo=added` or `photo_error=<code>` in the address.
    let upload = query.with_untracked(|q| UploadOutcome {
        added: q.get("photo").is_some(),
        error: q.get("photo_error").map(|c| FieldCode::named(&c)),
    });
    let product = Resource::new(
        || (),
        move |_| async move {
            match id {
                Some(id) => Ok(EditorData {
                    product: fetch_editable_product(id).await?,
                    groups: fetch_groups().await?,
                    trace: fetch_product_trace(id).await?,
                }),
                None => Err(AppError::NotFound),
            }
        },
    );
    view! { <Loaded resource=product view=move |data| view! { <ProductEditor data upload=upload.clone() /> } /> }
}

/// What the product editor shows: the product, and the groups to choose from.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct EditorData {
    product: EditableProduct,
    groups: Vec<GroupOption>,
    /// The trace code and the batches.
    trace: ProductTrace,
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct UploadOutcome {
    added: bool,
    error: Option<FieldCode>,
}

#[island(lazy)]
fn ProductEditor(data: EditorData, upload: UploadOutcome) -> impl IntoView {
    crate::ui::lazy::preload_island("product_editor");
    let i18n = use_locale();
    let id = data.product.id;
    let update = ServerAction::<UpdateProduct>::new();
    let certify = ServerAction::<SaveCertificate>::new();
    let add = ServerAction::<AddListing>::new();
    let remove = ServerAction::<RemoveListing>::new();
    let move_photo = ServerAction::<MovePhoto>::new();
    let delete_photo = ServerAction::<DeletePhoto>::new();
    let add_batch = ServerAction::<AddBatch>::new();
    let delete_batch = ServerAction::<DeleteBatch>::new();
    let adjust = ServerAction::<AdjustStock>::new();
    // Refreshed after each success only: a refused form keeps what was typed.
    let done = [
        successes(adjust.version(), adjust.value()),
        successes(update.version(), update.value()),
        successes(certify.version(), certify.value()),
        successes(add.version(), add.value()),
        successes(remove.version(), remove.value()),
        successes(move_photo.version(), move_photo.value()),
        successes(delete_photo.version(), delete_photo.value()),
        successes(add_batch.version(), add_batch.value()),
        successes(delete_batch.version(), delete_batch.value()),
    ];
    let data = refreshed(
        data,
        move || done.iter().map(|n| n.get()).sum(),
        move || async move {
            Ok(EditorData {
                product: fetch_editable_product(id).await?,
                groups: fetch_groups().await?,
                trace: fetch_product_trace(id).await?,
            })
        },
    );
    let error = action_error(update.value());
    move || {
        let EditorData { product: p, groups, trace } = data.get();
        let upload = upload.clone();
        let published = p.status == ProductStatus::Published;
        let photo_name = p.form.name_vi.clone();
        view! {
            <div class="dashboard__heading">
                <h1>{td!(i18n, coops.editor.edit_title)}</h1>
                <span class="chip" class:chip--ok=published>
                    {if published { td_string!(i18n, coops.status.published) } else { td_string!(i18n, coops.status.draft) }}
                </span>
                {published.then(|| view! { <a href=format!("/p/{}", p.form.slug)>{td!(i18n, coops.editor.view)}</a> })}
            </div>
            <ActionForm action=update attr:class="form product-editor">
                <FormAlert error />
                <input type="hidden" name="id" value=p.id.to_string() />
                <ProductFields form=p.form.clone() groups error with_stock=false />
                <button class="button" type="submit" disabled=move || update.pending().get()>
                    {td!(i18n, coops.editor.save)}
                </button>
                <SavedNote value=update.value() />
            </ActionForm>
            <StockEditor product_id=p.id stock=p.stock moves=p.stock_moves.clone() action=adjust />
            <PhotoEditor
                product_id=p.id
                photos=p.photos.clone()
                upload
                name=photo_name
                move_action=move_photo
                delete_action=delete_photo
            />
            <CertificateEditor product_id=p.id certificate=p.certificate.clone() action=certify />
            <ListingsEditor product_id=p.id listings=p.listings.clone() add remove />
            <BatchEditor trace add=add_batch delete=delete_batch />
        }
    }
}

/// The product's fields, both languages side by side, each marked when it is filled in only
/// the other language.
#[component]
fn ProductFields(
    form: ProductForm,
    groups: Vec<GroupOption>,
    error: Signal<Option<AppError>>,
    /// The starting stock, on a new product only: afterwards stock moves by adjustments.
    with_stock: bool,
) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let missing = form.missing();
    let marker = move |field: &'static str| {
        missing.contains(&field).then(|| {
            ViewFn::from(move || {
                if field.ends_with("_vi") {
                    td_string!(i18n, coops.editor.missing_vi)
                } else {
                    td_string!(i18n, coops.editor.missing_en)
                }
            })
        })
    };
    let group_error = field_error(error, "group");
    let selected = form.group.clone();
    view! {
        <div class="product-editor__languages">
            <fieldset class="form__group" lang="vi">
                <legend>"Tiếng Việt"</legend>
                <TextField field="name_vi" prefix="form" value=form.name_vi.clone() marker=marker("name_vi") error>
                    {td!(i18n, coops.editor.name)}
                </TextField>
                <TextField field="description_vi" prefix="form" multiline=true value=form.description_vi.clone() marker=marker("description_vi") error>
                    {td!(i18n, coops.editor.description)}
                </TextField>
                <TextField field="unit_vi" prefix="form" value=form.unit_vi.clone() marker=marker("unit_vi") error>
                    {td!(i18n, coops.editor.unit)}
                </TextField>
            </fieldset>
            <fieldset class="form__group" lang="en">
                <legend>"English"</legend>
                <TextField field="name_en" prefix="form" value=form.name_en.clone() marker=marker("name_en") error>
                    {td!(i18n, coops.editor.name)}
                </TextField>
                <TextField field="description_en" prefix="form" multiline=true value=form.description_en.clone() marker=marker("description_en") error>
                    {td!(i18n, coops.editor.description)}
                </TextField>
                <TextField field="unit_en" prefix="form" value=form.unit_en.clone() marker=marker("unit_en") error>
                    {td!(i18n, coops.editor.unit)}
                </TextField>
            </fieldset>
        </div>
        <fieldset class="form__group product-editor__facts">
            <legend>{td!(i18n, coops.editor.facts)}</legend>
            <div class="field" class:field--invalid=move || group_error.with(Option::is_some)>
                <label class="field__label" for="field-form-group">{td!(i18n, coops.editor.group)}</label>
                <select class="field__input" id="field-form-group" name="form[group]" required>
                    {groups
                        .into_iter()
                        .map(|g| {
                            let name = g.name.clone();
                            let is_selected = g.slug == selected;
                            view! { <option value=g.slug selected=is_selected>{move || name.best(lang.get())}</option> }
                        })
                        .collect_view()}
                </select>
                {move || group_error.get().map(|code| view! { <p class="field__error"><crate::ui::forms::FieldMessage code /></p> })}
            </div>
            <TextField field="price_vnd" prefix="form" value=form.price_vnd.clone() required=true error
                hint=ViewFn::from(move || td_string!(i18n, coops.editor.price_hint))>
                {td!(i18n, coops.editor.price)}
            </TextField>
            {with_stock.then(|| view! {
                <TextField field="stock" prefix="form" kind="number" value=form.stock.clone() required=true error>
                    {td!(i18n, coops.editor.stock)}
                </TextField>
            })}
            <TextField field="weight_grams" prefix="form" kind="number" value=form.weight_grams.clone() error>
                {td!(i18n, coops.editor.weight)}
            </TextField>
            <TextField field="slug" prefix="form" value=form.slug.clone() error
                hint=ViewFn::from(move || td_string!(i18n, coops.editor.slug_hint))>
                {td!(i18n, coops.editor.slug)}
            </TextField>
        </fieldset>
    }
}

/// The stock now, the form that moves it ("+20 received", "-3 written off") and why it moved
/// lately. An adjustment is a change, not a new figure, so sales made meanwhile stay sold.
#[component]
fn StockEditor(
    product_id: i64,
    stock: i64,
    moves: Vec<StockMove>,
    action: ServerAction<AdjustStock>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(action.value());
    let reason_error = field_error(error, "reason");
    let reason_label = move |r: StockReason| match r {
        StockReason::Initial => td_string!(i18n, coops.stock.reason_initial),
        StockReason::Received => td_string!(i18n, coops.stock.reason_received),
        StockReason::WriteOff => td_string!(i18n, coops.stock.reason_write_off),
        StockReason::Correction => td_string!(i18n, coops.stock.reason_correction),
        StockReason::Sale => td_string!(i18n, coops.stock.reason_sale),
        StockReason::Cancel => td_string!(i18n, coops.stock.reason_cancel),
    };
    view! {
        <section class="stock-editor" aria-labelledby="stock-title">
            <h2 id="stock-title">{td!(i18n, coops.stock.title)}</h2>
            <p class="stock-editor__now">{td!(i18n, coops.stock.now)} " " <strong data-testid="stock-now">{stock}</strong></p>
            <ActionForm action attr:class="form stock-editor__form">
                <FormAlert error />
                <input type="hidden" name="product_id" value=product_id.to_string() />
                <TextField field="delta" prefix="stock" required=true error
                    hint=ViewFn::from(move || td_string!(i18n, coops.stock.delta_hint))>
                    {td!(i18n, coops.stock.delta)}
                </TextField>
                <div class="field" class:field--invalid=move || reason_error.with(Option::is_some)>
                    <label class="field__label" for="field-stock-reason">{td!(i18n, coops.stock.reason)}</label>
                    <select class="field__input" id="field-stock-reason" name="stock[reason]" required>
                        {StockReason::MANUAL.into_iter().map(|r| view! {
                            <option value=r.as_db()>{move || reason_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <TextField field="note" prefix="stock" error>
                    {td!(i18n, coops.stock.note)}
                </TextField>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, coops.stock.apply)}
                </button>
                <SavedNote value=action.value() />
            </ActionForm>
            <h3>{td!(i18n, coops.stock.history)}</h3>
            {if moves.is_empty() {
                view! { <p>{td!(i18n, coops.stock.no_moves)}</p> }.into_any()
            } else {
                view! {
                        // No row holds a link, so the table itself takes the focus: it scrolls on a phone.
                        <table class="data-table stock-editor__moves" tabindex="0">
                            <thead>
                                <tr>
                                    <th scope="col">{td!(i18n, coops.stock.when)}</th>
                                    <th scope="col" class="data-table__num">{td!(i18n, coops.stock.change)}</th>
                                    <th scope="col" class="data-table__num">{td!(i18n, coops.stock.after)}</th>
                                    <th scope="col">{td!(i18n, coops.stock.why)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {moves.into_iter().map(|m| {
                                    let change = if m.delta > 0 { format!("+{}", m.delta) } else { m.delta.to_string() };
                                    let who = [m.order_number.clone(), m.by.clone(), Some(m.note.clone()).filter(|n| !n.is_empty())]
                                        .into_iter()
                                        .flatten()
                                        .collect::<Vec<_>>()
                                        .join(" · ");
                                    view! {
                                        <tr>
                                            <td>{crate::ui::dates::format_datetime(m.at)}</td>
                                            <td class="data-table__num">{change}</td>
                                            <td class="data-table__num">{m.stock_after}</td>
                                            <td>{move || reason_label(m.reason)} {(!who.is_empty()).then(|| format!(" · {who}"))}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                }.into_any()
            }}
        </section>
    }
}

/// The product's OCOP certificate: its state today, and the form to record it.
#[component]
fn CertificateEditor(
    product_id: i64,
    certificate: Option<CertificateInfo>,
    action: ServerAction<SaveCertificate>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(action.value());
    let form = certificate.as_ref().map(|c| c.form.clone()).unwrap_or_default();
    let state = certificate.as_ref().map(|c| {
        let expires = c.expires_on.clone();
        let badge = match c.state {
            CertificateState::Expired => view! { <span class="chip chip--danger">{td!(i18n, coops.certificate.expired)}</span> }.into_any(),
            CertificateState::ExpiringSoon(days) => view! { <span class="chip chip--warn">{td!(i18n, coops.certificate.expiring, n = days)}</span> }.into_any(),
            CertificateState::Valid => view! { <span class="chip chip--ok">{td!(i18n, coops.certificate.valid)}</span> }.into_any(),
        };
        view! { <p class="certificate-editor__state">{td!(i18n, coops.certificate.expires_on)} " " <strong>{expires}</strong> " " {badge}</p> }
    });
    let council_error = field_error(error, "council");
    let council = form.council.clone();
    view! {
        <section class="certificate-editor" aria-labelledby="certificate-title">
            <h2 id="certificate-title">{td!(i18n, coops.certificate.title)}</h2>
            {state}
            <ActionForm action attr:class="form certificate-editor__form">
                <FormAlert error />
                <input type="hidden" name="product_id" value=product_id.to_string() />
                <TextField field="stars" prefix="form" kind="number" value=form.stars.clone() required=true error>
                    {td!(i18n, coops.certificate.stars)}
                </TextField>
                <div class="field" class:field--invalid=move || council_error.with(Option::is_some)>
                    <label class="field__label" for="field-form-council">{td!(i18n, coops.certificate.council)}</label>
                    <select class="field__input" id="field-form-council" name="form[council]" required>
                        <option value="provincial" selected=council == "provincial">{td!(i18n, catalog.certificate.provincial)}</option>
                        <option value="national" selected=council == "national">{td!(i18n, catalog.certificate.national)}</option>
                    </select>
                </div>
                <TextField field="decision_no" prefix="form" value=form.decision_no.clone() required=true error>
                    {td!(i18n, coops.certificate.decision_no)}
                </TextField>
                <TextField field="issued_on" prefix="form" kind="date" value=form.issued_on.clone() required=true error>
                    {td!(i18n, coops.certificate.issued_on)}
                </TextField>
                <button class="button" type="submit" disabled=move || action.pending().get()>
                    {td!(i18n, coops.certificate.save)}
                </button>
                <SavedNote value=action.value() />
            </ActionForm>
        </section>
    }
}

/// Links to the same product on other marketplaces.
#[component]
fn ListingsEditor(
    product_id: i64,
    listings: Vec<ChannelListing>,
    add: ServerAction<AddListing>,
    remove: ServerAction<RemoveListing>,
) -> impl IntoView {
    let i18n = use_locale();
    let error = action_error(add.value());
    view! {
        <section class="listings-editor" aria-labelledby="listings-title">
            <h2 id="listings-title">{td!(i18n, coops.listings.title)}</h2>
            <ul class="listings-editor__list">
                {listings.into_iter().map(|l| view! {
                    <li class="listings-editor__item">
                        <span class="chip">{l.channel.label()}</span>
                        <a href=l.url.clone() rel="noopener external" target="_blank">{l.url.clone()}</a>
                        <ActionForm action=remove>
                            <input type="hidden" name="id" value=l.id.to_string() />
                            <button class="button button--small button--secondary" type="submit">{td!(i18n, coops.listings.remove)}</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=add attr:class="form listings-editor__form">
                <FormAlert error />
                <input type="hidden" name="product_id" value=product_id.to_string() />
                <div class="field">
                    <label class="field__label" for="field-channel">{td!(i18n, coops.listings.channel)}</label>
                    <select class="field__input" id="field-channel" name="channel">
                        {Channel::ALL.into_iter().map(|c| view! { <option value=format!("{c:?}")>{c.label()}</option> }).collect_view()}
                    </select>
                </div>
                <TextField field="url" kind="url" required=true error>
                    {td!(i18n, coops.listings.url)}
                </TextField>
                <button class="button" type="submit" disabled=move || add.pending().get()>
                    {td!(i18n, coops.listings.add)}
                </button>
            </ActionForm>
        </section>
    }
}

/// The product's photos in order (the first is the cover), and the upload form. The upload is a
/// plain multipart post to the server, which comes back here with `photo=added` or
/// `photo_error=<code>` in the address.
#[component]
fn PhotoEditor(
    product_id: i64,
    photos: Vec<crate::media::model::Photo>,
    name: String,
    move_action: ServerAction<MovePhoto>,
    delete_action: ServerAction<DeletePhoto>,
    upload: UploadOutcome,
) -> impl IntoView {
    use crate::media::model::MAX_PHOTOS;
    let i18n = use_locale();
    let UploadOutcome { added, error: upload_error } = upload;
    let error = Signal::derive(move || {
        action_error(move_action.value()).get().or_else(|| action_error(delete_action.value()).get())
    });
    let count = photos.len();
    view! {
        <section class="photo-editor" aria-labelledby="photos-title">
            <h2 id="photos-title">{td!(i18n, coops.photos.title)}</h2>
            <FormAlert error />
            {(count == 0).then(|| view! { <p>{td!(i18n, coops.photos.none)}</p> })}
            <ol class="photo-editor__list">
                {photos
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let id = p.id.to_string();
                        let delete_id = id.clone();
                        let alt = format!("{name} ({})", i + 1);
                        view! {
                            <li class="photo-editor__item">
                                <img src=p.small_url alt=alt width="200" height="150" />
                                {(i == 0).then(|| view! { <span class="chip chip--ok">{td!(i18n, coops.photos.cover)}</span> })}
                                <ActionForm action=move_action attr:class="photo-editor__actions">
                                    <input type="hidden" name="id" value=id />
                                    {(i > 0).then(|| view! {
                                        <button class="button button--small button--secondary" type="submit" name="to" value="Cover">
                                            {td!(i18n, coops.photos.make_cover)}
                                        </button>
                                        <button class="button button--small button--secondary" type="submit" name="to" value="Earlier" aria-label=move || td_string!(i18n, coops.photos.earlier)>
                                            "←"
                                        </button>
                                    })}
                                    {(i + 1 < count).then(|| view! {
                                        <button class="button button--small button--secondary" type="submit" name="to" value="Later" aria-label=move || td_string!(i18n, coops.photos.later)>
                                            "→"
                                        </button>
                                    })}
                                </ActionForm>
                                <ActionForm action=delete_action>
                                    <input type="hidden" name="id" value=delete_id />
                                    <button class="button button--small button--danger" type="submit">
                                        {td!(i18n, coops.photos.delete)}
                                    </button>
                                </ActionForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            {((count as i64) < MAX_PHOTOS).then(|| view! {
                <form
                    class="form photo-editor__upload"
                    method="post"
                    action=format!("/coop/products/{product_id}/photos")
                    enctype="multipart/form-data"
                >
                    {upload_error.map(|code| view! {
                        <p class="form-alert" role="alert"><crate::ui::forms::FieldMessage code /></p>
                    })}
                    {added.then(|| view! { <p class="form-saved" role="status">{td!(i18n, coops.photos.added)}</p> })}
                    <div class="field">
                        <label class="field__label" for="photo-file">{td!(i18n, coops.photos.upload)}</label>
                        <p class="field__hint" id="photo-file-hint">{td!(i18n, coops.photos.hint)}</p>
                        <input
                            class="field__input"
                            id="photo-file"
                            type="file"
                            name="photo"
                            accept="image/jpeg,image/png,image/webp"
                            aria-describedby="photo-file-hint"
                            required
                        />
                    </div>
                    <button class="button" type="submit">{td!(i18n, coops.photos.submit)}</button>
                </form>
            })}
        </section>
    }
}

#[component]
pub fn CoopProfilePage() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Title text=td_string!(i18n, coops.profile.title).to_string() />
        <MemberOnly page=|membership: Membership| view! { <Dashboard membership><ProfileEditor /></Dashboard> } />
    }
}

/// The cooperative's story, district, contact and logo. The profile and the districts load in
/// one resource, so the page renders in one piece.
#[component]
fn ProfileEditor() -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let data = Resource::new(
        || (),
        |_| async move {
            Ok::<_, AppError>((fetch_profile().await?, crate::accounts::api::fetch_districts().await?))
        },
    );
    // The outcome of a logo upload (a plain multipart post that comes back here).
    let query = leptos_router::hooks::use_query_map();
    let logo_added = query.with_untracked(|q| q.get("logo").is_some());
    let logo_error = query.with_untracked(|q| q.get("logo_error").map(|c| FieldCode::named(&c)));
    view! {
        <h1>{td!(i18n, coops.profile.title)}</h1>
        <Loaded resource=data view=move |(profile, districts)| {
            view! {
                                <section class="profile-logo" aria-labelledby="logo-title">
                                    <h2 id="logo-title">{td!(i18n, coops.profile.logo)}</h2>
                                    {profile.logo_url.clone().map(|src| {
                                        let name = profile.name.clone();
                                        view! { <img class="profile-logo__image" src=src alt=move || name.best(lang.get()) width="160" height="160" /> }
                                    })}
                                    <form class="form" method="post" action="/coop/logo" enctype="multipart/form-data">
                                        {logo_error.map(|code| view! {
                                            <p class="form-alert" role="alert"><crate::ui::forms::FieldMessage code /></p>
                                        })}
                                        {logo_added.then(|| view! { <p class="form-saved" role="status">{td!(i18n, coops.profile.logo_added)}</p> })}
                                        <div class="field">
                                            <label class="field__label" for="logo-file">{td!(i18n, coops.profile.logo_file)}</label>
                                            <input class="field__input" id="logo-file" type="file" name="photo" accept="image/jpeg,image/png,image/webp" required />
                                        </div>
                                        <button class="button" type="submit">{td!(i18n, coops.profile.logo_submit)}</button>
                                    </form>
                                </section>
                                <ProfileForm form=profile.form districts />
            }
        } />
    }
}

/// The profile's fields. A save keeps what the form shows: it is what the server now holds.
#[island(lazy)]
fn ProfileForm(form: ProfileForm, districts: Vec<crate::accounts::model::DistrictOption>) -> impl IntoView {
    crate::ui::lazy::preload_island("profile_form");
    let i18n = use_locale();
    let lang = use_lang();
    let save = ServerAction::<UpdateProfile>::new();
    let error = action_error(save.value());
    let district_error = field_error(error, "district");
    let bank_error = field_error(error, "bank_bin");
    let f = form;
    let selected = f.district.clone();
    view! {
                                <ActionForm action=save attr:class="form profile-form">
                                    <FormAlert error />
                                    <TextField field="story_vi" prefix="form" multiline=true value=f.story_vi.clone() error>
                                        {td!(i18n, coops.profile.story_vi)}
                                    </TextField>
                                    <TextField field="story_en" prefix="form" multiline=true value=f.story_en.clone() error>
                                        {td!(i18n, coops.profile.story_en)}
                                    </TextField>
                                    <div class="field" class:field--invalid=move || district_error.with(Option::is_some)>
                                        <label class="field__label" for="field-form-district">{td!(i18n, accounts.apply.district)}</label>
                                        <select class="field__input" id="field-form-district" name="form[district]" required>
                                            {districts.into_iter().map(|d| {
                                                let name = d.name.clone();
                                                let is_selected = d.slug == selected;
                                                view! { <option value=d.slug selected=is_selected>{move || name.best(lang.get())}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <TextField field="commune" prefix="form" value=f.commune.clone() error>
                                        {td!(i18n, accounts.apply.commune)}
                                    </TextField>
                                    <TextField field="contact_name" prefix="form" value=f.contact_name.clone() error>
                                        {td!(i18n, accounts.apply.contact_name)}
                                    </TextField>
                                    <TextField field="contact_phone" prefix="form" kind="tel" value=f.contact_phone.clone() error>
                                        {td!(i18n, accounts.apply.contact_phone)}
                                    </TextField>
                                    <TextField field="contact_email" prefix="form" kind="email" value=f.contact_email.clone() error>
                                        {td!(i18n, accounts.field.email)}
                                    </TextField>
                                    <TextField field="free_shipping_from" prefix="form" value=f.free_shipping_from.clone() error
                                        hint=ViewFn::from(move || td_string!(i18n, coops.profile.free_shipping_hint))>
                                        {td!(i18n, coops.profile.free_shipping)}
                                    </TextField>
                                    <TextField field="unpaid_after_days" prefix="form" kind="number" value=f.unpaid_after_days.clone() error
                                        hint=ViewFn::from(move || td_string!(i18n, coops.profile.unpaid_after_days_hint))>
                                        {td!(i18n, coops.profile.unpaid_after_days)}
                                    </TextField>
                                    <fieldset class="form__group">
                                        <legend>{td!(i18n, coops.contact.show)}</legend>
                                        <label class="check">
                                            <input type="checkbox" name="form[show_phone]" value="true" checked=f.show_phone />
                                            {td!(i18n, coops.contact.show_phone)}
                                        </label>
                                        <label class="check">
                                            <input type="checkbox" name="form[show_zalo]" value="true" checked=f.show_zalo />
                                            {td!(i18n, coops.contact.show_zalo)}
                                        </label>
                                        <label class="check">
                                            <input type="checkbox" name="form[show_email]" value="true" checked=f.show_email />
                                            {td!(i18n, coops.contact.show_email)}
                                        </label>
                                    </fieldset>
                                    <fieldset class="form__group">
                                        <legend>{td!(i18n, coops.profile.bank_title)}</legend>
                                        <p class="field__hint">{td!(i18n, coops.profile.bank_lead)}</p>
                                        <div class="field" class:field--invalid=move || bank_error.with(Option::is_some)>
                                            <label class="field__label" for="field-form-bank_bin">{td!(i18n, coops.profile.bank)}</label>
                                            <select class="field__input" id="field-form-bank_bin" name="form[bank_bin]">
                                                <option value="">{td!(i18n, coops.profile.bank_none)}</option>
                                                {BANKS.into_iter().map(|(bin, name)| {
                                                    view! { <option value=bin selected=f.bank_bin == bin>{name}</option> }
                                                }).collect_view()}
                                            </select>
                                            {move || bank_error.get().map(|code| view! { <p class="field__error"><crate::ui::forms::FieldMessage code /></p> })}
                                        </div>
                                        <TextField field="bank_account" prefix="form" value=f.bank_account.clone() error>
                                            {td!(i18n, coops.profile.bank_account)}
                                        </TextField>
                                        <TextField field="bank_holder" prefix="form" value=f.bank_holder.clone() error
                                            hint=ViewFn::from(move || td_string!(i18n, coops.profile.bank_holder_hint))>
                                            {td!(i18n, coops.profile.bank_holder)}
                                        </TextField>
                                    </fieldset>
                                    <button class="button" type="submit" disabled=move || save.pending().get()>
                                        {td!(i18n, coops.editor.save)}
                                    </button>
                                    <SavedNote value=save.value() />
                                </ActionForm>
    }
}
