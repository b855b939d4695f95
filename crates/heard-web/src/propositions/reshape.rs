//! Merging propositions into one and splitting one into several, with the trace kept: the parts
//! merged and the whole split are withdrawn, stay readable with their history and versions, and
//! link to what they became. On a split the person chooses which of the whole's evidence goes to
//! each part (all of it to every part unless they untick some).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::error::{Collector, optional_text};
use heard_domain::governance::Action;
use heard_domain::propositions::proposition::MAX_NOTE_CHARS;
use heard_domain::propositions::{PropositionInput, version};
use heard_store::propositions::{MAX_PARTS, Proposition, SplitPart};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use serde::Deserialize;

use super::pages::find;
use super::{evidence_from_value, evidence_value};
use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::PagePath;
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const MERGE: &str = "/programmes/{slug}/propositions/merge";
    const SPLIT: &str = "/programmes/{slug}/propositions/{id}/split";
    vec![
        Route::get(MERGE, Action::EditPropositions, merge_page),
        Route::post(MERGE, Action::EditPropositions, merge),
        Route::get(SPLIT, Action::EditPropositions, split_page),
        Route::post(SPLIT, Action::EditPropositions, split),
    ]
}

async fn render_merge(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    chosen: Vec<String>,
    invalid: Option<&Invalid>,
) -> PageResult {
    let options: Vec<Value> = state
        .store
        .propositions(programme.id)
        .await?
        .into_iter()
        .filter(|p| p.status.may_reshape())
        .map(|p| context! { value => p.id.to_string(), text => format!("{} ({})", p.title, p.status.label().to_lowercase()) })
        .collect();
    page.respond("propositions/merge.html", context! { programme, options, chosen, values }, invalid)
}

#[derive(Debug, Default, Deserialize)]
struct Chosen {
    #[serde(default)]
    part: Option<String>,
}

async fn merge_page(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    Query(chosen): Query<Chosen>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let chosen: Vec<String> = chosen.part.into_iter().collect();
    render_merge(&state, &page, &programme, FormFields::default().values(), chosen, None).await
}

async fn merge(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let chosen: Vec<String> = form.all("parts").to_vec();
    let mut errors = Collector::new();
    let parts: Vec<i64> = chosen.iter().filter_map(|p| p.trim().parse().ok()).collect();
    if parts.len() != chosen.len() {
        errors.push("parts", "Choose propositions from the list");
    }
    let input = errors.take(PropositionInput::parse(form.get("title"), form.get("change"), form.get("note")));
    let result = match (errors.finish(|| ()), input) {
        (Ok(()), Some(input)) => {
            state.store.merge_propositions(programme.id, &parts, &input, Some(page.user()?.id)).await
        }
        (Err(invalid), _) => Err(StoreError::Invalid(invalid)),
        (Ok(()), None) => Err(StoreError::Invalid(Invalid::one("title", "Enter a title"))),
    };
    match result {
        Ok(id) => {
            Flash::set(&page.session, "Merged: the parts are withdrawn and link here").await;
            see_other(format!("/programmes/{slug}/propositions/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            render_merge(&state, &page, &programme, form.values(), chosen, Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// How many parts the split page offers.
#[derive(Debug, Default, Deserialize)]
struct Parts {
    #[serde(default)]
    parts: Option<String>,
}

fn part_count(raw: &str) -> usize {
    raw.trim().parse::<usize>().ok().filter(|n| (2..=MAX_PARTS).contains(n)).unwrap_or(2)
}

/// The split page: each part's title, change and evidence (as typed, or the defaults: a blank
/// title, the whole's change, all its evidence).
fn render_split(
    page: &Page,
    programme: &Programme,
    p: &Proposition,
    count: usize,
    form: Option<&FormFields>,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let evidence: Vec<Value> = p
        .evidence
        .insights
        .iter()
        .map(|i| {
            (
                evidence_value(heard_domain::propositions::EvidenceRef::Insight(i.id)),
                format!("Insight: {}", i.statement),
            )
        })
        .chain(p.evidence.factors.iter().map(|f| {
            (evidence_value(heard_domain::propositions::EvidenceRef::Factor(f.id)), format!("Factor: {}", f.label))
        }))
        .chain(p.evidence.signals.iter().map(|s| {
            (evidence_value(heard_domain::propositions::EvidenceRef::Signal(s.id)), format!("Signal: {}", s.title))
        }))
        .map(|(value, text)| context! { value, text })
        .collect();
    let every: Vec<String> = p.evidence_refs().into_iter().map(evidence_value).collect();
    let parts: Vec<Value> = (0..count)
        .map(|i| {
            let field = |name: &str| format!("parts[{i}].{name}");
            match form {
                Some(form) => context! {
                    number => i + 1,
                    title_field => field("title"),
                    change_field => field("change"),
                    evidence_field => field("evidence"),
                    title => form.get(&field("title")),
                    change => form.get(&field("change")),
                    chosen => form.all(&field("evidence")).to_vec(),
                },
                None => context! {
                    number => i + 1,
                    title_field => field("title"),
                    change_field => field("change"),
                    evidence_field => field("evidence"),
                    title => "",
                    change => p.change,
                    chosen => every,
                },
            }
        })
        .collect();
    let note = form.map(|f| f.get("note").to_owned()).unwrap_or_default();
    let ctx = context! { programme, p, parts, count, evidence, note, more => (count < MAX_PARTS).then_some(count + 1) };
    match problem {
        None => page.respond("propositions/split.html", ctx, None),
        Some((status, invalid)) => {
            Ok((status, page.render_invalid("propositions/split.html", ctx, invalid)?).into_response())
        }
    }
}

async fn split_page(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(parts): Query<Parts>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let p = find(&state, &programme, id).await?;
    render_split(&page, &programme, &p, part_count(parts.parts.as_deref().unwrap_or_default()), None, None)
}

/// The parts a split form describes, with every problem named by its field.
fn parse_parts(form: &FormFields, count: usize) -> Result<(Vec<SplitPart>, Option<String>), Invalid> {
    let mut errors = Collector::new();
    let mut parts = Vec::with_capacity(count);
    for i in 0..count {
        let field = |name: &str| format!("parts[{i}].{name}");
        let input = PropositionInput::parse(form.get(&field("title")), form.get(&field("change")), "").map_err(
            |Invalid(list)| {
                Invalid(
                    list.into_iter()
                        .map(|mut e| {
                            e.field = field(&e.field);
                            e
                        })
                        .collect(),
                )
            },
        );
        let evidence: Option<Vec<_>> = form.all(&field("evidence")).iter().map(|v| evidence_from_value(v)).collect();
        if evidence.is_none() {
            errors.push(field("evidence"), "Choose evidence from the list");
        }
        if let (Some(input), Some(evidence)) = (errors.take(input), evidence) {
            parts.push(SplitPart { input, evidence });
        }
    }
    let note = errors.take(optional_text("note", "the note", form.get("note"), MAX_NOTE_CHARS));
    errors.finish(|| (parts, note.flatten()))
}

async fn split(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let count = part_count(form.get("count"));
    let parsed = parse_parts(&form, count).and_then(|parts| Ok((parts, version("parts", form.get("version"))?)));
    let result = match &parsed {
        Ok(((parts, note), seen)) => {
            state.store.split_proposition(programme.id, id, *seen, parts, note.as_deref(), Some(page.user()?.id)).await
        }
        Err(invalid) => Err(StoreError::Invalid(invalid.clone())),
    };
    match result {
        Ok(ids) => {
            Flash::set(&page.session, &format!("Split into {} propositions; this one is withdrawn", ids.len())).await;
            see_other(format!("/programmes/{slug}/propositions/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            let p = find(&state, &programme, id).await?;
            render_split(&page, &programme, &p, count, Some(&form), Some((StatusCode::UNPROCESSABLE_ENTITY, &invalid)))
        }
        Err(StoreError::Conflict { .. }) => {
            let p = find(&state, &programme, id).await?;
            let invalid = Invalid::one(
                "parts",
                "Someone else changed this proposition after you opened the page, so nothing was split. Check it as it is now, then split it again: your parts are kept below.",
            );
            render_split(&page, &programme, &p, count, Some(&form), Some((StatusCode::CONFLICT, &invalid)))
        }
        Err(other) => Err(other.into()),
    }
}
