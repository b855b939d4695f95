//! Decisions through the real router, on both backends: who may read, record and publish; the form
//! and the API refusing bad input by field (each missing departure reason named `reason-{id}`),
//! nothing saved; the decision, its trail page and JSON export; the public "You said, we did" page
//! without signing in and the receipt-code look-up; a full chain built in a new programme (sources,
//! codings, insight, factor, signal, propositions, a Deliberation Day, the decision) whose trail is
//! complete with the right counts; and names, an NHS number and the words of people who do not
//! consent to quotation, planted in the sources, appearing on neither the public page nor the trail
//! export.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use heard_analysis::deliberation::prioritise::Pick;
use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::dates::DateParts;
use heard_domain::decisions::{DecisionFields, DecisionInput, favoured};
use heard_domain::deliberation::days::{
    AttendeeToken, Declaration, DeclaredKind, DeliberationFields, DeliberationInput, DeliberationStatus,
};
use heard_domain::governance::Role;
use heard_domain::journeys::{ProgrammeStatus, Slug};
use heard_domain::propositions::{EvidenceRef, PropositionInput};
use heard_domain::voice::forms::{ReceiptCode, StoryAnswer};
use heard_domain::voice::participants::{ConsentPurpose, ParticipantKind};
use heard_store::NewProgramme;
use heard_store::voice::forms::NewStory;
use heard_testkit::plant::{coded_story as coded, participant};
use heard_testkit::{TestApp, TestBackend, backends};
use serde_json::{Value, json};

const SLUG: &str = "early-years";

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.api_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let response = app.api_client().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

fn fields_named(body: &Value) -> Vec<String> {
    body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

async fn programme_id(app: &TestApp, slug: &str) -> i64 {
    app.store.programme(slug).await.unwrap().unwrap().id
}

/// Text as the templates escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&#x27;").replace('"', "&quot;")
}

#[tokio::test]
async fn who_may_read_record_and_publish() {
    let app = TestApp::spawn().await;
    let list = format!("/programmes/{SLUG}/decisions");
    let new = format!("{list}/new");
    for &role in Role::ALL {
        let browser = app.signed_in(role).await;
        let reads = role != Role::Viewer;
        assert_eq!(browser.get(&list).await.status(), if reads { 200 } else { 403 }, "{role:?} list");
        let records = role == Role::Commissioner;
        assert_eq!(browser.get(&new).await.status(), if records { 200 } else { 403 }, "{role:?} new");
        if !records {
            let token = browser.csrf_token("/account").await;
            assert_eq!(browser.post(&list, &token, &[("title", "x")]).await.status(), 403, "{role:?} create");
            let publish = format!("{list}/publish");
            assert_eq!(browser.post(&publish, &token, &[("publish", "no")]).await.status(), 403, "{role:?} publish");
        }
        let token = app.token(role).await;
        let (status, _) = get_json(&app, &token, &format!("/api/v1/programmes/{SLUG}/decisions")).await;
        assert_eq!(status, if reads { 200 } else { 403 }, "{role:?} API");
        let (status, _) = post_json(&app, &token, &format!("/api/v1/programmes/{SLUG}/decisions"), json!({})).await;
        assert!(if records { status == 422 } else { status == 403 }, "{role:?} API create: {status}");
    }
    // Anonymous: no internal page, but the published public page; an unpublished one is not found.
    let anonymous = app.browser();
    assert_ne!(anonymous.get(&list).await.status(), 200);
    assert_eq!(anonymous.get(&format!("/you-said-we-did/{SLUG}")).await.status(), 200);
    assert_eq!(anonymous.get("/you-said-we-did/adults-with-disabilities").await.status(), 404);
    assert_eq!(anonymous.get("/you-said-we-did/no-such-programme").await.status(), 404);
    let (status, _) = get_json(&app, "not-a-token", &format!("/api/v1/programmes/{SLUG}/decisions")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_commissioner_records_a_decision_and_is_asked_why_it_departs() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let pid = programme_id(&app, SLUG).await;
        // Start from no decision, so the favoured propositions are not taken up yet.
        for d in app.store.decisions(pid).await.unwrap() {
            for o in app.store.outcomes(pid, Some(d.id)).await.unwrap() {
                app.store.delete_outcome(pid, o.id).await.unwrap();
            }
            app.store.delete_decision(pid, d.id, None).await.unwrap();
        }
        let room = app.store.room_for_decisions(pid).await.unwrap().unwrap();
        let favoured_ids: Vec<i64> =
            room.ranks.iter().filter(|r| favoured(r.rank, r.ranked)).map(|r| r.proposition_id).collect();
        let last = room.ranks.last().unwrap().proposition_id;
        let titles: BTreeMap<i64, String> =
            app.store.propositions(pid).await.unwrap().into_iter().map(|p| (p.id, p.title)).collect();
        let title_of = |id: i64| titles[&id].clone();

        let browser = app.signed_in(Role::Commissioner).await;
        let list = format!("/programmes/{SLUG}/decisions");
        let new = format!("{list}/new");
        let form = browser.page(&new).await;
        assert!(form.contains(&escaped(&title_of(last))) && form.contains("by the room: not favoured"));

        // Nothing filled in: every field named, nothing saved.
        let response = browser
            .submit(&new, &list, &[("decided_on.day", "31"), ("decided_on.month", "2"), ("decided_on.year", "2015")])
            .await;
        assert_eq!(response.status(), 422, "{backend:?}");
        let html = response.text().await.unwrap();
        for message in [
            "Enter a title",
            "Enter the service change",
            "Choose whether a person, a board or a committee decided",
            "Enter the name of the person, board or committee",
            "The date of the decision must be a real date",
            "Enter why the decision was made",
            "Choose the propositions this decision takes up",
        ] {
            assert!(html.contains(message), "{message}");
        }
        assert!(app.store.decisions(pid).await.unwrap().is_empty());

        // Only the room's last: each favoured one left out and the last taken up need a reason.
        let last_value = last.to_string();
        let mut filled: Vec<(&str, &str)> = vec![
            ("title", "Weekend clinics (test)"),
            ("service_change", "Open two clinics on Saturdays."),
            ("budget", "£75,000"),
            ("decided_by_kind", "person"),
            ("decided_by", "Director of Public Health (test)"),
            ("decided_on.day", "3"),
            ("decided_on.month", "3"),
            ("decided_on.year", "2015"),
            ("rationale", "Parents work weekdays."),
            ("propositions", &last_value),
        ];
        let response = browser.submit(&new, &list, &filled).await;
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        for id in &favoured_ids {
            assert!(html.contains(&format!("href=\"#reason-{id}\"")), "reason-{id} named");
            assert!(html.contains(&escaped(&format!("does not take up “{}”", title_of(*id)))));
        }
        assert!(html.contains(&format!("href=\"#reason-{last}\"")));
        assert!(html.contains("Weekend clinics (test)"), "the values typed are kept");
        assert!(app.store.decisions(pid).await.unwrap().is_empty(), "nothing saved");

        // With every reason: recorded, and the reasons shown.
        let reasons: Vec<(String, String)> = favoured_ids
            .iter()
            .chain([&last])
            .map(|id| (format!("reason-{id}"), format!("Reason number {id} (test)")))
            .collect();
        filled.extend(reasons.iter().map(|(f, r)| (f.as_str(), r.as_str())));
        let response = browser.submit(&new, &list, &filled).await;
        assert_eq!(response.status(), 303);
        let page = location(&response);
        let html = browser.page(&page).await;
        assert!(html.contains("Weekend clinics (test)") && html.contains("£75,000"));
        for (_, reason) in &reasons {
            assert!(html.contains(reason), "{reason}");
        }
        let decision = app.store.decisions(pid).await.unwrap();
        assert_eq!(decision.len(), 1);
        assert_eq!(decision[0].departures, reasons.len() as i64);

        // Its trail page and export.
        let trail = browser.page(&format!("{page}/trail")).await;
        assert!(trail.contains(&escaped(&title_of(last))));
        let export = browser.get(&format!("{page}/trail.json")).await;
        assert_eq!(export.status(), 200);
        assert!(export.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let export: Value = export.json().await.unwrap();
        assert_eq!(export["decision"]["id"], json!(decision[0].id));
        assert_eq!(export["propositions"][0]["id"], json!(last));
        // Another programme's decision is not found; so is a missing one.
        assert_eq!(browser.get(&format!("/programmes/dementia/decisions/{}", decision[0].id)).await.status(), 404);
        assert_eq!(browser.get(&format!("{list}/99999999/trail")).await.status(), 404);
    }
}

#[tokio::test]
async fn the_api_records_decisions_and_names_every_bad_field() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let pid = programme_id(&app, SLUG).await;
        let token = app.token(Role::Commissioner).await;
        let path = format!("/api/v1/programmes/{SLUG}/decisions");
        let before = app.store.decisions(pid).await.unwrap().len();
        let room = app.store.room_for_decisions(pid).await.unwrap().unwrap();
        let last = room.ranks.last().unwrap().proposition_id;

        let (status, body) = post_json(
            &app,
            &token,
            &path,
            json!({"title": "", "service_change": "x", "budget": "lots", "decided_by_kind": "king", "decided_by": "",
                   "decided_on": "2015-02-31", "period_start": "2015-04-01", "period_end": "2014-04-01",
                   "rationale": "", "propositions": [last]}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        let named = fields_named(&body);
        for field in ["title", "budget", "decided_by_kind", "decided_by", "decided_on", "period_end", "rationale"] {
            assert!(named.contains(&field.to_owned()), "{field} in {named:?}");
        }
        assert!(named.contains(&format!("reason-{last}")), "the departure's reason: {named:?}");
        // Fields left out are named; a body that is not a decision at all is a 400, never a 500.
        let (status, body) = post_json(&app, &token, &path, json!({})).await;
        assert_eq!(status, 422);
        assert!(fields_named(&body).contains(&"decided_on".to_owned()), "{body}");
        let (status, _) = post_json(&app, &token, &path, json!({"title": 5})).await;
        assert_eq!(status, 400);
        assert_eq!(app.store.decisions(pid).await.unwrap().len(), before, "nothing saved");

        let good = json!({"title": "Evening clinics (test)", "service_change": "Open clinics until 8pm.",
            "decided_by_kind": "committee", "decided_by": "Test Committee (test)", "decided_on": "2015-03-03",
            "rationale": "Parents work late.", "propositions": [last],
            "reasons": {format!("reason-{last}"): "A test reason."}});
        let (status, body) = post_json(&app, &token, &path, good).await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().unwrap();
        let (status, body) = get_json(&app, &token, &format!("{path}/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["decision"]["departures"][0]["reason"], "A test reason.");
        assert_eq!(body["decision"]["departures"][0]["kind"], "not_favoured");
        let (status, trail) = get_json(&app, &token, &format!("{path}/{id}/trail")).await;
        assert_eq!(status, 200);
        assert_eq!(trail["propositions"].as_array().unwrap().len(), 1);
        let (status, _) = get_json(&app, &token, &format!("/api/v1/programmes/dementia/decisions/{id}")).await;
        assert_eq!(status, 404);
        let (status, _) = get_json(&app, &token, &format!("{path}/{id}0/trail")).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn a_commissioner_publishes_and_unpublishes_the_public_page() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Commissioner).await;
    let list = format!("/programmes/{SLUG}/decisions");
    let public = format!("/you-said-we-did/{SLUG}");
    let anonymous = app.browser();
    let html = anonymous.get(&public).await.text().await.unwrap();
    let decision = &app.store.decisions(programme_id(&app, SLUG).await).await.unwrap()[0];
    assert!(html.contains(&escaped(&decision.title)) && html.contains("You said, we did"));
    assert!(!html.contains("Sign out"), "no one is signed in");
    let response = browser.submit(&list, &format!("{list}/publish"), &[("publish", "no")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(anonymous.get(&public).await.status(), 404);
    assert!(browser.page(&list).await.contains("The public page is not published"));
    let response = browser.submit(&list, &format!("{list}/publish"), &[("publish", "maybe")]).await;
    assert_eq!(response.status(), 400);
    let response = browser.submit(&list, &format!("{list}/publish"), &[("publish", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(anonymous.get(&public).await.status(), 200);
}

// Planted personal data and consent.

/// Words of a parent who consents to anonymous quotation: the public page may quote them.
const QUOTED: &str = "The marigold minibus made the clinic easy to reach.";
/// Words of a parent who does not: no one outside the research team may read them.
const UNQUOTED: &str = "Nobody at the pewter lighthouse ever answered the phone about my son.";

/// What must never leave: names, an NHS number (valid, so the redactor knows it), contact
/// details, and the words of the participant who does not consent to quotation.
const PLANTED: [&str; 8] = [
    "Ottoline Brackenbury",
    "Fitzgerald Quenby",
    "943 476 5919",
    "9434765919",
    "quenby.family@mail.example",
    "brackenbury.family@mail.example",
    "pewter lighthouse",
    "answered the phone about my son",
];

fn decision_fields(title: &str, propositions: &[i64]) -> DecisionFields {
    DecisionFields {
        title: title.into(),
        service_change: "A change (test)".into(),
        budget: String::new(),
        period_start: DateParts::default(),
        period_end: DateParts::default(),
        decided_by_kind: "board".into(),
        decided_by: "Test Board (test)".into(),
        decided_on: DateParts::from_date(time::Date::from_calendar_date(2025, time::Month::June, 2).ok()),
        rationale: "Because of what we heard (test).".into(),
        propositions: propositions.iter().map(i64::to_string).collect(),
    }
}

#[tokio::test]
async fn no_personal_data_on_the_public_page_or_in_the_trail_export() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let store = &app.store;
        let researcher = app.demo_user(Role::Researcher).await.id;
        let pid = programme_id(&app, SLUG).await;
        let quoted = participant(
            store,
            pid,
            researcher,
            "Ottoline Brackenbury",
            ParticipantKind::Parent,
            "brackenbury.family@mail.example",
            true,
        )
        .await;
        let unquoted = participant(
            store,
            pid,
            researcher,
            "Fitzgerald Quenby",
            ParticipantKind::Parent,
            "quenby.family@mail.example",
            false,
        )
        .await;
        let code = CodeInput {
            name: "Getting there (decision test)".into(),
            description: None,
            colour: None,
            parent_id: None,
        };
        let code = store.add_code(Some(pid), &code, researcher).await.unwrap();
        let insight =
            store.add_insight(pid, "Families reach help when it is near (decision test).", researcher).await.unwrap();
        let told =
            |words: &str| format!("Fitzgerald Quenby, NHS number 943 476 5919, told Ottoline Brackenbury: {words}");
        let a = coded(store, pid, researcher, QUOTED, vec![quoted], code, None).await;
        let b = coded(store, pid, researcher, &told(UNQUOTED), vec![unquoted], code, None).await;
        store.attach_evidence(pid, insight, a, Stance::Supports, researcher).await.unwrap();
        store.attach_evidence(pid, insight, b, Stance::Supports, researcher).await.unwrap();
        let proposition = store
            .create_proposition(
                pid,
                &PropositionInput::parse("Near help (decision test)", "Help near home.", "").unwrap(),
                None,
            )
            .await
            .unwrap();
        store.link_proposition_evidence(pid, proposition, EvidenceRef::Insight(insight), None).await.unwrap();
        let input = DecisionInput::parse(&decision_fields("Help near home (decision test)", &[proposition])).unwrap();
        let id = store.record_decision(pid, &input, &[], None, None).await.unwrap();

        let public = app.browser().get(&format!("/you-said-we-did/{SLUG}")).await.text().await.unwrap();
        let commissioner = app.signed_in(Role::Commissioner).await;
        let export =
            commissioner.get(&format!("/programmes/{SLUG}/decisions/{id}/trail.json")).await.text().await.unwrap();
        let (_, api) = get_json(
            &app,
            &app.token(Role::Researcher).await,
            &format!("/api/v1/programmes/{SLUG}/decisions/{id}/trail"),
        )
        .await;
        let api = api.to_string();
        // The consented words are there (so this test can fail), the rest is not.
        assert!(public.contains(&escaped(QUOTED)), "{backend:?}: the consented quote is on the public page");
        assert!(export.contains(QUOTED), "the consented quote is in the export");
        let pseudonyms: Vec<String> =
            store.participants(pid).await.unwrap().into_iter().map(|p| p.pseudonym.to_string()).collect();
        for (what, text) in [("public page", &public), ("trail export", &export), ("trail API", &api)] {
            let lower = text.to_lowercase();
            for planted in PLANTED {
                assert!(!lower.contains(&planted.to_lowercase()), "{backend:?}: {what} holds {planted:?}");
            }
            for pseudonym in &pseudonyms {
                assert!(
                    !text.contains(&format!("{pseudonym}\"")) && !text.contains(&format!(">{pseudonym}<")),
                    "{what} names {pseudonym}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_contributor_sees_which_decisions_their_story_fed_into() {
    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let store = &app.store;
        let pid = programme_id(&app, SLUG).await;
        let researcher = app.demo_user(Role::Researcher).await.id;
        let form = store.story_forms(pid).await.unwrap().into_iter().next().unwrap();
        let receipt = ReceiptCode::generate();
        let words = "The toy library bus stopped coming to our estate last spring.";
        let story = NewStory {
            text: Screened::new(&Redactor::new(), words.to_owned()),
            answer: StoryAnswer {
                text: words.to_owned(),
                participant_kind: ParticipantKind::Parent,
                answers: BTreeMap::new(),
                consents: vec![ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation],
            },
            receipt_hash: receipt.hash(),
            today: time::OffsetDateTime::now_utc().date(),
            pseudonym_suffix: Some(" (test)"),
        };
        let source = store.submit_story(form.id, form.version_id, &story).await.unwrap();
        let public = format!("/you-said-we-did/{SLUG}");
        let anonymous = app.browser();

        // Not yet in any decision.
        let response = anonymous.submit(&public, &public, &[("receipt", &receipt.display())]).await;
        assert_eq!(response.status(), 200, "{backend:?}");
        assert!(response.text().await.unwrap().contains("has not fed into a decision yet"));

        // Coded into an insight a proposition stands on, which a decision takes up.
        let code =
            CodeInput { name: "Toy library (receipt test)".into(), description: None, colour: None, parent_id: None };
        let code = store.add_code(Some(pid), &code, researcher).await.unwrap();
        let length = store.source(pid, source).await.unwrap().unwrap().redacted_text.chars().count();
        let excerpt = store.code_span(pid, source, (0, length), &[code], researcher).await.unwrap();
        let insight =
            store.add_insight(pid, "Outreach stopped reaching estates (receipt test).", researcher).await.unwrap();
        store.attach_evidence(pid, insight, excerpt, Stance::Supports, researcher).await.unwrap();
        let proposition = store
            .create_proposition(
                pid,
                &PropositionInput::parse("Outreach buses (receipt test)", "Bring the bus back.", "").unwrap(),
                None,
            )
            .await
            .unwrap();
        store.link_proposition_evidence(pid, proposition, EvidenceRef::Insight(insight), None).await.unwrap();
        let input =
            DecisionInput::parse(&decision_fields("Toy library bus returns (receipt test)", &[proposition])).unwrap();
        store.record_decision(pid, &input, &[], None, None).await.unwrap();

        let response = anonymous.submit(&public, &public, &[("receipt", &receipt.display().to_lowercase())]).await;
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("fed into 1 decision") && html.contains("Toy library bus returns (receipt test)"),
            "{backend:?}"
        );
        assert!(!html.contains(&receipt.display()), "the code is not shown back");

        // A code that does not read, or that no story has: 422 naming the field, never a 500.
        for bad in ["", "ABC", &ReceiptCode::generate().display()] {
            let response = anonymous.submit(&public, &public, &[("receipt", bad)]).await;
            assert_eq!(response.status(), 422, "{bad:?}");
            assert!(response.text().await.unwrap().contains("href=\"#receipt\""));
        }
    }
}

#[tokio::test]
async fn a_full_chain_in_a_new_programme_has_a_complete_trail_with_the_right_counts() {
    for backend in [TestBackend::Sqlite, TestBackend::Postgres] {
        let app = TestApp::spawn_on(backend).await;
        let store = &app.store;
        let researcher = app.demo_user(Role::Researcher).await.id;
        let commissioner = app.demo_user(Role::Commissioner).await.id;
        let new = NewProgramme {
            slug: Slug::parse("slug", "chain-test").unwrap(),
            name: "Chain test (test)".into(),
            aim: "To test the evidence trail.".into(),
            status: ProgrammeStatus::Active,
            lead_commissioner_id: Some(commissioner),
            partner_ids: Vec::new(),
        };
        let pid = store.create_programme(&new).await.unwrap().id;
        // Sources and codings: two parents and a carer, the carer heard only behind the factor.
        let p1 = participant(store, pid, researcher, "Chain Parent One", ParticipantKind::Parent, "", true).await;
        let p2 = participant(store, pid, researcher, "Chain Parent Two", ParticipantKind::Parent, "", false).await;
        let c1 = participant(store, pid, researcher, "Chain Carer One", ParticipantKind::Carer, "", true).await;
        let _practitioner =
            participant(store, pid, researcher, "Chain Worker One", ParticipantKind::Practitioner, "", true).await;
        let code = store
            .add_code(
                Some(pid),
                &CodeInput { name: "Access (chain)".into(), description: None, colour: None, parent_id: None },
                researcher,
            )
            .await
            .unwrap();
        let e1 = coded(store, pid, researcher, "We waited six weeks for a visit.", vec![p1], code, None).await;
        let e2 = coded(store, pid, researcher, "Nobody told us where to go.", vec![p2, p1], code, None).await;
        let e3 = coded(store, pid, researcher, "Looking after mum, I never get to appointments.", vec![c1], code, None)
            .await;
        // The insight.
        let insight =
            store.add_insight(pid, "Families wait too long for a first visit (chain).", researcher).await.unwrap();
        store.attach_evidence(pid, insight, e1, Stance::Supports, researcher).await.unwrap();
        store.attach_evidence(pid, insight, e2, Stance::Supports, researcher).await.unwrap();
        // The factor: on the insight and the carer's excerpt.
        let map = store
            .create_cause_map(
                pid,
                &heard_domain::causes::map::MapInput::parse("", "Help arrives late (chain)").unwrap(),
                None,
            )
            .await
            .unwrap();
        let factor = store
            .add_factor(
                pid,
                map,
                &heard_domain::causes::map::FactorInput::parse("Caring leaves no time (chain)", "", "").unwrap(),
                None,
                None,
            )
            .await
            .unwrap();
        store
            .link_factor_evidence(pid, map, factor, heard_store::causes::EvidenceRef::Excerpt(e3), None)
            .await
            .unwrap();
        // The signal: one of the organisation's, linked to the programme.
        let signal = store.signals(heard_store::horizon::signals::SignalFilter::default()).await.unwrap()[0].id;
        store.link_signal_programme(signal, pid).await.unwrap();
        // Two propositions: one on the insight, one on the factor and the signal.
        let words = |t: &str| PropositionInput::parse(t, "A change (chain).", "").unwrap();
        let on_insight = store.create_proposition(pid, &words("Visits within a week (chain)"), None).await.unwrap();
        let on_factor =
            store.create_proposition(pid, &words("Carers' appointments at home (chain)"), None).await.unwrap();
        store.link_proposition_evidence(pid, on_insight, EvidenceRef::Insight(insight), None).await.unwrap();
        store.link_proposition_evidence(pid, on_factor, EvidenceRef::Factor(factor), None).await.unwrap();
        store.link_proposition_evidence(pid, on_factor, EvidenceRef::Signal(signal), None).await.unwrap();
        // The Deliberation Day: three attendees all prefer the factor's proposition.
        let input = DeliberationInput::parse(&DeliberationFields {
            title: "Chain day (test)".into(),
            held_on: DateParts::from_date(time::Date::from_calendar_date(2025, time::Month::May, 1).ok()),
            venue: String::new(),
            attendee_statements: false,
            prioritisation: "pairwise".into(),
            dots: String::new(),
        })
        .unwrap();
        let day = store.create_deliberation(pid, &input, &[], None).await.unwrap();
        store.set_deliberation_propositions(day, &[on_insight, on_factor]).await.unwrap();
        store.move_deliberation(day, DeliberationStatus::Open).await.unwrap();
        for _ in 0..3 {
            let token = AttendeeToken::generate();
            let attendee = store
                .join_deliberation(day, &token.hash(), &Declaration { kind: DeclaredKind::Carer, sector: None })
                .await
                .unwrap();
            store.choose_pair(attendee, on_insight, on_factor, Pick::Right).await.unwrap();
        }
        store.move_deliberation(day, DeliberationStatus::Closed).await.unwrap();

        // The decision, through the API: taking up only the insight's proposition departs twice
        // over: the favoured one is left out, the unfavoured one taken up.
        let token = app.token(Role::Commissioner).await;
        let path = "/api/v1/programmes/chain-test/decisions";
        let body = json!({"title": "First visits within a week (chain)", "service_change": "Commission more visits.",
            "decided_by_kind": "board", "decided_by": "Chain Board (test)", "decided_on": "2025-06-01",
            "rationale": "The wait is the problem.", "propositions": [on_insight]});
        let (status, refused) = post_json(&app, &token, path, body.clone()).await;
        assert_eq!(status, 422);
        let mut named = fields_named(&refused);
        named.sort();
        let mut expected = vec![format!("reason-{on_factor}"), format!("reason-{on_insight}")];
        expected.sort();
        assert_eq!(named, expected);
        let mut body = body;
        body["reasons"] = json!({on_factor.to_string(): "Funded by the carers' strategy.", on_insight.to_string(): "Waiting is the first harm."});
        let (status, created) = post_json(&app, &token, path, body).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_i64().unwrap();

        // The trail: the proposition, its insight, both excerpts and their sources, three people
        // heard? No: two parents behind the insight; the carer is behind the other proposition.
        let (status, trail) = get_json(&app, &token, &format!("{path}/{id}/trail")).await;
        assert_eq!(status, 200);
        assert_eq!(trail["decision"]["departures"].as_array().unwrap().len(), 2);
        let propositions = trail["propositions"].as_array().unwrap();
        assert_eq!(propositions.len(), 1);
        let p = &propositions[0];
        assert_eq!(p["id"], json!(on_insight));
        assert_eq!(p["insights"][0]["id"], json!(insight));
        let excerpts: Vec<i64> = p["insights"][0]["excerpts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["excerpt_id"].as_i64().unwrap())
            .collect();
        assert_eq!(excerpts.len(), 2);
        assert!(excerpts.contains(&e1) && excerpts.contains(&e2));
        assert_eq!(trail["breadth"]["participants"], json!(2), "two distinct parents: p1 heard twice counts once");
        assert_eq!(trail["breadth"]["by_kind"], json!([{"kind": "parent", "participants": 2}]));
        assert_eq!(trail["sources"], json!(2));
        assert_eq!(p["room_rank"], json!(2));
        assert_eq!(p["room_ranked"], json!(2));
        let ranks = trail["room"]["ranks"].as_array().unwrap();
        assert_eq!(ranks[0]["proposition_id"], json!(on_factor));
        assert_eq!(ranks[0]["favoured"], json!(true));
        let gaps: Vec<&str> = trail["gaps"].as_array().unwrap().iter().map(|g| g.as_str().unwrap()).collect();
        assert!(gaps.contains(&"No carers' voices behind this decision"), "{gaps:?}");
        assert!(gaps.contains(&"No practitioners' voices behind this decision"), "{gaps:?}");
        // Only p1's second source mixes a non-consenting parent: its words are held back.
        let quotes: Vec<&str> =
            p["insights"][0]["excerpts"].as_array().unwrap().iter().map(|e| e["quote"].as_str().unwrap()).collect();
        assert!(quotes.contains(&"We waited six weeks for a visit.") && quotes.contains(&""), "{quotes:?}");

        // A second decision takes up the factor's proposition: its trail walks the factor to the
        // carer's excerpt and the signal, and counts the carer.
        let body = json!({"title": "Appointments at home (chain)", "service_change": "Home appointments for carers.",
            "decided_by_kind": "person", "decided_by": "Chain Director (test)", "decided_on": "2025-06-08",
            "rationale": "Carers cannot come to us.", "propositions": [on_factor]});
        let (status, created) = post_json(&app, &token, path, body).await;
        assert_eq!(status, 201, "no departure now: the favoured one is taken up, the other already was: {created}");
        let (_, trail) = get_json(&app, &token, &format!("{path}/{}/trail", created["id"])).await;
        let p = &trail["propositions"][0];
        assert_eq!(p["factors"][0]["id"], json!(factor));
        assert_eq!(p["factors"][0]["excerpts"][0]["excerpt_id"], json!(e3));
        assert_eq!(p["signals"][0]["id"], json!(signal));
        assert_eq!(trail["breadth"]["by_kind"], json!([{"kind": "carer", "participants": 1}]));
        let page = app
            .signed_in(Role::Commissioner)
            .await
            .page(&format!("/programmes/chain-test/decisions/{}/trail", created["id"]))
            .await;
        for link in [
            format!("/programmes/chain-test/propositions/{on_factor}"),
            format!("/programmes/chain-test/cause-maps/{map}/factors/{factor}"),
            format!("/signals/{signal}"),
            format!("/programmes/chain-test/deliberations/{day}/results"),
        ] {
            assert!(page.contains(&link), "the trail links {link}");
        }
        assert!(
            page.contains("No parents&#x27; voices behind this decision")
                || page.contains("No parents' voices behind this decision")
        );
    }
}

async fn send_json(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.api_client().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn status_of(app: &TestApp, pid: i64, id: i64) -> heard_domain::propositions::PropositionStatus {
    app.store.proposition(pid, id).await.unwrap().unwrap().status
}

#[tokio::test]
async fn a_commissioner_changes_a_decision_and_deletes_one() {
    use heard_domain::propositions::PropositionStatus::{Commissioned, Draft};

    for backend in backends() {
        let app = TestApp::spawn_on(backend).await;
        let pid = programme_id(&app, SLUG).await;
        let demo_id = app.store.decisions(pid).await.unwrap()[0].id;
        let demo = app.store.decision(pid, demo_id).await.unwrap().unwrap();
        let departed = demo.departures[0].proposition_id;
        let page = format!("/programmes/{SLUG}/decisions/{demo_id}");
        let edit = format!("{page}/edit");
        let browser = app.signed_in(Role::Commissioner).await;

        // The decision's page leads a commissioner to change and delete it; no one else.
        let html = browser.page(&page).await;
        assert!(html.contains(&format!("href=\"{edit}\"")) && html.contains(&format!("href=\"{page}/delete\"")));
        assert!(!app.signed_in(Role::Researcher).await.page(&page).await.contains(&edit));

        // The form, filled in as saved: its words, version, propositions and the reason given.
        let form = browser.page(&edit).await;
        assert!(form.contains(&escaped(&demo.title)) && form.contains("name=\"version\" value=\"1\""));
        assert!(form.contains(&escaped(&demo.departures[0].reason)));
        for p in &demo.propositions {
            assert!(form.contains(&format!("value=\"{0}\" aria-describedby=\"propositions-{0}-rank\" checked", p.id)));
        }

        // Taking up a new draft proposition too, with the departure's reason left blank: refused by
        // field, nothing saved, nothing moved.
        let words = PropositionInput::parse("Saturday drop-ins (test)", "Open on Saturdays (test)", "").unwrap();
        let added = app.store.create_proposition(pid, &words, None).await.unwrap();
        let ids: Vec<String> = demo.propositions.iter().map(|p| p.id).chain([added]).map(|id| id.to_string()).collect();
        let reason_field = format!("reason-{departed}");
        let mut fields: Vec<(&str, &str)> = vec![
            ("title", "Family hubs, changed (test)"),
            ("service_change", &demo.service_change),
            ("budget", "£1,300,000"),
            ("decided_by_kind", "board"),
            ("decided_by", &demo.decided_by),
            ("decided_on.day", "16"),
            ("decided_on.month", "9"),
            ("decided_on.year", "2014"),
            ("rationale", &demo.rationale),
            ("version", "1"),
            (&reason_field, ""),
        ];
        fields.extend(ids.iter().map(|id| ("propositions", id.as_str())));
        let response = browser.submit(&edit, &edit, &fields).await;
        assert_eq!(response.status(), 422, "{backend:?}");
        assert!(response.text().await.unwrap().contains(&format!("href=\"#reason-{departed}\"")));
        assert_eq!(app.store.decision(pid, demo_id).await.unwrap().unwrap().version, 1);
        assert_eq!(status_of(&app, pid, added).await, Draft);

        // With the reason: saved, version 2, the new proposition commissioned and shown so.
        fields.retain(|(name, _)| *name != reason_field);
        fields.push((&reason_field, "Still a statutory duty (test)"));
        let response = browser.submit(&edit, &edit, &fields).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), page);
        let now = app.store.decision(pid, demo_id).await.unwrap().unwrap();
        assert_eq!(
            (now.version, now.title.as_str(), now.budget_pence),
            (2, "Family hubs, changed (test)", Some(130_000_000))
        );
        assert_eq!(now.departures[0].reason, "Still a statutory duty (test)");
        assert_eq!(status_of(&app, pid, added).await, Commissioned);
        assert!(browser.page(&page).await.contains("Saturday drop-ins (test)</a> (commissioned)"));

        // The same form sent again, from version 1: someone else changed it, 409, nothing saved.
        fields.retain(|(name, _)| *name != "title");
        fields.push(("title", "A stale change (test)"));
        let response = browser.submit(&edit, &edit, &fields).await;
        assert_eq!(response.status(), 409);
        let html = response.text().await.unwrap();
        assert!(html.contains("Someone else changed this decision") && html.contains("name=\"version\" value=\"2\""));
        assert_eq!(app.store.decision(pid, demo_id).await.unwrap().unwrap().title, "Family hubs, changed (test)");
        // Through another programme it is not found.
        let elsewhere = format!("/programmes/dementia/decisions/{demo_id}");
        assert_eq!(browser.get(&format!("{elsewhere}/edit")).await.status(), 404);
        assert_eq!(browser.submit(&edit, &format!("{elsewhere}/edit"), &fields).await.status(), 404);
        assert_eq!(browser.submit(&page, &format!("{elsewhere}/delete"), &[]).await.status(), 404);

        // Its outcomes were measured: the confirmation page refuses, and so does the delete.
        let delete = format!("{page}/delete");
        let html = browser.page(&delete).await;
        assert!(html.contains("This decision cannot be deleted") && !html.contains("Yes, delete"));
        assert_eq!(browser.submit(&delete, &delete, &[]).await.status(), 409);
        assert!(app.store.decision(pid, demo_id).await.unwrap().is_some());

        // A decision without measurements: confirmed, deleted, its proposition moved back, and the
        // published "You said, we did" page no longer lists it.
        let words = PropositionInput::parse("Toy library (test)", "Lend toys (test)", "").unwrap();
        let lent = app.store.create_proposition(pid, &words, None).await.unwrap();
        let input = DecisionInput::parse(&decision_fields("A toy library (test)", &[lent])).unwrap();
        let gone = app.store.record_decision(pid, &input, &[], None, None).await.unwrap();
        assert_eq!(status_of(&app, pid, lent).await, Commissioned);
        let public = format!("/you-said-we-did/{SLUG}");
        assert!(app.browser().page(&public).await.contains("A toy library (test)"));
        let delete = format!("/programmes/{SLUG}/decisions/{gone}/delete");
        let html = browser.page(&delete).await;
        assert!(html.contains("Are you sure you want to delete this decision?") && html.contains("govuk-warning-text"));
        let response = browser.submit(&delete, &delete, &[]).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), format!("/programmes/{SLUG}/decisions"));
        assert!(app.store.decision(pid, gone).await.unwrap().is_none());
        assert_eq!(status_of(&app, pid, lent).await, Draft);
        assert!(!app.browser().page(&public).await.contains("A toy library (test)"));
        assert_eq!(browser.get(&delete).await.status(), 404);

        // The API: a version is needed, a stale one is 409, a missing reason 422, then changed.
        let token = app.token(Role::Commissioner).await;
        let api = format!("/api/v1/programmes/{SLUG}/decisions/{demo_id}");
        let ids: Vec<i64> = now.propositions.iter().map(|p| p.id).collect();
        let mut body = json!({"title": "Family hubs, by the API (test)", "service_change": "Hubs (test).",
            "decided_by_kind": "board", "decided_by": "Board (test)", "decided_on": "2014-09-16",
            "rationale": "Why (test).", "propositions": ids});
        let put = reqwest::Method::PUT;
        let (status, response) = send_json(&app, put.clone(), &token, &api, Some(body.clone())).await;
        assert_eq!(status, 422);
        let named = fields_named(&response);
        assert!(named.contains(&"version".to_owned()) && named.contains(&reason_field), "{named:?}");
        body["version"] = json!(1);
        body["reasons"] = json!({ reason_field.clone(): "A reason (test)." });
        let (status, response) = send_json(&app, put.clone(), &token, &api, Some(body.clone())).await;
        assert_eq!((status, response["error"]["code"].as_str()), (409, Some("edit_conflict")));
        body["version"] = json!(2);
        let (status, response) = send_json(&app, put.clone(), &token, &api, Some(body.clone())).await;
        assert_eq!(status, 200, "{response}");
        assert_eq!(response["decision"]["version"], 3);
        assert_eq!(response["decision"]["title"], "Family hubs, by the API (test)");
        let elsewhere = format!("/api/v1/programmes/dementia/decisions/{demo_id}");
        assert_eq!(send_json(&app, put.clone(), &token, &elsewhere, Some(body.clone())).await.0, 404);
        let researcher = app.token(Role::Researcher).await;
        assert_eq!(send_json(&app, put, &researcher, &api, Some(body)).await.0, 403);

        // Deleting through the API: refused while measured (409), otherwise 204 and gone.
        let delete = reqwest::Method::DELETE;
        let (status, response) = send_json(&app, delete.clone(), &token, &api, None).await;
        assert_eq!((status, response["error"]["code"].as_str()), (409, Some("decision_measured")));
        let input = DecisionInput::parse(&decision_fields("Another toy library (test)", &[lent])).unwrap();
        let other = app.store.record_decision(pid, &input, &[], None, None).await.unwrap();
        let path = format!("/api/v1/programmes/{SLUG}/decisions/{other}");
        assert_eq!(send_json(&app, delete.clone(), &researcher, &path, None).await.0, 403);
        assert_eq!(
            send_json(&app, delete.clone(), &token, &format!("/api/v1/programmes/dementia/decisions/{other}"), None)
                .await
                .0,
            404
        );
        assert_eq!(send_json(&app, delete.clone(), &token, &path, None).await.0, 204);
        assert_eq!(get_json(&app, &token, &path).await.0, 404);
        assert_eq!(status_of(&app, pid, lent).await, Draft);
    }
}
