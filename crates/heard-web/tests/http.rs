//! The pages as a person meets them, through the real router on a real port: the permission table
//! walked route by route for every role, an anonymous visitor, a contributor's codes and revoked or
//! deactivated API tokens; another programme's ids guessed in URLs; sign-in and sessions, CSRF,
//! and the journeys a commissioner follows.

use std::collections::HashMap;
use std::time::Duration;

use heard_domain::audit::AuditKind;
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

// A contributor: no account, only a story's receipt code and a Deliberation Day attendee's cookie.

/// The value of the cookie `name` that a response sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| cookie_value(v)[name.len() + 1..].to_owned())
}

/// The receipt code on the thank-you page of a story form.
fn receipt_code_in(html: &str) -> Option<String> {
    let at = html.find("heard-receipt-code\">")? + "heard-receipt-code\">".len();
    Some(html[at..at + html[at..].find('<')?].to_owned())
}

/// Everything a contributor holds after giving a story and joining a Deliberation Day, kept by
/// hand so that every credential can be sent to every route, not only where a browser sends it.
struct Contributor {
    /// `heard_session=…; heard_attendee_CODE=…`
    cookies: String,
    /// The CSRF token of their (anonymous) session, for the public forms.
    csrf: String,
    /// The token the Deliberation Day's forms carry, derived from the attendee cookie.
    attendee_form_token: String,
    attendee_token: String,
    receipt: String,
    join_code: String,
    public_id: String,
}

impl Contributor {
    /// Gives a story through the demo's published form and joins an open Deliberation Day.
    async fn new(app: &TestApp) -> Contributor {
        let client = app.api_client();
        let early = app.store.programme("early-years").await.expect("store").expect("demo programme");
        let form = app
            .store
            .story_forms(early.id)
            .await
            .expect("store")
            .into_iter()
            .find(|f| f.status == heard_domain::voice::forms::FormStatus::Published);
        let public_id = form.expect("the demo publishes a story form").public_id;
        let public = format!("/forms/{public_id}");
        let first = client.get(app.url(&public)).send().await.expect("answer");
        let session = set_cookie(&first, "heard_session").expect("a session for the form's CSRF token");
        let cookies = format!("heard_session={session}");
        let csrf = heard_testkit::app::csrf_token_in(&first.text().await.expect("body")).expect("a CSRF token");
        let story = [
            ("csrf_token", csrf.as_str()),
            ("story", "The bus to the clinic stopped running, so we walked (synthetic, permission test)."),
            ("participant_kind", "parent"),
            ("consents", "research"),
            ("leave_empty", ""),
        ];
        let sent = client.post(app.url(&public)).header("cookie", &cookies).form(&story).send().await.expect("answer");
        assert_eq!(sent.status(), StatusCode::OK, "the story is taken");
        let receipt = receipt_code_in(&sent.text().await.expect("body")).expect("a receipt code");

        let join_code = open_deliberation(app, early.id).await;
        let day = format!("/d/{join_code}");
        let start = client.get(app.url(&day)).send().await.expect("answer");
        let cookie_name = format!("heard_attendee_{join_code}");
        let attendee_token = set_cookie(&start, &cookie_name).expect("the attendee cookie");
        let cookies = format!("{cookies}; {cookie_name}={attendee_token}");
        let token = heard_testkit::app::csrf_token_in(&start.text().await.expect("body")).expect("a form token");
        let declared = client
            .post(app.url(&day))
            .header("cookie", &cookies)
            .form(&[("csrf_token", token.as_str()), ("kind", "service_user"), ("sector", "")])
            .send()
            .await
            .expect("answer");
        assert_eq!(declared.status(), StatusCode::SEE_OTHER, "the attendee joins");
        Contributor { cookies, csrf, attendee_form_token: token, attendee_token, receipt, join_code, public_id }
    }
}

/// A Deliberation Day of `programme`, open; its join code.
async fn open_deliberation(app: &TestApp, programme: i64) -> String {
    use heard_domain::dates::DateParts;
    use heard_domain::deliberation::days::{DeliberationFields, DeliberationInput, DeliberationStatus};
    let input = DeliberationInput::parse(&DeliberationFields {
        title: "Permission test day (synthetic)".into(),
        held_on: DateParts { day: "14".into(), month: "3".into(), year: "2027".into() },
        venue: String::new(),
        attendee_statements: true,
        prioritisation: "none".into(),
        dots: String::new(),
    })
    .expect("a valid day");
    let id = app.store.create_deliberation(programme, &input, &[], None).await.expect("store");
    app.store.move_deliberation(id, DeliberationStatus::Open).await.expect("store");
    app.store.deliberation(id).await.expect("store").expect("the day").join_code
}

#[tokio::test]
async fn a_contributor_reaches_only_public_routes_whatever_they_send_their_codes_to() {
    let app = TestApp::spawn().await;
    let fixtures = Fixtures::new(&app).await;
    let contributor = Contributor::new(&app).await;
    let client = app.api_client();

    // What the codes do grant: their own story, under the programme it was given to only.
    let read = client
        .post(app.url("/forms/receipt"))
        .header("cookie", &contributor.cookies)
        .form(&[("csrf_token", contributor.csrf.as_str()), ("code", contributor.receipt.as_str())])
        .send()
        .await
        .expect("answer");
    assert_eq!(read.status(), StatusCode::OK);
    assert!(read.text().await.expect("body").contains("The bus to the clinic stopped running"));
    for (slug, expected) in [("early-years", StatusCode::OK), ("dementia", StatusCode::UNPROCESSABLE_ENTITY)] {
        let path = format!("/you-said-we-did/{slug}");
        let fields = [("csrf_token", contributor.csrf.as_str()), ("receipt", contributor.receipt.as_str())];
        let looked_up =
            client.post(app.url(&path)).header("cookie", &contributor.cookies).form(&fields).send().await.expect("a");
        assert_eq!(looked_up.status(), expected, "a receipt looked up on {slug}'s public page");
        if expected != StatusCode::OK {
            assert!(looked_up.text().await.expect("body").contains("could not find a story given to this programme"));
        }
    }

    // Every route, with every credential a contributor holds sent wherever it could be sent: the
    // cookies on every request, the codes in every form, and as a bearer token on the API.
    let mut tried = 0;
    for route in route_specs() {
        let path = fixtures
            .path(&route)
            .replace("/d/ZZZZZZ", &format!("/d/{}", contributor.join_code))
            .replace("/forms/nosuchform", &format!("/forms/{}", contributor.public_id));
        let form_token = if path.starts_with("/d/") { &contributor.attendee_form_token } else { &contributor.csrf };
        let fields = [
            ("csrf_token", form_token.as_str()),
            ("code", contributor.receipt.as_str()),
            ("receipt", contributor.receipt.as_str()),
            ("token", contributor.attendee_token.as_str()),
        ];
        let bearers: &[Option<&str>] = match route.surface() {
            Surface::Page => &[None],
            Surface::Api => &[None, Some(&contributor.receipt), Some(&contributor.attendee_token)],
        };
        for bearer in bearers {
            let mut request =
                client.request(route.method.clone(), app.url(&path)).header("cookie", &contributor.cookies);
            if let Some(bearer) = bearer {
                request = request.bearer_auth(bearer);
            }
            request = match (route.surface(), &route.method) {
                (_, &reqwest::Method::GET) => request,
                (Surface::Page, _) => request.form(&fields),
                (Surface::Api, _) => request.json(&serde_json::json!({"code": contributor.receipt})),
            };
            let response = request.send().await.expect("the server answers");
            let status = response.status();
            let label = format!("{} {path} as a contributor (bearer: {})", route.method, bearer.is_some());
            assert!(status.as_u16() < 500, "{label} answered {status}");
            if bearer.is_some() {
                // A code is no API token: refused everywhere, as any unknown token is.
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}");
            } else {
                let allowed = permits(None, route.action);
                let was_refused = refused(route.surface(), false, &response);
                assert_eq!(
                    !allowed, was_refused,
                    "{label}: the table says allowed={allowed}, but it answered {status}"
                );
            }
            tried += 1;
        }
    }
    assert!(tried > route_specs().len(), "every route tried, the API's with each code as a bearer token");
}

// API tokens: revoked, or a deactivated person's.

/// Entries in the audit log about `object`, of `kind`.
async fn audited(app: &TestApp, kind: AuditKind, object: &str) -> Vec<heard_store::AuditEvent> {
    let filter = heard_store::AuditFilter { kind: Some(kind), object: Some(object.to_owned()), ..Default::default() };
    app.store.audit_log(&filter, 0, 10_000).await.expect("store").entries
}

/// Sends `token` to every API route; the routes and what each answered.
async fn every_api_route_with(app: &TestApp, fixtures: &Fixtures, token: &str) -> Vec<(String, StatusCode, String)> {
    let mut answers = Vec::new();
    for route in route_specs().into_iter().filter(|r| r.surface() == Surface::Api) {
        let path = fixtures.path(&route);
        let mut request = app.api_client().request(route.method.clone(), app.url(&path)).bearer_auth(token);
        if route.method != reqwest::Method::GET && route.method != reqwest::Method::DELETE {
            request = request.json(&serde_json::json!({}));
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        answers.push((format!("{} {path}", route.method), status, response.text().await.expect("body")));
    }
    answers
}

#[tokio::test]
async fn a_revoked_token_is_refused_on_every_api_route_and_each_attempt_is_audited() {
    let app = TestApp::spawn().await;
    let fixtures = Fixtures::new(&app).await;
    let api_routes = route_specs().into_iter().filter(|r| r.surface() == Surface::Api).count();
    assert!(api_routes > 40, "the API has its routes");
    // What a token nobody ever held gets: the revoked one must get the same, telling nothing more.
    let unknown = every_api_route_with(&app, &fixtures, heard_domain::governance::ApiToken::generate().expose()).await;
    for (route, status, _) in &unknown {
        assert_eq!(*status, StatusCode::UNAUTHORIZED, "{route} with a token nobody held");
    }

    for role in Role::ALL.iter().copied() {
        let user = app.demo_user(role).await;
        let token = app.token(role).await;
        let id = app.store.api_tokens(user.id).await.expect("store")[0].id;
        let object = format!("api_token {id}");
        // Its holder revokes it through the API, with the token itself.
        let revoked = app
            .api_client()
            .delete(app.url(&format!("/api/v1/me/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("answer");
        assert!(revoked.status().is_success(), "{role:?} revokes their token: {}", revoked.status());
        let used_before = audited(&app, AuditKind::ApiTokenUsed, &object).await.len();
        assert_eq!(used_before, 1, "the revoking call was the token's one use");

        let answers = every_api_route_with(&app, &fixtures, &token).await;
        assert_eq!(answers.len(), api_routes);
        for ((route, status, body), (_, _, unknown_body)) in answers.iter().zip(&unknown) {
            assert_eq!(*status, StatusCode::UNAUTHORIZED, "{route} with {role:?}'s revoked token");
            assert_eq!(body, unknown_body, "{route}: a revoked token is answered as an unknown one");
        }
        let refusals = audited(&app, AuditKind::SignInFailed, &object).await;
        assert_eq!(refusals.len(), api_routes, "each attempt with {role:?}'s revoked token is in the audit log");
        assert!(refusals.iter().all(|e| e.action == "api_token.refused" && e.actor_id == Some(user.id)));
        assert_eq!(audited(&app, AuditKind::ApiTokenUsed, &object).await.len(), used_before, "no use recorded");
    }
}

#[tokio::test]
async fn a_deactivated_persons_token_is_refused_on_every_api_route() {
    let app = TestApp::spawn().await;
    let fixtures = Fixtures::new(&app).await;
    let user = app.demo_user(Role::Researcher).await;
    let token = app.token(Role::Researcher).await;
    assert_eq!(app.api_client().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.expect("a").status(), 200);
    let change = heard_store::UserChange { display_name: user.display_name.clone(), role: user.role, active: false };
    app.store.update_user(user.id, &change).await.expect("store");
    for (route, status, _) in every_api_route_with(&app, &fixtures, &token).await {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{route} with a deactivated researcher's token");
    }
}

// Guessing ids across programmes. Roles are the installation's, not a programme's, so what keeps
// one programme's things apart is that every route finds its thing within the programme its URL
// names: another programme's id, guessed, is not found (404), never shown or changed, and never
// refused (403), which would tell that it exists. A request whose form or body is refused before
// any id is looked up (400, 422) must be refused alike for an id that nothing has.

/// Parameters that are not a thing's id, filled as [`Fixtures::path`] fills them.
const NOT_IDS: &[&str] = &["{slug}", "{position}", "{purpose}", "{kind}", "{code}", "{public_id}", "{token_id}"];

/// The things of one programme by the path segment their id follows (`sources`, `factors`...).
struct Things {
    slug: &'static str,
    ids: HashMap<&'static str, i64>,
}

impl Things {
    async fn of(app: &TestApp, slug: &'static str) -> Things {
        let store = &app.store;
        let programme = store.programme(slug).await.expect("store").expect("demo programme").id;
        let mut ids = HashMap::new();
        let mut put = |kind: &'static str, id: Option<i64>| {
            if let Some(id) = id {
                ids.insert(kind, id);
            }
        };
        put("activities", store.activities(programme).await.expect("store").first().map(|a| a.id));
        put("participants", store.participants(programme).await.expect("store").first().map(|p| p.id));
        let filters = heard_store::SearchFilters { programme_id: Some(programme), ..Default::default() };
        let (sources, _) = store.sources(&filters, 1).await.expect("store");
        put("sources", sources.first().map(|s| s.id));
        let films = heard_store::SearchFilters {
            kind: Some(heard_domain::voice::sources::SourceKind::Film),
            ..filters.clone()
        };
        put("films", store.sources(&films, 1).await.expect("store").0.first().map(|s| s.id));
        put("insights", store.insights(programme).await.expect("store").first().map(|i| i.id));
        let codes = store.codes(Some(programme)).await.expect("store");
        put("codebook", codes.iter().find(|c| c.programme_id == Some(programme)).map(|c| c.id));
        if let Some(map) = store.cause_maps(programme).await.expect("store").first() {
            let map = store.cause_map(programme, map.id).await.expect("store").expect("the map");
            put("cause-maps", Some(map.id));
            put("factors", map.factors.iter().find(|f| !f.central).map(|f| f.id));
            put("arrows", map.arrows.first().map(|a| a.id));
        }
        put("decisions", store.decisions(programme).await.expect("store").first().map(|d| d.id));
        let outcomes = store.outcomes(programme, None).await.expect("store");
        let measured = outcomes.iter().find(|o| !o.measurements.is_empty() && !o.reviews.is_empty());
        if let Some(outcome) = measured.or(outcomes.first()) {
            // An outcome's routes name its decision too.
            put("decisions", Some(outcome.decision_id));
            put("outcomes", Some(outcome.id));
            put("measurements", outcome.measurements.first().map(|m| m.id));
            put("reviews", outcome.reviews.first().map(|r| r.id));
        }
        put("deliberations", store.deliberations(programme).await.expect("store").first().map(|d| d.id));
        put("forms", store.story_forms(programme).await.expect("store").first().map(|f| f.id));
        put("propositions", store.propositions(programme).await.expect("store").first().map(|p| p.id));
        let reflections = store.reflections(programme, Default::default()).await.expect("store");
        put("reflections", reflections.first().map(|r| r.id));
        let themes = store.latest_theme_run(programme).await.expect("store");
        put("themes", themes.and_then(|run| run.themes.first().map(|t| t.id)));
        Things { slug, ids }
    }

    /// Everything the programme holds that these routes could change, to compare before and after.
    async fn fingerprint(&self, app: &TestApp) -> String {
        let store = &app.store;
        let programme = store.programme(self.slug).await.expect("store").expect("programme").id;
        let filters = heard_store::SearchFilters { programme_id: Some(programme), ..Default::default() };
        let mut maps = Vec::new();
        for map in store.cause_maps(programme).await.expect("store") {
            maps.push(store.cause_map(programme, map.id).await.expect("store"));
        }
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            store.activities(programme).await.expect("store"),
            store.participants(programme).await.expect("store"),
            store.sources(&filters, 1).await.expect("store").0,
            store.insights(programme).await.expect("store"),
            store.codes(Some(programme)).await.expect("store"),
            maps,
            store.decisions(programme).await.expect("store"),
            store.outcomes(programme, None).await.expect("store"),
            store.deliberations(programme).await.expect("store"),
            store.story_forms(programme).await.expect("store"),
            store.propositions(programme).await.expect("store"),
            store.reflections(programme, Default::default()).await.expect("store"),
            store.stages(programme).await.expect("store"),
        )
    }
}

/// The kinds of thing a route's path names by id, in order: the segment before each parameter
/// (a recording is a film's, so `/media` names a film).
fn id_kinds(path: &str) -> Vec<&str> {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .windows(2)
        .filter(|pair| pair[1].starts_with('{') && !NOT_IDS.contains(&pair[1]))
        .map(|pair| if pair[0] == "sources" && path.ends_with("/media") { "films" } else { pair[0] })
        .collect()
}

/// `route`'s path under `slug`, each id taken from `ids` in order, other parameters as the
/// permission walk fills them.
fn path_with(fixtures: &Fixtures, route: &RouteSpec, slug: &str, ids: &[i64]) -> String {
    let mut path = route.path.to_owned();
    for id in ids {
        let at = path
            .match_indices('{')
            .map(|(at, _)| at)
            .find(|&at| !NOT_IDS.iter().any(|p| path[at..].starts_with(p)))
            .expect("a parameter per id");
        let end = at + path[at..].find('}').expect("a closing brace");
        path.replace_range(at..=end, &id.to_string());
    }
    let path = path.replace("{slug}", slug);
    let path = fixtures.path(&RouteSpec { path: Box::leak(path.into_boxed_str()), ..route.clone() });
    // A cause map's download names its format.
    if route.path.ends_with("/cause-maps/{id}/export") { format!("{path}?format=kumu") } else { path }
}

/// Someone the route is for: a role the table allows it.
fn allowed_role(action: Action) -> Option<Role> {
    [Role::Researcher, Role::Commissioner, Role::Facilitator, Role::Administrator]
        .into_iter()
        .find(|role| permits(Some(*role), action))
}

/// One client per role, pages and API, made when first needed.
struct Callers<'a> {
    app: &'a TestApp,
    browsers: HashMap<Role, (heard_testkit::app::Browser, String)>,
    tokens: HashMap<Role, String>,
}

impl Callers<'_> {
    async fn send(&mut self, route: &RouteSpec, role: Role, path: &str) -> reqwest::Response {
        match route.surface() {
            Surface::Page => {
                if !self.browsers.contains_key(&role) {
                    let browser = self.app.signed_in(role).await;
                    let csrf = browser.csrf_token("/account").await;
                    self.browsers.insert(role, (browser, csrf));
                }
                let (browser, csrf) = &self.browsers[&role];
                if route.method == reqwest::Method::GET {
                    browser.get(path).await
                } else {
                    browser.post(path, csrf, &[]).await
                }
            }
            Surface::Api => {
                if !self.tokens.contains_key(&role) {
                    self.tokens.insert(role, self.app.token(role).await);
                }
                let mut request = self.app.api_client().request(route.method.clone(), self.app.url(path));
                request = request.bearer_auth(&self.tokens[&role]);
                if route.method != reqwest::Method::GET && route.method != reqwest::Method::DELETE {
                    request = request.json(&serde_json::json!({}));
                }
                request.send().await.expect("the server answers")
            }
        }
    }
}

#[tokio::test]
async fn another_programmes_ids_guessed_in_a_url_are_not_found() {
    for backend in heard_testkit::backends() {
        guessed_ids_are_not_found(backend).await;
    }
}

async fn guessed_ids_are_not_found(backend: TestBackend) {
    let app = TestApp::spawn_on(backend).await;
    let fixtures = Fixtures::new(&app).await;
    // Early Years holds one of everything; Working Age Adults with Disabilities its own participants,
    // sources, cause map, decision, outcomes and reflections.
    let early = Things::of(&app, "early-years").await;
    let adults = Things::of(&app, "adults-with-disabilities").await;
    let before = (early.fingerprint(&app).await, adults.fingerprint(&app).await);
    let mut callers = Callers { app: &app, browsers: HashMap::new(), tokens: HashMap::new() };
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut not_found = 0;
    let mut untried = std::collections::BTreeSet::new();
    let routes: Vec<RouteSpec> =
        route_specs().into_iter().filter(|r| r.path.contains("{slug}") && !id_kinds(r.path).is_empty()).collect();
    assert!(routes.len() > 60, "the programme's routes that name a thing by id: {}", routes.len());

    for (owner, asker) in [(&early, &adults), (&adults, &early)] {
        for route in &routes {
            let kinds = id_kinds(route.path);
            let Some(owned) = kinds.iter().map(|k| owner.ids.get(k).copied()).collect::<Option<Vec<i64>>>() else {
                untried.insert(format!("{} (no {} in {})", route.path, kinds.join("/"), owner.slug));
                continue;
            };
            let role = allowed_role(route.action).expect("a role that may use the route");
            let label = |path: &str| format!("{} {path} as {role:?}", route.method);
            // Under the owner's own slug a page that only reads answers: the ids are real.
            if route.method == reqwest::Method::GET {
                let own = path_with(&fixtures, route, owner.slug, &owned);
                let status = callers.send(route, role, &own).await.status();
                if status != StatusCode::OK {
                    problems.push(format!("{}: answered {status} under its own programme", label(&own)));
                }
            }
            // Under the other programme's slug: wholly the owner's ids, then (for a thing within a
            // thing) the asker's own first id with the owner's inner one.
            let mut guesses = vec![owned.clone()];
            if owned.len() > 1
                && let Some(first) = asker.ids.get(kinds[0])
            {
                let mut mixed = owned.clone();
                mixed[0] = *first;
                guesses.push(mixed);
            }
            for ids in guesses {
                let guessed = path_with(&fixtures, route, asker.slug, &ids);
                let status = callers.send(route, role, &guessed).await.status();
                // The same request with the owner's ids replaced by ids nothing has.
                let none: Vec<i64> =
                    ids.iter().zip(&owned).map(|(id, own)| if id == own { 999_999 } else { *id }).collect();
                let absent = callers.send(route, role, &path_with(&fixtures, route, asker.slug, &none)).await.status();
                tried += 1;
                if status == StatusCode::NOT_FOUND {
                    not_found += 1;
                } else if status != absent || !matches!(status.as_u16(), 400 | 422) {
                    // A form or body refused before the id is looked up is refused alike for an id
                    // that does not exist, and so tells nothing; anything else is a leak.
                    problems.push(format!("{}: answered {status}; an id nothing has: {absent}", label(&guessed)));
                }
            }
        }
    }
    let after = (early.fingerprint(&app).await, adults.fingerprint(&app).await);
    assert!(problems.is_empty(), "on {backend:?}:\n{}", problems.join("\n"));
    assert!(before == after, "on {backend:?}, a guessed id changed something");
    assert!(tried > routes.len(), "on {backend:?}, {tried} guesses; not tried: {untried:#?}");
    println!(
        "on {backend:?}: {tried} guesses, {not_found} not found, the rest refused for their body; not tried: {untried:?}"
    );
    assert!(not_found * 2 > tried, "on {backend:?}, most guesses ({not_found} of {tried}) are found to be nothing");
    for kind in ["sources", "participants", "decisions", "outcomes", "insights", "propositions", "cause-maps"] {
        assert!(early.ids.contains_key(kind), "Early Years has {kind} to guess");
    }
}
