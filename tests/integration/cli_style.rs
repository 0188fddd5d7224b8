//! How the command speaks to a person: the language from the locale, colour as cargo and
//! ripgrep decide it.

use crate::support::{infobackup, infobackup_en, repo};

/// `check` of the whole corpus with one profile, in a given environment.
fn check_with(env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = infobackup();
    cmd.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["check", "--profile", "v2024-08"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_language_follows_the_locale_unless_lang_is_given() {
    let header = |out: &str| out.lines().find(|l| l.starts_with("ca")).unwrap_or_default().to_owned();
    assert!(header(&check_with(&[("LANG", "fr_FR.UTF-8")], &[])).starts_with("cas "));
    assert!(header(&check_with(&[("LANG", "en_GB.UTF-8")], &[])).starts_with("case "));
    assert!(header(&check_with(&[], &[])).starts_with("case "), "no locale: English");
    assert!(header(&check_with(&[("LANG", "fr_FR.UTF-8"), ("LC_ALL", "C")], &[])).starts_with("case "));
    assert!(header(&check_with(&[("LC_MESSAGES", "fr_CA")], &[])).starts_with("cas "));
    assert!(header(&check_with(&[("LANG", "fr_FR.UTF-8")], &["--lang", "en"])).starts_with("case "));
}

#[test]
fn check_colours_its_statuses_only_when_asked_or_on_a_terminal() {
    const ESC: char = '\u{1b}';
    let green_ok = "\u{1b}[1m\u{1b}[32mok";
    // Piped, as here: no colour by default.
    assert!(!check_with(&[], &[]).contains(ESC));
    // Forced by the option or by CLICOLOR_FORCE; refused by NO_COLOR and by --color never.
    assert!(check_with(&[], &["--color", "always"]).contains(green_ok));
    assert!(check_with(&[("CLICOLOR_FORCE", "1")], &[]).contains(green_ok));
    assert!(!check_with(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]).contains(ESC));
    assert!(!check_with(&[("NO_COLOR", "1")], &[]).contains(ESC));
    // The option goes before or after the subcommand.
    let mut cmd = infobackup();
    let out = cmd
        .args(["--color", "always", "check", "--profile", "v2024-08"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(green_ok));
}

#[test]
fn every_error_has_one_prefix_and_exit_code_2() {
    // A mistake clap finds, and one the command finds, read the same way.
    for args in [
        &["check", "--bogus"][..],
        &["diagnose"],
        &["diagnose", "/nonexistent/backup.log"],
    ] {
        let out = infobackup_en().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("infobackup: error: "), "{args:?}: {err}");
        assert!(!err.contains("\nerror:"), "{args:?}: {err}");
    }
    // --help and --version are not errors.
    let out = infobackup_en().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("infobackup "));
}

#[test]
fn check_profile_names_the_valid_ones_and_takes_a_profile_file() {
    let out = infobackup_en()
        .args(["check", "--profile", "v2024-8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--profile v2024-8: no such profile"), "{err}");
    assert!(err.contains("v2022-01, v2023-03, v2024-08, strict"), "{err}");
    assert!(out.stdout.is_empty(), "nothing replayed before the mistake is said");

    // A profile file: what it changes against the built-in it starts from.
    let by_profile = infobackup_en()
        .args(["check", "--profile", "profiles/big-box.toml"])
        .output()
        .unwrap();
    let by_compare = infobackup_en()
        .args(["check", "--compare", "v2024-08", "profiles/big-box.toml"])
        .output()
        .unwrap();
    assert_eq!(by_profile.status.code(), by_compare.status.code());
    assert_eq!(
        String::from_utf8_lossy(&by_profile.stdout),
        String::from_utf8_lossy(&by_compare.stdout)
    );
    assert!(String::from_utf8_lossy(&by_profile.stdout).contains("profiles/big-box.toml"));
}

#[test]
fn parse_refuses_what_diagnose_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "  \n\n").unwrap();
    let prose = dir.path().join("notes.txt");
    std::fs::write(&prose, "my backup tile is red, help\n").unwrap();
    // A program: a log's markers among machine code.
    let program = dir.path().join("a.out");
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.extend((0..2000u32).map(|k| (k % 32) as u8));
    bytes.extend_from_slice(&std::fs::read(repo().join("tests/data/logs/4.4-ok.log")).unwrap());
    std::fs::write(&program, bytes).unwrap();
    let logger_only = dir.path().join("backup");
    std::fs::write(&logger_only, "[2025-09-10 03:29:40][ERROR] : Failed to send backup\n").unwrap();
    for format in ["text", "json", "summary"] {
        for (file, want) in [
            (&empty, "is empty"),
            (&prose, "is not a Jeedom backup log"),
            (&program, "is binary data, not a Jeedom backup log"),
        ] {
            let out = infobackup_en()
                .arg("parse")
                .arg(file)
                .args(["--format", format])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(2), "{format} {file:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains(want), "{format} {file:?}");
            let diag = infobackup_en().arg("diagnose").arg(file).output().unwrap();
            assert_eq!(diag.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&diag.stderr).contains(want));
        }
        // Logger lines alone are a log parse can show.
        let out = infobackup_en()
            .arg("parse")
            .arg(&logger_only)
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn diagnose_from_a_terminal_says_what_it_waits_for() {
    // `script` (util-linux, always on Debian) gives the command a terminal as standard input;
    // Ctrl-D then ends the paste at once.
    let bin = env!("CARGO_BIN_EXE_infobackup");
    let run = |lang: &str| {
        let mut child = std::process::Command::new("script")
            .args(["-q", "-c", &format!("{bin} diagnose - --lang {lang}"), "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs");
        std::thread::sleep(std::time::Duration::from_millis(500));
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"\x04").unwrap();
        String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout).into_owned()
    };
    assert!(run("en").contains("paste the log, then Ctrl-D"), "{}", run("en"));
    assert!(run("fr").contains("collez le log, puis Ctrl-D"));
    // Piped, nothing is said: the text is already there.
    let out = infobackup()
        .args(["diagnose", "-", "--lang", "en"])
        .write_stdin("x\n")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("Ctrl-D"));
}

#[test]
fn a_profile_path_that_is_not_utf8_is_refused_naming_the_option() {
    use std::os::unix::ffi::OsStrExt as _;
    let bad = std::ffi::OsStr::from_bytes(b"\xff.toml");
    for args in [
        &["check", "--profile"][..],
        &["conformance", "tests/data/conformance", "--profile"],
    ] {
        let out = infobackup_en().args(args).arg(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("'--profile <P>'") && err.contains("not valid UTF-8"),
            "{err}"
        );
    }
}

#[test]
fn a_missing_input_is_worded_the_same_by_every_command() {
    let missing = "/nonexistent/backup.log";
    for args in [
        &["parse", missing][..],
        &["parse", missing, "--format", "summary"],
        &["diagnose", missing],
        &["record", missing, "--name", "4.4-never-written"],
        &["serve", missing],
        &["conformance", missing],
        &["scenario", missing],
    ] {
        let out = infobackup_en().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            err.trim_end(),
            format!("infobackup: error: {missing}: no such file or folder"),
            "{args:?}"
        );
    }
}

#[test]
fn the_diagnose_header_says_the_threshold_the_profile_plays_with() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    std::fs::write(&file, "base = \"v2024-08\"\nmin_size = 524288000\n").unwrap();
    let header = |extra: &[&std::ffi::OsStr]| {
        let out = infobackup()
            .args(["diagnose", "scenarios/4.4-samba-ok", "--lang", "en"])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find(|l| l.contains("· threshold "))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header(&[]).ends_with("threshold 100 MB"), "{}", header(&[]));
    let with_file = header(&["--profile".as_ref(), file.as_os_str()]);
    assert!(with_file.ends_with("threshold 500 MB"), "{with_file}");
}
