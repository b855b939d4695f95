//! The questionnaire before voting and after: each question on the five-point scale. Answering
//! again replaces the earlier answers of the same moment.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::Invalid;
use heard_domain::deliberation::days::{JoinCode, SCALE, parse_scale};
use heard_domain::error::Collector;
use heard_store::StoreError;
use heard_store::deliberation::Deliberation;
use minijinja::{Value, context};

use super::vote::{Sent, refused};
use super::{AttendResult, attendee, day_context, find, invalid_page, open, page, parse_code, read_form, see_other};
use crate::AppState;
use crate::error::PagePath;

const QUESTIONS: &str = "deliberation/attend/questions.html";

fn moment_code(moment: Moment) -> &'static str {
    match moment {
        Moment::Before => "before",
        Moment::After => "after",
    }
}

fn field(question: i64) -> String {
    format!("q{question}")
}

fn questions_context(
    code: &JoinCode,
    deliberation: &Deliberation,
    moment: Moment,
    values: &BTreeMap<String, String>,
) -> Value {
    let questions: Vec<Value> = deliberation
        .questions
        .iter()
        .map(|q| {
            let name = field(q.id);
            context! { value => values.get(&name).cloned().unwrap_or_default(), name, text => q.text, position => q.position }
        })
        .collect();
    let scale: Vec<Value> = SCALE.iter().map(|(v, text)| context! { value => v.to_string(), text }).collect();
    context! { questions, scale, moment => moment_code(moment), ..day_context(code, deliberation) }
}

async fn show(state: AppState, headers: HeaderMap, raw: String, moment: Moment, sent: bool) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, false)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), false).await?;
    if deliberation.questions.is_empty() {
        return see_other(&format!("/d/{}/vote", code.as_str()));
    }
    let values: BTreeMap<String, String> = state
        .store
        .attendee_answers(joined.attendee.id)
        .await?
        .into_iter()
        .filter(|a| a.1 == moment)
        .map(|(question, _, value)| (field(question), value.to_string()))
        .collect();
    let ctx =
        context! { sent, answered => !values.is_empty(), ..questions_context(&code, &deliberation, moment, &values) };
    Ok(page(QUESTIONS, ctx, Some(&joined.form_token))?.into_response())
}

pub(super) async fn before(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    show(state, headers, raw, Moment::Before, false).await
}

pub(super) async fn after(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    Query(sent): Query<Sent>,
) -> AttendResult {
    show(state, headers, raw, Moment::After, sent.is_sent()).await
}

/// Every question answered on the scale; errors name each question left out.
fn parse_answers(deliberation: &Deliberation, get: impl Fn(&str) -> String) -> Result<Vec<(i64, i32)>, Invalid> {
    let mut errors = Collector::new();
    let answers: Vec<Option<(i64, i32)>> = deliberation
        .questions
        .iter()
        .map(|q| errors.take(parse_scale(&field(q.id), &get(&field(q.id)))).map(|v| (q.id, v)))
        .collect();
    errors.finish(|| answers.into_iter().flatten().collect())
}

async fn answer(state: AppState, headers: HeaderMap, raw: String, body: Bytes, moment: Moment) -> AttendResult {
    let code = parse_code(&raw)?;
    let deliberation = open(find(&state, &code).await?, true)?;
    let joined = attendee(&state, &headers, &code, Some(deliberation.id), true).await?;
    let fields = read_form(&joined, &body)?;
    let typed: BTreeMap<String, String> =
        deliberation.questions.iter().map(|q| (field(q.id), fields.get(&field(q.id)).to_owned())).collect();
    let again = |invalid: &Invalid| {
        let ctx =
            context! { sent => false, answered => false, ..questions_context(&code, &deliberation, moment, &typed) };
        invalid_page(QUESTIONS, ctx, &joined.form_token, invalid)
    };
    let answers = match parse_answers(&deliberation, |name| fields.get(name).to_owned()) {
        Ok(answers) => answers,
        Err(invalid) => return again(&invalid),
    };
    match state.store.answer_questions(joined.attendee.id, moment, &answers).await {
        Ok(()) => {
            state.live.changed(deliberation.id);
            match moment {
                Moment::Before => see_other(&format!("/d/{}/vote", code.as_str())),
                Moment::After => see_other(&format!("/d/{}/after?sent=yes", code.as_str())),
            }
        }
        Err(StoreError::Invalid(invalid)) => {
            let invalid = refused(&state, &joined, invalid).await?;
            again(&invalid)
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn answer_before(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    answer(state, headers, raw, body, Moment::Before).await
}

pub(super) async fn answer_after(
    State(state): State<AppState>,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    answer(state, headers, raw, body, Moment::After).await
}
