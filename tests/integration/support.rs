//! What the command-line tests share: the repository root and the binary, run from that root
//! the way a person runs it, with no colour and no API key from the environment.

use std::path::PathBuf;

use assert_cmd::Command;

/// The repository root (where `scenarios/` and `snapshots/` are).
pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the repository root, without colours and without `INFOBACKUP_APIKEY`.
pub(crate) fn infobackup() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_infobackup"));
    c.current_dir(repo())
        .env("NO_COLOR", "1")
        .env_remove("INFOBACKUP_APIKEY");
    c
}
