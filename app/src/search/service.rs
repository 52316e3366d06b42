//! Full-text matching on both backends. The query is folded and split into words in Rust; each
//! word becomes a prefix term, all of them required ("chuo" finds "chuối").
use tracing::instrument;

use super::fold::tokens;
use super::model::{MAX_QUERY_CHARS, MAX_SUGGESTIONS, Suggestion};
use crate::db::{Backend, Db, Sql};
use crate::lang::Text;

/// At most this many words of a query are used.
const MAX_TERMS: usize = 8;

/// At most this many characters of a word are used.
const MAX_TERM_CHARS: usize = 40;

/// The words of a query, folded, or `None` when there is nothing to search for. Only the first
/// `MAX_QUERY_CHARS` characters are read, whoever sent the query.
pub fn terms(query: &str) -> Option<Vec<String>> {
    let cut = query.char_indices().nth(MAX_QUERY_CHARS).map_or(query.len(), |(at, _)| at);
    let mut words = tokens(&query[..cut]);
    words.truncate(MAX_TERMS);
    for word in &mut words {
        // By characters: a byte cut could split a letter (and panic).
        if let Some((at, _)) = word.char_indices().nth(MAX_TERM_CHARS) {
            word.truncate(at);
        }
    }
    (!words.is_empty()).then_some(words)
}

/// The match expression for this backend: FTS5 `"w1"* "w2"*`, or tsquery `w1:* & w2:*`.
/// Words are letters and digits only, so they cannot carry query syntax; the expression is
/// still passed as a bound value.
pub fn match_expression(backend: Backend, words: &[String]) -> String {
    match backend {
        Backend::Sqlite => words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "),
        Backend::Postgres => words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & "),
    }
}

#[derive(sqlx::FromRow)]
struct SuggestionRow {
    slug: String,
    name_vi: String,
    name_en: String,
}

/// Up to six published products matching what has been typed so far, best first.
#[instrument(skip(db))]
pub async fn suggest(db: &Db, query: &str) -> Result<Vec<Suggestion>, sqlx::Error> {
    let Some(words) = terms(query) else {
        return Ok(Vec::new());
    };
    let expr = match_expression(db.backend, &words);
    let mut sql = match db.backend {
        Backend::Sqlite => {
            // Ranking every match costs O(matches) (60 ms for a word in 16,000 of 100,000
            // products), so suggestions rank only the 30 newest matches, which FTS5 reads
            // straight off its index; spare rows cover unpublished products dropped by the join.
            let mut s = Sql::new(
                "SELECT p.slug, p.name_vi, p.name_en FROM (SELECT rowid AS id, rank FROM products_fts \
                 WHERE products_fts MATCH ",
            );
            s.bind(expr);
            s.push(
                " ORDER BY rowid DESC LIMIT 30) f CROSS JOIN products p ON p.id = f.id \
                 JOIN cooperatives c ON c.id = p.cooperative_id \
                 WHERE p.status = 'published' AND c.status = 'approved' ORDER BY f.rank LIMIT ",
            );
            s
        }
        Backend::Postgres => {
            let mut s = Sql::new(
                "SELECT p.slug, p.name_vi, p.name_en FROM products p \
                 JOIN cooperatives c ON c.id = p.cooperative_id \
                 WHERE to_tsvector('simple', p.search_text) @@ to_tsquery('simple', ",
            );
            s.bind(expr.clone());
            s.push(
                ") AND p.status = 'published' AND c.status = 'approved' \
                    ORDER BY ts_rank(to_tsvector('simple', p.search_text), to_tsquery('simple', ",
            );
            s.bind(expr);
            s.push(")) DESC, p.id LIMIT ");
            s
        }
    };
    sql.bind(MAX_SUGGESTIONS);
    let rows: Vec<SuggestionRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|r| Suggestion { slug: r.slug, name: Text::new(r.name_vi, r.name_en) }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expression_is_a_prefix_term_per_word() {
        let words = terms("Đậu  đen!").unwrap_or_default();
        assert_eq!(words, vec!["dau", "den"]);
        assert_eq!(match_expression(Backend::Sqlite, &words), "\"dau\"* \"den\"*");
        assert_eq!(match_expression(Backend::Postgres, &words), "dau:* & den:*");
    }

    #[test]
    fn a_query_of_only_punctuation_searches_nothing() {
        assert_eq!(terms(" \"*:&| "), None);
    }

    #[test]
    fn long_words_are_cut_by_characters_never_inside_one() {
        // 3-byte letters: a cut at byte 40 would fall inside the 14th.
        let words = terms(&"茶".repeat(60)).unwrap_or_default();
        assert_eq!(words, vec!["茶".repeat(MAX_TERM_CHARS)]);
        let words = terms(&format!("a{}", "ж".repeat(60))).unwrap_or_default();
        assert_eq!(words[0].chars().count(), MAX_TERM_CHARS);
    }

    #[test]
    fn only_the_first_hundred_characters_of_a_query_are_read() {
        let huge = format!("chuoi{}zzzq", " ".repeat(1_000_000));
        assert_eq!(terms(&huge), Some(vec!["chuoi".to_owned()]));
    }
}
