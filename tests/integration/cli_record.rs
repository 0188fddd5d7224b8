//! `infobackup record`: a user's log becomes a case folder that loads and replays, anonymised
//! byte for byte except the personal values, written atomically, never over an existing case.

use std::path::Path;

use infobackup::case::{self, Case, Overrides};
use infobackup::log;
use infobackup::redact::anonymize;
use infobackup::report::run;
use infobackup::via::Via;
use predicates::prelude::*;

use crate::cli_diagnose::{API_KEY, BOX, HOST, IP, PASSWORD, USER, assert_no_secret, planted_log};
use crate::support::{infobackup, repo};

/// A temporary project with an empty `scenarios/`.
fn project() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("scenarios")).unwrap();
    tmp
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn record(tmp: &Path) -> assert_cmd::Command {
    let mut c = infobackup();
    c.current_dir(tmp).arg("record");
    c
}

#[test]
fn a_recorded_log_loads_and_replays_with_every_profile() {
    let tmp = project();
    let src = repo().join("scenarios/4.4-samba-share-full/backup.log");
    record(tmp.path())
        .args([src.to_str().unwrap(), "--name", "4.4-share-full-again", "--lang", "en"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Recorded case: scenarios/4.4-share-full-again/",
        ))
        .stdout(predicate::str::contains(
            "cargo test --test cases -- 4.4-share-full-again@",
        ))
        .stdout(predicate::str::contains("cargo insta review"))
        .stdout(predicate::str::contains(
            "snapshots/cases/4.4-share-full-again@<profile>.snap.new",
        ));
    let dir = tmp.path().join("scenarios/4.4-share-full-again");
    assert_eq!(entries(&dir), vec!["backup.log", "case.toml"]);
    assert_eq!(
        entries(&tmp.path().join("scenarios")),
        vec!["4.4-share-full-again"],
        "no temporary folder left"
    );
    let c = Case::load(&dir).expect("the recorded case loads");
    let resolved = c.resolve(&Overrides::default()).expect("and resolves");
    assert_eq!(resolved.profiles.len(), 4, "every profile by default");
    for p in &resolved.profiles {
        let replay = run::replay(&resolved, p, &Via::Memory).unwrap_or_else(|e| panic!("{}: {e}", p.name()));
        assert_eq!(replay.steps.len(), 2, "begin_backup and end_backup");
    }
    // The corpus' rules hold for it: a kebab-case name starting with its generation.
    let manifest = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    assert!(manifest.contains("description = "), "{manifest}");
    assert!(
        manifest.contains("#   inferred jeedom = 4.4  (from backup.log:19)"),
        "{manifest}"
    );
    assert!(
        manifest.contains("(default; set [params] tz)"),
        "manifest hints, not command-line options: {manifest}"
    );
    // The corpus log uses documentation addresses and the default box name: only the planted
    // Samba credentials change, every other byte is kept.
    let original = std::fs::read_to_string(&src).unwrap();
    let recorded = std::fs::read_to_string(dir.join("backup.log")).unwrap();
    assert_eq!(recorded, original.replace("jeedom%S3cr3tPlanted", "user-1%password-1"));
}

/// `record`s the log of the corpus case `case` as `name` in the project `tmp` (which must
/// succeed) and returns the manifest it wrote.
fn manifest_of_recorded(tmp: &Path, case: &str, name: &str) -> String {
    let log = repo().join("scenarios").join(case).join("backup.log");
    record(tmp)
        .args([log.to_str().unwrap(), "--name", name])
        .assert()
        .code(0);
    std::fs::read_to_string(tmp.join("scenarios").join(name).join("case.toml")).unwrap()
}

#[test]
fn a_cut_off_or_failed_log_gets_the_steps_it_needs() {
    let tmp = project();
    let manifest = manifest_of_recorded(tmp.path(), "4.4-run-cut-off-at-start", "4.4-cut");
    assert!(
        manifest.contains("[[step]]\nrun = 1\ntrigger = \"begin_backup\"\nat = \"2025-09-10 03:27:00\""),
        "{manifest}"
    );
    let manifest = manifest_of_recorded(tmp.path(), "4.4-database-dump-failed", "4.4-failed");
    assert!(
        manifest.contains("# trigger = \"schedule\""),
        "the watchdog tick is suggested: {manifest}"
    );
    for name in ["4.4-cut", "4.4-failed"] {
        let c = Case::load(&tmp.path().join("scenarios").join(name)).unwrap();
        let r = c.resolve(&Overrides::default()).unwrap();
        for p in &r.profiles {
            run::replay(&r, p, &Via::Memory).unwrap();
        }
    }
}

#[test]
fn the_planted_secrets_never_reach_a_recorded_file() {
    let tmp = project();
    let src = tmp.path().join("forum-paste.log");
    std::fs::write(&src, planted_log()).unwrap();
    let out = record(tmp.path())
        .args(["forum-paste.log", "--name", "4.4-planted"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let secrets = [PASSWORD, USER, IP, HOST, API_KEY, BOX, "jeedom-maison.lan"];
    assert_no_secret("record's output", &out.stdout, &secrets);
    let dir = tmp.path().join("scenarios/4.4-planted");
    for f in entries(&dir) {
        assert_no_secret(&f, &std::fs::read(dir.join(&f)).unwrap(), &secrets);
    }
    let recorded = std::fs::read_to_string(dir.join("backup.log")).unwrap();
    assert!(recorded.contains(r#"-U "user-1%password-1""#), "{recorded}");
    assert!(recorded.contains("//192.0.2.1/sauvegardes"), "{recorded}");
    assert!(recorded.contains("Connection to host-2 failed"), "{recorded}");
    assert!(
        recorded.contains("backup-box-1-4.4.20-2025-09-10-03h27.tar.gz"),
        "{recorded}"
    );
    assert!(recorded.contains("apikey=apikey-1&"), "{recorded}");
    // Same input, same placeholders.
    record(tmp.path())
        .args(["forum-paste.log", "--name", "4.4-planted-again"])
        .assert()
        .code(0);
    assert_eq!(
        recorded,
        std::fs::read_to_string(tmp.path().join("scenarios/4.4-planted-again/backup.log")).unwrap()
    );
    // And the recorded case replays.
    let c = Case::load(&dir).unwrap();
    let r = c.resolve(&Overrides::default()).unwrap();
    assert!(run::replay(&r, &r.profiles[2], &Via::Memory).is_ok());
}

#[test]
fn standard_input_and_another_scenarios_folder() {
    let tmp = project();
    record(tmp.path())
        .args(["-", "--name", "4.5-from-stdin"])
        .write_stdin(std::fs::read(repo().join("scenarios/4.5-samba-ok/backup.log")).unwrap())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Cas enregistré : scenarios/4.5-from-stdin/"));
    assert!(tmp.path().join("scenarios/4.5-from-stdin/case.toml").is_file());
    std::fs::create_dir(tmp.path().join("corpus")).unwrap();
    let src = repo().join("scenarios/4.3-market-no-subscription/backup.log");
    record(tmp.path())
        .args([src.to_str().unwrap(), "--name", "4.3-market", "--scenarios", "corpus"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("corpus/4.3-market/"));
    assert_eq!(
        entries(&tmp.path().join("corpus/4.3-market")),
        vec!["backup.log", "case.toml"]
    );
}

#[test]
fn invalid_names_are_refused_and_nothing_is_written() {
    let tmp = project();
    let src = repo().join("scenarios/4.4-samba-ok/backup.log");
    for name in [
        "",
        "My Case",
        "samba-ok",
        "4.4-",
        "4.4-Samba",
        "../4.4-escape",
        "4.4-a/b",
        "4.4--x",
        "4.6-future",
    ] {
        record(tmp.path())
            .args([src.to_str().unwrap(), "--name", name, "--lang", "en"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a valid case name"));
    }
    // The message suggests the log's generation.
    record(tmp.path())
        .args([src.to_str().unwrap(), "--name", "samba-ok", "--lang", "en"])
        .assert()
        .stderr(predicate::str::contains("for example 4.4-"));
    assert!(entries(&tmp.path().join("scenarios")).is_empty());
}

#[test]
fn an_existing_case_is_never_overwritten() {
    let tmp = project();
    let existing = tmp.path().join("scenarios/4.4-taken");
    std::fs::create_dir(&existing).unwrap();
    std::fs::write(existing.join("case.toml"), "description = \"mine\"\n").unwrap();
    let src = repo().join("scenarios/4.4-samba-ok/backup.log");
    record(tmp.path())
        .args([src.to_str().unwrap(), "--name", "4.4-taken", "--lang", "en"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists").and(predicate::str::contains("never overwritten")));
    assert_eq!(entries(&existing), vec!["case.toml"]);
    assert_eq!(
        std::fs::read_to_string(existing.join("case.toml")).unwrap(),
        "description = \"mine\"\n"
    );
    assert_eq!(entries(&tmp.path().join("scenarios")), vec!["4.4-taken"]);
}

#[test]
fn other_errors_exit_2_and_write_nothing() {
    let tmp = project();
    record(tmp.path())
        .env("LC_ALL", "C")
        .args(["missing.log", "--name", "4.4-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.log: no such file or folder"));
    record(tmp.path())
        .env("LC_ALL", "C")
        .args(["-", "--name", "4.4-x"])
        .write_stdin("not a log at all\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a Jeedom backup log"));
    let src = repo().join("scenarios/4.4-samba-ok/backup.log");
    record(tmp.path())
        .env("LC_ALL", "C")
        .args([src.to_str().unwrap(), "--name", "4.4-x", "--scenarios", "elsewhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("elsewhere: no such folder of recorded cases"));
    record(tmp.path())
        .env("LC_ALL", "C")
        .args([src.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--name"));
    record(tmp.path())
        .env("LC_ALL", "C")
        .args(["scenarios", "--name", "4.4-x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`record` takes a log file"));
    assert!(entries(&tmp.path().join("scenarios")).is_empty());
}

/// Anonymising a corpus log keeps what the parser understands of it: the same runs, steps,
/// uploads, ends and line count. Only personal values change.
#[test]
fn anonymisation_keeps_every_log_of_the_corpus_parseable_alike() {
    let mut seen = 0;
    for dir in case::corpus_dirs(&repo().join("scenarios")).unwrap() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "log") {
                continue;
            }
            let raw = std::fs::read(&p).unwrap();
            let anon = anonymize(&raw);
            let (a, b) = (log::parse(&raw), log::parse(&anon.bytes));
            let name = p.display();
            assert_eq!(a.line_count, b.line_count, "{name}");
            assert_eq!(a.line_endings, b.line_endings, "{name}");
            assert_eq!(a.encoding, b.encoding, "{name}");
            assert_eq!(a.runs.len(), b.runs.len(), "{name}");
            for (x, y) in a.runs.iter().zip(&b.runs) {
                assert_eq!(x.steps.len(), y.steps.len(), "{name}");
                assert_eq!(x.uploads.len(), y.uploads.len(), "{name}");
                assert_eq!(x.lines, y.lines, "{name}");
                assert_eq!(std::mem::discriminant(&x.end), std::mem::discriminant(&y.end), "{name}");
                assert_eq!(
                    x.archive.as_ref().map(|a| &a.stamp),
                    y.archive.as_ref().map(|a| &a.stamp),
                    "{name}"
                );
            }
            // The corpus' planted password is replaced.
            assert!(memchr::memmem::find(&anon.bytes, b"S3cr3tPlanted").is_none(), "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 30, "only {seen} logs");
}

/// A forum paste wraps the Samba line inside the credentials, or cuts it short: the recorded
/// files and the diagnosis still hide them.
#[test]
fn wrapped_or_cut_credentials_never_leak() {
    let planted = String::from_utf8(planted_log()).unwrap();
    let quoted = format!("\"{USER}%{PASSWORD}\"");
    let (u1, u2) = USER.split_at(7);
    let (p1, p2) = PASSWORD.split_at(7);
    let variants = [
        // The break between the flag and its value.
        planted.replacen(&format!("-U {quoted}"), &format!("-U\n{quoted}"), 1),
        // Inside the user, inside the password.
        planted.replacen(&quoted, &format!("\"{u1}\n{u2}%{PASSWORD}\""), 1),
        planted.replacen(&quoted, &format!("\"{USER}%{p1}\r\n{p2}\""), 1),
        // Cut right after the password, the closing quote lost.
        planted
            .split_once(&quoted)
            .map(|(a, _)| format!("{a}\"{USER}%{PASSWORD}"))
            .unwrap(),
    ];
    for (i, v) in variants.iter().enumerate() {
        let tmp = project();
        std::fs::write(tmp.path().join("paste.log"), v).unwrap();
        let name = format!("4.4-wrapped-{i}");
        let out = record(tmp.path())
            .args(["paste.log", "--name", &name])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "variant {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = tmp.path().join("scenarios").join(&name);
        for f in entries(&dir) {
            assert_no_secret(
                &format!("variant {i}: {f}"),
                &std::fs::read(dir.join(&f)).unwrap(),
                &[PASSWORD, USER, p2, u2],
            );
        }
        let recorded = std::fs::read_to_string(dir.join("backup.log")).unwrap();
        assert_eq!(recorded.lines().count(), v.lines().count(), "variant {i}: lines kept");
        for format in ["text", "json", "html"] {
            let out = infobackup()
                .args(["diagnose", "-", "--format", format])
                .write_stdin(v.clone())
                .output()
                .unwrap();
            assert!(matches!(out.status.code(), Some(0 | 1)), "variant {i}");
            assert_no_secret(
                &format!("variant {i}: diagnose {format}"),
                &out.stdout,
                &[PASSWORD, USER, p2, u2],
            );
        }
    }
}

/// `record --log update`: the case stores the text as update.log and its manifest names it as
/// log/update, so the recorded case replays the update's backup (begin_update first).
#[test]
fn a_recorded_update_log_is_named_in_the_manifest() {
    let tmp = project();
    let src = repo().join("scenarios/4.4-update-backup/update.log");
    for (name, log) in [("4.4-update-again", "update"), ("4.4-update-auto", "auto")] {
        record(tmp.path())
            .args([src.to_str().unwrap(), "--name", name, "--lang", "en", "--log", log])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!(
                "scenarios/{name}/ (update.log: 30 lines"
            )));
        let dir = tmp.path().join("scenarios").join(name);
        assert_eq!(entries(&dir), vec!["case.toml", "update.log"]);
        let manifest = std::fs::read_to_string(dir.join("case.toml")).unwrap();
        assert!(manifest.contains("[logs]\nupdate = \"update.log\"\n"), "{manifest}");
        let c = Case::load(&dir).expect("the recorded case loads");
        assert_eq!(
            c.logs.keys().copied().collect::<Vec<_>>(),
            [infobackup::world::LogName::Update]
        );
        let resolved = c.resolve(&Overrides::default()).unwrap();
        let triggers: Vec<&str> = resolved.timeline.steps.iter().map(|s| s.trigger.as_str()).collect();
        assert_eq!(triggers, ["begin_update", "begin_backup", "end_backup"], "{manifest}");
    }
    // Forced to cron_execution: stored and named as such.
    let src = repo().join("scenarios/4.4-cron-backup-in-cron-execution/cron_execution.log");
    record(tmp.path())
        .args([
            src.to_str().unwrap(),
            "--name",
            "4.4-cron-again",
            "--log",
            "cron_execution",
        ])
        .assert()
        .code(0);
    let dir = tmp.path().join("scenarios/4.4-cron-again");
    assert_eq!(entries(&dir), vec!["case.toml", "cron_execution.log"]);
    let manifest = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    assert!(
        manifest.contains("[logs]\ncron_execution = \"cron_execution.log\"\n"),
        "{manifest}"
    );
}

/// Issue #14, 12: a file name holding a line break, quotes, a `]` and a `jeedom = "4.5"` line
/// once added keys to `case.toml` (the case then replayed as another Jeedom version). Every
/// value is escaped: the manifest holds only the keys `record` writes, and the case replays as
/// the 4.4 its log is.
#[test]
fn a_file_name_cannot_add_keys_to_the_manifest() {
    let tmp = project();
    let name = "log\n]\"\njeedom = \"4.5\"\n[params]\njeedom = \"4.5\"\n#.log";
    let src = tmp.path().join(name);
    std::fs::copy(repo().join("scenarios/4.4-samba-share-full/backup.log"), &src).unwrap();
    record(tmp.path())
        .args([src.to_str().unwrap(), "--name", "4.4-named-badly"])
        .assert()
        .code(0);
    let dir = tmp.path().join("scenarios/4.4-named-badly");
    let manifest = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    let table: toml::Table = manifest.parse().unwrap_or_else(|e| panic!("{e}\n{manifest}"));
    let keys: Vec<&str> = table.keys().map(String::as_str).collect();
    assert!(
        keys.iter().all(|k| ["description", "logs", "step"].contains(k)),
        "{keys:?}\n{manifest}"
    );
    assert!(manifest.contains("log\\n]\"\\njeedom = \"4.5\""), "{manifest}");
    assert!(!manifest.lines().any(|l| l.starts_with("jeedom")), "{manifest}");
    let c = Case::load(&dir).expect("the recorded case loads");
    assert!(c.manifest.jeedom.is_none(), "a version came from the file name");
    let resolved = c.resolve(&Overrides::default()).expect("and resolves");
    for p in &resolved.profiles {
        run::replay(&resolved, p, &Via::Memory).unwrap_or_else(|e| panic!("{}: {e}", p.name()));
    }
}
