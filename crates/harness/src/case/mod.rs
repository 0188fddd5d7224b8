//! Recorded cases (`scenarios/<name>/`), step 2→3 of the data flow (log text → parsed run →
//! **Jeedom world** → engine → state → views): reads a case folder's TOML manifest and raw logs,
//! infers from the parsed log whatever the manifest leaves out (marking each inferred fact and
//! each assumption), and resolves it into a [`crate::world::Timeline`].
//!
//! - [`manifest`]: the `case.toml` format and its located errors (file, line, key).
//! - [`runs`]: the view of the log model inference needs.
//! - [`resolve`]: the inference stage: manifest + logs + [`Options`] → [`Resolved`] (timeline,
//!   parameters, facts), in named phases.
//! - [`facts`]: the typed facts inference states, and their words in French and English.
//! - [`cut`]: byte-exact prefixes of a log at a moment.
//!
//! The format is documented for users in `scenarios/README.md`.

pub mod cut;
pub mod facts;
pub mod manifest;
pub mod resolve;
pub mod runs;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub use facts::{ConfigKey, Fact, LineAt, Origin, Subject, TimeHow, Value};
pub use manifest::{DEFAULT_PROFILES, Manifest, ManifestError, TileClass};
pub use resolve::{FilledStep, Options, Overrides, Previous, ProfileRef, Resolved, Watchdog};

use crate::world::{LogBytes, LogName};

/// The manifest's file name in a case folder.
pub const MANIFEST: &str = "case.toml";

/// The file each log is read from when the manifest has no `[logs]` table.
pub const CONVENTIONAL_LOGS: [(LogName, &str); 3] = [
    (LogName::Backup, "backup.log"),
    (LogName::Update, "update.log"),
    (LogName::CronExecution, "cron_execution.log"),
];

/// A case folder, loaded: its manifest and the raw bytes of every file it reads.
#[derive(Debug, Clone)]
pub struct Case {
    /// The folder's name (the case's name in reports and snapshot names).
    pub name: String,
    pub dir: PathBuf,
    pub manifest_path: PathBuf,
    /// The manifest's text (errors found later quote its lines).
    pub source: String,
    pub manifest: Manifest,
    /// Which case file holds each Jeedom log.
    pub logs: BTreeMap<LogName, String>,
    /// Raw bytes of every file the manifest reads, by file name relative to the folder; a log
    /// pasted newest first is held with its runs put back in time order
    /// ([`crate::log::in_time_order`]), and named in `reordered`.
    pub files: BTreeMap<String, LogBytes>,
    /// The log files pasted in another order than Jeedom's, put back in order, or with runs
    /// pasted twice, held once (their line numbers are those of the text as held), and how they
    /// were pasted.
    pub reordered: Vec<(String, PasteOrder)>,
}

/// How a log was pasted when not in Jeedom's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasteOrder {
    /// Its runs newest first, each run's lines in order ([`crate::log::in_time_order`]).
    RunsNewestFirst,
    /// Its lines newest first ([`crate::log::lines_in_order`]).
    LinesReversed,
    /// Some runs pasted again after themselves, byte for byte: the copies are left out
    /// ([`crate::log::without_repeated_runs`]).
    RunsRepeated { dropped: usize },
}

impl Case {
    /// Puts each log pasted in another order back in Jeedom's (see `reordered`).
    fn in_time_order(mut self) -> Case {
        for file in self.logs.values() {
            let Some(b) = self.files.get_mut(file) else {
                continue;
            };
            // One parse serves both the run order and the repeats, unless the text changes.
            let mut model = None;
            if let Some(ordered) = crate::log::lines_in_order(b) {
                *b = LogBytes::from(ordered);
                self.reordered.push((file.clone(), PasteOrder::LinesReversed));
            } else {
                let m = crate::log::parse(b);
                match crate::log::in_time_order_of(b, &m) {
                    Some(ordered) => {
                        *b = LogBytes::from(ordered);
                        self.reordered.push((file.clone(), PasteOrder::RunsNewestFirst));
                    }
                    None => model = Some(m),
                }
            }
            let model = model.unwrap_or_else(|| crate::log::parse(b));
            if let Some((once, dropped)) = crate::log::without_repeated_runs_of(b, &model) {
                *b = LogBytes::from(once);
                self.reordered
                    .push((file.clone(), PasteOrder::RunsRepeated { dropped }));
            }
        }
        self
    }
}

/// Why a case could not be loaded or resolved. Every variant names a path.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{}: not a case folder: it has no {MANIFEST} (see scenarios/README.md)", dir.display())]
    NoManifest { dir: PathBuf },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{}: {message}", path.display())]
    Resolve { path: PathBuf, message: crate::Text },
    /// Filling in missing times ([`Options::fill_missing`]): no run can be timed.
    #[error(
        "{}: no backup run can be replayed: the start of each was cut off and none of its lines carries a date or an archive name",
        path.display()
    )]
    Untimed { path: PathBuf },
}

impl Case {
    /// Loads the case in `dir`: parses `case.toml` and reads the files it names.
    pub fn load(dir: &Path) -> Result<Case, CaseError> {
        let manifest_path = dir.join(MANIFEST);
        if !manifest_path.is_file() {
            if !dir.is_dir() {
                return Err(CaseError::Io {
                    path: dir.to_owned(),
                    err: std::io::Error::from(std::io::ErrorKind::NotFound),
                });
            }
            return Err(CaseError::NoManifest { dir: dir.to_owned() });
        }
        let raw = std::fs::read(&manifest_path).map_err(|err| CaseError::Io {
            path: manifest_path.clone(),
            err,
        })?;
        let source = String::from_utf8(raw).map_err(|e| {
            // The text before the first bad byte is UTF-8: locate the byte in it.
            let valid = e.as_bytes().get(..e.utf8_error().valid_up_to());
            let valid = valid.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
            let (line, column) = crate::line_col(valid, valid.len());
            ManifestError {
                path: manifest_path.clone(),
                line,
                column,
                key: "(document)".into(),
                message: crate::Text::new(
                    "le manifeste n'est pas du texte UTF-8",
                    "the manifest is not UTF-8 text",
                ),
            }
        })?;
        let manifest = manifest::parse(&manifest_path, &source)?;
        let name = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());

        let mut case = Case {
            name,
            dir: dir.to_owned(),
            manifest_path,
            source,
            manifest,
            logs: BTreeMap::new(),
            files: BTreeMap::new(),
            reordered: Vec::new(),
        };
        // Which files to read, with the span that named each (for errors).
        let mut wanted: Vec<(String, Option<std::ops::Range<usize>>, String)> = Vec::new();
        match &case.manifest.logs {
            Some(logs) => {
                for (name, file) in logs {
                    case.logs.insert(*name, file.get_ref().clone());
                    wanted.push((
                        file.get_ref().clone(),
                        Some(file.span()),
                        format!("logs.{}", name.as_str()),
                    ));
                }
            }
            None => {
                for (name, file) in CONVENTIONAL_LOGS {
                    if dir.join(file).is_file() {
                        case.logs.insert(name, file.to_owned());
                        wanted.push((file.to_owned(), None, "logs".into()));
                    }
                }
            }
        }
        for (k, s) in case.manifest.steps.iter().enumerate() {
            let spec = s.get_ref();
            for (_, key, src) in spec.log_sources() {
                if let Some(f) = src.get_ref().file() {
                    wanted.push((f.to_owned(), Some(src.span()), format!("step[{}].{key}", k + 1)));
                }
            }
        }
        for (file, span, key) in wanted {
            if case.files.contains_key(&file) {
                continue;
            }
            let err = |msg: crate::Text| {
                CaseError::Manifest(ManifestError::at(
                    &case.manifest_path,
                    &case.source,
                    span.clone(),
                    Some(key.clone()),
                    msg,
                ))
            };
            let path = checked_path(dir, &file).ok_or_else(|| {
                err(crate::Text::new(
                    format!("« {file} » doit être un fichier du dossier du cas (un chemin relatif sans `..`)"),
                    format!("{file:?} must be a file of the case folder (a relative path without `..`)"),
                ))
            })?;
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(err(crate::Text::new(
                        format!("le fichier {} n'existe pas", path.display()),
                        format!("file {} does not exist", path.display()),
                    )));
                }
                Err(e) => return Err(CaseError::Io { path, err: e }),
            };
            case.files.insert(file, LogBytes::from(bytes));
        }
        Ok(case.in_time_order())
    }

    /// Resolves the case into a timeline with the command line's overrides only (see
    /// [`resolve::resolve`]).
    pub fn resolve(&self, overrides: &Overrides) -> Result<Resolved, CaseError> {
        resolve::resolve(self, &Options::from(overrides))
    }

    /// Resolves the case with inference options (see [`resolve::Options`]).
    pub fn infer(&self, opts: &Options) -> Result<Resolved, CaseError> {
        resolve::resolve(self, opts)
    }

    /// A case made of one log and nothing else (what a user pastes): everything is inferred.
    pub fn from_log(name: &str, log: LogName, file: &str, bytes: LogBytes) -> Case {
        let source = format!("description = {:?}\n", format!("log {file}"));
        let manifest = Manifest {
            description: toml::Spanned::new(0..0, format!("log {file}")),
            jeedom: None,
            profiles: None,
            no_cloud_backup: None,
            never_saved: Vec::new(),
            params: manifest::Params::default(),
            expect: BTreeMap::new(),
            config: BTreeMap::new(),
            virtual_start: None,
            logs: None,
            local: BTreeMap::new(),
            samba: manifest::SambaStart::default(),
            sizes: BTreeMap::new(),
            assume: manifest::Assume::default(),
            steps: Vec::new(),
        };
        Case {
            name: name.to_owned(),
            dir: PathBuf::from("."),
            manifest_path: PathBuf::from(file),
            source,
            manifest,
            logs: BTreeMap::from([(log, file.to_owned())]),
            files: BTreeMap::from([(file.to_owned(), bytes)]),
            reordered: Vec::new(),
        }
        .in_time_order()
    }
}

/// `dir/rel` when `rel` is a plain relative path (no root, no `..`).
pub(crate) fn checked_path(dir: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let plain = !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    plain.then(|| dir.join(p))
}

/// The case folders of a corpus, sorted by name: every sub-folder whose name does not start
/// with `.`. Fails only when `dir` itself cannot be listed; each case loads separately.
pub fn corpus_dirs(dir: &Path) -> Result<Vec<PathBuf>, CaseError> {
    let entries = std::fs::read_dir(dir).map_err(|err| CaseError::Io {
        path: dir.to_owned(),
        err,
    })?;
    let mut dirs = Vec::new();
    for e in entries {
        let e = e.map_err(|err| CaseError::Io {
            path: dir.to_owned(),
            err,
        })?;
        let hidden = e.file_name().to_string_lossy().starts_with('.');
        if !hidden && e.path().is_dir() {
            dirs.push(e.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// One folder of a corpus: its path, and the case or why it did not load.
pub type LoadedCase = (PathBuf, Result<Case, CaseError>);

/// Loads every case of a corpus folder, sorted by name; each entry is the case or its error.
pub fn load_corpus(dir: &Path) -> Result<Vec<LoadedCase>, CaseError> {
    Ok(corpus_dirs(dir)?
        .into_iter()
        .map(|d| {
            let c = Case::load(&d);
            (d, c)
        })
        .collect())
}
