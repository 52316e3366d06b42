//! Where a redirect taken from the request may send the browser: the one rule for every `next`,
//! `back` or similar target (login, the language switch, forms).
//!
//! Browsers are lenient with `Location`: they drop tabs and newlines, read `\` as `/`, and some
//! proxies decode `%2F` or `%09` once more before the browser sees the address. So a target is
//! followed only when it is a plain path on this site in every reading: raw and percent-decoded
//! (repeatedly, for double encoding), it starts with one `/` followed by neither `/` nor `\`, and
//! holds no control character and no backslash. Raw, it is visible ASCII only (anything else
//! could not be a header value anyway).

/// The longest target followed; longer ones are no page this site links to.
const MAX_LEN: usize = 1024;

/// How many rounds of percent-decoding are looked through before a target is refused as too
/// deeply encoded to be an honest link.
const MAX_DECODE_ROUNDS: usize = 4;

/// `next` when it is a path on this site (see the module), else `/`.
pub fn safe_next(next: &str) -> &str {
    local_path(next).unwrap_or("/")
}

/// `next` when it is a path on this site, else `None` (for callers with their own fallback).
pub fn local_path(next: &str) -> Option<&str> {
    let raw = next.as_bytes();
    if raw.len() > MAX_LEN || !is_local(raw) || !raw.iter().all(u8::is_ascii_graphic) {
        return None;
    }
    let mut current = raw.to_vec();
    for _ in 0..MAX_DECODE_ROUNDS {
        let decoded = percent_decode(&current);
        if decoded == current {
            return Some(next);
        }
        // Decoded, a path may hold spaces and UTF-8 (`%20`, `%C3%A0`), but still no control
        // character, no backslash, and no second separator at its start.
        if !is_local(&decoded) {
            return None;
        }
        current = decoded;
    }
    None
}

/// One `/`, not followed by another separator, and no control character or backslash after.
fn is_local(path: &[u8]) -> bool {
    match path {
        [b'/', b'/' | b'\\', ..] => false,
        [b'/', rest @ ..] => rest.iter().all(|&b| !b.is_ascii_control() && b != b'\\'),
        _ => false,
    }
}

/// `%XX` decoded to its byte; a `%` not followed by two hex digits stays as it is.
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let escaped = match (input.get(i), input.get(i + 1), input.get(i + 2)) {
            (Some(b'%'), Some(&hi), Some(&lo)) => hex(hi).zip(hex(lo)).map(|(hi, lo)| (hi << 4) | lo),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(input[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::{local_path, safe_next};

    #[test]
    fn local_paths_are_followed_as_given() {
        for path in [
            "/",
            "/products?q=tra&stars=4",
            "/coop/products/12#photos",
            "/products?q=tr%C3%A0",
            "/products?q=tra%20o",
            "/a%2Fb",
            "/100%",
            "/p?x=%zz",
            "/account",
        ] {
            assert_eq!(safe_next(path), path, "{path:?}");
        }
    }

    #[test]
    fn nasty_redirect_targets_fall_back_to_the_home_page() {
        for nasty in [
            "",
            "coop",
            "https://evil.example/",
            "HTTPS://evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "\\/evil.example",
            "/a\\b",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/x\u{0}",
            "/x\u{7f}",
            " /x",
            "/a b",
            "/ä",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0ASet-Cookie:x=1",
            "/%00",
            "/%7f",
            "/%2F/evil.example",
            "/%2f/evil.example",
            "/%5C/evil.example",
            "/%5cevil.example",
            "%2F%2Fevil.example",
            "/%252F/evil.example",
            "/%25252F/evil.example",
            "/%2509/evil.example",
            "/%25%32%46/evil.example",
            "/%2525252525252F",
        ] {
            assert_eq!(safe_next(nasty), "/", "{nasty:?}");
            assert_eq!(local_path(nasty), None, "{nasty:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(2000))), "/");
    }

    #[test]
    fn decoding_never_panics_on_a_trailing_percent() {
        for odd in ["/%", "/%2", "/x%", "/%%", "/%%%2F"] {
            assert_eq!(safe_next(odd), odd);
        }
    }
}
