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
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse(a) => parse::run(a),
        Command::Conformance(a) => conformance::run(a),
        Command::Check(a) => check::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Diagnose(a) => diagnose::run(a),
        Command::Record(a) => record::run(a),
    }
}

/// A closed stdout (`infobackup … | head`) is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
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
