//! Triggers per second: the engine replaying every conformance vector in process (MemoryWorld)
//! and over HTTP (the JSON-RPC client against the wiremock mock on loopback).
//!
//! `cargo bench --bench http` (release). Targets on a 2-core machine: in-process ≥ 100,000
//! triggers/s, HTTP ≥ 1,000 triggers/s. Prints the median of several timed rounds.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use infobackup::engine::{Profile, ProfileConfig, replay_in_memory};
use infobackup::jeeapi::{HttpReplayOptions, HttpReplayer, JeedomMock};
use infobackup::world::Timeline;

fn corpus() -> Vec<Arc<Timeline>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/conformance")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
            Arc::new(serde_json::from_value(v["case"].clone()).expect("case"))
        })
        .collect()
}

/// Runs `round` (which replays the corpus once and returns the triggers it ran) until `budget`
/// is spent, in `rounds` timed rounds; returns the median triggers per second.
fn measure(rounds: usize, budget: Duration, mut round: impl FnMut() -> usize) -> f64 {
    round(); // warm-up
    let mut rates = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut triggers = 0;
        while start.elapsed() < budget {
            triggers += round();
        }
        rates.push(triggers as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn main() {
    let corpus = corpus();
    let triggers_per_pass: usize = corpus.iter().map(|t| t.steps.len()).sum();
    let config = ProfileConfig::builtin(Profile::V2024_08);
    println!("corpus: {} vectors, {triggers_per_pass} triggers per pass, profile {}", corpus.len(), config.name());

    let in_process = measure(5, Duration::from_millis(400), || {
        for t in &corpus {
            black_box(replay_in_memory(t, &config).expect("replay"));
        }
        triggers_per_pass
    });
    println!("in-process (MemoryWorld):          {in_process:>12.0} triggers/s");

    let tz_lookups = measure(3, Duration::from_millis(200), || {
        for t in &corpus {
            black_box(t.time_zone().expect("tz"));
        }
        corpus.len()
    });
    println!("  of which Timeline::time_zone():  {:>12.2} µs per replay", 1e6 / tz_lookups);

    let mock = JeedomMock::start_blocking(0).expect("mock");
    {
        let session = mock.register(corpus[0].clone(), Default::default()).expect("session");
        let mut c = infobackup::jeeapi::Client::new(session.client_config()).expect("client");
        let calls = measure(3, Duration::from_millis(300), || {
            black_box(c.version_text().expect("version"));
            1
        });
        println!("JSON-RPC round trip (version):     {:>12.1} µs", 1e6 / calls);
    }
    let served_before = mock.served();
    let one_pass = || {
        let replayer = HttpReplayer::new(&mock, HttpReplayOptions::default());
        for t in &corpus {
            black_box(replayer.replay(t, &config).expect("replay over HTTP"));
        }
        triggers_per_pass
    };
    let http = measure(5, Duration::from_millis(1000), one_pass);
    let requests_per_trigger = {
        let before = mock.served();
        one_pass();
        (mock.served() - before) as f64 / triggers_per_pass as f64
    };
    println!(
        "HTTP, 1 client thread:             {http:>12.0} triggers/s ({requests_per_trigger:.1} JSON-RPC calls per trigger)"
    );

    let http2 = measure(5, Duration::from_millis(1000), || {
        std::thread::scope(|s| {
            let a = s.spawn(one_pass);
            let b = s.spawn(one_pass);
            a.join().expect("thread") + b.join().expect("thread")
        })
    });
    println!("HTTP, 2 client threads, 1 server:  {http2:>12.0} triggers/s");
    assert!(mock.served() > served_before);
    assert_eq!(mock.strays(), vec![], "stray requests during the benchmark");
    println!(
        "targets: in-process >= 100000 ({}), HTTP >= 1000 ({})",
        if in_process >= 100_000.0 { "met" } else { "MISSED" },
        if http >= 1_000.0 { "met" } else { "MISSED" }
    );
}
