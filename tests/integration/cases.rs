//! The recorded cases under `scenarios/`: every folder loads and is named for its situation,
//! and the manifest's rules. The replays against their snapshots are `tests/cases.rs`, one
//! test per case and profile. Adding a case is adding a folder: both walk them.

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
        let generation = name.split('-').next().unwrap_or("");
        assert!(
            generation.parse::<infobackup::world::JeedomVersion>().is_ok(),
            "{name}: a case name starts with its Jeedom generation (4.4-…)"
        );
        assert!(
            name.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '.'),
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
    let tmp = write_case(&[(
        "case.toml",
        b"description = \"x\"\n\n[logs]\nbackup = \"missing.log\"\n",
    )]);
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("case.toml:4:10: logs.backup: file"), "{err}");
    assert!(err.contains("missing.log"), "{err}");
    std::fs::write(
        tmp.path().join("case.toml"),
        "description = \"x\"\n\n[logs]\nbackup = \"../x.log\"\n",
    )
    .unwrap();
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("must be a file of the case folder"), "{err}");
}

/// A case that says everything itself resolves without the log model, and the manifest wins.
#[test]
fn an_explicit_case_resolves_to_its_timeline() {
    use infobackup::case::{ConfigKey, Origin, Overrides, Subject};
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
    assert_eq!(
        t.steps[1].local.to_vec(),
        vec![LocalFile {
            name: "a.tar.gz".into(),
            size: 12
        }]
    );
    assert_eq!(t.steps[1].samba, Err("boom".to_owned()));
    assert_eq!(t.initial_virtual, r#"{"x":1}"#);
    assert_eq!(t.config.get("samba::enable").map(String::as_str), Some("0"));
    assert_eq!(r.min_size, 1000);
    assert_eq!(
        r.profiles.iter().map(|p| p.name()).collect::<Vec<_>>(),
        ["v2024-08", "strict"]
    );
    // Nothing given is silently made up: the defaults are listed as assumptions.
    let assumed: Vec<&Subject> = r
        .facts
        .iter()
        .filter(|f| matches!(f.origin, Origin::Assumed { .. }))
        .map(|f| &f.subject)
        .collect();
    assert!(
        assumed.contains(&&Subject::TimeZone) && assumed.contains(&&Subject::Php),
        "{assumed:?}"
    );
    assert!(
        !assumed.contains(&&Subject::Jeedom) && !assumed.contains(&&Subject::Config(ConfigKey::SambaEnable)),
        "{assumed:?}"
    );
    // A flag beats the manifest.
    let r = c
        .resolve(&Overrides {
            min_size: Some(5),
            samba: Some(true),
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(r.min_size, 5);
    assert_eq!(r.timeline.config.get("samba::enable").map(String::as_str), Some("1"));
    assert!(
        r.facts
            .iter()
            .any(|f| f.origin == Origin::Option && f.subject == Subject::MinSize)
    );
}

#[test]
fn a_step_without_time_or_run_is_located() {
    let tmp = write_case(&[("case.toml", b"description = \"x\"\n\n[[step]]\ntrigger = \"user\"\n")]);
    let err = resolve(&tmp).unwrap_err().to_string();
    assert!(err.contains("case.toml:3:1: step[1].at: `at` is needed"), "{err}");
}

#[test]
fn a_manifest_that_is_not_utf8_is_located_at_the_bad_byte() {
    let tmp = write_case(&[("case.toml", b"description = \"x\"\n# caf\xe9\n")]);
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("case.toml:2:6:") && err.contains("not UTF-8"), "{err}");
}

#[test]
fn a_missing_step_log_names_its_own_key() {
    let tmp = write_case(&[(
        "case.toml",
        b"description = \"x\"\n\n[[step]]\ntrigger = \"begin_update\"\nat = \"2025-09-10 03:27:00\"\nlogs.update = \"nope.log\"\n",
    )]);
    let err = Case::load(tmp.path()).unwrap_err().to_string();
    assert!(
        err.contains("case.toml:6:") && err.contains("step[1].logs.update") && err.contains("nope.log"),
        "{err}"
    );
}

#[test]
fn a_cut_that_finds_nothing_names_its_key_and_what_it_looked_for() {
    let tmp = write_case(&[
        (
            "case.toml",
            b"description = \"x\"\n\n[[step]]\ntrigger = \"begin_update\"\nat = \"2025-09-10 03:27:00\"\nlogs.update = { file = \"u.log\", until = \"zzz\", occurrence = 2 }\n",
        ),
        ("u.log", b"a zzz\nb\n"),
    ]);
    let err = resolve(&tmp).unwrap_err().to_string();
    assert!(
        err.contains("case.toml:6:") && err.contains("step[1].logs.update"),
        "{err}"
    );
    assert!(err.contains("u.log has fewer than 2 lines holding \"zzz\""), "{err}");
}

/// No planted secret survives into a snapshot.
#[test]
fn snapshots_never_show_the_planted_password() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/cases");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            !text.contains("S3cr3tPlanted"),
            "{} shows the planted password",
            p.display()
        );
        assert!(!text.contains("jeedom%"), "{} shows the Samba user", p.display());
        seen += usize::from(text.contains("smbclient"));
    }
    assert!(seen > 0, "some snapshot quotes a Samba error, redacted");
}

/// Loads the case folder `tmp` (which must load) and resolves it with no overrides.
fn resolve(tmp: &tempfile::TempDir) -> Result<case::Resolved, case::CaseError> {
    Case::load(tmp.path()).unwrap().resolve(&Default::default())
}

fn write_case(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    tmp
}

const NIGHT: &str = "[START BACKUP]
***************Start of Jeedom backup at 2025-09-10 03:27:01***************
Send begin backup event...OK
Checking files rights...OK
Checking  database...OK
Backing up database...OK
Cache persistence: 
OK
Creating archive...
OK
Cleaning old backup...OK
Send backup Samba...OK
Limiting backup size to 500 Mb...
Delete: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-07-03h27.tar.gz
OK
Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz
Checking files rights...OK
Send end backup event...OK
Backup operation duration: 212s
***************Jeedom backup end***************
[END BACKUP SUCCESS]
";

/// A log and a one-line manifest are a whole case: every other fact is inferred (with its line)
/// or assumed (with its default), never silently made up.
#[test]
fn a_bare_log_is_a_whole_case() {
    use infobackup::case::{ConfigKey, Origin, Overrides, Subject, Value};
    use infobackup::world::{JeedomVersion, LogName, Trigger};
    let tmp = write_case(&[
        (
            "case.toml",
            b"description = \"bare\"\n\n[local]\n\"backup-Jeedom-4.4.20-2025-09-07-03h27.tar.gz\" = 1\n",
        ),
        ("backup.log", NIGHT.as_bytes()),
    ]);
    let r = resolve(&tmp).unwrap();
    let t = &r.timeline;
    assert_eq!(t.jeedom, JeedomVersion::V4_4);
    assert_eq!(
        t.steps.iter().map(|s| s.trigger.clone()).collect::<Vec<_>>(),
        [Trigger::BeginBackup, Trigger::EndBackup]
    );
    assert_eq!(infobackup::world::format_at(t.steps[0].at), "2025-09-10 03:27:01");
    assert_eq!(infobackup::world::format_at(t.steps[1].at), "2025-09-10 03:30:33");
    // begin_backup runs after the label is echoed, before its OK.
    assert!(t.steps[0].log(LogName::Backup).ends_with(b"Send begin backup event..."));
    assert_eq!(t.steps[1].log(LogName::Backup), NIGHT.as_bytes());
    // The archive appears at the end (the size limit deleted the old one); Samba got it first.
    assert_eq!(t.steps[0].local.len(), 1);
    let names: Vec<&str> = t.steps[1].local.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz"]);
    assert_eq!(
        t.steps[1].samba,
        Ok(vec!["backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".to_owned()].into())
    );
    assert_eq!(t.config.get("samba::enable").map(String::as_str), Some("1"));
    let fact = |s: Subject| {
        r.facts
            .iter()
            .find(|f| f.subject == s)
            .unwrap_or_else(|| panic!("no fact {s:?}: {:#?}", r.facts))
    };
    let end = fact(Subject::TriggerTime {
        run: 1,
        trigger: Trigger::EndBackup,
    });
    assert!(matches!(end.origin, Origin::Inferred { .. }));
    assert_eq!(
        end.to_string(),
        "inferred run 1 end_backup at = 2025-09-10 03:30:33 (banner + 212 s)  (from backup.log:2, backup.log:19)"
    );
    assert_eq!(fact(Subject::Config(ConfigKey::SambaEnable)).lines()[0].line, 12);
    let size = fact(Subject::ArchiveSize {
        file_name: "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".into(),
    });
    assert_eq!(size.origin, Origin::Assumed { lines: vec![] });
    assert_eq!(size.value, Value::Number(222_298_112));
    assert_eq!(fact(Subject::VirtualBefore).origin, Origin::Assumed { lines: vec![] });
    assert!(
        t.initial_virtual.contains(r#""lastSave":"2025-09-09-03h30""#),
        "{}",
        t.initial_virtual
    );
    // A flag overrides the assumption, and says so.
    let r = Case::load(tmp.path())
        .unwrap()
        .resolve(&Overrides {
            archive_size: Some(5),
            ..Overrides::default()
        })
        .unwrap();
    assert_eq!(r.timeline.steps[1].local.get(0).map(|f| f.size), Some(5));
    assert!(
        r.facts
            .iter()
            .any(|f| f.origin == Origin::Option && f.to_string().contains("(--archive-size)"))
    );
}

/// A run whose banner was trimmed away cannot be timed: the error says what to add.
#[test]
fn a_run_without_its_banner_asks_for_its_times() {
    let cut = NIGHT.split_once("Checking files rights...OK\n").unwrap().1;
    let tmp = write_case(&[
        ("case.toml", b"description = \"cut\"\n"),
        ("backup.log", cut.as_bytes()),
    ]);
    let err = resolve(&tmp).unwrap_err().to_string();
    assert!(
        err.contains("the time of run 1's `begin_backup` cannot be inferred (its banner (start time) is missing)"),
        "{err}"
    );
    assert!(
        err.contains("add [[step]] with run = 1, trigger = \"begin_backup\""),
        "{err}"
    );
    // Skipping the begin and timing the end is enough.
    std::fs::write(
        tmp.path().join("case.toml"),
        "description = \"cut\"\n[[step]]\nrun = 1\ntrigger = \"begin_backup\"\nskip = true\n[[step]]\nrun = 1\ntrigger = \"end_backup\"\nat = \"2025-09-10 03:30:33\"\n",
    )
    .unwrap();
    let r = resolve(&tmp).unwrap();
    assert_eq!(r.timeline.steps.len(), 1);
    assert_eq!(r.step_runs, [Some(1)]);
}

/// On the fall-back night the end comes after the begin although its wall-clock time is earlier.
#[test]
fn triggers_are_ordered_by_instant_across_a_dst_fold() {
    let log = NIGHT
        .replace("2025-09-10 03:27:01", "2025-10-26 02:45:10")
        .replace("212s", "1250s");
    let tmp = write_case(&[
        ("case.toml", b"description = \"fold\"\n"),
        ("backup.log", log.as_bytes()),
    ]);
    let r = resolve(&tmp).unwrap();
    let at: Vec<String> = r
        .timeline
        .steps
        .iter()
        .map(|s| infobackup::world::format_at(s.at))
        .collect();
    assert_eq!(at, ["2025-10-26 02:45:10", "2025-10-26 02:06:00"]);
}

/// A pasted log with nothing else (what `diagnose` starts from) resolves the same way.
#[test]
fn a_pasted_log_alone_resolves() {
    use infobackup::world::LogName;
    let c = Case::from_log(
        "paste",
        LogName::Backup,
        "paste.log",
        infobackup::world::LogBytes::from(NIGHT.as_bytes()),
    );
    let r = c.resolve(&Default::default()).unwrap();
    assert_eq!(r.timeline.steps.len(), 2);
    assert_eq!(r.profiles.len(), 4);
}
