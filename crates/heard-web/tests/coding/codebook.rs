//! The codebook through pages and API: researchers add codes under parents, names clash ignoring
//! case, codes merge and split with their history; other roles read or are refused.

use heard_domain::governance::Role;
use heard_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_researcher_builds_a_codebook_and_other_roles_read_or_are_refused() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let page = "/programmes/early-years/codebook";
    let added = browser.submit(page, page, &[("name", "Access (test)"), ("description", "Getting to help")]).await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let programme = app.store.programme("early-years").await.unwrap().unwrap();
    let codes = app.store.codebook(Some(programme.id)).await.unwrap();
    let access = codes.iter().find(|c| c.name == "Access (test)").unwrap().id;
    let parent = access.to_string();
    let child = browser
        .submit(page, page, &[("name", "Waiting lists (test)"), ("parent", &parent), ("colour", "#D4351C")])
        .await;
    assert_eq!(child.status(), StatusCode::SEE_OTHER);
    let listed = browser.page(page).await;
    assert!(listed.contains("Access (test)") && listed.contains("Waiting lists (test)"));
    assert!(listed.contains("heard-code-depth-1"), "the child sits beneath its parent");

    // A clash ignoring case and spacing, and a bad colour, are named beside their fields.
    let clash = browser.submit(page, page, &[("name", "waiting  LISTS (test)"), ("parent", &parent)]).await;
    assert_eq!(clash.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = clash.text().await.unwrap();
    assert!(body.contains("There is already a code called"), "{body}");
    let bad = browser.submit(page, page, &[("name", "Colourful (test)"), ("colour", "blue")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("six hexadecimal digits"));

    // Facilitators and administrators read it; commissioners and viewers may not; only researchers code.
    for (role, reads) in
        [(Role::Facilitator, true), (Role::Administrator, true), (Role::Commissioner, false), (Role::Viewer, false)]
    {
        let other = app.signed_in(role).await;
        assert_eq!(other.get(page).await.status() == StatusCode::OK, reads, "{role:?}");
        let csrf = other.csrf_token("/account").await;
        assert_eq!(
            other.post(page, &csrf, &[("name", "Sneaky (test)")]).await.status(),
            StatusCode::FORBIDDEN,
            "{role:?}"
        );
    }

    // Merge: the code goes, its codings move, the history says so.
    let waiting = app
        .store
        .codebook(Some(programme.id))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "Waiting lists (test)")
        .unwrap();
    let into = browser
        .submit(&format!("{page}/{}", waiting.id), &format!("{page}/{}/merge", waiting.id), &[("into", &parent)])
        .await;
    assert_eq!(into.status(), StatusCode::SEE_OTHER);
    let history = browser.page(&format!("{page}/{access}")).await;
    assert!(history.contains("Waiting lists (test) merged into it"), "{history}");
    assert!(!browser.page(page).await.contains("Waiting lists (test)"));
}

#[tokio::test]
async fn the_api_lists_and_adds_codes_and_refuses_bad_input() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Researcher).await;
    let client = app.api_client();
    let url = app.url("/api/v1/programmes/early-years/codebook");
    let created =
        client.post(&url).bearer_auth(&token).json(&json!({"name": "Transport (test)"})).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let again = client.post(&url).bearer_auth(&token).json(&json!({"name": "transport (TEST)"})).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let bad = client.post(&url).bearer_auth(&token).json(&json!({"name": "", "colour": "red"})).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["name", "colour"]);
    let list: Value = client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(list["codes"].as_array().unwrap().iter().any(|c| c["name"] == "Transport (test)"));
    let commissioner = app.token(Role::Commissioner).await;
    assert_eq!(client.get(&url).bearer_auth(&commissioner).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}
