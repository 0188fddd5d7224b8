//! Command-line front end: one file per subcommand, each with its `Args` and a `run` that returns
//! the exit code. Everything it prints goes through the library's views and reports.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod atomic;
mod check;
mod conformance;
mod diagnose;
mod parse;
mod record;
mod scenario;
mod serve;

/// Scenario-simulation test harness for Jeedom's "Info backup" widget and scenario.
#[derive(Debug, Parser)]
#[command(name = "infobackup", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
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

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    run_command(cli).map_err(plain_error)
}

fn run_command(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Conformance(a) => conformance::run(a),
        Command::Check(a) => check::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Diagnose(a) => diagnose::run(a),
        Command::Record(a) => record::run(a),
        Command::Scenario(a) => scenario::run(a),
    }
}

/// The error as a person reads it: the whole chain on one line, without the `(os error N)` that
/// Rust's `io::Error` appends (the words before it already say what happened). A broken pipe is
/// kept as it is so [`is_broken_pipe`] still sees it.
fn plain_error(err: anyhow::Error) -> anyhow::Error {
    if is_broken_pipe(&err) {
        return err;
    }
    // `{:#}` would join every cause; a cause the message above it already quotes (an error
    // type whose text ends with `{source}`) is said once.
    let mut msg = String::new();
    for cause in err.chain() {
        let text = strip_os_error(&cause.to_string());
        if msg.is_empty() {
            msg = text;
        } else if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
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
