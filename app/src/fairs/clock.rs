//! Fairs open and close on their schedule, with nobody clicking: this task tells the booth
//! pages open at that moment, so that their "live at" badges (and the dashboard's tile of booths
//! live now) turn without a reload. One task per instance, delivering to that instance's own
//! connections; an admin's "open now" and "close now" are announced by the action itself.
use std::time::Duration;

use super::service;
use crate::clock::now_unix;
use crate::db::Db;
use crate::live::hub::Hub;
use crate::live::model::Topic;

/// How often the schedule is looked at: a badge turns at most this long after its fair's time.
const TICK: Duration = Duration::from_secs(2);

pub fn spawn(db: Db, hub: Hub) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = now_unix();
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let now = now_unix();
            if now > last {
                // On a failure `last` stays, so that the next tick looks at the missed seconds too.
                match tell(&db, &hub, last, now).await {
                    Ok(()) => last = now,
                    Err(e) => tracing::warn!(error = %e, "could not look at the fairs' schedule"),
                }
            }
        }
    })
}

/// Tells the watched booths whose fair opened or closed in the seconds `(after, now]`.
pub async fn tell(db: &Db, hub: &Hub, after: i64, now: i64) -> Result<(), sqlx::Error> {
    for booth in service::booths_turning(db, after, now).await? {
        if hub.subscribers(Topic::Booth(booth)) > 0 {
            hub.deliver(&service::booth_fair_event(db, booth, now).await?);
        } else {
            // Nobody watches its page, but the tile of booths live now changed.
            hub.kpis_changed();
        }
    }
    Ok(())
}
