//! Keeps every open dashboard's tiles current. One task per instance recomputes the tiles when
//! the hub says something they count changed, and pushes them to the admin topic: the work is
//! one set of aggregates per burst of events, however many dashboards are open.
use std::time::Duration;

use super::service;
use crate::clock::now_unix;
use crate::db::Db;
use crate::live::hub::Hub;
use crate::live::model::{Event, Topic};

/// Events come in bursts (a checkout of three cooperatives is three orders): the tiles are
/// computed once for a burst this long.
const COALESCE: Duration = Duration::from_millis(100);
/// Without events, the tiles are looked at this often, for site visitors who left.
const IDLE_CHECK: Duration = Duration::from_secs(10);

pub fn spawn(db: Db, hub: Hub) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = None;
        loop {
            let woken = tokio::time::timeout(IDLE_CHECK, hub.kpis_dirty()).await.is_ok();
            if woken {
                tokio::time::sleep(COALESCE).await;
            }
            if hub.subscribers(Topic::Admin) == 0 {
                last = None;
                continue;
            }
            match service::kpis(&db, &hub, now_unix()).await {
                // A wake-up always pushes (a dashboard may just have opened); the idle check
                // only pushes a change.
                Ok(kpis) if woken || last != Some(kpis) => {
                    hub.deliver(&Event::Kpis { kpis });
                    last = Some(kpis);
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not compute the dashboard's tiles"),
            }
        }
    })
}
