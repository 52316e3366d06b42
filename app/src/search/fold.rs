//! Folding: the one place text becomes searchable. Lowercase, NFD, drop combining marks, đ→d.
//! Both stored text and queries go through it, so "Đậu đen" and "dau den" meet.
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds `s` for search: "Trà Đậu Đen" → "tra dau den".
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// The text the search index is built from: both languages' names and descriptions, folded.
pub fn search_text(name_vi: &str, name_en: &str, description_vi: &str, description_en: &str) -> String {
    fold(&format!("{name_vi} {name_en} {description_vi} {description_en}"))
}

/// The words of a folded text: runs of letters and digits.
pub fn tokens(s: &str) -> Vec<String> {
    fold(s).split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// A URL slug from any text: folded, ASCII letters and digits, words joined by '-'.
pub fn slugify(s: &str) -> String {
    let folded = fold(s);
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_every_vietnamese_tone_mark() {
        // The five marked tones (sắc, huyền, hỏi, ngã, nặng) on each vowel, and the plain vowel.
        assert_eq!(fold("a á à ả ã ạ"), "a a a a a a");
        assert_eq!(fold("ă ắ ằ ẳ ẵ ặ"), "a a a a a a");
        assert_eq!(fold("â ấ ầ ẩ ẫ ậ"), "a a a a a a");
        assert_eq!(fold("e é è ẻ ẽ ẹ ê ế ề ể ễ ệ"), "e e e e e e e e e e e e");
        assert_eq!(fold("i í ì ỉ ĩ ị"), "i i i i i i");
        assert_eq!(fold("o ó ò ỏ õ ọ ô ố ồ ổ ỗ ộ ơ ớ ờ ở ỡ ợ"), "o o o o o o o o o o o o o o o o o o");
        assert_eq!(fold("u ú ù ủ ũ ụ ư ứ ừ ử ữ ự"), "u u u u u u u u u u u u");
        assert_eq!(fold("y ý ỳ ỷ ỹ ỵ"), "y y y y y y");
    }

    #[test]
    fn fold_maps_d_with_stroke_in_both_cases() {
        assert_eq!(fold("Đậu đen"), "dau den");
        assert_eq!(fold("ĐƯỜNG"), "duong");
    }

    #[test]
    fn fold_lowercases_uppercase_marked_letters() {
        assert_eq!(fold("TRÀ ỔI"), "tra oi");
        assert_eq!(fold("Bưởi Soi Hà"), "buoi soi ha");
        assert_eq!(fold("Hoa đu đủ đực"), "hoa du du duc");
    }

    #[test]
    fn fold_leaves_plain_ascii_alone() {
        assert_eq!(fold("black bean tea 2024"), "black bean tea 2024");
    }

    #[test]
    fn fold_handles_precomposed_and_decomposed_input_alike() {
        let precomposed = "Chuối sấy";
        let decomposed: String = precomposed.nfd().collect();
        assert_ne!(precomposed, decomposed);
        assert_eq!(fold(precomposed), fold(&decomposed));
        assert_eq!(fold(&decomposed), "chuoi say");
    }

    #[test]
    fn tokens_split_on_punctuation() {
        assert_eq!(tokens("Siro chanh, quất!"), vec!["siro", "chanh", "quat"]);
        assert!(tokens("  -- ").is_empty());
    }

    #[test]
    fn slugify_makes_ascii_words_joined_by_dashes() {
        assert_eq!(slugify("Trà đậu đen xanh lòng túi lọc"), "tra-dau-den-xanh-long-tui-loc");
        assert_eq!(slugify("  Rượu ngô men lá!  "), "ruou-ngo-men-la");
        assert_eq!(slugify("HTX Hữu cơ Hồng Phát"), "htx-huu-co-hong-phat");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn slugify_caps_the_length() {
        assert!(slugify(&"chuoi ".repeat(40)).len() <= 80);
        assert!(!slugify(&"chuoi ".repeat(40)).ends_with('-'));
    }
}
