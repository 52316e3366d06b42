//! Security on by default: response headers (a Content-Security-Policy with a script nonce per
//! page among them), and the Origin check that refuses cross-site mutations (server functions
//! and form posts) with 403.
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_http::set_header::SetResponseHeaderLayer;

type Header = SetResponseHeaderLayer<HeaderValue>;
type Headers = Stack<Header, Stack<Header, Stack<Header, Stack<Header, Stack<Header, Identity>>>>>;

/// Powerful features no page of the shop uses, off for the pages and anything they embed.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

pub fn headers() -> ServiceBuilder<Headers> {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ))
        // A page opened from another site (or opening one) gets no handle on this one's window.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
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

/// The policy of the app's pages. Scripts run only from this origin (the WASM's JS glue) or
/// inline with this response's `nonce` (Leptos's hydration and resource scripts), and never from
/// an attribute (`onclick`); `'wasm-unsafe-eval'` lets the WASM compile. Styles come only from
/// the stylesheet, never inline. `connect-src 'self'` covers the live WebSocket at `/live`
/// (CSP 3 matches ws:/wss: on the same host). No plugins, no `<base>` elsewhere, forms post
/// only here, and no other site may frame a page.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Every other response (JSON, SVG, images, files): nothing to load, and no framing, should one
/// be opened as a document.
const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Makes the nonce of this response, hands it to the renderer (in the request's extensions,
/// where the app's context picks it up for Leptos's scripts) and names it in the page's policy.
/// A handler that sets a policy of its own (the plain traceability documents) keeps it.
pub async fn content_security_policy(mut req: Request<Body>, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    if !res.headers().contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let policy = if html {
            HeaderValue::from_str(&page_policy(&nonce)).ok()
        } else {
            Some(HeaderValue::from_static(RESOURCE_POLICY))
        };
        if let Some(policy) = policy {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    res
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
