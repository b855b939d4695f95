//! Joining: the code typed on `/join` (or read from the QR code), then what the attendee declares
//! about themselves on `/d/{CODE}`. A phone that has joined goes straight on to voting.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::deliberation::days::{AttendeeToken, Declaration, DeclaredKind, JoinCode};
use heard_store::StoreError;
use minijinja::{Value, context};

use super::{
    AttendResult, Refusal, day_context, find, form_token, invalid_page, lookup_allowed, open, page, parse_code,
    see_other, set_cookie, token,
};
use crate::AppState;
use crate::auth::ClientAddress;
use crate::csrf::FormFields;
use crate::error::PagePath;

const JOIN: &str = "deliberation/attend/join.html";
const DECLARE: &str = "deliberation/attend/declare.html";

pub(super) async fn form() -> AttendResult {
    Ok(page(JOIN, context! { values => FormFields::default().values() }, None)?.into_response())
}

/// The code typed: to its deliberation, or the form again naming what is wrong.
pub(super) async fn look_up(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> AttendResult {
    lookup_allowed(address)?;
    let fields: FormFields = serde_html_form::from_bytes(&body).unwrap_or_default();
    let again = |invalid: Invalid| {
        let html =
            page(JOIN, context! { values => fields.values(), errors => crate::render::form_errors(&invalid) }, None)?;
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
    };
    let code = match JoinCode::parse("code", fields.get("code")) {
        Ok(code) => code,
        Err(invalid) => return again(invalid),
    };
    match state.store.deliberation_by_code(&code).await? {
        Some(_) => see_other(&format!("/d/{}", code.as_str())),
        None => again(Invalid::one(
            "code",
            "There is no Deliberation Day with that code: check the code on the screen and type it again",
        )),
    }
}

fn kinds() -> Vec<Value> {
    DeclaredKind::ALL.iter().map(|k| context! { value => k.code(), text => k.label() }).collect()
}

/// The deliberation's first page: who are you? A phone that has joined goes on to vote.
pub(super) async fn start(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
) -> AttendResult {
    let code = parse_code(&raw)?;
    if raw != code.as_str() {
        return see_other(&format!("/d/{}", code.as_str()));
    }
    let kept = token(&headers, &code);
    let joined = match &kept {
        Some(token) => state.store.attendee(&token.hash()).await?,
        None => None,
    };
    if joined.is_none() {
        lookup_allowed(address)?;
    }
    let deliberation = open(find(&state, &code).await?, false)?;
    if joined.is_some_and(|a| a.deliberation_id == deliberation.id) {
        return see_other(&format!("/d/{}/vote", code.as_str()));
    }
    // A token for this phone now, so the form can carry its derived token; joined on sending.
    let (token, fresh) = match kept {
        Some(token) => (token, false),
        None => (AttendeeToken::generate(), true),
    };
    let ctx =
        context! { kinds => kinds(), values => FormFields::default().values(), ..day_context(&code, &deliberation) };
    let html = page(DECLARE, ctx, Some(&form_token(&token)))?;
    let mut response = html.into_response();
    if fresh && let Some((name, value)) = set_cookie(&state, &code, &token) {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Joins with what the attendee declared, as the token their phone keeps.
pub(super) async fn declare(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    PagePath(raw): PagePath<String>,
    body: Bytes,
) -> AttendResult {
    let code = parse_code(&raw)?;
    lookup_allowed(address)?;
    let deliberation = open(find(&state, &code).await?, true)?;
    let token = token(&headers, &code).ok_or(Refusal::NotJoined { code: code.clone(), given: true })?;
    let hash = token.hash();
    let next = if deliberation.questions.is_empty() { "vote" } else { "before" };
    if state.store.attendee(&hash).await?.is_some_and(|a| a.deliberation_id == deliberation.id) {
        // Sent twice (a double tap): already joined.
        return see_other(&format!("/d/{}/vote", code.as_str()));
    }
    let fields: FormFields = serde_html_form::from_bytes(&body).unwrap_or_default();
    let form_token = form_token(&token);
    if fields.get("csrf_token") != form_token {
        return Err(Refusal::FormExpired { code });
    }
    let declaration = match Declaration::parse(fields.get("kind"), fields.get("sector")) {
        Ok(declaration) => declaration,
        Err(invalid) => {
            let ctx = context! { kinds => kinds(), values => fields.values(), ..day_context(&code, &deliberation) };
            return invalid_page(DECLARE, ctx, &form_token, &invalid);
        }
    };
    match state.store.join_deliberation(deliberation.id, &hash, &declaration).await {
        Ok(_) => {
            state.live.changed(deliberation.id);
            see_other(&format!("/d/{}/{next}", code.as_str()))
        }
        Err(StoreError::Duplicate { .. }) => see_other(&format!("/d/{}/vote", code.as_str())),
        Err(StoreError::Invalid(_)) => Err(Refusal::NotOpen { deliberation: Box::new(deliberation), given: true }),
        Err(other) => Err(other.into()),
    }
}
