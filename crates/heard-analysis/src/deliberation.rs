//! Opinion groups of a deliberation, after Pol.is (compdemocracy/polis, `math/src/polismath`):
//! votes become a sparse matrix, two principal components place each participant on a map, k-means
//! finds about 100 base clusters and then, over their centres, 2 to 5 opinion groups chosen by
//! silhouette; each group's representative statements, what all groups agree on and what divides
//! them follow from vote counts. Votes stay sparse; the dense work is in flat vectors.

pub mod clusters;
pub mod next;
pub mod pca;
pub mod prioritise;
pub mod questionnaire;
pub mod repness;
pub mod synthetic;

pub use clusters::adjusted_rand_index;
pub use repness::{Across, Direction, Representative};

/// A participant's choice on a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Agree,
    Disagree,
    Pass,
}

impl Choice {
    /// Pol.is's coding: agree 1, disagree -1, pass 0.
    pub fn value(self) -> f64 {
        match self {
            Choice::Agree => 1.0,
            Choice::Disagree => -1.0,
            Choice::Pass => 0.0,
        }
    }
}

/// One vote: participant and statement are indices from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    pub participant: u32,
    pub statement: u32,
    pub choice: Choice,
}

/// Votes by participant (compressed rows): one vote per participant and statement.
#[derive(Debug, Clone)]
pub struct VoteMatrix {
    participants: usize,
    statements: usize,
    offsets: Vec<usize>,
    statement: Vec<u32>,
    choice: Vec<Choice>,
}

impl VoteMatrix {
    /// Where a participant voted more than once on a statement, the vote later in `votes` counts.
    ///
    /// # Panics
    /// If a vote names a participant or statement outside the sizes given (a caller's bug: input is
    /// checked where it is parsed).
    pub fn new(participants: usize, statements: usize, votes: Vec<Vote>) -> VoteMatrix {
        // Votes bucketed by participant in the order cast (a counting sort), each as one key of its
        // statement and how late it was cast; then each participant's few keys sorted, so the
        // latest vote on a statement comes first and is the one kept. Votes already in statement
        // order, one per statement (an export read back, a matrix written out), need no sort.
        assert!(votes.len() < u32::MAX as usize, "too many votes for the matrix");
        let mut start = vec![0usize; participants + 1];
        for v in &votes {
            assert!(
                (v.participant as usize) < participants && (v.statement as usize) < statements,
                "vote outside the matrix"
            );
            start[v.participant as usize + 1] += 1;
        }
        for p in 0..participants {
            start[p + 1] += start[p];
        }
        let key = |i: usize, v: &Vote| (u64::from(v.statement) << 32) | u64::from(u32::MAX - i as u32);
        let mut next = start.clone();
        let mut keys = vec![0u64; votes.len()];
        for (i, v) in votes.iter().enumerate() {
            keys[next[v.participant as usize]] = key(i, v);
            next[v.participant as usize] += 1;
        }
        let mut offsets = Vec::with_capacity(participants + 1);
        offsets.push(0);
        let mut statement = Vec::with_capacity(votes.len());
        let mut choice = Vec::with_capacity(votes.len());
        for p in 0..participants {
            let own = &mut keys[start[p]..start[p + 1]];
            if !own.windows(2).all(|pair| pair[0] >> 32 < pair[1] >> 32) {
                own.sort_unstable();
            }
            let mut last = None;
            for &k in own.iter() {
                let vote = &votes[(u32::MAX - k as u32) as usize];
                if last != Some(vote.statement) {
                    last = Some(vote.statement);
                    statement.push(vote.statement);
                    choice.push(vote.choice);
                }
            }
            offsets.push(statement.len());
        }
        VoteMatrix { participants, statements, offsets, statement, choice }
    }

    pub fn participants(&self) -> usize {
        self.participants
    }

    pub fn statements(&self) -> usize {
        self.statements
    }

    /// Votes cast, one per participant and statement.
    pub fn len(&self) -> usize {
        self.statement.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statement.is_empty()
    }

    /// A participant's votes, by statement in increasing order.
    pub fn row(&self, participant: usize) -> impl Iterator<Item = (usize, Choice)> + '_ {
        let range = self.offsets[participant]..self.offsets[participant + 1];
        self.statement[range.clone()].iter().zip(&self.choice[range]).map(|(&s, &c)| (s as usize, c))
    }

    pub fn votes_of(&self, participant: usize) -> usize {
        self.offsets[participant + 1] - self.offsets[participant]
    }
}

/// The constants of the method. The defaults are Pol.is's.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// A participant counts once they have voted on at least this many statements (or on all).
    pub min_votes: usize,
    /// How many base clusters k-means looks for first.
    pub base_clusters: usize,
    /// The most opinion groups (the fewest is 2).
    pub max_groups: usize,
    /// Representative statements kept per group.
    pub representatives: usize,
    /// Seeds the power iteration's start and k-means++.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { min_votes: 7, base_clusters: 100, max_groups: 5, representatives: 5, seed: 2024 }
    }
}

/// The analysis of a deliberation's votes.
#[derive(Debug, Clone)]
pub struct OpinionGroups {
    /// Participants counted in, in increasing order; the vectors below follow this order.
    pub counted: Vec<usize>,
    /// Each counted participant's place on the map (first and second component).
    pub projection: Vec<[f64; 2]>,
    /// The two principal components, one weight per statement.
    pub components: [Vec<f64>; 2],
    /// Each counted participant's base cluster.
    pub base_cluster: Vec<usize>,
    /// Each counted participant's opinion group, 0 the largest.
    pub group: Vec<usize>,
    /// The number of groups: 1 when too few participants are counted to split them, 0 when none are.
    pub groups: usize,
    /// The silhouette of the chosen grouping, over the base clusters.
    pub silhouette: f64,
    /// Each group's representative statements, most representative first.
    pub representative: Vec<Vec<Representative>>,
    /// Every statement's figures across the groups.
    pub across: Vec<Across>,
}

impl OpinionGroups {
    /// Each group's size.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.groups];
        for &g in &self.group {
            sizes[g] += 1;
        }
        sizes
    }

    /// Statements all groups agree on, most agreed first (Pol.is's group-aware consensus).
    pub fn consensus(&self, limit: usize) -> Vec<&Across> {
        repness::top(&self.across, limit, |a| a.consensus)
    }

    /// Statements that divide the groups most: the widest spread of agreement between groups.
    pub fn divisive(&self, limit: usize) -> Vec<&Across> {
        repness::top(&self.across, limit, |a| a.spread)
    }
}

/// Beyond Pol.is: each statement's agreement, consensus and spread across the kinds attendees
/// declared (service users, carers, practitioners...), so the room sees where they see things
/// alike and apart. `kind_of` gives each participant's kind, `None` where none was declared; for
/// what sets one kind apart, [`repness::representatives`] takes the same grouping's counts.
pub fn across_kinds(votes: &VoteMatrix, kind_of: &[Option<usize>], kinds: usize) -> Vec<Across> {
    repness::across(&repness::Counts::new(votes, kind_of, kinds))
}

/// Silhouettes closer than this count as tied, and the fewer groups win.
const SILHOUETTE_TIE: f64 = 0.01;

/// Finds opinion groups. Deterministic for given votes and settings.
pub fn analyse(votes: &VoteMatrix, settings: &Settings) -> OpinionGroups {
    let needed = settings.min_votes.min(votes.statements()).max(1);
    let counted: Vec<usize> = (0..votes.participants()).filter(|&p| votes.votes_of(p) >= needed).collect();
    let pca = pca::Pca::fit(votes, &counted, settings.seed);
    let projection: Vec<[f64; 2]> = counted.iter().map(|&p| pca.project(votes, p)).collect();
    let points: Vec<f64> = projection.iter().flatten().copied().collect();

    let base = clusters::kmeans(&points, None, settings.base_clusters, settings.seed);
    let base_weights = base.sizes();
    let max_groups = settings.max_groups.min(2 + base.k() / 12);
    let distances = clusters::Distances::new(&base.centres);
    let mut candidates: Vec<(f64, clusters::Clustering)> = Vec::new();
    for k in 2..=max_groups {
        if base.k() < k {
            break;
        }
        candidates.push(clusters::kmeans_by_silhouette(&distances, Some(&base_weights), k, settings.seed));
    }
    // The fewest groups whose silhouette is within a hair of the best: a near tie is noise, and
    // Pol.is's own choice (a k must win several updates running) leans the same way.
    let highest = candidates.iter().map(|(s, _)| *s).fold(f64::NEG_INFINITY, f64::max);
    let best = candidates.into_iter().find(|(s, _)| *s >= highest - SILHOUETTE_TIE);
    let (silhouette, group_of_base, groups) = match best {
        Some((s, grouping)) => (s, grouping.member.clone(), grouping.k()),
        None => (0.0, vec![0; base.k()], usize::from(!counted.is_empty())),
    };
    // Groups numbered by size, largest first; ties by their first member.
    let mut group: Vec<usize> = base.member.iter().map(|&b| group_of_base[b]).collect();
    let mut sizes = vec![0usize; groups];
    for &g in &group {
        sizes[g] += 1;
    }
    let mut order: Vec<usize> = (0..groups).collect();
    let first = |g: usize| group.iter().position(|&x| x == g).unwrap_or(usize::MAX);
    order.sort_by_key(|&g| (std::cmp::Reverse(sizes[g]), first(g)));
    let mut rename = vec![0; groups];
    for (new, &old) in order.iter().enumerate() {
        rename[old] = new;
    }
    for g in &mut group {
        *g = rename[*g];
    }

    let mut group_of = vec![None; votes.participants()];
    for (&p, &g) in counted.iter().zip(&group) {
        group_of[p] = Some(g);
    }
    let counts = repness::Counts::new(votes, &group_of, groups);
    let representative = if groups >= 2 {
        repness::representatives(&counts, settings.representatives)
    } else {
        vec![Vec::new(); groups]
    };
    let across = repness::across(&counts);
    OpinionGroups {
        counted,
        projection,
        components: pca.components,
        base_cluster: base.member,
        group,
        groups,
        silhouette,
        representative,
        across,
    }
}

#[cfg(test)]
mod tests;
