//! Coding a source through the page (typing the words: the path that needs neither mouse nor
//! JavaScript) and the API (character offsets): spans that do not fit are refused and nothing is
//! stored; memos; taking a coding back; attaching an excerpt to an insight.

use heard_domain::coding::codebook::CodeInput;
use heard_domain::governance::Role;
use heard_store::SearchFilters;
use heard_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A code of the programme and the id of its source titled `title`.
async fn setup(app: &TestApp, slug: &str, title: &str, code: &str) -> (i64, i64, i64) {
    let programme = app.store.programme(slug).await.unwrap().unwrap();
    let researcher = app.demo_user(Role::Researcher).await;
    let input = CodeInput { name: code.into(), description: None, colour: None, parent_id: None };
    let code = app.store.add_code(Some(programme.id), &input, researcher.id).await.unwrap();
    let filters = SearchFilters { programme_id: Some(programme.id), ..Default::default() };
    let mut source = None;
    for page in 0.. {
        let (sources, _) = app.store.sources(&filters, page).await.unwrap();
        assert!(!sources.is_empty(), "no source titled {title}");
        if let Some(found) = sources.iter().find(|s| s.title == title) {
            source = Some(found.id);
            break;
        }
    }
    let source = source.unwrap();
    (programme.id, code, source)
}

#[tokio::test]
async fn a_researcher_codes_typed_words_without_a_mouse() {
    let app = TestApp::spawn().await;
    let (programme, code, source) =
        setup(&app, "early-years", "Stay and play at the children's centre", "Cost (test)").await;
    let browser = app.signed_in(Role::Researcher).await;
    let page = format!("/programmes/early-years/sources/{source}/coding");
    let before = browser.page(&page).await;
    assert!(before.contains("Code a passage") && before.contains("Cost (test)"));

    let code_id = code.to_string();
    let existing = app.store.source_excerpts(programme, source).await.unwrap().len();
    let coded = browser.submit(&page, &page, &[("words", "the bus fare"), ("codes", &code_id)]).await;
    assert_eq!(coded.status(), StatusCode::SEE_OTHER);
    let all = app.store.source_excerpts(programme, source).await.unwrap();
    assert_eq!(all.len(), existing + 1);
    let excerpts: Vec<_> = all.into_iter().filter(|e| e.quote == "the bus fare").collect();
    assert_eq!(excerpts.len(), 1);
    let after = browser.page(&page).await;
    assert!(after.contains("<mark class=\"heard-coded\""), "the coded passage is marked in the text");

    // Words not in the text, no code chosen, an occurrence out of range: named, nothing stored.
    let missing = browser.submit(&page, &page, &[("words", "zebra crossing"), ("occurrence", "x")]).await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = missing.text().await.unwrap();
    assert!(body.contains("Enter which occurrence as a number") && body.contains("Choose at least one code"), "{body}");
    let twice = browser.submit(&page, &page, &[("words", "the"), ("codes", &code_id)]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().await.unwrap().contains("enter which one to code"));
    assert_eq!(app.store.source_excerpts(programme, source).await.unwrap().len(), existing + 1);

    // A memo on the excerpt and one on the source.
    let excerpt = excerpts[0].id.to_string();
    let memo_field = format!("memo-{excerpt}");
    let memo = browser
        .submit(
            &page,
            &format!("/programmes/early-years/sources/{source}/memos"),
            &[("excerpt", &excerpt), (&memo_field, "Cost keeps families away (test memo)")],
        )
        .await;
    assert_eq!(memo.status(), StatusCode::SEE_OTHER);
    let blank =
        browser.submit(&page, &format!("/programmes/early-years/sources/{source}/memos"), &[("memo", " ")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(browser.page(&page).await.contains("Cost keeps families away (test memo)"));

    // An insight, then the excerpt attached to it from the source page.
    let insight = app
        .store
        .add_insight(programme, "Cost stops families coming (test)", app.demo_user(Role::Researcher).await.id)
        .await
        .unwrap();
    let insight_field = format!("insight-{excerpt}");
    let stance_field = format!("stance-{excerpt}");
    let insight_id = insight.to_string();
    let attached = browser
        .submit(
            &page,
            &format!("/programmes/early-years/sources/{source}/evidence"),
            &[("excerpt", &excerpt), (&insight_field, &insight_id), (&stance_field, "supports")],
        )
        .await;
    assert_eq!(attached.status(), StatusCode::SEE_OTHER);
    let read = app.store.insight(programme, insight).await.unwrap().unwrap();
    assert_eq!(read.evidence.len(), 1);

    // Taking the coding back: the excerpt stays while the insight holds it.
    let coding = excerpts[0].codings[0].id.to_string();
    let removed = browser
        .submit(&page, &format!("/programmes/early-years/sources/{source}/coding/remove"), &[("coding", &coding)])
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let left = app.store.source_excerpts(programme, source).await.unwrap();
    let kept = left.iter().find(|e| e.quote == "the bus fare").unwrap();
    assert_eq!((left.len(), kept.codings.len()), (existing + 1, 0));

    // A facilitator reads the coding page but may not code.
    let facilitator = app.signed_in(Role::Facilitator).await;
    let read = facilitator.page(&page).await;
    assert!(read.contains("the bus fare") && !read.contains("Code passage"));
    let csrf = facilitator.csrf_token("/account").await;
    assert_eq!(
        facilitator.post(&page, &csrf, &[("words", "bus"), ("codes", &code_id)]).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_api_codes_by_character_offsets_and_refuses_spans_that_do_not_fit() {
    let app = TestApp::spawn().await;
    let (programme, code, source) = setup(&app, "early-years", "The first weeks at home", "Alone (test)").await;
    let text = app.store.source(programme, source).await.unwrap().unwrap().redacted_text;
    let chars = text.chars().count();
    let existing = app.store.source_excerpts(programme, source).await.unwrap().len();
    let token = app.token(Role::Researcher).await;
    let url = app.url(&format!("/api/v1/programmes/early-years/sources/{source}/codings"));
    let client = app.api_client();
    for (start, end) in [(0, chars + 1), (10, 10), (20, 5)] {
        let refused = client
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"start": start, "end": end, "codes": [code]}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{start}..{end}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "end", "{body}");
    }
    let foreign = client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"start": 0, "end": 4, "codes": [i64::MAX]}))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.source_excerpts(programme, source).await.unwrap().len(), existing, "nothing stored");

    let at = text.find("on our own").unwrap();
    let start = text[..at].chars().count();
    let created = client
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"start": start, "end": start + "on our own".chars().count(), "codes": [code]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["excerpt"]["quote"], "on our own");
    let list: Value = client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        list["excerpts"][0]["codings"][0]["coder"]["display_name"],
        app.demo_user(Role::Researcher).await.display_name
    );
    let facilitator = app.token(Role::Facilitator).await;
    let refused = client
        .post(&url)
        .bearer_auth(&facilitator)
        .json(&json!({"start": 0, "end": 4, "codes": [code]}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_researcher_corrects_a_coded_text_and_its_excerpts_follow() {
    let app = TestApp::spawn().await;
    let (programme, _, source) = setup(&app, "early-years", "Survey: being a young parent", "Forms (test)").await;
    let before = app.store.source(programme, source).await.unwrap().unwrap();
    let coded_before = app.store.source_excerpts(programme, source).await.unwrap();
    assert!(!coded_before.is_empty(), "the demo coded this source");
    let browser = app.signed_in(Role::Researcher).await;
    let page = format!("/programmes/early-years/sources/{source}/original");
    let action = format!("/programmes/early-years/sources/{source}/correct");
    let blank = browser.submit(&page, &action, &[("text", "  ")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let corrected = before.text.original().replace("The midwife was kind", "The midwife was very kind");
    let saved = browser.submit(&page, &action, &[("text", &corrected)]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let banner = browser.page(&page).await;
    assert!(banner.contains("excerpts carried across, 1 to place again"), "{banner}");
    let after = app.store.source_excerpts(programme, source).await.unwrap();
    assert_eq!(after.iter().filter(|e| !e.current).count(), 1, "only the excerpt whose words changed waits");
    let coding = browser.page(&format!("/programmes/early-years/sources/{source}/coding")).await;
    assert!(coding.contains("Text changed since coded"));
    let facilitator = app.signed_in(Role::Facilitator).await;
    let csrf = facilitator.csrf_token("/account").await;
    assert_eq!(facilitator.post(&action, &csrf, &[("text", "x")]).await.status(), StatusCode::FORBIDDEN);
}
