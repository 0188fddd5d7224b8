//! The manifest `infobackup record` writes (`case.toml`), from the inference stage: a
//! description, the inferred facts as comments, and `[[step]]` entries for the trigger times a log
//! cannot give. Pure: the command line reads the log, anonymises it and writes the folder.

use std::fmt::Write as _;

use crate::Lang;
use crate::case::{self, Case, Origin, Resolved, Value};
use crate::log::LogModel;
use crate::redact::{Category, redact_text};
use crate::report::diagnose::words;
use crate::world::{LogName, format_at};

/// The words for `n` values of category `c` anonymisation replaced (`2 passwords`).
pub fn category_words(c: Category, n: usize, lang: Lang) -> String {
    let s = if n > 1 { "s" } else { "" };
    match (c, lang) {
        (Category::Password, Lang::Fr) => format!("mot{s} de passe"),
        (Category::User, Lang::Fr) => format!("nom{s} d'utilisateur"),
        (Category::ApiKey, Lang::Fr) => format!("clé{s} API"),
        (Category::Secret, Lang::Fr) => format!("secret{s}"),
        (Category::Ipv4, Lang::Fr) => format!("adresse{s} IPv4"),
        (Category::Ipv6, Lang::Fr) => format!("adresse{s} IPv6"),
        (Category::Host, Lang::Fr) => format!("nom{s} d'hôte"),
        (Category::BoxName, Lang::Fr) => format!("nom{s} de box"),
        (Category::Email, Lang::Fr) => format!("adresse{s} e-mail"),
        (c, Lang::En) => format!("{}{s}", c.name()),
    }
}

/// A TOML string (quoted and escaped).
pub fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Text for a `# …` comment line: a control character (a line break in a file name) is written
/// escaped (`\n`), so no text can end the comment and add keys to the manifest.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The manifest: a description, the inferred facts as comments, and the `[[step]]` entries for
/// trigger times the log cannot give, all from the inference stage.
pub fn manifest_text(
    case: &Case,
    resolved: &Resolved,
    model: &LogModel,
    source: &str,
    replaced: &std::collections::BTreeMap<Category, usize>,
    log_name: LogName,
    log_file: &str,
) -> String {
    let lang = Lang::En;
    let mut m = String::new();
    let anon: Vec<String> = replaced
        .iter()
        .map(|(c, n)| format!("{n} {}", category_words(*c, *n, lang)))
        .collect();
    let _ = writeln!(m, "# Recorded with `infobackup record` from {}.", comment(source));
    let _ = writeln!(
        m,
        "# {log_file} is the user's log with personal values replaced by placeholders ({}); every other byte is kept.",
        if anon.is_empty() {
            "none found".to_owned()
        } else {
            comment(&anon.join(", "))
        }
    );
    let _ = writeln!(
        m,
        "# Review it, make the description say the situation, and see scenarios/README.md for every key."
    );
    let runs = resolved.runs.len();
    let summaries: Vec<String> = resolved
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, info)| {
            let s = words::run_story(model.runs.get(info.index)?, lang);
            Some(if runs > 1 { format!("Run {}: {s}", i + 1) } else { s })
        })
        .collect();
    let description = format!(
        "Jeedom {}, recorded from a user's log ({} run{}). {}",
        resolved.timeline.jeedom,
        runs,
        if runs > 1 { "s" } else { "" },
        summaries.join(" ")
    );
    let _ = writeln!(m, "description = {}", toml_str(&description));
    let _ = writeln!(m);
    if log_name != LogName::Backup {
        // Named, so nobody takes it for log/backup (a case folder reads `backup.log` by default).
        let _ = writeln!(m, "# The user's text is Jeedom's log/{}.", log_name.as_str());
        let _ = writeln!(m, "[logs]");
        let _ = writeln!(m, "{} = {}", log_name.as_str(), toml_str(log_file));
        let _ = writeln!(m);
    }
    let _ = writeln!(
        m,
        "# What was inferred from the log or assumed (the snapshot lists them too). To pin one, set the"
    );
    let _ = writeln!(m, "# key its hint names:");
    // Run by run, then the rest. The times inference added are written as [[step]] entries
    // below (or left out: the strict watchdog's tick is the diagnosis' own).
    let fact_line = |f: &case::Fact| comment(&redact_text(words::fact_text(f, true, lang).trim_end()));
    for n in (1..=runs).filter_map(|n| u32::try_from(n).ok()) {
        for f in resolved
            .facts
            .iter()
            .filter(|f| resolved.run_of(f) == Some(n) && !matches!(f.origin, Origin::Added { .. }))
        {
            let _ = writeln!(m, "#   {}", fact_line(f));
        }
    }
    let common = resolved.facts.iter().filter(|f| resolved.run_of(f).is_none());
    for f in common.chain(case::resolve::share_from_log(case, resolved).as_ref()) {
        let _ = writeln!(m, "#   {}", fact_line(f));
    }
    for n in (1..=runs).filter_map(|n| u32::try_from(n).ok()) {
        let Some(tick) = resolved.watchdog_tick(n) else {
            continue;
        };
        let _ = writeln!(m);
        let _ = writeln!(
            m,
            "# Run {n}: Jeedom fired no end_backup. For the strict profile's watchdog to judge it, add a tick"
        );
        let _ = writeln!(
            m,
            "# (the published scenario treats it as an unknown trigger and shows an alert):"
        );
        let _ = writeln!(m, "# [[step]]");
        let _ = writeln!(m, "# trigger = \"schedule\"");
        let _ = writeln!(m, "# at = {}", toml_str(&format_at(tick)));
    }
    // The times the log cannot give.
    for s in &resolved.filled {
        let _ = writeln!(m);
        let _ = writeln!(m, "[[step]]");
        let _ = writeln!(m, "run = {}", s.run);
        let _ = writeln!(m, "trigger = {}", toml_str(s.trigger.as_str()));
        let why = s.value.text(lang);
        match s.value {
            Value::Time { at, .. } => {
                let _ = writeln!(m, "at = {}   # assumed: {}", toml_str(&format_at(at)), comment(&why));
            }
            _ => {
                let _ = writeln!(m, "skip = true   # {}", comment(&why));
            }
        }
    }
    m
}
