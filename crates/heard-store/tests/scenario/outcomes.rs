//! Outcomes on both backends: the demo's (one review due), an outcome added to a decision with
//! measurements and reviews, progress toward a target above and below its baseline, the weighted
//! roll-up to the decision and the programme, and nothing reached through another programme.

use heard_domain::decisions::outcome::{MeasurementInput, OutcomeInput};
use heard_store::StoreError;
use heard_testkit::fresh_store;
use time::macros::date;

use super::{DEMO_ACCOUNTS, demo, email};

fn outcome(indicator: &str, baseline: f64, target: f64, weight: u32) -> OutcomeInput {
    OutcomeInput { indicator: indicator.into(), unit: None, baseline, target, weight }
}

fn measured(value: f64, on: time::Date) -> MeasurementInput {
    MeasurementInput { value, measured_on: on, note: None }
}

#[tokio::test]
async fn outcomes_and_progress_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let commissioner = store.user_by_email(&email(DEMO_ACCOUNTS[1].1)).await.unwrap().unwrap();
        let early_years = store.programme("early-years").await.unwrap().unwrap();

        // The demo: Early Years' first decision has outcomes measured, and exactly one review due.
        let due = store.reviews_due(date!(2026 - 11 - 27)).await.unwrap();
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(due[0].programme_slug, "early-years");
        assert!(store.reviews_due(date!(2015 - 10 - 14)).await.unwrap().is_empty(), "not due before its day");
        let demo = store.outcomes(early_years.id, None).await.unwrap();
        assert!(demo.len() >= 2 && demo.iter().all(|o| !o.measurements.is_empty()));

        // A new decision's outcomes: one brought up, one brought down, one not measured yet.
        let programme = store.programme("mental-health").await.unwrap().unwrap();
        let decision = store.decision_refs(programme.id).await.unwrap().pop().unwrap();
        let before = store.programme_progress(programme.id).await.unwrap();
        let up = store
            .add_outcome(programme.id, decision.id, &outcome("Up (test)", 10.0, 50.0, 3), commissioner.id)
            .await
            .unwrap();
        let down = store
            .add_outcome(programme.id, decision.id, &outcome("Down (test)", 30.0, 10.0, 1), commissioner.id)
            .await
            .unwrap();
        let unmeasured = store
            .add_outcome(programme.id, decision.id, &outcome("Later (test)", 0.0, 1.0, 4), commissioner.id)
            .await
            .unwrap();
        store
            .record_measurement(programme.id, up, &measured(20.0, date!(2016 - 01 - 31)), commissioner.id)
            .await
            .unwrap();
        // A later measurement counts, whatever order they are recorded in.
        store
            .record_measurement(programme.id, up, &measured(40.0, date!(2016 - 06 - 30)), commissioner.id)
            .await
            .unwrap();
        store
            .record_measurement(programme.id, up, &measured(15.0, date!(2016 - 03 - 31)), commissioner.id)
            .await
            .unwrap();
        store
            .record_measurement(programme.id, down, &measured(25.0, date!(2016 - 06 - 30)), commissioner.id)
            .await
            .unwrap();

        let outcomes = store.outcomes(programme.id, Some(decision.id)).await.unwrap();
        let find = |id: i64| outcomes.iter().find(|o| o.id == id).unwrap();
        assert_eq!(find(up).progress, Some(0.75), "(40 - 10) / (50 - 10)");
        assert_eq!(find(up).latest().unwrap().value, 40.0);
        assert_eq!(find(up).measurements.iter().map(|m| m.value).collect::<Vec<_>>(), [20.0, 15.0, 40.0], "by date");
        assert_eq!(find(down).progress, Some(0.25), "(25 - 30) / (10 - 30)");
        assert_eq!(find(unmeasured).progress, None);
        assert_eq!(find(up).measurements[0].recorded_by.as_ref().unwrap().id, commissioner.id);

        let progress = store.programme_progress(programme.id).await.unwrap();
        let mine = progress.decisions.iter().find(|d| d.decision_id == decision.id).unwrap();
        let before_mine = before.decisions.iter().find(|d| d.decision_id == decision.id).unwrap();
        assert_eq!((mine.outcomes, mine.weight), (before_mine.outcomes + 3, before_mine.weight + 8));
        // The decision's demo outcomes and these three, by weight, unmeasured as nothing.
        let all = store.outcomes(programme.id, Some(decision.id)).await.unwrap();
        let expected: f64 = all.iter().map(|o| o.progress.unwrap_or(0.0) * f64::from(o.weight)).sum::<f64>()
            / all.iter().map(|o| f64::from(o.weight)).sum::<f64>();
        assert!((mine.progress.unwrap() - expected).abs() < 1e-12, "{mine:?} {expected}");
        let everything = store.outcomes(programme.id, None).await.unwrap();
        let programme_expected: f64 =
            everything.iter().map(|o| o.progress.unwrap_or(0.0) * f64::from(o.weight)).sum::<f64>()
                / everything.iter().map(|o| f64::from(o.weight)).sum::<f64>();
        assert!((progress.progress.unwrap() - programme_expected).abs() < 1e-12);

        // Reviews: set, due on their day, done once.
        let review = store.schedule_review(programme.id, down, date!(2016 - 09 - 01)).await.unwrap();
        let due_then = store.reviews_due(date!(2016 - 09 - 01)).await.unwrap();
        assert!(due_then.iter().any(|r| r.review_id == review && r.outcome_id == down && r.decision_id == decision.id));
        assert!(!store.reviews_due(date!(2016 - 08 - 31)).await.unwrap().iter().any(|r| r.review_id == review));
        store.mark_reviewed(programme.id, review, Some("Waits falling (test)."), commissioner.id).await.unwrap();
        assert!(matches!(
            store.mark_reviewed(programme.id, review, None, commissioner.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(!store.reviews_due(date!(2030 - 01 - 01)).await.unwrap().iter().any(|r| r.review_id == review));
        let done = &store
            .outcomes(programme.id, Some(decision.id))
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id == down)
            .unwrap()
            .reviews[0];
        assert_eq!(done.note.as_deref(), Some("Waits falling (test)."));
        assert!(done.reviewed_at.is_some());

        // Nothing through another programme.
        let other = early_years.id;
        assert!(matches!(
            store.add_outcome(other, decision.id, &outcome("x", 0.0, 1.0, 1), commissioner.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.record_measurement(other, up, &measured(1.0, date!(2016 - 01 - 01)), commissioner.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(store.schedule_review(other, up, date!(2016 - 01 - 01)).await, Err(StoreError::NotFound)));
        let review = store.schedule_review(programme.id, up, date!(2016 - 12 - 01)).await.unwrap();
        assert!(matches!(store.mark_reviewed(other, review, None, commissioner.id).await, Err(StoreError::NotFound)));
        assert!(store.outcomes(other, Some(decision.id)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn outcomes_measurements_and_reviews_changed_and_deleted_on_both_backends() {
    for backend in heard_testkit::backends() {
        let store = fresh_store(backend).await;
        demo::load(&store).await.unwrap();
        let commissioner = store.user_by_email(&email(DEMO_ACCOUNTS[1].1)).await.unwrap().unwrap();
        let programme = store.programme("dementia").await.unwrap().unwrap().id;
        let other = store.programme("early-years").await.unwrap().unwrap().id;
        let decision = store.decision_refs(programme).await.unwrap().pop().unwrap().id;
        let one = |outcomes: Vec<heard_store::decisions::outcomes::Outcome>, id: i64| {
            outcomes.into_iter().find(|o| o.id == id).unwrap()
        };

        let id = store
            .add_outcome(programme, decision, &outcome("Visits (test)", 10.0, 50.0, 2), commissioner.id)
            .await
            .unwrap();
        let first = store
            .record_measurement(programme, id, &measured(20.0, date!(2016 - 01 - 31)), commissioner.id)
            .await
            .unwrap();
        let latest = store
            .record_measurement(programme, id, &measured(30.0, date!(2016 - 06 - 30)), commissioner.id)
            .await
            .unwrap();
        assert_eq!(one(store.outcomes(programme, Some(decision)).await.unwrap(), id).progress, Some(0.5));

        // The outcome changed: its measurements stay, its progress is read against the new target.
        let mut changed = outcome("Home visits (test)", 10.0, 30.0, 5);
        changed.unit = Some("visits".into());
        store.edit_outcome(programme, id, &changed).await.unwrap();
        let now = one(store.outcomes(programme, Some(decision)).await.unwrap(), id);
        assert_eq!(
            (now.indicator.as_str(), now.unit.as_deref(), now.weight),
            ("Home visits (test)", Some("visits"), 5)
        );
        assert_eq!(now.measurements.len(), 2);
        assert_eq!(now.progress, Some(1.0), "(30 - 10) / (30 - 10)");

        // The latest measurement corrected, then deleted: the earlier one counts.
        let corrected =
            MeasurementInput { value: 15.0, measured_on: date!(2016 - 07 - 01), note: Some("Recount (test)".into()) };
        store.correct_measurement(programme, id, latest, &corrected).await.unwrap();
        let now = one(store.outcomes(programme, Some(decision)).await.unwrap(), id);
        let m = now.measurements.iter().find(|m| m.id == latest).unwrap();
        assert_eq!((m.value, m.measured_on, m.note.as_deref()), (15.0, date!(2016 - 07 - 01), Some("Recount (test)")));
        assert_eq!(now.progress, Some(0.25), "(15 - 10) / (30 - 10)");
        store.delete_measurement(programme, id, latest).await.unwrap();
        let now = one(store.outcomes(programme, Some(decision)).await.unwrap(), id);
        assert_eq!(now.measurements.iter().map(|m| m.id).collect::<Vec<_>>(), [first]);
        assert_eq!(now.progress, Some(0.5), "(20 - 10) / (30 - 10)");
        assert!(matches!(store.delete_measurement(programme, id, latest).await, Err(StoreError::NotFound)));

        // A review moved while still to do; once done it keeps its date; either may be deleted.
        let review = store.schedule_review(programme, id, date!(2016 - 09 - 01)).await.unwrap();
        store.move_review(programme, id, review, date!(2016 - 10 - 01)).await.unwrap();
        assert!(store.reviews_due(date!(2016 - 09 - 15)).await.unwrap().iter().all(|r| r.review_id != review));
        assert!(store.reviews_due(date!(2016 - 10 - 01)).await.unwrap().iter().any(|r| r.review_id == review));
        store.mark_reviewed(programme, review, None, commissioner.id).await.unwrap();
        assert!(matches!(
            store.move_review(programme, id, review, date!(2017 - 01 - 01)).await,
            Err(StoreError::NotFound)
        ));
        let later = store.schedule_review(programme, id, date!(2017 - 03 - 01)).await.unwrap();
        store.delete_review(programme, id, review).await.unwrap();
        let now = one(store.outcomes(programme, Some(decision)).await.unwrap(), id);
        assert_eq!(
            now.reviews.iter().map(|r| (r.id, r.review_on)).collect::<Vec<_>>(),
            [(later, date!(2017 - 03 - 01))]
        );

        // Nothing through another programme, or another outcome's measurement or review.
        let sibling = store
            .add_outcome(programme, decision, &outcome("Calls (test)", 0.0, 5.0, 1), commissioner.id)
            .await
            .unwrap();
        assert!(matches!(store.edit_outcome(other, id, &changed).await, Err(StoreError::NotFound)));
        assert!(matches!(store.delete_outcome(other, id).await, Err(StoreError::NotFound)));
        assert!(matches!(store.correct_measurement(other, id, first, &corrected).await, Err(StoreError::NotFound)));
        assert!(matches!(
            store.correct_measurement(programme, sibling, first, &corrected).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(store.delete_measurement(programme, sibling, first).await, Err(StoreError::NotFound)));
        assert!(matches!(
            store.move_review(programme, sibling, later, date!(2017 - 04 - 01)).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(store.delete_review(other, id, later).await, Err(StoreError::NotFound)));
        let now = one(store.outcomes(programme, Some(decision)).await.unwrap(), id);
        assert_eq!((now.measurements.len(), now.reviews.len(), now.indicator.as_str()), (1, 1, "Home visits (test)"));

        // The outcome deleted: its measurement and review go with it; the sibling stays.
        store.delete_outcome(programme, id).await.unwrap();
        let left = store.outcomes(programme, Some(decision)).await.unwrap();
        assert!(left.iter().all(|o| o.id != id) && left.iter().any(|o| o.id == sibling));
        assert!(store.reviews_due(date!(2030 - 01 - 01)).await.unwrap().iter().all(|r| r.review_id != later));
        assert!(matches!(store.delete_outcome(programme, id).await, Err(StoreError::NotFound)));
    }
}
