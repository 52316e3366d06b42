//! CSV downloads: a cooperative's leads (`/coop/inquiries.csv`) and every cooperative's
//! (`/admin/inquiries.csv`). Authorized from the session like every server function.
use app::accounts::auth::RequestSession;
use app::db::Db;
use app::inquiries::service::{Scope, csv};
use axum::extract::{Extension, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

fn scope_of(session: &RequestSession, admin: bool) -> Result<Scope, StatusCode> {
    let viewer = session.viewer.as_ref().ok_or(StatusCode::UNAUTHORIZED)?;
    if admin {
        return if viewer.is_admin() { Ok(Scope::Province) } else { Err(StatusCode::FORBIDDEN) };
    }
    viewer.dashboard_cooperative().map(|m| Scope::Cooperative(m.cooperative_id)).ok_or(StatusCode::FORBIDDEN)
}

async fn download(db: &Db, scope: Result<Scope, StatusCode>, name: &'static str) -> Response {
    let scope = match scope {
        Ok(s) => s,
        Err(status) => return status.into_response(),
    };
    match csv(db, scope).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
                (header::CONTENT_DISPOSITION, HeaderValue::from_static(name)),
                (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub async fn coop_inquiries(State(db): State<Db>, Extension(session): Extension<RequestSession>) -> Response {
    download(&db, scope_of(&session, false), "attachment; filename=\"inquiries.csv\"").await
}

pub async fn all_inquiries(State(db): State<Db>, Extension(session): Extension<RequestSession>) -> Response {
    download(&db, scope_of(&session, true), "attachment; filename=\"inquiries-province.csv\"").await
}
