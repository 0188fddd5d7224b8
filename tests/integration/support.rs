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

/// Whether the environment says this is CI (`CI=true`): nothing may skip itself there.
pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The folder of the scenario author's published templates, from `INFOBACKUP_PUBLISHED` (a
/// path relative to the repository root, as `.ci/run` sets it, or absolute). Outside CI, a test
/// that needs it says that it skipped and passes; under `CI=true` its absence is a failure.
pub(crate) fn published() -> Option<PathBuf> {
    let dir = std::env::var_os("INFOBACKUP_PUBLISHED")
        .filter(|v| !v.is_empty())
        .map(|v| repo().join(v));
    match dir {
        Some(d) if d.join("info-backup-v2024-08.json").is_file() => Some(d),
        Some(d) => panic!(
            "INFOBACKUP_PUBLISHED={}: no published template info-backup-v2024-08.json there",
            d.display()
        ),
        None if in_ci() => {
            panic!("INFOBACKUP_PUBLISHED is not set: under CI=true the published templates are required")
        }
        None => {
            eprintln!("skipped: INFOBACKUP_PUBLISHED is not set (the published scenario templates)");
            None
        }
    }
}

/// Whether php-cli runs here. Outside CI, a test that needs it says that it skipped; under
/// `CI=true` a missing php is a failure.
pub(crate) fn require_php() -> bool {
    match infobackup::phprun::php_version("test") {
        Ok(_) => true,
        Err(e) if in_ci() => panic!("{e}"),
        Err(e) => {
            eprintln!("skipped: {e}");
            false
        }
    }
}

/// [`infobackup`] in English (`LC_ALL=C`): for the tests that pin the English wording of an
/// error (the French one is tested in `lang.rs`).
pub(crate) fn infobackup_en() -> Command {
    let mut c = infobackup();
    c.env("LC_ALL", "C");
    c
}
