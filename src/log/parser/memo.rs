//! Small bounded memos of the parser (part of step 1→2, log text → parsed run): a backup log
//! repeats the same lines and the same messages night after night, so the work done on a text
//! is remembered by its exact bytes and reused when the same text comes again.
//!
//! Both memos are direct-mapped tables of a fixed number of slots, indexed by a hash of the
//! text; a slot holds the text itself and a hit requires byte equality, so a memo can only
//! return what the computation would return for that very text. Texts longer than a bound are
//! not memoised, so memory stays bounded whatever the input.

use std::borrow::Cow;

use super::{Act, ActOf};
use crate::log::classify::Span;
use crate::redact;

/// A fast non-cryptographic hash of a short text (FxHash-style, 8 bytes at a time). The memos
/// only use it to pick a slot; equality is always checked on the bytes.
#[inline]
pub(super) fn hash(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(5) ^ word(c)).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last 8 bytes (overlapping the ones already read; the length is in `h`), or the
        // few bytes of a short text one by one: no copy of a variable length.
        let tail = match b.len().checked_sub(8).and_then(|k| b.get(k..)) {
            Some(last) => word(last),
            None => rest.iter().fold(0u64, |w, &c| (w << 8) | u64::from(c)),
        };
        h = (h.rotate_left(5) ^ tail).wrapping_mul(K);
    }
    // Multiplications only carry low bits upwards: mix the high bits down so that the low
    // bits, which pick the slot, depend on every byte.
    h ^= h >> 29;
    h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Slots of the message memo.
const MESSAGE_SLOTS: usize = 256;
/// Longest message text memoised.
const MESSAGE_MAX: usize = 1024;

#[derive(Debug, Default, Clone)]
struct MessageSlot {
    used: bool,
    hash: u64,
    text: String,
    /// The redacted text, when redaction changed it.
    redacted: Option<String>,
}

/// Remembers the redaction of recent message texts ([`redact::redact`] is a pure function of
/// its text): a nightly error message or PHP trace line is redacted once, not every night.
#[derive(Debug, Default)]
pub(super) struct MessageMemo {
    slots: Vec<MessageSlot>,
    /// Off: every text is redacted afresh (the differential tests compare both ways).
    #[cfg(test)]
    pub(super) off: bool,
}

impl MessageMemo {
    /// `redact::redact(text)`, from the memo when the same text was redacted recently.
    pub(super) fn redact<'s>(&'s mut self, text: &'s str) -> Cow<'s, str> {
        #[cfg(test)]
        if self.off {
            return redact::redact(text);
        }
        if text.len() > MESSAGE_MAX {
            return redact::redact(text);
        }
        if self.slots.is_empty() {
            self.slots = vec![MessageSlot::default(); MESSAGE_SLOTS];
        }
        let h = hash(text.as_bytes());
        let Some(slot) = self.slots.get_mut(h as usize % MESSAGE_SLOTS) else {
            return redact::redact(text);
        };
        if !(slot.used && slot.hash == h && slot.text == text) {
            let r = redact::redact(text);
            slot.used = true;
            slot.hash = h;
            slot.text.clear();
            slot.text.push_str(text);
            match r {
                Cow::Borrowed(_) => slot.redacted = None,
                Cow::Owned(s) => slot.redacted = Some(s),
            }
        }
        match &slot.redacted {
            None => Cow::Borrowed(text),
            Some(r) => Cow::Borrowed(r.as_str()),
        }
    }
}

/// A cheaper hash for the line memo: the length and three 8-byte samples (start, middle,
/// end). Lines that differ only elsewhere share a slot (and evict each other); equality is
/// still checked on every byte.
#[inline]
pub(super) fn sample_hash(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let word = |at: usize| {
        b.get(at..at + 8)
            .map_or(0, |c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
    };
    let n = b.len();
    let mut h = (n as u64).wrapping_mul(K);
    if n >= 8 {
        h = (h.rotate_left(5) ^ word(0)).wrapping_mul(K);
        h = (h.rotate_left(5) ^ word(n / 2 - 4)).wrapping_mul(K);
        h = (h.rotate_left(5) ^ word(n - 8)).wrapping_mul(K);
    } else {
        h = (h.rotate_left(5) ^ b.iter().fold(0u64, |w, &c| (w << 8) | u64::from(c))).wrapping_mul(K);
    }
    h ^= h >> 29;
    h = h.wrapping_mul(K);
    h ^ (h >> 32)
}

/// Slots of the line memo.
const LINE_SLOTS: usize = 1024;
/// Slots of the admission filter (line hashes seen once).
const SEEN_SLOTS: usize = 1024;
/// Longest line memoised.
const LINE_MAX: usize = 256;
/// Most plan steps memoised for a line (a line has one or two segments, a reflowed one more).
const LINE_ACTS: usize = 4;

#[derive(Debug, Default, Clone)]
struct LineSlot {
    used: bool,
    hash: u64,
    text: String,
    acts: Vec<ActOf<Span>>,
}

/// Remembers the plans of recent lines (see `Planner`): a nightly log repeats the same step
/// lines, so most lines are recognised by one hash and one comparison instead of by the
/// prefix tests of `classify`. Lines holding a time (logger lines, banners) are not kept:
/// they do not come again.
#[derive(Debug, Default)]
pub(crate) struct LineMemo {
    slots: Vec<LineSlot>,
    /// The plan being recorded, moved into its slot when complete.
    scratch: Vec<ActOf<Span>>,
    /// Hashes of lines seen once: a line is kept only when it comes a second time, so the
    /// lines that never repeat (archive names, transfer speeds) evict nothing.
    seen: Vec<u64>,
    /// Off: every line is planned afresh (the differential tests compare both ways).
    #[cfg(test)]
    pub(crate) off: bool,
}

/// The outcome of [`LineMemo::lookup`].
pub(crate) enum Lookup<'m> {
    /// The plan of the same text.
    Hit(&'m [ActOf<Span>]),
    /// Not known: plan the line, passing each step to the recorder.
    Miss(Recorder<'m>),
}

/// Records the plan of a line that was not known, to keep it when complete. The slot keeps
/// its previous line until then (a line that cannot be kept evicts nothing).
pub(crate) struct Recorder<'m> {
    to: Option<(&'m mut LineSlot, &'m mut Vec<ActOf<Span>>, u64)>,
}

impl LineMemo {
    #[inline]
    pub(crate) fn lookup(&mut self, text: &str) -> Lookup<'_> {
        #[cfg(test)]
        if self.off {
            return Lookup::Miss(Recorder { to: None });
        }
        if text.len() > LINE_MAX {
            return Lookup::Miss(Recorder { to: None });
        }
        if self.slots.is_empty() {
            self.slots = vec![LineSlot::default(); LINE_SLOTS];
            self.seen = vec![0; SEEN_SLOTS];
        }
        let h = sample_hash(text.as_bytes());
        let Some(slot) = self.slots.get_mut(h as usize % LINE_SLOTS) else {
            return Lookup::Miss(Recorder { to: None });
        };
        if slot.used && slot.hash == h && slot.text == text {
            return Lookup::Hit(&slot.acts);
        }
        // Admission: the first time, only the hash is noted.
        let Some(seen) = self.seen.get_mut((h >> 32) as usize % SEEN_SLOTS) else {
            return Lookup::Miss(Recorder { to: None });
        };
        if *seen != h {
            *seen = h;
            return Lookup::Miss(Recorder { to: None });
        }
        self.scratch.clear();
        Lookup::Miss(Recorder {
            to: Some((slot, &mut self.scratch, h)),
        })
    }
}

impl Recorder<'_> {
    /// The next step of the line's plan.
    pub(crate) fn push(&mut self, act: &Act<'_>, text: &str) {
        let Some((_, scratch, _)) = self.to.as_mut() else {
            return;
        };
        // A line holding a time will not come again: not worth working out its spans.
        if act.timed() || scratch.len() >= LINE_ACTS {
            self.to = None;
            return;
        }
        match act.to_spans(text) {
            Some(a) => scratch.push(a),
            None => self.to = None,
        }
    }

    /// The plan of `text` is complete: keep it.
    pub(crate) fn keep(self, text: &str) {
        if let Some((slot, scratch, h)) = self.to {
            std::mem::swap(&mut slot.acts, scratch);
            slot.text.clear();
            slot.text.push_str(text);
            slot.hash = h;
            slot.used = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_returns_what_redact_returns() {
        let mut m = MessageMemo::default();
        let texts = [
            "plain",
            "smbclient '//h/s' -U \"user%S3cr3t\" -c 'put x'",
            "apikey=abcdefABCDEF0123456789abcdef012345",
            "",
            "plain",
            "smbclient '//h/s' -U \"user%S3cr3t\" -c 'put x'",
        ];
        for _ in 0..3 {
            for t in texts {
                assert_eq!(m.redact(t), redact::redact(t), "{t:?}");
            }
        }
        // Colliding slots: many texts through few slots.
        for i in 0..500 {
            let t = format!("-U \"u{i}%p{i}\" x");
            assert_eq!(m.redact(&t), redact::redact(&t));
        }
    }

    #[test]
    fn hash_reads_every_byte() {
        assert_ne!(hash(b"abcdefgh1"), hash(b"abcdefgh2"));
        assert_ne!(hash(b"a"), hash(b"a\0"));
        assert_ne!(hash(b""), hash(b"\0"));
    }
}
