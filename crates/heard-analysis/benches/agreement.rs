//! The coding area's two sweeps on a long source: `cargo bench -p heard-analysis --bench agreement`.
//!
//! Agreement: one 300,000-character source (about a 50,000-word transcript) coded by two coders
//! with 1,000 codings each across 50 codes, the second coder's spans near the first's with moved
//! boundaries, some missed and some extra. Carrying codings: 2,000 spans of a text as long, after
//! 5 and after 100 small corrections scattered through it, and after another text is pasted over
//! it. Prints the median, fastest and slowest run of each. A plain timing loop, as
//! benches/redaction.rs explains.
//! `HEARD_BENCH_RUNS` sets the runs (default 15).

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::coding::agreement::{Coding, agreement};
use heard_analysis::coding::versions::carry;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CHARS: usize = 300_000;
const CODES: i64 = 50;
const CODINGS_EACH: usize = 1_000;

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and one run shows it works.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick {
        1
    } else {
        std::env::var("HEARD_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(15).max(1)
    };
    let mut rng = StdRng::seed_from_u64(2024);

    let codings = two_coders(&mut rng);
    let first = agreement(&codings, &[(1, CHARS)]);
    println!(
        "agreement: {} characters, {} codings, {} codes; alpha {:.3}, {} disagreements",
        CHARS,
        codings.len(),
        first.codes.len(),
        first.alpha.unwrap_or(f64::NAN),
        first.disagreements.len()
    );
    report("agreement", runs, || {
        black_box(agreement(black_box(&codings), &[(1, CHARS)]));
    });

    let old = text(&mut rng);
    let spans: Vec<(usize, usize)> = (0..2_000)
        .map(|_| {
            let start = rng.random_range(0..CHARS - 2_000);
            (start, start + rng.random_range(20..2_000))
        })
        .collect();
    for edits in [5, 100] {
        let new = corrected(&old, edits, &mut rng);
        let kept = carry(&old, &new, &spans).iter().flatten().count();
        println!("carry: {edits} corrections, {} of {} spans carried", kept, spans.len());
        report(&format!("carry ({edits} corrections)"), runs, || {
            black_box(carry(black_box(&old), black_box(&new), &spans));
        });
    }
    // The worst case: another text of the same words pasted over, where the diff's deadline stops
    // the search.
    let other = text(&mut rng);
    let kept = carry(&old, &other, &spans).iter().flatten().count();
    println!("carry: a different text, {} of {} spans carried", kept, spans.len());
    report("carry (a different text)", runs.min(3), || {
        black_box(carry(black_box(&old), black_box(&other), &spans));
    });
}

fn report(name: &str, runs: usize, mut work: impl FnMut()) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.2} ms, min {:.2} ms, max {:.2} ms over {runs} runs",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

/// Coder 1's codings at random; coder 2 finds 85% of them with each boundary moved by up to 40
/// characters, and adds 15% of their own.
fn two_coders(rng: &mut StdRng) -> Vec<Coding> {
    let mut codings = Vec::with_capacity(2 * CODINGS_EACH);
    for _ in 0..CODINGS_EACH {
        let code = rng.random_range(1..=CODES);
        let start = rng.random_range(0..CHARS - 3_000);
        let end = start + rng.random_range(50..2_000);
        codings.push(Coding { source: 1, coder: 1, code, start, end });
        let (start, end) = if rng.random_bool(0.85) {
            let start = (start + rng.random_range(0..80)).saturating_sub(40);
            (start, (end + rng.random_range(0..80) - 40).max(start + 1))
        } else {
            let start = rng.random_range(0..CHARS - 3_000);
            (start, start + rng.random_range(50..2_000))
        };
        codings.push(Coding { source: 1, coder: 2, code, start, end });
    }
    codings
}

fn text(rng: &mut StdRng) -> String {
    const WORDS: [&str; 12] =
        ["we", "waited", "eleven", "weeks", "for", "a", "visit", "and", "the", "crèche", "was", "kind"];
    let mut text = String::with_capacity(CHARS + 16);
    while text.chars().count() < CHARS {
        text.push_str(WORDS[rng.random_range(0..WORDS.len())]);
        text.push(if rng.random_bool(0.05) { '\n' } else { ' ' });
    }
    text.chars().take(CHARS).collect()
}

/// `edits` corrections of a few characters each, anywhere in the text.
fn corrected(old: &str, edits: usize, rng: &mut StdRng) -> String {
    let mut chars: Vec<char> = old.chars().collect();
    for _ in 0..edits {
        let at = rng.random_range(0..chars.len() - 10);
        let remove = rng.random_range(0..6);
        chars.splice(at..at + remove, "fixed".chars().take(rng.random_range(0..6)));
    }
    chars.into_iter().collect()
}
