//! The attendee's side of a Deliberation Day, on a phone, with no account: type the code, say who
//! you are, vote on statements one at a time, change votes, add a statement, prioritise the
//! propositions, and answer the questionnaire before and after.
//!
//! No session is made for an attendee: their phone keeps an [`AttendeeToken`] in a cookie scoped
//! to `/d/{CODE}` (only its hash is stored), and every form carries a token derived from it, so
//! another site cannot post as them. A vote is one attendee look-up and one SQL statement; the
//! choice of the next statement happens when the next page is asked for.

mod join;
mod prioritise;
mod questions;
mod vote;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::LazyLock;

use axum::body::Bytes;
use axum::http::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use heard_domain::Invalid;
use heard_domain::deliberation::days::{AttendeeToken, DeliberationStatus, JoinCode};
use heard_domain::governance::Action;
use heard_store::deliberation::{Attendee, Deliberation};
use minijinja::{Value, context};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::AppState;
use crate::csrf::FormFields;
use crate::error::PageError;
use crate::render::{self, form_errors};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/join", Action::Public, join::form),
        Route::post("/join", Action::Public, join::look_up),
        Route::get("/d/{code}", Action::Public, join::start),
        Route::post("/d/{code}", Action::Public, join::declare),
        Route::get("/d/{code}/vote", Action::Public, vote::next),
        Route::post("/d/{code}/vote", Action::Public, vote::cast),
        Route::get("/d/{code}/votes", Action::Public, vote::mine),
        Route::post("/d/{code}/votes", Action::Public, vote::change),
        Route::get("/d/{code}/statements/new", Action::Public, vote::new_statement),
        Route::post("/d/{code}/statements/new", Action::Public, vote::add_statement),
        Route::get("/d/{code}/pairs", Action::Public, prioritise::pair),
        Route::post("/d/{code}/pairs", Action::Public, prioritise::choose),
        Route::get("/d/{code}/dots", Action::Public, prioritise::dots),
        Route::post("/d/{code}/dots", Action::Public, prioritise::place),
        Route::get("/d/{code}/before", Action::Public, questions::before),
        Route::post("/d/{code}/before", Action::Public, questions::answer_before),
        Route::get("/d/{code}/after", Action::Public, questions::after),
        Route::post("/d/{code}/after", Action::Public, questions::answer_after),
    ]
}

/// Looking up a code or joining, per client address: a burst of 600 (a whole room of 300, each
/// opening the page and joining, behind one venue's address), then 10 a second. Guessing one of
/// 2³⁰ codes at that rate takes years.
const LOOKUP_BURST: u32 = 600;
const LOOKUPS_PER_SECOND: u32 = 10;

/// What one attendee may give (votes, choices, dots, statements, answers): a burst of 10, then 5
/// a second; far beyond a person tapping, far below a script.
const GIVE_BURST: u32 = 10;
const GIVES_PER_SECOND: u32 = 5;

fn quota(per_second: u32, burst: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

static LOOKUPS: LazyLock<DefaultKeyedRateLimiter<IpAddr>> =
    LazyLock::new(|| RateLimiter::keyed(quota(LOOKUPS_PER_SECOND, LOOKUP_BURST)));

/// Keyed by the attendee's token hash (its first 128 bits): one attendee each, and unlike the
/// attendee's id never shared between two databases served by one process (as in tests).
static GIVES: LazyLock<DefaultKeyedRateLimiter<u128>> =
    LazyLock::new(|| RateLimiter::keyed(quota(GIVES_PER_SECOND, GIVE_BURST)));

/// Counts one code look-up from `address`; the seconds to wait when the limit is used up.
fn lookup_allowed(address: Option<IpAddr>) -> Result<(), Refusal> {
    LOOKUPS.retain_recent();
    match address.map(|ip| LOOKUPS.check_key(&ip)) {
        Some(Err(not_until)) => Err(Refusal::TooMany(seconds(&not_until))),
        _ => Ok(()),
    }
}

/// Counts one thing given by the attendee whose token hashes to `hash`.
fn give_allowed(hash: &str) -> Result<(), Refusal> {
    let key = hash.get(..32).and_then(|h| u128::from_str_radix(h, 16).ok()).unwrap_or_default();
    match GIVES.check_key(&key) {
        Ok(()) => Ok(()),
        Err(not_until) => Err(Refusal::TooMany(seconds(&not_until))),
    }
}

fn seconds(not_until: &governor::NotUntil<<DefaultClock as Clock>::Instant>) -> u64 {
    not_until.wait_time_from(DefaultClock::default().now()).as_secs_f64().ceil().max(1.0) as u64
}

/// Why an attendee's request was not done; each is a plain page a person can act on.
pub(super) enum Refusal {
    /// No deliberation has this code.
    UnknownCode,
    /// Not open: being set up, or over. `given` when something was sent (409), not just asked.
    NotOpen {
        deliberation: Box<Deliberation>,
        given: bool,
    },
    /// This phone has not joined (no cookie, or one the store does not know).
    NotJoined {
        code: JoinCode,
        given: bool,
    },
    /// The form's token does not match this phone's.
    FormExpired {
        code: JoinCode,
    },
    /// A form that cannot be read (a field missing or malformed), 422.
    Unreadable {
        code: JoinCode,
        message: String,
    },
    /// The limit is used up: wait this many seconds.
    TooMany(u64),
    Page(PageError),
}

impl From<PageError> for Refusal {
    fn from(error: PageError) -> Self {
        Refusal::Page(error)
    }
}

impl From<heard_store::StoreError> for Refusal {
    fn from(error: heard_store::StoreError) -> Self {
        Refusal::Page(error.into())
    }
}

impl From<render::RenderError> for Refusal {
    fn from(error: render::RenderError) -> Self {
        Refusal::Page(error.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let problem = |status: StatusCode, title: &str, message: &str, code: Option<&JoinCode>| {
            let ctx = context! { title, message, code => code.map(JoinCode::as_str) };
            match page("deliberation/attend/problem.html", ctx, None) {
                Ok(html) => (status, html).into_response(),
                Err(error) => Refusal::Page(error).into_response(),
            }
        };
        match self {
            Refusal::UnknownCode => problem(
                StatusCode::NOT_FOUND,
                "There is no Deliberation Day with that code",
                "Check the code on the screen and type it again.",
                None,
            ),
            Refusal::NotOpen { deliberation, given } => {
                let status = if given { StatusCode::CONFLICT } else { StatusCode::OK };
                let ctx = context! {
                    title => deliberation.title,
                    ended => deliberation.status == DeliberationStatus::Closed,
                    given,
                };
                match page("deliberation/attend/not_open.html", ctx, None) {
                    Ok(html) => (status, html).into_response(),
                    Err(error) => Refusal::Page(error).into_response(),
                }
            }
            Refusal::NotJoined { code, given: false } => Redirect::to(&format!("/d/{}", code.as_str())).into_response(),
            Refusal::NotJoined { code, given: true } => problem(
                StatusCode::FORBIDDEN,
                "You have not joined this Deliberation Day on this phone",
                "Nothing was counted. Join first: say who you are, then you can vote. If you joined before, your browser may have cleared its cookies.",
                Some(&code),
            ),
            Refusal::FormExpired { code } => problem(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Nothing was counted. Go back to the Deliberation Day, reload the page and try again.",
                Some(&code),
            ),
            Refusal::Unreadable { code, message } => {
                problem(StatusCode::UNPROCESSABLE_ENTITY, "Something in the form was not right", &message, Some(&code))
            }
            Refusal::TooMany(wait) => {
                let ctx = context! { wait };
                let mut response = match page("deliberation/attend/too_many.html", ctx, None) {
                    Ok(html) => (StatusCode::TOO_MANY_REQUESTS, html).into_response(),
                    Err(error) => return Refusal::Page(error).into_response(),
                };
                if let Ok(value) = HeaderValue::from_str(&wait.to_string()) {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                response
            }
            Refusal::Page(error) => error.into_response(),
        }
    }
}

pub(super) type AttendResult = Result<Response, Refusal>;

/// Renders an attendee page: the layout with no one signed in, and the attendee's form token.
pub(super) fn page(name: &str, ctx: Value, csrf_token: Option<&str>) -> Result<Html<String>, PageError> {
    Ok(Html(render::render(name, context! { csrf_token, ..ctx })?))
}

/// A form page again with its errors (422).
pub(super) fn invalid_page(name: &str, ctx: Value, csrf_token: &str, invalid: &Invalid) -> AttendResult {
    let html = page(name, context! { errors => form_errors(invalid), ..ctx }, Some(csrf_token))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

pub(super) fn see_other(path: &str) -> AttendResult {
    Ok(Redirect::to(path).into_response())
}

/// The code in an address, as typed (`7qk-2mx` reads as `7QK2MX`).
pub(super) fn parse_code(raw: &str) -> Result<JoinCode, Refusal> {
    JoinCode::parse("code", raw).map_err(|_| Refusal::UnknownCode)
}

/// The deliberation a code opens, whatever its status.
pub(super) async fn find(state: &AppState, code: &JoinCode) -> Result<Deliberation, Refusal> {
    state.store.deliberation_by_code(code).await?.ok_or(Refusal::UnknownCode)
}

/// Refuses unless the deliberation is open.
pub(super) fn open(deliberation: Deliberation, given: bool) -> Result<Deliberation, Refusal> {
    if deliberation.status == DeliberationStatus::Open {
        Ok(deliberation)
    } else {
        Err(Refusal::NotOpen { deliberation: Box::new(deliberation), given })
    }
}

pub(super) fn cookie_name(code: &JoinCode) -> String {
    format!("heard_attendee_{}", code.as_str())
}

/// The token this phone keeps for the deliberation with `code`, if any (joined or not yet).
pub(super) fn token(headers: &HeaderMap, code: &JoinCode) -> Option<AttendeeToken> {
    let name = cookie_name(code);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .and_then(|(_, value)| AttendeeToken::parse(value))
}

/// The cookie keeping `token` on this phone: only for this deliberation's pages, never readable by
/// scripts, not sent with other sites' requests, kept a day (the day itself, if the phone restarts).
pub(super) fn set_cookie(
    state: &AppState,
    code: &JoinCode,
    token: &AttendeeToken,
) -> Option<(HeaderName, HeaderValue)> {
    let cookie = Cookie::build((cookie_name(code), token.expose().to_owned()))
        .path(format!("/d/{}", code.as_str()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .max_age(time::Duration::days(1))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok().map(|value| (SET_COOKIE, value))
}

/// The token every form of this phone carries: derived from its secret, so only a page served to
/// this phone can hold it, and no session is needed.
pub(super) fn form_token(token: &AttendeeToken) -> String {
    let digest =
        Sha256::new().chain_update(b"heard attendee form\0").chain_update(token.expose().as_bytes()).finalize();
    hex::encode(&digest[..16])
}

/// An attendee who has joined the deliberation in the address.
pub(super) struct Joined {
    pub code: JoinCode,
    pub attendee: Attendee,
    /// The token's hash: the rate limit's key.
    pub hash: String,
    pub form_token: String,
}

/// The attendee this phone joined as, for the deliberation `deliberation_id` when given (a cookie
/// from another deliberation's pages is no attendee here).
pub(super) async fn attendee(
    state: &AppState,
    headers: &HeaderMap,
    code: &JoinCode,
    deliberation_id: Option<i64>,
    given: bool,
) -> Result<Joined, Refusal> {
    let found = match token(headers, code) {
        Some(token) => state.store.attendee(&token.hash()).await?.map(|attendee| (token, attendee)),
        None => None,
    };
    match found {
        Some((token, attendee)) if deliberation_id.is_none_or(|id| id == attendee.deliberation_id) => {
            Ok(Joined { code: code.clone(), attendee, hash: token.hash(), form_token: form_token(&token) })
        }
        // Only when refusing, and only if the caller has not: is there such a day at all?
        _ if deliberation_id.is_none() && state.store.deliberation_by_code(code).await?.is_none() => {
            Err(Refusal::UnknownCode)
        }
        _ => Err(Refusal::NotJoined { code: code.clone(), given }),
    }
}

/// A submitted form from a joined attendee: read, its token checked, the rate limit counted.
pub(super) fn read_form(joined: &Joined, body: &Bytes) -> Result<FormFields, Refusal> {
    give_allowed(&joined.hash)?;
    let fields: FormFields = serde_html_form::from_bytes(body).map_err(|_| Refusal::Unreadable {
        code: joined.code.clone(),
        message: "The form could not be read: go back, reload the page and try again.".to_owned(),
    })?;
    if fields.get("csrf_token") != joined.form_token {
        return Err(Refusal::FormExpired { code: joined.code.clone() });
    }
    Ok(fields)
}

/// What the attendee pages share: the code for links, and what there is to do.
pub(super) fn day_context(code: &JoinCode, deliberation: &Deliberation) -> Value {
    use heard_domain::deliberation::days::Prioritisation;
    let prioritise = match deliberation.prioritisation {
        Prioritisation::Pairwise if deliberation.proposition_ids.len() >= 2 => Some("pairs"),
        Prioritisation::Dots if !deliberation.proposition_ids.is_empty() => Some("dots"),
        _ => None,
    };
    context! {
        code => code.as_str(),
        code_shown => code.display(),
        title => deliberation.title,
        attendee_statements => deliberation.attendee_statements,
        prioritise,
        questions => !deliberation.questions.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_read_only_for_its_own_code() {
        let code = JoinCode::parse("code", "7QK-2MX").expect("a code");
        let other = JoinCode::parse("code", "ABC-DEF").expect("a code");
        let token = AttendeeToken::generate();
        let mut headers = HeaderMap::new();
        let cookie = format!("heard_session=x; {}={}", cookie_name(&code), token.expose());
        headers.insert(COOKIE, HeaderValue::from_str(&cookie).expect("ascii"));
        assert_eq!(super::token(&headers, &code), Some(token.clone()));
        assert_eq!(super::token(&headers, &other), None);
        assert_ne!(form_token(&token), form_token(&AttendeeToken::generate()));
        assert_eq!(form_token(&token).len(), 32);
    }
}
