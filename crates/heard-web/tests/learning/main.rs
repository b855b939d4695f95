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

/// The JSON of a page signed in with a session, as the story page's link gives it.
async fn page_json(browser: &heard_testkit::Browser, path: &str) -> (u16, Value) {
    let response = browser.get(path).await;
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_story_as_json_lays_out_what_was_created_in_story_order_on_both_backends() {
    use heard_domain::dates::DateParts;
    use heard_domain::deliberation::days::{DeliberationFields, DeliberationInput};
    use heard_domain::journeys::{ActivityKind, Attendance, ProgrammeStatus, Slug};
    use heard_store::{NewActivity, NewProgramme, StageChange};
    use time::macros::date;

    const STORY: &str = "story-test";
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let store = &app.store;
        let new = NewProgramme {
            slug: Slug::parse("slug", STORY).unwrap(),
            name: "Story test (test)".into(),
            aim: "To test the story's timeline.".into(),
            status: ProgrammeStatus::Active,
            lead_commissioner_id: None,
            partner_ids: Vec::new(),
        };
        let programme = store.create_programme(&new).await.unwrap();
        let stages = store.stages(programme.id).await.unwrap();
        assert!(stages.len() >= 2, "the journey template gives stages");
        let (first, second) = (&stages[0], &stages[1]);
        // The first stage runs from 6 January to 31 March 2025; the second starts that day.
        let change = |starts_on, ends_on| StageChange {
            starts_on,
            ends_on,
            exit_criteria: "Families asked (test)".into(),
            notes: String::new(),
        };
        store
            .update_stage(
                programme.id,
                first.position,
                &change(Some(date!(2025 - 01 - 06)), Some(date!(2025 - 03 - 31))),
            )
            .await
            .unwrap();
        store.update_stage(programme.id, second.position, &change(Some(date!(2025 - 03 - 31)), None)).await.unwrap();
        let mut attendance = Attendance::default();
        attendance.by_kind.insert(heard_domain::journeys::AttendeeKind::ALL[0], 7);
        let activity = store
            .create_activity(
                programme.id,
                &NewActivity {
                    stage_position: Some(first.position),
                    kind: ActivityKind::Workshop,
                    title: "Story workshop (test)".into(),
                    held_on: date!(2025 - 02 - 10),
                    place: "Town hall (test)".into(),
                    facilitator: String::new(),
                    notes: String::new(),
                    attendance,
                },
            )
            .await
            .unwrap();
        let day = DeliberationInput::parse(&DeliberationFields {
            title: "Story day (test)".into(),
            held_on: DateParts::from_date(Some(date!(2025 - 03 - 01))),
            venue: String::new(),
            attendee_statements: false,
            prioritisation: "pairwise".into(),
            dots: String::new(),
        })
        .unwrap();
        let day = store.create_deliberation(programme.id, &day, &[], None).await.unwrap();

        // A proposition, the decision that takes it up and two reflections through the API, the
        // way a commissioner records them.
        let commissioner = app.token(Role::Commissioner).await;
        let api = format!("/api/v1/programmes/{STORY}");
        let proposition = json!({"title": "Saturday drop-ins (story test)", "change": "Open on Saturdays."});
        let (status, body) =
            send(&app, &commissioner, reqwest::Method::POST, &format!("{api}/propositions"), proposition).await;
        assert_eq!(status, 201, "{body}");
        let proposition = body["id"].as_i64().unwrap();
        let decision = json!({"title": "Drop-ins on Saturdays (story test)", "service_change": "Open on Saturdays.",
            "decided_by_kind": "board", "decided_by": "Story Board (test)", "decided_on": "2025-03-31",
            "rationale": "Families asked for it.", "propositions": [proposition], "reasons": {}});
        let (status, body) =
            send(&app, &commissioner, reqwest::Method::POST, &format!("{api}/decisions"), decision).await;
        assert_eq!(status, 201, "{body}");
        let decision = body["id"].as_i64().unwrap();
        let mut reflections = Vec::new();
        for (kind, text, on) in [
            ("lesson", "Saturdays suit working parents (story test).", "2025-03-31"),
            ("up", "The workshop room was full (story test).", "2025-02-10"),
        ] {
            let body = json!({"kind": kind, "text": text, "written_on": on});
            let (status, created) =
                send(&app, &commissioner, reqwest::Method::POST, &format!("{api}/reflections"), body).await;
            assert_eq!(status, 201, "{created}");
            reflections.push(created["id"].as_i64().unwrap());
        }
        let writer = app.demo_user(Role::Commissioner).await;

        // What the test made, in the order the story tells it: by date; on one day a stage
        // starts, then what was done and decided, then reflections, and a stage ends last.
        let stage_href = |s: &heard_store::Stage| format!("/programmes/{STORY}/stages/{}", s.position);
        let title = |s: &heard_store::Stage| format!("{}. {}", s.position, s.name);
        let expected = vec![
            json!({"on": "2025-01-06", "kind": "stage_started", "id": first.id, "title": title(first), "href": stage_href(first)}),
            json!({"on": "2025-02-10", "kind": "activity", "id": activity.id, "title": "Story workshop (test)",
                "text": "7 people in the room", "href": format!("/programmes/{STORY}/activities/{}", activity.id)}),
            json!({"on": "2025-02-10", "kind": "reflection", "id": reflections[1], "reflection_kind": "up",
                "text": "The workshop room was full (story test).", "href": format!("/programmes/{STORY}/reflections/{}", reflections[1])}),
            json!({"on": "2025-03-01", "kind": "deliberation", "id": day, "title": "Story day (test)",
                "text": "0 attendees, 0 votes", "href": format!("/programmes/{STORY}/deliberations/{day}")}),
            json!({"on": "2025-03-31", "kind": "stage_started", "id": second.id, "title": title(second), "href": stage_href(second)}),
            json!({"on": "2025-03-31", "kind": "decision", "id": decision, "title": "Drop-ins on Saturdays (story test)",
                "href": format!("/programmes/{STORY}/decisions/{decision}")}),
            json!({"on": "2025-03-31", "kind": "reflection", "id": reflections[0], "reflection_kind": "lesson",
                "text": "Saturdays suit working parents (story test).", "href": format!("/programmes/{STORY}/reflections/{}", reflections[0])}),
            json!({"on": "2025-03-31", "kind": "stage_ended", "id": first.id, "title": title(first),
                "text": "Exit criteria: Families asked (test)", "href": stage_href(first)}),
        ];
        // Each entry as far as the test knows it: the fields it set, and the writer of reflections.
        let known = |entries: &Value| -> Vec<Value> {
            entries
                .as_array()
                .unwrap()
                .iter()
                .zip(&expected)
                .map(|(entry, wanted)| {
                    let mut seen = serde_json::Map::new();
                    for key in wanted.as_object().unwrap().keys() {
                        seen.insert(key.clone(), entry[key].clone());
                    }
                    seen.into()
                })
                .collect()
        };
        let researcher = app.signed_in(Role::Researcher).await;
        let (status, page) = page_json(&researcher, &format!("/programmes/{STORY}/story.json")).await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(page["programme"], STORY);
        assert_eq!(page["entries"].as_array().unwrap().len(), expected.len(), "{page}");
        assert_eq!(known(&page["entries"]), expected, "{backend:?}");
        for entry in page["entries"].as_array().unwrap() {
            let by = &entry["written_by"]["display_name"];
            if entry["kind"] == "reflection" {
                assert_eq!(by.as_str(), Some(writer.display_name.as_str()));
            } else {
                assert!(entry["written_by"].is_null() && entry["reflection_kind"].is_null(), "{entry}");
            }
        }

        // The API gives the same; the page links to the JSON.
        let researcher_token = app.token(Role::Researcher).await;
        let (status, body) = get_json(&app, &researcher_token, &format!("{api}/story")).await;
        assert_eq!(status, 200);
        assert_eq!(body, page, "the API and the page's JSON agree");
        let story = researcher.page(&format!("/programmes/{STORY}/story")).await;
        assert!(story.contains(&format!("href=\"/programmes/{STORY}/story.json\"")));
        assert!(story.contains(&format!("href=\"/programmes/{STORY}/decisions/{decision}\"")));

        // The same permission as the page: not for viewers; an unknown programme is 404.
        let viewer = app.signed_in(Role::Viewer).await;
        assert_eq!(viewer.get(&format!("/programmes/{STORY}/story.json")).await.status(), 403);
        assert_eq!(get_json(&app, &app.token(Role::Viewer).await, &format!("{api}/story")).await.0, 403);
        assert_eq!(researcher.get("/programmes/nowhere/story.json").await.status(), 404);
        assert_eq!(get_json(&app, &researcher_token, "/api/v1/programmes/nowhere/story").await.0, 404);
        assert_eq!(app.browser().get(&format!("/programmes/{STORY}/story.json")).await.status(), 303);
    }
}
