//! `/robots.txt` and `/sitemap.xml`.
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub async fn robots(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!(
            "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /lang/\n\nSitemap: {}/sitemap.xml\n",
            state.public_url
        ),
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn lastmod(unix: Option<i64>) -> Option<String> {
    unix.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok()).map(|t| t.date().to_string())
}

pub async fn sitemap(State(state): State<AppState>) -> Response {
    let entries = match app::catalog::service::sitemap_entries(&state.db).await {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "sitemap query failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "sitemap unavailable").into_response();
        }
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in ["/", "/products"] {
        xml.push_str(&format!("  <url><loc>{}{path}</loc></url>\n", xml_escape(&state.public_url)));
    }
    for entry in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&format!("{}{}", state.public_url, entry.path)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod(entry.updated_at) {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response()
}

/// `/robots.txt` and `/sitemap.xml`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/robots.txt", axum::routing::get(robots))
        .route("/sitemap.xml", axum::routing::get(sitemap))
}
