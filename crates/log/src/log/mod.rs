//! Jeedom's backup log, step 1→2 of the data flow (**log text → parsed run** → Jeedom world →
//! engine → state → views/reports): bytes in any encoding and line ending in, typed runs out
//! (steps, uploads, logger lines, archive, end), every fact pointing at its line.
//!
//! Input is whatever a user pastes or Jeedom holds: `log/backup`, `log/update`,
//! `log/cron_execution`, or a forum copy of one of them (facts: `docs/backup-log.md`).
//!
//! # Entry points
//! - [`parse`] (bytes), [`parse_reader`], [`parse_file`]: the whole [`LogModel`]. Parsing never
//!   fails and never panics; only reading can fail, and [`LogError`] names the path.
//! - [`Parser`] (push: feed chunks) and [`RunReader`] (pull: an iterator over a reader) stream
//!   [`LogItem`]s (runs, loose logger lines, unknown pieces) as they complete, with memory
//!   bounded by the largest run, not by the input: a 1 GB log is read in 256 KiB chunks, lines
//!   are read in place, only a line straddling two chunks is copied. [`parse`] is built on them.
//! - [`GrowingLog`]: one log shown again and again as it grows (a replay's steps), parsed once:
//!   each longer view of the same buffer feeds only the new bytes; [`LogView`] is the model of
//!   one prefix (the completed runs shared, not copied).
//! - [`Parser::feed_ref`] and [`RunReader::for_each_ref`] lend each item ([`LogItemRef`])
//!   instead of giving it: the run's storage is cleared and reused for the next run, so a
//!   consumer that only looks (counts, checks; `parse --format summary`) allocates nothing per
//!   run. Same items, same order, same single pass.
//!
//! # What is understood
//! A line is a sequence of segments, recognised by byte prefix (`classify`): the markers
//! `[START BACKUP]`, `[END BACKUP SUCCESS]`, `[END BACKUP ERROR]`, the start and end banners,
//! each step label of `docs/backup-log.md#the-lines-of-one-run` (French 4.2 and English 4.3+
//! wordings, double spaces
//! included), `OK`/`NOK`, logger prefixes (`[YYYY-MM-DD HH:MM:SS][LEVEL] : msg` up to 4.4,
//! `[…][LEVEL] msg` in 4.5, anywhere in a line), `Error during backup: …Details : …`,
//! `/!\ … /!\`, `Delete backup too old : {…}`, `Delete: …`, `Backup name: …`,
//! `Backup operation duration: …s`, plugin excludes and Market retention lines. Free text (a
//! message, a path) runs to the next marker or the end of the line. Text between a label and
//! its `OK` belongs to that step (tar warnings) or upload (smbclient noise). Anything else is
//! reported in [`LogModel::unknown`] by span, never dropped.
//!
//! Runs: `[START BACKUP]` opens a run; a start banner opens one unless it follows the marker;
//! any other run line opens a run *cut at its start* (`start_marker: None`) when none is open;
//! an end marker closes it; the next start or the end of the input leaves it
//! [`RunEnd::Unterminated`]. Logger lines outside runs are `loose_logger_lines`.
//!
//! Reflowed logs (line breaks lost in a paste): markers that Jeedom always writes at the start of
//! a line (start/end markers, banners, step labels other than uploads and the size limit, the
//! archive name, the duration) found inside a line set [`LogModel::reflowed`]; the segments are
//! read all the same.
//!
//! Forum quotes (a log pasted as a quote, `> ` before every line, `>` alone on empty lines,
//! nested `> > ` or `>> `): a physical line whose first byte is `>` loses its quote prefix (every
//! `>` with the one space after it) when the text after the prefix starts like a log line
//! (`classify` recognises it; a blank rest counts too), and from the first such line on, every
//! later line starting with `>` loses it whatever follows (tar warnings, a PHP trace, smbclient
//! output inside a quote). The rest of the line is read as usual and [`LogModel::quoted`] is set.
//! Line numbers are unchanged; **spans exclude the prefix** (they start after `> `, so quoting
//! a log shifts each span by the prefixes before it and never changes the quoted text). Lines
//! not starting with `>` pay only that first-byte test. A `>` line before the quote starts that
//! does not read as a log line is left whole (a reply's own text: unknown, prefix included).
//! `>` without a space before indented text is ambiguous: one space of the indentation is taken
//! as part of the prefix.
//!
//! Text: each line is UTF-8 when valid, else its invalid bytes are Windows-1252 (Latin-1 accents
//! survive); a UTF-8 BOM is skipped; line ends are LF, CRLF or CR (counted); NUL bytes are
//! dropped (counted). Messages are capped at 64 KiB, failure details at 16 KiB, sub-command
//! output at 256 pieces per step (all counted).
//!
//! # Generation
//! Each recognised line narrows the set of Jeedom generations the run is consistent with
//! ([`Generation`], a set of [`crate::world::JeedomVersion`]):
//!
//! | evidence | candidates |
//! |---|---|
//! | banner `Start of Jeedom backup at` | 3.x, 4.2–4.5 |
//! | banner `Lancement de la sauvegarde de Jeedom le` | 2.x |
//! | French step wording (`Vérification…`, `Nom de la sauvegarde : `, …) | 2.x, 4.2 |
//! | English step wording (`Checking files rights...`, `Backup name: `, …) | 3.x, 4.3–4.5 |
//! | end banner `Fin de la sauvegarde de Jeedom` / `Jeedom backup end` | 2.x, 3.x, 4.2 / 4.3–4.5 |
//! | `Backup plugin <id>...` / `Backing up plugin <id>...` | ≤ 4.3 / 4.4–4.5 |
//! | `Checking  database...` / `Checking  table <t>...` | 3.x, 4.3, 4.4 / 4.5 |
//! | `the following subfolder` / `Following subfolder` | 4.3 / 4.4–4.5 |
//! | logger `[…][LEVEL] : msg` / `[…][LEVEL] msg` | ≤ 4.4 / 4.5 |
//! | Market `Aucun serveur de backup defini` / `Erreur d'envoi du backup au cloud` | ≤ 4.4 / 4.5 |
//!
//! So 3.x is English with the French end banner, 4.4 is told from 4.3 by the plugin or exclude
//! wording, 4.5 by table checks or its logger form. Evidence that contradicts all earlier lines
//! is ignored.
//!
//! # Secrets
//! Message texts stored in the model (logger messages, failure messages and details, upload
//! failures) have passed [`crate::redact::redact`]: a Samba `-U "user%password"` never reaches
//! the model. Spans still point at the raw input, so whoever quotes raw lines
//! ([`LineRef::text`]) must redact them.
//!
//! # JSON contract (`infobackup parse --format json`)
//! The serialisation of [`LogModel`], redacted again as a whole. snake_case everywhere; times
//! are Jeedom's `YYYY-MM-DD HH:MM:SS` (local time of the box); every fact has
//! `"at": {"line": <1-based>, "span": {"start": <byte>, "end": <byte>}}`.
//!
//! ```text
//! {
//!   "runs": [{
//!     "generation": ["4.4"],                     // candidates, oldest first
//!     "start_marker": {"line":1,"span":{…}} | null,
//!     "start": {"time": "2025-09-10 03:27:01", "at": {…}} | null,
//!     "steps": [{"kind": "begin_event" | "file_rights" | "plugin_hook" (+"plugin") |
//!                "database_check" | "table_check" (+"table") | "database_dump" |
//!                "cache_persistence" | "archive" | "clean_old" | "size_limit" (+"limit_mb") |
//!                "end_event",
//!                "result": {"status": "ok" | "nok" | "unfinished"} | {"status": "failed", "message": "…"},
//!                "at": {…}, "result_at": {…} | null, "output": [{…}], "output_count": 0}],
//!     "uploads": [{"repo": "market" | "samba" | "<other>",
//!                  "outcome": {"status": "ok" | "unfinished"} | {"status": "failed", "message": "…"},
//!                  "at": {…}, "failure_at": {…} | null, "ok_at": {…} | null,
//!                  "noise": [{…}], "noise_count": 0}],
//!     "logger_lines": [{"time": "…", "level": "ERROR", "form": "colon" | "bare",
//!                       "message": "…", "mid_line": true, "at": {…}, "last_line": 11}],
//!     "excludes": [{"plugin", "subfolder", "at"}],
//!     "remote_deletions": [{"repo", "file_name" | null, "detail", "at"}],
//!     "deletions": [{"path", "at"}],
//!     "archive": {"path", "file_name", "box_name" | null, "version" | null,
//!                 "stamp": "2025-09-10-03h27" | null, "at"} | null,
//!     "duration": {"secs": 212, "at": {…}} | null,
//!     "end_banner": {…} | null,
//!     "end": {"status": "success", "at": {…}, "without_marker": true /* only when true */}
//!          | {"status": "failed", "message": "…" | null, "details": "…" | null, "at": {…}, "end_marker": {…} | null}
//!          | {"status": "unterminated"},
//!     "lines": {"first": 1, "last": 22}, "span": {"start": 0, "end": 812}
//!   }],
//!   "loose_logger_lines": [ …like logger_lines… ],
//!   "unknown": [{"line": 3, "span": {…}}],
//!   "reflowed": false,
//!   "quoted": true,                              // only present (and true) for a forum quote
//!   "encoding": "utf8" | "utf8_bom" | "windows1252", "windows1252_lines": 0,
//!   "line_endings": {"lf": 22, "crlf": 0, "cr": 0},
//!   "line_count": 22, "byte_count": 812, "nul_bytes": 0, "overlong_lines": 0
//! }
//! ```

mod classify;
mod decode;
mod growing;
mod model;
mod parser;
pub mod render;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use decode::{cp1252, decode_cp1252, unescape_html};
pub use growing::{GrowingLog, LogView};
pub use model::*;
pub use parser::{LogItem, LogItemRef, MAX_DETAILS, MAX_LINE, MAX_MESSAGE, ModelBuilder, Parser, RunReader};

/// Reading a log failed. Parsing itself never fails.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The file could not be opened or read.
    #[error("cannot read the log file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A reader (standard input, a socket) failed.
    #[error("cannot read the log: {source}")]
    Io {
        #[source]
        source: std::io::Error,
    },
}

/// The text with every run that repeats an earlier one byte for byte left out (the same run
/// pasted twice, a forum post quoting the log again), and how many were left out; `None` when
/// no run repeats. A run is its lines from its first to its last, line ends included; what
/// follows it up to the next run stays. Two runs of a real log never repeat each other: each
/// has its own start time and archive name.
pub fn without_repeated_runs(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    without_repeated_runs_of(bytes, &parse(bytes))
}

/// [`without_repeated_runs`] for a caller that already holds the text's `model`.
pub fn without_repeated_runs_of(bytes: &[u8], model: &LogModel) -> Option<(Vec<u8>, usize)> {
    if model.runs.len() < 2 || model.reflowed {
        return None;
    }
    let at = |o: u64| usize::try_from(o).unwrap_or(usize::MAX).min(bytes.len());
    // Each run's bytes, its last line's line end included, in file order.
    let mut spans: Vec<std::ops::Range<usize>> = model
        .runs
        .iter()
        .map(|r| {
            let (s, e) = (at(r.span.start), at(r.span.end));
            let end = bytes[e..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |k| e + k + 1);
            s..end
        })
        .collect();
    spans.sort_by_key(|r| r.start);
    let trim = |r: &std::ops::Range<usize>| bytes[r.clone()].trim_ascii_end();
    let mut seen: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(bytes.len());
    let mut from = 0;
    let mut dropped = 0;
    for r in &spans {
        if !seen.insert(trim(r)) {
            out.extend_from_slice(&bytes[from..r.start]);
            from = r.end;
            dropped += 1;
        }
    }
    if dropped == 0 {
        return None;
    }
    out.extend_from_slice(&bytes[from..]);
    Some((out, dropped))
}

/// The text of a newest-first paste ([`RunOrder::NewestFirst`]) with its runs put back in time
/// order, so that a replay's view of the log at a moment is a prefix of it as Jeedom wrote it;
/// `None` when the text already is in that order. Each run moves with what follows it up to
/// the next run (its logger lines after its end marker); the text before the first run stays
/// first. A run's own lines keep their order.
pub fn in_time_order(bytes: &[u8]) -> Option<Vec<u8>> {
    in_time_order_of(bytes, &parse(bytes))
}

/// [`in_time_order`] for a caller that already holds the text's `model`.
pub fn in_time_order_of(bytes: &[u8], model: &LogModel) -> Option<Vec<u8>> {
    if model.run_order != RunOrder::NewestFirst {
        return None;
    }
    let at = |o: u64| usize::try_from(o).unwrap_or(usize::MAX).min(bytes.len());
    // Run starts in file order (the model holds them in time order, the reverse).
    let mut starts: Vec<usize> = model.runs.iter().map(|r| at(r.span.start)).collect();
    starts.reverse();
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.extend_from_slice(&bytes[..starts[0]]);
    for (i, &s) in starts.iter().enumerate().rev() {
        let e = starts.get(i + 1).copied().unwrap_or(bytes.len());
        let chunk = &bytes[s..e.max(s)];
        out.extend_from_slice(chunk);
        if !chunk.ends_with(b"\n") && !chunk.ends_with(b"\r") {
            out.push(b'\n');
        }
    }
    Some(out)
}

/// The text of a paste whose *lines* are in reverse order (the newest line first, as a log
/// viewer or Jeedom's `log::get` may show them) with its lines put back in order; `None` when
/// the text does not read as reversed. Told by the lines Jeedom always writes next to each
/// other: `[START BACKUP]` then the start banner, the end banner then `[END BACKUP …]`. The
/// text is reversed when these pairs appear only the other way round (banner, then
/// `[START BACKUP]`; `[END BACKUP …]`, then the end banner). Blank lines are skipped when
/// pairing; line ends are kept with their lines.
pub fn lines_in_order(bytes: &[u8]) -> Option<Vec<u8>> {
    #[derive(PartialEq, Clone, Copy)]
    enum Mark {
        Start,
        Banner,
        EndBanner,
        End,
        Other,
    }
    let mark = |line: &[u8]| {
        let l = line.trim_ascii();
        if l == b"[START BACKUP]" {
            Mark::Start
        } else if l.starts_with(b"[END BACKUP") {
            Mark::End
        } else if l.starts_with(b"***************Start of Jeedom backup at ")
            || l.starts_with("***************Lancement de la sauvegarde de Jeedom le ".as_bytes())
        {
            Mark::Banner
        } else if l == b"***************Jeedom backup end***************"
            || l == "***************Fin de la sauvegarde de Jeedom***************".as_bytes()
        {
            Mark::EndBanner
        } else {
            Mark::Other
        }
    };
    let (mut forward, mut backward) = (0u32, 0u32);
    let mut prev = Mark::Other;
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.trim_ascii().is_empty()) {
        let m = mark(line);
        match (prev, m) {
            (Mark::Start, Mark::Banner) | (Mark::EndBanner, Mark::End) => forward += 1,
            (Mark::Banner, Mark::Start) | (Mark::End, Mark::EndBanner) => backward += 1,
            _ => {}
        }
        prev = m;
    }
    if backward == 0 || forward > 0 {
        return None;
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let mut lines: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
    lines.reverse();
    let mut out = Vec::with_capacity(bytes.len() + 1);
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    Some(out)
}

/// Parses a whole log held in memory. Never fails, never panics.
pub fn parse(bytes: &[u8]) -> LogModel {
    let mut model = ModelBuilder::new();
    let mut parser = Parser::new();
    parser.feed(bytes, &mut |item| model.push(item));
    let info = parser.finish(&mut |item| model.push(item));
    model.finish(info)
}

/// Parses everything a reader gives, streaming. Fails only if reading fails.
pub fn parse_reader(reader: impl Read) -> Result<LogModel, LogError> {
    let mut model = ModelBuilder::new();
    let mut items = RunReader::new(reader);
    for item in &mut items {
        model.push(item.map_err(|source| LogError::Io { source })?);
    }
    Ok(model.finish(items.text_info().cloned().unwrap_or_default()))
}

/// Parses a log file, streaming. The only failure is reading it, and the error names the path.
pub fn parse_file(path: &Path) -> Result<LogModel, LogError> {
    let read_err = |source| LogError::Read {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    parse_reader(file).map_err(|e| match e {
        LogError::Io { source } => read_err(source),
        other => other,
    })
}

#[cfg(test)]
mod tests;
