//! Voting: one statement at a time, agree, disagree or pass as plain form buttons; the attendee's
//! votes, each changeable; and a statement of their own, which waits for moderation.
//!
//! A vote (POST) is the path 300 phones take at once: the attendee looked up by their token's hash,
//! then one SQL statement that counts the vote only if the statement is an accepted one of their
//! open deliberation. Everything else (which statement comes next, progress) is left to the page
//! the vote redirects to.

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use heard_analysis::deliberation::next::{Tally, next_statement};
use heard_domain::Invalid;
use heard_domain::deliberation::days::{DeliberationStatus, JoinCode, STATEMENT_MAX, Stance, statement_text};
use heard_store::StoreError;
use minijinja::{Value, context};

use super::{
    AttendResult, Joined, Refusal, attendee, day_context, find, invalid_page, open, page, parse_code, read_form,
    see_other,
};
use crate::AppState;
use crate::csrf::FormFields;
use crate::error::PagePath;

const VOTE: &str = "deliberation/attend/vote.html";
const VOTES: &str = "deliberation/attend/votes.html";
const STATEMENT: &str = "deliberation/attend/statement.html";

/// The statement to show next among `statements` (accepted, id and text), leaving out those in
/// `voted`: Pol.is's choice, favouring statements with few votes and, once the room's analysis has
/// run, those that separate people (`tallies` by statement id, from the latest analysis; a
/// statement it has not seen yet counts as having no votes).
fn choose<'a>(
    statements: &'a [(i64, String)],
    voted: &BTreeMap<i64, Stance>,
    tallies: &HashMap<i64, Tally>,
    seed: u64,
) -> Option<&'a (i64, String)> {
    let tallies: Vec<Tally> = statements.iter().map(|(id, _)| tallies.get(id).copied().unwrap_or_default()).collect();
    let done: Vec<usize> = (0..statements.len()).filter(|&n| voted.contains_key(&statements[n].0)).collect();
    next_statement(&tallies, &done, seed).map(|n| &statements[n])
}

fn stances() -> Vec<Value> {
    Stance::ALL.iter().map(|s| context! { value => s.code(), text => s.label() }).collect()
}

/// The next statement to vote on, or, when none is left, what else there is to do.
pub(super) async fn next(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, false)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), false).await?;
    let statements = state.store.accepted_statements(deliberation.id).await?;
    let voted: BTreeMap<i64, Stance> = state.store.attendee_votes(joined.attendee.id).await?.into_iter().collect();
    let done = statements.iter().filter(|(id, _)| voted.contains_key(id)).count();
    let seed = ((joined.attendee.id as u64) << 32) ^ done as u64;
    // The room's counts and extremities come from its analysis, which runs beside the votes
    // (started here if no projector has); until its first result every statement counts as unseen.
    state.live.start(&state.store, deliberation.id);
    let tallies = state.live.tallies(deliberation.id);
    let statement = choose(&statements, &voted, &tallies, seed).map(|(id, text)| context! { id, text });
    let ctx = context! {
        statement,
        voted => done,
        total => statements.len(),
        stances => stances(),
        ..day_context(&code, &deliberation)
    };
    Ok(page(VOTE, ctx, Some(&joined.form_token))?.into_response())
}

/// Why the store refused what an attendee gave: the deliberation closed meanwhile (refused
/// here), or the form named something that is not theirs to give to (`Ok`, for the caller to show
/// beside the field).
pub(super) async fn refused(state: &AppState, joined: &Joined, invalid: Invalid) -> Result<Invalid, Refusal> {
    match state.store.deliberation(joined.attendee.deliberation_id).await? {
        Some(deliberation) if deliberation.status != DeliberationStatus::Open => {
            Err(Refusal::NotOpen { deliberation: Box::new(deliberation), given: true })
        }
        _ => Ok(invalid),
    }
}

/// An [`Invalid`]'s messages as one sentence, for a page without a form to put them beside.
pub(super) fn messages(invalid: &Invalid) -> String {
    invalid.0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(". ")
}

/// Reads, checks and counts one vote; where to go next is `back`'s.
async fn give_vote(
    state: &AppState,
    headers: &HeaderMap,
    raw: &str,
    body: &Bytes,
    back: impl FnOnce(&JoinCode, i64) -> String,
) -> AttendResult {
    let code = parse_code(raw)?;
    let joined = attendee(state, headers, &code, None, true).await?;
    let fields = read_form(&joined, body)?;
    let unreadable = |message: &str| Refusal::Unreadable { code: code.clone(), message: message.to_owned() };
    let statement: i64 = fields
        .get("statement")
        .trim()
        .parse()
        .map_err(|_| unreadable("The vote did not say which statement it was for."))?;
    let stance: Stance =
        fields.get("stance").parse().map_err(|_| unreadable("Choose agree, disagree or pass: nothing else counts."))?;
    match state.store.vote(joined.attendee.id, statement, stance).await {
        Ok(()) => {
            state.live.changed(joined.attendee.deliberation_id);
            see_other(&back(&code, statement))
        }
        Err(StoreError::Invalid(invalid)) => {
            let invalid = refused(state, &joined, invalid).await?;
            Err(Refusal::Unreadable { code: joined.code.clone(), message: messages(&invalid) })
        }
        Err(StoreError::NotFound) => Err(Refusal::NotJoined { code, given: true }),
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn cast(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    give_vote(&state, &headers, &raw, &body, |code, _| format!("/d/{}/vote", code.as_str())).await
}

/// Each statement with the attendee's vote on it, and a form to change it.
pub(super) async fn mine(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, false)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), false).await?;
    let statements = state.store.accepted_statements(deliberation.id).await?;
    let voted: BTreeMap<i64, Stance> = state.store.attendee_votes(joined.attendee.id).await?.into_iter().collect();
    let rows: Vec<Value> = statements
        .iter()
        .map(|(id, text)| {
            let vote = voted.get(id);
            context! { id, text, vote => vote.map(|v| v.code()), vote_label => vote.map(|v| v.label()) }
        })
        .collect();
    let ctx = context! {
        statements => rows,
        voted => voted.len(),
        stances => stances(),
        ..day_context(&code, &deliberation)
    };
    Ok(page(VOTES, ctx, Some(&joined.form_token))?.into_response())
}

pub(super) async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    give_vote(&state, &headers, &raw, &body, |code, statement| {
        format!("/d/{}/votes#statement-{statement}", code.as_str())
    })
    .await
}

/// `?sent=yes` after something was sent, for the page to say so.
#[derive(serde::Deserialize)]
pub(super) struct Sent {
    #[serde(default)]
    sent: Option<String>,
}

impl Sent {
    pub(super) fn is_sent(&self) -> bool {
        self.sent.is_some()
    }
}

pub(super) async fn new_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    Query(sent): Query<Sent>,
) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, false)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), false).await?;
    let ctx = context! {
        sent => sent.is_sent(),
        values => FormFields::default().values(),
        max => STATEMENT_MAX,
        ..day_context(&code, &deliberation)
    };
    Ok(page(STATEMENT, ctx, Some(&joined.form_token))?.into_response())
}

/// An attendee's statement, waiting for a facilitator to accept it.
pub(super) async fn add_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, true)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), true).await?;
    let fields = read_form(&joined, &body)?;
    let again = |invalid: &Invalid| {
        let ctx = context! { sent => false, values => fields.values(), max => STATEMENT_MAX, ..day_context(&code, &deliberation) };
        invalid_page(STATEMENT, ctx, &joined.form_token, invalid)
    };
    let text = match statement_text("text", fields.get("text")) {
        Ok(text) => text,
        Err(invalid) => return again(&invalid),
    };
    match state.store.suggest_statement(joined.attendee.id, &text).await {
        Ok(_) => {
            state.live.changed(deliberation.id);
            see_other(&format!("/d/{}/statements/new?sent=yes", code.as_str()))
        }
        Err(StoreError::Duplicate { .. }) => {
            again(&Invalid::one("text", "That statement is here already: vote on it rather than adding it again"))
        }
        Err(StoreError::Invalid(invalid)) => {
            let invalid = refused(&state, &joined, invalid).await?;
            again(&Invalid::one("text", messages(&invalid)))
        }
        Err(other) => Err(other.into()),
    }
}
