//! Importing many sources at once (`heard import sources` and the web upload): every row in one
//! transaction or none, participants found or registered by pseudonym, extra columns kept as
//! attributes.
//!
//! Redaction is the costly part, so it runs on worker threads (one per core) while the database
//! task inserts what they finish, in file order, many rows to a statement. Workers and inserter
//! meet through bounded channels, so a large file is never held whole in memory.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::spans_to_json;
use heard_domain::voice::import::{Problem, SourceRow};
use heard_domain::voice::participants::{ParticipantKind, Pseudonym};
use heard_domain::voice::sources::{SourceKind, default_title, source_text, source_title};
use time::Date;

use crate::audit::{AuditConn, AuditEntry};
use crate::{Store, StoreError, decode, now};

/// Rows a worker redacts at a time, and sources inserted by one statement (11 parameters each:
/// well inside SQLite's and PostgreSQL's limits).
const CHUNK: usize = 256;
const BATCH: usize = 128;
const SOURCE_COLUMNS: usize = 11;

/// How an import treats rows with problems.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Store the valid rows and report the rest, instead of all rows or none.
    pub skip_invalid: bool,
    /// Check every row (participants included) without redacting or storing anything.
    pub dry_run: bool,
    /// Names the redactor must always find besides the programme's participants and users: the
    /// pseudonyms of the participants the file brings in (the caller reads them in a first pass).
    pub names: Vec<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Sources stored (0 unless `committed`).
    pub imported: u64,
    /// Participants registered because the file named a pseudonym the programme did not have.
    pub participants_created: u64,
    /// Rows that could not be stored, by row and column, in row order. Never quotes a cell.
    pub problems: Vec<Problem>,
    /// Whether anything was written: false on a dry run, or when a problem rolled the import back.
    pub committed: bool,
}

/// One row, checked and redacted, ready to insert.
struct Prepared {
    row: usize,
    kind: SourceKind,
    title: String,
    collected_on: Option<Date>,
    original: String,
    redacted: String,
    spans: String,
    attributes: String,
    participant: Option<(Pseudonym, Option<ParticipantKind>)>,
}

type Checked = Result<Prepared, Vec<Problem>>;

fn problem(row: usize, column: &str, message: impl Into<String>) -> Problem {
    Problem { row: Some(row), column: Some(column.to_owned()), message: message.into() }
}

/// A participant's kind as a file writes it: its code or its label, ignoring case, spaces, `_`, `-`.
fn participant_kind(raw: &str) -> Option<ParticipantKind> {
    let squash =
        |text: &str| -> String { text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    let wanted = squash(raw);
    ParticipantKind::ALL.iter().copied().find(|kind| squash(kind.code()) == wanted || squash(kind.label()) == wanted)
}

/// Checks one row and, unless `redactor` is `None` (a dry run), redacts its text.
fn prepare(row: SourceRow, redactor: Option<&Redactor>) -> Checked {
    let mut problems = Vec::new();
    let first = |invalid: heard_domain::Invalid| invalid.0.into_iter().next().map(|e| e.message).unwrap_or_default();
    let text = source_text("text", &row.text).map_err(|e| problems.push(problem(row.row, "text", first(e)))).ok();
    let title = match row.title.as_deref().map(|title| source_title("title", title)) {
        None => None,
        Some(Ok(title)) => title,
        Some(Err(e)) => {
            problems.push(problem(row.row, "title", first(e)));
            None
        }
    };
    let participant = match &row.participant {
        None => None,
        Some((pseudonym, kind)) => {
            let pseudonym = Pseudonym::parse("pseudonym", pseudonym)
                .map_err(|e| problems.push(problem(row.row, "pseudonym", first(e))))
                .ok();
            let kind = match kind.as_deref().map(|raw| (raw, participant_kind(raw))) {
                None => None,
                Some((_, Some(kind))) => Some(kind),
                Some((_, None)) => {
                    let codes: Vec<&str> = ParticipantKind::ALL.iter().map(|kind| kind.code()).collect();
                    let message = format!("not a known kind of participant (use one of: {})", codes.join(", "));
                    problems.push(problem(row.row, "participant kind", message));
                    None
                }
            };
            pseudonym.map(|pseudonym| (pseudonym, kind))
        }
    };
    let (Some(text), true) = (text, problems.is_empty()) else { return Err(problems) };
    let attributes = serde_json::to_string(&row.attributes).unwrap_or_else(|_| "{}".to_owned());
    let (redacted, spans) = match redactor {
        Some(redactor) => {
            let redacted = redactor.redact(&text);
            (redacted.text, spans_to_json(&redacted.spans))
        }
        None => (String::new(), String::new()),
    };
    Ok(Prepared {
        row: row.row,
        kind: row.kind,
        title: title.unwrap_or_else(|| default_title(row.kind, row.date)),
        collected_on: row.date,
        original: text,
        redacted,
        spans,
        attributes,
        participant,
    })
}

/// Reads `rows` on one thread and checks and redacts them on `workers` more, sending numbered
/// chunks to the returned channel as they finish (not necessarily in order). Every thread stops
/// when the receiver is dropped.
fn start_workers<I>(
    rows: I,
    redactor: Option<Arc<Redactor>>,
    workers: usize,
) -> tokio::sync::mpsc::Receiver<(u64, Vec<Checked>)>
where
    I: IntoIterator<Item = SourceRow>,
    I::IntoIter: Send + 'static,
{
    let rows = rows.into_iter();
    let (work_tx, work_rx): (SyncSender<(u64, Vec<SourceRow>)>, Receiver<_>) = sync_channel(workers * 2);
    let (done_tx, done_rx) = tokio::sync::mpsc::channel(workers * 4);
    std::thread::spawn(move || {
        let mut rows = rows;
        let mut sequence = 0;
        loop {
            let chunk: Vec<SourceRow> = rows.by_ref().take(CHUNK).collect();
            if chunk.is_empty() || work_tx.send((sequence, chunk)).is_err() {
                break;
            }
            sequence += 1;
        }
    });
    let work_rx = Arc::new(Mutex::new(work_rx));
    for _ in 0..workers {
        let work_rx = Arc::clone(&work_rx);
        let done_tx = done_tx.clone();
        let redactor = redactor.clone();
        std::thread::spawn(move || {
            loop {
                let job = match work_rx.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => break,
                };
                let Ok((sequence, chunk)) = job else { break };
                let checked = chunk.into_iter().map(|row| prepare(row, redactor.as_deref())).collect();
                if done_tx.blocking_send((sequence, checked)).is_err() {
                    break;
                }
            }
        });
    }
    done_rx
}

/// What the inserting task is told to do.
struct Plan<'a> {
    programme_id: i64,
    options: &'a ImportOptions,
    by: Option<i64>,
    progress: &'a (dyn Fn(u64) + Send + Sync),
}

/// The backend's way of choosing ids for sources before inserting them, so that one statement can
/// insert many sources and their participants can refer to them.
trait BulkIds {
    /// What goes between the column list and `VALUES` to let explicit ids in.
    const OVERRIDING: &'static str;
    /// Whether parameters are numbered (`$1`) or anonymous (`?`). SQLite looks a numbered
    /// parameter's name up in a list, so binding n numbered parameters costs n², which for a
    /// statement of 1,408 was a tenth of the import's time.
    const NUMBERED: bool;
    async fn reserve_ids(&mut self, n: usize) -> Result<Vec<i64>, StoreError>;
    /// Settings for a bulk load on this connection, which is closed after it.
    async fn bulk(&mut self) -> Result<(), StoreError>;
}

impl BulkIds for sqlx::SqliteConnection {
    const OVERRIDING: &'static str = "";
    const NUMBERED: bool = false;

    // The import's transaction holds SQLite's write lock (BEGIN IMMEDIATE), so nobody else can
    // take these ids before it inserts them.
    async fn reserve_ids(&mut self, n: usize) -> Result<Vec<i64>, StoreError> {
        let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM sources").fetch_one(&mut *self).await?;
        Ok((1..=n as i64).map(|i| last + i).collect())
    }

    // A larger page cache while one transaction writes a great many pages: the search index's
    // segments and the tables' upper pages stay in memory instead of spilling to the WAL and being
    // read back. Durability is untouched (same journal, same synchronous setting).
    async fn bulk(&mut self) -> Result<(), StoreError> {
        sqlx::query("PRAGMA cache_size = -262144").execute(&mut *self).await?;
        Ok(())
    }
}

impl BulkIds for sqlx::PgConnection {
    const OVERRIDING: &'static str = "OVERRIDING SYSTEM VALUE";
    const NUMBERED: bool = true;

    async fn reserve_ids(&mut self, n: usize) -> Result<Vec<i64>, StoreError> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('sources', 'id')) FROM generate_series(1, $1)")
                .bind(n as i64)
                .fetch_all(&mut *self)
                .await?;
        Ok(ids)
    }

    async fn bulk(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// `(...), (...)` for `rows` rows of `columns` parameters, numbered or anonymous.
fn values(rows: usize, columns: usize, numbered: bool) -> String {
    (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=columns)
                .map(|column| if numbered { format!("${}", row * columns + column) } else { "?".to_owned() })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

per_backend! {
    async fn insert_batch(
        conn: &mut Conn,
        plan: &Plan<'_>,
        batch: &mut Vec<(Prepared, Option<i64>)>,
    ) -> Result<(), StoreError> {
        if batch.is_empty() {
            return Ok(());
        }
        let ids = conn.reserve_ids(batch.len()).await?;
        let sql = format!(
            "INSERT INTO sources (id, programme_id, kind, title, collected_on, original_text, redacted_text, detected_spans,
             attributes, created_by, created_at) {} VALUES {}",
            <Conn as BulkIds>::OVERRIDING,
            values(batch.len(), SOURCE_COLUMNS, <Conn as BulkIds>::NUMBERED)
        );
        let at = now();
        let mut query = sqlx::query(&sql);
        for ((source, _), id) in batch.iter().zip(&ids) {
            query = query
                .bind(*id)
                .bind(plan.programme_id)
                .bind(source.kind.code())
                .bind(source.title.as_str())
                .bind(source.collected_on)
                .bind(source.original.as_str())
                .bind(source.redacted.as_str())
                .bind(source.spans.as_str())
                .bind(source.attributes.as_str())
                .bind(plan.by)
                .bind(at);
        }
        query.execute(&mut *conn).await?;
        let links: Vec<(i64, i64)> =
            batch.iter().zip(&ids).filter_map(|((_, participant), id)| participant.map(|p| (*id, p))).collect();
        if !links.is_empty() {
            let sql = format!("INSERT INTO source_participants (source_id, participant_id) VALUES {}", values(links.len(), 2, <Conn as BulkIds>::NUMBERED));
            let mut query = sqlx::query(&sql);
            for (source_id, participant_id) in links {
                query = query.bind(source_id).bind(participant_id);
            }
            query.execute(&mut *conn).await?;
        }
        batch.clear();
        Ok(())
    }

    pub(super) async fn import(
        pool: &DbPool,
        plan: &Plan<'_>,
        checked: tokio::sync::mpsc::Receiver<(u64, Vec<Checked>)>,
    ) -> Result<ImportOutcome, StoreError> {
        let mut conn = pool.acquire().await?;
        // The import's connection is closed when it ends, never returned to the pool, so that an
        // import abandoned anywhere (a client hanging up drops the request) cannot leave it with
        // the larger cache or, dropped between sqlx's BEGIN and its check, inside a transaction
        // nobody holds (on SQLite, holding the write lock). Closing it rolls back what is open.
        conn.close_on_drop();
        conn.bulk().await?;
        import_on(&mut conn, plan, checked).await
    }

    async fn import_on(
        conn: &mut Conn,
        plan: &Plan<'_>,
        mut checked: tokio::sync::mpsc::Receiver<(u64, Vec<Checked>)>,
    ) -> Result<ImportOutcome, StoreError> {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, BEGIN).await?;
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, pseudonym_key, kind FROM participants WHERE programme_id = $1")
                .bind(plan.programme_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut participants: HashMap<String, (i64, ParticipantKind)> = HashMap::with_capacity(rows.len());
        for (id, key, kind) in rows {
            participants.insert(key, (id, decode(&kind)?));
        }
        let writing = !plan.options.dry_run;
        let mut outcome = ImportOutcome::default();
        let mut batch: Vec<(Prepared, Option<i64>)> = Vec::with_capacity(BATCH);
        let mut waiting: BTreeMap<u64, Vec<Checked>> = BTreeMap::new();
        let (mut next, mut seen) = (0u64, 0u64);
        while let Some((sequence, chunk)) = checked.recv().await {
            waiting.insert(sequence, chunk);
            while let Some(chunk) = waiting.remove(&next) {
                next += 1;
                for item in chunk {
                    seen += 1;
                    let source = match item {
                        Ok(source) => source,
                        Err(problems) => {
                            outcome.problems.extend(problems);
                            continue;
                        }
                    };
                    // Once an all-or-nothing import has a problem, nothing more is written: the
                    // rest is only checked, so the report lists every problem.
                    let storing = writing && (plan.options.skip_invalid || outcome.problems.is_empty());
                    let participant = match &source.participant {
                        None => None,
                        Some((pseudonym, kind)) => match participants.get(&pseudonym.key()) {
                            Some(&(_, existing)) if kind.is_some_and(|kind| kind != existing) => {
                                let message = format!(
                                    "the participant is already registered as {}",
                                    existing.label().to_lowercase()
                                );
                                outcome.problems.push(problem(source.row, "participant kind", message));
                                continue;
                            }
                            Some(&(id, _)) => Some(id),
                            None => {
                                let kind = kind.unwrap_or(ParticipantKind::Other);
                                let id = if storing {
                                    outcome.participants_created += 1;
                                    sqlx::query_scalar(
                                        "INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, created_at)
                                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                                    )
                                    .bind(plan.programme_id)
                                    .bind(pseudonym.as_str())
                                    .bind(pseudonym.key())
                                    .bind(kind.code())
                                    .bind(now())
                                    .fetch_one(&mut *tx)
                                    .await?
                                } else {
                                    0
                                };
                                participants.insert(pseudonym.key(), (id, kind));
                                Some(id)
                            }
                        },
                    };
                    if storing {
                        outcome.imported += 1;
                        batch.push((source, participant));
                        if batch.len() == BATCH {
                            insert_batch(&mut tx, plan, &mut batch).await?;
                        }
                    }
                }
                (plan.progress)(seen);
            }
        }
        let clean = plan.options.skip_invalid || outcome.problems.is_empty();
        if writing && clean {
            insert_batch(&mut tx, plan, &mut batch).await?;
            let subject = format!(
                "programme {}, {} sources imported, {} participants registered",
                plan.programme_id, outcome.imported, outcome.participants_created
            );
            tx.append_audit(&AuditEntry::of_action("sources.imported", subject).by(plan.by)).await?;
            tx.commit().await?;
            outcome.committed = true;
        } else {
            tx.rollback().await?;
            outcome.imported = 0;
            outcome.participants_created = 0;
        }
        Ok(outcome)
    }
}

impl Store {
    /// Imports sources read from a file into a programme: in one transaction, all rows or none
    /// (or, with `skip_invalid`, the valid rows), each text redacted on arrival with the programme's
    /// known names and `options.names`. A row naming a pseudonym the programme does not have
    /// registers that participant (kind from the row, or Other); a row whose participant kind
    /// differs from the registered participant's is a problem. Rows are consumed as they are
    /// read; `progress` is called with how many have been handled so far.
    ///
    /// Problems with rows come back in [`ImportOutcome::problems`]; `Err` is for a missing
    /// programme (`NotFound`) or a database failure, after which nothing is stored either.
    pub async fn import_sources<I>(
        &self,
        programme_id: i64,
        rows: I,
        options: &ImportOptions,
        by: Option<i64>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ImportOutcome, StoreError>
    where
        I: IntoIterator<Item = SourceRow>,
        I::IntoIter: Send + 'static,
    {
        if self.programme_by_id(programme_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let redactor = if options.dry_run {
            None
        } else {
            let mut names = self.known_names(programme_id).await?;
            names.extend(options.names.iter().cloned());
            Some(Arc::new(Redactor::new().with_known_names(names.iter().map(String::as_str))))
        };
        let workers = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let checked = start_workers(rows, redactor, workers);
        let plan = Plan { programme_id, options, by, progress };
        dispatch!(self, import(&plan, checked))
    }
}
