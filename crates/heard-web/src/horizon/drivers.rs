//! Driver pages: the drivers with their summary scores (the mean of their signals' current scores
//! unless set by hand), all or one programme's (`?programme=SLUG`: its own and the
//! organisation's), adding one, and one driver with its signals, its scores set or cleared, its
//! signals chosen, and deleting it.

use axum::extract::{Query, State};
use heard_domain::Invalid;
use heard_domain::governance::Action;
use heard_domain::horizon::signals::{DriverFields, DriverInput};
use heard_store::horizon::{Driver, SignalFilter};
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/drivers", Action::ViewSignals, list),
        Route::post("/drivers", Action::ManageSignals, create),
        Route::get("/drivers/{id}", Action::ViewSignals, show),
        Route::post("/drivers/{id}", Action::ManageSignals, edit),
        Route::post("/drivers/{id}/signals", Action::ManageSignals, choose_signals),
        Route::post("/drivers/{id}/delete", Action::ManageSignals, delete),
    ]
}

fn driver_fields(form: &FormFields) -> DriverFields {
    DriverFields {
        name: form.get("name").to_owned(),
        description: form.get("description").to_owned(),
        impact: form.get("impact").to_owned(),
        uncertainty: form.get("uncertainty").to_owned(),
    }
}

/// The programme a list of drivers is for, from its slug; blank is every driver. An unknown
/// slug is not found, so a wrong link does not quietly show everything.
async fn programme_of(state: &AppState, slug: &str) -> Result<Option<Programme>, PageError> {
    match slug.trim() {
        "" => Ok(None),
        slug => Ok(Some(state.store.programme(slug).await?.ok_or(PageError::NotFound)?)),
    }
}

async fn render_list(
    state: &AppState,
    page: &Page,
    programme: Option<Programme>,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let drivers = state.store.drivers(programme.as_ref().map(|p| p.id)).await?;
    let programmes: Vec<Value> = state
        .store
        .programmes()
        .await?
        .iter()
        .map(|p| context! { value => p.programme.slug, text => p.programme.name })
        .collect();
    let query = context! { programme => programme.as_ref().map(|p| p.slug.clone()).unwrap_or_default(),
    string => programme.as_ref().map(|p| format!("programme={}", p.slug)).unwrap_or_default() };
    page.respond("horizon/drivers/list.html", context! { drivers, programme, programmes, query, values }, invalid)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ListQuery {
    programme: String,
}

async fn list(State(state): State<AppState>, page: Page, Query(query): Query<ListQuery>) -> PageResult {
    let programme = programme_of(&state, &query.programme).await?;
    render_list(&state, &page, programme, FormFields::default().values(), None).await
}

/// Adds a driver: the programme's when the form names one (the list it was added from), else the
/// organisation's.
async fn create(State(state): State<AppState>, page: Page, CsrfForm(form): CsrfForm<FormFields>) -> PageResult {
    let programme = programme_of(&state, form.get("programme")).await?;
    let input = match DriverInput::parse(&driver_fields(&form)) {
        Ok(input) => input,
        Err(invalid) => return render_list(&state, &page, programme, form.values(), Some(&invalid)).await,
    };
    match state.store.create_driver(programme.as_ref().map(|p| p.id), &input, page.user()?.id).await {
        Ok(id) => {
            Flash::set(&page.session, "Driver added").await;
            see_other(format!("/drivers/{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("name", "There is already a driver with that name");
            render_list(&state, &page, programme, form.values(), Some(&invalid)).await
        }
        Err(StoreError::Invalid(invalid)) => render_list(&state, &page, programme, form.values(), Some(&invalid)).await,
        Err(other) => Err(other.into()),
    }
}

async fn find_driver(state: &AppState, id: i64) -> Result<Driver, PageError> {
    state.store.driver(id).await?.ok_or(PageError::NotFound)
}

async fn render_driver(
    state: &AppState,
    page: &Page,
    driver: Driver,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let all = state.store.signals(SignalFilter::default()).await?;
    let (signals, others): (Vec<_>, Vec<_>) = all.into_iter().partition(|s| driver.signal_ids.contains(&s.id));
    let options: Vec<Value> =
        signals.iter().chain(others.iter()).map(|s| context! { value => s.id.to_string(), text => s.title }).collect();
    let chosen: Vec<String> = driver.signal_ids.iter().map(i64::to_string).collect();
    let ctx = context! { driver, signals, options, chosen, values };
    page.respond("horizon/drivers/driver.html", ctx, invalid)
}

fn driver_values(driver: &Driver) -> Value {
    let mut values = FormFields::default();
    values.set("name", driver.name.clone());
    values.set("description", driver.description.clone().unwrap_or_default());
    values.set("impact", driver.impact_set.map(|s| s.to_string()).unwrap_or_default());
    values.set("uncertainty", driver.uncertainty_set.map(|s| s.to_string()).unwrap_or_default());
    values.values()
}

async fn show(State(state): State<AppState>, page: Page, PagePath(id): PagePath<i64>) -> PageResult {
    let driver = find_driver(&state, id).await?;
    let values = driver_values(&driver);
    render_driver(&state, &page, driver, values, None).await
}

async fn edit(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let driver = find_driver(&state, id).await?;
    let input = match DriverInput::parse(&driver_fields(&form)) {
        Ok(input) => input,
        Err(invalid) => return render_driver(&state, &page, driver, form.values(), Some(&invalid)).await,
    };
    match state.store.edit_driver(id, &input).await {
        Ok(()) => {
            Flash::set(&page.session, "Driver changed").await;
            see_other(format!("/drivers/{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("name", "There is already a driver with that name");
            render_driver(&state, &page, driver, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn choose_signals(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let driver = find_driver(&state, id).await?;
    let ids: Result<Vec<i64>, _> = form.all("signals").iter().map(|s| s.trim().parse::<i64>()).collect();
    let Ok(ids) = ids else {
        let invalid = Invalid::one("signals", "Select signals from the list");
        let values = driver_values(&driver);
        return render_driver(&state, &page, driver, values, Some(&invalid)).await;
    };
    match state.store.set_driver_signals(id, &ids).await {
        Ok(()) => {
            Flash::set(&page.session, "Driver's signals changed").await;
            see_other(format!("/drivers/{id}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            let values = driver_values(&driver);
            render_driver(&state, &page, driver, values, Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Deletes a driver once the box confirming it is ticked; its signals stay.
async fn delete(
    State(state): State<AppState>,
    page: Page,
    PagePath(id): PagePath<i64>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let driver = find_driver(&state, id).await?;
    if form.get("confirm") != "yes" {
        let invalid = Invalid::one("confirm", "Tick the box to confirm you want to delete this driver");
        let values = driver_values(&driver);
        return render_driver(&state, &page, driver, values, Some(&invalid)).await;
    }
    state.store.delete_driver(id).await?;
    Flash::set(&page.session, "Driver deleted").await;
    see_other("/drivers")
}
