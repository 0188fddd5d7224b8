//! The differential property test of issue #16: random timelines, each replayed with every
//! faithful Rust profile (`v2022-01`, `v2023-03`, `v2024-08`) and with `php:` on the published
//! template of the same revision (the author's own code block under php-cli, the truth for a
//! faithful profile). Virtual, tags and crash must agree byte for byte at every step.
//!
//! A timeline is drawn as a [`Plan`]: a few settings and a list of nights, each made of small
//! choices (indices into the tables below), so that proptest shrinks a failure to few nights and
//! plain choices. [`Plan::timeline`] turns it into a [`Timeline`] deterministically: nights
//! chained through the virtual, Jeedom 4.4/4.5, DST days, midnight crossings, archive sizes around
//! the threshold, odd file names, odd config strings, Samba listings that throw, prior values of
//! every shape, error lines of every form, stray triggers.
//!
//! Case count: [`DEFAULT_CASES`] timelines (each one replayed by the three revisions) in a plain
//! `cargo test`; `PROPTEST_CASES=10000 cargo test --release --test integration differential` for
//! a long run. A failure prints the shrunk timeline as a conformance vector whose `expect` is the
//! PHP run: save it as `tests/data/conformance/diff/<code>.<name>.json` and it is a regression test.
//! One php process per revision serves the whole run (`phprun::program` shares them by path).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use infobackup::conformance::{self, Expected, Vector, Verdict};
use infobackup::engine::{self, Profile, ProfileConfig, Replay};
use infobackup::phprun;
use infobackup::world::{JeedomVersion, LocalFile, LogName, Step, Timeline, Trigger, format_at};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

use crate::support::{published, require_php};

/// Timelines per `cargo test` run when `PROPTEST_CASES` is not set (each replayed by the three
/// revisions, in Rust and in php): a few seconds in a debug build.
const DEFAULT_CASES: u32 = 256;

/// The published block's minimum size (`$alertsizebackup = 1024*1024*100`).
const S: u64 = 104_857_600;

// ---- the tables the choices index ------------------------------------------------------------

/// First night's date: DST days in Paris (2025-03-30 spring forward, 2025-10-26 fall back, and
/// 2024's), their eves, a leap day, a year's end, an ordinary day, and the DST days of the other
/// zones drawn (New York, Lord Howe, Santiago, Chatham).
const DAYS: &[&str] = &[
    "2025-03-30",
    "2025-10-26",
    "2025-03-29",
    "2025-10-25",
    "2024-03-31",
    "2024-10-27",
    "2024-02-28",
    "2025-12-31",
    "2025-09-10",
    "2025-11-02",
    "2025-03-09",
    "2025-04-06",
    "2025-10-05",
    "2025-09-07",
];

/// Start times: around midnight, around the DST hour (02:30 does not exist on a spring-forward
/// day and happens twice on a fall-back one), the usual 03:27.
const STARTS: &[&str] = &[
    "03:27:01", "00:00:00", "00:59:30", "01:58:50", "01:59:30", "02:00:00", "02:30:00", "02:59:59", "03:00:30",
    "04:10:00", "12:00:00", "23:58:50", "23:59:30", "23:59:59",
];

/// Seconds from `begin_backup` to `end_backup`.
const DURATIONS: &[i64] = &[20, 0, 1, 59, 60, 61, 119, 120, 210, 2700, 4200, 10_800];

const SIZES: &[u64] = &[
    222_310_985,
    S - 1,
    S,
    S + 1,
    0,
    1,
    1023,
    1024,
    1025,
    1_073_741_824,
    5_690_831_258,
    1_099_511_627_776,
    1_125_899_906_842_624,
    5_000_000_000_000_000,
    4_611_686_018_427_387_904,
];

/// How a night's archive is named; `{}` is the stamp.
const ARCHIVE_NAMES: &[&str] = &[
    "backup-Jeedom-4.4.20-{}.tar.gz",
    "backup-Jeedom-4.5.3-{}.tar.gz",
    "backup-My Box-4.4.20-{}.tar.gz",
    "backup-Maison-é-4.4.20-{}.tar.gz",
    "{}.tar.gz",
    "x{}.tar.gz",
    "backup-{}.sql.gz",
    "backup-Jeedom-4.4.20-{}.tar",
    ".backup-{}.tar.gz",
    "backup-Jeedom-4.4.20-{}.tar.gz.part",
];

/// Files that are not this night's archive: short names (their stamp takes folder bytes),
/// hidden, not `.gz`, stale, and archives named after the stamps an odd `lastSave` leads to.
const ODD_FILES: &[&str] = &[
    "notes.txt",
    ".hidden.gz",
    "x.gz",
    "1.gz",
    "0.gz",
    "a.tar.gz",
    "backup.gz",
    "DB_backup.sql",
    "2025-09-10-03h27.gz",
    "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz",
    "backup-Jeedom-4.4.20-1970-01-01-01h01.tar.gz",
    "backup-Jeedom-4.4.20-1970-01-01-00h01.tar.gz",
    "backup-Jeedom-4.4.20-2025-03-02-03h28.tar.gz",
    "backup-Jeedom-4.4.20-2024-11-30-00h01.tar.gz",
    "backup-Jeedom-4.4.20-0000-01-01-00h01.tar.gz",
    "backup-Jeedom-4.4.20-1969-12-31-19h01.tar.gz",
    "backup-Jeedom-4.4.20-2025-09-11-00h01.tar.gz",
    "backup-Jeedom-4.4.20-2025-09-10-04h00.tar.gz",
    "zzzz-backup-Jeedom-4.4.20-2025-09-10-03h28.tar.gz",
];

/// `backup::path` (`None`: never saved).
const PATHS: &[Option<&str>] = &[
    Some("backup"),
    None,
    Some("backup/"),
    Some("/var/www/html/backup"),
    Some("/mnt/nas/jeedom"),
    Some(""),
    Some("../../backup"),
    Some("/"),
    Some("b"),
];

/// `samba::enable` and `samba::cloudUpload` (`None`: never saved).
const SWITCHES: &[Option<&str>] = &[
    Some("1"),
    Some("0"),
    None,
    Some(""),
    Some(" 1"),
    Some("1 "),
    Some("true"),
    Some("false"),
    Some("01"),
    Some("00"),
    Some("0.0"),
    Some("-1"),
    Some("2"),
    Some("yes"),
    Some(" 0"),
    Some("0 "),
    Some("1e0"),
    Some("0x1"),
    Some("null"),
    Some("\t1"),
    Some("1\n"),
    Some("0e5"),
];

/// Whole prior values of the virtual that are not built from parts.
const RAW_VIRTUALS: &[&str] = &[
    "",
    "Sauvegarde Terminée",
    "null",
    "[]",
    "{}",
    "true",
    "false",
    "0",
    "1",
    "5",
    "1.5",
    "\"2025-09-10-03h27\"",
    "\"text\"",
    "[1,2]",
    "{\"update\":1}",
    "{\"lastSave\":",
    " {\"update\":0,\"lastSave\":\"2025-09-10-03h27\"} ",
    "{\"update\":0,\"update\":1,\"lastSave\":\"2025-09-10-03h27\"}",
    "{\"lastSave\":\"2025\\u002d09-10-03h27\",\"update\":0}",
    "{\"lastSave\":\"2025-09-10-03h27\",\"update\":0,\"backup\":{\"local\":{\"error\":0}}}",
];

/// `lastSave` of a prior value built from parts, as JSON text (`None`: the key is missing).
/// `FIRST` stands for the first night's start stamp (an `end_backup` without `begin`). Not drawn:
/// texts strtotime reads in a form the engine does not imitate (`"x"`, `1.5`, `12.5`, a stamp with a
/// trailing space; see `rules::published_start`).
const LAST_SAVES: &[Option<&str>] = &[
    Some("FIRST"),
    Some("\"2025-09-09-03h27\""),
    None,
    Some("\"\""),
    Some("\"0\""),
    Some("0"),
    Some("null"),
    Some("true"),
    Some("false"),
    Some("[]"),
    Some("{}"),
    Some("17"),
    Some("0.0"),
    Some("\"2025-02-30-03h27\""),
    Some("\"2025-09-10-24h00\""),
    Some("\"2025-09-10-03h60\""),
    Some("\"2025-13-10-03h27\""),
    Some("\"é\""),
    Some("\"2025-00-00-00h00\""),
    Some("\"0000-01-01-00h00\""),
    Some("\"2025-09-10-03h2é\""),
    Some("\"2025-09-10 03:27\""),
    Some("\" 2025-09-10-03h27\""),
];

/// `update` of a prior value built from parts, as JSON text (`None`: the key is missing).
const UPDATES: &[Option<&str>] = &[
    Some("0"),
    Some("1"),
    None,
    Some("\"1\""),
    Some("\" 1\""),
    Some("\"0\""),
    Some("\"\""),
    Some("null"),
    Some("true"),
    Some("false"),
    Some("\"abc\""),
    Some("1.0"),
    Some("0.0"),
    Some("[]"),
    Some("\"1 \""),
    Some("2"),
];

/// Other launchers of the scenario.
/// Real triggers among them fire with an empty world (no log, no files): `end_backup` twice, a
/// `begin_update` after the backup, a second `begin_backup`.
const STRAYS: &[&str] = &[
    "user",
    "api",
    "schedule",
    "",
    "BEGIN_BACKUP",
    "end_backup ",
    "0",
    "end_backup",
    "begin_update",
    "begin_backup",
];

/// Lines of a night's `log/backup`: `{today}` is the date of the end, `{begin}` of the begin,
/// `{yesterday}`/`{tomorrow}` around the end.
const LOG_LINES: &[&str] = &[
    "[{today} 03:29:40][ERROR] : Erreur sur smbclient valeur retournée : 1",
    "[{today} 03:29:40][ERROR] quota exceeded",
    "[{today} 03:29:40][error] : lowercase level",
    "[{yesterday} 23:59:40][ERROR] : dated the day before",
    "[{begin} 23:59:40][ERROR] : dated the begin's day",
    "[{tomorrow} 00:00:01][ERROR] : dated tomorrow",
    "Error during backup: Backing up database failed. Check mysqldump installation. Code: 2",
    "[END BACKUP ERROR]",
    "[{today} 03:29:41][INFO] : a message that says ERROR",
    "ERROR before [{today} the date",
    "[{today}",
    "ERROR",
    "[{today} 03:29:40][ERROR] : with a carriage return\r",
    "\r[{today}]ERROR",
    "[{today}ERROR",
    "Send backup Samba...[{today} 03:29:50][ERROR] : Erreur sur smbclient",
    "[10/09/2025 03:29:40][ERROR] : another date form",
    "[{today} 03:29:40][WARNING] : Error in lower case",
];

const LOG_HEADER: &str = "[START BACKUP]\n***************Start of Jeedom backup at {begin} 03:27:01***************\n\
Send begin backup event...OK\nChecking files rights...OK\nBacking up database...OK\nCreating archive...\nOK\n\
Cleaning old backup...OK\n";

/// Messages of a listing that throws; the one quoting credentials must come out redacted from
/// both sides.
const SAMBA_ERRORS: &[&str] = &[
    "Erreur sur smbclient valeur retournée : 1",
    "Erreur sur smbclient -U \"jeedom%s3cr3t\" //nas/backup valeur retournée : 1",
    "NT_STATUS_LOGON_FAILURE",
    "",
];

// ---- the plan ---------------------------------------------------------------------------------

/// What the Samba share lists at a night's `end_backup`.
#[derive(Debug, Clone)]
enum Samba {
    Empty,
    /// This night's archive first.
    This,
    /// The previous night's archive (or a stale one) first.
    Older,
    ThisThenOlder,
    OlderThenThis,
    /// Listing throws this message.
    Throws(usize),
    /// Names whose stamps are not this night's: a later minute, junk, an empty name.
    Later(u8),
    Junk,
    EmptyName,
}

/// Where a stray trigger falls in its night.
#[derive(Debug, Clone, Copy)]
enum When {
    Before,
    Between,
    After,
}

#[derive(Debug, Clone)]
struct Night {
    /// Days after the previous night's begin (the first night: after the plan's day).
    gap_days: u8,
    /// Index into [`STARTS`], or seconds since midnight.
    start: Result<usize, u32>,
    duration: usize,
    update_before: Option<u16>,
    has_begin: bool,
    has_end: bool,
    double_end: bool,
    /// The archive: minutes after the begin its stamp is, name form, size.
    archive: Option<(u8, usize, Result<usize, u64>)>,
    /// A second archive the same night (minutes after the begin, name form, size): two matches,
    /// the later in name order wins.
    twin: Option<(u8, usize, usize)>,
    /// The log without Jeedom's header lines (only the drawn lines; none: an empty file).
    bare_log: bool,
    odd_files: Vec<(usize, usize)>,
    /// `None`: no log file.
    log: Option<Vec<usize>>,
    samba: Samba,
    strays: Vec<(usize, When)>,
}

#[derive(Debug, Clone)]
enum Prior {
    Raw(usize),
    /// `{"lastSave":…,"update":…}`, with the 2024-08 start layout around it or not.
    Parts {
        last_save: usize,
        update: usize,
        full: bool,
    },
}

#[derive(Debug, Clone)]
struct Plan {
    jeedom: JeedomVersion,
    tz: &'static str,
    prior: Prior,
    path: usize,
    enable: usize,
    cloud: usize,
    no_cloud_backup: bool,
    day: usize,
    nights: Vec<Night>,
}

fn index(len: usize) -> impl Strategy<Value = usize> {
    // Index 0 is the plain choice each table starts with: shrinking goes there.
    0..len
}

fn night() -> impl Strategy<Value = Night> {
    let start = prop_oneof![4 => index(STARTS.len()).prop_map(Ok), 1 => (0u32..86_400).prop_map(Err)];
    let size = prop_oneof![4 => index(SIZES.len()).prop_map(Ok), 1 => (0u64..20_000_000_000).prop_map(Err)];
    let archive = prop::option::weighted(0.85, (0u8..4, index(ARCHIVE_NAMES.len()), size));
    let samba = prop_oneof![
        Just(Samba::This),
        Just(Samba::Empty),
        Just(Samba::Older),
        Just(Samba::ThisThenOlder),
        Just(Samba::OlderThenThis),
        index(SAMBA_ERRORS.len()).prop_map(Samba::Throws),
        (1u8..3).prop_map(Samba::Later),
        Just(Samba::Junk),
        Just(Samba::EmptyName),
    ];
    let when = prop_oneof![Just(When::After), Just(When::Before), Just(When::Between)];
    (
        (
            0u8..3,
            start,
            index(DURATIONS.len()),
            prop::option::weighted(0.2, 0u16..600),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.05),
        ),
        (
            archive,
            prop::collection::vec((index(ODD_FILES.len()), index(SIZES.len())), 0..3),
            prop::option::weighted(0.9, prop::collection::vec(index(LOG_LINES.len()), 0..4)),
            samba,
            prop::collection::vec((index(STRAYS.len()), when), 0..2),
        ),
        (
            prop::option::weighted(0.1, (0u8..3, index(ARCHIVE_NAMES.len()), index(SIZES.len()))),
            prop::bool::weighted(0.1),
        ),
    )
        .prop_map(
            |(
                (gap_days, start, duration, update_before, has_begin, has_end, double_end),
                (archive, odd_files, log, samba, strays),
                (twin, bare_log),
            )| Night {
                gap_days,
                start,
                duration,
                update_before,
                has_begin,
                has_end,
                double_end,
                archive,
                twin,
                bare_log,
                odd_files,
                log,
                samba,
                strays,
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    let jeedom = prop_oneof![
        5 => Just(JeedomVersion::V4_4),
        4 => Just(JeedomVersion::V4_5),
        1 => Just(JeedomVersion::V4_2),
    ];
    let tz = prop_oneof![
        8 => Just("Europe/Paris"),
        1 => Just("UTC"),
        1 => Just("America/New_York"),
        1 => Just("Australia/Lord_Howe"),
        1 => Just("America/Santiago"),
        1 => Just("Pacific/Chatham"),
    ];
    let prior = prop_oneof![
        1 => index(RAW_VIRTUALS.len()).prop_map(Prior::Raw),
        2 => (index(LAST_SAVES.len()), index(UPDATES.len()), any::<bool>())
            .prop_map(|(last_save, update, full)| Prior::Parts { last_save, update, full }),
    ];
    (
        jeedom,
        tz,
        prior,
        (index(PATHS.len()), index(SWITCHES.len()), index(SWITCHES.len())),
        prop::bool::weighted(0.15),
        index(DAYS.len()),
        prop::collection::vec(night(), 1..5),
    )
        .prop_map(
            |(jeedom, tz, prior, (path, enable, cloud), no_cloud_backup, day, nights)| Plan {
                jeedom,
                tz,
                prior,
                path,
                enable,
                cloud,
                no_cloud_backup,
                day,
                nights,
            },
        )
}

// ---- plan → timeline --------------------------------------------------------------------------

fn stamp(t: DateTime) -> String {
    t.strftime("%Y-%m-%d-%Hh%M").to_string()
}

/// `t` plus `secs` seconds as the box's clock shows it (through the time zone, so across a DST
/// jump the wall clock jumps too).
fn later(t: DateTime, secs: i64, tz: &TimeZone) -> DateTime {
    tz.to_zoned_datetime(t)
        .ok()
        .and_then(|z| z.checked_add(SignedDuration::from_secs(secs)).ok())
        .map(|z| z.datetime())
        .unwrap_or(t)
}

fn fill(template: &str, today: Date, begin: Date) -> String {
    let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    template
        .replace("{today}", &today.to_string())
        .replace("{begin}", &begin.to_string())
        .replace("{yesterday}", &day(today.yesterday().ok()))
        .replace("{tomorrow}", &day(today.tomorrow().ok()))
}

impl Plan {
    fn timeline(&self) -> Timeline {
        let tz = TimeZone::get(self.tz).expect("a known zone");
        let mut config = BTreeMap::new();
        for (key, v) in [
            ("backup::path", PATHS[self.path]),
            ("samba::enable", SWITCHES[self.enable]),
            ("samba::cloudUpload", SWITCHES[self.cloud]),
        ] {
            if let Some(v) = v {
                config.insert(key.to_owned(), v.to_owned());
            }
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut local: BTreeMap<String, u64> = BTreeMap::new();
        let mut previous_archive: Option<String> = None;
        let mut date: Date = DAYS[self.day].parse().expect("a date");
        let mut first_begin = None;
        for night in &self.nights {
            date = date
                .checked_add(Span::new().days(i64::from(night.gap_days)))
                .unwrap_or(date);
            let time = match night.start {
                Ok(i) => STARTS[i].parse::<Time>().expect("a time"),
                Err(secs) => Time::midnight()
                    .checked_add(Span::new().seconds(i64::from(secs)))
                    .unwrap_or(Time::midnight()),
            };
            let begin = date.to_datetime(time);
            first_begin.get_or_insert(begin);
            let end = later(begin, DURATIONS[night.duration], &tz);
            let mut night_steps: Vec<Step> = Vec::new();
            let strays = |when: When, at: DateTime| {
                night
                    .strays
                    .iter()
                    .filter(move |(_, w)| {
                        matches!(
                            (w, when),
                            (When::Before, When::Before) | (When::Between, When::Between) | (When::After, When::After)
                        )
                    })
                    .map(move |(i, _)| Step::new(Trigger::from(STRAYS[*i]), at))
            };
            night_steps.extend(strays(When::Before, later(begin, -90, &tz)));
            if let Some(lead) = night.update_before {
                night_steps.push(Step::new(Trigger::BeginUpdate, later(begin, -i64::from(lead), &tz)));
            }
            if night.has_begin {
                night_steps.push(Step::new(Trigger::BeginBackup, begin));
            }
            night_steps.extend(strays(When::Between, later(begin, DURATIONS[night.duration] / 2, &tz)));

            // The world at the end: this night's archive joins the folder.
            let mut this_archive = None;
            if let Some((minutes, form, size)) = &night.archive {
                let name = ARCHIVE_NAMES[*form].replace("{}", &stamp(later(begin, 60 * i64::from(*minutes), &tz)));
                let size = match size {
                    Ok(i) => SIZES[*i],
                    Err(n) => *n,
                };
                local.insert(name.clone(), size);
                this_archive = Some(name);
            }
            if let Some((minutes, form, size)) = &night.twin {
                let name = ARCHIVE_NAMES[*form].replace("{}", &stamp(later(begin, 60 * i64::from(*minutes), &tz)));
                local.insert(name, SIZES[*size]);
            }
            for (f, s) in &night.odd_files {
                local.insert(ODD_FILES[*f].to_owned(), SIZES[*s]);
            }
            let log = night.log.as_ref().map(|lines| {
                let mut text = if night.bare_log {
                    String::new()
                } else {
                    fill(LOG_HEADER, end.date(), begin.date())
                };
                for l in lines {
                    text.push_str(&fill(LOG_LINES[*l], end.date(), begin.date()));
                    text.push('\n');
                }
                text
            });
            let this = this_archive
                .clone()
                .unwrap_or_else(|| format!("backup-Jeedom-4.4.20-{}.tar.gz", stamp(begin)));
            let older = previous_archive
                .clone()
                .unwrap_or_else(|| "backup-Jeedom-4.4.20-2025-09-09-03h27.tar.gz".to_owned());
            let samba = match &night.samba {
                Samba::Empty => Ok(vec![]),
                Samba::This => Ok(vec![this.clone()]),
                Samba::Older => Ok(vec![older]),
                Samba::ThisThenOlder => Ok(vec![this.clone(), older]),
                Samba::OlderThenThis => Ok(vec![older, this.clone()]),
                Samba::Throws(i) => Err(SAMBA_ERRORS[*i].to_owned()),
                Samba::Later(m) => Ok(vec![format!(
                    "backup-Jeedom-4.4.20-{}.tar.gz",
                    stamp(later(begin, 60 * i64::from(*m), &tz))
                )]),
                Samba::Junk => Ok(vec!["a".to_owned(), this.clone()]),
                Samba::EmptyName => Ok(vec![String::new()]),
            };
            let world_step = |trigger: Trigger, at: DateTime| {
                let mut s = Step::new(trigger, at);
                if let Some(log) = &log {
                    s.logs.insert(LogName::Backup, log.clone().into_bytes().into());
                }
                s.local = local
                    .iter()
                    .map(|(name, size)| LocalFile {
                        name: name.clone(),
                        size: *size,
                    })
                    .collect();
                s.samba = samba.clone().map(Into::into);
                s
            };
            if night.has_end {
                night_steps.push(world_step(Trigger::EndBackup, end));
                if night.double_end {
                    night_steps.push(world_step(Trigger::EndBackup, later(end, 30, &tz)));
                }
            }
            night_steps.extend(strays(When::After, later(end, 300, &tz)));
            // Real triggers come in time order: a night never starts before the last one ended.
            for mut s in night_steps {
                if let Some(last) = steps.last().filter(|last| s.at < last.at) {
                    s.at = last.at;
                }
                steps.push(s);
            }
            if this_archive.is_some() {
                previous_archive = this_archive;
            }
        }
        let initial_virtual = match &self.prior {
            Prior::Raw(i) => RAW_VIRTUALS[*i].to_owned(),
            Prior::Parts {
                last_save,
                update,
                full,
            } => {
                let mut parts = Vec::new();
                if *full {
                    parts.push(r#""date":"","heure":"","minSizeBackup":"100 MB""#.to_owned());
                }
                if let Some(l) = LAST_SAVES[*last_save] {
                    let l = match (l, first_begin) {
                        ("FIRST", Some(b)) => format!("\"{}\"", stamp(b)),
                        ("FIRST", None) => "\"\"".to_owned(),
                        (l, _) => l.to_owned(),
                    };
                    parts.push(format!(r#""lastSave":{l}"#));
                }
                if let Some(u) = UPDATES[*update] {
                    parts.push(format!(r#""update":{u}"#));
                }
                if *full {
                    parts.push(r#""action":"startBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"error":-1,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}"#.to_owned());
                }
                format!("{{{}}}", parts.join(","))
            }
        };
        Timeline {
            jeedom: self.jeedom,
            initial_virtual,
            config,
            no_cloud_backup: self.no_cloud_backup,
            tz: self.tz.to_owned(),
            steps,
        }
    }
}

// ---- the comparison ---------------------------------------------------------------------------

/// The first step where the two replays differ, in words.
fn first_difference(rust: &Replay, php: &Replay) -> Option<String> {
    if rust.steps.len() != php.steps.len() {
        return Some(format!(
            "{} steps in Rust, {} in php",
            rust.steps.len(),
            php.steps.len()
        ));
    }
    for (a, b) in rust.steps.iter().zip(&php.steps) {
        let what = format!("step {} ({} at {})", a.index + 1, a.trigger, format_at(a.at));
        if a.crashed() != b.crashed() || !same_crash_message(a.crash.as_deref(), b.crash.as_deref()) {
            return Some(format!("{what}: crash\n  rust {:?}\n  php  {:?}", a.crash, b.crash));
        }
        if a.virtual_value != b.virtual_value {
            return Some(format!(
                "{what}: virtual\n  rust {}\n  php  {}",
                a.virtual_value, b.virtual_value
            ));
        }
        if a.tags != b.tags {
            return Some(format!("{what}: tags\n  rust {:?}\n  php  {:?}", a.tags, b.tags));
        }
    }
    None
}

/// Crash messages are PHP 8.2's own `Class: message`, but for one: on Jeedom 4.5 the 2022-01
/// and 2023-03 revisions call a method that no longer exists, and the Rust profile says so in
/// words instead of PHP's `Call to undefined method scenario::getRealTrigger()`.
fn same_crash_message(rust: Option<&str>, php: Option<&str>) -> bool {
    rust == php
        || (rust == Some(engine::Crash::TriggerAccessorGone.php_message().as_str())
            && php == Some("Error: Call to undefined method scenario::getRealTrigger()"))
}

/// The timeline as a conformance vector whose `expect` is what php did.
fn vector(rev: Profile, t: &Timeline, php: &Replay) -> Vector {
    let json = serde_json::to_string(t).expect("a timeline serializes");
    let name = format!("diff-{:016x}", fnv(json.as_bytes()));
    Vector {
        name,
        code: rev,
        description: "drawn by tests/integration/differential.rs; expect is the published block under php-cli"
            .to_owned(),
        case: t.clone(),
        expect: php
            .steps
            .iter()
            .map(|s| Expected {
                trigger: s.trigger.to_string(),
                at: format_at(s.at),
                virtual_value: s.virtual_value.clone(),
                tags: s.tags.clone(),
                crashed: s.crashed(),
            })
            .collect(),
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

struct Revision {
    rev: Profile,
    rust: ProfileConfig,
    php: ProfileConfig,
}

fn revisions(dir: &Path) -> Vec<Revision> {
    Profile::FAITHFUL
        .into_iter()
        .map(|rev| {
            let path: PathBuf = dir.join(format!("info-backup-{}.json", rev.as_str()));
            Revision {
                rev,
                rust: ProfileConfig::builtin(rev),
                php: phprun::profile(&path).expect("the published template loads"),
            }
        })
        .collect()
}

/// Replays `t` with every revision; the first difference, with the timeline as a vector.
fn check(revs: &[Revision], t: &Timeline) -> Result<(), TestCaseError> {
    for r in revs {
        let rust = engine::replay_in_memory(t, &r.rust).map_err(|e| TestCaseError::fail(format!("rust: {e}")))?;
        let php = engine::replay_in_memory(t, &r.php).map_err(|e| TestCaseError::fail(format!("php: {e}")))?;
        if let Some(d) = first_difference(&rust, &php) {
            let v = vector(r.rev, t, &php);
            let text = serde_json::to_string_pretty(&v).expect("a vector serializes");
            // Also written out, so that a long run's last (shrunk) failure is a file to copy.
            let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}.{}.json", r.rev, v.name));
            let _ = std::fs::write(&file, &text);
            return Err(TestCaseError::fail(format!(
                "{} differs from the published block: {d}\n\nAs a conformance vector (also in {}; save it as \
                 tests/data/conformance/diff/{}.{}.json):\n{text}\n",
                r.rev,
                file.display(),
                r.rev,
                v.name
            )));
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CASES)
}

#[test]
fn differential_rust_profiles_match_the_published_blocks_under_php() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let revs = revisions(&dir);
    let cases = cases();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // The failure message is a whole vector: a few hundred shrink steps are plenty.
        max_shrink_iters: 2048,
        ..Config::default()
    });
    let started = Instant::now();
    let steps = std::cell::Cell::new(0usize);
    let result = runner.run(&plan(), |p| {
        let t = p.timeline();
        steps.set(steps.get() + t.steps.len());
        check(&revs, &t)
    });
    match result {
        Ok(()) => eprintln!(
            "differential: {cases} timelines x {} revisions ({} triggers each), no difference, {:.1} s",
            revs.len(),
            steps.get(),
            started.elapsed().as_secs_f64()
        ),
        Err(TestError::Fail(why, plan)) => panic!("{why}\nminimal plan: {plan:#?}"),
        Err(TestError::Abort(why)) => panic!("aborted: {why}"),
    }
}

/// The vector a failure prints is a ready regression: it parses back to the same timeline, php
/// passes it, and the Rust profile is checked against it like any vector of the folder.
#[test]
fn a_printed_vector_round_trips_and_php_passes_it() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let revs = revisions(&dir);
    let mut runner = TestRunner::deterministic();
    for _ in 0..8 {
        let p = plan().new_tree(&mut runner).unwrap().current();
        let t = p.timeline();
        for r in &revs {
            let php = engine::replay_in_memory(&t, &r.php).unwrap();
            let v = vector(r.rev, &t, &php);
            let text = serde_json::to_string_pretty(&v).unwrap();
            let back = conformance::parse(&text, Path::new("drawn.json")).unwrap();
            assert_eq!(back, v);
            assert_eq!(conformance::check_with(&back, &r.php).unwrap(), Verdict::Pass);
            // The Rust profile fails the vector exactly when the replays differ.
            let rust = engine::replay_in_memory(&t, &r.rust).unwrap();
            assert_eq!(
                conformance::check_with(&back, &r.rust).unwrap() == Verdict::Pass,
                first_difference(&rust, &php).is_none()
            );
        }
    }
}

/// `DIFFERENTIAL_REPLAY=FILE.json`: the case of a vector (or one a failure printed) replayed
/// again, printed back as a vector whose `expect` is what php does now, with any difference of
/// each revision. For turning a fixed difference into a regression vector.
#[test]
fn differential_replay_of_a_vector_file() {
    let Some(file) = std::env::var_os("DIFFERENTIAL_REPLAY") else {
        return;
    };
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let v = conformance::load(Path::new(&file)).unwrap();
    let revs = revisions(&dir);
    let r = revs.iter().find(|r| r.rev == v.code).unwrap();
    let php = engine::replay_in_memory(&v.case, &r.php).unwrap();
    let rust = engine::replay_in_memory(&v.case, &r.rust).unwrap();
    eprintln!("{}: {:?}", v.code, first_difference(&rust, &php));
    let mut again = vector(v.code, &v.case, &php);
    again.name = v.name;
    again.description = v.description;
    println!("{}", serde_json::to_string_pretty(&again).unwrap());
}

/// Found by the differential test: the php runner passed a Samba error's credentials through in
/// the crash message, where the Rust profiles redact them. Both redact now.
#[test]
fn a_listing_error_quoting_credentials_is_redacted_on_both_sides() {
    let Some(dir) = published() else { return };
    if !require_php() {
        return;
    }
    let t: Timeline = serde_json::from_str(
        r#"{"jeedom":"4.4","initial_virtual":"{\"lastSave\":\"2025-09-10-03h27\",\"update\":0}",
            "config":{"backup::path":"backup","samba::enable":"1","samba::cloudUpload":"1"},
            "steps":[{"trigger":"end_backup","at":"2025-09-10 03:30:33",
                      "samba_error":"Erreur sur smbclient -U \"jeedom%s3cr3t\" //nas/backup"}]}"#,
    )
    .unwrap();
    for r in revisions(&dir) {
        let php = engine::replay_in_memory(&t, &r.php).unwrap();
        let rust = engine::replay_in_memory(&t, &r.rust).unwrap();
        let crash = php.steps[0].crash.as_deref().unwrap();
        assert!(crash.starts_with("Exception: Erreur sur smbclient -U"), "{crash}");
        assert!(!crash.contains("s3cr3t") && !crash.contains("jeedom%"), "{crash}");
        assert_eq!(php.steps[0].crash, rust.steps[0].crash, "{}", r.rev);
    }
}
