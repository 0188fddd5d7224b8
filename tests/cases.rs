//! The snapshot suite: one test per recorded case and profile, named like its snapshot
//! (`<case>@<profile>`, e.g. `4.4-samba-ok@v2024-08`), so a case runs and fails by name:
//!
//! ```sh
//! cargo test --test cases -- 4.4-samba-ok        # the four profiles of one case
//! cargo test --test cases -- @strict             # every case with the strict profile
//! cargo test --test cases -- --list              # the names
//! ```
//!
//! Each test replays its case with its profile in memory and compares the text `infobackup
//! check` compares with `snapshots/cases/<case>@<profile>.snap` (insta: under `CI=true` a missing
//! or different snapshot fails; elsewhere a `.snap.new` is written to review). Where the manifest
//! expects a tile class, the class is asserted first. Adding a recorded case is adding a folder
//! under `scenarios/`: the tests are listed from the folders, not written here.
//!
//! A binary of its own with `harness = false` (the `libtest-mimic` crate gives the usual test
//! command line: filters, `--exact`, `--list`, `--test-threads`); it costs one more link than
//! folding it into `tests/integration`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use infobackup::case::{self, Case, Overrides, ProfileRef, Resolved};
use infobackup::report::{corpus, snapfile, snapshot};
use libtest_mimic::{Arguments, Failed, Trial};

/// At least this many case × profile replays: a corpus that silently shrank fails.
const MIN_REPLAYS: usize = 120;

fn main() {
    let args = Arguments::from_args();
    libtest_mimic::run(&args, trials()).exit();
}

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// One trial per case folder and profile; a folder that does not load or resolve is one
/// failing trial named after it.
fn trials() -> Vec<Trial> {
    let dirs = match case::corpus_dirs(&scenarios()) {
        Ok(d) => d,
        Err(e) => return vec![Trial::test("scenarios", move || Err(e.to_string().into()))],
    };
    let mut trials = Vec::new();
    for dir in dirs {
        let name = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
        match Case::load(&dir).and_then(|c| c.resolve(&Overrides::default())) {
            Ok(resolved) => {
                let resolved = Arc::new(resolved);
                for profile in &resolved.profiles {
                    let (resolved, profile, dir) = (Arc::clone(&resolved), profile.clone(), dir.clone());
                    let test = snapfile::snap_name(&resolved.name, profile.name());
                    trials.push(Trial::test(test, move || replay_matches(&resolved, &profile, &dir)));
                }
            }
            Err(e) => trials.push(Trial::test(name, move || Err(e.to_string().into()))),
        }
    }
    let count = trials.len();
    trials.push(Trial::test("corpus-size", move || {
        if count >= MIN_REPLAYS {
            Ok(())
        } else {
            Err(format!("only {count} case × profile replays (at least {MIN_REPLAYS} expected)").into())
        }
    }));
    trials
}

/// Replays `resolved` with `profile` and compares the result with its snapshot.
fn replay_matches(resolved: &Resolved, profile: &ProfileRef, dir: &Path) -> Result<(), Failed> {
    let name = snapfile::snap_name(&resolved.name, profile.name());
    let (body, replay) =
        corpus::case_snapshot(resolved, profile, &infobackup::via::Via::Memory).map_err(|e| format!("{name}: {e}"))?;
    if replay.steps.len() != resolved.timeline.steps.len() {
        return Err(format!("{name}: one outcome per trigger").into());
    }
    if let Some(expected) = resolved.expect.get(profile.name()) {
        let got = replay.last().map(|s| snapshot::tile_class(&snapshot::tile_of(s)));
        if got != Some(*expected) {
            return Err(format!("{name}: the manifest expects a {expected} tile, got {got:?}").into());
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots/cases");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(dir.join("case.toml"));
    // insta reports a difference by panicking; the trial fails with its message.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name.clone(), body))
    }));
    outcome.map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Failed::from(format!("{name}: differs from snapshots/cases/{name}.snap {why}"))
    })
}
