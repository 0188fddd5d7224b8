//! `infobackup scenario FILE`: reads a scenario template (`Info backup.json`) or a bare `.php`
//! code block and says what it is: its triggers, the tag → code block → event chain, `php -l`,
//! the minimum size, and which published revision the block is (with a diff against the
//! nearest one). Exit 0 = clean, 1 = findings, 2 = unreadable or not a scenario.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use infobackup::phprun;
use infobackup::redact::redact_in;
use infobackup::template::{self, lint};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report for people.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template (JSON) or the code block (`.php`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Folder of the author's published templates (`info-backup-v2024-08.json` …), for the text
    /// of the nearest revision in the diff [default: $INFOBACKUP_PUBLISHED].
    #[arg(long, value_name = "DIR")]
    published: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = super::lang();
    let loaded = template::load(&args.file)?;
    let code = match loaded.block() {
        Ok(b) => b.code.clone(),
        Err(e) if loaded.blocks.is_empty() => return Err(e.into()),
        Err(_) => loaded.blocks[0].code.clone(),
    };
    let syntax = match phprun::syntax_check(&code) {
        Ok(errors) if errors.is_empty() => lint::Syntax::Ok,
        Ok(errors) => lint::Syntax::Errors { errors },
        Err(e) => lint::Syntax::NotChecked {
            reason: infobackup::error_words::Worded::message(&e, lang),
        },
    };
    let published = args.published.clone().or_else(|| {
        std::env::var_os("INFOBACKUP_PUBLISHED")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(d) = &args.published
        && !d.is_dir()
    {
        anyhow::bail!(
            "--published {}{}",
            d.display(),
            lang.pick(" : dossier introuvable", ": no such folder")
        );
    }
    let report = lint::report(&loaded, syntax, published.as_deref(), lang)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Text => write!(out, "{}", redact_in(&lint::render_text(&report, lang), lang))?,
        Format::Json => {
            let mut v = serde_json::to_value(&report)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("exit_code".into(), report.exit_code().into());
            }
            writeln!(out, "{}", redact_in(&serde_json::to_string(&v)?, lang))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::from(report.exit_code()))
}
