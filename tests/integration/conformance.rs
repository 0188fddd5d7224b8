//! Every conformance vector in `tests/data/conformance/` (and its sub-folders, such as `wide/`)
//! replays byte for byte with the faithful profile of its revision. Data-driven: adding a vector
//! is adding a file.

use std::path::{Path, PathBuf};

use infobackup::conformance::{self, Verdict};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// The vectors published with the scenario: 43 hand-picked cases plus the 200 randomly drawn
/// harder ones of `wide/`. Fewer means a folder went missing or was pruned.
const PUBLISHED_VECTORS: usize = 243;
/// The randomly drawn harder cases (issue #16), in the sub-folder `wide/`.
const WIDE_VECTORS: usize = 200;
/// Regressions the differential test found (sub-folder `diff/`, `tests/integration/differential.rs`).
const DIFFERENTIAL_VECTORS: usize = 5;
/// Every vector of the folder.
const ALL_VECTORS: usize = PUBLISHED_VECTORS + DIFFERENTIAL_VECTORS;

#[test]
fn every_vector_replays_exactly() {
    let files = conformance::collect(&[vectors_dir()]).expect("the vectors folder is readable");
    assert!(
        files.len() >= PUBLISHED_VECTORS,
        "expected at least {PUBLISHED_VECTORS} vectors, found {}",
        files.len()
    );
    let wide = files
        .iter()
        .filter(|f| f.parent().is_some_and(|p| p.ends_with("wide")))
        .count();
    assert_eq!(
        wide, WIDE_VECTORS,
        "the wide vectors are collected from their sub-folder"
    );
    let mut failures = Vec::new();
    for file in &files {
        match conformance::run_file(file) {
            Ok(r) => {
                if let Verdict::Fail { difference } = &r.verdict {
                    failures.push(format!(
                        "{}: {}\n{}",
                        file.display(),
                        difference.headline(),
                        difference.detail()
                    ));
                }
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors fail:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

// ---- the runner and the `conformance` command ------------------------------------------------

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_infobackup"));
    // The English wording is what these tests read.
    c.env("LC_ALL", "C");
    c
}

/// A copy of a published vector with one expected byte changed.
fn tampered(dir: &Path) -> PathBuf {
    let src = vectors_dir().join("v2024-08.size-rounding.json");
    let text = std::fs::read_to_string(src).unwrap();
    assert!(text.contains("150.13 MB"));
    let path = dir.join("tampered.json");
    std::fs::write(&path, text.replace("150.13 MB", "150.12 MB")).unwrap();
    path
}

#[test]
fn a_changed_expectation_fails_at_the_right_byte() {
    let dir = tempfile::tempdir().unwrap();
    let r = conformance::run_file(&tampered(dir.path())).unwrap();
    let Verdict::Fail { difference } = r.verdict else {
        panic!("a tampered vector must fail")
    };
    assert_eq!(difference.step, 2);
    assert_eq!(difference.field, conformance::Field::Virtual);
    let at = difference.byte.unwrap();
    assert_eq!(&difference.expected.as_deref().unwrap()[at..at + 6], "2 MB\",");
    assert_eq!(&difference.actual.as_deref().unwrap()[at..at + 6], "3 MB\",");
}

#[test]
fn the_command_passes_the_published_vectors() {
    let out = bin().arg("conformance").arg(vectors_dir()).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("pass  ")).count(), ALL_VECTORS);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("pass  ") && l.contains("/wide/wide-5-0038.json")),
        "the command recurses into sub-folders: {stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some(format!("{ALL_VECTORS} passed, 0 failed").as_str())
    );
}

#[test]
fn the_command_shows_the_first_difference_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = tampered(dir.path());
    let good = vectors_dir().join("v2024-08.size-small.json");
    let out = bin().arg("conformance").arg(&good).arg(&bad).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], format!("pass  {}", good.display()));
    assert_eq!(
        lines[1],
        format!(
            "FAIL  {}: step 2 (end_backup at 2025-09-10 03:30:33): virtual differs at byte 156",
            bad.display()
        )
    );
    assert_eq!(
        lines[2],
        "      expected: …25-09-10-03h27.tar.gz\",\"fileSize\":\"150.12 MB\",\"erreurFileSize\":0,\"error\":0},\"sam…"
    );
    assert_eq!(
        lines[3],
        "      actual:   …25-09-10-03h27.tar.gz\",\"fileSize\":\"150.13 MB\",\"erreurFileSize\":0,\"error\":0},\"sam…"
    );
    let col = |line: &str, pat: &str| line.find(pat).map(|b| line[..b].chars().count());
    assert_eq!(
        col(lines[4], "^"),
        col(lines[2], "2 MB"),
        "the caret sits under the first differing byte"
    );
    assert_eq!(lines.last(), Some(&"1 passed, 1 failed"));
}

#[test]
fn the_command_speaks_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let bad = tampered(dir.path());
    let out = bin()
        .args(["conformance", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "vector");
    assert_eq!(lines[0]["file"], bad.display().to_string());
    assert_eq!(lines[0]["status"], "fail");
    assert_eq!(lines[0]["difference"]["field"], "virtual");
    assert_eq!(lines[0]["difference"]["byte"], 156);
    assert_eq!(
        lines[1],
        serde_json::json!({"type": "summary", "passed": 0, "failed": 1, "via": "memory"})
    );
}

#[test]
fn a_malformed_vector_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        "{\n \"name\": \"x\",\n \"code\": \"v2024-08\",\n \"case\": {\"jeedom\": \"4.4\", \"steps\": [}\n}",
    )
    .unwrap();
    let out = bin().arg("conformance").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no verdict is printed before the error");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("{}:4:38: malformed vector", path.display())),
        "{stderr}"
    );
    let missing = bin().args(["conformance", "/nonexistent/vectors"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

// ---- `--via http`: the same replays through the mock Jeedom JSON-RPC API ----------------------

#[test]
fn the_command_passes_the_published_vectors_over_http_too() {
    let memory = bin().arg("conformance").arg(vectors_dir()).output().unwrap();
    let out = bin()
        .args(["conformance", "--via", "http"])
        .arg(vectors_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let (head, rest) = stdout.split_once('\n').unwrap();
    let re = regex::Regex::new(r"^via: mock JSON-RPC at http://127\.0\.0\.1:\d+$").unwrap();
    assert!(re.is_match(head), "{head}");
    assert_eq!(rest.lines().filter(|l| l.starts_with("pass  ")).count(), ALL_VECTORS);
    assert_eq!(
        rest.lines().last(),
        Some(format!("{ALL_VECTORS} passed, 0 failed").as_str())
    );
    assert_eq!(
        rest,
        String::from_utf8(memory.stdout).unwrap(),
        "the same verdicts as in process"
    );
    let key = regex::Regex::new(r"[A-Za-z0-9]{40}").unwrap();
    assert!(
        !key.is_match(&stdout) && !key.is_match(&String::from_utf8_lossy(&out.stderr)),
        "no API key"
    );
}

#[test]
fn json_lines_over_http_equal_in_process_but_for_via() {
    let dir = tempfile::tempdir().unwrap();
    tampered(dir.path());
    std::fs::copy(
        vectors_dir().join("v2024-08.samba-list-throws.json"),
        dir.path().join("throws.json"),
    )
    .unwrap();
    let run = |via: &str| {
        let out = bin()
            .args(["conformance", "--format", "json", "--via", via])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let mut lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let via = lines
            .last_mut()
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("via")
            .unwrap();
        (lines, via)
    };
    let (memory, via_m) = run("memory");
    let (http, via_h) = run("http");
    assert_eq!((via_m, via_h), (serde_json::json!("memory"), serde_json::json!("http")));
    assert_eq!(memory.len(), 3);
    assert_eq!(http, memory);
}

#[test]
fn a_bad_via_is_a_usage_error() {
    let out = bin()
        .args(["conformance", "--via", "carrier-pigeon"])
        .arg(vectors_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("invalid value 'carrier-pigeon' for '--via <VIA>'"),
        "{stderr}"
    );
    assert!(stderr.contains("[possible values: memory, http]"), "{stderr}");
}

#[test]
fn a_transport_failure_of_the_mock_is_an_error_not_a_verdict() {
    use infobackup::jeeapi::{Fault, FaultRule, JeedomMock};
    use infobackup::via::Via;
    let mock = JeedomMock::start_blocking(0).unwrap();
    let via = Via::new(Some(&mock));
    let vector = conformance::load(&vectors_dir().join("v2024-08.local-ok-samba-ok.json")).unwrap();
    assert_eq!(conformance::check_via(&vector, &via).unwrap(), Verdict::Pass);
    mock.add_fault(FaultRule::always(Fault::NotJson));
    let e = conformance::check_via(&vector, &via).unwrap_err().to_string();
    assert!(
        e.starts_with("through the mock JSON-RPC API: ") && e.contains("is not JSON"),
        "{e}"
    );
}
