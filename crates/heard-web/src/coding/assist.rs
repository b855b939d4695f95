//! Assisted coding and theme discovery: codes suggested for uncoded sources by a model learnt from
//! the programme's own coded excerpts, accepted or rejected by a researcher; and candidate themes
//! clustered from uncoded sources, each of which a researcher may turn into a code. Both run the
//! `heard_analysis::coding` engine in the request, on a blocking thread (they are CPU-bound).

use std::collections::BTreeMap;

use axum::extract::State;
use heard_analysis::coding::suggest::{Model, TrainOptions};
use heard_analysis::coding::themes::{self, ThemeOptions};
use heard_domain::coding::codebook::CodeInput;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::{FieldError, Invalid};
use heard_store::coding::Code;
use heard_store::coding::assist::{Example, NewTheme, Uncoded};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use serde::Serialize;

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/suggestions", Action::ViewCoding, suggestions_page),
        Route::post("/programmes/{slug}/suggestions", Action::Code, suggest),
        Route::post("/programmes/{slug}/suggestions/decide", Action::Code, decide),
        Route::get("/programmes/{slug}/themes", Action::ViewCoding, themes_page),
        Route::post("/programmes/{slug}/themes", Action::Code, discover),
        Route::post("/programmes/{slug}/themes/{id}/code", Action::Code, theme_to_code),
    ]
}

/// A code is learnt only from at least this many coded excerpts: fewer gives the model nothing
/// to generalise from, and its confidences no held-out examples to be calibrated on.
const MIN_EXAMPLES: usize = 3;
/// Codes with enough examples needed before anything is suggested: one code alone has nothing
/// to be told apart from.
const MIN_CODES: usize = 2;
/// Uncoded sources theme discovery needs: clustering fewer finds nothing worth reading.
const MIN_THEME_SOURCES: usize = 2;
/// The most themes a researcher may ask for (as many as discovery chooses at most by itself).
const MAX_THEMES: usize = 20;

/// A code in the codebook with how many coded excerpts it has to learn from.
#[derive(Debug, Serialize)]
struct Readiness {
    id: i64,
    name: String,
    colour: String,
    depth: usize,
    examples: usize,
    enough: bool,
}

/// Every code with its number of training examples, and the codes with enough to learn.
fn readiness(codes: &[Code], examples: &[Example]) -> (Vec<Readiness>, Vec<i64>) {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for example in examples {
        for &code in &example.code_ids {
            *counts.entry(code).or_default() += 1;
        }
    }
    let rows: Vec<Readiness> = codes
        .iter()
        .map(|code| {
            let examples = counts.get(&code.id).copied().unwrap_or(0);
            Readiness {
                id: code.id,
                name: code.name.clone(),
                colour: code.colour.clone(),
                depth: code.depth,
                examples,
                enough: examples >= MIN_EXAMPLES,
            }
        })
        .collect();
    let learnable = rows.iter().filter(|r| r.enough).map(|r| r.id).collect();
    (rows, learnable)
}

/// Trains on `examples` for the `learnable` codes and suggests codes for `uncoded`, as
/// `(source, code, confidence)`. CPU-bound: call on a blocking thread.
fn suggestions_for(
    examples: &[Example],
    learnable: &[i64],
    uncoded: &[Uncoded],
) -> Result<Vec<(i64, i64, f64)>, heard_analysis::coding::suggest::TrainError> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    // Every example teaches every learnable code, as a positive or a negative.
    let labels: Vec<Vec<bool>> =
        examples.iter().map(|e| learnable.iter().map(|code| e.code_ids.contains(code)).collect()).collect();
    let names: Vec<String> = learnable.iter().map(i64::to_string).collect();
    let model = Model::train(&texts, &labels, &names, &TrainOptions::default())?;
    let targets: Vec<&str> = uncoded.iter().map(|u| u.text.as_str()).collect();
    let suggested = model.suggest_batch(&targets);
    Ok(uncoded
        .iter()
        .zip(suggested)
        .flat_map(|(source, found)| {
            found.into_iter().filter_map(move |s| {
                learnable.get(s.code).map(|&code| (source.source_id, code, f64::from(s.confidence)))
            })
        })
        .collect())
}

async fn render_suggestions(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let codes = state.store.codebook(Some(programme.id)).await?;
    let examples = state.store.training_examples(programme.id).await?;
    let (readiness, learnable) = readiness(&codes, &examples);
    let uncoded = state.store.uncoded_sources(programme.id).await?.len();
    let suggestions = state.store.suggestions(programme.id).await?;
    let ctx = context! {
        programme,
        readiness,
        learnable => learnable.len(),
        ready => learnable.len() >= MIN_CODES,
        min_examples => MIN_EXAMPLES,
        min_codes => MIN_CODES,
        uncoded,
        suggestions,
        values,
    };
    page.respond("coding/assist/suggestions.html", ctx, invalid)
}

async fn suggestions_page(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_suggestions(&state, &page, &programme, FormFields::default().values(), None).await
}

async fn suggest(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(_form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let back = format!("/programmes/{slug}/suggestions");
    let codes = state.store.codebook(Some(programme.id)).await?;
    let examples = state.store.training_examples(programme.id).await?;
    let (_, learnable) = readiness(&codes, &examples);
    if learnable.len() < MIN_CODES {
        let message = format!(
            "Not enough coded examples to learn from yet: code at least {MIN_EXAMPLES} excerpts with each of {MIN_CODES} or more codes"
        );
        Flash::set(&page.session, &message).await;
        return see_other(back);
    }
    let uncoded = state.store.uncoded_sources(programme.id).await?;
    if uncoded.is_empty() {
        Flash::set(&page.session, "Every source is coded already: there is nothing to suggest codes for").await;
        return see_other(back);
    }
    let sources = uncoded.len();
    let made = tokio::task::spawn_blocking(move || suggestions_for(&examples, &learnable, &uncoded))
        .await
        .map_err(|e| PageError::Internal(format!("training stopped: {e}")))?
        .map_err(|e| PageError::Internal(format!("training failed: {e}")))?;
    let added = state.store.replace_suggestions(programme.id, &made).await?;
    let message = match added {
        0 => format!("No codes suggested for the {sources} uncoded {}", plural(sources, "source", "sources")),
        n => format!(
            "{n} {} made for {sources} uncoded {}",
            plural(n, "suggestion", "suggestions"),
            plural(sources, "source", "sources")
        ),
    };
    Flash::set(&page.session, &message).await;
    see_other(back)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

async fn decide(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let mut errors = Collector::new();
    let chosen: Vec<i64> = form.all("suggestions").iter().filter_map(|s| s.parse().ok()).collect();
    if chosen.is_empty() {
        errors.push("suggestions", "Select the suggestions to accept or reject");
    }
    let accept = match form.get("decision") {
        "accept" => Some(true),
        "reject" => Some(false),
        _ => {
            errors.push("decision", "Choose whether to accept or reject the suggestions selected");
            None
        }
    };
    let accept = match errors.finish(|| accept) {
        Ok(Some(accept)) => accept,
        Ok(None) => return Err(PageError::BadRequest("no decision".into())),
        Err(invalid) => return render_suggestions(&state, &page, &programme, form.values(), Some(&invalid)).await,
    };
    let decided = state.store.decide_suggestions(programme.id, &chosen, accept, page.user()?.id).await?;
    let what = plural(decided, "suggestion", "suggestions");
    let message = if accept {
        format!("{decided} {what} accepted: each is now a coding of the whole source, marked assisted")
    } else {
        format!("{decided} {what} rejected: {} not be suggested again", plural(decided, "it will", "they will"))
    };
    Flash::set(&page.session, &message).await;
    see_other(format!("/programmes/{slug}/suggestions"))
}

/// The discovery form's input: a seed (a whole number, 0 or more) and optionally how many themes.
fn discovery_from(form: &FormFields) -> Result<(i64, Option<usize>), Invalid> {
    let mut errors = Collector::new();
    let seed = match form.get("seed").trim() {
        "" => Some(1),
        raw => match raw.parse::<i64>() {
            Ok(seed) if seed >= 0 => Some(seed),
            _ => {
                errors.push("seed", "Enter the seed as a whole number, 0 or more, like 1");
                None
            }
        },
    };
    let count = match form.get("themes").trim() {
        "" => Some(None),
        raw => match raw.parse::<usize>() {
            Ok(n) if (2..=MAX_THEMES).contains(&n) => Some(Some(n)),
            _ => {
                errors.push("themes", format!("Enter the number of themes as a whole number from 2 to {MAX_THEMES}"));
                None
            }
        },
    };
    errors.finish(|| (seed.unwrap_or(1), count.flatten()))
}

/// Clusters `uncoded` into themes with `seed`, naming members by source id. CPU-bound.
fn themes_of(uncoded: &[Uncoded], seed: u64, count: Option<usize>) -> Vec<NewTheme> {
    let texts: Vec<&str> = uncoded.iter().map(|u| u.text.as_str()).collect();
    let options = ThemeOptions { themes: count, seed, ..ThemeOptions::default() };
    let ids = |indices: &[usize]| indices.iter().filter_map(|&i| uncoded.get(i).map(|u| u.source_id)).collect();
    themes::discover(&texts, &options)
        .themes
        .into_iter()
        .map(|t| NewTheme {
            member_ids: ids(&t.members),
            representative_ids: ids(&t.representatives),
            top_terms: t.top_terms,
        })
        .collect()
}

async fn render_themes(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let run = state.store.latest_theme_run(programme.id).await?;
    let uncoded = state.store.uncoded_sources(programme.id).await?.len();
    let discovered_at = run.as_ref().map(|r| {
        let at = r.created_at;
        format!("{} at {:02}:{:02}", heard_domain::dates::display(at.date()), at.hour(), at.minute())
    });
    let ctx = context! {
        programme,
        run,
        discovered_at,
        uncoded,
        min_sources => MIN_THEME_SOURCES,
        max_themes => MAX_THEMES,
        values,
    };
    page.respond("coding/assist/themes.html", ctx, invalid)
}

async fn themes_page(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_themes(&state, &page, &programme, FormFields::default().values(), None).await
}

async fn discover(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let (seed, count) = match discovery_from(&form) {
        Ok(input) => input,
        Err(invalid) => return render_themes(&state, &page, &programme, form.values(), Some(&invalid)).await,
    };
    let back = format!("/programmes/{slug}/themes");
    let uncoded = state.store.uncoded_sources(programme.id).await?;
    if uncoded.len() < MIN_THEME_SOURCES {
        let message = format!(
            "Theme discovery needs at least {MIN_THEME_SOURCES} uncoded sources; this programme has {}",
            uncoded.len()
        );
        Flash::set(&page.session, &message).await;
        return see_other(back);
    }
    let sources = i64::try_from(uncoded.len()).unwrap_or(i64::MAX);
    let engine_seed = seed.unsigned_abs();
    let found = tokio::task::spawn_blocking(move || themes_of(&uncoded, engine_seed, count))
        .await
        .map_err(|e| PageError::Internal(format!("theme discovery stopped: {e}")))?;
    state.store.save_theme_run(programme.id, seed, sources, &found, page.user()?.id).await?;
    let message = format!(
        "{} {} found among {sources} uncoded sources (seed {seed})",
        found.len(),
        plural(found.len(), "theme", "themes")
    );
    Flash::set(&page.session, &message).await;
    see_other(back)
}

/// Errors about a theme's code, moved to that theme's field so they show in its card.
fn for_theme(theme: i64, invalid: Invalid) -> Invalid {
    let field = format!("name-{theme}");
    Invalid(invalid.0.into_iter().map(|e| FieldError { field: field.clone(), message: e.message }).collect())
}

async fn theme_to_code(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let field = format!("name-{id}");
    let input = match CodeInput::parse(form.get(&field), "", "", "") {
        Ok(input) => CodeInput { description: Some("Made from a discovered theme".to_owned()), ..input },
        Err(invalid) => {
            return render_themes(&state, &page, &programme, form.values(), Some(&for_theme(id, invalid))).await;
        }
    };
    match state.store.theme_to_code(programme.id, id, &input, page.user()?.id).await {
        Ok(code) => {
            Flash::set(&page.session, &format!("Code “{}” made from the theme and applied to its sources", input.name))
                .await;
            see_other(format!("/programmes/{slug}/codebook/{code}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one(field, format!("There is already a code called “{}”", input.name));
            render_themes(&state, &page, &programme, form.values(), Some(&invalid)).await
        }
        Err(StoreError::Invalid(invalid)) => {
            render_themes(&state, &page, &programme, form.values(), Some(&for_theme(id, invalid))).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn code(id: i64) -> Code {
        Code {
            id,
            programme_id: Some(1),
            parent_id: None,
            name: format!("Code {id}"),
            description: None,
            colour: "#1d70b8".into(),
            depth: 0,
            codings: 0,
        }
    }

    #[test]
    fn codes_with_too_few_examples_are_not_learnt() {
        let example = |codes: &[i64]| Example { text: "words".into(), code_ids: codes.to_vec() };
        let examples = [example(&[1, 2]), example(&[1]), example(&[1, 3]), example(&[2]), example(&[2])];
        let (rows, learnable) = readiness(&[code(1), code(2), code(3)], &examples);
        assert_eq!(rows.iter().map(|r| r.examples).collect::<Vec<_>>(), [3, 3, 1]);
        assert_eq!(learnable, [1, 2]);
    }

    #[test]
    fn the_seed_and_number_of_themes_are_checked() {
        let form = |seed: &str, themes: &str| {
            let mut form = FormFields::default();
            form.set("seed", seed.to_owned());
            form.set("themes", themes.to_owned());
            discovery_from(&form)
        };
        assert_eq!(form("", "").unwrap(), (1, None));
        assert_eq!(form(" 42 ", "5").unwrap(), (42, Some(5)));
        let bad = form("-1", "1").unwrap_err();
        assert!(bad.message_for("seed").is_some() && bad.message_for("themes").is_some());
        assert!(form("one", "").is_err());
    }
}
