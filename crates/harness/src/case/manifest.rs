//! The case manifest (`case.toml`): serde types mirroring the hand-written TOML, and the error
//! that names the file, line and key when a manifest is malformed.
//!
//! Everything here is *given* by a person. What the manifest leaves out is inferred from the log
//! or assumed by [`super::resolve`]. Unknown keys are refused so a typo never passes silently.
//! The format is documented for users in `scenarios/README.md`; keep the two in step.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use jiff::civil::DateTime;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::world::{JeedomVersion, LogName, Trigger, parse_at};

/// A whole `case.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// One line saying the situation the case records.
    pub description: Spanned<String>,
    /// The Jeedom release (`4.4`, `4.4.20`, …). Inferred from the log when absent.
    #[serde(default)]
    pub jeedom: Option<JeedomVersion>,
    /// Profiles to replay the case with: built-in names, or profile TOML files relative to the
    /// case folder. Default: [`DEFAULT_PROFILES`].
    #[serde(default)]
    pub profiles: Option<Vec<Spanned<String>>>,
    /// The PHP global `NO_CLOUD_BACKUP` during the whole timeline. Inferred when absent.
    #[serde(default)]
    pub no_cloud_backup: Option<bool>,
    /// Config keys that were never saved in this Jeedom (read as `""`), even if the log suggests
    /// a value.
    #[serde(default)]
    pub never_saved: Vec<String>,
    /// Engine parameters.
    #[serde(default)]
    pub params: Params,
    /// Expected class of the tile after the last trigger, per profile name (checked before the
    /// snapshot is compared).
    #[serde(default)]
    pub expect: BTreeMap<String, TileClass>,
    /// Jeedom config keys (`"samba::enable" = "1"`). Keys given here are never inferred.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// The virtual's value before the first trigger.
    #[serde(default, rename = "virtual")]
    pub virtual_start: Option<Spanned<VirtualStart>>,
    /// The raw log files of the case, by Jeedom log name. Default: `backup.log`, `update.log`,
    /// `cron_execution.log` when present in the folder.
    #[serde(default)]
    pub logs: Option<BTreeMap<LogName, Spanned<String>>>,
    /// Files already in the backup folder before the first trigger (name = size in bytes).
    #[serde(default)]
    pub local: BTreeMap<String, u64>,
    /// The Samba share before the first trigger.
    #[serde(default)]
    pub samba: SambaStart,
    /// Sizes (bytes) of archives the runs in the log create, by file name.
    #[serde(default)]
    pub sizes: BTreeMap<String, u64>,
    /// Values for what the log cannot tell.
    #[serde(default)]
    pub assume: Assume,
    /// Triggers: each one overrides an inferred trigger (same `run` and `trigger`) or adds one.
    #[serde(default, rename = "step")]
    pub steps: Vec<Spanned<StepSpec>>,
}

/// The built-in profiles a case runs with when its manifest names none: every faithful revision
/// of the published scenario, then `strict`.
pub const DEFAULT_PROFILES: [&str; 4] = ["v2022-01", "v2023-03", "v2024-08", "strict"];

/// Parameters of the engine.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The scenario's minimum archive size `S`, in bytes (default 104857600, 100 MB).
    pub min_size: Option<u64>,
    /// IANA time zone of the box (default `Europe/Paris`).
    pub tz: Option<Spanned<String>>,
    /// PHP major version the scenario runs under: 7 or 8 (default 8).
    pub php: Option<Spanned<u8>>,
}

/// The class of tile a case expects, coarse enough to survive wording changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TileClass {
    /// An alert instead of a panel (invalid or incomplete JSON, scenario error, no action).
    Alert,
    /// The spinner: a backup or update is in progress.
    InProgress,
    /// The finished panel, every circle green.
    Success,
    /// The finished panel, its worst circle orange.
    Warning,
    /// The finished panel, its worst circle red.
    Error,
}

impl TileClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TileClass::Alert => "alert",
            TileClass::InProgress => "in-progress",
            TileClass::Success => "success",
            TileClass::Warning => "warning",
            TileClass::Error => "error",
        }
    }
}

impl fmt::Display for TileClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The virtual's value before the first trigger.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualStart {
    /// A named starting value: `empty` (fresh install) or `previous-success` (the state the
    /// 2024-08 scenario leaves after a good backup the day before the first trigger).
    pub preset: Option<Preset>,
    /// The exact value, byte for byte (use a TOML literal string `'…'`).
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Empty,
    PreviousSuccess,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Empty => "empty",
            Preset::PreviousSuccess => "previous-success",
        }
    }
}

/// The Samba share before the first trigger.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SambaStart {
    /// File names on the share, newest first. Successful uploads in the log are added in front.
    #[serde(default)]
    pub listing: Vec<String>,
    /// Listing the share throws this message at every trigger.
    pub error: Option<String>,
}

/// Values for what a log cannot tell; each one not given here is a visible default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assume {
    /// Size in bytes of an archive a run creates, when `[sizes]` does not name it.
    pub archive_size: Option<u64>,
    /// Seconds between `begin_update` and the banner of the backup the update makes.
    pub update_lead: Option<u32>,
}

/// One `[[step]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub trigger: Trigger,
    /// Local wall-clock time, `YYYY-MM-DD HH:MM:SS`. Inferred from run `run` when absent.
    pub at: Option<At>,
    /// The run of the log (1-based, in start-time order over every log) this trigger belongs to.
    pub run: Option<Spanned<u32>>,
    /// Drop the inferred trigger with the same `run` and `trigger` (e.g. an `end_backup` that
    /// Jeedom did not fire).
    #[serde(default)]
    pub skip: bool,
    /// `log/backup` at this trigger (shorthand for `logs.backup`).
    pub log: Option<Spanned<LogSource>>,
    /// Any log at this trigger.
    #[serde(default)]
    pub logs: BTreeMap<LogName, Spanned<LogSource>>,
    /// The backup folder at this trigger (replaces what is inferred).
    pub local: Option<BTreeMap<String, u64>>,
    /// The Samba listing at this trigger, newest first (replaces what is inferred).
    pub samba: Option<Vec<String>>,
    /// Listing the share throws this message at this trigger.
    pub samba_error: Option<String>,
}

impl StepSpec {
    /// Each log this step sets, with its key after `step[n].` (`log`, `logs.update`, …).
    pub fn log_sources(&self) -> impl Iterator<Item = (LogName, String, &Spanned<LogSource>)> {
        let short = self.log.iter().map(|l| (LogName::Backup, "log".to_owned(), l));
        short.chain(self.logs.iter().map(|(n, l)| (*n, format!("logs.{}", n.as_str()), l)))
    }
}

/// A step time in a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At(pub DateTime);

impl<'de> Deserialize<'de> for At {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_at(&s).map(At).map_err(de::Error::custom)
    }
}

/// Where a log's text at one trigger comes from: a file of the case folder, whole or cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSource {
    /// The whole file; `""` is an empty log.
    File(String),
    Cut(CutSpec),
}

/// A file cut after a line: `{ file = "backup.log", until_line = 12 }` or
/// `{ file = "backup.log", until = "Send begin backup event" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutSpec {
    pub file: String,
    /// Keep lines 1..=N.
    pub until_line: Option<u32>,
    /// Keep every line up to and including the first one containing this text.
    pub until: Option<String>,
    /// With `until`: the Nth line containing the text instead of the first.
    pub occurrence: Option<u32>,
}

impl LogSource {
    /// The file this source reads, if any.
    pub fn file(&self) -> Option<&str> {
        match self {
            LogSource::File(f) if f.is_empty() => None,
            LogSource::File(f) => Some(f),
            LogSource::Cut(c) => Some(&c.file),
        }
    }
}

impl<'de> Deserialize<'de> for LogSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LogSource;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file name, or a table { file = …, until_line = N } / { file = …, until = \"text\" }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LogSource, E> {
                Ok(LogSource::File(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LogSource, A::Error> {
                CutSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(LogSource::Cut)
            }
        }
        d.deserialize_any(V)
    }
}

// ---- errors with file, line and key ----------------------------------------------------------

/// A manifest problem, located: `scenarios/x/case.toml:14:7: step[2].at: …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {key}: {message}", path.display())]
pub struct ManifestError {
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The key in question, as a dotted path (`params.min_size`, `step[2].log`), or
    /// `(document)` when the whole file is at fault.
    pub key: String,
    pub message: crate::Text,
}

impl ManifestError {
    /// Locates `span` of `src` and names the key at that place.
    pub fn at(
        path: &Path,
        src: &str,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: impl Into<crate::Text>,
    ) -> Self {
        let start = span.as_ref().map_or(0, |s| s.start).min(src.len());
        let (line, column) = crate::line_col(src, start);
        let key = match key {
            Some(k) => with_array_index(src, start, &k),
            None => key_at(src, start),
        };
        ManifestError {
            path: path.to_owned(),
            line,
            column,
            key,
            message: message.into(),
        }
    }

    /// From a toml deserialization error.
    pub fn from_toml(path: &Path, src: &str, err: &toml::de::Error) -> Self {
        // toml knows the key path but only prints it when it has no input to quote.
        let mut bare = err.clone();
        bare.set_input(None);
        let text = bare.to_string();
        let mut key = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
            .map(str::to_owned);
        let message = err.message().trim().to_owned();
        if let Some(field) = message
            .strip_prefix("unknown field `")
            .and_then(|m| m.split('`').next())
        {
            key = Some(match key {
                Some(k) => format!("{k}.{field}"),
                None => field.to_owned(),
            });
        } else if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            key = Some(match key {
                Some(k) => format!("{k}.{field}"),
                None => field.to_owned(),
            });
        }
        let key = key.or_else(|| err.span().filter(|s| !s.is_empty()).map(|s| key_at(src, s.start)));
        let message = crate::Text::new(crate::error_words::toml_fr(&message), message);
        ManifestError::at(path, src, err.span(), key.or(Some("(document)".to_owned())), message)
    }
}

/// The table header in force at `offset` (`params`, `step`), and which occurrence of an
/// array-of-tables header it is (1-based).
fn header_at(src: &str, offset: usize) -> Option<(String, Option<usize>)> {
    let before = src.get(..offset).unwrap_or(src);
    let mut current: Option<(String, Option<usize>)> = None;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in before.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = counts.entry(name.clone()).or_insert(0);
            *n += 1;
            current = Some((name, Some(*n)));
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = Some((name.trim().to_owned(), None));
        }
    }
    current
}

/// Adds `[n]` after the array-of-tables part of a toml key path (`step.at` → `step[2].at`).
fn with_array_index(src: &str, offset: usize, key: &str) -> String {
    if let Some((name, Some(n))) = header_at(src, offset)
        && (key == name || key.starts_with(&format!("{name}.")))
    {
        return format!("{name}[{n}]{}", &key[name.len()..]);
    }
    key.to_owned()
}

/// Guesses the key at `offset` from the text: the header, then the key before `=` on that line.
fn key_at(src: &str, offset: usize) -> String {
    let line_start = src.get(..offset).and_then(|b| b.rfind('\n')).map_or(0, |i| i + 1);
    let line = src.get(line_start..).and_then(|s| s.lines().next()).unwrap_or("");
    let t = line.trim();
    let local = if t.starts_with('[') {
        None
    } else {
        t.split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_owned())
            .filter(|k| !k.is_empty())
    };
    let header = header_at(src, line_start + usize::from(t.starts_with('[')));
    match (header, local) {
        (Some((h, Some(n))), Some(k)) => format!("{h}[{n}].{k}"),
        (Some((h, None)), Some(k)) => format!("{h}.{k}"),
        (None, Some(k)) => k,
        (Some((h, Some(n))), None) => format!("{h}[{n}]"),
        (Some((h, None)), None) => h,
        (None, None) => "(document)".to_owned(),
    }
}

/// Parses a manifest's text. `path` only names the file in errors.
pub fn parse(path: &Path, src: &str) -> Result<Manifest, ManifestError> {
    let m: Manifest = toml::from_str(src).map_err(|e| ManifestError::from_toml(path, src, &e))?;
    validate(path, src, &m)?;
    Ok(m)
}

/// Checks what serde cannot: one-line description, exactly one virtual start, sane cuts.
fn validate(path: &Path, src: &str, m: &Manifest) -> Result<(), ManifestError> {
    let err = |span: Range<usize>, key: &str, msg: crate::Text| {
        ManifestError::at(path, src, Some(span), Some(key.to_owned()), msg)
    };
    let d = m.description.get_ref();
    if d.trim().is_empty() || d.contains('\n') {
        return Err(err(
            m.description.span(),
            "description",
            crate::Text::new(
                "la description doit tenir sur une ligne non vide",
                "the description must be one non-empty line",
            ),
        ));
    }
    if let Some(v) = &m.virtual_start {
        match (&v.get_ref().preset, &v.get_ref().value) {
            (Some(_), Some(_)) => {
                return Err(err(
                    v.span(),
                    "virtual",
                    crate::Text::new(
                        "donnez `preset` ou `value`, pas les deux",
                        "give either `preset` or `value`, not both",
                    ),
                ));
            }
            (None, None) => {
                return Err(err(
                    v.span(),
                    "virtual",
                    crate::Text::new(
                        "donnez `preset = \"empty\"` / `\"previous-success\"` ou `value = '…'`",
                        "give `preset = \"empty\"` / `\"previous-success\"` or `value = '…'`",
                    ),
                ));
            }
            _ => {}
        }
    }
    if let Some(php) = &m.params.php
        && !matches!(php.get_ref(), 7 | 8)
    {
        return Err(err(
            php.span(),
            "params.php",
            crate::Text::new(
                format!("PHP {} n'est pas pris en charge : utilisez 7 ou 8", php.get_ref()),
                format!("PHP {} is not supported: use 7 or 8", php.get_ref()),
            ),
        ));
    }
    if let Some(tz) = &m.params.tz
        && jiff::tz::TimeZone::get(tz.get_ref()).is_err()
    {
        return Err(err(
            tz.span(),
            "params.tz",
            crate::Text::new(
                format!(
                    "fuseau horaire inconnu « {} » (un nom IANA comme « Europe/Paris »)",
                    tz.get_ref()
                ),
                format!(
                    "unknown time zone {:?} (an IANA name such as \"Europe/Paris\")",
                    tz.get_ref()
                ),
            ),
        ));
    }
    for s in &m.steps {
        let step = s.get_ref();
        if let Some(run) = &step.run
            && *run.get_ref() == 0
        {
            return Err(err(
                run.span(),
                "step.run",
                crate::Text::new(
                    "les sauvegardes sont numérotées à partir de 1",
                    "runs are numbered from 1",
                ),
            ));
        }
        if step.skip && step.run.is_none() {
            return Err(err(
                s.span(),
                "step.skip",
                crate::Text::new(
                    "`skip` demande le `run` dont le déclenchement est à retirer",
                    "`skip` needs the `run` whose trigger to drop",
                ),
            ));
        }
        if step.samba.is_some() && step.samba_error.is_some() {
            return Err(err(
                s.span(),
                "step.samba_error",
                crate::Text::new(
                    "donnez `samba` ou `samba_error`, pas les deux",
                    "give either `samba` or `samba_error`, not both",
                ),
            ));
        }
        if step.log.is_some() && step.logs.contains_key(&LogName::Backup) {
            return Err(err(
                s.span(),
                "step.log",
                crate::Text::new(
                    "`log` et `logs.backup` désignent le même log : gardez-en un",
                    "`log` and `logs.backup` name the same log: keep one",
                ),
            ));
        }
        for (_, key, src_spec) in step.log_sources() {
            if let LogSource::Cut(c) = src_spec.get_ref() {
                let ok = match (&c.until_line, &c.until) {
                    (Some(0), None) => false,
                    (Some(_), None) => c.occurrence.is_none(),
                    (None, Some(t)) => !t.is_empty() && c.occurrence != Some(0),
                    _ => false,
                };
                if !ok {
                    return Err(err(
                        src_spec.span(),
                        &format!("step.{key}"),
                        crate::Text::new(
                            "une coupe demande exactement l'un de `until_line = N` (N ≥ 1) ou `until = \"texte\"` (avec un `occurrence` ≥ 1 facultatif)",
                            "a cut needs exactly one of `until_line = N` (N ≥ 1) or `until = \"text\"` (with an optional `occurrence` ≥ 1)",
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> ManifestError {
        parse(Path::new("c/case.toml"), src).unwrap_err()
    }

    #[test]
    fn a_one_line_manifest_parses() {
        let m = parse(Path::new("c/case.toml"), "description = \"4.4, local only\"\n").unwrap();
        assert_eq!(m.description.get_ref(), "4.4, local only");
        assert!(m.steps.is_empty() && m.profiles.is_none() && m.jeedom.is_none());
    }

    #[test]
    fn a_typo_names_file_line_and_key() {
        let e = err("description = \"x\"\n\n[params]\nmin_sise = 3\n");
        assert_eq!((e.line, e.column, e.key.as_str()), (4, 1, "params.min_sise"));
        assert!(e.message.en.contains("unknown field"), "{e}");
        assert!(
            e.to_string()
                .starts_with("c/case.toml:4:1: params.min_sise: unknown field"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_type_names_the_key_with_its_array_index() {
        let e = err(
            "description = \"x\"\n[[step]]\ntrigger = \"begin_backup\"\n[[step]]\ntrigger = \"end_backup\"\nat = \"2025-09-10 25:00:00\"\n",
        );
        assert_eq!((e.line, e.key.as_str()), (6, "step[2].at"), "{e}");
        assert!(e.message.en.contains("YYYY-MM-DD HH:MM:SS"), "{e}");
        let e = err(
            "description = \"x\"\n[[step]]\ntrigger = \"end_backup\"\nlog = { file = \"b.log\", until_line = \"x\" }\n",
        );
        assert_eq!((e.line, e.key.as_str()), (4, "step[1].log.until_line"), "{e}");
    }

    #[test]
    fn a_bad_cut_under_logs_names_that_log() {
        let e = err(
            "description = \"x\"\n[[step]]\ntrigger = \"end_backup\"\nlogs.update = { file = \"u.log\", until = \"\" }\n",
        );
        assert_eq!((e.line, e.key.as_str()), (4, "step[1].logs.update"), "{e}");
    }

    #[test]
    fn a_missing_description_and_bad_values_are_named() {
        assert_eq!(err("jeedom = \"4.4\"\n").key, "description");
        let e = err("description = \"x\"\njeedom = \"5.1\"\n");
        assert_eq!((e.line, e.key.as_str()), (2, "jeedom"), "{e}");
        let e = err("description = \"x\"\n[params]\nphp = 5\n");
        assert_eq!((e.line, e.key.as_str()), (3, "params.php"), "{e}");
        let e = err("description = \"x\"\n[params]\ntz = \"Europe/Pariss\"\n");
        assert_eq!(e.key, "params.tz");
        let e = err("description = \"x\"\n[virtual]\npreset = \"empty\"\nvalue = \"\"\n");
        assert_eq!(e.key, "virtual");
        let e = err("description = \"x\"\n[logs]\nbakup = \"b.log\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "logs"), "{e}");
        let e = err("description = \"x\"\n[expect]\nstrict = \"red\"\n");
        assert_eq!((e.line, e.key.as_str()), (3, "expect.strict"), "{e}");
    }

    #[test]
    fn log_sources_are_a_file_or_a_cut() {
        let m = parse(
            Path::new("c/case.toml"),
            "description = \"x\"\n[[step]]\ntrigger = \"begin_backup\"\nat = \"2025-09-10 03:27:01\"\nlog = { file = \"backup.log\", until = \"Send begin backup event\" }\n[[step]]\ntrigger = \"end_backup\"\nrun = 1\nlogs = { update = \"update.log\" }\n",
        )
        .unwrap();
        assert_eq!(
            m.steps[0].get_ref().log.as_ref().map(|l| l.get_ref().clone()),
            Some(LogSource::Cut(CutSpec {
                file: "backup.log".into(),
                until_line: None,
                until: Some("Send begin backup event".into()),
                occurrence: None
            }))
        );
        assert_eq!(
            m.steps[1]
                .get_ref()
                .logs
                .get(&LogName::Update)
                .map(|l| l.get_ref().clone()),
            Some(LogSource::File("update.log".into()))
        );
        let e = err("description = \"x\"\n[[step]]\ntrigger = \"end_backup\"\nlog = { file = \"b.log\" }\n");
        assert_eq!((e.line, e.key.as_str()), (4, "step[1].log"), "{e}");
    }
}
