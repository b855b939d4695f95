//! Cause maps through the real router: building one with plain forms, the analysis on the page,
//! optimistic versioning, evidence, the pictures and downloads, Kumu import and export, the API,
//! and who may do what.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::governance::Role;
use heard_testkit::{Browser, TestApp};
use serde_json::{Value, json};

const SLUG: &str = "dementia";

fn list_page() -> String {
    format!("/programmes/{SLUG}/cause-maps")
}

/// The path of the first redirect's target.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Makes a map through the page's form and returns its path.
async fn make_map(browser: &Browser, central: &str) -> String {
    let response = browser.submit(&list_page(), &list_page(), &[("central", central), ("title", "")]).await;
    assert_eq!(response.status(), 303);
    location(&response)
}

/// The map as the API reads it.
async fn map_json(app: &TestApp, token: &str, map_path: &str) -> Value {
    let response =
        app.api_client().get(app.url(&format!("/api/v1{map_path}"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn factor_id(map: &Value, label: &str) -> i64 {
    map["map"]["factors"].as_array().unwrap().iter().find(|f| f["label"] == label).unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_facilitator_builds_a_map_with_forms_and_sees_its_loop_and_root_cause() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Facilitator).await;
    let map = make_map(&browser, "Carers reach crisis point (test)").await;
    let token = app.token(Role::Facilitator).await;
    let central = factor_id(&map_json(&app, &token, &map).await, "Carers reach crisis point (test)");

    // Add factors, the first connected at once to the central event.
    let factors = format!("{map}/factors");
    let added = browser
        .submit(
            &map,
            &factors,
            &[
                ("label", "Respite is hard to book"),
                ("tags", "Social care, inside control"),
                ("contributes_to", &central.to_string()),
            ],
        )
        .await;
    assert_eq!(added.status(), 303);
    for label in ["Carers are exhausted", "Nobody plans ahead"] {
        assert_eq!(browser.submit(&map, &factors, &[("label", label)]).await.status(), 303);
    }
    let whole = map_json(&app, &token, &map).await;
    let (respite, exhausted, plans) = (
        factor_id(&whole, "Respite is hard to book"),
        factor_id(&whole, "Carers are exhausted"),
        factor_id(&whole, "Nobody plans ahead"),
    );
    let arrows = format!("{map}/arrows");
    for (from, to) in [(exhausted, central), (central, exhausted), (plans, respite)] {
        let response = browser.submit(&map, &arrows, &[("from", &from.to_string()), ("to", &to.to_string())]).await;
        assert_eq!(response.status(), 303, "{from} -> {to}");
    }

    // The page shows the loop, the root cause and the tags, and the picture links each factor.
    let page = browser.page(&format!("{map}?loops=yes&roots=yes")).await;
    let loops = &page[page.find("id=\"loops-list\"").unwrap()..];
    let listed = "Carers reach crisis point (test) → Carers are exhausted → Carers reach crisis point (test)";
    assert!(loops[..loops.find("</ol>").unwrap()].contains(listed), "the loop is listed");
    let roots = &page[page.find(">Root causes</h3>").unwrap()..page.find("id=\"loops-list\"").unwrap()];
    assert!(roots.contains("Nobody plans ahead") && !roots.contains("Respite is hard to book"));
    assert!(page.contains("<svg"), "the picture is inline");
    assert!(page.contains(&format!("href=\"/programmes/{SLUG}/cause-maps/")), "factors link to their evidence");
    assert!(page.contains("inside control"));

    // Bad input: an arrow to itself, an arrow twice, a factor's words twice, nothing chosen.
    let response = browser.submit(&map, &arrows, &[("from", &plans.to_string()), ("to", &plans.to_string())]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("choose two different factors"));
    let response = browser.submit(&map, &arrows, &[("from", &plans.to_string()), ("to", &respite.to_string())]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("already an arrow"));
    let response = browser.submit(&map, &factors, &[("label", "carers ARE exhausted")]).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("already has a factor with those words"));
    let response = browser.submit(&map, &arrows, &[("from", ""), ("to", "")]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("Choose the factor the arrow starts from")
            && html.contains("Choose the factor it contributes to")
    );
    assert_eq!(map_json(&app, &token, &map).await["map"]["arrows"].as_array().unwrap().len(), 4, "nothing half-saved");

    // Tidying reorders the factors (fresh positions for all, the arrows untouched).
    let before = map_json(&app, &token, &map).await;
    assert_eq!(browser.submit(&map, &format!("{map}/tidy"), &[]).await.status(), 303);
    let after = map_json(&app, &token, &map).await;
    assert_eq!(before["map"]["arrows"], after["map"]["arrows"]);
    // The arrows cross no more than before, counted as the picture counts them.
    let crossings = |m: &Value| {
        let factors = m["map"]["factors"].as_array().unwrap();
        let index = |id: &Value| factors.iter().position(|f| f["id"] == *id).unwrap();
        let graph = heard_analysis::causes::CauseMap {
            factors: factors.iter().map(|f| f["label"].as_str().unwrap().to_owned()).collect(),
            arrows: m["map"]["arrows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (index(&a["from"]), index(&a["to"])))
                .collect(),
            central: factors.iter().position(|f| f["central"] == true).unwrap(),
        };
        let order: Vec<i64> = factors.iter().map(|f| f["position"].as_i64().unwrap()).collect();
        heard_analysis::causes::layout::crossings(&graph, &order)
    };
    assert!(crossings(&after) <= crossings(&before), "tidying never adds crossings");
}

#[tokio::test]
async fn two_people_editing_one_factor_do_not_overwrite_each_other() {
    let app = TestApp::spawn().await;
    let first = app.signed_in(Role::Facilitator).await;
    let second = app.signed_in(Role::Researcher).await;
    let map = make_map(&first, "Placements break down (test)").await;
    let factors = format!("{map}/factors");
    assert_eq!(first.submit(&map, &factors, &[("label", "Carers leave")]).await.status(), 303);
    let token = app.token(Role::Researcher).await;
    let id = factor_id(&map_json(&app, &token, &map).await, "Carers leave");
    let factor = format!("{map}/factors/{id}");

    // Both open the factor at version 1; the first saves, the second's save is refused.
    let first_token = first.csrf_token(&factor).await;
    let second_token = second.csrf_token(&factor).await;
    let saved = first.post(&factor, &first_token, &[("label", "Foster carers leave"), ("version", "1")]).await;
    assert_eq!(saved.status(), 303);
    let refused = second.post(&factor, &second_token, &[("label", "Carers quit"), ("version", "1")]).await;
    assert_eq!(refused.status(), 409);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Someone else changed this factor"), "the conflict is explained");
    assert!(html.contains("value=\"Foster carers leave\""), "the form shows their version");
    assert!(html.contains("Carers quit"), "the person's own words are not lost");
    let delete = second.post(&format!("{factor}/delete"), &second_token, &[("version", "1")]).await;
    assert_eq!(delete.status(), 409);
    let whole = map_json(&app, &token, &map).await;
    assert_eq!(factor_id(&whole, "Foster carers leave"), id);

    // Through the API: a stale version is 409 edit_conflict.
    let response = app
        .api_client()
        .put(app.url(&format!("/api/v1{factor}")))
        .bearer_auth(&token)
        .json(&json!({ "label": "Carers quit", "version": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "edit_conflict");
}

#[tokio::test]
async fn evidence_links_to_a_factor_and_is_counted() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Researcher).await;
    let programme = app.store.programme("early-years").await.unwrap().unwrap();
    let insight = app.store.insights(programme.id).await.unwrap().into_iter().max_by_key(|i| i.participants).unwrap();
    let list = "/programmes/early-years/cause-maps";
    let response = browser.submit(list, list, &[("central", "Late help (evidence test)")]).await;
    let map = location(&response);
    assert_eq!(
        browser.submit(&map, &format!("{map}/factors"), &[("label", "Nobody tells families")]).await.status(),
        303
    );
    let token = app.token(Role::Researcher).await;
    let id = factor_id(&map_json(&app, &token, &map).await, "Nobody tells families");
    let factor = format!("{map}/factors/{id}");
    let linked = browser.submit(&factor, &format!("{factor}/evidence"), &[("insight", &insight.id.to_string())]).await;
    assert_eq!(linked.status(), 303);
    let bad =
        browser.submit(&factor, &format!("{factor}/evidence"), &[("insight", ""), ("excerpt", "not a number")]).await;
    assert_eq!(bad.status(), 422);

    let whole = map_json(&app, &token, &map).await;
    let linked = whole["map"]["factors"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap().clone();
    assert_eq!(linked["insights"], 1);
    assert_eq!(linked["participants"], insight.participants);
    let page = browser.page(&factor).await;
    assert!(page.contains(&insight.statement));
    // A commissioner reads the map and the evidence (and builds maps too); a viewer reads neither;
    // an administrator follows but does not build.
    let commissioner = app.signed_in(Role::Commissioner).await;
    assert!(commissioner.page(&factor).await.contains(&insight.statement));
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(&map).await.status(), 403);
    let administrator = app.signed_in(Role::Administrator).await;
    assert_eq!(administrator.get(&map).await.status(), 200);
    let refused = administrator.submit(&map, &format!("{map}/factors"), &[("label", "Admin was here")]).await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn downloads_and_a_kumu_round_trip_keep_factors_arrows_and_tags() {
    let app = TestApp::spawn().await;
    let browser = app.signed_in(Role::Commissioner).await;
    let programme = app.store.programme("early-years").await.unwrap().unwrap();
    let demo = app.store.cause_maps(programme.id).await.unwrap()[0].clone();
    let map = format!("/programmes/early-years/cause-maps/{}", demo.id);

    let dot = browser.get(&format!("{map}/export?format=dot")).await;
    assert_eq!(dot.status(), 200);
    let dot = dot.text().await.unwrap();
    assert!(dot.starts_with("digraph") && dot.contains("Parents give up asking"), "{dot}");
    let png = browser.get(&format!("{map}/picture.png?loops=yes")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let svg = browser.get(&format!("{map}/picture.svg")).await.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("Families reach early help too late"));
    let kumu = browser.get(&format!("{map}/export?format=kumu")).await.text().await.unwrap();

    // Upload the Kumu file to the programme as a new map: same factors, arrows and tags.
    let token = browser.csrf_token("/programmes/early-years/cause-maps").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("import_title", "Round trip (test)")
        .text("import_central", "")
        .part("file", reqwest::multipart::Part::bytes(kumu.into_bytes()).file_name("map.json"));
    let response =
        browser.client.post(app.url("/programmes/early-years/cause-maps/import")).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let copy = app.store.cause_map_id(programme.id, "Round trip (test)").await.unwrap().unwrap();
    let original = app.store.cause_map(programme.id, demo.id).await.unwrap().unwrap();
    let copied = app.store.cause_map(programme.id, copy).await.unwrap().unwrap();
    let mut before = original.parts();
    let mut after = copied.parts();
    // Compare as sets: the import orders factors by its own tidy layout.
    let canonical = |parts: &mut heard_domain::causes::kumu::MapParts| {
        let mut arrows: Vec<(String, String)> =
            parts.arrows.iter().map(|&(a, b)| (parts.labels[a].clone(), parts.labels[b].clone())).collect();
        arrows.sort();
        let mut factors: Vec<(String, Vec<String>, bool)> = (0..parts.labels.len())
            .map(|i| (parts.labels[i].clone(), parts.tags[i].clone(), i == parts.central))
            .collect();
        factors.sort();
        (factors, arrows)
    };
    assert_eq!(canonical(&mut before), canonical(&mut after));

    // A broken file is refused whole, naming what is wrong.
    let token = browser.csrf_token("/programmes/early-years/cause-maps").await;
    let broken =
        r#"{"elements":[{"id":"a","label":"A"},{"id":"b","label":"B"}],"connections":[{"from":"a","to":"zzz"}]}"#;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("import_title", "Broken (test)")
        .part("file", reqwest::multipart::Part::bytes(broken.as_bytes().to_vec()).file_name("broken.json"));
    let response =
        browser.client.post(app.url("/programmes/early-years/cause-maps/import")).multipart(form).send().await.unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("zzz"));
    assert!(app.store.cause_map_id(programme.id, "Broken (test)").await.unwrap().is_none());
}

#[tokio::test]
async fn the_api_builds_and_analyses_a_map_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        api_story(&app).await;
    }
}

async fn api_story(app: &TestApp) {
    let token = app.token(Role::Researcher).await;
    let client = app.api_client();
    let base = app.url(&format!("/api/v1/programmes/{SLUG}/cause-maps"));
    let post = |url: String, body: Value| client.post(url).bearer_auth(&token).json(&body).send();
    let created: Value = post(base.clone(), json!({ "central": "Hospital admissions in crisis (api)" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let map = created["id"].as_i64().unwrap();
    let whole: Value =
        client.get(format!("{base}/{map}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let central = whole["map"]["factors"][0]["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for label in ["Late diagnosis", "Exhausted carers", "No plan"] {
        let response =
            post(format!("{base}/{map}/factors"), json!({ "label": label, "tags": ["api test"] })).await.unwrap();
        assert_eq!(response.status(), 201);
        ids.push(response.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    for (from, to) in [(ids[0], ids[2]), (ids[2], central), (ids[1], central), (central, ids[1])] {
        assert_eq!(
            post(format!("{base}/{map}/arrows"), json!({ "from": from, "to": to })).await.unwrap().status(),
            201
        );
    }
    let bad = post(format!("{base}/{map}/arrows"), json!({ "from": ids[0], "to": ids[0] })).await.unwrap();
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "to");

    let whole: Value =
        client.get(format!("{base}/{map}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let analysis = &whole["analysis"];
    assert_eq!(analysis["root_causes"], json!([ids[0]]));
    assert_eq!(analysis["loops"], json!([[central, ids[1]]]));
    assert_eq!(analysis["disconnected"], json!([]));
    assert_eq!(analysis["leverage"][0]["factor_id"], ids[2], "the factor every root path passes ranks first");

    let dot = client.get(format!("{base}/{map}/export?format=dot")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(dot.status(), 200);
    assert!(dot.text().await.unwrap().contains("Exhausted carers"));

    // A Kumu file with an unknown id is refused and saves nothing.
    let kumu = json!({ "elements": [{ "id": "x", "label": "X" }, { "id": "y", "label": "Y" }], "connections": [{ "from": "x", "to": "nowhere" }] });
    let refused =
        client.post(format!("{base}/import?title=Unknown%20ids")).bearer_auth(&token).json(&kumu).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let maps: Value = client.get(base.clone()).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(maps["maps"].as_array().unwrap().iter().all(|m| m["title"] != "Unknown ids"));

    // A viewer's token reads nothing; an administrator's reads but does not write.
    let viewer = app.token(Role::Viewer).await;
    assert_eq!(client.get(base.clone()).bearer_auth(&viewer).send().await.unwrap().status(), 403);
    let administrator = app.token(Role::Administrator).await;
    let response =
        client.post(base.clone()).bearer_auth(&administrator).json(&json!({ "central": "x" })).send().await.unwrap();
    assert_eq!(response.status(), 403);
}
