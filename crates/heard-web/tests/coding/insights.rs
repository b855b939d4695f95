//! Insights through the pages and the API: a researcher states one and attaches evidence; a
//! commissioner reads it without the quotes that not everyone heard consented to; bad input is
//! named by its field; only researchers change insights. And "who have we not heard".

use std::collections::BTreeMap;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::coding::codebook::{CodeInput, Stance};
use heard_domain::governance::{Email, Password, Role};
use heard_domain::voice::participants::{AgeBand, ConsentMethod, ConsentPurpose, ParticipantKind, Pseudonym};
use heard_domain::voice::sources::SourceKind;
use heard_store::{NewConsent, NewParticipant, NewSource, NewUser, Store};
use heard_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

/// Words of a carer who consents to anonymous quotation.
pub const QUOTABLE: &str = "We waited eleven weeks for respite. The respite was good.";
/// Words of a practitioner who does not: no commissioner may read them.
pub const WITHHELD: &str = "Respite beds are scarce on the ward (withheld test words).";

/// What the fixture made in the dementia programme.
pub struct Fixture {
    pub programme: i64,
    pub researcher: i64,
    pub second: i64,
    pub waiting: i64,
    pub respite: i64,
    pub story: i64,
    pub note: i64,
    /// The carer's excerpt (0..35), coded Waiting by both researchers' overlapping spans.
    pub quotable_excerpt: i64,
    /// The practitioner's excerpt, coded Respite and Waiting.
    pub withheld_excerpt: i64,
}

async fn participant(store: &Store, programme: i64, by: i64, name: &str, kind: ParticipantKind, quotable: bool) -> i64 {
    let new = NewParticipant {
        pseudonym: Pseudonym::parse("pseudonym", name).unwrap(),
        kind,
        age_band: Some(AgeBand::From50To64),
        area: Some("Riverside (test)".into()),
        contact_details: None,
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

pub fn source(words: &str, participant: Option<i64>) -> NewSource {
    NewSource {
        kind: SourceKind::Story,
        title: None,
        text: Screened::new(&Redactor::new(), words.to_owned()),
        collected_on: time::Date::from_calendar_date(2024, time::Month::May, 1).ok(),
        activity_id: None,
        participant_ids: participant.into_iter().collect(),
        attributes: BTreeMap::new(),
        media: None,
        cue_timings: None,
    }
}

pub fn code(name: &str) -> CodeInput {
    CodeInput { name: name.into(), description: None, colour: None, parent_id: None }
}

/// A second researcher, two participants (one consenting to quotation, one not), a source from
/// each, two codes, and codings by both researchers on the carer's story.
pub async fn fixture(app: &TestApp) -> Fixture {
    let store = &app.store;
    let researcher = app.demo_user(Role::Researcher).await.id;
    let second = NewUser {
        email: Email::parse("email", "second.coder@test.example").unwrap(),
        display_name: "Second Coder (test)".into(),
        role: Role::Researcher,
        password_hash: Password::new("password", "a long enough password").unwrap().hash(),
    };
    let second = store.create_user(&second).await.unwrap().id;
    let programme = store.programme("dementia").await.unwrap().unwrap().id;
    let carer = participant(store, programme, researcher, "Quoted Carer (test)", ParticipantKind::Carer, true).await;
    let worker =
        participant(store, programme, researcher, "Unquoted Worker (test)", ParticipantKind::Practitioner, false).await;
    let story = store.add_source(programme, &source(QUOTABLE, Some(carer)), Some(researcher)).await.unwrap().id;
    let note = store.add_source(programme, &source(WITHHELD, Some(worker)), Some(researcher)).await.unwrap().id;
    let waiting = store.add_code(Some(programme), &code("Waiting (test)"), researcher).await.unwrap();
    let respite = store.add_code(Some(programme), &code("Respite (test)"), researcher).await.unwrap();
    let quotable_excerpt = store.code_span(programme, story, (0, 35), &[waiting], researcher).await.unwrap();
    store.code_span(programme, story, (0, 20), &[waiting], second).await.unwrap();
    let withheld_excerpt = store.code_span(programme, note, (0, 57), &[respite, waiting], researcher).await.unwrap();
    // The second researcher codes the note as well, so both sources are compared.
    store.code_span(programme, note, (0, 57), &[respite], second).await.unwrap();
    Fixture { programme, researcher, second, waiting, respite, story, note, quotable_excerpt, withheld_excerpt }
}

async fn api(app: &TestApp, role: Role, path: &str) -> (u16, Value) {
    let token = app.token(role).await;
    let response = app.api_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_researcher_states_an_insight_attaches_evidence_and_a_commissioner_reads_what_consent_allows() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;
    let list = "/programmes/dementia/insights";
    let page = researcher.page(list).await;
    assert!(page.contains("No insights stated yet") && page.contains("State an insight"));

    // A blank statement is refused beside its field.
    let blank = researcher.submit(list, list, &[("statement", "  ")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let blank = blank.text().await.unwrap();
    assert!(blank.contains("govuk-error-summary") && blank.contains("id=\"statement-error\""), "{blank}");
    assert!(blank.contains("Enter the insight in a sentence"), "{blank}");

    let added = researcher.submit(list, list, &[("statement", "Carers wait too long for respite (test).")]).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let page = researcher.page(list).await;
    assert!(page.contains("Insight added") && page.contains("Carers wait too long for respite (test)."));
    let id = app.store.insights(f.programme).await.unwrap()[0].id;
    let one = format!("/programmes/dementia/insights/{id}");
    let evidence = format!("{one}/evidence");

    // Choosing a code lists its excerpts, each with a form to add it.
    let candidates = researcher.page(&format!("{one}?code={}", f.respite)).await;
    assert!(candidates.contains("withheld test words") && candidates.contains("Add to insight"), "{candidates}");
    assert!(candidates.contains("name=\"stance\" type=\"radio\" value=\"contradicts\""));

    // Attach: supporting from the carer, against from the practitioner.
    let quotable = f.quotable_excerpt.to_string();
    let withheld = f.withheld_excerpt.to_string();
    let done = researcher.submit(&one, &evidence, &[("excerpt", &quotable), ("stance", "supports")]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], one.as_str());
    let done = researcher.submit(&one, &evidence, &[("excerpt", &withheld), ("stance", "contradicts")]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);

    let page = researcher.page(&one).await;
    assert!(page.contains("evidence that cuts against the insight"), "the flash names the stance");
    assert!(page.contains("Supporting evidence") && page.contains("Evidence that cuts against it"));
    assert!(page.contains("We waited eleven weeks for respite.") && page.contains("withheld test words"));
    assert!(page.contains("Quoted Carer (test)") && page.contains("Unquoted Worker (test)"));
    assert!(!page.contains("Quote withheld"), "a researcher reads every quote");
    assert!(page.contains(&format!("/programmes/dementia/sources/{}", f.story)));

    // The code filter on the insight page lists a code's excerpts not yet attached.
    let with_code = researcher.page(&format!("{one}?code={}", f.respite)).await;
    assert!(with_code.contains("No excerpts with that code that are not on this insight already"));

    let commissioner = app.signed_in(Role::Commissioner).await;
    let page = commissioner.page(&one).await;
    assert!(page.contains("We waited eleven weeks for respite."), "the carer consented to quotation");
    assert!(!page.contains("withheld test words"), "the practitioner did not");
    assert!(page.contains("Quote withheld: not everyone heard consented to anonymous quotation"));
    assert!(page.contains(&format!("/programmes/dementia/sources/{}", f.note)), "the source is still named");
    assert!(!page.contains("Add evidence") && !page.contains("Change the statement"));
    let list_page = commissioner.page(list).await;
    assert!(list_page.contains("Carers wait too long for respite (test).") && !list_page.contains("State an insight"));

    // The API applies the same rule.
    let path = format!("/api/v1/programmes/dementia/insights/{id}");
    let (status, body) = api(&app, Role::Commissioner, &path).await;
    assert_eq!(status, 200, "{body}");
    let quotes: Vec<&Value> = body["evidence"].as_array().unwrap().iter().map(|e| &e["quote"]).collect();
    assert!(quotes.contains(&&Value::Null) && !body.to_string().contains("withheld test words"), "{body}");
    assert_eq!(body["breadth"]["participants"], 1);
    let (status, body) = api(&app, Role::Researcher, &path).await;
    assert_eq!(status, 200);
    assert!(body.to_string().contains("withheld test words"));
    let (status, body) = api(&app, Role::Commissioner, "/api/v1/programmes/dementia/insights").await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["supporting"], 1);
    assert_eq!(body[0]["contradicting"], 1);
    let (status, _) = api(&app, Role::Viewer, &path).await;
    assert_eq!(status, 403);
    let (status, _) = api(&app, Role::Commissioner, "/api/v1/programmes/dementia/insights/999999").await;
    assert_eq!(status, 404);

    // Remove one; change the statement.
    let removed = researcher.submit(&one, &format!("{evidence}/remove"), &[("excerpt", &withheld)]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let page = researcher.page(&one).await;
    assert!(page.contains("Evidence removed") && !page.contains("withheld test words"));
    let changed = researcher.submit(&one, &one, &[("statement", "Carers give up asking for respite (test).")]).await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert!(researcher.page(&one).await.contains("Carers give up asking for respite (test)."));
    let blank = researcher.submit(&one, &one, &[("statement", "")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text().await.unwrap().contains("Enter the insight in a sentence"));
}

#[tokio::test]
async fn evidence_from_another_programme_or_without_a_stance_is_refused_and_only_researchers_post() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let elsewhere = app.store.programme("mental-health").await.unwrap().unwrap().id;
    let source = app.store.add_source(elsewhere, &source("Another programme's words.", None), None).await.unwrap();
    let other_code = app.store.add_code(Some(elsewhere), &code("Elsewhere (test)"), f.researcher).await.unwrap();
    let foreign = app.store.code_span(elsewhere, source.id, (0, 7), &[other_code], f.researcher).await.unwrap();
    let insight = app.store.add_insight(f.programme, "Respite is scarce (test).", f.researcher).await.unwrap();
    let one = format!("/programmes/dementia/insights/{insight}");
    let evidence = format!("{one}/evidence");

    let researcher = app.signed_in(Role::Researcher).await;
    let refused =
        researcher.submit(&one, &evidence, &[("excerpt", &foreign.to_string()), ("stance", "supports")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Choose an excerpt of this programme") && page.contains("href=\"#excerpt\""), "{page}");
    let no_stance = researcher.submit(&one, &evidence, &[("excerpt", &f.quotable_excerpt.to_string())]).await;
    assert_eq!(no_stance.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_stance.text().await.unwrap().contains("supports the insight or cuts against it"));
    let junk = researcher.submit(&one, &evidence, &[("excerpt", "abc"), ("stance", "supports")]).await;
    assert_eq!(junk.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.insight(f.programme, insight).await.unwrap().unwrap().evidence.is_empty(), "nothing attached");

    // A commissioner and a facilitator read insights but cannot change them.
    for role in [Role::Commissioner, Role::Facilitator] {
        let browser = app.signed_in(role).await;
        let token = browser.csrf_token(&one).await;
        let fields = [("excerpt", f.quotable_excerpt.to_string()), ("stance", "supports".to_owned())];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(browser.post(&evidence, &token, &fields).await.status(), StatusCode::FORBIDDEN, "{role:?}");
        let statement = [("statement", "Not allowed (test).")];
        assert_eq!(browser.post("/programmes/dementia/insights", &token, &statement).await.status(), 403);
        assert_eq!(browser.post(&one, &token, &statement).await.status(), 403);
    }
    assert_eq!(app.signed_in(Role::Viewer).await.get(&one).await.status(), 403);
    assert!(app.store.insight(f.programme, insight).await.unwrap().unwrap().evidence.is_empty());
    assert_eq!(app.store.insights(f.programme).await.unwrap().len(), 1);

    // An insight of another programme is not found through this one.
    let theirs = app.store.add_insight(elsewhere, "Elsewhere (test).", f.researcher).await.unwrap();
    let missing = researcher.get(&format!("/programmes/dementia/insights/{theirs}")).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn gaps_show_who_is_thin_in_the_evidence() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let insight = app.store.add_insight(f.programme, "Waiting is long (test).", f.researcher).await.unwrap();
    app.store.attach_evidence(f.programme, insight, f.quotable_excerpt, Stance::Supports, f.researcher).await.unwrap();
    let page = app.signed_in(Role::Commissioner).await.page("/programmes/dementia/gaps").await;
    assert!(page.contains("Who have we not heard") && page.contains("a fifth of its share"));
    let row = |label: &str| {
        let at = page.find(&format!("<th scope=\"row\" class=\"govuk-table__header\">{label}</th>")).expect(label);
        let end = page[at..].find("</tr>").unwrap();
        let cells: Vec<String> = page[at..at + end]
            .split("<td")
            .skip(1)
            .map(|cell| {
                let text = &cell[cell.find('>').unwrap() + 1..];
                let text: String = text
                    .split('<')
                    .enumerate()
                    .map(|(i, part)| if i == 0 { part } else { part.split_once('>').map_or("", |p| p.1) })
                    .collect();
                text.trim().to_owned()
            })
            .collect();
        cells
    };
    // Registered, heard, coded, in insights, tag.
    assert_eq!(row("Carer"), ["1", "1", "1", "1", "Heard"]);
    assert_eq!(row("Practitioner"), ["1", "1", "1", "0", "Heard"]);
    assert_eq!(row("Young person"), ["0", "0", "0", "0", "Thin"]);
    assert_eq!(row("Riverside (test)"), ["2", "2", "2", "1", "Heard"]);
}
