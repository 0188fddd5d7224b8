//! `infobackup diagnose`, run as a user runs it: every option on bundled cases, standard input,
//! each error with its exit code and message, no secret in any format, and snapshots of the
//! plain text report in French and English.

use std::path::Path;

use predicates::prelude::*;

use crate::support::{infobackup, repo};

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
    infobackup()
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
    infobackup()
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
    infobackup()
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
    if std::fs::read(&path).is_ok() {
        // Root reads it anyway: the permission check cannot be exercised here (the folder and
        // broken-path cases below still run).
        crate::browser::say("skipped: unreadable-file check (running as root, chmod 000 does not stop reads)");
    } else {
        infobackup()
            .args(["diagnose", path.to_str().unwrap()])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("cannot read {}", path.display())));
    }
    // A path through a file cannot be read whoever runs the test.
    let through = path.join("inside.log");
    infobackup()
        .args(["diagnose", through.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("cannot read {}", through.display())));
}

#[test]
fn a_folder_that_is_not_a_case_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    infobackup()
        .args(["diagnose", tmp.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("is a folder but not a case folder").and(predicate::str::contains("case.toml")),
        );
}

#[test]
fn text_that_is_not_a_jeedom_log_is_refused() {
    infobackup()
        .args(["diagnose", "-"])
        .write_stdin("Bonjour,\nma tuile est rouge depuis hier, une idée ?\nMerci\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("stdin is not a Jeedom backup log").and(predicate::str::contains("log/backup")),
        );
    infobackup()
        .args(["diagnose", "-"])
        .write_stdin(vec![0x89, b'P', b'N', b'G', 0, 1, 2, 0xff, 0xfe])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a Jeedom backup log"));
    infobackup()
        .args(["diagnose", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a Jeedom backup log"));
}

#[test]
fn a_run_with_no_time_at_all_is_said_so() {
    infobackup()
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
    infobackup()
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
        infobackup()
            .arg("diagnose")
            .arg(log("4.4-success-local-only"))
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(needle));
    }
    infobackup()
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
            assert_eq!(
                out.status.code(),
                Some(1),
                "{format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_no_secret(&format!("{format}/{lang}"), &out.stdout, &[PASSWORD, USER, API_KEY]);
            assert_no_secret(
                &format!("{format}/{lang} stderr"),
                &out.stderr,
                &[PASSWORD, USER, API_KEY],
            );
            // The lines are quoted all the same, with the secrets masked.
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("[redacted]"), "{format}: nothing masked?");
            assert!(
                text.contains("NT_STATUS_HOST_UNREACHABLE"),
                "{format}: the Samba line is not quoted"
            );
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
fn live_box(case: &str) -> (infobackup::jeeapi::JeedomMock, infobackup::jeeapi::MockSession, String) {
    use infobackup::jeeapi::{JeedomMock, SessionMode, SessionOptions};
    let resolved = infobackup::case::Case::load(&repo().join("scenarios").join(case))
        .unwrap()
        .resolve(&infobackup::case::Overrides::default())
        .unwrap();
    let last = resolved.timeline.steps.len() - 1;
    let mock = JeedomMock::start_blocking(0).unwrap();
    let session = mock
        .register(
            std::sync::Arc::new(resolved.timeline),
            SessionOptions {
                mode: SessionMode::Live,
                start_step: last,
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

/// Live mode reads log/update and log/cron_execution too: the daily backup whose text went to
/// log/cron_execution (log/backup holds only logger lines) is diagnosed, strict reading it there.
#[test]
fn live_mode_reads_the_other_logs() {
    let (mock, session, key) = live_box("4.4-cron-backup-in-cron-execution");
    let out = infobackup()
        .env("INFOBACKUP_APIKEY", &key)
        .args([
            "diagnose",
            "--jeedom-url",
            &mock.uri(),
            "--format",
            "json",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
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
    infobackup()
        .args(["diagnose", &log("4.4-samba-ok"), "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--push").and(predicate::str::contains("--jeedom-url URL")));
    let (mock, session, key) = live_box("4.4-success-local-only");
    infobackup()
        .env("INFOBACKUP_APIKEY", &key)
        .args(["diagnose", "--jeedom-url", &mock.uri(), "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--push needs --cmd-id ID"));
    // Without a URL, --cmd-id alone is refused by the argument parser, naming --jeedom-url.
    infobackup()
        .args(["diagnose", &log("4.4-samba-ok"), "--cmd-id", "4242", "--push"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--jeedom-url"));
    assert_eq!(session.events(), Some(0));
}

#[test]
fn live_mode_errors_exit_2_without_the_key() {
    let (mock, _session, key) = live_box("4.4-success-local-only");
    infobackup()
        .args(["diagnose", "--jeedom-url", &mock.uri()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--apikey-file FILE").and(predicate::str::contains("INFOBACKUP_APIKEY")));
    let wrong = format!("{key}x");
    let out = infobackup()
        .env("INFOBACKUP_APIKEY", &wrong)
        .args(["diagnose", "--jeedom-url", &mock.uri()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--jeedom-url http://127.0.0.1:"), "{err}");
    assert_no_secret("wrong key stderr", &out.stderr, &[&wrong, &key]);
    infobackup()
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

    fn render_all(bytes: Vec<u8>) -> Vec<String> {
        let case = Case::from_log("x.log", LogName::Backup, "x.log", bytes.into());
        let Ok(d) = diagnose::diagnose(&case, &Options::default()) else {
            return Vec::new();
        };
        let mut outs = Vec::new();
        for lang in [Lang::Fr, Lang::En] {
            outs.push(text::render_text(&d, lang, text::TextStyle::default()));
            outs.push(text::render_text(&d, lang, text::TextStyle { color: true, width: 60 }));
            outs.push(json::render_json_text(&d, lang));
            outs.push(html::render_html(&d, lang));
        }
        outs
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Garbage spliced anywhere into a log (control characters, invalid UTF-8, line breaks in
        /// the middle of words) never makes the diagnosis or a rendering panic.
        #[test]
        fn any_garbage_anywhere(at in 0usize..1200, junk in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..1200) {
            let mut bytes = base();
            let at = at.min(bytes.len());
            bytes.splice(at..at, junk);
            bytes.truncate(cut.max(200).min(bytes.len()));
            let _ = render_all(bytes);
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
            for o in render_all(bytes) {
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
