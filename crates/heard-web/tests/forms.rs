//! Story forms as facilitators, contributors and researchers meet them: a form is built, published
//! and answered without an account; the receipt code reads and withdraws the story; editing makes a
//! new version; spam and oversize input are turned away; the pattern view draws a dot per story.

use heard_domain::governance::Role;
use heard_domain::voice::participants::ParticipantKind;
use heard_testkit::TestApp;
use heard_testkit::app::Browser;
use reqwest::StatusCode;

const BUILD: &[(&str, &str)] = &[
    ("title", "Asking for help (test)"),
    ("prompt", "Tell us about a time when you asked for help"),
    ("signifiers[0].kind", "triad"),
    ("signifiers[0].question", "Where did help come from?"),
    ("signifiers[0].labels", "Family\r\nServices\r\nCommunity"),
    ("signifiers[1].kind", "slider"),
    ("signifiers[1].question", "How did it feel?"),
    ("signifiers[1].labels", "Alone\r\nSupported"),
    ("signifiers[2].kind", "multiple_choice"),
    ("signifiers[2].question", "Who helped?"),
    ("signifiers[2].labels", "Health visitor\r\nGP\r\nFriends"),
    ("consents.research.ask", "required"),
    ("consents.anonymous_quotation.ask", "optional"),
];

/// The stories the demo's form already has.
const DEMO_STORIES: usize = 12;

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().expect("ascii").to_owned()
}

/// Builds and publishes a form as a facilitator; returns (builder page, public path).
async fn published_form(app: &TestApp) -> (String, String) {
    let facilitator = app.signed_in(Role::Facilitator).await;
    let new = "/programmes/early-years/forms/new";
    let saved = facilitator.submit(new, new, BUILD).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let form_page = location(&saved);
    let draft = facilitator.page(&form_page).await;
    assert!(draft.contains("Story form saved as a draft") && !draft.contains("Public link"));
    let published = facilitator.submit(&form_page, &format!("{form_page}/publish"), &[]).await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    let page = facilitator.page(&form_page).await;
    assert!(page.contains("Story form published"));
    let at = page.find("href=\"/forms/").expect("a public link") + "href=\"".len();
    let public = page[at..at + page[at..].find('"').expect("end")].to_owned();
    (form_page, public)
}

/// The fields of a good answer.
fn answer<'a>(story: &'a str, kind: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("story", story),
        ("s1.a", "50"),
        ("s1.b", "30"),
        ("s1.c", "20"),
        ("s2", "70"),
        ("s3", "0"),
        ("s3", "2"),
        ("participant_kind", kind),
        ("consents", "research"),
        ("consents", "anonymous_quotation"),
        ("leave_empty", ""),
    ]
}

/// The receipt code on a thank-you page.
fn receipt_code(html: &str) -> Option<String> {
    let at = html.find("heard-receipt-code\">")? + "heard-receipt-code\">".len();
    Some(html[at..at + html[at..].find('<')?].to_owned())
}

async fn stories(app: &TestApp) -> usize {
    let early = app.store.programme("early-years").await.expect("store").expect("programme");
    let mut n = 0;
    for form in app.store.story_forms(early.id).await.expect("forms") {
        n += app.store.story_pattern(early.id, form.id, None).await.expect("stories").len();
    }
    n
}

#[tokio::test]
async fn a_contributor_answers_without_an_account_then_reads_and_withdraws_with_the_receipt() {
    let app = TestApp::spawn().await;
    let (_, public) = published_form(&app).await;
    let contributor = app.browser();
    let form = contributor.page(&public).await;
    assert!(form.contains("Tell us about a time when you asked for help") && form.contains("govuk-character-count"));
    assert!(form.contains("Leave this empty") && form.contains("autocomplete=\"off\""));

    let sent =
        contributor.submit(&public, &public, &answer("Nobody called back on 07700 900123 (test).", "carer")).await;
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(!sent.url().as_str().contains("receipt"));
    let thanks = sent.text().await.expect("body");
    let code = receipt_code(&thanks).expect("a receipt code shown once");
    assert_eq!(code.len(), 14, "{code}");

    // The story is a source of kind story with the contributor as a participant.
    let early = app.store.programme("early-years").await.expect("store").expect("programme");
    let form = app.store.story_forms(early.id).await.expect("forms").into_iter().next().expect("newest first");
    let pattern = app.store.story_pattern(early.id, form.id, None).await.expect("stories");
    assert_eq!(pattern.len(), 1);
    let source = app.store.source(early.id, pattern[0].source_id).await.expect("store").expect("a source");
    assert_eq!(source.participants[0].kind, ParticipantKind::Carer);
    assert!(source.participants[0].pseudonym.starts_with("Contributor "));
    assert_eq!(source.attributes["Who helped?"], "Health visitor, Friends");

    // The code is sent in a POST body, never a URL; the receipt shows the redacted text.
    let lookup = contributor.submit("/forms/receipt", "/forms/receipt", &[("code", &code.to_lowercase())]).await;
    assert_eq!(lookup.status(), StatusCode::OK);
    let receipt = lookup.text().await.expect("body");
    assert!(receipt.contains("Nobody called back on [PHONE-1] (test).") && !receipt.contains("07700"));
    assert!(receipt.contains("Family 50, Services 30, Community 20") && receipt.contains("Withdraw my story"));
    assert!(receipt.contains("including from search"));

    let withdrawn = contributor.submit("/forms/receipt", "/forms/receipt/withdraw", &[("code", &code)]).await;
    assert_eq!(withdrawn.status(), StatusCode::OK);
    assert!(withdrawn.text().await.expect("body").contains("Your story has been withdrawn"));
    assert!(app.store.source(early.id, source.id).await.expect("store").is_none());
    let participant =
        app.store.participant(early.id, source.participants[0].id).await.expect("store").expect("kept in history");
    assert!(participant.current_consents.is_empty(), "consent withdrawn");

    let again = contributor.submit("/forms/receipt", "/forms/receipt", &[("code", &code)]).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.expect("body").contains("There is no story for that receipt code"));
    let wrong = contributor.submit("/forms/receipt", "/forms/receipt", &[("code", "nonsense")]).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.expect("body").contains("href=\"#code\""));
}

#[tokio::test]
async fn bad_answers_name_their_fields_and_save_nothing() {
    let app = TestApp::spawn().await;
    let (_, public) = published_form(&app).await;
    let contributor = app.browser();
    let before = stories(&app).await;
    let response = contributor
        .submit(
            &public,
            &public,
            &[("story", "  "), ("s1.a", "50"), ("s1.b", "50"), ("s1.c", "50"), ("s2", "200"), ("s3", "9")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(html.contains("There is a problem"));
    for anchor in ["#story", "#s1-a", "#s2", "#s3", "#participant_kind", "#consents"] {
        assert!(html.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    assert!(html.contains("must add up to 100"));
    assert!(html.contains("value=\"200\""), "values are shown again as typed");
    assert_eq!(stories(&app).await, before);
}

#[tokio::test]
async fn an_oversize_story_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (_, public) = published_form(&app).await;
    let contributor = app.browser();
    let long = "a".repeat(heard_domain::voice::sources::MAX_TEXT_CHARS + 1);
    let response = contributor.submit(&public, &public, &answer(&long, "parent")).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(html.contains("href=\"#story\"") && html.contains("Your story must be 100000 characters or fewer"));
    // A body over the router's limit is refused before it is read.
    let huge = "a".repeat(3 * 1024 * 1024);
    let response = contributor.submit(&public, &public, &answer(&huge, "parent")).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = response.text().await.expect("body");
    assert!(html.contains("What you sent is too large") && html.contains("govuk-"), "a page a person can act on");
    assert_eq!(stories(&app).await, DEMO_STORIES);
}

#[tokio::test]
async fn a_filled_honeypot_gets_a_neutral_thank_you_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let (_, public) = published_form(&app).await;
    let bot = app.browser();
    let mut fields = answer("Buy cheap things (test)", "other");
    fields.retain(|(name, _)| *name != "leave_empty");
    fields.push(("leave_empty", "https://spam.example"));
    let response = bot.submit(&public, &public, &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("body");
    assert!(html.contains("Thank you for your story") && receipt_code(&html).is_none());
    assert_eq!(stories(&app).await, DEMO_STORIES);
}

#[tokio::test]
async fn too_many_stories_from_one_address_are_refused() {
    let app = TestApp::spawn().await;
    let (_, public) = published_form(&app).await;
    let sender = app.browser();
    let token = sender.csrf_token(&public).await;
    let mut statuses = Vec::new();
    for _ in 0..25 {
        // Invalid answers still count: the limit is on sending, not on succeeding.
        statuses.push(sender.post(&public, &token, &[("story", "")]).await.status());
    }
    assert!(statuses[..20].iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[24], StatusCode::TOO_MANY_REQUESTS);
    let response = sender.post(&public, &token, &answer("One more (test)", "parent")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.text().await.expect("body").contains("too many attempts"));
    assert_eq!(stories(&app).await, DEMO_STORIES);
}

#[tokio::test]
async fn editing_a_published_form_makes_a_new_version_and_answers_keep_theirs() {
    let app = TestApp::spawn().await;
    let (form_page, public) = published_form(&app).await;
    let contributor = app.browser();
    let first = contributor.submit(&public, &public, &answer("Under version one (test).", "parent")).await;
    assert_eq!(first.status(), StatusCode::OK);
    let token = contributor.csrf_token(&public).await;

    let facilitator = app.signed_in(Role::Facilitator).await;
    let edit = format!("{form_page}/edit");
    let mut fields = BUILD.to_vec();
    fields[1] = ("prompt", "Tell us about the last time you asked for help");
    let saved = facilitator.submit(&edit, &edit, &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert!(facilitator.page(&form_page).await.contains("Story form saved as version 2"));
    assert!(contributor.page(&public).await.contains("Tell us about the last time you asked for help"));
    // A page opened under version 1 and sent after the edit is shown again, not filed under 2.
    let mut stale = answer("Opened before the edit (test).", "parent");
    stale.push(("version", "1"));
    let response = contributor.post(&public, &token, &stale).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.expect("body").contains("This form changed while you were filling it in"));
    let second = contributor.submit(&public, &public, &answer("Under version two (test).", "parent")).await;
    assert_eq!(second.status(), StatusCode::OK);

    let early = app.store.programme("early-years").await.expect("store").expect("programme");
    let form = app.store.story_forms(early.id).await.expect("forms").into_iter().next().expect("the form");
    let versions: Vec<i64> =
        app.store.story_pattern(early.id, form.id, None).await.expect("stories").iter().map(|s| s.version).collect();
    assert_eq!(versions, [1, 2]);

    // Bad builder input names its field and changes nothing.
    let bad = facilitator
        .submit(
            &edit,
            &edit,
            &[
                ("title", ""),
                ("prompt", "P"),
                ("signifiers[0].kind", "triad"),
                ("signifiers[0].question", "Q"),
                ("signifiers[0].labels", "One"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.expect("body");
    assert!(html.contains("href=\"#title\"") && html.contains("href=\"#signifiers-0-labels\""));
    assert!(html.contains("href=\"#consents-research-ask\""));
    assert_eq!(app.store.story_form(early.id, form.id).await.expect("store").expect("form").version, 2);

    // Closed: the public page says so and takes nothing, even from a page opened before.
    let token = contributor.csrf_token(&public).await;
    let close = facilitator.submit(&form_page, &format!("{form_page}/close"), &[]).await;
    assert_eq!(close.status(), StatusCode::SEE_OTHER);
    assert!(contributor.page(&public).await.contains("This form is closed"));
    let late = contributor.post(&public, &token, &answer("Too late (test).", "parent")).await;
    assert!(late.text().await.expect("body").contains("This form is closed"));
    assert_eq!(stories(&app).await, DEMO_STORIES + 2);
}

/// How many dots the SVG for signifier `key` has.
fn dots(html: &str, key: &str) -> usize {
    let start = html.find(&format!("data-signifier=\"{key}\"")).expect("the signifier's picture");
    let end = start + html[start..].find("</svg>").expect("the end of the picture");
    html[start..end].matches("class=\"heard-dot\"").count()
}

#[tokio::test]
async fn the_pattern_view_draws_a_dot_per_story_and_filters_by_kind() {
    let app = TestApp::spawn().await;
    let early = app.store.programme("early-years").await.expect("store").expect("programme");
    let form = app
        .store
        .story_forms(early.id)
        .await
        .expect("forms")
        .into_iter()
        .find(|f| f.definition.title.contains("(demo)"))
        .expect("the demo's form");
    let path = format!("/programmes/early-years/forms/{}/pattern", form.id);
    let researcher: Browser = app.signed_in(Role::Researcher).await;
    let html = researcher.page(&path).await;
    assert_eq!(dots(&html, "s1"), 12, "a dot per story on the triad");
    assert_eq!(dots(&html, "s2"), 12, "a dot per story on the slider");
    assert!(html.contains("<polygon") && html.contains("<title>") && html.contains("<rect"));
    assert!(html.contains("href=\"/programmes/early-years/sources/"), "each dot links to its source");
    assert!(html.contains("<table class=\"govuk-table\">"), "a text alternative");
    let parents = researcher.page(&format!("{path}?kind=parent")).await;
    assert_eq!(dots(&parents, "s1"), 4);
    let anything = researcher.page(&format!("{path}?kind=%3Cscript%3E")).await;
    assert_eq!(dots(&anything, "s1"), 12, "an unknown kind filters nothing");
    // A commissioner sees the pattern; a viewer does not.
    assert_eq!(app.signed_in(Role::Commissioner).await.get(&path).await.status(), StatusCode::OK);
    assert_eq!(app.signed_in(Role::Viewer).await.get(&path).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.signed_in(Role::Commissioner).await.get("/programmes/early-years/forms").await.status(),
        StatusCode::FORBIDDEN,
        "commissioners do not build forms"
    );
}
