//! The `infobackup` command: a thin CLI over the library. Parses arguments, runs one command,
//! maps the outcome to an exit code: 0 = all good, 1 = ran fine but found failures,
//! 2 = the tool itself failed (bad input, unreadable file, …).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::reset_sigpipe();
    let args = match cli::parse_args() {
        Ok(args) => args,
        Err(err) => return cli::usage_error(&err),
    };
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if cli::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let lang = cli::lang();
            eprintln!(
                "infobackup: {} {}",
                lang.pick("erreur :", "error:"),
                infobackup::redact::redact_in(&format!("{err:#}"), lang)
            );
            ExitCode::from(2)
        }
    }
}
