//! The programme report and the open data through the real router, on both backends: the HTML page
//! and the PDF (its text read back with `pdftotext`, its pages counted with `pdfinfo`, both from
//! Debian's poppler-utils) hold the section headings and a consented quote; unique names, an NHS
//! number and words of a participant who does not consent to quotation, planted in the sources,
//! appear in no byte of the report, the PDF's text or the open-data zip; who may see the report.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::Command;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::governance::Role;
use heard_domain::voice::participants::{ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewConsent, NewParticipant, NewSource, Store};
use heard_testkit::TestApp;
use heard_web::deliberation::live::Live;

/// A programme of the demo with a cause map, signals, propositions and a Deliberation Day.
const SLUG: &str = "early-years";

/// Words of a parent who consents to anonymous quotation: the report quotes them.
const QUOTED: &str = "The saffron ferry timetable finally got us to the clinic on time.";
/// Words of a parent who does not: nobody outside the research team may read them.
const UNQUOTED: &str = "Nobody at the kettledrum orchard ever rang us back about the referral.";
/// An insight both support, so both quotes are candidates for it.
const INSIGHT: &str = "Families reach help when getting there is simple (report test).";

/// What must never leave: pseudonyms (unique names), an NHS number (a valid one, so the
/// redactor knows it), a contact detail, and the words of the participant who does not consent.
const PLANTED: [&str; 8] = [
    "Quillon Farrowdale",
    "Wenceslas Thornquist",
    "943 476 5919",
    "9434765919",
    "thornquist.family@mail.example",
    "farrowdale.family@mail.example",
    "kettledrum orchard",
    "rang us back about the referral",
];

async fn participant(store: &Store, programme: i64, by: i64, name: &str, contact: &str, quotable: bool) -> i64 {
    let new = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", name).unwrap(),
        kind: ParticipantKind::Parent,
        age_band: None,
        area: None,
        contact_details: ContactDetails::parse("contact_details", contact).unwrap(),
    };
    let id = store.create_participant(programme, &new).await.unwrap().id;
    let today = time::OffsetDateTime::now_utc().date();
    let mut purposes = vec![ConsentPurpose::Research];
    if quotable {
        purposes.push(ConsentPurpose::AnonymousQuotation);
    }
    for purpose in purposes {
        let consent = NewConsent { purpose, given_on: today, how: ConsentMethod::Written, note: String::new() };
        store.record_consent(programme, id, &consent, by, today).await.unwrap();
    }
    id
}

/// A source of `words` from `participant`, coded whole with `code`, attached to `insight`.
async fn evidence(store: &Store, programme: i64, by: i64, words: &str, participant: i64, code: i64, insight: i64) {
    let text = Screened::new(&Redactor::new(), words.to_owned());
    let length = text.redacted().chars().count();
    let source = NewSource {
        kind: SourceKind::Story,
        title: None,
        text,
        collected_on: time::Date::from_calendar_date(2025, time::Month::March, 3).ok(),
        activity_id: None,
        participant_ids: vec![participant],
        attributes: BTreeMap::new(),
        media: None,
        cue_timings: None,
    };
    let source = store.add_source(programme, &source, Some(by)).await.unwrap().id;
    let excerpt = store.code_span(programme, source, (0, length), &[code], by).await.unwrap();
    store.attach_evidence(programme, insight, excerpt, Stance::Supports, by).await.unwrap();
}

/// Plants the two parents, their stories, a code and the insight both stories support.
async fn plant(app: &TestApp) {
    let store = &app.store;
    let researcher = app.demo_user(Role::Researcher).await.id;
    let programme = store.programme(SLUG).await.unwrap().unwrap().id;
    let quoted =
        participant(store, programme, researcher, "Quillon Farrowdale", "farrowdale.family@mail.example", true).await;
    let unquoted =
        participant(store, programme, researcher, "Wenceslas Thornquist", "thornquist.family@mail.example", false)
            .await;
    let code =
        CodeInput { name: "Getting there (report test)".into(), description: None, colour: None, parent_id: None };
    let code = store.add_code(Some(programme), &code, researcher).await.unwrap();
    let insight = store.add_insight(programme, INSIGHT, researcher).await.unwrap();
    // The names and the NHS number are in both stories' original text; the redactor takes the
    // number out, and the names are the pseudonyms' own.
    let told = |words: &str| format!("Wenceslas Thornquist, NHS number 943 476 5919, told Quillon Farrowdale: {words}");
    evidence(store, programme, researcher, QUOTED, quoted, code, insight).await;
    evidence(store, programme, researcher, &told(UNQUOTED), unquoted, code, insight).await;
}

fn assert_nothing_planted(what: &str, text: &str) {
    for planted in PLANTED {
        assert!(!text.to_lowercase().contains(&planted.to_lowercase()), "{what} holds {planted:?}");
    }
}

/// Runs a poppler tool on the PDF (from a file: `pdfinfo` reads no standard input) and returns
/// what it printed.
fn poppler(tool: &str, pdf: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(pdf).unwrap();
    let path = file.path().to_str().unwrap();
    let args: Vec<&str> = if tool == "pdftotext" { vec![path, "-"] } else { vec![path] };
    let output =
        Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} (Debian's poppler-utils) runs: {e}"));
    assert!(output.status.success(), "{tool} reads the PDF");
    String::from_utf8(output.stdout).unwrap()
}

/// Text as the templates escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#x27;").replace('"', "&quot;")
}

const HEADINGS: [&str; 10] = [
    "Contents",
    "Journey and timeline",
    "Who was heard",
    "Key insights",
    "Cause maps",
    "Horizon scanning",
    "Propositions",
    "Deliberation Day results",
    "Decisions and their evidence",
    "Reflections: the learning log",
];

#[tokio::test]
async fn the_report_and_open_data_hold_consented_quotes_and_nothing_personal_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        plant(&app).await;
        let commissioner = app.signed_in(Role::Commissioner).await;

        // The page: headings, the programme's own figures, the consented quote, nothing planted.
        let html = commissioner.page(&format!("/programmes/{SLUG}/report")).await;
        for heading in HEADINGS {
            assert!(html.contains(heading), "the page has {heading:?}");
        }
        assert!(html.contains(&escaped(QUOTED)), "the consented quote is on the page");
        assert!(html.contains(&escaped(INSIGHT)));
        assert!(html.contains("1 more supporting quote is not shown"), "the withheld quote is counted");
        let programme = app.store.programme(SLUG).await.unwrap().unwrap().id;
        let activities = app.store.activities(programme).await.unwrap();
        for a in &activities {
            assert!(html.contains(&escaped(&a.title)), "the page lists {}", a.title);
        }
        let decisions = app.store.decisions(programme).await.unwrap();
        assert!(!decisions.is_empty(), "the demo decides");
        for d in &decisions {
            assert!(html.contains(&escaped(&d.title)), "the page has the decision {}", d.title);
        }
        let reflections = app.store.reflections(programme, Default::default()).await.unwrap();
        assert!(!reflections.is_empty(), "the demo keeps a learning log");
        for r in &reflections {
            assert!(html.contains(&escaped(&r.text)), "the page has the reflection {}", r.text);
        }
        assert!(html.contains("<svg"), "the pictures are drawn");
        assert_nothing_planted("the report page", &html);

        // The PDF: text that pdftotext reads, with the headings, the quote, page numbers.
        let response = commissioner.get(&format!("/programmes/{SLUG}/report.pdf")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap().to_vec();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = poppler("pdftotext", &pdf);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for heading in HEADINGS {
            assert!(flat.contains(heading), "the PDF has {heading:?}");
        }
        assert!(flat.contains(QUOTED), "the consented quote is in the PDF: {flat}");
        assert!(flat.contains(INSIGHT));
        for d in &decisions {
            assert!(flat.contains(&d.title), "the PDF has the decision {}", d.title);
        }
        let info = poppler("pdfinfo", &pdf);
        let pages: usize =
            info.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap()).unwrap();
        assert!((4..=60).contains(&pages), "{pages} pages");
        assert!(flat.contains(&format!("Page 2 of {pages}")), "pages are numbered");
        assert_nothing_planted("the PDF's text", &flat);

        // The open data: every file in the zip, and the zip's own bytes, hold nothing planted.
        let zip = heard_web::reports::open_data::write(&app.store, &Live::default(), SLUG).await.unwrap();
        assert_nothing_planted("the zip", &String::from_utf8_lossy(&zip));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut files = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert_nothing_planted(&name, &text);
            files.insert(name, text);
        }
        let readme = &files["README.md"];
        for (name, text) in &files {
            if name == "README.md" {
                continue;
            }
            let described = if name.starts_with("deliberation-") && name != "deliberations.csv" {
                "deliberation-ID-results.csv"
            } else {
                name.as_str()
            };
            assert!(readme.contains(&format!("## {described}")), "the README describes {name}");
            let header = text.lines().next().unwrap();
            for column in header.split(',') {
                assert!(readme.contains(&format!("| {column} |")), "the README describes {name}'s {column}");
            }
        }
        // One row per activity, and the planted insight's breadth counted from what was planted.
        assert_eq!(files["activities.csv"].lines().count(), activities.len() + 1);
        assert_eq!(csv::Reader::from_reader(files["decisions.csv"].as_bytes()).records().count(), decisions.len());
        let insight = files["insights.csv"].lines().find(|l| l.contains(INSIGHT)).unwrap().to_owned();
        let mut reader = csv::Reader::from_reader(files["insights.csv"].as_bytes());
        let headers = reader.headers().unwrap().clone();
        let row = reader.records().map(|r| r.unwrap()).find(|r| r.get(1) == Some(INSIGHT)).unwrap();
        let field = |name: &str| row.get(headers.iter().position(|h| h == name).unwrap()).unwrap().to_owned();
        assert_eq!(
            (field("participants"), field("participants_parent"), field("supporting")),
            ("2".into(), "2".into(), "2".into()),
            "{insight}"
        );
        assert!(
            files.keys().any(|n| n.starts_with("deliberation-") && n.ends_with("-results.csv")),
            "{:?}",
            files.keys()
        );
    }
}

#[tokio::test]
async fn the_report_is_for_those_who_work_on_the_programme() {
    let app = TestApp::spawn().await;
    for (role, status) in [(Role::Facilitator, 200), (Role::Administrator, 200), (Role::Viewer, 403)] {
        let browser = app.signed_in(role).await;
        let response = browser.get(&format!("/programmes/{SLUG}/report")).await;
        assert_eq!(response.status(), status, "{role:?}");
    }
    let commissioner = app.signed_in(Role::Commissioner).await;
    assert_eq!(commissioner.get("/programmes/no-such-programme/report").await.status(), 404);
    let programme = commissioner.page(&format!("/programmes/{SLUG}")).await;
    assert!(
        programme.contains(&format!("href=\"/programmes/{SLUG}/report.pdf\"")),
        "the programme page offers the PDF"
    );
    let viewer = app.signed_in(Role::Viewer).await;
    let programme = viewer.page(&format!("/programmes/{SLUG}")).await;
    assert!(!programme.contains("report.pdf"), "no button for a viewer");
}
