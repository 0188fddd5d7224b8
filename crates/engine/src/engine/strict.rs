//! The `strict` profile: the same JSON shape and flags as `v2024-08` (so the same widget shows
//! it), with the blind spots of `docs/scenario.md#blind-spots` closed. It reads the parsed log model
//! (`crate::log`) of *this run* instead of grepping the whole file.
//!
//! Differences from `v2024-08`, each next to the rule that makes it (numbers refer to that list of
//! blind spots):
//! - **Never crashes** (6): a virtual that is empty, not JSON, or not an object reads as "no
//!   previous state"; a listing failure is a flag, not an exception.
//! - **Which log** (7): a core update's backup (`update=1`, or `NO_CLOUD_BACKUP`) printed into
//!   `log/update`; otherwise the run is looked for in `log/backup`, then in
//!   `log/cron_execution` (the daily cron backup's echoed text); [`choose_run`].
//! - **This run, not the file, not "today"** (2): the run is the one whose banner time matches
//!   the start stamp; errors are the logger lines at ERROR or above dated from that run's start
//!   to now, whatever the day ([`decide_log`]).
//! - **A failed backup is a failure** (1): `[END BACKUP ERROR]` sets errorLog, and so does a
//!   begin with no end after the watchdog timeout (checked on any non-backup trigger, e.g. a
//!   `schedule` step); [`watchdog`].
//! - **Uploads from the log** (3): errorSamba and errorMarket come from the run's
//!   `Send backup …` outcome (`/!\ … /!\` is a failure) and, for Samba, from the listing.
//! - **The archive by its exact name** (4): the name the log printed (`Backup name: …`), with
//!   the stamp rule as a fallback when the log printed none.
//! - **Samba keys** (5): never-saved keys are disabled on any PHP; a listing error sets
//!   errorSamba=1 with its message.
//! - Other launchers (`user`, `schedule`) do not reset the tile: the virtual is kept unless the
//!   watchdog finds a failure.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::log::{self, GrowingLog, LogView, RunEnd, UploadOutcome};
use crate::php::{self, PhpVersion, Value};
use crate::redact::redact_text;
use crate::world::{LogName, Trigger, World, WorldError, format_at};

use super::evidence::{self, Archives, Evidence, LogLine, Repo, Rule, SambaSkip, StampMissing, TriggerSource};
use super::faithful::{self, Vars};
use super::rules;
use super::state::{Action, Flag, FlagKind, ScenarioState};
use super::{BlockInput, BlockOutput};

/// How far before the start stamp a run's banner may be (listeners of the begin event run
/// before the scenario), and after it (the stamp is the minute, floored).
const BANNER_BEFORE_STAMP_S: i64 = 15 * 60;
const BANNER_AFTER_STAMP_S: i64 = 60;

pub(crate) fn run(input: &BlockInput<'_>, world: &mut dyn World) -> Result<(BlockOutput, Evidence), WorldError> {
    let cfg = input.config;
    let source = if input.jeedom.trigger_from_tag() {
        TriggerSource::Tag
    } else {
        TriggerSource::Accessor
    };
    let mut ev = Evidence::new(
        cfg.name(),
        source,
        cfg.min_size,
        Rule::OtherTrigger {
            trigger: input.trigger.to_string(),
        },
    );
    // Blind spot 6: anything that is not a JSON object is "no previous state", never a crash.
    let j = match php::json_decode(input.last_save_tag) {
        Some(v @ Value::Array(_)) => v,
        _ => Value::Null,
    };
    let mut v = Vars::start(cfg);
    let begin_rule = || Rule::BeginStart {
        trigger: input.trigger.to_string(),
    };
    match input.trigger {
        Trigger::BeginUpdate | Trigger::BeginBackup => {
            if *input.trigger == Trigger::BeginUpdate {
                v.begin(Action::StartUpdate);
                v.update = true;
            } else {
                v.begin(Action::StartBackup);
                v.update = update_is(&j, 1);
            }
            for k in FlagKind::ALL {
                ev.set(k, *v.flag_mut(k), begin_rule());
            }
            Ok((BlockOutput::Written(v.end(cfg, input.now)), ev))
        }
        Trigger::EndBackup => {
            v.action = Action::EndBackup;
            let l = match &j {
                Value::Array(a) => a.get("lastSave").cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            };
            if php::empty(&l) || matches!(l, Value::Array(_)) {
                let why = StampMissing::of(input.last_save_tag, &j);
                for k in FlagKind::ALL {
                    ev.set(k, *v.flag_mut(k), Rule::NoStamp { why: why.clone() });
                }
                return Ok((BlockOutput::Written(v.end(cfg, input.now)), ev));
            }
            let mut l_text = String::from_utf8_lossy(&php::to_string(&l)).into_owned();
            let update = update_is(&j, 1);
            let update_known = matches!(&j, Value::Array(a) if a.contains_key("update"));
            // An end with no begin before it (the virtual does not say "in progress"): its
            // lastSave is an older end time, not this backup's start. The log's latest run is
            // this backup, and the scenario missed its begin.
            let begin_seen = matches!(&j, Value::Array(a) if a.get("action").is_some_and(|x| {
                php::loose_eq(x, &Value::str("startBackup"), PhpVersion::Php8) || php::loose_eq(x, &Value::str("startUpdate"), PhpVersion::Php8)
            }));
            let mut unseen_since = None;
            if !begin_seen {
                let no_cloud = world.no_cloud_backup()?;
                let (found, _) = choose_run(input, world, None, update || no_cloud)?;
                if let Some((t, _)) = found.as_ref().and_then(Found::run).and_then(|r| r.start.as_ref()) {
                    l_text = rules::stamp(*t);
                    unseen_since = Some(format_at(*t));
                }
            }
            let begin = Begin {
                stamp: l_text,
                update,
                update_known,
                written_by: evidence::written_by(&j),
            };
            let mut v = end_checks(v, input, world, &mut ev, begin, None)?;
            if !begin_seen {
                v.scenario = Flag::Error;
                ev.set(
                    FlagKind::Scenario,
                    v.scenario,
                    Rule::BeginNotSeen { since: unseen_since },
                );
            }
            Ok((BlockOutput::Written(v.end(cfg, input.now)), ev))
        }
        Trigger::Other(_) => watchdog(v, input, world, ev),
    }
}

/// `$J['update'] == n` without PHP 8's crash on a non-array.
fn update_is(j: &Value, n: i64) -> bool {
    matches!(j, Value::Array(a) if a.get("update").is_some_and(|u| php::loose_eq(u, &Value::Int(n), PhpVersion::Php8)))
}

/// What is known of the backup being checked.
struct Begin {
    /// The start stamp `L` (`YYYY-MM-DD-HHhMM`).
    stamp: String,
    /// The backup was made for a core update.
    update: bool,
    /// The virtual said whether it was an update (the published Samba gate needs the key).
    update_known: bool,
    /// The trigger that wrote the start stamp (see [`evidence::written_by`]).
    written_by: Option<String>,
}

/// Why the watchdog ends a backup that Jeedom never ended.
enum Forced {
    Failed {
        log: LogName,
        message: Option<String>,
        line: Option<usize>,
        end_marker: bool,
    },
    TimedOut {
        since: String,
        waited_s: u64,
        timeout_s: u64,
    },
}

/// The logs of a replay, each parsed once as it grows from trigger to trigger (a step's log is
/// a longer view of the same buffer): the strict profile reads every log through it, and the
/// published profiles scan `log/backup` for dated error lines through `published`.
#[derive(Debug, Default)]
pub(crate) struct ParsedLogs {
    backup: GrowingLog,
    update: GrowingLog,
    cron_execution: GrowingLog,
    pub(crate) published: super::rules::DatedErrorScan,
}

impl ParsedLogs {
    /// The model of `name` as the world gives it now.
    fn read(&mut self, world: &mut dyn World, name: LogName) -> Result<(crate::world::LogBytes, LogView), WorldError> {
        let bytes = world.log(name)?;
        let log = match name {
            LogName::Backup => &mut self.backup,
            LogName::Update => &mut self.update,
            LogName::CronExecution => &mut self.cron_execution,
        };
        let view = log.view(&bytes);
        Ok((bytes, view))
    }
}

/// A run found in a log, with the model it came from and the log's bytes (to quote lines as
/// written).
struct Found {
    log: LogName,
    bytes: crate::world::LogBytes,
    model: LogView,
    index: usize,
}

impl Found {
    fn run(&self) -> Option<&log::Run> {
        self.model.run(self.index)
    }
}

/// Blind spot 7: the log a run was written to. An update's backup printed into `log/update`;
/// otherwise `log/backup`, then `log/cron_execution`. The run is the last one whose banner
/// time is at most 15 minutes before the start stamp and before the stamp's next minute; a run
/// whose beginning was cut off (no banner) counts when it is the log's last run.
fn choose_run(
    input: &BlockInput<'_>,
    world: &mut dyn World,
    begin: Option<DateTime>,
    update: bool,
) -> Result<(Option<Found>, Vec<LogName>), WorldError> {
    let order: &[LogName] = if update {
        &[LogName::Update, LogName::Backup]
    } else {
        &[LogName::Backup, LogName::CronExecution]
    };
    for &name in order {
        let (bytes, model) = input.logs.borrow_mut().read(world, name)?;
        if let Some(index) = find_run(&model, begin) {
            return Ok((
                Some(Found {
                    log: name,
                    bytes,
                    model,
                    index,
                }),
                order.to_vec(),
            ));
        }
    }
    Ok((None, order.to_vec()))
}

fn find_run(model: &LogView, begin: Option<DateTime>) -> Option<usize> {
    let Some(begin) = begin else {
        return model.run_count().checked_sub(1);
    };
    let lo = begin
        .checked_sub(jiff::SignedDuration::from_secs(BANNER_BEFORE_STAMP_S))
        .ok()?;
    let hi = begin
        .checked_add(jiff::SignedDuration::from_secs(BANNER_AFTER_STAMP_S))
        .ok()?;
    let by_time = (0..model.run_count()).rev().find(|&i| {
        model
            .run(i)
            .and_then(|r| r.start.as_ref())
            .is_some_and(|(t, _)| *t >= lo && *t < hi)
    });
    by_time.or_else(|| {
        let last = model.run_count().checked_sub(1)?;
        model.run(last).filter(|r| r.start.is_none()).map(|_| last)
    })
}

/// The first failed run at or after `index` (this run, or one that started after it): its
/// message, the line of its end marker (else of its message), and whether it has the marker.
fn failure_from(found: &Found) -> Option<(Option<String>, Option<usize>, bool)> {
    found.model.runs().skip(found.index).find_map(|r| match &r.end {
        RunEnd::Failed {
            message,
            at,
            end_marker,
            ..
        } => {
            let line = end_marker.as_ref().unwrap_or(at).line;
            Some((message.clone(), Some(line as usize), end_marker.is_some()))
        }
        _ => None,
    })
}

/// The run's start as a person reads it: the banner's exact time when the log gives it, else
/// the start stamp's minute. The text is `YYYY-MM-DD HH:MM:SS` for a banner, and the stamp
/// itself (`YYYY-MM-DD-HHhMM`) otherwise, so no second is made up.
fn shown_start(found: Option<&Found>, stamp_time: DateTime) -> (DateTime, String) {
    match found.and_then(Found::run).and_then(|r| r.start.as_ref()) {
        Some((t, _)) => (*t, format_at(*t)),
        None => (stamp_time, rules::stamp(stamp_time)),
    }
}

/// `end_backup` (or a watchdog verdict) once the start stamp is known.
fn end_checks(
    mut v: Vars,
    input: &BlockInput<'_>,
    world: &mut dyn World,
    ev: &mut Evidence,
    begin: Begin,
    forced: Option<Forced>,
) -> Result<Vars, WorldError> {
    let cfg = input.config;
    v.action = Action::EndBackup;
    v.scenario = Flag::Ok;
    let l = begin.stamp.as_bytes();
    v.date = super::PhpString(php::substr(l, 0, Some(10)));
    v.heure = super::PhpString(php::substr(l, -5, None));
    let start = rules::parse_stamp(l);
    let later = start
        .map(|t| rules::later_stamps(t, input.tz, cfg.stamp_tolerance_s / 60))
        .unwrap_or_default();
    ev.last_save = Some(begin.stamp.clone());
    ev.later_stamps = later.clone();
    ev.set(
        FlagKind::Scenario,
        Flag::Ok,
        Rule::StampFound {
            last_save: begin.stamp.clone(),
            written_by: begin.written_by.clone(),
        },
    );

    let no_cloud = world.no_cloud_backup()?;
    let (found, searched) = choose_run(input, world, start, begin.update || no_cloud)?;
    ev.log_file = Some(
        found
            .as_ref()
            .map(|f| f.log)
            .unwrap_or_else(|| searched.first().copied().unwrap_or(LogName::Backup)),
    );

    // errorLog.
    if !cfg.checks.log {
        v.log = Flag::Disabled;
        ev.set(FlagKind::Log, v.log, Rule::CheckDisabled);
    } else {
        let (flag, rule) = decide_log(input, world, found.as_ref(), start, forced, &searched)?;
        v.log = flag;
        ev.set(FlagKind::Log, flag, rule);
    }

    // errorLocal, errorSize. Blind spot 4: the exact name the log printed, else the stamps.
    let run = found.as_ref().and_then(Found::run);
    let printed = run
        .and_then(|r| r.archive.as_ref())
        .map(|a| (a.file_name.clone(), a.at.line as usize));
    if cfg.checks.local || cfg.checks.size {
        let files = world.local_files()?;
        let gz = rules::archives(&files);
        let names = || Archives::of(&files);
        let l_value = Value::str(&begin.stamp);
        let (hit, missing) = match &printed {
            Some((name, line)) => (
                files.iter().find(|f| &f.name == name).map(|f| {
                    let stamp = String::from_utf8_lossy(&rules::file_stamp(f.name.as_bytes())).into_owned();
                    (f, stamp, Some(*line))
                }),
                Rule::ArchiveMissing {
                    stamps: Vec::new(),
                    expected_name: Some(name.clone()),
                    named_at: Some(*line),
                    archives: names(),
                },
            ),
            None => {
                let mut hit = None;
                for f in &gz {
                    let stamp = rules::file_stamp(f.name.as_bytes());
                    if rules::stamp_matches(&stamp, &l_value, &later, PhpVersion::Php8) {
                        hit = Some((*f, String::from_utf8_lossy(&stamp).into_owned(), None));
                    }
                }
                let mut stamps = vec![begin.stamp.clone()];
                stamps.extend(later.iter().cloned());
                (
                    hit,
                    Rule::ArchiveMissing {
                        stamps,
                        expected_name: None,
                        named_at: None,
                        archives: names(),
                    },
                )
            }
        };
        faithful::decide_archive(&mut v, cfg, hit, missing, ev);
    } else {
        v.archive = Some(super::ArchiveField::NotFound);
        v.local = Flag::Disabled;
        v.size = Flag::Disabled;
        ev.set(FlagKind::Local, v.local, Rule::CheckDisabled);
        ev.set(FlagKind::Size, v.size, Rule::CheckDisabled);
    }
    let archive_name = match &v.archive {
        Some(super::ArchiveField::Found { file_name, .. }) => Some(file_name.clone()),
        _ => printed.map(|(name, _)| name),
    };

    // Remote uploads are skipped for an update's backup, as in the published code.
    let skip = if !begin.update_known {
        Some(SambaSkip::UpdateMissing)
    } else if begin.update {
        Some(SambaSkip::UpdateBackup { update: "1".into() })
    } else if no_cloud {
        Some(SambaSkip::NoCloudBackup)
    } else {
        None
    };

    // errorSamba. Blind spots 3 and 5.
    if !cfg.checks.samba {
        ev.set(FlagKind::Samba, v.samba, Rule::CheckDisabled);
    } else if let Some(why) = skip.clone() {
        ev.set(FlagKind::Samba, v.samba, Rule::SambaSkipped(why));
    } else {
        let enable = world.config("samba::enable")?;
        let cloud = world.config("samba::cloudUpload")?;
        if enable.is_empty() || cloud.is_empty() {
            let keys = faithful::empty_keys(&enable, &cloud);
            ev.set(
                FlagKind::Samba,
                v.samba,
                Rule::SambaSkipped(SambaSkip::NeverSaved { keys }),
            );
        } else if rules::key_is_off(&enable, PhpVersion::Php8) || rules::key_is_off(&cloud, PhpVersion::Php8) {
            ev.set(
                FlagKind::Samba,
                v.samba,
                Rule::SambaSkipped(SambaSkip::KeysDisabled {
                    enable,
                    cloud_upload: cloud,
                }),
            );
        } else {
            let (flag, rule) = decide_samba(world, run, &begin.stamp, &later, archive_name.as_deref())?;
            v.samba = flag;
            ev.set(FlagKind::Samba, flag, rule);
        }
    }

    // errorMarket: from the run's upload; -1 when the run has none (Market not in use).
    if !cfg.checks.market {
        ev.set(FlagKind::Market, v.market, Rule::CheckDisabled);
    } else if let Some(why) = skip {
        ev.set(FlagKind::Market, v.market, Rule::MarketSkipped(why));
    } else {
        let (flag, rule) = match run {
            Some(r) => upload_verdict(r, Repo::Market)
                .unwrap_or((Flag::Disabled, Rule::UploadNotConfigured { repo: Repo::Market })),
            _ => (Flag::Disabled, Rule::NoRun { logs: searched.clone() }),
        };
        v.market = flag;
        ev.set(FlagKind::Market, flag, rule);
    }
    Ok(v)
}

/// Blind spots 1 and 2: errorLog for this run. A failed run (this one, or one that started after
/// it) or a watchdog verdict is an error; otherwise the logger lines at ERROR and above dated
/// from the run's start (or the start stamp) to now, in `log/backup` where the logger writes,
/// and in the run itself.
fn decide_log(
    input: &BlockInput<'_>,
    world: &mut dyn World,
    found: Option<&Found>,
    start: Option<DateTime>,
    forced: Option<Forced>,
    searched: &[LogName],
) -> Result<(Flag, Rule), WorldError> {
    match forced {
        Some(Forced::Failed {
            log,
            message,
            line,
            end_marker,
        }) => {
            let message = message.unwrap_or_default();
            return Ok((
                Flag::Error,
                Rule::RunFailed {
                    log,
                    message,
                    line,
                    end_marker,
                },
            ));
        }
        Some(Forced::TimedOut {
            since,
            waited_s,
            timeout_s,
        }) => {
            return Ok((
                Flag::Error,
                Rule::RunTimedOut {
                    since,
                    waited_s,
                    timeout_s,
                },
            ));
        }
        None => {}
    }
    if let Some(f) = found
        && let Some((message, line, end_marker)) = failure_from(f)
    {
        let message = message.unwrap_or_default();
        return Ok((
            Flag::Error,
            Rule::RunFailed {
                log: f.log,
                message,
                line,
                end_marker,
            },
        ));
    }
    let run_start = found
        .and_then(Found::run)
        .and_then(|r| r.start.as_ref().map(|(t, _)| *t));
    let since = match (run_start, start) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut lines: Vec<(LogName, LogLine)> = Vec::new();
    let in_window = |t: &DateTime| since.is_none_or(|s| *t >= s) && *t <= input.now;
    // Quoted as written: the raw text of the logger line's span in the log it came from.
    let push = |lines: &mut Vec<(LogName, LogLine)>, name: LogName, bytes: &[u8], l: &log::LoggerLine| {
        let line = l.at.line as usize;
        if l.level.is_error() && in_window(&l.time) && !lines.iter().any(|(n, x)| *n == name && x.line == line) {
            let quoted = match l.at.bytes(bytes) {
                Some(raw) => LogLine::as_written(line, raw),
                None => {
                    let text = format!("[{}][{}] {}", format_at(l.time), l.level, l.message);
                    LogLine::as_written(line, text.as_bytes())
                }
            };
            lines.push((name, quoted));
        }
    };
    if let Some(f) = found
        && let Some(r) = f.run()
    {
        for l in r.errors() {
            push(&mut lines, f.log, &f.bytes, l);
        }
    }
    // The logger always writes to log/backup, wherever the echoed text went.
    let backup = match found {
        Some(f) if f.log == LogName::Backup => None,
        _ => Some(input.logs.borrow_mut().read(world, LogName::Backup)?),
    };
    let model = match (found, &backup) {
        (_, Some((bytes, m))) => Some((&bytes[..], m)),
        (Some(f), None) => Some((&f.bytes[..], &f.model)),
        (None, None) => None,
    };
    if let Some((bytes, m)) = model {
        for l in m.all_logger_lines() {
            push(&mut lines, LogName::Backup, bytes, l);
        }
    }
    // Shown as the banner's exact time when the log gives it (the window above starts at the
    // earlier of the banner and the stamp's minute).
    let since_text = match (run_start, start) {
        (Some(t), _) => format_at(t),
        (None, Some(t)) => rules::stamp(t),
        (None, None) => String::new(),
    };
    let run = found.and_then(Found::run);
    let banner_line = run.and_then(|r| r.start.as_ref()).map(|(_, at)| at.line as usize);
    let (success_line, without_marker) = match run.map(|r| &r.end) {
        Some(RunEnd::Success { at, without_marker }) => (Some(at.line as usize), *without_marker),
        _ => (None, false),
    };
    Ok(match (lines.is_empty(), found) {
        (false, _) => {
            let log = lines.first().map(|(n, _)| *n).unwrap_or(LogName::Backup);
            (
                Flag::Error,
                Rule::LoggerErrors {
                    log,
                    since: since_text,
                    lines: lines.into_iter().map(|(_, l)| l).collect(),
                },
            )
        }
        (true, Some(f)) => (
            Flag::Ok,
            Rule::RunClean {
                log: Some(f.log),
                since: since_text,
                banner_line,
                success_line,
                without_marker,
            },
        ),
        // No trace of the run: only the logger lines could be checked.
        (true, None) => {
            let _ = searched;
            (
                Flag::Ok,
                Rule::RunClean {
                    log: None,
                    since: since_text,
                    banner_line: None,
                    success_line: None,
                    without_marker: false,
                },
            )
        }
    })
}

/// The outcome of the run's upload to `repo`, when it has one.
fn upload_verdict(run: &log::Run, repo: Repo) -> Option<(Flag, Rule)> {
    let want = match repo {
        Repo::Samba => log::Repo::Samba,
        Repo::Market => log::Repo::Market,
    };
    let up = run.uploads.iter().rev().find(|u| u.repo == want)?;
    Some(match &up.outcome {
        UploadOutcome::Ok => (
            Flag::Ok,
            Rule::UploadOk {
                repo,
                line: up.ok_at.as_ref().unwrap_or(&up.at).line as usize,
            },
        ),
        UploadOutcome::Failed { message } => (
            Flag::Error,
            Rule::UploadFailed {
                repo,
                message: redact_text(message),
                line: up.failure_at.as_ref().unwrap_or(&up.at).line as usize,
            },
        ),
        UploadOutcome::Unfinished => return None,
    })
}

/// errorSamba: a failed upload in the log is an error; a run with no Samba upload while Samba
/// is on is an error; otherwise the share's newest file must be this archive (by name when it
/// is known, else by stamp). A listing failure is an error with its message, not a crash.
fn decide_samba(
    world: &mut dyn World,
    run: Option<&log::Run>,
    stamp: &str,
    later: &[String],
    archive: Option<&str>,
) -> Result<(Flag, Rule), WorldError> {
    let mut upload_line = None;
    if let Some(r) = run {
        match upload_verdict(r, Repo::Samba) {
            Some((Flag::Error, rule)) => return Ok((Flag::Error, rule)),
            Some((_, Rule::UploadOk { line, .. })) => upload_line = Some(line),
            Some(_) => {}
            None if r.uploads.iter().all(|u| u.repo != log::Repo::Samba) && r.end != RunEnd::Unterminated => {
                return Ok((Flag::Error, Rule::UploadMissing { repo: Repo::Samba }));
            }
            None => {}
        }
    }
    Ok(match world.samba_listing()? {
        Err(message) => (
            Flag::Error,
            Rule::SambaListingFailed {
                message: redact_text(&message),
            },
        ),
        Ok(list) => match list.first() {
            None => (
                Flag::Error,
                Rule::SambaEmpty {
                    never_saved: Vec::new(),
                },
            ),
            Some(newest) => {
                let newest_stamp = String::from_utf8_lossy(&rules::file_stamp(newest.as_bytes())).into_owned();
                let matched = match archive {
                    Some(name) => newest == name || newest.rsplit('/').next() == Some(name),
                    None => newest_stamp == stamp || later.contains(&newest_stamp),
                };
                let mut expected_stamps = vec![stamp.to_owned()];
                expected_stamps.extend(later.iter().cloned());
                (
                    Flag::from_error(!matched),
                    Rule::SambaNewest {
                        newest: newest.clone(),
                        stamp: newest_stamp,
                        matched,
                        expected_stamps,
                        expected_name: archive.map(str::to_owned),
                        never_saved: Vec::new(),
                        upload_line,
                    },
                )
            }
        },
    })
}

/// Blind spot 1, on any other trigger (a `schedule` watchdog): a backup that began and failed,
/// or has not ended after the timeout, is reported as a failed backup; a backup still within
/// the timeout, or no backup in progress, leaves the virtual as it is. A run that failed after
/// the last value was written (its begin was never seen) is reported too.
fn watchdog(
    v: Vars,
    input: &BlockInput<'_>,
    world: &mut dyn World,
    mut ev: Evidence,
) -> Result<(BlockOutput, Evidence), WorldError> {
    let cfg = input.config;
    let prev = ScenarioState::from_json(input.last_save_tag);
    let unchanged = |ev: &mut Evidence, rule: Rule, prev: Option<ScenarioState>| {
        for k in FlagKind::ALL {
            let flag = prev.as_ref().map(|p| p.flag(k)).unwrap_or(Flag::Disabled);
            ev.set(k, flag, rule.clone());
        }
        BlockOutput::Unchanged(prev)
    };
    let Some(prev) = prev else {
        // Not a value we know: only a failed run in the log is worth reporting.
        return report_unseen_failure(v, input, world, ev, None);
    };
    if !prev.action.in_progress() {
        return report_unseen_failure(v, input, world, ev, Some(prev));
    }
    let Some(since) = rules::parse_stamp(prev.last_save.as_bytes()) else {
        return Ok((unchanged(&mut ev, Rule::Unchanged, Some(prev)), ev));
    };
    let no_cloud = world.no_cloud_backup()?;
    let (found, _) = choose_run(input, world, Some(since), prev.update || no_cloud)?;
    let waited_s = elapsed_s(input.tz, since, input.now);
    let timeout_s = cfg.watchdog_timeout_s;
    // The decision counts from the stamp's minute; the sentence from the banner's exact time
    // when the log gives it.
    let (shown, shown_text) = shown_start(found.as_ref(), since);
    let shown_waited_s = elapsed_s(input.tz, shown, input.now);
    let forced = match found
        .as_ref()
        .and_then(|f| failure_from(f).map(|(m, l, e)| (f.log, m, l, e)))
    {
        Some((log, message, line, end_marker)) => Some(Forced::Failed {
            log,
            message,
            line,
            end_marker,
        }),
        None if waited_s > timeout_s => {
            let succeeded = found.as_ref().and_then(Found::run).is_some_and(|r| r.succeeded());
            if succeeded {
                // The log shows the run ended fine: end_backup was lost, not the backup.
                None
            } else {
                Some(Forced::TimedOut {
                    since: shown_text.clone(),
                    waited_s: shown_waited_s,
                    timeout_s,
                })
            }
        }
        None => None,
    };
    match forced {
        None => {
            let rule = Rule::RunInProgress {
                since: shown_text,
                waited_s: shown_waited_s,
                timeout_s,
            };
            Ok((unchanged(&mut ev, rule, Some(prev)), ev))
        }
        Some(forced) => {
            let written_by = evidence::written_by(&php::json_decode(input.last_save_tag).unwrap_or(Value::Null));
            let begin = Begin {
                stamp: prev.last_save.clone(),
                update: prev.update,
                update_known: true,
                written_by,
            };
            let v = end_checks(v, input, world, &mut ev, begin, Some(forced))?;
            Ok((BlockOutput::Written(v.end(cfg, input.now)), ev))
        }
    }
}

/// A run that failed after the virtual was last written, whose begin the scenario never saw
/// (a crashed or disabled scenario): reported with errorScenario=1 and errorLog=1.
fn report_unseen_failure(
    mut v: Vars,
    input: &BlockInput<'_>,
    world: &mut dyn World,
    mut ev: Evidence,
    prev: Option<ScenarioState>,
) -> Result<(BlockOutput, Evidence), WorldError> {
    let last_written = prev.as_ref().and_then(|p| rules::parse_stamp(p.last_save.as_bytes()));
    let mut failure = None;
    for name in [LogName::Backup, LogName::CronExecution] {
        let (_, model) = input.logs.borrow_mut().read(world, name)?;
        if let Some(run) = model.runs().next_back()
            && let RunEnd::Failed {
                message,
                at,
                end_marker,
                ..
            } = &run.end
        {
            let start = run.start.as_ref().map(|(t, _)| *t);
            let has_marker = end_marker.is_some();
            // Newer than the last value (or of unknown age when nothing was written).
            let newer = match (start, last_written) {
                (Some(s), Some(w)) => s >= w,
                (None, Some(_)) => false,
                (_, None) => true,
            };
            if newer {
                let line = end_marker.as_ref().unwrap_or(at).line as usize;
                failure = Some((name, start, message.clone(), line, has_marker));
                break;
            }
        }
    }
    let Some((log, start, message, line, end_marker)) = failure else {
        for k in FlagKind::ALL {
            let flag = prev.as_ref().map(|p| p.flag(k)).unwrap_or(Flag::Disabled);
            ev.set(k, flag, Rule::Unchanged);
        }
        return Ok((BlockOutput::Unchanged(prev), ev));
    };
    let since = start.map(format_at);
    match start {
        Some(t) => {
            let begin = Begin {
                stamp: rules::stamp(t),
                update: false,
                update_known: true,
                written_by: None,
            };
            let forced = Forced::Failed {
                log,
                message,
                line: Some(line),
                end_marker,
            };
            v = end_checks(v, input, world, &mut ev, begin, Some(forced))?;
        }
        None => {
            v.action = Action::EndBackup;
            for k in FlagKind::ALL {
                ev.set(
                    k,
                    *v.flag_mut(k),
                    Rule::NoStamp {
                        why: StampMissing::RunWithoutBanner,
                    },
                );
            }
            v.log = Flag::Error;
            ev.set(
                FlagKind::Log,
                v.log,
                Rule::RunFailed {
                    log,
                    message: message.unwrap_or_default(),
                    line: Some(line),
                    end_marker,
                },
            );
        }
    }
    v.scenario = Flag::Error;
    ev.set(FlagKind::Scenario, v.scenario, Rule::BeginNotSeen { since });
    Ok((BlockOutput::Written(v.end(input.config, input.now)), ev))
}

/// Seconds from `since` to `now`, both local times of the box (DST-aware).
fn elapsed_s(tz: &TimeZone, since: DateTime, now: DateTime) -> u64 {
    let (Ok(a), Ok(b)) = (tz.to_zoned_datetime(since), tz.to_zoned_datetime(now)) else {
        return 0;
    };
    let secs = b.timestamp().as_second() - a.timestamp().as_second();
    u64::try_from(secs).unwrap_or(0)
}
