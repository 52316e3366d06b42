//! Booth pages: the cooperative's booth with its picks drawn live from the catalogue, its team,
//! its schedule and the fair it is live at.
use super::chat::{self, Visitor};
use super::model::*;
use crate::accounts::model::Viewer;
use crate::db::{Db, Sql};
use crate::error::AppError;
use crate::lang::Text;
use crate::live::hub::Hub;

/// Slots that started this long ago still show (a livestream may still be on).
const SLOT_GRACE_SECS: i64 = 2 * 3600;
/// A booth features at most this many products.
pub const MAX_FEATURED: usize = 12;

#[derive(sqlx::FromRow)]
struct BoothRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    story_vi: String,
    story_en: String,
    logo_key: Option<String>,
    district_vi: Option<String>,
    district_en: Option<String>,
    banner_key: Option<String>,
    welcome_vi: Option<String>,
    welcome_en: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FairRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    starts_at: i64,
    ends_at: i64,
}

impl From<FairRow> for FairRef {
    fn from(r: FairRow) -> FairRef {
        FairRef {
            id: r.id,
            slug: r.slug,
            name: Text::new(r.name_vi, r.name_en),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
        }
    }
}

/// The booth's products: the picks in order, or (none picked) the cooperative's featured and
/// then newest products.
async fn featured_ids(db: &Db, coop: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT product_id FROM booth_products WHERE cooperative_id = ");
    sql.bind(coop).push(" ORDER BY position, product_id");
    let picked: Vec<i64> = sql.query_scalar()?.fetch_all(&db.pool).await?;
    if !picked.is_empty() {
        return Ok(picked);
    }
    let mut sql = Sql::new("SELECT id FROM products WHERE status = 'published' AND cooperative_id = ");
    sql.bind(coop).push(" ORDER BY featured DESC, created_at DESC, id DESC LIMIT ");
    sql.bind(MAX_FEATURED as i64);
    sql.query_scalar()?.fetch_all(&db.pool).await
}

/// Whether `coop` has a booth open to visitors (an approved cooperative's).
pub async fn is_open_booth(db: &Db, coop: i64) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM cooperatives WHERE status = 'approved' AND id = ");
    sql.bind(coop);
    let n: i64 = sql.query_scalar()?.fetch_one(&db.pool).await?;
    Ok(n > 0)
}

/// The fair `coop`'s booth is live at, at `now`.
pub async fn live_fair(db: &Db, coop: i64, now: i64) -> Result<Option<FairRef>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT f.id, f.slug, f.name_vi, f.name_en, f.starts_at, f.ends_at FROM fairs f \
         JOIN fair_booths fb ON fb.fair_id = f.id WHERE fb.cooperative_id = ",
    );
    sql.bind(coop).push(" AND f.starts_at <= ").bind(now).push(" AND f.ends_at > ").bind(now);
    sql.push(" ORDER BY f.ends_at, f.id LIMIT 1");
    Ok(sql.query_as::<FairRow>()?.fetch_optional(&db.pool).await?.map(Into::into))
}

pub async fn team(db: &Db, coop: i64) -> Result<Vec<TeamMember>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT id, name, role_vi, role_en, on_duty FROM booth_team WHERE cooperative_id = ");
    sql.bind(coop).push(" ORDER BY position, id");
    let rows: Vec<(i64, String, String, String, String)> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, vi, en, on_duty)| TeamMember { id, name, role: Text::new(vi, en), on_duty })
        .collect())
}

/// The slots from two hours ago on (all of them when `all`), soonest first.
pub async fn schedule(db: &Db, coop: i64, now: i64, all: bool) -> Result<Vec<Slot>, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT id, starts_at, title_vi, title_en, link FROM booth_slots WHERE cooperative_id = ");
    sql.bind(coop);
    if !all {
        sql.push(" AND starts_at >= ").bind(now - SLOT_GRACE_SECS);
    }
    sql.push(" ORDER BY starts_at, id LIMIT 50");
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, starts_at, vi, en, link)| Slot { id, starts_at, title: Text::new(vi, en), link })
        .collect())
}

/// The booth of the approved cooperative `slug`, as `viewer` (or the anonymous `visitor_hash`)
/// sees it now.
#[allow(clippy::too_many_arguments)]
pub async fn booth(
    db: &Db,
    hub: &Hub,
    slug: &str,
    viewer: Option<&Viewer>,
    visitor_hash: Option<&str>,
    now: i64,
    today: &str,
) -> Result<BoothView, AppError> {
    let mut sql = Sql::new(
        "SELECT c.id, c.slug, c.name_vi, c.name_en, c.story_vi, c.story_en, c.logo_key, \
         d.name_vi AS district_vi, d.name_en AS district_en, b.banner_key, b.welcome_vi, b.welcome_en \
         FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id \
         LEFT JOIN booths b ON b.cooperative_id = c.id WHERE c.status = 'approved' AND c.slug = ",
    );
    sql.bind(slug.to_owned());
    let row: BoothRow = sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let ids = featured_ids(db, row.id).await?;
    let featured = crate::catalog::service::cards_in_order(db, &ids, today).await?;
    let chat = match Visitor::of(viewer, visitor_hash) {
        Some(v) => chat::visitor_conversation(db, row.id, &v).await?,
        None => None,
    };
    let is_staff = viewer.and_then(Viewer::dashboard_cooperative).is_some_and(|m| m.cooperative_id == row.id);
    Ok(BoothView {
        cooperative_id: row.id,
        slug: row.slug,
        name: Text::new(row.name_vi, row.name_en),
        district: match (row.district_vi, row.district_en) {
            (Some(vi), Some(en)) => Some(Text::new(vi, en)),
            _ => None,
        },
        logo_url: row.logo_key.as_deref().map(crate::media::model::media_url),
        banner_url: row.banner_key.as_deref().map(crate::media::model::media_url),
        welcome: Text::new(row.welcome_vi.unwrap_or_default(), row.welcome_en.unwrap_or_default()),
        story: Text::new(row.story_vi, row.story_en),
        featured,
        team: team(db, row.id).await?,
        schedule: schedule(db, row.id, now, false).await?,
        live_fair: live_fair(db, row.id, now).await?,
        visitors: hub.visitors(row.id),
        chat,
        viewer_name: viewer.map(|v| v.display_name.clone()),
        is_staff,
    })
}

/// The cooperative's booth console: visitors now and its conversations.
pub async fn staff_inbox(db: &Db, hub: &Hub, coop: i64) -> Result<StaffInbox, AppError> {
    let mut sql = Sql::new("SELECT slug FROM cooperatives WHERE id = ");
    sql.bind(coop);
    let slug: String = sql.query_scalar()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    Ok(StaffInbox {
        booth: coop,
        booth_slug: slug,
        visitors: hub.visitors(coop),
        conversations: chat::inbox(db, coop).await?,
    })
}
