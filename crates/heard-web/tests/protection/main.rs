//! Withdrawal and erasure, and retention, through the real router on both backends. A phrase planted
//! in a participant's story is coded, quoted in an insight, and found in the programme's report
//! (HTML and PDF) and its REFI-QDA export; a contributor's story given through the demo's form is
//! found in the export too. A researcher records the participant's withdrawal of consent to
//! research on their page, and the contributor withdraws with the receipt code on the public
//! receipt page. Then neither is in any new report or export, nor in any byte of the SQLite
//! database file, its WAL or the media store, nor (PostgreSQL) in any row of any table, while words
//! of someone who did not withdraw still are. The administrator's retention page: rules set and
//! removed, errors by field with nothing saved, what would go today; no one else may reach it.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::governance::Role;
use heard_domain::voice::forms::{ReceiptCode, StoryAnswer};
use heard_domain::voice::participants::{ConsentPurpose, ParticipantKind};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewStory, Store};
use heard_testkit::{TestApp, TestBackend, plant};
use heard_web::deliberation::live::Live;
use reqwest::StatusCode;

const SLUG: &str = "early-years";
/// The withdrawing participant's words.
const PHRASE: &str = "counted marzipan tortoises beside the lock";
/// The contributor's words, given through the public story form.
const STORY: &str = "a heron stole the quince sandwiches at noon";
/// Words of someone who does not withdraw: every check must still find them.
const CONTROL: &str = "the ferry timetable puzzled everyone";

/// A story of `words` from `participant`, coded whole and quoted in `insight`.
async fn quoted(store: &Store, programme: i64, by: i64, words: &str, participant: i64, code: i64, insight: i64) {
    let excerpt = plant::coded_story(store, programme, by, words, vec![participant], code, None).await;
    store.attach_evidence(programme, insight, excerpt, Stance::Supports, by).await.unwrap();
}

/// Everything a new report and export hold, as text: the report's HTML, the PDF's text, the open
/// data's files and the REFI-QDA project's files, each unpacked.
async fn outputs(app: &TestApp, programme: i64) -> Vec<(String, String)> {
    let report = heard_web::reports::Report::gather(&app.store, &Live::default(), SLUG).await.unwrap();
    let mut found = vec![("report HTML".to_owned(), heard_web::reports::html(&report).unwrap())];
    let pdf = heard_web::reports::pdf(&report).unwrap();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, &pdf).unwrap();
    let text = Command::new("pdftotext").arg(file.path()).arg("-").output().unwrap();
    found.push((
        "report PDF".to_owned(),
        String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" "),
    ));
    let open_data = heard_web::reports::open_data::write(&app.store, &Live::default(), SLUG).await.unwrap();
    found.extend(unzipped("open data", open_data));
    let project = app.store.export_project(programme, None).await.unwrap().project;
    let qdpx = heard_domain::coding::refi::write_qdpx(&project, std::io::Cursor::new(Vec::new())).unwrap().into_inner();
    found.extend(unzipped("REFI-QDA", qdpx));
    found
}

fn unzipped(what: &str, zip: Vec<u8>) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let name = format!("{what} {}", file.name().unwrap());
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (name, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

fn holds(outputs: &[(String, String)], words: &str) -> Vec<String> {
    outputs.iter().filter(|(_, text)| text.contains(words)).map(|(name, _)| name.clone()).collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

#[tokio::test]
async fn a_withdrawn_phrase_is_in_no_byte_of_sqlite_the_media_store_or_any_new_report_or_export() {
    everywhere(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_withdrawn_phrase_is_in_no_table_of_postgres_or_any_new_report_or_export() {
    everywhere(TestBackend::Postgres).await;
}

async fn everywhere(backend: TestBackend) {
    let app = TestApp::spawn_on(backend).await;
    let store = &app.store;
    let researcher = app.demo_user(Role::Researcher).await.id;
    let programme = store.programme(SLUG).await.unwrap().unwrap().id;
    let withdrawer = plant::participant(
        store,
        programme,
        researcher,
        "Withdrawer (test)",
        ParticipantKind::Parent,
        "01632 960 555",
        true,
    )
    .await;
    let stayer = plant::participant(
        store,
        programme,
        researcher,
        "Stayer (test)",
        ParticipantKind::Parent,
        "01632 960 555",
        true,
    )
    .await;
    let code = CodeInput { name: "Waiting (erasure test)".into(), description: None, colour: None, parent_id: None };
    let code = store.add_code(Some(programme), &code, researcher).await.unwrap();
    let insight = store.add_insight(programme, "Families wait in the open (erasure test)", researcher).await.unwrap();
    quoted(store, programme, researcher, &format!("On the towpath we {PHRASE}."), withdrawer, code, insight).await;
    quoted(store, programme, researcher, &format!("At the stop {CONTROL}."), stayer, code, insight).await;

    // A contributor's story through the demo's published form, with its receipt code.
    let form = store.story_forms(programme).await.unwrap().into_iter().find(|f| f.answer_count > 0).unwrap();
    let receipt = ReceiptCode::generate();
    let answer = StoryAnswer {
        text: format!("Last spring {STORY}."),
        participant_kind: ParticipantKind::Carer,
        answers: BTreeMap::new(),
        consents: vec![ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation],
    };
    let story = NewStory {
        text: Screened::new(&Redactor::new(), answer.text.clone()),
        answer,
        receipt_hash: receipt.hash(),
        today: time::OffsetDateTime::now_utc().date(),
        pseudonym_suffix: None,
    };
    store.submit_story(form.id, form.version_id, &story).await.unwrap();

    // Before: the quote is in the report and the PDF, the words in the REFI-QDA export.
    let before = outputs(&app, programme).await;
    let with_phrase = holds(&before, PHRASE);
    assert!(
        with_phrase.contains(&"report HTML".to_owned()) && with_phrase.contains(&"report PDF".to_owned()),
        "{with_phrase:?}"
    );
    assert!(with_phrase.iter().any(|n| n.starts_with("REFI-QDA")), "{with_phrase:?}");
    assert!(holds(&before, STORY).iter().any(|n| n.starts_with("REFI-QDA")));

    // Subject access: the researcher's button gives everything held about them, as JSON and HTML.
    let browser = app.signed_in(Role::Researcher).await;
    let person = format!("/programmes/{SLUG}/participants/{withdrawer}");
    let export = format!("{person}/export");
    let response = browser.submit(&person, &export, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-disposition"].to_str().unwrap().contains(&format!("participant-{withdrawer}.zip"))
    );
    let held = unzipped("subject access", response.bytes().await.unwrap().to_vec());
    assert_eq!(
        held.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(),
        ["subject access subject-access.json", "subject access subject-access.html"]
    );
    for (name, text) in &held {
        for words in [PHRASE, "01632 960 555", "Families wait in the open (erasure test)", "Waiting (erasure test)"] {
            assert!(text.contains(words), "{name} holds {words:?}");
        }
        assert!(!text.contains(CONTROL) && !text.contains("Stayer (test)"), "{name} holds no one else's words or name");
    }
    let commissioner = app.signed_in(Role::Commissioner).await;
    let refused = commissioner.post(&export, &commissioner.csrf_token("/").await, &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The researcher records the withdrawal of consent to research on the participant's page.
    let withdraw = format!("/programmes/{SLUG}/participants/{withdrawer}/consents/research/withdraw");
    let confirm = browser.page(&withdraw).await;
    assert!(confirm.contains("Everything they gave is erased at once"), "the page says what goes");
    let today = time::OffsetDateTime::now_utc().date();
    let (day, month, year) = (today.day().to_string(), u8::from(today.month()).to_string(), today.year().to_string());
    let done = browser
        .submit(
            &withdraw,
            &withdraw,
            &[("withdrawn_on.day", &day), ("withdrawn_on.month", &month), ("withdrawn_on.year", &year)],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let page = browser.page(&format!("/programmes/{SLUG}/participants/{withdrawer}")).await;
    assert!(
        page.contains("Erasures") && page.contains("1 source, 1 excerpt, 1 coding, 1 quote"),
        "the record, as counts"
    );
    assert!(!page.contains("01632 960 555"), "contact details erased");
    let response = browser.submit(&person, &export, &[]).await;
    let held = unzipped("subject access", response.bytes().await.unwrap().to_vec());
    assert!(
        held.iter().all(|(_, text)| !text.contains(PHRASE) && text.contains("Withdrawer (test)")),
        "after: nothing but the record"
    );

    // The contributor withdraws with the receipt code on the public receipt page.
    let contributor = app.browser();
    let gone = contributor.submit("/forms/receipt", "/forms/receipt/withdraw", &[("code", &receipt.display())]).await;
    assert_eq!(gone.status(), StatusCode::OK);

    // After: no new report or export holds either; the stayer's words are still there.
    let after = outputs(&app, programme).await;
    assert_eq!(holds(&after, PHRASE), Vec::<String>::new());
    assert_eq!(holds(&after, "marzipan"), Vec::<String>::new());
    assert_eq!(holds(&after, STORY), Vec::<String>::new());
    let with_control = holds(&after, CONTROL);
    assert!(with_control.contains(&"report HTML".to_owned()) && with_control.iter().any(|n| n.starts_with("REFI-QDA")));
    // One record each (the demo has one of its own, a withdrawal of consent to filming).
    let erased: Vec<_> = store
        .erasures(programme, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.purpose == Some(ConsentPurpose::Research))
        .collect();
    let reasons: Vec<_> = erased.iter().map(|e| (e.reason.code(), e.counts.sources)).collect();
    assert_eq!(reasons, [("receipt", 1), ("withdrawal", 1)], "{erased:?}");
    assert!(erased.iter().all(|e| e.scrubbed_at.is_some()));

    match backend {
        TestBackend::Sqlite => {
            let database = app.database().sqlite_file().unwrap();
            let mut checked = files(database.parent().unwrap());
            checked.extend(files(&app.media_dir));
            assert!(checked.iter().any(|(name, _)| name.ends_with("heard.db")));
            for (name, bytes) in &checked {
                for words in [PHRASE, STORY, "marzipan"] {
                    assert!(!contains(bytes, words), "{words:?} survives in {name}");
                }
            }
            let file = &checked.iter().find(|(name, _)| name.ends_with("heard.db")).unwrap().1;
            let wal = checked
                .iter()
                .find(|(name, _)| name.ends_with("heard.db-wal"))
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            assert!(contains(file, CONTROL) || contains(&wal, CONTROL), "the check finds words that are there");
        }
        TestBackend::Postgres => {
            let url = app.database().postgres_url.clone().unwrap();
            for words in ["marzipan", "quince sandwiches"] {
                assert_eq!(
                    heard_testkit::postgres_tables_holding(&url, words).await,
                    Vec::<String>::new(),
                    "{words:?}"
                );
            }
            let with_control = heard_testkit::postgres_tables_holding(&url, "timetable puzzled").await;
            assert!(with_control.contains(&"sources".to_owned()), "{with_control:?}");
        }
    }
}

#[tokio::test]
async fn an_administrator_sets_retention_rules_and_sees_what_would_go() {
    let app = TestApp::spawn().await;
    for role in [Role::Commissioner, Role::Researcher, Role::Facilitator, Role::Viewer] {
        let browser = app.signed_in(role).await;
        assert_eq!(browser.get("/admin/retention").await.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    assert_ne!(app.browser().get("/admin/retention").await.status(), StatusCode::OK);

    let admin = app.signed_in(Role::Administrator).await;
    let page = admin.page("/admin/retention").await;
    assert!(page.contains("Retention rules") && page.contains("No retention rules"));

    // Every error by field, 422, nothing saved.
    let bad = admin
        .submit("/admin/retention", "/admin/retention", &[("kind", "letters"), ("keep_days", "0"), ("erase", "")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    for field in ["#kind", "#keep_days", "#erase"] {
        assert!(html.contains(&format!("href=\"{field}\"")), "the summary links {field}: {html}");
    }
    assert!(app.store.retention_rules().await.unwrap().is_empty());

    // A rule for field notes: the demo's older field notes would lose their originals today.
    let saved = admin
        .submit(
            "/admin/retention",
            "/admin/retention",
            &[("kind", "field_note"), ("keep_days", "30"), ("erase", "original")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let rules = app.store.retention_rules().await.unwrap();
    assert_eq!((rules.len(), rules[0].kind, rules[0].keep_days), (1, SourceKind::FieldNote, 30));
    let due = app.store.retention_due(time::OffsetDateTime::now_utc().date()).await.unwrap();
    let page = admin.page("/admin/retention").await;
    assert!(page.contains("Retention rule saved") && page.contains("Field note"));
    if due.is_empty() {
        assert!(page.contains("Nothing is past its period today"));
    } else {
        assert!(
            page.contains(&format!("<td class=\"govuk-table__cell govuk-table__cell--numeric\">{}</td>", due[0].id))
        );
    }

    let removed = admin.submit("/admin/retention", "/admin/retention/field_note/remove", &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert!(app.store.retention_rules().await.unwrap().is_empty());
    let again = admin.submit("/admin/retention", "/admin/retention/field_note/remove", &[]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}
