//! Upgrades: an installation that has been in use since the first landed schema is brought to the
//! latest one with its data intact, on SQLite and on PostgreSQL.
//!
//! Each migration in `migrations/{sqlite,postgres}/` is applied one at a time, as it landed: the
//! files 0001..=k are copied into a folder and migrated with `sqlx::migrate::Migrator` (the same
//! bytes, so the same checksums the embedded migrator expects). After migration k, the fixture
//! `tests/upgrade/{backend}/NNNN.sql`, or else the shared `tests/upgrade/NNNN.sql`, writes
//! synthetic rows into what that migration made. Every table's row count is recorded after each
//! step, and no later migration may lower one. Then the real `Store::migrate` must accept the
//! history and apply nothing again, the Store's public API must read every fixture's rows back,
//! and the schema must equal a freshly migrated database's.
//!
//! The migrations are read from their folder when the test runs, so a new migration is tested
//! here without editing this file: it runs over all the earlier data even without a fixture.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heard_domain::deliberation::days::JoinCode;
use heard_domain::governance::Email;
use heard_domain::propositions::PropositionStatus;
use heard_domain::voice::forms::ReceiptCode;
use heard_domain::voice::participants::ConsentPurpose;
use heard_domain::voice::sources::SearchQuery;
use heard_store::learning::ReflectionFilter;
use heard_store::{SearchFilters, Store};
use heard_testkit::{TestBackend, fresh_postgres_url};
use sha2::{Digest, Sha256};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};
use time::macros::date;

/// The password every fixture account has (its argon2id hash is in tests/upgrade/0001.sql).
const FIXTURE_PASSWORD: &str = "upgrade-fixture-password";
/// The receipt code of the fixture's story (its hash is in tests/upgrade/0004.sql).
const FIXTURE_RECEIPT: &str = "5Y8H-3JKC-2W6N";
/// The API token whose SHA-256 is in tests/upgrade/0001.sql.
const FIXTURE_TOKEN: &str = "heard_upgrade_fixture_token";
/// The migration that made proposition_status_changes.by_decision and commissioned what decisions
/// had taken up; checked only when it exists.
const TAKEN_UP: u32 = 13;
/// The migration that hash-chained the audit log; checked only when it exists.
const AUDIT_CHAIN: u32 = 15;

#[tokio::test]
async fn sqlite_upgrades_from_the_first_schema_with_data() {
    upgrade(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn postgres_upgrades_from_the_first_schema_with_data() {
    upgrade(TestBackend::Postgres).await;
}

/// A raw connection pool to the database under test, beside the Store.
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

fn folder(backend: TestBackend) -> &'static str {
    match backend {
        TestBackend::Sqlite => "sqlite",
        TestBackend::Postgres => "postgres",
    }
}

/// The backend's migration files in order of their version (the digits before the first `_`).
fn migrations(backend: TestBackend) -> Vec<(u32, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(folder(backend));
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let version = name.split('_').next().unwrap().parse().unwrap_or_else(|_| panic!("{name}: no version"));
            (version, path)
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no migrations in {}", dir.display());
    found
}

/// The fixture to run after migration `version`: the backend's own file, else the shared one.
fn fixture(backend: TestBackend, version: u32) -> Option<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("upgrade");
    let name = format!("{version:04}.sql");
    [dir.join(folder(backend)).join(&name), dir.join(&name)].into_iter().find(|path| path.exists()).map(|path| {
        let sql = std::fs::read_to_string(&path).unwrap();
        (path, sql)
    })
}

impl Db {
    async fn open(backend: TestBackend, location: &str) -> Db {
        match backend {
            TestBackend::Sqlite => {
                // As the Store opens its file: foreign keys enforced, so a fixture cannot plant
                // rows the store itself could not have written.
                let options = SqliteConnectOptions::new().filename(location).create_if_missing(true).foreign_keys(true);
                Db::Sqlite(SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap())
            }
            TestBackend::Postgres => {
                Db::Postgres(PgPoolOptions::new().max_connections(1).connect(location).await.unwrap())
            }
        }
    }

    async fn close(self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Applies whatever of the migrations in `dir` is not applied yet.
    async fn migrate_from(&self, dir: &Path) {
        let migrator = Migrator::new(dir).await.unwrap();
        match self {
            Db::Sqlite(pool) => migrator.run(pool).await,
            Db::Postgres(pool) => migrator.run(pool).await,
        }
        .unwrap_or_else(|e| panic!("migrating to {}: {e}", dir.display()));
    }

    /// Runs a fixture's statements in one transaction.
    async fn run_script(&self, name: &Path, sql: &str) {
        let script = format!("BEGIN;\n{sql}\nCOMMIT;");
        match self {
            Db::Sqlite(pool) => sqlx::raw_sql(&script).execute(pool).await.map(|_| ()),
            Db::Postgres(pool) => sqlx::raw_sql(&script).execute(pool).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("fixture {}: {e}", name.display()));
    }

    async fn strings(&self, sql: &str) -> Vec<String> {
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        match self {
            Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// Every table Heard keeps rows in, with its row count. On SQLite, full-text tables and their
    /// shadow tables are left out: their rows are the index's pages, which merges may lower.
    async fn row_counts(&self) -> BTreeMap<String, i64> {
        let tables = match self {
            Db::Sqlite(_) => {
                self.strings(
                    "SELECT name FROM sqlite_master t WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                     AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table'
                         AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND (t.name = v.name OR t.name LIKE v.name || '\\_%' ESCAPE '\\'))
                     ORDER BY name",
                )
                .await
            }
            Db::Postgres(_) => {
                self.strings(
                    "SELECT table_name::TEXT FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
                )
                .await
            }
        };
        let mut counts = BTreeMap::new();
        for table in tables {
            let n = self.count(&format!("SELECT CAST(COUNT(*) AS BIGINT) FROM \"{table}\"")).await;
            counts.insert(table, n);
        }
        counts
    }

    /// The schema as text, one line per object, whitespace folded, in a fixed order.
    async fn schema(&self) -> Vec<String> {
        let fold = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Db::Sqlite(pool) => {
                let rows = sqlx::query(
                    "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name",
                )
                .fetch_all(pool)
                .await
                .unwrap();
                rows.into_iter()
                    .map(|r| {
                        let (kind, name, table, sql): (String, String, String, String) =
                            (r.get(0), r.get(1), r.get(2), r.get(3));
                        fold(format!("{kind} {name} on {table}: {sql}"))
                    })
                    .collect()
            }
            Db::Postgres(_) => {
                let mut lines = self
                    .strings(
                        "SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' '
                                || data_type || ' nullable ' || is_nullable || ' default ' || COALESCE(column_default, '-')
                                || ' identity ' || is_identity || ' generated ' || COALESCE(generation_expression, '-')
                         FROM information_schema.columns WHERE table_schema = 'public'
                         ORDER BY table_name, ordinal_position",
                    )
                    .await;
                lines.extend(
                    self.strings(
                        "SELECT 'index ' || tablename || ' ' || indexname || ': ' || indexdef
                         FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
                    )
                    .await,
                );
                lines.extend(
                    self.strings(
                        "SELECT 'constraint ' || c.conrelid::regclass::TEXT || ' ' || c.conname || ': ' || pg_get_constraintdef(c.oid)
                         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                         WHERE n.nspname = 'public' ORDER BY 1",
                    )
                    .await,
                );
                lines.extend(
                    self.strings(
                        "SELECT 'trigger ' || c.relname || ' ' || t.tgname || ': ' || pg_get_triggerdef(t.oid)
                         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = 'public' AND NOT t.tgisinternal ORDER BY 1",
                    )
                    .await,
                );
                lines.extend(
                    self.strings(
                        "SELECT 'function ' || p.proname || ': ' || pg_get_functiondef(p.oid)
                         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname = 'public' ORDER BY 1",
                    )
                    .await,
                );
                lines.into_iter().map(fold).collect()
            }
        }
    }

    /// The migrations the database records as applied: version, checksum (hex) and when.
    async fn applied(&self) -> Vec<String> {
        self.strings(match self {
            Db::Sqlite(_) => {
                "SELECT version || ' ' || hex(checksum) || ' ' || installed_on || ' ' || success
                 FROM _sqlx_migrations ORDER BY version"
            }
            Db::Postgres(_) => {
                "SELECT version || ' ' || encode(checksum, 'hex') || ' ' || installed_on::TEXT || ' ' || success::TEXT
                 FROM _sqlx_migrations ORDER BY version"
            }
        })
        .await
    }
}

/// Where the database under test lives, and a Store over it.
struct Place {
    location: String,
    _dir: tempfile::TempDir,
}

impl Place {
    async fn new(backend: TestBackend) -> Place {
        let dir = tempfile::Builder::new().prefix("heard-upgrade-").tempdir().unwrap();
        let location = match backend {
            TestBackend::Sqlite => dir.path().join("heard.db").to_string_lossy().into_owned(),
            TestBackend::Postgres => fresh_postgres_url().await,
        };
        Place { location, _dir: dir }
    }

    async fn store(&self, backend: TestBackend) -> Store {
        match backend {
            TestBackend::Sqlite => Store::open_sqlite_file(Path::new(&self.location)).await.unwrap(),
            TestBackend::Postgres => Store::connect(&self.location).await.unwrap(),
        }
    }
}

/// Fails naming every table that lost rows (or vanished) between `before` and `after`.
fn assert_no_rows_lost(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>, step: &str) {
    let lost: Vec<String> = before
        .iter()
        .filter_map(|(table, &had)| match after.get(table) {
            None if had > 0 => Some(format!("{table}: {had} rows, then no such table")),
            Some(&has) if has < had => Some(format!("{table}: {had} rows, then {has}")),
            _ => None,
        })
        .collect();
    assert!(lost.is_empty(), "{step} lost rows: {}", lost.join("; "));
}

async fn upgrade(backend: TestBackend) {
    let all = migrations(backend);
    let latest = all.last().unwrap().0;
    let place = Place::new(backend).await;
    let staged = tempfile::tempdir().unwrap();
    let db = Db::open(backend, &place.location).await;

    let mut counts = BTreeMap::new();
    let mut fixtures = 0;
    for (version, path) in &all {
        std::fs::copy(path, staged.path().join(path.file_name().unwrap())).unwrap();
        db.migrate_from(staged.path()).await;
        let after = db.row_counts().await;
        assert_no_rows_lost(&counts, &after, &format!("migration {version:04}"));
        counts = after;
        if let Some((name, sql)) = fixture(backend, *version) {
            db.run_script(&name, &sql).await;
            let after = db.row_counts().await;
            assert_no_rows_lost(&counts, &after, &format!("fixture {}", name.display()));
            counts = after;
            fixtures += 1;
        }
    }
    assert!(fixtures >= 12, "the fixtures for 0001 to 0012 ran ({fixtures} did)");
    let applied = db.applied().await;
    assert_eq!(applied.len(), all.len(), "each migration applied once: {applied:?}");

    // The embedded migrator takes the history as its own and applies nothing again.
    let store = place.store(backend).await;
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(db.applied().await, applied, "Store::migrate applied a migration again");
    let after = db.row_counts().await;
    assert_no_rows_lost(&counts, &after, "Store::migrate");
    for (table, had) in &counts {
        // Only the audit log's sealing touches old rows, and it adds none.
        assert_eq!(after.get(table), Some(had), "Store::migrate changed the rows of {table}");
    }

    read_back(&store, latest).await;
    check_migrated_data(&db, backend, latest).await;
    if let Db::Sqlite(pool) = &db {
        // A migration that rebuilds a table (SQLite cannot alter most things in place) must leave
        // no row pointing at one that is gone, and the file whole.
        let dangling: Vec<String> = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                format!("{} row {:?} -> {}", r.get::<String, _>(0), r.get::<Option<i64>, _>(1), r.get::<String, _>(2))
            })
            .collect();
        assert!(dangling.is_empty(), "rows refer to rows that are gone: {dangling:?}");
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(pool).await.unwrap();
        assert_eq!(integrity, "ok");
    }

    // The step-by-step path and a fresh installation end with the same schema.
    let fresh_place = Place::new(backend).await;
    let fresh = fresh_place.store(backend).await;
    fresh.migrate().await.unwrap();
    let fresh_db = Db::open(backend, &fresh_place.location).await;
    let (upgraded, installed) = (db.schema().await, fresh_db.schema().await);
    let only_upgraded: Vec<&String> = upgraded.iter().filter(|l| !installed.contains(l)).collect();
    let only_fresh: Vec<&String> = installed.iter().filter(|l| !upgraded.contains(l)).collect();
    assert!(
        only_upgraded.is_empty() && only_fresh.is_empty(),
        "schemas differ:\nonly upgraded: {only_upgraded:#?}\nonly fresh: {only_fresh:#?}"
    );
    assert!(upgraded.len() > 100, "the schema was read ({} lines)", upgraded.len());

    fresh_db.close().await;
    fresh.close().await;
    db.close().await;
    store.close().await;
}

/// What migrations did to old rows, read directly: the parts with no Store API yet.
async fn check_migrated_data(db: &Db, backend: TestBackend, latest: u32) {
    if latest >= TAKEN_UP {
        // 0013 commissioned what the fixture's decision took up and marked those changes as the
        // decision's; the proposition commissioned by hand got no second change.
        let flag = match backend {
            TestBackend::Sqlite => "by_decision = 1",
            TestBackend::Postgres => "by_decision",
        };
        let marked = db
            .strings(&format!(
                "SELECT p.title FROM proposition_status_changes c JOIN propositions p ON p.id = c.proposition_id
                 WHERE {flag} ORDER BY p.title"
            ))
            .await;
        assert_eq!(marked, ["A shorter referral form (synthetic)", "One number for every family (synthetic)"]);
    }
    if latest >= AUDIT_CHAIN {
        // 0015 gave each old entry its kind by its action, and Store::migrate sealed them all
        // (reading through the Store since may have added entries of its own: only 2024's count).
        let kinds =
            db.strings("SELECT action || ' ' || kind FROM audit_events WHERE at < '2025-01-01' ORDER BY id").await;
        assert_eq!(
            kinds,
            [
                "user.created access_change",
                "api_token.created access_change",
                "programme.created change",
                "consent.given consent",
                "consent.withdrawn consent",
            ]
        );
        assert_eq!(db.count("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE hash IS NULL").await, 0);
    }
}

/// Reads every fixture's rows through the Store's public API and checks the values they wrote.
async fn read_back(store: &Store, latest: u32) {
    // 0001: accounts, sign-in, tokens, partners, the template, a programme and its journey.
    assert_eq!(store.organisation_name().await.unwrap(), "Upgradeshire County Council (synthetic)");
    let email = |raw: &str| Email::parse("email", raw).unwrap();
    let ada = store.user_by_email(&email("Ada.Fixture@upgrade.heard.example")).await.unwrap().unwrap();
    assert_eq!(ada.display_name, "Ada Fixture (synthetic)");
    assert!(ada.password_hash().verify(FIXTURE_PASSWORD), "the old hash still signs in");
    assert!(!ada.password_hash().verify("not-the-password"));
    assert!(ada.last_signed_in_at.is_some());
    let viewer = store.user_by_email(&email("vic.viewer@upgrade.heard.example")).await.unwrap().unwrap();
    assert!(!viewer.active);
    assert_eq!(store.users().await.unwrap().len(), 6);
    let token = hex::encode(Sha256::digest(FIXTURE_TOKEN.as_bytes()));
    let by_token = store.user_by_api_token(&token).await.unwrap().unwrap();
    assert_eq!(by_token.email, "rae.researcher@upgrade.heard.example");
    assert_eq!(store.api_tokens(by_token.id).await.unwrap().len(), 1);
    let partners: Vec<String> = store.partners().await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(partners.len(), 2, "{partners:?}");
    let template: Vec<String> = store.journey_template().await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(template, ["Listen (synthetic)", "Decide (synthetic)"], "the template kept, not replaced");

    let programme = store.programme("upgrade-trial").await.unwrap().unwrap();
    assert_eq!(programme.name, "Upgrade Trial Programme (synthetic)");
    assert_eq!(programme.lead_commissioner.as_ref().unwrap().display_name, "Cal Commissioner (synthetic)");
    assert_eq!(programme.partners.len(), 2);
    let p = programme.id;
    let stages = store.stages(p).await.unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].starts_on, Some(date!(2024 - 01 - 15)));
    assert_eq!(stages[0].notes, "Two listening events and a round of stories (synthetic).");
    let activities = store.activities(p).await.unwrap();
    assert_eq!(activities.len(), 2);
    let event = activities.iter().find(|a| a.title == "Fixture listening event (synthetic)").unwrap();
    assert_eq!(event.held_on, date!(2024 - 01 - 24));
    assert_eq!(event.stage_position, Some(1));
    assert_eq!(event.attendance.by_sector.values().sum::<u32>(), 17);
    assert_eq!(event.attendance.by_kind.values().sum::<u32>(), 5);
    store.room(p).await.unwrap();

    // 0002: participants and their consents, one withdrawn.
    let participants = store.participants(p).await.unwrap();
    assert_eq!(participants.len(), 2);
    let parent = participants.iter().find(|x| x.pseudonym == "Parent Fixture-A (synthetic)").unwrap();
    let parent = store.participant(p, parent.id).await.unwrap().unwrap();
    assert_eq!(parent.current_consents.len(), 2);
    assert!(parent.current_consents.contains(&ConsentPurpose::AnonymousQuotation));
    assert!(parent.contact_details.is_some());
    let carer = participants.iter().find(|x| x.pseudonym == "Carer Fixture-B (synthetic)").unwrap();
    let carer = store.participant(p, carer.id).await.unwrap().unwrap();
    assert_eq!(carer.current_consents, [ConsentPurpose::Research]);
    assert_eq!(carer.consents.len(), 2);
    assert!(carer.consents.iter().any(|c| c.withdrawn_on == Some(date!(2024 - 02 - 02))));

    // 0003 and 0004: sources, their text and redaction, a film's media, a story and its receipt.
    let everywhere = SearchFilters { programme_id: Some(p), ..SearchFilters::default() };
    let (summaries, total) = store.sources(&everywhere, 0).await.unwrap();
    assert_eq!(total, 4);
    let mut sources = Vec::new();
    for summary in &summaries {
        sources.push(store.source(p, summary.id).await.unwrap().unwrap());
    }
    let note = sources.iter().find(|s| s.title == "Waiting for a call back (synthetic)").unwrap();
    assert!(note.text.original().contains("07700 900123"));
    assert!(note.redacted_text.contains("[PHONE-1]") && !note.redacted_text.contains("07700"));
    assert_eq!(note.reviews.len(), 1);
    assert_eq!(note.participants.len(), 1);
    assert_eq!(note.activity.as_ref().map(|a| a.id), Some(event.id));
    let clinic = sources.iter().find(|s| s.title == "Notes from the clinic waiting room (synthetic)").unwrap();
    assert_eq!(clinic.attributes.get("ward").map(String::as_str), Some("North (synthetic)"));
    let film = sources.iter().find(|s| s.title == "A short film of the drop-in (synthetic)").unwrap();
    assert_eq!(film.media.as_ref().unwrap().bytes, 4096);
    assert_eq!(film.cue_timings.as_deref(), Some(&[(0, 2500), (3000, 6000)][..]));
    let query = SearchQuery::parse("q", "waited").unwrap();
    assert_eq!(store.search(&query, &everywhere, 0).await.unwrap().total, 2, "the search index covers old sources");

    let forms = store.story_forms(p).await.unwrap();
    assert_eq!(forms.len(), 1);
    let form = store.story_form(p, forms[0].id).await.unwrap().unwrap();
    assert_eq!(form.version, 2);
    assert_eq!(form.answer_count, 1);
    let receipt = ReceiptCode::parse("receipt", FIXTURE_RECEIPT).unwrap();
    let story = store.story_by_receipt(&receipt).await.unwrap().unwrap();
    assert_eq!(story.form_title, "Finding help (synthetic)");
    assert_eq!(story.version, 1);
    assert!(story.redacted_text.starts_with("The form asked the same questions"));

    // 0005: codebook, excerpts and codings by two coders, memo, insight, suggestions, themes.
    let codes = store.codebook(Some(p)).await.unwrap();
    let waiting = codes.iter().find(|c| c.name == "Waiting (synthetic)").unwrap();
    assert_eq!(waiting.codings, 2);
    assert_eq!(waiting.depth, 1);
    assert!(codes.iter().any(|c| c.name == "Being heard (synthetic)" && c.programme_id.is_none()));
    assert_eq!(store.code_events(waiting.id).await.unwrap().len(), 1);
    let excerpts = store.source_excerpts(p, note.id).await.unwrap();
    assert_eq!(excerpts.len(), 2);
    let waited = excerpts.iter().find(|e| e.quote == "I waited six weeks for a call back").unwrap();
    assert!(waited.current, "coded at the source's current text version");
    assert_eq!(waited.codings.len(), 2);
    assert_eq!(waited.codings.iter().filter(|c| c.assisted).count(), 1);
    assert_eq!(store.coding_records(p).await.unwrap().len(), 4);
    assert_eq!(store.memos(p, None).await.unwrap().len(), 1);
    let insights = store.insights(p).await.unwrap();
    assert_eq!(insights.len(), 1);
    let insight = store.insight(p, insights[0].id).await.unwrap().unwrap();
    assert_eq!(insight.statement, "Families wait weeks for a first contact (synthetic insight).");
    assert_eq!(insight.evidence.len(), 2);
    assert_eq!(store.suggestions(p).await.unwrap().len(), 1);
    assert!(store.latest_theme_run(p).await.unwrap().is_some());
    store.agreement(p).await.unwrap();
    store.co_occurrence(p).await.unwrap();

    // 0006: the cause map.
    let maps = store.cause_maps(p).await.unwrap();
    assert_eq!(maps.len(), 1);
    let map = store.cause_map(p, maps[0].id).await.unwrap().unwrap();
    assert_eq!(map.title, "Why families wait (synthetic)");
    assert_eq!(map.version, 2);
    assert_eq!(map.factors.len(), 3);
    assert_eq!(map.arrows.len(), 2);
    let central = map.factors.iter().find(|f| f.central).unwrap();
    assert_eq!(central.label, "Families wait weeks for help (synthetic)");
    assert_eq!(central.insights, 1);
    let inbox = map.factors.iter().find(|f| f.label == "Referrals go to one inbox (synthetic)").unwrap();
    assert_eq!(inbox.tags, ["Process (synthetic)"]);
    assert_eq!(inbox.version, 3);

    // 0007: the signal with its scorings, links and driver.
    let signals = store.signals(Default::default()).await.unwrap();
    assert_eq!(signals.len(), 1);
    let signal = store.signal(signals[0].id).await.unwrap().unwrap();
    assert_eq!(signal.scorings, 2);
    assert_eq!(signal.current.impact.get(), 4);
    assert!(signal.previous.is_some());
    assert_eq!(signal.categories.len(), 2);
    assert_eq!(signal.programmes.len(), 1);
    assert_eq!(signal.factors.len(), 1);
    assert_eq!(store.signal_history(signal.id).await.unwrap().len(), 2);
    let drivers = store.drivers(Some(p)).await.unwrap();
    let driver = drivers.iter().find(|d| d.name == "Stretched family time (synthetic)").unwrap();
    assert_eq!(driver.signal_ids, [signal.id]);

    // 0008: propositions, their versions, history, shapers, evidence and lineage.
    let propositions = store.propositions(p).await.unwrap();
    assert_eq!(propositions.len(), 4);
    let id_of = |title: &str| propositions.iter().find(|x| x.title == title).unwrap().id;
    let one_number = store.proposition(p, id_of("One number for every family (synthetic)")).await.unwrap().unwrap();
    assert_eq!(one_number.versions.len(), 2);
    assert_eq!(one_number.shapers.iter().map(|s| s.count).sum::<i64>(), 11);
    assert_eq!(one_number.evidence.insights.len(), 1);
    assert_eq!(one_number.evidence.factors.len(), 1);
    assert_eq!(one_number.lineage.merged_from.len(), 1);
    let drop_in = store.proposition(p, id_of("A grandparents drop-in (synthetic)")).await.unwrap().unwrap();
    assert_eq!(drop_in.evidence.signals.len(), 1);
    assert_eq!(drop_in.status, PropositionStatus::Commissioned);
    assert_eq!(drop_in.history.len(), 2, "commissioned by hand: no change added by an upgrade");
    let short_form = store.proposition(p, id_of("A shorter referral form (synthetic)")).await.unwrap().unwrap();
    if latest >= TAKEN_UP {
        // Taken up by the decision before 0013: commissioned as of the decision, in its name.
        for taken in [&one_number, &short_form] {
            assert_eq!(taken.status, PropositionStatus::Commissioned, "{}", taken.title);
            let last = taken.history.last().unwrap();
            assert_eq!(last.to, PropositionStatus::Commissioned);
            assert_eq!(last.note.as_deref(), Some("Taken up by the decision “Fixture front door (synthetic)”"));
            assert_eq!(last.changed_by.as_ref().unwrap().display_name, "Cal Commissioner (synthetic)");
        }
        assert_eq!(one_number.history.len(), 4);
        assert_eq!(one_number.history[3].from, Some(PropositionStatus::Recommended));
        assert_eq!(short_form.history.len(), 3);
    } else {
        assert_eq!(one_number.status, PropositionStatus::Recommended);
    }

    // 0009: the Deliberation Days: statements, votes, choices, dots, questionnaire.
    let deliberations = store.deliberations(p).await.unwrap();
    assert_eq!(deliberations.len(), 2);
    let day = store.deliberation_by_code(&JoinCode::parse("code", "FX7W-P2").unwrap()).await.unwrap().unwrap();
    assert!(day.attendee_statements);
    assert_eq!(day.proposition_ids.len(), 2);
    assert_eq!(day.questions.len(), 1);
    let participation = store.participation(day.id).await.unwrap();
    assert_eq!((participation.attendees, participation.voters, participation.votes), (3, 3, 6));
    assert_eq!(participation.pairwise_choices, 3);
    assert_eq!((participation.answered_before, participation.answered_after), (3, 2));
    let statements = store.statements(day.id).await.unwrap();
    assert_eq!(statements.len(), 3);
    let from_insight = statements.iter().find(|s| s.text.starts_with("Families wait weeks")).unwrap();
    assert_eq!((from_insight.agree, from_insight.disagree, from_insight.pass), (2, 1, 0));
    assert_eq!(store.pairwise_choices(day.id).await.unwrap().len(), 3);
    assert_eq!(store.questionnaire_answers(day.id).await.unwrap().len(), 5);
    store.vote_data(day.id).await.unwrap();
    let dots = store.deliberation_by_code(&JoinCode::parse("code", "FX7DT3").unwrap()).await.unwrap().unwrap();
    assert_eq!(dots.dots, Some(5));
    assert_eq!(store.dot_votes(dots.id).await.unwrap().len(), 1);

    // 0010: the decision, what it took up and its departure; the public page.
    let decisions = store.decisions(p).await.unwrap();
    assert_eq!(decisions.len(), 1);
    let decision = store.decision(p, decisions[0].id).await.unwrap().unwrap();
    assert_eq!(decision.budget_pence, Some(4_250_050));
    assert_eq!(decision.period_end, Some(date!(2025 - 03 - 31)));
    assert_eq!(decision.propositions.len(), 3);
    assert_eq!(decision.departures.len(), 1);
    assert_eq!(decision.departures[0].proposition_title, "A shorter referral form (synthetic)");
    assert_eq!(decision.deliberation.as_ref().map(|d| d.id), Some(day.id));
    assert!(store.you_said_we_did_published(p).await.unwrap().is_some());
    assert!(store.decision_trail(p, decision.id).await.unwrap().is_some());
    assert_eq!(store.propositions_taken_up(p).await.unwrap().len(), 3);

    // 0011: reflections.
    let reflections = store.reflections(p, ReflectionFilter::default()).await.unwrap();
    assert_eq!(reflections.len(), 2);
    let lesson = reflections.iter().find(|r| r.decision.is_some()).unwrap();
    assert_eq!(lesson.text, "Ask the board for the budget before the day, not after (synthetic reflection).");
    assert!(reflections.iter().any(|r| r.stage.is_some() && r.activity.is_some()));

    // 0012: outcomes with measurements and reviews; progress by the latest measurement.
    let outcomes = store.outcomes(p, Some(decision.id)).await.unwrap();
    assert_eq!(outcomes.len(), 2);
    let days = outcomes.iter().find(|o| o.indicator.starts_with("Days from first call")).unwrap();
    assert_eq!(days.measurements.len(), 2);
    assert_eq!(days.reviews.len(), 2);
    let progress = days.progress.unwrap();
    assert!((progress - (42.0 - 21.0) / (42.0 - 7.0)).abs() < 1e-9, "progress {progress}");
    assert_eq!(store.reviews_due(date!(2024 - 12 - 31)).await.unwrap().len(), 1);
    store.programme_progress(p).await.unwrap();
}
