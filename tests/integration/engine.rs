//! The engine beyond the vectors: PHP 7 semantics, evidence and its sentences, profile files,
//! and properties over random trigger sequences and worlds.

use std::collections::BTreeMap;
use std::path::Path;

use infobackup::Lang;
use infobackup::conformance;
use infobackup::engine::{
    self, Flag, FlagKind, PhpVersion, Profile, ProfileConfig, ProfileError, Replay, Rule, SambaSkip, Shape,
};
use infobackup::world::{JeedomVersion, LocalFile, LogName, Step, Timeline, Trigger, parse_at};

fn vector(name: &str) -> conformance::Vector {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/conformance")
        .join(format!("{name}.json"));
    conformance::load(&path).expect("vector loads")
}

fn replay(case: &Timeline, cfg: &ProfileConfig) -> Replay {
    engine::replay_in_memory(case, cfg).expect("replay runs")
}

fn with_php7(p: Profile) -> ProfileConfig {
    let mut c = ProfileConfig::builtin(p);
    c.php = PhpVersion::Php7;
    c
}

// ---- PHP 7 ---------------------------------------------------------------------------------

#[test]
fn php7_first_backup_after_install_does_not_crash() {
    let v = vector("v2024-08.fresh-install-first-cycle");
    let php8 = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    assert!(php8.steps[0].crashed(), "PHP 8: array_key_exists on null throws");
    let r = replay(&v.case, &with_php7(Profile::V2024_08));
    let begin = &r.steps[0];
    assert_eq!(begin.crash, None, "PHP 7 only warns");
    assert_eq!(
        begin.virtual_value,
        r#"{"date":"","heure":"","minSizeBackup":"100 MB","lastSave":"2025-09-10-03h27","update":0,"action":"startBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"error":-1,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}}"#
    );
    // With the start stamp in place, end_backup finds this run's archive.
    let end = r.steps[1].state.as_ref().expect("end ran");
    assert_eq!(
        (end.error_scenario, end.error_local, end.error_size),
        (Flag::Ok, Flag::Ok, Flag::Ok)
    );
}

#[test]
fn php7_counts_never_saved_samba_keys_as_disabled() {
    let v = vector("v2024-08.samba-keys-never-saved");
    let php8 = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    assert_eq!(
        php8.steps[1].flag(FlagKind::Samba),
        Some(Flag::Error),
        "PHP 8: \"\" != 0, Samba is checked"
    );
    let r = replay(&v.case, &with_php7(Profile::V2024_08));
    let end = &r.steps[1];
    assert_eq!(end.flag(FlagKind::Samba), Some(Flag::Disabled));
    assert_eq!(
        end.evidence.samba.rule,
        Rule::SambaSkipped(SambaSkip::NeverSaved {
            keys: vec!["samba::enable".into(), "samba::cloudUpload".into()]
        })
    );
    assert!(end.virtual_value.contains(r#""samba":{"error":-1}"#));
}

#[test]
fn php7_keeps_the_published_crashes_that_are_not_about_php() {
    // Jeedom 4.5 removed the accessor: PHP 7 or 8, 2023-03 crashes.
    let v = vector("v2023-03.jeedom45-trigger-tag");
    let r = replay(&v.case, &with_php7(Profile::V2023_03));
    assert!(r.steps.iter().all(|s| s.crashed()));
    // A Samba listing that throws crashes the block on PHP 7 too.
    let v = vector("v2024-08.samba-list-throws");
    let r = replay(&v.case, &with_php7(Profile::V2024_08));
    assert!(r.steps[1].crashed());
}

// ---- evidence ------------------------------------------------------------------------------

#[test]
fn evidence_names_the_error_line_by_number() {
    let v = vector("v2024-08.log-error-today");
    let r = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    let end = &r.steps[1];
    let Rule::LogErrors { log, today, lines } = &end.evidence.log.rule else {
        panic!("errorLog=1 comes from error lines, got {:?}", end.evidence.log.rule);
    };
    assert_eq!((*log, today.as_str()), (LogName::Backup, "2025-09-10"));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].line, 12);
    assert!(
        lines[0]
            .text
            .starts_with("Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur")
    );
    let fr = end.explain(FlagKind::Log, Lang::Fr);
    assert!(
        fr.starts_with(
            "La ligne 12 du log backup contient « [2025-09-10 » (la date du jour) suivi de ERROR : « Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur"
        ),
        "{fr}"
    );
}

#[test]
fn never_saved_samba_keys_on_php8_are_told_as_the_blind_spot_not_a_failed_upload() {
    let v = vector("v2024-08.samba-keys-never-saved");
    let r = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    let end = &r.steps[1];
    assert_eq!(end.flag(FlagKind::Samba), Some(Flag::Error));
    assert_eq!(
        end.evidence.samba.rule,
        Rule::SambaEmpty {
            never_saved: vec!["samba::enable".into(), "samba::cloudUpload".into()]
        }
    );
    let en = end.explain(FlagKind::Samba, Lang::En);
    assert!(
        en.starts_with("Samba was never configured (samba::enable and samba::cloudUpload were never saved"),
        "{en}"
    );
    assert!(
        en.contains("on PHP 8") && en.contains("found no backup on it") && en.contains("blind spot"),
        "{en}"
    );
    assert!(!en.contains("the upload failed"), "{en}");
    let fr = end.explain(FlagKind::Samba, Lang::Fr);
    assert!(
        fr.starts_with("Samba n'a jamais été configuré") && fr.contains("angle mort"),
        "{fr}"
    );
}

#[test]
fn a_reflowed_log_is_quoted_at_its_error_with_its_line_number() {
    use infobackup::case::{Case, Overrides};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/4.4-reflowed-one-line");
    let resolved = Case::load(&dir).unwrap().resolve(&Overrides::default()).unwrap();
    let r = replay(&resolved.timeline, &ProfileConfig::builtin(Profile::V2024_08));
    let end = r.steps.last().unwrap();
    let Rule::LogErrors { lines, .. } = &end.evidence.log.rule else {
        panic!("{:?}", end.evidence.log.rule)
    };
    assert_eq!(lines[0].line, 1);
    let text = &lines[0].text;
    assert!(
        text.contains("Send backup Market...[2025-09-10 03:29:39][ERROR] : Aucun serveur de backup defini."),
        "{text}"
    );
    assert!(text.starts_with('…') && !text.contains("[START BACKUP]"), "{text}");
    assert!(text.chars().count() < 300, "bounded: {text}");
}

#[test]
fn evidence_records_stamps_archive_and_samba_newest() {
    let v = vector("v2024-08.local-ok-samba-ok");
    let r = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    let ev = &r.steps[1].evidence;
    assert_eq!(ev.last_save.as_deref(), Some("2025-09-10-03h27"));
    assert_eq!(ev.later_stamps, vec!["2025-09-10-03h28"]);
    assert_eq!(
        ev.local.rule,
        Rule::ArchiveFound {
            file_name: "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".into(),
            size: 222310457,
            stamp: "2025-09-10-03h27".into(),
            named_at: None
        }
    );
    assert_eq!(
        ev.explain(FlagKind::Size, Lang::Fr),
        "L'archive backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz (212,01 Mo) dépasse le seuil de 100 Mo."
    );
    assert_eq!(
        ev.explain(FlagKind::Samba, Lang::En),
        "The newest backup on the Samba share, backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz, carries 2025-09-10-03h27, the backup's start time: the upload worked."
    );
}

#[test]
fn evidence_explains_a_crash() {
    let v = vector("v2024-08.samba-list-throws");
    let r = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    let end = &r.steps[1];
    assert_eq!(
        end.crash.as_deref(),
        Some("Exception: Erreur sur smbclient valeur retournée : 1")
    );
    assert_eq!(end.state, None);
    assert_eq!(end.virtual_value, "");
    for k in FlagKind::ALL {
        assert_eq!(end.evidence.decision(k).flag, None);
    }
    assert_eq!(
        end.explain(FlagKind::Samba, Lang::Fr),
        "Le scénario a planté (la lecture du partage Samba a échoué : « Erreur sur smbclient valeur retournée : 1 ») : Jeedom a vidé le virtuel et la tuile affiche une erreur."
    );
}

#[test]
fn every_flag_of_every_vector_has_a_sentence_in_both_languages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance");
    let mut text = String::new();
    for file in conformance::collect(std::slice::from_ref(&dir)).unwrap() {
        let v = conformance::load(&file).unwrap();
        let r = replay(&v.case, &ProfileConfig::builtin(v.code));
        // Every vector's sentences are checked; the snapshot holds the hand-picked vectors only
        // (the 200 drawn ones of `wide/` would bury them).
        let mut text_of_this = String::new();
        let text = if file.parent() == Some(dir.as_path()) {
            &mut text
        } else {
            &mut text_of_this
        };
        text.push_str(&format!("== {}.{}\n", v.code, v.name));
        for s in &r.steps {
            text.push_str(&format!(
                "-- step {} {} at {}\n",
                s.index + 1,
                s.trigger,
                infobackup::world::format_at(s.at)
            ));
            for k in FlagKind::ALL {
                let fr = s.explain(k, Lang::Fr);
                let en = s.explain(k, Lang::En);
                assert!(!fr.is_empty() && !en.is_empty() && fr != en, "{}: {k}", file.display());
                assert!(
                    fr.ends_with('.') && en.ends_with('.'),
                    "a sentence ends with a full stop: {fr} / {en}"
                );
                let flag = s
                    .flag(k)
                    .map(|f| f.code().to_string())
                    .unwrap_or_else(|| "crash".into());
                text.push_str(&format!("{k} = {flag}\n  fr: {fr}\n  en: {en}\n"));
            }
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/engine");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("explanations", text));
}

// ---- profile files -------------------------------------------------------------------------

fn profile_err(text: &str) -> String {
    ProfileConfig::from_toml_source(text, Path::new("profiles/mine.toml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn a_profile_file_overrides_a_builtin() {
    let cfg = ProfileConfig::from_toml_source(
        "base = \"v2024-08\"\nmin_size = 262144000\nphp = 7\nstamp_tolerance_seconds = 120\n[checks]\nsamba = false\n",
        Path::new("profiles/big-box.toml"),
    )
    .unwrap();
    assert_eq!(cfg.base, Profile::V2024_08);
    assert_eq!(cfg.name(), "big-box");
    assert_eq!(
        (cfg.min_size, cfg.php, cfg.stamp_tolerance_s),
        (262144000, PhpVersion::Php7, 120)
    );
    assert!(!cfg.checks.samba && cfg.checks.local);
    assert!(!cfg.is_builtin());
    let named =
        ProfileConfig::from_toml_str("base = \"strict\"\nname = \"strict-4h\"\nwatchdog_timeout_seconds = 14400")
            .unwrap();
    assert_eq!(
        (named.name(), named.watchdog_timeout_s),
        ("strict-4h".to_owned(), 14400)
    );
}

#[test]
fn profile_file_errors_name_file_line_and_key() {
    assert_eq!(
        profile_err("base = \"v2024-08\"\n\nmin_sise = 3\n"),
        "profiles/mine.toml:3: key `min_sise`: unknown key (expected one of base, name, description, min_size, php, stamp_tolerance_seconds, watchdog_timeout_seconds, [checks])"
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\nmin_size = \"100 MB\"\n"),
        "profiles/mine.toml:2: key `min_size`: expected a whole number, found the string \"100 MB\""
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\nphp = 9\n"),
        "profiles/mine.toml:2: key `php`: expected 7 or 8, found the number 9"
    );
    assert_eq!(
        profile_err("base = \"v2025\"\n"),
        "profiles/mine.toml:1: key `base`: unknown profile \"v2025\" (expected v2022-01, v2023-03, v2024-08 or strict)"
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\n[checks]\nsamba = \"no\"\n"),
        "profiles/mine.toml:3: key `checks.samba`: expected true or false, found the string \"no\""
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\n[checks]\nftp = true\n"),
        "profiles/mine.toml:3: key `checks.ftp`: unknown check (expected one of log, local, size, samba, market)"
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\nstamp_tolerance_seconds = 90\n"),
        "profiles/mine.toml:2: key `stamp_tolerance_seconds`: must be a whole number of minutes (a multiple of 60) up to 86400, found 90"
    );
    assert_eq!(
        profile_err("base = \"v2024-08\"\nwatchdog_timeout_seconds = 60\n"),
        "profiles/mine.toml:2: key `watchdog_timeout_seconds`: only the strict profile has a watchdog (base is v2024-08)"
    );
    assert!(
        profile_err("base = \"v2024-08\"\n[checks]\nmarket = true\n")
            .starts_with("profiles/mine.toml:3: key `checks.market`: the published scenario never checks the Market")
    );
    assert_eq!(
        profile_err("min_size = 1\n"),
        "profiles/mine.toml: missing key `base` (the built-in profile to start from: v2022-01, v2023-03, v2024-08 or strict)"
    );
    let syntax = profile_err("base = \"v2024-08\"\nmin_size = \n");
    assert!(syntax.starts_with("profiles/mine.toml:2:"), "{syntax}");
    assert!(syntax.contains("not valid TOML"), "{syntax}");
    let missing = ProfileConfig::from_toml_file(Path::new("/nonexistent/p.toml")).unwrap_err();
    assert!(matches!(missing, ProfileError::Read { .. }));
    assert!(
        missing
            .to_string()
            .starts_with("/nonexistent/p.toml: cannot read the profile file")
    );
}

#[test]
fn every_example_profile_in_profiles_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("profiles/ exists") {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            ProfileConfig::from_toml_file(&p).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 2, "example profiles are missing");
}

#[test]
fn profile_parameters_change_the_outcome() {
    // A 2-minute tolerance accepts the archive stamped two minutes late.
    let v = vector("v2024-08.name-two-minutes-late");
    let published = replay(&v.case, &ProfileConfig::builtin(Profile::V2024_08));
    assert_eq!(published.steps[1].flag(FlagKind::Local), Some(Flag::Error));
    let mut tolerant = ProfileConfig::builtin(Profile::V2024_08);
    tolerant.stamp_tolerance_s = 120;
    let r = replay(&v.case, &tolerant);
    assert_eq!(r.steps[1].flag(FlagKind::Local), Some(Flag::Ok));

    // A 250 MB threshold turns a 212 MB archive into a size warning, and the text follows.
    let v = vector("v2024-08.local-ok-samba-off");
    let mut big = ProfileConfig::builtin(Profile::V2024_08);
    big.min_size = 250 * 1024 * 1024;
    let r = replay(&v.case, &big);
    let end = &r.steps[1];
    assert_eq!(end.flag(FlagKind::Size), Some(Flag::Error));
    assert!(
        end.virtual_value
            .starts_with(r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"250 MB","#)
    );
    assert!(
        end.virtual_value.contains(r#""error":0,"erreurFileSize":1}"#),
        "the key moves after error: {}",
        end.virtual_value
    );

    // Turning the Samba check off leaves it at -1 and never lists the share.
    let v = vector("v2024-08.samba-list-throws");
    let mut no_samba = ProfileConfig::builtin(Profile::V2024_08);
    no_samba.checks.samba = false;
    let r = replay(&v.case, &no_samba);
    assert_eq!(r.steps[1].crash, None);
    assert_eq!(r.steps[1].flag(FlagKind::Samba), Some(Flag::Disabled));
    assert_eq!(r.steps[1].evidence.samba.rule, Rule::CheckDisabled);
}

// ---- properties ----------------------------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    const START: &str = r#"{"date":"","heure":"","minSizeBackup":"100 MB","lastSave":"2025-09-10-03h27","update":0,"action":"startBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"error":-1,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}}"#;

    fn virtuals() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("Sauvegarde Terminée".to_owned()),
            Just(START.to_owned()),
            Just(START.replace(r#""update":0"#, r#""update":"1""#)),
            Just(START.replace(r#""update":0,"#, "")),
            Just(START.replace("2025-09-10-03h27", "2025-09-10-03h2é")),
            Just(START.replace("2025-09-10-03h27", "0")),
            Just(r#"{"lastSave":["x"],"update":null}"#.to_owned()),
            Just(r#"{"lastSave":17,"update":false}"#.to_owned()),
            Just("5".to_owned()),
            Just("\"2025-09-10-03h27\"".to_owned()),
            Just("[1,2]".to_owned()),
            "\\PC{0,40}",
        ]
    }

    fn triggers() -> impl Strategy<Value = Trigger> {
        prop_oneof![
            4 => Just(Trigger::BeginBackup),
            4 => Just(Trigger::EndBackup),
            1 => Just(Trigger::BeginUpdate),
            1 => Just(Trigger::Other("user".into())),
            2 => Just(Trigger::Other("schedule".into())),
        ]
    }

    fn log_lines() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[START BACKUP]".to_owned()),
            Just("***************Start of Jeedom backup at 2025-09-10 03:27:01***************".to_owned()),
            Just("Send begin backup event...OK".to_owned()),
            Just("Creating archive...".to_owned()),
            Just("OK".to_owned()),
            Just(
                "Send backup Samba...[2025-09-10 03:29:50][ERROR] : Erreur sur smbclient valeur retournée : 1"
                    .to_owned()
            ),
            Just("/!\\ Erreur sur smbclient /!\\OK".to_owned()),
            Just("Send backup Samba...OK".to_owned()),
            Just("[2025-09-11 00:01:00][ERROR] quota".to_owned()),
            Just("[2025-09-09 03:00:00][ERROR] : old".to_owned()),
            Just(
                "Backup name: /var/www/html/core/php/../../backup/backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz"
                    .to_owned()
            ),
            Just(
                "Error during backup: Backing up database failed. Check mysqldump installation. Code: 2Details : Array"
                    .to_owned()
            ),
            Just("[END BACKUP SUCCESS]".to_owned()),
            Just("[END BACKUP ERROR]".to_owned()),
            "\\PC{0,30}",
        ]
    }

    fn logs() -> impl Strategy<Value = String> {
        prop::collection::vec(log_lines(), 0..12).prop_map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                l.join("\n") + "\n"
            }
        })
    }

    fn local_files() -> impl Strategy<Value = Vec<LocalFile>> {
        let names = prop_oneof![
            Just("backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".to_owned()),
            Just("backup-Jeedom-4.4.20-2025-09-10-03h28.tar.gz".to_owned()),
            Just("backup-Jeedom-4.4.20-2025-09-11-00h00.tar.gz".to_owned()),
            Just("backup-Jeedom-4.4.20-2025-03-30-03h00.tar.gz".to_owned()),
            Just("x.gz".to_owned()),
            Just(".hidden.gz".to_owned()),
            Just("DB_backup.sql".to_owned()),
            "[a-z0-9.-]{0,30}",
        ];
        prop::collection::vec((names, 0u64..400_000_000), 0..4)
            .prop_map(|v| v.into_iter().map(|(name, size)| LocalFile { name, size }).collect())
    }

    fn samba() -> impl Strategy<Value = Result<Vec<String>, String>> {
        prop_oneof![
            3 => prop::collection::vec(
                prop_oneof![
                    Just("backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".to_owned()),
                    Just("backup-Jeedom-4.4.20-2025-09-09-03h27.tar.gz".to_owned()),
                    "[a-z0-9.-]{0,30}",
                ],
                0..3
            ).prop_map(Ok),
            1 => Just(Err("Erreur sur smbclient -U \"jeedom%secret\" valeur retournée : 1".to_owned())),
        ]
    }

    prop_compose! {
        fn steps()(raw in prop::collection::vec((triggers(), 0i64..4 * 3600, logs(), local_files(), samba()), 1..8),
                   base in prop_oneof![Just("2025-09-10 03:27:01"), Just("2025-03-30 01:59:30"), Just("2025-10-26 02:30:00"), Just("2025-09-10 23:59:40")])
                   -> Vec<Step> {
            let mut at = parse_at(base).unwrap();
            raw.into_iter().map(|(trigger, gap, log, local, samba)| {
                at = at.checked_add(jiff::Span::new().seconds(gap)).unwrap();
                let mut logs = BTreeMap::new();
                logs.insert(LogName::Backup, log.into_bytes().into());
                Step { trigger, at, logs, local: local.into(), samba: samba.map(Into::into) }
            }).collect()
        }
    }

    fn config_value() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            Just(Some("0".to_owned())),
            Just(Some("1".to_owned())),
            Just(Some(String::new())),
            Just(Some("abc".to_owned()))
        ]
    }

    prop_compose! {
        fn timelines()(jeedom in prop_oneof![Just(JeedomVersion::V4_4), Just(JeedomVersion::V4_5)],
                       initial_virtual in virtuals(),
                       enable in config_value(), cloud in config_value(),
                       no_cloud_backup in any::<bool>(),
                       steps in steps()) -> Timeline {
            let mut config = BTreeMap::new();
            if let Some(e) = enable { config.insert("samba::enable".to_owned(), e); }
            if let Some(c) = cloud { config.insert("samba::cloudUpload".to_owned(), c); }
            Timeline { jeedom, initial_virtual, config, no_cloud_backup, tz: "Europe/Paris".into(), steps }
        }
    }

    fn configs() -> impl Strategy<Value = ProfileConfig> {
        (
            prop::sample::select(Profile::ALL.to_vec()),
            any::<bool>(),
            0u64..300_000_000,
        )
            .prop_map(|(p, php7, min)| {
                let mut c = ProfileConfig::builtin(p);
                if php7 {
                    c.php = PhpVersion::Php7;
                }
                if min % 3 == 0 {
                    c.min_size = min;
                }
                c
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn replays_never_panic_and_keep_flags_in_range(t in timelines(), cfg in configs()) {
            let r = engine::replay_in_memory(&t, &cfg).expect("a memory world never fails");
            prop_assert_eq!(r.steps.len(), t.steps.len());
            for s in &r.steps {
                for k in FlagKind::ALL {
                    if let Some(tag) = s.tags.get(k.tag()) {
                        prop_assert!(["-1", "0", "1"].contains(&tag.as_str()), "tag {} = {}", k.tag(), tag);
                    }
                    if let Some(f) = s.flag(k) {
                        prop_assert!([-1, 0, 1].contains(&f.code()));
                    }
                }
                match (&s.crash, &s.state) {
                    (Some(_), state) => {
                        prop_assert_eq!(s.virtual_value.as_str(), "");
                        prop_assert!(state.is_none());
                    }
                    (None, Some(state)) => {
                        if cfg.base.is_faithful() {
                            prop_assert_eq!(&s.virtual_value, &state.to_json().unwrap_or_default());
                        }
                    }
                    (None, None) => prop_assert!(cfg.base == Profile::Strict, "only strict leaves a value it does not know"),
                }
            }
        }

        #[test]
        fn v2023_and_v2024_always_write_the_nine_keys_the_widget_needs(t in timelines(), php7 in any::<bool>(),
                                                                       p in prop::sample::select(vec![Profile::V2023_03, Profile::V2024_08])) {
            let mut cfg = ProfileConfig::builtin(p);
            if php7 { cfg.php = PhpVersion::Php7; }
            let r = engine::replay_in_memory(&t, &cfg).unwrap();
            for s in r.steps.iter().filter(|s| !s.crashed()) {
                let state = s.state.as_ref().expect("not crashed");
                prop_assert_ne!(state.shape, Shape::StartWithoutHeader);
                if s.virtual_value.is_empty() {
                    continue; // json_encode failed on a cut UTF-8 character (a lastSave with "é")
                }
                let v: serde_json::Value = serde_json::from_str(&s.virtual_value).unwrap();
                let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
                prop_assert_eq!(keys.len(), 9, "{}", s.virtual_value);
                for k in ["date", "heure", "minSizeBackup", "lastSave", "update", "action", "errorScenario", "errorLogBackup", "backup"] {
                    prop_assert!(v.get(k).is_some(), "missing {} in {}", k, s.virtual_value);
                }
            }
        }

        #[test]
        fn replaying_twice_gives_the_same_output(t in timelines(), cfg in configs()) {
            let a = engine::replay_in_memory(&t, &cfg).unwrap();
            let b = engine::replay_in_memory(&t, &cfg).unwrap();
            prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
            prop_assert_eq!(a, b);
        }
    }
}

// ---- strict --------------------------------------------------------------------------------

mod strict {
    use super::*;

    const ARCHIVE: &str = "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz";
    const PREVIOUS: &str = r#"{"date":"","heure":"","minSizeBackup":"100 MB","lastSave":"2025-09-09-03h31","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"fileName":"backup-Jeedom-4.4.20-2025-09-09-03h27.tar.gz","fileSize":"202 MB","error":0,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}}"#;

    /// A run of `log/backup` that began at `start`, with `body` lines, then `end` (if any).
    pub fn run_log(start: &str, body: &[&str], end: Option<&str>) -> String {
        let mut lines = vec![
            "[START BACKUP]".to_owned(),
            format!("***************Start of Jeedom backup at {start}***************"),
        ];
        lines.push("Send begin backup event...OK".into());
        lines.extend(body.iter().map(|s| s.to_string()));
        if let Some(e) = end {
            lines.push(e.to_owned());
        }
        lines.join("\n") + "\n"
    }

    pub fn step(trigger: Trigger, at: &str) -> Step {
        Step::new(trigger, parse_at(at).unwrap())
    }

    pub fn with_log(mut s: Step, name: LogName, text: &str) -> Step {
        s.logs
            .insert(name, infobackup::world::LogBytes::copy_from_slice(text.as_bytes()));
        s
    }

    pub fn with_local(mut s: Step, files: &[(&str, u64)]) -> Step {
        s.local = files
            .iter()
            .map(|(n, size)| LocalFile {
                name: (*n).to_owned(),
                size: *size,
            })
            .collect();
        s
    }

    pub fn timeline(samba: bool, steps: Vec<Step>) -> Timeline {
        let mut config = BTreeMap::new();
        let on = if samba { "1" } else { "0" };
        config.insert("samba::enable".to_owned(), on.to_owned());
        config.insert("samba::cloudUpload".to_owned(), on.to_owned());
        Timeline {
            jeedom: JeedomVersion::V4_4,
            initial_virtual: PREVIOUS.to_owned(),
            config,
            no_cloud_backup: false,
            tz: "Europe/Paris".into(),
            steps,
        }
    }

    fn both(t: &Timeline) -> (Replay, Replay) {
        (
            replay(t, &ProfileConfig::builtin(Profile::V2024_08)),
            replay(t, &ProfileConfig::builtin(Profile::Strict)),
        )
    }

    const OK_BODY: &[&str] = &["Creating archive...", "OK", "Cleaning old backup...OK"];

    #[test]
    fn a_failed_backup_is_reported_by_the_watchdog() {
        // Jeedom fires no end_backup on a failure; a schedule tick 10 minutes later.
        let log = run_log(
            "2025-09-10 03:27:01",
            &[
                "Backing up database...Error during backup: Backing up database failed. Check mysqldump installation. Code: 2Details : Array",
                "(",
                ")",
            ],
            Some("[END BACKUP ERROR]"),
        );
        let t = timeline(
            false,
            vec![
                step(Trigger::BeginBackup, "2025-09-10 03:27:02"),
                with_log(
                    step(Trigger::Other("schedule".into()), "2025-09-10 03:40:00"),
                    LogName::Backup,
                    &log,
                ),
            ],
        );
        let (published, strict) = both(&t);
        assert_eq!(
            published.steps[1].state.as_ref().unwrap().action,
            engine::Action::Empty,
            "v2024-08 just resets the tile"
        );
        let s = &strict.steps[1];
        let state = s.state.as_ref().unwrap();
        assert_eq!(state.action, engine::Action::EndBackup);
        assert_eq!(
            (state.error_scenario, state.error_log, state.error_local),
            (Flag::Ok, Flag::Error, Flag::Error)
        );
        assert!(!state.is_success());
        let Rule::RunFailed {
            log,
            message,
            line,
            end_marker,
        } = &s.evidence.log.rule
        else {
            panic!("{:?}", s.evidence.log.rule)
        };
        assert_eq!((*log, *line, *end_marker), (LogName::Backup, Some(7), true));
        assert!(message.starts_with("Backing up database failed"), "{message}");
        let fr = s.explain(FlagKind::Log, Lang::Fr);
        assert!(
            fr.starts_with("La sauvegarde a échoué : « Backing up database failed"),
            "{fr}"
        );
        assert!(fr.ends_with("se termine par [END BACKUP ERROR] (ligne 7)."), "{fr}");
    }

    #[test]
    fn a_begin_with_no_end_fails_after_the_timeout_only() {
        let log = run_log("2025-09-10 03:27:01", OK_BODY, None);
        let tick = |at: &str| with_log(step(Trigger::Other("schedule".into()), at), LogName::Backup, &log);
        let t = timeline(
            false,
            vec![
                step(Trigger::BeginBackup, "2025-09-10 03:27:02"),
                tick("2025-09-10 04:30:00"),
                tick("2025-09-10 05:40:00"),
            ],
        );
        let r = replay(&t, &ProfileConfig::builtin(Profile::Strict));
        assert_eq!(
            r.steps[1].virtual_value, r.steps[0].virtual_value,
            "within 2 h the tile keeps 'in progress'"
        );
        // Waited times are told from the banner's exact time (03:27:01).
        assert!(matches!(
            r.steps[1].evidence.log.rule,
            Rule::RunInProgress {
                waited_s: 3779,
                timeout_s: 7200,
                ..
            }
        ));
        let late = r.steps[2].state.as_ref().unwrap();
        assert_eq!((late.action, late.error_log), (engine::Action::EndBackup, Flag::Error));
        assert!(matches!(
            r.steps[2].evidence.log.rule,
            Rule::RunTimedOut { waited_s: 7979, .. }
        ));
        assert_eq!(
            r.steps[2].explain(FlagKind::Log, Lang::Fr),
            "La sauvegarde commencée à 2025-09-10 03:27:01 n'est pas terminée après 2 h 12 min (délai 2 h 00 min) : ni end_backup ni fin dans le log, elle a échoué sans prévenir."
        );
        // A 4-hour watchdog from a profile file waits longer.
        let four =
            ProfileConfig::from_toml_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/strict-4h.toml"))
                .unwrap();
        let r = replay(&t, &four);
        assert_eq!(r.steps[2].virtual_value, r.steps[0].virtual_value);
    }

    #[test]
    fn uploads_are_read_from_the_log() {
        let log = run_log(
            "2025-09-10 03:27:01",
            &[
                "Creating archive...",
                "OK",
                "Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ?",
                "/!\\ Aucun serveur de backup defini. Avez-vous bien un abonnement au backup cloud ? /!\\OK",
                "Send backup Samba...[2025-09-10 03:29:50][ERROR] : Erreur sur smbclient valeur retournée : 1",
                "/!\\ Erreur sur smbclient /!\\OK",
                &format!("Backup name: /var/www/html/core/php/../../backup/{ARCHIVE}"),
                "Send end backup event...OK",
            ],
            None,
        );
        let mut end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 03:30:33"), LogName::Backup, &log),
            &[(ARCHIVE, 222310457)],
        );
        end.samba = Ok(vec![ARCHIVE.to_owned()].into()); // an older copy with the same name, or a stale listing
        let t = timeline(true, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        let (published, strict) = both(&t);
        assert_eq!(
            published.steps[1].flag(FlagKind::Samba),
            Some(Flag::Ok),
            "v2024-08 trusts the listing"
        );
        assert_eq!(
            published.steps[1].flag(FlagKind::Market),
            Some(Flag::Disabled),
            "and never checks the Market"
        );
        let s = &strict.steps[1];
        assert_eq!(s.flag(FlagKind::Samba), Some(Flag::Error));
        assert_eq!(s.flag(FlagKind::Market), Some(Flag::Error));
        assert_eq!(
            s.evidence.samba.rule,
            Rule::UploadFailed {
                repo: engine::Repo::Samba,
                message: "Erreur sur smbclient".into(),
                line: 9
            }
        );
        assert!(
            s.virtual_value.contains(r#""samba":{"error":1},"market":{"error":1}"#),
            "{}",
            s.virtual_value
        );
    }

    #[test]
    fn the_archive_is_matched_by_the_name_the_log_printed() {
        // A slow begin hook: the archive is stamped two minutes after begin_backup.
        let late = "backup-Jeedom-4.4.20-2025-09-10-03h29.tar.gz";
        let log = run_log(
            "2025-09-10 03:27:01",
            &[
                "Creating archive...",
                "OK",
                &format!("Backup name: /var/www/html/core/php/../../backup/{late}"),
            ],
            None,
        );
        let end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 03:31:00"), LogName::Backup, &log),
            &[(late, 222310457)],
        );
        let t = timeline(false, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        let (published, strict) = both(&t);
        assert_eq!(
            published.steps[1].flag(FlagKind::Local),
            Some(Flag::Error),
            "v2024-08: false 'missing'"
        );
        let s = &strict.steps[1];
        assert_eq!(s.flag(FlagKind::Local), Some(Flag::Ok));
        assert!(
            matches!(&s.evidence.local.rule, Rule::ArchiveFound { named_at: Some(_), file_name, .. } if file_name == late)
        );
        let Rule::ArchiveFound {
            named_at: Some(line), ..
        } = s.evidence.local.rule
        else {
            unreachable!()
        };
        assert_eq!(
            s.explain(FlagKind::Local, Lang::Fr),
            format!(
                "L'archive {late} (212,01 Mo), dont le log a écrit le nom (ligne {line}), est bien dans le dossier de sauvegarde."
            )
        );
    }

    #[test]
    fn errors_are_those_of_this_run_whatever_the_day() {
        // Begins before midnight; the error is dated the first day, end_backup runs the next.
        let log = run_log(
            "2025-09-10 23:59:20",
            &[
                "Send backup Market...[2025-09-10 23:59:50][ERROR] : quota",
                "/!\\ quota /!\\OK",
            ],
            None,
        );
        let end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-11 00:03:10"), LogName::Backup, &log),
            &[("backup-Jeedom-4.4.20-2025-09-10-23h59.tar.gz", 222310457)],
        );
        let t = timeline(false, vec![step(Trigger::BeginBackup, "2025-09-10 23:59:21"), end]);
        let (published, strict) = both(&t);
        assert_eq!(
            published.steps[1].flag(FlagKind::Log),
            Some(Flag::Ok),
            "v2024-08 only reads lines dated today"
        );
        assert_eq!(strict.steps[1].flag(FlagKind::Log), Some(Flag::Error));
        assert!(matches!(&strict.steps[1].evidence.log.rule, Rule::LoggerErrors { lines, .. } if lines[0].line == 4));

        // An error left by an earlier run the same day is not this run's.
        let old = run_log(
            "2025-09-10 01:00:00",
            &["Backing up database...[2025-09-10 01:00:05][ERROR] : old"],
            Some("[END BACKUP SUCCESS]"),
        );
        let new = run_log("2025-09-10 03:27:01", OK_BODY, None);
        let end = with_local(
            with_log(
                step(Trigger::EndBackup, "2025-09-10 03:30:33"),
                LogName::Backup,
                &(old + &new),
            ),
            &[(ARCHIVE, 222310457)],
        );
        let t = timeline(false, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        let (published, strict) = both(&t);
        assert_eq!(published.steps[1].flag(FlagKind::Log), Some(Flag::Error));
        assert_eq!(strict.steps[1].flag(FlagKind::Log), Some(Flag::Ok));
        assert!(strict.steps[1].state.as_ref().unwrap().is_success());
    }

    #[test]
    fn logger_errors_are_quoted_as_written_from_the_banner_time() {
        // A 4.4 logger line keeps its ` : `; the run began at 03:27:01 (banner), not 03:27:00.
        let log = run_log(
            "2025-09-10 03:27:01",
            &[
                "Send backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.",
                "/!\\ x /!\\OK",
            ],
            None,
        );
        let end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 03:30:33"), LogName::Backup, &log),
            &[(ARCHIVE, 222310457)],
        );
        let t = timeline(false, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        let s = &replay(&t, &ProfileConfig::builtin(Profile::Strict)).steps[1];
        let Rule::LoggerErrors { since, lines, .. } = &s.evidence.log.rule else {
            panic!("{:?}", s.evidence.log.rule)
        };
        assert_eq!(since, "2025-09-10 03:27:01");
        assert_eq!(
            (lines[0].line, lines[0].text.as_str()),
            (4, "[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.")
        );
        assert_eq!(
            s.explain(FlagKind::Log, Lang::En),
            "Line 4 of the backup log is a logger error written since the backup began (2025-09-10 03:27:01): \"[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.\"."
        );
    }

    #[test]
    fn samba_keys_and_listing_failures() {
        let log = run_log("2025-09-10 03:27:01", &["Send backup Samba...OK"], None);
        let mut end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 03:30:33"), LogName::Backup, &log),
            &[(ARCHIVE, 222310457)],
        );
        end.samba = Err("Erreur sur smbclient valeur retournée : 1".into());
        let t = timeline(
            true,
            vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end.clone()],
        );
        let (published, strict) = both(&t);
        assert!(published.steps[1].crashed());
        let s = &strict.steps[1];
        assert_eq!((s.crash.clone(), s.flag(FlagKind::Samba)), (None, Some(Flag::Error)));
        assert_eq!(
            s.evidence.samba.rule,
            Rule::SambaListingFailed {
                message: "Erreur sur smbclient valeur retournée : 1".into()
            }
        );

        let mut never = timeline(true, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        never.config.clear();
        let (published, strict) = both(&never);
        assert!(
            published.steps[1].crashed(),
            "PHP 8: never-saved keys count as enabled, then the listing throws"
        );
        assert_eq!(strict.steps[1].flag(FlagKind::Samba), Some(Flag::Disabled));
        assert_eq!(
            strict.steps[1].evidence.samba.rule,
            Rule::SambaSkipped(SambaSkip::NeverSaved {
                keys: vec!["samba::enable".into(), "samba::cloudUpload".into()]
            })
        );
    }

    #[test]
    fn samba_credentials_never_reach_the_outcome() {
        let secret_msg = "Erreur sur smbclient -U \"jeedom%S3cretPass\" //nas/backup valeur retournée : 1";
        let log = run_log(
            "2025-09-10 03:27:01",
            &[
                &format!("Send backup Samba...[2025-09-10 03:29:50][ERROR] : {secret_msg}"),
                &format!("/!\\ {secret_msg} /!\\OK"),
            ],
            None,
        );
        let mut end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 03:30:33"), LogName::Backup, &log),
            &[(ARCHIVE, 222310457)],
        );
        end.samba = Err(secret_msg.to_owned());
        let t = timeline(true, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        for p in Profile::ALL {
            let r = replay(&t, &ProfileConfig::builtin(p));
            let mut text = serde_json::to_string(&r).unwrap();
            for s in &r.steps {
                for k in FlagKind::ALL {
                    text.push_str(&s.explain(k, Lang::Fr));
                    text.push_str(&s.explain(k, Lang::En));
                }
            }
            assert!(!text.contains("S3cretPass"), "{p}: {text}");
            assert!(text.contains("[redacted]"), "{p}: the message is still shown, redacted");
        }
    }

    #[test]
    fn an_empty_virtual_never_crashes() {
        let v = vector("v2024-08.fresh-install-first-cycle");
        let r = replay(&v.case, &ProfileConfig::builtin(Profile::Strict));
        assert!(r.steps.iter().all(|s| !s.crashed()));
        assert_eq!(r.steps[1].flag(FlagKind::Scenario), Some(Flag::Ok));
        let garbage = vector("v2024-08.virtual-garbage");
        assert!(
            replay(&garbage.case, &ProfileConfig::builtin(Profile::Strict))
                .steps
                .iter()
                .all(|s| !s.crashed())
        );
    }

    #[test]
    fn strict_knows_which_log_the_run_went_to() {
        // A core update: the backup's echoed text is in log/update.
        let up = run_log("2025-09-10 14:00:06", OK_BODY, None);
        let end = with_local(
            with_log(step(Trigger::EndBackup, "2025-09-10 14:02:40"), LogName::Update, &up),
            &[("backup-Jeedom-4.4.20-2025-09-10-14h00.tar.gz", 222298112)],
        );
        let mut t = timeline(
            true,
            vec![
                step(Trigger::BeginUpdate, "2025-09-10 14:00:05"),
                step(Trigger::BeginBackup, "2025-09-10 14:00:06"),
                end,
            ],
        );
        t.no_cloud_backup = true;
        let r = replay(&t, &ProfileConfig::builtin(Profile::Strict));
        let s = &r.steps[2];
        assert_eq!(s.evidence.log_file, Some(LogName::Update));
        // The banner's exact time (not the stamp's minute) and its line.
        assert_eq!(
            s.evidence.log.rule,
            Rule::RunClean {
                log: Some(LogName::Update),
                since: "2025-09-10 14:00:06".into(),
                banner_line: Some(2),
                success_line: None,
                without_marker: false,
            }
        );

        // The daily cron backup: echoed text in log/cron_execution, only logger lines in log/backup.
        let cron = run_log("2025-09-10 03:27:01", OK_BODY, None);
        let mut end = with_local(
            with_log(
                step(Trigger::EndBackup, "2025-09-10 03:30:33"),
                LogName::CronExecution,
                &cron,
            ),
            &[(ARCHIVE, 222310457)],
        );
        end = with_log(
            end,
            LogName::Backup,
            "[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.\n",
        );
        let t = timeline(false, vec![step(Trigger::BeginBackup, "2025-09-10 03:27:01"), end]);
        let r = replay(&t, &ProfileConfig::builtin(Profile::Strict));
        let s = &r.steps[1];
        assert_eq!(s.evidence.log_file, Some(LogName::CronExecution));
        assert_eq!(
            s.flag(FlagKind::Log),
            Some(Flag::Error),
            "the logger still writes to log/backup"
        );
        assert!(
            matches!(&s.evidence.log.rule, Rule::LoggerErrors { log: LogName::Backup, lines, .. } if lines[0].line == 1)
        );
    }

    #[test]
    fn other_launchers_keep_the_tile() {
        let v = vector("v2024-08.other-trigger");
        let r = replay(&v.case, &ProfileConfig::builtin(Profile::Strict));
        assert_eq!(r.steps[0].virtual_value, v.case.initial_virtual);
        assert_eq!(r.steps[0].evidence.scenario.rule, Rule::Unchanged);
    }

    /// Found by the property below: a second end_backup with no begin in between reads the
    /// previous end's stamp as its "start"; strict must take the log's latest run (which failed)
    /// and say the begin was missed.
    #[test]
    fn a_second_end_without_begin_reads_the_latest_run() {
        let log = run_log("2025-09-10 03:27:00", &[], Some("[END BACKUP ERROR]"));
        let end = |at: &str| {
            with_local(
                with_log(step(Trigger::EndBackup, at), LogName::Backup, &log),
                &[(ARCHIVE, 222310457)],
            )
        };
        let t = timeline(
            false,
            vec![
                step(Trigger::BeginBackup, "2025-09-10 03:27:00"),
                end("2025-09-10 03:43:00"),
                end("2025-09-10 03:43:00"),
            ],
        );
        let r = replay(&t, &ProfileConfig::builtin(Profile::Strict));
        let second = r.steps[2].state.as_ref().unwrap();
        assert_eq!((second.error_scenario, second.error_log), (Flag::Error, Flag::Error));
        assert_eq!(
            r.steps[2].evidence.scenario.rule,
            Rule::BeginNotSeen {
                since: Some("2025-09-10 03:27:00".into())
            }
        );
        assert!(matches!(
            r.steps[2].evidence.log.rule,
            Rule::RunFailed { line: Some(4), .. }
        ));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        prop_compose! {
            /// begin_backup at 03:27:0x, then a failed run in log/backup, then a mix of
            /// end_backup (replayed anyway) and watchdog ticks.
            fn failing_sequences()(begin_s in 0u32..59, fail_after in 1i64..3 * 3600,
                                   noise in prop::collection::vec(prop_oneof![
                                       Just("Creating archive...".to_owned()),
                                       Just("OK".to_owned()),
                                       Just("Send backup Samba...OK".to_owned()),
                                       Just("[2025-09-10 03:28:00][INFO] : info".to_owned()),
                                       Just("Backing up database...Error during backup: boom Details : Array".to_owned()),
                                       "\\PC{0,20}",
                                   ], 0..6),
                                   before in prop::option::of(Just(run_log("2025-09-10 01:00:00", &["OK"], Some("[END BACKUP SUCCESS]")))),
                                   ticks in prop::collection::vec((prop_oneof![Just(Trigger::EndBackup), Just(Trigger::Other("schedule".into())), Just(Trigger::Other("user".into()))], 0i64..3 * 3600), 1..4),
                                   samba in any::<bool>(), php_garbage in any::<bool>())
                                   -> (Timeline, usize) {
                let begin = format!("2025-09-10 03:27:{begin_s:02}");
                let body: Vec<&str> = noise.iter().map(String::as_str).collect();
                let log = before.unwrap_or_default() + &run_log(&begin, &body, Some("[END BACKUP ERROR]"));
                let mut steps = vec![step(Trigger::BeginBackup, &begin)];
                let mut at = parse_at(&begin).unwrap().checked_add(jiff::Span::new().seconds(fail_after)).unwrap();
                for (trigger, gap) in ticks {
                    at = at.checked_add(jiff::Span::new().seconds(gap)).unwrap();
                    let s = Step::new(trigger, at);
                    let s = with_log(s, LogName::Backup, &log);
                    steps.push(with_local(s, &[(ARCHIVE, 222310457)]));
                }
                let mut t = timeline(samba, steps);
                if php_garbage { t.initial_virtual = String::new(); }
                (t, 1)
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

            #[test]
            fn strict_never_reports_success_when_the_log_ends_in_end_backup_error((t, first) in failing_sequences()) {
                let r = engine::replay_in_memory(&t, &ProfileConfig::builtin(Profile::Strict)).unwrap();
                for s in &r.steps[first..] {
                    prop_assert!(!s.crashed());
                    if let Some(state) = &s.state {
                        prop_assert!(!state.is_success(), "step {} ({}) reports success: {}", s.index, s.trigger, s.virtual_value);
                        prop_assert_eq!(state.error_log, Flag::Error);
                    }
                }
            }
        }
    }
}
