//! Where the credentials are in a text: the one reading of them that the redactor
//! (`[redacted]`) and the anonymiser (`record`'s placeholders) share, so the two cannot drift
//! apart again (they did: the anonymiser tried `--user` before `--username`).
//!
//! [`find`] returns every credential value it recognises, as byte ranges of the text:
//! 1. **Samba options** [`SAMBA_FLAGS`] (`-U`, `--username`, `--user`), after a start of line,
//!    a blank or one of `'"(;|&=\``, then blanks, an optional `=`, and at most one line break:
//!    the value, quoted with `"…"`, `'…'`, JSON-escaped `\"…\"`, or bare (up to a blank or one
//!    of `'"\;|&)`; a bare value starting with `-` is another option, tar's `-U`). Jeedom does
//!    not escape the password between its quotes, so a quoted value runs to the *last* closing
//!    quote on its line that is followed by blanks and an option (`" -c`) or by the end of the
//!    line, before the next Samba option; else to its first closing quote. A value whose quote
//!    is not closed on its line continues on the next line when that line closes it (`" -c …`,
//!    or one token and the quote), as a paste wraps it; else it is cut at the end of its line.
//!    `user%password` gives a user and a password.
//! 2. **URL credentials** `//user:password@host`: the password runs to the last `@` of its
//!    token, so it may hold `/` and `@`.
//! 3. **Keyed values**: a key name ([`key_kind`]: `…password`, `…passwd`, `…pwd`, `…username`,
//!    `…token`, `…secret`, `…apikey`, `…api_key`, `…api-key`, `…proapi`, and `api` alone), in any
//!    case, maybe closed by `"`, `\"`, `'` or `]`, then `=`, `:` or `=>`, then the value: a JSON
//!    string, a `\"…\"` or `'…'` string, or a bare token (`?apikey=…&`, `api_key: …`,
//!    `[password] => …`, `"password":"…"`, `"pwd": 1234`). A bare `api:` is not a key (too
//!    common in prose).
//! 4. **`Bearer` tokens**.
//!
//! A text holding HTML entities (`&quot;`, `&#34;`, `&amp;`, … a paste copied from a web page)
//! is read unescaped ([`crate::log::unescape_html`]) and the ranges mapped back to the text.
//!
//! Linear in the text's length: each scan moves forward, a value is scanned once and consumed,
//! and what is looked up backwards (a key name before its `:`) is bounded. A line of a million
//! `-U "`, `--username=`, `apikey=` or `://a:` costs what a clean line of that length costs
//! (`benches/redact.rs`).

use std::borrow::Cow;
use std::ops::Range;

/// The Samba credential options, longest first (`--username` must not read as `--user`).
pub const SAMBA_FLAGS: [&str; 3] = ["--username", "--user", "-U"];

/// What a recognised value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Password,
    ApiKey,
    Secret,
}

/// One recognised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    /// Byte ranges of the value, in order, none empty, none overlapping another value's: more
    /// than one when a paste wrapped it across a line break.
    pub pieces: Vec<Range<usize>>,
    /// A Samba value not closed on its own line (wrapped, cut, or given on the line after its
    /// option): a one-line quote of the log cannot see it as a value, so the redactor hides its
    /// pieces wherever they appear ([`wrapped_secrets`]).
    pub loose: bool,
}

impl Found {
    /// What a redactor hides wherever it appears for a loose value: the whole value (its pieces
    /// joined), then each piece, as bytes of `t`.
    pub fn whole_and_pieces<'t>(&self, t: &'t [u8]) -> impl Iterator<Item = Cow<'t, [u8]>> {
        let piece = |p: &Range<usize>| t.get(p.clone()).unwrap_or_default();
        let whole: Vec<u8> = self.pieces.iter().flat_map(piece).copied().collect();
        std::iter::once(Cow::Owned(whole)).chain(self.pieces.iter().map(move |p| Cow::Borrowed(piece(p))))
    }
}

/// Every credential value in `text` (see the module doc), ordered by position.
pub fn find(text: &[u8]) -> Vec<Found> {
    let mut found = match crate::log::unescape_html(text) {
        None => find_raw(text),
        Some((decoded, map)) => {
            let mut found = find_raw(&decoded);
            let at = |i: usize| map.get(i).copied().unwrap_or(text.len());
            for f in &mut found {
                for p in &mut f.pieces {
                    *p = at(p.start)..at(p.end);
                }
            }
            found
        }
    };
    resolve(&mut found);
    found
}

/// Values of `-U` that span a line break, lost their closing quote or follow their option on
/// the next line, and their pieces on each line, each at least [`super::MIN_SECRET_LEN`] bytes
/// long and not already hidden: for a redactor to hide wherever they appear (a one-line quote).
pub fn wrapped_secrets(text: &str) -> Vec<String> {
    let t = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for f in find(t).iter().filter(|f| f.loose) {
        for v in f.whole_and_pieces(t) {
            let s = String::from_utf8_lossy(&v);
            let s = s.trim();
            if s.len() >= super::MIN_SECRET_LEN && !super::already_hidden(s) && !out.iter().any(|o| o == s) {
                out.push(s.to_owned());
            }
        }
    }
    out
}

/// A value in one piece.
fn one(r: Range<usize>) -> Vec<Range<usize>> {
    std::iter::once(r).collect()
}

fn find_raw(t: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    samba(t, &mut out);
    urls(t, &mut out);
    keyed(t, &mut out);
    bearer(t, &mut out);
    out
}

/// Orders the values by position and clips any piece that overlaps an earlier one (the union
/// of what was found stays covered); values left with no piece are dropped.
fn resolve(found: &mut Vec<Found>) {
    found.retain(|f| !f.pieces.is_empty());
    found.sort_by_key(|f| f.pieces.first().map_or(0, |p| p.start));
    let mut refs: Vec<(usize, usize)> = Vec::new();
    for (i, f) in found.iter().enumerate() {
        for j in 0..f.pieces.len() {
            refs.push((i, j));
        }
    }
    refs.sort_by_key(|&(i, j)| found.get(i).and_then(|f| f.pieces.get(j)).map_or(0, |p| p.start));
    let mut end = 0;
    for (i, j) in refs {
        if let Some(p) = found.get_mut(i).and_then(|f| f.pieces.get_mut(j)) {
            p.start = p.start.max(end);
            if p.end < p.start {
                p.end = p.start;
            }
            end = end.max(p.end);
        }
    }
    for f in found.iter_mut() {
        f.pieces.retain(|p| !p.is_empty());
    }
    found.retain(|f| !f.pieces.is_empty());
}

// ---- bytes -----------------------------------------------------------------------------------

fn at(t: &[u8], i: usize) -> Option<u8> {
    t.get(i).copied()
}

/// Length of the blank (white space other than a line break, Unicode's too) at `i`, or 0.
fn blank_len(t: &[u8], i: usize) -> usize {
    match t.get(i..).unwrap_or_default() {
        [b' ' | b'\t' | 0x0b | 0x0c, ..] => 1,
        [0xC2, 0x85 | 0xA0, ..] => 2,
        [0xE1, 0x9A, 0x80, ..] => 3,
        [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..] => 3,
        [0xE2, 0x81, 0x9F, ..] => 3,
        [0xE3, 0x80, 0x80, ..] => 3,
        _ => 0,
    }
}

fn skip_blanks(t: &[u8], mut i: usize) -> usize {
    loop {
        match blank_len(t, i) {
            0 => return i,
            n => i += n,
        }
    }
}

/// Length of the line break at `i` (`\r\n`, `\n`, `\r`), or 0.
fn break_len(t: &[u8], i: usize) -> usize {
    match t.get(i..).unwrap_or_default() {
        [b'\r', b'\n', ..] => 2,
        [b'\r' | b'\n', ..] => 1,
        _ => 0,
    }
}

/// The end of the line `i` is on.
fn line_end(t: &[u8], i: usize) -> usize {
    t.get(i..)
        .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
        .map_or(t.len(), |k| i + k)
}

/// [`line_end`], remembering the last line looked up: a scan asks for the end of the same long
/// line at every value on it, and a search to its end each time was quadratic.
#[derive(Default)]
struct Eol(Option<(usize, usize)>);

impl Eol {
    fn of(&mut self, t: &[u8], i: usize) -> usize {
        match self.0 {
            Some((from, end)) if from <= i && i <= end => end,
            _ => {
                let end = line_end(t, i);
                self.0 = Some((i, end));
                end
            }
        }
    }
}

/// Leaves `r` without its trailing blanks.
fn trim_end(t: &[u8], r: Range<usize>) -> Range<usize> {
    let mut e = r.end;
    while e > r.start && matches!(at(t, e - 1), Some(b' ' | b'\t')) {
        e -= 1;
    }
    r.start..e
}

// ---- 1. Samba options ----------------------------------------------------------------------------

/// The length of the Samba option at `i`, if one starts there.
fn flag_at(t: &[u8], i: usize) -> Option<usize> {
    let pre_ok = match i.checked_sub(1).and_then(|p| at(t, p)) {
        None => true,
        Some(b) => b.is_ascii_whitespace() || b >= 0x80 || b"'\"(;|&=\\`\x0b".contains(&b),
    };
    if !pre_ok {
        return None;
    }
    let rest = t.get(i..)?;
    SAMBA_FLAGS
        .iter()
        .map(|f| f.as_bytes())
        .find(|f| rest.starts_with(f))
        .map(<[u8]>::len)
}

/// The first Samba option in `from..to`.
fn next_flag(t: &[u8], from: usize, to: usize) -> Option<usize> {
    let seg = t.get(from..to)?;
    memchr::memchr_iter(b'-', seg)
        .map(|k| from + k)
        .find(|&i| flag_at(t, i).is_some())
}

fn samba(t: &[u8], out: &mut Vec<Found>) {
    let mut eol = Eol::default();
    let mut i = 0;
    while let Some(k) = t.get(i..).and_then(|rest| memchr::memchr(b'-', rest)) {
        let f = i + k;
        let Some(len) = flag_at(t, f) else {
            i = f + 1;
            continue;
        };
        let (pieces, loose, next) = samba_value(t, f + len, &mut eol);
        i = next.max(f + len);
        if pieces.is_empty() {
            continue;
        }
        // `user%password`: the first `%` splits them.
        let split = pieces.iter().enumerate().find_map(|(n, p)| {
            t.get(p.clone())
                .and_then(|v| memchr::memchr(b'%', v))
                .map(|k| (n, p.start + k))
        });
        let (user, pass): (Vec<Range<usize>>, Vec<Range<usize>>) = match split {
            None => (pieces, Vec::new()),
            Some((n, pct)) => {
                let mut user: Vec<Range<usize>> = pieces.iter().take(n).cloned().collect();
                let mut pass = Vec::new();
                if let Some(p) = pieces.get(n) {
                    user.push(p.start..pct);
                    pass.push(pct + 1..p.end);
                }
                pass.extend(pieces.iter().skip(n + 1).cloned());
                (user, pass)
            }
        };
        for (kind, pieces) in [(Kind::User, user), (Kind::Password, pass)] {
            let pieces: Vec<Range<usize>> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
            if !pieces.is_empty() {
                out.push(Found { kind, pieces, loose });
            }
        }
    }
}

/// The value after a Samba option ending at `j`: its pieces, whether it is loose, and where
/// the search goes on.
fn samba_value(t: &[u8], j: usize, eol: &mut Eol) -> (Vec<Range<usize>>, bool, usize) {
    let mut j = skip_blanks(t, j);
    if at(t, j) == Some(b'=') {
        j = skip_blanks(t, j + 1);
    }
    let mut broke = false;
    if let n @ 1.. = break_len(t, j) {
        broke = true;
        j = skip_blanks(t, j + n);
        if at(t, j) == Some(b'=') {
            j = skip_blanks(t, j + 1);
        }
    }
    let quote: &[u8] = match t.get(j..).unwrap_or_default() {
        [b'\\', b'"', ..] => b"\\\"",
        [b'"', ..] => b"\"",
        [b'\'', ..] => b"'",
        [] | [b'-' | b'\r' | b'\n', ..] => return (Vec::new(), false, j),
        _ => {
            let len = t
                .get(j..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| !b.is_ascii_whitespace() && !b"'\"\\;|&)".contains(b))
                .count();
            let v = one(j..j + len);
            return (if len == 0 { Vec::new() } else { v }, broke, j + len);
        }
    };
    let s = j + quote.len();
    let e = eol.of(t, s);
    let limit = next_flag(t, s, e).unwrap_or(e);
    if let Some(c) = last_close(t, s, limit, e, quote, true) {
        return (one(s..c), broke, c + quote.len());
    }
    if let Some(c) = t.get(s..e).and_then(|v| memchr::memmem::find(v, quote)).map(|k| s + k) {
        if c < limit {
            return (one(s..c), broke, c + quote.len());
        }
        // Not closed before the next option: cut there.
        return (vec![trim_end(t, s..limit)], true, limit);
    }
    // Not closed on its line: wrapped onto the next (which closes it), or cut.
    let n = e + break_len(t, e);
    if n > e {
        let e2 = eol.of(t, n);
        let close = last_close(t, n, e2, e2, quote, false).or_else(|| {
            let c = n + t.get(n..e2).and_then(|v| memchr::memmem::find(v, quote))?;
            let token = t
                .get(n..c)?
                .iter()
                .all(|b| !b.is_ascii_whitespace() && !b"'\"\\".contains(b));
            (token && skip_blanks(t, c + quote.len()) == e2).then_some(c)
        });
        // A line holding a Samba option of its own is not the rest of this value.
        if let Some(c) = close.filter(|&c| next_flag(t, n, c).is_none()) {
            return (vec![s..e, n..c], true, c + quote.len());
        }
    }
    (vec![trim_end(t, s..e)], true, e)
}

/// The last closing `quote` in `from..to` followed by blanks and an option (`" -c`), or, when
/// `eol` is set, by blanks to the end of the line `line_end` when it is the only quote after
/// the last one followed by an option (`-U "u%ab" -xyz"`, not the end of a quoted `-c '… "x"'`).
fn last_close(t: &[u8], from: usize, to: usize, line_end: usize, quote: &[u8], eol: bool) -> Option<usize> {
    let last = *quote.last()?;
    let seg = t.get(from..to)?;
    let mut best = None;
    let mut quotes_since = 0usize;
    for k in memchr::memchr_iter(last, seg) {
        let end = from + k + 1;
        let Some(c) = end.checked_sub(quote.len()) else {
            continue;
        };
        if c < from || t.get(c..end) != Some(quote) {
            continue;
        }
        let after = skip_blanks(t, end);
        let option = after > end && at(t, after) == Some(b'-') && after < line_end;
        if option {
            best = Some(c);
            quotes_since = 0;
        } else if eol && after == line_end && quotes_since == 0 {
            best = Some(c);
        } else {
            quotes_since += 1;
        }
    }
    best
}

// ---- 2. URL credentials --------------------------------------------------------------------------

fn urls(t: &[u8], out: &mut Vec<Found>) {
    let stop_user = |b: &u8| b.is_ascii_whitespace() || b"/:@'\"\\".contains(b);
    let stop_token = |b: &u8| b.is_ascii_whitespace() || b"'\"\\".contains(b);
    // The token the last password was looked for in: (start, end, its last `@`).
    let mut token: Option<(usize, usize, Option<usize>)> = None;
    let mut i = 0;
    while let Some(k) = t.get(i..).and_then(|rest| memchr::memmem::find(rest, b"//")) {
        let u0 = i + k + 2;
        i = i + k + 1;
        let ulen = t
            .get(u0..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| !stop_user(b))
            .count();
        let colon = u0 + ulen;
        if ulen == 0 || at(t, colon) != Some(b':') {
            continue;
        }
        let p0 = colon + 1;
        let (_, _, last_at) = match token {
            Some((s, e, a)) if p0 >= s && p0 <= e => (s, e, a),
            _ => {
                let len = t
                    .get(p0..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| !stop_token(b))
                    .count();
                let last = t
                    .get(p0..p0 + len)
                    .and_then(|v| memchr::memrchr(b'@', v))
                    .map(|k| p0 + k);
                token = Some((p0, p0 + len, last));
                (p0, p0 + len, last)
            }
        };
        if let Some(a) = last_at.filter(|&a| a > p0) {
            out.push(Found {
                kind: Kind::User,
                pieces: one(u0..colon),
                loose: false,
            });
            out.push(Found {
                kind: Kind::Password,
                pieces: one(p0..a),
                loose: false,
            });
            i = a + 1;
        }
    }
}

// ---- 3. Keyed values -----------------------------------------------------------------------------

/// The kind of value a key name ending at byte `end` of `t` holds, with whether it is `api`
/// alone.
pub fn key_kind(t: &[u8], end: usize) -> Option<(Kind, bool)> {
    let ends = |name: &str| {
        end.checked_sub(name.len())
            .and_then(|s| t.get(s..end))
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()))
    };
    for (name, kind) in [
        ("password", Kind::Password),
        ("passwd", Kind::Password),
        ("pwd", Kind::Password),
        ("username", Kind::User),
        ("token", Kind::Secret),
        ("secret", Kind::Secret),
        ("apikey", Kind::ApiKey),
        ("api_key", Kind::ApiKey),
        ("api-key", Kind::ApiKey),
        ("proapi", Kind::ApiKey),
    ] {
        if ends(name) {
            return Some((kind, false));
        }
    }
    let alone = end < 4 || t.get(end - 4).is_none_or(|b| !b.is_ascii_alphanumeric());
    (ends("api") && alone).then_some((Kind::ApiKey, true))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Eq,
    Colon,
    Arrow,
}

fn keyed(t: &[u8], out: &mut Vec<Found>) {
    let mut eol = Eol::default();
    let mut i = 0;
    while let Some(k) = t.get(i..).and_then(|rest| memchr::memchr2(b'=', b':', rest)) {
        let x = i + k;
        i = x + 1;
        let (sep, len) = match (at(t, x), at(t, x + 1)) {
            (Some(b'='), Some(b'>')) => (Sep::Arrow, 2),
            (Some(b'='), _) => (Sep::Eq, 1),
            _ => (Sep::Colon, 1),
        };
        // Backwards: blanks, the key's closing quote or bracket, the key name.
        let mut e = x;
        while e > 0 && matches!(at(t, e - 1), Some(b' ' | b'\t')) {
            e -= 1;
        }
        let closer = match e.checked_sub(1).and_then(|p| at(t, p)) {
            Some(c @ (b'"' | b'\'' | b']')) => {
                e -= 1;
                if c == b'"' && e > 0 && at(t, e - 1) == Some(b'\\') {
                    e -= 1;
                }
                Some(c)
            }
            _ => None,
        };
        let Some((kind, api_alone)) = key_kind(t, e) else {
            continue;
        };
        // `--username=` is a Samba option: read by the Samba pass, which splits `user%password`.
        if closer.is_none() && e >= 10 && t.get(e - 10..e) == Some(b"--username") && flag_at(t, e - 10).is_some() {
            continue;
        }
        if sep == Sep::Colon && closer.is_none() && api_alone {
            continue;
        }
        let v = skip_blanks_same_line(t, x + len);
        let Some((value, next)) = keyed_value(t, v, sep, eol.of(t, v)) else {
            continue;
        };
        i = next.max(i);
        if !value.is_empty() {
            out.push(Found {
                kind,
                pieces: vec![value],
                loose: false,
            });
        }
    }
}

fn skip_blanks_same_line(t: &[u8], mut i: usize) -> usize {
    while matches!(at(t, i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// The value starting at `v` after a key's separator, and where the search goes on.
fn keyed_value(t: &[u8], v: usize, sep: Sep, e: usize) -> Option<(Range<usize>, usize)> {
    let rest = t.get(v..e)?;
    match rest {
        [b'\\', b'"', ..] => {
            let s = v + 2;
            let c = t
                .get(s..e)
                .and_then(|r| memchr::memmem::find(r, b"\\\""))
                .map_or(e, |k| s + k);
            Some((s..c, (c + 2).min(e)))
        }
        [b'"', ..] => {
            // A JSON string: `\` escapes the next byte.
            let s = v + 1;
            let mut c = s;
            while c < e {
                match at(t, c) {
                    Some(b'"') => return Some((s..c, c + 1)),
                    Some(b'\\') => c += 2,
                    _ => c += 1,
                }
            }
            Some((s..e, e))
        }
        [b'\'', ..] => {
            let s = v + 1;
            let c = t.get(s..e).and_then(|r| memchr::memchr(b'\'', r)).map_or(e, |k| s + k);
            Some((s..c, (c + 1).min(e)))
        }
        [] => None,
        [first, ..] => {
            if first.is_ascii_whitespace() {
                return None;
            }
            let len = if sep == Sep::Arrow {
                if b"[)".contains(first) {
                    return None;
                }
                rest.iter().take_while(|b| !b.is_ascii_whitespace()).count()
            } else {
                if sep == Sep::Colon && b"{[/".contains(first) {
                    return None;
                }
                let run = rest
                    .iter()
                    .take_while(|b| !b.is_ascii_whitespace() && !b"&\"'#\\".contains(b))
                    .count();
                let trimmed = rest
                    .get(..run)
                    .unwrap_or_default()
                    .iter()
                    .rposition(|b| !b":;,.)}".contains(b))
                    .map_or(0, |p| p + 1);
                if trimmed == 0 {
                    return Some((v..v, v + run));
                }
                trimmed
            };
            Some((v..v + len, v + len))
        }
    }
}

// ---- 4. Bearer tokens ----------------------------------------------------------------------------

fn bearer(t: &[u8], out: &mut Vec<Found>) {
    let mut i = 0;
    while let Some(k) = t.get(i..).and_then(|rest| memchr::memchr2(b'b', b'B', rest)) {
        let b = i + k;
        i = b + 1;
        let word = t.get(b..b + 6).is_some_and(|w| w.eq_ignore_ascii_case(b"bearer"));
        let alone = b == 0 || at(t, b - 1).is_none_or(|p| !p.is_ascii_alphanumeric());
        if !word || !alone {
            continue;
        }
        let v = skip_blanks_same_line(t, b + 6);
        if v == b + 6 {
            continue;
        }
        let len = t
            .get(v..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && !b"'\"\\,;".contains(c))
            .count();
        if len > 0 {
            out.push(Found {
                kind: Kind::Secret,
                pieces: one(v..v + len),
                loose: false,
            });
            i = v + len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: &str) -> Vec<(Kind, Vec<&str>)> {
        find(t.as_bytes())
            .into_iter()
            .map(|f| {
                (
                    f.kind,
                    f.pieces.iter().map(|p| t.get(p.clone()).unwrap_or("?")).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn samba_options_longest_first() {
        assert_eq!(
            values(r#"smbclient --username="jeedom%Mot2Passe-42" -c ls"#),
            vec![(Kind::User, vec!["jeedom"]), (Kind::Password, vec!["Mot2Passe-42"])]
        );
        assert_eq!(
            values("smbclient --user jeedom%pw -c ls"),
            vec![(Kind::User, vec!["jeedom"]), (Kind::Password, vec!["pw"])]
        );
        assert!(values("tar -U -czf x").is_empty());
        assert!(values("backup-Ubuntu").is_empty());
    }

    #[test]
    fn a_quoted_value_runs_to_the_last_quote_before_an_option() {
        assert_eq!(
            values(r#"smbclient //h/s -U "u%ab" -xyz" -c 'cd "x";put "y"' valeur"#),
            vec![(Kind::User, vec!["u"]), (Kind::Password, vec![r#"ab" -xyz"#])]
        );
        assert_eq!(
            values(r#"-U "u%ab" -xyz""#),
            vec![(Kind::User, vec!["u"]), (Kind::Password, vec![r#"ab" -xyz"#])]
        );
        // Two commands on one line: each value stops before the next option.
        assert_eq!(
            values(r#"-U "a%bb" -c ls; smbclient -U "c%dd" -c put"#),
            vec![
                (Kind::User, vec!["a"]),
                (Kind::Password, vec!["bb"]),
                (Kind::User, vec!["c"]),
                (Kind::Password, vec!["dd"])
            ]
        );
    }

    #[test]
    fn a_wrapped_value_continues_on_the_next_line() {
        let t = "smbclient -U \"jeedom%correct horse\nbattery staple\" -c ls\nOK \"x\"\n";
        assert_eq!(
            values(t),
            vec![
                (Kind::User, vec!["jeedom"]),
                (Kind::Password, vec!["correct horse", "battery staple"])
            ]
        );
        // A next line that does not close it is left alone: the value is cut at its line's end.
        let t = "smbclient -U \"jeedom%correct horse\nFin de l'envoi : \"OK\" ; user=\"admin\"\n";
        assert_eq!(
            values(t),
            vec![(Kind::User, vec!["jeedom"]), (Kind::Password, vec!["correct horse"])]
        );
    }

    #[test]
    fn urls_keys_and_bearer() {
        assert_eq!(
            values("smb://user:pa/ss@host/share http://u:p@ss@host"),
            vec![
                (Kind::User, vec!["user"]),
                (Kind::Password, vec!["pa/ss"]),
                (Kind::User, vec!["u"]),
                (Kind::Password, vec!["p@ss"])
            ]
        );
        for (t, v) in [
            ("api_key: AbCdEf", "AbCdEf"),
            ("APIKEY=AbCdEf&x=1", "AbCdEf"),
            ("Password: hunter22.", "hunter22"),
            ("passwd=hunter22", "hunter22"),
            (r#"{"password":"hu\"nter"}"#, r#"hu\"nter"#),
            (r#"{"Password" : 1234}"#, "1234"),
            (r#"{\"apikey\":\"AbCd\"}"#, "AbCd"),
            ("[samba::backup::password] => pw-1", "pw-1"),
            ("Authorization: Bearer eyJ.abc", "eyJ.abc"),
            ("-U &quot;u%p4ss&quot; -c ls", "p4ss"),
        ] {
            let got = values(t);
            assert_eq!(got.last().map(|(_, p)| p.clone()), Some(vec![v]), "{t}");
        }
        assert!(values("Erreur api: timeout").is_empty());
        assert!(values("[2025-09-10 03:29:44][ERROR] : x").is_empty());
    }
}
