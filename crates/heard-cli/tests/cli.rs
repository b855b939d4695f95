//! The `heard` binary as an administrator runs it: making the first users and tokens, loading the
//! demo, migrating, the messages bad flags get, and `heard redact` over standard input.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn heard(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heard"))
        .args(args)
        .env("HEARD_DATA_DIR", data_dir)
        .env_remove("HEARD_DATABASE_URL")
        .env("HEARD_LOG", "warn")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the heard binary runs");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("heard finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_first_administrator_and_their_token() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let created = heard(
        dir.path(),
        &["admin", "create-user", "--email", "First.Admin@Example.org", "--role", "administrator"],
        Some("a long enough password\n"),
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("Created first.admin@example.org (Administrator)"));
    assert!(!stdout(&created).contains("Password"), "a piped password is not printed back");
    assert!(dir.path().join("heard.db").exists(), "SQLite lives in the data folder");

    let token = heard(dir.path(), &["admin", "create-token", "--email", "first.admin@example.org"], None);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = stdout(&token);
    assert!(token.trim().starts_with("heard_") && token.trim().len() == 70, "{token}");

    let again = heard(
        dir.path(),
        &["admin", "create-user", "--email", "first.admin@example.org", "--role", "viewer"],
        Some("another long password\n"),
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already a user with that email address"));
}

#[test]
fn at_a_terminal_a_password_is_generated_and_printed_once() {
    let dir = tempfile::tempdir().expect("a temp dir");
    // `script` (util-linux, in every Debian) gives the command a real terminal for standard input.
    let command = format!(
        "{} admin create-user --email researcher@example.org --role researcher --name 'Demo Researcher'",
        env!("CARGO_BIN_EXE_heard")
    );
    let output = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env("HEARD_DATA_DIR", dir.path())
        .env_remove("HEARD_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    let printed = stdout(&output);
    assert!(output.status.success(), "{printed}{}", stderr(&output));
    let password = printed
        .lines()
        .find_map(|line| line.trim().strip_prefix("Password (shown once): "))
        .expect("the generated password is printed");
    assert_eq!(password.len(), 23, "four groups of five: {password}");

    // It is the account's password: a token can be made for the account, and the user exists.
    let token = heard(dir.path(), &["admin", "create-token", "--email", "researcher@example.org"], None);
    assert!(token.status.success());
}

#[test]
fn an_empty_piped_password_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output =
        heard(dir.path(), &["admin", "create-user", "--email", "r@example.org", "--role", "researcher"], Some("\n"));
    assert!(!output.status.success());
    assert!(stderr(&output).contains("the password from standard input: Enter a password"), "{}", stderr(&output));
}

#[test]
fn bad_flags_say_what_is_wrong() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let role = heard(
        dir.path(),
        &["admin", "create-user", "--email", "x@example.org", "--role", "mayor"],
        Some("long enough password\n"),
    );
    assert!(
        stderr(&role).contains("--role must be one of: administrator, commissioner, researcher, facilitator, viewer")
    );
    let email = heard(
        dir.path(),
        &["admin", "create-user", "--email", "not-an-email", "--role", "viewer"],
        Some("long enough password\n"),
    );
    assert!(stderr(&email).contains("--email: Enter an email address in the correct format"));
    let short =
        heard(dir.path(), &["admin", "create-user", "--email", "x@example.org", "--role", "viewer"], Some("short\n"));
    assert!(stderr(&short).contains("Password must be 12 characters or more"));
    let nobody = heard(dir.path(), &["admin", "create-token", "--email", "nobody@example.org"], None);
    assert!(stderr(&nobody).contains("there is no user with that email address"));
    let url = heard(dir.path(), &["migrate", "--database-url", "mysql://localhost/heard"], None);
    assert!(!url.status.success() && stderr(&url).contains("--database-url"), "{}", stderr(&url));
}

#[test]
fn the_demo_loads_once_and_is_left_as_it_is() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let first = heard(dir.path(), &["demo", "load"], None);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("Demonstration data loaded."));
    assert!(stdout(&first).contains("commissioner@demo.heard.example"));
    let second = heard(dir.path(), &["demo", "load"], None);
    assert!(stdout(&second).contains("already present; left as it is"));
    let migrate = heard(dir.path(), &["migrate"], None);
    assert!(stdout(&migrate).contains("Migrations applied (sqlite)"));
}

#[test]
fn migrate_applies_to_postgresql() {
    let database = tokio::runtime::Runtime::new().expect("a runtime").block_on(heard_testkit::fresh_postgres_url());
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = heard(dir.path(), &["migrate", "--database-url", &database], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Migrations applied (postgresql)"));
    assert!(!stdout(&output).contains(&database) && !stderr(&output).contains(&database), "the URL is not printed");
}

// heard redact

fn heard_redact(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heard"))
        .arg("redact")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("heard starts");
    child.stdin.take().expect("stdin is piped").write_all(input.as_bytes()).expect("input is written");
    child.wait_with_output().expect("heard finishes")
}

#[test]
fn jsonl_in_jsonl_out_with_char_offsets() {
    let input = concat!(
        r#"{"id": 1, "text": "Café: Sarah Patel, NHS 943 476 5919, ring 07700 900123."}"#,
        "\n\n",
        r#"{"id": "b", "text": "Nothing personal here."}"#,
        "\n",
    );
    let output = heard_redact(&["--jsonl"], input);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("output is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(
        lines,
        [
            serde_json::json!({
                "id": 1,
                "redacted": "Café: [NAME-1], NHS [NHS-NUMBER-1], ring [PHONE-1].",
                "spans": [
                    {"start": 6, "end": 17, "kind": "PERSON"},
                    {"start": 23, "end": 35, "kind": "NHS_NUMBER"},
                    {"start": 42, "end": 54, "kind": "PHONE"},
                ],
            }),
            serde_json::json!({"id": "b", "redacted": "Nothing personal here.", "spans": []}),
        ]
    );
}

#[test]
fn a_malformed_line_stops_with_its_number_and_no_text() {
    let input = concat!(
        r#"{"id": 1, "text": "fine"}"#,
        "\n",
        r#"{"id": 2, "text": "Sarah Patel 943 476 5919"#,
        "\n",
        r#"{"id": 3, "text": 42}"#,
        "\n"
    );
    let output = heard_redact(&["--jsonl"], input);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(!stderr.contains("Sarah") && !stderr.contains("943"), "{stderr}");
    // The line before the bad one was already written.
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);

    let output = heard_redact(&["--jsonl"], "{\"id\": 3, \"text\": 42}\n");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 1"));
}

#[test]
fn plain_text_by_default() {
    let output = heard_redact(&[], "Email jo.bloggs@example.org or Mr Okafor.\n");
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), "Email [EMAIL-1] or Mr [NAME-1].\n");
}

// heard import sources, heard search

/// A data folder with the demo loaded, and a file in it.
fn with_demo(file_name: &str, contents: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let loaded = heard(dir.path(), &["demo", "load"], None);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    let file = dir.path().join(file_name);
    std::fs::write(&file, contents).expect("the file is written");
    (dir, file)
}

const BAD_CSV: &str = "Story,Type,Date,Participant,Ward\n\
                       The quillwort clinic was kind,story,2024-03-01,Quill Parent,North\n\
                       Zed Quux saw the quillwort team,story,31/02/2024,,South\n\
                       Another quillwort visit,not-a-kind,2024-03-02,,East\n\
                       Last quillwort note,field_note,,,West\n";

#[test]
fn a_dry_run_reports_each_problem_by_row_and_column() {
    let (dir, file) = with_demo("stories.csv", BAD_CSV);
    let file = file.to_str().expect("a UTF-8 path");
    let output = heard(dir.path(), &["import", "sources", file, "--programme", "early-years", "--dry-run"], None);
    assert!(!output.status.success(), "problems make a dry run fail");
    let report = stdout(&output);
    assert!(report.contains("Checked 4 rows"), "{report}");
    assert!(report.contains("row 3, column Date: not a date"), "{report}");
    assert!(report.contains("row 4, column Type: not a known kind of source"), "{report}");
    assert!(!report.contains("Zed") && !stderr(&output).contains("Zed"), "cells are never quoted");
    let search = heard(dir.path(), &["search", "quillwort"], None);
    assert!(stdout(&search).contains("No sources match"), "{}", stdout(&search));

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "text\nA fine quillwort story\n").expect("written");
    let output = heard(
        dir.path(),
        &["import", "sources", good.to_str().expect("utf-8"), "--programme", "early-years", "--dry-run"],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("no problems"));
}

#[test]
fn by_default_one_bad_row_imports_nothing() {
    let (dir, file) = with_demo("stories.csv", BAD_CSV);
    let output =
        heard(dir.path(), &["import", "sources", file.to_str().expect("utf-8"), "--programme", "early-years"], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("row 3, column Date"), "{}", stdout(&output));
    assert!(stderr(&output).contains("nothing was imported"), "{}", stderr(&output));
    let search = heard(dir.path(), &["search", "quillwort"], None);
    assert!(search.status.success(), "{}", stderr(&search));
    assert!(stdout(&search).contains("No sources match"), "nothing half-imported: {}", stdout(&search));

    let missing = heard(dir.path(), &["import", "sources", "nope.csv", "--programme", "no-such-programme"], None);
    assert!(!missing.status.success() && stderr(&missing).contains("no programme"), "{}", stderr(&missing));
}

#[test]
fn skip_invalid_imports_the_good_rows_and_writes_the_rejects() {
    let (dir, file) = with_demo("stories.csv", BAD_CSV);
    let rejects = dir.path().join("rejects.csv");
    let output = heard(
        dir.path(),
        &[
            "import",
            "sources",
            file.to_str().expect("utf-8"),
            "--programme",
            "early-years",
            "--skip-invalid",
            "--rejects",
            rejects.to_str().expect("utf-8"),
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("Imported 2 sources into early-years (1 participant registered)"), "{summary}");
    assert!(summary.contains("2 rows skipped"), "{summary}");
    let written = std::fs::read_to_string(&rejects).expect("the rejects file");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "row,column,reason,Story,Type,Date,Participant,Ward");
    assert!(lines[1].starts_with("3,Date,Date: not a date"), "{written}");
    assert!(
        lines[1].ends_with("Zed Quux saw the quillwort team,story,31/02/2024,,South"),
        "the row, to fix: {written}"
    );
    assert!(lines[2].starts_with("4,Type,"), "{written}");
    assert_eq!(lines.len(), 3);

    let search = heard(dir.path(), &["search", "quillwort", "--programme", "early-years"], None);
    let found = stdout(&search);
    assert!(found.contains("2 sources match"), "{found}");
    assert!(found.contains("**quillwort**"), "matches are marked: {found}");
    assert!(found.contains("Early"), "the programme is named: {found}");
    assert!(!found.contains("Quill Parent"), "the participant's pseudonym is redacted: {found}");
}

#[test]
fn jsonl_import_then_search_as_json() {
    let (dir, file) = with_demo(
        "stories.jsonl",
        "{\"text\": \"The marsh gentian group helped\", \"kind\": \"interview_transcript\", \"date\": \"2024-02-01\", \"area\": \"Fen\"}\n\
         {\"text\": \"Nobody mentioned marsh gentian\", \"title\": \"Gentian note\"}\n",
    );
    let output = heard(
        dir.path(),
        &["import", "sources", file.to_str().expect("utf-8"), "--programme", "early-years", "--kind", "field_note"],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Imported 2 sources"), "{}", stdout(&output));

    let search = heard(dir.path(), &["search", "\"marsh gentian\"", "--json"], None);
    assert!(search.status.success(), "{}", stderr(&search));
    let hits: Vec<serde_json::Value> =
        stdout(&search).lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect();
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        assert_eq!(hit["programme"], "early-years");
        assert!(hit["snippet"].as_str().expect("a snippet").contains("**marsh gentian**"), "a phrase is marked: {hit}");
        assert!(hit["id"].is_i64() && hit["title"].is_string());
    }
    assert!(hits.iter().any(|h| h["title"] == "Gentian note" && h["kind"] == "field_note"));
    assert!(hits.iter().any(|h| h["kind"] == "interview_transcript" && h["date"] == "2024-02-01"));

    let kind = heard(dir.path(), &["search", "gentian", "--kind", "field_note", "--json"], None);
    assert_eq!(stdout(&kind).lines().count(), 1, "{}", stdout(&kind));
    let bad = heard(dir.path(), &["search", "gentian", "--kind", "poem"], None);
    assert!(!bad.status.success() && stderr(&bad).contains("--kind must be one of"));
}

/// Clearly synthetic coded comments for `heard coding`: each code has its own words, the code
/// names hold commas and slashes, and every text says it is synthetic.
fn synthetic_coded(rows: usize) -> String {
    let topics = [
        ["no parking spaces", "the car park was full", "parking charges", "ticket machine broken"],
        ["cold lunch", "the food menu", "tea and toast", "hot dinner"],
        ["kind nurse", "friendly staff", "polite receptionist", "caring team"],
    ];
    let mut csv = String::from("Ref,Comment,\"Parking, access / transport\",Food & drink,\"Staff, manner\",Notes\n");
    for i in 0..rows {
        let topic = i % 3;
        let mut cells = ["0"; 3];
        cells[topic] = "1";
        let words = topics[topic][(i / 3) % 4];
        csv.push_str(&format!(
            "R{i},\"Synthetic comment {i}: {words}, overall\",{},{},{},\n",
            cells[0], cells[1], cells[2]
        ));
    }
    csv
}

#[test]
fn coding_suggest_learns_codes_and_writes_them_by_id() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let train = dir.path().join("train.csv");
    let apply = dir.path().join("apply.csv");
    let out = dir.path().join("out.csv");
    std::fs::write(&train, synthetic_coded(90)).expect("write train");
    std::fs::write(
        &apply,
        "Comment,Ref\n\"Synthetic: no parking spaces again\",A-1\n\"Synthetic: a kind nurse\",A-2\n",
    )
    .expect("write apply");
    let args = [
        "coding",
        "suggest",
        "--train",
        train.to_str().expect("utf-8"),
        "--apply",
        apply.to_str().expect("utf-8"),
        "--text-column",
        "Comment",
        "--labels",
        "Parking, access / transport..Staff, manner",
        "--id-column",
        "Ref",
        "--out",
        out.to_str().expect("utf-8"),
    ];
    let output = heard(dir.path(), &args, None);
    assert!(output.status.success(), "{}", stderr(&output));
    let written = std::fs::read_to_string(&out).expect("the output is written");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines[0], "Ref,\"Parking, access / transport\",Food & drink,\"Staff, manner\"");
    assert_eq!(lines[1], "A-1,1,0,0", "an obviously parking text gets the parking code");
    assert_eq!(lines[2], "A-2,0,0,1");
    assert_eq!(lines.len(), 3);
}

#[test]
fn coding_suggest_names_the_file_row_and_column_of_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let train = dir.path().join("train.csv");
    let apply = dir.path().join("apply.csv");
    let out = dir.path().join("out.csv");
    let mut coded = synthetic_coded(12);
    coded = coded.replacen(
        "R4,\"Synthetic comment 4: the food menu, overall\",0,1,0",
        "R4,\"Synthetic comment 4: the food menu, overall\",0,yes please,0",
        1,
    );
    std::fs::write(&train, &coded).expect("write train");
    std::fs::write(&apply, "Comment,Ref\n\"Synthetic: parking\",A-1\n").expect("write apply");
    let run = |labels: &str, apply_text: &str| {
        heard(
            dir.path(),
            &[
                "coding",
                "suggest",
                "--train",
                train.to_str().expect("utf-8"),
                "--apply",
                apply.to_str().expect("utf-8"),
                "--text-column",
                apply_text,
                "--labels",
                labels,
                "--id-column",
                "Ref",
                "--out",
                out.to_str().expect("utf-8"),
            ],
            None,
        )
    };
    let bad_cell = run("Parking, access / transport..Staff, manner", "Comment");
    assert!(!bad_cell.status.success());
    let message = stderr(&bad_cell);
    assert!(message.contains("train.csv: row 6, column “Food & drink”"), "{message}");
    assert!(!message.contains("yes please") && !message.contains("food menu"), "no cell is quoted: {message}");

    std::fs::write(&train, synthetic_coded(12)).expect("write train");
    let backwards = run("Staff, manner..Parking, access / transport", "Comment");
    assert!(!backwards.status.success());
    assert!(stderr(&backwards).contains("comes after"), "{}", stderr(&backwards));
    let missing = run("Parking, access / transport..Staff, manner", "Story");
    assert!(stderr(&missing).contains("there is no column “Story”"), "{}", stderr(&missing));
    std::fs::write(&train, "").expect("write train");
    let empty = run("Parking, access / transport..Staff, manner", "Comment");
    assert!(stderr(&empty).contains("train.csv is empty"), "{}", stderr(&empty));
    assert!(!out.exists(), "no output file after a failed run");
    let leftovers = std::fs::read_dir(dir.path()).expect("read dir").count();
    assert_eq!(leftovers, 2 + usize::from(dir.path().join("heard.db").exists()), "no temporary file is left");
}

// heard import qdpx, heard export qdpx, heard import qdc

/// A .qdpx of the given entries.
fn qdpx(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).expect("an entry");
        zip.write_all(bytes).expect("writes");
    }
    zip.finish().expect("finishes").into_inner()
}

fn refi_fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../heard-domain/tests/refi")
}

/// QualCoder's project, as QualCoder zips it (`Sources/`, capital S).
fn qualcoder_qdpx() -> Vec<u8> {
    let dir = refi_fixtures().join("qualcoder");
    let mut entries = vec![("project.qde".to_owned(), std::fs::read(dir.join("project.qde")).expect("fixture"))];
    for file in std::fs::read_dir(dir.join("Sources")).expect("fixture") {
        let file = file.expect("fixture");
        entries.push((
            format!("Sources/{}", file.file_name().to_string_lossy()),
            std::fs::read(file.path()).expect("fixture"),
        ));
    }
    qdpx(&entries)
}

const RESEARCHER: &str = "researcher@demo.heard.example";

#[test]
fn a_qualcoder_project_imports_exports_valid_and_imports_again() {
    let (dir, _) = with_demo("unused.txt", "");
    let source = dir.path().join("qualcoder.qdpx");
    std::fs::write(&source, qualcoder_qdpx()).expect("written");
    let path = |p: &std::path::PathBuf| p.to_str().expect("utf-8").to_owned();
    let imported = heard(
        dir.path(),
        &["import", "qdpx", &path(&source), "--programme", "early-years", "--researcher", RESEARCHER],
        None,
    );
    assert!(imported.status.success(), "{}", stderr(&imported));
    let report = stdout(&imported);
    assert!(report.contains("codes         3 created"), "{report}");
    assert!(report.contains("codings       3 created"), "{report}");
    assert!(report.contains("left out: PictureSource"), "{report}");

    let exported = dir.path().join("early-years.qdpx");
    let export = heard(dir.path(), &["export", "qdpx", &path(&exported), "--programme", "early-years"], None);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(stdout(&export).contains("Text is redacted."), "{}", stdout(&export));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&exported).expect("the export")).expect("a zip");
    let names: Vec<String> = archive.file_names().map(|n| n.expect("a name").into_owned()).collect();
    assert!(names.iter().any(|n| n.starts_with("sources/")), "lowercase sources/: {names:?}");
    let mut qde = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("project.qde").expect("project.qde"), &mut qde).expect("reads");
    let qde_path = dir.path().join("project.qde");
    std::fs::write(&qde_path, &qde).expect("written");
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(refi_fixtures().join("schemas/Project-mrt2019.xsd"))
        .arg(&qde_path)
        .output()
        .expect("xmllint runs (apt-get install -y libxml2-utils)");
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));

    let again = heard(
        dir.path(),
        &["import", "qdpx", &path(&exported), "--programme", "dementia", "--researcher", RESEARCHER],
        None,
    );
    assert!(again.status.success(), "{}", stderr(&again));
    // The demo's own codings travel too: every coding of the export arrives.
    let project = heard_domain::coding::refi::read_qdpx(std::fs::File::open(&exported).expect("the export"))
        .expect("Heard reads its own export")
        .project;
    let codings: usize = project.sources.iter().flat_map(|s| &s.excerpts).map(|e| e.codings.len()).sum();
    assert!(codings >= 3, "{codings}");
    let report = stdout(&again);
    assert!(report.contains(&format!("codings       {codings} created")), "{codings}: {report}");
    assert!(!report.contains("not imported as in the file"), "{report}");

    // A codebook alone: Taguette's, flat.
    let taguette = refi_fixtures().join("taguette/codebook.qdc");
    let codebook = heard(
        dir.path(),
        &["import", "qdc", &path(&taguette), "--programme", "dementia", "--researcher", RESEARCHER],
        None,
    );
    assert!(codebook.status.success(), "{}", stderr(&codebook));
    assert!(stdout(&codebook).contains("codes         3 created"), "{}", stdout(&codebook));
}

#[test]
fn a_hostile_project_is_refused_and_nothing_is_imported() {
    let (dir, _) = with_demo("unused.txt", "");
    let hostile = dir.path().join("hostile.qdpx");
    std::fs::write(&hostile, qdpx(&[("../escape.txt".to_owned(), b"x".to_vec())])).expect("written");
    let refused = heard(
        dir.path(),
        &["import", "qdpx", hostile.to_str().expect("utf-8"), "--programme", "early-years", "--researcher", RESEARCHER],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("nothing was imported") && stderr(&refused).contains("outside its folder"),
        "{}",
        stderr(&refused)
    );

    let originals =
        heard(dir.path(), &["export", "qdpx", "out.qdpx", "--programme", "early-years", "--include-originals"], None);
    assert!(!originals.status.success(), "originals need a named researcher");
    assert!(stderr(&originals).contains("--researcher"), "{}", stderr(&originals));
    let viewer = heard(
        dir.path(),
        &[
            "export",
            "qdpx",
            "out.qdpx",
            "--programme",
            "early-years",
            "--include-originals",
            "--researcher",
            "viewer@demo.heard.example",
        ],
        None,
    );
    assert!(!viewer.status.success());
    assert!(stderr(&viewer).contains("only an active researcher"), "{}", stderr(&viewer));
}

#[test]
fn causes_analyse_reads_a_kumu_blueprint_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.json");
    std::fs::write(
        &map,
        r#"{"elements":[{"id":"c","label":"Families reach help only in crisis (test)","type":"Central event"},
            {"label":"Long waits"},{"label":"Staff shortage"},{"label":"Missed appointments"},{"label":"Budget cuts"},
            {"label":"Weather"}],
           "connections":[{"from":"Budget cuts","to":"Staff shortage"},{"from":"Staff shortage","to":"Long waits"},
            {"from":"Long waits","to":"c"},{"from":"Long waits","to":"Missed appointments"},
            {"from":"Missed appointments","to":"Long waits"}]}"#,
    )
    .unwrap();
    let path = map.to_str().unwrap();
    let output = heard(dir.path(), &["causes", "analyse", path], None);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let analysis: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(analysis["central"], "Families reach help only in crisis (test)");
    assert_eq!(analysis["root_causes"], serde_json::json!(["Budget cuts"]));
    assert_eq!(analysis["loops"], serde_json::json!([["Long waits", "Missed appointments"]]));
    assert_eq!(analysis["clusters"], serde_json::json!([["Long waits", "Missed appointments"]]));
    assert_eq!(analysis["disconnected"], serde_json::json!(["Weather"]));
    assert_eq!(analysis["leverage"][0]["factor"], "Long waits");
    assert!(analysis["leverage"][0]["score"].as_f64().unwrap() > analysis["leverage"][1]["score"].as_f64().unwrap());

    // Naming another central event changes what is downstream of what.
    let output = heard(dir.path(), &["causes", "analyse", path, "--central", "Long waits"], None);
    let analysis: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(analysis["central"], "Long waits");

    // A connection to nothing is named by its number, and the command fails.
    std::fs::write(&map, r#"{"elements":[{"label":"a"}],"connections":[{"from":"a","to":"zz"}]}"#).unwrap();
    let output = heard(dir.path(), &["causes", "analyse", path], None);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("connection 1 goes to \"zz\""));
}

#[test]
fn causes_import_a_kumu_blueprint_then_export_it_as_kumu_and_dot() {
    let blueprint = r#"{"elements":[
            {"id":"c","label":"Carers reach crisis (test)","type":"Central event"},
            {"id":"r","label":"Respite is hard to book","tags":["Social care","Inside control"],"description":"Weeks of waiting"},
            {"id":"e","label":"Carers are exhausted"}],
        "connections":[{"from":"r","to":"e"},{"from":"e","to":"c"},{"from":"c","to":"e"}]}"#;
    let (dir, file) = with_demo("map.json", blueprint);
    let file = file.to_str().expect("utf-8");
    let imported = heard(dir.path(), &["causes", "import", "--programme", "dementia", file], None);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(stdout(&imported).contains("Imported “Carers reach crisis (test)” into dementia: 3 factors, 3 arrows"));
    // The same title again is refused; --title gives the copy its own.
    let again = heard(dir.path(), &["causes", "import", "--programme", "dementia", file], None);
    assert!(!again.status.success() && stderr(&again).contains("--title"), "{}", stderr(&again));

    let kumu = dir.path().join("out.json");
    let args =
        ["causes", "export", "--programme", "dementia", "--map", "carers reach CRISIS (test)", "--format", "kumu"];
    let export = heard(dir.path(), &[&args[..], &["--output", kumu.to_str().expect("utf-8")]].concat(), None);
    assert!(export.status.success(), "{}", stderr(&export));
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&kumu).expect("written")).unwrap();
    let respite =
        written["elements"].as_array().unwrap().iter().find(|e| e["label"] == "Respite is hard to book").unwrap();
    // Tags are a set, listed alphabetically.
    assert_eq!(respite["tags"], serde_json::json!(["Inside control", "Social care"]));
    assert_eq!(respite["description"], "Weeks of waiting");
    assert_eq!(written["connections"].as_array().unwrap().len(), 3);

    // The export imports again as a copy with everything kept.
    let copy = heard(
        dir.path(),
        &["causes", "import", "--programme", "dementia", "--title", "Copy (test)", kumu.to_str().unwrap()],
        None,
    );
    assert!(copy.status.success(), "{}", stderr(&copy));
    assert!(stdout(&copy).contains("3 factors, 3 arrows"));

    let dot = heard(
        dir.path(),
        &["causes", "export", "--programme", "dementia", "--map", "Copy (test)", "--format", "dot"],
        None,
    );
    assert!(dot.status.success(), "{}", stderr(&dot));
    assert!(stdout(&dot).starts_with("digraph") && stdout(&dot).contains("Carers are exhausted"));

    // A self-loop is refused, naming the connection, and nothing is saved.
    std::fs::write(
        file,
        r#"{"elements":[{"id":"a","label":"A (test)"},{"id":"b","label":"B (test)"}],"connections":[{"from":"b","to":"a"},{"from":"a","to":"a"}]}"#,
    )
    .unwrap();
    let refused =
        heard(dir.path(), &["causes", "import", "--programme", "dementia", "--title", "Loop (test)", file], None);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("connection 2"), "{}", stderr(&refused));
    let missing = heard(
        dir.path(),
        &["causes", "export", "--programme", "dementia", "--map", "Loop (test)", "--format", "dot"],
        None,
    );
    assert!(!missing.status.success() && stderr(&missing).contains("no cause map titled"), "{}", stderr(&missing));
}

// heard signals import, heard signals export

#[test]
fn a_radar_sheet_with_an_unknown_ring_imports_nothing_and_says_where() {
    let sheet = "name,ring,quadrant,isNew,description\n\
                 Quillwort kiosks (test),H1,Technological,TRUE,Self-service kiosks\n\
                 Quillwort hubs (test),Adopt,Social,FALSE,Community hubs\n";
    let (dir, file) = with_demo("radar.csv", sheet);
    let file = file.to_str().expect("utf-8");
    let output = heard(dir.path(), &["signals", "import", "--programme", "dementia", "--format", "radar", file], None);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(report.contains("row 3, column ring: not a ring Heard knows; use H1, H2 or H3"), "{report}");
    assert!(stderr(&output).contains("nothing was imported"), "{}", stderr(&output));
    let out = dir.path().join("out.csv");
    let out = out.to_str().expect("utf-8");
    let export = heard(dir.path(), &["signals", "export", "--programme", "dementia", "--format", "full", out], None);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(!std::fs::read_to_string(out).expect("written").contains("Quillwort"), "nothing half-saved");

    let bad_format =
        heard(dir.path(), &["signals", "import", "--programme", "dementia", "--format", "xlsx", file], None);
    assert!(!bad_format.status.success() && stderr(&bad_format).contains("radar or full"), "{}", stderr(&bad_format));
}

#[test]
fn signals_import_from_a_radar_sheet_and_export_in_both_layouts() {
    let sheet = "name,ring,quadrant,isNew,description\n\
                 Quillwort kiosks (test),h2: 2 to 5 years,technological,TRUE,Self-service kiosks\n\
                 Quillwort hubs (test),H1,Social,FALSE,Community hubs\n";
    let (dir, file) = with_demo("radar.csv", sheet);
    let output = heard(
        dir.path(),
        &["signals", "import", "--programme", "dementia", "--format", "radar", file.to_str().expect("utf-8")],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Imported 2 signals into Dementia"), "{}", stdout(&output));

    let radar = dir.path().join("radar-out.csv");
    let export = heard(
        dir.path(),
        &["signals", "export", "--programme", "dementia", "--format", "radar", radar.to_str().expect("utf-8")],
        None,
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&radar).expect("written");
    assert!(text.starts_with("name,ring,quadrant,isNew,description\n"), "{text}");
    assert!(text.contains("Quillwort kiosks (test),H2,Technological,TRUE,Self-service kiosks"), "{text}");

    let full = dir.path().join("full.csv");
    let export = heard(
        dir.path(),
        &["signals", "export", "--programme", "dementia", "--format", "full", full.to_str().expect("utf-8")],
        None,
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&full).expect("written");
    assert!(text.starts_with("title,summary,kind,categories,horizon,impact,uncertainty,confidence"), "{text}");
    assert!(text.contains("Quillwort hubs (test),Community hubs,signal,social,H1,3,3,low"), "{text}");

    // The full export imports into another programme as it is.
    let again = heard(
        dir.path(),
        &["signals", "import", "--programme", "mental-health", "--format", "full", full.to_str().expect("utf-8")],
        None,
    );
    assert!(again.status.success(), "{}", stderr(&again));
    let missing = heard(dir.path(), &["signals", "export", "--programme", "nope", "--format", "full", "x.csv"], None);
    assert!(!missing.status.success() && stderr(&missing).contains("no programme"), "{}", stderr(&missing));
}

#[test]
fn deliberation_analyse_finds_the_two_camps_of_a_pol_is_export() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let export = dir.path().join("export");
    std::fs::create_dir(&export).expect("a folder");
    let mut comments =
        String::from("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
    for c in 0..9 {
        let moderated = if c == 8 { -1 } else { 1 };
        comments.push_str(&format!("{c},x,{c},0,0,0,{moderated},Statement {c}\n"));
    }
    std::fs::write(export.join("comments.csv"), &comments).expect("written");
    // Participants 100-109 agree with 0-3 and disagree with 4-7; 200-209 the opposite; 300 casts
    // only two votes and is not counted in. Everyone's first vote on statement 0 is later changed.
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    let mut time = 0;
    for camp in [100, 200] {
        for p in camp..camp + 10 {
            votes.push_str(&format!("{time},x,0,{p},0\n"));
            for c in 0..9 {
                time += 1;
                let vote = if (c < 4) == (camp == 100) { 1 } else { -1 };
                votes.push_str(&format!("{time},x,{c},{p},{vote}\n"));
            }
        }
    }
    votes.push_str("5000,x,1,300,1\n5001,x,2,300,-1\n");
    std::fs::write(export.join("votes.csv"), &votes).expect("written");
    let out = dir.path().join("groups.csv");
    let args = ["deliberation", "analyse", "--polis-export", export.to_str().expect("utf-8"), "--out"];
    let output = heard(dir.path(), &[&args[..], &[out.to_str().expect("utf-8")]].concat(), None);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("8 statements (1 moderated out), 21 participants"), "{summary}");
    assert!(summary.contains("20 participants counted in"), "{summary}");
    assert!(summary.contains("2 opinion groups"), "{summary}");
    assert!(summary.contains("Group 0: 10 participants") && summary.contains("Group 1: 10 participants"), "{summary}");
    let written = std::fs::read_to_string(&out).expect("written");
    let rows: Vec<(u64, String)> = written
        .lines()
        .skip(1)
        .map(|line| {
            let (p, g) = line.split_once(',').expect("two columns");
            (p.parse().expect("a participant"), g.to_owned())
        })
        .collect();
    assert!(written.starts_with("participant,group\n"), "{written}");
    assert_eq!(rows.len(), 20, "{written}");
    let group_of = |p: u64| rows.iter().find(|r| r.0 == p).map(|r| r.1.clone()).expect("listed");
    assert!((100..110).all(|p| group_of(p) == group_of(100)) && (200..210).all(|p| group_of(p) == group_of(200)));
    assert_ne!(group_of(100), group_of(200));

    std::fs::write(export.join("votes.csv"), "timestamp,datetime,comment-id,voter-id,vote\n1,x,42,1,1\n")
        .expect("written");
    let output = heard(dir.path(), &[&args[..], &[out.to_str().expect("utf-8")]].concat(), None);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("votes.csv, row 2, column comment-id: comment 42 is not in comments.csv"),
        "{}",
        stderr(&output)
    );
}

// heard deliberation import-polis

/// A real Pol.is conversation from `../shared/data/polis` beside the workspace, if it is there.
fn polis_conversation(name: &str) -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/polis").join(name);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("{} is not there: the real conversation is not imported", dir.display());
        None
    }
}

#[test]
fn a_pol_is_export_imports_as_a_finished_deliberation_or_not_at_all() {
    let (dir, _) = with_demo("unused.txt", "");
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).expect("a folder");
    std::fs::write(broken.join("comments.csv"), "comment-id,moderated,comment-body\n0,1,Buses (test)\n1,-1,Out\n")
        .expect("written");
    std::fs::write(broken.join("votes.csv"), "timestamp,comment-id,voter-id,vote\n1,0,7,1\n2,0,8,maybe\n")
        .expect("written");
    let path = broken.to_str().expect("utf-8");
    let output = heard(dir.path(), &["deliberation", "import-polis", path, "--programme", "dementia"], None);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("votes.csv, row 3, column vote: expected 1, -1 or 0"), "{}", stderr(&output));

    std::fs::write(broken.join("votes.csv"), "timestamp,comment-id,voter-id,vote\n1472552518501,0,7,1\n2,0,8,-1\n")
        .expect("written");
    let output = heard(dir.path(), &["deliberation", "import-polis", path, "--programme", "nope"], None);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("there is no programme with the slug nope"), "{}", stderr(&output));
    let output = heard(
        dir.path(),
        &["deliberation", "import-polis", path, "--programme", "dementia", "--held-on", "2016-02-30"],
        None,
    );
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--held-on"), "{}", stderr(&output));

    // The day of the last vote and the folder's name, unless given.
    let output = heard(dir.path(), &["deliberation", "import-polis", path, "--programme", "dementia"], None);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(said.contains("Imported 1 statements (1 moderated out, left out), 2 participants and 2 votes"), "{said}");
    assert!(said.contains("\"broken\", held on 2016-08-30 (closed)"), "{said}");

    let Some(real) = polis_conversation("london.youth.policing") else { return };
    let open = |name: &str| std::fs::File::open(real.join(name)).expect("the export opens");
    let export =
        heard_domain::deliberation::polis::read_export(open("comments.csv"), open("votes.csv")).expect("valid");
    let output = heard(
        dir.path(),
        &[
            "deliberation",
            "import-polis",
            real.to_str().expect("utf-8"),
            "--programme",
            "early-years",
            "--title",
            "Youth policing (Pol.is)",
            "--held-on",
            "2016-05-04",
        ],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stdout(&output);
    let counts = format!(
        "Imported {} statements ({} moderated out, left out), {} participants and {} votes into Early Years",
        export.statements.len(),
        export.moderated_out,
        export.participants.len(),
        export.votes.len()
    );
    assert!(said.contains(&counts), "{said}");
    assert!(said.contains("\"Youth policing (Pol.is)\", held on 2016-05-04"), "{said}");

    // Exported again in Pol.is's format and read back by the reader: the same statements and
    // votes, participants numbered in the same order.
    let id = said.split("as deliberation ").nth(1).and_then(|rest| rest.split(',').next()).expect("the id is said");
    let out = dir.path().join("exported");
    let output = heard(
        dir.path(),
        &["deliberation", "export", "--deliberation", id, "--format", "polis", out.to_str().expect("utf-8")],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let reopen = |name: &str| std::fs::File::open(out.join(name)).expect("written");
    let back =
        heard_domain::deliberation::polis::read_export(reopen("comments.csv"), reopen("votes.csv")).expect("valid");
    let texts =
        |e: &heard_domain::deliberation::polis::Export| e.statements.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&back), texts(&export));
    assert_eq!(back.participants.len(), export.participants.len());
    assert_eq!(back.votes, export.votes);
    let groups = heard_domain::deliberation::polis::read_groups(reopen("participants-votes.csv")).expect("valid");
    assert_eq!(groups.len(), export.participants.len());
    assert!(groups.iter().any(|g| g.1.is_some()), "opinion groups are written");

    let missing =
        heard(dir.path(), &["deliberation", "export", "--deliberation", "99999", "--format", "polis", "x"], None);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("there is no deliberation 99999"), "{}", stderr(&missing));
}
