//! The scenario's result after one trigger, typed: what the code block stores in the virtual
//! and in its tags. [`ScenarioState::to_php`] builds the PHP array in the exact key order the
//! published code inserts keys, so that `php::json_encode` of it is the virtual byte for byte.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::Lang;
use crate::php::{self, Array, Value};

/// One of the six indicators the scenario computes. A flag stays this enum until it is encoded
/// into the virtual's JSON or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// `0`: checked, fine.
    Ok,
    /// `1`: checked, wrong.
    Error,
    /// `-1`: not checked (the widget hides the circle).
    Disabled,
}

impl Flag {
    pub fn code(self) -> i8 {
        match self {
            Flag::Ok => 0,
            Flag::Error => 1,
            Flag::Disabled => -1,
        }
    }

    pub fn from_code(code: i64) -> Option<Flag> {
        match code {
            0 => Some(Flag::Ok),
            1 => Some(Flag::Error),
            -1 => Some(Flag::Disabled),
            _ => None,
        }
    }

    fn error_if(cond: bool) -> Flag {
        if cond { Flag::Error } else { Flag::Ok }
    }

    pub(crate) fn from_error(is_error: bool) -> Flag {
        Flag::error_if(is_error)
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

impl Serialize for Flag {
    /// Serialised as its code (`0`, `1`, `-1`), the value the widget and the tags use.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i8(self.code())
    }
}

/// Which indicator a [`Flag`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// `errorScenario`: the scenario saw the backup start.
    Scenario,
    /// `errorLog` (`errorLogBackup` in the JSON): errors in the backup log.
    Log,
    /// `errorLocal` (`backup.local.error`): this run's archive is in the backup folder.
    Local,
    /// `errorSize` (`backup.local.erreurFileSize`): the archive is bigger than the threshold.
    Size,
    /// `errorSamba` (`backup.samba.error`): the archive reached the Samba share.
    Samba,
    /// `errorMarket` (`backup.market.error`): the archive reached the Jeedom Market cloud.
    Market,
}

impl FlagKind {
    pub const ALL: [FlagKind; 6] = [
        FlagKind::Scenario,
        FlagKind::Log,
        FlagKind::Local,
        FlagKind::Size,
        FlagKind::Samba,
        FlagKind::Market,
    ];

    /// The scenario tag that carries this flag.
    pub fn tag(self) -> &'static str {
        match self {
            FlagKind::Scenario => "#errorScenario#",
            FlagKind::Log => "#errorLog#",
            FlagKind::Local => "#errorLocal#",
            FlagKind::Size => "#errorSize#",
            FlagKind::Samba => "#errorSamba#",
            FlagKind::Market => "#errorMarket#",
        }
    }

    /// Where the flag sits in the virtual's JSON.
    pub fn json_path(self) -> &'static str {
        match self {
            FlagKind::Scenario => "errorScenario",
            FlagKind::Log => "errorLogBackup",
            FlagKind::Local => "backup.local.error",
            FlagKind::Size => "backup.local.erreurFileSize",
            FlagKind::Samba => "backup.samba.error",
            FlagKind::Market => "backup.market.error",
        }
    }

    /// A short name for a person.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            FlagKind::Scenario => lang.pick("Scénario", "Scenario"),
            FlagKind::Log => lang.pick("Log", "Log"),
            FlagKind::Local => lang.pick("Archive locale", "Local archive"),
            FlagKind::Size => lang.pick("Taille", "Size"),
            FlagKind::Samba => lang.pick("Samba", "Samba"),
            FlagKind::Market => lang.pick("Market", "Market"),
        }
    }
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlagKind::Scenario => "errorScenario",
            FlagKind::Log => "errorLog",
            FlagKind::Local => "errorLocal",
            FlagKind::Size => "errorSize",
            FlagKind::Samba => "errorSamba",
            FlagKind::Market => "errorMarket",
        })
    }
}

/// The `action` the scenario writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    StartUpdate,
    StartBackup,
    EndBackup,
    /// `""`: any other trigger (every revision).
    Empty,
    /// JSON `null`: the 2022-01 revision never set it on this path (`end_backup` without a
    /// start stamp).
    Null,
}

impl Action {
    /// The JSON value (`null` for [`Action::Null`]).
    pub fn to_php(self) -> Value {
        match self {
            Action::Null => Value::Null,
            other => Value::str(other.tag_text()),
        }
    }

    /// The text of the `#action#` tag (`null` as the vectors show it).
    pub fn tag_text(self) -> &'static str {
        match self {
            Action::StartUpdate => "startUpdate",
            Action::StartBackup => "startBackup",
            Action::EndBackup => "endBackup",
            Action::Empty => "",
            Action::Null => "null",
        }
    }

    fn from_php(v: &Value) -> Option<Action> {
        Some(match v {
            Value::Null => Action::Null,
            Value::Str(s) => match s.as_slice() {
                b"startUpdate" => Action::StartUpdate,
                b"startBackup" => Action::StartBackup,
                b"endBackup" => Action::EndBackup,
                b"" => Action::Empty,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// A backup (or the update before it) has started and not ended.
    pub fn in_progress(self) -> bool {
        matches!(self, Action::StartUpdate | Action::StartBackup)
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Action::Null => s.serialize_none(),
            other => s.serialize_str(other.tag_text()),
        }
    }
}

/// A PHP string that may not be UTF-8 (a `substr` can cut a character in two). Serialised and
/// displayed lossily.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PhpString(pub Vec<u8>);

impl PhpString {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl From<&str> for PhpString {
    fn from(s: &str) -> Self {
        PhpString(s.as_bytes().to_vec())
    }
}

impl fmt::Display for PhpString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl Serialize for PhpString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(&self.0))
    }
}

/// The archive fields of an `end_backup` that had a start stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "found", rename_all = "snake_case")]
pub enum ArchiveField {
    /// No archive matched: `fileName` and `fileSize` are the integer `0`.
    #[serde(rename = "no")]
    NotFound,
    #[serde(rename = "yes")]
    Found {
        file_name: String,
        size: u64,
        /// `size_format(size)`, e.g. `212.01 MB`.
        size_text: String,
    },
}

/// Which JSON layout the state is written in (the key order differs by path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// `date, heure, minSizeBackup, lastSave, update, action, errorScenario, errorLogBackup,
    /// backup{local{error, erreurFileSize}, samba, market}`: begin, other triggers, and
    /// `end_backup` without a stamp. 9 top-level keys.
    Start,
    /// The 2022-01 start layout: the same without `date, heure, minSizeBackup` (6 keys).
    StartWithoutHeader,
    /// `end_backup` with a stamp: `date, heure, minSizeBackup, backup{local{fileName, fileSize,
    /// …}}, lastSave, update, action, errorScenario, errorLogBackup`.
    End,
}

/// The typed result of one trigger: everything the virtual's JSON and the tags carry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioState {
    pub shape: Shape,
    pub date: PhpString,
    pub heure: PhpString,
    /// `size_format` of the threshold, e.g. `100 MB`.
    pub min_size_backup: String,
    /// The stamp written at this trigger: `stamp(now)`.
    pub last_save: String,
    pub update: bool,
    pub action: Action,
    pub error_scenario: Flag,
    pub error_log: Flag,
    pub error_local: Flag,
    pub error_size: Flag,
    pub error_samba: Flag,
    pub error_market: Flag,
    /// `Some` only in the [`Shape::End`] layout.
    pub archive: Option<ArchiveField>,
}

impl ScenarioState {
    pub fn flag(&self, kind: FlagKind) -> Flag {
        match kind {
            FlagKind::Scenario => self.error_scenario,
            FlagKind::Log => self.error_log,
            FlagKind::Local => self.error_local,
            FlagKind::Size => self.error_size,
            FlagKind::Samba => self.error_samba,
            FlagKind::Market => self.error_market,
        }
    }

    /// The PHP array the code block encodes, keys inserted in the published code's order.
    pub fn to_php(&self) -> Value {
        let mut root = Array::new();
        let flag = |f: Flag| Value::Int(i64::from(f.code()));
        let header = |root: &mut Array| {
            root.set("date", Value::Str(self.date.0.clone()));
            root.set("heure", Value::Str(self.heure.0.clone()));
            root.set("minSizeBackup", self.min_size_backup.as_str());
        };
        let tail = |root: &mut Array| {
            root.set("lastSave", self.last_save.as_str());
            root.set("update", i64::from(self.update));
            root.set("action", self.action.to_php());
            root.set("errorScenario", flag(self.error_scenario));
            root.set("errorLogBackup", flag(self.error_log));
        };
        // `backup`: `local` (what the layout put in it first, then its two flags), then the
        // remotes' flags; the same in both layouts.
        let backup = |root: &mut Array, mut local: Array| {
            local.set("error", flag(self.error_local));
            local.set("erreurFileSize", flag(self.error_size));
            let mut backup = Array::new();
            backup.set("local", local);
            let mut samba = Array::new();
            samba.set("error", flag(self.error_samba));
            backup.set("samba", samba);
            let mut market = Array::new();
            market.set("error", flag(self.error_market));
            backup.set("market", market);
            root.set("backup", backup);
        };
        match self.shape {
            Shape::Start | Shape::StartWithoutHeader => {
                if self.shape == Shape::Start {
                    header(&mut root);
                }
                tail(&mut root);
                backup(&mut root, Array::new());
            }
            Shape::End => {
                header(&mut root);
                let mut local = Array::new();
                match &self.archive {
                    Some(ArchiveField::Found {
                        file_name, size_text, ..
                    }) => {
                        local.set("fileName", file_name.as_str());
                        local.set("fileSize", size_text.as_str());
                    }
                    Some(ArchiveField::NotFound) | None => {
                        local.set("fileName", 0);
                        local.set("fileSize", 0);
                    }
                }
                // The published code inserts `erreurFileSize` right after the size test when the
                // archive is big enough, and only after `error` otherwise.
                if self.error_size == Flag::Ok {
                    local.set("erreurFileSize", flag(self.error_size));
                }
                backup(&mut root, local);
                tail(&mut root);
            }
        }
        Value::Array(root)
    }

    /// What a fully successful backup leaves in the virtual: begun at `begin` (the `date` and
    /// `heure` keys), ended at `end` (`lastSave`), its archive `file_name` of `size` bytes
    /// found and big enough; Samba checked and fine when `samba_checked`, else not checked;
    /// the Market never checked (the published scenario's `end_backup` layout).
    pub fn successful_backup(
        begin: jiff::civil::DateTime,
        end: jiff::civil::DateTime,
        min_size: u64,
        file_name: &str,
        size: u64,
        samba_checked: bool,
    ) -> ScenarioState {
        ScenarioState {
            shape: Shape::End,
            date: PhpString::from(begin.strftime("%Y-%m-%d").to_string().as_str()),
            heure: PhpString::from(begin.strftime("%Hh%M").to_string().as_str()),
            min_size_backup: php::size_format(min_size),
            last_save: super::rules::stamp(end),
            update: false,
            action: Action::EndBackup,
            error_scenario: Flag::Ok,
            error_log: Flag::Ok,
            error_local: Flag::Ok,
            error_size: Flag::Ok,
            error_samba: if samba_checked { Flag::Ok } else { Flag::Disabled },
            error_market: Flag::Disabled,
            archive: Some(ArchiveField::Found {
                file_name: file_name.to_owned(),
                size,
                size_text: php::size_format(size),
            }),
        }
    }

    /// The virtual's new value (`json_encode` of [`ScenarioState::to_php`]).
    pub fn to_json(&self) -> Result<String, php::JsonEncodeError> {
        php::json_encode(&self.to_php())
    }

    /// The tags the code block sets, in the order it sets them (`#json#` aside).
    pub fn tags(&self) -> Vec<(&'static str, String)> {
        let mut tags = vec![("#action#", self.action.tag_text().to_owned())];
        for kind in FlagKind::ALL {
            tags.push((kind.tag(), self.flag(kind).code().to_string()));
        }
        tags
    }

    /// Reads back a value this project's engine (or the published scenario) wrote. `None` when
    /// the text is not such a value.
    pub fn from_json(text: &str) -> Option<ScenarioState> {
        let v = php::json_decode(text)?;
        let root = v.as_array()?;
        let flag = |v: Option<&Value>| match v? {
            Value::Int(i) => Flag::from_code(*i),
            _ => None,
        };
        let string = |v: Option<&Value>| match v? {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        };
        let backup = root.get("backup")?.as_array()?;
        let local = backup.get("local")?.as_array()?;
        let sub_error = |name: &str| flag(backup.get(name)?.as_array()?.get("error"));
        let has_header = root.contains_key("date");
        let archive = match local.get("fileName") {
            None => None,
            Some(Value::Int(0)) => Some(ArchiveField::NotFound),
            Some(Value::Str(name)) => {
                let size_text = String::from_utf8(string(local.get("fileSize"))?).ok()?;
                Some(ArchiveField::Found {
                    file_name: String::from_utf8(name.clone()).ok()?,
                    size: 0,
                    size_text,
                })
            }
            Some(_) => return None,
        };
        let shape = match (&archive, has_header) {
            (Some(_), _) => Shape::End,
            (None, true) => Shape::Start,
            (None, false) => Shape::StartWithoutHeader,
        };
        Some(ScenarioState {
            shape,
            date: PhpString(if has_header {
                string(root.get("date"))?
            } else {
                Vec::new()
            }),
            heure: PhpString(if has_header {
                string(root.get("heure"))?
            } else {
                Vec::new()
            }),
            min_size_backup: if has_header {
                String::from_utf8(string(root.get("minSizeBackup"))?).ok()?
            } else {
                String::new()
            },
            last_save: String::from_utf8(string(root.get("lastSave"))?).ok()?,
            update: matches!(root.get("update"), Some(Value::Int(1))),
            action: Action::from_php(root.get("action")?)?,
            error_scenario: flag(root.get("errorScenario"))?,
            error_log: flag(root.get("errorLogBackup"))?,
            error_local: flag(local.get("error"))?,
            error_size: flag(local.get("erreurFileSize"))?,
            error_samba: sub_error("samba")?,
            error_market: sub_error("market")?,
            archive,
        })
    }

    /// Top-level keys of the JSON this state encodes to (the widget wants exactly 9).
    pub fn top_level_keys(&self) -> usize {
        match self.shape {
            Shape::StartWithoutHeader => 6,
            Shape::Start | Shape::End => 9,
        }
    }

    /// What the widget would call a fully successful finished backup: every checked indicator
    /// fine and the archive present.
    pub fn is_success(&self) -> bool {
        self.action == Action::EndBackup
            && self.error_scenario == Flag::Ok
            && self.error_log == Flag::Ok
            && self.error_local == Flag::Ok
            && self.error_size != Flag::Error
            && self.error_samba != Flag::Error
            && self.error_market != Flag::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end_state(size_ok: bool) -> ScenarioState {
        ScenarioState {
            shape: Shape::End,
            date: "2025-09-10".into(),
            heure: "03h27".into(),
            min_size_backup: "100 MB".into(),
            last_save: "2025-09-10-03h30".into(),
            update: false,
            action: Action::EndBackup,
            error_scenario: Flag::Ok,
            error_log: Flag::Ok,
            error_local: Flag::Ok,
            error_size: Flag::from_error(!size_ok),
            error_samba: Flag::Disabled,
            error_market: Flag::Disabled,
            archive: Some(ArchiveField::Found {
                file_name: "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".into(),
                size: 3670016,
                size_text: "3.5 MB".into(),
            }),
        }
    }

    #[test]
    fn erreur_file_size_moves_with_the_size_test() {
        assert_eq!(
            end_state(true).to_json().unwrap(),
            r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"100 MB","backup":{"local":{"fileName":"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz","fileSize":"3.5 MB","erreurFileSize":0,"error":0},"samba":{"error":-1},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#
        );
        assert_eq!(
            end_state(false).to_json().unwrap(),
            r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"100 MB","backup":{"local":{"fileName":"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz","fileSize":"3.5 MB","error":0,"erreurFileSize":1},"samba":{"error":-1},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#
        );
    }

    #[test]
    fn states_read_back_from_their_json() {
        for s in [end_state(true), end_state(false)] {
            let mut back = ScenarioState::from_json(&s.to_json().unwrap()).unwrap();
            if let Some(ArchiveField::Found { size, .. }) = &mut back.archive {
                *size = 3670016; // the JSON carries only the size text
            }
            assert_eq!(back, s);
        }
        assert_eq!(ScenarioState::from_json(""), None);
        assert_eq!(ScenarioState::from_json("{\"a\":1}"), None);
    }
}
