//! `infobackup diagnose` on a long paste: wall time and peak memory against the number of runs.
//!
//! ```sh
//! cargo bench --bench diagnose                              # 4,544 runs (a 5 MB paste)
//! INFOBACKUP_BENCH_RUNS=500,1000,4544 cargo bench --bench diagnose
//! INFOBACKUP_BENCH_EXE=/tmp/old/infobackup cargo bench --bench diagnose  # another build
//! INFOBACKUP_BENCH_DIR=/tmp/pastes cargo bench --bench diagnose          # keep the pastes
//! ```
//!
//! The paste is built from the recorded 4.4 fixtures of `tests/data/logs/` (a success, Samba
//! noise, a Market refusal, tar warnings, a failed database dump, a begin-event error), one after
//! the other, every date of run `k` shifted so that run `k` starts `k` days after the first: a
//! box's `log/backup` kept for years. The release binary diagnoses it (text report to
//! `/dev/null`) once per size; the wall time and the child's `ru_maxrss` (from `wait4`) are
//! printed. Figures go in BENCHMARKS.md, "Replaying a long paste".

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use jiff::civil::Date;

/// Fixtures repeated in this order; each holds one run that starts with its banner.
const FIXTURES: [&str; 6] = [
    "4.4-ok.log",
    "4.4-samba-noise-ok.log",
    "4.4-market-refused-ok.log",
    "4.4-tar-warnings-ok.log",
    "4.4-database-dump-failed.log",
    "4.4-begin-event-error-ok.log",
];

fn main() {
    let sizes: Vec<usize> = std::env::var("INFOBACKUP_BENCH_RUNS")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![4544]);
    let dir = tempfile::tempdir().unwrap_or_else(|e| fail(Path::new("temporary folder"), e));
    let exe = std::env::var("INFOBACKUP_BENCH_EXE").unwrap_or_else(|_| env!("CARGO_BIN_EXE_infobackup").to_owned());
    let exe = exe.as_str();
    let keep = std::env::var_os("INFOBACKUP_BENCH_DIR").map(std::path::PathBuf::from);
    let folder = keep.unwrap_or_else(|| dir.path().to_owned());
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/logs");
    let fixtures: Vec<String> = FIXTURES
        .iter()
        .map(|f| {
            let p = logs.join(f);
            std::fs::read_to_string(&p).unwrap_or_else(|e| fail(&p, e))
        })
        .collect();
    println!("{:>6} {:>10} {:>9} {:>14}", "runs", "bytes", "wall s", "ru_maxrss MB");
    for runs in sizes {
        let text = paste(&fixtures, runs);
        let path = folder.join(format!("paste-{runs}.log"));
        std::fs::write(&path, &text).unwrap_or_else(|e| fail(&path, e));
        let t = Instant::now();
        let child = Command::new(exe)
            .arg("diagnose")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = child.unwrap_or_else(|e| fail(Path::new(exe), e));
        let pid = child.id() as libc::pid_t;
        let mut status = 0;
        // SAFETY: `rusage` is plain old data that wait4 fills in; `pid` is our own child, not yet
        // reaped (std only reaps in `wait`, which we never call).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let wall = t.elapsed();
        // Already reaped by `wait4`: this only tells std so (an error it ignores).
        let _ = child.try_wait();
        if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
            eprintln!("bench: diagnose of {runs} runs failed (status {status})");
        }
        println!(
            "{runs:>6} {:>10} {:>9.2} {:>14.1}",
            text.len(),
            wall.as_secs_f64(),
            usage.ru_maxrss as f64 / 1024.0
        );
    }
}

/// `runs` runs taken from the fixtures in turn, run `k` dated `k` days after the first.
fn paste(fixtures: &[String], runs: usize) -> String {
    let base = Date::constant(2020, 1, 1);
    let mut out = String::new();
    for k in 0..runs {
        let Some(text) = fixtures.get(k % fixtures.len()) else {
            continue;
        };
        let day = base.checked_add(jiff::Span::new().days(k as i64)).unwrap_or(base);
        out.push_str(&shift_dates(text, day));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Every `YYYY-MM-DD` of `text` moved by the distance from its first date to `day`.
fn shift_dates(text: &str, day: Date) -> String {
    let dates: Vec<(usize, Date)> = (0..text.len().saturating_sub(9))
        .filter_map(|i| {
            let s = text.get(i..i + 10)?;
            let b = s.as_bytes();
            let shape = b.iter().enumerate().all(|(j, c)| match j {
                4 | 7 => *c == b'-',
                _ => c.is_ascii_digit(),
            });
            if !shape {
                return None;
            }
            Some((i, s.parse::<Date>().ok()?))
        })
        .collect();
    let Some(first) = dates.first().map(|(_, d)| *d) else {
        return text.to_owned();
    };
    let by = first.until(day).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (i, d) in dates {
        if i < at {
            continue;
        }
        out.push_str(text.get(at..i).unwrap_or(""));
        out.push_str(&d.checked_add(by).unwrap_or(d).to_string());
        at = i + 10;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// Says what could not be read or run, and stops the bench (exit 2).
fn fail(path: &Path, e: impl std::fmt::Display) -> ! {
    eprintln!("bench: {}: {e}", path.display());
    std::process::exit(2);
}
