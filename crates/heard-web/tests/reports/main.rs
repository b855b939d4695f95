//! The programme report and the open data through the real router, on both backends: the HTML page
//! and the PDF (its text read back with `pdftotext`, its pages counted with `pdfinfo`, both from
//! Debian's poppler-utils) hold the section headings and a consented quote; unique names, an NHS
//! number and words of a participant who does not consent to quotation, planted in the sources,
//! appear in no byte of the report, the PDF's text or the open-data zip; an outcome the test
//! records (measurements out of date order, a review done and one to come) in the report's
//! outcomes section and the open data's outcome files, with its decision's and the programme's
//! progress worked out here from the numbers recorded, and no one who recorded them named; who may
//! see the report.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::Command;

use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::decisions::outcome::{MeasurementInput, OutcomeInput};
use heard_domain::governance::Role;
use heard_domain::voice::participants::ParticipantKind;
use heard_store::Store;
use heard_testkit::{TestApp, plant};
use heard_web::deliberation::live::Live;
use time::Date;
use time::macros::date;

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

/// A story of `words` from `participant`, coded whole with `code`, attached to `insight`.
async fn evidence(store: &Store, programme: i64, by: i64, words: &str, participant: i64, code: i64, insight: i64) {
    let excerpt = plant::coded_story(store, programme, by, words, vec![participant], code, None).await;
    store.attach_evidence(programme, insight, excerpt, Stance::Supports, by).await.unwrap();
}

/// Plants the two parents, their stories, a code and the insight both stories support.
async fn plant(app: &TestApp) {
    let store = &app.store;
    let researcher = app.demo_user(Role::Researcher).await.id;
    let programme = store.programme(SLUG).await.unwrap().unwrap().id;
    let quoted = plant::participant(
        store,
        programme,
        researcher,
        "Quillon Farrowdale",
        ParticipantKind::Parent,
        "farrowdale.family@mail.example",
        true,
    )
    .await;
    let unquoted = plant::participant(
        store,
        programme,
        researcher,
        "Wenceslas Thornquist",
        ParticipantKind::Parent,
        "thornquist.family@mail.example",
        false,
    )
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

/// An outcome of the demo's first Early Years decision that the test records: brought down from 48
/// hours to 12, measured three times (the latest by date given second), reviewed once, a review to
/// come. The notes name a participant: notes stay out of the report and the open data.
const INDICATOR: &str = "Hours from first call to a named contact (report test)";
const BASELINE: f64 = 48.0;
const TARGET: f64 = 12.0;
const WEIGHT: u32 = 2;
const MEASURED: [(f64, Date); 3] =
    [(40.0, date!(2025 - 01 - 31)), (30.0, date!(2025 - 06 - 30)), (45.0, date!(2024 - 12 - 31))];
const REVIEW_DONE: Date = date!(2025 - 02 - 15);
const REVIEW_TO_COME: Date = date!(2099 - 01 - 01);

/// Records the outcome on the programme's first decision; returns (decision id, outcome id).
async fn record_outcome(app: &TestApp) -> (i64, i64) {
    let store = &app.store;
    let by = app.demo_user(Role::Commissioner).await.id;
    let programme = store.programme(SLUG).await.unwrap().unwrap().id;
    let decision = store.decision_refs(programme).await.unwrap()[0].id;
    let input = OutcomeInput {
        indicator: INDICATOR.into(),
        unit: Some("hours".into()),
        baseline: BASELINE,
        target: TARGET,
        weight: WEIGHT,
    };
    let outcome = store.add_outcome(programme, decision, &input, by).await.unwrap();
    for (value, measured_on) in MEASURED {
        let note = Some("Checked with Quillon Farrowdale (test)".to_owned());
        store.record_measurement(programme, outcome, &MeasurementInput { value, measured_on, note }, by).await.unwrap();
    }
    let review = store.schedule_review(programme, outcome, REVIEW_DONE).await.unwrap();
    store.mark_reviewed(programme, review, Some("Wenceslas Thornquist says it is slower (test)"), by).await.unwrap();
    store.schedule_review(programme, outcome, REVIEW_TO_COME).await.unwrap();
    (decision, outcome)
}

/// An outcome's progress worked out here: the share of the way from baseline to target of the
/// latest measurement by date, 0 to 1; `None` before any.
fn share_of_the_way(baseline: f64, target: f64, measured: &[(f64, Date)]) -> Option<f64> {
    let latest = measured.iter().max_by_key(|(_, on)| *on)?.0;
    Some(((latest - baseline) / (target - baseline)).clamp(0.0, 1.0))
}

/// Outcomes (progress, weight) rolled up: weighted mean, unmeasured as 0.
fn weighted(parts: &[(Option<f64>, u32)]) -> Option<f64> {
    let total: u32 = parts.iter().map(|(_, w)| w).sum();
    (total > 0).then(|| parts.iter().map(|(p, w)| p.unwrap_or(0.0) * f64::from(*w)).sum::<f64>() / f64::from(total))
}

/// The programme's outcomes as (decision, progress, weight), each worked out from its numbers.
async fn worked_out(app: &TestApp) -> Vec<(i64, Option<f64>, u32)> {
    let programme = app.store.programme(SLUG).await.unwrap().unwrap().id;
    let outcomes = app.store.outcomes(programme, None).await.unwrap();
    outcomes
        .iter()
        .map(|o| {
            let measured: Vec<(f64, Date)> = o.measurements.iter().map(|m| (m.value, m.measured_on)).collect();
            (o.decision_id, share_of_the_way(o.baseline, o.target, &measured), o.weight)
        })
        .collect()
}

/// Rows of a CSV file as maps from column to value.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
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

const HEADINGS: [&str; 11] = [
    "Contents",
    "Journey and timeline",
    "Who was heard",
    "Key insights",
    "Cause maps",
    "Horizon scanning",
    "Propositions",
    "Deliberation Day results",
    "Decisions and their evidence",
    "Outcomes and progress",
    "Reflections: the learning log",
];

#[tokio::test]
async fn the_report_and_open_data_hold_consented_quotes_and_nothing_personal_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        plant(&app).await;
        let (decision, outcome) = record_outcome(&app).await;
        let outcomes = worked_out(&app).await;
        let mine = share_of_the_way(BASELINE, TARGET, &MEASURED).unwrap();
        assert_eq!(mine, 0.5, "30 hours is half way from 48 down to 12");
        let of_decision: Vec<(Option<f64>, u32)> =
            outcomes.iter().filter(|o| o.0 == decision).map(|o| (o.1, o.2)).collect();
        let decision_progress = weighted(&of_decision).unwrap();
        let programme_progress = weighted(&outcomes.iter().map(|o| (o.1, o.2)).collect::<Vec<_>>()).unwrap();
        let recorder = app.demo_user(Role::Commissioner).await;
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
        // Outcomes after decisions and before reflections: the test's outcome in its row, its
        // decision's and the programme's progress as worked out here.
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle} on the page"));
        let section = at("id=\"outcomes\"");
        assert!(at("id=\"decisions\"") < section && section < at("id=\"reflections\""));
        let outcomes_html = &html[section..at("id=\"reflections\"")];
        let row = &outcomes_html[outcomes_html.find(INDICATOR).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        for cell in [
            "To bring down",
            "Reviews: 15 February 2025 (done); 1 January 2099 (to come)",
            ">48 hours<",
            ">12 hours<",
            "30 hours on 30 June 2025",
            "3 measurements",
            "50% of the way",
            ">2<",
        ] {
            assert!(row.contains(cell), "the outcome's row has {cell:?}: {row}");
        }
        let percent = |share: f64| (share * 100.0).round() as u32;
        let title = &app.store.decision_refs(programme).await.unwrap()[0].title;
        let decision_part = &outcomes_html[outcomes_html.find(&escaped(title)).unwrap()..];
        let decision_part = &decision_part[..decision_part.find("<table").unwrap()];
        assert!(
            decision_part.contains(&format!("Progress: {}% of the way", percent(decision_progress))),
            "the decision rolls up to {decision_progress}"
        );
        assert!(outcomes_html.contains(&format!(
            "Programme's progress:</strong> {}% of the way, over {} outcomes",
            percent(programme_progress),
            outcomes.len()
        )));
        assert!(!outcomes_html.contains(&recorder.display_name), "no one who measured is named");
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
        assert!(flat.matches("Outcomes and progress").count() >= 2, "the outcomes heading, also in the contents");
        let contents =
            &flat[flat.find("Contents").unwrap()..flat.find("Journey and timeline The innovation journey").unwrap()];
        assert!(contents.contains("Outcomes and progress"), "in the contents list: {contents}");
        let outcomes_text = &flat[flat.rfind("Outcomes and progress").unwrap()..];
        assert!(outcomes_text.contains(INDICATOR), "the outcome is in the PDF's outcomes section");
        assert!(outcomes_text.contains("30 hours on 30 June 2025"));
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

        // Outcomes: every outcome one row; the test's own as it recorded it, with its progress
        // worked out here; its measurements and reviews; the roll-ups on the decision and the
        // programme; no one who recorded or reviewed, no note.
        let four = |share: f64| format!("{share:.4}");
        let outcome_rows = rows(&files["outcomes.csv"]);
        assert_eq!(outcome_rows.len(), outcomes.len());
        let own = outcome_rows.iter().find(|r| r["id"] == outcome.to_string()).unwrap();
        let expected: BTreeMap<String, String> = [
            ("id", outcome.to_string()),
            ("decision_id", decision.to_string()),
            ("indicator", INDICATOR.to_owned()),
            ("unit", "hours".to_owned()),
            ("baseline", "48".to_owned()),
            ("target", "12".to_owned()),
            ("weight", WEIGHT.to_string()),
            ("measurements", "3".to_owned()),
            ("latest_value", "30".to_owned()),
            ("latest_measured_on", "2025-06-30".to_owned()),
            ("progress", four(mine)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(own, &expected);
        let mut measured: Vec<(String, String)> = rows(&files["outcome_measurements.csv"])
            .into_iter()
            .filter(|r| r["outcome_id"] == outcome.to_string())
            .map(|r| (r["measured_on"].clone(), r["value"].clone()))
            .collect();
        measured.sort();
        let mut recorded: Vec<(String, String)> =
            MEASURED.iter().map(|(v, on)| (on.to_string(), v.to_string())).collect();
        recorded.sort();
        assert_eq!(measured, recorded);
        let reviews: Vec<(String, String)> = rows(&files["outcome_reviews.csv"])
            .into_iter()
            .filter(|r| r["outcome_id"] == outcome.to_string())
            .map(|r| (r["review_on"].clone(), r["reviewed_on"].clone()))
            .collect();
        let today = time::OffsetDateTime::now_utc().date().to_string();
        assert_eq!(reviews, [("2025-02-15".to_owned(), today), ("2099-01-01".to_owned(), String::new())]);
        let decision_row = rows(&files["decisions.csv"]).into_iter().find(|r| r["id"] == decision.to_string()).unwrap();
        assert_eq!(decision_row["outcomes"], of_decision.len().to_string());
        assert_eq!(decision_row["outcomes_progress"], four(decision_progress));
        assert_eq!(rows(&files["programme.csv"])[0]["outcomes_progress"], four(programme_progress));
        for name in ["outcomes.csv", "outcome_measurements.csv", "outcome_reviews.csv"] {
            assert!(!files[name].contains(&recorder.display_name), "{name} names who recorded");
            assert!(!files[name].contains(&recorder.email), "{name} holds an email address");
            assert!(!files[name].contains("says it is slower"), "{name} holds a review's note");
        }
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
