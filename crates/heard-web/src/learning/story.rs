//! The story of transformation: a programme's journey stages (when each started and ended), its
//! activities, Deliberation Days, decisions and reflections as one timeline, month by month, in
//! [`heard_domain::learning::story_order`]. Plain HTML: an ordered list under a heading per month.

use axum::extract::State;
use heard_domain::governance::Action;
use heard_domain::learning::{MomentKind, story_order};
use heard_store::Programme;
use heard_store::learning::ReflectionFilter;
use minijinja::{Value, context};
use time::Date;

use crate::AppState;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/programmes/{slug}/story", Action::ViewLearning, story)]
}

/// One moment on the timeline, as the template shows it.
struct Moment {
    on: Date,
    kind: MomentKind,
    /// Orders moments of one kind on one day (an id or a stage's position).
    order: i64,
    view: Value,
}

/// Every dated moment of a programme's story, in story order.
async fn moments(state: &AppState, programme: &Programme) -> Result<Vec<Moment>, PageError> {
    let mut moments = Vec::new();
    for stage in state.store.stages(programme.id).await? {
        let href = context! { section => "stages", id => stage.position };
        let title = format!("{}. {}", stage.position, stage.name);
        if let Some(on) = stage.starts_on {
            let view =
                context! { label => "Stage started", tag => "govuk-tag--grey", title, href, text => stage.description };
            moments.push(Moment { on, kind: MomentKind::StageStarted, order: i64::from(stage.position), view });
        }
        if let Some(on) = stage.ends_on {
            let text = (!stage.exit_criteria.is_empty()).then(|| format!("Exit criteria: {}", stage.exit_criteria));
            let view = context! { label => "Stage ended", tag => "govuk-tag--grey", title, href, text };
            moments.push(Moment { on, kind: MomentKind::StageEnded, order: i64::from(stage.position), view });
        }
    }
    for activity in state.store.activities(programme.id).await? {
        let people =
            activity.attendance.by_sector.values().sum::<u32>().max(activity.attendance.by_kind.values().sum());
        let text =
            (people > 0).then(|| format!("{people} {} in the room", if people == 1 { "person" } else { "people" }));
        let view = context! {
            label => activity.kind.label(),
            tag => "govuk-tag--yellow",
            title => activity.title,
            href => context! { section => "activities", id => activity.id },
            text,
        };
        moments.push(Moment { on: activity.held_on, kind: MomentKind::Activity, order: activity.id, view });
    }
    for day in state.store.deliberations(programme.id).await? {
        let text = format!(
            "{} {}, {} {}",
            day.attendees,
            if day.attendees == 1 { "attendee" } else { "attendees" },
            day.votes,
            if day.votes == 1 { "vote" } else { "votes" }
        );
        let view = context! {
            label => "Deliberation Day",
            tag => "govuk-tag--turquoise",
            title => day.title,
            href => context! { section => "deliberations", id => day.id },
            text,
        };
        moments.push(Moment { on: day.held_on, kind: MomentKind::Deliberation, order: day.id, view });
    }
    for decision in state.store.decision_refs(programme.id).await? {
        let view = context! {
            label => "Decision",
            tag => "govuk-tag--green",
            title => decision.title,
            href => context! { section => "decisions", id => decision.id },
        };
        moments.push(Moment { on: decision.decided_on, kind: MomentKind::Decision, order: decision.id, view });
    }
    for reflection in state.store.reflections(programme.id, ReflectionFilter::default()).await? {
        let view = context! {
            label => reflection.kind.label(),
            tag => super::pages::tag_class(reflection.kind),
            reflection => true,
            href => context! { section => "reflections", id => reflection.id },
            text => reflection.text,
            by => reflection.written_by.map(|u| u.display_name),
        };
        moments.push(Moment { on: reflection.written_on, kind: MomentKind::Reflection, order: reflection.id, view });
    }
    story_order(&mut moments, |m| (m.on, m.kind, m.order));
    Ok(moments)
}

/// The moments grouped by month, earliest first, each month headed "March 2016".
fn by_month(moments: Vec<Moment>) -> Vec<Value> {
    let mut months: Vec<(String, Vec<Value>)> = Vec::new();
    for moment in moments {
        let month = format!("{} {}", moment.on.month(), moment.on.year());
        let item = context! { on => moment.on.to_string(), ..moment.view };
        match months.last_mut() {
            Some((last, items)) if *last == month => items.push(item),
            _ => months.push((month, vec![item])),
        }
    }
    months.into_iter().map(|(month, moments)| context! { month, moments }).collect()
}

async fn story(State(state): State<AppState>, page: Page, PagePath(slug): PagePath<String>) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let moments = moments(&state, &programme).await?;
    let count = moments.len();
    let months = by_month(moments);
    page.respond("learning/story.html", context! { programme, months, count }, None)
}
