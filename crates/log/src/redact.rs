//! Secret redaction, applied on the way out of step 1→2 of the data flow (log text → parsed run)
//! and by every later step before it writes for a person or a file: no secret leaves the
//! process.
//!
//! # Policy
//! Every text a person, a report, a snapshot or a recorded file receives goes through
//! [`redact`] (or a configured [`Redactor`]). What is hidden, each value replaced by [`MASK`]
//! with the surrounding syntax kept so the line still reads (the shapes are read by
//! [`scan::find`], which `record`'s anonymiser shares):
//! 1. **Samba credentials** after `-U`, `--username` or `--user`, quoted `"…"`, `'…'`, `\"…\"`
//!    or bare: `-U "jeedom%S3cret"` → `-U "[redacted]%[redacted]"`. A password holding `"` or
//!    ` -x` is hidden whole (the value runs to the last quote before the next option); a value
//!    a paste wrapped onto the next line is hidden on both lines, and its pieces wherever they
//!    appear in the text.
//! 2. **URL credentials**: `smb://user:pa/ss@host` → `smb://[redacted]:[redacted]@host`.
//! 3. **Keyed values**, key names in any case: `"password":"…"`, `\"apikey\":\"…\"`,
//!    `?apikey=…&`, `api_key: …`, `Password: …`, `passwd=…`, `[token] => …`,
//!    `"samba::backup::password": "…"`.
//! 4. **`Bearer` tokens**: `Authorization: Bearer …`.
//! 5. **Known secrets** given to a [`Redactor`] ([`Redactor::with_secret`]: the API key of the
//!    live mode), wherever they appear; also a piece of one (at least [`MIN_SECRET_LEN`] bytes)
//!    cut by a shortening, next to its `…` or `...`. Secrets shorter than [`MIN_SECRET_LEN`]
//!    bytes are refused (hiding every `abc` would shred the text).
//!
//! HTML-escaped text (`-U &quot;jeedom%S3cret&quot;`) is read unescaped: the same values are
//! hidden and every other byte is kept.
//!
//! Redact *before* shortening: a cut secret is no longer a secret the patterns or the known
//! list recognise. Every value stops at its line's end (but for a wrapped `-U` value, which
//! takes one more line), so a whole pasted log is redacted in one call and lines without a
//! secret come out byte-identical. Redaction is idempotent and linear in the text's length,
//! and returns the input borrowed when nothing was found.
//!
//! Known limits: a secret outside these shapes is only caught if it was given as a known
//! secret; a wrapped piece shorter than [`MIN_SECRET_LEN`] bytes is hidden where it was found
//! but not elsewhere; a `:` or `=` after a key name hides the next token even in prose
//! (`password: OK`).
//!
//! Anonymisation of recorded cases (passwords, user names, host names, IP addresses, the box
//! name → stable placeholders, every other byte kept) is a separate pass with its own policy:
//! [`anonymize`](mod@anonymize).

pub mod anonymize;
pub mod scan;

pub use anonymize::{Anonymized, Category, anonymize};
pub use scan::wrapped_secrets;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

/// What a hidden secret is replaced with in English, and in every file written for others to
/// read whatever the run's language (recorded cases, snapshots, JSON Lines of `check`).
pub const MASK: &str = "[redacted]";

/// What a hidden secret is replaced with in a French output (`--lang fr`).
pub const MASK_FR: &str = "[masqué]";

/// The marker of `lang`.
pub fn mask(lang: crate::Lang) -> &'static str {
    lang.pick(MASK_FR, MASK)
}

/// Shortest known secret a [`Redactor`] accepts.
pub const MIN_SECRET_LEN: usize = 4;

/// Redacts with the patterns and a list of known secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redactor {
    secrets: Vec<String>,
    /// [`MASK`] or [`MASK_FR`].
    mask: &'static str,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor {
            secrets: Vec::new(),
            mask: MASK,
        }
    }
}

/// A known secret was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a secret to hide must be at least {MIN_SECRET_LEN} bytes long (got {0})")]
pub struct SecretTooShort(pub usize);

impl Redactor {
    /// The patterns only.
    pub fn new() -> Self {
        Redactor::default()
    }

    /// Adds a known secret to hide wherever it appears.
    pub fn add_secret(&mut self, secret: &str) -> Result<(), SecretTooShort> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(SecretTooShort(secret.len()));
        }
        if !self.secrets.iter().any(|s| s == secret) {
            self.secrets.push(secret.to_owned());
        }
        Ok(())
    }

    /// The same redactor, writing the marker of `lang` ([`mask`]).
    pub fn in_lang(mut self, lang: crate::Lang) -> Self {
        self.mask = mask(lang);
        self
    }

    /// Builder form of [`Redactor::add_secret`].
    pub fn with_secret(mut self, secret: &str) -> Result<Self, SecretTooShort> {
        self.add_secret(secret)?;
        Ok(self)
    }

    /// Hides every secret in `text`. Borrowed when nothing was found. A French redactor also
    /// shows its marker where an earlier, language-neutral pass (the engine's evidence, a row
    /// of `check`) wrote [`MASK`], so one output never mixes the two markers.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let hidden = self.hidden(text);
        if self.mask != MASK && hidden.contains(MASK) {
            return Cow::Owned(hidden.replace(MASK, self.mask));
        }
        hidden
    }

    fn hidden<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Cow::Owned(mut out) = self.once(text) else {
            return Cow::Borrowed(text);
        };
        // What one pass leaves is read again until it is stable (one more pass, nearly always):
        // masks next to odd punctuation can make a new value appear; hiding it keeps redaction
        // idempotent.
        for _ in 0..4 {
            match self.once(&out) {
                Cow::Borrowed(_) => break,
                Cow::Owned(again) => out = again,
            }
        }
        Cow::Owned(out)
    }

    fn once<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let t = text.as_bytes();
        let found = scan::find(t);
        let mut ranges: Vec<Range<usize>> = found.iter().flat_map(|f| f.pieces.iter().cloned()).collect();
        // Known secrets, and the pieces of values a paste wrapped or cut (a one-line quote of
        // the same text cannot see them as values).
        let mut known: Vec<Vec<u8>> = self.secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
        for f in found.iter().filter(|f| f.loose) {
            for v in f.whole_and_pieces(t) {
                let v = v.trim_ascii();
                if v.len() >= MIN_SECRET_LEN && !already_hidden_bytes(v) && !known.iter().any(|k| k == v) {
                    known.push(v.to_vec());
                }
            }
        }
        if !known.is_empty() {
            known_ranges(t, &known, &mut ranges);
            cut_ranges(t, &self.secrets, &mut ranges);
        }
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        ranges.sort_by_key(|r| r.start);
        let mut out = String::with_capacity(text.len() + 16);
        let mut copied = 0;
        let mut i = 0;
        while let Some(r) = ranges.get(i) {
            // Overlapping or touching ranges are one secret.
            let (start, mut end) = (r.start.max(copied), r.end);
            i += 1;
            while let Some(n) = ranges.get(i).filter(|n| n.start <= end) {
                end = end.max(n.end);
                i += 1;
            }
            if end <= start {
                continue;
            }
            let (Some(before), Some(value)) = (text.get(copied..start), text.get(start..end)) else {
                // Ranges fall on characters' edges; should one not, hide the rest of the text.
                out.push_str(self.mask);
                return Cow::Owned(out);
            };
            out.push_str(before);
            out.push_str(if already_hidden(value) { value } else { self.mask });
            copied = end;
        }
        out.push_str(text.get(copied..).unwrap_or(""));
        if out == text {
            return Cow::Borrowed(text);
        }
        Cow::Owned(out)
    }
}

/// Whether a value is what redaction left (`[redacted]`, maybe followed by the `…` or `...` of
/// a shortening): kept as it is, so redaction is idempotent.
fn already_hidden(value: &str) -> bool {
    value
        .strip_prefix(MASK)
        .or_else(|| value.strip_prefix(MASK_FR))
        .is_some_and(|rest| rest.chars().all(|c| c == '.' || c == '…'))
}

fn already_hidden_bytes(value: &[u8]) -> bool {
    std::str::from_utf8(value).is_ok_and(already_hidden)
}

/// Every occurrence of the known secrets (overlapping ones too), in one pass over the text.
fn known_ranges(t: &[u8], known: &[Vec<u8>], ranges: &mut Vec<Range<usize>>) {
    let Ok(ac) = aho_corasick::AhoCorasick::new(known) else {
        // Too many to build a searcher for: one at a time.
        for k in known {
            let finder = memchr::memmem::Finder::new(k);
            ranges.extend(finder.find_iter(t).map(|i| i..i + k.len()));
        }
        return;
    };
    ranges.extend(ac.find_overlapping_iter(t).map(|m| m.start()..m.end()));
}

/// Pieces of known secrets cut by a shortening: a prefix of at least [`MIN_SECRET_LEN`] bytes
/// right before a `…` or `...` (spaces between allowed), or a suffix right after one.
fn cut_ranges(t: &[u8], secrets: &[String], ranges: &mut Vec<Range<usize>>) {
    if secrets.is_empty() {
        return;
    }
    let ellipses = memchr::memmem::find_iter(t, "…".as_bytes())
        .map(|i| (i, i + 3))
        .chain(memchr::memmem::find_iter(t, b"...").map(|i| (i, i + 3)));
    for (mut before, mut after) in ellipses {
        // `head …` and `… tail` (a cut in the middle) as well as `head…`.
        while before > 0 && t.get(before - 1) == Some(&b' ') {
            before -= 1;
        }
        while t.get(after) == Some(&b' ') {
            after += 1;
        }
        for s in secrets.iter().map(String::as_bytes) {
            let head = (MIN_SECRET_LEN..s.len().min(before + 1))
                .rev()
                .find(|&k| t.get(before - k..before) == s.get(..k));
            if let Some(k) = head {
                ranges.push(before - k..before);
            }
            let tail = (MIN_SECRET_LEN..s.len())
                .rev()
                .find(|&k| t.get(after..after + k) == s.get(s.len() - k..));
            if let Some(k) = tail {
                ranges.push(after..after + k);
            }
        }
    }
}

static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::new);
static DEFAULT_FR: LazyLock<Redactor> = LazyLock::new(|| Redactor::new().in_lang(crate::Lang::Fr));

/// Hides every secret the patterns know (see the module doc). Borrowed when nothing was found.
pub fn redact(text: &str) -> Cow<'_, str> {
    DEFAULT.redact(text)
}

/// [`redact`] with the marker of `lang`, for what a run prints for a person.
pub fn redact_in(text: &str, lang: crate::Lang) -> String {
    match lang {
        crate::Lang::Fr => DEFAULT_FR.redact(text).into_owned(),
        crate::Lang::En => redact_text(text),
    }
}

/// Owned form of [`redact`].
pub fn redact_text(text: &str) -> String {
    redact(text).into_owned()
}

#[cfg(test)]
pub(crate) mod tests;
