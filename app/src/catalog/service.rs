//! Catalogue rules and SQL: the product list with its facets, product and cooperative pages,
//! the home page, and the sitemap. Every query runs unchanged on SQLite and PostgreSQL except
//! the full-text part, which `search::service` and `index` write per backend. The list's page,
//! total and facets come from the in-memory `index`; its cards from SQL.
use std::collections::HashMap;

use tracing::instrument;

use super::model::*;
use crate::db::{Db, Sql};
use crate::lang::{Lang, Text};
use crate::search::service::terms;

/// The card's columns. `$1` is today's date: only an unexpired certificate gives stars.
const CARD_SELECT: &str = "SELECT p.id, p.slug, \
    (SELECT ph.small_key FROM product_photos ph WHERE ph.product_id = p.id ORDER BY ph.position, ph.id LIMIT 1) \
    AS photo_key, p.name_vi, p.name_en, p.unit_vi, p.unit_en, \
    p.price_vnd, p.stock, p.exported_to, p.is_demo, \
    c.slug AS coop_slug, c.name_vi AS coop_name_vi, c.name_en AS coop_name_en, \
    d.name_vi AS district_vi, d.name_en AS district_en, g.slug AS group_slug, \
    (SELECT MAX(ct.stars) FROM certificates ct WHERE ct.product_id = p.id AND ct.expires_on >= ";

const CARD_FROM: &str = " FROM products p";

const CARD_JOINS: &str = " \
    JOIN cooperatives c ON c.id = p.cooperative_id \
    JOIN product_groups g ON g.id = p.group_id \
    LEFT JOIN districts d ON d.id = c.district_id";

const VISIBLE: &str = " WHERE p.status = 'published' AND c.status = 'approved'";

#[derive(sqlx::FromRow)]
struct CardRow {
    id: i64,
    slug: String,
    photo_key: Option<String>,
    name_vi: String,
    name_en: String,
    unit_vi: String,
    unit_en: String,
    price_vnd: i64,
    stock: i64,
    exported_to: Option<String>,
    is_demo: i64,
    coop_slug: String,
    coop_name_vi: String,
    coop_name_en: String,
    district_vi: Option<String>,
    district_en: Option<String>,
    group_slug: String,
    stars: Option<i64>,
}

impl From<CardRow> for ProductCard {
    fn from(r: CardRow) -> ProductCard {
        ProductCard {
            photo: r.photo_key.as_deref().map(crate::media::model::media_url),
            slug: r.slug,
            name: Text::new(r.name_vi, r.name_en),
            unit: Text::new(r.unit_vi, r.unit_en),
            price_vnd: r.price_vnd,
            cooperative_slug: r.coop_slug,
            cooperative_name: Text::new(r.coop_name_vi, r.coop_name_en),
            district: match (r.district_vi, r.district_en) {
                (Some(vi), Some(en)) => Some(Text::new(vi, en)),
                _ => None,
            },
            group_slug: r.group_slug,
            stars: r.stars,
            exported_to: r.exported_to,
            in_stock: r.stock > 0,
            is_demo: r.is_demo != 0,
        }
    }
}

/// Appends the card's columns (through `AS stars`) to `sql`.
fn push_card_columns(sql: &mut Sql, today: &str) {
    sql.push(CARD_SELECT);
    sql.bind(today.to_owned());
    sql.push(") AS stars");
}

/// Starts `SELECT <card columns> FROM … WHERE <visible>`.
fn card_query(today: &str) -> Sql {
    let mut sql = Sql::new("");
    push_card_columns(&mut sql, today);
    sql.push(CARD_FROM).push(CARD_JOINS);
    sql.push(VISIBLE);
    sql
}

/// The cards of `ids` (visible ones only). On SQLite, `NOT INDEXED` keeps the planner on the
/// rowid lookups: left alone it walks the status index over every published product (14 ms at
/// 100,000 products, for 24 cards).
fn cards_by_id(backend: crate::db::Backend, today: &str, ids: &[i64]) -> Sql {
    let mut sql = Sql::new("");
    push_card_columns(&mut sql, today);
    sql.push(CARD_FROM);
    if backend == crate::db::Backend::Sqlite {
        sql.push(" NOT INDEXED");
    }
    sql.push(CARD_JOINS).push(VISIBLE);
    sql.push(" AND p.id IN (").bind_list(ids.iter().copied()).push(")");
    sql
}

/// The visible cards of `ids`, in the order of `ids` (booths show their picks in their order).
pub async fn cards_in_order(db: &Db, ids: &[i64], today: &str) -> Result<Vec<ProductCard>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<CardRow> = cards_by_id(db.backend, today, ids).query_as()?.fetch_all(&db.pool).await?;
    let mut by_id: HashMap<i64, CardRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).map(Into::into).collect())
}

#[derive(sqlx::FromRow)]
struct LabelRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
}

/// Every value of a facet with its count; `keep_empty` lists values that have none.
fn facet_values(labels: Vec<LabelRow>, counts: &HashMap<i64, i64>, keep_empty: bool) -> Vec<FacetValue> {
    labels
        .into_iter()
        .map(|l| FacetValue {
            count: counts.get(&l.id).copied().unwrap_or(0),
            key: l.slug,
            label: Text::new(l.name_vi, l.name_en),
        })
        .filter(|v| keep_empty || v.count > 0)
        .collect()
}

async fn labels(db: &Db, sql: &'static str) -> Result<Vec<LabelRow>, sqlx::Error> {
    sqlx::query_as(sql).fetch_all(&db.pool).await
}

/// One page of the product list, its total and its facets.
#[instrument(skip(db))]
pub async fn list_products(
    db: &Db,
    query: &ProductQuery,
    lang: Lang,
    today: &str,
) -> Result<ProductPage, sqlx::Error> {
    // Every entry point (the page, the JSON endpoint) gets the same limits.
    let (query, _) = query.clone().limited();
    let query = &query;
    let words = terms(&query.q);
    let index = db.shared::<super::index::ListIndex>();
    let mut listing = index.list(db, query, words.as_deref(), lang, today, query.page).await?;
    let total = listing.total;
    let pages = (total.saturating_add(PER_PAGE - 1) / PER_PAGE).max(1);
    let page = query.page.clamp(1, pages);
    if page != query.page {
        // Past the last page: show the last one.
        listing = index.list(db, query, words.as_deref(), lang, today, page).await?;
    }

    let ids = &listing.ids;
    let mut items: Vec<CardRow> = if ids.is_empty() {
        Vec::new()
    } else {
        cards_by_id(db.backend, today, ids).query_as()?.fetch_all(&db.pool).await?
    };
    items.sort_by_key(|card| ids.iter().position(|&id| id == card.id));

    let groups =
        labels(db, "SELECT id, slug, name_vi, name_en FROM product_groups ORDER BY position, id").await?;
    let districts =
        labels(db, "SELECT id, slug, name_vi, name_en FROM districts ORDER BY position, id").await?;
    let coops: Vec<LabelRow> = if listing.coops.is_empty() {
        Vec::new()
    } else {
        let mut sql = Sql::new("SELECT id, slug, name_vi, name_en FROM cooperatives WHERE id IN (");
        sql.bind_list(listing.coops.keys().copied()).push(") ORDER BY name_vi, id");
        sql.query_as()?.fetch_all(&db.pool).await?
    };
    let facets = Facets {
        groups: facet_values(groups, &listing.groups, true),
        stars: (3..=5)
            .map(|s: i64| FacetValue {
                count: listing.stars.get(&s).copied().unwrap_or(0),
                label: Text::new(format!("{s} ★"), format!("{s} ★")),
                key: s.to_string(),
            })
            .collect(),
        districts: facet_values(districts, &listing.districts, true),
        cooperatives: facet_values(coops, &listing.coops, false),
        price_range: listing.price_range,
    };
    Ok(ProductPage { items: items.into_iter().map(Into::into).collect(), total, page, pages, facets })
}

/// `list_products` through the page cache.
pub async fn list_products_cached(
    cache: &super::cache::PageCache,
    db: &Db,
    query: &ProductQuery,
    lang: Lang,
    today: &str,
) -> Result<std::sync::Arc<ProductPage>, sqlx::Error> {
    // Limited before it is a key: a 1 MB search must not become a 1 MB cache key.
    let (query, _) = query.clone().limited();
    // Read before the list: a page that raced a change is kept under the old generation.
    let generation = crate::changes::catalogue_generation(db);
    if let Some(page) = cache.get(&query, lang, today, generation) {
        return Ok(page);
    }
    let page = std::sync::Arc::new(list_products(db, &query, lang, today).await?);
    cache.insert((query, lang, today.to_owned(), generation), page.clone());
    Ok(page)
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    description_vi: String,
    description_en: String,
    group_vi: String,
    group_en: String,
    stock: i64,
    weight_grams: Option<i64>,
    group_id: i64,
    product_id: i64,
    trace_code: Option<String>,
}

/// The product page: `None` for an unknown, unpublished or deleted product.
#[instrument(skip(db))]
pub async fn product_detail(db: &Db, slug: &str, today: &str) -> Result<Option<ProductDetail>, sqlx::Error> {
    let mut sql = card_query(today);
    sql.push(" AND p.slug = ").bind(slug.to_owned());
    let Some(card) = sql.query_as::<CardRow>()?.fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let detail: DetailRow = sqlx::query_as(
        "SELECT p.description_vi, p.description_en, g.name_vi AS group_vi, g.name_en AS group_en, \
         p.stock, p.weight_grams, p.group_id, p.id AS product_id, p.trace_code \
         FROM products p JOIN product_groups g ON g.id = p.group_id WHERE p.slug = $1",
    )
    .bind(slug)
    .fetch_one(&db.pool)
    .await?;

    let certificate =
        crate::certificates::service::latest_certificate(db, detail.product_id).await?.map(|c| Certificate {
            expired: c.expires_on.as_str() < today,
            stars: c.stars,
            council: Council::from_db(&c.council),
            decision_no: c.decision_no,
            issued_on: c.issued_on,
            expires_on: c.expires_on,
            is_demo: c.is_demo != 0,
        });

    let mut sql = card_query(today);
    sql.push(" AND p.group_id = ").bind(detail.group_id);
    sql.push(" AND p.id <> ").bind(detail.product_id);
    sql.push(" ORDER BY p.featured DESC, p.created_at DESC, p.id DESC LIMIT 4");
    let related: Vec<CardRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    // Products made since the traceability migration get their code on the first visit.
    let trace_code = match detail.trace_code {
        Some(code) => code,
        None => crate::trace::service::assign_trace_code(db, detail.product_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?,
    };

    Ok(Some(ProductDetail {
        product_id: detail.product_id,
        card: card.into(),
        description: Text::new(detail.description_vi, detail.description_en),
        group: Text::new(detail.group_vi, detail.group_en),
        stock: detail.stock,
        weight_grams: detail.weight_grams,
        certificate,
        listings: crate::coops::service::listings(db, detail.product_id).await?,
        photos: crate::media::service::photos(db, detail.product_id).await?,
        related: related.into_iter().map(Into::into).collect(),
        trace_code,
    }))
}

#[derive(sqlx::FromRow)]
struct CoopRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    story_vi: String,
    story_en: String,
    commune: Option<String>,
    logo_key: Option<String>,
    is_demo: i64,
    district_vi: Option<String>,
    district_en: Option<String>,
    product_count: i64,
}

const COOP_SELECT: &str = "SELECT c.id, c.slug, c.name_vi, c.name_en, c.story_vi, c.story_en, c.commune, c.logo_key, \
    c.is_demo, d.name_vi AS district_vi, d.name_en AS district_en, \
    (SELECT COUNT(*) FROM products p WHERE p.cooperative_id = c.id AND p.status = 'published') \
    AS product_count \
    FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id \
    WHERE c.status = 'approved'";

fn coop_summary(r: &CoopRow) -> CooperativeSummary {
    CooperativeSummary {
        slug: r.slug.clone(),
        name: Text::new(r.name_vi.clone(), r.name_en.clone()),
        district: match (&r.district_vi, &r.district_en) {
            (Some(vi), Some(en)) => Some(Text::new(vi.clone(), en.clone())),
            _ => None,
        },
        product_count: r.product_count,
    }
}

/// The cooperative page: `None` for an unknown or unapproved cooperative.
#[instrument(skip(db))]
pub async fn cooperative_detail(
    db: &Db,
    slug: &str,
    today: &str,
) -> Result<Option<CooperativeDetail>, sqlx::Error> {
    let mut sql = Sql::new(COOP_SELECT);
    sql.push(" AND c.slug = ").bind(slug.to_owned());
    let Some(row) = sql.query_as::<CoopRow>()?.fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let mut sql = card_query(today);
    sql.push(" AND c.slug = ").bind(slug.to_owned());
    sql.push(" ORDER BY p.featured DESC, p.sort_name_vi, p.id LIMIT 200");
    let products: Vec<CardRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    let contact = crate::coops::service::contact(db, row.id).await?;
    Ok(Some(CooperativeDetail {
        contact,
        summary: coop_summary(&row),
        story: Text::new(row.story_vi, row.story_en),
        commune: row.commune,
        is_demo: row.is_demo != 0,
        logo_url: row.logo_key.as_deref().map(crate::media::model::media_url),
        products: products.into_iter().map(Into::into).collect(),
    }))
}

/// Everything the home page shows, in a handful of queries.
#[instrument(skip(db))]
pub async fn home(db: &Db, today: &str) -> Result<HomeData, sqlx::Error> {
    let mut sql = card_query(today);
    sql.push(" ORDER BY p.featured DESC, p.created_at DESC, p.id DESC LIMIT 8");
    let featured: Vec<CardRow> = sql.query_as()?.fetch_all(&db.pool).await?;

    let mut sql = card_query(today);
    sql.push(" AND p.exported_to = 'GB' ORDER BY p.featured DESC, p.id LIMIT 8");
    let exported: Vec<CardRow> = sql.query_as()?.fetch_all(&db.pool).await?;

    #[derive(sqlx::FromRow)]
    struct GroupRow {
        slug: String,
        name_vi: String,
        name_en: String,
        product_count: i64,
    }
    let groups: Vec<GroupRow> = sqlx::query_as(
        "SELECT g.slug, g.name_vi, g.name_en, \
         (SELECT COUNT(*) FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
          WHERE p.group_id = g.id AND p.status = 'published' AND c.status = 'approved') AS product_count \
         FROM product_groups g ORDER BY g.position, g.id",
    )
    .fetch_all(&db.pool)
    .await?;

    let mut sql = Sql::new(COOP_SELECT);
    sql.push(" ORDER BY product_count DESC, c.name_vi LIMIT 12");
    let coops: Vec<CoopRow> = sql.query_as()?.fetch_all(&db.pool).await?;

    let mut sql = Sql::new("SELECT COUNT(*)");
    sql.push(CARD_FROM).push(CARD_JOINS).push(VISIBLE);
    let product_count: i64 = sql.query_scalar()?.fetch_one(&db.pool).await?;

    Ok(HomeData {
        featured: featured.into_iter().map(Into::into).collect(),
        exported: exported.into_iter().map(Into::into).collect(),
        groups: groups
            .into_iter()
            .map(|g| ProductGroup {
                slug: g.slug,
                name: Text::new(g.name_vi, g.name_en),
                product_count: g.product_count,
            })
            .collect(),
        cooperatives: coops.iter().map(coop_summary).collect(),
        product_count,
    })
}

/// A page for the sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    pub path: String,
    pub updated_at: Option<i64>,
}

/// Every public product and cooperative page (the home and list pages are added by the caller).
#[instrument(skip(db))]
pub async fn sitemap_entries(db: &Db) -> Result<Vec<SitemapEntry>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        path: String,
        updated_at: Option<i64>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT '/c/' || c.slug AS path, c.created_at AS updated_at FROM cooperatives c \
         WHERE c.status = 'approved' \
         UNION ALL \
         SELECT '/p/' || p.slug AS path, p.updated_at AS updated_at FROM products p \
         JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status = 'published' AND c.status = 'approved' \
         ORDER BY path LIMIT 50000",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| SitemapEntry { path: r.path, updated_at: r.updated_at }).collect())
}
