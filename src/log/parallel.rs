//! Parallel streaming of one large log, still step 1→2 of the data flow (**log text → parsed
//! run**): the input is cut into pieces just before `[START BACKUP]` lines, each piece is parsed
//! by its own [`Parser`] on a worker thread, and the items come out in input order, identical to
//! what one sequential [`super::RunReader`] yields (same items, same line numbers, same spans,
//! same [`TextInfo`]).
//!
//! # Why a cut there is exact
//! A line that is exactly `[START BACKUP]` resets every piece of the parser's state: it ends a
//! failure's details and a 4.5 logger message, closes the open run and clears what waited for an
//! `OK`. So a fresh parser that starts on that line produces what the sequential one would, but
//! for three things that the driver mends:
//! - **line numbers**: a piece's parser counts from 0; the driver adds the lines of the pieces
//!   before it (`shift_item`) when it hands the items on, in order;
//! - **the text facts** ([`TextInfo`]): summed over the pieces (line ends, NUL bytes, Windows-1252
//!   lines, overlong lines), the encoding's BOM taken from the first piece;
//! - **the forum-quote state**: once a quoted line was read, later `>` lines lose their prefix
//!   whatever follows. A piece that ends in that state makes the driver stop speculating: the
//!   pieces parsed ahead are thrown away and the rest is parsed sequentially by a parser resumed
//!   in that state (`Parser::resume`). Forum pastes are small; a 1 GB log never pays this.
//!
//! A piece boundary needs the marker line's preceding `\n` and its own line end in the same
//! buffer; a log without such lines (CR line ends, one reflowed line) is parsed sequentially,
//! one buffer after another, on a single worker.
//!
//! # Memory
//! Pieces are read in [`BLOCK`]-sized buffers (the tail after the last cut moves to the next
//! buffer); at most two pieces per thread are in flight, and buffers and runs are reused (a run
//! goes back to the thread that built it).
//!
//! # Speed
//! On the project's 2-core machine two threads give only 1.0–1.4× one thread's throughput: they
//! use about 1.6× the CPU time of one thread for 8 % more instructions. The cause is not
//! established (two separate single-thread processes did not always slow each other; see
//! BENCHMARKS.md), so most of the gain must come from the parser itself. Peak memory is a few
//! buffers plus the items of the pieces in flight, whatever the size of the input.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, LazyLock, mpsc};

use super::model::*;
use super::parser::{LogItem, LogItemRef, Parser};

/// Size of the buffers the input is read in, and the least a piece holds (but the last).
pub const BLOCK: usize = 512 * 1024;

/// What one parser is fed at a time when parsing sequentially.
const SLICE: usize = 64 * 1024;

/// The start of a cut: the line end before a `[START BACKUP]` line.
const MARKER: &[u8] = b"\n[START BACKUP]";

static FINDER: LazyLock<memchr::memmem::FinderRev<'static>> = LazyLock::new(|| memchr::memmem::FinderRev::new(MARKER));

/// How many parsing threads [`for_each`] is given by default: the cores this process may use.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The offset in `buf` (above 0) of the last line that is exactly `[START BACKUP]`, ended by
/// `\n` or `\r\n` inside `buf`: where the next piece may start.
fn last_cut(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(k) = buf.get(..end).and_then(|b| FINDER.rfind(b)) {
        let start = k + 1;
        let after = start + MARKER.len() - 1;
        match (buf.get(after), buf.get(after + 1)) {
            (Some(b'\n'), _) | (Some(b'\r'), Some(b'\n')) => return Some(start),
            _ => end = k,
        }
    }
    None
}

/// Streams everything `reader` gives through `threads` parsers, handing each item to `sink`
/// in input order. Returns the facts about the whole text, as [`Parser::finish`] does.
///
/// Below one [`BLOCK`] of input, or with `threads <= 1`, no thread is started: the items come
/// from one sequential parser. Stops at the first read error.
pub fn for_each<R: Read, F: FnMut(LogItem)>(reader: R, threads: usize, sink: F) -> io::Result<TextInfo> {
    for_each_sized(reader, threads, BLOCK, sink)
}

/// [`for_each`] with buffers of `block` bytes (at least 1) instead of [`BLOCK`]: small sizes cut
/// a log into many pieces, which is how the tests check that any cut gives the same items.
pub fn for_each_sized<R: Read, F: FnMut(LogItem)>(
    reader: R,
    threads: usize,
    block: usize,
    mut sink: F,
) -> io::Result<TextInfo> {
    drive(reader, threads, block.max(1), &mut |item| {
        sink(item);
        None
    })
}

/// [`for_each`], lending each item (the consumer only looks: counts, checks).
pub fn for_each_ref<R: Read, F: FnMut(LogItemRef<'_>)>(reader: R, threads: usize, mut f: F) -> io::Result<TextInfo> {
    // Each run, once looked at, goes back to a parser for reuse: no allocation per run.
    drive(reader, threads, BLOCK, &mut |item: LogItem| {
        f(item.as_item_ref());
        match item {
            LogItem::Run(r) => Some(r),
            _ => None,
        }
    })
}

/// Where items go: a consumer that may give a run back for reuse.
trait Sink: FnMut(LogItem) -> Option<Box<Run>> {}
impl<T: FnMut(LogItem) -> Option<Box<Run>>> Sink for T {}

/// Reads into `buf` until it holds `target` bytes or the input ends. `true` at the end.
fn fill(reader: &mut impl Read, buf: &mut Vec<u8>, target: usize) -> io::Result<bool> {
    let want = target.saturating_sub(buf.len());
    if want == 0 {
        return Ok(false);
    }
    let got = reader.by_ref().take(want as u64).read_to_end(buf)?;
    Ok(got < want)
}

/// Sequential parsing of what is left: `held` buffers first, then the reader to its end.
fn sequential<R: Read>(
    mut parser: Parser,
    held: impl IntoIterator<Item = Arc<Vec<u8>>>,
    mut buf: Vec<u8>,
    eof: bool,
    reader: &mut R,
    block: usize,
    sink: &mut impl Sink,
) -> io::Result<TextInfo> {
    // The runs the consumer gives back are reused after each small slice, so only a slice's
    // worth of runs is ever alive.
    let mut back = Vec::new();
    let mut feed = |parser: &mut Parser, chunk: &[u8]| {
        for slice in chunk.chunks(SLICE) {
            parser.feed(slice, &mut |item| back.extend(sink(item)));
            back.drain(..).for_each(|r| parser.recycle(r));
        }
    };
    for block in held {
        feed(&mut parser, &block);
    }
    feed(&mut parser, &buf);
    if !eof {
        loop {
            buf.clear();
            let end = fill(reader, &mut buf, block)?;
            feed(&mut parser, &buf);
            if end {
                break;
            }
        }
    }
    Ok(parser.finish(&mut |item| {
        sink(item);
    }))
}

/// One piece (or the next buffer of a piece too long for one) for a worker.
struct Job {
    block: Arc<Vec<u8>>,
    /// Input offset of the block's first byte.
    offset: u64,
    /// The block starts a piece: a new parser.
    starts: bool,
    /// The block ends its piece: the parser finishes.
    ends: bool,
    /// Runs the consumer is done with, for the parser to reuse.
    // Boxed: a run moves between the parser, the consumer and back without being copied.
    #[allow(clippy::vec_box)]
    spares: Vec<Box<Run>>,
}

/// What a worker made of a job: the items, relative line numbers; the piece's text facts when
/// the job ended it.
struct Done {
    items: Vec<LogItem>,
    info: Option<TextInfo>,
}

/// Parses one job with the parser of its piece (a new one when the job starts a piece).
fn run_job(parser: &mut Option<Parser>, job: Job) -> Done {
    let Job {
        block,
        offset,
        starts,
        ends,
        spares,
    } = job;
    if starts || parser.is_none() {
        *parser = Some(if offset == 0 {
            Parser::new()
        } else {
            Parser::resume(offset, 0, false)
        });
    }
    let mut items = Vec::new();
    if let Some(p) = parser.as_mut() {
        spares.into_iter().for_each(|r| p.recycle(r));
        p.feed(&block, &mut |item| items.push(item));
    }
    // Give the buffer back before saying so, so the driver can reuse it.
    drop(block);
    let info = if ends {
        parser.take().map(|p| p.finish(&mut |item| items.push(item)))
    } else {
        None
    };
    Done { items, info }
}

fn worker(jobs: mpsc::Receiver<Job>, done: mpsc::Sender<Done>) {
    let mut parser: Option<Parser> = None;
    for job in jobs {
        if done.send(run_job(&mut parser, job)).is_err() {
            return;
        }
    }
}

/// A job sent and not yet handed on.
struct Flight {
    /// Who parses it: a worker thread, or the driver itself (`threads - 1`).
    by: usize,
    /// The driver's own result, when it parsed the job itself.
    done: Option<Done>,
    block: Arc<Vec<u8>>,
    offset: u64,
}

/// The text facts of the whole input, from those of its pieces in order.
#[derive(Default)]
struct Totals {
    info: TextInfo,
    pieces: usize,
}

impl Totals {
    fn add(&mut self, piece: &TextInfo) {
        let t = &mut self.info;
        if self.pieces == 0 {
            // Only the first piece can begin with a BOM.
            t.encoding = piece.encoding;
        }
        self.pieces += 1;
        t.windows1252_lines = t.windows1252_lines.saturating_add(piece.windows1252_lines);
        t.line_endings.lf += piece.line_endings.lf;
        t.line_endings.crlf += piece.line_endings.crlf;
        t.line_endings.cr += piece.line_endings.cr;
        t.line_count = t.line_count.saturating_add(piece.line_count);
        t.byte_count = piece.byte_count;
        t.nul_bytes += piece.nul_bytes;
        t.reflowed |= piece.reflowed;
        t.quoted |= piece.quoted;
        t.overlong_lines = t.overlong_lines.saturating_add(piece.overlong_lines);
        if t.windows1252_lines > 0 {
            t.encoding = Encoding::Windows1252;
        }
    }
}

fn drive<R: Read>(mut reader: R, threads: usize, block: usize, sink: &mut impl Sink) -> io::Result<TextInfo> {
    let mut buf = Vec::with_capacity(block);
    let eof = fill(&mut reader, &mut buf, block)?;
    if eof || threads <= 1 {
        return sequential(Parser::new(), [], buf, eof, &mut reader, block, sink);
    }
    // `threads - 1` worker threads; the driver parses every `threads`-th piece itself, between
    // reading and handing on, so no core waits on a thread that mostly waits.
    let local = threads - 1;
    std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(local);
        for _ in 0..local {
            let (job_tx, job_rx) = mpsc::channel::<Job>();
            let (done_tx, done_rx) = mpsc::channel::<Done>();
            scope.spawn(move || worker(job_rx, done_tx));
            workers.push((job_tx, done_rx));
        }
        let mut own: Option<Parser> = None;
        let max_in_flight = 2 * threads;
        let mut flights: VecDeque<Flight> = VecDeque::new();
        let mut spare: Vec<Vec<u8>> = Vec::new();
        // Runs given back by the consumer, for the next job of the parser that made them.
        let mut runs_back: Vec<Vec<Box<Run>>> = (0..threads).map(|_| Vec::new()).collect();
        let mut totals = Totals::default();
        // Lines of the pieces already handed on: the base of the piece being handed on.
        let mut piece_base = 0u32;
        let (mut offset, mut starts, mut eof, mut piece) = (0u64, true, eof, 0usize);
        loop {
            // Cut the buffer: up to the last `[START BACKUP]` line, or all of it.
            let (len, ends) = if eof {
                (buf.len(), true)
            } else {
                match last_cut(&buf) {
                    Some(p) => (p, true),
                    None => (buf.len(), false),
                }
            };
            let mut next = spare.pop().unwrap_or_else(|| Vec::with_capacity(block));
            next.clear();
            next.extend_from_slice(buf.get(len..).unwrap_or_default());
            buf.truncate(len);
            let data = Arc::new(std::mem::replace(&mut buf, next));
            let by = piece % threads;
            let spares = runs_back.get_mut(by).map(std::mem::take).unwrap_or_default();
            let job = Job {
                block: Arc::clone(&data),
                offset,
                starts,
                ends,
                spares,
            };
            let done = match workers.get(by) {
                Some((tx, _)) => {
                    // A worker only stops when its channel closes: a send cannot fail here.
                    let _ = tx.send(job);
                    None
                }
                None => Some(run_job(&mut own, job)),
            };
            flights.push_back(Flight {
                by,
                done,
                block: data,
                offset,
            });
            offset += len as u64;
            starts = ends;
            if ends {
                piece += 1;
            }
            let last = eof;
            // Hand on what is done, in order, keeping at most `max_in_flight` jobs out.
            while flights.len() >= max_in_flight || (last && !flights.is_empty()) {
                let Some(f) = flights.pop_front() else { break };
                let done = match f.done {
                    Some(d) => d,
                    None => match workers.get(f.by).and_then(|(_, rx)| rx.recv().ok()) {
                        Some(d) => d,
                        // A worker died (a bug): fail loudly rather than lose items.
                        None => return Err(io::Error::other("a log-parsing thread stopped")),
                    },
                };
                let back = runs_back.get_mut(f.by);
                let mut back = back.map(std::mem::take).unwrap_or_default();
                for mut item in done.items {
                    shift_item(&mut item, piece_base);
                    back.extend(sink(item));
                }
                if let Some(v) = runs_back.get_mut(f.by) {
                    *v = back;
                }
                if let Ok(b) = Arc::try_unwrap(f.block) {
                    spare.push(b);
                }
                if let Some(info) = done.info {
                    totals.add(&info);
                    piece_base = totals.info.line_count;
                    if info.quoted && !(last && flights.is_empty()) {
                        // The rest depends on the quote state: parse it in order, with that state.
                        let resume_at = flights.front().map_or(offset, |f| f.offset);
                        let parser = Parser::resume(resume_at, piece_base, true);
                        let held: Vec<_> = flights.drain(..).map(|f| f.block).collect();
                        let rest = sequential(parser, held, buf, last, &mut reader, block, sink)?;
                        let mut rest_piece = rest.clone();
                        rest_piece.line_count = rest.line_count.saturating_sub(piece_base);
                        totals.add(&rest_piece);
                        drop(workers);
                        return Ok(totals.info);
                    }
                }
            }
            if last {
                break;
            }
            eof = fill(&mut reader, &mut buf, block)?;
        }
        drop(workers);
        Ok(totals.info)
    })
}

/// Adds `by` to every line number an item holds.
pub(crate) fn shift_item(item: &mut LogItem, by: u32) {
    if by == 0 {
        return;
    }
    match item {
        LogItem::Run(r) => shift_run(r, by),
        LogItem::LooseLogger(l) => shift_logger(l, by),
        LogItem::Unknown(u) => shift(u, by),
    }
}

fn shift(at: &mut LineRef, by: u32) {
    at.line = at.line.saturating_add(by);
}

fn shift_opt(at: &mut Option<LineRef>, by: u32) {
    if let Some(at) = at {
        shift(at, by);
    }
}

fn shift_logger(l: &mut LoggerLine, by: u32) {
    let LoggerLine {
        time: _,
        level: _,
        form: _,
        message: _,
        mid_line: _,
        at,
        last_line,
    } = l;
    shift(at, by);
    *last_line = last_line.saturating_add(by);
}

/// Every field is named, so a new line-bearing field cannot be forgotten here.
fn shift_run(r: &mut Run, by: u32) {
    let Run {
        generation: _,
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
        span: _,
    } = r;
    shift_opt(start_marker, by);
    if let Some((_, at)) = start {
        shift(at, by);
    }
    for s in steps {
        let Step {
            kind: _,
            result: _,
            at,
            result_at,
            output,
            output_count: _,
        } = s;
        shift(at, by);
        shift_opt(result_at, by);
        output.iter_mut().for_each(|o| shift(o, by));
    }
    for u in uploads {
        let Upload {
            repo: _,
            outcome: _,
            at,
            failure_at,
            ok_at,
            noise,
            noise_count: _,
        } = u;
        shift(at, by);
        shift_opt(failure_at, by);
        shift_opt(ok_at, by);
        noise.iter_mut().for_each(|o| shift(o, by));
    }
    logger_lines.iter_mut().for_each(|l| shift_logger(l, by));
    for e in excludes {
        let Exclude {
            plugin: _,
            subfolder: _,
            at,
        } = e;
        shift(at, by);
    }
    for d in remote_deletions {
        let RemoteDeletion {
            repo: _,
            file_name: _,
            detail: _,
            at,
        } = d;
        shift(at, by);
    }
    for d in deletions {
        let Deletion { path: _, at } = d;
        shift(at, by);
    }
    if let Some(a) = archive {
        let Archive {
            path: _,
            file_name: _,
            box_name: _,
            version: _,
            stamp: _,
            at,
        } = a;
        shift(at, by);
    }
    if let Some((_, at)) = duration {
        shift(at, by);
    }
    shift_opt(end_banner, by);
    match end {
        RunEnd::Success { at } => shift(at, by),
        RunEnd::Failed {
            message: _,
            details: _,
            at,
            end_marker,
        } => {
            shift(at, by);
            shift_opt(end_marker, by);
        }
        RunEnd::Unterminated => {}
    }
    let LineRange { first, last } = lines;
    *first = first.saturating_add(by);
    *last = last.saturating_add(by);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_before_a_whole_start_marker_line() {
        assert_eq!(last_cut(b"x\n[START BACKUP]\nA\n[START BACKUP]\r\nB"), Some(19));
        assert_eq!(last_cut(b"x\n[START BACKUP]\nA\n[START BACKUP] now\n"), Some(2));
        // The marker's line end is not in the buffer yet: not a cut.
        assert_eq!(last_cut(b"x\n[START BACKUP]"), None);
        assert_eq!(last_cut(b"[START BACKUP]\nA"), None);
        assert_eq!(last_cut(b"x\r[START BACKUP]\r"), None);
    }
}
