//! Codebook pages: a programme's codes as a tree (its own and the organisation's), adding a code,
//! and one code with its excerpts, memos and history, where it is edited, merged or split.

use axum::extract::State;
use heard_domain::Invalid;
use heard_domain::coding::codebook::{CodeInput, MemoTarget, memo_text};
use heard_domain::governance::Action;
use heard_store::coding::Code;
use heard_store::{Programme, StoreError};
use minijinja::{Value, context};

use crate::AppState;
use crate::csrf::{CsrfForm, FormFields};
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Flash, Page, PageResult, see_other};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const ONE: &str = "/programmes/{slug}/codebook/{id}";
    vec![
        Route::get("/programmes/{slug}/codebook", Action::ViewCoding, codebook),
        Route::post("/programmes/{slug}/codebook", Action::Code, add_code),
        Route::get(ONE, Action::ViewCoding, code),
        Route::post(ONE, Action::Code, edit_code),
        Route::post("/programmes/{slug}/codebook/{id}/merge", Action::Code, merge),
        Route::post("/programmes/{slug}/codebook/{id}/split", Action::Code, split),
        Route::post("/programmes/{slug}/codebook/{id}/memos", Action::Code, add_memo),
    ]
}

/// The codes as options for a parent or merge select, indented by depth, leaving out `except`
/// and everything beneath it.
pub(crate) fn code_options(codes: &[Code], except: Option<i64>) -> Vec<Value> {
    let mut below = std::collections::HashSet::new();
    if let Some(id) = except {
        below.insert(id);
        for code in codes {
            if code.parent_id.is_some_and(|p| below.contains(&p)) {
                below.insert(code.id);
            }
        }
    }
    codes
        .iter()
        .filter(|c| !below.contains(&c.id))
        .map(|c| context! { value => c.id.to_string(), text => format!("{}{}", "– ".repeat(c.depth), c.name) })
        .collect()
}

/// The message for a name already used under the same parent.
fn duplicate_name(name: &str) -> Invalid {
    Invalid::one("name", format!("There is already a code called “{name}” under that parent"))
}

fn code_from(form: &FormFields) -> Result<CodeInput, Invalid> {
    CodeInput::parse(form.get("name"), form.get("description"), form.get("colour"), form.get("parent"))
}

async fn render_codebook(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let codes = state.store.codebook(Some(programme.id)).await?;
    let parents = code_options(&codes, None);
    let ctx = context! { programme, codes, parents, values };
    page.respond("coding/codebook/list.html", ctx, invalid)
}

async fn codebook(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    render_codebook(&state, &page, &programme, FormFields::default().values(), None).await
}

async fn add_code(
    State(state): State<AppState>,
    page: Page,
    PagePath(slug): PagePath<String>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match code_from(&form) {
        Ok(input) => input,
        Err(invalid) => return render_codebook(&state, &page, &programme, form.values(), Some(&invalid)).await,
    };
    // A code for every programme goes into the organisation's codebook; its parent must be there too.
    let shared = form.get("shared") == "yes";
    let owner = if shared { None } else { Some(programme.id) };
    match state.store.add_code(owner, &input, page.user()?.id).await {
        Ok(id) => {
            Flash::set(&page.session, &format!("Code “{}” added", input.name)).await;
            see_other(format!("/programmes/{slug}/codebook#code-{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = duplicate_name(&input.name);
            render_codebook(&state, &page, &programme, form.values(), Some(&invalid)).await
        }
        Err(StoreError::Invalid(invalid)) => {
            render_codebook(&state, &page, &programme, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn render_code(
    state: &AppState,
    page: &Page,
    programme: &Programme,
    id: i64,
    values: Value,
    invalid: Option<&Invalid>,
) -> PageResult {
    let codes = state.store.codebook(Some(programme.id)).await?;
    let Some(code) = codes.iter().find(|c| c.id == id).cloned() else {
        return Err(PageError::NotFound);
    };
    let excerpts = state.store.code_excerpts(programme.id, id).await?;
    let memos = state.store.memos(programme.id, Some((MemoTarget::Code, id))).await?;
    let events = state.store.code_events(id).await?;
    let children: Vec<&Code> = codes.iter().filter(|c| c.parent_id == Some(id)).collect();
    let parents = code_options(&codes, Some(id));
    let others: Vec<Code> = codes.iter().filter(|c| c.id != id).cloned().collect();
    let merge_into = code_options(&others, None);
    // Each coding of this code, as a choice for a split: the quote's start and its coder.
    let split_options: Vec<Value> = excerpts
        .iter()
        .flat_map(|item| {
            let quote: String = item.excerpt.quote.chars().take(80).collect();
            let more = if item.excerpt.quote.chars().count() > 80 { "…" } else { "" };
            item.excerpt.codings.iter().filter(|c| c.code_id == id).map(move |c| {
                let coder = c.coder.as_ref().map_or("an unknown coder", |u| u.display_name.as_str());
                context! { value => c.id.to_string(), text => format!("“{quote}{more}” ({coder})") }
            })
        })
        .collect();
    let ctx = context! {
        programme,
        code,
        split_options,
        children,
        excerpts,
        memos,
        events,
        parents,
        merge_into,
        values,
    };
    page.respond("coding/codebook/code.html", ctx, invalid)
}

/// The edit form's starting values: the code as it is.
fn code_values(code: &Code) -> Value {
    let mut form = FormFields::default();
    form.set("name", code.name.clone());
    form.set("description", code.description.clone().unwrap_or_default());
    form.set("colour", code.colour.clone());
    form.set("parent", code.parent_id.map(|p| p.to_string()).unwrap_or_default());
    form.values()
}

async fn code(State(state): State<AppState>, page: Page, PagePath((slug, id)): PagePath<(String, i64)>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let codes = state.store.codebook(Some(programme.id)).await?;
    let values = codes.iter().find(|c| c.id == id).map(code_values).ok_or(PageError::NotFound)?;
    render_code(&state, &page, &programme, id, values, None).await
}

async fn edit_code(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let input = match code_from(&form) {
        Ok(input) => input,
        Err(invalid) => return render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await,
    };
    match state.store.edit_code(programme.id, id, &input, page.user()?.id).await {
        Ok(()) => {
            Flash::set(&page.session, "Code saved").await;
            see_other(format!("/programmes/{slug}/codebook/{id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = duplicate_name(&input.name);
            render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await
        }
        Err(StoreError::Invalid(invalid)) => {
            render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn merge(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let Ok(into) = form.get("into").parse::<i64>() else {
        let invalid = Invalid::one("into", "Choose the code to merge this one into");
        return render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await;
    };
    match state.store.merge_codes(programme.id, id, into, page.user()?.id).await {
        Ok(moved) => {
            let codings = if moved == 1 { "1 coding" } else { "codings" };
            let message = if moved == 1 {
                format!("Merged: {codings} moved")
            } else {
                format!("Merged: {moved} {codings} moved")
            };
            Flash::set(&page.session, &message).await;
            see_other(format!("/programmes/{slug}/codebook/{into}"))
        }
        Err(StoreError::Invalid(invalid)) => {
            render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn split(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let codings: Vec<i64> = form.all("codings").iter().filter_map(|c| c.parse().ok()).collect();
    let input = CodeInput::parse(form.get("split_name"), form.get("split_description"), "", form.get("split_parent"));
    let input = match (input, codings.is_empty()) {
        (Ok(input), false) => input,
        (result, none) => {
            let mut errors = result.err().map(|i| i.0).unwrap_or_default();
            for error in &mut errors {
                error.field = format!("split_{}", error.field);
            }
            if none {
                errors.push(heard_domain::FieldError {
                    field: "codings".into(),
                    message: "Choose the codings that move to the new code".into(),
                });
            }
            return render_code(&state, &page, &programme, id, form.values(), Some(&Invalid(errors))).await;
        }
    };
    match state.store.split_code(programme.id, id, &input, &codings, page.user()?.id).await {
        Ok(new_id) => {
            Flash::set(&page.session, &format!("Split: “{}” made from the codings chosen", input.name)).await;
            see_other(format!("/programmes/{slug}/codebook/{new_id}"))
        }
        Err(StoreError::Duplicate { .. }) => {
            let invalid = Invalid::one("split_name", format!("There is already a code called “{}” there", input.name));
            render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await
        }
        Err(StoreError::Invalid(invalid)) => {
            render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn add_memo(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let body = match memo_text("memo", form.get("memo")) {
        Ok(body) => body,
        Err(invalid) => return render_code(&state, &page, &programme, id, form.values(), Some(&invalid)).await,
    };
    state.store.add_memo(programme.id, MemoTarget::Code, id, &body, page.user()?.id).await?;
    Flash::set(&page.session, "Memo added").await;
    see_other(format!("/programmes/{slug}/codebook/{id}#memos"))
}
