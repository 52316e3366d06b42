//! `server bench-search [rounds]`: server-side search latency on the database in DATABASE_URL,
//! for the README's performance table (a benchmark, never a test).
use std::time::{Duration, Instant};

use app::catalog::model::ProductQuery;
use app::db::Db;
use app::lang::Lang;

/// Twenty searches a shopper might type: both languages, with and without tone marks, prefixes.
pub const QUERIES: [&str; 20] = [
    "dau den",
    "Đậu đen",
    "black bean",
    "tra oi",
    "buoi",
    "siro",
    "chuo",
    "mật ong",
    "honey",
    "tea",
    "trà",
    "organic",
    "sấy khô",
    "nam huong",
    "shiitake",
    "gao nep",
    "buffalo",
    "cam sanh",
    "mien dong",
    "premium wine",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<44} n={:<5} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    );
}

pub async fn search(db: &Db, rounds: usize) -> Result<(), sqlx::Error> {
    let today = app::catalog::certificate::today();
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&db.pool).await?;
    println!("{products} products, {} queries x {rounds} rounds, backend {:?}", QUERIES.len(), db.backend);
    let mut suggest = Vec::new();
    let mut page = Vec::new();
    let mut cached = Vec::new();
    let cache = app::catalog::cache::PageCache::default();
    let mut per_query = vec![Vec::new(); QUERIES.len()];
    let mut matches = vec![0; QUERIES.len()];
    // The first list read builds the in-memory list index (and after every catalogue change,
    // the next read rebuilds it); reported on its own line, not among the searches.
    let t = Instant::now();
    let all = ProductQuery { page: 1, ..Default::default() };
    app::catalog::service::list_products(db, &all, Lang::Vi, &today).await?;
    let build = t.elapsed();
    for _ in 0..rounds {
        for (i, q) in QUERIES.into_iter().enumerate() {
            let t = Instant::now();
            app::search::service::suggest(db, q).await?;
            suggest.push(t.elapsed());
            let query = ProductQuery { q: q.to_owned(), page: 1, ..Default::default() };
            let t = Instant::now();
            let result = app::catalog::service::list_products(db, &query, Lang::Vi, &today).await?;
            page.push(t.elapsed());
            per_query[i].push(t.elapsed());
            matches[i] = result.total;
            app::catalog::service::list_products_cached(&cache, db, &query, Lang::Vi, &today).await?;
            let t = Instant::now();
            app::catalog::service::list_products_cached(&cache, db, &query, Lang::Vi, &today).await?;
            cached.push(t.elapsed());
        }
    }
    println!("results page per query (median), with the number of matches:");
    for (i, mut samples) in per_query.into_iter().enumerate() {
        samples.sort();
        println!(
            "  {:<14} {:>7} matches  {:>7.2} ms",
            QUERIES[i],
            matches[i],
            percentile(&samples, 0.5).as_secs_f64() * 1e3
        );
    }
    println!("list index build (first read after start or a change): {:.0} ms", build.as_secs_f64() * 1e3);
    report("search suggestions (match + rank, top 6)", suggest);
    report("search results page, uncached (24 + total + facets)", page);
    report("search results page, from the page cache", cached);
    Ok(())
}
