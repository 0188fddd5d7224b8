//! What the command-line tests share: the repository root and the binary, run from that root
//! the way a person runs it, with no colour and no API key from the environment.

use std::path::PathBuf;

use assert_cmd::Command;

/// The repository root (where `scenarios/` and `snapshots/` are).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root, in French, without colours, without `$COLUMNS` and
/// without `INFOBACKUP_APIKEY`.
pub(crate) fn infobackup() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_infobackup"));
    c.current_dir(repo())
        .env("NO_COLOR", "1")
        // French, the language the tests were written in (the default follows the locale).
        .env("LC_ALL", "fr_FR.UTF-8")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("INFOBACKUP_APIKEY");
    c
}
