//! Hostile inputs and careless paths on the command line: input limits, symbolic-link loops,
//! names that are not regular files, paths that are not UTF-8. Each test runs as root too (the
//! machines here do), so none relies on a permission being refused.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use predicates::prelude::*;

use crate::support::{infobackup, repo};

/// 64 MiB, the input limit of `diagnose` and `record`.
const LIMIT: u64 = 64 * 1024 * 1024;

fn a_log() -> std::path::PathBuf {
    repo().join("scenarios/4.4-success-local-only/backup.log")
}

/// A sparse file one byte over the limit: nothing is written to the disk.
fn over_limit_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("huge.log");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(LIMIT + 1).unwrap();
    p
}

#[test]
fn diagnose_and_record_refuse_a_file_over_the_input_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = over_limit_file(tmp.path());
    for args in [
        vec!["diagnose".to_owned()],
        vec!["record".to_owned(), "--name".into(), "4.4-huge".into()],
    ] {
        infobackup()
            .args(&args)
            .arg(&huge)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("huge.log").and(predicate::str::contains("64 MiB")));
    }
}

/// Standard input that never ends is read only up to the limit: the command stops and says so
/// (before: `diagnose - < /dev/zero` grew without bound).
#[test]
fn diagnose_and_record_stop_reading_standard_input_at_the_limit() {
    for args in [&["diagnose", "-"][..], &["record", "-", "--name", "4.4-huge"][..]] {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_infobackup"))
            .args(args)
            .current_dir(repo())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Twice the limit at most; the child closes the pipe long before.
        let writer = std::thread::spawn(move || {
            let chunk = vec![b'x'; 1 << 20];
            let mut sent = 0u64;
            while sent < 2 * LIMIT {
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len() as u64;
            }
            sent
        });
        let out = child.wait_with_output().unwrap();
        let sent = writer.join().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("standard input") && stderr.contains("64 MiB"),
            "{args:?}: {stderr}"
        );
        assert!(sent < 2 * LIMIT, "{args:?}: the whole stream was read ({sent} bytes)");
    }
}

#[test]
fn a_file_just_under_the_limit_is_read() {
    // The bound is on size, not on content: a log of exactly the limit is taken (and then judged
    // as a log: zero bytes are no backup run).
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("edge.log");
    std::fs::File::create(&p).unwrap().set_len(LIMIT).unwrap();
    let out = infobackup().arg("diagnose").arg(&p).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("64 MiB"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_taken_as_a_path() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.log");
    let missing = tmp.path().join(name);
    for cmd in [&["diagnose"][..], &["record", "--name", "4.4-x"][..]] {
        infobackup()
            .args(cmd)
            .arg(&missing)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("no such file").and(predicate::str::contains("invalid UTF-8").not()));
    }
    // And a real one is read.
    let real = tmp.path().join(name);
    std::fs::copy(a_log(), &real).unwrap();
    infobackup().arg("diagnose").arg(&real).assert().code(0);
}

#[cfg(unix)]
fn two_link_loop(dir: &Path) -> std::path::PathBuf {
    let (a, b) = (dir.join("a.log"), dir.join("b.log"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    a
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_reported_as_a_loop() {
    let tmp = tempfile::tempdir().unwrap();
    let a = two_link_loop(tmp.path());
    for cmd in [
        &["diagnose"][..],
        &["record", "--name", "4.4-x"][..],
        &["conformance"][..],
    ] {
        infobackup().args(cmd).arg(&a).assert().code(2).stderr(
            predicate::str::contains("a.log")
                .and(predicate::str::contains("loop of symbolic links"))
                .and(predicate::str::contains("no such file").not()),
        );
    }
}

/// Two folders linking to each other: the walk ends, names each link it did not follow, and runs
/// the vectors it found.
#[cfg(unix)]
#[test]
fn conformance_walks_a_folder_with_a_symlink_loop() {
    let tmp = tempfile::tempdir().unwrap();
    let (x, y) = (tmp.path().join("x"), tmp.path().join("y"));
    std::fs::create_dir_all(&x).unwrap();
    std::fs::create_dir_all(&y).unwrap();
    std::os::unix::fs::symlink("../y", x.join("to-y")).unwrap();
    std::os::unix::fs::symlink("../x", y.join("to-x")).unwrap();
    two_link_loop(&x);
    let vectors = repo().join("tests/data/conformance");
    let first = std::fs::read_dir(&vectors)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .min()
        .unwrap();
    std::fs::copy(&first, y.join("v.json")).unwrap();
    let out = infobackup()
        .arg("conformance")
        .arg(&x)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    // x/to-y/v.json is found once; x/to-y/to-x leads back into x.
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
    assert!(stderr.contains("to-y/to-x") && stderr.contains("(a loop)"), "{stderr}");
    assert!(
        stderr.contains("a.log: not followed, a loop of symbolic links"),
        "{stderr}"
    );
    assert!(stderr.contains("b.log: not followed"), "{stderr}");
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[cfg(unix)]
fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).unwrap().file_type().is_fifo()
}

#[cfg(unix)]
#[test]
fn junit_replaces_only_a_junit_report() {
    let tmp = tempfile::tempdir().unwrap();
    let note = tmp.path().join("notes.md");
    let text = "# Notes\n\nOur CI writes `<testsuite name=\"x\">` elements; see <testsuites>.\n";
    std::fs::write(&note, text).unwrap();
    let fifo = tmp.path().join("fifo.xml");
    mkfifo(&fifo);
    let folder = tmp.path().join("folder.xml");
    std::fs::create_dir(&folder).unwrap();
    for (p, words) in [(&note, "not a JUnit report"), (&fifo, "FIFO"), (&folder, "folder")] {
        infobackup()
            .args(["check", "--junit"])
            .arg(p)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(p.display().to_string()).and(predicate::str::contains(words)));
    }
    assert_eq!(std::fs::read_to_string(&note).unwrap(), text);
    assert!(is_fifo(&fifo));
}

#[cfg(unix)]
#[test]
fn output_force_replaces_regular_files_only() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.txt");
    mkfifo(&fifo);
    let folder = tmp.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    // Never /dev/null itself: were the rule broken, the test would replace the machine's.
    let null = tmp.path().join("null.txt");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();
    for (p, words) in [(&fifo, "FIFO"), (&folder, "folder"), (&null, "device")] {
        infobackup()
            .arg("diagnose")
            .arg(a_log())
            .arg("-o")
            .arg(p)
            .arg("--force")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(p.display().to_string()).and(predicate::str::contains(words)));
    }
    assert!(is_fifo(&fifo) && folder.is_dir());
    assert!(std::fs::symlink_metadata(&null).unwrap().file_type().is_symlink());
    // A regular file is replaced.
    let report = tmp.path().join("report.txt");
    std::fs::write(&report, "old").unwrap();
    infobackup()
        .arg("diagnose")
        .arg(a_log())
        .arg("-o")
        .arg(&report)
        .arg("--force")
        .assert()
        .code(0);
    assert_ne!(std::fs::read_to_string(&report).unwrap(), "old");
}

/// The folder of cases cannot take a new folder: the message names the case's folder, not the
/// temporary one it was to be built in. (`/proc/self` refuses new folders even to root.)
#[cfg(target_os = "linux")]
#[test]
fn record_names_its_target_when_it_cannot_create_it() {
    infobackup()
        .arg("record")
        .arg(a_log())
        .args(["--name", "4.4-read-only", "--scenarios", "/proc/self"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot create /proc/self/4.4-read-only")
                .and(predicate::str::contains(".tmp").not())
                .and(predicate::str::contains("at path").not()),
        );
}
