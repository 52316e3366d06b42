//! Property tests of the parsers that read outside input: prices, phone numbers, the checkout's
//! lines, the product list's query string, redirect targets, CSV cells, live WebSocket frames,
//! VietQR payloads and the search folding. Whatever arrives, they never panic, and what we write they
//! read back the same.
use app::catalog::model::ProductQuery;
use app::coops::model::{parse_count, parse_vnd};
use app::live::model::{ClientFrame, Topic};
use app::orders::model::{MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_VND, normalize_mobile, parse_lines};
use app::orders::vietqr::Transfer;
use app::search::fold::{fold, slugify, tokens};
use app::ui::money::{format_vnd, group_thousands};
use app::ui::next::safe_next;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn prices_never_panic_and_read_back_as_written(text in ".{0,40}", n in 0_i64..=999_999_999_999) {
        let _ = parse_vnd(&text);
        let _ = parse_count(&text);
        prop_assert_eq!(parse_vnd(&n.to_string()), Some(n));
        prop_assert_eq!(parse_vnd(&group_thousands(n)), Some(n));
        prop_assert_eq!(parse_vnd(&format_vnd(n)), Some(n));
        prop_assert_eq!(parse_vnd(&format!("{} đ", group_thousands(n).replace('.', " "))), Some(n));
    }

    #[test]
    fn a_price_is_never_negative_or_larger_than_twelve_digits(text in "[-+0-9., ₫đVND]{0,30}") {
        if let Some(v) = parse_vnd(&text) {
            prop_assert!((0..=999_999_999_999).contains(&v));
        }
    }

    #[test]
    fn phone_numbers_never_panic_and_every_written_form_reads_as_the_national_one(
        text in "\\PC{0,30}",
        prefix in prop::sample::select(vec!["03", "05", "07", "08", "09"]),
        rest in "[0-9]{8}",
    ) {
        if let Some(national) = normalize_mobile(&text) {
            prop_assert_eq!(normalize_mobile(&national), Some(national.clone()), "idempotent");
        }
        let national = format!("{prefix}{rest}");
        let spaced = format!("{} {} {}", &national[..4], &national[4..7], &national[7..]);
        let dotted = format!("{}.{}.{}", &national[..3], &national[3..6], &national[6..]);
        let international = format!("+84 {}", &national[1..]);
        let bare = format!("84{}", &national[1..]);
        for written in [&national, &spaced, &dotted, &international, &bare] {
            prop_assert_eq!(normalize_mobile(written), Some(national.clone()), "{}", written);
        }
    }

    #[test]
    fn checkout_lines_never_panic_and_read_back_sorted_and_merged(
        text in "[-0-9:@, x]{0,80}",
        lines in prop::collection::btree_map(1_i64..1_000_000, (1_i64..=MAX_QUANTITY, 0_i64..=MAX_UNIT_PRICE_VND), 1..=MAX_LINES),
    ) {
        let _ = parse_lines(&text);
        let written = lines.iter().rev().map(|(id, (q, p))| format!("{id}:{q}@{p}")).collect::<Vec<_>>().join(",");
        let read = parse_lines(&written).expect("what we write reads");
        prop_assert_eq!(read.lines, lines.iter().map(|(id, (q, _))| (*id, *q)).collect::<Vec<_>>());
        prop_assert_eq!(read.shown, lines.iter().map(|(id, (_, p))| (*id, *p)).collect::<Vec<_>>());
    }

    #[test]
    fn live_frames_never_panic_and_every_frame_reads_back(text in "\\PC{0,200}", frame in client_frame()) {
        let _ = serde_json::from_str::<ClientFrame>(&text);
        let json = serde_json::to_string(&frame).expect("encode");
        prop_assert_eq!(serde_json::from_str::<ClientFrame>(&json).expect("decode"), frame);
    }

    #[test]
    fn vietqr_payloads_never_panic_and_a_transfer_reads_back(
        text in "[0-9A-Za-z ]{0,120}",
        bank_bin in "[0-9]{6}",
        account in "[0-9A-Z]{1,19}",
        amount in prop::option::of(1_i64..=9_999_999_999_999),
        purpose in "[A-Za-z0-9 -]{0,25}",
    ) {
        let _ = Transfer::parse(&text);
        let transfer = Transfer { bank_bin, account, amount_vnd: amount, purpose: purpose.clone() };
        let payload = transfer.payload().expect("a valid transfer encodes");
        let read = Transfer::parse(&payload).expect("reads back");
        prop_assert_eq!(read, transfer);
        // One character changed anywhere breaks the checksum or the structure, never the reader.
        let mut broken = payload.clone().into_bytes();
        let i = purpose.len() % broken.len();
        broken[i] = if broken[i] == b'1' { b'2' } else { b'1' };
        let broken = String::from_utf8(broken).expect("ascii");
        prop_assert!(Transfer::parse(&broken).is_err() || broken == payload);
    }

    #[test]
    fn folding_never_panics_is_idempotent_and_leaves_no_marks(text in "\\PC{0,80}") {
        let once = fold(&text);
        prop_assert_eq!(fold(&once), once.clone());
        prop_assert!(!once.contains('đ') && !once.contains('Đ'));
        prop_assert!(!once.chars().any(unicode_normalization::char::is_combining_mark));
        for token in tokens(&text) {
            prop_assert!(!token.is_empty() && token.chars().all(char::is_alphanumeric));
        }
        let slug = slugify(&text);
        prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
    }
}

const QUERY_KEYS: [&str; 10] =
    ["q", "group", "stars", "district", "coop", "price_min", "price_max", "sort", "page", "other"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_product_query_never_panics_stays_in_its_limits_and_reads_back_from_its_own_link(
        pairs in prop::collection::vec((prop::sample::select(QUERY_KEYS.to_vec()), "\\PC{0,300}|[0-9-]{1,25}"), 0..40),
    ) {
        let get_all = |key: &str| pairs.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        let (query, _) = ProductQuery::parse(get_all);
        prop_assert!(query.q.chars().count() <= 100);
        prop_assert!((1..=400).contains(&query.page));
        prop_assert!(query.stars.iter().all(|s| (3..=5).contains(s)));
        prop_assert!(query.groups.len() <= 20 && query.districts.len() <= 20 && query.coops.len() <= 20);
        if let (Some(lo), Some(hi)) = (query.price_min, query.price_max) {
            prop_assert!(0 <= lo && lo <= hi);
        }
        // Limiting twice changes nothing, and the canonical pairs read back as the same query.
        let (again, issues) = query.clone().limited();
        prop_assert_eq!(&again, &query);
        prop_assert!(issues.is_empty(), "{:?}", issues);
        let canonical = query.to_pairs();
        let (read, _) = ProductQuery::parse(|key: &str| {
            canonical.iter().filter(|(k, _)| *k == key).map(|(_, v)| v.clone()).collect()
        });
        prop_assert_eq!(read, query);
    }

    #[test]
    fn a_redirect_target_is_always_a_path_on_this_site(target in "\\PC{0,60}|[/\\\\%0-9a-fA-F.:@?#\t]{0,40}") {
        let next = safe_next(&target);
        prop_assert!(next == "/" || next == target);
        prop_assert!(next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\"));
        prop_assert!(next.bytes().all(|b| b.is_ascii_graphic()));
        prop_assert!(!next.contains('\\'));
        // No decoding of it (once or twice) turns it into another site either.
        let mut decoded = next.to_owned();
        for _ in 0..3 {
            decoded = percent_decode(&decoded);
            prop_assert!(!decoded.starts_with("//") && !decoded.starts_with("/\\"), "{} -> {}", next, decoded);
            prop_assert!(!decoded.chars().any(|c| c.is_ascii_control() || c == '\\'), "{} -> {:?}", next, decoded);
        }
    }

    #[test]
    fn a_plain_path_on_this_site_is_followed_as_given(path in "(/[a-z0-9_-]{1,12}){1,4}(\\?[a-z]{1,6}=[a-z0-9]{0,8})?") {
        prop_assert_eq!(safe_next(&path), path.as_str());
    }
}

proptest! {
    #[test]
    fn a_csv_cell_never_starts_a_formula_and_harmless_text_is_left_alone(text in "\\PC{0,40}|[=+@\t\r-][\\PC]{0,20}") {
        let cell = app::export::text_cell(&text);
        prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", cell);
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            prop_assert_eq!(cell.as_ref(), format!("'{text}"));
        } else {
            prop_assert_eq!(cell.as_ref(), text.as_str());
        }
    }
}

/// Percent-decoding as a browser or proxy would (lossy UTF-8), for the redirect property.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn topic() -> impl Strategy<Value = Topic> {
    prop_oneof![
        any::<i64>().prop_map(Topic::Booth),
        any::<i64>().prop_map(Topic::Fair),
        any::<i64>().prop_map(Topic::Coop),
        Just(Topic::Admin),
        any::<i64>().prop_map(Topic::Conversation),
    ]
}

fn client_frame() -> impl Strategy<Value = ClientFrame> {
    prop_oneof![
        topic().prop_map(|topic| ClientFrame::Subscribe { topic }),
        topic().prop_map(|topic| ClientFrame::Unsubscribe { topic }),
        any::<i64>().prop_map(|booth| ClientFrame::Enter { booth }),
        Just(ClientFrame::Leave),
        Just(ClientFrame::Ping),
        (any::<Option<i64>>(), any::<Option<i64>>(), prop::option::of("\\PC{0,40}"), "\\PC{0,200}").prop_map(
            |(conversation, booth, display_name, body)| ClientFrame::Say {
                conversation,
                booth,
                display_name,
                body
            }
        ),
    ]
}
