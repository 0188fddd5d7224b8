//! The facts inference states, typed (part of step 2→3, log text → parsed run → **Jeedom world**):
//! what a fact is about ([`Subject`]), its value ([`Value`]) and where it comes from
//! ([`Origin`]). Nothing downstream reads a fact's words back: reports group facts by their
//! typed subject, and the words are written here, by one `match` per language
//! ([`Subject::text`], [`Value::text`]). English is also the case snapshots' wording.

use std::fmt;

use jiff::civil::DateTime;

use crate::Lang;
use crate::world::{JeedomVersion, Trigger, format_at};

/// A config key inference sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConfigKey {
    BackupPath,
    SambaEnable,
    SambaCloudUpload,
}

impl ConfigKey {
    /// The key as Jeedom names it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigKey::BackupPath => "backup::path",
            ConfigKey::SambaEnable => "samba::enable",
            ConfigKey::SambaCloudUpload => "samba::cloudUpload",
        }
    }

    /// The two keys that turn the Samba upload on.
    pub const SAMBA: [ConfigKey; 2] = [ConfigKey::SambaEnable, ConfigKey::SambaCloudUpload];
}

/// What a fact is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    TimeZone,
    /// The scenario's minimum archive size `S`, bytes.
    MinSize,
    Php,
    Jeedom,
    Config(ConfigKey),
    NoCloudBackup,
    /// The virtual's value before the first trigger.
    VirtualBefore,
    /// Seconds from `begin_update` to the banner of the update's backup.
    UpdateLead,
    /// The size of an archive the runs name, bytes.
    ArchiveSize {
        file_name: String,
    },
    /// When a trigger of run `run` (1-based, in the case's run order) fires.
    TriggerTime {
        run: u32,
        trigger: Trigger,
    },
    /// Run `run` as a whole (it could not be replayed).
    Run {
        run: u32,
    },
    /// What the Samba share holds.
    SambaListing,
}

/// How a trigger's time was found or chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeHow {
    /// The run's banner (for `begin_update`, the banner less the update lead).
    Banner,
    /// The banner plus the run's duration line.
    BannerPlus { secs: u32 },
    /// The run's last dated line: it has no duration line.
    LastDatedNoDuration,
    /// The banner was cut off: the minute in the archive's name.
    CutArchiveName,
    /// The banner was cut off: the run's first dated line.
    CutFirstDated,
    /// The start found, plus the run's duration line.
    StartPlus { secs: u32 },
    /// The run's last dated line.
    LastDated,
    /// One minute after the start: the log gives no end time.
    NoEndTime,
    /// One minute after the banner: the log gives no duration.
    NoDuration,
    /// Strict's watchdog tick: a minute after the failed run's last dated line.
    WatchdogAfterFailure,
    /// Strict's watchdog tick: now, by the box's clock (live mode).
    WatchdogNow,
    /// Strict's watchdog tick: after its timeout, the run never ended.
    WatchdogTimeout,
}

/// A fact's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(u64),
    Bool(bool),
    Version(JeedomVersion),
    Time {
        at: DateTime,
        how: TimeHow,
    },
    /// The value a successful backup the day before leaves.
    PreviousSuccess,
    /// The run is not replayed: nothing in it is dated.
    NotReplayed,
    /// The share is known from the log only.
    ShareFromUploads,
    /// Listing the share fails as the run's upload did (same user, share and host): the
    /// scenario's listing throws with the upload's message.
    ListingFailsLikeUpload,
    /// The log's Jeedom (`seen`, as it names it) has no published scenario: it is replayed
    /// as the nearest generation that has one.
    ReplayedAs {
        seen: String,
        replayed: JeedomVersion,
        /// `seen` is the version the box announced (live mode), not one read in the log.
        on_box: bool,
    },
}

/// A line of one of the case's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAt {
    pub file: String,
    pub line: u32,
}

impl fmt::Display for LineAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Where a fact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Read from these lines of the log.
    Inferred { lines: Vec<LineAt> },
    /// A default (or a guess from these lines): the log cannot tell. [`Subject::manifest_hint`]
    /// and [`Subject::option`] say how to change it.
    Assumed { lines: Vec<LineAt> },
    /// Given on the command line ([`Subject::flag`]).
    Option,
    /// Added so that a run can be replayed (a time the log does not give, strict's watchdog
    /// tick), from these lines.
    Added { lines: Vec<LineAt> },
    /// Read from the live box.
    Live,
}

/// A fact a case's manifest did not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub subject: Subject,
    pub value: Value,
    pub origin: Origin,
}

impl Fact {
    pub fn new(subject: Subject, value: Value, origin: Origin) -> Fact {
        Fact { subject, value, origin }
    }

    /// The log lines the fact was read (or guessed) from.
    pub fn lines(&self) -> &[LineAt] {
        match &self.origin {
            Origin::Inferred { lines } | Origin::Assumed { lines } | Origin::Added { lines } => lines,
            Origin::Option | Origin::Live => &[],
        }
    }

    /// How to change the fact, as one hint: the manifest key for a default, the flag that gave
    /// it; `None` for a fact read from lines.
    pub fn hint(&self) -> Option<&'static str> {
        match &self.origin {
            Origin::Assumed { lines } if lines.is_empty() => self.subject.manifest_hint(),
            Origin::Option => self.subject.flag(),
            _ => None,
        }
    }

    /// The run the fact is about, when its subject names one.
    pub fn run(&self) -> Option<u32> {
        match self.subject {
            Subject::TriggerTime { run, .. } | Subject::Run { run } => Some(run),
            _ => None,
        }
    }
}

impl Subject {
    /// What to write in a case's manifest to give this fact.
    pub fn manifest_hint(&self) -> Option<&'static str> {
        Some(match self {
            Subject::TimeZone => "set [params] tz",
            Subject::MinSize => "set [params] min_size",
            Subject::Php => "set [params] php",
            Subject::Jeedom => "set `jeedom`",
            Subject::Config(ConfigKey::BackupPath) => "set [config] \"backup::path\"",
            Subject::Config(ConfigKey::SambaEnable) => "set [config] \"samba::enable\"",
            Subject::Config(ConfigKey::SambaCloudUpload) => "set [config] \"samba::cloudUpload\"",
            Subject::NoCloudBackup => "set `no_cloud_backup`",
            Subject::VirtualBefore => "set [virtual] preset or value",
            Subject::UpdateLead => "set [assume] update_lead, or give the begin_update [[step]] its `at`",
            Subject::ArchiveSize { .. } => "set [sizes] or [assume] archive_size",
            Subject::TriggerTime { .. } | Subject::Run { .. } | Subject::SambaListing => return None,
        })
    }

    /// The command-line flag that gives this fact.
    pub fn flag(&self) -> Option<&'static str> {
        Some(match self {
            Subject::TimeZone => "--tz",
            Subject::MinSize => "--min-size",
            Subject::Php => "--php",
            Subject::Jeedom => "--jeedom-version",
            Subject::Config(ConfigKey::SambaEnable | ConfigKey::SambaCloudUpload) => "--samba",
            Subject::ArchiveSize { .. } => "--archive-size",
            Subject::VirtualBefore => "--previous",
            _ => return None,
        })
    }

    /// The option of `diagnose` that changes this fact, as its help shows it in `lang`.
    pub fn option(&self, lang: Lang) -> Option<&'static str> {
        Some(match self {
            Subject::TimeZone => "--tz",
            Subject::MinSize => "--min-size",
            Subject::Jeedom => "--jeedom-version",
            Subject::Config(ConfigKey::SambaEnable | ConfigKey::SambaCloudUpload) => "--samba on|off",
            Subject::ArchiveSize { .. } => "--archive-size",
            Subject::Php => "--php 7|8",
            Subject::VirtualBefore => lang.pick("--previous success|empty|VALEUR", "--previous success|empty|VALUE"),
            _ => return None,
        })
    }

    /// The subject in words.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.en(),
            Lang::Fr => self.fr(),
        }
    }

    fn en(&self) -> String {
        match self {
            Subject::TimeZone => "time zone".into(),
            Subject::MinSize => "minimum archive size (bytes)".into(),
            Subject::Php => "PHP".into(),
            Subject::Jeedom => "jeedom".into(),
            Subject::Config(k) => format!("config {}", k.as_str()),
            Subject::NoCloudBackup => "NO_CLOUD_BACKUP".into(),
            Subject::VirtualBefore => "virtual before the first trigger".into(),
            Subject::UpdateLead => "seconds from begin_update to the update's backup".into(),
            Subject::ArchiveSize { file_name } => format!("size of {file_name} (bytes)"),
            Subject::TriggerTime { run, trigger } => format!("run {run} {trigger} at"),
            Subject::Run { run } => format!("run {run}"),
            Subject::SambaListing => "Samba share listing".into(),
        }
    }

    fn fr(&self) -> String {
        match self {
            Subject::TimeZone => "fuseau horaire".into(),
            Subject::MinSize => "taille minimale de l'archive (octets)".into(),
            Subject::Php => "PHP".into(),
            Subject::Jeedom => "version de Jeedom".into(),
            Subject::Config(k) => format!("réglage {}", k.as_str()),
            Subject::NoCloudBackup => "NO_CLOUD_BACKUP".into(),
            Subject::VirtualBefore => "valeur du virtuel avant le premier déclencheur".into(),
            Subject::UpdateLead => "secondes entre begin_update et la sauvegarde de la mise à jour".into(),
            Subject::ArchiveSize { file_name } => format!("taille de {file_name} (octets)"),
            Subject::TriggerTime { run, trigger } => format!("sauvegarde {run} : heure de {trigger}"),
            Subject::Run { run } => format!("sauvegarde {run}"),
            Subject::SambaListing => "contenu du partage Samba".into(),
        }
    }
}

impl Value {
    /// The value in words.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Version(v) => v.to_string(),
            Value::ReplayedAs { seen, replayed, on_box } => match (lang, on_box) {
                (Lang::En, false) => {
                    format!("{replayed} (the log is from Jeedom {seen}; the scenario exists for 4.2 to 4.5 only)")
                }
                (Lang::Fr, false) => {
                    format!("{replayed} (le log vient de Jeedom {seen} ; le scénario n'existe que pour 4.2 à 4.5)")
                }
                (Lang::En, true) => {
                    format!("{replayed} (the box announces Jeedom {seen}; the scenario exists for 4.2 to 4.5 only)")
                }
                (Lang::Fr, true) => {
                    format!("{replayed} (la box annonce Jeedom {seen} ; le scénario n'existe que pour 4.2 à 4.5)")
                }
            },
            Value::Time { at, how } => {
                let at = format_at(*at);
                let how = match lang {
                    Lang::En => how.en(),
                    Lang::Fr => how.fr(),
                };
                match how {
                    Some(how) => format!("{at} ({how})"),
                    None => at,
                }
            }
            other => match lang {
                Lang::En => other.en(),
                Lang::Fr => other.fr(),
            },
        }
    }

    fn en(&self) -> String {
        match self {
            Value::PreviousSuccess => "previous-success".into(),
            Value::NotReplayed => "not replayed: its start was cut off and none of its lines is dated".into(),
            Value::ShareFromUploads => {
                "from the log only: each successful `Send backup Samba` puts that run's archive first on the share"
                    .into()
            }
            Value::ListingFailsLikeUpload => {
                "fails as the upload did (same user, share and host): the scenario's own listing throws with that message"
                    .into()
            }
            _ => String::new(),
        }
    }

    fn fr(&self) -> String {
        match self {
            Value::PreviousSuccess => "previous-success (une sauvegarde réussie la veille)".into(),
            Value::NotReplayed => "non rejouée : son début manque et aucune de ses lignes n'est datée".into(),
            Value::ShareFromUploads => "d'après le log seulement : chaque `Send backup Samba` réussi met l'archive de cette sauvegarde en tête du partage".into(),
            Value::ListingFailsLikeUpload => "échoue comme l'envoi (même utilisateur, même partage, même hôte) : le listage du scénario lui-même lève une exception avec ce message".into(),
            _ => String::new(),
        }
    }

    /// The time, for a trigger's time.
    pub fn time(&self) -> Option<DateTime> {
        match self {
            Value::Time { at, .. } => Some(*at),
            _ => None,
        }
    }
}

impl TimeHow {
    fn en(self) -> Option<String> {
        Some(match self {
            TimeHow::Banner => return None,
            TimeHow::BannerPlus { secs } => format!("banner + {secs} s"),
            TimeHow::LastDatedNoDuration => "its last dated line; no duration line".into(),
            TimeHow::CutArchiveName => "the banner was cut off; the archive name's time".into(),
            TimeHow::CutFirstDated => "the banner was cut off; the run's first dated line".into(),
            TimeHow::StartPlus { secs } => format!("start + {secs} s"),
            TimeHow::LastDated => "the run's last dated line".into(),
            TimeHow::NoEndTime => "start + 60 s: the log gives no end time".into(),
            TimeHow::NoDuration => "start + 60 s: the log gives no duration".into(),
            TimeHow::WatchdogAfterFailure => {
                "strict watchdog: a minute after the failed run's last dated line; strict only".into()
            }
            TimeHow::WatchdogNow => "strict watchdog: now, by the box's clock; strict only".into(),
            TimeHow::WatchdogTimeout => "strict watchdog: after its timeout, the run never ended; strict only".into(),
        })
    }

    fn fr(self) -> Option<String> {
        Some(match self {
            TimeHow::Banner => return None,
            TimeHow::BannerPlus { secs } => format!("bannière + {secs} s"),
            TimeHow::LastDatedNoDuration => "sa dernière ligne datée ; pas de ligne de durée".into(),
            TimeHow::CutArchiveName => "la bannière manque ; heure du nom de l'archive".into(),
            TimeHow::CutFirstDated => "la bannière manque ; première ligne datée de la sauvegarde".into(),
            TimeHow::StartPlus { secs } => format!("début + {secs} s"),
            TimeHow::LastDated => "dernière ligne datée de la sauvegarde".into(),
            TimeHow::NoEndTime => "début + 60 s : le log ne donne pas l'heure de fin".into(),
            TimeHow::NoDuration => "début + 60 s : le log ne donne pas la durée".into(),
            TimeHow::WatchdogAfterFailure => {
                "surveillance de la lecture stricte : une minute après la dernière ligne datée de la sauvegarde en échec ; lecture stricte seulement".into()
            }
            TimeHow::WatchdogNow => {
                "surveillance de la lecture stricte : maintenant, d'après l'horloge de la box ; lecture stricte seulement".into()
            }
            TimeHow::WatchdogTimeout => {
                "surveillance de la lecture stricte : son délai est passé sans que la sauvegarde se termine ; lecture stricte seulement"
                    .into()
            }
        })
    }
}

/// One line, in English, as the case snapshots list facts: `inferred jeedom = 4.4  (from
/// backup.log:19)`.
impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.origin {
            Origin::Inferred { .. } => "inferred",
            Origin::Assumed { .. } => "assumed ",
            Origin::Option => "flag    ",
            Origin::Added { .. } => "added   ",
            Origin::Live => "box     ",
        };
        write!(
            f,
            "{kind} {} = {}",
            self.subject.text(Lang::En),
            self.value.text(Lang::En)
        )?;
        let lines = self.lines();
        if !lines.is_empty() {
            let l: Vec<String> = lines.iter().map(ToString::to_string).collect();
            return write!(f, "  (from {})", l.join(", "));
        }
        match (&self.origin, self.hint()) {
            (Origin::Assumed { .. }, Some(hint)) => write!(f, "  (default; {hint})"),
            (Origin::Assumed { .. }, None) => write!(f, "  (default)"),
            (Origin::Option, Some(flag)) => write!(f, "  ({flag})"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_reads_as_one_line() {
        let f = Fact::new(
            Subject::TriggerTime {
                run: 2,
                trigger: Trigger::EndBackup,
            },
            Value::Time {
                at: jiff::civil::date(2025, 9, 10).at(3, 31, 12, 0),
                how: TimeHow::BannerPlus { secs: 251 },
            },
            Origin::Inferred {
                lines: vec![LineAt {
                    file: "backup.log".into(),
                    line: 2,
                }],
            },
        );
        assert_eq!(
            f.to_string(),
            "inferred run 2 end_backup at = 2025-09-10 03:31:12 (banner + 251 s)  (from backup.log:2)"
        );
        assert_eq!(f.subject.text(Lang::Fr), "sauvegarde 2 : heure de end_backup");
        assert_eq!(f.value.text(Lang::Fr), "2025-09-10 03:31:12 (bannière + 251 s)");
        assert_eq!(f.run(), Some(2));
        let d = Fact::new(
            Subject::TimeZone,
            Value::Text("Europe/Paris".into()),
            Origin::Assumed { lines: vec![] },
        );
        assert_eq!(
            d.to_string(),
            "assumed  time zone = Europe/Paris  (default; set [params] tz)"
        );
        assert_eq!(d.hint(), Some("set [params] tz"));
        let o = Fact::new(
            Subject::Config(ConfigKey::SambaEnable),
            Value::Text("0".into()),
            Origin::Option,
        );
        assert_eq!(o.to_string(), "flag     config samba::enable = 0  (--samba)");
    }
}
