//! Crash safety. `heard import sources` killed with SIGKILL at twenty points through its run (the
//! first pass over the file, redaction, inserting, committing) leaves a database that passes
//! SQLite's integrity check and holds the import wholly or not at all. `heard serve` killed five
//! times while a room votes comes back each time with a whole database holding every vote it
//! answered as counted.

#![allow(clippy::unwrap_used)]

#[path = "../benches/room/load.rs"]
mod load;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use heard_store::Store;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const ROWS: usize = 6000;
const KILLS: usize = 20;

fn heard(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_heard"));
    command
        .env("HEARD_DATA_DIR", data_dir)
        .env_remove("HEARD_DATABASE_URL")
        .env("HEARD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A synthetic file of stories, each naming a made-up person and an NHS number the redactor finds.
fn write_stories(path: &Path) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "pseudonym,participant_kind,date,text").unwrap();
    for n in 0..ROWS {
        writeln!(
            file,
            "CRASH-{:03},carer,2026-03-{:02},\"Synthetic story {n}: Testperson Crashford rang 01632 960{:03} about respite; \
             NHS number 943 476 {:04} was read out at the desk, and the carers' group kept the evening going.\"",
            n % 300,
            n % 28 + 1,
            n % 1000,
            5919 - (n % 1000)
        )
        .unwrap();
    }
}

/// Sources in the programme, and SQLite's verdict on the whole file.
async fn inspect(db: &Path) -> (i64, String) {
    let mut connection = SqliteConnectOptions::new().filename(db).connect().await.unwrap();
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap();
    let sources: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sources WHERE programme_id = (SELECT id FROM programmes WHERE slug = 'early-years')",
    )
    .fetch_one(&mut connection)
    .await
    .unwrap();
    connection.close().await.unwrap();
    (sources, verdict)
}

/// A reproducible spread of kill times from a seed the failure messages print.
fn kill_points(seed: u64, span: Duration) -> Vec<Duration> {
    let mut draw = load::Draw(seed);
    (0..KILLS).map(|_| draw.between((Duration::ZERO, span))).collect()
}

#[tokio::test]
async fn an_import_killed_at_any_point_is_wholly_present_or_wholly_absent() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = heard(dir.path()).args(["demo", "load"]).output().unwrap();
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    let stories = dir.path().join("stories.csv");
    write_stories(&stories);
    let db = dir.path().join("heard.db");
    let import = |data_dir: &Path| {
        let mut command = heard(data_dir);
        command.args(["import", "sources", stories.to_str().unwrap(), "--programme", "early-years"]);
        command
    };

    // One whole run, to know how long an import takes here and what it adds.
    let (mut sources, verdict) = inspect(&db).await;
    assert_eq!(verdict, "ok");
    let started = Instant::now();
    let whole = import(dir.path()).output().unwrap();
    let took = started.elapsed();
    assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
    let (after, _) = inspect(&db).await;
    assert_eq!(after - sources, ROWS as i64, "a whole import adds every row");
    sources = after;

    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    // Up to a little past the time a whole run took, so some kills land in the commit or after it.
    let mut finished = 0;
    for (n, at) in kill_points(seed, took.mul_f64(1.1)).into_iter().enumerate() {
        let mut child = import(dir.path()).spawn().unwrap();
        std::thread::sleep(at);
        // SIGKILL: no destructor, no rollback, no flush runs in the importer.
        let _ = child.kill();
        let status = child.wait().unwrap();
        finished += usize::from(status.success());
        let (now, verdict) = inspect(&db).await;
        assert_eq!(verdict, "ok", "kill {n} at {at:?} (seed {seed}): integrity check");
        let added = now - sources;
        assert!(added == 0 || added == ROWS as i64, "kill {n} at {at:?} (seed {seed}): {added} of {ROWS} rows stored");
        sources = now;
    }
    // Most kills must land mid-run for the test to prove anything.
    assert!(finished < KILLS / 2, "{finished} of {KILLS} imports finished before their kill (seed {seed})");
}

/// What the voting phones saw across the server's deaths.
#[derive(Default)]
struct Tally {
    /// Votes the server answered as counted (303).
    answered: AtomicU64,
    /// Votes sent whose answer never came (the server died): each may or may not be stored.
    unanswered: AtomicU64,
    /// Any answer of 500 or over, or an unexpected status, with what was asked.
    faults: Mutex<Vec<String>>,
}

/// A phone that votes until told to stop, riding out the server's absences.
async fn voter(n: usize, base: String, code: String, stop: Arc<AtomicBool>, tally: Arc<Tally>) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let day = format!("{base}/d/{code}");
    let fault = |what: String| tally.faults.lock().unwrap().push(what);
    let mut joined = false;
    let mut draw = load::Draw(0xC0FFEE + n as u64);
    while !stop.load(Ordering::Relaxed) {
        // Quicker than a person reads, but inside the five votes a second an attendee is allowed.
        let pause = tokio::time::sleep(draw.between((Duration::from_millis(250), Duration::from_millis(400))));
        if !joined {
            let Ok(page) = client.get(&day).send().await else {
                pause.await;
                continue;
            };
            if page.status().is_redirection() {
                joined = true;
                continue;
            }
            if page.status() != 200 {
                fault(format!("open: {}", page.status()));
                pause.await;
                continue;
            }
            let Some(token) = page.text().await.ok().and_then(|html| load::hidden(&html, "csrf_token")) else {
                continue;
            };
            match client
                .post(&day)
                .form(&[("csrf_token", token.as_str()), ("kind", "carer"), ("sector", "")])
                .send()
                .await
            {
                Ok(answer) if answer.status() == 303 => joined = true,
                Ok(answer) => fault(format!("join: {}", answer.status())),
                Err(_) => pause.await,
            }
            continue;
        }
        let page = match client.get(format!("{day}/vote")).send().await {
            Ok(page) if page.status() == 200 => page.text().await.unwrap_or_default(),
            Ok(page) => {
                fault(format!("vote page: {}", page.status()));
                pause.await;
                continue;
            }
            Err(_) => {
                pause.await;
                continue;
            }
        };
        let (Some(token), Some(statement)) = (load::hidden(&page, "csrf_token"), load::hidden(&page, "statement"))
        else {
            return; // voted on everything
        };
        let stance = ["agree", "disagree", "pass"][(draw.next() % 3) as usize];
        match client
            .post(format!("{day}/vote"))
            .form(&[("csrf_token", token.as_str()), ("statement", statement.as_str()), ("stance", stance)])
            .send()
            .await
        {
            Ok(answer) if answer.status() == 303 => _ = tally.answered.fetch_add(1, Ordering::SeqCst),
            Ok(answer) => fault(format!("vote: {}", answer.status())),
            Err(_) => _ = tally.unanswered.fetch_add(1, Ordering::SeqCst),
        }
        pause.await;
    }
}

/// SQLite's verdict on the database, and the votes stored in the deliberation.
async fn votes_stored(dir: &Path, deliberation: i64) -> (String, u64) {
    let db = dir.join("heard.db");
    let mut connection = SqliteConnectOptions::new().filename(&db).connect().await.unwrap();
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap();
    connection.close().await.unwrap();
    let store = Store::open_sqlite_file(&db).await.unwrap();
    let votes = store.participation(deliberation).await.unwrap().votes;
    store.close().await;
    (verdict, votes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_a_room_votes_keeps_every_vote_it_answered() {
    const PHONES: usize = 8;
    const DEATHS: usize = 5;
    let dir = tempfile::tempdir().unwrap();
    let (deliberation, code) = load::prepare(dir.path(), 400).await;
    let heard = load::heard_binary();
    let port = load::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = load::start_on(&heard, dir.path(), port).await;
    let (stop, tally) = (Arc::new(AtomicBool::new(false)), Arc::new(Tally::default()));
    let phones: Vec<_> =
        (0..PHONES).map(|n| tokio::spawn(voter(n, base.clone(), code.clone(), stop.clone(), tally.clone()))).collect();

    let mut draw = load::Draw(7);
    for death in 0..DEATHS {
        tokio::time::sleep(draw.between((Duration::from_millis(700), Duration::from_millis(1500)))).await;
        server.kill();
        // Every answer the phones have counted was sent before the kill returned.
        let answered = tally.answered.load(Ordering::SeqCst);
        let (verdict, stored) = votes_stored(dir.path(), deliberation).await;
        assert_eq!(verdict, "ok", "after death {death}");
        assert!(stored >= answered, "after death {death}: {stored} votes stored, {answered} answered as counted");
        server = load::start_on(&heard, dir.path(), port).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for phone in phones {
        phone.await.unwrap();
    }
    drop(server);

    let (answered, unanswered) = (tally.answered.load(Ordering::SeqCst), tally.unanswered.load(Ordering::SeqCst));
    let (verdict, stored) = votes_stored(dir.path(), deliberation).await;
    assert_eq!(verdict, "ok");
    assert!(
        (answered..=answered + unanswered).contains(&stored),
        "{stored} stored; {answered} answered, {unanswered} sent without an answer"
    );
    assert!(answered >= 40, "the room voted between the deaths: {answered} votes answered");
    let faults = tally.faults.lock().unwrap();
    assert!(faults.is_empty(), "answers other than success: {faults:?}");
}
