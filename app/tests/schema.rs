//! The two migration sets describe the same schema: same tables, same columns, same nullability,
//! the same indexes (name, table, columns, uniqueness) and triggers on the same tables for the
//! same events. The search index is the one difference, by design: SQLite's is an FTS5 table kept
//! by triggers, PostgreSQL's a GIN index over an expression.
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

/// (table, index, unique, columns in order). Indexes only: a primary key or a UNIQUE column
/// constraint makes one on each backend under its own name.
type Indexes = Vec<(String, String, bool, Vec<String>)>;

async fn sqlite_indexes(db: &app::db::Db) -> Indexes {
    let rows = sqlx::query(
        "SELECT m.tbl_name AS table_name, m.name AS index_name, l.\"unique\" AS is_unique \
         FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) l ON l.name = m.name \
         WHERE m.type = 'index' AND m.sql IS NOT NULL ORDER BY m.tbl_name, m.name",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read SQLite indexes");
    let mut out = Indexes::new();
    for r in rows {
        let index: String = r.get("index_name");
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(name, '(expression)') FROM pragma_index_info(?) ORDER BY seqno",
        )
        .bind(&index)
        .fetch_all(&db.pool)
        .await
        .expect("index columns");
        out.push((r.get("table_name"), index, r.get::<i64, _>("is_unique") != 0, columns));
    }
    out
}

async fn postgres_indexes(db: &app::db::Db) -> Indexes {
    let rows = sqlx::query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
         CASE WHEN x.indisunique THEN 1::bigint ELSE 0::bigint END AS is_unique, \
         array_to_string(ARRAY(SELECT COALESCE(a.attname::text, '(expression)') \
               FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) \
               LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum <> 0 \
               ORDER BY k.n), ',') AS columns \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace s ON s.oid = t.relnamespace \
         WHERE s.nspname = 'public' AND t.relname NOT LIKE '_sqlx%' \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
         ORDER BY t.relname, i.relname",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read PostgreSQL indexes");
    rows.into_iter()
        .map(|r| {
            let index: String = r.get("index_name");
            let columns = r.get::<String, _>("columns").split(',').map(str::to_owned).collect();
            (r.get("table_name"), index, r.get::<i64, _>("is_unique") != 0, columns)
        })
        .filter(|(_, index, _, _): &(String, String, bool, Vec<String>)| index != "products_search_idx")
        .collect()
}

/// (table, event, timing) of every trigger, once per event.
type Triggers = std::collections::BTreeSet<(String, String, String)>;

async fn sqlite_triggers(db: &app::db::Db) -> Triggers {
    let rows = sqlx::query("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        .fetch_all(&db.pool)
        .await
        .expect("read SQLite triggers");
    let mut out = Triggers::new();
    for r in rows {
        let table: String = r.get("tbl_name");
        let sql: String = r.get::<String, _>("sql").to_uppercase();
        let head = &sql[..sql.find(" ON ").unwrap_or(sql.len())];
        let timing = ["BEFORE", "AFTER", "INSTEAD OF"].into_iter().find(|t| head.contains(t)).unwrap_or("?");
        let event = ["INSERT", "UPDATE", "DELETE"].into_iter().find(|e| head.contains(e)).unwrap_or("?");
        out.insert((table, event.to_owned(), timing.to_owned()));
    }
    out
}

async fn postgres_triggers(db: &app::db::Db) -> Triggers {
    let rows = sqlx::query(
        "SELECT event_object_table::text AS t, event_manipulation::text AS e, action_timing::text AS w \
         FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read PostgreSQL triggers");
    rows.into_iter().map(|r| (r.get("t"), r.get("e"), r.get("w"))).collect()
}

#[tokio::test]
async fn both_migration_sets_give_the_same_indexes_and_triggers() {
    let sqlite = common::sqlite().await;
    let Some(pg) = common::postgres().await else {
        sqlite.teardown().await;
        return;
    };
    let (a, b) = (sqlite_indexes(&sqlite.db).await, postgres_indexes(&pg.db).await);
    assert!(a.len() >= 40, "the indexes are read: {a:?}");
    assert_eq!(a, b, "SQLite (left) and PostgreSQL (right) indexes differ");
    let a = sqlite_triggers(&sqlite.db).await;
    let b = postgres_triggers(&pg.db).await;
    assert!(!b.is_empty(), "the triggers are read");
    assert_eq!(a, b, "SQLite (left) and PostgreSQL (right) triggers differ");
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
