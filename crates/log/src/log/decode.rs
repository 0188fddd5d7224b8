//! Bytes of one line → UTF-8 text, with a map back to input offsets.
//!
//! The fast path (valid UTF-8, no NUL byte: nearly every line) borrows the input and maps
//! offsets by addition. Otherwise the line is rebuilt: NUL bytes dropped, each byte that is not
//! part of a valid UTF-8 sequence read as Windows-1252, and every output byte remembers the
//! input byte it came from, so spans still point at the input.

use std::borrow::Cow;

/// One byte read as Windows-1252, by `encoding_rs` (WHATWG's table): the five bytes the code
/// page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as the C1 control of the same value,
/// so decoding never fails.
pub fn cp1252(b: u8) -> char {
    decode_cp1252(&[b]).chars().next().unwrap_or('\u{FFFD}')
}

/// Bytes read as Windows-1252: exactly one character per byte, never an error.
pub fn decode_cp1252(bytes: &[u8]) -> Cow<'_, str> {
    encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0
}

/// A decoded line (or piece of a line).
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Input offset of the first byte of the raw line.
    pub base: u64,
    /// For rebuilt text: `map[i]` is the raw offset (relative to `base`) of text byte `i`;
    /// it has one extra entry for `text.len()`.
    map: Option<Vec<u32>>,
    /// Whether some bytes were read as Windows-1252.
    pub cp1252: bool,
    /// NUL bytes dropped.
    pub nuls: u64,
}

impl<'a> Decoded<'a> {
    /// Text already known to be the input bytes themselves.
    pub fn borrowed(text: &'a str, base: u64) -> Self {
        Decoded {
            text: Cow::Borrowed(text),
            base,
            map: None,
            cp1252: false,
            nuls: 0,
        }
    }

    /// Input offset of text byte `i` (`i == text.len()` gives the end).
    pub fn abs(&self, i: usize) -> u64 {
        let rel = match &self.map {
            None => i as u64,
            Some(m) => {
                let last = m.last().copied().unwrap_or(0);
                u64::from(m.get(i).copied().unwrap_or(last))
            }
        };
        self.base + rel
    }
}

/// Decodes one raw line that starts at input offset `base`. `has_nul` tells whether the caller
/// saw a NUL byte in it (it is checked again when `None`).
pub fn decode_line(raw: &[u8], base: u64, has_nul: Option<bool>) -> Decoded<'_> {
    let has_nul = has_nul.unwrap_or_else(|| memchr::memchr(0, raw).is_some());
    if !has_nul && let Ok(s) = std::str::from_utf8(raw) {
        return Decoded {
            text: Cow::Borrowed(s),
            base,
            map: None,
            cp1252: false,
            nuls: 0,
        };
    }
    rebuild(raw, base)
}

fn rebuild(raw: &[u8], base: u64) -> Decoded<'_> {
    let mut text = String::with_capacity(raw.len() + raw.len() / 4);
    let mut map: Vec<u32> = Vec::with_capacity(raw.len() + 1);
    let mut cp = false;
    let mut nuls = 0u64;
    let mut pos: usize = 0;
    let push = |text: &mut String, map: &mut Vec<u32>, c: char, at: usize| {
        let before = text.len();
        text.push(c);
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        for _ in before..text.len() {
            map.push(at);
        }
    };
    for chunk in raw.utf8_chunks() {
        for (i, c) in chunk.valid().char_indices() {
            if c == '\0' {
                nuls += 1;
                continue;
            }
            push(&mut text, &mut map, c, pos + i);
        }
        pos += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            cp = true;
            // Windows-1252 is one character per byte: character `i` comes from byte `i`.
            for (i, c) in decode_cp1252(chunk.invalid()).chars().enumerate() {
                push(&mut text, &mut map, c, pos + i);
            }
        }
        pos += chunk.invalid().len();
    }
    map.push(u32::try_from(raw.len()).unwrap_or(u32::MAX));
    Decoded {
        text: Cow::Owned(text),
        base,
        map: Some(map),
        cp1252: cp,
        nuls,
    }
}

/// Decodes bytes the way the parser does, without the offset map.
/// HTML character references are read ([`unescape_html`]), as the parser reads them.
pub fn decode_lossless(raw: &[u8]) -> Cow<'_, str> {
    decode_line(raw, 0, None).unescaped().text
}

/// The HTML character references a paste copied from a web page holds (`&quot;`, `&#34;`,
/// `&#x22;`, `&amp;`, `&lt;`, `&gt;`, `&apos;`, `&#39;`, `&nbsp;`), read as the characters they
/// stand for: the text and, for each of its bytes (and one past the end), the offset in `raw`
/// it came from. `None` when `raw` holds none (nearly every line: one `memchr` for `&`).
///
/// Used by the log parser (an escaped Jeedom line reads as the line) and by the credential scan
/// of [`crate::redact`] (a password between `&quot;` is found where a `"` would be).
pub fn unescape_html(raw: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    let first = memchr::memchr(b'&', raw)?;
    let mut out: Vec<u8> = Vec::new();
    let mut map: Vec<usize> = Vec::new();
    let mut copied = 0;
    let mut i = first;
    while let Some(k) = raw.get(i..).and_then(|r| memchr::memchr(b'&', r)) {
        let amp = i + k;
        i = amp + 1;
        let Some((c, len)) = entity(raw.get(amp..).unwrap_or_default()) else {
            continue;
        };
        if out.is_empty() && map.is_empty() {
            out.reserve(raw.len());
            map.reserve(raw.len() + 1);
        }
        for (n, b) in raw.get(copied..amp).unwrap_or_default().iter().enumerate() {
            out.push(*b);
            map.push(copied + n);
        }
        let mut buf = [0; 4];
        for b in c.encode_utf8(&mut buf).as_bytes() {
            out.push(*b);
            map.push(amp);
        }
        copied = amp + len;
        i = copied;
    }
    if copied == 0 {
        return None;
    }
    for (n, b) in raw.get(copied..).unwrap_or_default().iter().enumerate() {
        out.push(*b);
        map.push(copied + n);
    }
    map.push(raw.len());
    Some((out, map))
}

/// The character reference at the start of `t` (which starts with `&`) and its length.
fn entity(t: &[u8]) -> Option<(char, usize)> {
    let end = t.iter().take(10).position(|b| *b == b';')?;
    let name = t.get(1..end)?;
    let c = match name {
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() => u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16)
            .ok()
            .and_then(char::from_u32)?,
        [b'#', dec @ ..] if !dec.is_empty() && dec.iter().all(u8::is_ascii_digit) => std::str::from_utf8(dec)
            .ok()?
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)?,
        _ if name.eq_ignore_ascii_case(b"quot") => '"',
        _ if name.eq_ignore_ascii_case(b"amp") => '&',
        _ if name.eq_ignore_ascii_case(b"lt") => '<',
        _ if name.eq_ignore_ascii_case(b"gt") => '>',
        b"apos" => '\'',
        b"nbsp" => '\u{a0}',
        _ => return None,
    };
    // A NUL or another control character is not text a page meant to show.
    (c != '\0').then_some((c, end + 1))
}

impl Decoded<'_> {
    /// This line with its HTML character references read ([`unescape_html`]); itself when it
    /// holds none. Offsets still map to the input.
    pub fn unescaped(self) -> Self {
        let Some((bytes, map)) = unescape_html(self.text.as_bytes()) else {
            return self;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return self;
        };
        // Compose with the map this text already had.
        let map: Vec<u32> = map
            .iter()
            .map(|&i| {
                let rel = self.abs(i) - self.base;
                u32::try_from(rel).unwrap_or(u32::MAX)
            })
            .collect();
        Decoded {
            text: Cow::Owned(text),
            base: self.base,
            map: Some(map),
            cp1252: self.cp1252,
            nuls: self.nuls,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_references_are_read_and_map_back() {
        let raw = "-U &quot;u%p&#34; &amp;&#x27;&lt;x&gt;&apos;&nbsp;&bogus; &#0; a&b".as_bytes();
        let (out, map) = unescape_html(raw).unwrap_or_default();
        assert_eq!(String::from_utf8_lossy(&out), "-U \"u%p\" &'<x>'\u{a0}&bogus; &#0; a&b");
        assert_eq!(map.len(), out.len() + 1);
        assert_eq!(map[3], 3);
        assert_eq!(map[4], 9);
        assert_eq!(map.last(), Some(&raw.len()));
        assert!(unescape_html(b"no entity & here").is_none());
        let d = decode_line(b"x &quot;y&quot;", 10, None).unescaped();
        assert_eq!(d.text, "x \"y\"");
        assert_eq!(d.abs(3), 18);
        assert_eq!(d.abs(d.text.len()), 25);
        assert_eq!(decode_lossless(b"V\xe9 &amp; x"), "Vé & x");
    }

    #[test]
    fn utf8_is_borrowed() {
        let d = decode_line("Vérification".as_bytes(), 10, None);
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.abs(3), 13);
        assert!(!d.cp1252);
    }

    #[test]
    fn latin1_accents_survive_and_map_back() {
        // "Vérification" in Latin-1: é is the single byte E9.
        let raw = b"V\xe9rification des droits";
        let d = decode_line(raw, 100, None);
        assert_eq!(d.text, "Vérification des droits");
        assert!(d.cp1252);
        // 'r' after é: text index 3 (é is 2 bytes in UTF-8), raw index 2.
        assert_eq!(d.abs(3), 102);
        assert_eq!(d.abs(d.text.len()), 100 + raw.len() as u64);
    }

    #[test]
    fn windows1252_specials() {
        let d = decode_line(b"\x80 \x85 \x92 \x9c \x81", 0, None);
        assert_eq!(d.text, "€ … ’ œ \u{81}");
    }

    /// What the hand-kept table this decoder replaced gave, byte for byte: Latin-1 outside
    /// 0x80..=0x9F, the code page's 27 characters inside, and the five undefined bytes as the C1
    /// control of the same value (as WHATWG's decoder, which `encoding_rs` implements, reads them).
    #[test]
    fn windows1252_is_one_character_per_byte_as_the_old_table() {
        const HIGH: [char; 32] = [
            '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{02C6}',
            '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}', '\u{0090}', '\u{2018}',
            '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}',
            '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
        ];
        let all: Vec<u8> = (0..=255).collect();
        let text = decode_cp1252(&all);
        assert_eq!(text.chars().count(), 256);
        for (b, c) in all.iter().zip(text.chars()) {
            let old = match b {
                0x80..=0x9F => HIGH[usize::from(b - 0x80)],
                _ => char::from(*b),
            };
            assert_eq!(c, old, "byte {b:#04x}");
            assert_eq!(cp1252(*b), old, "byte {b:#04x}");
        }
        for hole in [0x81u8, 0x8D, 0x8F, 0x90, 0x9D] {
            assert_eq!(cp1252(hole), char::from(hole));
        }
        // Offsets still map back through a run of several non-UTF-8 bytes.
        let d = decode_line(b"a\x80\x81\xe9b", 7, None);
        assert_eq!(d.text, "a€\u{81}éb");
        let b_at = d.text.len() - 1;
        assert_eq!(d.abs(b_at), 7 + 4);
        assert_eq!(d.abs(1), 8);
    }

    #[test]
    fn nul_bytes_are_dropped() {
        let d = decode_line(b"\0\0OK\0", 0, None);
        assert_eq!(d.text, "OK");
        assert_eq!(d.nuls, 3);
        assert_eq!(d.abs(0), 2);
        assert_eq!(d.abs(2), 5);
    }

    #[test]
    fn truncated_utf8_keeps_the_valid_part() {
        // "é" cut after its first byte, then valid UTF-8 "è".
        let d = decode_line(b"a\xc3 \xc3\xa8", 0, None);
        assert_eq!(d.text, "aÃ è");
    }
}
