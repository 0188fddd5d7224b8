//! `infobackup parse FILE|- [--format text|json|summary]`: shows what was understood of a
//! backup log. `text` is for a person, `json` is the documented contract of
//! [`infobackup::log`], `summary` streams (constant memory, for huge logs) and prints counts.
//! Every output passes through [`infobackup::redact`].

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use infobackup::Lang;
use infobackup::log::{self, Encoding, LogItemRef, RunEnd, TextInfo};
use infobackup::redact::redact_in;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each run with its steps, uploads, logger lines and end, for a person.
    Text,
    /// The model as JSON (see the `log` module documentation for the contract).
    Json,
    /// Counts only, streaming the file with constant memory (for very large logs).
    Summary,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The log to read (`log/backup`, `log/update`, `log/cron_execution`, a forum paste), or `-`
    /// for standard input.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The run's language: the global `--lang`, or the locale's.
    #[arg(skip)]
    pub lang: Lang,
}

fn is_stdin(args: &Args) -> bool {
    args.file.as_os_str() == "-"
}

/// A missing file worded as every command words it; any other failure with its reason.
fn missing_or(e: std::io::Error, path: &std::path::Path) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        anyhow::anyhow!(
            "{}{}",
            path.display(),
            super::lang().pick(" : fichier ou dossier introuvable", ": no such file or folder")
        )
    } else {
        anyhow::Error::new(e).context(format!(
            "{} {}",
            super::lang().pick("impossible de lire le fichier de log", "cannot read the log file"),
            path.display()
        ))
    }
}

fn read_all(args: &Args) -> anyhow::Result<Vec<u8>> {
    if is_stdin(args) {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context(super::lang().pick(
                "impossible de lire le log sur l'entrée standard",
                "cannot read the log from standard input",
            ))?;
        Ok(buf)
    } else {
        std::fs::read(&args.file).map_err(|e| missing_or(e, &args.file))
    }
}

/// The name errors give the input: the file's name, or `stdin`, as `diagnose` says it.
fn input_name(args: &Args) -> String {
    if is_stdin(args) {
        return "stdin".to_owned();
    }
    args.file
        .file_name()
        .map_or_else(|| args.file.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// `diagnose`'s rule: an empty text, or one where nothing is a backup line nor a logger line, is
/// not a Jeedom log (exit 2). A log of logger lines alone is one (`parse` shows them).
fn refuse_non_log(args: &Args, runs: u64, logger_lines: u64, anything_else: bool, lines: u32) -> anyhow::Result<()> {
    use infobackup::report::diagnose::DiagnoseError;
    if runs > 0 || logger_lines > 0 {
        return Ok(());
    }
    let name = input_name(args);
    Err(if anything_else {
        DiagnoseError::NotALog { name, lines }
    } else {
        DiagnoseError::Empty { name }
    }
    .into())
}

/// `diagnose`'s rule for binary data, from the counts of a streamed input (`--format summary`).
fn refuse_binary(args: &Args, control_bytes: u64, bytes: u64) -> anyhow::Result<()> {
    if !log::looks_binary(control_bytes, bytes) {
        return Ok(());
    }
    Err(infobackup::report::diagnose::DiagnoseError::Binary {
        name: input_name(args),
        control_bytes,
        bytes,
    }
    .into())
}

/// The whole input, binary data refused before it is read as a log.
fn read_text(args: &Args) -> anyhow::Result<Vec<u8>> {
    let bytes = read_all(args)?;
    infobackup::report::diagnose::refuse_binary(&input_name(args), &bytes)?;
    Ok(bytes)
}

/// [`refuse_non_log`] on a whole model.
fn refuse_non_log_model(args: &Args, model: &log::LogModel) -> anyhow::Result<()> {
    let logger = model.all_logger_lines().len() as u64;
    refuse_non_log(
        args,
        model.runs.len() as u64,
        logger,
        !model.unknown.is_empty(),
        model.line_count,
    )
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = match args.format {
        Format::Summary => summary(&args)?,
        Format::Text => {
            let Held {
                bytes,
                model,
                reversed,
                repeats,
            } = held(read_text(&args)?);
            refuse_non_log_model(&args, &model)?;
            let mut text = String::new();
            if repeats > 0 {
                text.push_str(&match args.lang {
                    Lang::Fr => format!(
                        "{} collée{} une seconde fois à l'identique : laissée{} de côté ; les numéros de ligne ci-dessous sont ceux du texte sans {}.\n\n",
                        Lang::Fr.count(repeats, ["sauvegarde", "sauvegardes"], ["", ""]),
                        if repeats > 1 { "s" } else { "" },
                        if repeats > 1 { "s" } else { "" },
                        if repeats > 1 { "elles" } else { "elle" }
                    ),
                    Lang::En => format!(
                        "{} pasted a second time, byte for byte: left out; the line numbers below are those of the text without {}.\n\n",
                        Lang::En.count(repeats, ["", ""], ["run", "runs"]),
                        if repeats > 1 { "them" } else { "it" }
                    ),
                });
            }
            if reversed {
                text.push_str(args.lang.pick(
                    "Lignes collées dans l'ordre inverse (la plus récente en premier) : remises dans l'ordre ; les numéros de ligne ci-dessous sont ceux du texte remis dans cet ordre.\n\n",
                    "Lines pasted in reverse order (newest first): put back in order; the line numbers below are those of the text put back in that order.\n\n",
                ));
            }
            text.push_str(&log::render::render_text(&model, &bytes, args.lang));
            // The log is untrusted: none of its control characters reaches the terminal.
            infobackup::report::diagnose::text::terminal_safe(&text, false)
        }
        Format::Json => {
            let Held {
                model,
                reversed,
                repeats,
                ..
            } = held(read_text(&args)?);
            refuse_non_log_model(&args, &model)?;
            let mut json = serde_json::to_string_pretty(&model).context(args.lang.pick(
                "impossible d'encoder le modèle en JSON",
                "cannot encode the model as JSON",
            ))?;
            if reversed && let Some(rest) = json.strip_prefix('{') {
                // Only then (first key), so the JSON of a log in Jeedom's order is unchanged.
                json = format!("{{\n  \"lines_reversed\": true,{rest}");
            }
            if repeats > 0
                && let Some(rest) = json.strip_prefix('{')
            {
                json = format!("{{\n  \"repeated_runs_left_out\": {repeats},{rest}");
            }
            json.push('\n');
            redact_in(&json, args.lang)
        }
    };
    let mut stdout = std::io::stdout().lock();
    let cannot = args.lang.pick(
        "impossible d'écrire sur la sortie standard",
        "cannot write to standard output",
    );
    stdout.write_all(out.as_bytes()).context(cannot)?;
    stdout.flush().context(cannot)?;
    Ok(ExitCode::SUCCESS)
}

/// The text as `diagnose` reads it, and its model: a paste whose lines are in reverse order put
/// back in order (`reversed`, see [`log::lines_in_order`]), runs pasted twice held once
/// (`repeats` left out, see [`log::without_repeated_runs`]). Line numbers are those of the text
/// so held. Parsed once unless a run repeats.
struct Held {
    bytes: Vec<u8>,
    model: log::LogModel,
    reversed: bool,
    repeats: usize,
}

fn held(bytes: Vec<u8>) -> Held {
    let (bytes, reversed) = match log::lines_in_order(&bytes) {
        Some(ordered) => (ordered, true),
        None => (bytes, false),
    };
    let model = log::parse(&bytes);
    match log::without_repeated_runs_of(&bytes, &model) {
        Some((once, repeats)) => Held {
            model: log::parse(&once),
            bytes: once,
            reversed,
            repeats,
        },
        None => Held {
            bytes,
            model,
            reversed,
            repeats: 0,
        },
    }
}

/// A reader that counts the control bytes ([`log::is_control_byte`]) passing through it, for the
/// binary-data rule of a streamed input.
struct ControlBytes<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for ControlBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += log::count_control_bytes(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Streams the input and counts; memory stays constant whatever the size.
fn summary(args: &Args) -> anyhow::Result<String> {
    let reader: Box<dyn Read> = if is_stdin(args) {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.file).map_err(|e| missing_or(e, &args.file))?;
        Box::new(file)
    };
    let mut input = ControlBytes {
        inner: reader,
        count: 0,
    };
    let mut c = Counts::default();
    let mut items = log::RunReader::new(&mut input);
    items.for_each_ref(|item| c.add(item)).with_context(|| {
        format!(
            "{} {}",
            args.lang
                .pick("impossible de lire le fichier de log", "cannot read the log file"),
            args.file.display()
        )
    })?;
    let info = items.text_info().cloned();
    drop(items);
    let logger = c.loose_logger_lines + c.logger_lines;
    if let Some(info) = &info {
        refuse_binary(args, input.count, info.byte_count)?;
    }
    refuse_non_log(
        args,
        c.runs,
        logger,
        c.unknown > 0,
        info.as_ref().map_or(0, |i| i.line_count),
    )?;
    Ok(info.map(|info| c.render(&info, args.lang)).unwrap_or_default())
}

#[derive(Debug, Default)]
struct Counts {
    runs: u64,
    success: u64,
    failed: u64,
    unterminated: u64,
    cut_at_start: u64,
    steps: u64,
    uploads: u64,
    upload_failures: u64,
    logger_lines: u64,
    logger_errors: u64,
    loose_logger_lines: u64,
    unknown: u64,
}

impl Counts {
    fn add(&mut self, item: LogItemRef<'_>) {
        match item {
            LogItemRef::Run(r) => {
                self.runs += 1;
                match r.end {
                    RunEnd::Success { .. } => self.success += 1,
                    RunEnd::Failed { .. } => self.failed += 1,
                    RunEnd::Unterminated => self.unterminated += 1,
                }
                self.cut_at_start += u64::from(r.cut_at_start());
                self.steps += r.steps.len() as u64;
                self.uploads += r.uploads.len() as u64;
                self.upload_failures += r
                    .uploads
                    .iter()
                    .filter(|u| matches!(u.outcome, log::UploadOutcome::Failed { .. }))
                    .count() as u64;
                self.logger_lines += r.logger_lines.len() as u64;
                self.logger_errors += r.errors().count() as u64;
            }
            LogItemRef::LooseLogger(l) => {
                self.loose_logger_lines += 1;
                self.logger_errors += u64::from(l.level.is_error());
            }
            LogItemRef::Unknown(_) => self.unknown += 1,
        }
    }

    fn render(&self, info: &TextInfo, lang: Lang) -> String {
        let yes_no = |b: bool| {
            if b {
                lang.pick("oui", "yes")
            } else {
                lang.pick("non", "no")
            }
        };
        let Counts {
            runs,
            success,
            failed,
            unterminated,
            cut_at_start,
            steps,
            uploads,
            upload_failures,
            logger_lines,
            loose_logger_lines,
            logger_errors,
            unknown,
        } = self;
        let lines = lang.count(info.line_count as usize, ["ligne", "lignes"], ["line", "lines"]);
        let bytes = lang.count(info.byte_count as usize, ["octet", "octets"], ["byte", "bytes"]);
        let encoding = match info.encoding {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => lang.pick("UTF-8 avec BOM", "UTF-8 with BOM"),
            Encoding::Windows1252 => "Latin-1/Windows-1252",
        };
        let (reflowed, quoted, nul) = (yes_no(info.reflowed), yes_no(info.quoted), info.nul_bytes);
        match lang {
            Lang::Fr => format!(
                "sauvegardes : {runs} (réussies {success}, échouées {failed}, inachevées {unterminated}, coupées au début {cut_at_start})\n\
                 étapes : {steps}, envois : {uploads} (échoués {upload_failures})\n\
                 lignes du journal : {logger_lines} dans les sauvegardes, {loose_logger_lines} hors des sauvegardes, {logger_errors} au niveau ERROR ou plus\n\
                 morceaux inconnus : {unknown}\n\
                 texte : {lines}, {bytes}, encodage {encoding}, remis en forme : {reflowed}, cité : {quoted}, octets NUL : {nul}\n"
            ),
            Lang::En => format!(
                "runs: {runs} (success {success}, failed {failed}, unterminated {unterminated}, cut at start {cut_at_start})\n\
                 steps: {steps}, uploads: {uploads} (failed {upload_failures})\n\
                 logger lines: {logger_lines} in runs, {loose_logger_lines} outside, {logger_errors} at ERROR or above\n\
                 unknown pieces: {unknown}\n\
                 text: {lines}, {bytes}, encoding {encoding}, reflowed {reflowed}, quoted {quoted}, NUL bytes {nul}\n"
            ),
        }
    }
}
