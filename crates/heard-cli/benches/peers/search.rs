//! Search: the sources of a Heard database (made by `cargo bench -p heard-store --bench
//! import_search` with `HEARD_BENCH_KEEP`) copied into PostgreSQL as plain full-text search would
//! hold them (a tsvector column with a GIN index, the 'english' configuration), then the same query
//! mix (`SEARCH_QUERIES`, each with three filters) run against both in turn: Heard's embedded
//! search (`Store::search`: the first page of 20 with snippets and a count up to 250) and
//! PostgreSQL's `@@` ranked by `ts_rank` (the first 20 ids: no snippet, no count, so less work).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::TryStreamExt;
use heard_analysis::voice::synthetic::SEARCH_QUERIES;
use heard_domain::voice::sources::{SearchQuery, SourceKind};
use heard_store::{SearchFilters, Store};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

use crate::results::{self, Figure};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    out: crate::Output,
    /// The Heard (SQLite) database whose sources are searched.
    #[arg(long)]
    db: PathBuf,
    /// The PostgreSQL database to copy them into (its table `peer_sources` is made afresh).
    #[arg(long)]
    postgres: String,
    /// Timed runs; each asks every query with each filter once, Heard and PostgreSQL in turn.
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

#[tokio::main]
pub async fn run(args: &Args) -> anyhow::Result<()> {
    let store = Store::open_sqlite_file(&args.db).await.context("could not open the Heard database")?;
    let programme_id = store.programme("early-years").await?.context("no early-years programme")?.id;
    let postgres = PgPoolOptions::new().max_connections(1).connect(&args.postgres).await?;
    copy_sources(&args.db, &postgres).await?;

    let filters = [
        (Some(programme_id), None),
        (None, Some(SourceKind::InterviewTranscript)),
        (Some(programme_id), Some(SourceKind::Story)),
    ];
    for run in 0..=args.runs {
        let mut took: BTreeMap<(&str, &str), Vec<Duration>> = BTreeMap::new();
        for (class, raw) in SEARCH_QUERIES {
            for (programme, kind) in filters {
                let query = SearchQuery::parse("q", raw)?;
                let heard_filters = SearchFilters { programme_id: programme, kind, ..SearchFilters::default() };
                let started = Instant::now();
                let found = store.search(&query, &heard_filters, 0).await?;
                took.entry(("heard", class)).or_default().push(started.elapsed());

                let started = Instant::now();
                let ids = postgres_search(&postgres, raw, programme, kind).await?;
                took.entry(("postgresql", class)).or_default().push(started.elapsed());
                if run == 0 {
                    println!(
                        "  {raw} {programme:?} {kind:?}: Heard {} on its page, PostgreSQL {}",
                        found.hits.len(),
                        ids
                    );
                }
            }
        }
        if run == 0 {
            continue; // a warm-up: both caches filled by the same queries
        }
        for tool in ["heard", "postgresql"] {
            let mut all = Vec::new();
            for ((t, class), times) in &mut took {
                if *t == tool {
                    all.extend(times.iter().copied());
                    figures(&args.out.results, tool, class, times, run)?;
                }
            }
            figures(&args.out.results, tool, "all", &mut all, run)?;
        }
    }
    store.close().await;
    // The web part runs on the same cluster next: without the million rows (their buffers are
    // dropped with them) it does not share the server with their background writing.
    sqlx::query("DROP TABLE peer_sources").execute(&postgres).await?;
    Ok(())
}

fn figures(path: &std::path::Path, tool: &str, case: &str, times: &mut [Duration], run: usize) -> anyhow::Result<()> {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64() * 1e3;
    let case = if case == "multi-word" { "several words" } else { case };
    results::append(
        path,
        &[
            Figure { part: "search", tool, metric: "p50_ms", case, run, value: at(0.5), unit: "ms" },
            Figure { part: "search", tool, metric: "p99_ms", case, run, value: at(0.99), unit: "ms" },
        ],
    )
}

async fn postgres_search(
    pool: &PgPool,
    raw: &str,
    programme: Option<i64>,
    kind: Option<SourceKind>,
) -> anyhow::Result<usize> {
    let rows = sqlx::query(
        "SELECT id, ts_rank(search, query) AS rank
         FROM peer_sources, websearch_to_tsquery('english', $1) AS query
         WHERE search @@ query AND ($2::bigint IS NULL OR programme_id = $2) AND ($3::text IS NULL OR kind = $3)
         ORDER BY rank DESC LIMIT 20",
    )
    .bind(raw)
    .bind(programme)
    .bind(kind.map(|k| k.code()))
    .fetch_all(pool)
    .await?;
    Ok(rows.len())
}

/// Copies every source's searchable (redacted) text, programme and kind into `peer_sources` by COPY,
/// then builds the indexes, as one would for a bulk load.
async fn copy_sources(db: &std::path::Path, postgres: &PgPool) -> anyhow::Result<()> {
    let started = Instant::now();
    for statement in [
        "DROP TABLE IF EXISTS peer_sources",
        "CREATE TABLE peer_sources (id bigint PRIMARY KEY, programme_id bigint NOT NULL, kind text NOT NULL,
            body text NOT NULL, search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)",
    ] {
        sqlx::query(statement).execute(postgres).await?;
    }
    let sqlite = SqlitePool::connect_with(SqliteConnectOptions::new().filename(db).read_only(true)).await?;
    let mut rows = sqlx::query("SELECT id, programme_id, kind, redacted_text FROM sources ORDER BY id").fetch(&sqlite);
    let mut connection = postgres.acquire().await?;
    let mut copy = connection.copy_in_raw("COPY peer_sources (id, programme_id, kind, body) FROM STDIN").await?;
    let mut buffer = String::new();
    let mut copied = 0_usize;
    while let Some(row) = rows.try_next().await? {
        let (id, programme, kind, text): (i64, i64, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
        buffer.push_str(&format!("{id}\t{programme}\t{kind}\t"));
        // COPY's text format: backslash, tab, newline and carriage return escaped.
        for c in text.chars() {
            match c {
                '\\' => buffer.push_str("\\\\"),
                '\t' => buffer.push_str("\\t"),
                '\n' => buffer.push_str("\\n"),
                '\r' => buffer.push_str("\\r"),
                c => buffer.push(c),
            }
        }
        buffer.push('\n');
        copied += 1;
        if buffer.len() > 4 << 20 {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
        }
    }
    copy.send(buffer.into_bytes()).await?;
    copy.finish().await?;
    drop(rows);
    sqlite.close().await;
    for statement in [
        "SET maintenance_work_mem = '1GB'",
        "CREATE INDEX peer_sources_search ON peer_sources USING GIN (search)",
        "CREATE INDEX peer_sources_programme ON peer_sources (programme_id)",
        "CREATE INDEX peer_sources_kind ON peer_sources (kind)",
        "VACUUM ANALYZE peer_sources",
    ] {
        sqlx::query(statement).execute(&mut *connection).await?;
    }
    println!("search: {copied} sources copied into PostgreSQL and indexed in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
