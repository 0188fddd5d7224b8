//! `infobackup check`: the CI entry point, exercised as a user runs it.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support::{infobackup, infobackup_en, repo};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A temporary project: a copy of `scenarios/` (only `cases` when given) and of the accepted
/// snapshots, laid out like the repository so the defaults apply.
fn project(cases: Option<&[&str]>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let scen = tmp.path().join("scenarios");
    match cases {
        None => copy_dir(&repo().join("scenarios"), &scen),
        Some(list) => {
            for c in list {
                copy_dir(&repo().join("scenarios").join(c), &scen.join(c));
            }
        }
    }
    copy_dir(&repo().join("snapshots/cases"), &tmp.path().join("snapshots/cases"));
    tmp
}

/// `check` run in `dir` (a temporary project), so its defaults find that project's folders.
fn check_in(dir: &Path) -> Command {
    let mut c = infobackup();
    c.current_dir(dir).arg("check");
    c
}

/// Replaces `from` (which must be there) by `to` in a file of the project's `scenarios/`.
fn edit(project: &Path, file: &str, from: &str, to: &str) {
    let path = project.join("scenarios").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn the_corpus_matches_its_accepted_snapshots() {
    infobackup()
        .args(["check", "--lang", "en"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("4.4-samba-auth-failure"))
        .stdout(
            predicate::str::is_match(r"\d+ cases, \d+ replays: (\d+) ok, 0 changed, 0 new, 0 unexpected, 0 errors")
                .unwrap(),
        );
}

#[test]
fn a_changed_case_fails_and_is_named() {
    let tmp = project(Some(&["4.4-success-local-only", "4.4-samba-ok"]));
    // The run now takes longer: same tile, different end time.
    edit(
        tmp.path(),
        "4.4-success-local-only/backup.log",
        "duration: 212s",
        "duration: 230s",
    );
    check_in(tmp.path())
        .args(["--lang", "en", "--profile", "v2024-08"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(r"4\.4-success-local-only +v2024-08 +finished local=success +\S.* changed")
                .unwrap(),
        )
        .stdout(predicate::str::is_match(r"4\.4-samba-ok +v2024-08 .* ok").unwrap())
        .stdout(predicate::str::contains("changed 4.4-success-local-only@v2024-08:"))
        .stdout(predicate::str::contains("first difference at line"))
        .stdout(predicate::str::contains(
            "+   inferred run 1 end_backup at = 2025-09-10 03:30:51 (banner + 230 s)",
        ));
}

#[test]
fn a_case_whose_tile_class_changes_is_unexpected() {
    let tmp = project(Some(&["4.4-success-local-only"]));
    // The night now has an ERROR line: the published scenario flags the log, and the manifest
    // expects a success tile.
    edit(
        tmp.path(),
        "4.4-success-local-only/backup.log",
        "Cleaning old backup...OK\n",
        "Cleaning old backup...OK\n[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.\n",
    );
    check_in(tmp.path())
        .args(["--lang", "en", "--profile", "v2024-08"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(r"4\.4-success-local-only +v2024-08 +finished local=warning +\S.* unexpected")
                .unwrap(),
        )
        .stdout(predicate::str::contains(
            "the manifest expects a success tile, the replay ends on warning",
        ));
}

#[test]
fn a_case_without_snapshot_is_new() {
    let tmp = project(Some(&["4.4-success-local-only"]));
    copy_dir(
        &tmp.path().join("scenarios/4.4-success-local-only"),
        &tmp.path().join("scenarios/4.4-brand-new"),
    );
    check_in(tmp.path())
        .args(["--lang", "en"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_match(r"4\.4-brand-new +strict .* new").unwrap())
        .stdout(predicate::str::contains("cargo insta review"));
}

#[test]
fn a_missing_folder_is_a_tool_error_naming_it() {
    infobackup_en()
        .args(["check", "no/such/scenarios"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/scenarios: no such folder of recorded cases",
        ));
    let tmp = tempfile::tempdir().unwrap();
    check_in(tmp.path())
        .env("LC_ALL", "C")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scenarios: no such folder"));
}

#[test]
fn a_malformed_manifest_is_reported_with_file_line_and_key() {
    let tmp = project(Some(&["4.4-success-local-only"]));
    let manifest = tmp.path().join("scenarios/4.4-success-local-only/case.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let line = text.lines().count() + 3;
    std::fs::write(&manifest, text + "\n[params]\nmin_sise = 3\n").unwrap();
    check_in(tmp.path())
        .args(["--lang", "en"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "scenarios/4.4-success-local-only/case.toml:{line}:1: params.min_sise: unknown field `min_sise`"
        )))
        .stdout(predicate::str::is_match(r"4\.4-success-local-only +- +- +- +error").unwrap());
}

#[test]
fn junit_reports_one_testcase_per_replay() {
    let tmp = project(Some(&["4.4-success-local-only", "4.5-samba-ok"]));
    let junit = tmp.path().join("out").join("check.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    // A report from an earlier run is replaced.
    std::fs::write(&junit, "<?xml version=\"1.0\"?>\n<testsuites name=\"old\"/>\n").unwrap();
    check_in(tmp.path()).arg("--junit").arg(&junit).assert().code(0);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains(r#"<testsuites name="infobackup check" tests="8" skipped="0" failures="0" errors="0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase name="4.5-samba-ok@strict" classname="scenarios.4.5-samba-ok"/>"#),
        "{xml}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(junit.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn junit_never_replaces_a_file_that_is_not_a_junit_report() {
    let tmp = project(Some(&["4.4-success-local-only"]));
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "my notes, not a report").unwrap();
    check_in(tmp.path())
        .env("LC_ALL", "C")
        .arg("--junit")
        .arg(&notes)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notes.txt").and(predicate::str::contains("not a JUnit report")));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes, not a report");
}

#[test]
fn json_lines_have_a_type_and_end_with_a_summary() {
    let out = infobackup()
        .args(["check", "--format", "json", "--profile", "strict"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let (last, cases) = lines.split_last().unwrap();
    assert!(cases.len() >= 30);
    for c in cases {
        assert_eq!(c["type"], "case");
        assert_eq!(c["profile"], "strict");
        assert_eq!(c["status"], "ok");
        assert!(
            c["tile"].is_string() && c["flags"].is_string() && c["tile_class"].is_string(),
            "{c}"
        );
    }
    assert_eq!(last["type"], "summary");
    assert_eq!(last["exit_code"], 0);
    assert_eq!(last["replays"], cases.len());
}

#[test]
fn compare_lists_the_cases_two_profiles_disagree_on() {
    // Strict sees what the published scenario misses (midnight, a failed run, Samba refusals).
    infobackup()
        .args(["check", "--compare", "v2024-08", "strict", "--lang", "en"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("4.4-midnight-crossing"))
        .stdout(predicate::str::contains("4.4-samba-auth-failure"))
        .stdout(predicate::str::is_match(r"v2024-08 vs strict: \d+ of \d+ cases differ, 0 errors").unwrap());
    infobackup()
        .args(["check", "--compare", "v2024-08", "v2024-08", "--lang", "en"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No case differs"));
    // A profile file that changes only the threshold: the too-small archive is fine again.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("lenient.toml");
    std::fs::write(&file, "base = \"v2024-08\"\nmin_size = 10485760\n").unwrap();
    let out = infobackup()
        .args(["check", "--format", "json", "--compare", "v2024-08"])
        .arg(&file)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let differing: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "compare" && v["differs"] == true)
        .map(|v| v["case"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(differing, ["4.4-archive-too-small"], "{text}");
}

#[test]
fn an_unknown_profile_to_compare_is_a_tool_error() {
    infobackup()
        .args(["check", "--compare", "v2024-08", "v2099"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("v2099"));
}

#[test]
fn snapshots_can_live_elsewhere() {
    let tmp = project(Some(&["4.4-success-local-only"]));
    let empty = tempfile::tempdir().unwrap();
    infobackup()
        .args(["check", "--lang", "en", "--snapshots"])
        .arg(empty.path())
        .arg(tmp.path().join("scenarios"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("0 ok, 0 changed, 4 new"));
    infobackup()
        .args(["check", "--lang", "en", "--snapshots"])
        .arg(repo().join("snapshots/cases"))
        .arg(tmp.path().join("scenarios"))
        .assert()
        .code(0);
}

// ---- `--via http`: the same replays through the mock Jeedom JSON-RPC API -------------------------

fn stdout_of(args: &[&str], code: i32) -> String {
    let out = infobackup().args(args).assert().code(code).get_output().clone();
    assert_no_key(&out.stdout);
    assert_no_key(&out.stderr);
    String::from_utf8(out.stdout).unwrap()
}

/// The mock's generated API keys are 40 alphanumeric characters: no such run may be printed.
fn assert_no_key(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let key = regex::Regex::new(r"[A-Za-z0-9]{40}").unwrap();
    assert!(!key.is_match(&text), "an API key was printed:\n{text}");
}

/// JSON Lines, with the summary's `via` taken out and returned.
fn json_lines_and_via(text: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let summary = lines.last_mut().unwrap();
    assert_eq!(summary["type"], "summary");
    let via = summary.as_object_mut().unwrap().remove("via").unwrap();
    (lines, via)
}

#[test]
fn check_via_http_gives_the_same_json_lines_and_junit_as_in_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let (jm, jh) = (tmp.path().join("memory.xml"), tmp.path().join("http.xml"));
    let run = |via: &str, junit: &Path| {
        let junit = junit.to_str().unwrap();
        stdout_of(&["check", "--format", "json", "--via", via, "--junit", junit], 0)
    };
    let (memory, via_m) = json_lines_and_via(&run("memory", &jm));
    let (http, via_h) = json_lines_and_via(&run("http", &jh));
    assert_eq!((via_m.as_str(), via_h.as_str()), (Some("memory"), Some("http")));
    assert!(memory.len() > 100, "the whole corpus, every profile: {}", memory.len());
    assert_eq!(http, memory);
    let (xm, xh) = (
        std::fs::read_to_string(jm).unwrap(),
        std::fs::read_to_string(jh).unwrap(),
    );
    assert!(xm.contains("<testcase "), "{xm}");
    assert_eq!(xh, xm);
    // The default is memory.
    let (default, via_d) = json_lines_and_via(&stdout_of(&["check", "--format", "json"], 0));
    assert_eq!((default, via_d.as_str()), (memory, Some("memory")));
}

#[test]
fn check_via_http_says_where_it_ran_and_prints_the_same_table() {
    let args = ["check", "--lang", "en", "--profile", "strict"];
    let memory = stdout_of(&args, 0);
    let http = stdout_of(&[&args[..], &["--via", "http"]].concat(), 0);
    let (head, table) = http.split_once("\n\n").unwrap();
    assert!(
        regex::Regex::new(r"^via: mock JSON-RPC at http://127\.0\.0\.1:\d+$")
            .unwrap()
            .is_match(head),
        "{head}"
    );
    assert_eq!(table, memory);
    assert!(!memory.contains("via:"), "in process, the default, adds no line");
}

#[test]
fn compare_honours_via() {
    let args = ["check", "--compare", "v2024-08", "strict", "--format", "json"];
    let (memory, via_m) = json_lines_and_via(&stdout_of(&args, 1));
    let (http, via_h) = json_lines_and_via(&stdout_of(&[&args[..], &["--via", "http"]].concat(), 1));
    assert_eq!((via_m.as_str(), via_h.as_str()), (Some("memory"), Some("http")));
    assert!(http.iter().any(|l| l["differs"] == true), "strict differs somewhere");
    assert_eq!(http, memory);
    let text = stdout_of(
        &[
            "check",
            "--compare",
            "v2024-08",
            "strict",
            "--lang",
            "en",
            "--via",
            "http",
        ],
        1,
    );
    assert!(text.starts_with("via: mock JSON-RPC at http://127.0.0.1:"), "{text}");
}

#[test]
fn a_bad_via_is_a_usage_error() {
    infobackup_en()
        .args(["check", "--via", "carrier-pigeon"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "invalid value 'carrier-pigeon' for '--via <VIA>'",
        ))
        .stderr(predicate::str::contains("[possible values: memory, http]"));
}

/// A transport failure of the mock is the tool's error (exit 2) naming what failed, not a crash
/// of the scenario. Faults are injected through the library: the command has no option for it.
#[test]
fn a_transport_failure_of_the_mock_is_an_error_row_and_exit_2() {
    use infobackup::case::Overrides;
    use infobackup::jeeapi::{Fault, FaultRule, JeedomMock};
    use infobackup::report::check::{Status, Summary};
    use infobackup::report::corpus;
    use infobackup::via::Via;
    let mock = JeedomMock::start_blocking(0).unwrap();
    let via = Via::new(Some(&mock));
    let case = repo().join("scenarios/4.4-samba-ok");
    let snapshots = repo().join("snapshots/cases");
    let check = || {
        corpus::check_case(
            &case,
            &snapshots,
            None,
            &Overrides::default(),
            &via,
            infobackup::Lang::En,
        )
    };
    let rows = check();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.status == Status::Ok),
        "{rows:?}"
    );
    mock.add_fault(FaultRule::always(Fault::Http500));
    let rows = check();
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(r.status, Status::Error, "{r:?}");
        let detail = r.detail.as_deref().unwrap_or("");
        assert!(
            detail.starts_with("replaying the timeline: through the mock JSON-RPC API: ")
                && detail.contains(&mock.uri())
                && detail.contains("answered HTTP 500"),
            "{detail}"
        );
    }
    assert_eq!(Summary::of(&rows).exit_code(), 2);
    let cmp = corpus::compare_case(
        &case,
        &infobackup::case::ProfileRef::Builtin("v2024-08".into()),
        &infobackup::case::ProfileRef::Builtin("strict".into()),
        &Overrides::default(),
        &via,
        infobackup::Lang::En,
    );
    assert!(cmp.unwrap_err().contains("answered HTTP 500"));
}
