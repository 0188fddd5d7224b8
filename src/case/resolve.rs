//! Resolving a [`Case`] into a [`Timeline`]: every fact the manifest gives, and for the rest what
//! the log says (marked *inferred*, with the line it came from) or a default (marked *assumed*,
//! with how to override it). Precedence, highest first: a command-line flag ([`Overrides`]), the
//! manifest, the log, the default.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;
use toml::Spanned;

use super::cut;
use super::manifest::{DEFAULT_PROFILES, LogSource, ManifestError, Preset, StepSpec, TileClass};
use super::runs::{RunEndInfo, RunInfo};
use super::{Case, CaseError};
use crate::world::{
    DEFAULT_TZ, JeedomVersion, LocalFile, LogBytes, LogName, SambaListing, Step, Timeline, Trigger, format_at,
};

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
    /// Every fact not given by the manifest, in a stable order.
    pub facts: Vec<Fact>,
}

/// A fact the manifest did not give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub kind: FactKind,
    /// What the fact is about (`jeedom`, `run 1 begin_backup at`, `archive … size`).
    pub subject: String,
    pub value: String,
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    /// Read from the log.
    Inferred,
    /// A default: the log cannot tell.
    Assumed,
    /// Imposed by a command-line flag.
    Flag,
}

/// Where a fact came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Source {
    /// These lines of the case's logs.
    Lines { lines: Vec<LineAt> },
    /// A default; `hint` says how to override it.
    Default { hint: String },
    /// A command-line flag.
    Flag { flag: String },
}

/// A line of one of the case's files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAt {
    pub file: String,
    pub line: u32,
}

impl fmt::Display for LineAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            FactKind::Inferred => "inferred",
            FactKind::Assumed => "assumed ",
            FactKind::Flag => "flag    ",
        };
        write!(f, "{kind} {} = {}", self.subject, self.value)?;
        match &self.source {
            Source::Lines { lines } if lines.is_empty() => Ok(()),
            Source::Lines { lines } => {
                let l: Vec<String> = lines.iter().map(ToString::to_string).collect();
                write!(f, "  (from {})", l.join(", "))
            }
            Source::Default { hint } => write!(f, "  (default; {hint})"),
            Source::Flag { flag } => write!(f, "  ({flag})"),
        }
    }
}

struct Facts(Vec<Fact>);

impl Facts {
    fn inferred(&mut self, subject: impl Into<String>, value: impl fmt::Display, lines: Vec<LineAt>) {
        self.0.push(Fact {
            kind: FactKind::Inferred,
            subject: subject.into(),
            value: value.to_string(),
            source: Source::Lines { lines },
        });
    }
    fn assumed(&mut self, subject: impl Into<String>, value: impl fmt::Display, hint: impl Into<String>) {
        self.0.push(Fact {
            kind: FactKind::Assumed,
            subject: subject.into(),
            value: value.to_string(),
            source: Source::Default { hint: hint.into() },
        });
    }
    fn flag(&mut self, subject: impl Into<String>, value: impl fmt::Display, flag: &str) {
        self.0.push(Fact {
            kind: FactKind::Flag,
            subject: subject.into(),
            value: value.to_string(),
            source: Source::Flag { flag: flag.to_owned() },
        });
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
}

/// Resolves a loaded case. See the module doc for precedence.
pub fn resolve(case: &Case, ov: &Overrides) -> Result<Resolved, CaseError> {
    let m = &case.manifest;
    let mut facts = Facts(Vec::new());
    let merr = |span: Option<std::ops::Range<usize>>, key: String, msg: String| {
        CaseError::Manifest(ManifestError::at(
            &case.manifest_path,
            &case.source,
            span,
            Some(key),
            msg,
        ))
    };
    let rerr = |msg: String| CaseError::Resolve {
        path: case.manifest_path.clone(),
        message: msg,
    };

    // ---- parameters ----
    let tz_name = if let Some(t) = &ov.tz {
        facts.flag("time zone", t, "--tz");
        t.clone()
    } else if let Some(t) = &m.params.tz {
        t.get_ref().clone()
    } else {
        facts.assumed("time zone", DEFAULT_TZ, "set [params] tz");
        DEFAULT_TZ.to_owned()
    };
    let tz = TimeZone::get(&tz_name).map_err(|e| rerr(format!("time zone {tz_name:?}: {e}")))?;
    let instant_of = |dt: DateTime| -> Result<Timestamp, CaseError> {
        tz.to_ambiguous_timestamp(dt)
            .compatible()
            .map_err(|e| rerr(format!("time {} in {tz_name}: {e}", format_at(dt))))
    };
    let civil_of = |t: Timestamp| tz.to_datetime(t);
    let min_size = if let Some(s) = ov.min_size {
        facts.flag("minimum archive size (bytes)", s, "--min-size");
        s
    } else if let Some(s) = m.params.min_size {
        s
    } else {
        facts.assumed(
            "minimum archive size (bytes)",
            DEFAULT_MIN_SIZE,
            "set [params] min_size",
        );
        DEFAULT_MIN_SIZE
    };
    let php = if let Some(p) = ov.php {
        facts.flag("PHP", p, "--php");
        p
    } else if let Some(p) = &m.params.php {
        *p.get_ref()
    } else {
        facts.assumed("PHP", DEFAULT_PHP, "set [params] php");
        DEFAULT_PHP
    };

    // ---- runs of every log, in start-time order ----
    let mut runs: Vec<RunInfo> = Vec::new();
    for (name, file) in &case.logs {
        if let Some(bytes) = case.files.get(file) {
            runs.extend(super::runs::extract(*name, file, bytes));
        }
    }
    let mut keyed = Vec::with_capacity(runs.len());
    for r in runs {
        let key = match r.start {
            Some((dt, _)) => instant_of(dt)?,
            None => Timestamp::MIN,
        };
        keyed.push((key, r));
    }
    keyed.sort_by_key(|(t, r)| (*t, r.log, r.start_offset));
    let runs: Vec<RunInfo> = keyed.into_iter().map(|(_, r)| r).collect();

    // ---- inferred triggers ----
    let update_lead = m.assume.update_lead.unwrap_or(DEFAULT_UPDATE_LEAD);
    let mut slots: Vec<Slot> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let n = i + 1;
        let start = match r.start {
            Some((dt, line)) => Some((instant_of(dt)?, dt, line)),
            None => None,
        };
        if r.log == LogName::Update {
            let (at, instant, at_fact) = match start {
                Some((t, _, line)) => {
                    let t = t
                        .checked_sub(SignedDuration::from_secs(i64::from(update_lead)))
                        .map_err(|e| rerr(e.to_string()))?;
                    let dt = civil_of(t);
                    let f = Fact {
                        kind: FactKind::Inferred,
                        subject: format!("run {n} begin_update at"),
                        value: format_at(dt),
                        source: Source::Lines {
                            lines: vec![at_line(r, line)],
                        },
                    };
                    (Some(dt), Some(t), Some(f))
                }
                None => (None, None, None),
            };
            slots.push(Slot {
                run: Some(i),
                trigger: Trigger::BeginUpdate,
                at,
                instant,
                at_fact,
                spec: None,
            });
        }
        let (at, instant, at_fact) = match start {
            Some((t, dt, line)) => (
                Some(dt),
                Some(t),
                Some(Fact {
                    kind: FactKind::Inferred,
                    subject: format!("run {n} begin_backup at"),
                    value: format_at(dt),
                    source: Source::Lines {
                        lines: vec![at_line(r, line)],
                    },
                }),
            ),
            None => (None, None, None),
        };
        slots.push(Slot {
            run: Some(i),
            trigger: Trigger::BeginBackup,
            at,
            instant,
            at_fact,
            spec: None,
        });
        if let RunEndInfo::Success { .. } = r.end {
            let end = match (start, r.duration, r.last_time) {
                (Some((t, _, bl)), Some((secs, dl)), _) => {
                    let t = t
                        .checked_add(SignedDuration::from_secs(i64::from(secs)))
                        .map_err(|e| rerr(e.to_string()))?;
                    let dt = civil_of(t);
                    Some((
                        dt,
                        t,
                        Fact {
                            kind: FactKind::Inferred,
                            subject: format!("run {n} end_backup at"),
                            value: format!("{} (banner + {secs} s)", format_at(dt)),
                            source: Source::Lines {
                                lines: vec![at_line(r, bl), at_line(r, dl)],
                            },
                        },
                    ))
                }
                (Some(_), None, Some((dt, line))) => Some((
                    dt,
                    instant_of(dt)?,
                    Fact {
                        kind: FactKind::Assumed,
                        subject: format!("run {n} end_backup at"),
                        value: format!("{} (its last dated line; no duration line)", format_at(dt)),
                        source: Source::Lines {
                            lines: vec![at_line(r, line)],
                        },
                    },
                )),
                _ => None,
            };
            let (at, instant, at_fact) = match end {
                Some((dt, t, f)) => (Some(dt), Some(t), Some(f)),
                None => (None, None, None),
            };
            slots.push(Slot {
                run: Some(i),
                trigger: Trigger::EndBackup,
                at,
                instant,
                at_fact,
                spec: None,
            });
        }
    }

    // ---- the manifest's [[step]] entries: override, drop or add ----
    for (k, s) in m.steps.iter().enumerate() {
        let spec = s.get_ref();
        let key = format!("step[{}]", k + 1);
        let run_idx = match &spec.run {
            Some(r) => {
                let n = *r.get_ref() as usize;
                if n > runs.len() {
                    return Err(merr(
                        Some(r.span()),
                        format!("{key}.run"),
                        format!("there is no run {n}: the logs hold {} run(s)", runs.len()),
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
                let slot = &mut slots[p];
                if let Some(at) = spec.at {
                    slot.at = Some(at.0);
                    slot.instant = None;
                    slot.at_fact = None;
                }
                slot.spec = Some((k, s));
            }
            (None, true) => {
                return Err(merr(
                    Some(s.span()),
                    format!("{key}.skip"),
                    format!(
                        "run {} has no inferred `{}` to skip",
                        run_idx.map_or(0, |r| r + 1),
                        spec.trigger
                    ),
                ));
            }
            (None, false) => {
                let Some(at) = spec.at else {
                    return Err(merr(
                        Some(s.span()),
                        format!("{key}.at"),
                        format!(
                            "`at` is needed: no `{}` of {} is inferred from the logs",
                            spec.trigger,
                            match run_idx {
                                Some(r) => format!("run {}", r + 1),
                                None => "any run".to_owned(),
                            }
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
                });
            }
        }
    }
    if slots.is_empty() {
        return Err(rerr(
            "no trigger to replay: the logs hold no backup run and the manifest has no [[step]] (see scenarios/README.md)".to_owned(),
        ));
    }
    for sl in &mut slots {
        let Some(at) = sl.at else {
            let n = sl.run.map_or(0, |r| r + 1);
            let why = match (sl.run.map(|r| &runs[r]), &sl.trigger) {
                (Some(r), Trigger::EndBackup) if r.start.is_none() => "its banner (start time) is missing",
                (Some(_), Trigger::EndBackup) => "it has neither a duration line nor a dated line",
                _ => "its banner (start time) is missing",
            };
            return Err(rerr(format!(
                "the time of run {n}'s `{}` cannot be inferred ({why}): add [[step]] with run = {n}, trigger = \"{}\" and at = \"YYYY-MM-DD HH:MM:SS\" (or skip = true)",
                sl.trigger, sl.trigger
            )));
        };
        if sl.instant.is_none() {
            sl.instant = Some(instant_of(at)?);
        }
    }
    slots.sort_by_key(|sl| sl.instant);
    let lead_used = slots
        .iter()
        .any(|sl| sl.trigger == Trigger::BeginUpdate && sl.at_fact.is_some());
    if lead_used && m.assume.update_lead.is_none() {
        facts.assumed(
            "seconds from begin_update to the update's backup",
            update_lead,
            "set [assume] update_lead, or give the begin_update [[step]] its `at`",
        );
    }
    for sl in &slots {
        if let Some(f) = &sl.at_fact {
            facts.0.push(f.clone());
        }
    }

    // When each run's archive exists (for triggers not tied to the run).
    let done_at: Vec<Option<Timestamp>> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.archive.as_ref()?;
            let end = slots
                .iter()
                .find(|s| s.run == Some(i) && s.trigger == Trigger::EndBackup)
                .and_then(|s| s.instant);
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
        if runs[r].archive.is_none() {
            return false;
        }
        match slot.run {
            Some(sr) => r < sr || (r == sr && slot.trigger == Trigger::EndBackup),
            None => done_at[r].zip(slot.instant).is_some_and(|(d, s)| d <= s),
        }
    };

    // ---- archive sizes ----
    let mut size_facts: BTreeSet<String> = BTreeSet::new();
    let mut archive_size = |name: &str, facts: &mut Facts| -> u64 {
        if let Some(s) = m.sizes.get(name) {
            return *s;
        }
        let (size, flag) = match (ov.archive_size, m.assume.archive_size) {
            (Some(s), _) => (s, true),
            (None, Some(s)) => (s, false),
            (None, None) => (DEFAULT_ARCHIVE_SIZE, false),
        };
        if size_facts.insert(name.to_owned()) {
            if flag {
                facts.flag(format!("size of {name} (bytes)"), size, "--archive-size");
            } else if m.assume.archive_size.is_none() {
                facts.assumed(
                    format!("size of {name} (bytes)"),
                    size,
                    "set [sizes] or [assume] archive_size",
                );
            }
        }
        size
    };

    // ---- steps ----
    let files_of = |src: &LogSource, key: &str, span: std::ops::Range<usize>| -> Result<Option<LogBytes>, CaseError> {
        let Some(file) = src.file() else {
            return Ok(None);
        };
        let bytes = case.files.get(file).ok_or_else(|| {
            merr(
                Some(span.clone()),
                key.to_owned(),
                format!("file {file:?} was not loaded"),
            )
        })?;
        let end = match src {
            LogSource::File(_) => bytes.len(),
            LogSource::Cut(c) => match (c.until_line, &c.until) {
                (Some(n), _) => cut::after_line(bytes, n),
                (None, Some(t)) => cut::after_text(bytes, t, c.occurrence.unwrap_or(1)).ok_or_else(|| {
                    merr(
                        Some(span.clone()),
                        key.to_owned(),
                        match c.occurrence.unwrap_or(1) {
                            0 | 1 => format!("{file} has no line holding {t:?}"),
                            n => format!("{file} has fewer than {n} lines holding {t:?}"),
                        },
                    )
                })?,
                (None, None) => bytes.len(),
            },
        };
        Ok((end > 0 && end <= bytes.len()).then(|| bytes.slice(..end)))
    };
    let mut steps = Vec::with_capacity(slots.len());
    let mut step_runs = Vec::with_capacity(slots.len());
    for sl in &slots {
        let at = sl.at.unwrap_or_default();
        let instant = sl.instant.unwrap_or(Timestamp::MIN);
        let mut step = Step::new(sl.trigger.clone(), at);
        // Logs, as the files were at that moment.
        for (name, file) in &case.logs {
            let Some(bytes) = case.files.get(file) else {
                continue;
            };
            let tied = sl.run.map(|r| &runs[r]).filter(|r| r.log == *name && r.file == *file);
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
                    let later_run = runs
                        .iter()
                        .filter(|r| {
                            r.file == *file
                                && r.start.is_some_and(|(dt, _)| {
                                    tz.to_ambiguous_timestamp(dt).compatible().is_ok_and(|t| t > instant)
                                })
                        })
                        .map(|r| r.start_offset)
                        .min()
                        .unwrap_or(bytes.len());
                    cut::before_time(bytes, &tz, instant).min(later_run)
                }
            };
            if let Some(b) = bytes.get(..end).filter(|b| !b.is_empty()) {
                step.logs.insert(*name, bytes.slice(..b.len()));
            }
        }
        // The backup folder.
        let mut local: BTreeMap<String, u64> = m.local.clone();
        for (r, run) in runs.iter().enumerate() {
            if run_done(r, sl) {
                for gone in &run.deleted {
                    local.remove(gone);
                }
                if let Some(a) = &run.archive {
                    let size = archive_size(&a.file_name, &mut facts);
                    local.insert(a.file_name.clone(), size);
                }
            }
        }
        // The Samba share (names seen kept in a set: a scan of the listing for each name was
        // quadratic in runs at every step).
        let mut listing: Vec<String> = Vec::new();
        let mut listed: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (r, run) in runs.iter().enumerate().rev() {
            if run_done(r, sl) && matches!(run.samba, Some((true, _))) {
                if let Some(a) = &run.archive {
                    if listed.insert(&a.file_name) {
                        listing.push(a.file_name.clone());
                    }
                }
            }
        }
        for f in &m.samba.listing {
            if listed.insert(f) {
                listing.push(f.clone());
            }
        }
        let mut samba: SambaListing = match &m.samba.error {
            Some(e) => Err(e.clone()),
            None => Ok(listing),
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
                local = l.clone();
            }
            if let Some(e) = &spec.samba_error {
                samba = Err(e.clone());
            } else if let Some(l) = &spec.samba {
                samba = Ok(l.clone());
            }
        }
        step.local = local.into_iter().map(|(name, size)| LocalFile { name, size }).collect();
        step.samba = samba;
        steps.push(step);
        step_runs.push(sl.run.and_then(|r| u32::try_from(r + 1).ok()));
    }

    // ---- Jeedom version ----
    let jeedom = if let Some(v) = ov.jeedom {
        facts.flag("jeedom", v, "--jeedom-version");
        v
    } else if let Some(v) = m.jeedom {
        v
    } else if let Some((v, line, r)) = runs.iter().rev().find_map(|r| {
        let a = r.archive.as_ref()?;
        let v: JeedomVersion = a.version.as_deref()?.parse().ok()?;
        Some((v, a.line, r))
    }) {
        facts.inferred("jeedom", v, vec![at_line(r, line)]);
        v
    } else if let Some((v, line, r)) = runs.iter().rev().find_map(|r| r.generation.map(|(v, l)| (v, l, r))) {
        facts.inferred("jeedom", v, vec![at_line(r, line)]);
        v
    } else {
        facts.assumed("jeedom", DEFAULT_JEEDOM, "set `jeedom`");
        DEFAULT_JEEDOM
    };

    // ---- config ----
    let never: BTreeSet<&str> = m.never_saved.iter().map(String::as_str).collect();
    let mut config: BTreeMap<String, String> = BTreeMap::new();
    let inferable = |k: &str| !m.config.contains_key(k) && !never.contains(k);
    if inferable("backup::path") {
        match runs.iter().find_map(|r| {
            r.archive
                .as_ref()
                .filter(|a| a.path.contains("/backup/"))
                .map(|a| (r, a.line))
        }) {
            Some((r, line)) => facts.inferred("config backup::path", "backup", vec![at_line(r, line)]),
            None => facts.assumed("config backup::path", "backup", "set [config] \"backup::path\""),
        }
        config.insert("backup::path".to_owned(), "backup".to_owned());
    }
    let samba_keys = ["samba::enable", "samba::cloudUpload"];
    let samba_on = if let Some(on) = ov.samba {
        let v = if on { "1" } else { "0" };
        for k in samba_keys {
            facts.flag(format!("config {k}"), v, "--samba");
            config.insert(k.to_owned(), v.to_owned());
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
        for k in samba_keys {
            if inferable(k) {
                match &lines {
                    Some(l) => facts.inferred(format!("config {k}"), value, l.clone()),
                    None => facts.assumed(format!("config {k}"), value, format!("set [config] \"{k}\"")),
                }
                config.insert(k.to_owned(), value.to_owned());
            }
        }
        value == "1"
    };
    for (k, v) in &m.config {
        if ov.samba.is_none() || !samba_keys.contains(&k.as_str()) {
            config.insert(k.clone(), v.clone());
        }
    }
    for k in &never {
        config.remove(*k);
    }

    // ---- NO_CLOUD_BACKUP ----
    let no_cloud_backup = match m.no_cloud_backup {
        Some(b) => b,
        None => match runs.iter().find(|r| r.log == LogName::Update) {
            Some(r) => {
                let line = r.start.map_or(1, |(_, l)| l);
                facts.inferred("NO_CLOUD_BACKUP", true, vec![at_line(r, line)]);
                true
            }
            None => {
                facts.assumed("NO_CLOUD_BACKUP", false, "set `no_cloud_backup`");
                false
            }
        },
    };

    // ---- the virtual's starting value ----
    let first_at = steps.first().map(|s| s.at).unwrap_or_default();
    let start = m.virtual_start.as_ref().map(|v| v.get_ref());
    let initial_virtual = match start.map(|v| (&v.value, v.preset)) {
        Some((Some(value), _)) => value.clone(),
        Some((None, Some(Preset::Empty) | None)) => String::new(),
        Some((None, Some(Preset::PreviousSuccess))) | None => {
            let v = previous_success(
                first_at,
                &runs,
                jeedom,
                min_size,
                samba_on,
                &mut archive_size,
                &mut facts,
            );
            if start.is_none() {
                facts.assumed(
                    "virtual before the first trigger",
                    "previous-success",
                    "set [virtual] preset or value",
                );
            }
            v
        }
    };

    // ---- profiles and expectations ----
    let mut profiles = Vec::new();
    match &m.profiles {
        Some(list) => {
            for p in list {
                let name = p.get_ref();
                if let Some(rel) = name.strip_prefix("php:") {
                    let path = super::checked_path(&case.dir, rel).ok_or_else(|| {
                        merr(
                            Some(p.span()),
                            "profiles".to_owned(),
                            format!("{name:?}: the template or code block must be a file of the case folder"),
                        )
                    })?;
                    if !path.is_file() {
                        return Err(merr(
                            Some(p.span()),
                            "profiles".to_owned(),
                            format!("scenario file {} does not exist", path.display()),
                        ));
                    }
                    profiles.push(ProfileRef::Php {
                        name: name.clone(),
                        path,
                    });
                } else if name.ends_with(".toml") {
                    let path = super::checked_path(&case.dir, name).ok_or_else(|| {
                        merr(
                            Some(p.span()),
                            "profiles".to_owned(),
                            format!("{name:?} must be a file of the case folder"),
                        )
                    })?;
                    if !path.is_file() {
                        return Err(merr(
                            Some(p.span()),
                            "profiles".to_owned(),
                            format!("profile file {} does not exist", path.display()),
                        ));
                    }
                    profiles.push(ProfileRef::File {
                        name: name.clone(),
                        path,
                    });
                } else if is_builtin_profile(name) {
                    profiles.push(ProfileRef::Builtin(name.clone()));
                } else {
                    return Err(merr(
                        Some(p.span()),
                        "profiles".to_owned(),
                        format!(
                            "unknown profile {name:?}: use {} or a profile file ending in .toml",
                            DEFAULT_PROFILES.join(", ")
                        ),
                    ));
                }
                if profiles.iter().filter(|q| q.name() == name).count() > 1 {
                    return Err(merr(
                        Some(p.span()),
                        "profiles".to_owned(),
                        format!("profile {name:?} is named twice"),
                    ));
                }
            }
        }
        None => profiles.extend(DEFAULT_PROFILES.iter().map(|p| ProfileRef::Builtin((*p).to_owned()))),
    }
    for k in m.expect.keys() {
        if !profiles.iter().any(|p| p.name() == k) {
            let span = case.source.find("[expect]").map(|h| {
                let from = h + case.source.get(h..).and_then(|s| s.find(k.as_str())).unwrap_or(0);
                from..from + k.len()
            });
            return Err(merr(
                span,
                format!("expect.{k}"),
                format!("{k:?} is not one of the profiles this case runs"),
            ));
        }
    }

    Ok(Resolved {
        name: case.name.clone(),
        description: m.description.get_ref().clone(),
        timeline: Timeline {
            jeedom,
            initial_virtual,
            config,
            no_cloud_backup,
            tz: tz_name,
            steps,
        },
        min_size,
        php,
        profiles,
        expect: m.expect.clone(),
        step_runs,
        facts: facts.0,
    })
}

/// Built-in profile names.
pub fn is_builtin_profile(name: &str) -> bool {
    DEFAULT_PROFILES.contains(&name)
}

/// The value the 2024-08 scenario leaves after a good backup the day before `first_at`.
fn previous_success(
    first_at: DateTime,
    runs: &[RunInfo],
    jeedom: JeedomVersion,
    min_size: u64,
    samba_on: bool,
    archive_size: &mut impl FnMut(&str, &mut Facts) -> u64,
    facts: &mut Facts,
) -> String {
    let begin = first_at.checked_sub(1.day()).unwrap_or(first_at);
    let end = begin.checked_add(3.minutes()).unwrap_or(begin);
    let stamp = |dt: DateTime| dt.strftime("%Y-%m-%d-%Hh%M").to_string();
    // Same box and version as the first archive the logs name, a day earlier.
    let (prefix, size) = match runs.iter().find_map(|r| r.archive.as_ref()) {
        Some(a) if a.file_name.len() > 23 && a.file_name.is_char_boundary(a.file_name.len() - 23) => (
            a.file_name[..a.file_name.len() - 23].to_owned(),
            archive_size(&a.file_name, facts),
        ),
        _ => (
            format!("backup-Jeedom-{}-", typical_release(jeedom)),
            DEFAULT_ARCHIVE_SIZE,
        ),
    };
    let file_name = format!("{prefix}{}.tar.gz", stamp(begin));
    format!(
        "{{\"date\":\"{}\",\"heure\":\"{}\",\"minSizeBackup\":{},\"backup\":{{\"local\":{{\"fileName\":{},\"fileSize\":{},\"erreurFileSize\":0,\"error\":0}},\"samba\":{{\"error\":{}}},\"market\":{{\"error\":-1}}}},\"lastSave\":\"{}\",\"update\":0,\"action\":\"endBackup\",\"errorScenario\":0,\"errorLogBackup\":0}}",
        begin.strftime("%Y-%m-%d"),
        begin.strftime("%Hh%M"),
        php_json_string(&crate::php::size_format(min_size)),
        php_json_string(&file_name),
        php_json_string(&crate::php::size_format(size)),
        if samba_on { 0 } else { -1 },
        stamp(end),
    )
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

/// A JSON string as PHP's `json_encode` writes it (`/` and non-ASCII escaped).
fn php_json_string(s: &str) -> String {
    // Encoding a UTF-8 string cannot fail; the fallback is unreachable but keeps this total.
    crate::php::json_encode(&crate::php::Value::str(s)).unwrap_or_else(|_| String::from("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_json_strings_escape_slashes_and_accents() {
        assert_eq!(php_json_string("a/é\""), "\"a\\/\\u00e9\\\"\"");
    }
}
