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
    let events = app.store.audit_events(100).await.expect("store");
    assert_eq!(events.len(), before + 1);
    assert_eq!(
        (events[0].action.as_str(), events[0].subject.clone()),
        ("participant.contact_viewed", format!("participant {id}"))
    );
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
