//! Test databases: a fresh SQLite file or a fresh PostgreSQL database per test, migrated, and
//! removed afterwards. PostgreSQL is never skipped silently: it is skipped only when
//! OCOP_SKIP_PG=1 is set (the test script does so, loudly, and refuses to when CI is set).
#![allow(dead_code, reason = "each test binary uses a different part of this module")]

use std::sync::atomic::{AtomicU64, Ordering};

use app::db::Db;
use sqlx::Connection;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("ocop_test_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

pub struct TestDb {
    pub db: Db,
    /// The URL the pool was opened with (a second pool or a listener can use it).
    pub url: String,
    cleanup: Cleanup,
}

impl TestDb {
    pub async fn teardown(self) {
        self.db.pool.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop)).execute(&mut conn).await;
                }
            }
        }
    }
}

/// A migrated, empty SQLite database in a temporary file.
pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url, 4).await.expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    TestDb { db, url, cleanup: Cleanup::File(path) }
}

/// The URL of a PostgreSQL database that may create databases, or `None` when the run was
/// told to skip PostgreSQL.
pub fn pg_admin_url() -> Option<String> {
    if std::env::var("OCOP_SKIP_PG").as_deref() == Ok("1") {
        eprintln!("!!! PostgreSQL test SKIPPED because OCOP_SKIP_PG=1 !!!");
        return None;
    }
    Some(
        std::env::var("OCOP_PG_ADMIN_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
    )
}

/// A migrated, empty PostgreSQL database of its own.
pub async fn postgres() -> Option<TestDb> {
    let admin_url = pg_admin_url()?;
    let name = unique_name();
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("PostgreSQL is not reachable (set OCOP_SKIP_PG=1 to skip it knowingly)");
    let create = format!("CREATE DATABASE {name}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut conn).await.expect("create test database");
    conn.close().await.ok();
    let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    let db = Db::connect(&url, 4).await.expect("connect to the test database");
    db.migrate().await.expect("migrate PostgreSQL");
    Some(TestDb { db, url, cleanup: Cleanup::Postgres { admin_url, name } })
}

/// Generates, for each named `async fn name(db: Db)`, a test on SQLite and one on PostgreSQL:
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let t = $crate::common::sqlite().await;
                    super::$name(t.db.clone()).await;
                    t.teardown().await;
                }

                #[tokio::test]
                async fn postgres() {
                    let Some(t) = $crate::common::postgres().await else { return };
                    super::$name(t.db.clone()).await;
                    t.teardown().await;
                }
            }
        )*
    };
}

/// Runs a one-value query, failing the test on any error.
pub async fn scalar<T>(db: &Db, sql: app::db::Sql) -> T
where
    (T,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    T: Send + Unpin,
{
    let text = sql.sql().to_owned();
    sql.query_scalar().expect("encode").fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Runs a one-row query, failing the test on any error.
pub async fn row<T>(db: &Db, sql: app::db::Sql) -> T
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let text = sql.sql().to_owned();
    sql.query_as().expect("encode").fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Runs a statement, failing the test on any error.
pub async fn exec(db: &Db, sql: app::db::Sql) {
    let text = sql.sql().to_owned();
    sql.query().expect("encode").execute(&db.pool).await.unwrap_or_else(|e| panic!("{text}: {e}"));
}
