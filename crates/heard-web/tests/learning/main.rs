//! The learning log and the story of transformation through the real router: who may read and
//! write, a reflection written with the form (errors by field, 422, nothing saved), filtered by
//! kind, on the story in date order among the stages and activities, changed and deleted only by
//! its writer; the API on both backends.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::governance::Role;
use heard_store::learning::ReflectionFilter;
use heard_testkit::TestApp;
use serde_json::{Value, json};

const SLUG: &str = "dementia";

fn log() -> String {
    format!("/programmes/{SLUG}/reflections")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.api_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn send(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let response = app.api_client().request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn count(app: &TestApp) -> usize {
    let programme = app.store.programme(SLUG).await.unwrap().unwrap();
    app.store.reflections(programme.id, ReflectionFilter::default()).await.unwrap().len()
}

#[tokio::test]
async fn every_role_meets_the_pages_it_may() {
    let app = TestApp::spawn().await;
    for role in [Role::Administrator, Role::Commissioner, Role::Researcher, Role::Facilitator] {
        let browser = app.signed_in(role).await;
        assert_eq!(browser.get(&log()).await.status(), 200, "{role:?}");
        assert_eq!(browser.get(&format!("/programmes/{SLUG}/story")).await.status(), 200, "{role:?}");
    }
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&log()).await.status(), 403);
    assert_eq!(viewer.get(&format!("/programmes/{SLUG}/story")).await.status(), 403);
    let administrator = app.signed_in(Role::Administrator).await;
    let form = [
        ("kind", "up"),
        ("text", "x"),
        ("written_on.day", "1"),
        ("written_on.month", "1"),
        ("written_on.year", "2015"),
    ];
    assert_eq!(administrator.submit(&log(), &log(), &form).await.status(), 403, "administrators follow the log");
    assert!(!administrator.page(&log()).await.contains("Write a reflection"));
    assert_eq!(app.browser().get(&log()).await.status(), 303, "anonymous visitors sign in first");
    assert_eq!(app.signed_in(Role::Researcher).await.get("/programmes/nowhere/story").await.status(), 404);
}

#[tokio::test]
async fn a_reflection_is_written_filtered_on_the_story_changed_and_deleted_by_its_writer() {
    let app = TestApp::spawn().await;
    let facilitator = app.signed_in(Role::Facilitator).await;
    let programme = app.store.programme(SLUG).await.unwrap().unwrap();
    let stage = app.store.stages(programme.id).await.unwrap().remove(0);
    let activity = app.store.activities(programme.id).await.unwrap().remove(0);
    let before = count(&app).await;

    // Every error named beside its field, nothing saved.
    let bad = [
        ("kind", "meh"),
        ("text", "  "),
        ("written_on.day", "31"),
        ("written_on.month", "2"),
        ("written_on.year", "2015"),
        ("stage", "not a number"),
    ];
    let response = facilitator.submit(&log(), &log(), &bad).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    for field in ["#kind", "#text", "#written_on", "#stage"] {
        assert!(page.contains(&format!("href=\"{field}\"")), "the error summary links {field}");
    }
    let future = [
        ("kind", "up"),
        ("text", "Later (test)"),
        ("written_on.day", "1"),
        ("written_on.month", "1"),
        ("written_on.year", "2199"),
    ];
    assert_eq!(facilitator.submit(&log(), &log(), &future).await.status(), 422, "not in the future");
    let other = app.store.programme("early-years").await.unwrap().unwrap();
    let foreign = app.store.stages(other.id).await.unwrap().remove(0).id.to_string();
    let wrong_stage = [
        ("kind", "up"),
        ("text", "Elsewhere (test)"),
        ("written_on.day", "1"),
        ("written_on.month", "2"),
        ("written_on.year", "2015"),
        ("stage", foreign.as_str()),
    ];
    let response = facilitator.submit(&log(), &log(), &wrong_stage).await;
    assert_eq!(response.status(), 422, "another programme's stage");
    assert!(response.text().await.unwrap().contains("href=\"#stage\""));
    assert_eq!(count(&app).await, before, "nothing saved");

    // Written, with a stage and an activity, on a day between the demo's moments.
    let stage_id = stage.id.to_string();
    let activity_id = activity.id.to_string();
    let form = [
        ("kind", "surprise"),
        ("text", "The carers café filled up before we opened the doors (test)."),
        ("written_on.day", "29"),
        ("written_on.month", "1"),
        ("written_on.year", "2015"),
        ("stage", stage_id.as_str()),
        ("activity", activity_id.as_str()),
    ];
    let response = facilitator.submit(&log(), &log(), &form).await;
    assert_eq!(response.status(), 303);
    assert_eq!(count(&app).await, before + 1);
    let page = facilitator.page(&log()).await;
    assert!(page.contains("The carers café filled up before we opened the doors (test)."));
    let written = app
        .store
        .reflections(programme.id, ReflectionFilter { activity_id: Some(activity.id), ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.text.contains("café"))
        .unwrap();
    assert_eq!(written.stage.as_ref().unwrap().id, stage.id);
    let one = format!("{}/{}", log(), written.id);
    assert!(page.contains(&format!("href=\"{one}\"")), "its writer may change it");

    // Filtered by kind: surprises only.
    let surprises = facilitator.page(&format!("{}?kind=surprise", log())).await;
    assert!(surprises.contains("café"));
    let downs = facilitator.page(&format!("{}?kind=down", log())).await;
    assert!(!downs.contains("café"));
    let demo_down = app.store.reflections(programme.id, ReflectionFilter::default()).await.unwrap();
    let demo_down = demo_down.iter().find(|r| r.kind == heard_domain::learning::ReflectionKind::Down).unwrap();
    assert!(downs.contains(&demo_down.text.replace('\'', "&#x27;")), "the demo's down is listed");

    // On the story: after the demo's screening of 27 January 2015 and before the stage's notes
    // of February, in January 2015.
    let story = facilitator.page(&format!("/programmes/{SLUG}/story")).await;
    let at = |needle: &str| story.find(needle).unwrap_or_else(|| panic!("{needle} on the story"));
    let january = at("January 2015");
    let started = at("Stage started");
    let mine = at("café");
    let february = at("February 2015");
    assert!(january < started && started < mine && mine < february, "in date order under its month");
    assert!(story.contains(&format!("href=\"/programmes/{SLUG}/activities/{}\"", activity.id)));
    assert!(!story.contains("/programmes/early-years/"), "only this programme's moments");

    // Someone else may read it but not change or delete it.
    let researcher = app.signed_in(Role::Researcher).await;
    let theirs = researcher.page(&one).await;
    assert!(!theirs.contains("Change your reflection"));
    let change = [
        ("kind", "lesson"),
        ("text", "Taken over (test)"),
        ("written_on.day", "29"),
        ("written_on.month", "1"),
        ("written_on.year", "2015"),
    ];
    assert_eq!(researcher.submit(&log(), &one, &change).await.status(), 403);
    let delete = format!("{one}/delete");
    assert_eq!(researcher.submit(&log(), &delete, &[("confirm", "yes")]).await.status(), 403);

    // The writer changes it (a bad change is 422 and saves nothing) and deletes it.
    let bad_change = [
        ("kind", "lesson"),
        ("text", ""),
        ("written_on.day", "29"),
        ("written_on.month", "1"),
        ("written_on.year", "2015"),
    ];
    assert_eq!(facilitator.submit(&one, &one, &bad_change).await.status(), 422);
    let response = facilitator.submit(&one, &one, &change).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), one);
    let changed = app.store.reflection(programme.id, written.id).await.unwrap().unwrap();
    assert_eq!((changed.text.as_str(), changed.stage.clone()), ("Taken over (test)", None));
    assert_eq!(facilitator.submit(&one, &delete, &[]).await.status(), 422, "the box must be ticked");
    let response = facilitator.submit(&one, &delete, &[("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(count(&app).await, before);
    assert_eq!(facilitator.get(&one).await.status(), 404);
}

#[tokio::test]
async fn the_api_writes_and_reads_reflections_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let commissioner = app.token(Role::Commissioner).await;
        let researcher = app.token(Role::Researcher).await;
        let viewer = app.token(Role::Viewer).await;
        let administrator = app.token(Role::Administrator).await;
        let list = format!("/api/v1{}", log());
        let before = count(&app).await;

        let (status, body) = get_json(&app, &commissioner, &list).await;
        assert_eq!(status, 200);
        let reflections = body["reflections"].as_array().unwrap();
        assert_eq!(reflections.len(), before);
        let dates: Vec<&str> = reflections.iter().map(|r| r["written_on"].as_str().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "latest first: {dates:?}");
        let (status, downs) = get_json(&app, &commissioner, &format!("{list}?kind=down")).await;
        assert_eq!(status, 200);
        let expected = reflections.iter().filter(|r| r["kind"] == "down").count();
        assert_eq!(downs["reflections"].as_array().unwrap().len(), expected);
        let (status, body) = get_json(&app, &commissioner, &format!("{list}?kind=meh")).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("kind")));
        assert_eq!(get_json(&app, &viewer, &list).await.0, 403);

        // Refused by field; nothing saved.
        let bad = json!({"kind": "", "text": "", "written_on": "04/03/2015", "activity_id": 999_999});
        let (status, body) = send(&app, &commissioner, reqwest::Method::POST, &list, bad).await;
        assert_eq!(status, 422, "{body}");
        let mut fields: Vec<&str> =
            body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["kind", "text", "written_on"]);
        let missing = json!({"kind": "up", "text": "x", "written_on": "2015-03-04", "activity_id": 999_999});
        let (status, body) = send(&app, &commissioner, reqwest::Method::POST, &list, missing).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("activity")));
        let (status, _) = send(&app, &commissioner, reqwest::Method::POST, &list, json!({"kind": 1})).await;
        assert!(status == 400 || status == 422, "{status}");
        let good = json!({"kind": "lesson", "text": "Ask carers which day suits (test).", "written_on": "2015-03-04"});
        let (status, _) = send(&app, &administrator, reqwest::Method::POST, &list, good.clone()).await;
        assert_eq!(status, 403);
        assert_eq!(count(&app).await, before);

        // Written, read, changed and deleted by its writer only.
        let (status, body) = send(&app, &commissioner, reqwest::Method::POST, &list, good).await;
        assert_eq!(status, 201);
        let id = body["id"].as_i64().unwrap();
        let one = format!("{list}/{id}");
        let (status, body) = get_json(&app, &researcher, &one).await;
        assert_eq!(status, 200);
        assert_eq!(body["reflection"]["kind"], "lesson");
        assert_eq!(body["reflection"]["written_on"], "2015-03-04");
        assert_eq!(body["reflection"]["written_by"]["display_name"], "Casey Commissioner (demo)");
        let change = json!({"kind": "up", "text": "Carers chose Saturdays (test).", "written_on": "2015-03-05"});
        let (status, _) = send(&app, &researcher, reqwest::Method::PUT, &one, change.clone()).await;
        assert_eq!(status, 403, "only the writer");
        let (status, body) = send(&app, &commissioner, reqwest::Method::PUT, &one, change).await;
        assert_eq!(status, 200);
        assert_eq!(
            (body["reflection"]["kind"].as_str(), body["reflection"]["written_on"].as_str()),
            (Some("up"), Some("2015-03-05"))
        );
        let (status, body) = send(
            &app,
            &commissioner,
            reqwest::Method::PUT,
            &one,
            json!({"kind": "up", "text": "", "written_on": "2015-03-05"}),
        )
        .await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("text")));
        let (status, _) = send(&app, &researcher, reqwest::Method::DELETE, &one, Value::Null).await;
        assert_eq!(status, 403);
        let response = app.api_client().delete(app.url(&one)).bearer_auth(&commissioner).send().await.unwrap();
        assert_eq!(response.status(), 204);
        assert_eq!(get_json(&app, &commissioner, &one).await.0, 404);
        assert_eq!(
            get_json(&app, &commissioner, &format!("/api/v1/programmes/early-years/reflections/{id}")).await.0,
            404
        );
        assert_eq!(count(&app).await, before);
    }
}
