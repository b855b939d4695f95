//! The learning area (DOMAIN.md, "Reflection"): the learning log, where anyone on a programme writes
//! down an up, a down, a surprise or a lesson, dated and linked to a stage, an activity or a
//! decision; and the order the programme's story of transformation lays its moments in.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::Invalid;
use crate::dates::DateParts;
use crate::error::{Collector, required_text};
use crate::vocabulary::parse_code;

/// The longest reflection, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

vocabulary! {
    /// What sort of reflection an entry in the learning log is.
    pub enum ReflectionKind {
        Up = ("up", "Up"),
        Down = ("down", "Down"),
        Surprise = ("surprise", "Surprise"),
        Lesson = ("lesson", "Lesson"),
    }
}

/// A reflection's fields as a form or JSON body gives them, unchecked. Links are ids as text;
/// blank is no link. The JSON API turns an ISO date into parts with [`DateParts::from_date`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ReflectionFields {
    pub kind: String,
    pub text: String,
    pub written_on: DateParts,
    pub stage: String,
    pub activity: String,
    pub decision: String,
}

/// A reflection, checked. The links are ids of the programme's own stage, activity and decision;
/// the store checks they are the programme's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReflectionInput {
    pub kind: ReflectionKind,
    pub text: String,
    pub written_on: Date,
    pub stage_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub decision_id: Option<i64>,
}

impl ReflectionInput {
    /// Parses every field, reporting every problem at once. `today` bounds the date: a reflection
    /// looks back, so it cannot be written on a day still to come.
    pub fn parse(fields: &ReflectionFields, today: Date) -> Result<ReflectionInput, Invalid> {
        let mut errors = Collector::new();
        let kind = errors.take(parse_code::<ReflectionKind>("kind", "what kind of reflection it is", &fields.kind));
        let text = errors.take(required_text("text", "your reflection", &fields.text, MAX_TEXT_CHARS));
        let written_on = match errors.take(fields.written_on.parse("written_on", "the date")) {
            Some(None) => {
                errors.push("written_on", "Enter the date of the reflection");
                None
            }
            Some(Some(date)) if date > today => {
                errors.push("written_on", "The date of the reflection must be today or in the past");
                None
            }
            other => other.flatten(),
        };
        let stage_id = errors.take(link("stage", "a stage", &fields.stage));
        let activity_id = errors.take(link("activity", "an activity", &fields.activity));
        let decision_id = errors.take(link("decision", "a decision", &fields.decision));
        match (kind, text, written_on) {
            (Some(kind), Some(text), Some(written_on)) => errors.finish(|| ReflectionInput {
                kind,
                text,
                written_on,
                stage_id: stage_id.flatten(),
                activity_id: activity_id.flatten(),
                decision_id: decision_id.flatten(),
            }),
            _ => Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("text", "Check the reflection"))),
        }
    }
}

/// An optional link to another of the programme's things, by id: blank is none.
pub fn link(field: &str, label: &str, raw: &str) -> Result<Option<i64>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| Invalid::one(field, format!("Select {label} from the list")))
}

/// What a moment on the story of transformation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MomentKind {
    StageStarted,
    Activity,
    Deliberation,
    Decision,
    Reflection,
    StageEnded,
}

/// The order of a story's moments: by date; on one day a stage starts first, then what was done,
/// deliberated and decided, then what people reflected on it, and a stage ends last. `key` is
/// `(date, kind, tie-break)` for each moment; the sort is stable for equal keys.
pub fn story_order<T>(moments: &mut [T], key: impl Fn(&T) -> (Date, MomentKind, i64)) {
    moments.sort_by_key(|m| key(m));
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 27);

    fn fields() -> ReflectionFields {
        ReflectionFields {
            kind: "down".into(),
            text: "Fewer fathers came than we hoped (demo).".into(),
            written_on: DateParts::from_date(Some(date!(2016 - 03 - 04))),
            stage: "12".into(),
            activity: String::new(),
            decision: " ".into(),
        }
    }

    #[test]
    fn a_reflection_parses_with_its_links() {
        let input = ReflectionInput::parse(&fields(), TODAY).unwrap();
        assert_eq!(input.kind, ReflectionKind::Down);
        assert_eq!(input.written_on, date!(2016 - 03 - 04));
        assert_eq!((input.stage_id, input.activity_id, input.decision_id), (Some(12), None, None));
        assert_eq!(ReflectionKind::Surprise.label(), "Surprise");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ReflectionFields {
            kind: "meh".into(),
            text: "  ".into(),
            written_on: DateParts { day: "30".into(), month: "2".into(), year: "2016".into() },
            stage: "x".into(),
            activity: "-3".into(),
            decision: "1.5".into(),
        };
        let invalid = ReflectionInput::parse(&bad, TODAY).unwrap_err();
        let named: Vec<_> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["kind", "text", "written_on", "stage", "activity", "decision"]);
        let none = ReflectionFields { written_on: DateParts::default(), ..fields() };
        assert_eq!(
            ReflectionInput::parse(&none, TODAY).unwrap_err().message_for("written_on"),
            Some("Enter the date of the reflection")
        );
        let long = ReflectionFields { text: "x".repeat(MAX_TEXT_CHARS + 1), ..fields() };
        assert!(ReflectionInput::parse(&long, TODAY).unwrap_err().message_for("text").is_some());
    }

    #[test]
    fn a_reflection_is_not_written_in_the_future() {
        let tomorrow = ReflectionFields { written_on: DateParts::from_date(Some(date!(2026 - 11 - 28))), ..fields() };
        assert!(ReflectionInput::parse(&tomorrow, TODAY).unwrap_err().message_for("written_on").is_some());
        let today = ReflectionFields { written_on: DateParts::from_date(Some(TODAY)), ..fields() };
        assert_eq!(ReflectionInput::parse(&today, TODAY).unwrap().written_on, TODAY);
    }

    #[test]
    fn a_story_runs_by_date_and_on_one_day_from_start_to_reflection() {
        let day = date!(2016 - 05 - 01);
        let mut moments = vec![
            (day, MomentKind::StageEnded, 1, "end"),
            (day, MomentKind::Reflection, 9, "reflection"),
            (date!(2016 - 04 - 30), MomentKind::Reflection, 1, "earlier"),
            (day, MomentKind::Activity, 2, "activity"),
            (day, MomentKind::StageStarted, 2, "start"),
            (day, MomentKind::Decision, 1, "decision"),
        ];
        story_order(&mut moments, |m| (m.0, m.1, m.2));
        let order: Vec<_> = moments.iter().map(|m| m.3).collect();
        assert_eq!(order, ["earlier", "start", "activity", "decision", "reflection", "end"]);
    }
}
