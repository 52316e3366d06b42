//! CSV downloads: a cooperative's leads (`/coop/inquiries.csv`), every cooperative's
//! (`/admin/inquiries.csv`), and the admin console's streamed exports (`/admin/export/…`).
//! Authorized from the session like every server function.
use app::accounts::auth::{Admin, Member};
use app::admin::export::{Export, ExportQuery};
use app::clock::now_unix;
use app::db::Db;
use app::inquiries::service::{LeadRange, Scope, csv};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// A CSV download of `chunks` as they come, under the file name `disposition`.
fn csv_response(chunks: tokio::sync::mpsc::Receiver<axum::body::Bytes>, disposition: &str) -> Response {
    // Fused: the compression layer may poll once more after the end.
    let stream = futures::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), chunks))
    });
    let mut response = Body::from_stream(futures::StreamExt::fuse(stream)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(value) = HeaderValue::from_str(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The one leads CSV (`app::inquiries::service::csv`) of `scope`.
fn leads(db: Db, scope: Scope, disposition: &str) -> Response {
    csv_response(csv(db, scope, LeadRange::default()), disposition)
}

/// The member's cooperative's leads.
pub async fn coop_inquiries(State(db): State<Db>, Member(_, membership): Member) -> Response {
    leads(db, Scope::Cooperative(membership.cooperative_id), "attachment; filename=\"inquiries.csv\"")
}

/// Every lead in the province (admins).
pub async fn all_inquiries(State(db): State<Db>, _: Admin) -> Response {
    leads(db, Scope::Province, "attachment; filename=\"inquiries-province.csv\"")
}

/// `/admin/export/{orders,products,certificates,inquiries}.csv?<the page's filters>`: streamed
/// as the rows are read (see `app::admin::export`), for admins only.
pub async fn admin_export(
    State(db): State<Db>,
    _: Admin,
    Path(file): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let Some(export) = file.strip_suffix(".csv").and_then(Export::from_name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = now_unix();
    let chunks = app::admin::export::start(db, export, query, now);
    let day = app::clock::day_date(app::clock::vietnam_day(now)).map(|d| d.to_string()).unwrap_or_default();
    csv_response(chunks, &format!("attachment; filename=\"ocop-{}-{day}.csv\"", export.name()))
}

/// The CSV downloads: the cooperative's leads, the province's, and the admin console's exports.
pub fn routes(db: &Db) -> axum::Router<crate::AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/coop/inquiries.csv", get(coop_inquiries).with_state(db.clone()))
        .route("/admin/inquiries.csv", get(all_inquiries).with_state(db.clone()))
        .route("/admin/export/{file}", get(admin_export).with_state(db.clone()))
}
