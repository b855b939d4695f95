//! REFI-QDA exchange as a researcher meets it: a programme downloaded as a `.qdpx` validates
//! against the standard's schema, imports into an empty programme and exports again as the same
//! project (up to GUIDs and order); originals leave only when asked for, audited; QualCoder's
//! project and Taguette's codebook import; hostile files are refused whole with a clear message.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, MemoTarget};
use heard_domain::coding::refi::{self, Project, Value};
use heard_domain::governance::{Email, Password, Role};
use heard_domain::journeys::{ProgrammeStatus, Slug};
use heard_domain::voice::participants::{AgeBand, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewParticipant, NewProgramme, NewSource, NewUser, Programme, SearchFilters};
use heard_testkit::{Browser, TestApp};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

fn refi_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../heard-domain/tests/refi")
}

async fn programme(app: &TestApp, slug: &str) -> Programme {
    let new = NewProgramme {
        slug: Slug::parse("slug", slug).unwrap(),
        name: format!("Exchange {slug} (test)"),
        aim: "Round trips".into(),
        status: ProgrammeStatus::Active,
        lead_commissioner_id: None,
        partner_ids: vec![],
    };
    app.store.create_programme(&new).await.unwrap()
}

/// A programme with nested codes, two coders, memos, participants with attributes and
/// non-ASCII text with a name the detector hides.
async fn coded_programme(app: &TestApp) -> Programme {
    let programme = programme(app, "exchange-from").await;
    let researcher = app.demo_user(Role::Researcher).await;
    let second = NewUser {
        email: Email::parse("email", "second.exchange@test.example").unwrap(),
        display_name: "Second Exchanger (test)".into(),
        role: Role::Researcher,
        password_hash: Password::new("password", "a long enough password").unwrap().hash(),
    };
    let second = app.store.create_user(&second).await.unwrap();
    let store = &app.store;
    let carer = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", "Exchange Carer").unwrap(),
        kind: ParticipantKind::Carer,
        age_band: Some(AgeBand::From65To79),
        area: Some("Riverside".into()),
        contact_details: None,
    };
    let carer = store.create_participant(programme.id, &carer).await.unwrap();
    // Consent to research: the original text may then leave, when asked for.
    let consent = heard_store::NewConsent {
        purpose: heard_domain::voice::participants::ConsentPurpose::Research,
        given_on: time::macros::date!(2024 - 05 - 01),
        how: heard_domain::voice::participants::ConsentMethod::Written,
        note: String::new(),
    };
    store
        .record_consent(programme.id, carer.id, &consent, researcher.id, time::macros::date!(2024 - 05 - 02))
        .await
        .unwrap();
    let names = store.known_names(programme.id).await.unwrap();
    let redactor = Redactor::new().with_known_names(names.iter().map(String::as_str));
    let texts = [
        "Exchange Carer said the café 🙂 closes early — 夜はバスがない. The respite bed was good.",
        "Waiting lists are long; naïve plans fail.\nThe bus 🚌 comes twice a day.",
    ];
    let mut sources = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let new = NewSource {
            kind: if i == 0 { SourceKind::InterviewTranscript } else { SourceKind::FieldNote },
            title: Some(format!("Exchange source {i} (test)")),
            text: Screened::new(&redactor, (*text).to_owned()),
            collected_on: Some(time::macros::date!(2024 - 05 - 01)),
            activity_id: None,
            participant_ids: if i == 0 { vec![carer.id] } else { vec![] },
            attributes: BTreeMap::new(),
            media: None,
            cue_timings: None,
        };
        sources.push(store.add_source(programme.id, &new, Some(researcher.id)).await.unwrap());
    }
    assert!(sources[0].redacted_text.contains("[NAME-1]"), "{}", sources[0].redacted_text);
    let code = |name: &str, parent| CodeInput {
        name: name.into(),
        description: Some(format!("When {name} comes up")),
        colour: Some("#1d70b8".into()),
        parent_id: parent,
    };
    let care = store.add_code(Some(programme.id), &code("Care", None), researcher.id).await.unwrap();
    let respite = store.add_code(Some(programme.id), &code("Respite 夜", Some(care)), researcher.id).await.unwrap();
    let transport = store.add_code(Some(programme.id), &code("Transport 🚌", None), researcher.id).await.unwrap();
    let span = |source: &heard_store::Source, needle: &str| {
        let at = source.redacted_text.find(needle).unwrap();
        let start = source.redacted_text[..at].chars().count();
        (start, start + needle.chars().count())
    };
    let bed = span(&sources[0], "The respite bed was good");
    let excerpt = store.code_span(programme.id, sources[0].id, bed, &[respite], researcher.id).await.unwrap();
    store.code_span(programme.id, sources[0].id, bed, &[respite, care], second.id).await.unwrap();
    let night = span(&sources[0], "[NAME-1] said the café 🙂");
    store.code_span(programme.id, sources[0].id, night, &[care], second.id).await.unwrap();
    let bus = span(&sources[1], "The bus 🚌 comes twice a day");
    store.code_span(programme.id, sources[1].id, bus, &[transport], researcher.id).await.unwrap();
    store
        .add_memo(programme.id, MemoTarget::Excerpt, excerpt, "Warm about respite — 良い", researcher.id)
        .await
        .unwrap();
    store.add_memo(programme.id, MemoTarget::Code, care, "Care means paid and unpaid", second.id).await.unwrap();
    store
        .add_memo(programme.id, MemoTarget::Source, sources[1].id, "Noted at the bus stop", researcher.id)
        .await
        .unwrap();
    programme
}

async fn download(browser: &Browser, path: &str) -> Vec<u8> {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    let disposition = response.headers()[reqwest::header::CONTENT_DISPOSITION].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
    response.bytes().await.unwrap().to_vec()
}

fn entry(archive: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
    let mut file = zip.by_name(name).unwrap();
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).unwrap();
    bytes
}

fn assert_valid(xml: &[u8], schema: &str) {
    let path = std::env::temp_dir().join(format!("heard-exchange-{}-{}.xml", std::process::id(), rand_suffix()));
    std::fs::write(&path, xml).unwrap();
    let output = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(refi_fixtures().join("schemas").join(schema))
        .arg(&path)
        .output()
        .expect("xmllint runs (apt-get install -y libxml2-utils)");
    let _ = std::fs::remove_file(&path);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

async fn upload(browser: &Browser, app: &TestApp, slug: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let page = format!("/programmes/{slug}/exchange");
    let token = browser.csrf_token(&page).await;
    let form = Form::new().text("csrf_token", token).part("file", Part::bytes(bytes).file_name(name.to_owned()));
    browser.client.post(app.url(&page)).multipart(form).send().await.unwrap()
}

/// A project as comparable data: GUIDs replaced by what they name, everything sorted.
fn normalise(project: &Project) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let users: BTreeMap<&str, &str> = project.users.iter().map(|u| (u.guid.as_str(), u.name.as_str())).collect();
    let user = |g: &Option<String>| g.as_deref().and_then(|g| users.get(g).copied()).unwrap_or("-").to_owned();
    let mut codes = BTreeMap::new();
    let mut stack: Vec<(&refi::Code, String)> = project.codes.iter().map(|c| (c, c.name.clone())).collect();
    while let Some((code, path)) = stack.pop() {
        out.insert(format!("code {path} {:?} {:?} {}", code.description, code.colour, code.codable));
        codes.insert(code.guid.as_str(), path.clone());
        stack.extend(code.children.iter().map(|c| (c, format!("{path}/{}", c.name))));
    }
    let variables: BTreeMap<&str, String> =
        project.variables.iter().map(|v| (v.guid.as_str(), format!("{} {:?}", v.name, v.kind))).collect();
    for v in variables.values() {
        out.insert(format!("variable {v}"));
    }
    let value = |v: &refi::VariableValue| format!("{}={:?}", variables[v.variable.as_str()], v.value);
    let mut targets: BTreeMap<&str, String> = BTreeMap::new();
    for source in &project.sources {
        targets.insert(source.guid.as_str(), format!("source {}", source.name));
        let mut values: Vec<String> = source.values.iter().map(value).collect();
        values.sort();
        out.insert(format!("source {} by {} {values:?} {:?}", source.name, user(&source.created_by), source.text));
        for e in &source.excerpts {
            let mut codings: Vec<String> =
                e.codings.iter().map(|c| format!("{} by {}", codes[c.code.as_str()], user(&c.created_by))).collect();
            codings.sort();
            let what = format!("excerpt {} {}..{}", source.name, e.start, e.end);
            targets.insert(e.guid.as_str(), what.clone());
            out.insert(format!("{what} by {} {codings:?}", user(&e.created_by)));
        }
    }
    for (guid, path) in &codes {
        targets.insert(guid, format!("code {path}"));
    }
    for case in &project.cases {
        let mut values: Vec<String> = case.values.iter().map(value).collect();
        values.sort();
        let mut sources: Vec<&String> = case.sources.iter().map(|s| &targets[s.as_str()]).collect();
        sources.sort();
        out.insert(format!("case {} {values:?} {sources:?}", case.name));
    }
    for memo in &project.memos {
        let about: BTreeSet<&String> = memo.about.iter().map(|a| &targets[a.as_str()]).collect();
        out.insert(format!("memo {:?} by {} about {about:?}", memo.text, user(&memo.created_by)));
    }
    out.insert(format!("users {:?}", users.values().collect::<BTreeSet<_>>()));
    out
}

async fn source_count(app: &TestApp, programme_id: i64) -> i64 {
    let filters = SearchFilters { programme_id: Some(programme_id), ..SearchFilters::default() };
    app.store.sources(&filters, 0).await.unwrap().1
}

#[tokio::test]
async fn a_project_round_trips_through_export_and_import() {
    let app = TestApp::spawn().await;
    let from = coded_programme(&app).await;
    let to = programme(&app, "exchange-to").await;
    let browser = app.signed_in(Role::Researcher).await;

    let page = browser.page("/programmes/exchange-from/exchange").await;
    assert!(page.contains("Include original text (audited)") && page.contains("enctype=\"multipart/form-data\""));
    let first = download(&browser, "/programmes/exchange-from/export.qdpx").await;
    let qde = entry(&first, "project.qde");
    assert!(!qde.starts_with(b"\xef\xbb\xbf"), "no byte order mark");
    assert_valid(&qde, "Project-mrt2019.xsd");
    let project = refi::read_qdpx(Cursor::new(&first)).unwrap().project;
    assert!(project.sources.iter().all(|s| !s.text.contains("Exchange Carer")), "only redacted text leaves");
    assert_eq!(project.users.len(), 2, "two coders");
    assert!(
        project.cases[0].values.iter().any(|v| v.value == Value::Text("65 to 79".into())),
        "{:?}",
        project.cases[0].values
    );

    let response = upload(&browser, &app, "exchange-to", "exchange-from.qdpx", first.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = response.text().await.unwrap();
    assert!(report.contains("Project imported") && report.contains("Everything in the file was imported"), "{report}");

    let second = download(&browser, "/programmes/exchange-to/export.qdpx").await;
    let again = refi::read_qdpx(Cursor::new(&second)).unwrap().project;
    assert_eq!(normalise(&project), normalise(&again), "the same project up to GUIDs and order");
    assert_eq!(source_count(&app, to.id).await, source_count(&app, from.id).await);

    // The codebook alone validates, and imports into the codebook it came from as reuse.
    let qdc = download(&browser, "/programmes/exchange-from/codebook.qdc").await;
    assert_valid(&qdc, "Codebook.xsd");
    let response = upload(&browser, &app, "exchange-from", "exchange-from.qdc", qdc).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report = response.text().await.unwrap();
    assert!(report.contains("Codebook imported"), "{report}");
}

#[tokio::test]
async fn originals_leave_only_when_asked_for_and_are_audited() {
    let app = TestApp::spawn().await;
    coded_programme(&app).await;
    let browser = app.signed_in(Role::Researcher).await;
    let audited = |events: &[heard_store::AuditEvent]| {
        events.iter().filter(|e| e.action == "project.exported_with_originals").count()
    };
    let before = audited(&app.store.audit_events(100).await.unwrap());
    let page = "/programmes/exchange-from/exchange";
    let plain = browser.submit(page, "/programmes/exchange-from/export.qdpx", &[]).await;
    assert_eq!(plain.status(), StatusCode::OK);
    let plain = plain.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&plain).into_owned();
    let project = refi::read_qdpx(Cursor::new(plain.to_vec())).unwrap().project;
    assert!(project.sources.iter().all(|s| !s.text.contains("Exchange Carer")), "{text:.0}");
    assert_eq!(audited(&app.store.audit_events(100).await.unwrap()), before);

    // An excerpt over the hidden name cannot be placed in the original: refused, and said why.
    let refused = browser.submit(page, "/programmes/exchange-from/export.qdpx", &[("include_originals", "yes")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("cannot be placed in the original text"));
    assert_eq!(audited(&app.store.audit_events(100).await.unwrap()), before, "nothing left, nothing audited");

    // Without that excerpt, the originals leave, audited.
    let programme = app.store.programme("exchange-from").await.unwrap().unwrap();
    let second =
        app.store.user_by_email(&Email::parse("email", "second.exchange@test.example").unwrap()).await.unwrap();
    let second = second.unwrap();
    for source in
        app.store.sources(&SearchFilters { programme_id: Some(programme.id), ..Default::default() }, 0).await.unwrap().0
    {
        for excerpt in app.store.source_excerpts(programme.id, source.id).await.unwrap() {
            if excerpt.quote.contains("[NAME-1]") {
                for coding in excerpt.codings {
                    app.store.remove_coding(programme.id, coding.id, second.id).await.unwrap();
                }
            }
        }
    }
    let originals =
        browser.submit(page, "/programmes/exchange-from/export.qdpx", &[("include_originals", "yes")]).await;
    assert_eq!(originals.status(), StatusCode::OK);
    let project = refi::read_qdpx(Cursor::new(originals.bytes().await.unwrap().to_vec())).unwrap().project;
    let source = project.sources.iter().find(|s| s.text.contains("Exchange Carer")).expect("the original text");
    let bed: String = {
        let e = source.excerpts.iter().find(|e| !e.codings.is_empty()).unwrap();
        source.text.chars().skip(e.start).take(e.end - e.start).collect()
    };
    assert_eq!(bed, "The respite bed was good", "offsets placed in the original text");
    assert_eq!(audited(&app.store.audit_events(100).await.unwrap()), before + 1);
}

/// A .qdpx of the given entries.
fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn hostile_files_are_refused_whole_and_nothing_is_imported() {
    let app = TestApp::spawn().await;
    let target = programme(&app, "exchange-to").await;
    let browser = app.signed_in(Role::Researcher).await;
    let codes_before = app.store.codebook(Some(target.id)).await.unwrap().len();

    let slip =
        archive(&[("project.qde", b"<Project xmlns=\"urn:QDA-XML:project:1.0\" name=\"x\"/>"), ("../evil.txt", b"x")]);
    let response = upload(&browser, &app, "exchange-to", "evil.qdpx", slip).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("nothing was imported") && page.contains("outside its folder"), "{page}");

    let source = "a2b94468-80a5-412f-92d6-e900d97b55a6";
    let qde = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Beyond (demo)">
  <CodeBook><Codes><Code guid="2dfba8c9-59f5-4424-99d6-ea9bce18134b" name="Beyond code" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{source}" name="Short (demo)" plainTextPath="internal://{source}.txt">
      <PlainTextSelection guid="08cbced0-d736-44c8-8fd6-eb4d29fe46c5" startPosition="2" endPosition="500">
        <Coding guid="04ebec7d-eab4-43fc-8167-adb14f921143"><CodeRef targetGUID="2dfba8c9-59f5-4424-99d6-ea9bce18134b"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"#
    );
    let file = format!("sources/{source}.txt");
    let beyond = archive(&[("project.qde", qde.as_bytes()), (file.as_str(), "Too short 🙂".as_bytes())]);
    let response = upload(&browser, &app, "exchange-to", "beyond.qdpx", beyond).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("ends at character 500") && page.contains("nothing was imported"), "{page}");
    assert!(!page.contains("Too short"), "no source text in messages");

    let response = upload(&browser, &app, "exchange-to", "junk.qdc", b"not xml at all".to_vec()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(app.store.codebook(Some(target.id)).await.unwrap().len(), codes_before, "no code imported");
    assert_eq!(source_count(&app, target.id).await, 0, "no source imported");
}

#[tokio::test]
async fn qualcoder_projects_and_taguette_codebooks_import() {
    let app = TestApp::spawn().await;
    let target = programme(&app, "exchange-to").await;
    let browser = app.signed_in(Role::Researcher).await;
    let dir = refi_fixtures().join("qualcoder");
    let qde = std::fs::read(dir.join("project.qde")).unwrap();
    let mut files = vec![("project.qde".to_owned(), qde)];
    for file in std::fs::read_dir(dir.join("Sources")).unwrap() {
        let file = file.unwrap();
        files.push((format!("Sources/{}", file.file_name().to_string_lossy()), std::fs::read(file.path()).unwrap()));
    }
    let entries: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let response = upload(&browser, &app, "exchange-to", "qualcoder.qdpx", archive(&entries)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains("Project imported") && page.contains("PictureSource"), "{page}");
    assert_eq!(source_count(&app, target.id).await, 1);
    let sources = app.store.sources(&SearchFilters { programme_id: Some(target.id), ..Default::default() }, 0).await;
    let source = &sources.unwrap().0[0];
    let excerpts = app.store.source_excerpts(target.id, source.id).await.unwrap();
    let quotes: BTreeSet<&str> = excerpts.iter().map(|e| e.quote.as_str()).collect();
    assert!(quotes.contains("the staff were kind") && quotes.contains("the bus only comes twice a day"), "{quotes:?}");
    let memos = app.store.memos(target.id, None).await.unwrap();
    assert!(memos.iter().any(|m| m.body == "Said warmly"), "a QualCoder coding memo becomes an excerpt memo");

    let qdc = std::fs::read(refi_fixtures().join("taguette/codebook.qdc")).unwrap();
    let response = upload(&browser, &app, "exchange-to", "codebook.qdc", qdc).await;
    assert_eq!(response.status(), StatusCode::OK);
    let names: BTreeSet<String> =
        app.store.codebook(Some(target.id)).await.unwrap().into_iter().map(|c| c.name).collect();
    assert!(names.contains("access.transport") && names.contains("Kindness"), "{names:?}");
}

#[tokio::test]
async fn only_researchers_exchange_projects() {
    let app = TestApp::spawn().await;
    programme(&app, "exchange-from").await;
    for role in [Role::Commissioner, Role::Viewer, Role::Facilitator, Role::Administrator] {
        let browser = app.signed_in(role).await;
        for path in [
            "/programmes/exchange-from/exchange",
            "/programmes/exchange-from/export.qdpx",
            "/programmes/exchange-from/codebook.qdc",
        ] {
            assert_eq!(browser.get(path).await.status(), StatusCode::FORBIDDEN, "{role:?} {path}");
        }
    }
    let anonymous = app.browser().get("/programmes/exchange-from/export.qdpx").await;
    assert_ne!(anonymous.status(), StatusCode::OK);
}
