//! Outcomes through the real router on both backends: who may read and record them, an outcome
//! added and measured with the forms (errors by field, 422, nothing saved), progress on the
//! decision's and the programme's pages, reviews set and done, the demo's review due on the
//! dashboard, and the API.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

use heard_domain::governance::Role;
use heard_testkit::TestApp;
use serde_json::{Value, json};

const SLUG: &str = "dementia";

#[tokio::test]
async fn outcomes_are_recorded_measured_and_reviewed_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let programme = app.store.programme(SLUG).await.unwrap().unwrap();
        let decision = app.store.decision_refs(programme.id).await.unwrap().remove(0);
        let list = format!("/programmes/{SLUG}/decisions/{}/outcomes", decision.id);

        // Roles: everyone but viewers reads; only commissioners record.
        for role in [Role::Administrator, Role::Researcher, Role::Facilitator, Role::Commissioner] {
            let browser = app.signed_in(role).await;
            assert_eq!(browser.get(&list).await.status(), 200, "{role:?}");
            assert_eq!(browser.get(&format!("/programmes/{SLUG}/outcomes")).await.status(), 200, "{role:?}");
        }
        assert_eq!(app.signed_in(Role::Viewer).await.get(&list).await.status(), 403);
        let researcher = app.signed_in(Role::Researcher).await;
        let form = [("indicator", "Carers with a break each month (test)"), ("baseline", "20"), ("target", "60")];
        assert_eq!(researcher.submit(&list, &list, &form).await.status(), 403);
        assert_eq!(
            app.signed_in(Role::Commissioner)
                .await
                .get("/programmes/dementia/decisions/999999/outcomes")
                .await
                .status(),
            404
        );

        // The decision's page leads to its outcomes.
        let decision_page =
            app.signed_in(Role::Researcher).await.page(&format!("/programmes/{SLUG}/decisions/{}", decision.id)).await;
        assert!(decision_page.contains(&format!("href=\"{list}\"")));

        // Refused by field, nothing saved; then added.
        let commissioner = app.signed_in(Role::Commissioner).await;
        let before = app.store.outcomes(programme.id, Some(decision.id)).await.unwrap().len();
        let bad = [("indicator", ""), ("baseline", "lots"), ("target", "20"), ("weight", "500")];
        let response = commissioner.submit(&list, &list, &bad).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        for field in ["#indicator", "#baseline", "#weight"] {
            assert!(page.contains(&format!("href=\"{field}\"")), "{field}");
        }
        let same = [("indicator", "Same (test)"), ("baseline", "20"), ("target", "20")];
        assert_eq!(commissioner.submit(&list, &list, &same).await.status(), 422);
        assert_eq!(app.store.outcomes(programme.id, Some(decision.id)).await.unwrap().len(), before);
        let form = [
            ("indicator", "Carers with a break each month (test)"),
            ("unit", "%"),
            ("baseline", "20"),
            ("target", "60"),
            ("weight", "2"),
        ];
        let response = commissioner.submit(&list, &list, &form).await;
        assert_eq!(response.status(), 303);
        let one = response.headers()["location"].to_str().unwrap().to_owned();
        let outcome: i64 = one.rsplit('/').next().unwrap().parse().unwrap();
        assert!(commissioner.page(&one).await.contains("Not measured yet"));

        // Measured: a bad one refused by field, then 30% is a quarter of the way from 20 to 60.
        let measure = format!("{one}/measurements");
        let bad =
            [("value", "abc"), ("measured_on.day", "1"), ("measured_on.month", "1"), ("measured_on.year", "2199")];
        let response = commissioner.submit(&one, &measure, &bad).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("href=\"#value\"") && page.contains("href=\"#measured_on\""));
        let good =
            [("value", "30"), ("measured_on.day", "30"), ("measured_on.month", "6"), ("measured_on.year", "2016")];
        assert_eq!(commissioner.submit(&one, &measure, &good).await.status(), 303);
        let page = commissioner.page(&one).await;
        assert!(page.contains("25% of the way"), "{page}");
        let outcomes = app.store.outcomes(programme.id, Some(decision.id)).await.unwrap();
        let expected =
            heard_domain::decisions::outcome::rolled_up(outcomes.iter().map(|o| (o.progress, o.weight))).unwrap();
        let decision_page = commissioner.page(&list).await;
        let shown = format!("{}% of the way", heard_domain::decisions::outcome::percent(expected));
        assert!(decision_page.contains(&shown), "decision's progress {shown}");
        assert!(commissioner.page(&format!("/programmes/{SLUG}/outcomes")).await.contains("Programme's progress"));

        // A review set in the past is due on the dashboard until it is recorded as done.
        let review = [("review_on.day", "1"), ("review_on.month", "9"), ("review_on.year", "2016")];
        assert_eq!(commissioner.submit(&one, &format!("{one}/reviews"), &review).await.status(), 303);
        let dashboard = commissioner.page("/").await;
        assert!(dashboard.contains("Outcome reviews due"));
        assert!(
            dashboard.contains(&format!("href=\"/programmes/{SLUG}/decisions/{}/outcomes/{outcome}\"", decision.id))
        );
        assert!(!app.signed_in(Role::Viewer).await.page("/").await.contains("Outcome reviews due"));
        let id = app
            .store
            .outcomes(programme.id, Some(decision.id))
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id == outcome)
            .unwrap()
            .reviews[0]
            .id;
        let reviewed = format!("{one}/reviewed");
        assert_eq!(commissioner.submit(&one, &reviewed, &[("note", "x")]).await.status(), 422, "which review");
        let review_id = id.to_string();
        assert_eq!(
            commissioner
                .submit(&one, &reviewed, &[("review", review_id.as_str()), ("note", "Breaks rising (test).")])
                .await
                .status(),
            303
        );
        let dashboard = commissioner.page("/").await;
        assert!(!dashboard.contains(&format!("/outcomes/{outcome}\"")), "done, no longer due");
        assert!(dashboard.contains("Outcome reviews due"), "the demo's own review is still due");

        // The API reads them and records a measurement.
        let token = app.token(Role::Commissioner).await;
        let api = format!("/api/v1{list}");
        let body: Value =
            app.api_client().get(app.url(&api)).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let mine = body["outcomes"].as_array().unwrap().iter().find(|o| o["id"] == outcome).unwrap().clone();
        assert_eq!(mine["progress"], 0.25);
        let measure = format!("{api}/{outcome}/measurements");
        let response = app
            .api_client()
            .post(app.url(&measure))
            .bearer_auth(&token)
            .json(&json!({"value": 60, "measured_on": "2016-12-01"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["progress"], 1.0);
        let response = app
            .api_client()
            .post(app.url(&measure))
            .bearer_auth(&token)
            .json(&json!({"value": 1, "measured_on": "yesterday"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "measured_on");
        let researcher_token = app.token(Role::Researcher).await;
        let response = app
            .api_client()
            .post(app.url(&measure))
            .bearer_auth(&researcher_token)
            .json(&json!({"value": 1, "measured_on": "2016-12-01"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let other = format!("/api/v1/programmes/early-years/decisions/{}/outcomes/{outcome}/measurements", decision.id);
        let response = app
            .api_client()
            .post(app.url(&other))
            .bearer_auth(&token)
            .json(&json!({"value": 1, "measured_on": "2016-12-01"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
    }
}

async fn api(app: &TestApp, method: reqwest::Method, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.api_client().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

fn named(body: &Value) -> Vec<String> {
    body["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn outcomes_measurements_and_reviews_are_changed_and_deleted_on_both_backends() {
    for backend in heard_testkit::backends() {
        let app = TestApp::spawn_on(backend).await;
        let programme = app.store.programme(SLUG).await.unwrap().unwrap();
        let decision = app.store.decision_refs(programme.id).await.unwrap().remove(0);
        let list = format!("/programmes/{SLUG}/decisions/{}/outcomes", decision.id);
        let commissioner = app.signed_in(Role::Commissioner).await;
        let form = [("indicator", "Respite nights (test)"), ("baseline", "10"), ("target", "30"), ("weight", "2")];
        let one = commissioner.submit(&list, &list, &form).await.headers()["location"].to_str().unwrap().to_owned();
        let outcome: i64 = one.rsplit('/').next().unwrap().parse().unwrap();
        let measure =
            [("value", "20"), ("measured_on.day", "30"), ("measured_on.month", "6"), ("measured_on.year", "2016")];
        assert_eq!(commissioner.submit(&one, &format!("{one}/measurements"), &measure).await.status(), 303);
        let review = [("review_on.day", "1"), ("review_on.month", "9"), ("review_on.year", "2016")];
        assert_eq!(commissioner.submit(&one, &format!("{one}/reviews"), &review).await.status(), 303);
        let read = || async {
            app.store.outcomes(programme.id, Some(decision.id)).await.unwrap().into_iter().find(|o| o.id == outcome)
        };
        let saved = read().await.unwrap();
        let (measurement, review_id) = (saved.measurements[0].id, saved.reviews[0].id);

        // The outcome's page leads to changing it, its measurement and its review.
        let page = commissioner.page(&one).await;
        for link in [
            format!("{one}/edit"),
            format!("{one}/delete"),
            format!("{one}/measurements/{measurement}"),
            format!("{one}/reviews/{review_id}"),
        ] {
            assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
        }
        assert!(!app.signed_in(Role::Researcher).await.page(&one).await.contains(&format!("{one}/edit")));

        // Changed: the form filled in; a target equal to the baseline refused by field, nothing
        // saved; then saved, progress read against the new target (20 of 10 to 20: all the way).
        let edit = format!("{one}/edit");
        let filled = commissioner.page(&edit).await;
        assert!(filled.contains("value=\"Respite nights (test)\"") && filled.contains("value=\"30\""));
        let same = [("indicator", "Respite nights (test)"), ("baseline", "10"), ("target", "10"), ("weight", "2")];
        let response = commissioner.submit(&edit, &edit, &same).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("href=\"#target\""));
        assert_eq!(read().await.unwrap().target, 30.0, "nothing saved");
        let changed =
            [("indicator", "Respite nights a month (test)"), ("unit", "nights"), ("baseline", "10"), ("target", "20")];
        assert_eq!(commissioner.submit(&edit, &edit, &changed).await.status(), 303);
        let now = read().await.unwrap();
        assert_eq!(
            (now.indicator.as_str(), now.target, now.weight, now.progress),
            ("Respite nights a month (test)", 20.0, 1, Some(1.0))
        );

        // A measurement corrected (a date to come refused by field), then deleted once confirmed.
        let m = format!("{one}/measurements/{measurement}");
        assert!(commissioner.page(&m).await.contains("value=\"20\""));
        let future =
            [("value", "15"), ("measured_on.day", "1"), ("measured_on.month", "1"), ("measured_on.year", "2199")];
        let response = commissioner.submit(&m, &m, &future).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("href=\"#measured_on\""));
        let fixed =
            [("value", "15"), ("measured_on.day", "1"), ("measured_on.month", "7"), ("measured_on.year", "2016")];
        assert_eq!(commissioner.submit(&m, &m, &fixed).await.status(), 303);
        assert_eq!(read().await.unwrap().progress, Some(0.5), "(15 - 10) / (20 - 10)");
        let response = commissioner.submit(&m, &format!("{m}/delete"), &[]).await;
        assert_eq!(response.status(), 422, "not confirmed");
        assert!(response.text().await.unwrap().contains("href=\"#confirm\""));
        assert_eq!(read().await.unwrap().measurements.len(), 1);
        assert_eq!(commissioner.submit(&m, &format!("{m}/delete"), &[("confirm", "yes")]).await.status(), 303);
        assert!(read().await.unwrap().measurements.is_empty());
        assert_eq!(commissioner.get(&m).await.status(), 404);

        // A review moved, then deleted once confirmed.
        let r = format!("{one}/reviews/{review_id}");
        let moved = [("review_on.day", "2"), ("review_on.month", "10"), ("review_on.year", "2016")];
        assert_eq!(commissioner.submit(&r, &r, &moved).await.status(), 303);
        assert_eq!(read().await.unwrap().reviews[0].review_on, time::macros::date!(2016 - 10 - 02));
        let response = commissioner.submit(&r, &r, &[("review_on.day", "31"), ("review_on.month", "2")]).await;
        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("href=\"#review_on\""));
        assert_eq!(commissioner.submit(&r, &format!("{r}/delete"), &[("confirm", "yes")]).await.status(), 303);
        assert!(read().await.unwrap().reviews.is_empty());

        // Another programme's outcome is not found through this one.
        let elsewhere = format!("/programmes/early-years/decisions/{}/outcomes/{outcome}", decision.id);
        assert_eq!(commissioner.get(&format!("{elsewhere}/edit")).await.status(), 404);
        assert_eq!(commissioner.get(&format!("{elsewhere}/delete")).await.status(), 404);

        // Deleted after its confirmation page.
        let delete = format!("{one}/delete");
        let confirm = commissioner.page(&delete).await;
        assert!(
            confirm.contains("Are you sure you want to delete this outcome?") && confirm.contains("govuk-warning-text")
        );
        let response = commissioner.submit(&delete, &delete, &[]).await;
        assert_eq!(response.status(), 303);
        assert!(read().await.is_none());
        assert_eq!(commissioner.get(&one).await.status(), 404);

        // The API: added (errors by field first), changed, a measurement corrected and deleted,
        // the outcome deleted; another programme's 404, a researcher 403.
        let token = app.token(Role::Commissioner).await;
        let base = format!("/api/v1{list}");
        let (status, body) =
            api(&app, reqwest::Method::POST, &token, &base, Some(json!({"baseline": 5, "weight": 0}))).await;
        assert_eq!(status, 422);
        let fields = named(&body);
        assert!(["indicator", "target", "weight"].iter().all(|f| fields.contains(&(*f).to_owned())), "{fields:?}");
        let (status, body) = api(
            &app,
            reqwest::Method::POST,
            &token,
            &base,
            Some(json!({"indicator": "Carers' calls answered (test)", "unit": "%", "baseline": 40, "target": 90})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["outcome"]["id"].as_i64().unwrap();
        assert_eq!(body["outcome"]["weight"], 1);
        let path = format!("{base}/{id}");
        let (status, body) = api(
            &app,
            reqwest::Method::PUT,
            &token,
            &path,
            Some(json!({"indicator": "Calls answered (test)", "baseline": 40, "target": 80, "weight": 3})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["outcome"]["target"].as_f64(), body["outcome"]["weight"].as_i64()), (Some(80.0), Some(3)));
        let (status, body) =
            api(&app, reqwest::Method::PUT, &token, &path, Some(json!({"indicator": "x", "baseline": 1, "target": 1})))
                .await;
        assert_eq!((status, named(&body)), (422, vec!["target".to_owned()]));
        let (status, body) = api(
            &app,
            reqwest::Method::POST,
            &token,
            &format!("{path}/measurements"),
            Some(json!({"value": 60, "measured_on": "2016-12-01"})),
        )
        .await;
        assert_eq!(status, 201);
        let m = body["id"].as_i64().unwrap();
        let (status, body) = api(
            &app,
            reqwest::Method::PUT,
            &token,
            &format!("{path}/measurements/{m}"),
            Some(json!({"value": 70, "measured_on": "2016-12-02"})),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["progress"], 0.75, "(70 - 40) / (80 - 40)");
        let (status, _) = api(&app, reqwest::Method::DELETE, &token, &format!("{path}/measurements/{m}"), None).await;
        assert_eq!(status, 204);
        let (status, _) = api(&app, reqwest::Method::DELETE, &token, &format!("{path}/measurements/{m}"), None).await;
        assert_eq!(status, 404);
        let researcher = app.token(Role::Researcher).await;
        assert_eq!(api(&app, reqwest::Method::DELETE, &researcher, &path, None).await.0, 403);
        let elsewhere = format!("/api/v1/programmes/early-years/decisions/{}/outcomes/{id}", decision.id);
        assert_eq!(api(&app, reqwest::Method::DELETE, &token, &elsewhere, None).await.0, 404);
        assert_eq!(api(&app, reqwest::Method::PUT, &token, &elsewhere, Some(json!({}))).await.0, 404);
        assert_eq!(api(&app, reqwest::Method::DELETE, &token, &path, None).await.0, 204);
        assert_eq!(api(&app, reqwest::Method::DELETE, &token, &path, None).await.0, 404);
        assert!(app.store.outcomes(programme.id, Some(decision.id)).await.unwrap().iter().all(|o| o.id != id));
    }
}
