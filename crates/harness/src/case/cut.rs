//! Cutting a log file to what it held at one moment: after a line number, after the line holding
//! a marker, or before the first line dated later than a time. Byte-exact: a cut is always a
//! prefix of the raw file, line ends and encoding untouched.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use memchr::{memchr, memchr_iter, memmem};

/// Offset just after line `n` (1-based) and its line end; the whole file when it has fewer lines.
pub fn after_line(bytes: &[u8], n: u32) -> usize {
    let mut seen = 0u32;
    for nl in memchr_iter(b'\n', bytes) {
        seen += 1;
        if seen == n {
            return nl + 1;
        }
    }
    bytes.len()
}

/// Offset just after the line holding the `occurrence`-th (1-based) match of `text`, or `None`
/// when the file holds fewer matches.
pub fn after_text(bytes: &[u8], text: &str, occurrence: u32) -> Option<usize> {
    let finder = memmem::Finder::new(text.as_bytes());
    let mut from = 0usize;
    let mut n = 0u32;
    while let Some(i) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
        let at = from + i;
        let end = line_end(bytes, at);
        n += 1;
        if n == occurrence {
            return Some(end);
        }
        // Count each line once, however many matches it holds.
        from = end.max(at + 1);
    }
    None
}

/// Offset just after the line (and its line end) that holds byte `offset`.
pub fn line_end(bytes: &[u8], offset: usize) -> usize {
    match bytes.get(offset..).and_then(|rest| memchr(b'\n', rest)) {
        Some(i) => offset + i + 1,
        None => bytes.len(),
    }
}

/// 1-based number of the line holding byte `offset`.
pub fn line_number(bytes: &[u8], offset: usize) -> u32 {
    let upto = bytes.get(..offset).unwrap_or(bytes);
    u32::try_from(memchr_iter(b'\n', upto).count()).map_or(u32::MAX, |n| n.saturating_add(1))
}

/// Offset of the first line dated strictly after `instant` (its start), or the file's length.
/// A line is dated by a logger prefix `[YYYY-MM-DD HH:MM:SS]` anywhere in it or by a backup
/// banner `Start of Jeedom backup at YYYY-MM-DD HH:MM:SS`; undated lines go with what precedes.
pub fn before_time(bytes: &[u8], tz: &TimeZone, instant: Timestamp) -> usize {
    let mut start = 0usize;
    while start < bytes.len() {
        let end = line_end(bytes, start);
        let line = bytes.get(start..end).unwrap_or(b"");
        if let Some(dt) = line_time(line)
            && tz.to_ambiguous_timestamp(dt).compatible().is_ok_and(|t| t > instant)
        {
            return start;
        }
        start = end;
    }
    bytes.len()
}

/// The dated lines of one file, read once to answer [`before_time`] for many instants (a
/// resolve asks it at every trigger not tied to a run: scanning the file each time was quadratic
/// in a long paste). Exactly [`before_time`] for every instant (tested).
#[derive(Debug, Clone)]
pub struct DatedLines {
    /// Start of each line whose date exists in the zone, in file order.
    starts: Vec<usize>,
    /// The latest of those dates up to each such line (non-decreasing, for a binary search).
    latest: Vec<Timestamp>,
    len: usize,
}

impl DatedLines {
    pub fn new(bytes: &[u8], tz: &TimeZone) -> DatedLines {
        let mut starts = Vec::new();
        let mut latest: Vec<Timestamp> = Vec::new();
        let mut start = 0usize;
        while start < bytes.len() {
            let end = line_end(bytes, start);
            let line = bytes.get(start..end).unwrap_or(b"");
            if let Some(dt) = line_time(line)
                && let Ok(t) = tz.to_ambiguous_timestamp(dt).compatible()
            {
                starts.push(start);
                latest.push(latest.last().map_or(t, |l| t.max(*l)));
            }
            start = end;
        }
        DatedLines {
            starts,
            latest,
            len: bytes.len(),
        }
    }

    /// [`before_time`] of the file: the first line dated after `instant` is the first whose
    /// running latest date is after it.
    pub fn before_time(&self, instant: Timestamp) -> usize {
        let i = self.latest.partition_point(|t| *t <= instant);
        self.starts.get(i).copied().unwrap_or(self.len)
    }
}

const BANNER: &[u8] = b"Start of Jeedom backup at ";

/// The banner's searcher, built once (building one per line showed in profiles).
static BANNER_FINDER: std::sync::LazyLock<memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memmem::Finder::new(BANNER));

/// The first date a line carries (logger prefix or banner), if any.
pub fn line_time(line: &[u8]) -> Option<DateTime> {
    if let Some(i) = BANNER_FINDER.find(line)
        && let Some(dt) = line.get(i + BANNER.len()..i + BANNER.len() + 19).and_then(parse_dt)
    {
        return Some(dt);
    }
    for i in memchr_iter(b'[', line) {
        if line.get(i + 20) == Some(&b']')
            && let Some(dt) = line.get(i + 1..i + 20).and_then(parse_dt)
        {
            return Some(dt);
        }
    }
    None
}

fn parse_dt(b: &[u8]) -> Option<DateTime> {
    let s = std::str::from_utf8(b).ok()?;
    if !s.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b'-',
        10 => c == b' ',
        13 | 16 => c == b':',
        _ => c.is_ascii_digit(),
    }) {
        return None;
    }
    crate::world::parse_at(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_lines_answer_as_before_time_for_every_instant() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let log = b"noise\n[2025-09-10 03:27:01][INFO] a\nStart of Jeedom backup at 2025-09-10 03:20:00\n\
            undated\n[2025-09-10 03:40:00] b\n[2025-09-10 03:30:00] older again\n\
            [2025-03-30 02:30:00] in the gap\n[2025-09-11 00:00:00] c";
        let dated = DatedLines::new(log, &tz);
        let base = tz
            .to_ambiguous_timestamp(crate::world::parse_at("2025-03-30 00:00:00").unwrap())
            .compatible()
            .unwrap();
        for minutes in (0..=(165 * 24 * 60)).step_by(7) {
            let t = base.checked_add(jiff::SignedDuration::from_mins(minutes)).unwrap();
            assert_eq!(dated.before_time(t), before_time(log, &tz, t), "{t}");
        }
        for s in [
            "2025-09-10 03:27:00",
            "2025-09-10 03:27:01",
            "2025-09-10 03:39:59",
            "2025-09-10 03:40:00",
        ] {
            let t = tz
                .to_ambiguous_timestamp(crate::world::parse_at(s).unwrap())
                .compatible()
                .unwrap();
            assert_eq!(dated.before_time(t), before_time(log, &tz, t), "{s}");
        }
        assert_eq!(DatedLines::new(b"", &tz).before_time(base), 0);
    }

    const LOG: &[u8] = b"[START BACKUP]\r\n***************Start of Jeedom backup at 2025-09-10 03:27:01***************\r\nSend begin backup event...OK\r\nSend backup Market...[2025-09-10 03:29:40][ERROR] : x\r\n[END BACKUP SUCCESS]\r\n";

    #[test]
    fn cuts_keep_line_ends_and_bytes() {
        assert_eq!(&LOG[..after_line(LOG, 1)], b"[START BACKUP]\r\n");
        assert_eq!(after_line(LOG, 99), LOG.len());
        let begin = after_text(LOG, "Send begin backup event", 1).unwrap();
        assert!(LOG[..begin].ends_with(b"event...OK\r\n"));
        assert_eq!(after_text(LOG, "BACKUP", 2), Some(LOG.len()));
        assert_eq!(after_text(LOG, "nowhere", 1), None);
        assert_eq!(line_number(LOG, begin), 4);
    }

    #[test]
    fn a_time_cut_stops_before_the_first_later_line() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let at = |s: &str| {
            tz.to_ambiguous_timestamp(crate::world::parse_at(s).unwrap())
                .compatible()
                .unwrap()
        };
        let cut = before_time(LOG, &tz, at("2025-09-10 03:28:00"));
        assert!(LOG[..cut].ends_with(b"event...OK\r\n"));
        assert_eq!(before_time(LOG, &tz, at("2025-09-10 03:29:40")), LOG.len());
        assert_eq!(before_time(LOG, &tz, at("2025-09-10 03:00:00")), after_line(LOG, 1));
        assert_eq!(
            line_time(b"[2025-09-10 03:29:40][ERROR] msg"),
            Some(crate::world::parse_at("2025-09-10 03:29:40").unwrap())
        );
        assert_eq!(line_time(b"[2025-09-10 3:29:40][ERROR] msg"), None);
    }
}

/// The logger's lines of a text (`[YYYY-MM-DD HH:MM:SS][LEVEL]…` to the line end, also when the
/// prefix starts in the middle of an echoed line): what Jeedom's logger appends to `log/backup`
/// while the daily cron backup echoes its own text into `log/cron_execution`.
pub fn logger_lines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut start = 0usize;
    while start < bytes.len() {
        let end = line_end(bytes, start);
        let line = &bytes[start..end];
        if let Some(i) = (0..line.len()).find(|&i| is_logger_prefix(&line[i..])) {
            out.extend_from_slice(&line[i..]);
            if !out.ends_with(b"\n") {
                out.push(b'\n');
            }
        }
        start = end;
    }
    out
}

/// Whether `s` starts with `[YYYY-MM-DD HH:MM:SS][`.
fn is_logger_prefix(s: &[u8]) -> bool {
    const SHAPE: &[u8] = b"[dddd-dd-dd dd:dd:dd][";
    s.len() >= SHAPE.len()
        && SHAPE.iter().zip(s).all(|(p, c)| match p {
            b'd' => c.is_ascii_digit(),
            p => p == c,
        })
}

#[cfg(test)]
mod logger_tests {
    use super::logger_lines;

    #[test]
    fn only_the_loggers_lines_are_kept_from_where_their_prefix_starts() {
        let text = b"[START BACKUP]\nSend backup Market...[2025-09-10 03:29:40][ERROR] : Aucun serveur\nOK\n[2025-09-10 03:29:41][INFO] : done";
        assert_eq!(
            logger_lines(text),
            b"[2025-09-10 03:29:40][ERROR] : Aucun serveur\n[2025-09-10 03:29:41][INFO] : done\n".to_vec()
        );
        assert!(logger_lines(b"[START BACKUP]\nOK\n").is_empty());
    }
}
