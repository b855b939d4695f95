//! Source pages: a programme's sources with filters, adding a typed source, one source (redacted
//! for everyone; the original for researchers where consent allows, each look audited), and the
//! review of its redaction. Film upload and playback are in `film`, imports in `import`.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use heard_analysis::voice::redaction::{PiiKind, Span};
use heard_domain::Invalid;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::vocabulary::parse_code;
use heard_domain::voice::participants::ConsentPurpose;
use heard_domain::voice::sources::{ReviewDecision, SourceKind, source_text, source_title};
use heard_store::voice::sources::PAGE_SIZE;
use heard_store::{NewSource, Programme, SearchFilters, Source, StoreError};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other, unprocessable};
use crate::routes::Route;
use crate::voice::screen;

pub fn routes() -> Vec<Route> {
    const ONE: &str = "/programmes/{slug}/sources/{id}";
    vec![
        Route::get("/programmes/{slug}/sources", Action::ViewSources, sources),
        Route::get("/programmes/{slug}/sources/new", Action::ManageSources, new_source_form),
        Route::post("/programmes/{slug}/sources/new", Action::ManageSources, create_source),
        Route::get(ONE, Action::ViewSources, source),
        Route::get("/programmes/{slug}/sources/{id}/original", Action::ViewOriginalText, original),
        Route::post("/programmes/{slug}/sources/{id}/review", Action::ViewOriginalText, review),
        Route::post("/programmes/{slug}/sources/{id}/hide", Action::ViewOriginalText, hide),
        Route::post("/programmes/{slug}/sources/{id}/correct", Action::ViewOriginalText, correct),
    ]
}

/// The programme's source `id`, or a 404 page.
pub(crate) async fn find_source(state: &AppState, programme: &Programme, id: i64) -> Result<Source, PageError> {
    state.store.source(programme.id, id).await?.ok_or(PageError::NotFound)
}

/// The kinds a source can be typed or pasted as: all but film, which needs its recording.
fn typed_kinds() -> Vec<Value> {
    SourceKind::ALL
        .iter()
        .filter(|k| **k != SourceKind::Film)
        .map(|k| context! { value => k.code(), text => k.label() })
        .collect()
}

// A programme's sources

/// The list's filters from the query string; one that does not parse is ignored (and shown
/// blank), as a link from an old bookmark should still show the list.
fn list_filters(programme_id: i64, query: &FormFields) -> SearchFilters {
    SearchFilters {
        programme_id: Some(programme_id),
        kind: query.get("kind").parse().ok(),
        participant_kind: query.get("participant_kind").parse().ok(),
        activity_id: query.get("activity").parse().ok(),
        ..SearchFilters::default()
    }
}

async fn sources(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    Query(query): Query<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let filters = list_filters(programme.id, &query);
    let number: i64 = query.get("page").parse().unwrap_or(1).max(1);
    let (sources, total) = state.store.sources(&filters, number - 1).await?;
    let activities = state.store.activities(programme.id).await?;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    let mut kept = FormFields::default();
    for name in ["kind", "participant_kind", "activity"] {
        kept.set(name, query.get(name));
    }
    let filter_query: String = ["kind", "participant_kind", "activity"]
        .iter()
        .filter(|name| !query.get(name).is_empty())
        .map(|name| format!("&{name}={}", query.get(name)))
        .collect();
    let ctx = context! {
        programme,
        sources,
        total,
        page_number => number,
        pages,
        filter_query,
        activities,
        values => kept.values(),
    };
    Ok(page.render("voice/sources/list.html", ctx)?.into_response())
}

// Adding a typed source

async fn render_source_form(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let activities = state.store.activities(programme.id).await?;
    let participants = state.store.participants(programme.id).await?;
    let ctx = context! { programme, values, activities, participants, kinds => typed_kinds() };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/sources/form.html", ctx, invalid_input)),
        None => Ok(page.render("voice/sources/form.html", ctx)?.into_response()),
    }
}

fn source_values(form: &FormFields) -> Value {
    context! { collected_on => form.date_parts("collected_on"), ..form.values() }
}

async fn new_source_form(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_source_form(&state, &page, &programme, source_values(&FormFields::default()), None).await
}

/// The form's fields, parsed; the text is screened by the caller.
struct TypedSource {
    kind: SourceKind,
    title: Option<String>,
    text: String,
    collected_on: Option<time::Date>,
    activity_id: Option<i64>,
    participant_ids: Vec<i64>,
}

fn parse_source(form: &FormFields) -> Result<TypedSource, Invalid> {
    let mut errors = Collector::new();
    let kind = errors.take(parse_code::<SourceKind>("kind", "the kind of source", form.get("kind")));
    if kind == Some(SourceKind::Film) {
        errors.push("kind", "Add a film with its recording and transcript from the film page");
    }
    let title = errors.take(source_title("title", form.get("title")));
    let text = errors.take(source_text("text", form.get("text")));
    let collected_on = errors.take(form.date_parts("collected_on").parse("collected_on", "the date it was collected"));
    let activity_id = match form.get("activity").trim() {
        "" => Some(None),
        raw => errors.take(raw.parse::<i64>().map(Some).map_err(|_| Invalid::one("activity", "Choose an activity"))),
    };
    let participant_ids: Vec<i64> = form.all("participants").iter().filter_map(|id| id.parse().ok()).collect();
    errors.finish(|| ())?;
    match (kind, title, text, collected_on, activity_id) {
        (Some(kind), Some(title), Some(text), Some(collected_on), Some(activity_id)) => {
            Ok(TypedSource { kind, title, text, collected_on, activity_id, participant_ids })
        }
        _ => Err(Invalid::one("text", "Enter the text of the source")),
    }
}

async fn create_source(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let typed = match parse_source(&form) {
        Ok(typed) => typed,
        Err(invalid_input) => {
            return render_source_form(&state, &page, &programme, source_values(&form), Some(&invalid_input)).await;
        }
    };
    let new = NewSource {
        kind: typed.kind,
        title: typed.title,
        text: screen(&state, programme.id, typed.text).await?,
        collected_on: typed.collected_on,
        activity_id: typed.activity_id,
        participant_ids: typed.participant_ids,
        attributes: BTreeMap::new(),
        media: None,
        cue_timings: None,
    };
    match state.store.add_source(programme.id, &new, Some(page.user()?.id)).await {
        Ok(source) => {
            let hidden = source.text.detected().len();
            let message = match hidden {
                0 => "Source added. No personal data was found in it".to_owned(),
                1 => "Source added. 1 piece of personal data was hidden: review it on the original text".to_owned(),
                n => format!("Source added. {n} pieces of personal data were hidden: review them on the original text"),
            };
            Flash::set(&page.session, &message).await;
            see_other(format!("/programmes/{slug}/sources/{}", source.id))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_source_form(&state, &page, &programme, source_values(&form), Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

// One source, redacted

/// Why the original text cannot be shown, naming the participants (by pseudonym) whose consent
/// to research is not current; empty if it can.
fn missing_research_consent(source: &Source) -> Vec<String> {
    source
        .participants
        .iter()
        .filter(|p| !p.current_consents.contains(&ConsentPurpose::Research))
        .map(|p| p.pseudonym.clone())
        .collect()
}

async fn source(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    let cues = crate::voice::film::cues_for_page(&source);
    let may_play = source.media.is_some() && source.consented_to(ConsentPurpose::Filming);
    let ctx = context! {
        programme,
        source,
        cues,
        may_play,
        attributes => source.attributes,
        without_research_consent => missing_research_consent(&source),
        hidden_count => source.hidden_spans().len(),
    };
    Ok(page.render("voice/sources/source.html", ctx)?.into_response())
}

// The original text and the review of its redaction

/// One piece of the original text as the review page shows it: plain, or a span with its state.
#[derive(serde::Serialize)]
struct Piece {
    text: String,
    kind: Option<&'static str>,
}

/// A span in the review table.
#[derive(serde::Serialize)]
struct SpanRow {
    start: usize,
    end: usize,
    kind: &'static str,
    kind_label: &'static str,
    text: String,
    hidden: bool,
    decision: Option<ReviewDecision>,
    added: bool,
}

/// `text` cut at the hidden spans, each piece marked with its kind.
fn pieces(text: &str, hidden: &[Span]) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    for span in hidden {
        let (start, end) = (span.start.min(chars.len()), span.end.min(chars.len()));
        if start < at {
            continue;
        }
        if at < start {
            pieces.push(Piece { text: chars[at..start].iter().collect(), kind: None });
        }
        pieces.push(Piece { text: chars[start..end].iter().collect(), kind: Some(kind_label(span.kind)) });
        at = end;
    }
    if at < chars.len() {
        pieces.push(Piece { text: chars[at..].iter().collect(), kind: None });
    }
    pieces
}

fn span_rows(source: &Source) -> Vec<SpanRow> {
    let chars: Vec<char> = source.text.original().chars().collect();
    let words = |start: usize, end: usize| chars[start.min(chars.len())..end.min(chars.len())].iter().collect();
    let hidden = source.hidden_spans();
    let decision_for =
        |start: usize, end: usize| source.reviews.iter().find(|r| r.start == start && r.end == end).map(|r| r.decision);
    let mut rows: Vec<SpanRow> = source
        .text
        .detected()
        .iter()
        .map(|s| SpanRow {
            start: s.start,
            end: s.end,
            kind: s.kind.code(),
            kind_label: kind_label(s.kind),
            text: words(s.start, s.end),
            hidden: hidden.contains(s),
            decision: decision_for(s.start, s.end),
            added: false,
        })
        .collect();
    for review in source.review_decisions().iter().filter(|r| r.decision == ReviewDecision::Added) {
        let s = review.span;
        rows.push(SpanRow {
            start: s.start,
            end: s.end,
            kind: s.kind.code(),
            kind_label: kind_label(s.kind),
            text: words(s.start, s.end),
            hidden: true,
            decision: Some(ReviewDecision::Added),
            added: true,
        });
    }
    rows.sort_by_key(|r| (r.start, r.end));
    rows
}

/// What a kind of personal data is called on the review page.
fn kind_label(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::Person => "Person's name",
        PiiKind::NhsNumber => "NHS number",
        PiiKind::NiNumber => "National Insurance number",
        PiiKind::Postcode => "Postcode",
        PiiKind::Phone => "Phone number",
        PiiKind::Email => "Email address",
        PiiKind::DateOfBirth => "Date of birth",
        PiiKind::Address => "Street address",
    }
}

fn kinds_of_personal_data() -> Vec<Value> {
    PiiKind::ALL.iter().map(|k| context! { value => k.code(), text => kind_label(*k) }).collect()
}

async fn render_original(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    source: &Source,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let without = missing_research_consent(source);
    let ctx = if without.is_empty() {
        let user = page.user()?;
        state.store.record_audit(Some(user.id), "source.original_viewed", &format!("source {}", source.id)).await?;
        context! {
            programme,
            source,
            shown => true,
            pieces => pieces(source.text.original(), &source.hidden_spans()),
            spans => span_rows(source),
            original_text => source.text.original(),
            kinds => kinds_of_personal_data(),
            values,
        }
    } else {
        context! { programme, source, shown => false, without_research_consent => without, values }
    };
    match invalid {
        Some(invalid_input) => unprocessable(page.render_invalid("voice/sources/original.html", ctx, invalid_input)),
        None => Ok(page.render("voice/sources/original.html", ctx)?.into_response()),
    }
}

async fn original(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    render_original(&state, &page, &programme, &source, FormFields::default().values(), None).await
}

/// Refuses changes to the redaction of a source whose original may not be shown.
fn check_consent(source: &Source) -> Result<(), PageError> {
    if missing_research_consent(source).is_empty() { Ok(()) } else { Err(PageError::Forbidden) }
}

async fn review(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    check_consent(&source)?;
    let bad = || PageError::BadRequest("That span is not in this source".to_owned());
    let start: usize = form.get("start").parse().map_err(|_| bad())?;
    let end: usize = form.get("end").parse().map_err(|_| bad())?;
    let kind = PiiKind::from_code(form.get("kind")).ok_or_else(bad)?;
    let decision: ReviewDecision = form.get("decision").parse().map_err(|_| bad())?;
    if decision == ReviewDecision::Added {
        return Err(bad());
    }
    let span = Span { start, end, kind };
    match state.store.review_span(programme.id, id, span, decision, page.user()?.id).await {
        Ok(_) => {
            let message = match decision {
                ReviewDecision::Removed => "Span shown: it is no longer hidden",
                _ => "Span confirmed: it stays hidden",
            };
            Flash::set(&page.session, message).await;
            see_other(format!("/programmes/{slug}/sources/{id}/original"))
        }
        Err(StoreError::NotFound | StoreError::Invalid(_)) => Err(bad()),
        Err(other) => Err(other.into()),
    }
}

/// Every place `words` appears in `text`, in characters.
fn occurrences(text: &str, words: &str) -> Vec<(usize, usize)> {
    let length = words.chars().count();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(words) {
        let byte = from + at;
        let start = text[..byte].chars().count();
        found.push((start, start + length));
        from = byte + words.len().max(1);
    }
    found
}

async fn hide(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    check_consent(&source)?;
    let mut errors = Collector::new();
    let words = form.get("words").trim().to_owned();
    if words.is_empty() {
        errors.push("words", "Enter the words to hide, exactly as they appear in the text");
    }
    let kind = PiiKind::from_code(form.get("kind"));
    if kind.is_none() {
        errors.push("kind", "Choose what kind of personal data it is");
    }
    let found = if words.is_empty() { Vec::new() } else { occurrences(source.text.original(), &words) };
    if !words.is_empty() && found.is_empty() {
        errors.push("words", "Those words do not appear in the text: copy them exactly, with the same capitals");
    }
    if let Err(invalid_input) = errors.finish(|| ()) {
        return render_original(&state, &page, &programme, &source, form.values(), Some(&invalid_input)).await;
    }
    let Some(kind) = kind else { return Err(PageError::BadRequest("Choose a kind".to_owned())) };
    let user = page.user()?.id;
    for (start, end) in &found {
        let span = Span { start: *start, end: *end, kind };
        state.store.review_span(programme.id, id, span, ReviewDecision::Added, user).await?;
    }
    let message = match found.len() {
        1 => "Hidden in 1 place".to_owned(),
        n => format!("Hidden in {n} places"),
    };
    Flash::set(&page.session, &message).await;
    see_other(format!("/programmes/{slug}/sources/{id}/original"))
}

/// A correction of a source's text: screened anew, reviews and excerpts carried where their words
/// are unchanged (`Store::correct_source_text`).
async fn correct(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let source = find_source(&state, &programme, id).await?;
    check_consent(&source)?;
    let text = match source_text("text", form.get("text")) {
        Ok(text) => text,
        Err(invalid_input) => {
            return render_original(&state, &page, &programme, &source, form.values(), Some(&invalid_input)).await;
        }
    };
    let screened = screen(&state, programme.id, text).await?;
    match state.store.correct_source_text(programme.id, id, &screened, page.user()?.id).await {
        Ok(done) => {
            let mut message = "Text corrected".to_owned();
            if done.excerpts_carried + done.excerpts_to_place > 0 {
                message.push_str(&format!(
                    ": {} excerpts carried across, {} to place again",
                    done.excerpts_carried, done.excerpts_to_place
                ));
            }
            Flash::set(&page.session, &message).await;
            see_other(format!("/programmes/{slug}/sources/{id}/original"))
        }
        Err(StoreError::Invalid(invalid_input)) => {
            render_original(&state, &page, &programme, &source, form.values(), Some(&invalid_input)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_count_characters() {
        assert_eq!(occurrences("café Ada, then Ada", "Ada"), [(5, 8), (15, 18)]);
        assert!(occurrences("nothing", "Ada").is_empty());
    }

    #[test]
    fn pieces_cover_the_text_once() {
        let spans =
            [Span { start: 0, end: 3, kind: PiiKind::Person }, Span { start: 9, end: 12, kind: PiiKind::Phone }];
        let cut = pieces("Ada said 123 ok", &spans);
        let joined: String = cut.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, "Ada said 123 ok");
        assert_eq!(cut.iter().filter(|p| p.kind.is_some()).count(), 2);
    }
}
