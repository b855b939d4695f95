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
