//! Outcomes of a decision (DOMAIN.md, "Decision"): an indicator with a baseline, a target, a
//! weight, dated measurements and review dates; and progress: how far the latest measurement has
//! moved from the baseline toward the target, as a share from 0 to 1, rolled up by weight from
//! outcomes to their decision and from decisions to the programme.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Invalid;
use crate::dates::DateParts;
use crate::error::{Collector, optional_text, required_text};

/// The longest indicator, in characters.
pub const MAX_INDICATOR_CHARS: usize = 300;
/// The longest unit ("families", "%", "days") in characters.
pub const MAX_UNIT_CHARS: usize = 40;
/// The longest note on a measurement or review, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The heaviest weight an outcome may carry.
pub const MAX_WEIGHT: u32 = 100;

/// An outcome's fields as a form or JSON body gives them, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct OutcomeFields {
    pub indicator: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    /// Blank is 1.
    pub weight: String,
}

/// An outcome, checked: what is measured, where it started, where the decision means it to go,
/// and how much it counts in the decision's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    /// What is measured, e.g. "Families reached before their child is two".
    pub indicator: String,
    /// The unit the values are in, if any.
    pub unit: Option<String>,
    pub baseline: f64,
    /// Differs from the baseline; below it when the aim is to bring something down.
    pub target: f64,
    /// From 1 to [`MAX_WEIGHT`].
    pub weight: u32,
}

impl OutcomeInput {
    pub fn parse(fields: &OutcomeFields) -> Result<OutcomeInput, Invalid> {
        let mut errors = Collector::new();
        let indicator = errors.take(one_line("indicator", "the indicator", &fields.indicator, MAX_INDICATOR_CHARS));
        let unit = errors.take(optional_text("unit", "the unit", &fields.unit, MAX_UNIT_CHARS));
        let baseline = errors.take(number("baseline", "the baseline", &fields.baseline));
        let target = errors.take(number("target", "the target", &fields.target));
        if let (Some(baseline), Some(target)) = (baseline, target)
            && baseline == target
        {
            errors.push("target", "The target must differ from the baseline");
        }
        let weight = errors.take(weight("weight", &fields.weight));
        match (indicator, baseline, target, weight) {
            (Some(indicator), Some(baseline), Some(target), Some(weight)) => {
                errors.finish(|| OutcomeInput { indicator, unit: unit.flatten(), baseline, target, weight })
            }
            _ => Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("indicator", "Check the outcome"))),
        }
    }
}

/// A measurement's fields, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct MeasurementFields {
    pub value: String,
    pub measured_on: DateParts,
    pub note: String,
}

/// One dated measurement of an outcome's indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasurementInput {
    pub value: f64,
    /// Today or earlier.
    pub measured_on: Date,
    pub note: Option<String>,
}

impl MeasurementInput {
    pub fn parse(fields: &MeasurementFields, today: Date) -> Result<MeasurementInput, Invalid> {
        let mut errors = Collector::new();
        let value = errors.take(number("value", "the value measured", &fields.value));
        let measured_on = match errors.take(fields.measured_on.parse("measured_on", "the date measured")) {
            Some(None) => {
                errors.push("measured_on", "Enter the date it was measured");
                None
            }
            Some(Some(date)) if date > today => {
                errors.push("measured_on", "The date measured must be today or in the past");
                None
            }
            other => other.flatten(),
        };
        let note = errors.take(optional_text("note", "the note", &fields.note, MAX_NOTE_CHARS));
        match (value, measured_on) {
            (Some(value), Some(measured_on)) => {
                errors.finish(|| MeasurementInput { value, measured_on, note: note.flatten() })
            }
            _ => Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("value", "Check the measurement"))),
        }
    }
}

/// A review's date as a form gives it; any date, past ones included (a review missed is due).
pub fn parse_review_on(parts: &DateParts) -> Result<Date, Invalid> {
    parts.parse("review_on", "the review date")?.ok_or_else(|| Invalid::one("review_on", "Enter the review date"))
}

/// What a review found, in a sentence or two; optional.
pub fn parse_review_note(raw: &str) -> Result<Option<String>, Invalid> {
    optional_text("note", "the note", raw, MAX_NOTE_CHARS)
}

fn one_line(field: &str, label: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = required_text(field, label, raw, max)?;
    if text.chars().any(char::is_control) {
        return Err(Invalid::one(field, format!("Write {label} on one line")));
    }
    Ok(text)
}

/// A finite number as people type it: `1,200`, `-3.5`, `12%` (the per cent sign is the unit's).
pub fn number(field: &str, label: &str, raw: &str) -> Result<f64, Invalid> {
    let cleaned: String = raw.trim().trim_end_matches('%').chars().filter(|c| *c != ',' && *c != ' ').collect();
    if cleaned.is_empty() {
        return Err(Invalid::one(field, format!("Enter {label}")));
    }
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() < 1e15)
        .ok_or_else(|| Invalid::one(field, format!("Enter {label} as a number, like 120 or 3.5")))
}

fn weight(field: &str, raw: &str) -> Result<u32, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(1);
    }
    raw.parse::<u32>()
        .ok()
        .filter(|w| (1..=MAX_WEIGHT).contains(w))
        .ok_or_else(|| Invalid::one(field, format!("Enter the weight as a whole number from 1 to {MAX_WEIGHT}")))
}

/// How far `latest` has moved from `baseline` toward `target`, as a share from 0 (no nearer, or
/// further away) to 1 (there, or beyond). A target below the baseline (to bring something down)
/// counts movement down. `None` when the target is the baseline, where progress has no meaning.
pub fn progress(baseline: f64, target: f64, latest: f64) -> Option<f64> {
    let span = target - baseline;
    if span == 0.0 || !span.is_finite() {
        return None;
    }
    let share = (latest - baseline) / span;
    share.is_finite().then(|| share.clamp(0.0, 1.0))
}

/// An outcome's progress from its measurements (value, date): the latest by date (the last given
/// of one date) against its baseline and target. `None` before any measurement.
pub fn outcome_progress(baseline: f64, target: f64, measurements: &[(f64, Date)]) -> Option<f64> {
    let mut latest: Option<(f64, Date)> = None;
    for &(value, on) in measurements {
        if latest.is_none_or(|(_, at)| on >= at) {
            latest = Some((value, on));
        }
    }
    latest.and_then(|(value, _)| progress(baseline, target, value))
}

/// Weighted progress: the mean of parts' progress by their weights, a part not yet measured
/// counting as no progress (`None` is 0). `None` when there are no parts or no weight.
/// Outcomes roll up to their decision so; a programme's progress is the same over all its
/// decisions' outcomes (each decision weighing what its outcomes weigh together).
pub fn rolled_up(parts: impl IntoIterator<Item = (Option<f64>, u32)>) -> Option<f64> {
    let (sum, weights) = parts.into_iter().fold((0.0, 0u64), |(sum, weights), (progress, weight)| {
        (sum + progress.unwrap_or(0.0) * f64::from(weight), weights + u64::from(weight))
    });
    (weights > 0).then(|| sum / weights as f64)
}

/// A share as a whole percentage for pages: 0.426 is 43.
pub fn percent(share: f64) -> u32 {
    (share.clamp(0.0, 1.0) * 100.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn progress_is_the_share_of_the_way_to_the_target() {
        assert_eq!(progress(100.0, 200.0, 150.0), Some(0.5));
        assert_eq!(progress(100.0, 200.0, 250.0), Some(1.0), "beyond the target is there");
        assert_eq!(progress(100.0, 200.0, 80.0), Some(0.0), "further away is no progress");
        // Bringing waits down from 30 days to 10: 25 days is a quarter of the way.
        assert_eq!(progress(30.0, 10.0, 25.0), Some(0.25));
        assert_eq!(progress(30.0, 10.0, 35.0), Some(0.0));
        assert_eq!(progress(30.0, 10.0, 5.0), Some(1.0));
        assert_eq!(progress(5.0, 5.0, 5.0), None);
    }

    #[test]
    fn the_latest_measurement_counts() {
        let measured = [(40.0, date!(2016 - 03 - 01)), (70.0, date!(2016 - 09 - 01)), (55.0, date!(2016 - 06 - 01))];
        assert_eq!(outcome_progress(20.0, 120.0, &measured), Some(0.5));
        assert_eq!(outcome_progress(20.0, 120.0, &[]), None);
        let same_day = [(30.0, date!(2016 - 03 - 01)), (45.0, date!(2016 - 03 - 01))];
        assert_eq!(outcome_progress(20.0, 120.0, &same_day), Some(0.25), "the last given of one day");
    }

    #[test]
    fn roll_up_weighs_and_counts_the_unmeasured_as_nothing() {
        assert_eq!(rolled_up([(Some(1.0), 3), (Some(0.0), 1)]), Some(0.75));
        assert_eq!(rolled_up([(Some(0.5), 1), (None, 1)]), Some(0.25));
        assert_eq!(rolled_up([]), None);
        assert_eq!(percent(0.426), 43);
    }

    #[test]
    fn an_outcome_names_every_bad_field() {
        let ok = OutcomeFields {
            indicator: "Families reached before their child is two (demo)".into(),
            unit: "%".into(),
            baseline: "42".into(),
            target: "1,000.5".into(),
            weight: String::new(),
        };
        let input = OutcomeInput::parse(&ok).unwrap();
        assert_eq!((input.baseline, input.target, input.weight), (42.0, 1000.5, 1));
        let bad = OutcomeFields {
            indicator: " ".into(),
            unit: "x".repeat(MAX_UNIT_CHARS + 1),
            baseline: "lots".into(),
            target: "inf".into(),
            weight: "0".into(),
        };
        let invalid = OutcomeInput::parse(&bad).unwrap_err();
        let named: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["indicator", "unit", "baseline", "target", "weight"]);
        let same = OutcomeFields { target: "42".into(), ..ok };
        assert_eq!(
            OutcomeInput::parse(&same).unwrap_err().message_for("target"),
            Some("The target must differ from the baseline")
        );
    }

    #[test]
    fn a_measurement_is_a_number_on_a_day_gone_by() {
        let today = date!(2026 - 11 - 27);
        let fields = MeasurementFields {
            value: "-3.5".into(),
            measured_on: DateParts::from_date(Some(date!(2016 - 01 - 31))),
            note: String::new(),
        };
        assert_eq!(MeasurementInput::parse(&fields, today).unwrap().value, -3.5);
        let future = MeasurementFields { measured_on: DateParts::from_date(Some(date!(2027 - 01 - 01))), ..fields };
        assert!(MeasurementInput::parse(&future, today).unwrap_err().message_for("measured_on").is_some());
        let invalid = MeasurementInput::parse(&MeasurementFields::default(), today).unwrap_err();
        let named: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["value", "measured_on"]);
        assert!(parse_review_on(&DateParts::default()).is_err());
    }

    fn value() -> impl Strategy<Value = f64> {
        -1e6..1e6f64
    }

    proptest! {
        #[test]
        fn progress_is_between_nothing_and_all(baseline in value(), target in value(), latest in value()) {
            if let Some(p) = progress(baseline, target, latest) {
                prop_assert!((0.0..=1.0).contains(&p));
            } else {
                prop_assert_eq!(baseline, target);
            }
        }

        #[test]
        fn moving_toward_the_target_never_loses_progress(
            baseline in value(), target in value(), a in value(), b in value()
        ) {
            prop_assume!(baseline != target);
            // b is at least as far along as a in the target's direction.
            let (near, far) = if (b - a) * (target - baseline) >= 0.0 { (a, b) } else { (b, a) };
            let (p_near, p_far) = (progress(baseline, target, near).unwrap(), progress(baseline, target, far).unwrap());
            prop_assert!(p_far >= p_near, "{} < {}", p_far, p_near);
        }

        #[test]
        fn bringing_down_mirrors_bringing_up(baseline in value(), target in value(), latest in value()) {
            prop_assume!(baseline != target);
            let up = progress(baseline, target, latest).unwrap();
            let down = progress(-baseline, -target, -latest).unwrap();
            prop_assert!((up - down).abs() < 1e-9);
        }

        #[test]
        fn roll_up_lies_between_its_parts_and_ignores_the_scale_of_weights(
            parts in proptest::collection::vec((proptest::option::of(0.0..=1.0f64), 1u32..=MAX_WEIGHT), 1..12),
            scale in 1u32..=10,
        ) {
            let rolled = rolled_up(parts.iter().copied()).unwrap();
            let shares: Vec<f64> = parts.iter().map(|(p, _)| p.unwrap_or(0.0)).collect();
            let low = shares.iter().copied().fold(f64::INFINITY, f64::min);
            let high = shares.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(rolled >= low - 1e-12 && rolled <= high + 1e-12);
            let scaled = rolled_up(parts.iter().map(|&(p, w)| (p, w * scale))).unwrap();
            prop_assert!((rolled - scaled).abs() < 1e-9);
            let equal = rolled_up(parts.iter().map(|&(p, _)| (p, 1))).unwrap();
            let mean = shares.iter().sum::<f64>() / shares.len() as f64;
            prop_assert!((equal - mean).abs() < 1e-9);
        }
    }
}
