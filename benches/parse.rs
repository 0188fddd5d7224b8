//! Log-parsing speed and peak memory on realistic input: a generated `cron_execution`-style
//! accumulation of many runs (20 MB by default) and its first 500 lines (Jeedom keeps
//! `maxLineLog` = 500 lines of a log: what a user pastes), with `wc -l` and `grep -c ERROR` on
//! the same file for scale.
//!
//! ```sh
//! cargo bench --bench parse                                # 20 MB and its first 500 lines
//! INFOBACKUP_BENCH_MB=20,100 cargo bench --bench parse     # sizes in MB, comma-separated
//! INFOBACKUP_BENCH_DIR=/tmp/logs cargo bench --bench parse  # keep the logs there (profiling)
//! INFOBACKUP_BENCH_EXE=/tmp/old/infobackup cargo bench --bench parse  # the CLI of another build
//! ```
//!
//! The logs are written to a temporary folder (streamed out, never held in memory) and removed
//! at the end. Each measure runs once untimed (page cache warm), then `INFOBACKUP_BENCH_REPS`
//! times (default 3); the best wall time is kept. Figures go in BENCHMARKS.md.
//!
//! Peak memory: one more run of a command samples the child's `VmHWM` (`/proc/<pid>/status`,
//! the high-water mark of its own address space) every millisecond. (`ru_maxrss` from `wait4`
//! is only an upper bound: Linux carries the spawning process's high-water mark into the child.)

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use infobackup::log::{LogItem, LogItemRef, RunReader};

const MB: u64 = 1024 * 1024;

fn main() {
    let sizes: Vec<u64> = std::env::var("INFOBACKUP_BENCH_MB")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![20]);
    let reps: usize = std::env::var("INFOBACKUP_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("bench: cannot create a temporary folder: {e}");
            std::process::exit(2);
        }
    };
    let keep = std::env::var_os("INFOBACKUP_BENCH_DIR").map(std::path::PathBuf::from);
    let folder = keep.clone().unwrap_or_else(|| dir.path().to_owned());
    let exe = std::env::var("INFOBACKUP_BENCH_EXE").unwrap_or_else(|_| env!("CARGO_BIN_EXE_infobackup").to_owned());
    let exe = exe.as_str();
    println!("log parsing benchmark, binary {exe}");
    for size_mb in sizes {
        let path = folder.join(format!("backup-{size_mb}MB.log"));
        let t = Instant::now();
        let stats = match generate(&path, size_mb * MB) {
            Ok(s) => s,
            Err(e) => fail(&path, e),
        };
        let p = path.display().to_string();
        println!(
            "\n== {size_mb} MB: {} bytes, {} lines, {} runs (generated in {:.1} s)",
            stats.bytes,
            stats.lines,
            stats.runs,
            t.elapsed().as_secs_f64()
        );
        // Jeedom keeps the last `maxLineLog` (500) lines of a log: what a user pastes.
        let small = folder.join("backup-500-lines.log");
        let whole = std::fs::read(&path).unwrap_or_else(|e| fail(&path, e));
        let cut = memchr::memchr_iter(b'\n', &whole)
            .nth(499)
            .map_or(whole.len(), |k| k + 1);
        let head = whole.get(..cut).unwrap_or_default();
        std::fs::write(&small, head).unwrap_or_else(|e| fail(&small, e));
        let s = small.display().to_string();
        let wc_argv = ["wc", "-l", &p];
        let grep_argv = ["grep", "-c", "ERROR", &p];
        let summary_argv = [exe, "parse", "--format", "summary", &p];
        let json_argv = [exe, "parse", "--format", "json", &p];
        let small_json_argv = [exe, "parse", "--format", "json", &s];
        let small_diag_argv = [exe, "diagnose", &s];
        println!("load average before: {}", load_average());
        let wc = best(reps, || child(&wc_argv, false, true));
        let grep = best(reps, || child(&grep_argv, false, true));
        let summary = best(reps, || child(&summary_argv, false, true));
        let json = best(reps, || child(&json_argv, false, false));
        let model = best(reps, || in_process_model(&whole));
        let owned = best(reps, || in_process(&path));
        let lent = best(reps, || in_process_lent(&path));
        let small_model = best(reps, || small_parses(head, 1000));
        let small_json = best(reps, || child(&small_json_argv, false, false));
        let small_diag = best(reps, || child(&small_diag_argv, false, false));
        let peaks = [&summary_argv[..], &json_argv[..], &small_diag_argv[..]].map(|argv| child(argv, true, false));
        println!("load average after: {}", load_average());
        let rate = |bytes: usize, d: Duration| bytes as f64 / d.as_secs_f64() / 1e6;
        let mb = |k: Option<i64>| k.map_or("-".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0));
        println!("{:<44} {:>9} {:>9} {:>10}", "tool", "wall ms", "MB/s", "VmHWM MB");
        let n = whole.len();
        for (name, r, bytes, peak) in [
            ("wc -l", &wc, n, None),
            ("grep -c ERROR", &grep, n, None),
            ("parse --format summary (streaming)", &summary, n, Some(&peaks[0])),
            ("parse --format json > /dev/null", &json, n, Some(&peaks[1])),
            ("in-process log::parse (whole model)", &model, n, None),
            ("in-process RunReader (owned items)", &owned, n, None),
            ("in-process for_each_ref (lent)", &lent, n, None),
            (
                "500 lines: in-process log::parse, 1000 times",
                &small_model,
                head.len() * 1000,
                None,
            ),
            ("500 lines: parse --format json", &small_json, head.len(), None),
            ("500 lines: diagnose (text)", &small_diag, head.len(), Some(&peaks[2])),
        ] {
            println!(
                "{name:<44} {:>9.1} {:>9.0} {:>10}",
                r.wall.as_secs_f64() * 1e3,
                rate(bytes, r.wall),
                mb(peak.and_then(|p| p.hwm_kb)),
            );
        }
        println!(
            "outputs: wc {:?}, grep {:?}, model {:?}, lent {:?}, 500 lines {:?}",
            wc.stdout.trim(),
            grep.stdout.trim(),
            model.stdout,
            lent.stdout,
            small_model.stdout
        );
        println!("parse summary:\n{}", summary.stdout.trim_end());
        if keep.is_none() {
            let _ = std::fs::remove_file(&path);
            let _ = std::fs::remove_file(&small);
        }
    }
}

/// The whole model of a log held in memory, as `parse --format json` and `diagnose` build it.
fn in_process_model(bytes: &[u8]) -> Measure {
    let t = Instant::now();
    let m = infobackup::log::parse(bytes);
    Measure {
        wall: t.elapsed(),
        hwm_kb: None,
        stdout: format!("{} runs, {} unknown", m.runs.len(), m.unknown.len()),
    }
}

/// `times` models of a small log (a paste): what one `diagnose` or `check` of a case costs.
fn small_parses(bytes: &[u8], times: usize) -> Measure {
    let t = Instant::now();
    let mut runs = 0;
    for _ in 0..times {
        runs += std::hint::black_box(infobackup::log::parse(std::hint::black_box(bytes)))
            .runs
            .len();
    }
    Measure {
        wall: t.elapsed(),
        hwm_kb: None,
        stdout: format!("{} runs each", runs / times.max(1)),
    }
}

#[derive(Debug, Clone)]
struct Measure {
    wall: Duration,
    /// Sampled `VmHWM` of the child's own image.
    hwm_kb: Option<i64>,
    stdout: String,
}

/// Runs `f` once to warm up, then `reps` times; keeps the fastest.
fn best(reps: usize, mut f: impl FnMut() -> Measure) -> Measure {
    let mut best = f();
    for _ in 0..reps {
        let m = f();
        if m.wall < best.wall {
            best = m;
        }
    }
    best
}

/// `VmHWM` of a live process, in KiB.
fn vm_hwm_kb(pid: libc::pid_t) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Spawns a command and waits for it with `wait4`. `sample`: poll every millisecond and read
/// the child's `VmHWM` (for memory; the polling adds up to 1 ms to the wall time).
fn child(argv: &[&str], sample: bool, capture: bool) -> Measure {
    let (prog, args) = argv.split_first().unwrap_or((&"true", &[]));
    let t = Instant::now();
    // Captured outputs are small (counts): they fit in the pipe while we wait.
    let spawned = Command::new(prog)
        .args(args)
        .stdout(if capture { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bench: cannot run {prog}: {e}");
            std::process::exit(2);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain old data that wait4 fills in; `pid` is our own child, not yet
    // reaped (std only reaps in `wait`, which we never call).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut hwm = None;
    let rc = loop {
        let flags = if sample { libc::WNOHANG } else { 0 };
        // SAFETY: as above.
        let rc = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if rc != 0 {
            break rc;
        }
        hwm = vm_hwm_kb(pid).or(hwm);
        std::thread::sleep(Duration::from_millis(1));
    };
    let wall = t.elapsed();
    if rc != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        eprintln!("bench: {argv:?} failed (status {status})");
    }
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut out, &mut stdout);
    }
    Measure {
        wall,
        hwm_kb: hwm,
        stdout,
    }
}

/// The file cannot be read: said with its name, and the bench stops (exit 2).
fn fail(path: &Path, e: impl std::fmt::Display) -> ! {
    eprintln!("bench: {}: {e}", path.display());
    std::process::exit(2);
}

/// Streams the file through the library in this process and counts the items.
fn in_process(path: &Path) -> Measure {
    let t = Instant::now();
    let file = File::open(path).unwrap_or_else(|e| fail(path, e));
    let (mut runs, mut unknown) = (0u64, 0u64);
    for item in RunReader::new(file) {
        match item {
            Ok(LogItem::Run(_)) => runs += 1,
            Ok(LogItem::Unknown(_)) => unknown += 1,
            Ok(LogItem::LooseLogger(_)) => {}
            Err(e) => fail(path, e),
        }
    }
    Measure {
        wall: t.elapsed(),
        hwm_kb: None,
        stdout: format!("{runs} runs, {unknown} unknown"),
    }
}

/// What the lending streams count.
#[derive(Default)]
struct Tally {
    runs: u64,
    steps: u64,
    unknown: u64,
}

impl Tally {
    fn add(&mut self, item: LogItemRef<'_>) {
        match item {
            LogItemRef::Run(r) => {
                self.runs += 1;
                self.steps += r.steps.len() as u64;
            }
            LogItemRef::Unknown(_) => self.unknown += 1,
            LogItemRef::LooseLogger(_) => {}
        }
    }

    fn measure(self, t: Instant) -> Measure {
        Measure {
            wall: t.elapsed(),
            hwm_kb: None,
            stdout: format!("{} runs, {} steps, {} unknown", self.runs, self.steps, self.unknown),
        }
    }
}

/// `/proc/loadavg`'s first three figures: other work on the machine skews wall times.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The same, lending each item (`RunReader::for_each_ref`: runs recycled, one thread).
fn in_process_lent(path: &Path) -> Measure {
    let t = Instant::now();
    let file = File::open(path).unwrap_or_else(|e| fail(path, e));
    let mut tally = Tally::default();
    if let Err(e) = RunReader::new(file).for_each_ref(|item| tally.add(item)) {
        fail(path, e);
    }
    tally.measure(t)
}

// ---- a realistic multi-run log --------------------------------------------------------------------

struct Stats {
    bytes: u64,
    lines: u64,
    runs: u64,
}

const TABLES: &[&str] = &[
    "cache",
    "cmd",
    "config",
    "cron",
    "dataStore",
    "eqLogic",
    "history",
    "historyArch",
    "interactDef",
    "interactQuery",
    "listener",
    "message",
    "note",
    "object",
    "plan",
    "plan3d",
    "planHeader",
    "plugin",
    "scenario",
    "scenarioElement",
    "scenarioExpression",
    "scenarioSubElement",
    "update",
    "user",
    "view",
    "viewData",
    "viewZone",
    "widgets",
];
const PLUGINS: &[&str] = &[
    "zwavejs", "z2m", "jMQTT", "camera", "weather", "mobile", "script", "virtual",
];

/// One run, in the wording of one generation, with the day `n` after 2025-01-01.
fn run_text(n: u64, out: &mut String) {
    use std::fmt::Write as _;
    let day = 1 + (n % 28);
    let month = 1 + (n / 28) % 12;
    let date = format!("2025-{month:02}-{day:02}");
    let stamp = format!("{date}-03h27");
    let variant = n % 10;
    let w = |out: &mut String, s: &str| {
        out.push_str(s);
        out.push('\n');
    };
    if variant == 9 {
        // 4.2, French.
        let _ = write!(
            out,
            "[START BACKUP]\n***************Start of Jeedom backup at {date} 03:27:01***************\n\
             Envoi l'évènement de début de sauvegarde...OK\nVérification des droits sur les fichiers...OK\n\
             Backup plugin zwave...OK\nVérification de la base de données...OK\nSauvegarde la base de données...OK\n\
             Persistance du cache : \nOK\nCréation de  l'archive...\nOK\nNettoyage de l'ancienne sauvegarde...OK\n\
             Send backup Samba...OK\nLimitation de la taille des sauvegardes à 500 Mo...\nOK\n\
             Nom de la sauvegarde : /var/www/html/core/php/../../backup/backup-Maison-4.2.21-{stamp}.tar.gz\n\
             Vérification des droits sur les fichiers...OK\nEnvoi l'évènement de fin de sauvegarde...OK\n\
             Durée de la sauvegarde : 187s\n***************Fin de la sauvegarde de Jeedom***************\n[END BACKUP SUCCESS]\n"
        );
        return;
    }
    let v45 = variant >= 5;
    let _ = write!(
        out,
        "[START BACKUP]\n***************Start of Jeedom backup at {date} 03:27:01***************\n"
    );
    w(out, "Send begin backup event...OK");
    w(out, "Checking files rights...OK");
    for p in PLUGINS.iter().take(2 + (n % 5) as usize) {
        let _ = writeln!(out, "Backing up plugin {p}...OK");
    }
    if v45 {
        for t in TABLES {
            let _ = writeln!(out, "Checking  table {t}...OK");
        }
    } else {
        w(out, "Checking  database...OK");
    }
    if variant == 4 {
        let _ = write!(
            out,
            "Backing up database...Error during backup: Backing up database failed. Check mysqldump installation. Code: 2Details : Array\n(\n    [0] => Array\n        (\n            [file] => /var/www/html/install/backup.php\n            [line] => 155\n        )\n\n)\n[END BACKUP ERROR]\n"
        );
        return;
    }
    w(out, "Backing up database...OK");
    w(out, "Cache persistence: \nOK");
    w(
        out,
        "Plugin z2m - Following subfolder will be excluded from the backup: data/cache",
    );
    w(out, "Creating archive...");
    if variant == 3 {
        w(out, "tar: ./plugins/zwavejs/data/socket: socket ignored");
        w(out, "tar: ./log: file changed as we read it");
    }
    w(out, "OK\nCleaning old backup...OK");
    if variant.is_multiple_of(2) {
        if v45 {
            let _ = write!(
                out,
                "Send backup Market...[{date} 03:29:40][ERROR] Erreur d'envoi du backup au cloud. Avez-vous bien un abonnement au backup cloud ?\n/!\\ Erreur d'envoi du backup au cloud. Avez-vous bien un abonnement au backup cloud ? /!\\OK\n"
            );
        } else {
            let _ = write!(
                out,
                "Send backup Market...[{date} 03:29:40][ERROR] : Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ?\n/!\\ Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ? /!\\OK\n"
            );
        }
    }
    if variant == 7 {
        let _ = write!(
            out,
            "Send backup Samba...[{date} 03:29:50][ERROR] : Erreur sur timeout 7200 smbclient '//192.168.1.20/backups' -U \"jeedom%pass\" -c 'put x' valeur retournée : 1. Détails : NT_STATUS_LOGON_FAILURE\n/!\\ Erreur sur smbclient /!\\OK\n"
        );
    } else {
        let _ = write!(
            out,
            "Send backup Samba...Domain=[WORKGROUP] OS=[Windows 6.1] Server=[Samba 4.9.5]\nputting file /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-{stamp}.tar.gz as \\jeedom\\backup-Jeedom-4.4.20-{stamp}.tar.gz (11250,3 kb/s) (average 11250,3 kb/s)\nOK\n\
             Delete backup too old : {{\"filename\":\"backup-Jeedom-4.4.19-2024-12-01-03h27.tar.gz\",\"size\":221007532,\"datetime\":\"2024-12-01 03:30:45\"}}"
        );
    }
    w(out, "Limiting backup size to 500 Mb...");
    if variant == 1 {
        w(
            out,
            "Delete: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.19-2024-12-01-03h27.tar.gz",
        );
    }
    w(out, "OK");
    let version = if v45 { "4.5.3" } else { "4.4.20" };
    let _ = writeln!(
        out,
        "Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-{version}-{stamp}.tar.gz"
    );
    w(out, "Checking files rights...OK\nSend end backup event...OK");
    let _ = writeln!(out, "Backup operation duration: {}s", 180 + n % 60);
    w(
        out,
        "***************Jeedom backup end***************\n[END BACKUP SUCCESS]",
    );
}

/// Writes runs until the file reaches `target` bytes.
fn generate(path: &Path, target: u64) -> std::io::Result<Stats> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut s = Stats {
        bytes: 0,
        lines: 0,
        runs: 0,
    };
    let mut buf = String::with_capacity(8192);
    while s.bytes < target {
        buf.clear();
        run_text(s.runs, &mut buf);
        out.write_all(buf.as_bytes())?;
        s.bytes += buf.len() as u64;
        s.lines += buf.bytes().filter(|c| *c == b'\n').count() as u64;
        s.runs += 1;
    }
    out.flush()?;
    Ok(s)
}
