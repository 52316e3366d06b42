//! The one way a refused plain form (sent without JavaScript) comes back, whichever server
//! function refused it: to the page it was sent from, saying why and with what was typed.
//!
//! Leptos already sends the browser back to that page (the `Referer`) with the refusal in the
//! address (`__path`, `__err`), where the page's action shows it. This layer keeps the posted
//! fields as a draft (`app::drafts`, bounded per address and in all) and adds `draft=<token>` to
//! that address; when a page is asked for with it, the fields go into the request, and the page
//! fills its fields in again from them (`app::ui::forms::Refill`). A form that succeeded leaves
//! any earlier `draft` out of the address it goes to.
use app::accounts::auth::RequestSession;
use app::clock::now_unix;
use app::db::Db;
use app::drafts::{self, Posted};
use app::ui::forms::Refill;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

/// A plain form's body is read whole before the server function runs; no larger than the body
/// limit every other request has.
const FORM_LIMIT_BYTES: usize = crate::BODY_LIMIT_BYTES;

pub async fn keep_refused_forms(State(db): State<Db>, req: Request, next: Next) -> Response {
    if req.method() == Method::GET {
        return with_refill(&db, req, next).await;
    }
    if !is_plain_form_post(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, FORM_LIMIT_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let form = parts.uri.path().to_owned();
    let ip = parts.extensions.get::<RequestSession>().map(|s| s.ip.clone()).unwrap_or_default();
    let mut response = next.run(Request::from_parts(parts, Body::from(bytes.clone()))).await;
    let Some(location) = response.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()) else {
        return response;
    };
    let refusal = param(location, "__err");
    let mut target = with_param(location, "draft", None);
    if refusal.is_some() {
        let fields = url::form_urlencoded::parse(&bytes).into_owned();
        let posted = Posted::kept(&form, fields, refusal);
        match drafts::save(&db, &posted, &ip, now_unix()).await {
            Ok(Some(token)) => target = with_param(&target, "draft", Some(&token)),
            Ok(None) => {}
            // The refusal still comes back, only without the fields.
            Err(e) => tracing::warn!(error = %e, form = %form, "could not keep a refused form's draft"),
        }
    }
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A page asked for with `draft=<token>`: the kept fields go into the request, for the page.
async fn with_refill(db: &Db, mut req: Request, next: Next) -> Response {
    if let Some(token) = req.uri().query().and_then(|q| param(q, "draft")) {
        match drafts::load(db, &token, now_unix()).await {
            Ok(Some(posted)) => {
                req.extensions_mut().insert(Refill(std::sync::Arc::new(posted.fields)));
            }
            // Expired or never there: the page comes back empty.
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read a refused form's draft"),
        }
    }
    next.run(req).await
}

/// A form posted by the browser itself (no script): a server function's form body, and a browser
/// that wants a page back.
fn is_plain_form_post(req: &Request) -> bool {
    let header_has = |name: header::HeaderName, text: &str| {
        req.headers().get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(text))
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        && header_has(header::ACCEPT, "text/html")
}

/// The value of the query parameter `name` in an address (or a bare query).
fn param(address: &str, name: &str) -> Option<String> {
    let query = address.split_once('?').map_or(address, |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// `address` with its query parameter `name` set to `value`, or left out when `value` is `None`;
/// the other parameters, their order and the fragment are kept.
fn with_param(address: &str, name: &str, value: Option<&str>) -> String {
    let (rest, fragment) = match address.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (address, None),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != name) {
        pairs.append_pair(&k, &v);
    }
    if let Some(value) = value {
        pairs.append_pair(name, value);
    }
    let query = pairs.finish();
    let mut out = path.to_owned();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_added_to_the_address_and_an_old_one_left_out() {
        let back = "http://shop.test/signup?next=%2Fcart&draft=old&__path=%2Fapi%2Fx&__err=e30";
        assert_eq!(param(back, "__err").as_deref(), Some("e30"));
        assert_eq!(param(back, "next").as_deref(), Some("/cart"));
        assert_eq!(
            with_param(back, "draft", Some("new")),
            "http://shop.test/signup?next=%2Fcart&__path=%2Fapi%2Fx&__err=e30&draft=new"
        );
        assert_eq!(with_param("/admin/users?draft=old", "draft", None), "/admin/users");
        assert_eq!(with_param("/p#form", "draft", Some("t")), "/p?draft=t#form");
        assert_eq!(with_param("/", "draft", None), "/");
    }
}
