//! One language per run: the locale (or `--lang`) decides the language of every message,
//! the exit-2 errors and the redaction marker included.

use std::path::Path;

use crate::support::infobackup;

/// Runs the binary with `LC_ALL` set to `locale` and the given arguments; gives (exit code, stderr).
fn run(locale: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = infobackup().env("LC_ALL", locale).args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Words only an English error uses: none may appear in a French one.
const ENGLISH: &[&str] = &[
    "error:",
    "no such",
    "cannot",
    "unknown",
    "expected",
    "invalid value",
    "invalid type",
    "found",
    "unexpected argument",
    "a value is required",
    "For more information",
    "not a ",
    "tip:",
    "must ",
];

fn assert_french(what: &str, code: Option<i32>, err: &str) {
    assert_eq!(code, Some(2), "{what}: {err}");
    assert!(err.starts_with("infobackup: erreur : "), "{what}: {err}");
    for w in ENGLISH {
        assert!(!err.contains(w), "{what}: English {w:?} in a French error:\n{err}");
    }
}

/// A case folder with a bad manifest, and a profile file with a bad value, in a temp folder.
fn bad_inputs() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("bad-case");
    std::fs::create_dir(&case).unwrap();
    std::fs::write(case.join("case.toml"), "description = \"x\"\nfoo = 1\n").unwrap();
    std::fs::write(t.path().join("bad.toml"), "base = \"v2024-08\"\nmin_size = \"a\"\n").unwrap();
    std::fs::write(t.path().join("nobase.toml"), "min_size = 3\n").unwrap();
    t
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Every command's common error paths, under a French locale: French sentences, the file (and
/// line, for a manifest or a profile file) still named, no English error word.
#[test]
fn every_exit_2_error_is_french_under_a_french_locale() {
    let t = bad_inputs();
    let case = s(&t.path().join("bad-case"));
    let bad = s(&t.path().join("bad.toml"));
    let nobase = s(&t.path().join("nobase.toml"));
    let dir = s(t.path());
    let missing = "missing.log";
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "parse missing",
            vec!["parse", missing],
            "missing.log : fichier ou dossier introuvable",
        ),
        (
            "diagnose missing",
            vec!["diagnose", missing],
            "missing.log : fichier ou dossier introuvable",
        ),
        (
            "record missing",
            vec!["record", missing, "--name", "4.4-x"],
            "missing.log : fichier ou dossier introuvable",
        ),
        (
            "serve missing",
            vec!["serve", "missing-case"],
            "missing-case : fichier ou dossier introuvable",
        ),
        (
            "scenario missing",
            vec!["scenario", missing],
            "missing.log : fichier ou dossier introuvable",
        ),
        (
            "conformance missing",
            vec!["conformance", missing],
            "missing.log : fichier ou dossier introuvable",
        ),
        (
            "manifest",
            vec!["diagnose", &case],
            "case.toml:2:1: foo : clé inconnue « foo »",
        ),
        (
            "profile value",
            vec!["diagnose", "--profile", &bad, "tests/data/logs/4.4-ok.log"],
            ":2: clé « min_size » : nombre entier attendu, trouvé la chaîne « a »",
        ),
        (
            "profile base",
            vec!["check", "--profile", &nobase],
            "la clé « base » manque",
        ),
        (
            "check manifest",
            vec!["check", &dir, "--snapshots", &dir],
            "bad-case : ",
        ),
        (
            "profile name",
            vec!["check", "--profile", "nope"],
            "--profile nope : profil inconnu",
        ),
        (
            "unknown argument",
            vec!["check", "--bogus"],
            "argument inattendu « --bogus »",
        ),
        (
            "missing value",
            vec!["check", "--profile"],
            "il manque une valeur à --profile",
        ),
        (
            "invalid value",
            vec!["diagnose", "x", "--format", "yaml"],
            "valeur invalide « yaml » pour --format",
        ),
        (
            "parsed value",
            vec!["diagnose", "x", "--jeedom-version", "9.9"],
            "version de Jeedom inconnue « 9.9 »",
        ),
        ("no command", vec![], "il manque la commande"),
        (
            "out of range",
            vec!["diagnose", "x", "--php", "9"],
            "9 n'est pas entre 7 et 8",
        ),
        (
            "serve a log",
            vec!["serve", "Cargo.toml"],
            "Cargo.toml n'est pas un cas",
        ),
        ("unknown command", vec!["diagnoze"], "commande inconnue « diagnoze »"),
        (
            "time zone",
            vec!["diagnose", "tests/data/logs/4.4-ok.log", "--tz", "Mars/Base"],
            "--tz « Mars/Base »",
        ),
    ];
    for (what, args, expect) in &cases {
        for (locale, extra) in [("fr_FR.UTF-8", None), ("C", Some(["--lang", "fr"]))] {
            let mut all: Vec<&str> = args.clone();
            all.extend(extra.iter().flatten());
            let (code, err) = run(locale, &all);
            assert_french(&format!("{what} ({locale})"), code, &err);
            assert!(err.contains(expect), "{what} ({locale}): {expect:?} not in\n{err}");
        }
    }
}

/// The same mistakes under `--lang en` (and a French locale): English, located the same way.
#[test]
fn lang_en_overrides_a_french_locale_for_errors() {
    let t = bad_inputs();
    let case = s(&t.path().join("bad-case"));
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["parse", "missing.log"], "missing.log: no such file or folder"),
        (vec!["diagnose", &case], "case.toml:2:1: foo: unknown field `foo`"),
        (vec!["check", "--bogus"], "unexpected argument '--bogus'"),
        (
            vec!["diagnose", "x", "--format", "yaml"],
            "invalid value 'yaml' for '--format",
        ),
        (
            vec!["diagnose", "x", "--jeedom-version", "9.9"],
            "unknown Jeedom version \"9.9\"",
        ),
    ];
    for (args, expect) in &cases {
        for lang in [&["--lang", "en"][..], &["--lang=en"][..]] {
            let mut all = args.clone();
            all.extend(lang);
            let (code, err) = run("fr_FR.UTF-8", &all);
            assert_eq!(code, Some(2), "{args:?}: {err}");
            assert!(err.starts_with("infobackup: error: "), "{args:?}: {err}");
            assert!(err.contains(expect), "{args:?}: {expect:?} not in\n{err}");
            assert!(!err.contains("erreur"), "{args:?}: {err}");
        }
    }
}

/// The redaction marker follows the language: `[masqué]` in French, `[redacted]` in English;
/// the secret is gone in both.
#[test]
fn the_redaction_marker_is_in_the_runs_language() {
    let log = crate::support::repo().join("tests/data/logs/signatures/samba-logon-failure.log");
    let secret = "S3cr3tPass";
    for (lang, marker, other) in [("fr", "[masqué]", "[redacted]"), ("en", "[redacted]", "[masqué]")] {
        for format in ["text", "markdown", "json", "html"] {
            let out = infobackup()
                .args(["diagnose", "--lang", lang, "--format", format])
                .arg(&log)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(!text.contains(secret), "{lang} {format}: the secret is shown");
            assert!(text.contains(marker), "{lang} {format}: no {marker}:\n{text}");
            assert!(!text.contains(other), "{lang} {format}: {other} in a {lang} report");
        }
    }
}
