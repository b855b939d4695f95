//! Prioritising the deliberation's propositions: "which of these two matters more?" one pair at a
//! time (the next pair the least compared, as All Our Ideas chooses), or dots spread over them.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use heard_analysis::deliberation::prioritise::{Pick, next_pair};
use heard_domain::Invalid;
use heard_domain::deliberation::days::{JoinCode, Prioritisation};
use heard_domain::error::Collector;
use heard_store::StoreError;
use heard_store::deliberation::Deliberation;
use minijinja::{Value, context};

use super::vote::refused;
use super::{
    AttendResult, Joined, Refusal, attendee, day_context, find, invalid_page, open, page, parse_code, read_form,
    see_other,
};
use crate::AppState;
use crate::error::{PageError, PagePath};

const PAIRS: &str = "deliberation/attend/pairs.html";
const DOTS: &str = "deliberation/attend/dots.html";

/// The open deliberation in the address, if it prioritises `how`, and the attendee.
async fn prioritising(
    state: &AppState,
    headers: &HeaderMap,
    raw: &str,
    how: Prioritisation,
    given: bool,
) -> Result<(JoinCode, Deliberation, Joined), Refusal> {
    let code = parse_code(raw)?;
    let deliberation = open(find(state, &code).await?, given)?;
    if deliberation.prioritisation != how || deliberation.proposition_ids.is_empty() {
        return Err(PageError::NotFound.into());
    }
    let joined = attendee(state, headers, &code, Some(deliberation.id), given).await?;
    Ok((code, deliberation, joined))
}

/// A proposition as an attendee sees it: its title and the change it proposes.
async fn proposition(state: &AppState, deliberation: &Deliberation, id: i64) -> Result<Value, Refusal> {
    let found = state.store.proposition(deliberation.programme_id, id).await?;
    let (title, change) = found.map(|p| (p.title, p.change)).unwrap_or_default();
    Ok(context! { id, title, change })
}

pub(super) async fn pair(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    let (code, deliberation, joined) = prioritising(&state, &headers, &raw, Prioritisation::Pairwise, false).await?;
    let ids = &deliberation.proposition_ids;
    let at: BTreeMap<i64, usize> = ids.iter().enumerate().map(|(n, &id)| (id, n)).collect();
    let (mut shown, mut seen) = (Vec::new(), Vec::new());
    for choice in state.store.pairwise_choices(deliberation.id).await? {
        if let (Some(&l), Some(&r)) = (at.get(&choice.left), at.get(&choice.right)) {
            shown.push((l, r));
            if choice.attendee_id == joined.attendee.id {
                seen.push((l, r));
            }
        }
    }
    let seed = ((joined.attendee.id as u64) << 32) ^ seen.len() as u64;
    let pair = match next_pair(ids.len(), &shown, &seen, seed) {
        Some((l, r)) => {
            Some((proposition(&state, &deliberation, ids[l]).await?, proposition(&state, &deliberation, ids[r]).await?))
        }
        None => None,
    };
    let pairs = ids.len() * (ids.len() - 1) / 2;
    let ctx = context! {
        left => pair.as_ref().map(|p| &p.0),
        right => pair.as_ref().map(|p| &p.1),
        made => seen.len(),
        every_pair_seen => seen.len() >= pairs,
        ..day_context(&code, &deliberation)
    };
    Ok(page(PAIRS, ctx, Some(&joined.form_token))?.into_response())
}

pub(super) async fn choose(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    let (code, deliberation, joined) = prioritising(&state, &headers, &raw, Prioritisation::Pairwise, true).await?;
    let fields = read_form(&joined, &body)?;
    let unreadable = || Refusal::Unreadable {
        code: code.clone(),
        message: "The choice did not name two of the propositions shown: go back, reload the page and choose again."
            .to_owned(),
    };
    let proposition =
        |name: &str| fields.get(name).trim().parse::<i64>().ok().filter(|id| deliberation.proposition_ids.contains(id));
    let (Some(left), Some(right)) = (proposition("left"), proposition("right")) else {
        return Err(unreadable());
    };
    let pick = match fields.get("pick") {
        "left" => Pick::Left,
        "right" => Pick::Right,
        "skip" => Pick::CantDecide,
        _ => return Err(unreadable()),
    };
    match state.store.choose_pair(joined.attendee.id, left, right, pick).await {
        Ok(()) => {
            state.live.changed(deliberation.id);
            see_other(&format!("/d/{}/pairs", code.as_str()))
        }
        Err(StoreError::Invalid(invalid)) => {
            let invalid = refused(&state, &joined, invalid).await?;
            Err(Refusal::Unreadable { code, message: super::vote::messages(&invalid) })
        }
        Err(other) => Err(other.into()),
    }
}

fn dots_field(id: i64) -> String {
    format!("dots.{id}")
}

/// The dots page: each proposition with a number box holding `values` (by field name).
async fn dots_context(
    state: &AppState,
    code: &JoinCode,
    deliberation: &Deliberation,
    values: &BTreeMap<String, String>,
) -> Result<Value, Refusal> {
    let mut propositions = Vec::with_capacity(deliberation.proposition_ids.len());
    for &id in &deliberation.proposition_ids {
        let field = dots_field(id);
        let value = values.get(&field).cloned().unwrap_or_default();
        propositions.push(context! { field, value, ..proposition(state, deliberation, id).await? });
    }
    Ok(context! { propositions, allowed => deliberation.dots.unwrap_or(0), ..day_context(code, deliberation) })
}

pub(super) async fn dots(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    let (code, deliberation, joined) = prioritising(&state, &headers, &raw, Prioritisation::Dots, false).await?;
    let placed = state.store.attendee_dots(joined.attendee.id).await?;
    let values: BTreeMap<String, String> = placed.iter().map(|&(id, n)| (dots_field(id), n.to_string())).collect();
    let ctx = context! { saved => !placed.is_empty(), ..dots_context(&state, &code, &deliberation, &values).await? };
    Ok(page(DOTS, ctx, Some(&joined.form_token))?.into_response())
}

/// The dots as typed: a whole number per proposition (blank is none), at most the deliberation's
/// dots in all. Errors name the proposition's box, or `dots` for the total.
fn parse_dots(deliberation: &Deliberation, get: impl Fn(&str) -> String) -> Result<Vec<(i64, u32)>, Invalid> {
    let allowed = deliberation.dots.unwrap_or(0);
    let mut errors = Collector::new();
    let mut dots = Vec::new();
    for (n, &id) in deliberation.proposition_ids.iter().enumerate() {
        let field = dots_field(id);
        let raw = get(&field);
        match raw.trim() {
            "" => dots.push((id, 0)),
            typed => match typed.parse::<u32>() {
                Ok(count) => dots.push((id, count)),
                Err(_) => errors.push(
                    field,
                    format!("Enter the dots for proposition {} as a whole number, like 2, or leave it empty", n + 1),
                ),
            },
        }
    }
    if errors.is_empty() {
        let placed: u64 = dots.iter().map(|&(_, n)| u64::from(n)).sum();
        if placed > u64::from(allowed) {
            errors.push(
                "dots",
                format!(
                    "You have {allowed} dots to place but placed {placed}: take {} away",
                    placed - u64::from(allowed)
                ),
            );
        }
    }
    errors.finish(|| dots)
}

pub(super) async fn place(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    let (code, deliberation, joined) = prioritising(&state, &headers, &raw, Prioritisation::Dots, true).await?;
    let fields = read_form(&joined, &body)?;
    let typed: BTreeMap<String, String> = deliberation
        .proposition_ids
        .iter()
        .map(|&id| (dots_field(id), fields.get(&dots_field(id)).to_owned()))
        .collect();
    let again = async |invalid: &Invalid| {
        let ctx = context! { saved => false, ..dots_context(&state, &code, &deliberation, &typed).await? };
        invalid_page(DOTS, ctx, &joined.form_token, invalid)
    };
    let dots = match parse_dots(&deliberation, |name| fields.get(name).to_owned()) {
        Ok(dots) => dots,
        Err(invalid) => return again(&invalid).await,
    };
    match state.store.place_dots(joined.attendee.id, &dots).await {
        Ok(()) => {
            state.live.changed(deliberation.id);
            see_other(&format!("/d/{}/dots", code.as_str()))
        }
        Err(StoreError::Invalid(invalid)) => {
            let invalid = refused(&state, &joined, invalid).await?;
            again(&invalid).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deliberation(ids: Vec<i64>, dots: u32) -> Deliberation {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        Deliberation {
            id: 1,
            programme_id: 1,
            title: "Day (test)".into(),
            held_on: now.date(),
            venue: None,
            join_code: "7QK2MX".into(),
            status: heard_domain::deliberation::days::DeliberationStatus::Open,
            attendee_statements: false,
            prioritisation: Prioritisation::Dots,
            dots: Some(dots),
            imported_from: None,
            proposition_ids: ids,
            questions: Vec::new(),
            created_at: now,
            opened_at: None,
            closed_at: None,
        }
    }

    #[test]
    fn dots_are_whole_numbers_within_the_allowance() {
        let d = deliberation(vec![4, 9], 5);
        let typed = |a: &'static str, b: &'static str| {
            move |name: &str| {
                if name == "dots.4" {
                    a.to_owned()
                } else if name == "dots.9" {
                    b.to_owned()
                } else {
                    String::new()
                }
            }
        };
        assert_eq!(parse_dots(&d, typed("3", " ")).expect("fits"), vec![(4, 3), (9, 0)]);
        let over = parse_dots(&d, typed("3", "4")).expect_err("seven of five");
        assert_eq!(over.message_for("dots"), Some("You have 5 dots to place but placed 7: take 2 away"));
        let bad = parse_dots(&d, typed("two", "-1")).expect_err("not numbers");
        assert!(bad.message_for("dots.4").is_some() && bad.message_for("dots.9").is_some());
        assert!(bad.message_for("dots").is_none());
    }
}
