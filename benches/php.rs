//! The cost of a `php:` profile next to the Rust profile of the same revision: every recorded
//! case of `scenarios/` (all the triggers of the corpus) and every conformance vector, replayed
//! in process with `v2024-08` and with `php:` of the published 2024-08 template.
//!
//! ```sh
//! INFOBACKUP_PUBLISHED=../shared/published cargo bench --bench php
//! ```
//!
//! The first php pass includes starting php (one process for the whole run); the figures are
//! the median and best of `INFOBACKUP_BENCH_REPS` (default 5) later passes. Figures go in
//! BENCHMARKS.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use infobackup::case::{Case, Overrides, ProfileRef, Resolved};
use infobackup::conformance;
use infobackup::engine::{self, ProfileConfig};
use infobackup::report::run;
use infobackup::world::Timeline;

fn pass(timelines: &[(Timeline, ProfileConfig)]) -> (Duration, usize) {
    let t = Instant::now();
    let mut triggers = 0;
    for (tl, c) in timelines {
        triggers += engine::replay_in_memory(tl, c).expect("replay").steps.len();
    }
    (t.elapsed(), triggers)
}

fn measure(name: &str, timelines: &[(Timeline, ProfileConfig)], reps: usize) {
    let (first, triggers) = pass(timelines);
    let mut times: Vec<Duration> = (0..reps).map(|_| pass(timelines).0).collect();
    times.sort();
    let median = times[times.len() / 2];
    let per = |d: Duration| d.as_secs_f64() * 1e6 / triggers as f64;
    println!(
        "{name:<40} {triggers:>4} triggers  first pass {:>8.1} ms  median {:>8.2} ms ({:>7.1} µs/trigger)  best {:>8.2} ms ({:>7.1} µs/trigger)",
        first.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        per(median),
        times[0].as_secs_f64() * 1e3,
        per(times[0])
    );
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(published) = std::env::var_os("INFOBACKUP_PUBLISHED").map(|p| root.join(p)) else {
        println!("skipped: INFOBACKUP_PUBLISHED is not set (the published templates)");
        return;
    };
    let reps: usize = std::env::var("INFOBACKUP_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let template = published.join("info-backup-v2024-08.json");
    let php_ref = ProfileRef::Php {
        name: format!("php:{}", template.display()),
        path: template.clone(),
    };
    let rust_ref = ProfileRef::Builtin("v2024-08".into());
    let cases: Vec<Resolved> = infobackup::case::corpus_dirs(&root.join("scenarios"))
        .expect("scenarios/")
        .iter()
        .map(|d| {
            Case::load(d)
                .and_then(|c| c.resolve(&Overrides::default()))
                .expect("a case")
        })
        .collect();
    let with = |r: &ProfileRef| -> Vec<(Timeline, ProfileConfig)> {
        cases
            .iter()
            .map(|c| (c.timeline.clone(), run::config_for(c, r).expect("a profile")))
            .collect()
    };
    println!("corpus: {} cases of scenarios/", cases.len());
    measure("scenarios/ with v2024-08 (Rust)", &with(&rust_ref), reps);
    measure("scenarios/ with php:…v2024-08.json", &with(&php_ref), reps);

    let files = conformance::collect(&[root.join("tests/data/conformance")]).expect("vectors");
    let vectors: Vec<Timeline> = files
        .iter()
        .map(|f| conformance::load(f).expect("a vector").case)
        .collect();
    let php = infobackup::phprun::profile(Path::new(&template)).expect("php");
    let rust = ProfileConfig::builtin(engine::Profile::V2024_08);
    let v = |c: &ProfileConfig| vectors.iter().map(|t| (t.clone(), c.clone())).collect::<Vec<_>>();
    println!("vectors: {}", vectors.len());
    measure("vectors with v2024-08 (Rust)", &v(&rust), reps);
    measure("vectors with php:…v2024-08.json", &v(&php), reps);
}
