//! Placing 200 signals on the radar and 200 items on the matrix:
//! `cargo bench -p heard-analysis --bench horizon`. A plain timing loop, as benches/redaction.rs
//! explains; prints the median, fastest and slowest of `HEARD_BENCH_RUNS` runs (default 15) of
//! 100 placements each. Cells are filled unevenly (skewed towards the centre and first sectors),
//! and a second case puts all 200 in one cell, which makes the radar grow.

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::horizon::Marker;
use heard_analysis::horizon::{matrix, radar};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick {
        1
    } else {
        std::env::var("HEARD_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(15).max(1)
    };
    let mut rng = StdRng::seed_from_u64(2024);
    let skewed = |rng: &mut StdRng, below: usize| rng.random_range(0..below).min(rng.random_range(0..below));
    let dots: Vec<radar::Dot> = (0..200)
        .map(|_| {
            let cell = radar::Cell { ring: skewed(&mut rng, 3), sector: skewed(&mut rng, 7) };
            radar::Dot { cell, previous: rng.random_bool(0.3).then_some(radar::Cell { ring: 2, ..cell }) }
        })
        .collect();
    let crowded = vec![radar::Dot { cell: radar::Cell { ring: 0, sector: 0 }, previous: None }; 200];
    let items: Vec<matrix::Item> = (0..200)
        .map(|_| matrix::Item { impact: rng.random_range(1..=5), uncertainty: rng.random_range(1..=5) })
        .collect();

    report("radar, 200 signals", runs, || {
        black_box(radar::place(radar::Shape::new(3, 7), black_box(&dots)));
    });
    report("radar, 200 signals in one cell", runs, || {
        black_box(radar::place(radar::Shape::new(3, 7), black_box(&crowded)));
    });
    report("matrix, 200 items", runs, || {
        black_box(matrix::place(Marker::default(), 90.0, black_box(&items)));
    });
}

fn report(name: &str, runs: usize, mut placement: impl FnMut()) {
    const EACH: u32 = 100;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..EACH {
                placement();
            }
            start.elapsed().as_secs_f64() * 1e6 / f64::from(EACH)
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.0} µs a placement (fastest {:.0}, slowest {:.0}; {runs} runs of {EACH})",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}
