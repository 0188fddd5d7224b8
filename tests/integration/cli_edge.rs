//! Black-box edge cases: each command used the way people will misuse it (missing folders,
//! odd files, option mistakes), asserting that what a person reads is a plain message that says
//! what to do, with no Rust `Debug` or `io::Error` formatting and no secret.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support::{infobackup, infobackup_en, repo};

/// What no message for a person may hold: Rust's formatting of an `io::Error` or an `Option`,
/// a panic, or the temporary name an atomic write used.
fn assert_plain(stderr: &[u8]) {
    let s = String::from_utf8_lossy(stderr);
    for bad in ["os error", "Os {", "Some(", "panicked", "RUST_BACKTRACE", ".tmp-"] {
        assert!(!s.contains(bad), "{bad:?} shown to a person:\n{s}");
    }
}

/// `record` of `log` as case `name` into the folder `scenarios`.
fn record(log: &Path, name: &str, scenarios: &Path) -> Command {
    let mut c = infobackup();
    c.arg("record")
        .arg(log)
        .args(["--name", name, "--scenarios"])
        .arg(scenarios);
    c
}

/// `-o` (diagnose) and `--junit` (check) into a folder that does not exist: exit 2, the message
/// names the file and the missing folder, not the temporary file nor `(os error 2)`.
#[test]
fn writing_into_a_missing_folder_names_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-folder");
    let out = missing.join("rapport.html");
    let a = infobackup_en()
        .args([
            "diagnose",
            "scenarios/4.4-samba-ok/backup.log",
            "--format",
            "html",
            "-o",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(out.display().to_string()))
        .stderr(predicate::str::contains("does not exist"));
    assert_plain(&a.get_output().stderr);
    assert!(!missing.exists(), "nothing may be created");

    let junit = missing.join("junit.xml");
    let a = infobackup_en()
        .args(["check", "--junit"])
        .arg(&junit)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(junit.display().to_string()))
        .stderr(predicate::str::contains("does not exist"));
    assert_plain(&a.get_output().stderr);
}

/// A missing profile file for `check --compare`, a missing case for `serve`: no `(os error 2)`.
#[test]
fn missing_files_are_said_plainly() {
    let a = infobackup()
        .args(["check", "--compare", "v2024-08", "profiles/no-such-profile.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-profile.toml"));
    assert_plain(&a.get_output().stderr);
    let a = infobackup()
        .args(["serve", "scenarios/no-such-case"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-case"));
    assert_plain(&a.get_output().stderr);
}

/// `serve` given a pasted log (the most likely mistake: `serve backup.log`) says what it takes
/// and how to turn a log into a case, not a JSON parser's position.
#[test]
fn serve_given_a_log_says_what_it_takes() {
    let a = infobackup_en()
        .args(["serve", "scenarios/4.4-samba-ok/backup.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("backup.log"))
        .stderr(predicate::str::contains("case folder"))
        .stderr(predicate::str::contains("infobackup record"))
        .stderr(predicate::str::contains("line 1 column").not());
    assert_plain(&a.get_output().stderr);
    infobackup_en()
        .args(["serve", "scenarios/no-such-case"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such file or folder"));
}

/// `check` run from a subfolder of the project (a CI step with another working directory,
/// `cargo run -- check` from `src/`) finds the project's `scenarios/` as `cargo` and `git` find
/// their roots, and compares with the project's snapshots; `record` finds the same folder.
#[test]
fn check_and_record_from_a_subfolder_use_the_projects_scenarios() {
    let a = infobackup_en()
        .current_dir(repo().join("src/cli"))
        .args(["check", "--format", "json"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("4.4-samba-ok"), "{out}");
    assert!(!out.contains("\"status\":\"new\""), "snapshots not found:\n{out}");
    // record: the name is checked against the project's corpus (an existing case is refused),
    // so nothing is written.
    infobackup_en()
        .current_dir(repo().join("src"))
        .args([
            "record",
            "../scenarios/4.4-samba-ok/backup.log",
            "--name",
            "4.4-samba-ok",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

/// A key in a PHP `print_r` dump (`[apikey] => …`, what a failure's `Details : Array ( … )`
/// prints) and a plugin's `api_key=` are hidden by `diagnose` and `parse` in every format and
/// replaced in the file `record` writes.
#[test]
fn keys_in_print_r_dumps_and_api_key_are_hidden_everywhere() {
    const K1: &str = "AbCdEf0123456789ZZprintr";
    const K2: &str = "QwErTy0123456789ZZapikey";
    let log = std::fs::read_to_string(repo().join("scenarios/4.4-samba-ok/backup.log"))
        .unwrap()
        .replace(
            "Send begin backup event...OK\n",
            &format!(
                "Send begin backup event...OK\n[2025-09-10 03:27:02][ERROR] : Array ( [apikey] => {K1} [type] => backup ) GET /api?api_key={K2}\n"
            ),
        );
    assert!(log.contains(K1));
    hidden_everywhere(&log, "4.4-print-r-key", |what, bytes| {
        let s = String::from_utf8_lossy(bytes);
        assert!(!s.contains(K1) && !s.contains(K2), "{what} shows a key:\n{s}");
    });
}

/// Runs `diagnose` (text, json, html) and `parse` (text, json) on `log` and `record`s it as
/// case `name`, handing `check` every output a person or a file gets: stdout and stderr of
/// `diagnose`, stdout of `parse` and `record`, and the files `record` wrote (which must succeed).
fn hidden_everywhere(log: &str, name: &str, check: impl Fn(&str, &[u8])) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("backup.log");
    std::fs::write(&file, log).unwrap();
    for format in ["text", "json", "html"] {
        let out = infobackup()
            .arg("diagnose")
            .arg(&file)
            .args(["--format", format])
            .output()
            .unwrap();
        check(&format!("diagnose --format {format}"), &out.stdout);
        check("diagnose stderr", &out.stderr);
    }
    for format in ["text", "json"] {
        let out = infobackup()
            .arg("parse")
            .arg(&file)
            .args(["--format", format])
            .output()
            .unwrap();
        check(&format!("parse --format {format}"), &out.stdout);
    }
    let scenarios = tmp.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let out = record(&file, name, &scenarios).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    check("record stdout", &out.stdout);
    for f in ["backup.log", "case.toml"] {
        check(f, &std::fs::read(scenarios.join(name).join(f)).unwrap());
    }
}

/// A bad `--name` for a log of an old box (2.x, 3.x): the example the error gives must itself
/// be a name `record` accepts (it used to suggest `2-samba-auth-failure`).
#[test]
fn the_example_of_a_bad_name_is_a_valid_name() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("v2.log");
    std::fs::write(
        &log,
        "[START BACKUP]\n\
         ***************Lancement de la sauvegarde de Jeedom le 2017-03-12 02:10:01***************\n\
         Envoi l'évènement de début de sauvegarde...OK\n\
         Sauvegarde la base de données...OK\n\
         Nom de la sauvegarde : /usr/share/nginx/www/jeedom/backup/backup-Jeedom-2.4.6-2017-03-12-02h10.tar.gz\n\
         Envoi l'évènement de fin de sauvegarde...OK\n\
         Durée de la sauvegarde : 95s\n\
         ***************Fin de la sauvegarde de Jeedom***************\n\
         [END BACKUP SUCCESS]\n",
    )
    .unwrap();
    let scenarios = tmp.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let out = record(&log, "2.4-old-box", &scenarios)
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let example = err
        .split("for example ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or_else(|| panic!("no example in {err}"));
    let out = record(&log, example, &scenarios).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the suggested name {example:?} is refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Values a person typed or a file holds are shown as written, not with Rust's `Debug`
/// escapes: `parse --format summary` names the encoding in words, a bad `--name` or `--tz` is
/// quoted without `\"`.
#[test]
fn no_debug_formatting_in_messages() {
    let out = infobackup()
        .args([
            "parse",
            "scenarios/4.2-latin1-samba-ok/backup.log",
            "--format",
            "summary",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Latin-1/Windows-1252"), "{s}");
    assert!(!s.contains("Windows1252"), "Debug name of the encoding: {s}");

    for (command, option, typed) in [("record", "--name", "l\"été"), ("diagnose", "--tz", "Europe/\"Paris")] {
        let a = infobackup()
            .args([command, "scenarios/4.4-samba-ok/backup.log", option, typed])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(typed));
        assert!(!String::from_utf8_lossy(&a.get_output().stderr).contains("\\\""));
    }
}

/// Mistakes in `check`'s paths are said before the corpus is replayed, with exit 2: a `--junit`
/// path holding a file that is not a JUnit report (it used to print the whole table first), an
/// explicit `--snapshots` folder that does not exist (a typo used to make every case `new`).
#[test]
fn check_refuses_bad_paths_before_replaying() {
    infobackup_en()
        .args(["check", "--junit", "README.md"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("README.md"))
        .stderr(predicate::str::contains("not a JUnit report"));
    infobackup_en()
        .args(["check", "--snapshots", "snapshots/casez"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("snapshots/casez"));
}

/// Counts agree with their noun in English too: "1 line", "2 lines", "1 piece", never "(s)".
#[test]
fn english_counts_agree_with_their_noun() {
    for (text, want) in [
        ("one line of prose\n", "none of its 1 line is a backup line"),
        ("prose\nmore prose\n", "none of its 2 lines is a backup line"),
        ("[2025-09-10 03:29:40][ERROR] : x\n", "only 1 line of Jeedom's logger"),
    ] {
        infobackup_en()
            .args(["diagnose", "-"])
            .write_stdin(text)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(want).and(predicate::str::contains("(s)").not()));
    }
    let ok = std::fs::read_to_string(crate::support::repo().join("tests/data/logs/4.4-ok.log")).unwrap();
    let report = |log: String| {
        let out = infobackup_en()
            .args(["diagnose", "-"])
            .write_stdin(log)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = report(format!("{ok}an added line\n"));
    assert!(text.contains(": 1 piece of text not recognised"), "{text}");
    let text = report(format!("[2025-09-10 03:29:40][ERROR] : x\n{ok}"));
    assert!(
        text.contains(": 1 logger line outside any backup run (1 error), the first at line 1; the published scenario reads it too."),
        "{text}"
    );
    assert!(!text.contains("(s)"), "{text}");
    let summary = infobackup_en()
        .args(["parse", "-", "--format", "summary"])
        .write_stdin("[START BACKUP]\n")
        .output()
        .unwrap();
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(summary.contains("\ntext: 1 line, 15 bytes, "), "{summary}");
}

/// An empty input (a file saved before pasting, `diagnose - < /dev/null`) is said to be empty,
/// not to have "none of its 0 line(s)" a backup line; exit 2, for diagnose and record.
#[test]
fn an_empty_input_is_said_to_be_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("backup.log");
    std::fs::write(&empty, b" \n\r\n").unwrap();
    for args in [vec!["diagnose"], vec!["record", "--name", "4.4-empty"]] {
        let a = infobackup_en()
            .args(&args)
            .arg(&empty)
            .args(["--scenarios"].iter().filter(|_| args[0] == "record"))
            .args([tmp.path()].iter().filter(|_| args[0] == "record"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("backup.log is empty"))
            .stderr(predicate::str::contains("0 line").not());
        assert_plain(&a.get_output().stderr);
    }
    infobackup_en()
        .args(["diagnose", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin is empty"));
}

/// A pasted log is untrusted text: its control characters (an escape sequence that retitles or
/// clears the terminal, a bell, backspaces that hide what precedes them) are shown as visible
/// symbols in the text reports of `diagnose` and `parse`, never sent to the terminal.
#[test]
fn control_characters_of_a_log_never_reach_the_terminal() {
    let log = std::fs::read_to_string(repo().join("scenarios/4.4-samba-ok/backup.log"))
        .unwrap()
        .replace(
            "Send begin backup event...OK\n",
            "Send begin backup event...OK\n[2025-09-10 03:27:02][ERROR] : evil \u{1b}]0;pwned\u{7} \u{1b}[2J\u{1b}[31mRED\u{8}\u{8} \u{9b}2J end\n",
        );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("backup.log");
    std::fs::write(&file, &log).unwrap();
    for args in [vec!["diagnose"], vec!["diagnose", "--lang", "en"], vec!["parse"]] {
        let out = infobackup().args(&args).arg(&file).output().unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("evil"), "{args:?}: the line is not quoted:\n{s}");
        for c in ['\u{1b}', '\u{7}', '\u{8}', '\u{9b}'] {
            assert!(!s.contains(c), "{args:?} sends {c:?} to the terminal:\n{s}");
        }
    }
}

/// `record` of a log whose every run lost its start and carries no date must not advise to
/// "record it as a case" (what just failed): it says to paste from the banner or to write the
/// case's `[[step]]` times by hand; nothing is written.
#[test]
fn record_of_an_untimed_log_gives_advice_that_works() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("cut.log");
    std::fs::write(
        &log,
        "Checking files rights...OK\nBacking up database...OK\nCreating archive...\nOK\n",
    )
    .unwrap();
    let scenarios = tmp.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    record(&log, "4.4-cut", &scenarios)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Start of Jeedom backup at"))
        .stderr(predicate::str::contains("[[step]]"))
        .stderr(predicate::str::contains("record it as a case").not());
    assert_eq!(
        std::fs::read_dir(&scenarios).unwrap().count(),
        0,
        "something was written"
    );
}

/// A key at the end of a URL followed by punctuation (`…?apikey=KEY: refused`) is hidden
/// without the punctuation: the message keeps its `:` (it used to read
/// `apikey=[redacted] reading the version`).
#[test]
fn redaction_keeps_the_punctuation_after_a_key() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("key");
    std::fs::write(&key, "SECRETKEY0123456789abcdef\n").unwrap();
    let a = infobackup_en()
        .args([
            "diagnose",
            "--jeedom-url",
            "http://127.0.0.1:1/?apikey=SECRETKEY0123456789abcdef",
            "--apikey-file",
        ])
        .arg(&key)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("apikey=[redacted]: reading the version"));
    assert!(!String::from_utf8_lossy(&a.get_output().stderr).contains("SECRETKEY"));
}

/// An error whose cause is already quoted in its message is said once (the port in use was
/// "Address already in use: Address already in use").
#[test]
fn a_cause_is_said_once() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let a = infobackup()
        .args(["serve", "scenarios/4.4-samba-ok", "--port", &port])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("127.0.0.1:{port}")));
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let cause = err.rsplit(": ").next().unwrap().trim();
    assert_eq!(err.matches(cause).count(), 1, "said twice: {err}");
    assert_plain(err.as_bytes());
}

/// A Samba password holding a double quote (Jeedom puts it between `"` unescaped) is hidden
/// whole by `diagnose` and `parse` and replaced whole by `record`: its tail used to show after
/// `-U "[redacted]%[redacted]"`.
#[test]
fn a_samba_password_with_a_double_quote_never_shows() {
    let log = std::fs::read_to_string(repo().join("scenarios/4.4-samba-auth-failure/backup.log"))
        .unwrap()
        .replace("-U \"jeedom%S3cr3tPlanted\"", "-U \"jeedom%Pl\"anted-Tail42\"");
    assert!(log.contains("anted-Tail42"));
    hidden_everywhere(&log, "4.4-quote-in-password", |what, bytes| {
        let s = String::from_utf8_lossy(bytes);
        assert!(!s.contains("Tail42"), "{what} shows the password's tail:\n{s}");
    });
}
