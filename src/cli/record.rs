//! `infobackup record LOG --name NAME [--scenarios DIR]`: turns a user's log into a new recorded
//! case, `DIR/NAME/` with the anonymised log (`backup.log`, or `update.log` /
//! `cron_execution.log` with `--log`, every byte but the personal values
//! kept) and an inferred manifest (`case.toml`, the inferred facts listed in comments). The
//! folder is built under a temporary name next to its target, checked (it must load and replay
//! with every profile), then renamed into place; an existing case is never touched. Exit 0 when
//! recorded, 2 otherwise (nothing is written).

use infobackup::world::LogBytes;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use infobackup::Lang;
use infobackup::case::{self, Case, CaseError, MANIFEST, Overrides};
use infobackup::engine::{Profile, ProfileConfig};
use infobackup::log;
use infobackup::redact::{Category, anonymize};
use infobackup::report::diagnose;
use infobackup::report::{record, run};

use super::atomic::{self, Moved};
use super::diagnose::{Input, LogArg, read_input};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The user's log (a file, or `-` for standard input).
    #[arg(value_name = "LOG")]
    log: PathBuf,
    /// The new case's folder name: kebab-case, starting with the Jeedom generation, saying the
    /// situation (e.g. `4.4-samba-auth-failure`).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// The folder of recorded cases.
    #[arg(long, value_name = "DIR", default_value = "scenarios")]
    scenarios: PathBuf,
    /// Which Jeedom log the text is: backup, update, cron_execution, or auto (update when the
    /// text has a core update's banner, otherwise backup). The case stores it as `<log>.log`
    /// and its manifest names it.
    #[arg(long = "log", value_enum, value_name = "LOG", default_value_t = LogArg::Auto)]
    log_kind: LogArg,
    /// The run's language: the global `--lang`, or the locale's.
    #[arg(skip)]
    pub(crate) lang: Lang,
}

/// Why a case name is refused, or `None` when it is fine. The corpus names its cases
/// `<generation>-<situation>`, lower-case ASCII, digits, `-` and `.`.
pub fn name_problem(name: &str, lang: Lang) -> Option<&'static str> {
    const GENERATIONS: [&str; 4] = ["4.2-", "4.3-", "4.4-", "4.5-"];
    if name.is_empty() || name.len() > 80 {
        return Some(lang.pick(
            "il doit faire de 1 à 80 caractères",
            "it must be 1 to 80 characters long",
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Some(lang.pick(
            "il ne peut contenir que des minuscules a-z, des chiffres, `-` et `.` (kebab-case)",
            "it may only hold lower-case letters a-z, digits, `-` and `.` (kebab-case)",
        ));
    }
    if !GENERATIONS.iter().any(|g| name.starts_with(g)) || name.len() <= 4 {
        return Some(lang.pick(
            "il doit commencer par la génération de Jeedom, 4.2- à 4.5-, puis dire la situation",
            "it must start with the Jeedom generation, 4.2- to 4.5-, and then say the situation",
        ));
    }
    if name.ends_with('-') || name.ends_with('.') || name.contains("--") || name.contains("..") {
        return Some(lang.pick(
            "il ne doit ni finir par `-` ou `.`, ni contenir `--` ou `..`",
            "it must not end with `-` or `.`, nor hold `--` or `..`",
        ));
    }
    None
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Read first: the name's error can then suggest the log's generation.
    let (bytes, source_name) = read_log(&args)?;
    // Before anything reads it as a log (a program holds the markers as strings).
    diagnose::refuse_binary(&source_name, &bytes)?;
    let model = log::parse(&bytes);
    check_name(&args, model.runs.iter().rev().find_map(|r| r.generation.latest()))?;
    let target = new_case_folder(&args)?;
    let log_name = args.log_kind.log_name(&bytes);
    // The case's file for that log (`backup.log`, `update.log`, `cron_execution.log`).
    let log_file = format!("{}.log", log_name.as_str());
    let log_file = log_file.as_str();
    diagnose::check_input(
        &source_name,
        &Case::from_log(&args.name, log_name, &source_name, LogBytes::copy_from_slice(&bytes)),
    )?;

    // Anonymise, then infer everything from the anonymised text (the manifest must describe the
    // file it sits next to).
    let anon = anonymize(&bytes);
    let case = Case::from_log(&args.name, log_name, log_file, LogBytes::copy_from_slice(&anon.bytes));
    let resolved = infer(&case, &source_name, args.lang)?;
    let anon_model = log::parse(&anon.bytes);
    let manifest = record::manifest_text(
        &case,
        &resolved,
        &anon_model,
        &source_name,
        &anon.replaced,
        log_name,
        log_file,
    );
    write_case(&target, &[(log_file, &anon.bytes), (MANIFEST, manifest.as_bytes())])?;
    let out = summary(
        &args,
        &target,
        log_file,
        model.line_count,
        resolved.runs.len(),
        &anon.replaced,
    );
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())?;
    lock.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The log to record and the name its lines are cited with (`stdin`, or the file's name).
fn read_log(args: &Args) -> anyhow::Result<(Vec<u8>, String)> {
    // Read first: the name's error can then suggest the log's generation.
    Ok(match read_input(&args.log, args.lang)? {
        Input::Stdin(b) => (b, "stdin".to_owned()),
        Input::File { path, bytes } => (
            bytes,
            path.file_name()
                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned()),
        ),
        Input::Folder(p) => match args.lang {
            Lang::Fr => bail!(
                "{} est un dossier : `record` prend un fichier de log (ou `-`)",
                p.display()
            ),
            Lang::En => bail!("{} is a folder: `record` takes a log file (or `-`)", p.display()),
        },
    })
}

/// Refuses a `--name` that does not say the Jeedom generation and the situation, with an example
/// built on the log's `generation`.
fn check_name(args: &Args, generation: Option<infobackup::world::JeedomVersion>) -> anyhow::Result<()> {
    if let Some(why) = name_problem(&args.name, args.lang) {
        // The log's generation when a name may start with it (4.2 … 4.5); an older box's case
        // is named after the oldest generation a name may carry.
        let example = match generation.map(|g| g.to_string()) {
            Some(g) if ["4.2", "4.3", "4.4", "4.5"].contains(&g.as_str()) => g,
            Some(_) => "4.2".to_owned(),
            None => "4.4".to_owned(),
        };
        match args.lang {
            Lang::Fr => bail!(
                "--name « {} » n'est pas un nom de cas valide : {why} (par exemple {example}-samba-auth-failure)",
                args.name
            ),
            Lang::En => bail!(
                "--name \"{}\" is not a valid case name: {why} (for example {example}-samba-auth-failure)",
                args.name
            ),
        }
    }
    Ok(())
}

/// The new case's folder under `--scenarios`: refused when it exists (a case is never
/// overwritten) or when there is no folder of cases there.
fn new_case_folder(args: &Args) -> anyhow::Result<PathBuf> {
    let scenarios = super::default_scenarios(args.scenarios.clone());
    if !scenarios.is_dir() {
        match args.lang {
            Lang::Fr => bail!(
                "{} : pas de dossier de cas enregistrés à cet endroit (lancez la commande depuis la racine du projet, \
                 où est scenarios/, ou donnez --scenarios DOSSIER)",
                scenarios.display()
            ),
            Lang::En => bail!(
                "{}: no such folder of recorded cases (run from the project root, where scenarios/ is, or give \
                 --scenarios DIR)",
                scenarios.display()
            ),
        }
    }
    let target = scenarios.join(&args.name);
    if target.exists() {
        return Err(case_exists(&target, args.lang));
    }
    Ok(target)
}

/// The inference stage, with the times the log cannot give filled in (written as `[[step]]`
/// entries) and strict's watchdog ticks (suggested in comments).
fn infer(case: &Case, source_name: &str, lang: Lang) -> anyhow::Result<case::Resolved> {
    let inference = case::Options {
        fill_missing: true,
        watchdog: Some(case::Watchdog {
            timeout_s: ProfileConfig::builtin(Profile::Strict).watchdog_timeout_s,
            now: None,
        }),
        ..case::Options::default()
    };
    Ok(match case.infer(&inference) {
        Ok(r) => r,
        // The generic advice ("record it as a case") is what just failed.
        Err(CaseError::Untimed { .. }) => match lang {
            Lang::Fr => bail!(
                "{source_name} : aucune sauvegarde de ce log ne peut être datée : le début de chacune a été coupé et \
                 aucune de ses lignes ne porte de date ni de nom d'archive. Collez le log à partir de sa ligne \
                 `Start of Jeedom backup at …`, ou écrivez le cas à la main avec les heures de ses déclenchements \
                 dans des entrées [[step]] (voir scenarios/README.md)"
            ),
            Lang::En => bail!(
                "{source_name}: no backup run of this log can be timed: the start of each was cut off and none of \
                 its lines carries a date or an archive name. Paste the log from its `Start of Jeedom backup at …` \
                 line, or write the case by hand with the times of its triggers in [[step]] entries (see \
                 scenarios/README.md)"
            ),
        },
        Err(e) => {
            return Err(e).with_context(|| match lang {
                Lang::Fr => format!("{source_name} : le log ne peut pas être rejoué"),
                Lang::En => format!("{source_name}: the log cannot be replayed"),
            });
        }
    })
}

/// The refusal to record over an existing case.
fn case_exists(target: &Path, lang: Lang) -> anyhow::Error {
    match lang {
        Lang::Fr => anyhow::anyhow!(
            "{} existe déjà : un cas enregistré n'est jamais écrasé ; choisissez un autre --name",
            target.display()
        ),
        Lang::En => anyhow::anyhow!(
            "{} already exists: a recorded case is never overwritten; choose another --name",
            target.display()
        ),
    }
}

/// Writes the case's `files` into a folder built next to `target`, checks it loads, then moves
/// it into place (never over an existing folder); on any failure nothing is left behind.
fn write_case(target: &Path, files: &[(&str, &[u8])]) -> anyhow::Result<()> {
    // A failure to make the temporary folder is said with the target's name: the temporary one
    // means nothing to the user.
    let tmp = atomic::temp_folder(target).with_context(|| {
        format!(
            "{} {}",
            super::lang().pick("impossible de créer", "cannot create"),
            target.display()
        )
    })?;
    let built = (|| -> anyhow::Result<()> {
        for (name, bytes) in files {
            write_new(&tmp.join(name), bytes)?;
        }
        check_case(&tmp)?;
        match atomic::rename_noreplace(&tmp, target).with_context(|| {
            format!(
                "{} {}",
                super::lang().pick("impossible de créer", "cannot create"),
                target.display()
            )
        })? {
            Moved::Done => Ok(()),
            // Made by someone else since the check above.
            Moved::Exists => Err(case_exists(target, super::lang())),
        }
    })();
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(())
}

/// What `record` says it did, and the commands that accept the case's first snapshots.
fn summary(
    args: &Args,
    target: &Path,
    log_file: &str,
    lines: u32,
    runs: usize,
    replaced: &std::collections::BTreeMap<Category, usize>,
) -> String {
    let fr = args.lang == Lang::Fr;
    let mut out = String::new();
    let replaced: Vec<String> = Category::ALL
        .iter()
        .filter_map(|c| {
            replaced
                .get(c)
                .map(|n| format!("{n} {}", record::category_words(*c, *n, args.lang)))
        })
        .collect();
    let anon_words = if replaced.is_empty() {
        args.lang.pick("rien à anonymiser", "nothing to anonymise").to_owned()
    } else {
        replaced.join(", ")
    };
    if fr {
        let _ = writeln!(
            out,
            "Cas enregistré : {}/ ({log_file} : {}, {} ; anonymisé : {anon_words}).",
            target.display(),
            Lang::Fr.count(lines as usize, ["ligne", "lignes"], ["", ""]),
            Lang::Fr.count(runs, ["sauvegarde", "sauvegardes"], ["", ""]),
        );
        let _ = writeln!(
            out,
            "Relisez le log anonymisé et {MANIFEST}, puis acceptez les premiers instantanés du cas :"
        );
    } else {
        let _ = writeln!(
            out,
            "Recorded case: {}/ ({log_file}: {}, {}; anonymised: {anon_words}).",
            target.display(),
            Lang::En.count(lines as usize, ["", ""], ["line", "lines"]),
            Lang::En.count(runs, ["", ""], ["run", "runs"]),
        );
        let _ = writeln!(
            out,
            "Review the anonymised log and {MANIFEST}, then accept the case's first snapshots:"
        );
    }
    let _ = writeln!(
        out,
        "  cargo test --test cases -- {}@   # {} snapshots/cases/{}@<profile>.snap.new",
        args.name,
        args.lang.pick("écrit", "writes"),
        args.name
    );
    let _ = writeln!(
        out,
        "  cargo insta review                    # {}",
        args.lang.pick(
            "ou : INSTA_UPDATE=always cargo test --test cases, puis lisez les .snap",
            "or: INSTA_UPDATE=always cargo test --test cases, then read the .snap files"
        )
    );
    let _ = writeln!(
        out,
        "  cargo run --release -- check          # {}",
        args.lang.pick(
            "tout le corpus contre les instantanés acceptés",
            "the whole corpus against the accepted snapshots"
        )
    );
    out
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!(
                "{} {}",
                super::lang().pick("impossible de créer", "cannot create"),
                path.display()
            )
        })?;
    f.write_all(bytes).with_context(|| {
        format!(
            "{} {}",
            super::lang().pick("impossible d'écrire", "cannot write"),
            path.display()
        )
    })?;
    f.sync_all().with_context(|| {
        format!(
            "{} {}",
            super::lang().pick("impossible d'écrire", "cannot write"),
            path.display()
        )
    })?;
    Ok(())
}

/// The recorded folder must load and replay with every profile its manifest names.
fn check_case(dir: &Path) -> anyhow::Result<()> {
    let lang = super::lang();
    let case =
        Case::load(dir).context(lang.pick("le cas enregistré ne se charge pas", "the recorded case does not load"))?;
    let resolved = case.resolve(&Overrides::default()).context(lang.pick(
        "le cas enregistré ne se résout pas",
        "the recorded case does not resolve",
    ))?;
    for p in &resolved.profiles {
        run::replay(&resolved, p, &infobackup::via::Via::Memory).with_context(|| match lang {
            Lang::Fr => format!("le cas enregistré ne se rejoue pas avec {}", p.name()),
            Lang::En => format!("the recorded case does not replay with {}", p.name()),
        })?;
    }
    Ok(())
}
