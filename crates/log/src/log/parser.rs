//! The streaming parser: chunks of bytes in, [`LogItem`]s out as soon as they are complete.
//!
//! Two layers in one type:
//! - line splitting: `memchr` over `\n` (plus `\r` and NUL when the chunk holds any) finds line ends (LF, CRLF, CR) and
//!   notes NUL bytes in one pass; complete lines are read in place from the caller's chunk,
//!   only a line that straddles two chunks is copied (and one longer than [`MAX_LINE`] is read
//!   in pieces), so memory does not grow with the input;
//! - run building: a small state machine over the [`Seg`]ments of each line: which run is open,
//!   which step or upload waits for its `OK`, and whether the next lines continue a failure's
//!   details or a 4.5 logger message.

use std::collections::VecDeque;
use std::io::{self, Read};

use super::classify::{Label, Seg, classify, find_marker};
use super::decode::{Decoded, decode_line};
use serde::Serialize;

use super::model::*;
use crate::redact;

/// Longest line held in memory when streaming; longer lines are read in pieces.
pub const MAX_LINE: usize = 16 * 1024 * 1024;
/// Longest message kept in the model (logger, failure, upload); longer ones are cut with `…`.
pub const MAX_MESSAGE: usize = 64 * 1024;
/// Longest failure details kept.
pub const MAX_DETAILS: usize = 16 * 1024;
/// Most continuation lines joined to one 4.5 logger message.
const MAX_CONTINUATION_LINES: u32 = 1000;
/// Read size of [`RunReader`].
const READ_CHUNK: usize = 256 * 1024;

/// What the streaming parser yields, in the order each becomes complete.
///
/// A run is yielded at its end marker, at the start of the next run, or at the end of the
/// input; unknown pieces and loose logger lines are yielded as they are read, so an unknown line
/// inside a run comes before that run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum LogItem {
    Run(Box<Run>),
    LooseLogger(LoggerLine),
    Unknown(LineRef),
}

/// A [`LogItem`] lent to the consumer of [`Parser::feed_ref`] or [`RunReader::for_each_ref`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum LogItemRef<'a> {
    Run(&'a Run),
    LooseLogger(&'a LoggerLine),
    Unknown(&'a LineRef),
}

impl LogItemRef<'_> {
    /// An owned copy.
    pub fn to_item(self) -> LogItem {
        match self {
            LogItemRef::Run(r) => LogItem::Run(Box::new(r.clone())),
            LogItemRef::LooseLogger(l) => LogItem::LooseLogger(l.clone()),
            LogItemRef::Unknown(u) => LogItem::Unknown(u.clone()),
        }
    }
}

impl LogItem {
    /// The item, lent.
    pub fn as_item_ref(&self) -> LogItemRef<'_> {
        match self {
            LogItem::Run(r) => LogItemRef::Run(r),
            LogItem::LooseLogger(l) => LogItemRef::LooseLogger(l),
            LogItem::Unknown(u) => LogItemRef::Unknown(u),
        }
    }
}

/// What the run builder hands out: a finished run in place (an owning consumer takes it, a
/// lending one only looks and the builder reuses its storage), or a small item by value.
enum Out<'a> {
    Run(&'a mut Option<Box<Run>>),
    Item(LogItem),
}

/// Adapts an owning consumer: takes every run.
fn owning<F: FnMut(LogItem)>(out: &mut F) -> impl FnMut(Out<'_>) + '_ {
    move |o| match o {
        Out::Run(r) => {
            if let Some(mut r) = r.take() {
                // Kept runs give back the room reserved for steps (48): a long log keeps
                // thousands of runs (7 KB each otherwise).
                r.steps.shrink_to_fit();
                out(LogItem::Run(r));
            }
        }
        Out::Item(i) => out(i),
    }
}

/// Adapts a lending consumer: shows every run, leaves it in place.
fn lending<F: FnMut(LogItemRef<'_>)>(out: &mut F) -> impl FnMut(Out<'_>) + '_ {
    move |o| match o {
        Out::Run(r) => {
            if let Some(r) = r.as_deref() {
                out(LogItemRef::Run(r));
            }
        }
        Out::Item(i) => out(i.as_item_ref()),
    }
}

/// Push-based streaming parser. Feed it chunks in order, then call [`Parser::finish`].
///
/// ```
/// use infobackup_log::log::{LogItem, Parser};
/// let mut parser = Parser::new();
/// let mut runs = 0;
/// let mut count = |item: LogItem| if let LogItem::Run(_) = item { runs += 1 };
/// parser.feed(b"[START BACKUP]\n***************Start of Jeedom backup at 2025-09-10 03:27:01", &mut count);
/// parser.feed(b"***************\n[END BACKUP SUCCESS]\n", &mut count);
/// let info = parser.finish(&mut count);
/// assert_eq!((runs, info.line_count), (1, 3));
/// ```
#[derive(Debug, Default, Clone)]
pub struct Parser {
    /// Input offset of the next byte to be fed.
    offset: u64,
    /// A line started in an earlier chunk.
    carry: Vec<u8>,
    carry_start: u64,
    carry_nul: bool,
    /// The last chunk ended with `\r`: a `\n` at the start of the next belongs to it.
    cr_pending: bool,
    /// Some pieces of the current (overlong) line were already processed.
    in_long_line: bool,
    line_no: u32,
    bom: bool,
    /// A quoted line that reads as a log line was seen: every later `>` prefix is a quote.
    quoted: bool,
    info: TextInfo,
    b: Builder,
}

/// Where a trailing HTML line break (`<br>`, `<br/>`, `<br />`, any case) starts, if the line
/// ends with one.
fn html_line_break(raw: &[u8]) -> Option<usize> {
    let end = raw.trim_ascii_end();
    let tag = end.strip_suffix(b">")?;
    let tag = tag.strip_suffix(b"/").map_or(tag, <[u8]>::trim_ascii_end);
    let start = tag.len().checked_sub(3)?;
    tag.get(start..)?.eq_ignore_ascii_case(b"<br").then_some(start)
}

/// Length of a forum quote prefix at the start of a line: one or more `>`, each followed by an
/// optional space (`> `, `>`, `> > `, `>> `).
fn quote_prefix(raw: &[u8]) -> usize {
    let mut k = 0;
    while raw.get(k) == Some(&b'>') {
        k += 1;
        if raw.get(k) == Some(&b' ') {
            k += 1;
        }
    }
    k
}

/// Whether the text after a quote prefix starts like a line of a backup log (a marker, a
/// banner, a step label, a logger line...), so the `>` is a forum quote and not the log's own
/// text. Blank text counts: a quoted empty line is `>` alone.
fn quote_is_log_shaped(rest: &[u8], rest_text: Option<&str>, has_nul: bool) -> bool {
    let d;
    let text = match rest_text {
        Some(t) => t,
        None => {
            d = decode_line(rest, 0, Some(has_nul));
            &d.text
        }
    };
    let i = skip_ws(text, 0);
    match text.get(i..) {
        Some(t) if !t.is_empty() => classify(t).is_some(),
        _ => true,
    }
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Reads the next chunk of input. Complete items are passed to `out`.
    pub fn feed<F: FnMut(LogItem)>(&mut self, chunk: &[u8], out: &mut F) {
        self.feed_out(chunk, &mut owning(out));
    }

    /// [`Parser::feed`], lending each item instead of giving it: a run's storage is reused for
    /// the next run, so a consumer that only looks (counts, checks) costs no allocation per run.
    pub fn feed_ref<F: FnMut(LogItemRef<'_>)>(&mut self, chunk: &[u8], out: &mut F) {
        self.feed_out(chunk, &mut lending(out));
    }

    fn feed_out<F: FnMut(Out<'_>)>(&mut self, chunk: &[u8], out: &mut F) {
        let base = self.offset;
        self.offset += chunk.len() as u64;
        self.info.byte_count = self.offset;
        let mut pos = 0usize;
        if self.cr_pending && !chunk.is_empty() {
            self.cr_pending = false;
            if chunk.first() == Some(&b'\n') {
                pos = 1;
                self.info.line_endings.cr = self.info.line_endings.cr.saturating_sub(1);
                self.info.line_endings.crlf += 1;
            }
        }
        let Some(body) = chunk.get(pos..) else { return };
        // Validate the complete lines of the chunk as UTF-8 in one pass (nearly always true),
        // instead of line by line.
        let whole = memchr::memrchr2(b'\n', b'\r', body)
            .and_then(|last| body.get(..last))
            .and_then(|b| std::str::from_utf8(b).ok());
        let mut line_start = pos;
        let mut has_nul = false;
        // Position of a `\n` already accounted for as the end of a CRLF.
        let mut skip_lf: Option<usize> = None;
        let hits = Hits::new(body);
        for k in hits {
            let at = pos + k;
            if skip_lf == Some(at) {
                continue;
            }
            let end_len = match chunk.get(at) {
                Some(0) => {
                    has_nul = true;
                    continue;
                }
                Some(b'\n') => {
                    self.info.line_endings.lf += 1;
                    1
                }
                _ => match chunk.get(at + 1) {
                    Some(b'\n') => {
                        self.info.line_endings.crlf += 1;
                        skip_lf = Some(at + 1);
                        2
                    }
                    Some(_) => {
                        self.info.line_endings.cr += 1;
                        1
                    }
                    None => {
                        self.info.line_endings.cr += 1;
                        self.cr_pending = true;
                        1
                    }
                },
            };
            let raw = chunk.get(line_start..at).unwrap_or_default();
            if self.carry.is_empty() && !self.in_long_line {
                let text = whole
                    .filter(|_| !has_nul)
                    .and_then(|w| w.get(line_start - pos..at - pos));
                self.line(raw, text, base + line_start as u64, has_nul, out);
            } else {
                self.carry.extend_from_slice(raw);
                let carry = std::mem::take(&mut self.carry);
                self.line(&carry, None, self.carry_start, has_nul || self.carry_nul, out);
                self.carry = carry;
                self.carry.clear();
                self.carry_nul = false;
            }
            self.in_long_line = false;
            line_start = at + end_len;
            has_nul = false;
        }
        if let Some(rest) = chunk.get(line_start..)
            && !rest.is_empty()
        {
            if self.carry.is_empty() && !self.in_long_line {
                self.carry_start = base + line_start as u64;
            }
            self.carry.extend_from_slice(rest);
            self.carry_nul |= has_nul;
            if self.carry.len() > MAX_LINE {
                self.long_piece(out);
            }
        }
    }

    /// Reads a piece of an overlong line, cut where a marker is likely to start.
    fn long_piece<F: FnMut(Out<'_>)>(&mut self, out: &mut F) {
        let len = self.carry.len();
        let window = len.saturating_sub(4096);
        let cut = self
            .carry
            .get(window..)
            .and_then(|w| w.iter().rposition(|c| matches!(c, b'[' | b'*' | b' ')))
            .map(|k| window + k)
            .filter(|k| *k > 0)
            .unwrap_or(len);
        let carry = std::mem::take(&mut self.carry);
        let piece = carry.get(..cut).unwrap_or_default();
        if !self.in_long_line {
            self.info.overlong_lines += 1;
        }
        self.line(piece, None, self.carry_start, self.carry_nul, out);
        self.in_long_line = true;
        self.carry = carry;
        self.carry.drain(..cut);
        self.carry_start += cut as u64;
    }

    /// One line (or piece of an overlong line). `text` is the same bytes when the caller already
    /// knows them to be UTF-8 without NUL.
    fn line<F: FnMut(Out<'_>)>(&mut self, raw: &[u8], text: Option<&str>, base: u64, has_nul: bool, out: &mut F) {
        if !self.in_long_line {
            self.line_no = self.line_no.saturating_add(1);
        }
        let first = self.line_no == 1 && !self.in_long_line;
        let (mut raw, mut text, mut base) = (raw, text, base);
        if first && let Some(rest) = raw.strip_prefix(b"\xEF\xBB\xBF") {
            self.bom = true;
            (raw, text, base) = (rest, text.and_then(|t| t.get(3..)), base + 3);
        }
        // A forum quote (`> ` before every line): the first-byte test is all an unquoted line
        // pays. The prefix is read past only when the text after it reads as a log line, or
        // once such a line was seen (then every later `>` line is part of the quote).
        if !self.in_long_line && raw.first() == Some(&b'>') {
            let k = quote_prefix(raw);
            let rest = raw.get(k..).unwrap_or_default();
            let rest_text = text.and_then(|t| t.get(k..));
            if self.quoted || quote_is_log_shaped(rest, rest_text, has_nul) {
                if !rest.iter().all(|c| is_ws(*c)) {
                    self.quoted = true;
                }
                (raw, text, base) = (rest, rest_text, base + k as u64);
            }
        }
        // A paste copied from a page's source ends its lines with an HTML line break: markup,
        // not the log's text (an archive name would carry it). Cut at the end, so every offset
        // before it stays.
        if let Some(k) = html_line_break(raw) {
            (raw, text) = (raw.get(..k).unwrap_or_default(), text.and_then(|t| t.get(..k)));
        }
        let d = match text {
            Some(t) => Decoded::borrowed(t, base),
            None => decode_line(raw, base, Some(has_nul)),
        };
        // A paste copied from a web page (`&quot;`…) reads as the line it escapes.
        let d = d.unescaped();
        self.decoded(&d, out);
    }

    fn decoded<F: FnMut(Out<'_>)>(&mut self, d: &Decoded<'_>, out: &mut F) {
        if d.cp1252 && !self.in_long_line {
            self.info.windows1252_lines += 1;
        }
        self.info.nul_bytes += d.nuls;
        self.b.line(d, self.line_no, out);
    }

    /// Gives back a run the consumer of [`Parser::feed`] is done with: its storage is reused
    /// for a later run instead of a new allocation.
    pub fn recycle(&mut self, run: Box<Run>) {
        self.b.spare.push(run);
    }

    /// Ends the input: reads the last line, closes the open run. Returns the facts about the
    /// text as a whole.
    pub fn finish<F: FnMut(LogItem)>(self, out: &mut F) -> TextInfo {
        self.finish_out(&mut owning(out))
    }

    /// [`Parser::finish`], lending the last items (see [`Parser::feed_ref`]).
    pub fn finish_ref<F: FnMut(LogItemRef<'_>)>(self, out: &mut F) -> TextInfo {
        self.finish_out(&mut lending(out))
    }

    fn finish_out<F: FnMut(Out<'_>)>(mut self, out: &mut F) -> TextInfo {
        if !self.carry.is_empty() {
            let carry = std::mem::take(&mut self.carry);
            self.line(&carry, None, self.carry_start, self.carry_nul, out);
        }
        self.b.finish(out);
        let mut info = self.info;
        info.line_count = self.line_no;
        info.reflowed = self.b.reflowed;
        info.quoted = self.quoted;
        info.encoding = if info.windows1252_lines > 0 {
            Encoding::Windows1252
        } else if self.bom {
            Encoding::Utf8Bom
        } else {
            Encoding::Utf8
        };
        info
    }
}

/// Positions of the bytes the line splitter stops at (`\n`, `\r`, NUL), searching only for
/// the ones the chunk holds: nearly always `\n` alone, the cheapest search.
enum Hits<'a> {
    Lf(memchr::Memchr<'a>),
    All(memchr::Memchr3<'a>),
}

impl<'a> Hits<'a> {
    fn new(body: &'a [u8]) -> Self {
        if memchr::memchr2(b'\r', 0, body).is_some() {
            Hits::All(memchr::memchr3_iter(b'\n', b'\r', 0, body))
        } else {
            Hits::Lf(memchr::memchr_iter(b'\n', body))
        }
    }
}

impl Iterator for Hits<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        match self {
            Hits::Lf(i) => i.next(),
            Hits::All(i) => i.next(),
        }
    }
}

// ---- run building -------------------------------------------------------------------------------

/// What the next line may continue.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    #[default]
    Normal,
    /// A failure's `Details :` trace, until the next marker.
    Details,
    /// A 4.5 logger message (newlines kept), until a marker or a blank line.
    Continuation { in_run: bool, lines: u32 },
}

/// What waits for its `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Step(usize),
    Upload(usize),
}

#[derive(Debug, Default, Clone)]
struct Builder {
    run: Option<Box<Run>>,
    pending: Option<Pending>,
    ctx: Ctx,
    /// A loose 4.5 logger line that may still get continuation lines.
    loose: Option<LoggerLine>,
    /// Closed runs whose storage the next [`new_run`] reuses: left by a lending consumer, or
    /// given back by an owning one ([`Parser::recycle`]).
    // Boxed: a run moves between the parser, the consumer and back without being copied.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Run>>,
    reflowed: bool,
}

/// A new run starting at `at`, in the storage of `spare` when there is one (its vectors keep
/// their capacity).
#[allow(clippy::vec_box)] // the runs stay boxed, see `Builder::spare`
fn new_run(spare: &mut Vec<Box<Run>>, at: &LineRef) -> Box<Run> {
    let Some(mut r) = spare.pop() else {
        return Box::new(Run {
            generation: Generation::ANY,
            start_marker: None,
            start: None,
            // A run has 10 to 50 steps: one allocation instead of several regrowths.
            steps: Vec::with_capacity(48),
            uploads: Vec::new(),
            logger_lines: Vec::new(),
            excludes: Vec::new(),
            remote_deletions: Vec::new(),
            deletions: Vec::new(),
            archive: None,
            duration: None,
            end_banner: None,
            end: RunEnd::Unterminated,
            lines: LineRange {
                first: at.line,
                last: at.line,
            },
            span: at.span.clone(),
        });
    };
    // Field by field: the vectors are cleared in place (their capacity stays), nothing else
    // of the old run is moved or dropped twice. The pattern names every field, so a field
    // added to `Run` cannot be forgotten here.
    let Run {
        generation,
        start_marker,
        start,
        steps,
        uploads,
        logger_lines,
        excludes,
        remote_deletions,
        deletions,
        archive,
        duration,
        end_banner,
        end,
        lines,
        span,
    } = &mut *r;
    *generation = Generation::ANY;
    *start_marker = None;
    *start = None;
    steps.clear();
    uploads.clear();
    logger_lines.clear();
    excludes.clear();
    remote_deletions.clear();
    deletions.clear();
    *archive = None;
    *duration = None;
    *end_banner = None;
    *end = RunEnd::Unterminated;
    *lines = LineRange {
        first: at.line,
        last: at.line,
    };
    *span = at.span.clone();
    r
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\x0b' | b'\x0c')
}

/// Skips blanks; also a byte-order mark, which a concatenation of pasted files leaves at the
/// start of a later line.
fn skip_ws(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        match b.get(i) {
            Some(&c) if is_ws(c) => i += 1,
            Some(0xEF) if b.get(i..i + 3) == Some(b"\xEF\xBB\xBF") => i += 3,
            _ => return i,
        }
    }
}

fn trim_end_at(text: &str, start: usize, mut end: usize) -> usize {
    let b = text.as_bytes();
    while end > start && b.get(end - 1).copied().is_some_and(is_ws) {
        end -= 1;
    }
    end
}

/// Redacts and caps a message taken from the log.
fn message(text: &str) -> String {
    redacted(text).into_owned()
}

/// [`message`], borrowed when redaction changes nothing.
fn redacted(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() > MAX_MESSAGE {
        std::borrow::Cow::Owned(message_uncached(text))
    } else {
        redact::redact(text)
    }
}

/// Redacts, then caps, a message taken from the log (a cut first could split a secret the
/// redaction would no longer recognise).
fn message_uncached(text: &str) -> String {
    let text = redact::redact(text);
    if text.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}…", text.get(..cut).unwrap_or(""))
    } else {
        text.into_owned()
    }
}

/// Appends a line to a capped text, joined with `\n`.
fn append_capped(into: &mut String, text: &str, cap: usize) {
    if into.len() >= cap {
        if !into.ends_with('…') {
            into.push('…');
        }
        return;
    }
    if !into.is_empty() {
        into.push('\n');
    }
    let room = cap.saturating_sub(into.len());
    if text.len() <= room {
        into.push_str(text);
    } else {
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        into.push_str(text.get(..cut).unwrap_or(""));
        into.push('…');
    }
}

/// Counts a piece of an upload's noise and keeps its place, up to [`OUTPUT_KEPT`].
fn note_noise(u: &mut Upload, at: LineRef) {
    u.noise_count = u.noise_count.saturating_add(1);
    if u.noise.len() < OUTPUT_KEPT {
        u.noise.push(at);
    }
}

/// `{"filename":"…",…}` → the file name (a plain scan: names have no escapes).
pub(crate) fn json_file_name(detail: &str) -> Option<&str> {
    const KEY: &str = "\"filename\":\"";
    // Jeedom writes the file name first; otherwise look for it.
    let rest = match detail.strip_prefix('{').and_then(|d| d.strip_prefix(KEY)) {
        Some(rest) => rest,
        None => detail.get(memchr::memmem::find(detail.as_bytes(), KEY.as_bytes())? + KEY.len()..)?,
    };
    // The name ends at its closing quote; a backslash before it (an escape) means no name.
    let end = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
    let name = rest.get(..end)?;
    (rest.as_bytes().get(end) == Some(&b'"') && !name.is_empty()).then_some(name)
}

/// `<dir>/<file>` → the archive and the parts of its name .
fn archive(path: &str, at: LineRef) -> Archive {
    // The parts are found on the borrowed path (`memrchr`, not the generic `rsplit` searchers),
    // then copied once.
    let name_at = memchr::memrchr(b'/', path.as_bytes()).map_or(0, |k| k + 1);
    let name = path.get(name_at..).unwrap_or(path);
    let mut a = Archive {
        path: path.to_owned(),
        file_name: name.to_owned(),
        box_name: None,
        version: None,
        stamp: None,
        at,
    };
    let Some(core) = name.strip_suffix(".tar.gz") else {
        return a;
    };
    let Some(stamp_at) = core.len().checked_sub(16) else {
        return a;
    };
    let Some(stamp) = core.get(stamp_at..) else {
        return a;
    };
    if parse_stamp(stamp).is_none() {
        return a;
    }
    let head = core.get(..stamp_at).unwrap_or("");
    let head = head.strip_suffix('-').unwrap_or(head);
    let head = head.strip_prefix("backup-").unwrap_or(head);
    // A short text (`Jeedom-4.4.20`): a byte loop costs less than a `memrchr` call.
    let split = head
        .bytes()
        .rposition(|c| c == b'-')
        .and_then(|k| Some((head.get(..k)?, head.get(k + 1..)?)));
    match split {
        Some((box_name, version)) if version.as_bytes().first().is_some_and(u8::is_ascii_digit) => {
            a.box_name = (!box_name.is_empty()).then(|| ShortString::new(box_name));
            a.version = Some(ShortString::new(version));
        }
        _ => a.box_name = (!head.is_empty()).then(|| ShortString::new(head)),
    }
    a.stamp = Some(ShortString::new(stamp));
    a
}

/// The kind of step a label echoes; `None` for an upload label (`Send backup …`).
fn step_kind(label: Label<'_>) -> Option<StepKind> {
    Some(match label {
        Label::Upload { .. } => return None,
        Label::BeginEvent => StepKind::BeginEvent,
        Label::FileRights => StepKind::FileRights,
        Label::PluginHook { plugin, .. } => StepKind::PluginHook { plugin: plugin.into() },
        Label::DatabaseCheck => StepKind::DatabaseCheck,
        Label::TableCheck { table } => StepKind::TableCheck { table: table.into() },
        Label::DatabaseDump => StepKind::DatabaseDump,
        Label::CachePersistence => StepKind::CachePersistence,
        Label::Archive => StepKind::Archive,
        Label::CleanOld => StepKind::CleanOld,
        Label::SizeLimit { limit_mb } => StepKind::SizeLimit { limit_mb },
        Label::EndEvent => StepKind::EndEvent,
    })
}

/// One step of a line's plan, borrowing the line. Offsets are bytes of the decoded line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Act<'a> {
    /// `<label>...OK` from `i`: a step done on its line (the commonest line); the label ends
    /// at `i + n` (`end` without trailing blanks), the `OK` follows. Last of its line.
    StepOk {
        kind: StepKind,
        evidence: Option<Generation>,
        i: usize,
        end: usize,
        n: usize,
        reflow: bool,
    },
    /// A segment at `i..end`; `first`/`last`: whether it starts/ends the line's text;
    /// `reflow`: a segment Jeedom writes at a line start found inside the line.
    Seg {
        seg: Seg<'a>,
        i: usize,
        end: usize,
        first: bool,
        last: bool,
        reflow: bool,
    },
    /// Text that is no segment, at `i..end`.
    Noise { i: usize, end: usize },
}

/// Works out the plan of a line from `i` (after its leading blanks): its segments, split at
/// each marker, and the free text between them. A pure function of the text; the run builder
/// then applies each step ([`Builder::apply`]).
pub(crate) struct Planner<'a> {
    text: &'a str,
    i: usize,
    first: bool,
    done: bool,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(text: &'a str, i: usize) -> Self {
        Planner {
            text,
            i,
            first: true,
            done: false,
        }
    }
}

impl<'a> Iterator for Planner<'a> {
    type Item = Act<'a>;

    fn next(&mut self) -> Option<Act<'a>> {
        let text = self.text;
        let i = self.i;
        if self.done || i >= text.len() {
            return None;
        }
        let first = self.first;
        let rest = text.get(i..).unwrap_or("");
        // Most lines end with a bare `OK` after their label.
        let seg = if rest.as_bytes() == b"OK" {
            Some((Seg::Ok, 2))
        } else {
            classify(rest)
        };
        let act = match seg {
            Some((seg, n)) => {
                let end = trim_end_at(text, i, i + n);
                let reflow = !first && seg.starts_line();
                // The commonest line, `<label>...OK`: the step is done on its line.
                if text.as_bytes().get(i + n..) == Some(b"OK")
                    && let Seg::Label { label, .. } = &seg
                {
                    let evidence = seg.evidence();
                    if let Some(kind) = step_kind(label.clone()) {
                        self.done = true;
                        return Some(Act::StepOk {
                            kind,
                            evidence,
                            i,
                            end,
                            n,
                            reflow,
                        });
                    }
                }
                let last = skip_ws(text, i + n) >= text.len();
                self.i = i + n.max(1);
                Act::Seg {
                    seg,
                    i,
                    end,
                    first,
                    last,
                    reflow,
                }
            }
            None => {
                let n = find_marker(rest).unwrap_or(rest.len());
                let end = trim_end_at(text, i, i + n);
                self.i = i + n.max(1);
                Act::Noise { i, end }
            }
        };
        self.first = false;
        self.i = skip_ws(text, self.i);
        Some(act)
    }
}

impl Builder {
    #[inline(always)]
    fn line<F: FnMut(Out<'_>)>(&mut self, d: &Decoded<'_>, line: u32, out: &mut F) {
        let text: &str = &d.text;
        let i = skip_ws(text, 0);
        let at = |s: usize, e: usize| LineRef {
            line,
            span: d.abs(s)..d.abs(e),
        };
        if i >= text.len() {
            // A blank line ends a 4.5 message; it means nothing else.
            self.end_continuation(out);
            return;
        }
        match self.ctx {
            Ctx::Normal => {}
            Ctx::Details => {
                if !starts_with_marker(text.get(i..).unwrap_or("")) {
                    let end = trim_end_at(text, i, text.len());
                    // Kept with its indentation: a PHP trace is nested.
                    self.details_line(text.get(..end).unwrap_or(""), at(i, end));
                    return;
                }
                self.ctx = Ctx::Normal;
            }
            Ctx::Continuation { in_run, lines } => {
                let rest = text.get(i..).unwrap_or("");
                if lines < MAX_CONTINUATION_LINES && classify(rest).is_none() {
                    let end = trim_end_at(text, i, text.len());
                    let piece = text.get(..end).unwrap_or("");
                    let target = if in_run {
                        self.run.as_mut().and_then(|r| r.logger_lines.last_mut())
                    } else {
                        self.loose.as_mut()
                    };
                    if let Some(l) = target {
                        append_capped(&mut l.message, &redacted(piece), MAX_MESSAGE);
                        l.last_line = line;
                    }
                    if in_run {
                        self.extend(&at(i, end));
                    }
                    self.ctx = Ctx::Continuation {
                        in_run,
                        lines: lines + 1,
                    };
                    return;
                }
                self.end_continuation(out);
            }
        }
        for act in Planner::new(text, i) {
            self.apply(act, d, line, out);
        }
    }

    /// Carries out one step of a line's plan.
    fn apply<F: FnMut(Out<'_>)>(&mut self, act: Act<'_>, d: &Decoded<'_>, line: u32, out: &mut F) {
        let at = |s: usize, e: usize| LineRef {
            line,
            span: d.abs(s)..d.abs(e),
        };
        match act {
            Act::StepOk {
                kind,
                evidence,
                i,
                end,
                n,
                reflow,
            } => {
                if reflow {
                    self.reflowed = true;
                }
                if kind.phase().is_some_and(|p| self.passed_phase(p)) {
                    // See `Seg::Label` in `segment`: another log's run starts here.
                    self.close_run(out);
                }
                self.step(kind, at(i, end), Some(at(i + n, i + n + 2)));
                self.narrow(evidence);
            }
            Act::Seg {
                seg,
                i,
                end,
                first,
                last,
                reflow,
            } => {
                if reflow {
                    self.reflowed = true;
                }
                self.segment(seg, at(i, end), first, last, out);
            }
            Act::Noise { i, end } => {
                let piece = d.text.get(i..end).unwrap_or("");
                self.noise(piece, at(i, end), d, i, out);
            }
        }
    }

    /// Grows the open run's extent to include `at`.
    #[inline]
    fn extend(&mut self, at: &LineRef) {
        if let Some(r) = self.run.as_mut() {
            r.lines.last = r.lines.last.max(at.line);
            r.span.end = r.span.end.max(at.span.end);
        }
    }

    fn open_run<F: FnMut(Out<'_>)>(&mut self, at: &LineRef, out: &mut F) -> &mut Run {
        self.close_run(out);
        let run = new_run(&mut self.spare, at);
        self.run.insert(run)
    }

    /// The open run, or a new one cut at its start.
    fn ensure_run(&mut self, at: &LineRef) -> &mut Run {
        let spare = &mut self.spare;
        self.run.get_or_insert_with(|| new_run(spare, at))
    }

    fn close_run<F: FnMut(Out<'_>)>(&mut self, out: &mut F) {
        self.pending = None;
        // The end banner without the marker after it: the backup succeeded, the text lost
        // the marker's line (see `RunEnd::Success`).
        if let Some(r) = self.run.as_mut()
            && matches!(r.end, RunEnd::Unterminated)
            && let Some(banner) = &r.end_banner
        {
            r.end = RunEnd::Success {
                at: banner.clone(),
                without_marker: true,
            };
        }
        if matches!(self.ctx, Ctx::Details | Ctx::Continuation { in_run: true, .. }) {
            self.ctx = Ctx::Normal;
        }
        if self.run.is_some() {
            // An owning consumer takes the run; a borrowing one leaves it, and its vectors
            // are reused for the next run (no allocation per run when streaming).
            out(Out::Run(&mut self.run));
            if let Some(r) = self.run.take() {
                self.spare.push(r);
            }
        }
    }

    fn end_continuation<F: FnMut(Out<'_>)>(&mut self, out: &mut F) {
        if matches!(self.ctx, Ctx::Continuation { .. }) {
            self.ctx = Ctx::Normal;
        }
        if let Some(l) = self.loose.take() {
            out(Out::Item(LogItem::LooseLogger(l)));
        }
    }

    fn finish<F: FnMut(Out<'_>)>(&mut self, out: &mut F) {
        self.end_continuation(out);
        self.close_run(out);
    }

    fn unknown<F: FnMut(Out<'_>)>(&mut self, at: LineRef, out: &mut F) {
        out(Out::Item(LogItem::Unknown(at)));
    }

    fn details_line(&mut self, text: &str, at: LineRef) {
        if let Some(r) = self.run.as_mut()
            && let RunEnd::Failed { details, .. } = &mut r.end
        {
            let d = details.get_or_insert_with(String::new);
            append_capped(d, &redacted(text), MAX_DETAILS);
        }
        self.extend(&at);
    }

    /// Text that is not a segment: sub-command output inside a step or an upload, or unknown.
    fn noise<F: FnMut(Out<'_>)>(&mut self, piece: &str, at: LineRef, d: &Decoded<'_>, start: usize, out: &mut F) {
        if piece.is_empty() {
            return;
        }
        let Some(pending) = self.pending else {
            return self.unknown(at, out);
        };
        // Output printed without a final line break, so the `OK` is glued to it:
        // `putting file … (average 25.2 kb/s)OK`.
        let b = piece.as_bytes();
        let glued_ok = b.len() > 2
            && b.ends_with(b"OK")
            && b.get(b.len() - 3)
                .is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'_');
        let (noise_at, ok_at) = if glued_ok {
            let cut = start + b.len() - 2;
            let noise_end = d.abs(cut);
            (
                LineRef {
                    line: at.line,
                    span: at.span.start..noise_end,
                },
                Some(LineRef {
                    line: at.line,
                    span: noise_end..at.span.end,
                }),
            )
        } else {
            (at, None)
        };
        self.extend(&noise_at);
        if let Some(r) = self.run.as_mut() {
            match pending {
                Pending::Step(i) => {
                    if let Some(s) = r.steps.get_mut(i) {
                        s.output_count = s.output_count.saturating_add(1);
                        if s.output.len() < OUTPUT_KEPT {
                            s.output.push(noise_at);
                        }
                    }
                }
                Pending::Upload(i) => {
                    if let Some(u) = r.uploads.get_mut(i) {
                        note_noise(u, noise_at);
                    }
                }
            }
        }
        if let Some(ok) = ok_at {
            self.complete(Seg::Ok, ok);
        }
    }

    /// A step or upload label. `ok`: the `OK` that follows on the same line, if any (the step
    /// is then recorded done, nothing waits).
    fn label(&mut self, label: Label<'_>, at: LineRef, ok: Option<LineRef>) {
        match label {
            Label::Upload { repo } => self.upload(repo, at, ok),
            label => {
                if let Some(kind) = step_kind(label) {
                    self.step(kind, at, ok);
                }
            }
        }
    }

    /// The open run (or a new one cut at its start), grown to `at` and `ok`; nothing waits.
    fn run_for_label(&mut self, at: &LineRef, ok: Option<&LineRef>) -> &mut Run {
        self.pending = None;
        let spare = &mut self.spare;
        let r = self.run.get_or_insert_with(|| new_run(spare, at));
        r.lines.last = r.lines.last.max(at.line);
        r.span.end = r.span.end.max(ok.map_or(at.span.end, |o| o.span.end));
        r
    }

    /// `Send backup <repo>...`: the upload waits for its `OK`.
    fn upload(&mut self, repo: &str, at: LineRef, ok: Option<LineRef>) {
        let r = self.run_for_label(&at, ok.as_ref());
        r.uploads.push(Upload {
            repo: Repo::from_name(repo),
            outcome: UploadOutcome::Unfinished,
            at,
            failure_at: None,
            ok_at: None,
            noise: Vec::new(),
            noise_count: 0,
        });
        self.pending = Some(Pending::Upload(r.uploads.len() - 1));
    }

    /// A step label: done when `ok` is given, else the step waits for its result.
    #[inline]
    fn step(&mut self, kind: StepKind, at: LineRef, ok: Option<LineRef>) {
        let r = self.run_for_label(&at, ok.as_ref());
        let result = if ok.is_some() {
            StepResult::Ok
        } else {
            StepResult::Unfinished
        };
        let waits = ok.is_none();
        r.steps.push(Step {
            kind,
            result,
            at,
            result_at: ok,
            output: Vec::new(),
            output_count: 0,
        });
        if waits {
            self.pending = Some(Pending::Step(r.steps.len() - 1));
        }
    }

    /// `OK` / `NOK` / a failure for whatever waits for it.
    fn complete(&mut self, seg: Seg<'_>, at: LineRef) -> bool {
        let (Some(pending), Some(r)) = (self.pending, self.run.as_mut()) else {
            return false;
        };
        match pending {
            Pending::Step(i) => {
                let Some(s) = r.steps.get_mut(i) else {
                    return false;
                };
                let result = match seg {
                    Seg::Ok => StepResult::Ok,
                    Seg::Nok => StepResult::Nok,
                    Seg::Failure { message: m, .. } => StepResult::Failed { message: message(m) },
                    _ => return false,
                };
                if !matches!(s.result, StepResult::Failed { .. }) {
                    s.result = result;
                }
                s.result_at = Some(at.clone());
            }
            Pending::Upload(i) => {
                let Some(u) = r.uploads.get_mut(i) else {
                    return false;
                };
                match seg {
                    Seg::Ok | Seg::Nok => {
                        if u.outcome == UploadOutcome::Unfinished {
                            u.outcome = UploadOutcome::Ok;
                        }
                        u.ok_at = Some(at.clone());
                    }
                    _ => return false,
                }
            }
        }
        self.pending = None;
        self.extend(&at);
        true
    }

    /// Handles one recognised segment. `first`/`last`: whether it starts/ends its line.
    fn segment<F: FnMut(Out<'_>)>(&mut self, seg: Seg<'_>, at: LineRef, first: bool, last: bool, out: &mut F) {
        let evidence = seg.evidence();
        match seg {
            Seg::StartMarker => {
                let r = self.open_run(&at, out);
                r.start_marker = Some(at.clone());
            }
            Seg::Banner { time, .. } => {
                let fresh = self.run.as_ref().is_some_and(|r| {
                    r.start.is_none()
                        && r.steps.is_empty()
                        && r.uploads.is_empty()
                        && r.archive.is_none()
                        && r.end_banner.is_none()
                        && matches!(r.end, RunEnd::Unterminated)
                });
                if !fresh {
                    self.open_run(&at, out);
                }
                self.pending = None;
                let r = self.ensure_run(&at);
                r.start = time.map(|t| (t, at.clone()));
            }
            Seg::EndBanner { .. } => {
                self.pending = None;
                self.ensure_run(&at).end_banner = Some(at.clone());
            }
            Seg::EndSuccess => {
                self.pending = None;
                let r = self.ensure_run(&at);
                if !matches!(r.end, RunEnd::Failed { .. }) {
                    r.end = RunEnd::Success {
                        at: at.clone(),
                        without_marker: false,
                    };
                }
                self.extend(&at);
                self.narrow(evidence);
                return self.close_run(out);
            }
            Seg::EndError => {
                self.pending = None;
                let r = self.ensure_run(&at);
                match &mut r.end {
                    RunEnd::Failed { end_marker, .. } => *end_marker = Some(at.clone()),
                    end => {
                        *end = RunEnd::Failed {
                            message: None,
                            details: None,
                            at: at.clone(),
                            end_marker: Some(at.clone()),
                        }
                    }
                }
                self.extend(&at);
                self.narrow(evidence);
                return self.close_run(out);
            }
            Seg::Logger {
                time,
                level,
                form,
                message: m,
            } => {
                let l = LoggerLine {
                    time,
                    level,
                    form,
                    message: message(m),
                    mid_line: !first,
                    at: at.clone(),
                    last_line: at.line,
                };
                let in_run = self.run.is_some();
                match self.run.as_mut() {
                    Some(r) => r.logger_lines.push(l),
                    None => {
                        self.end_continuation(out);
                        self.loose = Some(l);
                    }
                }
                if form == LoggerForm::Bare && last {
                    self.ctx = Ctx::Continuation { in_run, lines: 0 };
                } else if !in_run {
                    self.end_continuation(out);
                }
            }
            Seg::BeginFailure { message: m, .. } => {
                let pending_begin = match self.pending {
                    Some(Pending::Step(i)) => self
                        .run
                        .as_ref()
                        .and_then(|r| r.steps.get(i))
                        .is_some_and(|s| s.kind == StepKind::BeginEvent),
                    _ => false,
                };
                let failed = StepResult::Failed { message: message(m) };
                let r = self.ensure_run(&at);
                let target = if pending_begin { r.steps.last_mut() } else { None };
                match target {
                    Some(s) => {
                        s.result = failed;
                        s.result_at = Some(at.clone());
                    }
                    None => r.steps.push(Step {
                        kind: StepKind::BeginEvent,
                        result: failed,
                        at: at.clone(),
                        result_at: Some(at.clone()),
                        output: Vec::new(),
                        output_count: 0,
                    }),
                }
            }
            Seg::Label { label, .. } => {
                if let Some(phase) = step_kind(label.clone()).and_then(|k| k.phase())
                    && self.passed_phase(phase)
                {
                    // A step the open run is already past: a second log pasted after this
                    // one's unfinished run starts here, cut at its start (no phantom run
                    // made of the two).
                    self.close_run(out);
                }
                self.label(label, at.clone(), None);
            }
            Seg::Exclude { plugin, subfolder, .. } => {
                let e = Exclude {
                    plugin: plugin.into(),
                    subfolder: subfolder.into(),
                    at: at.clone(),
                };
                self.ensure_run(&at).excludes.push(e);
            }
            Seg::RemoteDeletion { detail } => {
                let repo = match (self.pending, self.run.as_ref()) {
                    (Some(Pending::Upload(i)), Some(r)) => r.uploads.get(i).map(|u| u.repo.clone()),
                    _ => None,
                };
                let d = RemoteDeletion {
                    repo: repo.unwrap_or(Repo::Samba),
                    file_name: json_file_name(detail).map(|n| n.to_owned()),
                    detail: detail.to_owned(),
                    at: at.clone(),
                };
                self.ensure_run(&at).remote_deletions.push(d);
            }
            Seg::MarketDeletion { file } => {
                let d = RemoteDeletion {
                    repo: Repo::Market,
                    file_name: (!file.is_empty()).then(|| file.to_owned()),
                    detail: file.to_owned(),
                    at: at.clone(),
                };
                self.ensure_run(&at).remote_deletions.push(d);
            }
            Seg::MarketNote => {
                let upload = match (self.pending, self.run.as_mut()) {
                    (Some(Pending::Upload(i)), Some(r)) => r.uploads.get_mut(i),
                    _ => None,
                };
                match upload {
                    Some(u) => note_noise(u, at.clone()),
                    None => return self.unknown(at, out),
                }
            }
            Seg::Deletion { path, .. } => {
                let d = Deletion {
                    path: path.to_owned(),
                    at: at.clone(),
                };
                self.ensure_run(&at).deletions.push(d);
            }
            Seg::ArchiveName { path, .. } => {
                self.pending = None;
                let a = archive(path, at.clone());
                self.ensure_run(&at).archive = Some(a);
            }
            Seg::Duration { secs, .. } => {
                self.pending = None;
                self.ensure_run(&at).duration = Some((secs, at.clone()));
            }
            Seg::Failure {
                message: m, details, ..
            } => {
                self.ensure_run(&at);
                if matches!(self.pending, Some(Pending::Step(_))) {
                    self.complete(seg.clone(), at.clone());
                }
                self.pending = None;
                let failed_before = self
                    .run
                    .as_ref()
                    .is_some_and(|r| matches!(r.end, RunEnd::Failed { .. }));
                if !failed_before {
                    let details = details.map(message);
                    let message = Some(message(m));
                    let r = self.ensure_run(&at);
                    r.end = RunEnd::Failed {
                        message,
                        details,
                        at: at.clone(),
                        end_marker: None,
                    };
                }
                if last {
                    self.ctx = Ctx::Details;
                }
            }
            Seg::Details { text, .. } => {
                let failed = self
                    .run
                    .as_ref()
                    .is_some_and(|r| matches!(r.end, RunEnd::Failed { .. }));
                if !failed {
                    return self.unknown(at, out);
                }
                self.details_line(text, at.clone());
                if last {
                    self.ctx = Ctx::Details;
                }
            }
            Seg::UploadFailure { message: m } => {
                let target = match (self.pending, self.run.as_mut()) {
                    (Some(Pending::Upload(i)), Some(r)) => r.uploads.get_mut(i),
                    (_, Some(r)) => r.uploads.last_mut().filter(|u| u.ok_at.is_none()),
                    _ => None,
                };
                // The closing sign of a message spread over several lines (4.5 keeps the
                // exception's line breaks: `/!\ Erreur … ⏎ … /!\OK`) is not a second failure:
                // the message is the opening line's, and the `OK` ends the upload.
                let closing = (m.is_empty() || m == "OK")
                    && target
                        .as_ref()
                        .is_some_and(|u| matches!(u.outcome, UploadOutcome::Failed { .. }));
                match target {
                    Some(_) if closing => {
                        if m == "OK" && !self.complete(Seg::Ok, at.clone()) {
                            return self.unknown(at, out);
                        }
                    }
                    Some(u) => {
                        u.outcome = UploadOutcome::Failed { message: message(m) };
                        u.failure_at = Some(at.clone());
                    }
                    None => return self.unknown(at, out),
                }
            }
            Seg::Ok | Seg::Nok => {
                if !self.complete(seg, at.clone()) {
                    return self.unknown(at, out);
                }
            }
        }
        self.extend(&at);
        self.narrow(evidence);
    }

    /// Whether the open run already printed a step of a later phase than `phase` (its
    /// phases never go down, so the last phased step is the furthest).
    fn passed_phase(&self, phase: u8) -> bool {
        self.run.as_ref().is_some_and(|r| {
            r.steps
                .iter()
                .rev()
                .find_map(|s| s.kind.phase())
                .is_some_and(|p| p > phase)
        })
    }

    fn narrow(&mut self, evidence: Option<Generation>) {
        if let (Some(e), Some(r)) = (evidence, self.run.as_mut()) {
            r.generation.narrow(e);
        }
    }
}

/// Whether a marker (a segment that is not `OK`, `NOK` or `Details :`) starts `text`.
fn starts_with_marker(text: &str) -> bool {
    matches!(classify(text), Some((seg, _)) if !matches!(seg, Seg::Ok | Seg::Nok | Seg::Details { .. }))
}

// ---- pull interface -----------------------------------------------------------------------------

/// Pull-based streaming over any reader: an iterator of [`LogItem`]s, reading 256 KiB at a
/// time. After the last item, [`RunReader::text_info`] gives the facts about the whole text.
///
/// ```no_run
/// use infobackup_log::log::{LogItem, RunReader};
/// let file = std::fs::File::open("backup.log")?;
/// let mut reader = RunReader::new(file);
/// for item in &mut reader {
///     if let LogItem::Run(run) = item? {
///         println!("{} → {:?}", run.generation, run.end);
///     }
/// }
/// println!("{} lines", reader.text_info().map_or(0, |i| i.line_count));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct RunReader<R> {
    reader: R,
    parser: Option<Parser>,
    queue: VecDeque<LogItem>,
    buf: Vec<u8>,
    info: Option<TextInfo>,
}

impl<R: Read> RunReader<R> {
    pub fn new(reader: R) -> Self {
        RunReader {
            reader,
            parser: Some(Parser::new()),
            queue: VecDeque::new(),
            buf: vec![0; READ_CHUNK],
            info: None,
        }
    }

    /// The facts about the whole text, once the iterator has returned `None` (or
    /// [`RunReader::for_each_ref`] has returned).
    pub fn text_info(&self) -> Option<&TextInfo> {
        self.info.as_ref()
    }

    /// Reads everything that is left, lending each item to `f` instead of allocating it: the
    /// fast way to stream a large log when the consumer only looks at each run (see
    /// [`Parser::feed_ref`]). Stops at the first read error.
    pub fn for_each_ref<F: FnMut(LogItemRef<'_>)>(&mut self, mut f: F) -> io::Result<()> {
        while let Some(item) = self.queue.pop_front() {
            f(item.as_item_ref());
        }
        loop {
            let Some(parser) = self.parser.as_mut() else {
                return Ok(());
            };
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    if let Some(parser) = self.parser.take() {
                        self.info = Some(parser.finish_ref(&mut f));
                    }
                    return Ok(());
                }
                Ok(n) => parser.feed_ref(self.buf.get(..n).unwrap_or_default(), &mut f),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.parser = None;
                    return Err(e);
                }
            }
        }
    }
}

impl<R: Read> Iterator for RunReader<R> {
    type Item = io::Result<LogItem>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(Ok(item));
            }
            let parser = self.parser.as_mut()?;
            let queue = &mut self.queue;
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    let parser = self.parser.take()?;
                    self.info = Some(parser.finish(&mut |item| queue.push_back(item)));
                }
                Ok(n) => parser.feed(self.buf.get(..n).unwrap_or_default(), &mut |item| queue.push_back(item)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.parser = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Collects [`LogItem`]s into a [`LogModel`].
#[derive(Debug, Default)]
pub struct ModelBuilder {
    runs: Vec<Run>,
    loose: Vec<LoggerLine>,
    unknown: Vec<LineRef>,
}

impl ModelBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, item: LogItem) {
        match item {
            LogItem::Run(r) => self.runs.push(*r),
            LogItem::LooseLogger(l) => self.loose.push(l),
            LogItem::Unknown(u) => self.unknown.push(u),
        }
    }

    /// The model, with its runs put in time order when the text held them newest first.
    pub fn finish(self, info: TextInfo) -> LogModel {
        let mut runs = self.runs;
        let run_order = RunOrder::detect(&runs);
        if run_order == RunOrder::NewestFirst {
            runs.reverse();
        }
        LogModel {
            runs,
            run_order,
            loose_logger_lines: self.loose,
            unknown: self.unknown,
            reflowed: info.reflowed,
            quoted: info.quoted,
            encoding: info.encoding,
            windows1252_lines: info.windows1252_lines,
            line_endings: info.line_endings,
            line_count: info.line_count,
            byte_count: info.byte_count,
            nul_bytes: info.nul_bytes,
            overlong_lines: info.overlong_lines,
        }
    }
}
