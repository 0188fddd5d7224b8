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
            "not a number",
            vec!["serve", "x", "--port", "x"],
            "--port <PORT> : ce n'est pas un nombre entier positif",
        ),
        (
            "too large a number",
            vec!["diagnose", "x", "--archive-size", "99999999999999999999999"],
            "--archive-size <OCTETS> : le nombre est trop grand",
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

// ---- every path of a run, in French and in English --------------------------------------------

/// Words only English uses: none may appear in a message of a French run (stdout or stderr).
const ENGLISH_WORDS: &[&str] = &[
    "error:",
    "warning:",
    "cannot",
    "refusing",
    "reading",
    "missing",
    "no such",
    "already exists",
    "not a ",
    "must ",
    "expected",
    "needs",
    "failed",
    "passed",
    " step ",
    "the ",
];

/// Runs the binary under `--lang LANG` (with the other language's locale, so the flag is what
/// decides); gives (exit code, stdout, stderr).
fn run_lang(lang: &str, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let locale = if lang == "fr" { "C" } else { "fr_FR.UTF-8" };
    let mut c = infobackup();
    c.env("LC_ALL", locale).args(args).args(["--lang", lang]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `text` (what a French run printed for `what`) holds `phrase` and no English word.
fn assert_all_french(what: &str, text: &str, phrase: &str) {
    assert!(text.contains(phrase), "{what}: {phrase:?} not in\n{text}");
    for w in ENGLISH_WORDS {
        assert!(!text.contains(w), "{what}: English {w:?} in a French run:\n{text}");
    }
}

/// An error of a French run: exit 2, the French prefix, `phrase`, no English word.
fn assert_french_error(what: &str, (code, _, err): &(Option<i32>, String, String), phrase: &str) {
    assert_eq!(*code, Some(2), "{what}: {err}");
    assert!(err.starts_with("infobackup: erreur : "), "{what}: {err}");
    assert_all_french(what, err, phrase);
}

/// An error of an English run: exit 2, the English prefix, `phrase`, no French word.
fn assert_english_error(what: &str, (code, _, err): &(Option<i32>, String, String), phrase: &str) {
    assert_eq!(*code, Some(2), "{what}: {err}");
    assert!(err.starts_with("infobackup: error: "), "{what}: {err}");
    assert!(err.contains(phrase), "{what}: {phrase:?} not in\n{err}");
    for w in ["erreur", "impossible", " : ", "«"] {
        assert!(!err.contains(w), "{what}: French {w:?} in an English run:\n{err}");
    }
}

#[test]
fn live_mode_errors_follow_the_language() {
    let (mock, _session, key) = crate::cli_diagnose::live_box("4.4-success-local-only");
    let url = mock.uri();
    let t = tempfile::tempdir().unwrap();
    let short = t.path().join("short.key");
    std::fs::write(&short, "abc\n").unwrap();
    let short = s(&short);
    let wrong = format!("{key}x");
    // (what, args, environment, French phrase, English phrase)
    type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            "no key",
            vec!["diagnose", "--jeedom-url", &url],
            vec![],
            "demande la clé API de la box",
            "needs the box's API key",
        ),
        (
            "short key file",
            vec!["diagnose", "--jeedom-url", &url, "--apikey-file", &short],
            vec![],
            "la clé API Jeedom est trop courte (3 caractères",
            "the Jeedom API key is too short (3 characters",
        ),
        (
            "wrong key",
            vec!["diagnose", "--jeedom-url", &url],
            vec![("INFOBACKUP_APIKEY", &wrong)],
            "lecture de la version : version : Jeedom a rejeté la clé API (code 2)",
            "reading the version: version: Jeedom rejected the API key (code 2)",
        ),
        (
            "nobody answers",
            vec!["diagnose", "--jeedom-url", "http://127.0.0.1:1"],
            vec![("INFOBACKUP_APIKEY", &key)],
            "connexion à http://127.0.0.1:1/core/api/jeeApi.php refusée",
            "connection to http://127.0.0.1:1/core/api/jeeApi.php refused",
        ),
        (
            "bad address",
            vec!["diagnose", "--jeedom-url", "ftp://box.example/"],
            vec![("INFOBACKUP_APIKEY", &key)],
            "impossible d'utiliser cette adresse : l'URL Jeedom « ftp://box.example » doit commencer par http://",
            "cannot use this address: Jeedom URL \"ftp://box.example\" must start with http://",
        ),
        (
            "push without a command",
            vec!["diagnose", "--jeedom-url", &url, "--push"],
            vec![("INFOBACKUP_APIKEY", &key)],
            "--push demande --cmd-id ID",
            "--push needs --cmd-id ID",
        ),
    ];
    for (what, args, env, fr, en) in &cases {
        let out = run_lang("fr", args, env);
        assert_french_error(what, &out, fr);
        assert!(
            !out.2.contains(&wrong) && !out.2.contains(&key),
            "{what}: the key is shown"
        );
        assert_english_error(what, &run_lang("en", args, env), en);
    }
}

#[test]
fn conformance_follows_the_language() {
    let t = tempfile::tempdir().unwrap();
    let vectors = crate::support::repo().join("tests/data/conformance");
    let text = std::fs::read_to_string(vectors.join("v2024-08.size-rounding.json")).unwrap();
    let tampered = t.path().join("tampered.json");
    std::fs::write(&tampered, text.replace("150.13 MB", "150.12 MB")).unwrap();
    let good = s(&vectors.join("v2024-08.size-small.json"));
    let tampered = s(&tampered);
    // A failing vector: the verdicts, the difference and the count.
    let (code, out, err) = run_lang("fr", &["conformance", &good, &tampered], &[]);
    assert_eq!(code, Some(1), "{err}");
    assert_all_french("verdicts", &out, "ÉCHEC  ");
    assert!(
        out.contains("étape 2 (end_backup à 2025-09-10 03:30:33) : le virtuel diffère à l'octet 156"),
        "{out}"
    );
    assert!(
        out.contains("\n      attendu : …") && out.contains("\n      obtenu :  …"),
        "{out}"
    );
    assert!(out.ends_with("1 réussi, 1 échoué\n"), "{out}");
    let (code, out, _) = run_lang("en", &["conformance", &good, &tampered], &[]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("step 2 (end_backup at 2025-09-10 03:30:33): virtual differs at byte 156"),
        "{out}"
    );
    assert!(out.ends_with("1 passed, 1 failed\n"), "{out}");
    // A malformed vector, and a folder without any.
    let broken = t.path().join("broken.json");
    std::fs::write(&broken, "{\"name\": 3,\n").unwrap();
    let broken = s(&broken);
    assert_french_error(
        "malformed",
        &run_lang("fr", &["conformance", &broken], &[]),
        "broken.json:1:",
    );
    assert_french_error(
        "malformed, said",
        &run_lang("fr", &["conformance", &broken], &[]),
        "vecteur mal formé : type de valeur invalide",
    );
    assert_english_error(
        "malformed",
        &run_lang("en", &["conformance", &broken], &[]),
        "malformed vector: invalid type",
    );
    let empty = tempfile::tempdir().unwrap();
    let empty = s(empty.path());
    assert_french_error(
        "no vector",
        &run_lang("fr", &["conformance", &empty], &[]),
        "aucun vecteur *.json trouvé dans",
    );
    assert_english_error(
        "no vector",
        &run_lang("en", &["conformance", &empty], &[]),
        "no *.json vector found in",
    );
}

#[test]
fn scenario_follows_the_language() {
    let t = tempfile::tempdir().unwrap();
    let broken = t.path().join("broken.json");
    std::fs::write(&broken, "{\"elements\": [}\n").unwrap();
    let broken = s(&broken);
    assert_french_error(
        "bad template",
        &run_lang("fr", &["scenario", &broken], &[]),
        "broken.json:1:15: JSON invalide : une valeur JSON est attendue ici",
    );
    assert_english_error(
        "bad template",
        &run_lang("en", &["scenario", &broken], &[]),
        "broken.json:1:15: not valid JSON: expected value",
    );
    let odd = t.path().join("odd.json");
    std::fs::write(&odd, "{\"elements\": 3}").unwrap();
    let odd = s(&odd);
    assert_french_error(
        "not a scenario",
        &run_lang("fr", &["scenario", &odd], &[]),
        "odd.json : ce n'est pas un modèle de scénario Jeedom : en /elements : une liste est attendue",
    );
    assert_english_error(
        "not a scenario",
        &run_lang("en", &["scenario", &odd], &[]),
        "odd.json: not a Jeedom scenario template: at /elements: expected a list",
    );
    // A block with findings: the report's lines, the findings and the diff's placeholders.
    let block = t.path().join("block.php");
    std::fs::write(&block, "<?php\n$alertsizebackup = 100 * MB;\n$x = 1;\n").unwrap();
    let block = s(&block);
    let (code, out, err) = run_lang("fr", &["scenario", &block], &[("INFOBACKUP_PUBLISHED", "")]);
    assert_eq!(code, Some(1), "{err}");
    assert_all_french("block report", &out, "block.php : scénario (bloc)\n");
    for line in [
        "\ntaille minimale : illisible, supposée de 100 Mo\n",
        "\nrévision : modifié par rapport à ",
        "\nconstats : ",
        "min-size : taille minimale illisible (`100 * MB` n'est pas fait d'entiers littéraux joints par `*`)",
    ] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }
    assert!(err.is_empty(), "{err}");
    let (code, out, _) = run_lang("en", &["scenario", &block], &[("INFOBACKUP_PUBLISHED", "")]);
    assert_eq!(code, Some(1));
    assert!(out.starts_with(&format!("{block}: scenario block\n")), "{out}");
    assert!(out.contains("\nminimum size: cannot read, assumed 100 MB\n"), "{out}");
    assert!(out.contains("\nrevision: modified from "), "{out}");
    assert!(!out.contains("taille") && !out.contains("révision"), "{out}");
}

#[test]
fn record_onto_an_existing_case_follows_the_language() {
    let t = tempfile::tempdir().unwrap();
    let scenarios = t.path().join("scenarios");
    std::fs::create_dir_all(scenarios.join("4.4-taken")).unwrap();
    let scenarios = s(&scenarios);
    let args = [
        "record",
        "tests/data/logs/4.4-ok.log",
        "--name",
        "4.4-taken",
        "--scenarios",
        &scenarios,
    ];
    assert_french_error(
        "existing case",
        &run_lang("fr", &args, &[]),
        "4.4-taken existe déjà : un cas enregistré n'est jamais écrasé ; choisissez un autre --name",
    );
    assert_english_error(
        "existing case",
        &run_lang("en", &args, &[]),
        "4.4-taken already exists: a recorded case is never overwritten",
    );
    let bad_name = [
        "record",
        "tests/data/logs/4.4-ok.log",
        "--name",
        "Oops",
        "--scenarios",
        &scenarios,
    ];
    assert_french_error(
        "bad name",
        &run_lang("fr", &bad_name, &[]),
        "--name « Oops » n'est pas un nom de cas valide : il ne peut contenir que des minuscules",
    );
    assert_english_error(
        "bad name",
        &run_lang("en", &bad_name, &[]),
        "--name \"Oops\" is not a valid case name: it may only hold lower-case letters",
    );
}

#[test]
fn check_junit_onto_a_file_of_the_users_follows_the_language() {
    let t = tempfile::tempdir().unwrap();
    let notes = t.path().join("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let notes = s(&notes);
    let args = ["check", "--junit", &notes];
    assert_french_error("junit", &run_lang("fr", &args, &[]), "--junit : ");
    assert_french_error(
        "junit, said",
        &run_lang("fr", &args, &[]),
        "notes.txt n'est pas remplacé : ce n'est pas un rapport JUnit (choisissez un autre chemin)",
    );
    assert_english_error("junit", &run_lang("en", &args, &[]), "--junit: refusing to replace ");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    // The atomic writer's refusal, through diagnose --output.
    let args = ["diagnose", "tests/data/logs/4.4-ok.log", "--output", &notes];
    assert_french_error(
        "output exists",
        &run_lang("fr", &args, &[]),
        "notes.txt existe déjà : choisissez un autre nom, ou ajoutez --force pour le remplacer",
    );
    assert_english_error(
        "output exists",
        &run_lang("en", &args, &[]),
        "notes.txt already exists: choose another name, or add --force to replace it",
    );
    let dir = s(t.path());
    let args = ["diagnose", "tests/data/logs/4.4-ok.log", "--output", &dir, "--force"];
    assert_french_error(
        "output is a folder",
        &run_lang("fr", &args, &[]),
        "est un dossier : --force ne remplace qu'un fichier ordinaire",
    );
    assert_english_error(
        "output is a folder",
        &run_lang("en", &args, &[]),
        "is a folder: --force replaces only a regular file",
    );
}

#[test]
fn serve_with_a_bad_case_follows_the_language() {
    let t = tempfile::tempdir().unwrap();
    let timeline = t.path().join("timeline.json");
    std::fs::write(&timeline, "{\"jeedom\": \"4.4\", \"stepz\": []}").unwrap();
    let timeline = s(&timeline);
    assert_french_error(
        "bad timeline",
        &run_lang("fr", &["serve", &timeline], &[]),
        "ni un vecteur de conformité ni une Timeline : clé",
    );
    assert_english_error(
        "bad timeline",
        &run_lang("en", &["serve", &timeline], &[]),
        "not a conformance vector nor a Timeline",
    );
    let case = "scenarios/4.4-success-local-only";
    assert_french_error(
        "bad step",
        &run_lang("fr", &["serve", case, "--step", "99"], &[]),
        "--step 99 : les étapes de scenarios/4.4-success-local-only vont de 1 à",
    );
    assert_english_error(
        "bad step",
        &run_lang("en", &["serve", case, "--step", "99"], &[]),
        "--step 99: scenarios/4.4-success-local-only has steps 1 to",
    );
}

#[test]
fn parse_summary_follows_the_language() {
    let args = ["parse", "tests/data/logs/4.4-two-runs-ok.log", "--format", "summary"];
    let (code, out, err) = run_lang("fr", &args, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_all_french(
        "summary",
        &out,
        "sauvegardes : 2 (réussies 2, échouées 0, inachevées 0, coupées au début 0)\n",
    );
    assert!(out.contains("\ntexte : ") && out.contains(" lignes, "), "{out}");
    let (_, out, _) = run_lang("en", &args, &[]);
    assert!(
        out.starts_with("runs: 2 (success 2, failed 0, unterminated 0, cut at start 0)\n"),
        "{out}"
    );
}

#[test]
fn parse_text_follows_the_language() {
    let args = ["parse", "tests/data/logs/4.4-ok.log"];
    let (code, out, err) = run_lang("fr", &args, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_all_french("parse", &out, "  suppressions (taille) :\n");
    assert!(
        out.contains(" · horodatage 2025-06-02-02h45") && !out.contains("stamp"),
        "{out}"
    );
    let (_, out, _) = run_lang("en", &args, &[]);
    assert!(
        out.contains("  size-limit deletions:\n") && out.contains(" · stamp 2025-06-02-02h45"),
        "{out}"
    );
}

#[test]
fn widget_refusals_follow_the_language() {
    let args = ["check", "--widget", "Cargo.toml"];
    assert_french_error(
        "not a template",
        &run_lang("fr", &args, &[]),
        "--widget : Cargo.toml : ce n'est pas un modèle de widget : pas de marque #id#",
    );
    assert_english_error(
        "not a template",
        &run_lang("en", &args, &[]),
        "--widget: Cargo.toml: not a widget template: no #id# placeholder",
    );
    let t = tempfile::tempdir().unwrap();
    let template = t.path().join("w.html");
    std::fs::write(&template, "<div id=\"#id#\"></div>").unwrap();
    let template = s(&template);
    let args = ["check", "--widget", &template];
    let env = [("INFOBACKUP_CHROMIUM", "/nowhere/chromium")];
    assert_french_error(
        "no browser",
        &run_lang("fr", &args, &env),
        "chromium introuvable (installez le paquet Debian `chromium`",
    );
    assert_french_error(
        "no browser, why",
        &run_lang("fr", &args, &env),
        "INFOBACKUP_CHROMIUM=« /nowhere/chromium » n'est pas un fichier",
    );
    assert_english_error(
        "no browser",
        &run_lang("en", &args, &env),
        "INFOBACKUP_CHROMIUM=\"/nowhere/chromium\" is not a file",
    );
}

/// A box (wiremock) that answers `version` and refuses everything else with a Jeedom error, or
/// answers HTTP 500 to everything: live mode's errors say what was being read, in either language.
#[test]
fn live_mode_against_a_box_answering_errors_follows_the_language() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

    struct RefusesConfig;
    impl Respond for RefusesConfig {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap_or_default();
            let answer = match body["method"].as_str() {
                Some("version") => serde_json::json!({"jsonrpc": "2.0", "id": body["id"], "result": "4.4.20"}),
                _ => serde_json::json!({"jsonrpc": "2.0", "id": body["id"],
                    "error": {"code": -32099, "message": "Accès refusé"}}),
            };
            ResponseTemplate::new(200).set_body_json(answer)
        }
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let refusing = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/core/api/jeeApi.php"))
            .respond_with(RefusesConfig)
            .mount(&server)
            .await;
        server
    });
    let failing = rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
            .mount(&server)
            .await;
        server
    });
    let key = [("INFOBACKUP_APIKEY", "0123456789abcdefKEYKEY")];
    let (refusing, failing) = (refusing.uri(), failing.uri());
    let args = ["diagnose", "--jeedom-url", &refusing];
    assert_french_error(
        "config refused",
        &run_lang("fr", &args, &key),
        "lecture de la clé de configuration « samba::enable » : config::byKey : Jeedom a répondu par l'erreur \
         -32099 : « Accès refusé »",
    );
    assert_english_error(
        "config refused",
        &run_lang("en", &args, &key),
        "reading the config key samba::enable: config::byKey: Jeedom answered error -32099: Accès refusé",
    );
    let args = ["diagnose", "--jeedom-url", &failing];
    assert_french_error(
        "HTTP 500",
        &run_lang("fr", &args, &key),
        "lecture de la version : version : ",
    );
    assert_french_error(
        "HTTP 500, said",
        &run_lang("fr", &args, &key),
        "a répondu HTTP 500 au lieu de 200 : « boom »",
    );
    assert_english_error(
        "HTTP 500",
        &run_lang("en", &args, &key),
        "reading the version: version: ",
    );
}
