//! Redaction and anonymisation on hostile lines (issue #14: a line full of `-U "` took 17.5 s
//! for 248 kB, quadratic): one line of 1 MB of each shape repeated, a mix of them, and, for
//! scale, 1 MB of an ordinary log (the corpus' logs repeated). Every line must redact in under
//! 100 ms per MB (release build); the bench says `OVER` and exits 1 otherwise.
//!
//! ```sh
//! cargo bench --bench redact
//! INFOBACKUP_BENCH_MB=4 cargo bench --bench redact    # another size, in MB
//! ```
//!
//! Each text runs once untimed, then `INFOBACKUP_BENCH_REPS` times (default 5); the best wall
//! time is kept. Figures go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use infobackup::redact::{Redactor, anonymize};

/// Per MB of text.
const BUDGET: Duration = Duration::from_millis(100);

fn repeat_to(unit: &str, len: usize) -> String {
    let mut s = String::with_capacity(len + unit.len());
    while s.len() < len {
        s.push_str(unit);
    }
    s
}

fn best(reps: usize, mut f: impl FnMut()) -> Duration {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mb: usize = std::env::var("INFOBACKUP_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let reps: usize = std::env::var("INFOBACKUP_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let len = mb * 1024 * 1024;
    let corpus: String = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/logs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    let texts: Vec<(&str, String)> = vec![
        ("-U \" repeated", repeat_to("-U \"", len)),
        ("-U \"a  repeated", repeat_to("-U \"a ", len)),
        ("--username= repeated", repeat_to("--username=", len)),
        ("--username=\" repeated", repeat_to("--username=\"", len)),
        ("apikey= repeated", repeat_to("apikey=", len)),
        ("\"password\":\" repeated", repeat_to("\"password\":\"", len)),
        ("://a: repeated", repeat_to("://a:", len)),
        ("//a:b@ repeated", repeat_to("//a:b@", len)),
        ("api_key: repeated", repeat_to("api_key: ", len)),
        ("Bearer repeated", repeat_to("Bearer ", len)),
        ("&quot; repeated", repeat_to("-U &quot;", len)),
        (
            "the shapes mixed",
            repeat_to("-U \"--username=apikey=://a:\"password\":\"&quot;Bearer -U '", len),
        ),
        ("an ordinary log (corpus)", repeat_to(&corpus, len)),
    ];
    let redactor = Redactor::new()
        .with_secret("q7Lm2Xv9Rt4Wz8Kp3Nb6Yc1Hd5Gf0Js")
        .unwrap_or_default();
    println!("redaction benchmark: {mb} MB per text, best of {reps}");
    println!(
        "{:<28} {:>12} {:>14} {:>12}",
        "text", "redact ms", "with key ms", "anonymise ms"
    );
    let mut over = false;
    for (name, text) in &texts {
        let r = best(reps, || {
            std::hint::black_box(infobackup::redact::redact(std::hint::black_box(text)));
        });
        let k = best(reps, || {
            std::hint::black_box(redactor.redact(std::hint::black_box(text)));
        });
        let a = best(reps.min(2), || {
            std::hint::black_box(anonymize(std::hint::black_box(text.as_bytes())));
        });
        let budget = BUDGET * u32::try_from(mb).unwrap_or(u32::MAX);
        let flag = if r > budget || k > budget { "  OVER" } else { "" };
        over |= !flag.is_empty();
        println!(
            "{name:<28} {:>12.2} {:>14.2} {:>12.2}{flag}",
            r.as_secs_f64() * 1e3,
            k.as_secs_f64() * 1e3,
            a.as_secs_f64() * 1e3
        );
    }
    if over {
        eprintln!("a text took over {} ms per MB", BUDGET.as_millis());
        std::process::exit(1);
    }
}
