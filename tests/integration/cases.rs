//! The recorded cases under `scenarios/`: every folder loads, and (once replayed) matches its
//! snapshot per profile. Adding a case is adding a folder: this file walks them.

use std::path::{Path, PathBuf};

use infobackup::case::{self, Case};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn every_case_folder_loads_and_is_named_for_its_situation() {
    let corpus = case::load_corpus(&scenarios()).expect("scenarios/ is listable");
    assert!(corpus.len() >= 30, "the corpus holds {} cases", corpus.len());
    for (dir, loaded) in corpus {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let c = loaded.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            name.starts_with("4.2-") || name.starts_with("4.3-") || name.starts_with("4.4-") || name.starts_with("4.5-"),
            "{name}: a case name starts with its Jeedom generation"
        );
        assert!(
            name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '.'),
            "{name}: case names are kebab-case"
        );
        assert!(!c.logs.is_empty(), "{name}: a case records at least one log");
    }
}

#[test]
fn a_case_folder_without_manifest_is_refused_with_its_path() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Case::load(tmp.path()).unwrap_err();
    assert!(err.to_string().contains(&tmp.path().display().to_string()), "{err}");
    assert!(err.to_string().contains("case.toml"), "{err}");
}

#[test]
fn a_log_the_manifest_names_must_exist() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("case.toml"), "description = \"x\"\n\n[logs]\nbackup = \"missing.log\"\n").unwrap();
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("case.toml:4:10: logs.backup: file"), "{err}");
    assert!(err.contains("missing.log"), "{err}");
    std::fs::write(tmp.path().join("case.toml"), "description = \"x\"\n\n[logs]\nbackup = \"../x.log\"\n").unwrap();
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("must be a file of the case folder"), "{err}");
}

/// A case that says everything itself resolves without the log model, and the manifest wins.
#[test]
fn an_explicit_case_resolves_to_its_timeline() {
    use infobackup::case::{FactKind, Overrides};
    use infobackup::world::{LocalFile, LogName, Trigger};
    let tmp = tempfile::tempdir().unwrap();
    let log = b"[START BACKUP]\r\nSend begin backup event...OK\r\nrest\r\n";
    std::fs::write(tmp.path().join("paste.txt"), log).unwrap();
    std::fs::write(
        tmp.path().join("case.toml"),
        r#"description = "explicit"
jeedom = "4.5.3"
profiles = ["v2024-08", "strict"]
[params]
min_size = 1000
[virtual]
value = '{"x":1}'
[config]
"samba::enable" = "0"
[[step]]
trigger = "begin_backup"
at = "2025-09-10 03:27:01"
log = { file = "paste.txt", until = "begin backup event" }
[[step]]
trigger = "end_backup"
at = "2025-09-10 03:30:33"
log = "paste.txt"
local = { "a.tar.gz" = 12 }
samba_error = "boom"
"#,
    )
    .unwrap();
    let c = Case::load(tmp.path()).unwrap();
    let r = c.resolve(&Overrides::default()).unwrap();
    let t = &r.timeline;
    assert_eq!(t.steps.len(), 2);
    assert_eq!(t.steps[0].trigger, Trigger::BeginBackup);
    assert_eq!(t.steps[0].log(LogName::Backup), &log[..46]);
    assert_eq!(t.steps[1].log(LogName::Backup), log);
    assert_eq!(t.steps[1].local, vec![LocalFile { name: "a.tar.gz".into(), size: 12 }]);
    assert_eq!(t.steps[1].samba, Err("boom".to_owned()));
    assert_eq!(t.initial_virtual, r#"{"x":1}"#);
    assert_eq!(t.config.get("samba::enable").map(String::as_str), Some("0"));
    assert_eq!(r.min_size, 1000);
    assert_eq!(r.profiles.iter().map(|p| p.name()).collect::<Vec<_>>(), ["v2024-08", "strict"]);
    // Nothing given is silently made up: the defaults are listed as assumptions.
    let assumed: Vec<&str> = r.facts.iter().filter(|f| f.kind == FactKind::Assumed).map(|f| f.subject.as_str()).collect();
    assert!(assumed.contains(&"time zone") && assumed.contains(&"PHP"), "{assumed:?}");
    assert!(!assumed.contains(&"jeedom") && !assumed.iter().any(|s| s.contains("samba::enable")), "{assumed:?}");
    // A flag beats the manifest.
    let r = c.resolve(&Overrides { min_size: Some(5), samba: Some(true), ..Overrides::default() }).unwrap();
    assert_eq!(r.min_size, 5);
    assert_eq!(r.timeline.config.get("samba::enable").map(String::as_str), Some("1"));
    assert!(r.facts.iter().any(|f| f.kind == FactKind::Flag && f.subject == "minimum archive size (bytes)"));
}

#[test]
fn a_step_without_time_or_run_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("case.toml"), "description = \"x\"\n\n[[step]]\ntrigger = \"user\"\n").unwrap();
    let err = Case::load(tmp.path()).unwrap().resolve(&Default::default()).unwrap_err().to_string();
    assert!(err.contains("case.toml:3:1: step[1].at: `at` is needed"), "{err}");
}

/// The snapshot suite: every case with every profile it names, one `.snap` each under
/// `snapshots/cases/` (`<case>@<profile>.snap`), with the text `infobackup check` compares.
/// Where the manifest expects a tile class, the class is asserted before the snapshot.
/// Failures are collected so one run writes every `.snap.new` to review.
#[test]
fn every_case_replays_as_its_snapshots_say() {
    use infobackup::case::Overrides;
    use infobackup::report::{corpus, snapfile, snapshot};

    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/cases");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let mut failures: Vec<String> = Vec::new();
    let mut replays = 0;
    for dir in case::corpus_dirs(&scenarios()).unwrap() {
        let resolved = Case::load(&dir).and_then(|c| c.resolve(&Overrides::default())).unwrap_or_else(|e| panic!("{e}"));
        for profile in &resolved.profiles {
            let name = snapfile::snap_name(&resolved.name, profile.name());
            let (body, replay) = corpus::case_snapshot(&resolved, profile).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(replay.steps.len(), resolved.timeline.steps.len(), "{name}: one outcome per trigger");
            replays += 1;
            if let Some(expected) = resolved.expect.get(profile.name()) {
                let got = replay.last().map(|s| snapshot::tile_class(&snapshot::tile_of(s)));
                if got != Some(*expected) {
                    failures.push(format!("{name}: the manifest expects a {expected} tile, got {got:?}"));
                    continue;
                }
            }
            let mut s = settings.clone();
            s.set_input_file(dir.join("case.toml"));
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.bind(|| insta::assert_snapshot!(name.clone(), body.clone()))));
            if outcome.is_err() {
                failures.push(format!("{name}: differs from snapshots/cases/{name}.snap"));
            }
        }
    }
    assert!(replays >= 120, "only {replays} replays");
    assert!(failures.is_empty(), "{} of {replays} replays failed:\n{}", failures.len(), failures.join("\n"));
}

/// No planted secret survives into a snapshot.
#[test]
fn snapshots_never_show_the_planted_password() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/cases");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains("S3cr3tPlanted"), "{} shows the planted password", p.display());
        assert!(!text.contains("jeedom%"), "{} shows the Samba user", p.display());
        seen += usize::from(text.contains("smbclient"));
    }
    assert!(seen > 0, "some snapshot quotes a Samba error, redacted");
}
