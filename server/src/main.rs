//! `server`: serves OCOP Market. The benchmarks and their data generators are another binary
//! (`bench/`), so none of them ships in this one.
#![recursion_limit = "512"]
use server::config::Config;
use server::start;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Server-side rendering walks deeply nested view types on the worker threads; tokio's
    // default 2 MiB stack is tight for the largest pages, so workers get 8 MiB.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()?
        .block_on(async {
            let config = Config::from_env()?;
            start::init_tracing(&config);
            let db = start::database(&config).await?;
            start::serve(start::prepare(&config, db).await?).await
        })
}
