//! The pages as a person meets them, through the real router on a real port: the permission table
//! walked route by route for every role, sign-in and sessions, CSRF, and the journeys a commissioner
//! follows.

use std::collections::HashMap;
use std::time::Duration;

use heard_domain::governance::{Action, Role, permits};
use heard_testkit::{TestApp, TestBackend};
use heard_web::{RouteSpec, Surface, WebSettings, route_specs};
use reqwest::StatusCode;

/// Concrete values for a route's parameters, chosen from the demo data.
struct Fixtures {
    activity_id: i64,
    participant_id: i64,
    partner_id: i64,
    viewer_id: i64,
}

impl Fixtures {
    async fn new(app: &TestApp) -> Self {
        let programme = app.store.programme("early-years").await.expect("store").expect("demo programme");
        let activity_id = app.store.activities(programme.id).await.expect("store")[0].id;
        let participant_id = app.store.participants(programme.id).await.expect("store")[0].id;
        let partner_id = app.store.partners().await.expect("store")[0].id;
        let viewer_id = app.demo_user(Role::Viewer).await.id;
        Fixtures { activity_id, participant_id, partner_id, viewer_id }
    }

    /// The route's path with every `{param}` filled in; a new kind of parameter must be taught here.
    fn path(&self, route: &RouteSpec) -> String {
        let mut path = route.path.to_owned();
        let id = if route.path.contains("/activities/") {
            self.activity_id
        } else if route.path.contains("/participants/") {
            self.participant_id
        } else if route.path.contains("/partners/") {
            self.partner_id
        } else if route.path.contains("/users/") {
            self.viewer_id
        } else {
            // Token ids: one that does not exist, so no test revokes the token it is using.
            999_999
        };
        for (param, value) in [
            ("{slug}", "early-years".to_owned()),
            ("{position}", "2".to_owned()),
            ("{token_id}", "999999".to_owned()),
            ("{purpose}", "research".to_owned()),
            // Story forms that do not exist, so no test publishes, closes or answers one.
            ("{form_id}", "999999".to_owned()),
            ("{public_id}", "nosuchform".to_owned()),
            // A Deliberation Day join code that no deliberation has.
            ("{code}", "ZZZZZZ".to_owned()),
            // A cause map's factors and arrows that do not exist, so no test deletes a demo one.
            ("{factor}", "999999".to_owned()),
            ("{arrow}", "999999".to_owned()),
            ("{factor_id}", "999999".to_owned()),
            // A factor that does not exist, so no test links a signal to a demo one.
            ("{factor_id}", "999999".to_owned()),
            // An outcome that does not exist, so no test measures or reviews a demo one.
            ("{outcome}", "999999".to_owned()),
            // Measurements and review dates that do not exist, so no test changes a demo one.
            ("{measurement}", "999999".to_owned()),
            ("{review}", "999999".to_owned()),
            // A source kind with no retention rule, so no test removes one.
            ("{kind}", "field_note".to_owned()),
            ("{id}", id.to_string()),
        ] {
            path = path.replace(param, &value);
        }
        assert!(!path.contains('{'), "teach the permission test a value for the parameters of {}", route.path);
        path
    }
}

/// Whether a response means "you may not": what each surface answers when access is refused.
fn refused(surface: Surface, signed_in: bool, response: &reqwest::Response) -> bool {
    let status = response.status();
    let to_sign_in = status == StatusCode::SEE_OTHER
        && response.headers().get("location").and_then(|l| l.to_str().ok()) == Some("/sign-in");
    match (surface, signed_in) {
        (Surface::Api, false) => status == StatusCode::UNAUTHORIZED,
        (Surface::Page, false) => to_sign_in,
        (_, true) => status == StatusCode::FORBIDDEN,
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_permission_table_says() {
    let app = TestApp::spawn().await;
    let fixtures = Fixtures::new(&app).await;
    let routes = route_specs();
    assert!(routes.len() > 40, "the route table lists the application's routes");

    let mut who: Vec<Option<Role>> = vec![None];
    who.extend(Role::ALL.iter().copied().map(Some));
    let mut checked = HashMap::new();
    for role in who {
        let browser = match role {
            Some(role) => app.signed_in(role).await,
            None => app.browser(),
        };
        let form_page = if role.is_some() { "/account" } else { "/sign-in" };
        let csrf = browser.csrf_token(form_page).await;
        assert!(!csrf.is_empty(), "a form on {form_page} carries a CSRF token");
        let token = match role {
            Some(role) => Some(app.token(role).await),
            None => None,
        };
        for route in &routes {
            let path = fixtures.path(route);
            let response = match route.surface() {
                Surface::Page if route.path == "/sign-out" && role.is_some() => {
                    // Signing out would end this browser's session for the routes after it.
                    let once = app.signed_in(role.expect("signed in")).await;
                    let csrf = once.csrf_token("/account").await;
                    once.post(&path, &csrf, &[]).await
                }
                Surface::Page if route.method == reqwest::Method::GET => browser.get(&path).await,
                Surface::Page => browser.post(&path, &csrf, &[]).await,
                Surface::Api => {
                    let mut request = app.api_client().request(route.method.clone(), app.url(&path));
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    if route.method != reqwest::Method::GET && route.method != reqwest::Method::DELETE {
                        request = request.json(&serde_json::json!({}));
                    }
                    request.send().await.expect("the server answers")
                }
            };
            let status = response.status();
            let label = format!("{} {} as {:?}", route.method, path, role);
            assert!(status.as_u16() < 500, "{label} answered {status}");
            let allowed = permits(role, route.action);
            let was_refused = refused(route.surface(), role.is_some(), &response);
            assert_eq!(!allowed, was_refused, "{label}: the table says allowed={allowed}, but it answered {status}");
            *checked.entry(allowed).or_insert(0) += 1;
        }
    }
    assert!(checked[&true] > 50 && checked[&false] > 50, "both allowed and refused accesses were tried: {checked:?}");
}

#[tokio::test]
async fn the_api_does_not_accept_a_session_cookie() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Administrator).await;
    assert!(browser.page("/account").await.contains("Your account"));
    let response = browser.get("/api/v1/me").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn public_routes_need_no_account() {
    let app = TestApp::spawn().await;
    let public: Vec<_> = route_specs().into_iter().filter(|r| r.action == Action::Public).map(|r| r.path).collect();
    assert!(public.contains(&"/healthz") && public.contains(&"/sign-in") && public.contains(&"/api/v1/openapi.json"));
    let health: serde_json::Value =
        app.api_client().get(app.url("/healthz")).send().await.expect("answer").json().await.expect("json");
    assert_eq!(health["database"]["backend"], "sqlite");
    assert_eq!(health["database"]["reachable"], true);
}

#[tokio::test]
async fn signing_in_rotates_the_session_and_sets_safe_cookies() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let first = browser.get("/sign-in").await;
    let before = session_cookie(&first).expect("a session for the sign-in form's token");
    assert!(before.contains("HttpOnly") && before.contains("SameSite=Lax") && !before.contains("Secure"), "{before}");
    let html = first.text().await.expect("body");
    let csrf = heard_testkit::app::csrf_token_in(&html).expect("a token in the form");
    let user = app.demo_user(Role::Commissioner).await;
    let response = browser
        .post("/sign-in", &csrf, &[("email", &user.email), ("password", heard_store::demo::DEMO_PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = session_cookie(&response).expect("a new session id at sign-in");
    assert_ne!(cookie_value(&before), cookie_value(&after), "the session id changes at sign-in");
    assert!(browser.page("/").await.contains("Programmes"));
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_https() {
    let settings = WebSettings { secure_cookies: true, ..WebSettings::default() };
    let app = TestApp::spawn_with(TestBackend::Sqlite, settings).await;
    let response = app.browser().get("/sign-in").await;
    assert!(session_cookie(&response).expect("a session cookie").contains("Secure"));
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("heard_session="))
        .map(str::to_owned)
}

fn cookie_value(cookie: &str) -> &str {
    cookie.split(';').next().unwrap_or_default()
}

#[tokio::test]
async fn a_wrong_password_is_refused_without_saying_which_part_was_wrong() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for email in ["commissioner@demo.heard.example", "nobody@demo.heard.example"] {
        let response =
            browser.submit("/sign-in", "/sign-in", &[("email", email), ("password", "not the password")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.expect("body");
        assert!(html.contains("There is a problem") && html.contains("Enter a correct email address and password"));
    }
    let blank = browser.submit("/sign-in", "/sign-in", &[("email", "not an email"), ("password", "")]).await;
    let html = blank.text().await.expect("body");
    assert!(html.contains("href=\"#email\"") && html.contains("href=\"#password\""), "each field is named: {html}");
    assert_eq!(browser.get("/").await.status(), StatusCode::SEE_OTHER, "still not signed in");
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_account() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let email = "researcher@demo.heard.example";
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            browser.submit("/sign-in", "/sign-in", &[("email", email), ("password", "wrong password!")]).await.status(),
        );
    }
    assert_eq!(statuses[..5], [StatusCode::UNPROCESSABLE_ENTITY; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits for the limit.
    let right = browser
        .submit("/sign-in", "/sign-in", &[("email", email), ("password", heard_store::demo::DEMO_PASSWORD)])
        .await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account from the same address is not locked out.
    let other = app.browser();
    let response = other
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", "viewer@demo.heard.example"), ("password", heard_store::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Commissioner).await;
    let forged = browser.post("/programmes/early-years/stages/7/move", "", &[("direction", "forward")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let wrong = browser.post("/programmes/early-years/stages/7/move", "0000", &[("direction", "forward")]).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let programme = app.store.programme("early-years").await.expect("store").expect("demo");
    let stages = app.store.stages(programme.id).await.expect("store");
    assert_eq!(stages[6].status, heard_domain::journeys::StageStatus::NotStarted, "nothing moved");
}

#[tokio::test]
async fn signing_out_ends_the_session_for_good() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Facilitator).await;
    let cookie = browser.get("/").await;
    assert_eq!(cookie.status(), StatusCode::OK);
    let csrf = browser.csrf_token("/account").await;
    let out = browser.post("/sign-out", &csrf, &[]).await;
    assert_eq!(out.headers()["location"], "/sign-in");
    let after = browser.get("/").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(after.headers()["location"], "/sign-in");
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_time_limit() {
    let settings = WebSettings { absolute_timeout: Duration::from_secs(1), ..WebSettings::default() };
    let app = TestApp::spawn_with(TestBackend::Sqlite, settings).await;
    let browser = app.signed_in(Role::Viewer).await;
    assert_eq!(browser.get("/").await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = browser.get("/").await;
    assert_eq!(expired.headers()["location"], "/sign-in");
    assert!(browser.page("/sign-in").await.contains("time limit"), "the person is told why");
}

#[tokio::test]
async fn a_commissioner_moves_a_stage_and_sees_the_rule_when_it_cannot_move() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Commissioner).await;
    let before = browser.page("/programmes/early-years/stages/6").await;
    assert!(before.contains("In progress"));
    let moved = browser
        .submit(
            "/programmes/early-years/stages/6",
            "/programmes/early-years/stages/6/move",
            &[("direction", "forward")],
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let after = browser.page("/programmes/early-years/stages/6").await;
    assert!(after.contains("is now complete"), "a banner says what happened");

    let refused = browser
        .submit("/programmes/dementia/stages/3", "/programmes/dementia/stages/3/move", &[("direction", "forward")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.expect("body");
    assert!(html.contains("There is a problem") && html.contains("before starting this stage"), "{html}");
}

#[tokio::test]
async fn recording_an_activity_adds_to_who_was_in_the_room() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Facilitator).await;
    let form = "/programmes/mental-health/activities/new";
    let room_before = room_total(&app, "mental-health").await;
    let fields = [
        ("kind", "listening_event"),
        ("title", "Listening event at the synthetic drop-in"),
        ("held_on.day", "12"),
        ("held_on.month", "3"),
        ("held_on.year", "2015"),
        ("place", "Demo Community Hall"),
        ("facilitator", "Demo Facilitation Team"),
        ("stage", "2"),
        ("attendance.kind.service_user", "9"),
        ("attendance.kind.carer", "6"),
        ("attendance.sector.citizen", "15"),
    ];
    let saved = browser.submit(form, form, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().expect("ascii").to_owned();
    let activity = browser.page(&location).await;
    assert!(activity.contains("Activity recorded") && activity.contains("Demo Community Hall"));
    assert_eq!(room_total(&app, "mental-health").await, room_before + 15);

    let mismatch = [("attendance.kind.carer", "6"), ("attendance.sector.citizen", "5")];
    let mut bad = fields.to_vec();
    bad.retain(|(name, _)| !name.starts_with("attendance") && *name != "held_on.month");
    bad.extend(mismatch);
    let refused = browser.submit(form, form, &bad).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.expect("body");
    assert!(html.contains("href=\"#held_on\"") && html.contains("must include a month"), "the date is named");
    assert!(html.contains("href=\"#attendance-kind\"") && html.contains("adds up to 6"), "the mismatch is named");
    assert!(html.contains("value=\"Demo Community Hall\""), "what was typed is kept");
    assert_eq!(room_total(&app, "mental-health").await, room_before + 15, "nothing half-saved");
}

async fn room_total(app: &TestApp, slug: &str) -> u32 {
    let programme = app.store.programme(slug).await.expect("store").expect("programme");
    app.store.room(programme.id).await.expect("store").attendances
}

#[tokio::test]
async fn an_administrator_edits_the_template_and_running_programmes_keep_their_stages() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Administrator).await;
    let page = "/admin/journey-template";
    let html = browser.page(page).await;
    assert!(html.contains("value=\"Case for change\""));
    let fields = [
        ("stages[0].order", "2"),
        ("stages[0].name", "Why change"),
        ("stages[1].order", "1"),
        ("stages[1].name", "Listen first"),
        ("stages[2].order", "3"),
        ("stages[2].name", "Prepare the room"),
    ];
    let saved = browser.submit(page, page, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let template: Vec<_> = app.store.journey_template().await.expect("store").into_iter().map(|s| s.name).collect();
    assert_eq!(template, ["Listen first", "Why change", "Prepare the room"]);

    let programme = app.store.programme("dementia").await.expect("store").expect("demo");
    assert_eq!(app.store.stages(programme.id).await.expect("store").len(), 8, "an existing journey is unchanged");

    let created = browser
        .submit(
            "/programmes/new",
            "/programmes/new",
            &[("name", "Carers' Breaks"), ("aim", "Breaks that carers can count on."), ("status", "active")],
        )
        .await;
    assert_eq!(created.headers()["location"], "/programmes/carers-breaks");
    let new_programme = browser.page("/programmes/carers-breaks").await;
    assert!(new_programme.contains("1. Listen first") && new_programme.contains("3. Prepare the room"));
}

#[tokio::test]
async fn unknown_things_are_not_found_and_bad_paths_do_not_fail() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Administrator).await;
    for path in [
        "/programmes/no-such-programme",
        "/programmes/early-years/stages/99",
        "/programmes/early-years/stages/not-a-number",
        "/programmes/early-years/activities/424242",
        "/admin/users/424242",
        "/no/such/page",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.text().await.expect("body").contains("Page not found"));
    }
}

#[tokio::test]
async fn the_application_runs_unchanged_on_postgresql() {
    let app = TestApp::spawn_on(TestBackend::Postgres).await;
    let health: serde_json::Value =
        app.api_client().get(app.url("/healthz")).send().await.expect("answer").json().await.expect("json");
    assert_eq!(health["database"]["backend"], "postgresql");
    let browser = app.signed_in(Role::Commissioner).await;
    assert!(browser.page("/").await.contains("Working Age Adults with Disabilities"));
    let moved = browser
        .submit("/programmes/dementia/stages/1", "/programmes/dementia/stages/1/move", &[("direction", "forward")])
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    assert!(browser.page("/programmes/dementia/stages/1").await.contains("is now complete"));
}

#[tokio::test]
async fn pages_are_not_cached_and_load_nothing_from_elsewhere() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let page = browser.get("/programmes/early-years").await;
    let header = |name: &str| page.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(header("cache-control"), "no-store");
    assert!(header("content-security-policy").contains("default-src 'self'"));
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    let css = browser.get("/assets/heard.css").await;
    assert!(css.headers()["cache-control"].to_str().expect("ascii").contains("max-age"), "assets may be cached");
}
