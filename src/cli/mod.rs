//! Command-line front end: one file per subcommand, each with its `Args` and a `run` that returns
//! the exit code. Everything it prints goes through the library's views and reports.

use std::process::ExitCode;

use clap::builder::TypedValueParser as _;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use infobackup::Lang;
use infobackup::via::ViaKind;

mod atomic;
mod check;
mod clap_words;
mod conformance;
mod diagnose;
mod help_fr;
mod parse;
mod record;
mod scenario;
mod serve;

/// Scenario-simulation test harness for Jeedom's "Info backup" widget and scenario.
#[derive(Debug, Parser)]
#[command(name = "infobackup", version, about, max_term_width = 100)]
pub struct Cli {
    /// When to colour the output: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always, or never.
    #[arg(long, value_enum, global = true, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    /// The language of every message of the run, errors included: fr or en (default: the
    /// locale's: LC_ALL, LC_MESSAGES, LANG; fr* is French, anything else English).
    #[arg(long, value_parser = lang_value(), global = true, default_value_t = locale_lang())]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

/// `--color`: as ripgrep and cargo take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// `--lang fr|en`, read into the library's [`Lang`] (the library does not depend on clap).
pub fn lang_value() -> impl clap::builder::TypedValueParser<Value = Lang> {
    clap::builder::PossibleValuesParser::new(["fr", "en"]).map(|s| if s == "fr" { Lang::Fr } else { Lang::En })
}

/// `--via`: clap's view of the library's [`ViaKind`] (the library does not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ViaArg {
    /// In process, over the timeline in memory.
    Memory,
    /// Through the JSON-RPC client against one mock Jeedom on 127.0.0.1.
    Http,
}

impl From<ViaArg> for ViaKind {
    fn from(v: ViaArg) -> ViaKind {
        match v {
            ViaArg::Memory => ViaKind::Memory,
            ViaArg::Http => ViaKind::Http,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read a Jeedom backup log and print what was understood of it.
    Parse(parse::Args),
    /// Run conformance vectors (files or folders) with the faithful profile of their revision.
    Conformance(conformance::Args),
    /// Replay every recorded case and compare it with its accepted snapshot (the CI job).
    Check(check::Args),
    /// Serve a case as a mock Jeedom JSON-RPC API on 127.0.0.1 until Ctrl-C.
    Serve(serve::Args),
    /// Explain a user's backup log: what their tile showed, what happened, and why.
    Diagnose(diagnose::Args),
    /// Turn a user's log into a new recorded case under scenarios/.
    Record(record::Args),
    /// Read a scenario template (Info backup.json) or code block: triggers, chain, syntax,
    /// minimum size, and which published revision it is.
    Scenario(scenario::Args),
}

/// Reads the command line: with the English command as the derive builds it, or, in a French run
/// (`--lang fr`, or the locale's), with its French counterpart ([`help_fr`]) so `--help` is French
/// too. Mistakes are clap's errors either way, for [`usage_error`].
pub fn parse_args() -> Result<Cli, clap::Error> {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cmd = Cli::command();
    if lang_of_argv(argv.iter().skip(1).cloned()) == Lang::Fr {
        let bin = argv
            .first()
            .and_then(|a| std::path::Path::new(a).file_name())
            .and_then(|n| n.to_str());
        cmd = help_fr::french(cmd, bin);
    }
    let mut matches = cmd.try_get_matches_from_mut(argv)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let _ = LANG.set(cli.lang);
    colorchoice::ColorChoice::write_global(match cli.color {
        ColorWhen::Auto => colorchoice::ColorChoice::Auto,
        ColorWhen::Always => colorchoice::ColorChoice::Always,
        ColorWhen::Never => colorchoice::ColorChoice::Never,
    });
    let lang = cli.lang;
    run_command(cli).map_err(|e| plain_error(e, lang))
}

/// The language of this run, set once from `--lang` (or the locale) before the command runs.
static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The run's language, for the helpers that word an error far from the command's `Args`.
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or_else(locale_lang)
}

/// The run's language while clap is still reading the command line (for our value parsers):
/// `--lang` as written, else the locale's.
pub fn early_lang() -> Lang {
    lang_of_argv(std::env::args_os().skip(1))
}

/// The language of a command line clap refused: its `--lang` value when one can be read
/// (`--lang fr`, `--lang=en`), else the locale's.
fn lang_of_argv(args: impl IntoIterator<Item = std::ffi::OsString>) -> Lang {
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    let mut found = None;
    while let Some(a) = args.next() {
        let value = match a.strip_prefix("--lang") {
            Some("") => args.next(),
            Some(v) => v.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        match value.as_deref() {
            Some("fr") => found = Some(Lang::Fr),
            Some("en") => found = Some(Lang::En),
            _ => {}
        }
    }
    found.unwrap_or_else(locale_lang)
}

/// Whether what goes to standard output is coloured: `--color`, then `CLICOLOR_FORCE`,
/// `NO_COLOR` and `CLICOLOR`, then whether standard output is a terminal (anstream's rules, the
/// ones cargo and ripgrep follow).
pub fn stdout_color() -> bool {
    !matches!(
        anstream::AutoStream::choice(&std::io::stdout()),
        colorchoice::ColorChoice::Never | colorchoice::ColorChoice::Auto
    )
}

/// The width to lay text out in: the terminal's when standard output is one, else `$COLUMNS`,
/// else 100. Never below 60.
pub fn stdout_width() -> usize {
    use std::io::IsTerminal as _;
    let terminal = std::io::stdout()
        .is_terminal()
        .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .flatten();
    let columns = || std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok());
    terminal.or_else(columns).unwrap_or(100).max(60)
}

/// Reads a profile argument (a name, a profile file's path, or `php:PATH`): a path that is not
/// valid UTF-8 is refused naming the option, instead of clap's generic "invalid UTF-8" error.
pub fn profile_value() -> impl clap::builder::TypedValueParser<Value = String> {
    use clap::builder::TypedValueParser as _;
    clap::builder::OsStringValueParser::new().try_map(|s| {
        s.into_string().map_err(|_| {
            early_lang()
                .pick(
                    "le chemin n'est pas de l'UTF-8 valide ; renommez le fichier ou donnez un nom qui l'est",
                    "the path is not valid UTF-8; rename the file or give a name that is",
                )
                .to_owned()
        })
    })
}

/// The language a run speaks when `--lang` is not given: the locale's, read as POSIX does
/// (`LC_ALL`, then `LC_MESSAGES`, then `LANG`; the first one set and not empty decides): `fr…`
/// is French, anything else English.
pub fn locale_lang() -> Lang {
    let var = |name: &str| std::env::var(name).ok();
    lang_of_locale([var("LC_ALL"), var("LC_MESSAGES"), var("LANG")])
}

/// [`locale_lang`] on given values, in precedence order.
fn lang_of_locale(values: [Option<String>; 3]) -> Lang {
    let chosen = values.into_iter().flatten().find(|v| !v.is_empty());
    match chosen {
        Some(v) if v.to_ascii_lowercase().starts_with("fr") => Lang::Fr,
        _ => Lang::En,
    }
}

fn run_command(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Parse(mut a) => {
            a.lang = lang;
            parse::run(a)
        }
        Command::Conformance(a) => conformance::run(a),
        Command::Check(mut a) => {
            a.lang = lang;
            check::run(a)
        }
        Command::Serve(a) => serve::run(a),
        Command::Diagnose(mut a) => {
            a.lang = lang;
            diagnose::run(a)
        }
        Command::Record(mut a) => {
            a.lang = lang;
            record::run(a)
        }
        Command::Scenario(a) => scenario::run(a),
    }
}

/// The error as a person reads it, in the run's language: the whole chain on one line, without
/// the `(os error N)` that Rust's `io::Error` appends (the words before it already say what
/// happened). A cause the library typed is worded by [`infobackup::error_words`] (it says its
/// own causes, so the chain stops there). A broken pipe is kept as it is so [`is_broken_pipe`]
/// still sees it.
fn plain_error(err: anyhow::Error, lang: Lang) -> anyhow::Error {
    if is_broken_pipe(&err) {
        return err;
    }
    // `{:#}` would join every cause; a cause the message above it already quotes (an error
    // type whose text ends with `{source}`) is said once.
    let mut msg = String::new();
    for cause in err.chain() {
        let worded = infobackup::error_words::worded(cause, lang);
        let last = worded.is_some();
        let text = strip_os_error(&worded.unwrap_or_else(|| cause.to_string()));
        if msg.is_empty() {
            msg = text;
        } else if !msg.contains(&text) {
            msg.push_str(lang.pick(" : ", ": "));
            msg.push_str(&text);
        }
        if last {
            break;
        }
    }
    anyhow::anyhow!(msg)
}

/// Removes every ` (os error N)` from a message.
fn strip_os_error(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(at) = rest.find(" (os error ") {
        let after = &rest[at + " (os error ".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(')') {
            out.push_str(&rest[..at]);
            rest = &after[digits + 1..];
        } else {
            out.push_str(&rest[..at + 1]);
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The context of a failed read of `path`, in the run's language: "cannot read PATH".
pub fn cannot_read(path: &std::path::Path) -> String {
    format!(
        "{} {}",
        lang().pick("impossible de lire", "cannot read"),
        path.display()
    )
}

/// The folder of recorded cases a command uses by default (`scenarios`): the one in the current
/// folder, or else in the nearest parent that has one (run from a subfolder of the project, as
/// `cargo` and `git` find their roots). Any other path is taken as given.
pub fn default_scenarios(dir: std::path::PathBuf) -> std::path::PathBuf {
    if dir.is_dir() || dir != std::path::Path::new("scenarios") {
        return dir;
    }
    let Ok(cwd) = std::env::current_dir() else {
        return dir;
    };
    cwd.ancestors()
        .skip(1)
        .map(|a| a.join("scenarios"))
        .find(|s| s.is_dir())
        .unwrap_or(dir)
}

/// Prints a command-line mistake (or `--help`/`--version`, which clap also reports as an
/// "error") and gives the exit code. Mistakes carry the same `infobackup: error:` prefix as
/// every other error, and exit 2.
pub fn usage_error(err: &clap::Error) -> ExitCode {
    if !err.use_stderr() {
        // --help, --version: clap's own text on stdout.
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let lang = lang_of_argv(std::env::args_os().skip(1));
    eprint!("{}", usage_text(err, lang));
    ExitCode::from(2)
}

/// A command-line mistake in the run's language: clap's own text in English; in French, the
/// common kinds (unknown argument, missing or invalid value, missing argument, conflict,
/// unknown command) said again from clap's context, with clap's usage line kept.
fn usage_text(err: &clap::Error, lang: Lang) -> String {
    let text = err.render().to_string();
    if lang == Lang::En {
        let text = text.strip_prefix("error: ").unwrap_or(&text);
        return format!("infobackup: error: {text}");
    }
    let sentence = clap_words::clap_fr(err);
    let usage = text
        .lines()
        // clap's usage line; the French help's, when clap shows the help for a bare `infobackup`.
        .find_map(|l| l.strip_prefix("Usage: ").or_else(|| l.strip_prefix("Usage : ")))
        .map(|u| format!("\nUsage : {u}\n"))
        .unwrap_or_default();
    format!("infobackup: erreur : {sentence}\n{usage}\nPour en savoir plus, essayez « --help ».\n")
}

/// A closed stdout (`infobackup … | head`) is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Restore the default SIGPIPE action so `| head` ends the process quietly instead of panicking
/// inside `println!`.
pub fn reset_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default at start-up, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_locale_picks_the_language_in_posix_order() {
        use super::lang_of_locale;
        use infobackup::Lang;
        let some = |v: &str| Some(v.to_owned());
        assert_eq!(lang_of_locale([None, None, some("fr_FR.UTF-8")]), Lang::Fr);
        assert_eq!(lang_of_locale([None, None, some("fr_BE")]), Lang::Fr);
        assert_eq!(lang_of_locale([None, None, some("en_GB.UTF-8")]), Lang::En);
        assert_eq!(lang_of_locale([None, None, some("C")]), Lang::En);
        assert_eq!(lang_of_locale([None, None, None]), Lang::En);
        // LC_ALL wins over LC_MESSAGES, which wins over LANG; an empty value does not count.
        assert_eq!(lang_of_locale([some("en_US"), some("fr_FR"), some("fr_FR")]), Lang::En);
        assert_eq!(lang_of_locale([some(""), some("fr_FR"), some("en_US")]), Lang::Fr);
        assert_eq!(lang_of_locale([None, some("C.UTF-8"), some("fr_FR")]), Lang::En);
    }

    #[test]
    fn os_error_codes_are_dropped() {
        use super::strip_os_error;
        assert_eq!(
            strip_os_error("reading x: No such file or directory (os error 2)"),
            "reading x: No such file or directory"
        );
        assert_eq!(strip_os_error("a (os error 13): b (os error 2)"), "a: b");
        assert_eq!(
            strip_os_error("keep (os error x) and (os error )"),
            "keep (os error x) and (os error )"
        );
    }
}
