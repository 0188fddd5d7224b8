//! Resolving a [`Case`] into a [`Timeline`]: the one inference stage. Every fact the manifest
//! gives, and for the rest what the log says (marked *inferred*, with the line it came from) or a
//! default (marked *assumed*, with how to override it). Precedence, highest first: a command-line
//! flag ([`Overrides`]), the manifest, the log, the default.
//!
//! [`resolve`] runs named phases, in this order: the case's parameters (time zone, `S`, PHP),
//! the runs of every log in start order, a trigger for each run, the manifest's `[[step]]`
//! entries, the times the log cannot give (only when [`Options::fill_missing`]), each trigger's
//! time and the timeline's order, strict's watchdog ticks (only with [`Options::watchdog`]),
//! the world at each trigger, the Jeedom version, the config, `NO_CLOUD_BACKUP`, the virtual's
//! starting value, and the profiles. Each phase is a function that says what it decides.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use toml::Spanned;

use super::cut;
use super::facts::{ConfigKey, Fact, LineAt, Origin, Subject, TimeHow, Value};
use super::manifest::{DEFAULT_PROFILES, LogSource, Manifest, ManifestError, Preset, StepSpec, TileClass};
use super::runs::{RunEndInfo, RunInfo};
use super::{Case, CaseError};
use crate::engine::ScenarioState;
use crate::world::{
    DEFAULT_TZ, JeedomVersion, Listing, LocalFile, LogBytes, LogName, SambaListing, Step, Timeline, Trigger, format_at,
};
use crate::{Lang, Text};

/// The scenario's default minimum archive size `S` (`1024*1024*100`).
pub const DEFAULT_MIN_SIZE: u64 = 104_857_600;
/// The default PHP major version.
pub const DEFAULT_PHP: u8 = 8;
/// The size assumed for an archive whose size the case does not give: a typical 4.4 box
/// (212 MB).
pub const DEFAULT_ARCHIVE_SIZE: u64 = 222_298_112;
/// Seconds assumed between `begin_update` and the banner of the update's backup.
pub const DEFAULT_UPDATE_LEAD: u32 = 1;
/// The Jeedom generation assumed when neither the manifest nor the log tells.
pub const DEFAULT_JEEDOM: JeedomVersion = JeedomVersion::V4_4;
/// The trigger strict's watchdog ticks are (see [`Options::watchdog`]).
pub const WATCHDOG_TRIGGER: &str = "schedule";

/// What a command line may impose over the manifest and the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub jeedom: Option<JeedomVersion>,
    /// Size in bytes of every archive the runs create whose size the manifest does not give.
    pub archive_size: Option<u64>,
    pub min_size: Option<u64>,
    pub tz: Option<String>,
    pub php: Option<u8>,
    /// Samba upload on or off (`samba::enable` and `samba::cloudUpload`).
    pub samba: Option<bool>,
    /// The virtual's value before the first trigger.
    pub previous: Option<Previous>,
}

/// The virtual's value before the first trigger, as a command line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Previous {
    /// What a successful backup the day before leaves.
    Success,
    /// The empty string (a new install).
    Empty,
    /// This value, as read on the box.
    Value(String),
}

/// How to run inference, beyond the flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub overrides: Overrides,
    /// Fill in the trigger times the log cannot give (each listed as *added*) instead of
    /// refusing the case: a run whose banner was cut off begins at its archive name's minute,
    /// else at its first dated line; a successful run with neither a duration nor a dated line
    /// ends a minute after its start; a run with nothing dated is not replayed. Runs a
    /// manifest's `[[step]]` names are left to it. For pasted logs and for `record`, which
    /// writes them down as `[[step]]` entries ([`Resolved::filled`]).
    pub fill_missing: bool,
    /// Add a tick for strict's watchdog after each run with a begin and no end (see
    /// [`Resolved::strict_only`]).
    pub watchdog: Option<Watchdog>,
}

impl From<&Overrides> for Options {
    fn from(ov: &Overrides) -> Options {
        Options {
            overrides: ov.clone(),
            ..Options::default()
        }
    }
}

/// When strict's watchdog looks at a run that did not end: a minute after a failed run's last
/// dated line; for a run still going, at `now` when given (the box's clock; at the run's begin
/// when the clock reads earlier), never later, so a run read before its timeout is in progress;
/// else a minute after `timeout_s`. Always before the next run's first trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watchdog {
    pub timeout_s: u64,
    pub now: Option<DateTime>,
}

/// A profile a case runs with, as the manifest names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRef {
    /// A built-in profile name (`v2024-08`, `strict`, …).
    Builtin(String),
    /// A profile TOML file of the case folder.
    File { name: String, path: PathBuf },
    /// `php:PATH`: a scenario template or bare code block, run under php-cli.
    Php { name: String, path: PathBuf },
}

impl ProfileRef {
    /// The name as written in the manifest (also the snapshot's suffix).
    pub fn name(&self) -> &str {
        match self {
            ProfileRef::Builtin(n) => n,
            ProfileRef::File { name, .. } | ProfileRef::Php { name, .. } => name,
        }
    }
}

/// A case with every fact resolved, ready to replay.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub name: String,
    pub description: String,
    pub timeline: Timeline,
    /// The scenario's minimum archive size `S`, bytes.
    pub min_size: u64,
    /// PHP major version (7 or 8).
    pub php: u8,
    pub profiles: Vec<ProfileRef>,
    pub expect: BTreeMap<String, TileClass>,
    /// For each step of the timeline, the run (1-based) it belongs to, if any.
    pub step_runs: Vec<Option<u32>>,
    /// For each step of the timeline, whether only strict replays it (a watchdog tick).
    pub strict_only: Vec<bool>,
    /// The runs of every log, in the case's run order (run `n` is `runs[n - 1]`).
    pub runs: Vec<RunInfo>,
    /// The trigger times [`Options::fill_missing`] filled in, run by run.
    pub filled: Vec<FilledStep>,
    /// Every fact not given by the manifest, in a stable order: the case's, then the times
    /// filled in, then the watchdog's ticks.
    pub facts: Vec<Fact>,
}

/// A trigger time inference filled in: `value` is its time and how it was chosen, or
/// [`Value::NotReplayed`] for a trigger left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledStep {
    pub run: u32,
    pub trigger: Trigger,
    pub value: Value,
    /// The lines the time was read from.
    pub lines: Vec<LineAt>,
}

impl Resolved {
    /// The case as the published scenario sees it: without strict's watchdog ticks.
    pub fn published(&self) -> Resolved {
        let mut r = self.clone();
        if !self.strict_only.contains(&true) {
            return r;
        }
        let keep = |i: &usize| !self.strict_only.get(*i).copied().unwrap_or(false);
        let idx: Vec<usize> = (0..self.timeline.steps.len()).filter(keep).collect();
        r.timeline.steps = idx
            .iter()
            .filter_map(|&i| self.timeline.steps.get(i).cloned())
            .collect();
        r.step_runs = idx.iter().filter_map(|&i| self.step_runs.get(i).copied()).collect();
        r.strict_only = vec![false; idx.len()];
        r
    }

    /// The run a fact is about: the run its subject names, or for an archive's size the (last)
    /// run that created it.
    pub fn run_of(&self, f: &Fact) -> Option<u32> {
        if let Some(n) = f.run() {
            return Some(n);
        }
        let Subject::ArchiveSize { file_name } = &f.subject else {
            return None;
        };
        let i = self
            .runs
            .iter()
            .rposition(|r| r.archive.as_ref().is_some_and(|a| &a.file_name == file_name))?;
        u32::try_from(i + 1).ok()
    }

    /// The watchdog's tick of run `n`, when it has one.
    pub fn watchdog_tick(&self, n: u32) -> Option<DateTime> {
        self.timeline
            .steps
            .iter()
            .enumerate()
            .find(|(i, _)| self.strict_only.get(*i) == Some(&true) && self.step_runs.get(*i) == Some(&Some(n)))
            .map(|(_, s)| s.at)
    }
}

/// The facts being gathered, in order.
#[derive(Default)]
struct Facts(Vec<Fact>);

impl Facts {
    fn inferred(&mut self, subject: Subject, value: Value, lines: Vec<LineAt>) {
        self.0.push(Fact::new(subject, value, Origin::Inferred { lines }));
    }
    fn assumed(&mut self, subject: Subject, value: Value) {
        self.0
            .push(Fact::new(subject, value, Origin::Assumed { lines: Vec::new() }));
    }
    fn flag(&mut self, subject: Subject, value: Value) {
        self.0.push(Fact::new(subject, value, Origin::Option));
    }
}

fn at_line(run: &RunInfo, line: u32) -> LineAt {
    LineAt {
        file: run.file.clone(),
        line,
    }
}

/// One trigger of the timeline being built.
struct Slot<'m> {
    /// 0-based index in the sorted runs.
    run: Option<usize>,
    trigger: Trigger,
    at: Option<DateTime>,
    /// The true instant, when inference knows it better than the civil time does (DST folds).
    instant: Option<Timestamp>,
    /// How its time was found (for the facts), when inferred.
    at_fact: Option<Fact>,
    spec: Option<(usize, &'m Spanned<StepSpec>)>,
    /// Only strict replays it (a watchdog tick).
    strict_only: bool,
}

impl<'m> Slot<'m> {
    fn of_run(run: usize, trigger: Trigger, timed: Option<(DateTime, Timestamp, Fact)>) -> Slot<'m> {
        let (at, instant, at_fact) = match timed {
            Some((dt, t, f)) => (Some(dt), Some(t), Some(f)),
            None => (None, None, None),
        };
        Slot {
            run: Some(run),
            trigger,
            at,
            instant,
            at_fact,
            spec: None,
            strict_only: false,
        }
    }
}

/// Errors located in the case: in its manifest, or about it as a whole.
struct Errors<'c> {
    case: &'c Case,
}

impl Errors<'_> {
    fn manifest(&self, span: Option<std::ops::Range<usize>>, key: String, msg: impl Into<crate::Text>) -> CaseError {
        CaseError::Manifest(ManifestError::at(
            &self.case.manifest_path,
            &self.case.source,
            span,
            Some(key),
            msg,
        ))
    }
    fn case(&self, msg: impl Into<crate::Text>) -> CaseError {
        CaseError::Resolve {
            path: self.case.manifest_path.clone(),
            message: msg.into(),
        }
    }
}

/// The case's time zone, threshold and PHP version.
struct Params {
    tz_name: String,
    tz: TimeZone,
    min_size: u64,
    php: u8,
}

impl Params {
    fn instant_of(&self, dt: DateTime, err: &Errors) -> Result<Timestamp, CaseError> {
        self.tz.to_ambiguous_timestamp(dt).compatible().map_err(|e| {
            err.case(Text::new(
                format!(
                    "l'heure {} dans {} : {}",
                    format_at(dt),
                    self.tz_name,
                    jiff_fr(&e.to_string())
                ),
                format!("time {} in {}: {e}", format_at(dt), self.tz_name),
            ))
        })
    }
    fn civil_of(&self, t: Timestamp) -> DateTime {
        self.tz.to_datetime(t)
    }
}

/// A time that runs past what a date can hold (jiff's error), in both languages.
fn time_overflow(e: &jiff::Error) -> Text {
    Text::new(
        format!("heure hors des dates possibles : {}", jiff_fr(&e.to_string())),
        e.to_string(),
    )
}

/// jiff's message (English only), quoted as such in a French sentence.
fn jiff_fr(message: &str) -> String {
    format!("« {message} » (message de la bibliothèque jiff, en anglais)")
}

/// Resolves a loaded case. See the module doc for precedence and phases.
pub fn resolve(case: &Case, opts: &Options) -> Result<Resolved, CaseError> {
    let m = &case.manifest;
    let ov = &opts.overrides;
    let err = Errors { case };
    let mut facts = Facts::default();

    let params = parameters(m, ov, &mut facts, &err)?;
    let runs = runs_in_start_order(case, &params, &err)?;
    let update_lead = m.assume.update_lead.unwrap_or(DEFAULT_UPDATE_LEAD);
    let mut slots = triggers_of_each_run(&runs, &params, update_lead, &err)?;
    apply_manifest_steps(m, &runs, &mut slots, &err)?;
    let filled = if opts.fill_missing {
        fill_missing_times(m, &runs, &mut slots, &err)?
    } else {
        Vec::new()
    };
    if slots.is_empty() {
        return Err(err.case(Text::new(
            "aucun déclenchement à rejouer : les logs ne contiennent aucune sauvegarde et le manifeste n'a aucun \
             [[step]] (voir scenarios/README.md)",
            "no trigger to replay: the logs hold no backup run and the manifest has no [[step]] (see \
             scenarios/README.md)",
        )));
    }
    time_and_order_triggers(&runs, &params, &mut slots, &err)?;
    let lead_used = slots
        .iter()
        .any(|sl| sl.trigger == Trigger::BeginUpdate && sl.at_fact.is_some());
    if lead_used && m.assume.update_lead.is_none() {
        facts.assumed(Subject::UpdateLead, Value::Number(u64::from(update_lead)));
    }
    facts.0.extend(slots.iter().filter_map(|sl| sl.at_fact.clone()));
    let ticks = match &opts.watchdog {
        Some(w) => watchdog_ticks(&runs, &slots, w),
        None => Vec::new(),
    };
    add_watchdog_ticks(&ticks, &params, &mut slots, &err)?;

    let mut sizes = ArchiveSizes {
        manifest: m,
        flag: ov.archive_size,
        seen: BTreeSet::new(),
    };
    let world = world_at_each_trigger(case, &runs, &params, &slots, &mut sizes, &mut facts, &err)?;
    let jeedom = jeedom_version(m, ov, &runs, &mut facts);
    let (config, samba_on) = config(m, ov, &runs, &mut facts);
    if !samba_on {
        // The scenario does not list a share it is told is off.
        facts.0.retain(|f| f.value != Value::ListingFailsLikeUpload);
    }
    let no_cloud_backup = no_cloud_backup(m, &runs, &mut facts);
    let first_at = world.steps.first().map(|s| s.at).unwrap_or_default();
    let previous = DayBefore {
        first_at,
        jeedom,
        min_size: params.min_size,
        samba_on,
    };
    let initial_virtual = virtual_before(m, ov, &runs, &previous, &mut sizes, &mut facts, &err)?;
    let profiles = profiles(case, &err)?;
    expectations_name_profiles(case, &profiles, &err)?;

    // The times filled in and the ticks come last, run by run.
    for f in &filled {
        let fact = match &f.value {
            Value::NotReplayed => Fact::new(
                Subject::Run { run: f.run },
                Value::NotReplayed,
                Origin::Added { lines: Vec::new() },
            ),
            v => Fact::new(
                Subject::TriggerTime {
                    run: f.run,
                    trigger: f.trigger.clone(),
                },
                v.clone(),
                Origin::Added { lines: f.lines.clone() },
            ),
        };
        if !facts.0.contains(&fact) {
            facts.0.push(fact);
        }
    }
    for (run, at, how) in &ticks {
        facts.0.push(Fact::new(
            Subject::TriggerTime {
                run: *run,
                trigger: Trigger::Other(WATCHDOG_TRIGGER.to_owned()),
            },
            Value::Time { at: *at, how: *how },
            Origin::Added { lines: Vec::new() },
        ));
    }

    Ok(Resolved {
        name: case.name.clone(),
        description: m.description.get_ref().clone(),
        timeline: Timeline {
            jeedom,
            initial_virtual,
            config,
            no_cloud_backup,
            tz: params.tz_name,
            steps: world.steps,
        },
        min_size: params.min_size,
        php: params.php,
        profiles,
        expect: m.expect.clone(),
        step_runs: world.step_runs,
        strict_only: world.strict_only,
        runs,
        filled,
        facts: facts.0,
    })
}

// ---- phases --------------------------------------------------------------------------------------

/// The time zone, the minimum archive size `S` and the PHP version: flag, manifest, default.
fn parameters(m: &Manifest, ov: &Overrides, facts: &mut Facts, err: &Errors) -> Result<Params, CaseError> {
    let tz_name = if let Some(t) = &ov.tz {
        facts.flag(Subject::TimeZone, Value::Text(t.clone()));
        t.clone()
    } else if let Some(t) = &m.params.tz {
        t.get_ref().clone()
    } else {
        facts.assumed(Subject::TimeZone, Value::Text(DEFAULT_TZ.to_owned()));
        DEFAULT_TZ.to_owned()
    };
    let tz = TimeZone::get(&tz_name).map_err(|e| {
        err.case(Text::new(
            format!("fuseau horaire « {tz_name} » : {}", jiff_fr(&e.to_string())),
            format!("time zone {tz_name:?}: {e}"),
        ))
    })?;
    let min_size = if let Some(s) = ov.min_size {
        facts.flag(Subject::MinSize, Value::Number(s));
        s
    } else if let Some(s) = m.params.min_size {
        s
    } else {
        facts.assumed(Subject::MinSize, Value::Number(DEFAULT_MIN_SIZE));
        DEFAULT_MIN_SIZE
    };
    let php = if let Some(p) = ov.php {
        facts.flag(Subject::Php, Value::Number(u64::from(p)));
        p
    } else if let Some(p) = &m.params.php {
        *p.get_ref()
    } else {
        facts.assumed(Subject::Php, Value::Number(u64::from(DEFAULT_PHP)));
        DEFAULT_PHP
    };
    Ok(Params {
        tz_name,
        tz,
        min_size,
        php,
    })
}

/// The runs of every log: run `n` of every report. A case with one log (a paste) keeps the log
/// model's numbering (its runs in time order: file order, or a newest-first paste put back in
/// order), the one `parse` shows, so two logs pasted one after the other keep their order. The
/// runs of several logs are merged by their start instant (a run whose banner was cut off
/// first), then by log, then by offset.
fn runs_in_start_order(case: &Case, params: &Params, err: &Errors) -> Result<Vec<RunInfo>, CaseError> {
    if let [(name, file)] = case.logs.iter().collect::<Vec<_>>()[..] {
        return Ok(case
            .files
            .get(file)
            .map(|bytes| super::runs::extract(*name, file, bytes))
            .unwrap_or_default());
    }
    let mut keyed = Vec::new();
    for (name, file) in &case.logs {
        if let Some(bytes) = case.files.get(file) {
            for r in super::runs::extract(*name, file, bytes) {
                let key = match r.start {
                    Some((dt, _)) => params.instant_of(dt, err)?,
                    None => Timestamp::MIN,
                };
                keyed.push((key, r));
            }
        }
    }
    keyed.sort_by_key(|(t, r)| (*t, r.log, r.start_offset));
    Ok(keyed.into_iter().map(|(_, r)| r).collect())
}

/// The triggers Jeedom fires for each run: `begin_update` (`update_lead` seconds before the
/// banner of an update's backup), `begin_backup` at the banner, and for a run that succeeded
/// `end_backup` at banner + duration (else at its last dated line, an assumption). A time the
/// log does not give is left empty.
fn triggers_of_each_run<'m>(
    runs: &[RunInfo],
    params: &Params,
    update_lead: u32,
    err: &Errors,
) -> Result<Vec<Slot<'m>>, CaseError> {
    let mut slots = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let start = match r.start {
            Some((dt, line)) => Some((params.instant_of(dt, err)?, dt, line)),
            None => None,
        };
        let time_fact = |trigger: Trigger, at: DateTime, how: TimeHow, origin: Origin| {
            Fact::new(
                Subject::TriggerTime { run: n, trigger },
                Value::Time { at, how },
                origin,
            )
        };
        if r.log == LogName::Update {
            let timed = match start {
                Some((t, _, line)) => {
                    let t = t
                        .checked_sub(SignedDuration::from_secs(i64::from(update_lead)))
                        .map_err(|e| err.case(time_overflow(&e)))?;
                    let dt = params.civil_of(t);
                    let lines = vec![at_line(r, line)];
                    let f = time_fact(Trigger::BeginUpdate, dt, TimeHow::Banner, Origin::Inferred { lines });
                    Some((dt, t, f))
                }
                None => None,
            };
            slots.push(Slot::of_run(i, Trigger::BeginUpdate, timed));
        }
        let timed = start.map(|(t, dt, line)| {
            let lines = vec![at_line(r, line)];
            let f = time_fact(Trigger::BeginBackup, dt, TimeHow::Banner, Origin::Inferred { lines });
            (dt, t, f)
        });
        slots.push(Slot::of_run(i, Trigger::BeginBackup, timed));
        if let RunEndInfo::Success { .. } = r.end {
            let timed = match (start, r.duration, r.last_time) {
                (Some((t, _, bl)), Some((secs, dl)), _) => {
                    let t = t
                        .checked_add(SignedDuration::from_secs(i64::from(secs)))
                        .map_err(|e| err.case(time_overflow(&e)))?;
                    let dt = params.civil_of(t);
                    let lines = vec![at_line(r, bl), at_line(r, dl)];
                    let how = TimeHow::BannerPlus { secs };
                    Some((
                        dt,
                        t,
                        time_fact(Trigger::EndBackup, dt, how, Origin::Inferred { lines }),
                    ))
                }
                (Some(_), None, Some((dt, line))) => {
                    let lines = vec![at_line(r, line)];
                    let how = TimeHow::LastDatedNoDuration;
                    let f = time_fact(Trigger::EndBackup, dt, how, Origin::Assumed { lines });
                    Some((dt, params.instant_of(dt, err)?, f))
                }
                _ => None,
            };
            slots.push(Slot::of_run(i, Trigger::EndBackup, timed));
        }
    }
    Ok(slots)
}

/// The manifest's `[[step]]` entries: each overrides the time of the run's trigger it names,
/// drops it (`skip`), or adds a trigger.
fn apply_manifest_steps<'m>(
    m: &'m Manifest,
    runs: &[RunInfo],
    slots: &mut Vec<Slot<'m>>,
    err: &Errors,
) -> Result<(), CaseError> {
    for (k, s) in m.steps.iter().enumerate() {
        let spec = s.get_ref();
        let key = format!("step[{}]", k + 1);
        let run_idx = match &spec.run {
            Some(r) => {
                let n = *r.get_ref() as usize;
                if n > runs.len() {
                    return Err(err.manifest(
                        Some(r.span()),
                        format!("{key}.run"),
                        Text::new(
                            format!(
                                "il n'y a pas de sauvegarde {n} : les logs en contiennent {}",
                                Lang::Fr.count(runs.len(), ["sauvegarde", "sauvegardes"], ["", ""])
                            ),
                            format!(
                                "there is no run {n}: the logs hold {}",
                                Lang::En.count(runs.len(), ["", ""], ["run", "runs"])
                            ),
                        ),
                    ));
                }
                Some(n - 1)
            }
            None => None,
        };
        let matched = run_idx.and_then(|ri| {
            slots
                .iter()
                .position(|sl| sl.run == Some(ri) && sl.trigger == spec.trigger && sl.spec.is_none())
        });
        match (matched, spec.skip) {
            (Some(p), true) => {
                slots.remove(p);
            }
            (Some(p), false) => {
                if let Some(slot) = slots.get_mut(p) {
                    if let Some(at) = spec.at {
                        slot.at = Some(at.0);
                        slot.instant = None;
                        slot.at_fact = None;
                    }
                    slot.spec = Some((k, s));
                }
            }
            (None, true) => {
                return Err(err.manifest(
                    Some(s.span()),
                    format!("{key}.skip"),
                    Text::new(
                        format!(
                            "la sauvegarde {} n'a pas de `{}` déduit à sauter",
                            run_idx.map_or(0, |r| r + 1),
                            spec.trigger
                        ),
                        format!(
                            "run {} has no inferred `{}` to skip",
                            run_idx.map_or(0, |r| r + 1),
                            spec.trigger
                        ),
                    ),
                ));
            }
            (None, false) => {
                let Some(at) = spec.at else {
                    return Err(err.manifest(
                        Some(s.span()),
                        format!("{key}.at"),
                        Text::new(
                            format!(
                                "`at` est nécessaire : aucun `{}`{} n'est déduit des logs",
                                spec.trigger,
                                match run_idx {
                                    Some(r) => format!(" de la sauvegarde {}", r + 1),
                                    None => String::new(),
                                }
                            ),
                            format!(
                                "`at` is needed: no `{}` of {} is inferred from the logs",
                                spec.trigger,
                                match run_idx {
                                    Some(r) => format!("run {}", r + 1),
                                    None => "any run".to_owned(),
                                }
                            ),
                        ),
                    ));
                };
                slots.push(Slot {
                    run: run_idx,
                    trigger: spec.trigger.clone(),
                    at: Some(at.0),
                    instant: None,
                    at_fact: None,
                    spec: Some((k, s)),
                    strict_only: false,
                });
            }
        }
    }
    Ok(())
}

/// [`Options::fill_missing`]: the `begin_backup` and `end_backup` times the log cannot give,
/// for runs no `[[step]]` names. Fails with [`CaseError::Untimed`] when no run at all can be
/// timed and the manifest gives no step.
fn fill_missing_times(
    m: &Manifest,
    runs: &[RunInfo],
    slots: &mut Vec<Slot>,
    err: &Errors,
) -> Result<Vec<FilledStep>, CaseError> {
    let given: Vec<u32> = m
        .steps
        .iter()
        .filter_map(|s| s.get_ref().run.as_ref().map(|r| *r.get_ref()))
        .collect();
    let mut filled = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if given.contains(&n) {
            continue;
        }
        let success = matches!(r.end, RunEndInfo::Success { .. });
        let mut fill = |trigger: Trigger, value: Value, lines: Vec<u32>| {
            filled.push(FilledStep {
                run: n,
                trigger,
                value,
                lines: lines.into_iter().map(|l| at_line(r, l)).collect(),
            });
        };
        match r.start {
            None => {
                let from_archive = r
                    .archive
                    .as_ref()
                    .and_then(|a| a.stamp_time.map(|t| (t, a.line, TimeHow::CutArchiveName)));
                let begin = from_archive.or(r.first_time.map(|(t, l)| (t, l, TimeHow::CutFirstDated)));
                match begin {
                    Some((t, line, how)) => {
                        fill(Trigger::BeginBackup, Value::Time { at: t, how }, vec![line]);
                        if success {
                            let (end, how, lines) = match (r.duration, r.last_time) {
                                (Some((secs, at)), _) => {
                                    (add_secs(t, i64::from(secs)), TimeHow::StartPlus { secs }, vec![at])
                                }
                                (None, Some((lt, l))) if lt > t => (lt, TimeHow::LastDated, vec![l]),
                                _ => (add_secs(t, 60), TimeHow::NoEndTime, vec![]),
                            };
                            fill(Trigger::EndBackup, Value::Time { at: end, how }, lines);
                        }
                    }
                    None => {
                        fill(Trigger::BeginBackup, Value::NotReplayed, vec![]);
                        if success {
                            fill(Trigger::EndBackup, Value::NotReplayed, vec![]);
                        }
                    }
                }
            }
            Some((t, line)) => {
                if success && r.duration.is_none() && r.last_time.is_none() {
                    let end = add_secs(t, 60);
                    fill(
                        Trigger::EndBackup,
                        Value::Time {
                            at: end,
                            how: TimeHow::NoDuration,
                        },
                        vec![line],
                    );
                }
            }
        }
    }
    let skipped = filled
        .iter()
        .filter(|f| f.trigger == Trigger::BeginBackup && f.value == Value::NotReplayed)
        .count();
    if !runs.is_empty() && skipped == runs.len() && m.steps.is_empty() {
        return Err(CaseError::Untimed {
            path: err.case.manifest_path.clone(),
        });
    }
    for f in &filled {
        let ri = usize::try_from(f.run).ok().and_then(|n| n.checked_sub(1));
        let Some(p) = slots
            .iter()
            .position(|sl| sl.run == ri && sl.run.is_some() && sl.trigger == f.trigger && sl.spec.is_none())
        else {
            continue;
        };
        match f.value.time() {
            None => {
                slots.remove(p);
            }
            Some(at) => {
                if let Some(slot) = slots.get_mut(p) {
                    slot.at = Some(at);
                    slot.instant = None;
                    slot.at_fact = None;
                }
            }
        }
    }
    Ok(filled)
}

fn add_secs(t: DateTime, secs: i64) -> DateTime {
    t.checked_add(SignedDuration::from_secs(secs)).unwrap_or(t)
}

/// Every trigger gets its instant (a trigger with no time is refused, saying which `[[step]]`
/// to add), and the timeline is put in time order.
fn time_and_order_triggers(
    runs: &[RunInfo],
    params: &Params,
    slots: &mut [Slot],
    err: &Errors,
) -> Result<(), CaseError> {
    for sl in slots.iter_mut() {
        let Some(at) = sl.at else {
            let n = sl.run.map_or(0, |r| r + 1);
            let no_banner = Text::new(
                "sa bannière (l'heure de début) manque",
                "its banner (start time) is missing",
            );
            let why = match (sl.run.and_then(|r| runs.get(r)), &sl.trigger) {
                (Some(r), Trigger::EndBackup) if r.start.is_none() => no_banner,
                (Some(_), Trigger::EndBackup) => Text::new(
                    "elle n'a ni ligne de durée ni ligne datée",
                    "it has neither a duration line nor a dated line",
                ),
                _ => no_banner,
            };
            let t = &sl.trigger;
            return Err(err.case(Text::new(
                format!(
                    "l'heure du `{t}` de la sauvegarde {n} ne peut pas être déduite ({}) : ajoutez un [[step]] avec \
                     run = {n}, trigger = \"{t}\" et at = \"AAAA-MM-JJ HH:MM:SS\" (ou skip = true)",
                    why.get(Lang::Fr)
                ),
                format!(
                    "the time of run {n}'s `{t}` cannot be inferred ({}): add [[step]] with run = {n}, trigger = \
                     \"{t}\" and at = \"YYYY-MM-DD HH:MM:SS\" (or skip = true)",
                    why.en
                ),
            )));
        };
        if sl.instant.is_none() {
            sl.instant = Some(params.instant_of(at, err)?);
        }
    }
    slots.sort_by_key(|sl| sl.instant);
    Ok(())
}

/// Slots of the timeline that belong to run `i` (0-based): those tied to it, and untied ones
/// until the next run's first trigger.
fn window(slots: &[Slot], i: usize) -> Vec<usize> {
    let mut current = None;
    let mut out = Vec::new();
    for (k, sl) in slots.iter().enumerate() {
        if sl.run.is_some() {
            current = sl.run;
        }
        if current == Some(i) {
            out.push(k);
        }
    }
    out
}

/// [`Options::watchdog`]: for each run with a begin and no end (no `end_backup`, no other
/// trigger after it), the time strict's watchdog looks at it: `(run, time, how)`.
fn watchdog_ticks(runs: &[RunInfo], slots: &[Slot], w: &Watchdog) -> Vec<(u32, DateTime, TimeHow)> {
    let mut out = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let win = window(slots, i);
        let (Some(&first), Some(&last)) = (win.first(), win.last()) else {
            continue;
        };
        let ended = win
            .iter()
            .filter_map(|k| slots.get(*k))
            .any(|s| matches!(s.trigger, Trigger::EndBackup | Trigger::Other(_)));
        if ended {
            continue;
        }
        let at_of = |k: usize| slots.get(k).and_then(|s| s.at);
        let Some(begin) = at_of(first) else { continue };
        let (at, how) = match run.end {
            RunEndInfo::Failed { .. } => {
                let last_dated = run.latest_time.unwrap_or(begin).max(begin);
                (add_secs(last_dated, 60), TimeHow::WatchdogAfterFailure)
            }
            // Live: the box's clock says how long it has been running. Never a tick after the
            // box's `now` (issue 15): read at the backup's first minute, the run is in progress,
            // and strict must say so rather than look at it as if its timeout had passed.
            RunEndInfo::Unterminated if w.now.is_some() => (w.now.unwrap_or(begin).max(begin), TimeHow::WatchdogNow),
            RunEndInfo::Unterminated => {
                let secs = i64::try_from(w.timeout_s).unwrap_or(i64::MAX / 2).saturating_add(60);
                (add_secs(begin, secs), TimeHow::WatchdogTimeout)
            }
            // A success whose end_backup the manifest dropped: nothing to watch.
            RunEndInfo::Success { .. } => continue,
        };
        // Before the next run's first trigger, when there is one.
        let at = match at_of(last + 1) {
            Some(next) if next <= at => {
                let just_before = add_secs(next, -1);
                if just_before <= at_of(last).unwrap_or(begin) {
                    continue;
                }
                just_before
            }
            _ => at,
        };
        out.push((n, at, how));
    }
    out
}

/// The watchdog's ticks join the timeline, tied to their run, for strict only.
fn add_watchdog_ticks(
    ticks: &[(u32, DateTime, TimeHow)],
    params: &Params,
    slots: &mut Vec<Slot>,
    err: &Errors,
) -> Result<(), CaseError> {
    if ticks.is_empty() {
        return Ok(());
    }
    for (run, at, _) in ticks {
        slots.push(Slot {
            run: usize::try_from(*run).ok().and_then(|n| n.checked_sub(1)),
            trigger: Trigger::Other(WATCHDOG_TRIGGER.to_owned()),
            at: Some(*at),
            instant: Some(params.instant_of(*at, err)?),
            at_fact: None,
            spec: None,
            strict_only: true,
        });
    }
    slots.sort_by_key(|sl| sl.instant);
    Ok(())
}

/// The size of each archive: `[sizes]`, else `--archive-size`, else `[assume] archive_size`,
/// else the default; each archive's fact listed once.
struct ArchiveSizes<'m> {
    manifest: &'m Manifest,
    flag: Option<u64>,
    seen: BTreeSet<String>,
}

impl ArchiveSizes<'_> {
    fn size(&mut self, name: &str, facts: &mut Facts) -> u64 {
        let m = self.manifest;
        if let Some(s) = m.sizes.get(name) {
            return *s;
        }
        let (size, flag) = match (self.flag, m.assume.archive_size) {
            (Some(s), _) => (s, true),
            (None, Some(s)) => (s, false),
            (None, None) => (DEFAULT_ARCHIVE_SIZE, false),
        };
        if self.seen.insert(name.to_owned()) {
            let subject = Subject::ArchiveSize {
                file_name: name.to_owned(),
            };
            if flag {
                facts.flag(subject, Value::Number(size));
            } else if m.assume.archive_size.is_none() {
                facts.assumed(subject, Value::Number(size));
            }
        }
        size
    }
}

/// The steps of the timeline, with what each trigger's world holds.
struct World {
    steps: Vec<Step>,
    step_runs: Vec<Option<u32>>,
    strict_only: Vec<bool>,
}

/// The world at each trigger: each log as the file was at that moment, the backup folder (the
/// manifest's files, plus each finished run's archive, minus what its size limit deleted), the
/// Samba share (each successful upload's archive first), then the `[[step]]`'s own overrides.
fn world_at_each_trigger(
    case: &Case,
    runs: &[RunInfo],
    params: &Params,
    slots: &[Slot],
    sizes: &mut ArchiveSizes,
    facts: &mut Facts,
    err: &Errors,
) -> Result<World, CaseError> {
    let m = &case.manifest;
    let tz = &params.tz;
    // When each run's archive exists (for triggers not tied to the run).
    // The first `end_backup` slot of each run (one pass: a search per run was quadratic).
    let mut end_slot: Vec<Option<&Slot>> = vec![None; runs.len()];
    for s in slots.iter().filter(|s| s.trigger == Trigger::EndBackup) {
        if let Some(e) = s.run.and_then(|r| end_slot.get_mut(r))
            && e.is_none()
        {
            *e = Some(s);
        }
    }
    let done_at: Vec<Option<Timestamp>> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.archive.as_ref()?;
            let end = end_slot.get(i).copied().flatten().and_then(|s| s.instant);
            end.or_else(|| {
                let (dt, _) = r.start?;
                let t = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
                Some(
                    r.duration
                        .and_then(|(d, _)| t.checked_add(SignedDuration::from_secs(i64::from(d))).ok())
                        .unwrap_or(t),
                )
            })
        })
        .collect();
    let run_done = |r: usize, slot: &Slot| -> bool {
        if runs.get(r).is_none_or(|run| run.archive.is_none()) {
            return false;
        }
        match slot.run {
            Some(sr) => r < sr || (r == sr && slot.trigger == Trigger::EndBackup),
            None => done_at
                .get(r)
                .copied()
                .flatten()
                .zip(slot.instant)
                .is_some_and(|(d, s)| d <= s),
        }
    };
    let files_of = |src: &LogSource, key: &str, span: std::ops::Range<usize>| -> Result<Option<LogBytes>, CaseError> {
        let Some(file) = src.file() else {
            return Ok(None);
        };
        let bytes = case.files.get(file).ok_or_else(|| {
            err.manifest(
                Some(span.clone()),
                key.to_owned(),
                Text::new(
                    format!("le fichier « {file} » n'a pas été chargé"),
                    format!("file {file:?} was not loaded"),
                ),
            )
        })?;
        let end = match src {
            LogSource::File(_) => bytes.len(),
            LogSource::Cut(c) => match (c.until_line, &c.until) {
                (Some(n), _) => cut::after_line(bytes, n),
                (None, Some(t)) => cut::after_text(bytes, t, c.occurrence.unwrap_or(1)).ok_or_else(|| {
                    err.manifest(
                        Some(span.clone()),
                        key.to_owned(),
                        match c.occurrence.unwrap_or(1) {
                            0 | 1 => Text::new(
                                format!("{file} n'a aucune ligne qui contient « {t} »"),
                                format!("{file} has no line holding {t:?}"),
                            ),
                            n => Text::new(
                                format!("{file} a moins de {n} lignes qui contiennent « {t} »"),
                                format!("{file} has fewer than {n} lines holding {t:?}"),
                            ),
                        },
                    )
                })?,
                (None, None) => bytes.len(),
            },
        };
        Ok((end > 0 && end <= bytes.len()).then(|| bytes.slice(..end)))
    };
    let mut world = World {
        steps: Vec::with_capacity(slots.len()),
        step_runs: Vec::with_capacity(slots.len()),
        strict_only: Vec::with_capacity(slots.len()),
    };
    let mut inferred_listing: BTreeSet<usize> = BTreeSet::new();
    let mut carried = Carried::new(m);
    // For the triggers not tied to a run: each file's dated lines and runs' starts, read once.
    let mut untied: BTreeMap<&str, (cut::DatedLines, RunStarts)> = BTreeMap::new();
    for sl in slots {
        let at = sl.at.unwrap_or_default();
        let instant = sl.instant.unwrap_or(Timestamp::MIN);
        let mut step = Step::new(sl.trigger.clone(), at);
        // Logs, as the files were at that moment.
        for (name, file) in &case.logs {
            let Some(bytes) = case.files.get(file) else {
                continue;
            };
            let tied = sl
                .run
                .and_then(|r| runs.get(r))
                .filter(|r| r.log == *name && r.file == *file);
            let end = match (tied, &sl.trigger) {
                (Some(r), Trigger::BeginUpdate) => r.start_offset,
                // The text up to the begin event; a run whose beginning was cut off had
                // written none of its surviving lines yet.
                (Some(r), Trigger::BeginBackup) => {
                    r.begin_event.map(|(o, _)| o).or(r.banner_end).unwrap_or_else(|| {
                        runs.iter()
                            .filter(|p| p.file == r.file && p.start_offset < r.start_offset)
                            .map(|p| p.end_offset)
                            .max()
                            .unwrap_or(0)
                    })
                }
                (Some(r), Trigger::EndBackup) => r.end_offset,
                _ => {
                    let (dated, starts) = untied
                        .entry(file.as_str())
                        .or_insert_with(|| (cut::DatedLines::new(bytes, tz), RunStarts::new(runs, file, tz)));
                    let later_run = starts.first_after(instant).unwrap_or(bytes.len());
                    dated.before_time(instant).min(later_run)
                }
            };
            if let Some(b) = bytes.get(..end).filter(|b| !b.is_empty()) {
                step.logs.insert(*name, bytes.slice(..b.len()));
            }
        }
        // The daily cron backup echoes into log/cron_execution, but the logger's lines it
        // writes (`log::add('backup', …)`) land in log/backup, which the published scenario reads.
        if !case.logs.contains_key(&LogName::Backup)
            && let Some(cron) = step.logs.get(&LogName::CronExecution)
        {
            let logged = cut::logger_lines(cron);
            if !logged.is_empty() {
                step.logs.insert(LogName::Backup, logged.into());
            }
        }
        // The backup folder and the Samba share, carried from the previous trigger's: the runs
        // done by now are usually those of the previous trigger plus later ones, which are
        // applied on top; otherwise both are built again from the manifest's.
        let done: Vec<usize> = (0..runs.len()).filter(|r| run_done(*r, sl)).collect();
        let added = match done.strip_prefix(&carried.done[..]) {
            Some(added) => added,
            None => {
                carried = Carried::new(m);
                &done[..]
            }
        };
        for &r in added {
            carried.apply(&runs[r], sizes, facts);
        }
        carried.done = done;
        let mut local = carried.local.clone();
        let mut samba: SambaListing = match &m.samba.error {
            Some(e) => Err(e.clone()),
            None => match listing_failure_before(runs, &carried.done) {
                Some((r, message)) if m.samba.listing.is_empty() => {
                    if inferred_listing.insert(r) {
                        let line = runs[r].samba_failure.as_ref().map_or(1, |(_, l)| *l);
                        facts.inferred(
                            Subject::SambaListing,
                            Value::ListingFailsLikeUpload,
                            vec![at_line(&runs[r], line)],
                        );
                    }
                    Err(message)
                }
                _ => Ok(carried.samba.clone()),
            },
        };
        // The manifest's overrides for this trigger.
        if let Some((k, s)) = sl.spec {
            let spec = s.get_ref();
            let key = format!("step[{}]", k + 1);
            for (name, log_key, src) in spec.log_sources() {
                match files_of(src.get_ref(), &format!("{key}.{log_key}"), src.span())? {
                    Some(b) => step.logs.insert(name, b),
                    None => step.logs.remove(&name),
                };
            }
            if let Some(l) = &spec.local {
                local = l.iter().map(|(name, size)| LocalFile::new(name, *size)).collect();
            }
            if let Some(e) = &spec.samba_error {
                samba = Err(e.clone());
            } else if let Some(l) = &spec.samba {
                samba = Ok(Listing::from(l.clone()));
            }
        }
        step.local = local;
        step.samba = samba;
        world.steps.push(step);
        world.step_runs.push(sl.run.and_then(|r| u32::try_from(r + 1).ok()));
        world.strict_only.push(sl.strict_only);
    }
    Ok(world)
}

/// The run whose Samba upload is the latest one done before this trigger, when that upload
/// failed in a way that makes the scenario's own listing of the share fail too (the same
/// credentials, share and host): its index and the listing's message.
fn listing_failure_before(runs: &[RunInfo], done: &[usize]) -> Option<(usize, String)> {
    let (r, run) = done
        .iter()
        .rev()
        .filter_map(|r| Some((*r, runs.get(*r)?)))
        .find(|(_, run)| run.samba.is_some())?;
    let (message, _) = run.samba_failure.as_ref()?;
    listing_message(message).map(|m| (r, m))
}

/// The runs of one file by start time, to find the first offset of a run started after an
/// instant without a walk over every run at every trigger.
struct RunStarts {
    /// The start instants, ascending.
    at: Vec<Timestamp>,
    /// For each place in `at`: the lowest start offset among the runs from there on.
    lowest_from: Vec<usize>,
}

impl RunStarts {
    fn new(runs: &[RunInfo], file: &str, tz: &TimeZone) -> RunStarts {
        let mut starts: Vec<(Timestamp, usize)> = runs
            .iter()
            .filter(|r| r.file == file)
            .filter_map(|r| {
                let (dt, _) = r.start?;
                let t = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
                Some((t, r.start_offset))
            })
            .collect();
        starts.sort();
        let mut lowest_from = vec![0; starts.len()];
        let mut lowest = usize::MAX;
        for (i, (_, o)) in starts.iter().enumerate().rev() {
            lowest = lowest.min(*o);
            lowest_from[i] = lowest;
        }
        RunStarts {
            at: starts.into_iter().map(|(t, _)| t).collect(),
            lowest_from,
        }
    }

    /// The lowest start offset of the runs started strictly after `instant`.
    fn first_after(&self, instant: Timestamp) -> Option<usize> {
        self.lowest_from
            .get(self.at.partition_point(|t| *t <= instant))
            .copied()
    }
}

/// The backup folder and the Samba share as the runs done so far left them, carried from one
/// trigger to the next so that each run is applied once (building them again at each trigger
/// was quadratic in runs); the steps share their unchanged parts (see [`Listing`]).
struct Carried {
    /// The runs applied, in order: those done at the last trigger.
    done: Vec<usize>,
    /// The folder: the manifest's files, plus each done run's archive, minus what its size
    /// limit deleted, in name order.
    local: Listing<LocalFile>,
    /// The share, newest first: each successful upload's archive, then the manifest's listing,
    /// each name once.
    samba: Listing<String>,
    /// The names in `samba`.
    samba_names: HashSet<String>,
}

impl Carried {
    /// Before any run: the manifest's folder and share.
    fn new(m: &Manifest) -> Carried {
        let local = m.local.iter().map(|(name, size)| LocalFile::new(name, *size)).collect();
        let mut samba_names = HashSet::new();
        let samba = m
            .samba
            .listing
            .iter()
            .filter(|f| samba_names.insert((*f).clone()))
            .cloned()
            .collect();
        Carried {
            done: Vec::new(),
            local,
            samba,
            samba_names,
        }
    }

    /// Applies one more done run (later than every run applied so far).
    fn apply(&mut self, run: &RunInfo, sizes: &mut ArchiveSizes, facts: &mut Facts) {
        for gone in &run.deleted {
            let at = self.local.partition_point(|f| f.name.as_str() < gone.as_str());
            if self.local.get(at).is_some_and(|f| f.name == *gone) {
                self.local.remove(at);
            }
        }
        let Some(a) = &run.archive else {
            return;
        };
        let size = sizes.size(&a.file_name, facts);
        let at = self.local.partition_point(|f| f.name < a.file_name);
        if self.local.get(at).is_some_and(|f| f.name == a.file_name) {
            self.local.remove(at);
        }
        self.local.insert(at, LocalFile::new(&a.file_name, size));
        if matches!(run.samba, Some((true, _))) {
            // The newest upload comes first; an older entry of the same name goes.
            let old = match self.samba_names.insert(a.file_name.clone()) {
                true => None,
                false => self.samba.iter().position(|n| *n == a.file_name),
            };
            if let Some(old) = old {
                self.samba.remove(old);
            }
            self.samba.insert(0, a.file_name.clone());
        }
    }
}

/// The message the scenario's listing (`cd "<folder>";ls`) throws when the upload failed with
/// `message`, or `None` when such a failure leaves the listing working (a full share, a
/// timeout, an unknown error). smbclient's `put` and `ls` log on with the same user to the same
/// share on the same host: a logon failure, a share not found or a host not reachable stops both.
pub fn listing_message(message: &str) -> Option<String> {
    const BOTH_FAIL: [&str; 10] = [
        "NT_STATUS_LOGON_FAILURE",
        "NT_STATUS_ACCOUNT_DISABLED",
        "NT_STATUS_WRONG_PASSWORD",
        "NT_STATUS_BAD_NETWORK_NAME",
        "NT_STATUS_OBJECT_PATH_NOT_FOUND",
        "NT_STATUS_HOST_UNREACHABLE",
        "NT_STATUS_CONNECTION_REFUSED",
        "NT_STATUS_NETWORK_UNREACHABLE",
        "Connection refused",
        "No route to host",
    ];
    if !BOTH_FAIL.iter().any(|code| message.contains(code)) {
        return None;
    }
    // The upload's command `-c 'cd "jeedom";lcd "…";put "…"'` becomes the listing's
    // `-c 'cd "jeedom";ls'`.
    let listing = match message.find(";lcd ") {
        Some(i) => match message[i..].find('\'') {
            Some(j) => format!("{};ls{}", &message[..i], &message[i + j..]),
            None => message.to_owned(),
        },
        None => message.to_owned(),
    };
    Some(listing)
}

/// The Jeedom version: flag, manifest, the newest archive name's release, the newest wording
/// that tells a generation apart, the default.
fn jeedom_version(m: &Manifest, ov: &Overrides, runs: &[RunInfo], facts: &mut Facts) -> JeedomVersion {
    if let Some(v) = ov.jeedom {
        facts.flag(Subject::Jeedom, Value::Version(v));
        v
    } else if let Some(v) = m.jeedom {
        v
    } else if let Some((seen, v, line, r)) = runs.iter().rev().find_map(|r| {
        let a = r.archive.as_ref()?;
        let seen = a.version.as_deref()?;
        let v: JeedomVersion = seen.parse().ok()?;
        Some((seen, v, a.line, r))
    }) {
        let (v, value) = published_generation(v, seen);
        facts.inferred(Subject::Jeedom, value, vec![at_line(r, line)]);
        v
    } else if let Some((v, line, r)) = runs.iter().rev().find_map(|r| r.generation.map(|(v, l)| (v, l, r))) {
        let (v, value) = published_generation(v, v.as_str());
        facts.inferred(Subject::Jeedom, value, vec![at_line(r, line)]);
        v
    } else {
        facts.assumed(Subject::Jeedom, Value::Version(DEFAULT_JEEDOM));
        DEFAULT_JEEDOM
    }
}

/// The generation to replay a log of Jeedom `seen` (a release such as `3.3.39`, parsed as `v`)
/// with: the scenario exists for 4.2 to 4.5 only, so an older log is replayed as 4.2 and a newer
/// release (`4.6.0`, read as 4.5) as 4.5, and the fact says so. Live mode maps the version the
/// box announces with it too (and then marks the fact `on_box`).
pub fn published_generation(v: JeedomVersion, seen: &str) -> (JeedomVersion, Value) {
    let replayed = match v {
        JeedomVersion::V2 | JeedomVersion::V3 => JeedomVersion::V4_2,
        other => other,
    };
    let same = seen == replayed.as_str() || seen.starts_with(&format!("{}.", replayed.as_str()));
    if same {
        (replayed, Value::Version(replayed))
    } else {
        let seen = seen.to_owned();
        (
            replayed,
            Value::ReplayedAs {
                seen,
                replayed,
                on_box: false,
            },
        )
    }
}

/// The config keys: `backup::path` (the archive's folder), the Samba keys (on when a run
/// uploads to Samba, off when runs made archives and none did), the manifest's, minus the keys
/// never saved. Also whether Samba is on.
fn config(m: &Manifest, ov: &Overrides, runs: &[RunInfo], facts: &mut Facts) -> (BTreeMap<String, String>, bool) {
    let never: BTreeSet<&str> = m.never_saved.iter().map(String::as_str).collect();
    let mut config: BTreeMap<String, String> = BTreeMap::new();
    let inferable = |k: &str| !m.config.contains_key(k) && !never.contains(k);
    let backup_path = ConfigKey::BackupPath;
    if inferable(backup_path.as_str()) {
        let subject = Subject::Config(backup_path);
        let value = Value::Text("backup".to_owned());
        match runs.iter().find_map(|r| {
            r.archive
                .as_ref()
                .filter(|a| a.path.contains("/backup/"))
                .map(|a| (r, a.line))
        }) {
            Some((r, line)) => facts.inferred(subject, value, vec![at_line(r, line)]),
            None => facts.assumed(subject, value),
        }
        config.insert(backup_path.as_str().to_owned(), "backup".to_owned());
    }
    let samba_on = if let Some(on) = ov.samba {
        let v = if on { "1" } else { "0" };
        for k in ConfigKey::SAMBA {
            facts.flag(Subject::Config(k), Value::Text(v.to_owned()));
            config.insert(k.as_str().to_owned(), v.to_owned());
        }
        on
    } else {
        let uploaded: Vec<LineAt> = runs
            .iter()
            .filter_map(|r| r.samba.map(|(_, l)| at_line(r, l)))
            .collect();
        let past_uploads: Vec<LineAt> = runs
            .iter()
            .filter(|r| r.log != LogName::Update && r.samba.is_none())
            .filter_map(|r| r.archive.as_ref().map(|a| at_line(r, a.line)))
            .collect();
        let (value, lines) = if !uploaded.is_empty() {
            ("1", Some(uploaded))
        } else if !past_uploads.is_empty() {
            ("0", Some(past_uploads))
        } else {
            ("0", None)
        };
        for k in ConfigKey::SAMBA {
            if inferable(k.as_str()) {
                let v = Value::Text(value.to_owned());
                match &lines {
                    Some(l) => facts.inferred(Subject::Config(k), v, l.clone()),
                    None => facts.assumed(Subject::Config(k), v),
                }
                config.insert(k.as_str().to_owned(), value.to_owned());
            }
        }
        value == "1"
    };
    let samba_keys = ConfigKey::SAMBA.map(ConfigKey::as_str);
    for (k, v) in &m.config {
        if ov.samba.is_none() || !samba_keys.contains(&k.as_str()) {
            config.insert(k.clone(), v.clone());
        }
    }
    for k in &never {
        config.remove(*k);
    }
    (config, samba_on)
}

/// `NO_CLOUD_BACKUP`: the manifest's, else set when the case holds an update's backup.
fn no_cloud_backup(m: &Manifest, runs: &[RunInfo], facts: &mut Facts) -> bool {
    match m.no_cloud_backup {
        Some(b) => b,
        None => match runs.iter().find(|r| r.log == LogName::Update) {
            Some(r) => {
                let line = r.start.map_or(1, |(_, l)| l);
                facts.inferred(Subject::NoCloudBackup, Value::Bool(true), vec![at_line(r, line)]);
                true
            }
            None => {
                facts.assumed(Subject::NoCloudBackup, Value::Bool(false));
                false
            }
        },
    }
}

/// What [`virtual_before`] needs to make up a successful backup the day before.
struct DayBefore {
    first_at: DateTime,
    jeedom: JeedomVersion,
    min_size: u64,
    samba_on: bool,
}

/// The virtual's value before the first trigger: the manifest's value or preset, else what a
/// successful backup the day before left (an assumption).
fn virtual_before(
    m: &Manifest,
    ov: &Overrides,
    runs: &[RunInfo],
    previous: &DayBefore,
    sizes: &mut ArchiveSizes,
    facts: &mut Facts,
    err: &Errors,
) -> Result<String, CaseError> {
    let day_before = |sizes: &mut ArchiveSizes, facts: &mut Facts| {
        previous_success(previous, runs, sizes, facts).map_err(|e| {
            err.case(Text::new(
                format!(
                    "le virtuel avant le premier déclenchement : « {e} » (message de json_encode de PHP, en anglais)"
                ),
                format!("the virtual before the first trigger: {e}"),
            ))
        })
    };
    match &ov.previous {
        Some(Previous::Success) => {
            let v = day_before(sizes, facts)?;
            facts.flag(Subject::VirtualBefore, Value::PreviousSuccess);
            return Ok(v);
        }
        Some(Previous::Empty) => {
            facts.flag(Subject::VirtualBefore, Value::Text(String::new()));
            return Ok(String::new());
        }
        Some(Previous::Value(v)) => {
            facts.flag(Subject::VirtualBefore, Value::Text(v.clone()));
            return Ok(v.clone());
        }
        None => {}
    }
    let start = m.virtual_start.as_ref().map(|v| v.get_ref());
    Ok(match start.map(|v| (&v.value, v.preset)) {
        Some((Some(value), _)) => value.clone(),
        Some((None, Some(Preset::Empty) | None)) => String::new(),
        Some((None, Some(Preset::PreviousSuccess))) | None => {
            let v = day_before(sizes, facts)?;
            if start.is_none() {
                facts.assumed(Subject::VirtualBefore, Value::PreviousSuccess);
            }
            v
        }
    })
}

/// The profiles the case runs with: the manifest's (built-in names or profile files of the
/// folder, each once), else the default ones.
fn profiles(case: &Case, err: &Errors) -> Result<Vec<ProfileRef>, CaseError> {
    let mut profiles = Vec::new();
    let Some(list) = &case.manifest.profiles else {
        profiles.extend(DEFAULT_PROFILES.iter().map(|p| ProfileRef::Builtin((*p).to_owned())));
        return Ok(profiles);
    };
    for p in list {
        let name = p.get_ref();
        // A file the profile names, in the case folder and present (`kind`: what it holds).
        let file_in_case = |rel: &str, kind: [&str; 2], outside: [String; 2]| {
            let path = super::checked_path(&case.dir, rel).ok_or_else(|| {
                let [fr, en] = outside.clone();
                err.manifest(Some(p.span()), "profiles".to_owned(), Text::new(fr, en))
            })?;
            if !path.is_file() {
                return Err(err.manifest(
                    Some(p.span()),
                    "profiles".to_owned(),
                    Text::new(
                        format!("le fichier de {} {} n'existe pas", kind[0], path.display()),
                        format!("{} file {} does not exist", kind[1], path.display()),
                    ),
                ));
            }
            Ok(path)
        };
        if let Some(rel) = name.strip_prefix("php:") {
            let path = file_in_case(
                rel,
                ["scénario", "scenario"],
                [
                    format!("« {name} » : le modèle ou le bloc code doit être un fichier du dossier du cas"),
                    format!("{name:?}: the template or code block must be a file of the case folder"),
                ],
            )?;
            profiles.push(ProfileRef::Php {
                name: name.clone(),
                path,
            });
        } else if name.ends_with(".toml") {
            let path = file_in_case(
                name,
                ["profil", "profile"],
                [
                    format!("« {name} » doit être un fichier du dossier du cas"),
                    format!("{name:?} must be a file of the case folder"),
                ],
            )?;
            profiles.push(ProfileRef::File {
                name: name.clone(),
                path,
            });
        } else if is_builtin_profile(name) {
            profiles.push(ProfileRef::Builtin(name.clone()));
        } else {
            return Err(err.manifest(
                Some(p.span()),
                "profiles".to_owned(),
                Text::new(
                    format!(
                        "profil inconnu « {name} » : utilisez {} ou un fichier de profil en .toml",
                        DEFAULT_PROFILES.join(", ")
                    ),
                    format!(
                        "unknown profile {name:?}: use {} or a profile file ending in .toml",
                        DEFAULT_PROFILES.join(", ")
                    ),
                ),
            ));
        }
        if profiles.iter().filter(|q| q.name() == name).count() > 1 {
            return Err(err.manifest(
                Some(p.span()),
                "profiles".to_owned(),
                Text::new(
                    format!("le profil « {name} » est nommé deux fois"),
                    format!("profile {name:?} is named twice"),
                ),
            ));
        }
    }
    Ok(profiles)
}

/// Every `[expect]` entry names a profile the case runs.
fn expectations_name_profiles(case: &Case, profiles: &[ProfileRef], err: &Errors) -> Result<(), CaseError> {
    for k in case.manifest.expect.keys() {
        if !profiles.iter().any(|p| p.name() == k) {
            let span = case.source.find("[expect]").map(|h| {
                let from = h + case.source.get(h..).and_then(|s| s.find(k.as_str())).unwrap_or(0);
                from..from + k.len()
            });
            return Err(err.manifest(
                span,
                format!("expect.{k}"),
                Text::new(
                    format!("« {k} » n'est pas l'un des profils que joue ce cas"),
                    format!("{k:?} is not one of the profiles this case runs"),
                ),
            ));
        }
    }
    Ok(())
}

/// The share's content when nothing but the log tells it (Samba on, the manifest gives no
/// listing nor listing error): each successful upload put its run's archive first on it.
pub fn share_from_log(case: &Case, resolved: &Resolved) -> Option<Fact> {
    let m = &case.manifest;
    let samba_on = resolved
        .timeline
        .config
        .get(ConfigKey::SambaEnable.as_str())
        .is_some_and(|v| v != "0");
    let inferred = resolved.facts.iter().any(|f| f.value == Value::ListingFailsLikeUpload);
    (samba_on && !inferred && m.samba.listing.is_empty() && m.samba.error.is_none()).then(|| {
        Fact::new(
            Subject::SambaListing,
            Value::ShareFromUploads,
            Origin::Added { lines: Vec::new() },
        )
    })
}

/// Built-in profile names.
pub fn is_builtin_profile(name: &str) -> bool {
    DEFAULT_PROFILES.contains(&name)
}

/// The value the 2024-08 scenario leaves after a good backup the day before the first trigger,
/// of the same box and version as the first archive the logs name (built by the engine).
fn previous_success(
    p: &DayBefore,
    runs: &[RunInfo],
    sizes: &mut ArchiveSizes,
    facts: &mut Facts,
) -> Result<String, crate::php::JsonEncodeError> {
    let begin = p.first_at.checked_sub(1.day()).unwrap_or(p.first_at);
    let end = begin.checked_add(3.minutes()).unwrap_or(begin);
    let stamp = |dt: DateTime| dt.strftime("%Y-%m-%d-%Hh%M").to_string();
    let (prefix, size) = match runs.iter().find_map(|r| r.archive.as_ref()) {
        Some(a) if a.file_name.len() > 23 && a.file_name.is_char_boundary(a.file_name.len() - 23) => (
            a.file_name.get(..a.file_name.len() - 23).unwrap_or_default().to_owned(),
            sizes.size(&a.file_name, facts),
        ),
        _ => (
            format!("backup-Jeedom-{}-", typical_release(p.jeedom)),
            DEFAULT_ARCHIVE_SIZE,
        ),
    };
    let file_name = format!("{prefix}{}.tar.gz", stamp(begin));
    ScenarioState::successful_backup(begin, end, p.min_size, &file_name, size, p.samba_on).to_json()
}

/// A plausible full release number for a generation (for names only).
fn typical_release(v: JeedomVersion) -> &'static str {
    match v {
        JeedomVersion::V2 => "2.4.6",
        JeedomVersion::V3 => "3.3.59",
        JeedomVersion::V4_2 => "4.2.21",
        JeedomVersion::V4_3 => "4.3.23",
        JeedomVersion::V4_4 => "4.4.20",
        JeedomVersion::V4_5 => "4.5.3",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_success_is_the_engines_json() {
        let p = DayBefore {
            first_at: jiff::civil::date(2025, 9, 10).at(3, 27, 1, 0),
            jeedom: JeedomVersion::V4_4,
            min_size: DEFAULT_MIN_SIZE,
            samba_on: true,
        };
        let m = Case::from_log("x", LogName::Backup, "x", LogBytes::from(&b""[..])).manifest;
        let mut sizes = ArchiveSizes {
            manifest: &m,
            flag: None,
            seen: BTreeSet::new(),
        };
        let v = previous_success(&p, &[], &mut sizes, &mut Facts::default()).unwrap();
        assert_eq!(
            v,
            "{\"date\":\"2025-09-09\",\"heure\":\"03h27\",\"minSizeBackup\":\"100 MB\",\"backup\":{\"local\":{\"fileName\":\"backup-Jeedom-4.4.20-2025-09-09-03h27.tar.gz\",\"fileSize\":\"212 MB\",\"erreurFileSize\":0,\"error\":0},\"samba\":{\"error\":0},\"market\":{\"error\":-1}},\"lastSave\":\"2025-09-09-03h30\",\"update\":0,\"action\":\"endBackup\",\"errorScenario\":0,\"errorLogBackup\":0}"
        );
    }
}
