//! The activity feed the department's dashboard shows: the latest orders, inquiries and booth
//! conversations, and the line published live when one is new. Each domain announces its own
//! new rows here; the dashboard reads the feed.
use sqlx::FromRow;
use tracing::instrument;

use super::hub::Hub;
use super::model::{FEED_ITEMS, FeedItem, FeedKind, merge_feed};
use crate::db::{Db, Sql};
use crate::lang::Text;

#[derive(FromRow)]
struct FeedRow {
    id: i64,
    at: i64,
    coop_vi: String,
    coop_en: String,
    coop_slug: String,
    label: String,
    detail: String,
    amount: Option<i64>,
}

impl FeedRow {
    fn item(self, kind: FeedKind) -> FeedItem {
        let label =
            if self.detail.is_empty() { self.label } else { format!("{} ({})", self.label, self.detail) };
        FeedItem {
            kind,
            id: self.id,
            at: self.at,
            cooperative: Text::new(self.coop_vi, self.coop_en),
            cooperative_slug: self.coop_slug,
            label,
            amount_vnd: self.amount,
        }
    }
}

fn feed_select(kind: FeedKind) -> Sql {
    Sql::new(match kind {
        FeedKind::Order => {
            "SELECT o.id, o.created_at AS at, c.name_vi AS coop_vi, c.name_en AS coop_en, c.slug AS coop_slug, \
             o.number AS label, '' AS detail, o.subtotal_vnd AS amount \
             FROM orders o JOIN cooperatives c ON c.id = o.cooperative_id"
        }
        FeedKind::Inquiry => {
            "SELECT o.id, o.created_at AS at, c.name_vi AS coop_vi, c.name_en AS coop_en, c.slug AS coop_slug, \
             o.company AS label, o.country AS detail, CAST(NULL AS BIGINT) AS amount \
             FROM inquiries o JOIN cooperatives c ON c.id = o.cooperative_id"
        }
        FeedKind::Chat => {
            "SELECT o.id, o.created_at AS at, c.name_vi AS coop_vi, c.name_en AS coop_en, c.slug AS coop_slug, \
             o.display_name AS label, '' AS detail, CAST(NULL AS BIGINT) AS amount \
             FROM chat_conversations o JOIN cooperatives c ON c.id = o.cooperative_id"
        }
    })
}

/// One feed line: the order, inquiry or conversation `id`.
pub async fn feed_item(db: &Db, kind: FeedKind, id: i64) -> Result<Option<FeedItem>, sqlx::Error> {
    let mut sql = feed_select(kind);
    sql.push(" WHERE o.id = ").bind(id);
    Ok(sql.query_as::<FeedRow>()?.fetch_optional(&db.pool).await?.map(|r| r.item(kind)))
}

/// Publishes the feed line of something new. It never fails the request that made it: a line
/// that cannot be read is logged, and the dashboard shows it at its next load.
pub async fn announce(db: &Db, hub: &Hub, kind: FeedKind, id: i64) {
    match feed_item(db, kind, id).await {
        Ok(Some(item)) => hub.publish(super::model::Event::Activity { item }),
        Ok(None) => tracing::warn!(kind = kind.as_str(), id, "a new feed line names a row that is not there"),
        Err(e) => tracing::error!(error = %e, kind = kind.as_str(), id, "could not read a new feed line"),
    }
}

/// The latest orders, inquiries and conversations together, newest first.
#[instrument(skip(db))]
pub async fn feed(db: &Db) -> Result<Vec<FeedItem>, sqlx::Error> {
    let latest = |kind: FeedKind| async move {
        let mut sql = feed_select(kind);
        sql.push(" ORDER BY o.created_at DESC, o.id DESC LIMIT ").bind(FEED_ITEMS as i64);
        let rows: Vec<FeedRow> = sql.query_as()?.fetch_all(&db.pool).await?;
        Ok::<_, sqlx::Error>(rows.into_iter().map(move |r| r.item(kind)).collect::<Vec<_>>())
    };
    let (orders, inquiries, chats) =
        tokio::try_join!(latest(FeedKind::Order), latest(FeedKind::Inquiry), latest(FeedKind::Chat))?;
    Ok(merge_feed(orders.into_iter().chain(inquiries).chain(chats).collect()))
}
