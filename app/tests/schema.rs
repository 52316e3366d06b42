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
