//! Property tests of the parsers that read outside input: prices, phone numbers, the checkout's
//! lines, live WebSocket frames, VietQR payloads and the search folding. Whatever arrives, they
//! never panic, and what we write they read back the same.
use app::coops::model::{parse_count, parse_vnd};
use app::live::model::{ClientFrame, Topic};
use app::orders::model::{MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_VND, normalize_mobile, parse_lines};
use app::orders::vietqr::Transfer;
use app::search::fold::{fold, slugify, tokens};
use app::ui::money::{format_vnd, group_thousands};
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
