//! Coding a source: its redacted text with the coded passages marked, its excerpts with each
//! coder's codes and memos, and the form that codes a passage. The form works without a mouse or
//! JavaScript: a researcher types the words to code (and which occurrence, if they repeat);
//! `coding.js` fills the same form from a selection made with mouse or keyboard.

use std::collections::BTreeSet;

use axum::extract::{Query, State};
use heard_domain::Invalid;
use heard_domain::coding::codebook::{CharSpan, MemoTarget, Stance, memo_text, span_of_quote};
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::vocabulary::parse_code;
use heard_store::coding::{Excerpt, Memo};
use heard_store::{Programme, Source, StoreError};
use minijinja::{Value, context};
use serde::Serialize;

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;
use crate::voice::sources::find_source;

pub fn routes() -> Vec<Route> {
    const CODING: &str = "/programmes/{slug}/sources/{id}/coding";
    vec![
        Route::get(CODING, Action::ViewCoding, coding_page),
        Route::post(CODING, Action::Code, code_passage),
        Route::post("/programmes/{slug}/sources/{id}/coding/remove", Action::Code, remove_coding),
        Route::post("/programmes/{slug}/sources/{id}/memos", Action::Code, add_memo),
        Route::post("/programmes/{slug}/sources/{id}/evidence", Action::ManageInsights, add_evidence),
    ]
}

/// A stretch of the text with the same excerpts over all of it.
#[derive(Debug, Serialize)]
struct Segment {
    /// Where it starts, in characters of the text (for `coding.js`).
    start: usize,
    text: String,
    /// The current excerpts over it, by id.
    excerpts: Vec<i64>,
}

/// The text cut wherever an excerpt starts or ends, so each segment is covered by the same
/// excerpts throughout: one sweep over the sorted boundaries, keeping the excerpts open at each.
fn segments(text: &str, excerpts: &[Excerpt]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let current: Vec<&Excerpt> = excerpts.iter().filter(|e| e.current && e.end <= chars.len()).collect();
    // (place, opens?, excerpt id): closings sort before openings at the same place.
    let mut events: Vec<(usize, bool, i64)> =
        current.iter().flat_map(|e| [(e.start, true, e.id), (e.end, false, e.id)]).collect();
    events.sort_unstable();
    let mut open: BTreeSet<i64> = BTreeSet::new();
    let mut out = Vec::with_capacity(events.len() + 1);
    let mut at = 0;
    let mut next = events.iter().peekable();
    while at < chars.len() {
        while let Some(&&(place, opens, id)) = next.peek() {
            if place > at {
                break;
            }
            if opens {
                open.insert(id);
            } else {
                open.remove(&id);
            }
            next.next();
        }
        let end = next.peek().map_or(chars.len(), |e| e.0.min(chars.len()));
        out.push(Segment {
            start: at,
            text: chars[at..end].iter().collect(),
            excerpts: open.iter().copied().collect(),
        });
        at = end;
    }
    out
}

async fn render(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    source: &Source,
    chosen: Option<i64>,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let excerpts = state.store.source_excerpts(programme.id, source.id).await?;
    let codes = state.store.codebook(Some(programme.id)).await?;
    let memos = state.store.memos(programme.id, None).await?;
    let excerpt_ids: BTreeSet<i64> = excerpts.iter().map(|e| e.id).collect();
    let source_memos: Vec<&Memo> =
        memos.iter().filter(|m| m.target == MemoTarget::Source && m.target_id == source.id).collect();
    let excerpt_memos: Vec<&Memo> =
        memos.iter().filter(|m| m.target == MemoTarget::Excerpt && excerpt_ids.contains(&m.target_id)).collect();
    let insights =
        if page.may(Action::ManageInsights) { state.store.insights(programme.id).await? } else { Vec::new() };
    let insight_options: Vec<Value> =
        insights.iter().map(|i| context! { value => i.id.to_string(), text => i.statement.clone() }).collect();
    let code_options: Vec<Value> = codes
        .iter()
        .map(|c| context! { value => c.id.to_string(), text => format!("{}{}", "– ".repeat(c.depth), c.name) })
        .collect();
    let me = page.user()?.id;
    let ctx = context! {
        programme,
        source,
        segments => segments(&source.redacted_text, &excerpts),
        excerpts,
        code_options,
        source_memos,
        excerpt_memos,
        insights,
        insight_options,
        chosen,
        me,
        stances => Stance::ALL.iter().map(|s| context! { value => s.code(), text => s.label() }).collect::<Vec<_>>(),
        values,
    };
    page.respond("coding/source.html", ctx, invalid)
}

/// `?excerpt=ID` opens that excerpt's forms (memo, insight, taking a coding back): one excerpt's
/// forms at a time keep a page of thousands of excerpts small.
async fn coding_page(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(query): Query<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    let chosen = query.get("excerpt").parse().ok();
    render(&state, &page, &programme, &source, chosen, FormFields::default().values(), None).await
}

/// The excerpt a posted form was about, so its forms open again with their errors.
fn chosen_in(form: &FormFields) -> Option<i64> {
    form.get("excerpt").parse().ok()
}

/// The passage the form names: offsets from a selection (`start`, `end`, set by `coding.js`),
/// or else the typed words and, if they repeat, which occurrence.
fn chosen_span(form: &FormFields, text: &str) -> Result<CharSpan, Invalid> {
    let chars = text.chars().count();
    match (form.get("start").trim().parse::<usize>(), form.get("end").trim().parse::<usize>()) {
        (Ok(start), Ok(end)) => CharSpan::new(start, end, chars),
        _ => {
            let occurrence = match form.get("occurrence").trim() {
                "" => None,
                raw => Some(
                    raw.parse::<usize>()
                        .map_err(|_| Invalid::one("occurrence", "Enter which occurrence as a number, like 2"))?,
                ),
            };
            span_of_quote(text, form.get("words"), occurrence)
        }
    }
}

async fn code_passage(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    let mut errors = Collector::new();
    let span = errors.take(chosen_span(&form, &source.redacted_text));
    let codes: Vec<i64> = form.all("codes").iter().filter_map(|c| c.parse().ok()).collect();
    if codes.is_empty() {
        errors.push("codes", "Choose at least one code to apply");
    }
    let span = match errors.finish(|| span) {
        Ok(Some(span)) => span,
        Ok(None) => return Err(PageError::BadRequest("no passage chosen".into())),
        Err(invalid) => {
            return render(&state, &page, &programme, &source, chosen_in(&form), form.values(), Some(&invalid)).await;
        }
    };
    match state.store.code_span(programme.id, id, (span.start, span.end), &codes, page.user()?.id).await {
        Ok(excerpt) => {
            let n = codes.len();
            let message = if n == 1 { "Passage coded".to_owned() } else { format!("Passage coded with {n} codes") };
            Flash::set(&page.session, &message).await;
            see_other(format!("/programmes/{slug}/sources/{id}/coding#excerpt-{excerpt}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            render(&state, &page, &programme, &source, chosen_in(&form), form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn remove_coding(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let coding: i64 = form.get("coding").parse().map_err(|_| PageError::BadRequest("Choose a coding".into()))?;
    state.store.remove_coding(programme.id, coding, page.user()?.id).await?;
    Flash::set(&page.session, "Coding removed").await;
    see_other(format!("/programmes/{slug}/sources/{id}/coding"))
}

async fn add_memo(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    let (target, target_id, field) = match form.get("excerpt").parse::<i64>() {
        Ok(excerpt) => (MemoTarget::Excerpt, excerpt, format!("memo-{excerpt}")),
        Err(_) => (MemoTarget::Source, id, "memo".to_owned()),
    };
    let body = match memo_text(&field, form.get(&field)) {
        Ok(body) => body,
        Err(invalid) => {
            return render(&state, &page, &programme, &source, chosen_in(&form), form.values(), Some(&invalid)).await;
        }
    };
    state.store.add_memo(programme.id, target, target_id, &body, page.user()?.id).await?;
    Flash::set(&page.session, "Memo added").await;
    let anchor = if target == MemoTarget::Excerpt { format!("excerpt-{target_id}") } else { "memos".to_owned() };
    see_other(format!("/programmes/{slug}/sources/{id}/coding#{anchor}"))
}

async fn add_evidence(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    let excerpt = form.get("excerpt");
    let mut errors = Collector::new();
    let insight = form.get(&format!("insight-{excerpt}")).parse::<i64>().ok();
    if insight.is_none() {
        errors.push(format!("insight-{excerpt}"), "Choose the insight this excerpt bears on");
    }
    let stance = errors.take(parse_code::<Stance>(
        &format!("stance-{excerpt}"),
        "whether it supports the insight",
        form.get(&format!("stance-{excerpt}")),
    ));
    let excerpt_id = excerpt.parse::<i64>().ok();
    let (Some(insight), Some(stance), Some(excerpt_id)) = (insight, stance, excerpt_id) else {
        let invalid = errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("excerpt", "Choose an excerpt"));
        return render(&state, &page, &programme, &source, chosen_in(&form), form.values(), Some(&invalid)).await;
    };
    state.store.attach_evidence(programme.id, insight, excerpt_id, stance, page.user()?.id).await?;
    Flash::set(&page.session, "Excerpt added to the insight").await;
    see_other(format!("/programmes/{slug}/insights/{insight}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(id: i64, start: usize, end: usize) -> Excerpt {
        Excerpt { id, source_id: 1, start, end, quote: String::new(), current: true, codings: Vec::new() }
    }

    #[test]
    fn the_text_is_cut_where_excerpts_start_and_end() {
        let text = "Café 🙂 and more words";
        let cut = segments(text, &[excerpt(1, 0, 6), excerpt(2, 5, 10)]);
        let parts: Vec<(&str, Vec<i64>)> = cut.iter().map(|s| (s.text.as_str(), s.excerpts.clone())).collect();
        assert_eq!(parts, [("Café ", vec![1]), ("🙂", vec![1, 2]), (" and", vec![2]), (" more words", vec![])]);
        assert_eq!(cut.iter().map(|s| s.start).collect::<Vec<_>>(), [0, 5, 6, 10]);
        assert_eq!(segments(text, &[]).len(), 1);
    }
}
