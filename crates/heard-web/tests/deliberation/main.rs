//! Setting up and running a Deliberation Day through the real router, on both backends: the
//! facilitator's pages (set up, statements written and seeded, moderation, open and close,
//! delete), the API, who may do what, bad input, and another programme's deliberation.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::deliberation::days::{AttendeeToken, Declaration, DeclaredKind, STATEMENT_MAX, statement_key};
use heard_domain::governance::Role;
use heard_domain::propositions::proposition::PropositionInput;
use heard_store::deliberation::Origin;
use heard_testkit::{Browser, TestApp, TestBackend};
use serde_json::{Value, json};

const SLUG: &str = "early-years";
const OTHER: &str = "dementia";

fn list_page(slug: &str) -> String {
    format!("/programmes/{slug}/deliberations")
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn id_of(path: &str) -> i64 {
    path.rsplit('/').next().unwrap().split('#').next().unwrap().parse().unwrap()
}

const SETUP: [(&str, &str); 8] = [
    ("title", "Shaping early years support (test day)"),
    ("held_on.day", "14"),
    ("held_on.month", "3"),
    ("held_on.year", "2027"),
    ("venue", "Test Hall, Room 2"),
    ("attendee_statements", "yes"),
    ("prioritisation", "dots"),
    ("dots", "5"),
];

/// Sets up a deliberation through the new page and returns its path.
async fn set_up(browser: &Browser, slug: &str, extra: &[(&str, &str)]) -> String {
    let mut fields = SETUP.to_vec();
    fields.extend_from_slice(extra);
    let response = browser.submit(&format!("{}/new", list_page(slug)), &list_page(slug), &fields).await;
    assert_eq!(response.status(), 303);
    location(&response)
}

async fn programme_id(app: &TestApp, slug: &str) -> i64 {
    app.store.programme(slug).await.unwrap().unwrap().id
}

/// The page after a redirect, with its flash message.
async fn follow(browser: &Browser, response: reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "a redirect");
    let path = location(&response);
    browser.page(path.split('#').next().unwrap()).await
}

async fn facilitator_flow(backend: TestBackend) {
    let app = TestApp::spawn_on(backend).await;
    let browser = app.signed_in(Role::Facilitator).await;
    let programme = programme_id(&app, SLUG).await;
    let proposition = app
        .store
        .create_proposition(
            programme,
            &PropositionInput::parse(
                "Open a family hub in every town (test)",
                "Fund hubs from the early years budget.",
                "",
            )
            .unwrap(),
            None,
        )
        .await
        .unwrap();
    let before = app.store.deliberations(programme).await.unwrap().len();

    // The programme page links to the list; the list to the new page.
    assert!(browser.page(&format!("/programmes/{SLUG}")).await.contains(&list_page(SLUG)));
    let new_page = browser.page(&format!("{}/new", list_page(SLUG))).await;
    assert!(new_page.contains("Open a family hub in every town (test)"), "propositions to choose from");

    // Bad input: each error beside its field, 422, nothing saved.
    let response = browser
        .submit(
            &format!("{}/new", list_page(SLUG)),
            &list_page(SLUG),
            &[
                ("title", " "),
                ("held_on.day", "31"),
                ("held_on.month", "2"),
                ("held_on.year", "2027"),
                ("prioritisation", "dots"),
                ("dots", "40"),
                ("questions", "Same question\nsame question."),
                ("propositions", "999999"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for id in ["title-error", "held_on-error", "dots-error", "questions-error", "propositions-error"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} shown");
    }
    assert!(html.contains("Give each attendee between 1 and 20 dots") && html.contains("Ask each question once"));
    assert_eq!(app.store.deliberations(programme).await.unwrap().len(), before, "nothing saved");

    // Set up with a proposition and two questions.
    let day = set_up(
        &browser,
        SLUG,
        &[("propositions", &proposition.to_string()), ("questions", "I trust the council\nServices listen to carers")],
    )
    .await;
    let id = id_of(&day);
    let stored = app.store.deliberation(id).await.unwrap().unwrap();
    assert_eq!(stored.proposition_ids, vec![proposition]);
    assert_eq!(
        stored.questions.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(),
        ["I trust the council", "Services listen to carers"]
    );
    assert_eq!((stored.dots, stored.attendee_statements), (Some(5), true));
    let page = browser.page(&day).await;
    let code = stored.join_code_shown();
    assert_eq!(code.len(), 7);
    assert_eq!(&code[3..4], "-");
    assert!(page.contains(&code), "the join code as shown on the projector");
    let shown = page.replace("&#x2f;", "/");
    assert!(shown.contains("/join <") && shown.contains(&format!("/d/{}<", stored.join_code)), "the join address");
    assert!(shown.contains(&format!("{day}/projector\"")) && shown.contains(&format!("{day}/results\"")));
    let list = browser.page(&list_page(SLUG)).await;
    assert!(list.contains("Shaping early years support (test day)") && list.contains("14 March 2027"));

    // Editing: the form holds the setup; a change is saved.
    let edit = format!("{day}/edit");
    let form = browser.page(&edit).await;
    assert!(form.contains("value=\"Test Hall, Room 2\"") && form.contains("I trust the council"));
    let chosen_proposition = proposition.to_string();
    let mut fields = SETUP.to_vec();
    fields.retain(|(name, _)| *name != "venue");
    fields.push(("venue", "Test Library"));
    fields.push(("propositions", &chosen_proposition));
    assert_eq!(browser.submit(&edit, &edit, &fields).await.status(), 303);
    let stored = app.store.deliberation(id).await.unwrap().unwrap();
    assert_eq!(stored.venue.as_deref(), Some("Test Library"));
    assert!(stored.questions.is_empty(), "the questionnaire left blank is cleared");

    // A statement written fresh; the same words again are refused.
    let statements = format!("{day}/statements");
    let written = "Families should be able to refer themselves (test)";
    assert_eq!(browser.submit(&day, &statements, &[("text", written)]).await.status(), 303);
    let again =
        browser.submit(&day, &statements, &[("text", "families should be able to REFER themselves (test)!")]).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("already has a statement with those words"));
    let blank = browser.submit(&day, &statements, &[("text", "  ")]).await;
    assert_eq!(blank.status(), 422);
    let long = "a".repeat(STATEMENT_MAX + 1);
    assert_eq!(browser.submit(&day, &statements, &[("text", &long)]).await.status(), 422);

    // Seeded from two insights and the proposition; seeding again adds none and says so.
    let insights: Vec<_> = app
        .store
        .insights(programme)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| {
            i.statement.chars().count() <= STATEMENT_MAX && statement_key(&i.statement) != statement_key(written)
        })
        .take(2)
        .collect();
    assert_eq!(insights.len(), 2, "the demo programme has insights to seed from");
    let seed = format!("{day}/seed");
    let (first, second, prop) = (insights[0].id.to_string(), insights[1].id.to_string(), proposition.to_string());
    let chosen = [("insights", first.as_str()), ("insights", second.as_str()), ("propositions", prop.as_str())];
    let page = follow(&browser, browser.submit(&day, &seed, &chosen).await).await;
    assert!(page.contains("3 statements added"), "says how many were added");
    let page = follow(&browser, browser.submit(&day, &seed, &chosen).await).await;
    assert!(page.contains("0 statements added; 3 already there, left out"));
    let stored_statements = app.store.statements(id).await.unwrap();
    assert_eq!(stored_statements.len(), 4);
    let origins: Vec<Origin> = stored_statements.iter().map(|s| s.origin).collect();
    assert_eq!(
        origins,
        [
            Origin::Written,
            Origin::Insight(insights[0].id),
            Origin::Insight(insights[1].id),
            Origin::Proposition(proposition)
        ]
    );
    assert!(page.contains("From an insight") && page.contains("From a proposition"));
    // An insight of another programme, nothing chosen, or not a number: 422, nothing added.
    let other = programme_id(&app, OTHER).await;
    if let Some(foreign) = app.store.insights(other).await.unwrap().first() {
        let response = browser.submit(&day, &seed, &[("insights", &foreign.id.to_string())]).await;
        assert_eq!(response.status(), 422);
    }
    assert_eq!(browser.submit(&day, &seed, &[]).await.status(), 422);
    assert_eq!(browser.submit(&day, &seed, &[("insights", "x")]).await.status(), 422);
    assert_eq!(app.store.statements(id).await.unwrap().len(), 4);

    // Moves: a draft cannot close; it opens; with an attendee it cannot go back to being set up.
    let status = format!("{day}/status");
    let refused = browser.submit(&day, &status, &[("to", "closed")]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("cannot become closed"));
    assert_eq!(browser.submit(&day, &status, &[("to", "sideways")]).await.status(), 422);
    assert_eq!(browser.submit(&day, &status, &[("to", "open")]).await.status(), 303);
    let token = AttendeeToken::generate();
    let attendee = app
        .store
        .join_deliberation(id, &token.hash(), &Declaration { kind: DeclaredKind::Carer, sector: None })
        .await
        .unwrap();
    let back = browser.submit(&day, &status, &[("to", "draft")]).await;
    assert_eq!(back.status(), 422);
    assert!(back.text().await.unwrap().contains("Attendees have joined"));
    // With someone in, the propositions can no longer change: refused, nothing saved.
    let mut fields = SETUP.to_vec();
    fields.push(("questions", ""));
    let locked = browser.submit(&edit, &edit, &fields).await;
    assert_eq!(locked.status(), 422);
    assert!(locked.text().await.unwrap().contains("can change only while the Deliberation Day is being set up"));
    assert_eq!(app.store.deliberation(id).await.unwrap().unwrap().proposition_ids, vec![proposition]);

    // Moderation: an attendee's statements wait; one accepted, one rejected.
    let keep = app.store.suggest_statement(attendee, "Evening sessions help working parents (test)").await.unwrap();
    let drop = app.store.suggest_statement(attendee, "Another waiting statement (test)").await.unwrap();
    let page = browser.page(&day).await;
    let queue = &page[page.find("id=\"moderation\"").unwrap()..page.find("id=\"statements\"").unwrap()];
    assert!(queue.contains("Evening sessions help working parents (test)") && queue.contains("2 statements"));
    let moderate = format!("{day}/moderate");
    assert_eq!(
        browser.submit(&day, &moderate, &[("statement", &keep.to_string()), ("decision", "accept")]).await.status(),
        303
    );
    assert_eq!(
        browser.submit(&day, &moderate, &[("statement", &drop.to_string()), ("decision", "reject")]).await.status(),
        303
    );
    assert_eq!(
        browser.submit(&day, &moderate, &[("statement", &keep.to_string()), ("decision", "maybe")]).await.status(),
        422
    );
    let states: Vec<(i64, &str)> = app
        .store
        .statements(id)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.origin == Origin::Attendee)
        .map(|s| (s.id, s.state.code()))
        .collect();
    assert_eq!(states, [(keep, "accepted"), (drop, "rejected")]);
    let page = browser.page(&day).await;
    assert!(page.contains("No statements from attendees are waiting"));
    assert!(page.contains("5 accepted statements"), "four written or seeded and one moderated in");

    // Votes are counted on the page beside their statement.
    app.store.vote(attendee, keep, heard_domain::deliberation::days::Stance::Agree).await.unwrap();
    let page = browser.page(&day).await;
    let row = &page[page.find("Evening sessions help working parents (test)").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Added by an attendee"));
    let cells: Vec<&str> =
        row.split("govuk-table__cell--numeric\">").skip(1).map(|c| &c[..c.find('<').unwrap()]).collect();
    assert_eq!(cells, ["1", "0", "0", "1"]);

    // Close, reopen, close.
    for (to, status_code) in [("closed", 303), ("open", 303), ("closed", 303), ("closed", 422)] {
        assert_eq!(browser.submit(&day, &status, &[("to", to)]).await.status(), status_code, "to {to}");
    }
    assert_eq!(app.store.deliberation(id).await.unwrap().unwrap().status.code(), "closed");

    // Delete: only with the box ticked.
    let delete = format!("{day}/delete");
    let unticked = browser.submit(&day, &delete, &[]).await;
    assert_eq!(unticked.status(), 422);
    assert!(unticked.text().await.unwrap().contains("Tick the box"));
    assert!(app.store.deliberation(id).await.unwrap().is_some());
    assert_eq!(browser.submit(&day, &delete, &[("confirm", "yes")]).await.status(), 303);
    assert!(app.store.deliberation(id).await.unwrap().is_none());
    assert_eq!(browser.get(&day).await.status(), 404);
}

#[tokio::test]
async fn a_facilitator_sets_up_seeds_moderates_and_runs_a_day_on_sqlite() {
    facilitator_flow(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_facilitator_sets_up_seeds_moderates_and_runs_a_day_on_postgres() {
    facilitator_flow(TestBackend::Postgres).await;
}

#[tokio::test]
async fn each_role_may_do_what_the_table_says() {
    let app = TestApp::spawn().await;
    let facilitator = app.signed_in(Role::Facilitator).await;
    let day = set_up(&facilitator, SLUG, &[]).await;
    let list = list_page(SLUG);

    // A viewer sees nothing of deliberations, nor the link.
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&list).await.status(), 403);
    assert_eq!(viewer.get(&day).await.status(), 403);
    assert!(!viewer.page(&format!("/programmes/{SLUG}")).await.contains(&list));

    // A researcher reads, without the forms, and cannot run.
    let researcher = app.signed_in(Role::Researcher).await;
    assert!(researcher.page(&list).await.contains("Shaping early years support (test day)"));
    let page = researcher.page(&day).await.replace("&#x2f;", "/");
    assert!(page.contains(&format!("{day}/results\"")), "links are read as written");
    assert!(!page.contains("/status\"") && !page.contains("/delete\"") && !page.contains("/seed\""));
    assert_eq!(researcher.get(&format!("{list}/new")).await.status(), 403);
    let csrf = researcher.csrf_token(&day).await;
    assert_eq!(researcher.post(&list, &csrf, &SETUP).await.status(), 403);
    assert_eq!(researcher.post(&format!("{day}/status"), &csrf, &[("to", "open")]).await.status(), 403);

    // A commissioner runs one, as a facilitator does.
    let commissioner = app.signed_in(Role::Commissioner).await;
    let theirs = set_up(&commissioner, SLUG, &[]).await;
    assert_eq!(commissioner.submit(&theirs, &format!("{theirs}/status"), &[("to", "open")]).await.status(), 303);

    // Through the API the same.
    let api = format!("/api/v1{list}");
    for (role, read, write) in [
        (Role::Viewer, 403, 403),
        (Role::Researcher, 200, 403),
        (Role::Facilitator, 200, 422),
        (Role::Commissioner, 200, 422),
    ] {
        let token = app.token(role).await;
        let got = app.api_client().get(app.url(&api)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(got.status(), read, "{role:?} reads");
        let posted = app.api_client().post(app.url(&api)).bearer_auth(&token).json(&json!({})).send().await.unwrap();
        assert_eq!(posted.status(), write, "{role:?} sets up (an empty body: 422 once allowed)");
    }
}

#[tokio::test]
async fn another_programmes_deliberation_is_not_found() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Facilitator).await;
    let day = set_up(&browser, SLUG, &[]).await;
    let id = id_of(&day);
    let elsewhere = format!("{}/{id}", list_page(OTHER));
    assert_eq!(browser.get(&elsewhere).await.status(), 404);
    assert_eq!(browser.get(&format!("{elsewhere}/edit")).await.status(), 404);
    let csrf = browser.csrf_token(&day).await;
    for action in ["status", "statements", "seed", "moderate", "delete"] {
        let response =
            browser.post(&format!("{elsewhere}/{action}"), &csrf, &[("to", "open"), ("confirm", "yes")]).await;
        assert_eq!(response.status(), 404, "{action}");
    }
    assert_eq!(browser.get(&format!("{}/999999", list_page(SLUG))).await.status(), 404);
    let token = app.token(Role::Facilitator).await;
    let api = format!("/api/v1{elsewhere}");
    let client = app.api_client();
    assert_eq!(client.get(app.url(&api)).bearer_auth(&token).send().await.unwrap().status(), 404);
    let body: Value = client.get(app.url(&api)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let moved =
        client.post(app.url(&format!("{api}/status"))).bearer_auth(&token).json(&json!({"status": "open"})).send();
    assert_eq!(moved.await.unwrap().status(), 404);
    assert_eq!(client.delete(app.url(&api)).bearer_auth(&token).send().await.unwrap().status(), 404);
    let stored = app.store.deliberation(id).await.unwrap().unwrap();
    assert_eq!(stored.status.code(), "draft", "nothing changed");
}

async fn api_flow(backend: TestBackend) -> Value {
    let app = TestApp::spawn_on(backend).await;
    let token = app.token(Role::Facilitator).await;
    let client = app.api_client();
    let list = format!("/api/v1{}", list_page(SLUG));
    let send = |method: reqwest::Method, path: String, body: Value| {
        client.request(method, app.url(&path)).bearer_auth(&token).json(&body).send()
    };

    // 422 naming every bad field.
    let bad = json!({"title": "", "held_on": "2027-02-31", "prioritisation": "raffle", "questions": ["a", "A."], "proposition_ids": [999999]});
    let response = send(reqwest::Method::POST, list.clone(), bad).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    let mut fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["held_on", "prioritisation", "propositions", "questions", "title"]);

    let setup = json!({
        "title": "Carers' voices day (API test)",
        "held_on": "2027-05-20",
        "venue": "Test Centre",
        "attendee_statements": true,
        "prioritisation": "pairwise",
        "questions": ["Services listen to carers"],
    });
    let response = send(reqwest::Method::POST, list.clone(), setup.clone()).await.unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let one = format!("{list}/{id}");
    let stored = app.store.deliberation(id).await.unwrap().unwrap();
    assert_eq!(created["join_code"], stored.join_code_shown());

    // Statements: a bad text refuses the whole request; then written and seeded, duplicates counted.
    let statements = format!("{one}/statements");
    let response =
        send(reqwest::Method::POST, statements.clone(), json!({"texts": ["Fine (test)", " "]})).await.unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "texts[1]");
    assert!(app.store.statements(id).await.unwrap().is_empty(), "nothing half-saved");
    let programme = programme_id(&app, SLUG).await;
    let insight = app
        .store
        .insights(programme)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.statement.chars().count() <= STATEMENT_MAX)
        .unwrap();
    let response = send(
        reqwest::Method::POST,
        statements.clone(),
        json!({"texts": ["Respite should be easy to book (test)", "Respite should be easy to book (test)."], "insight_ids": [insight.id]}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let added: Value = response.json().await.unwrap();
    assert_eq!(added["added"].as_array().unwrap().len(), 2);
    assert_eq!(added["already_there"], 1);
    let foreign = send(reqwest::Method::POST, statements.clone(), json!({"insight_ids": [999999]})).await.unwrap();
    assert_eq!(foreign.status(), 422);

    // Moves and moderation.
    let status = format!("{one}/status");
    let refused = send(reqwest::Method::POST, status.clone(), json!({"status": "closed"})).await.unwrap();
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "status");
    assert_eq!(send(reqwest::Method::POST, status.clone(), json!({"status": "open"})).await.unwrap().status(), 204);
    let attendee = app
        .store
        .join_deliberation(
            id,
            &AttendeeToken::generate().hash(),
            &Declaration { kind: DeclaredKind::ServiceUser, sector: None },
        )
        .await
        .unwrap();
    let waiting = app.store.suggest_statement(attendee, "More drop-in sessions (test)").await.unwrap();
    let moderation = format!("{one}/moderation");
    let bad = send(reqwest::Method::POST, moderation.clone(), json!({"statement_id": waiting, "state": "pending"}))
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let unknown = send(reqwest::Method::POST, moderation.clone(), json!({"statement_id": 999999, "state": "accepted"}))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let ok = send(reqwest::Method::POST, moderation.clone(), json!({"statement_id": waiting, "state": "accepted"}))
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    // With an attendee in, going back to being set up is refused with the reason; changing how
    // attendees prioritise too.
    let back = send(reqwest::Method::POST, status.clone(), json!({"status": "draft"})).await.unwrap();
    assert_eq!(back.status(), 422);
    let mut changed = setup.clone();
    changed["prioritisation"] = json!("none");
    let edited = send(reqwest::Method::PUT, one.clone(), changed).await.unwrap();
    assert_eq!(edited.status(), 422);
    let mut changed = setup.clone();
    changed["venue"] = json!("Test Annexe");
    assert_eq!(send(reqwest::Method::PUT, one.clone(), changed).await.unwrap().status(), 204);
    app.store.vote(attendee, waiting, heard_domain::deliberation::days::Stance::Disagree).await.unwrap();

    // The whole day as read back: counts only, no attendee named.
    let response = client.get(app.url(&one)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["deliberation"]["venue"], "Test Annexe");
    assert_eq!(body["participation"]["attendees"], 1);
    assert_eq!(body["participation"]["votes"], 1);
    let texts: Vec<&str> = body["statements"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [insight.statement.as_str(), "Respite should be easy to book (test)", "More drop-in sessions (test)"]
    );
    assert!(!body.to_string().contains("attendee_id"));
    let listed: Value = client.get(app.url(&list)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let summary = listed["deliberations"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap().clone();
    assert_eq!((summary["attendees"].as_i64(), summary["votes"].as_i64()), (Some(1), Some(1)));

    // What is left once the volatile parts (ids, times, the code) and the insight's words are set aside.
    let mut shape = body.clone();
    shape["join_code_shown"] = json!("[code]");
    let d = &mut shape["deliberation"];
    for key in ["id", "programme_id", "join_code", "created_at", "opened_at"] {
        d[key] = json!(format!("[{key}]"));
    }
    for (n, q) in d["questions"].as_array_mut().unwrap().iter_mut().enumerate() {
        q["id"] = json!(format!("[question {n}]"));
    }
    for (n, s) in shape["statements"].as_array_mut().unwrap().iter_mut().enumerate() {
        s["id"] = json!(format!("[statement {n}]"));
        s["created_at"] = json!("[created_at]");
        if s["origin"]["kind"] == "insight" {
            s["text"] = json!("[the insight's statement]");
            s["origin"]["id"] = json!("[insight]");
        }
    }
    shape
}

#[tokio::test]
async fn the_api_sets_up_seeds_moderates_and_moves_a_day_on_both_backends() {
    let mut shapes = Vec::new();
    for backend in heard_testkit::backends() {
        shapes.push(api_flow(backend).await);
    }
    assert_eq!(shapes[0], shapes[1], "both backends answer alike");
    insta::assert_snapshot!(serde_json::to_string_pretty(&shapes[0]).unwrap());
}

#[tokio::test]
async fn the_openapi_document_lists_the_deliberation_api() {
    let app = TestApp::spawn().await;
    let doc: Value = app.api_client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/programmes/{slug}/deliberations", "get"),
        ("/api/v1/programmes/{slug}/deliberations", "post"),
        ("/api/v1/programmes/{slug}/deliberations/{id}", "get"),
        ("/api/v1/programmes/{slug}/deliberations/{id}", "put"),
        ("/api/v1/programmes/{slug}/deliberations/{id}/status", "post"),
        ("/api/v1/programmes/{slug}/deliberations/{id}/statements", "post"),
        ("/api/v1/programmes/{slug}/deliberations/{id}/moderation", "post"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path}");
    }
}
