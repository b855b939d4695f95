//! Signal pages: the list with filters (programme, category, horizon, kind), adding a signal with
//! its first scores, a signal with its scoring history, re-scoring or reviewing it (history kept),
//! changing its descriptive fields (never its scores), linking it to programmes and cause-map
//! factors and unlinking it, deleting it; the radar, the matrix and the signals due for review.

use axum::extract::{Query, State};
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::horizon::signals::{Scoring, ScoringFields, SignalFields, SignalInput};
use heard_store::horizon::{Signal, SignalFilter};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use time::OffsetDateTime;

use super::picture::{self, MatrixEntry, RadarLabels};
use super::{FilterQuery, radar_entries, radar_labels};
use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/signals", Action::ViewSignals, list),
        Route::post("/signals", Action::ManageSignals, create),
        Route::get("/signals/new", Action::ManageSignals, new),
        Route::get("/signals/radar", Action::ViewSignals, radar),
        Route::get("/signals/matrix", Action::ViewSignals, matrix),
        Route::get("/signals/review", Action::ViewSignals, review),
        Route::get("/signals/{id}", Action::ViewSignals, show),
        Route::get("/signals/{id}/edit", Action::ManageSignals, edit_page),
        Route::post("/signals/{id}/edit", Action::ManageSignals, edit),
        Route::post("/signals/{id}/delete", Action::ManageSignals, delete),
        Route::post("/signals/{id}/scores", Action::ManageSignals, rescore),
        Route::post("/signals/{id}/programmes", Action::ManageSignals, link_programme),
        Route::post("/signals/{id}/factors", Action::ManageSignals, link_factor),
    ]
}

fn today() -> time::Date {
    OffsetDateTime::now_utc().date()
}

/// The filters as the list and the pictures show them; `None` when the programme is unknown.
async fn chosen(state: &AppState, query: &FilterQuery) -> Result<(SignalFilter, Option<Programme>), PageError> {
    let chosen = query.resolve(state).await?.ok_or(PageError::NotFound)?;
    Ok((chosen.filter, chosen.programme))
}

async fn filter_ctx(state: &AppState, query: &FilterQuery) -> Result<Value, PageError> {
    let programmes: Vec<Value> = state
        .store
        .programmes()
        .await?
        .iter()
        .map(|p| context! { value => p.programme.slug, text => p.programme.name })
        .collect();
    Ok(context! { query => context! {
        programme => query.programme, category => query.category, horizon => query.horizon, kind => query.kind,
        string => query.query_string(),
    }, programmes })
}

async fn list(State(state): State<AppState>, page: Page, Query(query): Query<FilterQuery>) -> PageResult {
    let (filter, programme) = chosen(&state, &query).await?;
    let signals = state.store.signals(filter).await?;
    let due = signals.iter().filter(|s| s.due_on(today())).count();
    // A programme's list shows its drivers (and the organisation's) beside its signals.
    let drivers = match &programme {
        Some(p) => state.store.drivers(Some(p.id)).await?,
        None => Vec::new(),
    };
    let filters = filter_ctx(&state, &query).await?;
    page.respond("horizon/signals/list.html", context! { signals, programme, due, drivers, ..filters }, None)
}

// Adding a signal

async fn render_new(state: &AppState, page: &Page, values: Value, invalid: Option<&Invalid>) -> PageResult {
    let programmes: Vec<Value> = state
        .store
        .programmes()
        .await?
        .iter()
        .map(|p| context! { value => p.programme.slug, text => p.programme.name })
        .collect();
    page.respond("horizon/signals/new.html", context! { programmes, values }, invalid)
}

async fn new(State(state): State<AppState>, page: Page, Query(query): Query<FormFields>) -> PageResult {
    let mut values = query.clone();
    values.set("impact", "3");
    values.set("uncertainty", "3");
    values.set("confidence", "medium");
    values.set("kind", "signal");
    let today = today();
    values.set("spotted_on.day", today.day().to_string());
    values.set("spotted_on.month", u8::from(today.month()).to_string());
    values.set("spotted_on.year", today.year().to_string());
    render_new(&state, &page, values.values(), None).await
}

fn signal_fields(form: &FormFields) -> SignalFields {
    SignalFields {
        title: form.get("title").to_owned(),
        summary: form.get("summary").to_owned(),
        source_url: form.get("source_url").to_owned(),
        source_publication: form.get("source_publication").to_owned(),
        spotted_on: form.date_parts("spotted_on"),
        spotted_by: form.get("spotted_by").to_owned(),
        categories: form.all("categories").to_vec(),
        primary_category: form.get("primary_category").to_owned(),
        kind: form.get("kind").to_owned(),
        so_what: form.get("so_what").to_owned(),
        review_on: form.date_parts("review_on"),
    }
}

fn scoring_fields(form: &FormFields) -> ScoringFields {
    ScoringFields {
        horizon: form.get("horizon").to_owned(),
        impact: form.get("impact").to_owned(),
        uncertainty: form.get("uncertainty").to_owned(),
        confidence: form.get("confidence").to_owned(),
        note: form.get("note").to_owned(),
    }
}

/// Both parts of a new signal, with every problem of either reported at once.
pub fn parse_new(signal: &SignalFields, scoring: &ScoringFields) -> Result<(SignalInput, Scoring), Invalid> {
    match (SignalInput::parse(signal), Scoring::parse(scoring)) {
        (Ok(signal), Ok(scoring)) => Ok((signal, scoring)),
        (Err(Invalid(mut a)), Err(Invalid(b))) => {
            a.extend(b);
            Err(Invalid(a))
        }
        (Err(invalid), _) | (_, Err(invalid)) => Err(invalid),
    }
}

async fn create(State(state): State<AppState>, page: Page, CsrfForm(form): CsrfForm<FormFields>) -> PageResult {
    let (signal, scoring) = match parse_new(&signal_fields(&form), &scoring_fields(&form)) {
        Ok(parsed) => parsed,
        Err(Invalid(mut errors)) => {
            // The form asks for the main category first, so a missing one is named there.
            for error in errors.iter_mut().filter(|e| e.field == "categories") {
                error.field = "primary_category".to_owned();
            }
            return render_new(&state, &page, form.values(), Some(&Invalid(errors))).await;
        }
    };
    let mut programme_ids = Vec::new();
    if !form.get("programme").is_empty() {
        match state.store.programme(form.get("programme")).await? {
            Some(programme) => programme_ids.push(programme.id),
            None => {
                let invalid = Invalid::one("programme", "Select a programme from the list");
                return render_new(&state, &page, form.values(), Some(&invalid)).await;
            }
        }
    }
    match state.store.create_signal(&signal, &scoring, &programme_ids, page.user()?.id).await {
        Ok(id) => {
            Flash::set(&page.session, "Signal added").await;
            see_other(format!("/signals/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => render_new(&state, &page, form.values(), Some(&invalid)).await,
        Err(other) => Err(other.into()),
    }
}

// One signal

async fn find_signal(state: &AppState, id: i64) -> Result<Signal, PageError> {
    state.store.signal(id).await?.ok_or(PageError::NotFound)
}

/// The factors of the cause maps of the signal's programmes, as options "map: factor".
async fn factor_options(state: &AppState, signal: &Signal) -> Result<Vec<Value>, StoreError> {
    let mut options = Vec::new();
    for programme in &signal.programmes {
        for summary in state.store.cause_maps(programme.id).await? {
            if let Some(map) = state.store.cause_map(programme.id, summary.id).await? {
                for factor in map.factors.iter().filter(|f| !signal.factors.iter().any(|l| l.id == f.id)) {
                    let text = format!("{}: {} ({})", programme.name, factor.label, map.title);
                    options.push(context! { value => factor.id, text });
                }
            }
        }
    }
    Ok(options)
}

async fn render_signal(
    state: &AppState,
    page: &Page,
    signal: Signal,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let mut history = state.store.signal_history(signal.id).await?;
    history.reverse();
    let (programme_options, factor_options) = if page.may(Action::ManageSignals) {
        let programmes: Vec<Value> = state
            .store
            .programmes()
            .await?
            .iter()
            .filter(|p| !signal.programmes.iter().any(|l| l.id == p.programme.id))
            .map(|p| context! { value => p.programme.slug, text => p.programme.name })
            .collect();
        (programmes, factor_options(state, &signal).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let due = signal.due_on(today());
    let ctx = context! { signal, history, programme_options, factor_options, due, values };
    page.respond("horizon/signals/signal.html", ctx, invalid)
}

fn scoring_values(signal: &Signal) -> Value {
    let mut values = FormFields::default();
    values.set("horizon", signal.current.horizon.code());
    values.set("impact", signal.current.impact.to_string());
    values.set("uncertainty", signal.current.uncertainty.to_string());
    values.set("confidence", signal.current.confidence.code());
    values.values()
}

async fn show(State(state): State<AppState>, page: Page, PagePath(id): PagePath<i64>) -> PageResult {
    let signal = find_signal(&state, id).await?;
    let values = scoring_values(&signal);
    render_signal(&state, &page, signal, values, None).await
}

/// Re-scores a signal; with a review date given (or "reviewed" ticked), it is a review and
/// sets the next review date. Every earlier scoring is kept.
async fn rescore(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let signal = find_signal(&state, id).await?;
    let scoring = Scoring::parse(&scoring_fields(&form));
    let next_review = form.date_parts("review_on").parse("review_on", "the next review date");
    let (scoring, next_review) = match (scoring, next_review) {
        (Ok(scoring), Ok(next)) => (scoring, next),
        (Err(Invalid(mut a)), Err(Invalid(b))) => {
            a.extend(b);
            return render_signal(&state, &page, signal, form.values(), Some(&Invalid(a))).await;
        }
        (Err(invalid), _) | (_, Err(invalid)) => {
            return render_signal(&state, &page, signal, form.values(), Some(&invalid)).await;
        }
    };
    let by = page.user()?.id;
    let reviewed = form.get("reviewed") == "yes" || next_review.is_some();
    if reviewed {
        state.store.review_signal(id, &scoring, next_review, by).await?;
    } else {
        state.store.rescore_signal(id, &scoring, by).await?;
    }
    Flash::set(&page.session, if reviewed { "Signal reviewed and scored again" } else { "Signal scored again" }).await;
    see_other(format!("/signals/{id}"))
}

async fn link_programme(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let signal = find_signal(&state, id).await?;
    let Some(programme) = state.store.programme(form.get("programme")).await? else {
        let invalid = Invalid::one("programme", "Select a programme to link");
        let values = scoring_values(&signal);
        return render_signal(&state, &page, signal, values, Some(&invalid)).await;
    };
    if form.get("unlink") == "yes" {
        state.store.unlink_signal_programme(id, programme.id).await?;
        Flash::set(&page.session, "Signal unlinked from the programme").await;
    } else {
        state.store.link_signal_programme(id, programme.id).await?;
        Flash::set(&page.session, "Signal linked to the programme").await;
    }
    see_other(format!("/signals/{id}"))
}

async fn link_factor(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let signal = find_signal(&state, id).await?;
    let Ok(factor) = form.get("factor").trim().parse::<i64>() else {
        let invalid = Invalid::one("factor", "Select a factor to link");
        let values = scoring_values(&signal);
        return render_signal(&state, &page, signal, values, Some(&invalid)).await;
    };
    if form.get("unlink") == "yes" {
        state.store.unlink_signal_factor(id, factor).await?;
        Flash::set(&page.session, "Signal unlinked from the factor").await;
    } else {
        state.store.link_signal_factor(id, factor, page.user()?.id).await?;
        Flash::set(&page.session, "Signal linked to the factor").await;
    }
    see_other(format!("/signals/{id}"))
}

// Changing and deleting a signal

/// The signal's descriptive fields as the edit form takes them: the main category apart from
/// the others.
fn signal_values(signal: &Signal) -> Value {
    let mut values = FormFields::default();
    values.set("title", signal.title.clone());
    values.set("summary", signal.summary.clone());
    values.set("source_url", signal.source_url.clone().unwrap_or_default());
    values.set("source_publication", signal.source_publication.clone().unwrap_or_default());
    set_date(&mut values, "spotted_on", Some(signal.spotted_on));
    values.set("spotted_by", signal.spotted_by.clone().unwrap_or_default());
    values.set("primary_category", signal.primary_category().code());
    values.set_all("categories", signal.categories.iter().skip(1).map(|c| c.code().to_owned()).collect());
    values.set("kind", signal.kind.code());
    values.set("so_what", signal.so_what.clone().unwrap_or_default());
    set_date(&mut values, "review_on", signal.review_on);
    values.values()
}

fn set_date(values: &mut FormFields, name: &str, date: Option<time::Date>) {
    let (day, month, year) = match date {
        Some(d) => (d.day().to_string(), u8::from(d.month()).to_string(), d.year().to_string()),
        None => Default::default(),
    };
    values.set(&format!("{name}.day"), day);
    values.set(&format!("{name}.month"), month);
    values.set(&format!("{name}.year"), year);
}

fn render_edit(page: &Page, signal: &Signal, values: Value, invalid: Option<&Invalid>) -> PageResult {
    page.respond("horizon/signals/edit.html", context! { signal, values }, invalid)
}

async fn edit_page(State(state): State<AppState>, page: Page, PagePath(id): PagePath<i64>) -> PageResult {
    let signal = find_signal(&state, id).await?;
    render_edit(&page, &signal, signal_values(&signal), None)
}

/// Changes a signal's descriptive fields; its scores change only by scoring it again.
async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let signal = find_signal(&state, id).await?;
    let input = match SignalInput::parse(&signal_fields(&form)) {
        Ok(input) => input,
        Err(Invalid(mut errors)) => {
            for error in errors.iter_mut().filter(|e| e.field == "categories") {
                error.field = "primary_category".to_owned();
            }
            return render_edit(&page, &signal, form.values(), Some(&Invalid(errors)));
        }
    };
    match state.store.edit_signal(id, &input).await {
        Ok(()) => {
            Flash::set(&page.session, "Signal changed").await;
            see_other(format!("/signals/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => render_edit(&page, &signal, form.values(), Some(&invalid)),
        Err(other) => Err(other.into()),
    }
}

/// Deletes a signal with its scorings and links, once the box confirming it is ticked.
async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let signal = find_signal(&state, id).await?;
    if form.get("confirm") != "yes" {
        let invalid = Invalid::one("confirm", "Tick the box to confirm you want to delete this signal");
        let values = scoring_values(&signal);
        return render_signal(&state, &page, signal, values, Some(&invalid)).await;
    }
    state.store.delete_signal(id).await?;
    Flash::set(&page.session, "Signal deleted").await;
    see_other("/signals")
}

// The pictures and the review list

async fn radar(State(state): State<AppState>, page: Page, Query(query): Query<FilterQuery>) -> PageResult {
    let (filter, programme) = chosen(&state, &query).await?;
    let signals = state.store.signals(filter).await?;
    let (sectors, rings) = radar_labels();
    let title = match &programme {
        Some(p) => format!("Radar of signals for {}: rings are horizons, sectors are categories", p.name),
        None => "Radar of signals: rings are horizons, sectors are categories".to_owned(),
    };
    let labels = RadarLabels { title: &title, sectors: &sectors, rings: &rings };
    let drawn = picture::radar(&labels, &radar_entries(&signals))
        .map_err(|e| PageError::Internal(format!("drawing the radar: {e}")))?;
    let listed: Vec<Value> = drawn
        .radar
        .placed
        .iter()
        .map(|placed| {
            let signal = &signals[placed.input];
            context! {
                number => placed.number,
                id => signal.id,
                title => signal.title,
                sector => sectors.get(placed.cell.sector).copied().unwrap_or(""),
                horizon => signal.current.horizon.short(),
                movement => picture::movement_code(placed.movement),
                previous => signal.previous.as_ref().map(|p| p.horizon.short()),
            }
        })
        .collect();
    let svg = Value::from_safe_string(drawn.svg);
    let filters = filter_ctx(&state, &query).await?;
    page.respond("horizon/signals/radar.html", context! { svg, listed, programme, ..filters }, None)
}

async fn matrix(State(state): State<AppState>, page: Page, Query(query): Query<FilterQuery>) -> PageResult {
    let (filter, programme) = chosen(&state, &query).await?;
    let signals = state.store.signals(filter).await?;
    let drivers = state.store.drivers(programme.as_ref().map(|p| p.id)).await?;
    let round = |score: Option<f64>| score.map(|s| s.round().clamp(1.0, 5.0) as u8);
    let mut entries: Vec<MatrixEntry> = drivers
        .iter()
        .filter_map(|driver| {
            Some(MatrixEntry {
                title: driver.name.clone(),
                href: format!("/drivers/{}", driver.id),
                item: heard_analysis::horizon::matrix::Item {
                    impact: round(driver.impact)?,
                    uncertainty: round(driver.uncertainty)?,
                },
                driver: true,
            })
        })
        .collect();
    let unscored_drivers = drivers.len() - entries.len();
    entries.extend(signals.iter().map(|signal| MatrixEntry {
        title: signal.title.clone(),
        href: format!("/signals/{}", signal.id),
        item: heard_analysis::horizon::matrix::Item {
            impact: signal.current.impact.get(),
            uncertainty: signal.current.uncertainty.get(),
        },
        driver: false,
    }));
    let title = "Drivers and signals by impact (up) and uncertainty (along)";
    let drawn =
        picture::matrix(title, &entries).map_err(|e| PageError::Internal(format!("drawing the matrix: {e}")))?;
    let listed: Vec<Value> = drawn
        .matrix
        .placed
        .iter()
        .map(|placed| {
            let entry = &entries[placed.input];
            context! {
                number => placed.number,
                href => entry.href,
                title => entry.title,
                driver => entry.driver,
                impact => placed.item.impact,
                uncertainty => placed.item.uncertainty,
                candidate => placed.candidate,
            }
        })
        .collect();
    let svg = Value::from_safe_string(drawn.svg);
    let filters = filter_ctx(&state, &query).await?;
    let ctx = context! { svg, listed, programme, unscored_drivers, ..filters };
    page.respond("horizon/signals/matrix.html", ctx, None)
}

async fn review(State(state): State<AppState>, page: Page, Query(query): Query<FilterQuery>) -> PageResult {
    let (_, programme) = chosen(&state, &query).await?;
    let signals = state.store.signals_due_for_review(today(), programme.as_ref().map(|p| p.id)).await?;
    let filters = filter_ctx(&state, &query).await?;
    page.respond("horizon/signals/review.html", context! { signals, programme, ..filters }, None)
}
