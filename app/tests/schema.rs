//! The two migration sets describe the same schema: same tables, same columns, same nullability.
//! (SQLite's FTS5 index tables are its search index; PostgreSQL's is a GIN index, not a table.)
mod common;

use std::collections::BTreeMap;

use sqlx::Row;

type Schema = BTreeMap<String, Vec<(String, bool)>>;

async fn sqlite_schema(db: &app::db::Db) -> Schema {
    let rows = sqlx::query(
        "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" AS not_null, p.pk AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
         AND m.name NOT LIKE 'products_fts%' ORDER BY m.name, p.name",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read SQLite schema");
    let mut schema = Schema::new();
    for r in rows {
        let table: String = r.get("table_name");
        let column: String = r.get("column_name");
        // SQLite reports INTEGER PRIMARY KEY as nullable; it is not.
        let not_null = r.get::<i64, _>("not_null") != 0 || r.get::<i64, _>("pk") != 0;
        schema.entry(table).or_default().push((column, not_null));
    }
    schema
}

async fn postgres_schema(db: &app::db::Db) -> Schema {
    let rows = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         CASE WHEN is_nullable = 'NO' THEN 1::bigint ELSE 0::bigint END AS not_null \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name NOT LIKE '_sqlx%' ORDER BY table_name, column_name",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read PostgreSQL schema");
    let mut schema = Schema::new();
    for r in rows {
        let table: String = r.get("table_name");
        let column: String = r.get("column_name");
        schema.entry(table).or_default().push((column, r.get::<i64, _>("not_null") != 0));
    }
    schema
}

#[tokio::test]
async fn both_migration_sets_give_the_same_tables_and_columns() {
    let sqlite = common::sqlite().await;
    let Some(pg) = common::postgres().await else {
        sqlite.teardown().await;
        return;
    };
    let a = sqlite_schema(&sqlite.db).await;
    let b = postgres_schema(&pg.db).await;
    assert!(a.contains_key("products") && a.contains_key("certificates"), "{a:?}");
    assert_eq!(a, b, "SQLite (left) and PostgreSQL (right) schemas differ");
    sqlite.teardown().await;
    pg.teardown().await;
}

/// An order the shop acknowledged must survive a power loss: every pooled SQLite connection
/// commits with `synchronous = FULL` (2) unless `normal` is asked for.
#[tokio::test]
async fn sqlite_commits_survive_a_power_loss_by_default() {
    let sqlite = common::sqlite().await;
    // Held together, so each is a different connection of the pool.
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut conn = sqlite.db.pool.acquire().await.expect("connection");
        let level: i64 =
            sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.expect("pragma");
        assert_eq!(level, 2, "PRAGMA synchronous is FULL");
        held.push(conn);
    }
    drop(held);
    sqlite.teardown().await;
    let path = std::env::temp_dir().join(format!("ocop_sync_normal_{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let db = app::db::Db::connect_with(&url, 1, app::db::SqliteSync::Normal).await.expect("open");
    let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&db.pool).await.expect("pragma");
    assert_eq!(level, 1, "normal stays available as an opt-in");
    db.pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
