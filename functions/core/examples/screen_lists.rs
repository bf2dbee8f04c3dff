//! Cold start of screening from a lists folder, as `compliance screen --lists DIR NAME` does
//! it, for measuring wall time and peak memory with and without the saved index:
//!
//! `cargo run --release -p compliance-core --example screen_lists -- DIR NAME [--parse]`
//!
//! `--parse` ignores `index.bin` (parse the files and build the index).

use std::path::PathBuf;
use std::time::Instant;

use compliance_core::screening::score::DEFAULT_THRESHOLD;
use compliance_core::screening::{lists, saved, Query, Screener};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(name)) = (args.first(), args.get(1)) else {
        return Err("usage: screen_lists DIR NAME [--parse]".into());
    };
    let dir = PathBuf::from(dir);
    let start = Instant::now();
    let (screener, how) = if args.iter().any(|a| a == "--parse") {
        (
            Screener::new(lists::load_dir(&dir)?),
            "parsed and built".to_string(),
        )
    } else {
        let (screener, used) = saved::load_dir_with_index(&dir)?;
        (screener, format!("{used:?}"))
    };
    let loaded = start.elapsed();
    let hits = screener.screen(&Query::name(name.as_str()), DEFAULT_THRESHOLD);
    println!(
        "{how}: {} names indexed, loaded in {:.1} ms; {} hits",
        screener.indexed_names(),
        loaded.as_secs_f64() * 1000.0,
        hits.len()
    );
    Ok(())
}
