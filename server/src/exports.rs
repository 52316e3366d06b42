//! CSV downloads: a cooperative's leads (`/coop/inquiries.csv`), every cooperative's
//! (`/admin/inquiries.csv`), and the admin console's streamed exports (`/admin/export/…`).
//! Authorized from the session like every server function.
use app::accounts::auth::RequestSession;
use app::admin::export::{Export, ExportQuery};
use app::clock::now_unix;
use app::db::Db;
use app::inquiries::service::{LeadRange, Scope, csv};
use axum::body::Body;
use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

fn scope_of(session: &RequestSession, admin: bool) -> Result<Scope, StatusCode> {
    let viewer = session.viewer.as_ref().ok_or(StatusCode::UNAUTHORIZED)?;
    if admin {
        return if viewer.is_admin() { Ok(Scope::Province) } else { Err(StatusCode::FORBIDDEN) };
    }
    viewer.dashboard_cooperative().map(|m| Scope::Cooperative(m.cooperative_id)).ok_or(StatusCode::FORBIDDEN)
}

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

/// The one leads CSV (`app::inquiries::service::csv`), of the scope the session may see.
fn leads(db: Db, scope: Result<Scope, StatusCode>, disposition: &str) -> Response {
    match scope {
        Ok(scope) => csv_response(csv(db, scope, LeadRange::default()), disposition),
        Err(status) => status.into_response(),
    }
}

pub async fn coop_inquiries(State(db): State<Db>, Extension(session): Extension<RequestSession>) -> Response {
    leads(db, scope_of(&session, false), "attachment; filename=\"inquiries.csv\"")
}

pub async fn all_inquiries(State(db): State<Db>, Extension(session): Extension<RequestSession>) -> Response {
    leads(db, scope_of(&session, true), "attachment; filename=\"inquiries-province.csv\"")
}

/// `/admin/export/{orders,products,certificates,inquiries}.csv?<the page's filters>`: streamed
/// as the rows are read (see `app::admin::export`), for admins only.
pub async fn admin_export(
    State(db): State<Db>,
    Extension(session): Extension<RequestSession>,
    Path(file): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Response {
    match session.viewer.as_ref() {
        None => return StatusCode::UNAUTHORIZED.into_response(),
        Some(viewer) if !viewer.is_admin() => return StatusCode::FORBIDDEN.into_response(),
        Some(_) => {}
    }
    let Some(export) = file.strip_suffix(".csv").and_then(Export::from_name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = now_unix();
    let chunks = app::admin::export::start(db, export, query, now);
    let day = app::clock::day_date(app::clock::vietnam_day(now)).map(|d| d.to_string()).unwrap_or_default();
    csv_response(chunks, &format!("attachment; filename=\"ocop-{}-{day}.csv\"", export.name()))
}
