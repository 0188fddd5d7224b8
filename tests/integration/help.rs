//! `--help`, `-h` and `help <cmd>` in the run's language: all French in a French run (`--lang fr`
//! or a French locale), clap's own English text in an English one.

use crate::support::{infobackup, infobackup_en};

/// What the binary prints on stdout (with its exit code) for `args`, under `LC_ALL=locale`.
fn help(locale: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = infobackup().env("LC_ALL", locale).args(args).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The subcommands the English help lists (clap's `help` included), so a new one is tested too.
fn subcommands() -> Vec<String> {
    let (_, text) = help("C", &["--help"]);
    let listed = text.split("Commands:\n").nth(1).expect("a Commands section");
    let names: Vec<String> = listed
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(names.len() >= 8 && names.iter().any(|n| n == "diagnose"), "{names:?}");
    names
}

/// Every way to ask for help: the root's, and each subcommand's by `--help`, `-h` and `help`.
fn invocations() -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = ["--help", "-h", "help"].iter().map(|a| vec![(*a).to_owned()]).collect();
    for sub in subcommands() {
        if sub != "help" {
            all.push(vec![sub.clone(), "--help".into()]);
            all.push(vec![sub.clone(), "-h".into()]);
        }
        all.push(vec!["help".into(), sub]);
    }
    all
}

/// The English help's phrases: each line cut at punctuation, the pieces of three words or more
/// (not counting `--options` and `<VALUES>`) that are not code (no backquote): none may be left
/// in a French help.
fn english_phrases(text: &str) -> Vec<String> {
    text.lines()
        .flat_map(|l| l.split(['.', ':', ';', '(', ')', '[', ']', ',']))
        .map(str::trim)
        .filter(|p| {
            let words = p.split_whitespace().filter(|w| w.starts_with(char::is_alphabetic));
            words.count() >= 3 && !p.contains('`')
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn french_help_says_everything_in_french_with_the_english_layout() {
    for args in invocations() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code_en, english) = help("C", &args);
        assert_eq!(code_en, Some(0), "{args:?}");
        let phrases = english_phrases(&english);
        assert!(phrases.len() >= 2, "{args:?}: {english}");
        let by_flag = [&["--lang", "fr"][..], &args].concat();
        for (how, french) in [
            ("--lang fr", help("C", &by_flag)),
            ("locale", help("fr_FR.UTF-8", &args)),
        ] {
            let what = format!("{args:?} ({how})");
            let (code, french) = french;
            assert_eq!(code, Some(0), "{what}");
            for p in &phrases {
                assert!(!french.contains(p.as_str()), "{what}: English {p:?} in\n{french}");
            }
            for english_only in [
                "Usage:",
                "Commands:",
                "Arguments:",
                "Options:",
                "[default:",
                "[possible values:",
                "Possible values:",
                "Print help",
                "Print version",
                // Placeholders are French too.
                "<COMMAND>",
                "<FILE>",
                "[DIR]",
                "<BYTES>",
                "<WHEN>",
                "LOG_OR_CASE",
            ] {
                assert!(!french.contains(english_only), "{what}: {english_only:?} in\n{french}");
            }
            assert!(french.contains("\nUsage : "), "{what}: {french}");
            // The same sections, options and lines as the English help, in the same order.
            for (en, fr) in [
                ("Commands:", "Commandes :"),
                ("Arguments:", "Arguments :"),
                ("Options:", "Options :"),
                ("[default:", "[par défaut :"),
                ("[possible values:", "[valeurs possibles :"),
                ("Possible values:", "Valeurs possibles :"),
            ] {
                assert_eq!(
                    english.matches(en).count(),
                    french.matches(fr).count(),
                    "{what}: {en}\n{french}"
                );
            }
            // The argument column (`  -h, --help`, `      --log <LOG>`, `  [DIR]`): the same
            // options in the same order (placeholders are French: `[DOSSIER]`).
            let flags = |t: &str| -> Vec<String> {
                t.lines()
                    .filter(|l| l.len() - l.trim_start().len() <= 6)
                    .map(str::trim_start)
                    .filter(|l| l.starts_with(['-', '<', '[']))
                    .map(|l| {
                        let column = l.split("  ").next().unwrap_or(l);
                        let names: Vec<&str> = column.split_whitespace().filter(|w| w.starts_with('-')).collect();
                        if names.is_empty() {
                            "(argument)".to_owned()
                        } else {
                            names.join(" ")
                        }
                    })
                    .collect()
            };
            assert_eq!(flags(&english), flags(&french), "{what}");
            // `--help` lays each argument out on its own lines: line for line the English one. (`-h`
            // may not: clap moves the help under the arguments when their column is wider.)
            if !args.contains(&"-h") {
                assert_eq!(
                    english.lines().count(),
                    french.lines().count(),
                    "{what}:\n{english}\n{french}"
                );
            }
        }
    }
}

#[test]
fn french_help_is_short_for_h_and_lists_described_values_for_help() {
    let (_, short) = help("fr_FR.UTF-8", &["diagnose", "-h"]);
    assert!(
        short.contains("Format de sortie [par défaut : text] [valeurs possibles : text, json, html, markdown]"),
        "{short}"
    );
    assert!(
        short.contains("Afficher l'aide (tous les détails avec « --help »)"),
        "{short}"
    );
    let (_, long) = help("fr_FR.UTF-8", &["diagnose", "--help"]);
    assert!(long.contains("Valeurs possibles :\n"), "{long}");
    assert!(long.contains("- markdown : Du Markdown à coller"), "{long}");
    assert!(long.contains("Afficher l'aide (un résumé avec « -h »)"), "{long}");
    // The root has no long help: `-h` and `--help` are the same, as in English.
    assert_eq!(help("fr_FR.UTF-8", &["-h"]), help("fr_FR.UTF-8", &["--help"]));
    assert_eq!(help("C", &["-h"]), help("C", &["--help"]));
}

#[test]
fn english_help_is_clap_s_own_whatever_the_locale() {
    for args in [
        &["--help"][..],
        &["diagnose", "--help"],
        &["help", "check"],
        &["record", "-h"],
    ] {
        let by_flag = [&["--lang", "en"][..], args].concat();
        let (code, english) = help("fr_FR.UTF-8", &by_flag);
        assert_eq!(code, Some(0));
        // The one difference: `--lang`'s default is the locale's.
        let english = english.replace("[default: fr]", "[default: en]");
        assert_eq!(english, help("C", args).1, "{args:?}");
        assert!(
            english.contains("\nUsage: infobackup") && english.contains("Print help"),
            "{english}"
        );
        assert!(!english.contains("Usage :") && !english.contains('«'), "{english}");
    }
    let out = infobackup_en().arg("--version").output().unwrap();
    let french = infobackup().arg("--version").output().unwrap();
    assert_eq!(out.stdout, french.stdout, "--version is the same in both");
}

#[test]
fn french_help_still_reads_the_command_line_as_before() {
    // A bare `infobackup` (clap shows the help as an error): the French mistake, with its usage.
    let out = infobackup().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("infobackup: erreur : il manque la commande"), "{err}");
    assert!(err.contains("\nUsage : infobackup [OPTIONS] <COMMANDE>\n"), "{err}");
    // A bad value: clap's possible values, said in French.
    let out = infobackup().args(["check", "--via", "pigeon"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("valeur invalide « pigeon » pour --via <VIA> (valeurs possibles : memory, http)"),
        "{err}"
    );
}
