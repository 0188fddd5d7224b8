//! `infobackup conformance PATH...`: runs conformance vectors (files, or folders searched
//! recursively for `*.json`) with the faithful profile of each vector's revision. One line per
//! vector, then `N passed, M failed`. `--profile P` replays every vector with P instead (e.g. a
//! `php:` profile: the scenario's own code). Exit 1 when a vector fails, 2 when one is malformed or a
//! replay cannot run. `--via http` runs the same replays through one mock Jeedom JSON-RPC API.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use infobackup::Lang;
use infobackup::conformance::{self, VectorResult, Verdict};
use infobackup::redact::redact_in;
use infobackup::via::{Via, ViaKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per vector, the first difference shown with a caret.
    Text,
    /// JSON Lines: one `{"type":"vector",…}` per vector, then `{"type":"summary",…}`.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Vector files, or folders to search recursively for `*.json`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Replay in process, or through the JSON-RPC client against one mock Jeedom (each vector
    /// served in its own Jeedom version's dialect).
    #[arg(long, value_enum, default_value_t = super::ViaArg::Memory)]
    via: super::ViaArg,
    /// Replay every vector with this profile instead of its own revision's (a built-in name, a
    /// profile TOML file, or php:PATH for a scenario template or code block).
    #[arg(long, value_name = "P", value_parser = super::profile_value())]
    profile: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = super::lang();
    let found = conformance::find(&args.paths)?;
    for (link, back_to) in &found.loops {
        match (back_to, lang) {
            (Some(dir), Lang::Fr) => eprintln!(
                "infobackup: attention : {} : non suivi, un lien symbolique qui ramène dans {} (une boucle)",
                link.display(),
                dir.display()
            ),
            (Some(dir), Lang::En) => eprintln!(
                "infobackup: warning: {}: not followed, a symbolic link back into {} (a loop)",
                link.display(),
                dir.display()
            ),
            (None, Lang::Fr) => eprintln!(
                "infobackup: attention : {} : non suivi, une boucle de liens symboliques",
                link.display()
            ),
            (None, Lang::En) => eprintln!(
                "infobackup: warning: {}: not followed, a loop of symbolic links",
                link.display()
            ),
        }
    }
    let files = found.files;
    if files.is_empty() {
        match lang {
            Lang::Fr => anyhow::bail!("aucun vecteur *.json trouvé dans {}", list(&args.paths)),
            Lang::En => anyhow::bail!("no *.json vector found in {}", list(&args.paths)),
        }
    }
    // Read every vector first: a malformed one stops the run before any verdict is printed.
    let mut vectors = Vec::with_capacity(files.len());
    for f in &files {
        vectors.push((f.clone(), conformance::load(f)?));
    }
    let config = match &args.profile {
        Some(p) => Some(infobackup::report::run::standalone_config(p).with_context(|| format!("--profile {p}"))?),
        None => None,
    };
    let mock = ViaKind::from(args.via).start_mock().context(lang.pick(
        "démarrage de l'API JSON-RPC Jeedom simulée",
        "starting the mock Jeedom JSON-RPC API",
    ))?;
    let via = Via::new(mock.as_ref());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if (args.format, via.kind()) == (Format::Text, ViaKind::Http) {
        writeln!(out, "via{} {}", lang.pick(" :", ":"), via.describe_in(lang))?;
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for (file, vector) in vectors {
        let verdict = match &config {
            Some(c) => conformance::check_via_with(&vector, &via, c),
            None => conformance::check_via(&vector, &via),
        }
        .with_context(|| match lang {
            Lang::Fr => format!("{} : le rejeu a échoué", file.display()),
            Lang::En => format!("{}: the replay failed", file.display()),
        })?;
        let result = VectorResult {
            file: file.clone(),
            name: vector.name,
            code: vector.code,
            steps: vector.expect.len(),
            verdict,
        };
        if result.passed() {
            passed += 1;
        } else {
            failed += 1;
        }
        match args.format {
            Format::Text => write_text(&mut out, &result, lang)?,
            Format::Json => {
                let mut line = serde_json::Map::new();
                line.insert("type".into(), "vector".into());
                if let serde_json::Value::Object(fields) = serde_json::to_value(&result)? {
                    line.extend(fields);
                }
                writeln!(out, "{}", redact_in(&serde_json::to_string(&line)?, lang))?;
            }
        }
    }
    match args.format {
        Format::Text => match lang {
            Lang::Fr => writeln!(
                out,
                "{}, {}",
                lang.count(passed, ["réussi", "réussis"], ["", ""]),
                lang.count(failed, ["échoué", "échoués"], ["", ""])
            )?,
            Lang::En => writeln!(out, "{passed} passed, {failed} failed")?,
        },
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::json!({"type": "summary", "passed": passed, "failed": failed, "via": via.kind().as_str()})
        )?,
    }
    out.flush()?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_text(out: &mut impl Write, r: &VectorResult, lang: Lang) -> std::io::Result<()> {
    match &r.verdict {
        Verdict::Pass => writeln!(out, "{}  {}", lang.pick("ok   ", "pass"), r.file.display()),
        Verdict::Fail { difference } => {
            writeln!(
                out,
                "{}  {}{}{}",
                lang.pick("ÉCHEC", "FAIL"),
                r.file.display(),
                lang.pick(" : ", ": "),
                redact_in(&difference.headline_in(lang), lang)
            )?;
            for line in redact_in(&difference.detail_in(lang), lang).lines() {
                writeln!(out, "      {line}")?;
            }
            Ok(())
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
