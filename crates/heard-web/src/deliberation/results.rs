//! A Deliberation Day's results: [`Figures`], everything after the day as aggregates (who took
//! part by kind and sector, opinion groups with their representative statements, consensus and
//! division, the same across declared kinds, prioritisation, the questionnaire's shift), built
//! once from the live analysis and shown by the results page, the projector and the exports.
//! Nothing in it names an attendee or says who voted what.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::IntoResponse;
use heard_analysis::deliberation::questionnaire::Shift;
use heard_analysis::deliberation::{Across, Direction, prioritise};
use heard_domain::deliberation::days::{DeclaredKind, StatementState};
use heard_domain::governance::{Action, Sector};
use heard_store::deliberation::Statement;
use minijinja::context;
use serde::Serialize;

use super::live::{LiveError, Snapshot, Tally};
use super::picture::{self, Dot, Group, OpinionMap};
use super::setup::find_deliberation;
use crate::AppState;
use crate::error::{PageError, PagePath};
use crate::journeys::find_programme;
use crate::render::{Page, PageResult};
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/programmes/{slug}/deliberations/{id}/results", Action::ViewDeliberations, results)]
}

/// Statements listed as consensus, divisive, or seen alike and apart across kinds.
const LISTED: usize = 5;
/// Representative statements shown per group.
const REPRESENTATIVE: usize = 5;

impl From<LiveError> for PageError {
    fn from(error: LiveError) -> Self {
        match error {
            LiveError::Store(store) => store.into(),
            other => PageError::Internal(other.to_string()),
        }
    }
}

/// The results as numbers and statement texts only.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub deliberation: About,
    pub participation: Taking,
    /// Accepted statements with their counts and figures, in the order added.
    pub statements: Vec<StatementFigures>,
    pub groups: Vec<GroupFigures>,
    /// What all opinion groups agree on, most agreed first.
    pub consensus: Vec<AcrossFigures>,
    /// What divides the opinion groups most.
    pub divisive: Vec<AcrossFigures>,
    pub kinds: KindFigures,
    pub prioritisation: Option<Priorities>,
    pub questionnaire: Vec<QuestionFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct About {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub venue: Option<String>,
    pub status: String,
    pub prioritisation: String,
    pub analysed_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Taking {
    pub attendees: u32,
    /// Attendees who voted on at least one statement.
    pub voters: u32,
    pub votes: u64,
    /// Voters with enough votes to be placed in the opinion groups.
    pub counted: usize,
    pub by_kind: Vec<Count>,
    pub by_sector: Vec<Count>,
    pub pairwise_choices: u64,
    pub dot_voters: u32,
    pub answered_before: u32,
    pub answered_after: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementFigures {
    pub id: i64,
    pub text: String,
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
    pub votes: u32,
    /// Whole percentages of the votes (passes included); `None` before any vote.
    pub agree_percent: Option<u32>,
    pub disagree_percent: Option<u32>,
    /// Group-aware consensus (the product over groups of (agrees + 1) / (votes + 2)).
    pub consensus: f64,
    /// The widest difference in agreement between two opinion groups.
    pub spread: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupFigures {
    /// "Group A", "Group B"...
    pub label: String,
    pub size: usize,
    /// How the group's marks look on the opinion map, in words.
    pub marks: String,
    pub representative: Vec<RepresentativeFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepresentativeFigures {
    pub statement_id: i64,
    pub text: String,
    /// "agree" or "disagree": what sets the group apart.
    pub direction: &'static str,
    /// Votes in the group, and of them those in `direction`.
    pub votes: u32,
    pub count: u32,
    pub percent: u32,
    /// The same share among everyone else counted in.
    pub rest_percent: u32,
    /// Pol.is's figures: probabilities with pseudocounts, the two z-scores and the ranking metric.
    pub probability: f64,
    pub probability_rest: f64,
    pub z_probability: f64,
    pub z_difference: f64,
    pub metric: f64,
}

/// A statement across a grouping (opinion groups or declared kinds).
#[derive(Debug, Clone, Serialize)]
pub struct AcrossFigures {
    pub statement_id: i64,
    pub text: String,
    pub consensus: f64,
    pub spread: f64,
    /// One per group or kind with votes, in order.
    pub parts: Vec<PartFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartFigures {
    pub label: String,
    pub votes: u32,
    pub agree: u32,
    pub disagree: u32,
    pub agree_percent: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindFigures {
    /// Kinds with voters, in vocabulary order.
    pub kinds: Vec<Count>,
    /// Where every declared kind agrees.
    pub alike: Vec<AcrossFigures>,
    /// Where the kinds see things most differently.
    pub apart: Vec<AcrossFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Priorities {
    /// "pairwise" or "dots".
    pub method: &'static str,
    pub all: Vec<ItemFigures>,
    pub by_kind: Vec<KindItems>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindItems {
    pub code: String,
    pub label: String,
    pub items: Vec<ItemFigures>,
}

/// A proposition's standing, strongest first.
#[derive(Debug, Clone, Serialize)]
pub struct ItemFigures {
    pub proposition_id: i64,
    pub title: String,
    pub rank: usize,
    /// Pairwise: wins and losses, All Our Ideas' score (0-100), Bradley-Terry strength with its 95%
    /// interval. Dots: the dots and their share.
    pub wins: Option<u32>,
    pub losses: Option<u32>,
    pub score: Option<f64>,
    pub strength: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub dots: Option<u64>,
    pub share_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionFigures {
    pub question_id: i64,
    pub text: String,
    pub all: ShiftFigures,
    pub by_kind: Vec<KindShift>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindShift {
    pub code: String,
    pub label: String,
    pub shift: ShiftFigures,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShiftFigures {
    pub before_count: usize,
    pub before_mean: Option<f64>,
    pub after_count: usize,
    pub after_mean: Option<f64>,
    /// Mean after minus mean before, with its 95% bootstrap interval.
    pub shift: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Of those who answered both: how many, and moved up, down or not at all.
    pub paired: usize,
    pub increased: usize,
    pub decreased: usize,
    pub unchanged: usize,
    pub wilcoxon_p: Option<f64>,
}

/// "Group A" for the first group.
pub fn group_label(group: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    format!("Group {}", letters.get(group).map_or('?', |&c| char::from(c)))
}

fn percent(part: u32, whole: u32) -> Option<u32> {
    (whole > 0).then(|| ((f64::from(part) * 100.0) / f64::from(whole)).round() as u32)
}

fn kind_code(kind: Option<DeclaredKind>) -> (String, String) {
    match kind {
        Some(k) => (k.code().to_owned(), k.label().to_owned()),
        None => ("undeclared".to_owned(), "Not declared".to_owned()),
    }
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

impl Figures {
    pub fn of(snapshot: &Snapshot) -> Figures {
        let texts: HashMap<i64, &Statement> = snapshot.statements.iter().map(|s| (s.id, s)).collect();
        let text = |index: usize| snapshot.statement(index).map(|s| s.text.clone()).unwrap_or_default();
        let id_at = |index: usize| snapshot.analysed.get(index).copied().unwrap_or_default();
        let analysis = &snapshot.groups;
        let d = &snapshot.deliberation;
        let p = &snapshot.participation;

        let by_kind = DeclaredKind::ALL
            .iter()
            .map(|k| Count {
                code: k.code().to_owned(),
                label: k.label().to_owned(),
                count: u64::from(p.by_kind.get(k).copied().unwrap_or(0)),
            })
            .collect();
        let by_sector = Sector::ALL
            .iter()
            .filter_map(|s| {
                let count = p.by_sector.get(s).copied()?;
                Some(Count { code: s.code().to_owned(), label: s.label().to_owned(), count: u64::from(count) })
            })
            .collect();
        let participation = Taking {
            attendees: p.attendees,
            voters: p.voters,
            votes: p.votes,
            counted: analysis.counted.len(),
            by_kind,
            by_sector,
            pairwise_choices: p.pairwise_choices,
            dot_voters: p.dot_voters,
            answered_before: p.answered_before,
            answered_after: p.answered_after,
        };

        let across_of: HashMap<usize, &Across> = analysis.across.iter().map(|a| (a.statement, a)).collect();
        let statements = snapshot
            .statements
            .iter()
            .filter(|s| s.state == StatementState::Accepted)
            .map(|s| {
                let position = snapshot.analysed.iter().position(|id| *id == s.id);
                let across = position.and_then(|i| across_of.get(&i));
                StatementFigures {
                    id: s.id,
                    text: s.text.clone(),
                    agree: s.agree,
                    disagree: s.disagree,
                    pass: s.pass,
                    votes: s.votes(),
                    agree_percent: percent(s.agree, s.votes()),
                    disagree_percent: percent(s.disagree, s.votes()),
                    consensus: across.map_or(0.0, |a| round(a.consensus, 4)),
                    spread: across.map_or(0.0, |a| round(a.spread, 4)),
                }
            })
            .collect();

        let sizes = analysis.sizes();
        let group_labels: Vec<String> = (0..analysis.groups).map(group_label).collect();
        let groups = (0..analysis.groups)
            .map(|g| {
                let tallies = snapshot.group_tallies.get(g);
                let representative = analysis
                    .representative
                    .get(g)
                    .map(|list| {
                        list.iter()
                            .take(REPRESENTATIVE)
                            .map(|r| {
                                let tally = tallies.and_then(|t| t.get(r.statement)).copied().unwrap_or_default();
                                let rest = rest_tally(&snapshot.group_tallies, g, r.statement);
                                let (direction, count, rest_count) = match r.direction {
                                    Direction::Agree => ("agree", tally.agree, rest.agree),
                                    Direction::Disagree => ("disagree", tally.disagree, rest.disagree),
                                };
                                RepresentativeFigures {
                                    statement_id: id_at(r.statement),
                                    text: text(r.statement),
                                    direction,
                                    votes: tally.votes(),
                                    count,
                                    percent: percent(count, tally.votes()).unwrap_or(0),
                                    rest_percent: percent(rest_count, rest.votes()).unwrap_or(0),
                                    probability: round(r.probability, 4),
                                    probability_rest: round(r.probability_rest, 4),
                                    z_probability: round(r.z_probability, 3),
                                    z_difference: round(r.z_difference, 3),
                                    metric: round(r.metric, 4),
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                GroupFigures {
                    label: group_labels[g].clone(),
                    size: sizes[g],
                    marks: picture::marks_of(Some(g)),
                    representative,
                }
            })
            .collect();

        let across_figures = |a: &Across, labels: &[String], tallies: &[Vec<Tally>]| AcrossFigures {
            statement_id: id_at(a.statement),
            text: text(a.statement),
            consensus: round(a.consensus, 4),
            spread: round(a.spread, 4),
            parts: labels
                .iter()
                .enumerate()
                .filter_map(|(g, label)| {
                    let tally = tallies.get(g)?.get(a.statement).copied().unwrap_or_default();
                    (tally.votes() > 0).then(|| PartFigures {
                        label: label.clone(),
                        votes: tally.votes(),
                        agree: tally.agree,
                        disagree: tally.disagree,
                        agree_percent: percent(tally.agree, tally.votes()),
                    })
                })
                .collect(),
        };
        let voted = |a: &&Across| a.votes.iter().any(|&v| v > 0);
        let (consensus, divisive) = if analysis.groups >= 2 {
            (
                analysis
                    .consensus(usize::MAX)
                    .into_iter()
                    .filter(voted)
                    .take(LISTED)
                    .map(|a| across_figures(a, &group_labels, &snapshot.group_tallies))
                    .collect(),
                analysis
                    .divisive(usize::MAX)
                    .into_iter()
                    .filter(voted)
                    .take(LISTED)
                    .map(|a| across_figures(a, &group_labels, &snapshot.group_tallies))
                    .collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };

        let kind_labels: Vec<String> = DeclaredKind::ALL.iter().map(|k| k.label().to_owned()).collect();
        let present: Vec<usize> = (0..DeclaredKind::ALL.len())
            .filter(|&k| snapshot.kind_tallies.get(k).is_some_and(|t| t.iter().any(|t| t.votes() > 0)))
            .collect();
        let kinds_voting = present
            .iter()
            .map(|&k| {
                let kind = DeclaredKind::ALL[k];
                let voters = snapshot.voters_by_kind.get(k).copied().unwrap_or(0);
                Count { code: kind.code().to_owned(), label: kind.label().to_owned(), count: voters as u64 }
            })
            .collect();
        // Across kinds, only statements every voting kind has voted on are compared, so a kind
        // with no votes on a statement neither makes nor breaks its consensus.
        let compared: Vec<&Across> = snapshot
            .across_kinds
            .iter()
            .filter(|a| present.len() >= 2 && present.iter().all(|&k| a.votes.get(k).is_some_and(|&v| v > 0)))
            .collect();
        let ranked = |key: fn(&Across) -> f64| {
            let mut list = compared.clone();
            list.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.statement.cmp(&b.statement)));
            list.into_iter()
                .take(LISTED)
                .map(|a| across_figures(a, &kind_labels, &snapshot.kind_tallies))
                .collect::<Vec<_>>()
        };
        let kinds = KindFigures { kinds: kinds_voting, alike: ranked(|a| a.consensus), apart: ranked(|a| a.spread) };

        Figures {
            deliberation: About {
                id: d.id,
                title: d.title.clone(),
                held_on: d.held_on.to_string(),
                venue: d.venue.clone(),
                status: d.status.code().to_owned(),
                prioritisation: d.prioritisation.code().to_owned(),
                analysed_at: snapshot
                    .computed_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            },
            participation,
            statements,
            groups,
            consensus,
            divisive,
            kinds,
            prioritisation: priorities(snapshot),
            questionnaire: questionnaire(snapshot),
        }
        .with_texts_checked(&texts)
    }

    /// Every statement text shown is one of the deliberation's: a guard against an index slip.
    fn with_texts_checked(self, texts: &HashMap<i64, &Statement>) -> Figures {
        debug_assert!(self.groups.iter().flat_map(|g| &g.representative).all(|r| texts.contains_key(&r.statement_id)));
        self
    }
}

/// Everyone counted in outside group `g`, on statement `s`.
fn rest_tally(tallies: &[Vec<Tally>], g: usize, s: usize) -> Tally {
    let mut rest = Tally::default();
    for (other, t) in tallies.iter().enumerate() {
        if other != g
            && let Some(t) = t.get(s)
        {
            rest.agree += t.agree;
            rest.disagree += t.disagree;
            rest.pass += t.pass;
        }
    }
    rest
}

fn priorities(snapshot: &Snapshot) -> Option<Priorities> {
    let title = |item: usize| snapshot.propositions.get(item).cloned().unwrap_or_default();
    if let Some(results) = &snapshot.pairwise {
        let items = |pairwise: &prioritise::Pairwise| {
            pairwise
                .ranking
                .iter()
                .filter_map(|&i| pairwise.items.get(i))
                .map(|s| {
                    let (proposition_id, title) = title(s.item);
                    ItemFigures {
                        proposition_id,
                        title,
                        rank: s.rank,
                        wins: Some(s.wins),
                        losses: Some(s.losses),
                        score: Some(round(s.score, 1)),
                        strength: Some(round(s.strength, 3)),
                        low: Some(round(s.low, 3)),
                        high: Some(round(s.high, 3)),
                        dots: None,
                        share_percent: None,
                    }
                })
                .collect::<Vec<_>>()
        };
        return Some(Priorities {
            method: "pairwise",
            all: items(&results.all),
            by_kind: results
                .by_kind
                .iter()
                .map(|(kind, pairwise)| {
                    let (code, label) = kind_code(*kind);
                    KindItems { code, label, items: items(pairwise) }
                })
                .collect(),
        });
    }
    let results = snapshot.dots.as_ref()?;
    let items = |tally: &prioritise::DotTally| {
        tally
            .ranking
            .iter()
            .filter_map(|&i| tally.items.get(i))
            .map(|c| {
                let (proposition_id, title) = title(c.item);
                ItemFigures {
                    proposition_id,
                    title,
                    rank: c.rank,
                    wins: None,
                    losses: None,
                    score: None,
                    strength: None,
                    low: None,
                    high: None,
                    dots: Some(c.dots),
                    share_percent: Some(round(c.share * 100.0, 1)),
                }
            })
            .collect::<Vec<_>>()
    };
    Some(Priorities {
        method: "dots",
        all: items(&results.all),
        by_kind: results
            .by_kind
            .iter()
            .map(|(kind, tally)| {
                let (code, label) = kind_code(*kind);
                KindItems { code, label, items: items(tally) }
            })
            .collect(),
    })
}

fn shift_figures(shift: &Shift) -> ShiftFigures {
    let r2 = |v: Option<f64>| v.map(|v| round(v, 2));
    ShiftFigures {
        before_count: shift.before.count,
        before_mean: r2(shift.before.mean),
        after_count: shift.after.count,
        after_mean: r2(shift.after.mean),
        shift: r2(shift.shift),
        low: r2(shift.interval.map(|i| i.0)),
        high: r2(shift.interval.map(|i| i.1)),
        paired: shift.paired.count,
        increased: shift.paired.increased,
        decreased: shift.paired.decreased,
        unchanged: shift.paired.unchanged,
        wilcoxon_p: shift.paired.wilcoxon_p.map(|p| round(p, 4)),
    }
}

fn questionnaire(snapshot: &Snapshot) -> Vec<QuestionFigures> {
    let by_question: HashMap<i64, _> = snapshot.shifts.iter().map(|s| (s.question, s)).collect();
    snapshot
        .deliberation
        .questions
        .iter()
        .filter_map(|q| {
            let shift = by_question.get(&q.id)?;
            Some(QuestionFigures {
                question_id: q.id,
                text: q.text.clone(),
                all: shift_figures(&shift.all),
                by_kind: shift
                    .by_kind
                    .iter()
                    .map(|(kind, s)| {
                        let (code, label) = kind_code(*kind);
                        KindShift { code, label, shift: shift_figures(s) }
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The opinion map of a snapshot as SVG, and its groups in words for the text alternative.
pub fn opinion_map(snapshot: &Snapshot, figures: &Figures) -> (String, Vec<picture::GroupRow>) {
    let dots: Vec<Dot> = snapshot
        .groups
        .projection
        .iter()
        .zip(&snapshot.groups.group)
        .map(|(place, &g)| Dot { x: place[0], y: place[1], group: Some(g) })
        .collect();
    let groups: Vec<Group> = figures
        .groups
        .iter()
        .map(|g| Group {
            label: g.label.clone(),
            statements: g
                .representative
                .iter()
                .take(3)
                .map(|r| picture::Statement {
                    text: r.text.clone(),
                    note: Some(format!("{}% of this group {}", r.percent, r.direction)),
                })
                .collect(),
        })
        .collect();
    let map = OpinionMap { title: &snapshot.deliberation.title, dots: &dots, groups: &groups };
    (picture::svg(&map), picture::rows(&map))
}

async fn results(
    State(state): State<AppState>,
    page: Page,
    PagePath((slug, id)): PagePath<(String, i64)>,
) -> PageResult {
    let programme = find_programme(&state, &slug).await?;
    let deliberation = find_deliberation(&state, &programme, id).await?;
    let snapshot = state.live.current(&state.store, deliberation.id).await?;
    let figures = Figures::of(&snapshot);
    let (map, map_rows) = opinion_map(&snapshot, &figures);
    let ctx = context! {
        programme,
        deliberation,
        figures,
        map => minijinja::Value::from_safe_string(map),
        map_rows,
    };
    Ok(page.render("deliberation/results.html", ctx)?.into_response())
}
