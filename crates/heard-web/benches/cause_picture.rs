//! The cause map's picture: `cargo bench -p heard-web --bench cause_picture`.
//!
//! Times, on `heard_analysis::causes::synthetic_map(500, 2000, 2026)`, the analysis, the layout and
//! the SVG together (what the map page does for its picture), and the layout and the SVG alone.
//! Prints every run and, per measurement, the median and the spread
//! (min-max) in milliseconds. `HEARD_BENCH_RUNS` sets the runs (default 11). Without `--bench`
//! (under `cargo test --benches`) it runs once on a map of 100 factors.

use std::hint::black_box;
use std::time::Instant;

use heard_analysis::causes::layout::layout;
use heard_analysis::causes::{Limits, analyse, synthetic_map};
use heard_web::bench::{FactorMark, Highlight, Picture, svg};

/// Runs `work` `runs` times; prints each run and the median and spread, in milliseconds.
fn time_runs(what: &str, runs: usize, mut work: impl FnMut() -> String) {
    let mut times = Vec::with_capacity(runs);
    let mut note = String::new();
    for _ in 0..runs {
        let started = Instant::now();
        note = work();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let listed: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{what}: median {:.1} ms, min-max {:.1}-{:.1} ms over {runs} runs; {note}\n  runs: {}",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        listed.join(" ")
    );
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = if quick {
        1
    } else {
        std::env::var("HEARD_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(11usize).max(1)
    };
    let map = if quick { synthetic_map(100, 400, 2026) } else { synthetic_map(500, 2000, 2026) };
    println!("map: {} factors, {} arrows", map.factors.len(), map.arrows.len());
    let hrefs: Vec<String> =
        (0..map.factors.len()).map(|i| format!("/programmes/p/cause-maps/1/factors/{i}")).collect();
    let tags = vec!["access".to_owned()];
    let marks: Vec<FactorMark> = hrefs
        .iter()
        .enumerate()
        .map(|(i, href)| FactorMark {
            href,
            insights: i % 4,
            participants: i % 9,
            tags: if i % 7 == 0 { &tags } else { &[] },
        })
        .collect();
    let highlight = Highlight { loops: true, root_causes: true };

    time_runs("analysis, layout and SVG", runs, || {
        let analysis = analyse(black_box(&map), Limits::default());
        let laid = layout(&map, &[]);
        let drawn = svg(&Picture {
            title: "Synthetic",
            map: &map,
            layout: &laid,
            analysis: &analysis,
            marks: &marks,
            highlight,
        });
        format!("{} bytes of SVG", black_box(drawn).len())
    });
    let analysis = analyse(&map, Limits::default());
    time_runs("layout and SVG", runs, || {
        let laid = layout(black_box(&map), &[]);
        let drawn = svg(&Picture {
            title: "Synthetic",
            map: &map,
            layout: &laid,
            analysis: &analysis,
            marks: &marks,
            highlight,
        });
        format!("{} bytes of SVG", black_box(drawn).len())
    });
}
