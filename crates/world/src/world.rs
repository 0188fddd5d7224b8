//! The Jeedom world the scenario sees, step 3 of the data flow
//! (log text → parsed run → **Jeedom world** → engine → state → views).
//!
//! This module owns two things:
//! - [`Timeline`]: a case once every fact is known (given or inferred): the Jeedom version, the
//!   virtual's starting value, the config, and each trigger with the world as it was at that
//!   moment. It is exactly the `case` object of a conformance vector, so vectors deserialize
//!   into it directly.
//! - [`World`]: the one trait through which the engine reads and writes Jeedom. The engine knows
//!   nothing of files or HTTP; [`MemoryWorld`] serves a timeline from memory, and the JSON-RPC
//!   client (`jeeapi`) is just another implementation.
//!
//! Architecture invariant: nothing here reads the system clock. Time comes from the timeline.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The default time zone of a Jeedom box in this project (the vectors use it).
pub const DEFAULT_TZ: &str = "Europe/Paris";

/// What launched the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Trigger {
    BeginBackup,
    EndBackup,
    BeginUpdate,
    /// Any other launcher (`user`, `api`, `schedule`, …). The published scenario treats them all
    /// alike; the strict profile uses them as a watchdog tick.
    Other(String),
}

impl Trigger {
    pub fn as_str(&self) -> &str {
        match self {
            Trigger::BeginBackup => "begin_backup",
            Trigger::EndBackup => "end_backup",
            Trigger::BeginUpdate => "begin_update",
            Trigger::Other(s) => s,
        }
    }
}

impl From<&str> for Trigger {
    fn from(s: &str) -> Self {
        match s {
            "begin_backup" => Trigger::BeginBackup,
            "end_backup" => Trigger::EndBackup,
            "begin_update" => Trigger::BeginUpdate,
            other => Trigger::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Trigger {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Trigger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Trigger::from(s.as_str()))
    }
}

/// A Jeedom core generation. Only what changes behaviour is distinguished: the log's wording
/// (2.x, 3.x, 4.2 … 4.5) and, for the engine, whether the trigger comes from the 4.5 tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JeedomVersion {
    V2,
    V3,
    V4_2,
    V4_3,
    V4_4,
    V4_5,
}

impl JeedomVersion {
    pub const ALL: [JeedomVersion; 6] = [
        JeedomVersion::V2,
        JeedomVersion::V3,
        JeedomVersion::V4_2,
        JeedomVersion::V4_3,
        JeedomVersion::V4_4,
        JeedomVersion::V4_5,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JeedomVersion::V2 => "2",
            JeedomVersion::V3 => "3",
            JeedomVersion::V4_2 => "4.2",
            JeedomVersion::V4_3 => "4.3",
            JeedomVersion::V4_4 => "4.4",
            JeedomVersion::V4_5 => "4.5",
        }
    }

    /// Jeedom 4.5 removed the accessor the 2022-01 and 2023-03 revisions read the trigger with.
    pub fn trigger_from_tag(self) -> bool {
        self >= JeedomVersion::V4_5
    }
}

impl fmt::Display for JeedomVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a version text that names no Jeedom generation this project knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Jeedom version {0:?} (expected 2.x, 3.x, 4.2, 4.3, 4.4 or 4.5, e.g. \"4.4.20\")")]
pub struct UnknownVersion(pub String);

impl FromStr for JeedomVersion {
    type Err = UnknownVersion;
    /// Accepts `4.4`, `4.4.20`, `v4.5.3`, `2`, `3.3.39`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches(['v', 'V']);
        // Every part is a number: `4.4.20` is a release, `4.4.banana` is a typo.
        if t.split('.')
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(UnknownVersion(s.to_owned()));
        }
        let mut parts = t.split('.');
        let major = parts.next().unwrap_or("");
        let minor = parts.next();
        let v = match (major, minor) {
            ("2", _) => JeedomVersion::V2,
            ("3", _) => JeedomVersion::V3,
            ("4", Some("0" | "1" | "2")) => JeedomVersion::V4_2,
            ("4", Some("3")) => JeedomVersion::V4_3,
            ("4", Some("4")) => JeedomVersion::V4_4,
            ("4", Some(m)) if m.parse::<u32>().is_ok_and(|m| m >= 5) => JeedomVersion::V4_5,
            _ => return Err(UnknownVersion(s.to_owned())),
        };
        Ok(v)
    }
}

impl Serialize for JeedomVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for JeedomVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The Jeedom log files a backup can print into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogName {
    /// `log/backup`: what the published scenario reads.
    Backup,
    /// `log/update`: where the backup made during a core update prints.
    Update,
    /// `log/cron_execution`: where the daily scheduled backup's echoed text may go.
    CronExecution,
}

impl LogName {
    pub fn as_str(self) -> &'static str {
        match self {
            LogName::Backup => "backup",
            LogName::Update => "update",
            LogName::CronExecution => "cron_execution",
        }
    }
}

/// The raw bytes of a log file, shared between steps without copying: a step's cut of a log
/// (the file as it was at that moment) is a view into the same buffer, so a long log with many
/// runs costs its size once, not once per trigger.
pub type LogBytes = bytes::Bytes;

/// One file in the local backup folder (`backup::path`), as the scenario's `glob` sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalFile {
    pub name: String,
    pub size: u64,
}

impl LocalFile {
    pub fn new(name: &str, size: u64) -> LocalFile {
        LocalFile {
            name: name.to_owned(),
            size,
        }
    }
}

/// The Samba repository's answer to "list the backups": names newest first, or the message of
/// the exception listing threw.
pub type SambaListing = Result<Listing<String>, String>;

/// Most items a chunk of a [`Listing`] holds before it splits in two.
const CHUNK_MAX: usize = 16;

/// A folder or share listing that the steps of a timeline share instead of copying: the items
/// sit in chunks of at most `CHUNK_MAX` (16) behind `Arc`s, so a listing that differs from the
/// previous step's by one name copies one chunk and the chunk pointers, not every name. A long
/// paste of N runs has N listings of up to N names each; held as plain vectors that was
/// quadratic in memory (see BENCHMARKS.md, "Replaying a long paste"). Cloning is O(1).
///
/// It reads like a vector (in order, [`Listing::iter`], [`Listing::first`], [`Listing::len`]),
/// compares equal to one with the same items, and serializes as a JSON array.
pub struct Listing<T> {
    chunks: std::sync::Arc<Vec<std::sync::Arc<Vec<T>>>>,
    len: usize,
}

impl<T> Clone for Listing<T> {
    fn clone(&self) -> Self {
        Listing {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            chunks: Default::default(),
            len: 0,
        }
    }
}

impl<T> Listing<T> {
    pub fn new() -> Self {
        Listing::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    pub fn first(&self) -> Option<&T> {
        self.chunks.first().and_then(|c| c.first())
    }

    /// The number of leading items for which `pred` holds, when it holds for a prefix (as
    /// `slice::partition_point`).
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let mut start = 0;
        for c in self.chunks.iter() {
            match c.last() {
                Some(last) if pred(last) => start += c.len(),
                _ => return start + c.partition_point(pred),
            }
        }
        start
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let (k, o) = locate_in(&self.chunks, i);
        self.chunks.get(k).and_then(|c| c.get(o))
    }
}

impl<T: Clone> Listing<T> {
    /// Puts `item` at index `i` (at most `len`), copying only the chunk it lands in.
    pub fn insert(&mut self, i: usize, item: T) {
        assert!(i <= self.len, "insert at {i} in a listing of {}", self.len);
        let chunks = std::sync::Arc::make_mut(&mut self.chunks);
        if chunks.is_empty() {
            chunks.push(Default::default());
        }
        let (k, o) = locate_in(chunks, i);
        let chunk = std::sync::Arc::make_mut(&mut chunks[k]);
        chunk.insert(o, item);
        if chunk.len() > CHUNK_MAX {
            let tail = chunk.split_off(chunk.len() / 2);
            chunks.insert(k + 1, std::sync::Arc::new(tail));
        }
        self.len += 1;
    }

    /// Takes out the item at index `i` (below `len`), copying only its chunk.
    pub fn remove(&mut self, i: usize) -> T {
        assert!(i < self.len, "remove at {i} in a listing of {}", self.len);
        let chunks = std::sync::Arc::make_mut(&mut self.chunks);
        let (k, o) = locate_in(chunks, i);
        let chunk = std::sync::Arc::make_mut(&mut chunks[k]);
        let item = chunk.remove(o);
        if chunk.is_empty() {
            chunks.remove(k);
        }
        self.len -= 1;
        item
    }

    /// The items as a plain vector (a copy).
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }
}

/// The chunk holding index `i` (the last chunk when `i` is the length) and `i`'s place in it.
fn locate_in<T>(chunks: &[std::sync::Arc<Vec<T>>], i: usize) -> (usize, usize) {
    let mut start = 0;
    for (k, c) in chunks.iter().enumerate() {
        if i < start + c.len() {
            return (k, i - start);
        }
        start += c.len();
    }
    let last = chunks.len().saturating_sub(1);
    (last, i - (start - chunks.last().map_or(0, |c| c.len())))
}

impl<T> FromIterator<T> for Listing<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut chunks = Vec::new();
        let mut len = 0;
        let mut chunk = Vec::new();
        for item in iter {
            chunk.push(item);
            len += 1;
            if chunk.len() == CHUNK_MAX / 2 {
                chunks.push(std::sync::Arc::new(std::mem::take(&mut chunk)));
            }
        }
        if !chunk.is_empty() {
            chunks.push(std::sync::Arc::new(chunk));
        }
        Listing {
            chunks: std::sync::Arc::new(chunks),
            len,
        }
    }
}

impl<T> From<Vec<T>> for Listing<T> {
    fn from(v: Vec<T>) -> Self {
        v.into_iter().collect()
    }
}

impl<T: PartialEq> PartialEq for Listing<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for Listing<T> {}

impl<T: PartialEq> PartialEq<Vec<T>> for Listing<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.len == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: fmt::Debug> fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for Listing<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'a, T> IntoIterator for &'a Listing<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// One trigger and the world as it was when it fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub trigger: Trigger,
    /// Local wall-clock time of the box, in the timeline's time zone.
    pub at: DateTime,
    /// The logs at that moment. A log that is absent reads as an empty file.
    pub logs: BTreeMap<LogName, LogBytes>,
    /// The files directly in `backup::path`, any name (not only `*.gz`), in name order as
    /// resolved (shared with the neighbouring steps, see [`Listing`]).
    pub local: Listing<LocalFile>,
    pub samba: SambaListing,
}

impl Step {
    pub fn new(trigger: Trigger, at: DateTime) -> Step {
        Step {
            trigger,
            at,
            logs: BTreeMap::new(),
            local: Listing::new(),
            samba: Ok(Listing::new()),
        }
    }

    /// The text of a log at this step (empty when the file is absent).
    pub fn log(&self, name: LogName) -> &[u8] {
        self.logs.get(&name).map(|b| &b[..]).unwrap_or(b"")
    }
}

/// A case with every fact resolved: what the engine replays. Deserializes from (and serializes
/// to) the `case` object of a conformance vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub jeedom: JeedomVersion,
    pub initial_virtual: String,
    /// Config keys that exist in Jeedom. A key absent here reads as `""` (never saved).
    pub config: BTreeMap<String, String>,
    /// The PHP global `NO_CLOUD_BACKUP` during the whole timeline.
    pub no_cloud_backup: bool,
    /// IANA name of the box's time zone.
    pub tz: String,
    pub steps: Vec<Step>,
}

impl Timeline {
    /// The time zone, or an error naming the unknown zone.
    pub fn time_zone(&self) -> Result<TimeZone, WorldError> {
        TimeZone::get(&self.tz).map_err(|e| {
            WorldError::Invalid(crate::Text::new(
                format!("fuseau horaire « {} » : « {e} » (message de jiff, en anglais)", self.tz),
                format!("time zone {:?}: {e}", self.tz),
            ))
        })
    }
}

// ---- serde mirror of the conformance `case` format -------------------------------------------

const AT_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Parses a step time as written in vectors and manifests: `YYYY-MM-DD HH:MM:SS`.
pub fn parse_at(s: &str) -> Result<DateTime, String> {
    DateTime::strptime(AT_FORMAT, s).map_err(|e| format!("time {s:?} is not YYYY-MM-DD HH:MM:SS: {e}"))
}

/// Formats a step time the way vectors and manifests write it.
pub fn format_at(at: DateTime) -> String {
    at.strftime(AT_FORMAT).to_string()
}

#[derive(Serialize, Deserialize)]
struct WireTimeline {
    jeedom: JeedomVersion,
    #[serde(default)]
    initial_virtual: String,
    #[serde(default)]
    config: BTreeMap<String, String>,
    #[serde(default)]
    no_cloud_backup: bool,
    #[serde(default = "default_tz")]
    tz: String,
    steps: Vec<WireStep>,
}

fn default_tz() -> String {
    DEFAULT_TZ.to_owned()
}

#[derive(Serialize, Deserialize)]
struct WireStep {
    trigger: Trigger,
    at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    log: Option<String>,
    /// Other logs than `log/backup`, by name (an extension of the vector format).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    logs: BTreeMap<LogName, String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    local: serde_json::Map<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    samba: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    samba_error: Option<String>,
}

impl<'de> Deserialize<'de> for Timeline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = WireTimeline::deserialize(d)?;
        let mut steps = Vec::with_capacity(w.steps.len());
        for s in w.steps {
            let at = parse_at(&s.at).map_err(D::Error::custom)?;
            let mut logs: BTreeMap<LogName, LogBytes> = s
                .logs
                .into_iter()
                .map(|(k, v)| (k, LogBytes::from(v.into_bytes())))
                .collect();
            if let Some(log) = s.log {
                logs.insert(LogName::Backup, LogBytes::from(log.into_bytes()));
            }
            let mut local = Vec::with_capacity(s.local.len());
            for (name, size) in s.local {
                let size = size.as_u64().ok_or_else(|| {
                    D::Error::custom(format!("size of local file {name:?} is not a whole number of bytes"))
                })?;
                local.push(LocalFile { name, size });
            }
            let local = Listing::from(local);
            let samba = match s.samba_error {
                Some(e) => Err(e),
                None => Ok(Listing::from(s.samba)),
            };
            steps.push(Step {
                trigger: s.trigger,
                at,
                logs,
                local,
                samba,
            });
        }
        Ok(Timeline {
            jeedom: w.jeedom,
            initial_virtual: w.initial_virtual,
            config: w.config,
            no_cloud_backup: w.no_cloud_backup,
            tz: w.tz,
            steps,
        })
    }
}

impl Serialize for Timeline {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let steps = self
            .steps
            .iter()
            .map(|st| {
                let text = |b: &LogBytes| String::from_utf8_lossy(b).into_owned();
                WireStep {
                    trigger: st.trigger.clone(),
                    at: format_at(st.at),
                    log: st.logs.get(&LogName::Backup).map(text),
                    logs: st
                        .logs
                        .iter()
                        .filter(|(k, _)| **k != LogName::Backup)
                        .map(|(k, v)| (*k, text(v)))
                        .collect(),
                    local: st
                        .local
                        .iter()
                        .map(|f| (f.name.clone(), serde_json::Value::from(f.size)))
                        .collect(),
                    samba: st.samba.as_ref().map(Listing::to_vec).unwrap_or_default(),
                    samba_error: st.samba.clone().err(),
                }
            })
            .collect();
        WireTimeline {
            jeedom: self.jeedom,
            initial_virtual: self.initial_virtual.clone(),
            config: self.config.clone(),
            no_cloud_backup: self.no_cloud_backup,
            tz: self.tz.clone(),
            steps,
        }
        .serialize(s)
    }
}

// ---- the trait the engine reads Jeedom through -----------------------------------------------

/// A failure to read or write the world itself (not something the scenario would see): the
/// HTTP transport failed, Jeedom answered an error, a timeline is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    /// In both languages (English is what `Display` shows).
    #[error("{0}")]
    Invalid(crate::Text),
    #[error("Jeedom API: {0}")]
    Api(String),
    #[error("{what} is not available from this Jeedom: {why}")]
    Unavailable { what: &'static str, why: String },
}

/// Everything the scenario's code block reads and writes, one call each. The runner calls
/// [`World::enter_step`] before each trigger so a replayed world can move to that moment.
pub trait World {
    /// Called by the runner before trigger `index` of a replay. A live world ignores it.
    fn enter_step(&mut self, _index: usize) -> Result<(), WorldError> {
        Ok(())
    }
    /// The box's local wall-clock time now.
    fn now(&mut self) -> Result<DateTime, WorldError>;
    /// The value of the virtual `json` command (empty on a new install).
    fn read_virtual(&mut self) -> Result<String, WorldError>;
    /// Event on the virtual `json` command.
    fn write_virtual(&mut self, value: &str) -> Result<(), WorldError>;
    /// A core config key; `""` when it was never saved.
    fn config(&mut self, key: &str) -> Result<String, WorldError>;
    /// The whole text of a log file (empty when absent).
    fn log(&mut self, name: LogName) -> Result<LogBytes, WorldError>;
    /// The files directly in the backup folder, with sizes.
    fn local_files(&mut self) -> Result<Listing<LocalFile>, WorldError>;
    /// The Samba share's backup list (newest first), or the message listing threw.
    fn samba_listing(&mut self) -> Result<SambaListing, WorldError>;
    /// The PHP global `NO_CLOUD_BACKUP`.
    fn no_cloud_backup(&mut self) -> Result<bool, WorldError>;
}

/// A world served from a [`Timeline`] in memory: the tests' world and the in-process replay.
#[derive(Debug, Clone)]
pub struct MemoryWorld<'t> {
    timeline: &'t Timeline,
    step: usize,
    virtual_value: String,
}

impl<'t> MemoryWorld<'t> {
    pub fn new(timeline: &'t Timeline) -> Self {
        MemoryWorld {
            timeline,
            step: 0,
            virtual_value: timeline.initial_virtual.clone(),
        }
    }

    fn current(&self) -> Result<&'t Step, WorldError> {
        self.timeline.steps.get(self.step).ok_or_else(|| {
            WorldError::Invalid(crate::Text::new(
                format!("pas d'étape {} dans la chronologie", self.step + 1),
                format!("no step {} in the timeline", self.step + 1),
            ))
        })
    }

    /// The virtual's value as last written.
    pub fn virtual_value(&self) -> &str {
        &self.virtual_value
    }
}

impl World for MemoryWorld<'_> {
    fn enter_step(&mut self, index: usize) -> Result<(), WorldError> {
        self.step = index;
        self.current().map(|_| ())
    }
    fn now(&mut self) -> Result<DateTime, WorldError> {
        Ok(self.current()?.at)
    }
    fn read_virtual(&mut self) -> Result<String, WorldError> {
        Ok(self.virtual_value.clone())
    }
    fn write_virtual(&mut self, value: &str) -> Result<(), WorldError> {
        self.virtual_value = value.to_owned();
        Ok(())
    }
    fn config(&mut self, key: &str) -> Result<String, WorldError> {
        Ok(self.timeline.config.get(key).cloned().unwrap_or_default())
    }
    fn log(&mut self, name: LogName) -> Result<LogBytes, WorldError> {
        Ok(self.current()?.logs.get(&name).cloned().unwrap_or_default())
    }
    fn local_files(&mut self) -> Result<Listing<LocalFile>, WorldError> {
        Ok(self.current()?.local.clone())
    }
    fn samba_listing(&mut self) -> Result<SambaListing, WorldError> {
        Ok(self.current()?.samba.clone())
    }
    fn no_cloud_backup(&mut self) -> Result<bool, WorldError> {
        Ok(self.timeline.no_cloud_backup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_release_numbers() {
        assert_eq!("4.4.20".parse(), Ok(JeedomVersion::V4_4));
        assert_eq!("v4.5.3".parse(), Ok(JeedomVersion::V4_5));
        assert_eq!("4.2".parse(), Ok(JeedomVersion::V4_2));
        assert_eq!("3.3.39".parse(), Ok(JeedomVersion::V3));
        assert!("5x".parse::<JeedomVersion>().is_err());
        assert!("4.4.banana".parse::<JeedomVersion>().is_err());
        assert!("4..4".parse::<JeedomVersion>().is_err());
        assert!("4.4.".parse::<JeedomVersion>().is_err());
    }

    #[test]
    fn timeline_reads_a_vector_case_and_round_trips() {
        let json = r#"{"jeedom":"4.4","initial_virtual":"","config":{"samba::enable":"1"},
            "steps":[{"trigger":"begin_backup","at":"2025-09-10 03:27:01"},
                     {"trigger":"end_backup","at":"2025-09-10 03:30:33","log":"x\n",
                      "local":{"b.tar.gz":12},"samba":[],"samba_error":"boom"}]}"#;
        let t: Timeline = serde_json::from_str(json).unwrap();
        assert_eq!(t.tz, DEFAULT_TZ);
        assert_eq!(t.steps[1].trigger, Trigger::EndBackup);
        assert_eq!(t.steps[1].log(LogName::Backup), b"x\n");
        assert_eq!(
            t.steps[1].local.to_vec(),
            vec![LocalFile {
                name: "b.tar.gz".into(),
                size: 12
            }]
        );
        assert_eq!(t.steps[1].samba, Err("boom".to_owned()));
        let again: Timeline = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn listing_edits_like_a_vector_and_shares_what_it_did_not_touch() {
        let mut model: Vec<u32> = Vec::new();
        let mut l: Listing<u32> = Listing::new();
        let mut kept: Vec<(Listing<u32>, Vec<u32>)> = Vec::new();
        let mut seed = 12345u64;
        for step in 0..3000u32 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let r = (seed >> 33) as usize;
            if model.is_empty() || !r.is_multiple_of(4) {
                let i = if r.is_multiple_of(3) {
                    model.len()
                } else {
                    r % (model.len() + 1)
                };
                model.insert(i, step);
                l.insert(i, step);
            } else {
                let i = r % model.len();
                assert_eq!(l.remove(i), model.remove(i));
            }
            assert_eq!(l.len(), model.len());
            if step % 97 == 0 {
                kept.push((l.clone(), model.clone()));
            }
        }
        assert_eq!(l, model);
        assert_eq!(l.first(), model.first());
        assert_eq!(l.get(model.len() / 2), model.get(model.len() / 2));
        assert_eq!(
            l.iter().rev().copied().collect::<Vec<_>>(),
            model.iter().rev().copied().collect::<Vec<_>>()
        );
        // Clones taken along the way did not see the later edits.
        for (old, was) in kept {
            assert_eq!(old, was);
        }
        let sorted: Listing<u32> = (0..200).map(|x| x * 2).collect();
        assert_eq!(sorted.partition_point(|x| *x < 101), 51);
        assert_eq!(sorted.partition_point(|x| *x < 1000), 200);
        assert_eq!(serde_json::to_string(&Listing::from(vec![1, 2])).unwrap(), "[1,2]");
    }

    #[test]
    fn memory_world_follows_the_steps() {
        let json = r#"{"jeedom":"4.5","initial_virtual":"v0","steps":[
            {"trigger":"begin_backup","at":"2025-09-10 03:27:01"},
            {"trigger":"end_backup","at":"2025-09-10 03:30:33","log":"L"}]}"#;
        let t: Timeline = serde_json::from_str(json).unwrap();
        let mut w = MemoryWorld::new(&t);
        w.enter_step(0).unwrap();
        assert_eq!(w.read_virtual().unwrap(), "v0");
        assert_eq!(&*w.log(LogName::Backup).unwrap(), b"");
        w.write_virtual("v1").unwrap();
        w.enter_step(1).unwrap();
        assert_eq!(w.read_virtual().unwrap(), "v1");
        assert_eq!(&*w.log(LogName::Backup).unwrap(), b"L");
        assert_eq!(w.config("samba::enable").unwrap(), "");
        assert!(w.enter_step(2).is_err());
    }
}
