//! The demo's outcomes: for each programme's first decision (demo/decisions.rs makes them), made-up
//! indicators with baselines, targets and weights, measurements since, and review dates: Early Years
//! has one target brought down, one review done and exactly one review due (its date long past and
//! not yet reviewed), so the dashboard shows it.

use heard_domain::decisions::outcome::{MeasurementInput, OutcomeInput};
use time::Date;
use time::macros::date;

use crate::{Store, StoreError};

/// A demo outcome: indicator, unit, baseline, target, weight, measurements, reviews (date, done).
type DemoOutcome = (
    &'static str,
    Option<&'static str>,
    f64,
    f64,
    u32,
    &'static [(f64, Date)],
    &'static [(Date, Option<&'static str>)],
);

const EARLY_YEARS: &[DemoOutcome] = &[
    (
        "Families first seen before their child is one (demo)",
        Some("%"),
        38.0,
        70.0,
        3,
        &[(44.0, date!(2015 - 03 - 31)), (51.0, date!(2015 - 09 - 30))],
        &[
            (date!(2015 - 04 - 15), Some("On track; the new drop-ins bring families in earlier. (demo)")),
            (date!(2015 - 10 - 15), None),
        ],
    ),
    ("Days from referral to first visit (demo)", Some("days"), 42.0, 14.0, 1, &[(35.0, date!(2015 - 06 - 30))], &[]),
];

const OTHER: &[DemoOutcome] = &[(
    "People who say they tell their story only once (demo)",
    Some("%"),
    20.0,
    60.0,
    1,
    &[(28.0, date!(2015 - 06 - 30))],
    &[(date!(2015 - 07 - 15), Some("Early days; the plan is in use in two teams. (demo)"))],
)];

/// Adds outcomes to the first decision of each programme that has one; `early_years` gets its own.
pub(super) async fn load(store: &Store, programmes: [i64; 5], early_years: i64, by: i64) -> Result<(), StoreError> {
    for programme_id in programmes {
        let Some(decision) = store.decision_refs(programme_id).await?.into_iter().next() else { continue };
        let set = if programme_id == early_years { EARLY_YEARS } else { OTHER };
        for &(indicator, unit, baseline, target, weight, measurements, reviews) in set {
            let input = OutcomeInput {
                indicator: indicator.to_owned(),
                unit: unit.map(str::to_owned),
                baseline,
                target,
                weight,
            };
            let outcome = store.add_outcome(programme_id, decision.id, &input, by).await?;
            for &(value, measured_on) in measurements {
                let measurement = MeasurementInput { value, measured_on, note: None };
                store.record_measurement(programme_id, outcome, &measurement, by).await?;
            }
            for &(review_on, done) in reviews {
                let review = store.schedule_review(programme_id, outcome, review_on).await?;
                if let Some(note) = done {
                    store.mark_reviewed(programme_id, review, Some(note), by).await?;
                }
            }
        }
    }
    Ok(())
}
