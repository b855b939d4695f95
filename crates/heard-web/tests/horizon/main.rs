//! Horizon scanning through the real router: who may see and change signals, a signal added and
//! scored again with its history and movement on the radar, form errors naming their fields, the
//! pictures' links, CSV import refused by row and column with nothing saved, export, and the API.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

mod changes;

use heard_domain::governance::Role;
use heard_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const SIGNAL: &[(&str, &str)] = &[
    ("title", "Home monitoring kits (test)"),
    ("summary", "Families buy sensors to watch over a relative with dementia."),
    ("source_url", "https://example.org/report"),
    ("spotted_on.day", "3"),
    ("spotted_on.month", "11"),
    ("spotted_on.year", "2026"),
    ("primary_category", "technological"),
    ("categories", "social"),
    ("kind", "signal"),
    ("programme", "dementia"),
    ("horizon", "h3"),
    ("impact", "4"),
    ("uncertainty", "4"),
    ("confidence", "medium"),
];

pub(crate) fn id_from(response: &reqwest::Response) -> i64 {
    let location = response.headers()["location"].to_str().unwrap();
    location.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn roles_see_and_change_signals_as_permitted() {
    let app = TestApp::spawn().await;
    for role in [Role::Administrator, Role::Commissioner, Role::Researcher, Role::Facilitator] {
        let browser = app.signed_in(role).await;
        assert_eq!(browser.get("/signals").await.status(), 200, "{role:?} reads signals");
        assert_eq!(browser.get("/signals/radar").await.status(), 200);
        assert_eq!(browser.get("/signals/matrix").await.status(), 200);
    }
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get("/signals").await.status(), 403);
    let administrator = app.signed_in(Role::Administrator).await;
    assert_eq!(administrator.get("/signals/new").await.status(), 403, "administrators do not scan");
    let response = administrator.submit("/signals", "/signals", SIGNAL).await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.browser().get("/signals").await.status(), 303, "anonymous visitors sign in first");
}

#[tokio::test]
async fn a_signal_is_added_scored_again_and_moves_on_the_radar() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let response = researcher.submit("/signals/new", "/signals", SIGNAL).await;
    assert_eq!(response.status(), 303);
    let id = id_from(&response);
    let page = researcher.page(&format!("/signals/{id}")).await;
    assert!(page.contains("Home monitoring kits (test)"));
    assert!(page.contains("Scored 1 time"));

    let rescore = [
        ("horizon", "h2"),
        ("impact", "5"),
        ("uncertainty", "3"),
        ("confidence", "high"),
        ("note", "Sold in shops now"),
    ];
    let response = researcher.submit(&format!("/signals/{id}"), &format!("/signals/{id}/scores"), &rescore).await;
    assert_eq!(response.status(), 303);
    let page = researcher.page(&format!("/signals/{id}")).await;
    assert!(page.contains("Scored 2 times"), "the first scoring is kept");
    assert!(page.contains("(was H3: 5 years or more)"));

    let radar = researcher.page("/signals/radar?programme=dementia").await;
    let link = format!("<a href=\"/signals/{id}\"");
    let at = radar.find(&link).expect("the signal is a link on the radar");
    let marker = &radar[at..at + radar[at..].find('>').unwrap()];
    assert!(marker.contains("data-movement=\"in\""), "{marker}");
    assert!(marker.contains("moved in from H3: 5 years or more"), "{marker}");

    let matrix = researcher.page("/signals/matrix").await;
    assert!(matrix.contains(&link), "the signal is a link on the matrix");

    let history: Value = app
        .api_client()
        .get(app.url(&format!("/api/v1/signals/{id}/scores")))
        .bearer_auth(app.token(Role::Researcher).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let scores = history["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 2);
    assert_eq!(scores[0]["horizon"], "h3");
    assert_eq!(scores[1]["horizon"], "h2");
}

#[tokio::test]
async fn form_errors_name_their_fields() {
    let app = TestApp::spawn().await;
    let researcher = app.signed_in(Role::Researcher).await;
    let response = researcher.submit("/signals/new", "/signals", &[("title", ""), ("impact", "9")]).await;
    let status = response.status();
    let page = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in ["#title", "#summary", "#spotted_on", "#primary_category", "#horizon", "#impact"] {
        assert!(page.contains(&format!("href=\"{field}\"")), "the error summary links {field}");
    }
    let before: Value = app
        .api_client()
        .get(app.url("/api/v1/signals"))
        .bearer_auth(app.token(Role::Researcher).await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(before["signals"].as_array().unwrap().iter().all(|s| s["title"] != ""));
}

#[tokio::test]
async fn csv_import_names_rows_and_columns_and_saves_nothing_when_wrong() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Researcher).await;
    let client = app.api_client();
    let count = || async {
        let body: Value = client
            .get(app.url("/api/v1/signals?programme=dementia"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["signals"].as_array().unwrap().len()
    };
    let before = count().await;
    let bad = "name,ring,quadrant,isNew,description\nGood row,H1,Social,TRUE,Fine\nBad ring,H9,Social,FALSE,x\n";
    let response = client
        .post(app.url("/api/v1/signals/import?programme=dementia&format=radar"))
        .bearer_auth(&token)
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "row 3, column ring", "{body}");
    assert_eq!(count().await, before, "nothing was saved");

    // The same through the upload page.
    let researcher = app.signed_in(Role::Researcher).await;
    let csrf = researcher.csrf_token("/signals/import").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", csrf)
        .text("programme", "dementia")
        .text("layout", "radar")
        .part("file", reqwest::multipart::Part::bytes(bad.as_bytes().to_vec()).file_name("radar.csv"));
    let response = researcher.client.post(app.url("/signals/import")).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"problems\""));
    assert!(page.contains(">3</td>") && page.contains(">ring</td>"), "the problem's row and column are listed");
    assert_eq!(count().await, before);

    let good = "name,ring,quadrant,isNew,description\nGood row,H1,Social,TRUE,Fine\n";
    let response = client
        .post(app.url("/api/v1/signals/import?programme=dementia&format=radar"))
        .bearer_auth(&token)
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(count().await, before + 1);

    let csv = researcher.get("/signals/export?format=radar&programme=dementia").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("dementia-radar.csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("name,ring,quadrant,isNew,description"));
    assert!(text.contains("Good row"));
}

#[tokio::test]
async fn the_api_creates_rescores_and_groups_signals() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Commissioner).await;
    let client = app.api_client();
    let signal = json!({
        "title": "Heatwaves every summer (test)",
        "summary": "Care homes overheat.",
        "spotted_on": "2026-07-01",
        "categories": ["environmental"],
        "kind": "trend",
        "review_on": "2000-01-01",
        "scores": {"horizon": "h1", "impact": 5, "uncertainty": 4, "confidence": "high"},
        "programmes": ["dementia"],
    });
    let response = client.post(app.url("/api/v1/signals")).bearer_auth(&token).json(&signal).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let bad = json!({"title": "", "spotted_on": "yesterday", "scores": {"impact": 7}});
    let response = client.post(app.url("/api/v1/signals")).bearer_auth(&token).json(&bad).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    for field in ["title", "spotted_on", "impact", "horizon"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }

    let got: Value = client
        .get(app.url(&format!("/api/v1/signals/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["categories"], json!(["environmental"]));
    assert_eq!(got["current"]["impact"], 5);
    assert_eq!(got["programmes"][0]["slug"], "dementia");

    let due: Value =
        client.get(app.url("/api/v1/signals/review")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(due["signals"].as_array().unwrap().iter().any(|s| s["id"] == id), "due for review");

    let review =
        json!({"horizon": "h1", "impact": 5, "uncertainty": 5, "confidence": "high", "review_on": "2099-01-01"});
    let response = client
        .post(app.url(&format!("/api/v1/signals/{id}/scores")))
        .bearer_auth(&token)
        .json(&review)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let got: Value = client
        .get(app.url(&format!("/api/v1/signals/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["review_on"], "2099-01-01");
    assert_eq!(got["previous"]["uncertainty"], 4);

    let driver = json!({"name": "Climate (test)"});
    let response = client.post(app.url("/api/v1/drivers")).bearer_auth(&token).json(&driver).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let driver_id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let response = client
        .put(app.url(&format!("/api/v1/drivers/{driver_id}/signals")))
        .bearer_auth(&token)
        .json(&json!({"signal_ids": [id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let got: Value = response.json().await.unwrap();
    assert_eq!(got["impact"], 5.0, "the mean of its signal's impact");

    let svg = client.get(app.url("/api/v1/signals/matrix.svg")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let svg = svg.text().await.unwrap();
    assert!(svg.contains(&format!("href=\"/drivers/{driver_id}\"")));
    assert!(svg.contains("a candidate for a scenario axis"));

    let viewer = app.token(Role::Viewer).await;
    let response = client.get(app.url("/api/v1/signals")).bearer_auth(&viewer).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
}
