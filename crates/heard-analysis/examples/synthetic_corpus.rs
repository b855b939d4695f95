//! Writes synthetic sources as files, one a file, to seed a fuzz corpus or to try `heard redact`:
//! `cargo run -p heard-analysis --example synthetic_corpus -- DIR [COUNT] [SEED]`.

use std::path::PathBuf;

use heard_analysis::voice::synthetic::Generator;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: synthetic_corpus DIR [COUNT] [SEED]");
        std::process::exit(2);
    };
    let count = args.next().and_then(|c| c.parse().ok()).unwrap_or(100);
    let seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    std::fs::create_dir_all(&dir)?;
    for (i, sample) in Generator::new(seed).take(count).enumerate() {
        std::fs::write(dir.join(format!("synthetic-{i:05}.txt")), sample.text)?;
    }
    Ok(())
}
