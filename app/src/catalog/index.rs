//! The list index: every visible product's facet and ordering columns, held in memory, so the
//! product list takes its total, facets and page from a pass over plain structs instead of six
//! aggregates over a materialized join. The full-text match still runs in the database (FTS5 or
//! the tsvector index); only the ids of the matches come back.
//!
//! The index follows the database through `catalog_version`, a counter that triggers bump on
//! every change to what the list reads (products, certificates, cooperatives). Each list read
//! compares it with the snapshot's and rebuilds when they differ, so a write through any path,
//! on any instance, is seen by the next list read.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::model::{PER_PAGE, ProductQuery, Sort};
use crate::db::{Db, Sql};
use crate::lang::Lang;
use crate::search::service::match_expression;

/// One visible product, as the list needs it.
#[derive(Debug, Clone)]
struct Entry {
    id: i64,
    group_id: i64,
    district_id: Option<i64>,
    coop_id: i64,
    price_vnd: i64,
    created_at: i64,
    featured: bool,
    /// Average review stars in hundredths (0 without reviews), and the number of reviews.
    rating_x100: i64,
    rating_count: i64,
    /// Every certificate: (stars, expires_on as YYYY-MM-DD). Stars count while unexpired.
    certificates: Vec<(i64, Box<str>)>,
    /// Both names, folded ("tra oi guava tea"), for ranking name matches first.
    names: Box<str>,
    /// The position in name order (`sort_name`, then id), per language.
    name_order: [u32; 2],
}

impl Entry {
    fn stars(&self, today: &str) -> Option<i64> {
        self.certificates.iter().filter(|(_, expires)| &**expires >= today).map(|(s, _)| *s).max()
    }

    /// How many of the words start a word of the product's names.
    fn name_hits(&self, words: &[String]) -> usize {
        words
            .iter()
            .filter(|w| self.names.split(|c: char| !c.is_alphanumeric()).any(|t| t.starts_with(w.as_str())))
            .count()
    }
}

/// The catalogue as of one `catalog_version`.
#[derive(Debug, Default)]
struct Snapshot {
    version: i64,
    entries: Vec<Entry>,
    /// Product id → position in `entries` (`NONE` for ids not in the list): a plain array, as
    /// ids are dense, so a broad search maps its matches without hashing.
    slots: Vec<u32>,
    groups: HashMap<String, i64>,
    districts: HashMap<String, i64>,
    coops: HashMap<String, i64>,
}

const NONE: u32 = u32::MAX;

/// Counts per id, in an array indexed by id (facet values have small, dense ids).
#[derive(Default)]
struct Counter(Vec<i64>);

impl Counter {
    fn add(&mut self, id: i64) {
        let Ok(i) = usize::try_from(id) else { return };
        if i >= self.0.len() {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
    }

    fn into_map(self) -> HashMap<i64, i64> {
        self.0.into_iter().enumerate().filter(|&(_, n)| n > 0).map(|(id, n)| (id as i64, n)).collect()
    }
}

/// The shared, self-refreshing index. Cloning shares it.
#[derive(Clone, Default)]
pub struct ListIndex {
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
    rebuild: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for ListIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListIndex")
    }
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    group_id: i64,
    district_id: Option<i64>,
    coop_id: i64,
    price_vnd: i64,
    created_at: i64,
    featured: i64,
    rating_count: i64,
    rating_sum: i64,
    sort_name_vi: String,
    sort_name_en: String,
}

#[derive(sqlx::FromRow)]
struct CertificateRow {
    product_id: i64,
    stars: i64,
    expires_on: String,
}

#[derive(sqlx::FromRow)]
struct SlugRow {
    id: i64,
    slug: String,
}

/// The filters a product passes, one bit each; a facet counts the products that pass every
/// filter but its own.
const GROUP: u8 = 1;
const STARS: u8 = 2;
const DISTRICT: u8 = 4;
const COOP: u8 = 8;
const PRICE: u8 = 16;
const ALL: u8 = GROUP | STARS | DISTRICT | COOP | PRICE;

/// What the list statement gives, computed from the index: the page's ids in order, the total,
/// each facet's counts and the price range.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub ids: Vec<i64>,
    pub total: i64,
    pub groups: HashMap<i64, i64>,
    pub districts: HashMap<i64, i64>,
    pub coops: HashMap<i64, i64>,
    pub stars: HashMap<i64, i64>,
    pub price_range: Option<(i64, i64)>,
}

impl ListIndex {
    async fn version(db: &Db) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT version FROM catalog_version WHERE id = 1").fetch_one(&db.pool).await
    }

    /// The snapshot for the database's current version, rebuilt first if the catalogue changed.
    async fn snapshot(&self, db: &Db) -> Result<Arc<Snapshot>, sqlx::Error> {
        let version = Self::version(db).await?;
        let fresh = |index: &ListIndex| {
            let current = index.current.read().unwrap_or_else(|e| e.into_inner()).clone();
            current.filter(|s| s.version == version)
        };
        if let Some(snapshot) = fresh(self) {
            return Ok(snapshot);
        }
        // One rebuild at a time; whoever waited for it uses its result.
        let _guard = self.rebuild.lock().await;
        if let Some(snapshot) = fresh(self) {
            return Ok(snapshot);
        }
        // The version is read before the rows, so rows newer than it only cause one more rebuild.
        let version = Self::version(db).await?;
        let snapshot = Arc::new(load(db, version).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// The page, total and facets of the list for `query`; `words` are the folded search words.
    pub async fn list(
        &self,
        db: &Db,
        query: &ProductQuery,
        words: Option<&[String]>,
        lang: Lang,
        today: &str,
        page: i64,
    ) -> Result<Listing, sqlx::Error> {
        let snapshot = self.snapshot(db).await?;
        let matches = match words {
            Some(words) => Some(matching_ids(db, words).await?),
            None => None,
        };
        Ok(snapshot.list(query, matches.as_deref(), words.unwrap_or_default(), lang, today, page))
    }
}

/// The ids of every product whose text matches all the words, in one row.
async fn matching_ids(db: &Db, words: &[String]) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = match db.backend {
        crate::db::Backend::Sqlite => {
            Sql::new("SELECT COALESCE(group_concat(rowid), '') FROM products_fts WHERE products_fts MATCH ")
        }
        crate::db::Backend::Postgres => Sql::new(
            "SELECT COALESCE(string_agg(id::text, ','), '') FROM products \
             WHERE to_tsvector('simple', search_text) @@ to_tsquery('simple', ",
        ),
    };
    sql.bind(match_expression(db.backend, words));
    if db.backend == crate::db::Backend::Postgres {
        sql.push(")");
    }
    let ids: String = sql.query_scalar()?.fetch_one(&db.pool).await?;
    Ok(ids.split(',').filter_map(|id| id.parse().ok()).collect())
}

async fn load(db: &Db, version: i64) -> Result<Snapshot, sqlx::Error> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT p.id, p.group_id, c.district_id, p.cooperative_id AS coop_id, p.price_vnd, p.created_at, \
         p.featured, p.rating_count, p.rating_sum, p.sort_name_vi, p.sort_name_en FROM products p \
         JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status = 'published' AND c.status = 'approved' ORDER BY p.id",
    )
    .fetch_all(&db.pool)
    .await?;
    let certificates: Vec<CertificateRow> =
        sqlx::query_as("SELECT product_id, stars, expires_on FROM certificates").fetch_all(&db.pool).await?;
    let slugs = |sql: &'static str| async move {
        let rows: Vec<SlugRow> = sqlx::query_as(sql).fetch_all(&db.pool).await?;
        Ok::<_, sqlx::Error>(rows.into_iter().map(|r| (r.slug, r.id)).collect::<HashMap<_, _>>())
    };

    let mut order_vi: Vec<(usize, &str, i64)> =
        rows.iter().enumerate().map(|(i, r)| (i, r.sort_name_vi.as_str(), r.id)).collect();
    let mut order_en: Vec<(usize, &str, i64)> =
        rows.iter().enumerate().map(|(i, r)| (i, r.sort_name_en.as_str(), r.id)).collect();
    order_vi.sort_unstable_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    order_en.sort_unstable_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)));
    let mut name_order = vec![[0u32; 2]; rows.len()];
    for (position, (i, _, _)) in order_vi.into_iter().enumerate() {
        name_order[i][0] = position as u32;
    }
    for (position, (i, _, _)) in order_en.into_iter().enumerate() {
        name_order[i][1] = position as u32;
    }

    let mut entries: Vec<Entry> = rows
        .into_iter()
        .zip(name_order)
        .map(|(r, name_order)| Entry {
            id: r.id,
            group_id: r.group_id,
            district_id: r.district_id,
            coop_id: r.coop_id,
            price_vnd: r.price_vnd,
            created_at: r.created_at,
            featured: r.featured != 0,
            rating_x100: if r.rating_count > 0 { r.rating_sum * 100 / r.rating_count } else { 0 },
            rating_count: r.rating_count,
            certificates: Vec::new(),
            names: format!("{} {}", r.sort_name_vi, r.sort_name_en).into_boxed_str(),
            name_order,
        })
        .collect();
    let max_id = entries.iter().map(|e| e.id).max().unwrap_or(0);
    let mut slots = vec![NONE; usize::try_from(max_id).unwrap_or(0) + 1];
    for (i, e) in entries.iter().enumerate() {
        if let Ok(id) = usize::try_from(e.id) {
            slots[id] = i as u32;
        }
    }
    for c in certificates {
        if let Some(&i) = usize::try_from(c.product_id).ok().and_then(|id| slots.get(id))
            && i != NONE
        {
            entries[i as usize].certificates.push((c.stars, c.expires_on.into_boxed_str()));
        }
    }
    Ok(Snapshot {
        version,
        entries,
        slots,
        groups: slugs("SELECT id, slug FROM product_groups").await?,
        districts: slugs("SELECT id, slug FROM districts").await?,
        coops: slugs("SELECT id, slug FROM cooperatives").await?,
    })
}

/// A filter on ids given by slugs: `None` when the query does not filter on it. Unknown slugs
/// match nothing, as `IN (SELECT id … WHERE slug IN (…))` would.
fn ids_for(slugs: &[String], known: &HashMap<String, i64>) -> Option<Vec<i64>> {
    (!slugs.is_empty()).then(|| slugs.iter().filter_map(|s| known.get(s).copied()).collect())
}

impl Snapshot {
    fn list(
        &self,
        query: &ProductQuery,
        matches: Option<&[i64]>,
        words: &[String],
        lang: Lang,
        today: &str,
        page: i64,
    ) -> Listing {
        let groups = ids_for(&query.groups, &self.groups);
        let districts = ids_for(&query.districts, &self.districts);
        let coops = ids_for(&query.coops, &self.coops);
        let passes = |e: &Entry, stars: Option<i64>| -> u8 {
            let mut bits = 0;
            if groups.as_ref().is_none_or(|ids| ids.contains(&e.group_id)) {
                bits |= GROUP;
            }
            if query.stars.is_empty() || stars.is_some_and(|s| query.stars.contains(&s)) {
                bits |= STARS;
            }
            if districts.as_ref().is_none_or(|ids| e.district_id.is_some_and(|d| ids.contains(&d))) {
                bits |= DISTRICT;
            }
            if coops.as_ref().is_none_or(|ids| ids.contains(&e.coop_id)) {
                bits |= COOP;
            }
            if query.price_min.is_none_or(|min| e.price_vnd >= min)
                && query.price_max.is_none_or(|max| e.price_vnd <= max)
            {
                bits |= PRICE;
            }
            bits
        };

        let (mut groups_n, mut stars_n, mut districts_n, mut coops_n) =
            (Counter::default(), Counter::default(), Counter::default(), Counter::default());
        let mut price_range: Option<(i64, i64)> = None;
        let lang_slot = match lang {
            Lang::Vi => 0,
            Lang::En => 1,
        };
        let searching = matches.is_some();
        // The shown products with their order key, computed once each.
        let key = |e: &Entry| -> (i64, i64, i64) {
            match (query.sort, searching) {
                // Relevance while searching: products naming more of the words first, then
                // featured ones.
                (Sort::Relevance, true) => (-(e.name_hits(words) as i64), -i64::from(e.featured), e.id),
                (Sort::Relevance, false) => (-i64::from(e.featured), -e.created_at, -e.id),
                (Sort::Newest, _) => (-e.created_at, -e.id, 0),
                (Sort::PriceAsc, _) => (e.price_vnd, e.id, 0),
                (Sort::PriceDesc, _) => (-e.price_vnd, -e.id, 0),
                (Sort::Name, _) => (i64::from(e.name_order[lang_slot]), 0, 0),
                (Sort::Rating, _) => (-e.rating_x100, -e.rating_count, e.id),
            }
        };
        let mut shown: Vec<((i64, i64, i64), i64)> = Vec::new();
        let mut visit = |e: &Entry| {
            let stars = e.stars(today);
            let bits = passes(e, stars);
            let all_but = |own: u8| bits | own == ALL;
            if all_but(GROUP) {
                groups_n.add(e.group_id);
            }
            if all_but(STARS)
                && let Some(s) = stars
            {
                stars_n.add(s);
            }
            if all_but(DISTRICT)
                && let Some(d) = e.district_id
            {
                districts_n.add(d);
            }
            if all_but(COOP) {
                coops_n.add(e.coop_id);
            }
            if all_but(PRICE) {
                price_range = Some(match price_range {
                    Some((lo, hi)) => (lo.min(e.price_vnd), hi.max(e.price_vnd)),
                    None => (e.price_vnd, e.price_vnd),
                });
            }
            if bits == ALL {
                shown.push((key(e), e.id));
            }
        };
        match matches {
            Some(ids) => {
                for &id in ids {
                    if let Some(&i) = usize::try_from(id).ok().and_then(|id| self.slots.get(id))
                        && i != NONE
                    {
                        visit(&self.entries[i as usize]);
                    }
                }
            }
            None => self.entries.iter().for_each(&mut visit),
        }

        let total = shown.len();
        // Checked: a page number from outside must not overflow (a panic in debug builds).
        let skip = page
            .max(1)
            .checked_sub(1)
            .and_then(|before| before.checked_mul(PER_PAGE))
            .and_then(|skip| usize::try_from(skip).ok())
            .unwrap_or(usize::MAX);
        let end = skip.saturating_add(PER_PAGE as usize).min(total);
        let mut ids = Vec::new();
        if skip < total {
            // Only the first `end` need ordering.
            if end < total {
                shown.select_nth_unstable(end);
            }
            let head = &mut shown[..end];
            head.sort_unstable();
            ids = head[skip..].iter().map(|&(_, id)| id).collect();
        }
        Listing {
            ids,
            total: total as i64,
            groups: groups_n.into_map(),
            districts: districts_n.into_map(),
            coops: coops_n.into_map(),
            stars: stars_n.into_map(),
            price_range,
        }
    }
}
