//! Catalogue types shared by the server and the browser: product cards and pages, cooperatives,
//! facets, and the query-string model of the product list.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// Results per page of the product list.
pub const PER_PAGE: i64 = 24;
/// Pages past this are refused: deep OFFSETs are slow and no shopper reads that far.
pub const MAX_PAGE: i64 = 400;
/// The longest search used (the search box's own limit).
pub use crate::search::model::MAX_QUERY_CHARS;
/// At most this many values of one facet (groups, districts, cooperatives) are used.
pub const MAX_FACET_VALUES: usize = 20;
/// A facet key longer than this is no slug of ours.
const MAX_KEY_BYTES: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub slug: String,
    /// The cover photo (400 px WebP), if the cooperative has added one.
    pub photo: Option<String>,
    pub name: Text,
    pub unit: Text,
    pub price_vnd: i64,
    pub cooperative_slug: String,
    pub cooperative_name: Text,
    pub district: Option<Text>,
    pub group_slug: String,
    /// Stars of the product's current (unexpired) certificate; `None` hides the badge.
    pub stars: Option<i64>,
    pub exported_to: Option<String>,
    pub in_stock: bool,
    pub is_demo: bool,
}

/// Which OCOP council certified a product.
pub use crate::certificates::model::Council;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub stars: i64,
    pub council: Council,
    pub decision_no: String,
    pub issued_on: String,
    pub expires_on: String,
    pub expired: bool,
    pub is_demo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub product_id: i64,
    pub card: ProductCard,
    pub description: Text,
    pub group: Text,
    pub stock: i64,
    pub weight_grams: Option<i64>,
    /// The latest certificate, expired or not; the page hides the badge of an expired one.
    pub certificate: Option<Certificate>,
    /// The same product on other marketplaces.
    pub listings: Vec<crate::coops::model::ChannelListing>,
    /// Cover first.
    pub photos: Vec<crate::media::model::Photo>,
    pub related: Vec<ProductCard>,
    /// The code of the product's traceability page (`/t/<code>`) and QR code.
    pub trace_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CooperativeSummary {
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub product_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CooperativeDetail {
    pub summary: CooperativeSummary,
    pub story: Text,
    pub commune: Option<String>,
    pub is_demo: bool,
    /// The logo's address (`/media/…`), once the cooperative has uploaded one.
    pub logo_url: Option<String>,
    pub products: Vec<ProductCard>,
    /// The contacts the cooperative shows.
    pub contact: crate::coops::contact::Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductGroup {
    pub slug: String,
    pub name: Text,
    pub product_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    pub featured: Vec<ProductCard>,
    pub exported: Vec<ProductCard>,
    pub groups: Vec<ProductGroup>,
    pub cooperatives: Vec<CooperativeSummary>,
    pub product_count: i64,
}

/// One value of a facet, with how many products it would give under the other filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub key: String,
    pub label: Text,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Facets {
    pub groups: Vec<FacetValue>,
    pub stars: Vec<FacetValue>,
    pub districts: Vec<FacetValue>,
    pub cooperatives: Vec<FacetValue>,
    /// Lowest and highest price among the products the other filters give.
    pub price_range: Option<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub items: Vec<ProductCard>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub facets: Facets,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Sort {
    /// Best match for a search; without a search, featured products first, then the newest.
    #[default]
    Relevance,
    Newest,
    PriceAsc,
    PriceDesc,
    Name,
    /// Best rated first (average stars, then the number of reviews); unreviewed products last.
    Rating,
}

impl Sort {
    pub const ALL: [Sort; 6] =
        [Sort::Relevance, Sort::Newest, Sort::PriceAsc, Sort::PriceDesc, Sort::Name, Sort::Rating];

    pub fn key(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Name => "name",
            Sort::Rating => "rating",
        }
    }

    pub fn from_key(key: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A query-string value that could not be used; the page says so and carries on without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryIssue {
    PriceMin,
    PriceMax,
    PriceOrder,
    Page,
    Stars,
    Sort,
    QueryTooLong,
}

/// The product list's filters, exactly as they live in the query string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ProductQuery {
    pub q: String,
    pub groups: Vec<String>,
    pub stars: Vec<i64>,
    pub districts: Vec<String>,
    pub coops: Vec<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub sort: Sort,
    pub page: i64,
}

/// A typed amount: dots, commas, spaces and underscores are thousands separators. `None` when it
/// is not a number; `Some(None)` when empty.
fn parse_money(raw: &str) -> Option<Option<i64>> {
    let cleaned: String = raw.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '_')).collect();
    if cleaned.is_empty() {
        return Some(None);
    }
    cleaned.parse::<i64>().ok().map(Some)
}

/// Facet keys trimmed, sorted and deduplicated; empty or overlong ones dropped, and at most
/// `MAX_FACET_VALUES` kept, so a query (and the page cache's key) stays small.
fn clean_keys(values: Vec<String>) -> Vec<String> {
    let mut keys: Vec<String> = values
        .into_iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= MAX_KEY_BYTES)
        .collect();
    keys.sort();
    keys.dedup();
    keys.truncate(MAX_FACET_VALUES);
    keys
}

impl ProductQuery {
    /// Reads the query string through `get_all` (all values of one key), then applies the
    /// limits of [`ProductQuery::limited`]. Bad values are dropped and reported, never fatal:
    /// `price_min=abc` or `page=-1` still gives a page.
    pub fn parse(get_all: impl Fn(&str) -> Vec<String>) -> (ProductQuery, Vec<QueryIssue>) {
        let first = |key: &str| get_all(key).into_iter().next().unwrap_or_default();
        let mut issues = Vec::new();
        let mut stars = Vec::new();
        for raw in get_all("stars") {
            match raw.trim().parse::<i64>() {
                Ok(s) => stars.push(s),
                Err(_) => issues.push(QueryIssue::Stars),
            }
        }
        let mut money = |key: &str, issue: QueryIssue| match parse_money(first(key).trim()) {
            Some(v) => v,
            None => {
                issues.push(issue);
                None
            }
        };
        let price_min = money("price_min", QueryIssue::PriceMin);
        let price_max = money("price_max", QueryIssue::PriceMax);
        let sort_raw = first("sort");
        let sort = if sort_raw.trim().is_empty() {
            Sort::default()
        } else {
            Sort::from_key(sort_raw.trim()).unwrap_or_else(|| {
                issues.push(QueryIssue::Sort);
                Sort::default()
            })
        };
        let page_raw = first("page");
        let page = if page_raw.trim().is_empty() {
            1
        } else {
            page_raw.trim().parse::<i64>().unwrap_or_else(|_| {
                issues.push(QueryIssue::Page);
                1
            })
        };
        let read = ProductQuery {
            q: first("q"),
            groups: get_all("group"),
            stars,
            districts: get_all("district"),
            coops: get_all("coop"),
            price_min,
            price_max,
            sort,
            page,
        };
        let (query, out_of_bounds) = read.limited();
        issues.extend(out_of_bounds);
        (query, issues)
    }

    /// The one set of limits on a product-list query, whichever way it arrived (the page's query
    /// string through `parse`, or the JSON list endpoint): the search cut to
    /// `MAX_QUERY_CHARS`, stars 3 to 5, facet keys cleaned and capped, prices not negative and
    /// in order, the page within `1..=MAX_PAGE` (else the first). Values outside are dropped or
    /// corrected and reported. Idempotent: a limited query passes unchanged.
    pub fn limited(self) -> (ProductQuery, Vec<QueryIssue>) {
        let mut issues = Vec::new();
        let mut q = self.q.trim();
        if q.chars().count() > MAX_QUERY_CHARS {
            let cut = q.char_indices().nth(MAX_QUERY_CHARS).map_or(q.len(), |(at, _)| at);
            q = q[..cut].trim_end();
            issues.push(QueryIssue::QueryTooLong);
        }
        let mut stars = Vec::new();
        for s in self.stars {
            if (3..=5).contains(&s) {
                stars.push(s);
            } else {
                issues.push(QueryIssue::Stars);
            }
        }
        stars.sort_unstable();
        stars.dedup();
        let mut not_negative = |price: Option<i64>, issue: QueryIssue| match price {
            Some(v) if v < 0 => {
                issues.push(issue);
                None
            }
            other => other,
        };
        let mut price_min = not_negative(self.price_min, QueryIssue::PriceMin);
        let mut price_max = not_negative(self.price_max, QueryIssue::PriceMax);
        if let (Some(lo), Some(hi)) = (price_min, price_max)
            && lo > hi
        {
            issues.push(QueryIssue::PriceOrder);
            price_min = Some(hi);
            price_max = Some(lo);
        }
        let page = if (1..=MAX_PAGE).contains(&self.page) {
            self.page
        } else {
            issues.push(QueryIssue::Page);
            1
        };
        let query = ProductQuery {
            q: q.to_owned(),
            groups: clean_keys(self.groups),
            stars,
            districts: clean_keys(self.districts),
            coops: clean_keys(self.coops),
            price_min,
            price_max,
            sort: self.sort,
            page,
        };
        (query, issues)
    }

    /// The pairs of the canonical query string, in a fixed order; defaults are left out.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        pairs.extend(self.groups.iter().map(|g| ("group", g.clone())));
        pairs.extend(self.stars.iter().map(|s| ("stars", s.to_string())));
        pairs.extend(self.districts.iter().map(|d| ("district", d.clone())));
        pairs.extend(self.coops.iter().map(|c| ("coop", c.clone())));
        if let Some(v) = self.price_min {
            pairs.push(("price_min", v.to_string()));
        }
        if let Some(v) = self.price_max {
            pairs.push(("price_max", v.to_string()));
        }
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.key().to_owned()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        pairs
    }

    /// `/products?…` for this query.
    pub fn href(&self) -> String {
        let pairs = self.to_pairs();
        if pairs.is_empty() {
            return "/products".to_owned();
        }
        let qs: Vec<String> =
            pairs.iter().map(|(k, v)| format!("{k}={}", leptos_router::location::Url::escape(v))).collect();
        format!("/products?{}", qs.join("&"))
    }

    pub fn with_page(&self, page: i64) -> ProductQuery {
        ProductQuery { page, ..self.clone() }
    }

    pub fn has_filters(&self) -> bool {
        !self.q.is_empty()
            || !self.groups.is_empty()
            || !self.stars.is_empty()
            || !self.districts.is_empty()
            || !self.coops.is_empty()
            || self.price_min.is_some()
            || self.price_max.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(qs: &[(&str, &str)]) -> (ProductQuery, Vec<QueryIssue>) {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in qs {
            map.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        ProductQuery::parse(|k| map.get(k).cloned().unwrap_or_default())
    }

    #[test]
    fn an_empty_query_string_gives_the_defaults() {
        let (q, issues) = parse(&[]);
        assert_eq!(q, ProductQuery { page: 1, ..Default::default() });
        assert!(issues.is_empty());
    }

    #[test]
    fn repeated_keys_become_lists_sorted_and_deduplicated() {
        let (q, issues) = parse(&[
            ("stars", "5"),
            ("stars", "4"),
            ("stars", "4"),
            ("district", "na-hang"),
            ("district", "yen-son"),
            ("group", "beverages"),
        ]);
        assert_eq!(q.stars, vec![4, 5]);
        assert_eq!(q.districts, vec!["na-hang", "yen-son"]);
        assert_eq!(q.groups, vec!["beverages"]);
        assert!(issues.is_empty());
    }

    #[test]
    fn non_numeric_price_is_ignored_and_reported() {
        let (q, issues) = parse(&[("price_min", "abc"), ("price_max", "120.000")]);
        assert_eq!(q.price_min, None);
        assert_eq!(q.price_max, Some(120_000));
        assert_eq!(issues, vec![QueryIssue::PriceMin]);
    }

    #[test]
    fn negative_or_huge_page_falls_back_to_the_first_page() {
        for bad in ["-1", "0", "abc", "999999999999999999999"] {
            let (q, issues) = parse(&[("page", bad)]);
            assert_eq!(q.page, 1, "page={bad}");
            assert_eq!(issues, vec![QueryIssue::Page], "page={bad}");
        }
    }

    #[test]
    fn stars_outside_three_to_five_are_dropped() {
        let (q, issues) = parse(&[("stars", "2"), ("stars", "4"), ("stars", "x")]);
        assert_eq!(q.stars, vec![4]);
        assert_eq!(issues, vec![QueryIssue::Stars, QueryIssue::Stars]);
    }

    #[test]
    fn swapped_price_bounds_are_put_in_order() {
        let (q, issues) = parse(&[("price_min", "90000"), ("price_max", "10000")]);
        assert_eq!((q.price_min, q.price_max), (Some(10_000), Some(90_000)));
        assert_eq!(issues, vec![QueryIssue::PriceOrder]);
    }

    #[test]
    fn unknown_sort_falls_back_to_relevance() {
        let (q, issues) = parse(&[("sort", "cheapest")]);
        assert_eq!(q.sort, Sort::Relevance);
        assert_eq!(issues, vec![QueryIssue::Sort]);
        let (q, _) = parse(&[("sort", "price_desc")]);
        assert_eq!(q.sort, Sort::PriceDesc);
    }

    #[test]
    fn overlong_search_is_cut_to_the_limit() {
        let long = "a".repeat(MAX_QUERY_CHARS + 20);
        let (q, issues) = parse(&[("q", &long)]);
        assert_eq!(q.q.chars().count(), MAX_QUERY_CHARS);
        assert_eq!(issues, vec![QueryIssue::QueryTooLong]);
    }

    #[test]
    fn a_query_sent_as_json_gets_the_same_limits_as_the_query_string() {
        let sent = ProductQuery {
            q: format!("  chuoi{}zzzq", " ".repeat(1_000_000)),
            groups: (0..1000).map(|i| format!("g{i}")).chain(["x".repeat(500)]).collect(),
            stars: vec![9, 4, 4, -1],
            districts: vec![String::new(), " yen-son ".to_owned()],
            coops: Vec::new(),
            price_min: Some(-5),
            price_max: Some(i64::MAX),
            sort: Sort::Name,
            page: i64::MAX,
        };
        let (q, issues) = sent.limited();
        assert_eq!(q.q, "chuoi");
        assert_eq!(q.groups.len(), MAX_FACET_VALUES);
        assert!(q.groups.iter().all(|g| g.len() <= 80));
        assert_eq!(q.stars, vec![4]);
        assert_eq!(q.districts, vec!["yen-son"]);
        assert_eq!((q.price_min, q.price_max), (None, Some(i64::MAX)));
        assert_eq!(q.page, 1);
        for issue in [QueryIssue::QueryTooLong, QueryIssue::Stars, QueryIssue::PriceMin, QueryIssue::Page] {
            assert!(issues.contains(&issue), "{issue:?} in {issues:?}");
        }
        let (again, none) = q.clone().limited();
        assert_eq!((again, none), (q, Vec::new()), "limits are idempotent");
        for page in [i64::MIN, -1, 0, MAX_PAGE + 1] {
            assert_eq!(ProductQuery { page, ..Default::default() }.limited().0.page, 1, "page {page}");
        }
    }

    #[test]
    fn href_round_trips_through_parse() {
        let (q, _) = parse(&[
            ("q", "trà ổi"),
            ("stars", "4"),
            ("district", "yen-son"),
            ("price_min", "10000"),
            ("sort", "name"),
            ("page", "2"),
        ]);
        let href = q.href();
        assert!(href.starts_with("/products?q="), "{href}");
        let pairs: Vec<(String, String)> = href["/products?".len()..]
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), leptos_router::location::Url::unescape(v)))
            .collect();
        let (again, issues) =
            ProductQuery::parse(|k| pairs.iter().filter(|(pk, _)| pk == k).map(|(_, v)| v.clone()).collect());
        assert_eq!(again, q);
        assert!(issues.is_empty());
        assert!(!q.with_page(1).href().contains("page="));
    }
}
