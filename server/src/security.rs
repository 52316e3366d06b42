//! Security on by default: response headers, and the Origin check that refuses cross-site
//! mutations (server functions and form posts) with 403.
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

type Headers = Stack<
    SetResponseHeaderLayer<HeaderValue>,
    Stack<SetResponseHeaderLayer<HeaderValue>, Stack<SetResponseHeaderLayer<HeaderValue>, Identity>>,
>;

pub fn headers() -> ServiceBuilder<Headers> {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// The scheme://host[:port] part of a URL.
fn origin_of(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find('/').map_or(url.len(), |i| scheme_end + i);
    Some(&url[..end])
}

/// Whether a mutating request comes from our own pages. Browsers send `Origin` on every
/// cross-site POST; when it (or else the Referer) names another site, the request is refused.
/// Requests with neither header are not from a browser page and cannot carry its cookies
/// across sites, so they pass.
pub fn is_same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    let host_origin = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(|h| h.to_owned());
    let allowed = |origin: &str| {
        origin == public_url
            || host_origin.as_deref().is_some_and(|host| {
                origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) == Some(host)
            })
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| o != "null" && allowed(o));
    }
    if let Some(referer) = headers.get(header::REFERER) {
        return referer.to_str().ok().and_then(origin_of).is_some_and(allowed);
    }
    true
}

pub async fn check_origin(State(public_url): State<String>, req: Request<Body>, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !is_same_origin(req.headers(), &public_url) {
        tracing::warn!(method = %req.method(), uri = %req.uri(), "cross-site request refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("x")));
        }
        h
    }

    #[test]
    fn same_origin_posts_pass() {
        let h = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "http://127.0.0.1:3000")]);
        assert!(is_same_origin(&h, "http://localhost:3000"));
        let h = headers(&[(header::ORIGIN, "https://ocop.example")]);
        assert!(is_same_origin(&h, "https://ocop.example"));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let h = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "https://evil.example")]);
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        let h = headers(&[(header::HOST, "127.0.0.1:3000"), (header::ORIGIN, "null")]);
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
        let h = headers(&[(header::HOST, "127.0.0.1:3000"), (header::REFERER, "https://evil.example/x")]);
        assert!(!is_same_origin(&h, "http://127.0.0.1:3000"));
    }

    #[test]
    fn referer_is_used_when_origin_is_missing() {
        let h =
            headers(&[(header::HOST, "127.0.0.1:3000"), (header::REFERER, "http://127.0.0.1:3000/products")]);
        assert!(is_same_origin(&h, "http://example.invalid"));
    }
}
