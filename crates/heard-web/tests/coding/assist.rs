//! Assisted coding and theme discovery through the pages: a researcher has codes suggested for
//! uncoded sources, accepts some (they become assisted codings) and rejects others (not suggested
//! again); themes are the same for the same seed, and a theme becomes a code over its sources;
//! facilitators read both pages; only researchers act.

use heard_domain::governance::Role;
use heard_domain::journeys::{ProgrammeStatus, Slug};
use heard_store::NewProgramme;
use heard_testkit::{TestApp, TestBackend};
use reqwest::StatusCode;

use crate::insights::{code, source};

const SLUG: &str = "assist-test";
const SUGGESTIONS: &str = "/programmes/assist-test/suggestions";
const THEMES: &str = "/programmes/assist-test/themes";

/// Coded by hand: buses, respite, and one about money (too few to learn from).
const BUSES: [&str; 4] = [
    "The bus to the day centre never comes on time and the bus fare went up again.",
    "No bus route reaches our village, so the journey to the clinic takes two buses.",
    "Bus drivers will not wait for a wheelchair; the bus stop has no shelter either.",
    "We missed the appointment because the bus was cancelled and no bus came for an hour.",
];
const RESPITE: [&str; 4] = [
    "Respite care gave me one night of sleep; a respite break every month would help.",
    "The respite home had no beds, so respite was cancelled for the third time.",
    "A short respite break lets carers rest; without respite I cannot keep going.",
    "Respite at weekends would let me rest; the respite service said the waiting list is long.",
];
const MONEY: &str = "Money is tight since the benefit changed.";
/// Nobody has coded these.
const UNCODED: [&str; 6] = [
    "The bus never turned up and the next bus was full, so we walked.",
    "Our bus route was cut, and a bus twice a day is not enough.",
    "Two buses and a long wait at the bus stop just to see the nurse.",
    "I need a respite break; respite is the only rest I get as a carer.",
    "Respite beds are scarce and respite was cancelled again this month.",
    "Without respite the carers rest nowhere; please fund more respite.",
];

async fn programme(app: &TestApp, slug: &str) -> i64 {
    let new = NewProgramme {
        slug: Slug::parse("slug", slug).unwrap(),
        name: format!("Assisted coding {slug} (test)"),
        aim: "Test assisted coding".into(),
        status: ProgrammeStatus::Active,
        lead_commissioner_id: None,
        partner_ids: Vec::new(),
    };
    app.store.create_programme(&new).await.unwrap().id
}

struct Fixture {
    programme: i64,
    transport: i64,
    respite: i64,
    /// The uncoded sources, in the order of [`UNCODED`].
    uncoded: Vec<i64>,
}

/// A programme of its own (so the demo's coding does not matter), its codes, a dozen sources
/// coded whole by the demo researcher, and six uncoded ones.
async fn fixture(app: &TestApp) -> Fixture {
    let store = &app.store;
    let researcher = app.demo_user(Role::Researcher).await.id;
    let programme = programme(app, SLUG).await;
    let transport = store.add_code(Some(programme), &code("Transport (test)"), researcher).await.unwrap();
    let respite = store.add_code(Some(programme), &code("Respite (test)"), researcher).await.unwrap();
    let money = store.add_code(Some(programme), &code("Money (test)"), researcher).await.unwrap();
    let coded =
        BUSES.iter().map(|t| (*t, transport)).chain(RESPITE.iter().map(|t| (*t, respite))).chain([(MONEY, money)]);
    for (text, code) in coded {
        let added = store.add_source(programme, &source(text, None), Some(researcher)).await.unwrap();
        let end = added.redacted_text.chars().count();
        store.code_span(programme, added.id, (0, end), &[code], researcher).await.unwrap();
    }
    let mut uncoded = Vec::new();
    for text in UNCODED {
        uncoded.push(store.add_source(programme, &source(text, None), Some(researcher)).await.unwrap().id);
    }
    Fixture { programme, transport, respite, uncoded }
}

async fn suggest_accept_and_reject(backend: TestBackend) {
    let app = TestApp::spawn_on(backend).await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;

    let before = researcher.page(SUGGESTIONS).await;
    assert!(before.contains("Coded examples to learn from"), "{backend:?}");
    assert!(before.contains("No: 2 more needed"), "{backend:?}: Money has one example of three");
    assert!(before.contains("No suggestions are waiting"), "{backend:?}");

    let made = researcher.submit(SUGGESTIONS, SUGGESTIONS, &[]).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER, "{backend:?}");
    let pending = app.store.suggestions(f.programme).await.unwrap();
    assert!(!pending.is_empty(), "{backend:?}");
    assert!(pending.iter().all(|s| (0.0..=1.0).contains(&s.confidence) && f.uncoded.contains(&s.source_id)));
    // The most confident code for each uncoded source is the one its words are about.
    for (i, &id) in f.uncoded.iter().enumerate() {
        let top = pending.iter().find(|s| s.source_id == id).unwrap_or_else(|| panic!("{backend:?}: source {i}"));
        let expected = if i < 3 { f.transport } else { f.respite };
        assert_eq!(top.code_id, expected, "{backend:?}: {}", UNCODED[i]);
    }
    let listed = researcher.page(SUGGESTIONS).await;
    assert!(listed.contains("Accept selected") && listed.contains("Reject selected"), "{backend:?}");
    assert!(listed.contains(&format!("/programmes/{SLUG}/sources/{}/coding", f.uncoded[0])));
    let percent = format!("{}%", (pending[0].confidence * 100.0).round());
    assert!(listed.contains(&percent), "{backend:?}: the confidence as a percentage, {percent}");

    // Nothing chosen: shown again, the message by the field.
    let none = researcher.submit(SUGGESTIONS, &format!("{SUGGESTIONS}/decide"), &[("decision", "accept")]).await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
    let body = none.text().await.unwrap();
    assert!(body.contains("Select the suggestions to accept or reject") && body.contains("suggestions-error"));

    // Accept the transport suggestions on the bus sources; reject every other.
    let (accept, reject): (Vec<_>, Vec<_>) =
        pending.iter().partition(|s| s.code_id == f.transport && f.uncoded[..3].contains(&s.source_id));
    let ids = |list: &[&heard_store::coding::Suggestion]| list.iter().map(|s| s.id.to_string()).collect::<Vec<_>>();
    let decide = |ids: Vec<String>, decision: &'static str| {
        let researcher = &researcher;
        async move {
            let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("suggestions", id.as_str())).collect();
            fields.push(("decision", decision));
            researcher.submit(SUGGESTIONS, &format!("{SUGGESTIONS}/decide"), &fields).await
        }
    };
    assert_eq!(decide(ids(&accept), "accept").await.status(), StatusCode::SEE_OTHER, "{backend:?}");
    for s in &accept {
        let excerpts = app.store.source_excerpts(f.programme, s.source_id).await.unwrap();
        let coding = excerpts.iter().flat_map(|e| &e.codings).find(|c| c.code_id == f.transport).unwrap();
        assert!(coding.assisted, "{backend:?}: an accepted suggestion is an assisted coding");
    }
    if !reject.is_empty() {
        assert_eq!(decide(ids(&reject), "reject").await.status(), StatusCode::SEE_OTHER, "{backend:?}");
    }
    assert!(app.store.suggestions(f.programme).await.unwrap().is_empty(), "{backend:?}");

    // Suggesting again: the accepted sources are coded now, the rejected pairs are not made again.
    assert_eq!(researcher.submit(SUGGESTIONS, SUGGESTIONS, &[]).await.status(), StatusCode::SEE_OTHER);
    let again = app.store.suggestions(f.programme).await.unwrap();
    assert!(again.iter().all(|s| !f.uncoded[..3].contains(&s.source_id)), "{backend:?}: coded sources are not uncoded");
    for s in &again {
        assert!(!reject.iter().any(|r| r.source_id == s.source_id && r.code_id == s.code_id), "{backend:?}: {s:?}");
    }
}

#[tokio::test]
async fn a_researcher_accepts_and_rejects_suggested_codes_on_sqlite() {
    suggest_accept_and_reject(TestBackend::Sqlite).await;
}

#[tokio::test]
async fn a_researcher_accepts_and_rejects_suggested_codes_on_postgres() {
    suggest_accept_and_reject(TestBackend::Postgres).await;
}

#[tokio::test]
async fn too_few_examples_or_nothing_uncoded_is_said_plainly() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;
    // Coding every uncoded source leaves nothing to suggest for or to cluster.
    let by = app.demo_user(Role::Researcher).await.id;
    for &id in &f.uncoded {
        app.store.code_span(f.programme, id, (0, 3), &[f.respite], by).await.unwrap();
    }
    let page = researcher.page(SUGGESTIONS).await;
    assert!(page.contains("Every source in this programme is coded already"));
    assert!(!page.contains("Suggest codes"));
    assert!(researcher.page(THEMES).await.contains("Theme discovery needs at least 2 uncoded sources"));
    let posted = researcher.submit(SUGGESTIONS, SUGGESTIONS, &[]).await;
    assert_eq!(posted.status(), StatusCode::SEE_OTHER);
    assert!(researcher.page(SUGGESTIONS).await.contains("there is nothing to suggest codes for"));

    // A programme with no coding has too few examples; suggesting there says so.
    programme(&app, "assist-empty").await;
    let empty = "/programmes/assist-empty/suggestions";
    assert!(researcher.page(empty).await.contains("Not enough coded examples to learn from yet"));
    assert_eq!(researcher.submit(empty, empty, &[]).await.status(), StatusCode::SEE_OTHER);
    assert!(researcher.page(empty).await.contains("code at least 3 excerpts with each of 2 or more codes"));
}

#[tokio::test]
async fn themes_are_the_same_for_a_seed_and_one_becomes_a_code() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;
    assert!(researcher.page(THEMES).await.contains("No themes have been discovered"));

    let bad = researcher.submit(THEMES, THEMES, &[("seed", "-3"), ("themes", "99")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.text().await.unwrap();
    assert!(body.contains("Enter the seed as a whole number") && body.contains("seed-error"), "{body}");
    assert!(body.contains("from 2 to 20"));

    let discover = || researcher.submit(THEMES, THEMES, &[("seed", "7"), ("themes", "2")]);
    assert_eq!(discover().await.status(), StatusCode::SEE_OTHER);
    let first = app.store.latest_theme_run(f.programme).await.unwrap().unwrap();
    assert_eq!((first.seed, first.sources, first.themes.len()), (7, 6, 2));
    assert_eq!(first.themes.iter().map(|t| t.size).sum::<usize>(), 6);
    assert_eq!(discover().await.status(), StatusCode::SEE_OTHER);
    let second = app.store.latest_theme_run(f.programme).await.unwrap().unwrap();
    assert_ne!(first.id, second.id);
    let shape = |run: &heard_store::coding::ThemeRun| {
        run.themes.iter().map(|t| (t.top_terms.clone(), t.size, t.representatives.clone())).collect::<Vec<_>>()
    };
    assert_eq!(shape(&first), shape(&second), "the same seed over the same sources gives the same themes");

    let page = researcher.page(THEMES).await;
    let theme = &second.themes[0];
    assert!(page.contains("Make this a code") && page.contains(&theme.top_terms.join(", ")));
    assert!(page.contains(&format!("/programmes/{SLUG}/sources/{}/coding", theme.representatives[0].source_id)));

    // A blank name is refused by its field; a good one makes the code over the theme's sources.
    let action = format!("{THEMES}/{}/code", theme.id);
    let field = format!("name-{}", theme.id);
    let blank = researcher.submit(THEMES, &action, &[(&field, " ")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.text().await.unwrap().contains(&format!("{field}-error")));
    let made = researcher.submit(THEMES, &action, &[(&field, "Theme made code (test)")]).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let location = made.headers()["location"].to_str().unwrap().to_owned();
    let codes = app.store.codebook(Some(f.programme)).await.unwrap();
    let new = codes.iter().find(|c| c.name == "Theme made code (test)").unwrap();
    assert_eq!(location, format!("/programmes/{SLUG}/codebook/{}", new.id));
    assert!(researcher.page(&location).await.contains("made from the theme"));
    for quoted in &theme.representatives {
        let excerpts = app.store.source_excerpts(f.programme, quoted.source_id).await.unwrap();
        let coding = excerpts.iter().flat_map(|e| &e.codings).find(|c| c.code_id == new.id);
        assert!(coding.is_some_and(|c| c.assisted), "the theme's sources are coded, marked assisted");
    }
    assert_eq!(app.store.uncoded_sources(f.programme).await.unwrap().len(), 6 - theme.size);
    let after = app.store.latest_theme_run(f.programme).await.unwrap().unwrap();
    assert_eq!(after.themes[0].code_id, Some(new.id));
    assert!(researcher.page(THEMES).await.contains("Made into a code"));
    let twice = researcher.submit(THEMES, &action, &[(&field, "Another name (test)")]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY, "a theme becomes a code once");
}

#[tokio::test]
async fn facilitators_read_both_pages_and_only_researchers_act() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let researcher = app.signed_in(Role::Researcher).await;
    assert_eq!(researcher.submit(THEMES, THEMES, &[("seed", "1")]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(researcher.submit(SUGGESTIONS, SUGGESTIONS, &[]).await.status(), StatusCode::SEE_OTHER);
    let theme = app.store.latest_theme_run(f.programme).await.unwrap().unwrap().themes[0].id;
    let suggestion = app.store.suggestions(f.programme).await.unwrap()[0].id.to_string();

    let facilitator = app.signed_in(Role::Facilitator).await;
    let page = facilitator.page(SUGGESTIONS).await;
    assert!(page.contains("Transport (test)") && !page.contains("Accept selected") && !page.contains("Suggest codes"));
    let page = facilitator.page(THEMES).await;
    assert!(page.contains("Representative quotes") && !page.contains("Make this a code"));
    assert!(!page.contains("Discover themes</button>"));

    let theme_code = format!("{THEMES}/{theme}/code");
    let decide = format!("{SUGGESTIONS}/decide");
    let posts: [(&str, Vec<(&str, &str)>); 4] = [
        (SUGGESTIONS, vec![]),
        (&decide, vec![("suggestions", suggestion.as_str()), ("decision", "accept")]),
        (THEMES, vec![("seed", "1")]),
        (&theme_code, vec![("name", "Sneaky (test)")]),
    ];
    for role in [Role::Facilitator, Role::Administrator, Role::Commissioner, Role::Viewer] {
        let other = app.signed_in(role).await;
        let csrf = other.csrf_token("/account").await;
        for (action, fields) in &posts {
            assert_eq!(other.post(action, &csrf, fields).await.status(), StatusCode::FORBIDDEN, "{role:?} {action}");
        }
        let reads = matches!(role, Role::Facilitator | Role::Administrator);
        assert_eq!(other.get(THEMES).await.status() == StatusCode::OK, reads, "{role:?}");
    }
    let still = app.store.suggestions(f.programme).await.unwrap();
    assert!(still.iter().any(|s| s.id.to_string() == suggestion), "nothing they posted was decided");
}
