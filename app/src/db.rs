//! The database handle: one sqlx `Any` pool chosen at run time by `DATABASE_URL`, its migrations,
//! and a small SQL builder that writes the `$n` placeholders both SQLite and PostgreSQL accept.
use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyArguments, AnyPoolOptions};
use sqlx::{Any, AnyPool, Arguments, Encode, Executor, Type};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported DATABASE_URL scheme (use sqlite:// or postgres://): {0}")]
    UnsupportedUrl(String),
    #[error("could not create the directory for the SQLite file: {0}")]
    CreateDir(#[from] std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool plus which backend it talks to; the few queries that differ (full-text search)
/// branch on `backend`.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// State kept beside this database and shared by every clone of the handle (the product
    /// list's in-memory index), one value a type: see [`Db::shared`].
    shared: std::sync::Arc<std::sync::Mutex<SharedState>>,
    /// SQLite has one writer at a time. Write transactions (`begin_write`) queue here, first
    /// come first served, instead of in SQLite's busy handler, whose growing sleeps (up to
    /// 100 ms a try) gave a checkout p99 of 180 ms and a tail of 2 s at 8 writers.
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

type SharedState =
    std::collections::HashMap<std::any::TypeId, std::sync::Arc<dyn std::any::Any + Send + Sync>>;

/// How SQLite commits. `Full` (the default) survives a power loss or an operating-system crash,
/// at the cost of an fsync per commit: an order the shop has acknowledged must not vanish.
/// `Normal` survives only an application crash (in WAL mode the last commits can be lost when
/// the machine stops), an opt-in for those who accept that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    Normal,
    #[default]
    Full,
}

impl Db {
    /// Connects to `url`, creating the SQLite file (and its directory) when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        Db::connect_with(url, max_connections, SqliteSync::default()).await
    }

    /// `connect`, choosing SQLite's commit durability.
    pub async fn connect_with(url: &str, max_connections: u32, sync: SqliteSync) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.split(':').next().unwrap_or("").to_owned()));
        };
        let mut url = url.to_owned();
        if backend == Backend::Sqlite {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if path != ":memory:"
                && let Some(dir) = Path::new(path).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the single writer; busy_timeout makes a
                        // second writer wait instead of failing with SQLITE_BUSY. The default
                        // 2 MB page cache holds a tenth of the catalogue at 100,000 products, so
                        // each connection gets 64 MB and reads through a memory map instead.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 5000; \
                             PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456; \
                             PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                        conn.execute(match sync {
                            SqliteSync::Full => "PRAGMA synchronous = FULL;",
                            SqliteSync::Normal => "PRAGMA synchronous = NORMAL;",
                        })
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Db { pool, backend, shared: Default::default(), sqlite_writer: Default::default() })
    }

    /// The one `T` kept beside this database (made on first use and shared by every clone of the
    /// handle): state derived from the data, such as the catalogue's list index, lives as long
    /// as the pool, and a domain keeps its own without the database layer knowing it.
    pub fn shared<T: Default + Send + Sync + 'static>(&self) -> std::sync::Arc<T> {
        let mut map = self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map.entry(std::any::TypeId::of::<T>()).or_insert_with(|| {
            std::sync::Arc::new(T::default()) as std::sync::Arc<dyn std::any::Any + Send + Sync>
        });
        match entry.clone().downcast::<T>() {
            Ok(value) => value,
            // Unreachable: the entry for `T` is only ever made from a `T`.
            Err(_) => std::sync::Arc::new(T::default()),
        }
    }

    /// Applies this backend's migration set (the two sets are kept in step; a test compares them).
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// A transaction that may write. On SQLite it waits for this process's write turn and then
    /// starts with `BEGIN IMMEDIATE`, so it holds the database's write lock before its first
    /// read: a deferred transaction that read first could not upgrade its read lock after
    /// another connection's commit (SQLITE_BUSY at once, whatever the busy timeout). On
    /// PostgreSQL it is a plain transaction; what it reads to decide, it locks (`FOR UPDATE`).
    ///
    /// The turn is taken before a connection, and nothing waits for the turn while holding a
    /// connection, so writers cannot starve the pool. Never call it while holding one.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let turn = self.sqlite_writer.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx { tx, backend: self.backend, _turn: Some(turn) })
            }
            Backend::Postgres => {
                Ok(WriteTx { tx: self.pool.begin().await?, backend: self.backend, _turn: None })
            }
        }
    }

    /// Liveness of the database itself, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
}

/// A transaction from `Db::begin_write`: run statements on `&mut *tx`, then `commit`. Dropped
/// without a commit, it rolls back, and then gives up the write turn.
pub struct WriteTx {
    // Declared first, dropped first: the rollback is queued before the turn passes on.
    tx: sqlx::Transaction<'static, Any>,
    backend: Backend,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Locks the row `id` that `select` (`"SELECT id FROM products WHERE id = "`) reads, until
    /// the transaction ends; returns whether it exists. Transactions that count a parent's
    /// rows before adding one (a product's photos, a cart's lines) lock the parent first, so
    /// they run one after the other and a limit holds under any concurrency: on PostgreSQL with
    /// `FOR UPDATE`; on SQLite the transaction already holds the database's write lock.
    pub async fn lock_row(&mut self, select: &'static str, id: i64) -> Result<bool, sqlx::Error> {
        let mut sql = Sql::new(select);
        sql.bind(id);
        if self.backend == Backend::Postgres {
            sql.push(" FOR UPDATE");
        }
        Ok(sql.query()?.fetch_optional(&mut *self.tx).await?.is_some())
    }

    /// Locks `key` in the key space `space` until the transaction ends, for a limit with no
    /// row of its own to lock (inquiries per client address): a PostgreSQL advisory lock; on
    /// SQLite the transaction already holds the database's write lock.
    pub async fn lock_key(&mut self, space: i32, key: &str) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1, hashtext($2))")
                .bind(space)
                .bind(key)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// Builds one SQL statement with bound values. `push` takes only `&'static str`, so user
/// input can reach the SQL text only through `bind`.
pub struct Sql {
    text: String,
    args: AnyArguments,
    count: usize,
    error: Option<sqlx::error::BoxDynError>,
}

impl Sql {
    pub fn new(text: &'static str) -> Sql {
        Sql { text: text.to_owned(), args: AnyArguments::default(), count: 0, error: None }
    }

    pub fn push(&mut self, text: &'static str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends `$n` and binds `value` to it.
    pub fn bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + 'static,
    {
        self.count += 1;
        self.text.push('$');
        self.text.push_str(&self.count.to_string());
        if let Err(e) = self.args.add(value)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        self
    }

    /// Binds each value, separated by commas: for `IN (…)` lists.
    pub fn bind_list<T>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Sql
    where
        T: for<'q> Encode<'q, Any> + Type<Any> + Send + 'static,
    {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    fn finish(self) -> Result<(sqlx::AssertSqlSafe<String>, AnyArguments), sqlx::Error> {
        match self.error {
            Some(e) => Err(sqlx::Error::Encode(e)),
            None => Ok((sqlx::AssertSqlSafe(self.text), self.args)),
        }
    }

    pub fn query_as<'q, O>(self) -> Result<sqlx::query::QueryAs<'q, Any, O, AnyArguments>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let (text, args) = self.finish()?;
        Ok(sqlx::query_as_with(text, args))
    }

    pub fn query_scalar<'q, O>(
        self,
    ) -> Result<sqlx::query::QueryScalar<'q, Any, O, AnyArguments>, sqlx::Error>
    where
        (O,): for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let (text, args) = self.finish()?;
        Ok(sqlx::query_scalar_with(text, args))
    }

    pub fn query<'q>(self) -> Result<sqlx::query::Query<'q, Any, AnyArguments>, sqlx::Error> {
        let (text, args) = self.finish()?;
        Ok(sqlx::query_with(text, args))
    }

    pub fn sql(&self) -> &str {
        &self.text
    }
}

/// The database handle that the server put in the request's context.
pub fn use_db() -> Result<crate::db::Db, crate::error::AppError> {
    leptos::prelude::use_context::<Db>().ok_or_else(|| {
        tracing::error!("no database handle in the request context");
        crate::error::AppError::Internal
    })
}
