//! What the platform tells people on its own, by the calendar: each cooperative hears of a
//! certificate 90, 30 and 7 days before it expires (each reminder once, the nearest one only when
//! several are due, as after a pause), the department's admins get a daily digest, and shoppers
//! whose bank transfer is overdue are reminded once (`orders::service::payments`). Every
//! instance runs the task; the reminder rows and the day's run row make sure each goes out once.
use std::time::Duration;

use crate::clock::{DAY_SECS, today_at, vietnam_date};
use crate::db::Db;
use crate::lang::Text;
use crate::live::hub::Hub;
use crate::messages::model::Message;
use crate::messages::service::{To, Told, announce, tell};

/// Days before expiry at which a cooperative is reminded.
pub const REMINDER_DAYS: [i64; 3] = [7, 30, 90];
/// The digest goes out from this hour of the Vietnam day.
pub const DIGEST_HOUR: u8 = 7;
const TICK: Duration = Duration::from_secs(600);

#[derive(sqlx::FromRow)]
struct Expiring {
    id: i64,
    decision_no: String,
    expires_on: String,
    cooperative_id: i64,
    name_vi: String,
    name_en: String,
}

/// Sends the certificate reminders due on the Vietnam day of `now`; returns how many.
pub async fn certificate_reminders(db: &Db, hub: &Hub, now: i64) -> Result<usize, sqlx::Error> {
    let today = vietnam_date(now);
    let mut sent = 0;
    for days in REMINDER_DAYS {
        let horizon = (today + time::Duration::days(days)).to_string();
        let due: Vec<Expiring> = sqlx::query_as(
            "SELECT c.id, c.decision_no, c.expires_on, p.cooperative_id, p.name_vi, p.name_en \
             FROM certificates c JOIN products p ON p.id = c.product_id \
             WHERE c.expires_on >= $1 AND c.expires_on <= $2 AND p.status <> 'deleted' \
             AND NOT EXISTS (SELECT 1 FROM certificate_reminders r WHERE r.certificate_id = c.id AND r.days <= $3) \
             ORDER BY c.id LIMIT 500",
        )
        .bind(today.to_string())
        .bind(&horizon)
        .bind(days)
        .fetch_all(&db.pool)
        .await?;
        for c in due {
            let mut tx = db.begin_write().await?;
            let fresh = sqlx::query(
                "INSERT INTO certificate_reminders (certificate_id, days, sent_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (certificate_id, days) DO NOTHING",
            )
            .bind(c.id)
            .bind(days)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if fresh == 0 {
                continue;
            }
            let expires =
                time::Date::parse(&c.expires_on, &time::format_description::well_known::Iso8601::DATE)
                    .unwrap_or(today);
            let left = (expires - today).whole_days();
            let message = Message::CertificateExpiring {
                number: c.decision_no,
                product: Text::new(c.name_vi, c.name_en),
                // A moment on the expiry day in Vietnam (this time of day, `left` days on).
                expires_at: now + left * DAY_SECS,
                days: left,
            };
            let told = tell(&mut tx, To::Cooperative(c.cooperative_id), &message, now).await?;
            tx.commit().await?;
            announce(db, hub, told);
            sent += 1;
        }
    }
    Ok(sent)
}

/// Sends the admins' digest of the Vietnam day of `now`, once, from `DIGEST_HOUR`; true if sent now.
pub async fn digest(db: &Db, hub: &Hub, now: i64) -> Result<bool, sqlx::Error> {
    let moment = crate::clock::in_vietnam(now);
    if moment.hour() < DIGEST_HOUR {
        return Ok(false);
    }
    let today = today_at(now);
    let mut tx = db.begin_write().await?;
    let first = sqlx::query(
        "INSERT INTO daily_runs (job, day, at) VALUES ('digest', $1, $2) ON CONFLICT (job, day) DO NOTHING",
    )
    .bind(&today)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if first == 0 {
        return Ok(false);
    }
    let horizon = (vietnam_date(now) + time::Duration::days(30)).to_string();
    let applications: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives WHERE status = 'pending'")
        .fetch_one(&mut *tx)
        .await?;
    let expiring: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM certificates WHERE expires_on >= $1 AND expires_on <= $2")
            .bind(&today)
            .bind(&horizon)
            .fetch_one(&mut *tx)
            .await?;
    let failed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").fetch_one(&mut *tx).await?;
    let told: Told =
        tell(&mut tx, To::Admins, &Message::DailyDigest { applications, expiring, failed }, now).await?;
    tx.commit().await?;
    announce(db, hub, told);
    Ok(true)
}

/// Runs the reminders and the digest every ten minutes for the life of the process.
pub fn spawn(db: Db, hub: Hub) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let now = crate::clock::now_unix();
            if let Err(error) = certificate_reminders(&db, &hub, now).await {
                tracing::warn!(%error, "could not send the certificate reminders");
            }
            if let Err(error) = digest(&db, &hub, now).await {
                tracing::warn!(%error, "could not send the admins' digest");
            }
            if let Err(error) = crate::orders::service::payments::remind_unpaid(&db, &hub, now).await {
                tracing::warn!(%error, "could not remind the unpaid transfers");
            }
        }
    });
}
