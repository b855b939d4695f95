//! Open deliberations as they happen: anything an attendee gives (a vote, a statement, a choice,
//! dots, answers) is announced here, so the projector and the analysis wake at once rather than
//! polling the database.
//!
//! Each deliberation someone looks at has a worker (a tokio task) that keeps its analysis: opinion
//! groups, the same figures across declared kinds, prioritisation and the questionnaire's shift,
//! as one [`Snapshot`]. It recomputes when something changed, at most once every [`INTERVAL`], so
//! 300 phones voting cost one recompute every two seconds however fast the votes come; the
//! analysis itself runs on the blocking pool, never on a request. Counts do not wait for it: the
//! projector reads them from the store as each change is announced.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use heard_analysis::deliberation::next;
use heard_analysis::deliberation::prioritise::{self, DotResults, DotVote, PairwiseResults};
use heard_analysis::deliberation::questionnaire::{self, Answer, QuestionShift};
use heard_analysis::deliberation::{self as analysis, Across, OpinionGroups, Settings, Vote, VoteMatrix};
use heard_domain::deliberation::days::{DeclaredKind, Prioritisation, Stance, StatementState};
use heard_store::deliberation::{Deliberation, Participation, Statement};
use heard_store::{Store, StoreError};
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The least time between two recomputes of one deliberation while changes keep coming.
pub const INTERVAL: Duration = Duration::from_secs(2);
/// A worker that has seen no change for this long stops; the next page that asks starts another.
const IDLE: Duration = Duration::from_secs(10 * 60);
/// How long a page waits for a worker's first analysis.
const FIRST_WAIT: Duration = Duration::from_secs(60);
/// Seeds the questionnaire's bootstrap, so the same answers give the same intervals.
const SHIFT_SEED: u64 = 2026;

/// One channel per deliberation that something has been given to or watched since the server
/// started, and the analysis of those someone has looked at.
#[derive(Debug, Default)]
pub struct Live {
    channels: Mutex<HashMap<i64, watch::Sender<u64>>>,
    workers: Mutex<HashMap<i64, Worker>>,
}

/// The latest analysis of a deliberation, as its worker publishes it.
#[derive(Debug, Clone, Default)]
pub enum Latest {
    /// The worker has not finished its first analysis.
    #[default]
    Pending,
    Ready(Arc<Snapshot>),
    /// The first analysis failed (the deliberation is gone, or the database did not answer).
    Failed(String),
}

#[derive(Debug)]
struct Worker {
    latest: watch::Sender<Latest>,
    task: Option<JoinHandle<()>>,
}

/// Why an analysis could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the analysis failed: {0}")]
    Failed(String),
    #[error("the analysis took too long")]
    TimedOut,
}

impl Live {
    /// Says that something was given to deliberation `id`, waking whoever watches it.
    pub fn changed(&self, id: i64) {
        self.sender(id).send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes each time deliberation `id` changes.
    pub fn watch(&self, id: i64) -> watch::Receiver<u64> {
        self.sender(id).subscribe()
    }

    /// How many changes deliberation `id` has seen since the server started.
    pub fn version(&self, id: i64) -> u64 {
        *self.sender(id).borrow()
    }

    fn sender(&self, id: i64) -> watch::Sender<u64> {
        // A poisoned lock only means another request panicked while holding it; the map is still
        // whole, since every write to it is a single insert.
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.entry(id).or_insert_with(|| watch::channel(0).0).clone()
    }

    /// Starts deliberation `id`'s worker unless it is running, and returns a receiver of its
    /// analyses. Cheap: call it whenever the analysis is wanted soon.
    pub fn start(&self, store: &Store, id: i64) -> watch::Receiver<Latest> {
        let changes = self.watch(id);
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        let worker =
            workers.entry(id).or_insert_with(|| Worker { latest: watch::channel(Latest::Pending).0, task: None });
        if worker.task.as_ref().is_none_or(JoinHandle::is_finished) {
            let latest = worker.latest.clone();
            worker.task = Some(tokio::spawn(work(store.clone(), id, changes, latest)));
        }
        worker.latest.subscribe()
    }

    /// The latest analysis of deliberation `id`, starting its worker if need be and waiting for
    /// its first analysis (the running worker's may be up to [`INTERVAL`] plus a recompute old).
    pub async fn snapshot(&self, store: &Store, id: i64) -> Result<Arc<Snapshot>, LiveError> {
        let mut latest = self.start(store, id);
        let ready = tokio::time::timeout(FIRST_WAIT, latest.wait_for(|l| !matches!(l, Latest::Pending))).await;
        match ready {
            Err(_) => Err(LiveError::TimedOut),
            Ok(Err(_)) => Err(LiveError::Failed("the analysis stopped".to_owned())),
            Ok(Ok(latest)) => match &*latest {
                Latest::Ready(snapshot) => Ok(snapshot.clone()),
                Latest::Failed(error) => Err(LiveError::Failed(error.clone())),
                Latest::Pending => Err(LiveError::TimedOut),
            },
        }
    }

    /// An analysis of deliberation `id` that counts everything announced before this call: for
    /// the results page and the exports, which must not miss the last votes before the close.
    /// Waits for the worker's next recompute if need be (at most [`INTERVAL`] plus a recompute
    /// while changes come); if none comes within [`FIRST_WAIT`], the latest there is.
    pub async fn current(&self, store: &Store, id: i64) -> Result<Arc<Snapshot>, LiveError> {
        let wanted = self.version(id);
        let mut latest = self.start(store, id);
        let caught_up = |l: &Latest| match l {
            Latest::Ready(snapshot) => snapshot.version >= wanted,
            Latest::Failed(_) => true,
            Latest::Pending => false,
        };
        let waited = tokio::time::timeout(FIRST_WAIT, latest.wait_for(caught_up)).await.map(|r| r.map(|l| l.clone()));
        let found = match waited {
            Ok(Ok(found)) => found,
            Ok(Err(_)) => return Err(LiveError::Failed("the analysis stopped".to_owned())),
            Err(_) => latest.borrow().clone(),
        };
        match found {
            Latest::Ready(snapshot) => Ok(snapshot),
            Latest::Failed(error) => Err(LiveError::Failed(error)),
            Latest::Pending => Err(LiveError::TimedOut),
        }
    }

    /// The latest analysis of deliberation `id` if there is one, without waiting or starting
    /// anything.
    pub fn latest(&self, id: i64) -> Option<Arc<Snapshot>> {
        let workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        match &*workers.get(&id)?.latest.borrow() {
            Latest::Ready(snapshot) => Some(snapshot.clone()),
            _ => None,
        }
    }

    /// What choosing the next statement needs of each accepted statement, by statement id, from
    /// the latest analysis: its counts then and its extremity (empty until there is one; see
    /// [`Snapshot::tallies`]). Does not wait; start the worker with [`Live::start`].
    pub fn tallies(&self, id: i64) -> HashMap<i64, next::Tally> {
        self.latest(id).map(|s| s.tallies.clone()).unwrap_or_default()
    }
}

/// A deliberation's worker: an analysis now, then one after each change, at most one every
/// [`INTERVAL`]; it stops after [`IDLE`] without a change, or once the deliberation is gone.
async fn work(store: Store, id: i64, mut changes: watch::Receiver<u64>, latest: watch::Sender<Latest>) {
    let mut titles: HashMap<i64, String> = HashMap::new();
    loop {
        let version = *changes.borrow_and_update();
        let started = tokio::time::Instant::now();
        match compute(&store, id, version, &mut titles).await {
            Ok(snapshot) => {
                tracing::debug!(deliberation = id, took_ms = snapshot.took.as_millis(), "deliberation analysed");
                latest.send_replace(Latest::Ready(Arc::new(snapshot)));
            }
            Err(error) => {
                tracing::warn!(deliberation = id, %error, "deliberation analysis failed");
                let gone = matches!(error, LiveError::Store(StoreError::NotFound));
                latest.send_if_modified(|l| match l {
                    Latest::Ready(_) if !gone => false,
                    _ => {
                        *l = Latest::Failed(error.to_string());
                        true
                    }
                });
                if gone {
                    return;
                }
            }
        }
        match tokio::time::timeout(IDLE, changes.changed()).await {
            Ok(Ok(())) => {}
            // Quiet for long enough, or the channel closed: stop; a page asking starts another.
            Err(_) | Ok(Err(_)) => return,
        }
        tokio::time::sleep_until(started + INTERVAL).await;
    }
}

/// A deliberation's analysis at one moment: everything the projector, the results page and the
/// exports show, as aggregates. Statement indices in the analysis are positions in
/// [`Snapshot::analysed`].
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The number of changes announced when the analysis began.
    pub version: u64,
    pub computed_at: OffsetDateTime,
    /// How long reading and analysing took.
    pub took: Duration,
    pub deliberation: Deliberation,
    /// Every statement with its counts, in the order added.
    pub statements: Vec<Statement>,
    /// The accepted statements' ids in the analysis's order.
    pub analysed: Vec<i64>,
    pub participation: Participation,
    pub groups: OpinionGroups,
    /// Voters counted in by the analysis, by declared kind (in [`DeclaredKind::ALL`] order).
    pub voters_by_kind: Vec<usize>,
    /// Each statement's figures across declared kinds (in [`DeclaredKind::ALL`] order).
    pub across_kinds: Vec<Across>,
    /// Votes per opinion group and statement (by analysis position), counted participants only.
    pub group_tallies: Vec<Vec<Tally>>,
    /// Votes per declared kind (in [`DeclaredKind::ALL`] order) and statement, every voter.
    pub kind_tallies: Vec<Vec<Tally>>,
    /// The propositions prioritised, in the facilitator's order, with their titles.
    pub propositions: Vec<(i64, String)>,
    pub pairwise: Option<PairwiseResults<Option<DeclaredKind>>>,
    pub dots: Option<DotResults<Option<DeclaredKind>>>,
    pub shifts: Vec<QuestionShift<Option<DeclaredKind>>>,
    /// Each accepted statement's counts and extremity by id, for choosing the next statement.
    /// The extremity is the length of its pair of weights on the two components, times
    /// √(statements), as Pol.is's comment extremity without its vote factor (see
    /// `heard_analysis::deliberation::next`); 0 before anyone is counted in. Phones read these
    /// (at most [`INTERVAL`] plus a recompute old) rather than counting every vote for each page.
    pub tallies: HashMap<i64, next::Tally>,
}

impl Snapshot {
    /// The statement at analysis position `index`.
    pub fn statement(&self, index: usize) -> Option<&Statement> {
        let id = *self.analysed.get(index)?;
        self.statements.iter().find(|s| s.id == id)
    }
}

/// The index of a declared kind in [`DeclaredKind::ALL`].
pub fn kind_index(kind: DeclaredKind) -> usize {
    DeclaredKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Reads a deliberation and analyses it.
async fn compute(
    store: &Store,
    id: i64,
    version: u64,
    titles: &mut HashMap<i64, String>,
) -> Result<Snapshot, LiveError> {
    let started = std::time::Instant::now();
    let deliberation = store.deliberation(id).await?.ok_or(StoreError::NotFound)?;
    let statements = store.statements(id).await?;
    let participation = store.participation(id).await?;
    let data = store.vote_data(id).await?;
    for proposition in &deliberation.proposition_ids {
        if !titles.contains_key(proposition) {
            let title = store
                .proposition(deliberation.programme_id, *proposition)
                .await?
                .map(|p| p.title)
                .unwrap_or_else(|| format!("Proposition {proposition}"));
            titles.insert(*proposition, title);
        }
    }
    let propositions: Vec<(i64, String)> =
        deliberation.proposition_ids.iter().map(|p| (*p, titles.get(p).cloned().unwrap_or_default())).collect();
    let pairwise = match deliberation.prioritisation {
        Prioritisation::Pairwise => Some(store.pairwise_choices(id).await?),
        _ => None,
    };
    let dots = match deliberation.prioritisation {
        Prioritisation::Dots => Some(store.dot_votes(id).await?),
        _ => None,
    };
    let answers = if deliberation.questions.is_empty() { Vec::new() } else { store.questionnaire_answers(id).await? };

    let items: HashMap<i64, usize> = deliberation.proposition_ids.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let item_count = deliberation.proposition_ids.len();
    let analysed = tokio::task::spawn_blocking(move || {
        let pairwise = pairwise.map(|choices| {
            let choices: Vec<prioritise::Choice<Option<DeclaredKind>>> = choices
                .iter()
                .filter_map(|c| {
                    Some(prioritise::Choice {
                        left: *items.get(&c.left)?,
                        right: *items.get(&c.right)?,
                        pick: c.pick,
                        kind: c.kind,
                    })
                })
                .collect();
            prioritise::prioritise(item_count, &choices)
        });
        let dots = dots.map(|records| {
            let votes: Vec<DotVote<Option<DeclaredKind>>> = records
                .iter()
                .filter_map(|d| Some(DotVote { item: *items.get(&d.proposition_id)?, dots: d.dots, kind: d.kind }))
                .collect();
            prioritise::dot_votes(item_count, &votes)
        });
        let answers: Vec<Answer<Option<DeclaredKind>>> = answers
            .iter()
            .map(|a| Answer {
                respondent: a.attendee_id,
                question: a.question_id,
                moment: a.moment,
                value: a.value,
                kind: a.kind,
            })
            .collect();
        let shifts = questionnaire::shifts(&answers, SHIFT_SEED);
        let opinion = Opinion::of(&data);
        (opinion, data.statements, pairwise, dots, shifts)
    })
    .await
    .map_err(|error| LiveError::Failed(error.to_string()))?;
    let (opinion, analysed, pairwise, dots, shifts) = analysed;
    let extremity: HashMap<i64, f64> = analysed.iter().copied().zip(opinion.extremity).collect();
    let tallies = statements
        .iter()
        .filter(|s| s.state == StatementState::Accepted)
        .map(|s| {
            let extremity = extremity.get(&s.id).copied().unwrap_or(0.0);
            (s.id, next::Tally { seen: s.votes(), agrees: s.agree, passes: s.pass, extremity })
        })
        .collect();
    Ok(Snapshot {
        version,
        computed_at: OffsetDateTime::now_utc(),
        took: started.elapsed(),
        deliberation,
        statements,
        analysed,
        participation,
        groups: opinion.groups,
        voters_by_kind: opinion.voters_by_kind,
        across_kinds: opinion.across_kinds,
        group_tallies: opinion.group_tallies,
        kind_tallies: opinion.kind_tallies,
        propositions,
        pairwise,
        dots,
        shifts,
        tallies,
    })
}

/// The opinion analysis of one deliberation's votes: pure, so the benchmark and tests time and
/// check it without a database.
#[derive(Debug, Clone)]
pub struct Opinion {
    pub groups: OpinionGroups,
    pub voters_by_kind: Vec<usize>,
    pub across_kinds: Vec<Across>,
    pub group_tallies: Vec<Vec<Tally>>,
    pub kind_tallies: Vec<Vec<Tally>>,
    /// By analysis position.
    pub extremity: Vec<f64>,
}

/// Votes on one statement from one set of people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

impl Tally {
    pub fn votes(&self) -> u32 {
        self.agree + self.disagree + self.pass
    }

    fn add(&mut self, stance: Stance) {
        match stance {
            Stance::Agree => self.agree += 1,
            Stance::Disagree => self.disagree += 1,
            Stance::Pass => self.pass += 1,
        }
    }
}

/// Votes per set and statement; `set_of` gives each participant's set, if any. The latest vote
/// per participant and statement counts, as in the analysis.
fn tallies(data: &heard_store::deliberation::VoteData, set_of: &[Option<usize>], sets: usize) -> Vec<Vec<Tally>> {
    let mut latest: HashMap<(u32, u32), Stance> = HashMap::with_capacity(data.votes.len());
    for &(p, s, stance) in &data.votes {
        latest.insert((p, s), stance);
    }
    let mut tallies = vec![vec![Tally::default(); data.statements.len()]; sets];
    for ((p, s), stance) in latest {
        if let (Some(Some(set)), Some(_)) = (set_of.get(p as usize), data.statements.get(s as usize)) {
            tallies[*set][s as usize].add(stance);
        }
    }
    tallies
}

impl Opinion {
    pub fn of(data: &heard_store::deliberation::VoteData) -> Opinion {
        let votes: Vec<Vote> = data
            .votes
            .iter()
            .map(|&(participant, statement, stance)| Vote { participant, statement, choice: choice(stance) })
            .collect();
        let matrix = VoteMatrix::new(data.attendees.len(), data.statements.len(), votes);
        let groups = analysis::analyse(&matrix, &Settings::default());
        let kind_of: Vec<Option<usize>> = data.attendees.iter().map(|(_, k)| k.map(kind_index)).collect();
        let mut voters_by_kind = vec![0; DeclaredKind::ALL.len()];
        for &p in &groups.counted {
            if let Some(k) = kind_of[p] {
                voters_by_kind[k] += 1;
            }
        }
        let across_kinds = analysis::across_kinds(&matrix, &kind_of, DeclaredKind::ALL.len());
        let mut group_of = vec![None; data.attendees.len()];
        for (&p, &g) in groups.counted.iter().zip(&groups.group) {
            group_of[p] = Some(g);
        }
        let group_tallies = tallies(data, &group_of, groups.groups);
        let kind_tallies = tallies(data, &kind_of, DeclaredKind::ALL.len());
        let extremity = if groups.counted.is_empty() {
            vec![0.0; data.statements.len()]
        } else {
            heard_analysis::deliberation::next::extremities(&groups.components)
        };
        Opinion { groups, voters_by_kind, across_kinds, group_tallies, kind_tallies, extremity }
    }
}

fn choice(stance: Stance) -> analysis::Choice {
    match stance {
        Stance::Agree => analysis::Choice::Agree,
        Stance::Disagree => analysis::Choice::Disagree,
        Stance::Pass => analysis::Choice::Pass,
    }
}

/// Counts by kind in [`DeclaredKind::ALL`] order, for a participation's map.
pub fn by_kind_in_order(counts: &BTreeMap<DeclaredKind, u32>) -> Vec<(DeclaredKind, u32)> {
    DeclaredKind::ALL.iter().map(|k| (*k, counts.get(k).copied().unwrap_or(0))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_change_wakes_only_that_deliberations_watchers() {
        let live = Live::default();
        let mut one = live.watch(1);
        let mut two = live.watch(2);
        live.changed(1);
        tokio::time::timeout(std::time::Duration::from_secs(1), one.changed()).await.expect("woken").expect("open");
        assert_eq!(*one.borrow_and_update(), 1);
        assert!(!two.has_changed().expect("open"));
        live.changed(2);
        live.changed(2);
        two.changed().await.expect("open");
        assert_eq!(*two.borrow(), 2);
        assert_eq!(live.version(2), 2);
    }

    #[test]
    fn tallies_are_empty_before_any_analysis() {
        assert!(Live::default().tallies(7).is_empty());
    }

    #[test]
    fn two_camps_make_extreme_statements_and_a_shared_one_mild() {
        use heard_store::deliberation::VoteData;
        // Twenty attendees, half agreeing with statements 0-3 and disagreeing with 4-7, half the
        // reverse; everyone agrees with statement 8.
        let mut data = VoteData {
            attendees: (0..20).map(|i| (100 + i, Some(DeclaredKind::Carer))).collect(),
            statements: (0..9).map(|s| 500 + s).collect(),
            votes: Vec::new(),
        };
        for p in 0..20u32 {
            for s in 0..8u32 {
                let agree = (p < 10) == (s < 4);
                data.votes.push((p, s, if agree { Stance::Agree } else { Stance::Disagree }));
            }
            data.votes.push((p, 8, Stance::Agree));
        }
        let opinion = Opinion::of(&data);
        assert_eq!(opinion.groups.groups, 2);
        assert_eq!(opinion.groups.sizes(), vec![10, 10]);
        assert!(opinion.extremity[8] < 1e-6, "no one differs on the shared statement: {}", opinion.extremity[8]);
        assert!(opinion.extremity[0] > 0.5, "{}", opinion.extremity[0]);
        assert_eq!(opinion.voters_by_kind[kind_index(DeclaredKind::Carer)], 20);
    }
}
