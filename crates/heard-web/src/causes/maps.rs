//! Cause map pages: a programme's maps (making one, importing a Kumu blueprint), and one map with
//! its picture, its analysis as tables, and the forms that build it: add a factor, connect two,
//! move a factor up or down its column, tidy, rename the map, delete it.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::causes::map::{FactorInput, MapInput, Shift, version};
use heard_domain::governance::Action;
use heard_store::causes::CauseMap;
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};
use serde::Deserialize;

use super::picture::{self, FactorMark, Highlight, Picture};
use super::{Drawn, evidence_strength};
use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/programmes/{slug}/cause-maps";
    const MAP: &str = "/programmes/{slug}/cause-maps/{id}";
    vec![
        Route::get(LIST, Action::ViewCauseMaps, list),
        Route::post(LIST, Action::EditCauseMaps, create),
        Route::get(MAP, Action::ViewCauseMaps, show),
        Route::post(MAP, Action::EditCauseMaps, edit_map),
        Route::post("/programmes/{slug}/cause-maps/{id}/delete", Action::EditCauseMaps, delete_map),
        Route::post("/programmes/{slug}/cause-maps/{id}/factors", Action::EditCauseMaps, add_factor),
        Route::post("/programmes/{slug}/cause-maps/{id}/arrows", Action::EditCauseMaps, add_arrow),
        Route::post("/programmes/{slug}/cause-maps/{id}/arrows/{arrow}/delete", Action::EditCauseMaps, remove_arrow),
        Route::post("/programmes/{slug}/cause-maps/{id}/factors/{factor}/move", Action::EditCauseMaps, move_factor),
        Route::post("/programmes/{slug}/cause-maps/{id}/tidy", Action::EditCauseMaps, tidy),
    ]
}

pub(super) async fn find_map(state: &AppState, programme: &Programme, id: i64) -> Result<CauseMap, PageError> {
    state.store.cause_map(programme.id, id).await?.ok_or(PageError::NotFound)
}

async fn render_list(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let maps = state.store.cause_maps(programme.id).await?;
    page.respond("causes/list.html", context! { programme, maps, values }, invalid)
}

async fn list(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_list(&state, &page, &programme, FormFields::default().values(), None).await
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match MapInput::parse(form.get("title"), form.get("central")) {
        Ok(input) => input,
        Err(invalid) => return render_list(&state, &page, &programme, form.values(), Some(&invalid)).await,
    };
    match state.store.create_cause_map(programme.id, &input, Some(page.user()?.id)).await {
        Ok(id) => {
            Flash::set(&page.session, &format!("Cause map “{}” made", input.title)).await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("title", "This programme already has a cause map with that title");
            render_list(&state, &page, &programme, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Which highlights the person asked for, from the map page's "Show on the map" form.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Shown {
    #[serde(default)]
    loops: Option<String>,
    #[serde(default)]
    roots: Option<String>,
}

impl Shown {
    pub fn highlight(&self) -> Highlight {
        Highlight { loops: self.loops.is_some(), root_causes: self.roots.is_some() }
    }
}

/// What the map page shows of one map, the picture included.
pub(crate) fn picture_svg(slug: &str, map: &CauseMap, drawn: &Drawn, highlight: Highlight) -> String {
    let layout = drawn.layout();
    let hrefs: Vec<String> =
        map.factors.iter().map(|f| format!("/programmes/{slug}/cause-maps/{}/factors/{}", map.id, f.id)).collect();
    let marks: Vec<FactorMark> = map
        .factors
        .iter()
        .zip(&hrefs)
        .map(|(f, href)| FactorMark {
            href,
            insights: usize::try_from(f.insights).unwrap_or_default(),
            participants: usize::try_from(f.participants).unwrap_or_default(),
            tags: &f.tags,
        })
        .collect();
    picture::svg(&Picture {
        title: &map.title,
        map: &drawn.graph,
        layout: &layout,
        analysis: &drawn.analysis,
        marks: &marks,
        highlight,
    })
}

/// The analysis as the templates take it: a row per factor, the leverage ranking with evidence
/// beside it, loops and clusters as lists of labels.
fn analysis_context(map: &CauseMap, drawn: &Drawn) -> Value {
    let label = |i: usize| map.factors.get(i).map(|f| f.label.clone()).unwrap_or_default();
    let reach: BTreeMap<usize, &heard_analysis::causes::Reach> =
        drawn.analysis.reach.iter().map(|r| (r.factor, r)).collect();
    let leverage: BTreeMap<usize, (usize, &heard_analysis::causes::Leverage)> =
        drawn.analysis.leverage.iter().enumerate().map(|(rank, l)| (l.factor, (rank + 1, l))).collect();
    let row = |i: usize| {
        let factor = &map.factors[i];
        let reach = reach.get(&i);
        let leverage = leverage.get(&i);
        context! {
            id => factor.id,
            label => factor.label,
            central => factor.central,
            root => drawn.analysis.root_causes.contains(&i),
            disconnected => drawn.analysis.disconnected.contains(&i),
            paths => reach.map(|r| r.paths),
            more_paths => reach.is_some_and(|r| r.more_paths),
            between => reach.map(|r| r.between),
            rank => leverage.map(|l| l.0),
            score => leverage.map(|l| format!("{:.2}", l.1.score)),
            betweenness => leverage.map(|l| format!("{:.2}", l.1.betweenness)),
            insights => factor.insights,
            excerpts => factor.excerpts,
            participants => factor.participants,
            strength => evidence_strength(factor.insights, factor.excerpts, factor.participants),
            tags => factor.tags,
        }
    };
    let rows: Vec<Value> = (0..map.factors.len()).map(row).collect();
    let ranked: Vec<Value> = drawn.analysis.leverage.iter().take(10).map(|l| row(l.factor)).collect();
    let labels = |group: &Vec<usize>| group.iter().map(|&i| label(i)).collect::<Vec<_>>();
    context! {
        rows,
        ranked,
        roots => drawn.analysis.root_causes.iter().map(|&i| row(i)).collect::<Vec<_>>(),
        loops => drawn.analysis.loops.iter().map(labels).collect::<Vec<_>>(),
        more_loops => drawn.analysis.more_loops,
        loop_limit => heard_analysis::causes::Limits::default().loops,
        clusters => drawn.analysis.clusters.iter().map(labels).collect::<Vec<_>>(),
        communities => drawn.analysis.communities.iter().map(labels).collect::<Vec<_>>(),
        disconnected => drawn.analysis.disconnected.iter().map(|&i| row(i)).collect::<Vec<_>>(),
    }
}

pub(super) fn render_map(
    page: &Page,
    programme: &Programme,
    map: &CauseMap,
    shown: &Shown,
    values: Value,
    problem: Option<(StatusCode, &Invalid)>,
) -> PageResult {
    let drawn = Drawn::of(map);
    let svg = picture_svg(&programme.slug, map, &drawn, shown.highlight());
    let analysis = analysis_context(map, &drawn);
    let labels: BTreeMap<i64, &str> = map.factors.iter().map(|f| (f.id, f.label.as_str())).collect();
    let arrows: Vec<Value> = map
        .arrows
        .iter()
        .map(|a| context! { id => a.id, from => labels.get(&a.from), to => labels.get(&a.to) })
        .collect();
    let options: Vec<Value> =
        map.factors.iter().map(|f| context! { value => f.id.to_string(), text => f.label.clone() }).collect();
    let central = map.central();
    let ctx = context! {
        programme,
        map,
        central,
        svg,
        analysis,
        arrows,
        options,
        values,
        highlight_loops => shown.loops.is_some(),
        highlight_roots => shown.roots.is_some(),
    };
    match problem {
        None => page.respond("causes/map.html", ctx, None),
        Some((status, invalid)) => {
            let html = page.render_invalid("causes/map.html", ctx, invalid)?;
            Ok((status, html).into_response())
        }
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(shown): Query<Shown>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    render_map(&page, &programme, &map, &shown, FormFields::default().values(), None)
}

/// A form's change was refused: the map page again with the message, the person's values kept.
/// A conflict (someone changed it meanwhile) shows the map as it is now, with 409.
async fn refused(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    id: i64,
    form: &FormFields,
    error: StoreError,
    field: &str,
) -> PageResult {
    let (status, invalid) = match error {
        StoreError::Invalid(invalid) => (StatusCode::UNPROCESSABLE_ENTITY, invalid),
        StoreError::Duplicate { field: clash } => {
            let message = match clash {
                "title" => "This programme already has a cause map with that title",
                _ => "This map already has a factor with those words",
            };
            (StatusCode::UNPROCESSABLE_ENTITY, Invalid::one(if clash == "label" { field } else { clash }, message))
        }
        StoreError::Conflict { what } => (
            StatusCode::CONFLICT,
            Invalid::one(
                field,
                format!(
                    "Someone else changed this {what} after you opened the page, so your change was not saved. The map below is as it is now: check it, then make your change again."
                ),
            ),
        ),
        other => return Err(other.into()),
    };
    let map = find_map(state, programme, id).await?;
    render_map(page, programme, &map, &Shown::default(), form.values(), Some((status, &invalid)))
}

async fn edit_map(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let parsed = MapInput::parse(form.get("title"), form.get("central"))
        .and_then(|input| Ok((input, version("title", form.get("version"))?)));
    let (input, seen) = match parsed {
        Ok(parsed) => parsed,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "title").await;
        }
    };
    match state.store.edit_cause_map(programme.id, id, seen, &input).await {
        Ok(()) => {
            Flash::set(&page.session, "Map changed").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}"))
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, "central").await,
    }
}

async fn delete_map(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    if form.get("confirm") != "yes" {
        let invalid = Invalid::one("confirm", "Tick the box to confirm the map and all its factors are to be deleted");
        return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "confirm").await;
    }
    state.store.delete_cause_map(programme.id, id).await?;
    Flash::set(&page.session, &format!("Cause map “{}” deleted", map.title)).await;
    see_other(format!("/programmes/{slug}/cause-maps"))
}

async fn add_factor(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match FactorInput::parse(form.get("label"), form.get("description"), form.get("tags")) {
        Ok(input) => input,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "label").await;
        }
    };
    // Connecting it at once, when asked, saves a second form; both are saved or neither.
    let to: Option<i64> = form.get("contributes_to").parse().ok();
    match state.store.add_factor(programme.id, id, &input, to, Some(page.user()?.id)).await {
        Ok(_) => {
            Flash::set(&page.session, &format!("Factor “{}” added", input.label)).await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}#build"))
        }
        Err(StoreError::Invalid(invalid)) if invalid.0.iter().any(|e| e.field == "contributes_to") => {
            refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "contributes_to").await
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, "label").await,
    }
}

async fn add_arrow(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let mut errors = heard_domain::error::Collector::new();
    let from = form.get("from").parse::<i64>().ok();
    let to = form.get("to").parse::<i64>().ok();
    if from.is_none() {
        errors.push("from", "Choose the factor the arrow starts from");
    }
    if to.is_none() {
        errors.push("to", "Choose the factor it contributes to");
    }
    let (Some(from), Some(to)) = (from, to) else {
        let invalid = errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("from", "Choose two factors"));
        return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "from").await;
    };
    match state.store.add_arrow(programme.id, id, from, to, Some(page.user()?.id)).await {
        Ok(_) => {
            Flash::set(&page.session, "Arrow drawn").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}#build"))
        }
        Err(error) => refused(&state, &page, &programme, id, &form, error, "to").await,
    }
}

async fn remove_arrow(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, arrow)): PagePath<(String, i64, i64)>,
    CsrfForm(_form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    state.store.remove_arrow(programme.id, id, arrow).await?;
    Flash::set(&page.session, "Arrow removed").await;
    see_other(format!("/programmes/{slug}/cause-maps/{id}#arrows"))
}

/// Swaps a factor with its neighbour above or below in the same column of the picture.
async fn move_factor(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id, factor)): PagePath<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    let shift = match Shift::parse("shift", form.get("shift")) {
        Ok(shift) => shift,
        Err(invalid) => {
            return refused(&state, &page, &programme, id, &form, StoreError::Invalid(invalid), "shift").await;
        }
    };
    let Some(index) = map.factors.iter().position(|f| f.id == factor) else {
        return Err(PageError::NotFound);
    };
    let drawn = Drawn::of(&map);
    let layout = drawn.layout();
    let column = |i: usize| layout.nodes.iter().find(|n| n.factor == i).map(|n| (n.column, n.apart));
    let mine = column(index);
    // Factors are in the person's order already, so the neighbour is the next one in that order
    // that shares the column.
    let same: Vec<usize> = (0..map.factors.len()).filter(|&i| column(i) == mine).collect();
    let at = same.iter().position(|&i| i == index).unwrap_or_default();
    let neighbour = match shift {
        Shift::Up => at.checked_sub(1).and_then(|k| same.get(k)),
        Shift::Down => same.get(at + 1),
    };
    if let Some(&other) = neighbour {
        let (a, b) = (&map.factors[index], &map.factors[other]);
        let positions = if a.position == b.position {
            // Equal positions (an import) order by index: make room.
            let (first, second) = if shift == Shift::Up { (a, b) } else { (b, a) };
            vec![(first.id, second.position), (second.id, second.position + 1)]
        } else {
            vec![(a.id, b.position), (b.id, a.position)]
        };
        state.store.set_factor_positions(programme.id, id, &positions).await?;
        let word = if shift == Shift::Up { "up" } else { "down" };
        Flash::set(&page.session, &format!("“{}” moved {word}", a.label)).await;
    }
    see_other(format!("/programmes/{slug}/cause-maps/{id}#factor-{factor}"))
}

/// Reorders every column to reduce crossing arrows.
async fn tidy(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(_form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    state.store.tidy_cause_map(programme.id, id).await?;
    Flash::set(&page.session, "Map tidied: arrows cross less").await;
    see_other(format!("/programmes/{slug}/cause-maps/{id}"))
}
