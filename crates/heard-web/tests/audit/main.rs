//! The audit log and the security headers through the real router, on both backends: a sign-in, a
//! failed sign-in, a view of original text, an export and an API call each leave exactly one entry
//! of the right kind naming the right user by id (never a password, nor an address that names no
//! account); the administrator's page reads and filters the log; the route table marks every
//! export and every look at original text; every answer carries the headers.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::audit::AuditKind;
use heard_domain::governance::{Action, Role};
use heard_domain::voice::participants::ConsentPurpose;
use heard_store::demo::DEMO_PASSWORD;
use heard_store::{AuditEvent, SearchFilters};
use heard_testkit::{TestApp, TestBackend};
use heard_web::{Audited, CONTENT_SECURITY_POLICY, WebSettings, route_specs};

/// The entries written since `before` (an entry id), oldest first.
async fn since(app: &TestApp, before: i64) -> Vec<AuditEvent> {
    let mut events: Vec<_> =
        app.store.audit_events(1000).await.unwrap().into_iter().filter(|e| e.id > before).collect();
    events.reverse();
    events
}

async fn last_id(app: &TestApp) -> i64 {
    app.store.audit_events(1).await.unwrap().first().map_or(0, |e| e.id)
}

#[tokio::test]
async fn each_audited_act_leaves_one_entry_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let researcher = app.demo_user(Role::Researcher).await;

        // A sign-in: one entry, the user by id.
        let before = last_id(&app).await;
        let browser = app.signed_in(Role::Researcher).await;
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].actor_id), (AuditKind::SignIn, Some(researcher.id)));
        assert_eq!(entries[0].subject, format!("user {}", researcher.id));

        // A failed sign-in to an account: one entry naming the account by id, no one as actor, and
        // neither the password typed nor the address.
        let wrong = "Wrong-password-typed-9731";
        let before = last_id(&app).await;
        let fields = [("email", researcher.email.as_str()), ("password", wrong)];
        let response = app.browser().submit("/sign-in", "/sign-in", &fields).await;
        assert_eq!(response.status(), 422);
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].actor_id), (AuditKind::SignInFailed, None));
        assert_eq!(entries[0].subject, format!("user {}", researcher.id));

        // To no account: "unknown account", never the address typed.
        let stranger = "no-such-person-4410@example.test";
        let before = last_id(&app).await;
        let response = app.browser().submit("/sign-in", "/sign-in", &[("email", stranger), ("password", wrong)]).await;
        assert_eq!(response.status(), 422);
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].subject.as_str()), (AuditKind::SignInFailed, "unknown account"));
        for entry in app.store.audit_events(10_000).await.unwrap() {
            for secret in [wrong, stranger, "no-such-person", DEMO_PASSWORD, researcher.email.as_str()] {
                assert!(!entry.subject.contains(secret) && !entry.action.contains(secret), "{entry:?}");
            }
        }

        // A view of original text: one entry, by source id.
        let programme = app.store.programme("early-years").await.unwrap().unwrap();
        let filters = SearchFilters { programme_id: Some(programme.id), ..Default::default() };
        let (summaries, _) = app.store.sources(&filters, 0).await.unwrap();
        let mut source = None;
        for summary in summaries {
            let candidate = app.store.source(programme.id, summary.id).await.unwrap().unwrap();
            if candidate.consented_to(ConsentPurpose::Research) {
                source = Some(candidate);
                break;
            }
        }
        let source = source.expect("a demo source whose participants consent to research");
        let before = last_id(&app).await;
        let page = browser.page(&format!("/programmes/early-years/sources/{}/original", source.id)).await;
        assert!(page.contains(source.text.original().lines().next().unwrap().trim()));
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].actor_id), (AuditKind::OriginalViewed, Some(researcher.id)));
        assert_eq!(entries[0].subject, format!("source {}", source.id));

        // An export: one entry, recorded by the router with the path asked for.
        let commissioner = app.demo_user(Role::Commissioner).await;
        let browser = app.signed_in(Role::Commissioner).await;
        let before = last_id(&app).await;
        let response = browser.get("/signals/export?format=full").await;
        assert_eq!(response.status(), 200);
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].actor_id), (AuditKind::Export, Some(commissioner.id)));
        assert_eq!(entries[0].subject, "GET /signals/export", "no query string");
        // Refused, nothing left: nothing recorded.
        let viewer = app.signed_in(Role::Viewer).await;
        let before = last_id(&app).await;
        assert_eq!(viewer.get("/programmes/early-years/report.pdf").await.status(), 403);
        assert_eq!(since(&app, before).await.len(), 0);

        // An API call with a token: one entry, by the token's user and the token's id.
        let token = app.token(Role::Facilitator).await;
        let facilitator = app.demo_user(Role::Facilitator).await;
        let before = last_id(&app).await;
        let response = app.api_client().get(app.url("/api/v1/programmes")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let entries = since(&app, before).await;
        assert_eq!(entries.len(), 1, "{backend:?}: {entries:?}");
        assert_eq!((entries[0].kind, entries[0].actor_id), (AuditKind::ApiTokenUsed, Some(facilitator.id)));
        assert!(entries[0].subject.starts_with("api_token "));

        // A role changed: access_change, both by id.
        let admin = app.signed_in(Role::Administrator).await;
        let viewer_user = app.demo_user(Role::Viewer).await;
        let before = last_id(&app).await;
        let form = format!("/admin/users/{}", viewer_user.id);
        let fields = [("display_name", viewer_user.display_name.as_str()), ("role", "researcher"), ("active", "true")];
        let response = admin.submit(&form, &form, &fields).await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let entries = since(&app, before).await;
        assert!(!entries.is_empty() && entries.iter().all(|e| e.kind == AuditKind::AccessChange), "{entries:?}");
        assert!(entries.iter().all(|e| e.subject.contains(&viewer_user.id.to_string())));

        // And the chain holds.
        let report = app.store.verify_audit_log().await.unwrap();
        assert_eq!(report.broken, None, "{backend:?}");
    }
}

#[tokio::test]
async fn the_administrator_reads_and_filters_the_log() {
    let app = TestApp::spawn_on(TestBackend::Sqlite).await;
    let researcher = app.demo_user(Role::Researcher).await;
    for _ in 0..3 {
        app.signed_in(Role::Researcher).await;
    }
    let admin = app.signed_in(Role::Administrator).await;

    let page = admin.page("/admin/audit").await;
    assert!(page.contains("<h1 class=\"govuk-heading-l\">Audit log</h1>") && page.contains("heard audit verify"));
    let total = app.store.audit_events(100_000).await.unwrap().len();
    assert!(page.contains(&format!("{total} entries")), "every entry counted");

    // By kind and actor: the three sign-ins of the researcher, by name and id.
    let filtered = admin.page(&format!("/admin/audit?kind=sign_in&actor={}", researcher.id)).await;
    assert!(filtered.contains("3 entries"), "{filtered}");
    assert_eq!(filtered.matches(&format!("(user {})", researcher.id)).count(), 3);
    assert!(filtered.contains("Clear filters"));
    // By object and date: today has them all, tomorrow none.
    let today = time::OffsetDateTime::now_utc().date();
    let tomorrow = today.next_day().unwrap();
    let by_object = admin.page(&format!("/admin/audit?object=user+{}&kind=sign_in", researcher.id)).await;
    assert!(by_object.contains("3 entries"));
    let dated = |d: time::Date, field: &str| {
        format!("{field}.day={}&{field}.month={}&{field}.year={}", d.day(), u8::from(d.month()), d.year())
    };
    let page = admin.page(&format!("/admin/audit?{}&{}", dated(today, "from"), dated(today, "to"))).await;
    assert!(page.contains(&format!("{total} entries")));
    let page = admin.page(&format!("/admin/audit?{}", dated(tomorrow, "from"))).await;
    assert!(page.contains("No entries match these filters"));

    // Pages of fifty, the filter kept in the links.
    for _ in 0..60 {
        app.store.record_audit(Some(researcher.id), "source.original_viewed", "source 1").await.unwrap();
    }
    let first = admin.page("/admin/audit?kind=original_viewed").await;
    assert!(first.contains("Page 1 of 2") && first.contains("?page=2&amp;kind=original_viewed"), "{first}");
    let second = admin.page("/admin/audit?page=2&kind=original_viewed").await;
    assert!(second.contains("Page 2 of 2") && second.contains("rel=\"prev\""));

    // Errors by field, 422.
    let response = admin.get("/admin/audit?kind=nonsense&from.day=31&from.month=2&from.year=2026").await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"#kind\"") && page.contains("href=\"#from\""), "{page}");
    let response = admin.get(&format!("/admin/audit?{}&{}", dated(tomorrow, "from"), dated(today, "to"))).await;
    assert_eq!(response.status(), 422);

    // Only administrators.
    for role in [Role::Researcher, Role::Commissioner, Role::Facilitator, Role::Viewer] {
        assert_eq!(app.signed_in(role).await.get("/admin/audit").await.status(), 403, "{role:?}");
    }
    assert_eq!(app.browser().get("/admin/audit").await.status(), 303);
}

#[test]
fn the_route_table_marks_every_export_and_every_look_at_original_text() {
    let specs = route_specs();
    for spec in &specs {
        let last = spec.path.rsplit('/').next().unwrap();
        let file = [".csv", ".json", ".pdf", ".qdpx", ".qdc", ".zip"].iter().any(|ext| last.ends_with(ext));
        if (last == "export" || file) && spec.path != "/api/v1/openapi.json" {
            assert_eq!(spec.audited, Audited::ByRouter(AuditKind::Export), "{} {}", spec.method, spec.path);
        }
        // A look at original text is recorded where it is shown, or, for a file of it (a
        // participant's subject access export), as the export it is.
        if spec.action == Action::ViewOriginalText {
            assert!(
                matches!(spec.audited, Audited::ByHandler(_) | Audited::ByRouter(AuditKind::Export)),
                "{} {}",
                spec.method,
                spec.path
            );
        }
    }
    let exports = specs.iter().filter(|s| s.audited == Audited::ByRouter(AuditKind::Export)).count();
    assert!(exports >= 12, "{exports}");
    for path in ["/programmes/{slug}/export.qdpx", "/programmes/{slug}/report.pdf", "/signals/export"] {
        assert!(specs.iter().any(|s| s.path == path && s.audited == Audited::ByRouter(AuditKind::Export)), "{path}");
    }
}

fn assert_security_headers(response: &reqwest::Response, what: &str, hsts: bool) {
    let headers = response.headers();
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let csp = header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert_eq!(csp, CONTENT_SECURITY_POLICY, "{what}");
    for directive in ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(csp.contains(directive), "{what}: {directive}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}");
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{what}");
    assert_eq!(header("referrer-policy").as_deref(), Some("same-origin"), "{what}");
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"), "{what}");
    let expected = hsts.then(|| "max-age=31536000".to_owned());
    assert_eq!(header("strict-transport-security"), expected, "{what}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    for (settings, hsts) in
        [(WebSettings::default(), false), (WebSettings { secure_cookies: true, ..WebSettings::default() }, true)]
    {
        let app = TestApp::spawn_with(TestBackend::Sqlite, settings).await;
        let browser = app.browser();
        let page = browser.get("/sign-in").await;
        assert_eq!(page.status(), 200);
        assert_security_headers(&page, "a page", hsts);
        assert_eq!(page.headers()["cache-control"], "no-store");
        let token = app.token(Role::Researcher).await;
        let api = app.api_client().get(app.url("/api/v1/programmes")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(api.status(), 200);
        assert_security_headers(&api, "an API answer", hsts);
        let refused = app.api_client().get(app.url("/api/v1/programmes")).send().await.unwrap();
        assert_eq!(refused.status(), 401);
        assert_security_headers(&refused, "an API error", hsts);
        for asset in ["/assets/heard.css", "/assets/govuk-frontend.min.js", "/assets/body-class.js"] {
            let response = browser.get(asset).await;
            assert_eq!(response.status(), 200, "{asset}");
            assert_security_headers(&response, asset, hsts);
            assert_ne!(response.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
        }
        let missing = browser.get("/no-such-page").await;
        assert_eq!(missing.status(), 404);
        assert_security_headers(&missing, "an error page", hsts);
        let forbidden = app.signed_in(Role::Viewer).await.get("/admin/audit").await;
        assert_eq!(forbidden.status(), 403);
        assert_security_headers(&forbidden, "a refusal", hsts);
    }
}

#[tokio::test]
async fn pages_hold_no_inline_script_or_style() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let admin = app.signed_in(Role::Administrator).await;
    let pages = [
        (&researcher, "/"),
        (&researcher, "/programmes/early-years"),
        (&researcher, "/programmes/early-years/sources"),
        (&researcher, "/programmes/early-years/cause-maps"),
        (&researcher, "/signals/radar"),
        (&admin, "/admin/audit"),
        (&admin, "/admin/users"),
    ];
    for (browser, path) in pages {
        let html = browser.page(path).await;
        let scripts = html.matches("<script").count();
        let external = html.matches("<script type=\"module\" src=\"/assets/").count()
            + html.matches("<script src=\"/assets/").count();
        assert_eq!(scripts, external, "{path}: every script is a file under /assets");
        for inline in [" style=\"", "<style", " onclick=", " onload=", "javascript:"] {
            assert!(!html.contains(inline), "{path}: {inline}");
        }
    }
}
