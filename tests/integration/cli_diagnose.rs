//! `infobackup diagnose`, run as a user runs it: every option on bundled cases, standard input,
//! each error with its exit code and message, no secret in any format, and snapshots of the
//! plain text report in French and English.

use std::path::Path;

use predicates::prelude::*;

use crate::support::{infobackup, infobackup_en, repo};

fn log(case: &str) -> String {
    format!("scenarios/{case}/backup.log")
}

pub(crate) const PASSWORD: &str = "Pl4nted-Secr3t!";
pub(crate) const USER: &str = "jdupont_sauvegarde";
pub(crate) const IP: &str = "10.20.30.40";
pub(crate) const HOST: &str = "nas-dupont.local";
pub(crate) const API_KEY: &str = "Zx81Kq0pLmN4vB7cD2eF9gH3jK5";
pub(crate) const BOX: &str = "Maison_Dupont";

/// A 4.4 night whose Samba upload fails with Jeedom's wrapper line (password and user), against
/// a host by IP and by name, with a plugin's logger line quoting an API key, on a box with a
/// personal name.
pub(crate) fn planted_log() -> Vec<u8> {
    let archive = format!("backup-{BOX}-4.4.20-2025-09-10-03h27.tar.gz");
    let samba = format!(
        "Erreur sur timeout 7200 smbclient //{IP}/sauvegardes -U \"{USER}%{PASSWORD}\" -c 'cd \"jeedom\";lcd \"/var/www/html/backup\";put \"{archive}\"' valeur retournée : 1. Détails : Connection to {HOST} failed (Error NT_STATUS_HOST_UNREACHABLE)"
    );
    format!(
        "[START BACKUP]\n\
         ***************Start of Jeedom backup at 2025-09-10 03:27:01***************\n\
         Send begin backup event...OK\n\
         Checking files rights...OK\n\
         Backing up plugin mqtt2...OK\n\
         Checking  database...OK\n\
         Backing up database...OK\n\
         Cache persistence: \n\
         OK\n\
         Creating archive...\n\
         OK\n\
         Cleaning old backup...OK\n\
         [2025-09-10 03:29:30][ERROR] : Erreur http://jeedom-maison.lan/core/api/jeeApi.php?apikey={API_KEY}&type=cmd&id=12 : 401\n\
         Send backup Samba...[2025-09-10 03:29:44][ERROR] : {samba}\n\
         /!\\ {samba} /!\\OK\n\
         Limiting backup size to 500 Mb...\n\
         OK\n\
         Backup name: /var/www/html/core/php/../../backup/{archive}\n\
         Checking files rights...OK\n\
         Send end backup event...OK\n\
         Backup operation duration: 171s\n\
         ***************Jeedom backup end***************\n\
         [END BACKUP SUCCESS]\n"
    )
    .into_bytes()
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

// ---- snapshots of the text report ----------------------------------------------------------------

fn snapshot(name: &str, args: &[&str]) {
    let out = infobackup().arg("diagnose").args(args).output().unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: exit {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout_of(&out);
    assert!(!text.contains('\x1b'), "{name}: colours without a terminal");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/diagnose");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_info(&format!(
        "infobackup diagnose {} → exit {}",
        args.join(" "),
        code.unwrap_or(-1)
    ));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn report_fr_good_night() {
    snapshot("fr-4.4-success-local-only", &[&log("4.4-success-local-only")]);
}

#[test]
fn report_fr_failed_backup_stays_in_progress() {
    snapshot("fr-4.4-database-dump-failed", &[&log("4.4-database-dump-failed")]);
}

#[test]
fn report_en_failed_backup_stays_in_progress() {
    snapshot(
        "en-4.4-database-dump-failed",
        &[&log("4.4-database-dump-failed"), "--lang", "en"],
    );
}

#[test]
fn report_fr_two_runs_error_of_the_morning() {
    snapshot("fr-4.4-two-runs-in-one-file", &[&log("4.4-two-runs-in-one-file")]);
}

#[test]
fn report_en_case_folder_samba_crash() {
    snapshot(
        "en-4.4-samba-auth-failure",
        &["scenarios/4.4-samba-auth-failure", "--lang", "en"],
    );
}

#[test]
fn report_en_cut_off_log() {
    snapshot(
        "en-4.4-run-cut-off-at-start",
        &[&log("4.4-run-cut-off-at-start"), "--lang", "en"],
    );
}

#[test]
fn report_fr_latin1_forum_paste() {
    snapshot("fr-4.2-latin1-samba-ok", &[&log("4.2-latin1-samba-ok")]);
}

#[test]
fn report_en_never_ends() {
    snapshot(
        "en-4.4-backup-never-ends",
        &[&log("4.4-backup-never-ends"), "--lang", "en"],
    );
}

// ---- exit codes and the main sections ------------------------------------------------------------

#[test]
fn a_healthy_night_exits_0_and_a_problem_1() {
    infobackup()
        .args(["diagnose", &log("4.4-success-local-only")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("aucun problème"));
    infobackup()
        .args(["diagnose", &log("4.4-database-dump-failed")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Les deux lectures divergent"))
        .stdout(predicate::str::contains("Jeedom ne déclenche pas end_backup"));
}

#[test]
fn the_disagreement_comes_before_the_flags_and_the_timeline_after() {
    let out = infobackup()
        .args(["diagnose", &log("4.4-database-dump-failed"), "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing:\n{text}"))
    };
    assert!(at("Tiles") < at("The two readings disagree"));
    assert!(at("The two readings disagree") < at("Flags, one by one"));
    assert!(at("Flags, one by one") < at("Timeline from the log"));
    assert!(at("Timeline from the log") < at("Triggers replayed"));
    assert!(at("Triggers replayed") < at("Common assumptions"));
    // The failure is quoted with its line number as an annotated snippet.
    assert!(text.contains("--> backup.log:8:"), "{text}");
    assert!(text.contains("8 | Backing up database...Error during backup"), "{text}");
}

#[test]
fn standard_input_reads_the_same_log() {
    let bytes = std::fs::read(repo().join(log("4.4-samba-share-full"))).unwrap();
    let from_stdin = infobackup()
        .args(["diagnose", "-", "--lang", "en"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    let from_file = infobackup()
        .args(["diagnose", &log("4.4-samba-share-full"), "--lang", "en"])
        .output()
        .unwrap();
    assert_eq!(from_stdin.status.code(), from_file.status.code());
    let (a, b) = (stdout_of(&from_stdin), stdout_of(&from_file));
    assert!(a.contains("infobackup diagnosis: stdin"), "{a}");
    assert!(a.contains("--> stdin:15:"), "{a}");
    assert_eq!(a.replace("stdin", "backup.log"), b);
}

// ---- every option -----------------------------------------------------------------------------

fn json_of(args: &[&str]) -> (serde_json::Value, Option<i32>) {
    let out = infobackup()
        .arg("diagnose")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code())
}

#[test]
fn json_is_one_document_with_runs_tiles_flags_and_a_summary() {
    let (v, code) = json_of(&[&log("4.4-two-runs-in-one-file"), "--lang", "en"]);
    assert_eq!(v["format"], "infobackup-diagnosis/1");
    assert_eq!(v["lang"], "en");
    assert_eq!(v["profiles"]["published"], "v2024-08");
    assert_eq!(v["profiles"]["strict"], "strict");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    for r in runs {
        assert_eq!(r["flags"].as_array().unwrap().len(), 6);
        assert!(
            r["tiles"]["published"]["label"]
                .as_str()
                .unwrap()
                .starts_with("finished")
        );
        assert!(!r["timeline"].as_array().unwrap().is_empty());
    }
    // The second run's published tile is orange because of the first run's error line.
    assert_eq!(runs[1]["tiles"]["published"]["tone"], "warn");
    assert_eq!(runs[1]["tiles"]["strict"]["tone"], "good");
    assert_eq!(runs[1]["disagreement"]["kind"], "published_worse");
    assert_eq!(runs[1]["disagreement"]["flags"], serde_json::json!(["errorLog"]));
    let log_flag = &runs[1]["flags"][1];
    assert_eq!(log_flag["flag"], "errorLog");
    assert_eq!(log_flag["published"]["value"], 1);
    assert_eq!(log_flag["strict"]["value"], 0);
    assert_eq!(v["summary"]["exit_code"], 1);
    assert_eq!(code, Some(1));
}

#[test]
fn archive_size_makes_the_archive_too_small() {
    let (v, _) = json_of(&[&log("4.4-success-local-only"), "--archive-size", "1000"]);
    let size = &v["runs"][0]["flags"][3];
    assert_eq!(size["flag"], "errorSize");
    assert_eq!(size["published"]["value"], 1);
    assert_eq!(v["runs"][0]["tiles"]["published"]["tone"], "warn");
    assert!(
        v["assumptions"].to_string().contains("--archive-size")
            || v["runs"][0]["assumptions"].to_string().contains("--archive-size")
    );
}

#[test]
fn min_size_moves_the_threshold() {
    let (v, code) = json_of(&[&log("4.4-success-local-only"), "--min-size", "300000000"]);
    assert_eq!(v["min_size"], 300000000);
    assert_eq!(v["runs"][0]["flags"][3]["published"]["value"], 1);
    assert_eq!(code, Some(1));
}

#[test]
fn samba_on_checks_the_share_and_off_does_not() {
    let (on, _) = json_of(&[&log("4.4-success-local-only"), "--samba", "on"]);
    assert_eq!(
        on["runs"][0]["flags"][4]["published"]["value"], 1,
        "no upload in the log: not on the share"
    );
    let (off, _) = json_of(&[&log("4.4-samba-ok"), "--samba", "off"]);
    assert_eq!(off["runs"][0]["flags"][4]["published"]["value"], -1);
}

#[test]
fn jeedom_version_changes_what_the_older_revisions_do() {
    let (v, _) = json_of(&[
        &log("4.4-success-local-only"),
        "--jeedom-version",
        "4.5.3",
        "--profile",
        "v2023-03",
    ]);
    assert_eq!(v["jeedom"], "4.5");
    assert_eq!(v["profiles"]["published"], "v2023-03");
    // v2023-03 reads the trigger with the accessor 4.5 removed: it crashes.
    assert_eq!(v["runs"][0]["tiles"]["published"]["label"], "alert:invalid_json");
    assert_eq!(v["runs"][0]["disagreement"]["kind"], "published_crashed");
}

#[test]
fn profile_strict_alone_and_profile_files() {
    let (v, code) = json_of(&[&log("4.4-success-local-only"), "--profile", "strict"]);
    assert_eq!(v["profiles"]["published"], "strict");
    assert_eq!(v["profiles"]["strict"], serde_json::Value::Null);
    assert_eq!(code, Some(0));
    let (v, _) = json_of(&[&log("4.4-success-local-only"), "--profile", "profiles/big-box.toml"]);
    assert_eq!(v["profiles"]["published"], "big-box");
}

#[test]
fn tz_changes_the_box_time_zone() {
    let (v, _) = json_of(&[&log("4.4-success-local-only"), "--tz", "America/New_York"]);
    assert_eq!(v["tz"], "America/New_York");
}

#[test]
fn case_folders_are_read_with_their_manifest() {
    let (v, _) = json_of(&["scenarios/4.4-samba-auth-failure"]);
    assert_eq!(v["input"]["case_folder"], true);
    assert!(
        v["input"]["description"]
            .as_str()
            .unwrap()
            .contains("Samba password changed")
    );
    assert_eq!(v["runs"][0]["tiles"]["published"]["label"], "alert:invalid_json");
}

#[test]
fn html_goes_to_a_file_atomically_and_never_clobbers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("rapport.html");
    let out_s = out.to_str().unwrap();
    infobackup()
        .args([
            "diagnose",
            &log("4.4-samba-share-full"),
            "--format",
            "html",
            "--output",
            out_s,
        ])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("rapport écrit dans"));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("data-profile=\"published\"") && html.contains("data-profile=\"strict\""));
    // A second run refuses the existing file and leaves it as it was.
    std::fs::write(&out, "mine").unwrap();
    infobackup_en()
        .args([
            "diagnose",
            &log("4.4-samba-share-full"),
            "--format",
            "html",
            "-o",
            out_s,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists").and(predicate::str::contains("--force")));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    infobackup_en()
        .args([
            "diagnose",
            &log("4.4-samba-share-full"),
            "--format",
            "json",
            "-o",
            out_s,
            "--force",
        ])
        .assert()
        .code(1);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("infobackup-diagnosis/1")
    );
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["rapport.html".to_owned()]);
}

#[test]
fn force_needs_an_output() {
    infobackup()
        .args(["diagnose", &log("4.4-success-local-only"), "--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--output"));
}

// ---- errors --------------------------------------------------------------------------------------

#[test]
fn a_missing_file_is_named() {
    infobackup_en()
        .args(["diagnose", "scenarios/nowhere/backup.log"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "scenarios/nowhere/backup.log: no such file or folder",
        ));
}

#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("backup.log");
    std::fs::write(&path, planted_log()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // A file nobody can read, root included: /proc/self/mem is a regular file whose read at
    // offset 0 fails (EIO). A chmod 000 file is one too, except for root (how CI runs), so it is
    // added only when it really is unreadable.
    let mut unreadable = vec![std::path::PathBuf::from("/proc/self/mem")];
    if std::fs::read(&path).is_err() {
        unreadable.push(path.clone());
    }
    for p in &unreadable {
        assert!(
            std::fs::metadata(p).is_ok_and(|m| m.is_file()),
            "{} must be a file",
            p.display()
        );
        infobackup_en()
            .args(["diagnose", p.to_str().unwrap()])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("cannot read {}", p.display())));
    }
    // A path through a file cannot be read whoever runs the test.
    let through = path.join("inside.log");
    infobackup_en()
        .args(["diagnose", through.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("cannot read {}", through.display())));
}

#[test]
fn a_folder_that_is_not_a_case_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    infobackup_en()
        .args(["diagnose", tmp.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is a folder but not a case folder").and(predicate::str::contains("case.toml")),
        );
}

#[test]
fn text_that_is_not_a_jeedom_log_is_refused() {
    infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin("Bonjour,\nma tuile est rouge depuis hier, une idée ?\nMerci\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("stdin is not a Jeedom backup log").and(predicate::str::contains("log/backup")),
        );
    infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin(vec![0x89, b'P', b'N', b'G', 0, 1, 2, 0xff, 0xfe])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a Jeedom backup log"));
    infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a Jeedom backup log"));
}

#[test]
fn a_program_holding_backup_markers_is_binary_data_not_backups() {
    // infobackup itself holds Jeedom's markers as strings: it once read as dozens of backups.
    let exe = env!("CARGO_BIN_EXE_infobackup");
    for args in [["diagnose", exe], ["parse", exe]] {
        infobackup_en()
            .args(args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("is binary data, not a Jeedom backup log"));
    }
    let scenarios = tempfile::tempdir().unwrap();
    infobackup_en()
        .args(["record", exe, "--name", "4.4-program", "--scenarios"])
        .arg(scenarios.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is binary data, not a Jeedom backup log"));
    assert!(!scenarios.path().join("4.4-program").exists());
    infobackup()
        .args(["--lang", "fr", "diagnose", exe])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("contient des données binaires"));
}

#[test]
fn a_paste_that_lost_the_success_marker_after_the_end_banner_is_a_success() {
    // Copied up to Jeedom's end banner: the backup ended (the banner is printed only then),
    // end_backup was fired; only the last line was not copied.
    let full = std::fs::read_to_string(repo().join("tests/data/logs/4.4-ok.log")).unwrap();
    let cut = full.trim_end().strip_suffix("[END BACKUP SUCCESS]").unwrap().to_owned();
    let out = infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin(cut.clone())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("— backup succeeded — tile: ■ Backup finished"), "{text}");
    assert!(
        text.contains("the [END BACKUP SUCCESS] line that follows it is missing from the text"),
        "{text}"
    );
    assert!(text.contains("The tile now (after run 1): ■ Backup finished"), "{text}");
    assert!(
        !text.contains("never ended") && !text.contains("failed silently"),
        "{text}"
    );
    // Cut one line earlier, before the banner, the same paste is a backup that never ended.
    let earlier = cut.trim_end().rsplit_once('\n').unwrap().0.to_owned();
    let out = infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin(earlier)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("never ended"));
}

#[test]
fn a_run_pasted_twice_is_one_backup_not_two() {
    // The second copy once read as a later backup whose archive was missing.
    let log = std::fs::read_to_string(repo().join("tests/data/logs/4.4-ok.log")).unwrap();
    let twice = format!("{log}\n{log}");
    let out = infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin(twice.clone())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with("infobackup diagnosis: stdin — Jeedom 4.4, 1 backup run\n"),
        "{text}"
    );
    assert!(
        text.contains("1 backup run pasted a second time, byte for byte; the copy is left out"),
        "{text}"
    );
    assert!(!text.contains("archive missing"), "{text}");
    // Markdown says it before the short answer (the numbers below depend on it); parse too.
    let md = infobackup_en()
        .args(["diagnose", "-", "--format", "markdown"])
        .write_stdin(twice.clone())
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    let note = md.find("pasted a second time").expect("the note");
    assert!(note < md.find("### Short answer").unwrap(), "{md}");
    let parsed = infobackup_en()
        .args(["parse", "-"])
        .write_stdin(twice)
        .output()
        .unwrap();
    let parsed = String::from_utf8_lossy(&parsed.stdout);
    assert!(
        parsed.starts_with("1 run pasted a second time, byte for byte: left out;"),
        "{parsed}"
    );
    assert!(parsed.contains("Run 1 ·") && !parsed.contains("Run 2 ·"), "{parsed}");
}

#[test]
fn a_run_with_no_time_at_all_is_said_so() {
    infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin("Send end backup event...OK\nBackup operation duration: 12s\n[END BACKUP SUCCESS]\n")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no backup run of this log can be replayed")
                .and(predicate::str::contains("Start of Jeedom backup at")),
        );
}

#[test]
fn logger_lines_alone_point_to_the_other_logs() {
    infobackup_en()
        .args(["diagnose", &log("4.4-cron-backup-in-cron-execution")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no backup run").and(predicate::str::contains("cron_execution")));
}

#[test]
fn bad_options_are_refused_with_exit_2() {
    for (args, needle) in [
        (vec!["--format", "xml"], "invalid value 'xml'"),
        (vec!["--lang", "de"], "invalid value 'de'"),
        (vec!["--samba", "maybe"], "invalid value 'maybe'"),
        (vec!["--archive-size", "big"], "invalid value 'big'"),
        (vec!["--jeedom-version", "9.1"], "unknown Jeedom version"),
        (vec!["--tz", "Mars/Olympus"], "--tz \"Mars/Olympus\""),
        (vec!["--profile", "v2099-01"], "--profile"),
        (vec!["--profile", "nowhere.toml"], "no such profile file"),
        (vec!["--apikey", "abc"], "unexpected argument '--apikey'"),
        (vec!["--apikey-file", "k"], "--jeedom-url"),
    ] {
        infobackup_en()
            .arg("diagnose")
            .arg(log("4.4-success-local-only"))
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(needle));
    }
    infobackup_en()
        .arg("diagnose")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("LOG_OR_CASE"));
}

// ---- secrets --------------------------------------------------------------------------------------

/// Every byte of `out` is free of the planted secrets.
pub(crate) fn assert_no_secret(what: &str, out: &[u8], secrets: &[&str]) {
    for s in secrets {
        assert!(
            memchr::memmem::find(out, s.as_bytes()).is_none(),
            "{what} leaks {s:?}:\n{}",
            String::from_utf8_lossy(out)
        );
    }
}

/// A report of the planted log: it found the problem (exit 1), shows no secret on either
/// stream, and still quotes the Samba line, with the secrets masked.
fn assert_planted_report_is_safe(what: &str, out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_secret(what, &out.stdout, &[PASSWORD, USER, API_KEY]);
    assert_no_secret(&format!("{what} stderr"), &out.stderr, &[PASSWORD, USER, API_KEY]);
    let shown = String::from_utf8_lossy(&out.stdout);
    // The marker is the report's language's: `[masqué]` in French, `[redacted]` in English.
    let marker = if what.ends_with("/fr") {
        "[masqué]"
    } else {
        "[redacted]"
    };
    assert!(shown.contains(marker), "{what}: nothing masked with {marker}?");
    assert!(
        shown.contains("NT_STATUS_HOST_UNREACHABLE"),
        "{what}: the Samba line is not quoted"
    );
}

#[test]
fn no_secret_reaches_any_format() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("backup.log");
    std::fs::write(&path, planted_log()).unwrap();
    for lang in ["fr", "en"] {
        for format in ["text", "json", "html"] {
            let out = infobackup()
                .args([
                    "diagnose",
                    path.to_str().unwrap(),
                    "--format",
                    format,
                    "--lang",
                    lang,
                    "--samba",
                    "on",
                ])
                .output()
                .unwrap();
            assert_planted_report_is_safe(&format!("{format}/{lang}"), &out);
        }
    }
    // Through standard input and into a file too.
    let file = tmp.path().join("r.json");
    infobackup()
        .args(["diagnose", "-", "--format", "json", "-o", file.to_str().unwrap()])
        .write_stdin(planted_log())
        .assert()
        .code(1);
    assert_no_secret("json file", &std::fs::read(&file).unwrap(), &[PASSWORD, USER, API_KEY]);
}

/// Issue #14, 3: the live mode knows its API key as a secret of the diagnosis' redactor. A log
/// line holding the key, shortened in a sentence, once showed 14 of its 32 characters (the cut
/// key no longer matched). Wherever the cut falls, no 8 characters of it are shown, in any
/// format or language.
#[test]
fn a_known_key_in_a_shortened_line_never_shows_even_partly() {
    use infobackup::Lang;
    use infobackup::case::Case;
    use infobackup::redact::Redactor;
    use infobackup::report::diagnose::{self, Options, html, json, text};
    use infobackup::world::LogName;

    const KEY: &str = "q7Lm2Xv9Rt4Wz8Kp3Nb6Yc1Hd5Gf0Js";
    let log = std::fs::read_to_string(repo().join("scenarios/4.4-samba-auth-failure/backup.log")).unwrap();
    let mut checked = 0;
    for pad in (0..60).step_by(3) {
        let planted = log.replace(
            "Erreur sur timeout 7200 smbclient",
            &format!("Erreur sur timeout 7200 {} cle {KEY} smbclient", "x".repeat(pad)),
        );
        let case = Case::from_log("x.log", LogName::Backup, "x.log", planted.into_bytes().into());
        let opts = Options {
            redactor: Redactor::new().with_secret(KEY).unwrap(),
            ..Options::default()
        };
        let d = diagnose::diagnose(&case, &opts).unwrap_or_else(|e| panic!("{e}"));
        for lang in [Lang::Fr, Lang::En] {
            for out in [
                text::render_text(&d, lang, text::TextStyle::default()),
                json::render_json_text(&d, lang),
                html::render_html(&d, lang),
            ] {
                assert!(out.contains("[redacted]"), "nothing hidden?");
                for n in 0..=KEY.len() - 8 {
                    let piece = &KEY[n..n + 8];
                    assert!(!out.contains(piece), "pad {pad}: {piece:?} of the key shown:\n{out}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 20 * 6);
}

/// Issue #12, 9: a log copied from a web page (`&quot;`, `&#34;`, `&#39;`, `&amp;`) is read as
/// the text it escapes, and the credentials in it are never shown, in any format.
#[test]
fn an_html_escaped_paste_is_read_as_text_and_its_secrets_hidden() {
    let original = planted_log();
    let text = String::from_utf8(original.clone()).unwrap();
    let escapes: [&dyn Fn(&str) -> String; 2] = [
        &|t: &str| {
            t.replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
                .replace('<', "&lt;")
        },
        &|t: &str| t.replace('&', "&#38;").replace('"', "&#34;").replace('\'', "&#x27;"),
    ];
    let run = |input: Vec<u8>, format: &str| {
        infobackup()
            .args(["diagnose", "-", "--lang", "en", "--samba", "on", "--format", format])
            .write_stdin(input)
            .output()
            .unwrap()
    };
    for escape in escapes {
        let pasted = escape(&text).into_bytes();
        assert!(
            !pasted.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()) || !PASSWORD.contains(['&', '"', '\''])
        );
        for format in ["text", "json", "html"] {
            let out = run(pasted.clone(), format);
            assert_planted_report_is_safe(&format!("escaped {format}"), &out);
        }
        // Read as the text it escapes: the same runs, steps and flags as the plain log.
        let plain: serde_json::Value = serde_json::from_slice(&run(original.clone(), "json").stdout).unwrap();
        let escaped: serde_json::Value = serde_json::from_slice(&run(pasted, "json").stdout).unwrap();
        assert_eq!(escaped["runs"], plain["runs"]);
    }
}

#[test]
fn the_published_scenario_line_numbers_match_the_quoted_lines() {
    // Whatever the engine cites (errorLog's line), the snippet quotes that very line.
    let (v, _) = json_of(&[&log("4.4-market-password-mismatch"), "--lang", "en"]);
    let log_flag = &v["runs"][0]["flags"][1];
    let sentence = log_flag["published"]["sentence"].as_str().unwrap();
    let quote = &log_flag["quotes"][0];
    let line = quote["line"].as_u64().unwrap();
    assert!(
        sentence.contains(&format!("line {line}")) || sentence.contains(&format!("Line {line}")),
        "{sentence} / {quote}"
    );
    let text = std::fs::read_to_string(repo().join(log("4.4-market-password-mismatch"))).unwrap();
    let raw = text.lines().nth(line as usize - 1).unwrap();
    assert_eq!(quote["text"].as_str().unwrap(), raw);
}

#[test]
fn every_bundled_case_diagnoses_as_a_log_and_as_a_folder() {
    // The whole corpus: no panic, a report in each format, exit 0 or 1.
    for dir in infobackup::case::corpus_dirs(&repo().join("scenarios")).unwrap() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let folder = format!("scenarios/{name}");
        let out = infobackup()
            .args(["diagnose", &folder, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!v["runs"].as_array().unwrap().is_empty(), "{name}");
        let backup = Path::new(&folder).join("backup.log");
        let out = infobackup()
            .args(["diagnose", backup.to_str().unwrap()])
            .output()
            .unwrap();
        let code = out.status.code();
        let only_logger = name == "4.4-cron-backup-in-cron-execution";
        assert!(
            if only_logger {
                code == Some(2)
            } else {
                matches!(code, Some(0 | 1))
            },
            "{name}: exit {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---- --log: which Jeedom log a paste is ------------------------------------------------------------

fn json_report(args: &[&str]) -> serde_json::Value {
    let args = [args, &["--lang", "en"]].concat();
    let (v, code) = json_of(&args);
    assert!(matches!(code, Some(0 | 1)), "{args:?}: exit {code:?}");
    v
}

/// A flag of a run: (published value, published rule, strict value, strict rule).
fn flag_of(run: &serde_json::Value, name: &str) -> (i64, String, i64, String) {
    let f = run["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == name)
        .unwrap();
    let part = |p: &str| {
        (
            f[p]["value"].as_i64().unwrap(),
            f[p]["rule"].as_str().unwrap().to_owned(),
        )
    };
    let ((pv, pr), (sv, sr)) = (part("published"), part("strict"));
    (pv, pr, sv, sr)
}

fn tiles_of(run: &serde_json::Value) -> (String, String) {
    let t = |p: &str| run["tiles"][p]["label"].as_str().unwrap().to_owned();
    (t("published"), t("strict"))
}

fn triggers_of(run: &serde_json::Value) -> Vec<String> {
    run["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trigger"].as_str().unwrap().to_owned())
        .collect()
}

/// A pasted `log/update` is served as log/update: the update's own trigger is replayed, the
/// published scenario reads an empty log/backup (as it would on the box), strict finds the run in
/// log/update; both skip the uploads (update=1). Auto-detection knows it by its update banner.
#[test]
fn a_pasted_update_log_is_served_as_log_update() {
    let file = "scenarios/4.4-update-backup/update.log";
    for args in [vec![file, "--log", "update"], vec![file]] {
        let v = json_report(&args);
        assert_eq!(v["input"]["logs"][0]["log"], "update", "{args:?}");
        let runs = v["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{args:?}");
        let r = &runs[0];
        assert_eq!(r["log"], "update");
        assert_eq!(triggers_of(r), ["begin_update", "begin_backup", "end_backup"]);
        assert_eq!(
            tiles_of(r),
            ("finished local=success".into(), "finished local=success".into())
        );
        let (pv, pr, sv, sr) = flag_of(r, "errorLog");
        assert_eq!((pv, pr.as_str(), sv, sr.as_str()), (0, "log_clean", 0, "run_clean"));
        let f = r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["flag"] == "errorLog")
            .unwrap();
        let (ps, ss) = (
            f["published"]["sentence"].as_str().unwrap(),
            f["strict"]["sentence"].as_str().unwrap(),
        );
        assert!(
            ps.contains("The backup log is empty"),
            "published reads log/backup: {ps}"
        );
        assert!(ss.contains("in the update log"), "strict reads log/update: {ss}");
        let (pv, pr, sv, sr) = flag_of(r, "errorSamba");
        assert_eq!(
            (pv, pr.as_str(), sv, sr.as_str()),
            (-1, "samba_skipped", -1, "samba_skipped")
        );
        assert_eq!(flag_of(r, "errorMarket").2, -1);
        assert_eq!(flag_of(r, "errorMarket").3, "market_skipped");
    }
    // The same text forced to log/backup: an ordinary backup, read from log/backup by both.
    let v = json_report(&[file, "--log", "backup"]);
    let r = &v["runs"][0];
    assert_eq!(
        (v["input"]["logs"][0]["log"].as_str(), r["log"].as_str()),
        (Some("backup"), Some("backup"))
    );
    assert_eq!(triggers_of(r), ["begin_backup", "end_backup"]);
}

/// A pasted `log/cron_execution` (the daily scheduled backup): strict finds the run there and its
/// failed Market upload; the published scenario reads log/backup, which the paste is not, and never
/// checks the Market. Not auto-detected: without --log it is taken for log/backup.
#[test]
fn a_pasted_cron_execution_log_is_served_as_log_cron_execution() {
    let file = "scenarios/4.4-cron-backup-in-cron-execution/cron_execution.log";
    let v = json_report(&[file, "--log", "cron_execution"]);
    assert_eq!(v["input"]["logs"][0]["log"], "cron_execution");
    let r = &v["runs"][0];
    assert_eq!(r["log"], "cron_execution");
    assert_eq!(triggers_of(r), ["begin_backup", "end_backup"]);
    assert_eq!(
        tiles_of(r),
        (
            "finished local=success".into(),
            "finished local=success market=error".into()
        )
    );
    let (pv, pr, sv, sr) = flag_of(r, "errorMarket");
    assert_eq!(
        (pv, pr.as_str(), sv, sr.as_str()),
        (-1, "market_not_checked", 1, "upload_failed")
    );
    let f = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorMarket")
        .unwrap();
    assert_eq!(f["quotes"][0]["line"], 15, "{f}");
    let f = r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorLog")
        .unwrap();
    assert!(
        f["published"]["sentence"]
            .as_str()
            .unwrap()
            .contains("The backup log is empty"),
        "{f}"
    );
    assert!(
        f["strict"]["sentence"]
            .as_str()
            .unwrap()
            .contains("in the cron_execution log"),
        "{f}"
    );
    assert_eq!(v["summary"]["exit_code"], 1);
    let v = json_report(&[file]);
    assert_eq!(v["runs"][0]["log"], "backup", "cron_execution is never guessed");
    // The option's spelling with a dash is accepted too; a wrong one is exit 2.
    assert_eq!(
        json_report(&[file, "--log", "cron-execution"])["runs"][0]["log"],
        "cron_execution"
    );
    infobackup()
        .args(["diagnose", file, "--log", "cron"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--log"));
}

// ---- live mode -------------------------------------------------------------------------------------

/// A mock box in live mode (no listings, no control methods), serving a recorded case at its
/// last trigger, so log/backup holds the whole run.
/// `diagnose --format json --lang LANG` against a live box (the mock), the key in the environment.
fn live_diagnose_json(mock: &infobackup::jeeapi::JeedomMock, key: &str, lang: &str) -> std::process::Output {
    infobackup()
        .env("INFOBACKUP_APIKEY", key)
        .args([
            "diagnose",
            "--jeedom-url",
            &mock.uri(),
            "--format",
            "json",
            "--lang",
            lang,
        ])
        .output()
        .unwrap()
}

/// A mock box in live mode serving the recorded case `case` at its last step; its key.
pub(crate) fn live_box(case: &str) -> (infobackup::jeeapi::JeedomMock, infobackup::jeeapi::MockSession, String) {
    live_box_at(case, None)
}

/// [`live_box`] at step `step` (0-based; the last when `None`): the box's clock and logs are
/// that step's.
fn live_box_at(
    case: &str,
    step: Option<usize>,
) -> (infobackup::jeeapi::JeedomMock, infobackup::jeeapi::MockSession, String) {
    live_box_announcing(case, step, None)
}

/// [`live_box_at`] whose `version` announces `release` (any text) instead of the case's.
fn live_box_announcing(
    case: &str,
    step: Option<usize>,
    release: Option<&str>,
) -> (infobackup::jeeapi::JeedomMock, infobackup::jeeapi::MockSession, String) {
    use infobackup::jeeapi::{JeedomMock, SessionMode, SessionOptions};
    let resolved = infobackup::case::Case::load(&repo().join("scenarios").join(case))
        .unwrap()
        .resolve(&infobackup::case::Overrides::default())
        .unwrap();
    let last = step.unwrap_or(resolved.timeline.steps.len() - 1);
    let mock = JeedomMock::start_blocking(0).unwrap();
    let session = mock
        .register(
            std::sync::Arc::new(resolved.timeline),
            SessionOptions {
                mode: SessionMode::Live,
                start_step: last,
                release: release.map(str::to_owned),
                ..Default::default()
            },
        )
        .unwrap();
    let key = session.key().expose().to_owned();
    (mock, session, key)
}

#[test]
fn live_mode_reads_the_box_and_never_writes() {
    let (mock, session, key) = live_box("4.4-samba-share-full");
    let tmp = tempfile::tempdir().unwrap();
    let key_file = tmp.path().join("apikey");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    let out = infobackup()
        .args([
            "diagnose",
            "--jeedom-url",
            &mock.uri(),
            "--apikey-file",
            key_file.to_str().unwrap(),
        ])
        .args(["--cmd-id", "4242", "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("== On the box (http://127.0.0.1:"), "{text}");
    assert!(text.contains("Jeedom version: 4.4"), "{text}");
    assert!(text.contains("The tile shows now:"), "{text}");
    assert!(text.contains("samba::enable = \"1\""), "{text}");
    assert!(
        text.contains("Not available: the local backup folder listing"),
        "{text}"
    );
    assert!(
        text.contains("--> log/backup:16:"),
        "the log read from the box is quoted: {text}"
    );
    assert!(
        text.contains("box      jeedom = 4.4"),
        "the version is marked as read from the box: {text}"
    );
    assert_no_secret("live stdout", &out.stdout, &[&key]);
    assert_no_secret("live stderr", &out.stderr, &[&key]);
    assert_eq!(session.events(), Some(0), "live mode wrote to the box");
    // The key from the environment works the same; JSON marks the live facts.
    let out = infobackup()
        .env("INFOBACKUP_APIKEY", &key)
        .args(["diagnose", "--jeedom-url", &mock.uri(), "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["live"]["version"], "4.4.20");
    assert_eq!(
        v["live"]["virtual"],
        serde_json::Value::Null,
        "no --cmd-id, no virtual read"
    );
    assert!(v["assumptions"].as_array().unwrap().iter().any(|a| a["kind"] == "live"));
    assert_no_secret("live json", &out.stdout, &[&key]);
    assert_eq!(session.events(), Some(0));
}

/// Issue 15 point 8: a box read at its first step (`serve --live` starts there) is in the middle
/// of its backup: its clock is the backup's start and its log stops at the begin event. Strict's
/// watchdog looks at the run at the box's `now`, not two hours later, so a backup still running
/// is "in progress" for both readings, never "failed" before its watchdog time.
#[test]
fn live_mode_at_the_first_step_is_in_progress_not_failed() {
    let (mock, session, key) = live_box_at("4.4-samba-ok", Some(0));
    let out = live_diagnose_json(&mock, &key, "en");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["live"]["now"], "2025-09-10 03:27:01",
        "the box's clock is step 1's: {}",
        v["live"]
    );
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let (published, strict) = tiles_of(&runs[0]);
    assert_eq!(published, "in_progress");
    assert_eq!(
        strict, "in_progress",
        "strict called a running backup failed before its watchdog time: {}",
        runs[0]
    );
    assert_eq!(
        runs[0]["tiles"]["strict"]["tone"],
        runs[0]["tiles"]["published"]["tone"]
    );
    // The watchdog's tick is at the box's clock, not at begin + timeout.
    let ticks: Vec<&serde_json::Value> = runs[0]["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["trigger"] == "schedule")
        .collect();
    assert_eq!(ticks.len(), 1, "{}", runs[0]["triggers"]);
    assert_eq!(
        ticks[0]["at"], "2025-09-10 03:27:01",
        "a watchdog tick after the box's now: {ticks:?}"
    );
    // The short answer says the backup is in progress, not that it never ended.
    let out = infobackup()
        .env("INFOBACKUP_APIKEY", &key)
        .args(["diagnose", "--jeedom-url", &mock.uri(), "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("— in progress (so far the log stops at line 3) —") && !text.contains("never ended"),
        "{text}"
    );
    assert_eq!(session.events(), Some(0));
}

/// Issue 12 point 5: a box of a Jeedom the scenario is not published for (4.6, 4.1, 3.x) is
/// replayed as the nearest published generation, and live mode says so: a warning on standard
/// error naming the version read and the one replayed, the report's first sentence, and the
/// assumption. A published release says nothing; a text that is no version is refused (exit 2).
#[test]
fn live_mode_says_when_it_maps_the_boxs_version() {
    let diagnose = |release: &str, lang: &str| {
        let (mock, session, key) = live_box_announcing("4.4-samba-ok", None, Some(release));
        let out = live_diagnose_json(&mock, &key, lang);
        assert_eq!(session.events(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.code() == Some(2) {
            return (serde_json::Value::Null, err);
        }
        assert!(matches!(out.status.code(), Some(0 | 1)), "{release}: {err}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (v, err)
    };
    for (release, replayed, newer) in [
        ("4.6.1", "4.5", true),
        ("4.1.5", "4.2", false),
        ("3.3.39", "4.2", false),
    ] {
        let (v, err) = diagnose(release, "en");
        assert!(
            err.contains("warning: the box at http://127.0.0.1:")
                && err.contains(&format!("announces Jeedom {release}"))
                && err.contains(&format!("replayed as Jeedom {replayed}")),
            "{release}: {err}"
        );
        assert_eq!(v["live"]["version"], release);
        assert_eq!(v["jeedom"], replayed, "{release}");
        assert_eq!(v["jeedom_seen"], release, "{release}");
        let note = v["jeedom_note"].as_str().unwrap().to_lowercase();
        assert!(
            note.contains(&format!("the box announces jeedom {release}"))
                && note.contains(&format!("replayed as jeedom {replayed}"))
                && note.contains("4.2"),
            "{release}: {note}"
        );
        assert_eq!(note.contains("newer than"), newer, "{note}");
        let fact = v["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["kind"] == "live" && a["text"].as_str().unwrap_or("").contains("jeedom"))
            .unwrap_or_else(|| panic!("{release}: no live version fact in {}", v["assumptions"]));
        assert!(
            fact["text"]
                .as_str()
                .unwrap()
                .contains(&format!("{replayed} (the box announces Jeedom {release};")),
            "{fact}"
        );
    }
    // In French too.
    let (_, err) = diagnose("4.6.1", "fr");
    assert!(
        err.contains("attention : la box http://127.0.0.1:") && err.contains("rejoué comme Jeedom 4.5"),
        "{err}"
    );
    // A published release is no mapping: nothing said.
    let (v, err) = diagnose("4.4.20", "en");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(v["jeedom_seen"], serde_json::Value::Null);
    assert_eq!(v["jeedom"], "4.4");
    // A version that is not one cannot be mapped: exit 2, naming what the box announced.
    let (v, err) = diagnose("5.0.0-beta", "en");
    assert_eq!(v, serde_json::Value::Null, "{err}");
    assert!(err.contains("unknown Jeedom version \"5.0.0-beta\""), "{err}");
}

/// Live mode reads log/update and log/cron_execution too: the daily backup whose text went to
/// log/cron_execution (log/backup holds only logger lines) is diagnosed, strict reading it there.
#[test]
fn live_mode_reads_the_other_logs() {
    let (mock, session, key) = live_box("4.4-cron-backup-in-cron-execution");
    let out = live_diagnose_json(&mock, &key, "en");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let logs: Vec<&str> = v["input"]["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log"].as_str().unwrap())
        .collect();
    assert_eq!(
        logs,
        ["backup", "cron_execution"],
        "log/update is absent on this box: left out"
    );
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["log"], "cron_execution");
    assert_eq!(
        tiles_of(&runs[0]).1,
        "finished local=warning market=error",
        "strict also sees log/backup's logger error"
    );
    assert_eq!(session.events(), Some(0));
}

/// `--push` is the one write: exactly one `cmd::event`, carrying the value the published profile
/// computed for the last trigger (the same as the JSON report's last published tile), said on
/// standard error with the command it went to. Without it, nothing is written.
#[test]
fn live_push_writes_the_computed_value_once() {
    let (mock, session, key) = live_box("4.4-samba-share-full");
    let before = session.virtual_value().unwrap();
    let run = |push: bool| {
        let mut c = infobackup();
        c.env("INFOBACKUP_APIKEY", &key)
            .args(["diagnose", "--jeedom-url", &mock.uri(), "--cmd-id", "4242"])
            .args(["--format", "json", "--lang", "en"]);
        if push {
            c.arg("--push");
        }
        c.output().unwrap()
    };
    let out = run(false);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(session.events(), Some(0), "no --push, no cmd::event");
    assert_eq!(session.virtual_value().as_ref(), Some(&before));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The report's last run, published tile: the value the profile computed for the last trigger.
    let last = report["runs"].as_array().unwrap().last().unwrap();
    assert_eq!(last["tiles"]["published"]["tone"], "bad", "the share was full: {last}");
    let expected = last["tiles"]["published"]["virtual"].as_str().unwrap().to_owned();
    assert!(
        expected.starts_with('{') && !expected.contains("[redacted]"),
        "{expected}"
    );
    assert_ne!(expected, before, "the test needs a value that differs from the box's");

    let out = run(true);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(session.events(), Some(1), "--push: exactly one cmd::event");
    assert_eq!(session.virtual_value().as_deref(), Some(expected.as_str()), "{err}");
    assert!(
        err.contains("wrote to command #4242 on http://127.0.0.1:") && err.contains("profile v2024-08"),
        "{err}"
    );
    assert!(err.contains(&expected), "the value written is shown: {err}");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        report,
        "the report is the same with --push (stdout holds only the report)"
    );
    assert_no_secret("push stderr", &out.stderr, &[&key]);
}

#[test]
fn push_needs_a_box_and_a_command() {
    infobackup_en()
        .args(["diagnose", &log("4.4-samba-ok"), "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--push").and(predicate::str::contains("--jeedom-url URL")));
    let (mock, session, key) = live_box("4.4-success-local-only");
    infobackup_en()
        .env("INFOBACKUP_APIKEY", &key)
        .args(["diagnose", "--jeedom-url", &mock.uri(), "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--push needs --cmd-id ID"));
    // Without a URL, --cmd-id alone is refused by the argument parser, naming --jeedom-url.
    infobackup_en()
        .args(["diagnose", &log("4.4-samba-ok"), "--cmd-id", "4242", "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--jeedom-url"));
    assert_eq!(session.events(), Some(0));
}

#[test]
fn live_mode_errors_exit_2_without_the_key() {
    let (mock, _session, key) = live_box("4.4-success-local-only");
    infobackup_en()
        .args(["diagnose", "--jeedom-url", &mock.uri()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--apikey-file FILE").and(predicate::str::contains("INFOBACKUP_APIKEY")));
    let wrong = format!("{key}x");
    let out = infobackup_en()
        .env("INFOBACKUP_APIKEY", &wrong)
        .args(["diagnose", "--jeedom-url", &mock.uri()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--jeedom-url http://127.0.0.1:"), "{err}");
    assert_no_secret("wrong key stderr", &out.stderr, &[&wrong, &key]);
    infobackup_en()
        .env("INFOBACKUP_APIKEY", &key)
        .args(["diagnose", "--jeedom-url", "ftp://box.example/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http:// or https://"));
}

// ---- robustness ------------------------------------------------------------------------------------

mod never_panics {
    use infobackup::Lang;
    use infobackup::case::Case;
    use infobackup::report::diagnose::{self, Options, html, json, text};
    use infobackup::world::LogName;
    use proptest::prelude::*;

    fn base() -> Vec<u8> {
        super::planted_log()
    }

    /// Every rendering of the diagnosis of `bytes`, or the error `diagnose` gives (the text the
    /// CLI prints on stderr), so that a caller can neither pass without rendering nor skip the
    /// error's text.
    fn render_all(bytes: Vec<u8>) -> Result<Vec<String>, String> {
        let case = Case::from_log("x.log", LogName::Backup, "x.log", bytes.into());
        let d = diagnose::diagnose(&case, &Options::default()).map_err(|e| format!("{e:#}"))?;
        let mut outs = Vec::new();
        for lang in [Lang::Fr, Lang::En] {
            outs.push(text::render_text(&d, lang, text::TextStyle::default()));
            outs.push(text::render_text(&d, lang, text::TextStyle { color: true, width: 60 }));
            outs.push(json::render_json_text(&d, lang));
            outs.push(html::render_html(&d, lang));
        }
        Ok(outs)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Garbage spliced anywhere into a log (control characters, invalid UTF-8, line breaks in
        /// the middle of words) never makes the diagnosis or a rendering panic.
        #[test]
        fn any_garbage_anywhere(at in 0usize..1200, junk in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..1200) {
            let mut bytes = base();
            // After the start banner (which dates the run): garbage inside it may rightly make
            // the log one no run of which can be timed.
            let banner_end = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map_or(0, |(i, _)| i + 1);
            let at = at.clamp(banner_end, bytes.len());
            bytes.splice(at..at, junk);
            bytes.truncate(cut.max(200).min(bytes.len()));
            // The log's start stays whole: it is still a log, so the diagnosis must render, in
            // every format, not only avoid a panic; unless the garbage outweighs it so that the
            // whole is binary data, which is refused as such.
            let binary = infobackup::log::looks_binary(infobackup::log::count_control_bytes(&bytes), bytes.len() as u64);
            let outs = render_all(bytes);
            if binary {
                let err = outs.err().unwrap_or_default();
                prop_assert!(err.contains("is binary data"), "binary data not refused as such: {err}");
                return Ok(());
            }
            prop_assert!(outs.is_ok(), "diagnose failed: {:?}", outs.err());
            for o in outs.iter().flatten() {
                prop_assert!(!o.trim().is_empty(), "an empty rendering");
            }
        }

        /// What happens to a log between a box and a forum post (hard wraps at spaces, CRLF,
        /// lines of other text in between, a cut end) never lets a planted secret through.
        #[test]
        fn forum_mangling_keeps_secrets_hidden(
            wraps in proptest::collection::vec((0usize..1200, any::<bool>()), 0..12),
            lines in proptest::collection::vec((0usize..1200, proptest::collection::vec(any::<u8>(), 0..80)), 0..4),
            cut in 0usize..1200,
        ) {
            let mut bytes = base();
            for (at, junk) in lines {
                // Lines of other text between the log's own lines (before any wrap, so a wrapped
                // line stays in one piece), then hard wraps: a line of anything (no line break)
                // after the line holding `at`.
                if let Some(i) = bytes.iter().skip(at).position(|b| *b == b'\n').map(|i| i + at + 1) {
                    let mut line: Vec<u8> = junk.into_iter().filter(|b| *b != b'\n' && *b != b'\r').collect();
                    line.push(b'\n');
                    bytes.splice(i..i, line);
                }
            }
            for (at, crlf) in wraps {
                // The first space at or after `at` becomes a line break.
                if let Some(i) = bytes.iter().skip(at).position(|b| *b == b' ').map(|i| i + at) {
                    let nl: &[u8] = if crlf { b"\r\n" } else { b"\n" };
                    bytes.splice(i..=i, nl.iter().copied());
                }
            }
            bytes.truncate(cut.max(300).min(bytes.len()));
            // An error's text (what stderr shows) is checked like the renderings.
            let outs = render_all(bytes).unwrap_or_else(|e| vec![e]);
            for o in outs {
                prop_assert!(!o.contains(super::PASSWORD), "password leaked:\n{o}");
                prop_assert!(!o.contains(super::USER), "user leaked:\n{o}");
                prop_assert!(!o.contains(super::API_KEY), "API key leaked:\n{o}");
            }
        }
    }
}

#[test]
fn a_forum_quoted_paste_is_diagnosed_like_the_log_and_says_it_was_quoted() {
    let original = std::fs::read(repo().join("scenarios/4.4-samba-ok/backup.log")).unwrap();
    let mut quoted = Vec::new();
    for line in original.split_inclusive(|&b| b == b'\n') {
        quoted.extend_from_slice(b"> ");
        quoted.extend_from_slice(line);
    }
    let run = |input: Vec<u8>| {
        infobackup()
            .args(["diagnose", "-", "--lang", "en", "--format", "json"])
            .write_stdin(input)
            .output()
            .unwrap()
    };
    let (plain, quoted) = (run(original), run(quoted));
    assert_eq!(plain.status.code(), quoted.status.code());
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let quoted: serde_json::Value = serde_json::from_slice(&quoted.stdout).unwrap();
    let tiles = |v: &serde_json::Value| {
        v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["tiles"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(tiles(&plain), tiles(&quoted), "quoting changes no tile");
    let notes = quoted["notes"].to_string();
    assert!(notes.contains("forum quote"), "{notes}");
    assert!(!notes.contains("line breaks were lost"), "{notes}");
    assert!(!plain["notes"].to_string().contains("forum quote"));
}

// ---- the cause, quoted (#12 point 1) ------------------------------------------------------------

/// The quotes of a run's cause: (line, label, text).
fn cause_of(v: &serde_json::Value, run: usize) -> Vec<(u64, String, String)> {
    v["runs"][run]["cause"]
        .as_array()
        .unwrap_or_else(|| panic!("no cause: {v}"))
        .iter()
        .map(|q| {
            (
                q["line"].as_u64().unwrap(),
                q["label"].as_str().unwrap().to_owned(),
                q["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_failed_dump_quotes_what_mysqldump_printed_above_jeedoms_wrapper() {
    let (v, code) = json_of(&["tests/data/logs/signatures/database-server-down.log", "--lang", "en"]);
    assert_eq!(code, Some(1));
    let cause = cause_of(&v, 0);
    assert_eq!(cause.len(), 2, "{cause:?}");
    assert_eq!(cause[0].0, 6);
    assert!(
        cause[0]
            .2
            .contains("mysqldump: Got error: 2002: \"Can't connect to local server through socket"),
        "{cause:?}"
    );
    assert_eq!(cause[0].1, "the error printed during: database dump");
    assert_eq!((cause[1].0, cause[1].1.as_str()), (7, "the backup fails here"));
    assert!(cause[1].2.contains("Check mysqldump installation"));
    // The text report quotes it first, in French too.
    let out = infobackup()
        .args(["diagnose", "tests/data/logs/signatures/database-server-down.log"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let cause_at = text
        .find("Cause, telle que Jeedom l'a écrite")
        .expect("a cause section");
    assert!(cause_at < text.find("Tuiles").unwrap(), "{text}");
    assert!(
        text.contains("l'erreur écrite pendant : sauvegarde de la base de données"),
        "{text}"
    );
}

#[test]
fn a_multi_line_upload_error_gives_its_real_message() {
    // 4.5 keeps the exception's line break: `/!\ Erreur … ⏎ session setup failed: … /!\OK`.
    let file = "tests/data/logs/signatures/samba-logon-failure.log";
    let (v, _) = json_of(&[file, "--lang", "en"]);
    let samba = v["runs"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorSamba")
        .unwrap();
    let sentence = samba["strict"]["sentence"].as_str().unwrap();
    assert!(sentence.contains("\"Erreur sur timeout 7200 smbclient"), "{sentence}");
    assert!(!sentence.contains("\"OK\""), "{sentence}");
    let lines: Vec<u64> = cause_of(&v, 0).iter().map(|c| c.0).collect();
    assert_eq!(lines, [26, 28, 29], "the logger's error and both lines of the message");
    let out = infobackup().args(["diagnose", file, "--lang", "en"]).output().unwrap();
    let text = stdout_of(&out);
    assert!(!text.contains("FAILED \"OK\""), "{text}");
    assert!(text.contains("NT_STATUS_LOGON_FAILURE"), "{text}");
    assert!(!text.contains("S3cr3tPass"), "{text}");
}

#[test]
fn tar_errors_and_harmless_tar_warnings_are_told_apart() {
    let (v, _) = json_of(&["tests/data/logs/signatures/tar-error.log", "--lang", "en"]);
    let cause = cause_of(&v, 0);
    let label = |needle: &str| {
        cause
            .iter()
            .find(|c| c.2.contains(needle))
            .map(|c| c.1.clone())
            .unwrap_or_else(|| panic!("{needle}: {cause:?}"))
    };
    let warning = "a harmless tar warning: the archive is made all the same";
    let error = "a tar error: the archive may be incomplete";
    assert_eq!(label("socket ignored"), warning);
    assert_eq!(label("file changed as we read it"), warning);
    assert_eq!(label("Cannot open: Permission denied"), error);
    assert_eq!(label("Exiting with failure status"), error);
    // A healthy log with only warnings says so under its own heading.
    let out = infobackup()
        .args(["diagnose", "tests/data/logs/4.4-tar-warnings-ok.log", "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("Harmless warnings"), "{text}");
    assert!(!text.contains("The cause, as Jeedom printed it"), "{text}");
}

// ---- advice from the catalogue of known failures (#12 point 2) ----------------------------------

/// The advice of a run: (id, lines).
fn advice_of(v: &serde_json::Value, run: usize) -> Vec<(String, Vec<u64>)> {
    v["runs"][run]["advice"]
        .as_array()
        .unwrap_or_else(|| panic!("no advice: {v}"))
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn every_known_signature_is_recognised_in_its_own_log_in_both_languages() {
    use infobackup::report::diagnose::advice;
    let catalogue = advice::parse_catalogue(advice::CATALOGUE).unwrap();
    for s in &catalogue {
        let file = format!("tests/data/logs/signatures/{}.log", s.id);
        assert!(repo().join(&file).is_file(), "{}: no test log {file}", s.id);
        let mut args = vec![file.as_str()];
        if s.id == "archive-too-small" {
            args.extend(["--archive-size", "1000"]);
        }
        for (lang, words) in [("en", &s.en), ("fr", &s.fr)] {
            let mut a = args.clone();
            a.extend(["--lang", lang]);
            let (v, code) = json_of(&a);
            // tar's errors leave the tiles green (Jeedom does not check tar's exit code): the
            // advice is there all the same.
            // Nor is an update's backup a problem in itself.
            let expected = if ["tar-error", "update-backup"].contains(&s.id.as_str()) {
                0
            } else {
                1
            };
            assert_eq!(code, Some(expected), "{}: a known failure is a problem", s.id);
            let found = advice_of(&v, 0);
            assert_eq!(
                found.first().map(|f| f.0.as_str()),
                Some(s.id.as_str()),
                "{}: {found:?}",
                s.id
            );
            let entry = &v["runs"][0]["advice"][0];
            assert_eq!(entry["cause"], words.cause.as_str(), "{}", s.id);
            assert_eq!(entry["advice"], words.advice.as_str(), "{}", s.id);
            let text = v.to_string();
            for secret in ["S3cr3tPlanted", "S3cr3tPass"] {
                assert!(!text.contains(secret), "{}: {secret}", s.id);
            }
        }
    }
    // Each test log is a signature's.
    for e in std::fs::read_dir(repo().join("tests/data/logs/signatures")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".log").unwrap_or(&name);
        assert!(catalogue.iter().any(|s| s.id == id), "{name}: no signature {id}");
    }
}

#[test]
fn an_unknown_failure_says_it_is_unknown_and_quotes_its_lines() {
    let log = "[START BACKUP]\n\
               ***************Start of Jeedom backup at 2025-09-10 03:27:01***************\n\
               Send begin backup event...OK\n\
               Checking files rights...OK\n\
               Checking  database...OK\n\
               Backing up database...something strange happened here\n\
               Error during backup: The moon is in the wrong phase. Code: 42Details : Array\n\
               (\n)\n[END BACKUP ERROR]\n";
    let out = infobackup()
        .args(["diagnose", "-", "--lang", "en", "--format", "json"])
        .write_stdin(log)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(advice_of(&v, 0), [("unknown".to_owned(), vec![6, 7])]);
    let entry = &v["runs"][0]["advice"][0];
    assert!(entry["advice"].is_null());
    assert!(entry["cause"].as_str().unwrap().starts_with("Unknown cause"), "{entry}");
    let lines: Vec<u64> = cause_of(&v, 0).iter().map(|c| c.0).collect();
    assert_eq!(lines, [6, 7]);
    let out = infobackup().args(["diagnose", "-"]).write_stdin(log).output().unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("Cause inconnue"), "{text}");
    assert!(text.contains("something strange happened here"), "{text}");
}

// ---- the short answer first, and Markdown for the forum (#12 point 3) ---------------------------

#[test]
fn markdown_en_samba_logon_failure() {
    snapshot(
        "markdown-en-4.4-samba-auth-failure",
        &[&log("4.4-samba-auth-failure"), "--lang", "en", "--format", "markdown"],
    );
}

#[test]
fn markdown_fr_two_runs() {
    snapshot(
        "markdown-fr-4.4-two-runs-in-one-file",
        &[&log("4.4-two-runs-in-one-file"), "--format", "markdown"],
    );
}

#[test]
fn markdown_fr_dump_failed() {
    snapshot(
        "markdown-fr-4.4-database-dump-failed",
        &[
            "tests/data/logs/signatures/database-server-down.log",
            "--format",
            "markdown",
        ],
    );
}

#[test]
fn the_short_answer_comes_first_one_line_per_run_then_the_tile_now() {
    let out = infobackup()
        .args(["diagnose", &log("4.4-two-runs-in-one-file"), "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let short = text.find("== Short answer ==").expect("a short answer");
    assert!(short < text.find("== Backup run 1").unwrap(), "{text}");
    let block: Vec<&str> = text[short..].lines().skip(1).take_while(|l| !l.is_empty()).collect();
    assert_eq!(block.len(), 3, "{block:?}");
    assert!(block[0].starts_with("  1. 2025-09-10 03:27:01 — backup succeeded, but the Market upload failed — tile: "));
    assert!(block[1].starts_with("  2. 2025-09-10 15:27:01 — backup succeeded — tile: "));
    assert!(
        block[2].starts_with("  The tile now (after run 2): ■ Backup finished"),
        "{block:?}"
    );
}

/// Markdown rendered as Jeedom's forum would: the structure survives, nothing leaks as markup.
#[test]
fn markdown_renders_to_the_html_a_forum_shows() {
    for (file, lang) in [
        (log("4.4-samba-auth-failure"), "en"),
        (log("4.4-two-runs-in-one-file"), "fr"),
        ("tests/data/logs/signatures/database-server-down.log".to_owned(), "fr"),
        ("tests/data/logs/signatures/samba-logon-failure.log".to_owned(), "en"),
        (log("4.4-backup-never-ends"), "en"),
    ] {
        let out = infobackup()
            .args(["diagnose", &file, "--lang", lang, "--format", "markdown"])
            .output()
            .unwrap();
        let md = stdout_of(&out);
        // At most ~40 lines per run.
        let runs = md.matches("\n### ").count() - 1;
        assert!(
            md.lines().count() <= 12 + 40 * runs,
            "{file}: {} lines\n{md}",
            md.lines().count()
        );
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
        assert!(html.contains("<h3>"), "{file}: {html}");
        assert!(
            html.contains("<ol>"),
            "{file}: the short answer is a numbered list: {html}"
        );
        if md.contains("```") {
            assert!(html.contains("<pre><code class=\"language-text\">"), "{file}: {html}");
        }
        // Log text never turns into markup: no emphasis or link from a quoted line, no raw tag
        // but the small print.
        let stripped = html.replace("<sub>", "").replace("</sub>", "");
        for tag in ["<a ", "<img", "<script", "<table"] {
            assert!(!stripped.contains(tag), "{file}: {tag} in {html}");
        }
        assert!(!md.contains("S3cr3t"), "{file}: a secret");
        // Each run's tile line reads as written (the escapes disappear in HTML).
        assert!(!html.contains("\\["), "{file}: {html}");
    }
}

// ---- known vs assumed (#12 point 4) ------------------------------------------------------------

#[test]
fn php_and_the_previous_value_have_options_and_every_default_names_its_option() {
    let file = log("4.4-success-local-only");
    let (v, _) = json_of(&[&file, "--lang", "en"]);
    let texts: Vec<String> = v["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap().to_owned())
        .collect();
    for (subject, option) in [
        ("PHP = 8", "--php 7|8 to change it"),
        (
            "virtual before the first trigger",
            "--previous success|empty|VALUE to change it",
        ),
        ("time zone", "--tz to change it"),
        ("minimum archive size", "--min-size to change it"),
    ] {
        let t = texts
            .iter()
            .find(|t| t.contains(subject))
            .unwrap_or_else(|| panic!("{subject}: {texts:?}"));
        assert!(t.starts_with("assumed") && t.contains(option), "{t}");
    }
    // The options give them, and say so.
    let (v, _) = json_of(&[&file, "--lang", "en", "--php", "7", "--previous", "empty"]);
    assert_eq!(v["php"], 7);
    let flags: Vec<&str> = v["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "flag")
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert!(flags.contains(&"flag     PHP = 7  (--php)"), "{flags:?}");
    assert!(
        flags.contains(&"flag     virtual before the first trigger =   (--previous)"),
        "{flags:?}"
    );
    infobackup().args(["diagnose", &file, "--php", "6"]).assert().code(2);
}

#[test]
fn a_flag_resting_on_a_default_says_so_and_names_the_option() {
    let (v, _) = json_of(&[&log("4.4-success-local-only"), "--lang", "en"]);
    let size = v["runs"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorSize")
        .unwrap();
    let assumed = size["assumed"].as_str().unwrap();
    assert!(assumed.starts_with("Assumed, as the log does not say: "), "{assumed}");
    assert!(assumed.contains("(--archive-size to change it)"), "{assumed}");
    assert!(assumed.contains("(--min-size to change it)"), "{assumed}");
}

#[test]
fn samba_is_never_turned_off_for_a_run_that_stopped_before_the_upload() {
    let file = "tests/data/logs/signatures/database-server-down.log";
    for lang in ["en", "fr"] {
        let out = infobackup().args(["diagnose", file, "--lang", lang]).output().unwrap();
        let text = stdout_of(&out);
        assert!(!text.contains("turned off") && !text.contains("désactivé ("), "{text}");
    }
    let (v, _) = json_of(&[file, "--lang", "en"]);
    let samba = v["runs"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorSamba")
        .unwrap();
    let sentence = samba["strict"]["sentence"].as_str().unwrap();
    assert!(sentence.contains("so it is assumed off"), "{sentence}");
    let assumed = samba["assumed"].as_str().unwrap();
    assert!(assumed.contains("--samba on|off to change it"), "{assumed}");
    // Given on the command line, it is no longer assumed.
    let (v, _) = json_of(&[file, "--lang", "en", "--samba", "off"]);
    let samba = v["runs"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flag"] == "errorSamba")
        .unwrap();
    assert!(samba["assumed"].is_null(), "{samba}");
}

// ---- Jeedom before 4.2 (#12 point 5) ------------------------------------------------------------

#[test]
fn an_old_jeedom_backup_is_never_archive_missing_and_is_replayed_as_4_2_said_first() {
    for file in [
        "tests/data/logs/old/3.x-name-of-backup-ok.log",
        "tests/data/logs/old/3.x-nom-du-backup-ok.log",
        "tests/data/logs/old/3.x-reflowed-ok.log",
    ] {
        let (v, code) = json_of(&[file, "--lang", "en"]);
        assert_eq!(code, Some(0), "{file}: {v}");
        assert_eq!(v["jeedom"], "4.2", "{file}");
        assert_eq!(v["jeedom_seen"], "3.3.39", "{file}");
        let note = v["jeedom_note"].as_str().unwrap();
        assert!(
            note.starts_with("The widget and the scenario need Jeedom 4.2 or later"),
            "{note}"
        );
        assert_eq!(
            tiles_of(&v["runs"][0]),
            (
                "finished local=success".into(),
                "finished local=success market=success".into()
            ),
            "{file}"
        );
        let out = infobackup().args(["diagnose", file, "--lang", "en"]).output().unwrap();
        let text = stdout_of(&out);
        assert!(!text.contains("archive missing"), "{file}: {text}");
        let said = text
            .find("! The widget and the scenario need Jeedom 4.2")
            .expect("said");
        assert!(said < text.find("== Short answer ==").unwrap(), "said first: {text}");
        assert!(
            text.contains("inferred jeedom = 4.2 (the log is from Jeedom 3.3.39"),
            "{text}"
        );
    }
    // A 4.x log is not labelled.
    let (v, _) = json_of(&[&log("4.4-success-local-only"), "--lang", "en"]);
    assert!(v["jeedom_seen"].is_null() && v["jeedom_note"].is_null());
}

/// Old Jeedom's Samba upload: 2.x's `Envoi de la sauvegarde dans le cloud Samba` (no `...`,
/// smbclient's output glued to it, `putting file … OK`) and 3.x's `Send backup Samba...` with
/// smbclient's `Domain=[…]` and `putting file … as …` lines before its `OK`: the upload counts
/// as done, the backup stays a success with its archive, replayed as 4.2 and said so first.
#[test]
fn an_old_jeedom_samba_upload_counts_as_done_and_never_turns_the_backup_into_a_failure() {
    for (file, seen, strict) in [
        (
            "tests/data/logs/old/2.x-samba-putting-file-ok.log",
            "2.4.6",
            "finished local=success samba=success",
        ),
        (
            "tests/data/logs/old/3.x-samba-putting-file-ok.log",
            "3.3.39",
            "finished local=success samba=success market=success",
        ),
    ] {
        let out = infobackup().args(["parse", file, "--format", "json"]).output().unwrap();
        let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let uploads = model["runs"][0]["uploads"].as_array().unwrap();
        let samba = uploads
            .iter()
            .find(|u| u["repo"] == "samba")
            .expect("the Samba upload is read");
        assert_eq!(samba["outcome"]["status"], "ok", "{file}: {samba}");
        let (v, code) = json_of(&[file, "--lang", "en"]);
        assert_eq!(code, Some(0), "{file}: {v}");
        assert_eq!(v["jeedom"], "4.2", "{file}");
        assert_eq!(v["jeedom_seen"], seen, "{file}");
        assert_eq!(v["runs"][0]["healthy"], true, "{file}");
        assert_eq!(
            tiles_of(&v["runs"][0]),
            ("finished local=success samba=success".into(), strict.into()),
            "{file}"
        );
        for (lang, first, samba_ok, missing, failed) in [
            (
                "en",
                "! The widget and the scenario need Jeedom 4.2 or later",
                "Samba: ✔ archive on the share",
                "archive missing",
                "backup failed",
            ),
            (
                "fr",
                "! Le widget et le scénario demandent Jeedom 4.2 ou plus récent",
                "Samba : ✔ archive sur le partage",
                "archive absente",
                "la sauvegarde a échoué",
            ),
        ] {
            let out = infobackup().args(["diagnose", file, "--lang", lang]).output().unwrap();
            let text = stdout_of(&out);
            let said = text.find(first).unwrap_or_else(|| panic!("{file} {lang}: {text}"));
            let short = text
                .find("== Short answer ==")
                .or_else(|| text.find("== Réponse courte =="))
                .unwrap();
            assert!(said < short, "{file} {lang}: said first");
            assert!(text.contains(samba_ok), "{file} {lang}: {text}");
            assert!(
                !text.contains(missing) && !text.contains(failed),
                "{file} {lang}: {text}"
            );
        }
    }
}

#[test]
fn a_jeedom_version_outside_4_2_to_4_5_is_refused_not_mapped() {
    for bad in ["4.6", "4.6.1", "3", "2.4", "4.1"] {
        infobackup_en()
            .args(["diagnose", &log("4.4-success-local-only"), "--jeedom-version", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("the scenario is not published for Jeedom"));
    }
    for good in ["4.2", "4.5.3", "v4.4.20"] {
        infobackup_en()
            .args(["diagnose", &log("4.4-success-local-only"), "--jeedom-version", good])
            .assert()
            .code(0);
    }
}

// ---- disagreement explained flag by flag (#12 point 7) -----------------------------------------

#[test]
fn a_disagreement_names_each_differing_flag_and_never_quotes_two_headlines_that_read_the_same() {
    let (v, _) = json_of(&[&log("4.4-two-runs-in-one-file"), "--lang", "en"]);
    let text = v["runs"][0]["disagreement"]["text"].as_str().unwrap();
    assert!(
        text.contains("flag Market (errorMarket): -1 for the published scenario, 1 for the strict reading — The Market upload failed"),
        "{text}"
    );
    let (v, _) = json_of(&[&log("4.4-two-runs-in-one-file")]);
    let text = v["runs"][1]["disagreement"]["text"].as_str().unwrap();
    assert!(
        text.contains("voyant Log (errorLog) : 1 pour le scénario publié, 0 pour la lecture stricte — "),
        "{text}"
    );
    // Over the whole corpus: the two headlines a disagreement quotes always differ.
    for dir in infobackup::case::corpus_dirs(&repo().join("scenarios")).unwrap() {
        let folder = dir.to_string_lossy().into_owned();
        let (v, _) = json_of(&[&folder, "--lang", "en"]);
        for r in v["runs"].as_array().unwrap() {
            let Some(text) = r["disagreement"]["text"].as_str() else {
                continue;
            };
            let quoted: Vec<&str> = text
                .split("shows \"")
                .skip(1)
                .filter_map(|rest| rest.split_once('"').map(|(q, _)| q))
                .collect();
            assert_eq!(quoted.len(), 2, "{folder}: {text}");
            assert_ne!(quoted[0], quoted[1], "{folder}: {text}");
            // "In progress forever" and "crashed" say why as a whole; the others flag by flag.
            let kind = r["disagreement"]["kind"].as_str().unwrap();
            if matches!(kind, "never_ends" | "published_crashed") {
                continue;
            }
            for k in r["disagreement"]["flags"].as_array().unwrap() {
                assert!(
                    text.contains(&format!("({})", k.as_str().unwrap())),
                    "{folder}: {k} not explained: {text}"
                );
            }
        }
    }
}

// ---- French (#12 point 10, the phrases found) ---------------------------------------------------

#[test]
fn the_french_found_wrong_reads_right() {
    let mut all = String::new();
    for file in [
        log("4.4-database-dump-failed"),
        log("4.4-backup-never-ends"),
        log("4.4-two-runs-in-one-file"),
        log("4.4-reflowed-one-line"),
        "tests/data/logs/backup-logger-only.log".to_owned(),
        "tests/data/logs/4.4-samba-noise-ok.log".to_owned(),
    ] {
        let out = infobackup().args(["diagnose", &file]).output().unwrap();
        all.push_str(&stdout_of(&out));
    }
    for wrong in [
        "le premier ligne",
        "begin_backup à =",
        "end_backup à =",
        "surveillance de strict",
        "morceau(x)",
        "ligne(s)",
        "erreur(s)",
    ] {
        assert!(!all.contains(wrong), "{wrong:?} in\n{all}");
    }
    // check's summary agrees in number too: `report::check::tests::the_summary_agrees_in_number`.
}

// ---- one truth per log (#12 point 6) ------------------------------------------------------------

/// The short answer's lines (between `== Short answer ==` and the first run).
fn short_answer(out: &str) -> String {
    out.lines()
        .skip_while(|l| !l.starts_with("== Short answer"))
        .take_while(|l| !l.starts_with("== Backup run"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_samba_logon_failure_pasted_raw_gives_the_tile_of_the_case_made_from_it() {
    let case = "scenarios/4.4-samba-auth-failure";
    let pasted = infobackup()
        .args(["diagnose", "--lang", "en", &log("4.4-samba-auth-failure")])
        .output()
        .unwrap();
    let recorded = infobackup().args(["diagnose", "--lang", "en", case]).output().unwrap();
    let (pasted, recorded) = (stdout_of(&pasted), stdout_of(&recorded));
    assert!(short_answer(&recorded).contains("Alert"), "{recorded}");
    assert_eq!(short_answer(&pasted), short_answer(&recorded));
    // The listing failure is inferred, with its line, and the password never shown.
    assert!(
        pasted.contains("inferred Samba share listing = fails as the upload did")
            && pasted.contains("(from backup.log:16)"),
        "{pasted}"
    );
    assert!(
        pasted.contains("-c 'cd \"jeedom\";ls'") && !pasted.contains("S3cr3tPlanted"),
        "{pasted}"
    );
}

#[test]
fn a_full_share_leaves_the_listing_working() {
    let text = String::from_utf8(std::fs::read(repo().join(log("4.4-samba-auth-failure"))).unwrap())
        .unwrap()
        .replace("session setup failed: NT_STATUS_LOGON_FAILURE", "NT_STATUS_DISK_FULL");
    let out = infobackup()
        .args(["diagnose", "--lang", "en", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let out = stdout_of(&out);
    assert!(!short_answer(&out).contains("Alert"), "{out}");
    assert!(!out.contains("fails as the upload did"), "{out}");
}

#[test]
fn samba_off_against_a_log_with_an_upload_is_warned() {
    infobackup()
        .args([
            "diagnose",
            "--lang",
            "en",
            &log("4.4-samba-auth-failure"),
            "--samba",
            "off",
        ])
        .assert()
        .stderr(predicate::str::contains(
            "warning: --samba off, but the log shows a Samba upload (backup.log:15)",
        ));
    infobackup()
        .args([
            "diagnose",
            &log("4.4-samba-auth-failure"),
            "--samba",
            "off",
            "--lang",
            "fr",
        ])
        .assert()
        .stderr(predicate::str::contains(
            "attention : --samba off, mais le log montre un envoi Samba",
        ));
    infobackup()
        .args([
            "diagnose",
            "--lang",
            "en",
            &log("4.4-samba-auth-failure"),
            "--samba",
            "on",
        ])
        .assert()
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn the_cron_backups_logger_errors_reach_log_backup_for_the_published_scenario() {
    let out = infobackup()
        .args([
            "diagnose",
            "--lang",
            "en",
            "tests/data/logs/4.4-market-refused-ok.log",
            "--log",
            "cron_execution",
        ])
        .output()
        .unwrap();
    let out = stdout_of(&out);
    assert!(
        short_answer(&out).contains("Local: ⚠ error in the backup log"),
        "the published scenario reads the logger's ERROR line in log/backup:\n{out}"
    );
}

#[test]
fn an_update_log_says_what_happened_to_the_update() {
    let file = "tests/data/logs/update-log-with-backup.log";
    infobackup()
        .args(["diagnose", "--lang", "en", file])
        .assert()
        .stdout(predicate::str::contains(
            "the update itself ended well ([END UPDATE SUCCESS] at line 27)",
        ));
    let text = String::from_utf8(std::fs::read(repo().join(file)).unwrap()).unwrap();
    let failed = text.replace("[END UPDATE SUCCESS]", "[END UPDATE ERROR]");
    infobackup()
        .args(["diagnose", "-", "--log", "update", "--lang", "fr"])
        .write_stdin(failed)
        .assert()
        .stdout(predicate::str::contains("la mise à jour elle-même a échoué (ligne 27)"));
    let cut = text.replace("[END UPDATE SUCCESS]", "");
    infobackup()
        .args(["diagnose", "--lang", "en", "-", "--log", "update"])
        .write_stdin(cut)
        .assert()
        .stdout(predicate::str::contains("the text stops before the update's end"));
}

// ---- headers tell the truth (#15 point 7) -------------------------------------------------------

#[test]
fn the_header_labels_strict_as_a_profile_and_an_assumed_version_as_assumed() {
    let out = infobackup()
        .args([
            "diagnose",
            "--lang",
            "en",
            "--profile",
            "strict",
            "tests/data/logs/4.4-ok.log",
        ])
        .output()
        .unwrap();
    let out = stdout_of(&out);
    assert!(
        out.contains("\nProfile: strict ·") && !out.contains("Published scenario: strict"),
        "{out}"
    );
    let cut = "[START BACKUP]\n***************Start of Jeedom backup at 2025-09-10 03:27:01***************\nSend begin backup event...OK\n";
    let out = infobackup()
        .args(["diagnose", "--lang", "en", "-"])
        .write_stdin(cut)
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("— Jeedom 4.4 (assumed), 1 backup run"));
    let out = infobackup().args(["diagnose", "-"]).write_stdin(cut).output().unwrap();
    assert!(stdout_of(&out).contains("— Jeedom 4.4 (supposé), 1 sauvegarde"));
    let out = infobackup()
        .args(["diagnose", "--lang", "en", "tests/data/logs/4.4-ok.log"])
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("— Jeedom 4.4, 1 backup run"));
}

// ---- several runs: one numbering, newest-first pastes, two logs ----------------------------------

fn fixture_log(name: &str) -> String {
    format!("tests/data/logs/{name}")
}

/// A run as `parse --format json` shows it: start time (`None` when cut at its start), lines.
type ParsedRun = (Option<String>, (u64, u64));

/// `parse --format json`'s model and runs.
fn parse_runs(file: &str) -> (serde_json::Value, Vec<ParsedRun>) {
    let out = infobackup().args(["parse", file, "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let start = r["start"]["time"].as_str().map(str::to_owned);
            (
                start,
                (
                    r["lines"]["first"].as_u64().unwrap(),
                    r["lines"]["last"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    (v, runs)
}

#[test]
fn parse_and_diagnose_number_the_runs_alike() {
    for name in [
        "4.4-two-runs-ok.log",
        "4.4-newest-first-ok.log",
        "two-logs-4.4-then-4.5-cut.log",
        "two-logs-running-then-other-box-cut.log",
        "order/4.4-lines-reversed-ok.log",
    ] {
        let file = fixture_log(name);
        let (model, parsed) = parse_runs(&file);
        let (v, _) = json_of(&[&file, "--lang", "en"]);
        let runs = v["runs"].as_array().unwrap();
        assert_eq!(runs.len(), parsed.len(), "{name}");
        assert!(parsed.len() >= 2, "{name}: several runs");
        let newest_first = model["run_order"] == "newest_first";
        for (i, (r, (start, lines))) in runs.iter().zip(&parsed).enumerate() {
            assert_eq!(r["run"], i + 1, "{name}");
            assert_eq!(r["start"].as_str().map(str::to_owned), *start, "{name}: run {}", i + 1);
            if !newest_first {
                // Same lines too (a newest-first paste is diagnosed put back in order).
                assert_eq!(
                    (
                        r["lines"]["first"].as_u64().unwrap(),
                        r["lines"]["last"].as_u64().unwrap()
                    ),
                    *lines,
                    "{name}: run {}",
                    i + 1
                );
            }
        }
        // Runs numbered in time order for a newest-first paste, in file order otherwise.
        let times: Vec<_> = parsed.iter().filter_map(|(s, _)| s.clone()).collect();
        if newest_first {
            assert!(times.windows(2).all(|w| w[0] < w[1]), "{name}: {times:?}");
        }
    }
}

/// `diagnose` of `pasted` and of `in_order` (both as `backup.log`) in each language: the same
/// report but for the notice, which only the first has.
fn same_diagnosis_plus_notice(pasted: &[u8], in_order: &[u8], notices: [(&str, &str); 2]) {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("backup.log"), pasted).unwrap();
    std::fs::write(b.join("backup.log"), in_order).unwrap();
    for (lang, notice) in notices {
        let run = |dir: &Path| {
            let out = infobackup()
                .current_dir(dir)
                .args(["diagnose", "backup.log", "--lang", lang])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
            stdout_of(&out)
        };
        let (pasted, ordered) = (run(&a), run(&b));
        assert!(pasted.contains(notice), "{lang}: {pasted}");
        assert!(!ordered.contains(notice), "{lang}");
        // Everything but the notice (and its section's heading) is the same.
        let kept = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| {
                    !l.trim().is_empty()
                        && !l.contains(notice)
                        && !l.starts_with("== Notes")
                        && !l.starts_with("== Remarques")
                })
                .map(str::to_owned)
                .collect()
        };
        assert!(kept(&pasted) == kept(&ordered), "{lang}: the two diagnoses differ");
    }
}

#[test]
fn a_newest_first_paste_gets_the_same_diagnosis_as_in_order_plus_a_notice() {
    let pasted = std::fs::read(repo().join(fixture_log("4.4-newest-first-ok.log"))).unwrap();
    let in_order = infobackup::log::in_time_order(&pasted).expect("recognised as newest first");
    let text = String::from_utf8(in_order.clone()).unwrap();
    assert_eq!(text.matches("[START BACKUP]").count(), 3);
    assert!(text.find("2025-06-02 02:45:01").unwrap() < text.find("2025-06-04 02:45:01").unwrap());
    same_diagnosis_plus_notice(
        &pasted,
        &in_order,
        [
            (
                "en",
                "backup.log: the backup runs were pasted newest first; they are read put back in time order",
            ),
            (
                "fr",
                "backup.log : les sauvegardes ont été collées de la plus récente à la plus ancienne ; elles sont lues remises dans l'ordre chronologique",
            ),
        ],
    );
}

#[test]
fn the_forum_post_says_when_a_paste_was_read_put_back_in_order() {
    for (file, en, fr) in [
        (
            "4.4-newest-first-ok.log",
            "the backup runs were pasted newest first",
            "les sauvegardes ont été collées de la plus récente à la plus ancienne",
        ),
        (
            "order/4.4-lines-reversed-ok.log",
            "the lines were pasted in reverse order",
            "les lignes ont été collées dans l'ordre inverse",
        ),
    ] {
        for (lang, notice) in [("en", en), ("fr", fr)] {
            let out = infobackup()
                .args(["diagnose", &fixture_log(file), "--format", "markdown", "--lang", lang])
                .output()
                .unwrap();
            let post = stdout_of(&out);
            let said = post.find(notice).unwrap_or_else(|| panic!("{file} {lang}: {post}"));
            assert!(
                said < post.find("### ").unwrap(),
                "{file} {lang}: before the short answer"
            );
        }
    }
    let out = infobackup()
        .args(["diagnose", &fixture_log("4.4-two-runs-ok.log"), "--format", "markdown"])
        .output()
        .unwrap();
    assert!(
        !stdout_of(&out).contains("ordre"),
        "no notice for a log in Jeedom's order"
    );
}

#[test]
fn a_paste_with_its_lines_in_reverse_order_gets_the_same_diagnosis_as_in_order_plus_a_notice() {
    let pasted = std::fs::read(repo().join(fixture_log("order/4.4-lines-reversed-ok.log"))).unwrap();
    let in_order = std::fs::read(repo().join(fixture_log("4.4-two-runs-ok.log"))).unwrap();
    same_diagnosis_plus_notice(
        &pasted,
        &in_order,
        [
            ("en", "backup.log: the lines were pasted in reverse order (newest first"),
            ("fr", "backup.log : les lignes ont été collées dans l'ordre inverse"),
        ],
    );
    // parse says so too, and numbers the runs as diagnose does.
    let out = infobackup()
        .args(["parse", &fixture_log("order/4.4-lines-reversed-ok.log"), "--lang", "en"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.starts_with("Lines pasted in reverse order (newest first): put back in order"),
        "{text}"
    );
    assert!(text.contains("Run 1 · Jeedom 4.4 · lines 1–26") && text.contains("Run 2 · Jeedom 4.4 · lines 27–52"));
}

#[test]
fn two_logs_pasted_one_after_the_other_keep_their_order_in_the_diagnosis() {
    let (v, _) = json_of(&[&fixture_log("two-logs-4.4-then-4.5-cut.log"), "--lang", "en"]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    // The first log's run stays run 1, though the second, cut at its start, has no time.
    assert_eq!(runs[0]["start"], "2025-06-02 02:45:01");
    assert_eq!(runs[1]["start"], serde_json::Value::Null);
    assert_eq!(runs[1]["lines"]["first"], 27);
    let (v, _) = json_of(&[&fixture_log("two-logs-running-then-other-box-cut.log"), "--lang", "en"]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "no phantom run made of the two logs");
    assert_eq!(runs[0]["lines"]["last"], 13);
    assert!(
        runs[0]["summary"].as_str().unwrap().contains("never ended")
            || runs[0]["summary"].as_str().unwrap().contains("stops"),
        "{}",
        runs[0]["summary"]
    );
    assert!(runs[1]["summary"].as_str().unwrap().contains("ended normally"));
}
