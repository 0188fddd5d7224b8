//! The typed model of a backup log: what [`super::parse`] returns and what the streaming
//! [`super::Parser`] yields. Every fact carries a [`LineRef`] back to the input.
//!
//! These types are the `parse --format json` contract (see the module doc of [`super`]): field
//! names are snake_case and deliberate; renaming one is a breaking change.

use std::fmt;
use std::ops::Range;

use jiff::SignedDuration;
use jiff::civil::DateTime;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::world::JeedomVersion;

/// Where a fact sits in the input: its 1-based physical line and its byte span in the input
/// (the bytes as given: before decoding, BOM and line-end included in the count).
///
/// Several facts can share a line (`Send backup Market...[…][ERROR] : …`, or a reflowed log);
/// their spans then differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LineRef {
    /// 1-based physical line number.
    pub line: u32,
    /// Byte span in the input, end exclusive.
    pub span: Range<u64>,
}

impl LineRef {
    /// The bytes this reference points at, when `input` is the text that was parsed.
    /// Out-of-range spans (another input) give `None`.
    pub fn bytes<'a>(&self, input: &'a [u8]) -> Option<&'a [u8]> {
        let start = usize::try_from(self.span.start).ok()?;
        let end = usize::try_from(self.span.end).ok()?;
        input.get(start..end)
    }

    /// The text this reference points at, decoded like the parser decodes it (UTF-8, else
    /// Windows-1252; NUL bytes dropped). Not redacted: pass it through [`crate::redact`] before
    /// showing it.
    pub fn text(&self, input: &[u8]) -> Option<String> {
        self.bytes(input)
            .map(|b| super::decode::decode_lossless(b).into_owned())
    }
}

/// A short text stored inline (up to 22 bytes) so the millions of plugin and table names,
/// versions and stamps of a large log cost no allocation; longer texts go to the heap.
/// Reads as a `&str` (`Deref`), serialises as a JSON string.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ShortString(Repr);

const INLINE: usize = 22;

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Box<str>),
}

impl ShortString {
    pub fn new(s: &str) -> ShortString {
        let mut buf = [0u8; INLINE];
        match (buf.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(dst), Ok(len)) => {
                dst.copy_from_slice(s.as_bytes());
                ShortString(Repr::Inline { len, buf })
            }
            _ => ShortString(Repr::Heap(s.into())),
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always valid: the bytes were copied from a `&str`, cut at its length.
            Repr::Inline { len, buf } => buf
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
            Repr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for ShortString {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ShortString {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for ShortString {
    fn from(s: &str) -> Self {
        ShortString::new(s)
    }
}

impl PartialEq<str> for ShortString {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ShortString {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for ShortString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for ShortString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ShortString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A range of 1-based physical lines, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LineRange {
    pub first: u32,
    pub last: u32,
}

/// The candidate Jeedom generations a run's wording is consistent with.
///
/// Each recognised line narrows the set (see the table in the module doc of [`super`]); a run
/// whose wording is shared by several generations keeps several candidates, e.g. a 4.x English
/// run without plugin, table or logger lines is "4.3, 4.4 or 4.5". Serialised as the list of
/// candidates, oldest first, e.g. `["4.4"]` or `["4.3","4.4"]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Generation(u8);

impl Generation {
    /// No evidence yet: every generation is possible.
    pub const ANY: Generation = Generation(0b11_1111);

    const fn bit(v: JeedomVersion) -> u8 {
        match v {
            JeedomVersion::V2 => 1,
            JeedomVersion::V3 => 1 << 1,
            JeedomVersion::V4_2 => 1 << 2,
            JeedomVersion::V4_3 => 1 << 3,
            JeedomVersion::V4_4 => 1 << 4,
            JeedomVersion::V4_5 => 1 << 5,
        }
    }

    /// The set holding exactly these versions.
    pub const fn of(versions: &[JeedomVersion]) -> Generation {
        let mut bits = 0;
        let mut i = 0;
        while i < versions.len() {
            bits |= Self::bit(versions[i]);
            i += 1;
        }
        Generation(bits)
    }

    /// Whether `v` is still a candidate.
    pub fn contains(self, v: JeedomVersion) -> bool {
        self.0 & Self::bit(v) != 0
    }

    /// The candidates, oldest first.
    pub fn candidates(self) -> Vec<JeedomVersion> {
        JeedomVersion::ALL.into_iter().filter(|v| self.contains(*v)).collect()
    }

    /// The generation when the wording leaves exactly one.
    pub fn exact(self) -> Option<JeedomVersion> {
        let c = self.candidates();
        match c.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The newest candidate (what a consumer should assume when it must pick one).
    pub fn latest(self) -> Option<JeedomVersion> {
        self.candidates().last().copied()
    }

    /// Whether no line narrowed the set.
    pub fn is_unknown(self) -> bool {
        self == Self::ANY
    }

    /// Narrows the set with one piece of evidence. Evidence that contradicts everything seen so
    /// far (a pasted mix of two versions) is ignored: the earlier lines win.
    pub fn narrow(&mut self, evidence: Generation) {
        let both = self.0 & evidence.0;
        if both != 0 {
            self.0 = both;
        }
    }
}

impl Default for Generation {
    fn default() -> Self {
        Generation::ANY
    }
}

impl fmt::Debug for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Generation({self})")
    }
}

impl fmt::Display for Generation {
    /// `4.4`, `4.3/4.4`, or `?` when nothing narrowed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_unknown() {
            return f.write_str("?");
        }
        let names: Vec<&str> = self.candidates().into_iter().map(JeedomVersion::as_str).collect();
        f.write_str(&names.join("/"))
    }
}

impl Serialize for Generation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.candidates().into_iter().map(JeedomVersion::as_str))
    }
}

/// What text encoding the input was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Valid UTF-8 (or plain ASCII), no byte-order mark.
    #[default]
    Utf8,
    /// Valid UTF-8 after a byte-order mark (`EF BB BF`, skipped).
    Utf8Bom,
    /// At least one line was not valid UTF-8: its invalid bytes were read as Windows-1252
    /// (a superset of Latin-1 for printable text), so `é` written as the single byte `E9`
    /// survives. Valid UTF-8 sequences on the same line stay UTF-8.
    Windows1252,
}

/// How many lines ended with each kind of line end. A line with no end (the last one) is
/// not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct LineEndings {
    /// `\n`
    pub lf: u64,
    /// `\r\n`
    pub crlf: u64,
    /// `\r` alone (old Mac, or a progress line)
    pub cr: u64,
}

/// One kind of line end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineEnding {
    Lf,
    Crlf,
    Cr,
}

impl LineEndings {
    /// The most frequent line end, `None` for a text without any.
    pub fn dominant(&self) -> Option<LineEnding> {
        let all = [
            (self.lf, LineEnding::Lf),
            (self.crlf, LineEnding::Crlf),
            (self.cr, LineEnding::Cr),
        ];
        all.into_iter()
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, _)| *n)
            .map(|(_, e)| e)
    }

    /// Whether more than one kind occurs.
    pub fn mixed(&self) -> bool {
        [self.lf, self.crlf, self.cr].iter().filter(|n| **n > 0).count() > 1
    }
}

/// Facts about the text as a whole: known once the input has been read to its end.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TextInfo {
    pub encoding: Encoding,
    /// Lines that were not valid UTF-8 and were read as Windows-1252.
    pub windows1252_lines: u32,
    pub line_endings: LineEndings,
    /// Physical lines (a last line without a line end counts; an empty input has 0).
    pub line_count: u32,
    pub byte_count: u64,
    /// NUL bytes seen (dropped from the text; a log emptied while a writer still held its
    /// offset starts with thousands of them).
    pub nul_bytes: u64,
    /// Markers were found inside a line where Jeedom always starts a new line: the log was
    /// pasted with its line breaks lost, and the runs were recovered from inside the line.
    pub reflowed: bool,
    /// The log was pasted as a forum quote: its lines start with `> ` (or `>`, or nested
    /// `> > `). The prefixes were read past; spans point at the text after them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
    /// Lines longer than the parser's line buffer (16 MiB when streaming); they were read in
    /// pieces, so a marker straddling two pieces may be missed.
    pub overlong_lines: u32,
}

/// Whether an input of `bytes` bytes, `control_bytes` of them control bytes ([`is_control_byte`],
/// [`count_control_bytes`]),
/// is binary data (a program, an archive, an image): at least 16 control bytes, and at least one
/// byte in twenty (programs and compressed data hold 9 to 14 %). A binary file can hold a log's
/// markers (the infobackup program holds them as strings), so runs found in it are not a log to
/// diagnose. A log has none, or a few from a crash; NUL bytes do not count (a log emptied while
/// a writer held its offset starts with them, a power cut leaves blocks of them).
pub fn looks_binary(control_bytes: u64, bytes: u64) -> bool {
    control_bytes >= 16 && control_bytes.saturating_mul(20) >= bytes
}

/// Whether `b` is a byte no text file holds: a C0 control character other than NUL, tab, the
/// line ends, vertical tab, form feed and escape (a coloured log keeps its escape sequences), or
/// DEL.
pub fn is_control_byte(b: u8) -> bool {
    (b < 0x20 && !matches!(b, 0 | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b)) || b == 0x7f
}

/// The control bytes of `bytes` ([`is_control_byte`]): counted on the input, before anything
/// reads it as a log (the parser does not count them: it would pay for it on every line of
/// every parse).
pub fn count_control_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| is_control_byte(b)).count() as u64
}

/// A Jeedom logger level, in severity order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl Level {
    pub const ALL: [Level; 8] = [
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warning,
        Level::Error,
        Level::Critical,
        Level::Alert,
        Level::Emergency,
    ];

    /// The upper-case name Jeedom writes between brackets.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Alert => "ALERT",
            Level::Emergency => "EMERGENCY",
        }
    }

    /// ERROR and above.
    pub fn is_error(self) -> bool {
        self >= Level::Error
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which prefix a logger line used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoggerForm {
    /// `[YYYY-MM-DD HH:MM:SS][LEVEL] : message` (Jeedom up to 4.4; newlines became spaces).
    Colon,
    /// `[YYYY-MM-DD HH:MM:SS][LEVEL] message` (Jeedom 4.5; newlines kept, so the message may
    /// continue on the following lines).
    Bare,
}

/// A line written by Jeedom's logger (`log::add('backup', level, message)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggerLine {
    #[serde(serialize_with = "ser_time")]
    pub time: DateTime,
    pub level: Level,
    pub form: LoggerForm,
    /// The message, decoded and redacted; 4.5 continuation lines are joined with `\n`.
    pub message: String,
    /// The prefix started in the middle of a physical line (after an echoed label such as
    /// `Send backup Market...`).
    pub mid_line: bool,
    /// The first line (prefix and message start).
    pub at: LineRef,
    /// The last physical line of the message (equal to `at.line` unless a 4.5 message went on).
    pub last_line: u32,
}

/// What one echoed step of `install/backup.php` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepKind {
    /// `Send begin backup event...` (the `begin_backup` trigger runs here).
    BeginEvent,
    /// `Checking files rights...` (twice in a run: before and after the archive).
    FileRights,
    /// `Backup plugin <id>...` (≤ 4.3) / `Backing up plugin <id>...` (4.4+).
    PluginHook { plugin: ShortString },
    /// `Checking  database...` (≤ 4.4).
    DatabaseCheck,
    /// `Checking  table <t>...` (4.5, one per table).
    TableCheck { table: ShortString },
    /// `Backing up database...`
    DatabaseDump,
    /// `Cache persistence: `
    CachePersistence,
    /// `Creating archive...`
    Archive,
    /// `Cleaning old backup...`
    CleanOld,
    /// `Limiting backup size to <n> Mb...` (`None` when the number did not parse).
    SizeLimit { limit_mb: Option<u32> },
    /// `Send end backup event...` (`end_backup` is fired here).
    EndEvent,
}

impl StepKind {
    /// Where the step comes in a run, for the steps every generation prints once each in this
    /// order (`None` for the file-rights check, printed twice). A step whose phase is below one
    /// the open run already passed starts another run: a second log pasted after one whose
    /// last run never ended.
    pub fn phase(&self) -> Option<u8> {
        Some(match self {
            StepKind::BeginEvent => 0,
            StepKind::FileRights => return None,
            StepKind::PluginHook { .. } => 1,
            StepKind::DatabaseCheck | StepKind::TableCheck { .. } => 2,
            StepKind::DatabaseDump => 3,
            StepKind::CachePersistence => 4,
            StepKind::Archive => 5,
            StepKind::CleanOld => 6,
            StepKind::SizeLimit { .. } => 7,
            StepKind::EndEvent => 8,
        })
    }

    /// A short English name, for reports.
    pub fn name(&self) -> &'static str {
        match self {
            StepKind::BeginEvent => "begin_event",
            StepKind::FileRights => "file_rights",
            StepKind::PluginHook { .. } => "plugin_hook",
            StepKind::DatabaseCheck => "database_check",
            StepKind::TableCheck { .. } => "table_check",
            StepKind::DatabaseDump => "database_dump",
            StepKind::CachePersistence => "cache_persistence",
            StepKind::Archive => "archive",
            StepKind::CleanOld => "clean_old",
            StepKind::SizeLimit { .. } => "size_limit",
            StepKind::EndEvent => "end_event",
        }
    }
}

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepResult {
    /// `OK`
    Ok,
    /// `NOK` (files rights)
    Nok,
    /// The step failed: `Error during backup: <message>` (or `***ERROR*** <message>` for the
    /// begin event), redacted.
    Failed { message: String },
    /// No result was written: the run was cut off, or the next step started without an `OK`.
    Unfinished,
}

/// Lines kept per step or upload for sub-command output; more are only counted.
pub const OUTPUT_KEPT: usize = 256;

/// One echoed step: its label, its result, and whatever a sub-command printed in between.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub kind: StepKind,
    pub result: StepResult,
    /// The label (`Checking files rights...`).
    pub at: LineRef,
    /// Where the result (`OK`, `NOK`, the failure) was read.
    pub result_at: Option<LineRef>,
    /// Text printed between the label and the result (tar warnings, mysqlcheck output), at
    /// most [`OUTPUT_KEPT`] pieces.
    pub output: Vec<LineRef>,
    /// How many pieces of output there were (may exceed `output.len()`).
    pub output_count: u32,
}

/// A remote repository a backup is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Repo {
    Market,
    Samba,
    /// Another repository name, as written after `Send backup `.
    Other(ShortString),
}

impl Repo {
    pub fn from_name(name: &str) -> Repo {
        match name {
            "Market" | "market" => Repo::Market,
            "Samba" | "samba" => Repo::Samba,
            other => Repo::Other(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Repo::Market => "market",
            Repo::Samba => "samba",
            Repo::Other(s) => s,
        }
    }
}

impl Serialize for Repo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How an upload ended. Jeedom always prints `OK` after an upload, failed or not; the failure
/// is the `/!\ <message> /!\` line before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UploadOutcome {
    Ok,
    /// The `/!\ … /!\` message, redacted (a Samba failure quotes the command with `-U`).
    Failed {
        message: String,
    },
    /// No `OK` was read (cut off).
    Unfinished,
}

/// `Send backup <repo>...` and what followed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upload {
    pub repo: Repo,
    pub outcome: UploadOutcome,
    /// The `Send backup …` label.
    pub at: LineRef,
    /// The failure message line, when there is one.
    pub failure_at: Option<LineRef>,
    /// The closing `OK`.
    pub ok_at: Option<LineRef>,
    /// smbclient or Market noise between the label and `OK` (`NT_STATUS_…`, `Domain=[…]`,
    /// `putting file …`, `Besoin de faire de la place …`), at most [`OUTPUT_KEPT`] pieces.
    pub noise: Vec<LineRef>,
    pub noise_count: u32,
}

/// A size-limit deletion in the local folder: `Delete: <path>` / `Supprime : <path>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deletion {
    pub path: String,
    pub at: LineRef,
}

/// A retention deletion on a remote repository: Samba's
/// `Delete backup too old : {"filename":…}` or Market's `Supression du backup cloud : <file>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteDeletion {
    pub repo: Repo,
    /// The archive name, when it could be read.
    pub file_name: Option<String>,
    /// The text after the label (Samba: the JSON object).
    pub detail: String,
    pub at: LineRef,
}

/// `Plugin <id> - Following subfolder will be excluded from the backup: <sub>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclude {
    pub plugin: ShortString,
    pub subfolder: ShortString,
    pub at: LineRef,
}

/// The archive named by `Backup name: <dir>/<file>` (`Nom de la sauvegarde : …`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Archive {
    /// The path as written (not normalised: `/var/www/html/core/php/../../backup/…`).
    pub path: String,
    /// The last path component.
    pub file_name: String,
    /// `<name>` of `backup-<name>-<version>-<stamp>.tar.gz` (spaces were turned into `_` by
    /// Jeedom), when the file name has that shape.
    pub box_name: Option<ShortString>,
    /// The Jeedom version in the name, e.g. `4.4.20`.
    pub version: Option<ShortString>,
    /// The 16-character `YYYY-MM-DD-HHhMM` stamp, when the name ends with one.
    pub stamp: Option<ShortString>,
    pub at: LineRef,
}

impl Archive {
    /// The stamp read as a local time (seconds 0).
    pub fn stamp_time(&self) -> Option<DateTime> {
        self.stamp.as_deref().and_then(parse_stamp)
    }
}

/// Reads `YYYY-MM-DD-HHhMM`.
pub fn parse_stamp(s: &str) -> Option<DateTime> {
    let b: [u8; 16] = s.as_bytes().try_into().ok()?;
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        mo0,
        mo1,
        b'-',
        d0,
        d1,
        b'-',
        h0,
        h1,
        b'h',
        mi0,
        mi1,
    ] = b
    else {
        return None;
    };
    let year = i16::try_from(digits([y0, y1, y2, y3])?).ok()?;
    let two = |a: u8, b: u8| i8::try_from(digits([a, b])?).ok();
    DateTime::new(year, two(mo0, mo1)?, two(d0, d1)?, two(h0, h1)?, two(mi0, mi1)?, 0, 0).ok()
}

/// The value of a few ASCII digits (`None` if one is not a digit): no overflow, no sign, no
/// `str::parse` machinery. Dates and stamps are read with it.
#[inline(always)]
pub(super) fn digits<const N: usize>(d: [u8; N]) -> Option<u32> {
    d.iter()
        .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunEnd {
    /// `[END BACKUP SUCCESS]`; or, `without_marker`, Jeedom's end banner with no
    /// `[END BACKUP SUCCESS]` after it before the text stops (or the next run starts): Jeedom
    /// prints the banner only when the backup succeeded, just before the marker, so the paste
    /// lost the marker line, not the backup its end. `at` is then the banner.
    Success {
        at: LineRef,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        without_marker: bool,
    },
    /// `Error during backup: <message>Details : <details>` and/or `[END BACKUP ERROR]`.
    Failed {
        /// The failure message (redacted); `None` when only the end marker was seen.
        message: Option<String>,
        /// The `Details :` text and the trace lines after it, joined with `\n` (redacted,
        /// capped at 16 KiB).
        details: Option<String>,
        /// The first evidence: the `Error during backup:` text, else the end marker.
        at: LineRef,
        /// `[END BACKUP ERROR]`, when it was reached.
        end_marker: Option<LineRef>,
    },
    /// No end marker: the text was cut off, or the backup was still running.
    Unterminated,
}

/// One backup run, from `[START BACKUP]` (or its first surviving line) to its end marker (or
/// the start of the next run, or the end of the text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// The Jeedom generations the wording is consistent with.
    pub generation: Generation,
    /// `[START BACKUP]`; `None` when the run's beginning was cut off (a log trimmed to its
    /// last 500 lines, a partial paste).
    pub start_marker: Option<LineRef>,
    /// The banner's time (`***…Start of Jeedom backup at YYYY-MM-DD HH:MM:SS…***`), local
    /// time of the box.
    #[serde(serialize_with = "ser_opt_timed")]
    pub start: Option<(DateTime, LineRef)>,
    pub steps: Vec<Step>,
    pub uploads: Vec<Upload>,
    /// Logger lines written while this run was open, in order.
    pub logger_lines: Vec<LoggerLine>,
    pub excludes: Vec<Exclude>,
    pub remote_deletions: Vec<RemoteDeletion>,
    /// Size-limit deletions.
    pub deletions: Vec<Deletion>,
    pub archive: Option<Archive>,
    /// `Backup operation duration: <n>s`.
    #[serde(serialize_with = "ser_opt_duration")]
    pub duration: Option<(u32, LineRef)>,
    /// `***…Jeedom backup end…***` / `***…Fin de la sauvegarde de Jeedom…***`.
    pub end_banner: Option<LineRef>,
    pub end: RunEnd,
    /// The physical lines this run spans.
    pub lines: LineRange,
    /// The bytes this run spans.
    pub span: Range<u64>,
}

impl Run {
    /// Whether the run's beginning was cut off (no `[START BACKUP]`).
    pub fn cut_at_start(&self) -> bool {
        self.start_marker.is_none()
    }

    /// Banner start plus the reported duration.
    pub fn end_time(&self) -> Option<DateTime> {
        let (start, _) = self.start.as_ref()?;
        let (secs, _) = self.duration.as_ref()?;
        start.checked_add(SignedDuration::from_secs(i64::from(*secs))).ok()
    }

    /// Logger lines at ERROR and above.
    pub fn errors(&self) -> impl Iterator<Item = &LoggerLine> {
        self.logger_lines.iter().filter(|l| l.level.is_error())
    }

    /// Whether the run succeeded: `[END BACKUP SUCCESS]`, or the end banner before it.
    pub fn succeeded(&self) -> bool {
        matches!(self.end, RunEnd::Success { .. })
    }

    /// The first step of this kind.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind.name() == name)
    }
}

/// In which order a text holds its runs. The model's `runs` are always in time order, and a
/// run's number (1-based position in `runs`) is the same in every report (`parse`,
/// `diagnose`, `record`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOrder {
    /// As Jeedom writes them: oldest first (file order is time order).
    #[default]
    AsWritten,
    /// Pasted newest first (each run's own lines still in order): `runs` holds them put back
    /// in time order, so run 1 is the last one in the text. See [`RunOrder::detect`].
    NewestFirst,
}

impl RunOrder {
    pub fn is_as_written(&self) -> bool {
        *self == RunOrder::AsWritten
    }

    /// Runs in file order are a newest-first paste when at least two carry a start time,
    /// those times go strictly down, a run cut at its start (no time) comes only after them
    /// (the oldest, trimmed by Jeedom), and every archive name is of one box. Two logs pasted
    /// one after the other (times going up, then down; or two boxes) are not.
    pub fn detect(runs: &[Run]) -> RunOrder {
        let dated: Vec<(usize, DateTime)> = runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.start.as_ref().map(|(t, _)| (i, *t)))
            .collect();
        let Some(&(last_dated, _)) = dated.last() else {
            return RunOrder::AsWritten;
        };
        let down = dated.len() >= 2 && dated.windows(2).all(|w| w[0].1 > w[1].1);
        let undated_only_after = runs[..last_dated].iter().all(|r| r.start.is_some());
        let mut boxes = runs
            .iter()
            .filter_map(|r| r.archive.as_ref().and_then(|a| a.box_name.as_deref()));
        let one_box = boxes.next().is_none_or(|first| boxes.all(|b| b == first));
        if down && undated_only_after && one_box {
            RunOrder::NewestFirst
        } else {
            RunOrder::AsWritten
        }
    }
}

/// Everything understood in one log text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogModel {
    /// The runs in time order, numbered from 1 by their position here (see [`RunOrder`]).
    pub runs: Vec<Run>,
    /// How the text held them. Serialised only when not as written, so the JSON of a log in
    /// Jeedom's order is unchanged.
    #[serde(skip_serializing_if = "RunOrder::is_as_written")]
    pub run_order: RunOrder,
    /// Logger lines outside any run (before the first run, after a run's end marker, or a
    /// `log/backup` that only holds logger lines because the echoed text went elsewhere).
    pub loose_logger_lines: Vec<LoggerLine>,
    /// Pieces of text not understood, by span, in input order. Never dropped.
    pub unknown: Vec<LineRef>,
    /// See [`TextInfo::reflowed`].
    pub reflowed: bool,
    /// See [`TextInfo::quoted`]. Serialised only when true, so the JSON of an unquoted log is
    /// unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
    pub encoding: Encoding,
    pub windows1252_lines: u32,
    pub line_endings: LineEndings,
    pub line_count: u32,
    pub byte_count: u64,
    pub nul_bytes: u64,
    pub overlong_lines: u32,
}

impl LogModel {
    /// The facts about the text as a whole.
    pub fn text_info(&self) -> TextInfo {
        TextInfo {
            encoding: self.encoding,
            windows1252_lines: self.windows1252_lines,
            line_endings: self.line_endings,
            line_count: self.line_count,
            byte_count: self.byte_count,
            nul_bytes: self.nul_bytes,
            reflowed: self.reflowed,
            quoted: self.quoted,
            overlong_lines: self.overlong_lines,
        }
    }

    /// The last run (the one the published scenario's `end_backup` would be about).
    pub fn last_run(&self) -> Option<&Run> {
        self.runs.last()
    }

    /// Every logger line, in runs or not, in input order.
    pub fn all_logger_lines(&self) -> Vec<&LoggerLine> {
        let mut all: Vec<&LoggerLine> = self
            .runs
            .iter()
            .flat_map(|r| r.logger_lines.iter())
            .chain(self.loose_logger_lines.iter())
            .collect();
        all.sort_by_key(|l| l.at.span.start);
        all
    }
}

// ---- serde helpers: the JSON contract's shapes --------------------------------------------------

/// Jeedom's own time format, as in the conformance vectors: `YYYY-MM-DD HH:MM:SS`.
pub(crate) fn format_time(t: &DateTime) -> String {
    crate::world::format_at(*t)
}

fn ser_time<S: Serializer>(t: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(t))
}

fn ser_opt_timed<S: Serializer>(v: &Option<(DateTime, LineRef)>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some((t, at)) => {
            let mut st = s.serialize_struct("Timed", 2)?;
            st.serialize_field("time", &format_time(t))?;
            st.serialize_field("at", at)?;
            st.end()
        }
    }
}

fn ser_opt_duration<S: Serializer>(v: &Option<(u32, LineRef)>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some((secs, at)) => {
            let mut st = s.serialize_struct("Duration", 2)?;
            st.serialize_field("secs", secs)?;
            st.serialize_field("at", at)?;
            st.end()
        }
    }
}
