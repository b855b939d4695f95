//! The results file: one JSON object per figure, `{part, tool, metric, case, run, value, unit}`, as
//! `bench/peers/common.py` writes them; run 0 is a figure measured once (quality), runs from 1 are
//! repeated timings.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// One figure.
pub struct Figure<'a> {
    pub part: &'a str,
    pub tool: &'a str,
    pub metric: &'a str,
    pub case: &'a str,
    pub run: usize,
    pub value: f64,
    pub unit: &'a str,
}

/// Appends figures to the results file, and prints each so a run can be followed.
pub fn append(path: &Path, figures: &[Figure<'_>]) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("could not open {}", path.display()))?;
    for f in figures {
        anyhow::ensure!(f.value.is_finite(), "{} {} {} {}: not a number", f.part, f.tool, f.metric, f.case);
        let line = serde_json::json!({
            "part": f.part, "tool": f.tool, "metric": f.metric, "case": f.case,
            "run": f.run, "value": f.value, "unit": f.unit,
        });
        writeln!(file, "{line}")?;
        println!(
            "  {} {} {}{}: {:.4} {} (run {})",
            f.part,
            f.tool,
            f.metric,
            case_note(f.case),
            f.value,
            f.unit,
            f.run
        );
    }
    Ok(())
}

fn case_note(case: &str) -> String {
    if case.is_empty() { String::new() } else { format!(" [{case}]") }
}

/// Peak resident memory of this process so far (Linux's VmHWM), in MiB.
pub fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line[6..].trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib / 1024.0)
}

/// Writes `lines` (already JSON) to `path`, one a line.
pub fn write_lines(path: &Path, lines: impl IntoIterator<Item = serde_json::Value>) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("could not create {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    for line in lines {
        writeln!(writer, "{line}")?;
    }
    writer.flush()?;
    Ok(())
}
