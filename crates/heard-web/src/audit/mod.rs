//! The audit log for administrators: `/admin/audit`, newest first, filtered by kind, who acted,
//! dates and object, fifty entries a page. A plain GET form, so it works without JavaScript and a
//! filtered page can be bookmarked (ids and codes only in the address, never personal data).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use heard_domain::audit::AuditKind;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::vocabulary::parse_code;
use heard_store::AuditFilter;
use minijinja::context;

use crate::AppState;
use crate::csrf::FormFields;
use crate::render::{Page, PageResult, unprocessable};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/admin/audit", Action::ViewAuditLog, log)]
}

const PER_PAGE: i64 = 50;

/// The longest object a filter takes; objects are ids and paths.
const OBJECT_MAX: usize = 200;

/// The filter as typed, parsed: every error by field.
fn parse_filter(query: &FormFields) -> Result<AuditFilter, heard_domain::Invalid> {
    let mut errors = Collector::new();
    let kind = match query.get("kind").trim() {
        "" => None,
        code => errors.take(parse_code::<AuditKind>("kind", "a kind of event", code)),
    };
    let actor_id = match query.get("actor").trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push("actor", "Choose who acted from the list");
                None
            }
        },
    };
    let from = errors.take(query.date_parts("from").parse("from", "The start date")).flatten();
    let to = errors.take(query.date_parts("to").parse("to", "The end date")).flatten();
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        errors.push("to", "The end date must be the same as or after the start date");
    }
    let object = query.get("object").trim();
    if object.chars().count() > OBJECT_MAX {
        errors.push("object", format!("Object must be {OBJECT_MAX} characters or fewer"));
    }
    let object = (!object.is_empty()).then(|| object.to_owned());
    errors.finish(|| AuditFilter { kind, actor_id, from, to, object })
}

async fn log(State(state): State<AppState>, page: Page, Query(query): Query<FormFields>) -> PageResult {
    let users = state.store.users().await?;
    let names: BTreeMap<i64, String> = users.iter().map(|u| (u.id, u.display_name.clone())).collect();
    let actors: Vec<_> = users.iter().map(|u| context! { value => u.id, text => u.display_name }).collect();
    let kinds: Vec<_> = AuditKind::ALL.iter().map(|k| context! { value => k.code(), text => k.label() }).collect();
    let values = context! {
        from => query.date_parts("from"),
        to => query.date_parts("to"),
        ..query.values()
    };
    let filter = match parse_filter(&query) {
        Ok(filter) => filter,
        Err(invalid) => {
            let ctx = context! { kinds, actors, values, entries => Vec::<()>::new(), total => 0 };
            return unprocessable(page.render_invalid("audit/log.html", ctx, &invalid));
        }
    };
    let number: i64 = query.get("page").parse().unwrap_or(1).max(1);
    let found = state.store.audit_log(&filter, (number - 1).saturating_mul(PER_PAGE), PER_PAGE).await?;
    let entries: Vec<_> = found
        .entries
        .iter()
        .map(|e| {
            context! {
                id => e.id,
                at => e.at,
                kind => e.kind.label(),
                action => e.action,
                actor_id => e.actor_id,
                actor => e.actor_id.and_then(|id| names.get(&id)),
                object => e.subject,
            }
        })
        .collect();
    // The filters again for the pages' links, encoded as the form would send them.
    let kept: Vec<(String, String)> =
        ["kind", "actor", "from.day", "from.month", "from.year", "to.day", "to.month", "to.year", "object"]
            .iter()
            .filter(|name| !query.get(name).trim().is_empty())
            .map(|name| ((*name).to_owned(), query.get(name).trim().to_owned()))
            .collect();
    let filter_query = match serde_html_form::to_string(&kept) {
        Ok(encoded) if !encoded.is_empty() => format!("&{encoded}"),
        _ => String::new(),
    };
    let pages = (found.total + PER_PAGE - 1) / PER_PAGE;
    let filtered = !kept.is_empty();
    let ctx = context! { kinds, actors, values, entries, total => found.total, page_number => number, pages, filter_query, filtered };
    Ok(page.render("audit/log.html", ctx)?.into_response())
}
