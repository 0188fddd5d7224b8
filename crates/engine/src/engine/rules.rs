//! Pure rules the code block is made of: stamps, the archive-name stamp, the log's error pattern,
//! the `*.gz` glob, the Samba key test. No world, no clock: inputs in, answer out.

use jiff::SignedDuration;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::php::{self, PhpVersion, Value};
use crate::world::LocalFile;

use super::evidence::LogLine;

/// `date('Y-m-d-H\hi', $t)`: `2025-09-10-03h27`.
pub fn stamp(t: DateTime) -> String {
    t.strftime("%Y-%m-%d-%Hh%M").to_string()
}

/// The scenario's "stamp of a file name": `substr($name, -23, -7)`, the 16 characters just
/// before `.tar.gz` for a Jeedom archive name; shorter names give a shorter or empty string.
pub fn file_stamp(name: &[u8]) -> Vec<u8> {
    php::substr(name, -23, Some(-7))
}

/// The Jeedom root the published code assumes (it reads `/var/www/html/log/backup`).
pub const JEEDOM_ROOT: &str = "/var/www/html";

/// Jeedom's `calculPath(config::byKey('backup::path'))`: a path not starting with `/` hangs under
/// `core/php/../../` of the Jeedom root, kept as text (no `..` resolved, a trailing `/` kept),
/// since `glob` returns each match under the folder exactly as it was written.
pub fn backup_dir(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("{JEEDOM_ROOT}/core/php/../../{path}")
    }
}

/// Names shorter than this take part of their stamp from the folder's path.
pub const STAMP_WINDOW: usize = 23;

/// The stamp of a local archive as the published code takes it: `substr($filename, -23, -7)` of
/// the whole path `glob` returned (`<dir>/<name>`). For a name of 23 bytes or more it is
/// [`file_stamp`] of the name alone, and `dir` may be `None`; a shorter name takes bytes of the
/// folder's path (never a valid stamp, but `==` is loose: `true` equals any non-empty text).
pub fn archive_stamp(dir: Option<&str>, name: &str) -> Vec<u8> {
    match dir {
        Some(d) if name.len() < STAMP_WINDOW => file_stamp(format!("{d}/{name}").as_bytes()),
        _ => file_stamp(name.as_bytes()),
    }
}

/// Reads a start stamp back as a local time: the date is the 10 characters ending 6 before the
/// end, the time the last 5 with `h` read as `:`. `None` when that is not a valid time.
pub fn parse_stamp(l: &[u8]) -> Option<DateTime> {
    let date = php::substr(l, -16, Some(10));
    let time: Vec<u8> = php::substr(l, -5, None)
        .into_iter()
        .map(|b| if b == b'h' { b':' } else { b })
        .collect();
    let text = format!(
        "{} {}",
        std::str::from_utf8(&date).ok()?,
        std::str::from_utf8(&time).ok()?
    );
    if text.len() != 16 {
        return None;
    }
    DateTime::strptime("%Y-%m-%d %H:%M", &text).ok()
}

/// The stamps `minutes` minutes after `start`, added in the box's time zone so the addition
/// follows DST jumps (`2025-03-30 01:59` + 1 min is `03:00` in Paris). The published code's
/// `L2` is `later_stamps(L, tz, 1)`.
pub fn later_stamps(start: DateTime, tz: &TimeZone, minutes: u32) -> Vec<String> {
    let Ok(zoned) = tz.to_zoned_datetime(start) else {
        return Vec::new();
    };
    (1..=minutes)
        .filter_map(|k| zoned.checked_add(SignedDuration::from_secs(60 * i64::from(k))).ok())
        .map(|z| stamp(z.datetime()))
        .collect()
}

/// What `strtotime($dateSave . $heureSave)` gives the published code (2023-03 and 2024-08, line
/// 66), where `$dateSave = substr(L, -16, -6)` and `$heureSave` is `substr(L, -5)` with `h` read as
/// `:`. Settled against PHP 8.2 by the differential test (`tests/integration/differential.rs`):
/// - the 15 bytes `YYYY-MM-DDHH:MM` (a start stamp the block wrote, glued without a space) read
///   with PHP's ranges, month 0 to 12, day 0 to 31, hour 0 to 24, minute 0 to 59, and overflow
///   carried as PHP's `mktime` does (`2025-02-30` is March 2, month 0 is the previous December,
///   day 0 the previous month's last day, hour 24 the next day's midnight): the local time;
/// - any other value in those 15 bytes (minute 60, month 13, …), or any text of another length
///   or shape (`""`, `"0"`, `"é"`): `None`, strtotime's `false`, which `+ 60` turns into 60 s
///   after the epoch.
///
/// strtotime reads more than this (a bare letter is a military time zone, `1.5` a time of day,
/// `2025/09/10` another date form); the engine does not imitate those (see the module docs of
/// `faithful`): only a hand-edited virtual holds such a `lastSave`.
pub fn published_start(l: &[u8]) -> Option<DateTime> {
    let mut text = php::substr(l, -16, Some(-6));
    text.extend(
        php::substr(l, -5, None)
            .into_iter()
            .map(|b| if b == b'h' { b':' } else { b }),
    );
    let t = text.as_slice();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = t.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0i64, |n, b| n * 10 + i64::from(b - b'0')))
    };
    if t.len() != 15 || t[4] != b'-' || t[7] != b'-' || t[12] != b':' {
        return None;
    }
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(10..12),
        digits(13..15),
    ) else {
        return None;
    };
    if mo > 12 || d > 31 || h > 24 || mi > 59 {
        return None;
    }
    let year = i16::try_from(y).ok()?;
    jiff::civil::date(year, 1, 1)
        .checked_add(jiff::Span::new().months(mo - 1))
        .and_then(|m| m.checked_add(jiff::Span::new().days(d - 1)))
        .map(|day| day.at(0, 0, 0, 0))
        .and_then(|t| t.checked_add(jiff::Span::new().hours(h).minutes(mi)))
        .ok()
}

/// The instant strtotime gives a local time of the box's zone: timelib's `do_adjust_timezone`.
/// It reads the offset in force at the local time taken as UTC (`current`), then the one in
/// force that many seconds earlier (`actual`), and uses `actual` unless the two agree or the time
/// falls in the transition's own window. The upshot, as php 8.2 shows: a time inside a
/// spring-forward gap moves forward by the gap; a time a fall-back hour repeats is its *second*
/// occurrence in a zone east of UTC (Paris: `02:59` is CET) and its *first* west of UTC (New
/// York: `01:59` is EDT).
pub fn strtotime_instant(local: DateTime, tz: &TimeZone) -> Option<jiff::Timestamp> {
    let second = |s: i64| jiff::Timestamp::from_second(s).ok();
    let as_utc = local.to_zoned_datetime(TimeZone::UTC).ok()?.timestamp().as_second();
    let current = i64::from(tz.to_offset(second(as_utc)?).seconds());
    let probe = as_utc - current;
    let actual = i64::from(tz.to_offset(second(probe)?).seconds());
    // The transition in force at `probe` (timelib counts one exactly at `probe`).
    let transition = tz
        .preceding(second(probe + 1)?)
        .next()
        .map(|t| t.timestamp().as_second());
    let in_transition = transition.is_some_and(|at| {
        let x = as_utc - actual;
        x >= at + (current - actual) && x < at
    });
    let adjustment = if current != actual && !in_transition {
        -actual
    } else {
        -current
    };
    second(as_utc + adjustment)
}

/// The published code's `L2` (and the later stamps of a wider tolerance): `minutes` stamps, one
/// minute apart, after [`published_start`] of `L` read as strtotime reads a local time
/// ([`strtotime_instant`]). When strtotime
/// fails the start is the epoch (`false + 60`): `1970-01-01-01h01` in Paris.
pub fn published_later_stamps(l: &[u8], tz: &TimeZone, minutes: u32) -> Vec<String> {
    let start = match published_start(l) {
        Some(start) => strtotime_instant(start, tz).map(|t| t.to_zoned_datetime(tz.clone())),
        None => Some(jiff::Timestamp::UNIX_EPOCH.to_zoned_datetime(tz.clone())),
    };
    let Some(start) = start else {
        return Vec::new();
    };
    (1..=minutes)
        .filter_map(|k| start.checked_add(SignedDuration::from_secs(60 * i64::from(k))).ok())
        .map(|z| stamp(z.datetime()))
        .collect()
}

/// `glob("$path/*.gz")`: names ending in `.gz`, not hidden (glob's `*` skips a leading dot),
/// in byte order.
pub fn archives<'a>(files: impl IntoIterator<Item = &'a LocalFile>) -> Vec<&'a LocalFile> {
    let mut gz: Vec<&LocalFile> = files
        .into_iter()
        .filter(|f| f.name.ends_with(".gz") && !f.name.starts_with('.') && !f.name.contains('/'))
        .collect();
    gz.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    gz
}

/// Whether a stamp equals one of the accepted start stamps (`$stamp == $L || $stamp == $L2`,
/// loose as PHP compares).
pub fn stamp_matches(stamp: &[u8], last_save: &Value, later: &[String], php: PhpVersion) -> bool {
    let s = Value::Str(stamp.to_vec());
    php::loose_eq(&s, last_save, php) || later.iter().any(|l| php::loose_eq(&s, &Value::str(l), php))
}

/// `$lastSaveJson != ''`: whether `end_backup` found a start stamp. A loose comparison, not
/// `empty()`: on PHP 8 `"0"`, `0`, `0.0` and any array (even `[]`) differ from `""` and go on
/// to the checks (an array then makes `substr` throw); only `""`, `null` and `false` stop here.
/// PHP 7 also stops at `0` and `0.0`.
pub fn stamp_given(last_save: &Value, php: PhpVersion) -> bool {
    !php::loose_eq(last_save, &Value::str(""), php)
}

/// The published error test: lines holding `[` + `today` and, anywhere after it, `ERROR`
/// (`preg_match('/\[YYYY-MM-DD.*ERROR/')` on each line). Returns the matching lines (1-based,
/// quoted around the match) and how many lines were read.
pub fn dated_error_lines(log: &[u8], today: &str) -> (Vec<LogLine>, usize) {
    let needle_text = format!("[{today}");
    let needle = needle_text.as_bytes();
    let mut hits = Vec::new();
    if log.is_empty() {
        return (hits, 0);
    }
    let body = log.strip_suffix(b"\n").unwrap_or(log);
    let mut count = 0;
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        count = i + 1;
        if let Some(at) = find(line, needle) {
            let rest = line.get(at + needle.len()..).unwrap_or_default();
            if find(rest, b"ERROR").is_some() {
                hits.push(LogLine::around_match(i + 1, line, &needle_text));
            }
        }
    }
    (hits, count)
}

/// [`dated_error_lines`] over a log read again and again as it grows (a replay shows the
/// published block the same `log/backup` at every `end_backup`, each time longer): each byte is
/// scanned once. The lines read so far are counted, and each line holding `ERROR` after a `[` is
/// filed under the ten bytes that follow that `[` (a day, when the line is dated), so a day's
/// error lines are a look-up. The answer is exactly [`dated_error_lines`] of the bytes shown
/// (tested against it on every prefix). Shown other bytes (another buffer, or fewer of them), it
/// starts again from the first byte, as `log::GrowingLog` does.
#[derive(Debug, Default)]
pub struct DatedErrorScan {
    /// The bytes last shown (held, so that their buffer cannot be freed and reused).
    bytes: bytes::Bytes,
    /// How far the complete lines were scanned: just after a line feed, or 0.
    scanned: usize,
    /// Complete lines in `bytes[..scanned]`.
    lines: usize,
    /// For the ten bytes after a `[` with `ERROR` later on the line: the lines (1-based number,
    /// byte range without the line feed), in order, each once.
    by_day: std::collections::HashMap<[u8; 10], Vec<(usize, std::ops::Range<usize>)>>,
}

impl DatedErrorScan {
    /// [`dated_error_lines`] of `log`, scanning only the lines not scanned before when `log`
    /// extends the bytes of the last call (the same buffer, from the same first byte).
    pub fn lines(&mut self, log: &bytes::Bytes, today: &str) -> (Vec<LogLine>, usize) {
        let Ok(day) = <[u8; 10]>::try_from(today.as_bytes()) else {
            return dated_error_lines(log, today);
        };
        let extends = self.bytes.is_empty() || (log.as_ptr() == self.bytes.as_ptr() && log.len() >= self.scanned);
        if !extends {
            *self = DatedErrorScan::default();
        }
        self.bytes = log.clone();
        let complete = memchr::memrchr(b'\n', log).map_or(0, |i| i + 1);
        if complete > self.scanned {
            self.scan(complete);
        }
        let needle_text = format!("[{today}");
        let mut hits: Vec<LogLine> = self
            .by_day
            .get(&day)
            .into_iter()
            .flatten()
            .map(|(n, r)| LogLine::around_match(*n, log.get(r.clone()).unwrap_or_default(), &needle_text))
            .collect();
        // The last line when no line feed ends it yet.
        let tail = log.get(self.scanned..).unwrap_or_default();
        let count = if tail.is_empty() { self.lines } else { self.lines + 1 };
        if !tail.is_empty() {
            let (tail_hits, _) = dated_error_lines(tail, today);
            hits.extend(tail_hits.into_iter().map(|h| LogLine {
                line: h.line + self.lines,
                ..h
            }));
        }
        (hits, count)
    }

    /// Files the lines of `bytes[scanned..end]` (`end` just after a line feed).
    fn scan(&mut self, end: usize) {
        let from = self.scanned;
        let mut start = from;
        let text = self.bytes.get(..end).unwrap_or_default();
        for nl in memchr::memchr_iter(b'\n', text.get(from..).unwrap_or_default()) {
            let stop = from + nl;
            self.lines += 1;
            let line = text.get(start..stop).unwrap_or_default();
            if let Some(last_error) = memchr::memmem::rfind(line, b"ERROR") {
                for open in memchr::memchr_iter(b'[', line) {
                    let Some(key) = line.get(open + 1..open + 11) else {
                        break;
                    };
                    if open + 11 > last_error {
                        break;
                    }
                    let Ok(key) = <[u8; 10]>::try_from(key) else {
                        continue;
                    };
                    let filed = self.by_day.entry(key).or_default();
                    if filed.last().is_none_or(|(n, _)| *n != self.lines) {
                        filed.push((self.lines, start..stop));
                    }
                }
            }
            start = stop + 1;
        }
        self.scanned = end;
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// `config::byKey($key) != 0` is false: the key holds a value PHP finds equal to 0. On PHP 8
/// the never-saved `""` is not equal to 0 (so it counts as enabled); on PHP 7 it is.
pub fn key_is_off(value: &str, php: PhpVersion) -> bool {
    php::loose_eq(&Value::str(value), &Value::Int(0), php)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        crate::world::parse_at(s).unwrap()
    }

    #[test]
    fn stamps_and_file_stamps() {
        assert_eq!(stamp(dt("2025-09-10 03:27:01")), "2025-09-10-03h27");
        assert_eq!(
            file_stamp(b"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz"),
            b"2025-09-10-03h27"
        );
        assert_eq!(parse_stamp(b"2025-09-10-03h27"), Some(dt("2025-09-10 03:27:00")));
        assert_eq!(parse_stamp(b"garbage"), None);
    }

    #[test]
    fn short_archive_names_take_their_stamp_from_the_whole_path() {
        assert_eq!(backup_dir("backup"), "/var/www/html/core/php/../../backup");
        assert_eq!(backup_dir("backup/"), "/var/www/html/core/php/../../backup/");
        assert_eq!(backup_dir("/mnt/b"), "/mnt/b");
        let long = "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz";
        assert_eq!(archive_stamp(None, long), b"2025-09-10-03h27");
        assert_eq!(archive_stamp(Some("/x"), long), b"2025-09-10-03h27");
        assert_eq!(archive_stamp(None, "a.gz"), b"");
        assert_eq!(archive_stamp(Some("/var/www/html/backup"), "a.gz"), b"ar/www/html/back");
        assert_eq!(archive_stamp(Some("/mnt/b/"), "abc.tar.gz"), b"/mnt/b//abc");
    }

    #[test]
    fn later_stamps_follow_dst() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        assert_eq!(
            later_stamps(dt("2025-03-30 01:59:00"), &paris, 1),
            vec!["2025-03-30-03h00"]
        );
        assert_eq!(
            later_stamps(dt("2025-09-10 23:59:00"), &paris, 2),
            vec!["2025-09-11-00h00", "2025-09-11-00h01"]
        );
        assert!(later_stamps(dt("2025-09-10 23:59:00"), &paris, 0).is_empty());
    }

    /// Expectations from php 8.2: `date('Y-m-d-H\\hi', strtotime($dateSave . $heureSave) + 60)`.
    #[test]
    fn the_published_l2_reads_overflow_as_php_and_anything_else_as_the_epoch() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let ny = TimeZone::get("America/New_York").unwrap();
        for (l, l2) in [
            ("2025-09-10-03h27", "2025-09-10-03h28"),
            (" 2025-09-10-03h27", "2025-09-10-03h28"),
            ("2025-09-10 03:27", "2025-09-10-03h28"),
            ("2025-02-30-03h27", "2025-03-02-03h28"),
            ("2025-09-10-24h00", "2025-09-11-00h01"),
            ("2025-00-00-00h00", "2024-11-30-00h01"),
            ("2025-03-30-01h59", "2025-03-30-03h00"),
            ("2025-03-30-02h30", "2025-03-30-03h31"),
            ("2025-10-26-02h30", "2025-10-26-02h31"),
            ("2025-10-26-02h59", "2025-10-26-03h00"),
            ("2025-09-10-03h60", "1970-01-01-01h01"),
            ("2025-13-10-03h27", "1970-01-01-01h01"),
            ("2025-09-10-03h2\u{e9}", "1970-01-01-01h01"),
            ("0", "1970-01-01-01h01"),
            ("", "1970-01-01-01h01"),
        ] {
            assert_eq!(published_later_stamps(l.as_bytes(), &paris, 1), vec![l2], "{l:?}");
        }
        assert_eq!(published_later_stamps(b"0", &ny, 1), vec!["1969-12-31-19h01"]);
        // West of UTC a repeated hour is its first occurrence (EDT), as php 8.2 reads it.
        assert_eq!(
            published_later_stamps(b"2025-11-02-01h59", &ny, 1),
            vec!["2025-11-02-01h00"]
        );
        assert_eq!(
            published_later_stamps(b"2025-03-09-02h30", &ny, 1),
            vec!["2025-03-09-03h31"]
        );
        assert!(published_later_stamps(b"2025-09-10-03h27", &paris, 0).is_empty());
    }

    #[test]
    fn error_lines_need_today_then_upper_case_error() {
        let log = b"a\n[2025-09-10 03:29:40][ERROR] : x\n[2025-09-09 03:29:40][ERROR] : y\n[2025-09-10 01:00:00][error] z\nERROR [2025-09-10\n";
        let (hits, n) = dated_error_lines(log, "2025-09-10");
        assert_eq!(hits.iter().map(|h| h.line).collect::<Vec<_>>(), vec![2]);
        assert_eq!(n, 5);
    }

    #[test]
    fn the_growing_scan_answers_as_the_whole_scan_on_every_prefix() {
        let text = "a\n[2025-09-10 03:29:40][ERROR] : x\n[2025-09-09 03:29:40][ERROR] : y\n\
            [2025-09-10 01:00:00][error] z\nERROR [2025-09-10\n[2025-09-10 [2025-09-10 ERROR twice\n\
            [2025-09-09 x [2025-09-10 y ERROR\n[2025-09-10ERROR\n[2025-09-10 é ERROR\n\n\
            [2025-09-11 ERROR [2025-09-10\n[2025-09-11 0 ERROR";
        let all = bytes::Bytes::from(text.as_bytes().to_vec());
        for today in ["2025-09-10", "2025-09-09", "2025-09-11", "-000001-01-01"] {
            let mut scan = DatedErrorScan::default();
            for end in 0..=all.len() {
                let prefix = all.slice(..end);
                assert_eq!(
                    scan.lines(&prefix, today),
                    dated_error_lines(&prefix, today),
                    "{today} {end}"
                );
            }
            // Shown a shorter prefix, or another buffer, it starts again.
            let short = all.slice(..40);
            assert_eq!(scan.lines(&short, today), dated_error_lines(&short, today));
            let other = bytes::Bytes::from(text.as_bytes().to_vec());
            assert_eq!(scan.lines(&other, today), dated_error_lines(&other, today));
        }
    }

    #[test]
    fn a_start_stamp_is_anything_loosely_unequal_to_the_empty_string() {
        use PhpVersion::*;
        let given = |v: Value, php| stamp_given(&v, php);
        for v in [
            Value::str("0"),
            Value::Int(0),
            Value::Float(0.0),
            Value::Array(php::Array::new()),
        ] {
            assert!(given(v.clone(), Php8), "{v:?} is a stamp on PHP 8");
        }
        assert!(given(Value::str("0"), Php7));
        assert!(!given(Value::Int(0), Php7));
        assert!(given(Value::Array(php::Array::new()), Php7));
        for v in [Value::str(""), Value::Null, Value::Bool(false)] {
            assert!(!given(v.clone(), Php8) && !given(v, Php7));
        }
        assert!(given(Value::Bool(true), Php8));
    }

    #[test]
    fn samba_keys_by_php_version() {
        assert!(!key_is_off("", PhpVersion::Php8));
        assert!(key_is_off("", PhpVersion::Php7));
        assert!(key_is_off("0", PhpVersion::Php8));
        assert!(!key_is_off("1", PhpVersion::Php7));
    }
}
