//! Propositions through the real router: writing one with the pages, linking evidence, the
//! breadth on its page, editing with versions (409 with the person's words kept) and the
//! difference between versions, status moves (decisions only for commissioners), merging and
//! splitting, the API on both backends, and who may do what.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::governance::Role;
use heard_testkit::{Browser, TestApp};
use serde_json::{Value, json};

const SLUG: &str = "early-years";

fn list_page() -> String {
    format!("/programmes/{SLUG}/propositions")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Writes a proposition through the new page and returns its path.
async fn write(browser: &Browser, title: &str, change: &str) -> String {
    let new = format!("{}/new", list_page());
    let response = browser.submit(&new, &list_page(), &[("title", title), ("change", change)]).await;
    assert_eq!(response.status(), 303, "{title}");
    location(&response)
}

fn id_of(path: &str) -> i64 {
    path.rsplit('/').next().unwrap().parse().unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = app.api_client().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn send(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let response = app.api_client().request(method, app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_facilitator_writes_links_edits_and_moves_a_proposition() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Facilitator).await;

    // Bad input: blank title and change, each named.
    let new = format!("{}/new", list_page());
    let response = browser.submit(&new, &list_page(), &[("title", " "), ("change", "")]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("Enter a title") && html.contains("Enter the change it proposes"));

    let page =
        write(&browser, "Weekly drop-ins (test)", "Fund weekly drop-in sessions at the children's centre.").await;
    let id = id_of(&page);
    let html = browser.page(&page).await;
    assert!(html.contains("Weekly drop-ins (test)") && html.contains(">Draft<"));
    assert!(html.contains("No citizen evidence"), "nothing linked yet: flagged");
    let response = browser.submit(&new, &list_page(), &[("title", "weekly DROP-INS (test)"), ("change", "x")]).await;
    assert_eq!(response.status(), 422, "the same title twice");

    // Link the best-heard insight of the programme; the page counts who is heard, as the insight does.
    let insights = app.store.insights(app.store.programme(SLUG).await.unwrap().unwrap().id).await.unwrap();
    let insight = insights.iter().max_by_key(|i| i.participants).unwrap();
    let evidence = format!("{page}/evidence");
    let response = browser.submit(&page, &evidence, &[("insight", &insight.id.to_string())]).await;
    assert_eq!(response.status(), 303);
    let html = browser.page(&page).await;
    assert!(html.contains(&insight.statement));
    let people = format!("{} {}, ", insight.participants, if insight.participants == 1 { "person" } else { "people" });
    assert!(html.contains(&people), "the breadth shows {people}");
    // Evidence that is not the programme's, or nothing chosen: 422 naming the field.
    let response = browser.submit(&page, &evidence, &[("factor", "99999999")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Choose a factor of one of this programme"));
    let response = browser.submit(&page, &evidence, &[("insight", ""), ("signal", "")]).await;
    assert_eq!(response.status(), 422);
    // Shapers: a bad count names the field; a good one shows.
    let shapers = format!("{page}/shapers");
    let response = browser.submit(&page, &shapers, &[("kind", "carer"), ("count", "lots"), ("activity", "")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Enter how many people"));
    let response = browser.submit(&page, &shapers, &[("kind", "carer"), ("count", "6"), ("activity", "")]).await;
    assert_eq!(response.status(), 303);
    assert!(browser.page(&page).await.contains("6 people, 6 of them service users, carers"));

    // Edit: version 1 becomes 2; a second edit from version 1 is refused with 409, the form holding
    // version 2's text and the person's words kept below it.
    let edit = format!("{page}/edit");
    let fields = |change: &'static str, version: &'static str| {
        vec![("title", "Weekly drop-ins (test)"), ("change", change), ("note", ""), ("version", version)]
    };
    let response =
        browser.submit(&edit, &edit, &fields("Fund fortnightly drop-in sessions at the library.", "1")).await;
    assert_eq!(response.status(), 303);
    let response = browser.submit(&edit, &edit, &fields("My stale words about the drop-ins.", "1")).await;
    assert_eq!(response.status(), 409);
    let html = response.text().await.unwrap();
    assert!(html.contains("Fund fortnightly drop-in sessions at the library."), "the text as it is now");
    assert!(html.contains("My stale words about the drop-ins."), "the person's words kept");
    assert!(html.contains("name=\"version\" value=\"2\""));
    let response = browser.submit(&edit, &edit, &[("title", ""), ("change", "x"), ("version", "2")]).await;
    assert_eq!(response.status(), 422);
    // The difference, word by word.
    let html = browser.page(&format!("{page}/versions")).await;
    let removed = html.find("[removed: </span>weekly<").expect("the word taken out");
    let added = html.find("[added: </span>fortnightly<").expect("the word put in");
    assert!(removed < added);
    assert!(html.contains("[removed: </span>children&#x27;s centre.<"), "the centre is taken out");
    assert_eq!(browser.get(&format!("{page}/versions?from=1&to=1")).await.status(), 200);

    // Status: draft to open; a facilitator cannot recommend (403); a move the rules refuse is 422;
    // a commissioner recommends; a stale form is 409.
    let status = format!("{page}/status");
    let response = browser.submit(&page, &status, &[("status", "open_for_deliberation"), ("from", "draft")]).await;
    assert_eq!(response.status(), 303);
    let response =
        browser.submit(&page, &status, &[("status", "recommended"), ("from", "open_for_deliberation")]).await;
    assert_eq!(response.status(), 403);
    let response = browser.submit(&page, &status, &[("status", "declined"), ("from", "open_for_deliberation")]).await;
    assert_eq!(response.status(), 403, "declining is a decision too");
    let response = browser.submit(&page, &status, &[("status", ""), ("from", "open_for_deliberation")]).await;
    assert_eq!(response.status(), 422);
    let commissioner = app.signed_in(Role::Commissioner).await;
    let response = commissioner
        .submit(
            &page,
            &status,
            &[("status", "recommended"), ("from", "open_for_deliberation"), ("note", "After the day")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let response = browser.submit(&page, &status, &[("status", "withdrawn"), ("from", "open_for_deliberation")]).await;
    assert_eq!(response.status(), 409);
    let html = browser.page(&page).await;
    assert!(html.contains("Open for deliberation to Recommended") && html.contains("After the day"));
    let p = app.store.proposition(app.store.programme(SLUG).await.unwrap().unwrap().id, id).await.unwrap().unwrap();
    assert_eq!(p.history.len(), 3);
}

#[tokio::test]
async fn merging_and_splitting_keep_the_trace() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let a = write(&browser, "Parent peer support (test)", "Fund parent peer supporters.").await;
    let b = write(&browser, "Peer support online (test)", "Fund an online peer group.").await;
    let merge = format!("{}/merge", list_page());
    let html = browser.page(&format!("{merge}?part={}", id_of(&a))).await;
    assert!(html.contains("Parent peer support (test)"));
    // One part only, or no title: 422 naming the field.
    let response = browser
        .submit(&merge, &merge, &[("parts", &id_of(&a).to_string()), ("title", "Peer (test)"), ("change", "x")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Choose two or more propositions to merge"));
    let (ia, ib) = (id_of(&a).to_string(), id_of(&b).to_string());
    let response =
        browser.submit(&merge, &merge, &[("parts", &ia), ("parts", &ib), ("title", ""), ("change", "x")]).await;
    assert_eq!(response.status(), 422);
    let response = browser
        .submit(
            &merge,
            &merge,
            &[("parts", &ia), ("parts", &ib), ("title", "Peer support (test)"), ("change", "Both.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let merged = location(&response);
    let html = browser.page(&merged).await;
    assert!(html.contains("Merged from") && html.contains("Parent peer support (test)"));
    let html = browser.page(&a).await;
    assert!(html.contains("Merged into") && html.contains(">Withdrawn<"));

    // Split the merged one into two; a part without a title is refused, nothing saved.
    let split = format!("{merged}/split");
    let html = browser.page(&format!("{split}?parts=3")).await;
    assert!(html.contains("Part 3"));
    let version = "1";
    let bad = [
        ("version", version),
        ("count", "2"),
        ("parts[0].title", "Peer supporters (test)"),
        ("parts[0].change", "Supporters."),
        ("parts[1].title", ""),
        ("parts[1].change", "Online."),
    ];
    let response = browser.submit(&split, &split, &bad).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("href=\"#parts-1-title\""), "the error names the part's field");
    assert!(html.contains("Peer supporters (test)"), "the person's parts are kept");
    let mut good = bad;
    good[4] = ("parts[1].title", "Online group (test)");
    let response = browser.submit(&split, &split, &good).await;
    assert_eq!(response.status(), 303);
    let html = browser.page(&merged).await;
    assert!(html.contains("Split into") && html.contains("Online group (test)") && html.contains("Merged from"));
    // Withdrawn by the split, it cannot be split again.
    let response = browser.submit(&split, &split, &good).await;
    assert_eq!(response.status(), 422);
    assert!(
        response.text().await.unwrap().contains("only draft propositions and those open for deliberation can be split")
    );
}

#[tokio::test]
async fn every_role_meets_the_pages_it_may() {
    let app = TestApp::spawn().await;
    let writer = app.signed_in(Role::Researcher).await;
    let page = write(&writer, "Seen by all (test)", "A change.").await;
    for role in [Role::Administrator, Role::Commissioner, Role::Researcher, Role::Facilitator, Role::Viewer] {
        let browser = app.signed_in(role).await;
        let reads = role != Role::Viewer;
        let edits = matches!(role, Role::Commissioner | Role::Researcher | Role::Facilitator);
        for path in [list_page(), page.clone(), format!("{page}/versions")] {
            let status = browser.get(&path).await.status().as_u16();
            assert_eq!(status, if reads { 200 } else { 403 }, "{role:?} GET {path}");
        }
        for path in [
            format!("{}/new", list_page()),
            format!("{page}/edit"),
            format!("{page}/split"),
            format!("{}/merge", list_page()),
        ] {
            let status = browser.get(&path).await.status().as_u16();
            assert_eq!(status, if edits { 200 } else { 403 }, "{role:?} GET {path}");
        }
        if reads {
            let html = browser.page(&page).await;
            assert_eq!(html.contains("Change the status"), edits, "{role:?}");
            assert!(!html.contains("value=\"recommended\""), "a draft cannot be recommended");
            let programme = browser.page(&format!("/programmes/{SLUG}")).await;
            assert!(programme.contains(&format!("href=\"{}\"", list_page())), "{role:?} finds the propositions");
        }
    }
    // Open for deliberation, the commissioner sees decisions offered; the facilitator does not.
    let commissioner = app.signed_in(Role::Commissioner).await;
    let response = commissioner
        .submit(&page, &format!("{page}/status"), &[("status", "open_for_deliberation"), ("from", "draft")])
        .await;
    assert_eq!(response.status(), 303);
    assert!(commissioner.page(&page).await.contains("value=\"recommended\""));
    let facilitator = app.signed_in(Role::Facilitator).await;
    let html = facilitator.page(&page).await;
    assert!(!html.contains("value=\"recommended\"") && html.contains("value=\"withdrawn\""));
    let administrator = app.signed_in(Role::Administrator).await;
    let response =
        administrator.submit(&list_page(), &list_page(), &[("title", "Admin (test)"), ("change", "x")]).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn the_api_writes_and_reads_propositions_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let token = app.token(Role::Facilitator).await;
        let commissioner = app.token(Role::Commissioner).await;
        let list = format!("/api/v1/programmes/{SLUG}/propositions");
        let (status, body) = send(&app, &token, reqwest::Method::POST, &list, json!({"title": "", "change": ""})).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "change"]);
        let (status, body) =
            send(&app, &token, reqwest::Method::POST, &list, json!({"title": "API (test)", "change": "Fund it."}))
                .await;
        assert_eq!(status, 201);
        let id = body["id"].as_i64().unwrap();
        let one = format!("{list}/{id}");
        let (status, body) = get_json(&app, &token, &one).await;
        assert_eq!(status, 200);
        assert_eq!(body["proposition"]["status"], "draft");
        assert_eq!(body["proposition"]["breadth"]["no_citizen_evidence"], true);

        // Evidence: an insight; a wrong one names insight_id; two at once is 422.
        let programme = app.store.programme(SLUG).await.unwrap().unwrap();
        let insight =
            app.store.insights(programme.id).await.unwrap().into_iter().max_by_key(|i| i.participants).unwrap();
        let evidence = format!("{one}/evidence");
        let (status, _) = send(&app, &token, reqwest::Method::POST, &evidence, json!({"insight_id": insight.id})).await;
        assert_eq!(status, 204);
        let (status, body) =
            send(&app, &token, reqwest::Method::POST, &evidence, json!({"insight_id": 99_999_999})).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["fields"][0]["field"], "insight_id");
        let (status, _) =
            send(&app, &token, reqwest::Method::POST, &evidence, json!({"insight_id": insight.id, "signal_id": 1}))
                .await;
        assert_eq!(status, 422);
        let (_, body) = get_json(&app, &token, &one).await;
        assert_eq!(body["proposition"]["breadth"]["participants"].as_i64().unwrap(), insight.participants);
        assert_eq!(body["proposition"]["evidence"]["insights"][0]["id"].as_i64().unwrap(), insight.id);
        let (_, listed) = get_json(&app, &token, &list).await;
        let row = listed["propositions"].as_array().unwrap().iter().find(|p| p["id"] == id).unwrap().clone();
        assert_eq!(row["insights"], 1);
        assert_eq!(row["breadth"], body["proposition"]["breadth"]);

        // Edit with the version read; stale is 409 edit_conflict; missing version 422.
        let edit = json!({"title": "API (test)", "change": "Fund it twice.", "version": 1});
        let (status, body) = send(&app, &token, reqwest::Method::PUT, &one, edit.clone()).await;
        assert_eq!((status, body["version"].as_i64()), (200, Some(2)));
        let (status, body) = send(&app, &token, reqwest::Method::PUT, &one, edit).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("edit_conflict")));
        let (status, body) = send(&app, &token, reqwest::Method::PUT, &one, json!({"title": "x", "change": "y"})).await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("version")));

        // Status: the facilitator opens it; recommending needs a commissioner.
        let status_path = format!("{one}/status");
        let open = json!({"status": "open_for_deliberation", "from": "draft"});
        assert_eq!(send(&app, &token, reqwest::Method::PUT, &status_path, open.clone()).await.0, 204);
        assert_eq!(send(&app, &token, reqwest::Method::PUT, &status_path, open).await.0, 409);
        let recommend = json!({"status": "recommended", "from": "open_for_deliberation"});
        assert_eq!(send(&app, &token, reqwest::Method::PUT, &status_path, recommend.clone()).await.0, 403);
        assert_eq!(send(&app, &commissioner, reqwest::Method::PUT, &status_path, recommend).await.0, 204);
        let (status, body) = send(
            &app,
            &commissioner,
            reqwest::Method::PUT,
            &status_path,
            json!({"status": "draft", "from": "recommended"}),
        )
        .await;
        assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("status")));
        let (_, body) = get_json(&app, &token, &one).await;
        assert_eq!(body["proposition"]["history"].as_array().unwrap().len(), 3);
        assert_eq!(body["proposition"]["versions"].as_array().unwrap().len(), 2);

        // Unlink; again is 404. A viewer's token cannot read.
        assert_eq!(
            send(&app, &token, reqwest::Method::DELETE, &evidence, json!({"insight_id": insight.id})).await.0,
            204
        );
        assert_eq!(
            send(&app, &token, reqwest::Method::DELETE, &evidence, json!({"insight_id": insight.id})).await.0,
            404
        );
        let viewer = app.token(Role::Viewer).await;
        assert_eq!(get_json(&app, &viewer, &list).await.0, 403);
        assert_eq!(get_json(&app, &token, &format!("/api/v1/programmes/{SLUG}/propositions/99999999")).await.0, 404);

        // The OpenAPI document lists the paths.
        let (_, doc) = get_json(&app, &token, "/api/v1/openapi.json").await;
        assert!(doc["paths"]["/api/v1/programmes/{slug}/propositions/{id}/status"]["put"].is_object());
    }
}
