//! Conformance vectors, a check on the engine (step 4 of the data flow): the format produced by
//! running the published scenario's own code block under PHP, and a runner that replays a vector
//! with the faithful profile of its revision and reports the first difference, byte for byte.
//! The CLI (`infobackup conformance`) and the test suite both use it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::engine::{self, Profile, ProfileConfig, StepOutcome};
use crate::via::{Via, ViaError};
use crate::world::{Timeline, WorldError, format_at};

/// One conformance vector (`<revision>.<name>.json`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Vector {
    pub name: String,
    /// The revision whose code produced the vector.
    pub code: Profile,
    #[serde(default)]
    pub description: String,
    pub case: Timeline,
    pub expect: Vec<Expected>,
}

/// What the published scenario did at one step.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Expected {
    pub trigger: String,
    pub at: String,
    #[serde(rename = "virtual")]
    pub virtual_value: String,
    pub tags: BTreeMap<String, String>,
    pub crashed: bool,
}

/// A vector that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConformanceError {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}:{column}: malformed vector: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: the replay failed: {source}", path.display())]
    World { path: PathBuf, source: WorldError },
    #[error("{}: no such file or folder", path.display())]
    Missing { path: PathBuf },
    #[error("{}: a loop of symbolic links (it never reaches a file or a folder)", path.display())]
    Loop { path: PathBuf },
}

/// Which part of a step differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", content = "name", rename_all = "snake_case")]
pub enum Field {
    /// The vector and the replay have a different number of steps.
    StepCount,
    Trigger,
    At,
    Crashed,
    Virtual,
    Tag(String),
}

impl Field {
    /// The field in words, in `lang` (its `Display` is the English).
    pub fn words(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Field::StepCount, _) => "le nombre d'étapes".into(),
            (Field::Trigger, _) => "le déclencheur".into(),
            (Field::At, _) => "l'heure".into(),
            (Field::Crashed, _) => "le champ crashed".into(),
            (Field::Virtual, _) => "le virtuel".into(),
            (Field::Tag(t), _) => format!("le tag {t}"),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::StepCount => f.write_str("number of steps"),
            Field::Trigger => f.write_str("trigger"),
            Field::At => f.write_str("at"),
            Field::Crashed => f.write_str("crashed"),
            Field::Virtual => f.write_str("virtual"),
            Field::Tag(t) => write!(f, "tag {t}"),
        }
    }
}

/// The first difference between a vector and the replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// 1-based step number.
    pub step: usize,
    pub trigger: String,
    pub at: String,
    #[serde(flatten)]
    pub field: Field,
    /// `None`: absent on that side (a missing tag or step).
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// Byte offset of the first differing byte (when both sides are present).
    pub byte: Option<usize>,
}

impl Difference {
    fn new(
        step: usize,
        exp: Option<&Expected>,
        field: Field,
        expected: Option<String>,
        actual: Option<String>,
    ) -> Self {
        let byte = match (&expected, &actual) {
            (Some(e), Some(a)) => first_difference(e.as_bytes(), a.as_bytes()),
            _ => None,
        };
        Difference {
            step,
            trigger: exp.map(|e| e.trigger.clone()).unwrap_or_default(),
            at: exp.map(|e| e.at.clone()).unwrap_or_default(),
            field,
            expected,
            actual,
            byte,
        }
    }

    /// One line: where and what (English; [`Difference::headline_in`] for a run's language).
    pub fn headline(&self) -> String {
        self.headline_in(Lang::En)
    }

    /// One line in `lang`: where and what.
    pub fn headline_in(&self, lang: Lang) -> String {
        match lang {
            Lang::En => {
                let at = self.byte.map(|b| format!(" at byte {b}")).unwrap_or_default();
                format!(
                    "step {} ({} at {}): {} differs{at}",
                    self.step, self.trigger, self.at, self.field
                )
            }
            Lang::Fr => {
                let at = self.byte.map(|b| format!(" à l'octet {b}")).unwrap_or_default();
                format!(
                    "étape {} ({} à {}) : {} diffère{at}",
                    self.step,
                    self.trigger,
                    self.at,
                    self.field.words(lang)
                )
            }
        }
    }

    /// The expected and actual values around the first difference, with a caret under it
    /// (English; [`Difference::detail_in`] for a run's language).
    pub fn detail(&self) -> String {
        self.detail_in(Lang::En)
    }

    /// [`Difference::detail`] in `lang` (both labels are ten columns wide, so the caret lines up).
    pub fn detail_in(&self, lang: Lang) -> String {
        let (expected, actual, absent) = match lang {
            Lang::Fr => ("attendu : ", "obtenu :  ", "(absent)"),
            Lang::En => ("expected: ", "actual:   ", "(absent)"),
        };
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| absent.into());
        match (&self.expected, &self.actual, self.byte) {
            (Some(e), Some(a), Some(byte)) => {
                let (e_text, caret) = window(e, byte);
                let (a_text, _) = window(a, byte);
                format!("{expected}{e_text}\n{actual}{a_text}\n          {}^", " ".repeat(caret))
            }
            _ => format!("{expected}{}\n{actual}{}", show(&self.expected), show(&self.actual)),
        }
    }
}

/// Offset of the first byte where `a` and `b` differ (the shorter's length when one is a
/// prefix of the other).
fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    if a == b {
        return None;
    }
    Some(
        a.iter()
            .zip(b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len())),
    )
}

/// Up to 40 characters each side of byte `at`, escaped onto one line, and the caret's column.
fn window(s: &str, at: usize) -> (String, usize) {
    const SIDE: usize = 40;
    let mut cut = at.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let (before, after) = s.split_at(cut);
    let before_chars: Vec<char> = before.chars().collect();
    let skip = before_chars.len().saturating_sub(SIDE);
    let esc = |c: char| match c {
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
        c => c.to_string(),
    };
    let mut head: String = before_chars.iter().skip(skip).map(|c| esc(*c)).collect();
    if skip > 0 {
        head.insert(0, '…');
    }
    let after_chars: Vec<char> = after.chars().collect();
    let mut tail: String = after_chars.iter().take(SIDE).map(|c| esc(*c)).collect();
    if after_chars.len() > SIDE {
        tail.push('…');
    }
    if after_chars.is_empty() {
        tail.push_str("⟨end⟩");
    }
    let caret = head.chars().count();
    (format!("{head}{tail}"), caret)
}

/// The verdict on one vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail { difference: Difference },
}

/// One vector's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VectorResult {
    pub file: PathBuf,
    pub name: String,
    pub code: Profile,
    pub steps: usize,
    #[serde(flatten)]
    pub verdict: Verdict,
}

impl VectorResult {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }
}

/// Reads one vector file.
pub fn load(path: &Path) -> Result<Vector, ConformanceError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConformanceError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses a vector's text; errors name `path` with serde_json's line and column.
pub fn parse(text: &str, path: &Path) -> Result<Vector, ConformanceError> {
    serde_json::from_str(text).map_err(|e| ConformanceError::Malformed {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    })
}

/// Every `*.json` file under the given files and folders (recursively), sorted within each
/// folder. A file given by name is taken whatever its extension. Symbolic links are followed,
/// except into a folder the walk is already inside (see [`find`]).
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ConformanceError> {
    find(paths).map(|f| f.files)
}

/// What a walk of files and folders found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The vector files, in walk order.
    pub files: Vec<PathBuf>,
    /// Symbolic links that were not followed because they lead back into a folder the walk was
    /// already inside, or loop among themselves: each with what it leads back to (`None` for a
    /// link that never reaches anything, `ELOOP`).
    pub loops: Vec<(PathBuf, Option<PathBuf>)>,
}

/// Like [`collect`], and names each symbolic-link loop it did not follow. A walk follows links
/// (a vectors folder may be linked in) but never twice into the same folder on one descent, so
/// it always ends.
pub fn find(paths: &[PathBuf]) -> Result<Found, ConformanceError> {
    let mut found = Found::default();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                let mut inside = vec![(identity(&m), p.clone())];
                walk(p, &mut inside, &mut found)?;
            }
            Ok(_) => found.files.push(p.clone()),
            Err(e) if is_loop(&e) => return Err(ConformanceError::Loop { path: p.clone() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConformanceError::Missing { path: p.clone() });
            }
            Err(source) => {
                return Err(ConformanceError::Read {
                    path: p.clone(),
                    source,
                });
            }
        }
    }
    Ok(found)
}

/// A folder's identity, whatever name reaches it: device and inode (the path elsewhere).
#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn is_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// `inside`: the folders of the current descent, outermost first, with the name each was
/// reached by.
fn walk(
    dir: &Path,
    inside: &mut Vec<(Option<(u64, u64)>, PathBuf)>,
    found: &mut Found,
) -> Result<(), ConformanceError> {
    let read = std::fs::read_dir(dir).map_err(|source| ConformanceError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut entries: Vec<PathBuf> = read.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) if is_loop(&e) => {
                found.loops.push((p, None));
                continue;
            }
            // A dangling link or an entry that vanished: a `.json` one is reported when read.
            Err(_) => {
                if p.extension().is_some_and(|e| e == "json") {
                    found.files.push(p);
                }
                continue;
            }
        };
        if meta.is_dir() {
            let id = identity(&meta);
            if let Some((_, first)) = inside.iter().find(|(i, _)| id.is_some() && *i == id) {
                found.loops.push((p, Some(first.clone())));
                continue;
            }
            inside.push((id, p.clone()));
            let walked = walk(&p, inside, found);
            inside.pop();
            walked?;
        } else if p.extension().is_some_and(|e| e == "json") {
            found.files.push(p);
        }
    }
    Ok(())
}

/// Replays a vector with the faithful profile of its revision and compares.
pub fn check(vector: &Vector) -> Result<Verdict, WorldError> {
    check_with(vector, &ProfileConfig::builtin(vector.code))
}

/// Replays a vector with a given profile and compares.
pub fn check_with(vector: &Vector, config: &ProfileConfig) -> Result<Verdict, WorldError> {
    Ok(verdict(vector, &engine::replay_in_memory(&vector.case, config)?.steps))
}

/// Replays a vector with the faithful profile of its revision along `via` (in memory or over
/// HTTP) and compares.
pub fn check_via(vector: &Vector, via: &Via) -> Result<Verdict, ViaError> {
    Ok(verdict(
        vector,
        &via.replay(&vector.case, &ProfileConfig::builtin(vector.code))?.steps,
    ))
}

/// Replays a vector with `config` (which overrides the vector's own revision) along `via`.
pub fn check_via_with(vector: &Vector, via: &Via, config: &ProfileConfig) -> Result<Verdict, ViaError> {
    Ok(verdict(vector, &via.replay(&vector.case, config)?.steps))
}

fn verdict(vector: &Vector, steps: &[StepOutcome]) -> Verdict {
    match compare(&vector.expect, steps) {
        None => Verdict::Pass,
        Some(difference) => Verdict::Fail { difference },
    }
}

/// Loads and checks one file.
pub fn run_file(path: &Path) -> Result<VectorResult, ConformanceError> {
    let vector = load(path)?;
    let verdict = check(&vector).map_err(|source| ConformanceError::World {
        path: path.to_owned(),
        source,
    })?;
    Ok(VectorResult {
        file: path.to_owned(),
        name: vector.name,
        code: vector.code,
        steps: vector.expect.len(),
        verdict,
    })
}

/// The first difference between what a vector expects and what the engine did.
pub fn compare(expect: &[Expected], actual: &[StepOutcome]) -> Option<Difference> {
    for (i, e) in expect.iter().enumerate() {
        let step = i + 1;
        let Some(a) = actual.get(i) else {
            return Some(Difference::new(
                step,
                Some(e),
                Field::StepCount,
                Some(expect.len().to_string()),
                Some(actual.len().to_string()),
            ));
        };
        let d = |field, exp: String, act: String| Some(Difference::new(step, Some(e), field, Some(exp), Some(act)));
        if e.trigger != a.trigger.as_str() {
            return d(Field::Trigger, e.trigger.clone(), a.trigger.to_string());
        }
        if e.at != format_at(a.at) {
            return d(Field::At, e.at.clone(), format_at(a.at));
        }
        if e.crashed != a.crashed() {
            return d(Field::Crashed, e.crashed.to_string(), a.crashed().to_string());
        }
        if e.virtual_value != a.virtual_value {
            return d(Field::Virtual, e.virtual_value.clone(), a.virtual_value.clone());
        }
        let keys: std::collections::BTreeSet<&String> = e.tags.keys().chain(a.tags.keys()).collect();
        for k in keys {
            let (x, y) = (e.tags.get(k), a.tags.get(k));
            if x != y {
                return Some(Difference::new(
                    step,
                    Some(e),
                    Field::Tag(k.clone()),
                    x.cloned(),
                    y.cloned(),
                ));
            }
        }
    }
    if actual.len() > expect.len() {
        let extra = actual.get(expect.len());
        let mut diff = Difference::new(
            expect.len() + 1,
            None,
            Field::StepCount,
            Some(expect.len().to_string()),
            Some(actual.len().to_string()),
        );
        if let Some(a) = extra {
            diff.trigger = a.trigger.to_string();
            diff.at = format_at(a.at);
        }
        return Some(diff);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_points_at_the_first_different_byte() {
        let d = Difference::new(
            2,
            None,
            Field::Virtual,
            Some(r#"{"fileSize":"212.01 MB","x":1}"#.into()),
            Some(r#"{"fileSize":"212 MB","x":1}"#.into()),
        );
        assert_eq!(d.byte, Some(16));
        assert_eq!(
            d.detail(),
            "expected: {\"fileSize\":\"212.01 MB\",\"x\":1}\nactual:   {\"fileSize\":\"212 MB\",\"x\":1}\n                          ^"
        );
    }

    #[test]
    fn a_malformed_vector_names_line_and_column() {
        let err = parse("{\n \"name\": 3\n}", Path::new("v.json")).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("v.json:2:"), "{text}");
    }
}
