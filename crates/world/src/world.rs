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

/// The Samba repository's answer to "list the backups": names newest first, or the message of
/// the exception listing threw.
pub type SambaListing = Result<Vec<String>, String>;

/// One trigger and the world as it was when it fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub trigger: Trigger,
    /// Local wall-clock time of the box, in the timeline's time zone.
    pub at: DateTime,
    /// The logs at that moment. A log that is absent reads as an empty file.
    pub logs: BTreeMap<LogName, LogBytes>,
    /// The files directly in `backup::path`, any name (not only `*.gz`).
    pub local: Vec<LocalFile>,
    pub samba: SambaListing,
}

impl Step {
    pub fn new(trigger: Trigger, at: DateTime) -> Step {
        Step {
            trigger,
            at,
            logs: BTreeMap::new(),
            local: Vec::new(),
            samba: Ok(Vec::new()),
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
        TimeZone::get(&self.tz).map_err(|e| WorldError::Invalid(format!("time zone {:?}: {e}", self.tz)))
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
            let samba = match s.samba_error {
                Some(e) => Err(e),
                None => Ok(s.samba),
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
                    samba: st.samba.clone().unwrap_or_default(),
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
    #[error("{0}")]
    Invalid(String),
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
    fn local_files(&mut self) -> Result<Vec<LocalFile>, WorldError>;
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
        self.timeline
            .steps
            .get(self.step)
            .ok_or_else(|| WorldError::Invalid(format!("no step {} in the timeline", self.step + 1)))
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
    fn local_files(&mut self) -> Result<Vec<LocalFile>, WorldError> {
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
            t.steps[1].local,
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
