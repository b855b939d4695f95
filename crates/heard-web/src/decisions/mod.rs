//! The decisions area's pages and API: a programme's commissioning decisions, recorded by a
//! commissioner with the reason for each departure from what the Deliberation Day favoured
//! (`pages.rs`, `api.rs`), each decision's evidence trail as a page and a JSON export (`trail.rs`),
//! and the public "You said, we did" page with its receipt-code look-up (`public.rs`).

pub mod api;
pub mod outcomes;
mod pages;
mod public;
mod trail;

use std::collections::BTreeMap;

use heard_domain::decisions::{self, DecisionFields, DecisionInput, Departure};
use heard_domain::{FieldError, Invalid};
use heard_store::decisions::{Decision, DecisionEdit, Room};
use heard_store::{Programme, StoreError};

use crate::AppState;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(trail::routes());
    routes.extend(public::routes());
    routes.extend(api::routes());
    routes.extend(outcomes::routes());
    routes
}

/// Why a decision was not recorded.
pub(crate) enum Refused {
    Invalid(Invalid),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(invalid) => Refused::Invalid(invalid),
            other => Refused::Store(other),
        }
    }
}

/// What the room said and what the programme's other decisions already took up, for a new
/// decision or one being changed.
pub(crate) struct Context {
    pub room: Option<Room>,
    pub taken_before: Vec<i64>,
    pub titles: BTreeMap<i64, String>,
}

impl Context {
    /// For a new decision (`editing` is `None`): the latest room and every decision's
    /// propositions; for one being changed, the room it was compared with and the propositions
    /// of the programme's other decisions.
    pub(crate) async fn load(
        state: &AppState,
        programme: &Programme,
        editing: Option<&Decision>,
    ) -> Result<Context, StoreError> {
        let (room, taken_before) = match editing {
            None => (
                state.store.room_for_decisions(programme.id).await?,
                state.store.propositions_taken_up(programme.id).await?,
            ),
            Some(decision) => (
                state.store.room_for_decision(programme.id, decision).await?,
                state.store.propositions_taken_up_by_others(programme.id, decision.id).await?,
            ),
        };
        let titles = state.store.propositions(programme.id).await?.into_iter().map(|p| (p.id, p.title)).collect();
        Ok(Context { room, taken_before, titles })
    }

    fn title(&self, id: i64) -> String {
        self.titles.get(&id).cloned().unwrap_or_else(|| format!("Proposition {id}"))
    }
}

/// A decision ready to record: its input, each departure with its reason, and the Deliberation
/// Day it was compared with.
pub(crate) type Assessed = (DecisionInput, Vec<(Departure, String)>, Option<i64>);

/// Parses a decision (new, or `editing` one) and applies the departure rule: every error at once,
/// the form's fields and each missing reason by its field (`reason-{id}`).
pub(crate) async fn assess(
    state: &AppState,
    programme: &Programme,
    fields: &DecisionFields,
    given: &BTreeMap<i64, String>,
    editing: Option<&Decision>,
) -> Result<Assessed, Refused> {
    let context = Context::load(state, programme, editing).await?;
    let parsed = DecisionInput::parse(fields);
    // The propositions ticked, as far as they read, so missing reasons show with other errors.
    let ticked: Vec<i64> = match &parsed {
        Ok(input) => input.propositions.clone(),
        Err(_) => fields.propositions.iter().filter_map(|raw| raw.trim().parse().ok()).collect(),
    };
    let ranks = context.room.as_ref().map(|r| r.ranks.as_slice()).unwrap_or_default();
    let found: Vec<Departure> = decisions::departures(ranks, &ticked, &context.taken_before);
    let reasons = decisions::reasons(&found, given, |id| context.title(id));
    match (parsed, reasons) {
        (Ok(input), Ok(reasons)) => Ok((input, reasons, context.room.as_ref().map(|r| r.deliberation.id))),
        (parsed, reasons) => {
            let mut errors: Vec<FieldError> = Vec::new();
            if let Err(Invalid(e)) = parsed {
                errors.extend(e);
            }
            if let Err(Invalid(e)) = reasons {
                errors.extend(e);
            }
            Err(Refused::Invalid(Invalid(errors)))
        }
    }
}

/// Records an assessed decision, all or nothing.
pub(crate) async fn record(
    state: &AppState,
    programme: &Programme,
    assessed: &Assessed,
    by: i64,
) -> Result<i64, Refused> {
    let (input, reasons, deliberation) = assessed;
    Ok(state.store.record_decision(programme.id, input, reasons, *deliberation, Some(by)).await?)
}

/// Saves an assessed change to a decision the person saw at version `seen`, all or nothing.
/// Returns the new version.
pub(crate) async fn change(
    state: &AppState,
    programme: &Programme,
    id: i64,
    seen: i64,
    assessed: &Assessed,
    by: i64,
) -> Result<i64, Refused> {
    let (input, departures, deliberation_id) = assessed;
    let edit = DecisionEdit { input, departures, deliberation_id: *deliberation_id };
    Ok(state.store.edit_decision(programme.id, id, seen, &edit, Some(by)).await?)
}

/// "1 parent", "3 carers": a count of people of one kind in words.
pub(crate) fn trail_kind_plural(kind: heard_domain::voice::participants::ParticipantKind, n: usize) -> String {
    if n == 1 { kind.label().to_lowercase() } else { heard_store::decisions::trail::kind_plural(kind).to_owned() }
}

/// A sum in pence as pounds: £1,250,000 or £1,250.50.
pub(crate) fn money(pence: i64) -> String {
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match pence % 100 {
        0 => format!("£{grouped}"),
        p => format!("£{grouped}.{p:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_pounds() {
        assert_eq!(money(0), "£0");
        assert_eq!(money(125_000_000), "£1,250,000");
        assert_eq!(money(125_050), "£1,250.50");
        assert_eq!(money(99_999), "£999.99");
        assert_eq!(money(100_000), "£1,000");
    }
}
