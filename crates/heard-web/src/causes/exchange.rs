//! A cause map's downloads (its picture as SVG and PNG, Graphviz DOT, a Kumu JSON blueprint) and
//! the import of a Kumu blueprint as a new map, all or nothing, with the element at fault named.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use heard_domain::Invalid;
use heard_domain::causes::kumu::{Blueprint, KumuError};
use heard_domain::causes::{dot, kumu};
use heard_domain::governance::Action;
use heard_store::causes::CauseMap;
use heard_store::{Programme, StoreError};
use minijinja::context;
use serde::Deserialize;

use super::Drawn;
use super::maps::{Shown, find_map, picture_svg};
use super::picture;
use crate::AppState;
use crate::coding::exchange::attachment;
use crate::csrf;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::multipart::{CheckedForm, FormProblem, drain, read_bytes, read_text};
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

/// The largest Kumu file taken: a map at its limits of factors and arrows is well under this.
pub(super) const MAX_KUMU_BYTES: usize = 20 * 1024 * 1024;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/programmes/{slug}/cause-maps/{id}/picture.svg", Action::ViewCauseMaps, svg),
        Route::get("/programmes/{slug}/cause-maps/{id}/picture.png", Action::ViewCauseMaps, png),
        Route::get("/programmes/{slug}/cause-maps/{id}/export", Action::ViewCauseMaps, export),
        Route::post("/programmes/{slug}/cause-maps/import", Action::EditCauseMaps, import).streaming_body(),
    ]
}

/// A download's file name: the programme's slug and the map's number, never its words.
fn file_name(programme: &Programme, map: &CauseMap, extension: &str) -> String {
    format!("{}-cause-map-{}.{extension}", programme.slug, map.id)
}

async fn svg(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(shown): Query<Shown>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    let drawn = Drawn::of(&map);
    let svg = picture_svg(&slug, &map, &drawn, shown.highlight());
    Ok(attachment(svg.into_bytes(), "image/svg+xml", file_name(&programme, &map, "svg")))
}

async fn png(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(shown): Query<Shown>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    let svg = picture_svg(&slug, &map, &Drawn::of(&map), shown.highlight());
    // Rasterising a large map takes a moment of CPU: off the request threads.
    let png = tokio::task::spawn_blocking(move || picture::png(&svg))
        .await
        .map_err(|e| PageError::Internal(format!("drawing a PNG: {e}")))?
        .map_err(|e| PageError::Internal(format!("drawing a PNG: {e}")))?;
    Ok(attachment(png, "image/png", file_name(&programme, &map, "png")))
}

#[derive(Debug, Deserialize)]
struct Format {
    format: String,
}

async fn export(
    State(state): State<AppState>,
    PagePath((slug, id)): PagePath<(String, i64)>,
    Query(format): Query<Format>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let map = find_map(&state, &programme, id).await?;
    let parts = map.parts();
    match format.format.as_str() {
        "dot" => Ok(attachment(
            dot::write(&map.title, &parts).into_bytes(),
            "text/vnd.graphviz; charset=utf-8",
            file_name(&programme, &map, "dot"),
        )),
        "kumu" => Ok(attachment(
            Blueprint::from_parts(&parts).to_json().into_bytes(),
            "application/json",
            file_name(&programme, &map, "json"),
        )),
        _ => Err(PageError::BadRequest("Choose the format: dot or kumu.".to_owned())),
    }
}

/// The import form's fields.
#[derive(Default)]
struct Upload {
    title: String,
    central: String,
    file: Option<Vec<u8>>,
    too_large: bool,
}

async fn read_upload(multipart: &mut Multipart, expected_token: &str) -> Result<Upload, FormProblem> {
    let mut form = CheckedForm::open(multipart, expected_token, 8).await?;
    let mut upload = Upload::default();
    while let Some(mut field) = form.next_field().await? {
        match field.name() {
            Some("import_title") => upload.title = read_text(&mut field).await?,
            Some("import_central") => upload.central = read_text(&mut field).await?,
            Some("file") if upload.file.is_none() => match read_bytes(&mut field, MAX_KUMU_BYTES).await? {
                Some(bytes) => upload.file = Some(bytes),
                None => {
                    upload.too_large = true;
                    drain(&mut field, u64::MAX).await?;
                }
            },
            _ => drain(&mut field, 64 * 1024).await?,
        }
    }
    Ok(upload)
}

/// Turns a Kumu file into a map's parts, or says in words what is wrong and where.
pub(super) fn parts_of(bytes: &[u8], central: &str) -> Result<kumu::MapParts, Invalid> {
    let refused = |e: KumuError| Invalid::one("file", format!("The file was refused and nothing was imported: {e}"));
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Invalid::one("file", "The file must be a Kumu JSON blueprint (UTF-8 text)"))?;
    let blueprint = Blueprint::parse(text).map_err(refused)?;
    let central = Some(central.trim()).filter(|c| !c.is_empty());
    blueprint.map_parts(central).map_err(refused)
}

async fn import(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let Ok(mut multipart) = multipart else {
        return Err(PageError::BadRequest(
            "The form could not be read: go back, reload the page and try again.".to_owned(),
        ));
    };
    let expected = csrf::token(&page.session).await?;
    let upload = read_upload(&mut multipart, &expected).await?;
    let values = context! { import_title => upload.title, import_central => upload.central };
    let outcome = match (&upload.file, upload.too_large) {
        (_, true) => Err(Invalid::one("file", "The file must be smaller than 20 MB")),
        (None, false) => Err(Invalid::one("file", "Select a Kumu JSON file to import")),
        (Some(bytes), false) if bytes.is_empty() => Err(Invalid::one("file", "The selected file is empty")),
        (Some(bytes), false) => parts_of(bytes, &upload.central),
    };
    let title = Some(upload.title.trim()).filter(|t| !t.is_empty());
    let saved = match outcome {
        Ok(parts) => match state.store.import_cause_map(programme.id, title, &parts, Some(page.user()?.id)).await {
            Ok(id) => Ok(id),
            Err(StoreError::Invalid(invalid)) => Err(Invalid::one(
                "file",
                format!(
                    "The file was refused and nothing was imported: {}",
                    invalid.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
                ),
            )),
            Err(StoreError::Duplicate { .. }) => Err(Invalid::one(
                "import_title",
                "This programme already has a cause map with that title: give the import another",
            )),
            Err(other) => return Err(other.into()),
        },
        Err(invalid) => Err(invalid),
    };
    match saved {
        Ok(id) => {
            Flash::set(&page.session, "Kumu map imported").await;
            see_other(format!("/programmes/{slug}/cause-maps/{id}"))
        }
        Err(invalid) => {
            let maps = state.store.cause_maps(programme.id).await?;
            let html = page.render_invalid("causes/list.html", context! { programme, maps, values }, &invalid)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
    }
}
