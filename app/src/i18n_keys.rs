//! A test that both locale files carry the same keys with the same placeholders, so no string
//! of the interface exists in only one language.
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    flatten(&key, v, out);
                }
            }
            Value::String(s) => {
                out.insert(prefix.to_owned(), s.clone());
            }
            other => panic!("{prefix}: only strings and objects are expected, found {other}"),
        }
    }

    fn locale(json: &str) -> BTreeMap<String, String> {
        let value: Value = serde_json::from_str(json).expect("locale file is JSON");
        let mut out = BTreeMap::new();
        flatten("", &value, &mut out);
        out
    }

    fn placeholders(s: &str) -> Vec<String> {
        let mut names: Vec<String> = s
            .split("{{")
            .skip(1)
            .filter_map(|rest| rest.split_once("}}").map(|(name, _)| name.trim().to_owned()))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_key_is_in_both_locales_with_the_same_placeholders() {
        let vi = locale(include_str!("../locales/vi.json"));
        let en = locale(include_str!("../locales/en.json"));
        let only_vi: Vec<_> = vi.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !vi.contains_key(*k)).collect();
        assert!(only_vi.is_empty(), "missing in en.json: {only_vi:?}");
        assert!(only_en.is_empty(), "missing in vi.json: {only_en:?}");
        for (key, text) in &vi {
            assert!(!text.trim().is_empty(), "vi {key} is empty");
            assert!(!en[key].trim().is_empty(), "en {key} is empty");
            assert_eq!(placeholders(text), placeholders(&en[key]), "placeholders of {key} differ");
        }
    }

    #[test]
    fn placeholders_are_read_from_double_braces() {
        assert_eq!(placeholders("Trang {{ page }}/{{ pages }}"), vec!["page", "pages"]);
        assert!(placeholders("no placeholder").is_empty());
    }
}
