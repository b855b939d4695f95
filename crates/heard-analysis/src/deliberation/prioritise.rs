//! Prioritising propositions at a Deliberation Day: pairwise choices ("which of these two matters
//! more?") scored as All Our Ideas scores them and fitted with a Bradley-Terry model with 95%
//! intervals, dot votes counted, each overall and by attendee kind; and the next pair to show.
//!
//! References: M. J. Salganik and K. E. C. Levy (2015), "Wiki Surveys: Open and Quantifiable Social
//! Data Collection", PLoS ONE 10(5): e0123483 (All Our Ideas; its score as the deployed site
//! computes it, `(wins + 1) / (wins + losses + 2) × 100` in allourideas' pairwise-api `Choice`);
//! D. R. Hunter (2004), "MM algorithms for generalized Bradley-Terry models", Annals of Statistics
//! 32(1), 384-406 (the fitting algorithm); F. Caron and A. Doucet (2012), "Efficient Bayesian
//! inference for generalized Bradley-Terry models", JCGS 21(1) (why a prior keeps it finite).

use std::collections::BTreeMap;

use serde::Serialize;

/// Virtual games each item plays against a reference item of strength 1: half won, half lost. Weak
/// (one game), so a few real choices outweigh it, but an item that always wins (or never does)
/// keeps a finite strength and an interval, and items never compared with each other share a scale.
pub const PRIOR_GAMES: f64 = 1.0;

/// z for a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// What an attendee answered when shown two items, `left` and `right` (indices of items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Pick {
    Left,
    Right,
    /// "I can't decide": counted as shown, never as a win or a loss.
    CantDecide,
}

/// One pairwise choice by an attendee of kind `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Choice<K> {
    pub left: usize,
    pub right: usize,
    pub pick: Pick,
    pub kind: K,
}

impl<K> Choice<K> {
    /// `(winner, loser)` when the attendee decided and the pair is two different items below `items`.
    fn decided(&self, items: usize) -> Option<(usize, usize)> {
        if self.left == self.right || self.left >= items || self.right >= items {
            return None;
        }
        match self.pick {
            Pick::Left => Some((self.left, self.right)),
            Pick::Right => Some((self.right, self.left)),
            Pick::CantDecide => None,
        }
    }
}

/// One item's standing from pairwise choices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    pub item: usize,
    pub wins: u32,
    pub losses: u32,
    /// All Our Ideas' score, 0 to 100: `(wins + 1) / (wins + losses + 2) × 100`, the estimated
    /// chance the item wins against a randomly chosen other item (pairs being shown at random);
    /// 50 for an item not yet compared.
    pub score: f64,
    /// Bradley-Terry strength γ, scaled so the geometric mean over the items is 1: the odds of
    /// beating an item of average strength are γ to 1.
    pub strength: f64,
    /// 95% interval of `strength`: Wald on the log scale from the observed information.
    pub low: f64,
    pub high: f64,
    /// Standard error of ln(strength).
    pub log_se: f64,
    /// From the fit, the chance (0 to 100) of beating another item chosen at random: the mean over
    /// the other items of γᵢ / (γᵢ + γⱼ). `None` when there is no other item.
    pub chance: Option<f64>,
    /// 1 for the strongest; items of equal strength share a rank.
    pub rank: usize,
}

/// Pairwise results over one set of choices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pairwise {
    /// One per item, in item order.
    pub items: Vec<Standing>,
    /// Item indices, strongest first (ties by index).
    pub ranking: Vec<usize>,
    /// Choices with a winner.
    pub decided: usize,
    /// "Can't decide" answers.
    pub undecided: usize,
    /// Choices naming an item out of range or the same item twice, left out.
    pub ignored: usize,
}

/// Pairwise results for everyone and for each attendee kind that made a choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairwiseResults<K: Ord> {
    pub all: Pairwise,
    pub by_kind: BTreeMap<K, Pairwise>,
}

/// Scores and fits `items` items from `choices`, overall and by kind, with [`PRIOR_GAMES`].
pub fn prioritise<K: Ord + Clone>(items: usize, choices: &[Choice<K>]) -> PairwiseResults<K> {
    let all = pairwise(items, choices.iter());
    let mut kinds: BTreeMap<K, Vec<&Choice<K>>> = BTreeMap::new();
    for c in choices {
        kinds.entry(c.kind.clone()).or_default().push(c);
    }
    let by_kind = kinds.into_iter().map(|(k, cs)| (k, pairwise(items, cs.into_iter()))).collect();
    PairwiseResults { all, by_kind }
}

fn pairwise<'a, K: 'a>(items: usize, choices: impl Iterator<Item = &'a Choice<K>>) -> Pairwise {
    let (mut decided, mut undecided, mut ignored) = (Vec::new(), 0, 0);
    for c in choices {
        match c.decided(items) {
            Some(pair) => decided.push(pair),
            None if c.pick == Pick::CantDecide && c.left != c.right && c.left.max(c.right) < items => undecided += 1,
            None => ignored += 1,
        }
    }
    let fit = bradley_terry(items, &decided, PRIOR_GAMES);
    let mut wins = vec![0u32; items];
    let mut losses = vec![0u32; items];
    for &(w, l) in &decided {
        wins[w] += 1;
        losses[l] += 1;
    }
    let mut ranking: Vec<usize> = (0..items).collect();
    ranking.sort_by(|&a, &b| fit[b].log_strength.total_cmp(&fit[a].log_strength).then(a.cmp(&b)));
    let mut ranks = vec![0; items];
    for (pos, &i) in ranking.iter().enumerate() {
        ranks[i] = match pos {
            0 => 1,
            _ if (fit[ranking[pos - 1]].log_strength - fit[i].log_strength).abs() < 1e-9 => ranks[ranking[pos - 1]],
            _ => pos + 1,
        };
    }
    let items_out = (0..items)
        .map(|i| {
            let f = &fit[i];
            let chance = (items > 1).then(|| {
                let sum: f64 = (0..items)
                    .filter(|&j| j != i)
                    .map(|j| 1.0 / (1.0 + (fit[j].log_strength - f.log_strength).exp()))
                    .sum();
                100.0 * sum / (items - 1) as f64
            });
            Standing {
                item: i,
                wins: wins[i],
                losses: losses[i],
                score: aoi_score(wins[i], losses[i]),
                strength: f.log_strength.exp(),
                low: (f.log_strength - Z95 * f.log_se).exp(),
                high: (f.log_strength + Z95 * f.log_se).exp(),
                log_se: f.log_se,
                chance,
                rank: ranks[i],
            }
        })
        .collect();
    Pairwise { items: items_out, ranking, decided: decided.len(), undecided, ignored }
}

/// All Our Ideas' score (Salganik & Levy 2015): the win fraction with one win and one loss added,
/// so an item not yet compared scores 50 and one lucky win does not score 100.
pub fn aoi_score(wins: u32, losses: u32) -> f64 {
    100.0 * (f64::from(wins) + 1.0) / (f64::from(wins) + f64::from(losses) + 2.0)
}

/// One item's fitted log-strength θ = ln γ, against the mean over all items (so the geometric mean
/// strength is 1), and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fitted {
    pub log_strength: f64,
    pub log_se: f64,
}

/// Fits a Bradley-Terry model, P(i beats j) = γᵢ / (γᵢ + γⱼ), to `(winner, loser)` pairs by Hunter's
/// (2004) MM algorithm. Each item also plays `prior_games` (> 0) virtual games against a reference
/// of strength 1, half won and half lost: a weak prior (as a Gamma prior in Caron & Doucet 2012)
/// that keeps every strength finite and fixes the scale, so no item needs pinning.
///
/// The MM step is γᵢ ← (Wᵢ + a/2) / (Σⱼ nᵢⱼ / (γᵢ + γⱼ) + a / (γᵢ + 1)), with Wᵢ the wins, nᵢⱼ
/// the games between i and j and a = `prior_games`; it increases the (penalised) likelihood at
/// every step.
///
/// Standard errors come from the observed information of θ at the fit, inverted (Wald intervals on
/// the log scale, for θᵢ against the items' mean; `exp` keeps them positive): deterministic,
/// cheap at the tens of propositions of a Deliberation Day, and well defined because the virtual
/// games make the matrix positive definite. A bootstrap would need hundreds of refits and, with the
/// handful of choices per pair a room makes, would vary with its seed in the second digit.
pub fn bradley_terry(items: usize, pairs: &[(usize, usize)], prior_games: f64) -> Vec<Fitted> {
    let a = prior_games.max(f64::MIN_POSITIVE);
    let (gamma, games) = mm(items, pairs, a);
    // Observed information of θ = ln γ: for each game between i and j, pᵢⱼ pⱼᵢ on both diagonals
    // and minus it off the diagonal; the virtual games add to the diagonal only.
    let mut info = vec![0.0f64; items * items];
    for i in 0..items {
        let pi0 = gamma[i] / (gamma[i] + 1.0);
        info[i * items + i] += a * pi0 * (1.0 - pi0);
        for j in 0..items {
            let n = games[i * items + j];
            if j != i && n > 0.0 {
                let p = gamma[i] / (gamma[i] + gamma[j]);
                let v = n * p * (1.0 - p);
                info[i * items + i] += v;
                info[i * items + j] -= v;
            }
        }
    }
    // Reported against the room's average item (mean θ = 0), with Var(θᵢ − θ̄) from the covariance:
    // the level against the prior's reference is known only as well as the weak prior allows, so
    // intervals against it would not shrink as choices come in, while these do.
    let cov = inverse(&info, items);
    let n = items as f64;
    let mean = gamma.iter().map(|g| g.ln()).sum::<f64>() / n;
    let row: Vec<f64> = (0..items).map(|i| cov[i * items..(i + 1) * items].iter().sum()).collect();
    let total: f64 = row.iter().sum();
    (0..items)
        .map(|i| {
            let variance = cov[i * items + i] - 2.0 * row[i] / n + total / (n * n);
            Fitted { log_strength: gamma[i].ln() - mean, log_se: variance.max(0.0).sqrt() }
        })
        .collect()
}

/// Hunter's MM iterations with `a` virtual games per item: the strengths γ on the reference's
/// scale, and the games between each pair (row-major).
fn mm(items: usize, pairs: &[(usize, usize)], a: f64) -> (Vec<f64>, Vec<f64>) {
    let mut games = vec![0.0f64; items * items];
    let mut wins = vec![0.0f64; items];
    for &(w, l) in pairs {
        if w == l || w >= items || l >= items {
            continue;
        }
        wins[w] += 1.0;
        games[w * items + l] += 1.0;
        games[l * items + w] += 1.0;
    }
    let mut gamma = vec![1.0f64; items];
    for _ in 0..100_000 {
        let mut change = 0.0f64;
        for i in 0..items {
            let g = gamma[i];
            let mut denominator = a / (g + 1.0);
            for j in 0..items {
                let n = games[i * items + j];
                if n > 0.0 {
                    denominator += n / (g + gamma[j]);
                }
            }
            // Cyclic (Gauss-Seidel) updates, which Hunter notes are also MM and converge faster.
            let next = (wins[i] + a / 2.0) / denominator;
            change = change.max((next.ln() - g.ln()).abs());
            gamma[i] = next;
        }
        if change < 1e-12 {
            break;
        }
    }
    (gamma, games)
}

/// The inverse of a symmetric positive definite `n`×`n` matrix (row-major), by Cholesky
/// factorisation `A = L Lᵀ`, so that `A⁻¹ = L⁻ᵀ L⁻¹`.
fn inverse(a: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = if i == j { s.max(f64::MIN_POSITIVE).sqrt() } else { s / l[j * n + j] };
        }
    }
    // L⁻¹ (lower triangular), column c by forward substitution of L x = e_c.
    let mut li = vec![0.0f64; n * n];
    for c in 0..n {
        for i in c..n {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = rhs - (c..i).map(|k| l[i * n + k] * li[k * n + c]).sum::<f64>();
            li[i * n + c] = s / l[i * n + i];
        }
    }
    let mut out = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v: f64 = (i..n).map(|k| li[k * n + i] * li[k * n + j]).sum();
            out[i * n + j] = v;
            out[j * n + i] = v;
        }
    }
    out
}

/// The next pair to show an attendee: the items compared least so far come first, so every
/// proposition is compared enough early (as All Our Ideas' adaptive choosing favours new ideas).
/// `shown` holds every pair shown so far in the deliberation (any answer), `seen` those this
/// attendee has already answered; a pair they have seen is offered again only when every pair has
/// been. Among pairs alike, `seed` chooses (and which side is left), so the same inputs give the
/// same pair and different attendees' seeds spread them. `None` with fewer than two items.
pub fn next_pair(items: usize, shown: &[(usize, usize)], seen: &[(usize, usize)], seed: u64) -> Option<(usize, usize)> {
    if items < 2 {
        return None;
    }
    let key = |a: usize, b: usize| (a.min(b), a.max(b));
    let mut appearances = vec![0u64; items];
    let mut pair_counts: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    for &(a, b) in shown {
        if a != b && a < items && b < items {
            appearances[a] += 1;
            appearances[b] += 1;
            *pair_counts.entry(key(a, b)).or_default() += 1;
        }
    }
    let seen: std::collections::BTreeSet<(usize, usize)> = seen.iter().map(|&(a, b)| key(a, b)).collect();
    let all_seen = seen.len() >= items * (items - 1) / 2;
    // Pairs not yet seen by this attendee, then the least compared item, then the least compared
    // partner, then the pair least shown, then the seed's draw (whose low bit picks the sides).
    let rank = |&(i, j): &(usize, usize)| {
        let (ai, aj) = (appearances[i], appearances[j]);
        let draw = mix(seed ^ mix(((i as u64) << 32) | j as u64));
        (!all_seen && seen.contains(&(i, j)), ai.min(aj), ai + aj, pair_counts.get(&(i, j)).copied().unwrap_or(0), draw)
    };
    let (i, j) = (0..items).flat_map(|i| (i + 1..items).map(move |j| (i, j))).min_by_key(rank)?;
    Some(if rank(&(i, j)).4 & 1 == 0 { (i, j) } else { (j, i) })
}

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): a fixed, portable mix of 64 bits, so
/// seeded choices stay the same across versions of the `rand` crate.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Dots an attendee of kind `kind` put on an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DotVote<K> {
    pub item: usize,
    pub dots: u32,
    pub kind: K,
}

/// One item's dots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotCount {
    pub item: usize,
    pub dots: u64,
    /// Its share of all dots, 0 to 1 (0 when no dots were placed).
    pub share: f64,
    /// 1 for the most dots; equal counts share a rank.
    pub rank: usize,
}

/// Dot votes over one set of attendees.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotTally {
    /// One per item, in item order.
    pub items: Vec<DotCount>,
    /// Item indices, most dots first (ties by index).
    pub ranking: Vec<usize>,
    pub total: u64,
}

/// Dot votes for everyone and for each attendee kind that voted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DotResults<K: Ord> {
    pub all: DotTally,
    pub by_kind: BTreeMap<K, DotTally>,
}

/// Counts dots per item and their shares, overall and by kind; votes for items out of range are
/// left out.
pub fn dot_votes<K: Ord + Clone>(items: usize, votes: &[DotVote<K>]) -> DotResults<K> {
    let all = tally(items, votes.iter());
    let mut kinds: BTreeMap<K, Vec<&DotVote<K>>> = BTreeMap::new();
    for v in votes {
        kinds.entry(v.kind.clone()).or_default().push(v);
    }
    let by_kind = kinds.into_iter().map(|(k, vs)| (k, tally(items, vs.into_iter()))).collect();
    DotResults { all, by_kind }
}

fn tally<'a, K: 'a>(items: usize, votes: impl Iterator<Item = &'a DotVote<K>>) -> DotTally {
    let mut dots = vec![0u64; items];
    for v in votes {
        if v.item < items {
            dots[v.item] += u64::from(v.dots);
        }
    }
    let total: u64 = dots.iter().sum();
    let mut ranking: Vec<usize> = (0..items).collect();
    ranking.sort_by(|&a, &b| dots[b].cmp(&dots[a]).then(a.cmp(&b)));
    let mut ranks = vec![0; items];
    for (pos, &i) in ranking.iter().enumerate() {
        ranks[i] = if pos > 0 && dots[ranking[pos - 1]] == dots[i] { ranks[ranking[pos - 1]] } else { pos + 1 };
    }
    let items_out = (0..items)
        .map(|i| DotCount {
            item: i,
            dots: dots[i],
            share: if total == 0 { 0.0 } else { dots[i] as f64 / total as f64 },
            rank: ranks[i],
        })
        .collect();
    DotTally { items: items_out, ranking, total }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(left: usize, right: usize, pick: Pick, kind: &'static str) -> Choice<&'static str> {
        Choice { left, right, pick, kind }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn all_our_ideas_scores_a_toy_room() {
        // 0 beats 1 twice, 1 beats 2, 2 beats 0; one "can't decide"; one choice naming no item.
        let choices = [
            choice(0, 1, Pick::Left, "carer"),
            choice(1, 0, Pick::Right, "carer"),
            choice(1, 2, Pick::Left, "service user"),
            choice(0, 2, Pick::Right, "service user"),
            choice(0, 2, Pick::CantDecide, "carer"),
            choice(0, 9, Pick::Left, "carer"),
        ];
        let r = prioritise(4, &choices);
        let scores: Vec<f64> = r.all.items.iter().map(|s| s.score).collect();
        // (2+1)/(3+2), (1+1)/(3+2), (1+1)/(2+2), and 50 for item 3, never compared.
        assert_eq!(scores, vec![60.0, 40.0, 50.0, 50.0]);
        assert_eq!((r.all.decided, r.all.undecided, r.all.ignored), (4, 1, 1));
        assert_eq!((r.all.items[0].wins, r.all.items[0].losses), (2, 1));
        // By kind: carers saw only 0 beat 1 twice.
        let carers = &r.by_kind["carer"];
        assert_eq!((carers.decided, carers.undecided, carers.ignored), (2, 1, 1));
        assert_eq!(carers.items[0].score, 75.0);
        assert_eq!(carers.items[1].score, 25.0);
        assert_eq!(carers.ranking[0], 0);
        assert_eq!(r.by_kind["service user"].decided, 2);
        assert_eq!(aoi_score(0, 0), 50.0);
    }

    #[test]
    fn bradley_terry_matches_the_two_item_maximum_likelihood() {
        // With 3 wins to 1 the MLE odds are 3 to 1: γ₀/γ₁ = 3. A vanishing prior leaves it so.
        let pairs = [(0, 1), (0, 1), (0, 1), (1, 0)];
        let fit = bradley_terry(2, &pairs, 1e-6);
        let odds = (fit[0].log_strength - fit[1].log_strength).exp();
        assert!(close(odds, 3.0, 1e-3), "{odds}");
    }

    #[test]
    fn bradley_terry_in_a_cycle_is_even_with_the_hand_computed_interval() {
        // 0 > 1 > 2 > 0 once each, one virtual game each: by symmetry every γ = 1. The information
        // is 0.75 on the diagonal (2 games × ¼ + 1 virtual × ¼) and −0.25 off it, i.e. I − J/4,
        // whose inverse is I + J; for θ₀ − θ̄, c = (⅔, −⅓, −⅓), cᵀ(I + J)c = |c|² + (Σc)² = ⅔.
        let fit = bradley_terry(3, &[(0, 1), (1, 2), (2, 0)], 1.0);
        for f in &fit {
            assert!(close(f.log_strength, 0.0, 1e-9), "{f:?}");
            assert!(close(f.log_se, (2.0f64 / 3.0).sqrt(), 1e-9), "{f:?}");
        }
        let r = prioritise(
            3,
            &[choice(0, 1, Pick::Left, "x"), choice(1, 2, Pick::Left, "x"), choice(2, 0, Pick::Left, "x")],
        );
        let s = &r.all.items[0];
        assert!(
            close(s.low, (-Z95 * (2.0f64 / 3.0).sqrt()).exp(), 1e-9)
                && close(s.high, (Z95 * (2.0f64 / 3.0).sqrt()).exp(), 1e-9)
        );
        assert_eq!(r.all.items.iter().map(|s| s.rank).collect::<Vec<_>>(), vec![1, 1, 1]);
        assert!(r.all.items.iter().all(|s| close(s.chance.unwrap_or(0.0), 50.0, 1e-9)));
    }

    #[test]
    fn bradley_terry_fit_satisfies_the_likelihood_equations() {
        // At the maximum each item's wins (plus its half of the virtual games) equal its expected
        // wins, the condition Hunter's MM converges to.
        let pairs = [(0, 1), (0, 1), (1, 0), (1, 2), (2, 1), (1, 2), (0, 2), (2, 3), (3, 0), (0, 3)];
        let (gamma, _) = mm(4, &pairs, PRIOR_GAMES);
        for i in 0..4 {
            let wins = pairs.iter().filter(|p| p.0 == i).count() as f64 + PRIOR_GAMES / 2.0;
            let mut expected = PRIOR_GAMES * gamma[i] / (gamma[i] + 1.0);
            for &(w, l) in &pairs {
                if w == i || l == i {
                    let other = if w == i { l } else { w };
                    expected += gamma[i] / (gamma[i] + gamma[other]);
                }
            }
            assert!(close(wins, expected, 1e-8), "item {i}: {wins} vs {expected}");
        }
    }

    #[test]
    fn prioritise_keeps_an_undefeated_item_finite() {
        let ten: Vec<_> = (0..10).map(|_| choice(0, 1, Pick::Left, "x")).collect();
        let r = prioritise(2, &ten);
        let (top, bottom) = (&r.all.items[0], &r.all.items[1]);
        for s in [top, bottom] {
            assert!(s.strength.is_finite() && s.strength > 0.0, "{s:?}");
            assert!(
                s.low.is_finite() && s.high.is_finite() && s.low > 0.0 && s.low < s.strength && s.strength < s.high
            );
        }
        assert!(top.strength > 1.0 && bottom.strength < 1.0);
        assert_eq!(r.all.ranking, vec![0, 1]);
        assert_eq!((top.rank, bottom.rank), (1, 2));
        // More wins, more strength, still finite.
        let twenty: Vec<_> = (0..20).map(|_| choice(0, 1, Pick::Left, "x")).collect();
        let more = prioritise(2, &twenty);
        assert!(more.all.items[0].strength > top.strength && more.all.items[0].strength.is_finite());
    }

    #[test]
    fn prioritise_intervals_shrink_with_more_data() {
        let round = [(0, 1), (0, 1), (1, 0), (1, 2), (1, 2), (2, 1), (0, 2), (0, 2), (2, 0)];
        let mut widths = Vec::new();
        for repeats in [1, 4, 16, 64] {
            let choices: Vec<_> =
                (0..repeats).flat_map(|_| round.iter().map(|&(w, l)| choice(w, l, Pick::Left, "x"))).collect();
            let r = prioritise(3, &choices);
            widths.push(r.all.items[0].high.ln() - r.all.items[0].low.ln());
            assert_eq!(r.all.ranking, vec![0, 1, 2]);
        }
        assert!(widths.windows(2).all(|w| w[1] < w[0]), "{widths:?}");
        // Near 1/√n: 64 times the data, about an eighth of the width (the prior's weight fades).
        assert!(widths[3] < widths[0] / 6.0, "{widths:?}");
    }

    #[test]
    fn prioritise_is_deterministic() {
        let choices: Vec<_> = (0..200)
            .map(|n: u64| {
                let h = mix(n);
                let (a, b) = ((h % 7) as usize, ((h >> 8) % 7) as usize);
                let pick = [Pick::Left, Pick::Right, Pick::CantDecide][((h >> 16) % 3) as usize];
                choice(a, b, pick, ["carer", "practitioner"][((h >> 20) % 2) as usize])
            })
            .collect();
        assert_eq!(prioritise(7, &choices), prioritise(7, &choices));
    }

    #[test]
    fn prioritise_inverse_matches_a_direct_inverse() {
        // [[4, 2], [2, 3]]⁻¹ = [[3, −2], [−2, 4]] / 8.
        let m = inverse(&[4.0, 2.0, 2.0, 3.0], 2);
        let expected = [3.0 / 8.0, -2.0 / 8.0, -2.0 / 8.0, 4.0 / 8.0];
        assert!(m.iter().zip(expected).all(|(a, b)| close(*a, b, 1e-12)), "{m:?}");
    }

    #[test]
    fn next_pair_compares_the_least_compared_first() {
        let items = 7;
        let mut shown = Vec::new();
        for n in 0..60u64 {
            let pair = next_pair(items, &shown, &[], n).expect("seven items make pairs");
            assert_ne!(pair.0, pair.1);
            shown.push(pair);
            let mut appearances = vec![0; items];
            for &(a, b) in &shown {
                appearances[a] += 1;
                appearances[b] += 1;
            }
            let (lo, hi) = (appearances.iter().min(), appearances.iter().max());
            assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "after {} pairs: {appearances:?}", shown.len());
        }
        assert_eq!(next_pair(1, &[], &[], 0), None);
    }

    #[test]
    fn next_pair_avoids_pairs_the_attendee_has_seen_and_is_seeded() {
        // Items 0 and 1 are the least compared, but this attendee has answered that pair.
        let shown = [(2, 3), (2, 3), (0, 2), (1, 3)];
        let pair = next_pair(4, &shown, &[(1, 0)], 5).expect("a pair");
        assert!(pair != (0, 1) && pair != (1, 0), "{pair:?}");
        assert!(pair.0 <= 1 || pair.1 <= 1);
        // Every pair seen: one is offered again rather than none.
        let everything: Vec<_> = (0..4).flat_map(|i| (i + 1..4).map(move |j| (i, j))).collect();
        assert!(next_pair(4, &shown, &everything, 5).is_some());
        // Same inputs, same pair; across seeds, ties are spread over pairs and sides.
        assert_eq!(next_pair(6, &[], &[], 42), next_pair(6, &[], &[], 42));
        let firsts: std::collections::BTreeSet<_> = (0..50).filter_map(|s| next_pair(6, &[], &[], s)).collect();
        assert!(firsts.len() > 5, "{firsts:?}");
    }

    #[test]
    fn prioritise_dot_votes_by_kind() {
        let votes = [
            DotVote { item: 0, dots: 3, kind: "carer" },
            DotVote { item: 1, dots: 1, kind: "carer" },
            DotVote { item: 1, dots: 4, kind: "commissioner" },
            DotVote { item: 2, dots: 2, kind: "commissioner" },
            DotVote { item: 7, dots: 9, kind: "commissioner" },
        ];
        let r = dot_votes(4, &votes);
        assert_eq!(r.all.total, 10);
        assert_eq!(r.all.items.iter().map(|d| d.dots).collect::<Vec<_>>(), vec![3, 5, 2, 0]);
        assert_eq!(r.all.items[1].share, 0.5);
        assert_eq!(r.all.ranking, vec![1, 0, 2, 3]);
        assert_eq!(r.by_kind["carer"].items[0].share, 0.75);
        assert_eq!(r.by_kind["carer"].items.iter().map(|d| d.rank).collect::<Vec<_>>(), vec![1, 2, 3, 3]);
        assert_eq!(r.by_kind["commissioner"].total, 6);
        assert_eq!(dot_votes::<&str>(2, &[]).all.items[0].share, 0.0);
    }
}
