//! `ocop-bench bench-live [clients,…] [seconds]`: the live load harness (a benchmark, never a test).
//!
//! For each client count it starts a fresh server process (`ocop-bench bench-live-target`, the real
//! server plus a publisher that pushes 10 events a second to one booth), opens that many
//! WebSocket clients subscribed to the booth, and reports the delivery latency (publish → the
//! client has read the frame; both clocks are this machine's) and the server's resident memory
//! per connection (VmRSS after connecting minus before, divided by the clients).
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::live::hub::Hub;
use app::live::model::{ClientFrame, Event, Topic};
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

/// Events per second the publisher sends.
pub const RATE: u64 = 10;

fn micros_now() -> u32 {
    // Wraps every 71 minutes; latencies are differences, taken with wrapping arithmetic.
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u32)
}

/// In the target process: every 100 ms, a presence frame for `booth` whose count carries the
/// publish time (µs), so clients can tell how long delivery took.
pub fn spawn_publisher(hub: Hub, booth: i64) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(1000 / RATE));
        loop {
            every.tick().await;
            hub.publish(Event::Presence { booth, visitors: micros_now() });
        }
    });
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

/// Reads a presence frame's `visitors` (the publish time) without a full JSON parse, so the
/// harness's own work stays small next to the server's.
fn stamp(text: &str) -> Option<u32> {
    let at = text.find("\"visitors\":")? + "\"visitors\":".len();
    let digits: String = text[at..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

struct Target {
    child: tokio::process::Child,
    pid: u32,
    url: String,
    booth: i64,
}

async fn start_target(port: u16, dir: &std::path::Path) -> Result<Target, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let mut child = tokio::process::Command::new(exe)
        .arg("bench-live-target")
        .env("DATABASE_URL", format!("sqlite://{}/bench.db", dir.display()))
        .env("MEDIA_DIR", dir.join("media"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("the target exited at once")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        // "bench-live-target ready 127.0.0.1:3190 booth 1"
        if let Some(rest) = line.strip_prefix("bench-live-target ready ") {
            let mut parts = rest.split_whitespace();
            let addr = parts.next().ok_or("no address")?.to_owned();
            let booth = parts.nth(1).and_then(|b| b.parse().ok()).ok_or("no booth")?;
            // Keep draining its stdout so it never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(Target { child, pid, url: format!("ws://{addr}/live"), booth });
        }
    }
    Err("the target ended before it was ready".into())
}

/// Shared by the clients: when recording starts (publish-time µs, 0 = not yet) and stops.
#[derive(Default)]
struct Clock {
    start: std::sync::atomic::AtomicU32,
    started: std::sync::atomic::AtomicBool,
    stop: std::sync::atomic::AtomicBool,
}

/// One client: connects, subscribes, says it is ready, and reads every frame from then on (a
/// client that stopped reading would be dropped as too slow), recording the latency of frames
/// published between start and stop.
async fn client(
    url: String,
    booth: i64,
    ready: Arc<tokio::sync::Semaphore>,
    clock: Arc<Clock>,
) -> Option<Vec<u32>> {
    use std::sync::atomic::Ordering::Relaxed;
    let (ws, _) = tokio_tungstenite::connect_async(&url).await.ok()?;
    let (mut tx, mut rx) = ws.split();
    let subscribe = serde_json::to_string(&ClientFrame::Subscribe { topic: Topic::Booth(booth) }).ok()?;
    tx.send(Message::text(subscribe)).await.ok()?;
    loop {
        match rx.next().await? {
            Ok(Message::Text(t)) if t.as_str().contains("\"subscribed\"") => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    ready.add_permits(1);
    let mut samples = Vec::new();
    while !clock.stop.load(Relaxed) {
        match tokio::time::timeout(Duration::from_millis(250), rx.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                if clock.started.load(Relaxed)
                    && let Some(sent) = stamp(t.as_str())
                    && sent.wrapping_sub(clock.start.load(Relaxed)) < u32::MAX / 2
                {
                    samples.push(micros_now().wrapping_sub(sent));
                }
            }
            Ok(Some(Ok(_))) | Err(_) => {}
            Ok(Some(Err(_)) | None) => break,
        }
    }
    drop(tx);
    Some(samples)
}

pub async fn run(counts: &[usize], seconds: u64) -> Result<(), Box<dyn std::error::Error>> {
    println!("live delivery: N clients on one booth, {RATE} events/s for {seconds} s each");
    println!(
        "| clients | connected | delivered / expected | p50 | p99 | max | server RSS before → after | per connection |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (i, &n) in counts.iter().enumerate() {
        let dir = std::env::temp_dir().join(format!("ocop-bench-live-{}-{i}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut target = start_target(3190 + i as u16, &dir).await?;
        let before = rss_kib(target.pid).unwrap_or(0);
        let ready = Arc::new(tokio::sync::Semaphore::new(0));
        let clock = Arc::new(Clock::default());
        let connecting = Instant::now();
        let mut tasks = Vec::with_capacity(n);
        // Connect in waves so the accept queue is never flooded.
        for wave in (0..n).collect::<Vec<_>>().chunks(250) {
            for _ in wave {
                tasks.push(tokio::spawn(client(
                    target.url.clone(),
                    target.booth,
                    ready.clone(),
                    clock.clone(),
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Wait for the subscriptions (or give up on the stragglers after a minute).
        let deadline = Instant::now() + Duration::from_secs(60);
        while ready.available_permits() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let connected = ready.available_permits();
        let connect_time = connecting.elapsed();
        // Let allocations settle, then read the server's memory.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = rss_kib(target.pid).unwrap_or(0);
        clock.start.store(micros_now(), std::sync::atomic::Ordering::Relaxed);
        clock.started.store(true, std::sync::atomic::Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        clock.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut samples = Vec::new();
        for t in tasks {
            if let Ok(Some(s)) = t.await {
                samples.extend(s);
            }
        }
        samples.sort_unstable();
        let expected = connected as u64 * seconds * RATE;
        let per_conn =
            if connected > 0 { (after.saturating_sub(before)) as f64 / connected as f64 } else { f64::NAN };
        println!(
            "| {n} | {connected} (in {:.1} s) | {} / {expected} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} → {:.1} MiB | {:.1} KiB |",
            connect_time.as_secs_f64(),
            samples.len(),
            percentile(&samples, 0.50),
            percentile(&samples, 0.99),
            percentile(&samples, 1.0),
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            per_conn,
        );
        target.child.kill().await.ok();
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
