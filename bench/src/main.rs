//! `ocop-bench`: the benchmarks for the README's performance table and the data they need, on the
//! database in `DATABASE_URL` (never tests: `scripts/bench.sh` runs them).
//!
//! - `generate-products N`: N synthetic products (the demo catalogue is seeded first);
//! - `generate-orders N`: N synthetic orders over the last year;
//! - `bench-search [rounds]`: server-side search latency;
//! - `bench-dashboard [rounds]`: the admin dashboard's first render;
//! - `bench-checkout [seconds] [workers]`: checkout throughput and latency;
//! - `bench-live [clients,…] [seconds]`: live delivery latency and memory per connection; it
//!   starts `ocop-bench bench-live-target` (the real server plus a publisher) as its target.
#![recursion_limit = "512"]
mod generate;
mod live;
mod measure;

use server::config::Config;
use server::start;

type Error = Box<dyn std::error::Error>;

const USAGE: &str = "usage: ocop-bench generate-products N | generate-orders N | bench-search [rounds] | \
    bench-dashboard [rounds] | bench-checkout [seconds] [workers] | bench-live [clients,…] [seconds]";

fn main() -> Result<(), Error> {
    // The target server renders pages like `server` does: 8 MiB worker stacks.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().map(String::as_str).ok_or(USAGE)?;
    let number = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok());
    let config = Config::from_env()?;
    start::init_tracing(&config);
    let db = start::database(&config).await?;
    match cmd {
        "generate-products" => {
            let n = number(1).ok_or(USAGE)?;
            app::seed::seed_if_empty(&db).await?;
            let started = std::time::Instant::now();
            let inserted = generate::generate_synthetic(&db, n).await.map_err(|e| e.to_string())?;
            println!("inserted {inserted} synthetic products in {:.1} s", started.elapsed().as_secs_f64());
        }
        "generate-orders" => {
            let n = number(1).ok_or(USAGE)? as i64;
            let started = std::time::Instant::now();
            let made =
                generate::generate_orders(&db, n, app::clock::now_unix()).await.map_err(|e| e.to_string())?;
            println!("inserted {made} synthetic orders in {:.1} s", started.elapsed().as_secs_f64());
        }
        "bench-dashboard" => measure::dashboard(&db, number(1).unwrap_or(20) as usize).await?,
        "bench-search" => measure::search(&db, number(1).unwrap_or(10) as usize).await?,
        "bench-checkout" => {
            measure::checkout(&db, number(1).unwrap_or(10), number(2).unwrap_or(32) as usize).await?
        }
        "bench-live" => {
            let counts: Vec<usize> = args
                .get(1)
                .map_or("1000,10000", String::as_str)
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect();
            live::run(&counts, number(2).unwrap_or(10)).await?;
        }
        "bench-live-target" => {
            let ready = start::prepare(&config, db).await?;
            let booth: i64 = app::db::Sql::new("SELECT MIN(id) FROM cooperatives WHERE status = 'approved'")
                .query_scalar()?
                .fetch_one(&ready.db.pool)
                .await?;
            live::spawn_publisher(ready.hub.clone(), booth);
            println!("bench-live-target ready {} booth {booth}", config.addr);
            start::serve(ready).await?;
        }
        _ => return Err(format!("unknown command {cmd:?}; {USAGE}").into()),
    }
    Ok(())
}
