//! The virtual's value decoded as the widget's `JSON.parse` decodes it in the browser, not as
//! `serde_json` does: any nesting depth (the parser keeps its own stack, so depth costs heap,
//! never the call stack), numbers beyond `f64` become ±Infinity, integers are doubles (2^53+1
//! is 2^53), a lone UTF-16 surrogate escape (`"\ud800"`) is accepted (kept here as U+FFFD, which
//! no comparison of the widget can tell apart), and a repeated key keeps its first position with
//! its last value. Pure and total: an error is a value, never a panic.

use std::collections::HashMap;

/// A decoded JSON value, as JavaScript holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<JsValue>),
    /// Keys in insertion order, each once.
    Object(Vec<(String, JsValue)>),
}

impl JsValue {
    /// The value of an own key of an object; `None` for a missing key or a non-object.
    pub(crate) fn key(&self, name: &str) -> Option<&JsValue> {
        match self {
            JsValue::Object(entries) => entries.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Drop for JsValue {
    /// Drops nested values with a heap stack: a value nested 100,000 deep must not overflow the
    /// call stack when it goes away.
    fn drop(&mut self) {
        let mut stack: Vec<JsValue> = Vec::new();
        take_children(self, &mut stack);
        while let Some(mut v) = stack.pop() {
            take_children(&mut v, &mut stack);
        }
    }
}

fn take_children(v: &mut JsValue, stack: &mut Vec<JsValue>) {
    match v {
        JsValue::Array(items) => stack.append(items),
        JsValue::Object(entries) => stack.extend(entries.drain(..).map(|(_, v)| v)),
        _ => {}
    }
}

/// One open container while parsing.
enum Frame {
    Array(Vec<JsValue>),
    Object {
        entries: Vec<(String, JsValue)>,
        index: HashMap<String, usize>,
        key: Option<String>,
    },
}

/// `JSON.parse(text)`: `None` where the browser throws a `SyntaxError`.
pub(crate) fn parse(text: &str) -> Option<JsValue> {
    let mut p = Parser {
        b: text.as_bytes(),
        s: text,
        i: 0,
    };
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        // A value starts here.
        p.ws();
        let mut value = match p.peek()? {
            b'{' => {
                p.i += 1;
                p.ws();
                if p.peek()? == b'}' {
                    p.i += 1;
                    JsValue::Object(Vec::new())
                } else {
                    let key = p.key()?;
                    stack.push(Frame::Object {
                        entries: Vec::new(),
                        index: HashMap::new(),
                        key: Some(key),
                    });
                    continue;
                }
            }
            b'[' => {
                p.i += 1;
                p.ws();
                if p.peek()? == b']' {
                    p.i += 1;
                    JsValue::Array(Vec::new())
                } else {
                    stack.push(Frame::Array(Vec::new()));
                    continue;
                }
            }
            b'"' => JsValue::String(p.string()?),
            b't' => p.word("true", JsValue::Bool(true))?,
            b'f' => p.word("false", JsValue::Bool(false))?,
            b'n' => p.word("null", JsValue::Null)?,
            _ => JsValue::Number(p.number()?),
        };
        // Hand the value to its container, closing every container that ends here.
        loop {
            let Some(top) = stack.last_mut() else {
                p.ws();
                return (p.i == p.b.len()).then_some(value);
            };
            p.ws();
            match top {
                Frame::Array(items) => {
                    items.push(value);
                    match p.peek()? {
                        b',' => {
                            p.i += 1;
                            break;
                        }
                        b']' => {
                            p.i += 1;
                            let Some(Frame::Array(items)) = stack.pop() else {
                                return None;
                            };
                            value = JsValue::Array(items);
                        }
                        _ => return None,
                    }
                }
                Frame::Object { entries, index, key } => {
                    let k = key.take()?;
                    match index.get(&k) {
                        Some(&at) => entries[at].1 = value,
                        None => {
                            index.insert(k.clone(), entries.len());
                            entries.push((k, value));
                        }
                    }
                    match p.peek()? {
                        b',' => {
                            p.i += 1;
                            p.ws();
                            *key = Some(p.key()?);
                            break;
                        }
                        b'}' => {
                            p.i += 1;
                            let Some(Frame::Object { entries, .. }) = stack.pop() else {
                                return None;
                            };
                            value = JsValue::Object(entries);
                        }
                        _ => return None,
                    }
                }
            }
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// JSON's whitespace: tab, line feed, carriage return, space (nothing else).
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn word(&mut self, w: &str, v: JsValue) -> Option<JsValue> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Some(v)
        } else {
            None
        }
    }

    /// `"key"` then `:`.
    fn key(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let k = self.string()?;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        Some(k)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as the nearest double.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        // Rust rounds to nearest like JavaScript and gives ±inf beyond the range.
        self.s[start..self.i].parse::<f64>().ok()
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    /// A string literal; the cursor is on its opening quote.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        let mut pending_high: Option<u16> = None;
        loop {
            let start = self.i;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            if self.i > start {
                flush_high(&mut out, &mut pending_high);
                out.push_str(&self.s[start..self.i]);
            }
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    flush_high(&mut out, &mut pending_high);
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek()?;
                    self.i += 1;
                    let simple = match e {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        b'u' => None,
                        _ => return None,
                    };
                    if let Some(c) = simple {
                        flush_high(&mut out, &mut pending_high);
                        out.push(c);
                        continue;
                    }
                    let hex = self.s.get(self.i..self.i + 4)?;
                    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    let unit = u16::from_str_radix(hex, 16).ok()?;
                    self.i += 4;
                    match unit {
                        0xD800..=0xDBFF => {
                            flush_high(&mut out, &mut pending_high);
                            pending_high = Some(unit);
                        }
                        0xDC00..=0xDFFF => match pending_high.take() {
                            Some(high) => {
                                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                                out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            }
                            None => out.push('\u{FFFD}'),
                        },
                        _ => {
                            flush_high(&mut out, &mut pending_high);
                            out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
                        }
                    }
                }
                // A raw control character inside a string.
                _ => return None,
            }
        }
    }
}

/// A high surrogate not followed by a low one stands alone: U+FFFD here.
fn flush_high(out: &mut String, pending: &mut Option<u16>) {
    if pending.take().is_some() {
        out.push('\u{FFFD}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> JsValue {
        JsValue::String(v.to_owned())
    }

    #[test]
    fn parses_what_json_parse_parses() {
        assert_eq!(parse(" 1 "), Some(JsValue::Number(1.0)));
        assert_eq!(parse("-0.5e1"), Some(JsValue::Number(-5.0)));
        assert_eq!(parse("1e400"), Some(JsValue::Number(f64::INFINITY)));
        assert_eq!(
            parse("9007199254740993"),
            Some(JsValue::Number(9_007_199_254_740_992.0))
        );
        assert_eq!(parse(r#""a\u00e9\ud83d\ude00""#), Some(s("aé😀")));
        assert_eq!(parse(r#""\ud800x""#), Some(s("\u{FFFD}x")));
        assert_eq!(parse(r#""\udc00""#), Some(s("\u{FFFD}")));
        assert_eq!(
            parse(r#"{"a":1,"b":[true,null],"a":2}"#),
            Some(JsValue::Object(vec![
                ("a".into(), JsValue::Number(2.0)),
                ("b".into(), JsValue::Array(vec![JsValue::Bool(true), JsValue::Null])),
            ]))
        );
        assert_eq!(parse("[]"), Some(JsValue::Array(vec![])));
        assert_eq!(parse("{ }"), Some(JsValue::Object(vec![])));
    }

    #[test]
    fn refuses_what_json_parse_refuses() {
        for bad in [
            "",
            " ",
            "01",
            "1.",
            ".5",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "'a'",
            "\"a\nb\"",
            "\"\\x\"",
            "\"\\u12\"",
            "[1 2]",
            "{\"a\" 1}",
            "nul",
            "1 2",
            "\u{a0}1",
            "NaN",
            "Infinity",
            "[",
            "{\"a\":",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn any_depth_parses_and_drops_without_recursion() {
        let n = 200_000;
        let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(&deep).is_some());
        let objects = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert!(parse(&objects).is_some());
        assert_eq!(parse(&format!("{}{}", "[".repeat(n), "]".repeat(n - 1))), None);
    }
}
