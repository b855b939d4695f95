//! Participants and consent as people and programs meet them: a researcher registers a participant
//! and records consent given and withdrawn, through the pages and the API; contact details never
//! reach a role that may not see them; bad input names its field.

use heard_domain::governance::Role;
use heard_testkit::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Contact details no page or answer may show to anyone but researchers and administrators.
const CONTACT: &str = "(test) reach via the synthetic carers' network 01632 960 999";

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.api_client().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON") })
}

fn fields(body: &Value) -> Vec<&str> {
    body["error"]["fields"]
        .as_array()
        .map(|f| f.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

/// Registers a participant with contact details through the API as a researcher; returns its id.
async fn register(app: &TestApp, slug: &str, pseudonym: &str) -> i64 {
    let token = app.token(Role::Researcher).await;
    let (status, body) = call(
        app,
        Method::POST,
        &format!("/api/v1/programmes/{slug}/participants"),
        &token,
        Some(json!({"pseudonym": pseudonym, "kind": "carer", "age_band": "50_64", "contact_details": CONTACT})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["contact_details"], CONTACT, "the researcher who registered them sees them");
    body["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_researcher_registers_a_participant_and_records_consent_then_its_withdrawal() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let list = browser.page("/programmes/dementia/participants").await;
    assert!(list.contains("No participants registered yet") && list.contains("Register a participant"));

    let form = "/programmes/dementia/participants/new";
    let saved = browser
        .submit(
            form,
            form,
            &[
                ("pseudonym", "Carer K (test)"),
                ("kind", "carer"),
                ("age_band", "65_79"),
                ("area", "Moorside (test)"),
                ("contact_details", CONTACT),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().expect("ascii").to_owned();
    assert!(!location.contains("01632"), "contact details stay out of URLs");
    let page = browser.page(&location).await;
    assert!(page.contains("Participant registered") && page.contains("Carer K (test)") && page.contains("65 to 79"));
    assert!(page.contains("01632 960 999"), "a researcher sees the contact details");
    assert!(page.contains("No consent recorded yet"));

    let consents = format!("{location}/consents");
    let given = browser
        .submit(
            &location,
            &consents,
            &[
                ("purpose", "anonymous_quotation"),
                ("given_on.day", "27"),
                ("given_on.month", "1"),
                ("given_on.year", "2015"),
                ("how", "written"),
                ("note", "Form in the project file"),
            ],
        )
        .await;
    assert_eq!(given.status(), StatusCode::SEE_OTHER);
    let page = browser.page(&location).await;
    assert!(page.contains("Consent recorded: Be quoted anonymously") && page.contains("27 January 2015"));
    let list = browser.page("/programmes/dementia/participants").await;
    assert!(list.contains("Carer K (test)") && list.contains("Be quoted anonymously"));
    assert!(!list.contains("01632"), "the list never shows contact details");

    let withdraw = format!("{location}/consents/anonymous_quotation/withdraw");
    let confirm = browser.page(&withdraw).await;
    assert!(confirm.contains("Withdraw consent to “be quoted anonymously”?"));
    let withdrawn = browser
        .submit(
            &withdraw,
            &withdraw,
            &[("withdrawn_on.day", "3"), ("withdrawn_on.month", "2"), ("withdrawn_on.year", "2015")],
        )
        .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let page = browser.page(&location).await;
    assert!(page.contains("Consent withdrawn") && page.contains("Withdrawn 3 February 2015"), "{page}");
    assert!(page.contains("27 January 2015"), "the history keeps the consent that was withdrawn");
    assert_eq!(browser.get(&withdraw).await.status(), StatusCode::NOT_FOUND, "nothing current to withdraw");

    let audit: Vec<_> = app.store.audit_events(20).await.expect("store").into_iter().map(|e| e.action).collect();
    for action in ["consent.given", "consent.withdrawn", "participant.contact_viewed"] {
        assert!(audit.iter().any(|a| a == action), "{action} is audited: {audit:?}");
    }
    let subjects = app.store.audit_events(20).await.expect("store");
    assert!(subjects.iter().all(|e| !e.subject.contains("01632") && !e.subject.contains("Carer K")));
}

#[tokio::test]
async fn contact_details_never_reach_commissioners_or_facilitators() {
    let app = TestApp::spawn().await;
    let id = register(&app, "early-years", "Carer L (test)").await;
    let page = format!("/programmes/early-years/participants/{id}");
    let api = format!("/api/v1/programmes/early-years/participants/{id}");

    for role in [Role::Commissioner, Role::Facilitator] {
        let browser = app.signed_in(role).await;
        for path in [page.as_str(), "/programmes/early-years/participants", "/participants"] {
            let html = browser.page(path).await;
            assert!(!html.contains("01632") && !html.contains("Contact details"), "{role:?} {path}");
        }
        assert!(browser.page(&page).await.contains("Carer L (test)"), "{role:?} sees the pseudonym");
        assert_eq!(browser.get(&format!("{page}/edit")).await.status(), StatusCode::FORBIDDEN);

        let token = app.token(role).await;
        for path in [api.as_str(), "/api/v1/programmes/early-years/participants"] {
            let (status, body) = call(&app, Method::GET, path, &token, None).await;
            assert_eq!(status, 200, "{role:?} {path}");
            let text = body.to_string();
            assert!(!text.contains("01632") && !text.contains("contact_details"), "{role:?} {path}: {text}");
        }
        let (status, _) = call(&app, Method::PATCH, &api, &token, Some(json!({"contact_details": "x"}))).await;
        assert_eq!(status, 403);
    }

    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&page).await.status(), StatusCode::FORBIDDEN);
    assert!(!viewer.page("/programmes/early-years").await.contains("/participants"), "no link a viewer cannot follow");
    let (status, _) = call(&app, Method::GET, &api, &app.token(Role::Viewer).await, None).await;
    assert_eq!(status, 403);

    // A researcher's list leaves them out too; one participant carries them, and that read is audited.
    let researcher = app.token(Role::Researcher).await;
    let (_, list) = call(&app, Method::GET, "/api/v1/programmes/early-years/participants", &researcher, None).await;
    assert!(!list.to_string().contains("01632"));
    let before = app.store.audit_events(100).await.expect("store").len();
    let (_, one) = call(&app, Method::GET, &api, &researcher, None).await;
    assert_eq!(one["contact_details"], CONTACT);
    // Besides the token's use, exactly one entry: the contact details seen.
    let events = app.store.audit_events(100).await.expect("store");
    let new: Vec<_> = events[..events.len() - before]
        .iter()
        .filter(|e| !e.action.starts_with("api_token."))
        .map(|e| (e.action.as_str(), e.subject.clone()))
        .collect();
    assert_eq!(new, [("participant.contact_viewed", format!("participant {id}"))]);
}

#[tokio::test]
async fn bad_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let form = "/programmes/early-years/participants/new";
    let refused = browser.submit(form, form, &[("pseudonym", " "), ("area", "Moorside"), ("age_band", "nine")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.expect("body");
    for field in ["#pseudonym", "#kind", "#age_band"] {
        assert!(html.contains(&format!("href=\"{field}\"")), "{field} is named");
    }
    assert!(html.contains("Enter a pseudonym") && html.contains("value=\"Moorside\""), "what was typed is kept");
    assert_eq!(html.matches("<h1").count(), 1);

    let taken = browser.submit(form, form, &[("pseudonym", "parent a (DEMO)"), ("kind", "parent")]).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.text().await.expect("body").contains("already a participant with that pseudonym"));

    let programme = app.store.programme("early-years").await.expect("store").expect("demo");
    let someone = &app.store.participants(programme.id).await.expect("store")[0];
    let page = format!("/programmes/early-years/participants/{}", someone.id);
    let bad_consent = browser
        .submit(
            &page,
            &format!("{page}/consents"),
            &[("given_on.day", "31"), ("given_on.month", "2"), ("given_on.year", "2014")],
        )
        .await;
    assert_eq!(bad_consent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad_consent.text().await.expect("body");
    assert!(
        html.contains("href=\"#purpose\"") && html.contains("href=\"#given_on\"") && html.contains("href=\"#how\"")
    );
    assert!(html.contains("must be a real date"));

    let token = app.token(Role::Researcher).await;
    let list = "/api/v1/programmes/early-years/participants";
    let (status, body) = call(&app, Method::POST, list, &token, Some(json!({"pseudonym": "", "kind": "parent"}))).await;
    assert_eq!((status, fields(&body)), (422, vec!["pseudonym"]));
    let (status, body) =
        call(&app, Method::POST, list, &token, Some(json!({"pseudonym": "Parent A (demo)", "kind": "parent"}))).await;
    assert_eq!((status, body["error"]["code"].as_str(), fields(&body)), (409, Some("conflict"), vec!["pseudonym"]));
    let (status, body) = call(&app, Method::POST, list, &token, Some(json!({"pseudonym": "X", "kind": "alien"}))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_request")), "an unknown kind is refused");
    let consents = format!("{list}/{}/consents", someone.id);
    let (status, body) = call(
        &app,
        Method::POST,
        &consents,
        &token,
        Some(json!({"purpose": "research", "given_on": "2099-01-01", "how": "verbal"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(fields(&body) == ["purpose"] || fields(&body) == ["given_on"], "{body}");
}

#[tokio::test]
async fn the_api_registers_edits_and_records_consent() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Researcher).await;
    let id = register(&app, "mental-health", "Service user M (test)").await;
    let one = format!("/api/v1/programmes/mental-health/participants/{id}");

    let (status, body) = call(
        &app,
        Method::POST,
        &format!("{one}/consents"),
        &token,
        Some(json!({"purpose": "filming", "given_on": "2015-02-17", "how": "online_form", "note": "Online form"})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["current_consents"], json!(["filming"]));
    assert_eq!(body["consents"][0]["how"], "online_form");
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{one}/consents"),
        &token,
        Some(json!({"purpose": "filming", "given_on": "2015-02-18", "how": "verbal"})),
    )
    .await;
    assert_eq!(status, 422, "already current: withdraw first");

    let withdraw = format!("{one}/consents/filming/withdraw");
    let (status, body) = call(&app, Method::POST, &withdraw, &token, Some(json!({"withdrawn_on": "2015-02-01"}))).await;
    assert_eq!((status, fields(&body)), (422, vec!["withdrawn_on"]), "not before it was given");
    let (status, body) = call(&app, Method::POST, &withdraw, &token, Some(json!({"withdrawn_on": "2015-03-01"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["current_consents"], json!([]));
    assert_eq!(body["consents"][0]["withdrawn_on"], "2015-03-01");
    let (status, _) = call(&app, Method::POST, &withdraw, &token, Some(json!({"withdrawn_on": "2015-03-02"}))).await;
    assert_eq!(status, 404, "no current consent");
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("{one}/consents/nonsense/withdraw"),
        &token,
        Some(json!({"withdrawn_on": "2015-03-02"})),
    )
    .await;
    assert_eq!(status, 404);

    let (status, body) = call(
        &app,
        Method::PATCH,
        &one,
        &token,
        Some(json!({"pseudonym": "Service user N (test)", "age_band": null, "contact_details": null})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["pseudonym"].as_str(), body["kind"].as_str()), (Some("Service user N (test)"), Some("carer")));
    assert!(body["age_band"].is_null() && body.get("contact_details").is_none(), "{body}");

    let (status, list) = call(&app, Method::GET, "/api/v1/programmes/mental-health/participants", &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let (status, _) =
        call(&app, Method::GET, "/api/v1/programmes/mental-health/participants/999999", &token, None).await;
    assert_eq!(status, 404);
    let elsewhere = format!("/api/v1/programmes/early-years/participants/{id}");
    let (status, _) = call(&app, Method::GET, &elsewhere, &token, None).await;
    assert_eq!(status, 404, "a participant belongs to one programme");
}

// Sources: screened on arrival, read redacted by everyone, original only by researchers where
// consent allows, reviewed, and searched.

/// Words only the original text holds once it is screened.
const PHONE: &str = "07700 900777";

#[tokio::test]
async fn a_researcher_adds_a_source_reviews_its_redaction_and_everyone_else_reads_it_redacted() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let form = "/programmes/dementia/sources/new";
    // The form offers the programme's activities and participants (a `set` inside a template loop
    // once lost them, leaving both lists empty).
    let programme = app.store.programme("early-years").await.expect("store").expect("demo");
    let (activities, participants) = (
        app.store.activities(programme.id).await.expect("activities"),
        app.store.participants(programme.id).await.expect("participants"),
    );
    assert!(!activities.is_empty() && !participants.is_empty(), "the demo's Early Years programme has both");
    let blank = researcher.page("/programmes/early-years/sources/new").await;
    for activity in &activities {
        assert!(blank.contains(&format!("<option value=\"{}\"", activity.id)), "activity {} is offered", activity.id);
    }
    for participant in &participants {
        assert!(blank.contains(&format!("value=\"{}\"", participant.id)), "participant {} is offered", participant.id);
        assert!(blank.contains(participant.pseudonym.as_str()), "participant {} is named", participant.id);
    }
    let text = format!("My husband forgets the way home. Ring me on {PHONE}. The memory cafe at Brookside saved us.");
    let saved = researcher
        .submit(
            form,
            form,
            &[
                ("kind", "story"),
                ("title", ""),
                ("collected_on.day", "2"),
                ("collected_on.month", "6"),
                ("collected_on.year", "2014"),
                ("text", &text),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().expect("ascii").to_owned();
    let page = researcher.page(&location).await;
    assert!(page.contains("1 piece of personal data was hidden"), "{page}");
    assert!(page.contains("Story of 2 June 2014") && page.contains("Ring me on [PHONE-1]"));
    assert!(!page.contains(PHONE), "the source page shows the redacted text");
    assert!(page.contains("Read the original and review what was hidden"));

    let original = researcher.page(&format!("{location}/original")).await;
    assert!(original.contains(PHONE) && original.contains("Your viewing it has been recorded"));
    let (_, id) = location.rsplit_once('/').expect("an id");

    // Hide what the detector missed, then show the phone number again, and hide it once more.
    let hidden = researcher
        .submit(
            &format!("{location}/original"),
            &format!("{location}/hide"),
            &[("words", "Brookside"), ("kind", "ADDRESS")],
        )
        .await;
    assert_eq!(hidden.status(), StatusCode::SEE_OTHER);
    let missing = researcher
        .submit(
            &format!("{location}/original"),
            &format!("{location}/hide"),
            &[("words", "Nowhere Street"), ("kind", "ADDRESS")],
        )
        .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text().await.expect("a page").contains("Those words do not appear in the text"));
    let page = researcher.page(&location).await;
    assert!(page.contains("memory cafe at [ADDRESS-1] saved us"), "{page}");
    let review = |decision: &'static str| {
        let researcher = &researcher;
        let location = &location;
        async move {
            let phone_start = text_chars_before("My husband forgets the way home. Ring me on ");
            let fields = [
                ("start", phone_start.to_string()),
                ("end", (phone_start + PHONE.chars().count()).to_string()),
                ("kind", "PHONE".to_owned()),
                ("decision", decision.to_owned()),
            ];
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            researcher.submit(&format!("{location}/original"), &format!("{location}/review"), &fields).await
        }
    };
    assert_eq!(review("removed").await.status(), StatusCode::SEE_OTHER);
    assert!(researcher.page(&location).await.contains(PHONE), "a removed span is shown to everyone");
    assert_eq!(review("confirmed").await.status(), StatusCode::SEE_OTHER);
    assert!(!researcher.page(&location).await.contains(PHONE));
    let bogus = researcher
        .submit(
            &format!("{location}/original"),
            &format!("{location}/review"),
            &[("start", "0"), ("end", "2"), ("kind", "PERSON"), ("decision", "removed")],
        )
        .await;
    assert_eq!(bogus.status(), StatusCode::BAD_REQUEST, "a span the detector did not find cannot be removed");

    // A commissioner reads the redacted text only, and their search never matches hidden words.
    let commissioner = app.signed_in(Role::Commissioner).await;
    let page = commissioner.page(&location).await;
    assert!(page.contains("[PHONE-1]") && !page.contains(PHONE) && !page.contains("Read the original"));
    assert_eq!(commissioner.get(&format!("{location}/original")).await.status(), StatusCode::FORBIDDEN);
    let found = search_page(&commissioner, "memory cafe").await;
    assert!(found.contains("1 source found") && found.contains("<mark>memory</mark>"), "{found}");
    assert!(found.contains(&format!("/programmes/dementia/sources/{id}")));
    assert!(search_page(&commissioner, "900777").await.contains("0 sources found"), "hidden words are not found");
    assert!(search_page(&commissioner, "Brookside").await.contains("0 sources found"));
    let bad = commissioner.submit("/search", "/search", &[("q", "memory"), ("activity", "x"), ("to.day", "1")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = bad.text().await.expect("a page");
    assert!(bad.contains("Choose an activity") && bad.contains("href=\"#to\""), "{bad}");
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&location).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(viewer.get("/search").await.status(), StatusCode::FORBIDDEN);

    // Every look at the original is audited, by source id only.
    let events = app.store.audit_events(20).await.expect("audit events");
    assert!(events.iter().any(|e| e.action == "source.original_viewed" && e.subject == format!("source {id}")));
    assert!(events.iter().all(|e| !e.subject.contains("07700")));
}

async fn search_page(browser: &heard_testkit::Browser, q: &str) -> String {
    browser.submit("/search", "/search", &[("q", q), ("programme", "")]).await.text().await.expect("a page")
}

fn text_chars_before(prefix: &str) -> usize {
    prefix.chars().count()
}

#[tokio::test]
async fn bad_source_input_is_named_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let form = "/programmes/dementia/sources/new";
    let long = "a".repeat(100_001);
    for (fields, field_message) in [
        (vec![("kind", "story"), ("text", "  ")], "Enter the text of the source"),
        (vec![("kind", "film"), ("text", "words")], "Add a film with its recording"),
        (vec![("kind", "nonsense"), ("text", "words")], "Select the kind of source"),
        (
            vec![
                ("kind", "story"),
                ("text", "words"),
                ("collected_on.day", "31"),
                ("collected_on.month", "2"),
                ("collected_on.year", "2014"),
            ],
            "real date",
        ),
        (vec![("kind", "story"), ("text", long.as_str())], "100000 characters or fewer"),
    ] {
        let response = researcher.submit(form, form, &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field_message}");
        let page = response.text().await.expect("a page");
        assert!(page.contains("govuk-error-summary") && page.contains(field_message), "{field_message}: {page}");
    }
    let list = researcher.page("/programmes/dementia/sources").await;
    assert!(list.contains("No sources yet"), "nothing half-saved");
}

#[tokio::test]
async fn the_api_gives_original_text_only_to_researchers_where_consent_allows() {
    let app = TestApp::spawn().await;
    let researcher = app.token(Role::Researcher).await;
    let commissioner = app.token(Role::Commissioner).await;
    let viewer = app.token(Role::Viewer).await;
    let participant = register(&app, "dementia", "Carer M (test)").await;
    let text = format!("Ring Carer M (test) on {PHONE} about the sitting service.");
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/programmes/dementia/sources",
        &researcher,
        Some(json!({"kind": "interview_transcript", "text": text, "participant_ids": [participant],
                    "collected_on": "2014-07-01", "attributes": {"ward": "Moorside"}})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["redacted_text"], "Ring [NAME-1] on [PHONE-1] about the sitting service.");
    assert!(body.get("original_text").is_none());
    let id = body["id"].as_i64().expect("an id");
    let one = format!("/api/v1/programmes/dementia/sources/{id}");

    // No consent to research yet: nobody reads the original.
    let (status, body) = call(&app, Method::GET, &one, &researcher, None).await;
    assert_eq!(status, 200);
    assert!(body.get("original_text").is_none(), "no research consent, no original: {body}");
    let (status, _) = call(
        &app,
        Method::POST,
        &format!("/api/v1/programmes/dementia/participants/{participant}/consents"),
        &researcher,
        Some(json!({"purpose": "research", "given_on": "2014-07-01", "how": "written"})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, body) = call(&app, Method::GET, &one, &researcher, None).await;
    assert_eq!(body["original_text"], text.as_str());
    let (status, body) = call(&app, Method::GET, &one, &commissioner, None).await;
    assert_eq!(status, 200);
    assert!(body.get("original_text").is_none() && !body.to_string().contains("900777"));
    assert_eq!(call(&app, Method::GET, &one, &viewer, None).await.0, 403);

    let (status, body) =
        call(&app, Method::GET, "/api/v1/programmes/dementia/sources?kind=interview_transcript", &commissioner, None)
            .await;
    assert_eq!((status, body["total"].as_i64()), (200, Some(1)), "{body}");
    let (status, body) =
        call(&app, Method::GET, "/api/v1/programmes/dementia/sources?kind=bogus", &commissioner, None).await;
    assert_eq!(status, 400, "{body}");

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/search",
        &commissioner,
        Some(json!({"q": "sitting", "programme": "dementia", "attribute": "ward", "value": "Moorside"})),
    )
    .await;
    assert_eq!((status, body["total"].as_i64()), (200, Some(1)), "{body}");
    assert!(body["hits"][0]["snippet"].as_str().expect("a snippet").contains("\u{E001}sitting\u{E002}"));
    let (_, body) = call(&app, Method::POST, "/api/v1/search", &commissioner, Some(json!({"q": "900777"}))).await;
    assert_eq!(body["total"].as_i64(), Some(0), "hidden words are not found");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/search", &commissioner, Some(json!({"q": "  ", "from": "2014-13-01"}))).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["q", "from"]);
    let (status, _) =
        call(&app, Method::POST, "/api/v1/search", &commissioner, Some(json!({"q": "x", "programme": "nope"}))).await;
    assert_eq!(status, 404);

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/programmes/dementia/sources",
        &researcher,
        Some(json!({"kind": "film", "text": "", "participant_ids": [999999]})),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["kind", "text"]);
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/programmes/dementia/sources",
        &researcher,
        Some(json!({"kind": "story", "text": "words", "participant_ids": [999999]})),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, vec!["participants"]));
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/programmes/dementia/sources",
            &commissioner,
            Some(json!({"kind": "story", "text": "words"}))
        )
        .await
        .0,
        403
    );
}
