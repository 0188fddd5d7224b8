//! `infobackup diagnose`, the last step of the data flow for a user's report (log text → parsed
//! run → Jeedom world → engine → state → **views and reports**): what the tile showed after each
//! backup run of a pasted log (or a case folder), what `strict` shows instead, why each flag has
//! its value with the log lines quoted, the run's timeline, and every assumption made.
//!
//! [`diagnose`] builds a [`Diagnosis`]: language-neutral data, every text from the box already
//! redacted. Three renderings read it: [`text`] (terminal and forum paste, annotated snippets),
//! [`json`] (one document for tools), [`html`] (one self-contained page to attach to a post).
//!
//! # How a pasted log becomes two replays
//! The log is a case with nothing but a log ([`Case::from_log`]); one call to the inference stage
//! ([`Case::infer`]) infers the triggers (a `begin_backup` at each banner, an `end_backup` at
//! banner + duration for a run that succeeded), the archive, the Samba share and the config,
//! and marks each inference. With two options:
//! - `fill_missing`: a run whose banner was cut off gets its `begin_backup` at the archive name's
//!   minute, else at its first dated line; a successful run with neither duration nor dated line
//!   gets its `end_backup` one minute after its start (runs a case folder's manifest gives a
//!   `[[step]]` are left to it). Each such time is listed as added.
//! - `watchdog`: the published scenario only ever receives the three backup triggers, so after
//!   a failed run (Jeedom fires no `end_backup`) its tile stays "in progress". The strict profile
//!   has a watchdog that runs on any other trigger; inference gives it one tick (`schedule`) one
//!   minute after the failed run's last dated line, or after the watchdog timeout for a run that
//!   never ended, so `strict` can say what happened. The tick is marked strict-only
//!   ([`Resolved::strict_only`]): the published replay runs [`Resolved::published`], the timeline
//!   without it. It is listed as added.
//!
//! # Which tile belongs to a run
//! The tile after the run's last trigger: the triggers of run *n* are those the case module ties
//! to it, plus untied triggers (a manifest's `schedule` tick) until the next run's first trigger.

pub mod advice;
pub mod cause;
pub mod html;
pub mod json;
pub mod live;
pub mod markdown;
pub mod text;
pub mod words;

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::DateTime;

use crate::case::{self, Case, CaseError, Fact, Overrides, ProfileRef, Resolved};
use crate::engine::{Flag, FlagKind, Profile, ProfileConfig, Replay, Rule, StepOutcome};
use crate::log::{self, Level, LineRef, LogModel, Run, RunEnd, StepKind, StepResult, UploadOutcome};
use crate::redact::Redactor;
use crate::report::run::{self, RunError};
use crate::widget::{self, Tile, Tone};
use crate::world::{JeedomVersion, LogBytes, LogName, Trigger, format_at};

pub use crate::case::resolve::WATCHDOG_TRIGGER;
pub use words::{assumption_text, event_text, quote_label};

/// Longest quoted text kept around its mark, in characters.
pub const QUOTE_CHARS: usize = 240;
/// Longest mark inside a quote, in characters.
const MARK_CHARS: usize = 64;
/// Lines quoted per rule at most (the sentence gives the count).
const QUOTES_PER_RULE: usize = 3;

/// What to diagnose with.
#[derive(Debug, Clone)]
pub struct Options {
    /// The published scenario's revision (or a profile file); `v2024-08` by default.
    pub profile: ProfileRef,
    /// What the command line imposes over the log (and a case folder's manifest).
    pub overrides: Overrides,
    /// Secrets to hide besides the patterns (the API key of a live box).
    pub redactor: Redactor,
    /// The case is a case folder (with a manifest), not a pasted log.
    pub case_folder: bool,
    /// The box's clock now (live mode): the strict watchdog looks at a run that has not ended
    /// at this time instead of after its timeout.
    pub now: Option<DateTime>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            profile: ProfileRef::Builtin("v2024-08".to_owned()),
            overrides: Overrides::default(),
            redactor: Redactor::new(),
            case_folder: false,
            now: None,
        }
    }
}

/// Why there is nothing to diagnose, or the replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiagnoseError {
    /// Neither a backup run nor a line of Jeedom's logger: not a Jeedom log at all.
    #[error(
        "{name} is not a Jeedom backup log: none of its {} is a backup line ([START BACKUP], \
         `Start of Jeedom backup at …`, `Backing up database...`) or a Jeedom logger line \
         (`[2025-09-10 03:29:40][ERROR] : …`); paste the content of Jeedom's log/backup (Analyse → Logs → backup)",
        crate::Lang::En.count(*lines as usize, ["", ""], ["line", "lines"])
    )]
    NotALog { name: String, lines: u32 },
    /// Binary data (a program, an archive): whatever markers it holds are not a log to diagnose.
    #[error(
        "{name} is binary data, not a Jeedom backup log ({control_bytes} of its {bytes} bytes are control \
         characters no log holds: a program, an archive, an image?); paste the content of Jeedom's log/backup \
         (Analyse → Logs → backup), or give the log file itself"
    )]
    Binary {
        name: String,
        control_bytes: u64,
        bytes: u64,
    },
    /// Nothing but blanks: a file saved before the log was pasted into it, an empty stdin.
    #[error(
        "{name} is empty, so it is not a Jeedom backup log: paste the content of Jeedom's log/backup \
         (Analyse → Logs → backup) into it, or give the log file itself"
    )]
    Empty { name: String },
    /// Only logger lines: the backup's own text went elsewhere.
    #[error(
        "{name} holds no backup run, only {} of Jeedom's logger: the backup's text is \
         probably in log/cron_execution (the daily backup) or log/update (the backup before an update); \
         diagnose that log with `--log cron_execution` or `--log update`, or give a case folder with both",
        crate::Lang::En.count(*logger_lines, ["", ""], ["line", "lines"])
    )]
    NoRun { name: String, logger_lines: usize },
    /// No run can be timed: every one lost its banner and carries no date.
    #[error(
        "{name}: no backup run of this log can be replayed: the start of each was cut off and none of its lines \
         carries a date or an archive name (paste the log from its `Start of Jeedom backup at …` line, or record \
         it as a case and give the times in case.toml)"
    )]
    Untimed { name: String },
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Replay(#[from] RunError),
}

/// One log file of the input, parsed, with its line index for quoting.
#[derive(Debug, Clone)]
pub struct LogSource {
    pub log: LogName,
    /// The file's name as the report cites it (`backup.log`, or the path given).
    pub file: String,
    pub bytes: LogBytes,
    pub model: LogModel,
    /// Byte offset where each physical line starts (the parser's line ends: LF, CRLF, CR).
    line_starts: Vec<usize>,
}

impl LogSource {
    fn new(log: LogName, file: String, bytes: LogBytes) -> LogSource {
        let model = log::parse(&bytes);
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
            i += 1;
        }
        if line_starts.last() == Some(&bytes.len()) && line_starts.len() > 1 {
            line_starts.pop();
        }
        LogSource {
            log,
            file,
            bytes,
            model,
            line_starts,
        }
    }

    /// The bytes of physical line `n` (1-based) without its line end.
    fn line_bytes(&self, n: u32) -> Option<&[u8]> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(i)?;
        let end = self.line_starts.get(i + 1).copied().unwrap_or(self.bytes.len());
        let raw = self.bytes.get(start..end)?;
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        Some(raw.strip_suffix(b"\r").unwrap_or(raw))
    }

    /// Line `n` decoded as the parser decodes it, redacted.
    pub fn line_text(&self, n: u32, redactor: &Redactor) -> Option<String> {
        let raw = self.line_bytes(n)?;
        let len = u64::try_from(raw.len()).ok()?;
        let text = LineRef { line: n, span: 0..len }.text(raw)?;
        Some(redactor.redact(&text).into_owned())
    }

    /// Number of physical lines.
    pub fn line_count(&self) -> u32 {
        self.model.line_count
    }
}

/// One quoted log line: where, the (redacted) text, and the part to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub file: String,
    pub line: u32,
    /// Redacted, decoded, without the line end; cut to about [`QUOTE_CHARS`] characters around
    /// the mark (a cut end shows `…`).
    pub text: String,
    /// Byte range in `text` of what the quote points at.
    pub mark: Option<Range<usize>>,
    pub what: QuoteKind,
}

/// What a quoted line shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteKind {
    /// A logger line at ERROR or above, with its date.
    LoggerError { level: Level, date: String },
    /// `Error during backup: …` (or the begin event's `***ERROR***`).
    RunFailed,
    /// `[END BACKUP ERROR]`.
    EndMarker,
    /// `Send backup <repo>...` and its `OK`.
    Upload { repo: String },
    /// `/!\ … /!\` after an upload.
    UploadFailed { repo: String },
    /// `Backup name: …`.
    Archive,
    /// The last line of a run that never ended.
    StoppedHere,
    /// What a command printed inside a step that then failed (`mysqldump: Got error: …`).
    Printed { step: StepKind },
    /// A `tar:` line of the archive step: an error, or a harmless warning.
    Tar { warning: bool },
}

/// A profile's result for one run: the last trigger of the run and the tile it leaves.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub profile: String,
    pub step: StepOutcome,
    pub tile: Tile,
}

impl Verdict {
    /// The flag's value (`None` when the block crashed).
    pub fn flag(&self, kind: FlagKind) -> Option<Flag> {
        self.step.flag(kind)
    }
}

/// The quotes that back one flag's sentences.
#[derive(Debug, Clone)]
pub struct FlagReport {
    pub kind: FlagKind,
    pub quotes: Vec<Quote>,
    /// Lines that back this flag too but were quoted under an earlier flag.
    pub see_also: Vec<u32>,
}

/// One event of a run's timeline, in log order.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub line: u32,
    /// Last line, when the event folds several (table checks, plugin hooks).
    pub last_line: u32,
    /// The time the log gives for it (banner, logger prefix, start + duration).
    pub time: Option<DateTime>,
    pub what: EventKind,
}

/// What happened at one point of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    StartMarker,
    Start,
    Step {
        kind: StepKind,
        result: StepResult,
    },
    /// Consecutive successful steps of one kind folded (`count` table checks, plugin hooks).
    Folded {
        kind: StepKind,
        count: usize,
    },
    Upload {
        repo: String,
        outcome: UploadOutcome,
    },
    Logger {
        level: Level,
        message: String,
    },
    Deletion {
        path: String,
    },
    RemoteDeletion {
        repo: String,
        file: Option<String>,
    },
    Archive {
        file_name: String,
    },
    /// `Backup operation duration`, and start + duration.
    Duration {
        secs: u32,
    },
    EndBanner,
    Success,
    Failed {
        message: Option<String>,
    },
    /// The text stops here: no end marker.
    Unterminated,
}

/// One trigger replayed for a run, and the tiles after it.
#[derive(Debug, Clone)]
pub struct TriggerReport {
    pub trigger: Trigger,
    pub at: DateTime,
    /// The diagnosis added this trigger for the strict watchdog: only `strict` replays it.
    pub strict_only: bool,
    /// The published profile's tile after it (`None` when `strict_only`).
    pub published: Option<Tile>,
    pub strict: Option<Tile>,
    /// What the scenario's own code wrote into its log (`$scenario->setLog`) at this trigger:
    /// only a `php:` published profile runs that code, so the Rust profiles leave it empty.
    pub scenario_log: Vec<String>,
}

/// Something about the text as a whole worth telling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Windows1252 {
        file: String,
        lines: u32,
    },
    Bom {
        file: String,
    },
    LineEndings {
        file: String,
        crlf: u64,
        cr: u64,
    },
    Reflowed {
        file: String,
    },
    /// The log was pasted as a forum quote (`> ` before each line), read past.
    Quoted {
        file: String,
    },
    /// The runs were pasted newest first; they are read (and their lines numbered) put back in
    /// time order.
    NewestFirst {
        file: String,
    },
    /// The lines were pasted in reverse order (newest line first); they are read (and
    /// numbered) put back in order.
    LinesReversed {
        file: String,
    },
    /// Runs pasted again after themselves, byte for byte: the copies are left out.
    RunsRepeated {
        file: String,
        dropped: usize,
    },
    NulBytes {
        file: String,
        count: u64,
    },
    Unknown {
        file: String,
        pieces: usize,
        first_line: u32,
    },
    CutAtStart {
        file: String,
        run: u32,
    },
    LooseLogger {
        file: String,
        lines: usize,
        errors: usize,
        first_line: u32,
    },
    NotReplayed {
        run: u32,
    },
    /// What happened to the core update in a `log/update` text: `Some((succeeded, line))` from
    /// its `[END UPDATE …]` line, `None` when the text stops before it.
    Update {
        file: String,
        end: Option<(bool, u32)>,
    },
}

/// How the two profiles' tiles for a run differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disagreement {
    /// The published tile stays "in progress" because Jeedom fired no `end_backup`.
    NeverEnds { failed: bool },
    /// The published code block crashed; the tile shows an alert.
    PublishedCrashed { message: String },
    /// The published tile looks better than what happened.
    PublishedHides,
    /// The published tile looks worse than what happened.
    PublishedWorse,
    /// Some other difference.
    Other,
}

/// Everything known about one backup run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// 1-based, in start-time order over every log.
    pub number: u32,
    pub log: LogName,
    pub file: String,
    pub run: Run,
    pub published: Option<Verdict>,
    pub strict: Option<Verdict>,
    /// The six flags, in the widget's order.
    pub flags: Vec<FlagReport>,
    pub events: Vec<Event>,
    pub triggers: Vec<TriggerReport>,
    /// Facts inference did not read from the input about this run (its triggers, its archive).
    pub assumptions: Vec<Fact>,
    /// The line that ends the story: the failure, the end marker, or the last line.
    pub end_quote: Option<Quote>,
    /// The lines that say why the run or an upload failed, and tar's lines (see [`cause`]).
    pub cause: Vec<Quote>,
    /// Each failure explained from the catalogue of known signatures (see [`advice`]).
    pub findings: Vec<advice::Finding>,
}

impl RunReport {
    /// Whether both tiles are green (a run that was not replayed is not healthy).
    pub fn healthy(&self) -> bool {
        let good = |v: &Option<Verdict>| v.as_ref().is_none_or(|v| v.tile.tone() == Tone::Good);
        self.published.is_some() && good(&self.published) && good(&self.strict)
    }

    /// How the two tiles differ, when they do.
    pub fn disagreement(&self) -> Option<Disagreement> {
        let (p, s) = (self.published.as_ref()?, self.strict.as_ref()?);
        if p.tile.label() == s.tile.label() {
            return None;
        }
        if let Some(crash) = &p.step.crash {
            return Some(Disagreement::PublishedCrashed { message: crash.clone() });
        }
        let rank = |t: Tone| match t {
            Tone::Good => 0,
            Tone::Busy => 1,
            Tone::Warn => 2,
            Tone::Bad => 3,
        };
        let (pt, st) = (p.tile.tone(), s.tile.tone());
        if pt == Tone::Busy && st != Tone::Busy {
            return Some(Disagreement::NeverEnds {
                failed: matches!(self.run.end, RunEnd::Failed { .. }),
            });
        }
        Some(match rank(pt).cmp(&rank(st)) {
            std::cmp::Ordering::Less => Disagreement::PublishedHides,
            std::cmp::Ordering::Greater => Disagreement::PublishedWorse,
            std::cmp::Ordering::Equal => Disagreement::Other,
        })
    }

    /// The flags whose values differ between the two profiles.
    pub fn differing_flags(&self) -> Vec<FlagKind> {
        let (Some(p), Some(s)) = (&self.published, &self.strict) else {
            return Vec::new();
        };
        FlagKind::ALL.into_iter().filter(|k| p.flag(*k) != s.flag(*k)).collect()
    }
}

/// Facts read from a live box (filled by the command line's live mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    /// The box's address, credentials removed.
    pub url: String,
    pub version: Option<String>,
    /// The virtual's value now, and the tile it draws.
    pub virtual_value: Option<String>,
    pub tile: Option<Tile>,
    /// Config keys read, `(key, value)`.
    pub config: Vec<(String, String)>,
    /// What could not be read: [`UNAVAILABLE_LOCAL`], [`UNAVAILABLE_SAMBA`] (listings jeeApi
    /// does not offer).
    pub unavailable: Vec<String>,
    /// A caveat on how the log was read: [`CAVEAT_LOG_GET`], [`CAVEAT_NOT_UTF8`].
    pub log_caveat: Option<String>,
    /// The box's clock when it was read.
    pub now: Option<DateTime>,
}

/// [`Live::unavailable`]: the local backup folder cannot be listed through jeeApi.
pub const UNAVAILABLE_LOCAL: &str = "local_listing";
/// [`Live::log_caveat`]: read with `log::get` (Jeedom ≤ 4.3): trimmed lines, no empty lines,
/// the file first cut to its last 500 lines.
pub const CAVEAT_LOG_GET: &str = "log_get";
/// [`Live::log_caveat`]: the file holds bytes that are not UTF-8, which JSON could not carry.
pub const CAVEAT_NOT_UTF8: &str = "not_utf8";
/// [`Live::unavailable`]: the Samba share cannot be listed through jeeApi.
pub const UNAVAILABLE_SAMBA: &str = "samba_listing";

/// The whole diagnosis of one input.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// The input's name (file name, case folder name, `stdin`).
    pub name: String,
    /// A case folder's description (`None` for a pasted log).
    pub description: Option<String>,
    /// The input was a case folder (its manifest can pin what a pasted log leaves to options).
    pub case_folder: bool,
    pub published_profile: String,
    /// `None` when the published profile is `strict` itself.
    pub strict_profile: Option<String>,
    pub jeedom: JeedomVersion,
    /// The Jeedom the log is from, when it has no published scenario and is replayed as
    /// [`Diagnosis::jeedom`] (`3.3.39` replayed as 4.2).
    pub jeedom_seen: Option<String>,
    pub tz: String,
    pub php: u8,
    pub min_size: u64,
    pub sources: Vec<LogSource>,
    pub runs: Vec<RunReport>,
    /// Facts not tied to one run.
    pub assumptions: Vec<Fact>,
    pub notes: Vec<Note>,
    pub live: Option<Live>,
    pub redactor: Redactor,
}

impl Diagnosis {
    /// Runs whose tiles are not both green (or that could not be replayed).
    pub fn problems(&self) -> usize {
        self.runs.iter().filter(|r| !r.healthy()).count()
    }

    /// `0` when every run is healthy, `1` when a problem was found (the binary's convention:
    /// 2 is for tool errors).
    pub fn exit_code(&self) -> u8 {
        u8::from(self.problems() > 0)
    }

    /// Hides every secret in a text bound for output (the patterns stop at line breaks, so a
    /// whole rendering is redacted in one call without garbling its lines).
    pub fn redact(&self, text: &str) -> String {
        self.redactor.redact(text).into_owned()
    }
}

// ---- building ----------------------------------------------------------------------------------

/// Refuses binary data (a program, an archive: [`log::looks_binary`]) before anything reads it
/// as a log: a program holds the markers as strings, a `.tar` of the backup folder holds logs.
pub fn refuse_binary(name: &str, bytes: &[u8]) -> Result<(), DiagnoseError> {
    let (control_bytes, len) = (log::count_control_bytes(bytes), bytes.len() as u64);
    if log::looks_binary(control_bytes, len) {
        return Err(DiagnoseError::Binary {
            name: name.to_owned(),
            control_bytes,
            bytes: len,
        });
    }
    Ok(())
}

/// Checks that the input holds a Jeedom log worth diagnosing.
pub fn check_input(name: &str, case: &Case) -> Result<(), DiagnoseError> {
    let mut runs = 0;
    let mut logger = 0;
    let mut lines = 0;
    let mut blank = true;
    for file in case.logs.values() {
        if let Some(bytes) = case.files.get(file) {
            blank &= bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0);
            refuse_binary(name, bytes)?;
            let m = log::parse(bytes);
            runs += m.runs.len();
            logger += m.loose_logger_lines.len();
            lines += m.line_count;
        }
    }
    if runs > 0 || !case.manifest.steps.is_empty() {
        Ok(())
    } else if logger > 0 {
        Err(DiagnoseError::NoRun {
            name: name.to_owned(),
            logger_lines: logger,
        })
    } else if blank {
        Err(DiagnoseError::Empty { name: name.to_owned() })
    } else {
        Err(DiagnoseError::NotALog {
            name: name.to_owned(),
            lines,
        })
    }
}

/// Diagnoses a case (a pasted log wrapped by [`Case::from_log`], or a case folder).
pub fn diagnose(case: &Case, opts: &Options) -> Result<Diagnosis, DiagnoseError> {
    check_input(&case.name, case)?;
    // Secrets a paste wrapped across lines are hidden as known secrets: quotes are single lines,
    // where neither the patterns nor the per-text scan can see the other half.
    let mut own_redactor = opts.redactor.clone();
    for bytes in case.files.values() {
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if let Some(text) = (LineRef { line: 1, span: 0..len }).text(bytes) {
            for s in crate::redact::wrapped_secrets(&text) {
                let _ = own_redactor.add_secret(&s);
            }
        }
    }
    let redactor = &own_redactor;
    let sources: Vec<LogSource> = case
        .logs
        .iter()
        .filter_map(|(log, file)| {
            case.files
                .get(file)
                .map(|b| LogSource::new(*log, file.clone(), b.clone()))
        })
        .collect();
    // One inference: the times the log does not give filled in, and strict's watchdog ticks
    // (strict alone replays them) unless strict is the published profile itself.
    let strict_is_primary = matches!(&opts.profile, ProfileRef::Builtin(n) if n == "strict");
    let watchdog = (!strict_is_primary).then(|| case::Watchdog {
        timeout_s: ProfileConfig::builtin(Profile::Strict).watchdog_timeout_s,
        now: opts.now,
    });
    let inference = case::Options {
        overrides: opts.overrides.clone(),
        fill_missing: true,
        watchdog,
    };
    let full = match case.infer(&inference) {
        Err(CaseError::Untimed { .. }) => {
            return Err(DiagnoseError::Untimed {
                name: case.name.clone(),
            });
        }
        r => r?,
    };
    let resolved = full.published();
    // One configuration for the replay and for the header's threshold (a profile file or a
    // php: block may set its own).
    let published_config = run::config_for(&resolved, &opts.profile)?;
    let published = crate::via::Via::Memory
        .replay(&resolved.timeline, &published_config)
        .map_err(RunError::from)?;
    let strict = if strict_is_primary {
        None
    } else {
        let config = run::config_for(&full, &ProfileRef::Builtin("strict".to_owned()))?;
        let replay = crate::engine::replay_in_memory(&full.timeline, &config)
            .map_err(|e| DiagnoseError::Replay(RunError::Replay(e.into())))?;
        Some((&full, replay))
    };

    // Facts, split by run; the share is never seen, only inferred: said once.
    let mut per_run: BTreeMap<u32, Vec<Fact>> = BTreeMap::new();
    let mut common = Vec::new();
    for f in &full.facts {
        match full.run_of(f) {
            Some(n) => per_run.entry(n).or_default().push(f.clone()),
            None => common.push(f.clone()),
        }
    }
    common.extend(case::resolve::share_from_log(case, &resolved));

    let pasted = !opts.case_folder;
    let mut runs = Vec::with_capacity(full.runs.len());
    let mut notes = text_notes(&sources);
    notes.extend(case.reordered.iter().map(|(file, how)| match how {
        case::PasteOrder::RunsNewestFirst => Note::NewestFirst { file: file.clone() },
        case::PasteOrder::LinesReversed => Note::LinesReversed { file: file.clone() },
        case::PasteOrder::RunsRepeated { dropped } => Note::RunsRepeated {
            file: file.clone(),
            dropped: *dropped,
        },
    }));
    for (i, info) in full.runs.iter().enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let Some(src) = sources.iter().find(|s| s.log == info.log && s.file == info.file) else {
            continue;
        };
        let Some(run) = src.model.runs.get(info.index) else {
            continue;
        };
        let pub_window = window(&resolved.step_runs, number);
        let published_v = pub_window.last().and_then(|&k| verdict(&published, k));
        let (strict_v, strict_window, strict_replay) = match &strict {
            Some((r2, rep)) => {
                let w = window(&r2.step_runs, number);
                (w.last().and_then(|&k| verdict(rep, k)), w, Some((*r2, rep)))
            }
            None => (None, Vec::new(), None),
        };
        if published_v.is_none() {
            notes.push(Note::NotReplayed { run: number });
        }
        if run.cut_at_start() {
            notes.push(Note::CutAtStart {
                file: src.file.clone(),
                run: number,
            });
        }
        let triggers = trigger_reports(&resolved, &published, &pub_window, strict_replay, &strict_window);
        let mut report = RunReport {
            number,
            log: src.log,
            file: src.file.clone(),
            run: run.clone(),
            published: published_v,
            strict: strict_v,
            flags: Vec::new(),
            events: events(run),
            triggers,
            assumptions: per_run.remove(&number).unwrap_or_default(),
            end_quote: None,
            cause: Vec::new(),
            findings: Vec::new(),
        };
        report.end_quote = end_quote(src, run, redactor);
        report.cause = cause::cause_quotes(src, run, redactor);
        let mut shown: Vec<(String, u32)> = Vec::new();
        let mut flags = Vec::with_capacity(FlagKind::ALL.len());
        for k in FlagKind::ALL {
            let mut f = flag_report(k, &report, &sources, redactor);
            let (fresh, seen): (Vec<Quote>, Vec<Quote>) = f
                .quotes
                .into_iter()
                .partition(|q| !shown.contains(&(q.file.clone(), q.line)));
            shown.extend(fresh.iter().map(|q| (q.file.clone(), q.line)));
            f.quotes = fresh;
            f.see_also = seen.iter().map(|q| q.line).collect();
            flags.push(f);
        }
        report.flags = flags;
        report.findings = advice::findings(&report, |line| src.line_text(line, redactor));
        runs.push(report);
    }

    let description = (!pasted).then(|| redactor.redact(&resolved.description).into_owned());
    Ok(Diagnosis {
        name: case.name.clone(),
        description,
        case_folder: !pasted,
        published_profile: published.profile.clone(),
        strict_profile: strict.as_ref().map(|(_, r)| r.profile.clone()),
        jeedom: resolved.timeline.jeedom,
        jeedom_seen: full.facts.iter().find_map(|f| match &f.value {
            case::Value::ReplayedAs { seen, .. } if f.subject == case::Subject::Jeedom => Some(seen.clone()),
            _ => None,
        }),
        tz: resolved.timeline.tz.clone(),
        php: resolved.php,
        min_size: published_config.min_size,
        sources,
        runs,
        assumptions: common,
        notes,
        live: None,
        redactor: redactor.clone(),
    })
}

/// Steps of the timeline that belong to run `n`: those tied to it, and untied ones until the
/// next run's first trigger.
fn window(step_runs: &[Option<u32>], n: u32) -> Vec<usize> {
    let mut current = None;
    let mut out = Vec::new();
    for (i, r) in step_runs.iter().enumerate() {
        if r.is_some() {
            current = *r;
        }
        if current == Some(n) {
            out.push(i);
        }
    }
    out
}

fn verdict(replay: &Replay, k: usize) -> Option<Verdict> {
    let step = replay.steps.get(k)?.clone();
    let tile = widget::view_at(&step.virtual_value, Some(step.at));
    Some(Verdict {
        profile: replay.profile.clone(),
        step,
        tile,
    })
}

fn trigger_reports(
    resolved: &Resolved,
    published: &Replay,
    pub_window: &[usize],
    strict: Option<(&Resolved, &Replay)>,
    strict_window: &[usize],
) -> Vec<TriggerReport> {
    let tile = |rep: &Replay, k: usize| rep.steps.get(k).map(|s| widget::view_at(&s.virtual_value, Some(s.at)));
    let mut out: Vec<TriggerReport> = Vec::new();
    for &k in pub_window {
        let Some(step) = resolved.timeline.steps.get(k) else {
            continue;
        };
        out.push(TriggerReport {
            trigger: step.trigger.clone(),
            at: step.at,
            strict_only: false,
            published: tile(published, k),
            strict: None,
            scenario_log: published
                .steps
                .get(k)
                .map(|s| s.scenario_log.clone())
                .unwrap_or_default(),
        });
    }
    if let Some((r2, rep)) = strict {
        for &k in strict_window {
            let Some(step) = r2.timeline.steps.get(k) else { continue };
            let t = tile(rep, k);
            match out
                .iter_mut()
                .find(|o| o.trigger == step.trigger && o.at == step.at && o.strict.is_none())
            {
                Some(o) => o.strict = t,
                None => out.push(TriggerReport {
                    trigger: step.trigger.clone(),
                    at: step.at,
                    strict_only: true,
                    published: None,
                    strict: t,
                    scenario_log: Vec::new(),
                }),
            }
        }
    }
    out.sort_by_key(|t| t.at);
    out
}

/// A run's timeline from the log model.
fn events(run: &Run) -> Vec<Event> {
    let mut ev: Vec<(u64, Event)> = Vec::new();
    fn put(ev: &mut Vec<(u64, Event)>, at: &LineRef, last_line: u32, time: Option<DateTime>, what: EventKind) {
        ev.push((
            at.span.start,
            Event {
                line: at.line,
                last_line: last_line.max(at.line),
                time,
                what,
            },
        ));
    }
    let mut push =
        |at: &LineRef, last_line: u32, time: Option<DateTime>, what: EventKind| put(&mut ev, at, last_line, time, what);
    if let Some(at) = &run.start_marker {
        push(at, at.line, None, EventKind::StartMarker);
    }
    if let Some((t, at)) = &run.start {
        push(at, at.line, Some(*t), EventKind::Start);
    }
    // Steps, consecutive successful table checks and plugin hooks folded.
    let mut i = 0;
    while let Some(s) = run.steps.get(i) {
        let foldable =
            matches!(s.kind, StepKind::TableCheck { .. } | StepKind::PluginHook { .. }) && s.result == StepResult::Ok;
        let mut j = i + 1;
        if foldable {
            while let Some(n) = run.steps.get(j) {
                if n.kind.name() == s.kind.name() && n.result == StepResult::Ok {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        let count = j - i;
        if foldable && count > 2 {
            let last = run.steps.get(j - 1).map_or(s.at.line, |l| l.at.line);
            push(
                &s.at,
                last,
                None,
                EventKind::Folded {
                    kind: s.kind.clone(),
                    count,
                },
            );
        } else {
            for st in run.steps.get(i..j).unwrap_or(&[]) {
                let last = st.result_at.as_ref().map_or(st.at.line, |r| r.line);
                push(
                    &st.at,
                    last,
                    None,
                    EventKind::Step {
                        kind: st.kind.clone(),
                        result: st.result.clone(),
                    },
                );
            }
        }
        i = j;
    }
    for u in &run.uploads {
        let last = u.ok_at.as_ref().or(u.failure_at.as_ref()).map_or(u.at.line, |r| r.line);
        push(
            &u.at,
            last,
            None,
            EventKind::Upload {
                repo: u.repo.as_str().to_owned(),
                outcome: u.outcome.clone(),
            },
        );
    }
    for l in &run.logger_lines {
        push(
            &l.at,
            l.last_line,
            Some(l.time),
            EventKind::Logger {
                level: l.level,
                message: l.message.clone(),
            },
        );
    }
    for d in &run.deletions {
        push(&d.at, d.at.line, None, EventKind::Deletion { path: d.path.clone() });
    }
    for d in &run.remote_deletions {
        push(
            &d.at,
            d.at.line,
            None,
            EventKind::RemoteDeletion {
                repo: d.repo.as_str().to_owned(),
                file: d.file_name.clone(),
            },
        );
    }
    if let Some(a) = &run.archive {
        push(
            &a.at,
            a.at.line,
            None,
            EventKind::Archive {
                file_name: a.file_name.clone(),
            },
        );
    }
    if let Some((secs, at)) = &run.duration {
        push(at, at.line, run.end_time(), EventKind::Duration { secs: *secs });
    }
    if let Some(at) = &run.end_banner {
        push(at, at.line, None, EventKind::EndBanner);
    }
    match &run.end {
        RunEnd::Success {
            at,
            without_marker: false,
        } => push(at, at.line, None, EventKind::Success),
        // The end banner, already listed, stands for the marker the text lost (a note says so).
        RunEnd::Success {
            without_marker: true, ..
        } => {}
        RunEnd::Failed {
            message,
            at,
            end_marker,
            ..
        } => {
            // The failing step already shows the message on its own line: the end marker says
            // the rest.
            let step_has_it = run
                .steps
                .iter()
                .any(|s| matches!(&s.result, StepResult::Failed { message: m } if Some(m) == message.as_ref()));
            let anchor = end_marker.as_ref().unwrap_or(at);
            let message = if step_has_it { None } else { message.clone() };
            push(anchor, anchor.line, None, EventKind::Failed { message });
        }
        RunEnd::Unterminated => {
            let last = run.lines.last;
            let at = LineRef {
                line: last,
                span: run.span.end..run.span.end,
            };
            push(&at, last, None, EventKind::Unterminated);
        }
    }
    ev.sort_by_key(|(start, _)| *start);
    ev.into_iter().map(|(_, e)| e).collect()
}

/// Notes on the text of each source.
fn text_notes(sources: &[LogSource]) -> Vec<Note> {
    let mut notes = Vec::new();
    for s in sources {
        let m = &s.model;
        let file = s.file.clone();
        match m.encoding {
            log::Encoding::Windows1252 => notes.push(Note::Windows1252 {
                file: file.clone(),
                lines: m.windows1252_lines,
            }),
            log::Encoding::Utf8Bom => notes.push(Note::Bom { file: file.clone() }),
            log::Encoding::Utf8 => {}
        }
        if m.line_endings.crlf > 0 || m.line_endings.cr > 0 {
            notes.push(Note::LineEndings {
                file: file.clone(),
                crlf: m.line_endings.crlf,
                cr: m.line_endings.cr,
            });
        }
        if m.reflowed {
            notes.push(Note::Reflowed { file: file.clone() });
        }
        if m.quoted {
            notes.push(Note::Quoted { file: file.clone() });
        }
        if m.nul_bytes > 0 {
            notes.push(Note::NulBytes {
                file: file.clone(),
                count: m.nul_bytes,
            });
        }
        if let Some(first) = m.unknown.first() {
            notes.push(Note::Unknown {
                file: file.clone(),
                pieces: m.unknown.len(),
                first_line: first.line,
            });
        }
        if s.log == LogName::Update {
            notes.push(Note::Update {
                file: file.clone(),
                end: update_end(&s.bytes),
            });
        }
        if let Some(first) = m.loose_logger_lines.first() {
            let errors = m.loose_logger_lines.iter().filter(|l| l.level.is_error()).count();
            notes.push(Note::LooseLogger {
                file: file.clone(),
                lines: m.loose_logger_lines.len(),
                errors,
                first_line: first.at.line,
            });
        }
    }
    notes
}

/// The core update's end in a `log/update` text: its last `[END UPDATE …]` line, success or not.
fn update_end(bytes: &[u8]) -> Option<(bool, u32)> {
    let mut end = None;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.trim_ascii();
        if let Some(rest) = line.strip_prefix(b"[END UPDATE") {
            let ok = rest.trim_ascii_start().starts_with(b"SUCCESS");
            end = Some((ok, u32::try_from(i + 1).unwrap_or(u32::MAX)));
        }
    }
    end
}

// ---- quotes --------------------------------------------------------------------------------------

/// Cuts a char-boundary-safe window of about `QUOTE_CHARS` characters around `mark`.
fn window_text(text: &str, mark: Option<Range<usize>>) -> (String, Option<Range<usize>>) {
    let chars = text.chars().count();
    // Cap the mark itself.
    let mark = mark.map(|m| {
        let marked = text.get(m.clone()).unwrap_or("");
        let end = marked
            .char_indices()
            .nth(MARK_CHARS)
            .map_or(m.end, |(i, _)| m.start + i);
        m.start..end
    });
    if chars <= QUOTE_CHARS {
        return (text.to_owned(), mark);
    }
    let idx: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let char_of = |byte: usize| idx.iter().position(|&b| b >= byte).unwrap_or(chars);
    let (mc_start, mc_end) = mark.as_ref().map_or((0, 0), |m| (char_of(m.start), char_of(m.end)));
    // Keep some context before the mark, the rest after.
    let lead = 40usize;
    let mut from = mc_start.saturating_sub(lead);
    let mut to = (from + QUOTE_CHARS).min(chars);
    if to < mc_end {
        to = mc_end.min(chars);
        from = to.saturating_sub(QUOTE_CHARS);
    }
    if to == chars {
        from = chars.saturating_sub(QUOTE_CHARS);
    }
    let (b_from, b_to) = (
        idx.get(from).copied().unwrap_or(0),
        idx.get(to).copied().unwrap_or(text.len()),
    );
    let mut out = String::new();
    let mut shift: isize = -(b_from as isize);
    if from > 0 {
        out.push('…');
        shift += '…'.len_utf8() as isize;
    }
    out.push_str(text.get(b_from..b_to).unwrap_or(""));
    if to < chars {
        out.push('…');
    }
    let mark = mark.and_then(|m| {
        let s = usize::try_from(m.start as isize + shift).ok()?;
        let e = usize::try_from(m.end as isize + shift).ok()?;
        let e = e.min(out.len().saturating_sub(if to < chars { '…'.len_utf8() } else { 0 }));
        (s < e && out.is_char_boundary(s) && out.is_char_boundary(e)).then_some(s..e)
    });
    (out, mark)
}

/// Quotes line `line` of `src`, marking the first of `needles` found in it.
fn quote(src: &LogSource, line: u32, needles: &[&str], what: QuoteKind, redactor: &Redactor) -> Option<Quote> {
    let text = src.line_text(line, redactor)?;
    let mark = needles.iter().find_map(|n| text.find(n).map(|i| i..i + n.len()));
    let (text, mark) = window_text(&text, mark);
    Some(Quote {
        file: src.file.clone(),
        line,
        text,
        mark,
        what,
    })
}

fn logger_quote(src: &LogSource, line: u32, redactor: &Redactor) -> Option<Quote> {
    let logger = src
        .model
        .all_logger_lines()
        .into_iter()
        .find(|l| l.at.line == line && l.level.is_error());
    match logger {
        Some(l) => {
            let needle = format!("[{}][{}]", format_at(l.time), l.level.as_str());
            let date = format_at(l.time).get(..10).unwrap_or("").to_owned();
            quote(
                src,
                line,
                &[needle.as_str()],
                QuoteKind::LoggerError { level: l.level, date },
                redactor,
            )
        }
        None => quote(
            src,
            line,
            &["[ERROR]", "ERROR"],
            QuoteKind::LoggerError {
                level: Level::Error,
                date: String::new(),
            },
            redactor,
        ),
    }
}

const FAILURE_NEEDLES: [&str; 6] = [
    "Error during backup",
    "Erreur durant la sauvegarde",
    "***ERROR***",
    "***ERREUR***",
    "[END BACKUP ERROR]",
    "Error",
];

fn failure_quotes(src: &LogSource, run: &Run, redactor: &Redactor) -> Vec<Quote> {
    let mut out = Vec::new();
    if let RunEnd::Failed { at, end_marker, .. } = &run.end {
        out.extend(quote(src, at.line, &FAILURE_NEEDLES, QuoteKind::RunFailed, redactor));
        if let Some(m) = end_marker.as_ref().filter(|m| m.line != at.line) {
            out.extend(quote(
                src,
                m.line,
                &["[END BACKUP ERROR]"],
                QuoteKind::EndMarker,
                redactor,
            ));
        }
    }
    // A begin event that failed (`***ERROR***`) without ending the run.
    for s in &run.steps {
        if let (StepResult::Failed { .. }, Some(r)) = (&s.result, &s.result_at)
            && !out.iter().any(|q| q.line == r.line)
        {
            out.extend(quote(src, r.line, &FAILURE_NEEDLES, QuoteKind::RunFailed, redactor));
        }
    }
    out
}

fn upload_quotes(src: &LogSource, run: &Run, repo: log::Repo, redactor: &Redactor) -> Vec<Quote> {
    let mut out = Vec::new();
    for u in run.uploads.iter().filter(|u| u.repo == repo) {
        let name = repo.as_str().to_owned();
        let label = format!("Send backup {}", u.repo_label());
        match &u.failure_at {
            Some(f) => {
                if f.line != u.at.line {
                    out.extend(quote(
                        src,
                        u.at.line,
                        &[label.as_str()],
                        QuoteKind::Upload { repo: name.clone() },
                        redactor,
                    ));
                }
                out.extend(quote(
                    src,
                    f.line,
                    &["/!\\", "Erreur", "Error"],
                    QuoteKind::UploadFailed { repo: name },
                    redactor,
                ));
            }
            None => out.extend(quote(
                src,
                u.at.line,
                &[label.as_str()],
                QuoteKind::Upload { repo: name },
                redactor,
            )),
        }
    }
    out
}

trait RepoLabel {
    fn repo_label(&self) -> String;
}

impl RepoLabel for log::Upload {
    /// The repository as Jeedom writes it after `Send backup `.
    fn repo_label(&self) -> String {
        match &self.repo {
            log::Repo::Market => "Market".to_owned(),
            log::Repo::Samba => "Samba".to_owned(),
            log::Repo::Other(s) => s.to_string(),
        }
    }
}

fn archive_quote(src: &LogSource, run: &Run, redactor: &Redactor) -> Option<Quote> {
    let a = run.archive.as_ref()?;
    quote(src, a.at.line, &[a.file_name.as_str()], QuoteKind::Archive, redactor)
}

/// The line that ends the run's story.
fn end_quote(src: &LogSource, run: &Run, redactor: &Redactor) -> Option<Quote> {
    match &run.end {
        RunEnd::Failed { at, .. } => quote(src, at.line, &FAILURE_NEEDLES, QuoteKind::RunFailed, redactor),
        RunEnd::Success { .. } => None,
        RunEnd::Unterminated => quote(src, run.lines.last, &[], QuoteKind::StoppedHere, redactor),
    }
}

fn source_of(sources: &[LogSource], log: LogName) -> Option<&LogSource> {
    sources.iter().find(|s| s.log == log)
}

/// The quotes behind one flag's decisions, both profiles, deduplicated.
fn flag_report(kind: FlagKind, report: &RunReport, sources: &[LogSource], redactor: &Redactor) -> FlagReport {
    let own = sources.iter().find(|s| s.file == report.file && s.log == report.log);
    let run = &report.run;
    let mut quotes: Vec<Quote> = Vec::new();
    let verdicts = [report.published.as_ref(), report.strict.as_ref()];
    for v in verdicts.into_iter().flatten() {
        let rule = &v.step.evidence.decision(kind).rule;
        let mut q: Vec<Quote> = match rule {
            Rule::LogErrors { log, lines, .. } | Rule::LoggerErrors { log, lines, .. } => source_of(sources, *log)
                .map(|src| {
                    lines
                        .iter()
                        .take(QUOTES_PER_RULE)
                        .filter_map(|l| logger_quote(src, u32::try_from(l.line).unwrap_or(u32::MAX), redactor))
                        .collect()
                })
                .unwrap_or_default(),
            Rule::RunFailed { log, .. } => source_of(sources, *log)
                .map(|src| {
                    // The failed run of that log: ours when it is, else its last failed run.
                    let failed = if src.file == report.file {
                        Some(run)
                    } else {
                        src.model
                            .runs
                            .iter()
                            .rev()
                            .find(|r| matches!(r.end, RunEnd::Failed { .. }))
                    };
                    failed.map(|r| failure_quotes(src, r, redactor)).unwrap_or_default()
                })
                .unwrap_or_default(),
            Rule::UploadOk { repo, .. } | Rule::UploadFailed { repo, .. } => own
                .map(|src| upload_quotes(src, run, engine_repo(*repo), redactor))
                .unwrap_or_default(),
            Rule::ArchiveFound { .. } | Rule::SizeAbove { .. } | Rule::SizeNotAbove { .. } => own
                .and_then(|src| archive_quote(src, run, redactor))
                .into_iter()
                .collect(),
            Rule::ArchiveMissing {
                expected_name: Some(_), ..
            } => own
                .and_then(|src| archive_quote(src, run, redactor))
                .into_iter()
                .collect(),
            Rule::ArchiveMissing {
                expected_name: None, ..
            } => own.map(|src| failure_quotes(src, run, redactor)).unwrap_or_default(),
            Rule::SambaNewest { .. } | Rule::SambaEmpty { .. } | Rule::SambaListingFailed { .. } => own
                .map(|src| upload_quotes(src, run, log::Repo::Samba, redactor))
                .unwrap_or_default(),
            Rule::Crashed
                if kind == FlagKind::Scenario
                    && matches!(v.step.evidence.crash, Some(crate::engine::Crash::SambaListing { .. })) =>
            {
                own.map(|src| upload_quotes(src, run, log::Repo::Samba, redactor))
                    .unwrap_or_default()
            }
            Rule::RunTimedOut { .. } => own
                .and_then(|src| quote(src, run.lines.last, &[], QuoteKind::StoppedHere, redactor))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        q.retain(|n| !quotes.iter().any(|o| o.file == n.file && o.line == n.line));
        quotes.extend(q);
    }
    FlagReport {
        kind,
        quotes,
        see_also: Vec::new(),
    }
}

fn engine_repo(r: crate::engine::Repo) -> log::Repo {
    match r {
        crate::engine::Repo::Samba => log::Repo::Samba,
        crate::engine::Repo::Market => log::Repo::Market,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_runs_and_carry_untied_steps() {
        let runs = [Some(1), Some(1), None, Some(2), None];
        assert_eq!(window(&runs, 1), vec![0, 1, 2]);
        assert_eq!(window(&runs, 2), vec![3, 4]);
        assert_eq!(window(&runs, 3), Vec::<usize>::new());
    }

    #[test]
    fn long_quotes_keep_their_mark() {
        let text = format!("{}MARK{}", "a".repeat(300), "é".repeat(300));
        let start = text.find("MARK").unwrap();
        let (cut, mark) = window_text(&text, Some(start..start + 4));
        let mark = mark.unwrap();
        assert_eq!(&cut[mark], "MARK");
        assert!(cut.starts_with('…') && cut.ends_with('…'));
        assert!(cut.chars().count() <= QUOTE_CHARS + 2);
        let (short, m) = window_text("abc", Some(0..1));
        assert_eq!((short.as_str(), m), ("abc", Some(0..1)));
    }

    #[test]
    fn lines_are_split_as_the_parser_splits_them() {
        let src = LogSource::new(LogName::Backup, "x".into(), LogBytes::from(&b"a\r\nb\rc\nd"[..]));
        let r = Redactor::new();
        assert_eq!(src.line_text(1, &r).as_deref(), Some("a"));
        assert_eq!(src.line_text(2, &r).as_deref(), Some("b"));
        assert_eq!(src.line_text(3, &r).as_deref(), Some("c"));
        assert_eq!(src.line_text(4, &r).as_deref(), Some("d"));
        assert_eq!(src.line_text(5, &r), None);
    }
}
