//! The slice of PHP semantics the published scenario depends on, byte for byte: `json_decode`
//! into PHP values, `json_encode` of an ordered array, `round` and float printing (for
//! `size_format`), `substr`, `empty`, and loose `==`. Used by the engine (step 4 of the data
//! flow: log text → parsed run → Jeedom world → **engine** → state → views) so that its rules can
//! be written as the scenario's PHP reads, with PHP 7 and PHP 8 told apart where they differ.
//!
//! Strings are bytes here, as in PHP: `substr` may cut a UTF-8 sequence, and `json_encode` then
//! fails as PHP's does.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The PHP major version the Jeedom box runs. It changes loose `==` between numbers and
/// non-numeric strings, and whether some type errors throw or only warn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum PhpVersion {
    Php7,
    #[default]
    Php8,
}

impl PhpVersion {
    pub fn major(self) -> u8 {
        match self {
            PhpVersion::Php7 => 7,
            PhpVersion::Php8 => 8,
        }
    }
}

impl fmt::Display for PhpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PHP {}", self.major())
    }
}

/// Error for a PHP version other than 7 or 8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown PHP version {0:?} (expected 7 or 8)")]
pub struct UnknownPhpVersion(pub String);

impl FromStr for PhpVersion {
    type Err = UnknownPhpVersion;
    /// Accepts `7`, `8`, `7.4`, `8.2`, `php8`, `PHP 7`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.trim_start_matches("php").trim();
        match t.split('.').next() {
            Some("7") => Ok(PhpVersion::Php7),
            Some("8") => Ok(PhpVersion::Php8),
            _ => Err(UnknownPhpVersion(s.to_owned())),
        }
    }
}

impl Serialize for PhpVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.major())
    }
}

impl<'de> Deserialize<'de> for PhpVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::N(n) => n.to_string(),
            Raw::S(s) => s,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

// ---- values --------------------------------------------------------------------------------

/// A PHP value as `json_decode($text, true)` produces it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A PHP string: bytes, not necessarily UTF-8.
    Str(Vec<u8>),
    Array(Array),
}

impl Value {
    pub fn str(s: impl AsRef<[u8]>) -> Value {
        Value::Str(s.as_ref().to_vec())
    }

    /// The PHP type name, as error messages print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
        }
    }

    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// An array key: PHP turns decimal-integer strings (`"5"`, `"-3"`, not `"05"`) into ints.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Int(i64),
    Str(Vec<u8>),
}

impl Key {
    /// The key PHP stores for a string offset.
    pub fn from_bytes(s: &[u8]) -> Key {
        match canonical_int(s) {
            Some(i) => Key::Int(i),
            None => Key::Str(s.to_vec()),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        match self {
            Key::Int(i) => i.to_string().into_bytes(),
            Key::Str(s) => s.clone(),
        }
    }
}

/// `"123"` and `"-5"` are integer keys in PHP; `"0123"`, `"-0"`, `"+1"`, `" 1"` stay strings.
fn canonical_int(s: &[u8]) -> Option<i64> {
    let digits = s.strip_prefix(b"-").unwrap_or(s);
    let ok = match digits {
        [] => false,
        [b'0'] => s.len() == 1,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
    };
    if !ok {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// An ordered PHP array (insertion order, as PHP keeps it).
#[derive(Debug, Clone, Default)]
pub struct Array {
    entries: Vec<(Key, Value)>,
    /// Where each key sits in `entries` (keys are never removed), so that building an array of
    /// n keys costs O(n), not O(n²).
    index: HashMap<Key, usize>,
    /// PHP's next free integer key: one past the largest integer key, and at least 0.
    next: i64,
}

/// Two arrays are equal when they hold the same keys and values in the same order (the index
/// and the next free key follow from the entries).
impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        self.entries == other.entries
    }
}

impl Array {
    pub fn new() -> Array {
        Array::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Key, Value)> {
        self.entries.iter()
    }

    fn position(&self, key: &Key) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// `$a[$key]` for a string offset; `None` when the key is missing.
    pub fn get(&self, key: &str) -> Option<&Value> {
        let k = Key::from_bytes(key.as_bytes());
        self.position(&k).and_then(|i| self.entries.get(i)).map(|(_, v)| v)
    }

    /// `array_key_exists($key, $a)`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(&Key::from_bytes(key.as_bytes())).is_some()
    }

    /// `$a[$key] = $value`: an existing key keeps its place, a new one goes last.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.set_key(Key::from_bytes(key.as_bytes()), value.into());
    }

    pub fn set_key(&mut self, key: Key, value: Value) {
        match self.position(&key) {
            Some(i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    slot.1 = value;
                }
            }
            None => {
                if let Key::Int(i) = key {
                    self.next = self.next.max(i.saturating_add(1));
                }
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    /// `$a[] = $value`.
    pub fn push(&mut self, value: Value) {
        self.set_key(Key::Int(self.next), value);
    }

    /// PHP's list test for `json_encode`: keys are exactly 0, 1, 2, … in order.
    fn is_list(&self) -> bool {
        self.entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| matches!(k, Key::Int(n) if *n == i as i64))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.entries.iter().map(|(k, _)| k)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.as_bytes().to_vec())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s.into_bytes())
    }
}
impl From<Vec<u8>> for Value {
    fn from(s: Vec<u8>) -> Self {
        Value::Str(s)
    }
}
impl From<Array> for Value {
    fn from(a: Array) -> Self {
        Value::Array(a)
    }
}

// ---- json_decode ---------------------------------------------------------------------------

/// PHP's default `json_decode` depth.
const JSON_MAX_DEPTH: usize = 512;

/// `json_decode($text, true)`: `None` where PHP returns `null` for a syntax error (the empty
/// string included). A document that is the JSON `null` gives `Some(Value::Null)`.
pub fn json_decode(text: &str) -> Option<Value> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    (p.i == p.s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8]) -> Option<()> {
        if self.s.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Value::Str),
            b't' => self.lit(b"true").map(|_| Value::Bool(true)),
            b'f' => self.lit(b"false").map(|_| Value::Bool(false)),
            b'n' => self.lit(b"null").map(|_| Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value> {
        if depth > JSON_MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut a = Array::new();
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Value::Array(a));
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let k = self.string()?;
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth)?;
            a.set_key(Key::from_bytes(&k), v);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(Value::Array(a));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth > JSON_MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let mut a = Array::new();
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Value::Array(a));
        }
        loop {
            self.ws();
            let v = self.value(depth)?;
            a.push(v);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(Value::Array(a));
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        let h = std::str::from_utf8(h).ok()?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    fn string(&mut self) -> Option<Vec<u8>> {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.i += 1;
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let u = self.hex4()?;
                            let c = match u {
                                0xD800..=0xDBFF => {
                                    // A high surrogate must be followed by an escaped low one.
                                    self.lit(b"\\u")?;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return None;
                                    }
                                    0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return None,
                                _ => u,
                            };
                            let ch = char::from_u32(c)?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }

    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return None;
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let text = std::str::from_utf8(self.s.get(start..self.i)?).ok()?;
        if !is_float && let Ok(i) = text.parse::<i64>() {
            return Some(Value::Int(i));
        }
        // Floats, and integers too big for PHP's int (PHP turns them into floats).
        text.parse::<f64>().ok().map(Value::Float)
    }
}

// ---- json_encode ---------------------------------------------------------------------------

/// Why `json_encode` returned `false`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonEncodeError {
    #[error("Malformed UTF-8 characters, possibly incorrectly encoded")]
    Utf8,
    #[error("Inf and NaN cannot be JSON encoded")]
    InfOrNan,
}

/// `json_encode($value)` with default flags: no spaces, `/` escaped as `\/`, non-ASCII as
/// `\uXXXX` (lower-case hex, surrogate pairs above U+FFFF), integers bare.
pub fn json_encode(v: &Value) -> Result<String, JsonEncodeError> {
    let mut out = String::new();
    encode_into(v, &mut out)?;
    Ok(out)
}

fn encode_into(v: &Value, out: &mut String) -> Result<(), JsonEncodeError> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)?),
        Value::Str(s) => encode_str(s, out)?,
        Value::Array(a) => {
            if a.is_list() {
                out.push('[');
                for (i, (_, v)) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    encode_into(v, out)?;
                }
                out.push(']');
            } else {
                out.push('{');
                for (i, (k, v)) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    encode_str(&k.to_bytes(), out)?;
                    out.push(':');
                    encode_into(v, out)?;
                }
                out.push('}');
            }
        }
    }
    Ok(())
}

fn encode_str(s: &[u8], out: &mut String) -> Result<(), JsonEncodeError> {
    let s = std::str::from_utf8(s).map_err(|_| JsonEncodeError::Utf8)?;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", u));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(())
}

/// A float as `json_encode` prints it (`serialize_precision = -1`: shortest round-trip digits).
fn json_float(f: f64) -> Result<String, JsonEncodeError> {
    if !f.is_finite() {
        return Err(JsonEncodeError::InfOrNan);
    }
    let (neg, digits, exp) = shortest_digits(f);
    Ok(gcvt(neg, &digits, exp, 17, 'e'))
}

/// Decimal digits and exponent of the shortest representation that reads back as `f`
/// (`d.ddd × 10^exp`).
fn shortest_digits(f: f64) -> (bool, Vec<u8>, i32) {
    let s = format!("{:e}", f.abs());
    split_sci(f.is_sign_negative() && f != 0.0, &s)
}

/// Digits and exponent of `f` rounded to `precision` significant digits, trailing zeros removed.
fn precision_digits(f: f64, precision: usize) -> (bool, Vec<u8>, i32) {
    let s = format!("{:.*e}", precision.saturating_sub(1), f.abs());
    split_sci(f.is_sign_negative() && f != 0.0, &s)
}

fn split_sci(neg: bool, s: &str) -> (bool, Vec<u8>, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (neg, digits, exp.parse().unwrap_or(0))
}

/// PHP's `zend_gcvt`: fixed notation unless the exponent is below -4 or at least `precision`,
/// then `d.ddde+X` (with `.0` when there is a single digit).
fn gcvt(neg: bool, digits: &[u8], exp: i32, precision: i32, e: char) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let digits: String = digits.iter().map(|&b| b as char).collect();
    if digits == "0" {
        out.push('0');
        return out;
    }
    if exp < -4 || exp >= precision {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push(e);
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&exp.unsigned_abs().to_string());
    } else if exp < 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat((-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.push_str(&"0".repeat(int_len - digits.len()));
        } else {
            let (a, b) = digits.split_at(int_len);
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
    }
    out
}

/// A float converted to a string the way PHP does (`precision = 14`): `100.0` → `"100"`,
/// `212.01` → `"212.01"`, `1e25` → `"1.0E+25"`.
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return "NAN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF".into() } else { "-INF".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let (neg, digits, exp) = precision_digits(f, 14);
    gcvt(neg, &digits, exp, 14, 'E')
}

// ---- round ---------------------------------------------------------------------------------

fn pow10(p: i32) -> f64 {
    const POWERS: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    match usize::try_from(p).ok().and_then(|i| POWERS.get(i)) {
        Some(v) => *v,
        None => 10f64.powi(p),
    }
}

fn round_half_up(v: f64) -> f64 {
    if v >= 0.0 { (v + 0.5).floor() } else { (v - 0.5).ceil() }
}

/// PHP's `round($value, $places)` as of PHP 5.3 to 8.3 (half away from zero, with PHP's
/// "pre-rounding" to 15 significant digits so that `round(1.955, 2)` gives `1.96`).
pub fn round(value: f64, places: i32) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    let precision_places = 14 - value.abs().log10().floor() as i32;
    let f1 = pow10(places.abs());
    let mut tmp;
    if precision_places > places && precision_places - 15 < places {
        let use_precision = precision_places.max(-60);
        let basic = if use_precision >= 0 {
            value * pow10(use_precision)
        } else {
            value / pow10(-use_precision)
        };
        tmp = round_half_up(basic);
        let rest = (places - use_precision).max(-60);
        tmp /= pow10(rest.abs());
    } else {
        tmp = if places >= 0 { value * f1 } else { value / f1 };
        if tmp.abs() >= 1e15 {
            return value;
        }
    }
    tmp = round_half_up(tmp);
    if places.abs() < 23 {
        if places > 0 { tmp / f1 } else { tmp * f1 }
    } else {
        let s = format!("{tmp:15.6}e{}", -places);
        s.trim().parse().unwrap_or(value)
    }
}

/// The scenario's `size_format`: divide by 1024 while strictly greater than 1024, `round(…, 2)`,
/// print as PHP does, then a space and the unit (`B KB MB GB TB PB`; past PB PHP finds no unit
/// and prints nothing after the space).
pub fn size_format(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    // PHP keeps an int while the division is exact, then a float.
    enum N {
        I(i64),
        F(f64),
    }
    let mut n = match i64::try_from(bytes) {
        Ok(i) => N::I(i),
        Err(_) => N::F(bytes as f64),
    };
    let mut unit = 0usize;
    loop {
        let bigger = match n {
            N::I(i) => i > 1024,
            N::F(f) => f > 1024.0,
        };
        if !bigger {
            break;
        }
        n = match n {
            N::I(i) if i % 1024 == 0 => N::I(i / 1024),
            N::I(i) => N::F(i as f64 / 1024.0),
            N::F(f) => N::F(f / 1024.0),
        };
        unit += 1;
    }
    let rounded = match n {
        N::I(i) => i as f64,
        N::F(f) => round(f, 2),
    };
    format!(
        "{} {}",
        float_to_string(rounded),
        UNITS.get(unit).copied().unwrap_or("")
    )
}

// ---- strings -------------------------------------------------------------------------------

/// `substr($s, $start, $length)` with PHP 8 semantics (PHP 7 returned `false` where PHP 8
/// returns `""`; both read as the empty string here).
pub fn substr(s: &[u8], start: i64, length: Option<i64>) -> Vec<u8> {
    let len = s.len() as i64;
    if start > len {
        return Vec::new();
    }
    let f = if start < 0 {
        if -start > len { 0 } else { len + start }
    } else {
        start
    };
    let l = match length {
        Some(l) if l < 0 => {
            if -l > len - f {
                0
            } else {
                len - f + l
            }
        }
        Some(l) => l.min(len - f),
        None => len - f,
    };
    let (f, l) = (f as usize, l.max(0) as usize);
    s.get(f..f + l).map(<[u8]>::to_vec).unwrap_or_default()
}

/// A value converted to a string (`(string)$v`). Arrays give `"Array"` (PHP warns).
pub fn to_string(v: &Value) -> Vec<u8> {
    match v {
        Value::Null => Vec::new(),
        Value::Bool(true) => b"1".to_vec(),
        Value::Bool(false) => Vec::new(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Float(f) => float_to_string(*f).into_bytes(),
        Value::Str(s) => s.clone(),
        Value::Array(_) => b"Array".to_vec(),
    }
}

/// `(bool)$v`.
pub fn to_bool(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !(s.is_empty() || s == b"0"),
        Value::Array(a) => !a.is_empty(),
    }
}

/// `empty($v)`.
pub fn empty(v: &Value) -> bool {
    !to_bool(v)
}

// ---- loose == ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn eq(self, other: Num) -> bool {
        match (self, other) {
            (Num::I(a), Num::I(b)) => a == b,
            (Num::I(a), Num::F(b)) | (Num::F(b), Num::I(a)) => (a as f64) == b,
            (Num::F(a), Num::F(b)) => a == b,
        }
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Reads the longest numeric prefix after leading whitespace: the number and how many bytes it
/// used (0 when there is none).
fn numeric_prefix(s: &[u8]) -> (Num, usize) {
    let mut i = 0;
    while s.get(i).copied().is_some_and(is_ws) {
        i += 1;
    }
    let start = i;
    if matches!(s.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_start = i;
    while s.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut is_float = false;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        let mut j = i + 1;
        while s.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        frac_digits = j - i - 1;
        if int_digits + frac_digits > 0 {
            is_float = true;
            i = j;
        }
    }
    if int_digits + frac_digits == 0 {
        return (Num::I(0), 0);
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if s.get(j).is_some_and(u8::is_ascii_digit) {
            while s.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            is_float = true;
            i = j;
        }
    }
    let text = std::str::from_utf8(s.get(start..i).unwrap_or_default()).unwrap_or("0");
    let text = text.strip_prefix('+').unwrap_or(text);
    let num = if is_float {
        Num::F(text.parse().unwrap_or(0.0))
    } else {
        match text.parse::<i64>() {
            Ok(n) => Num::I(n),
            Err(_) => Num::F(text.parse().unwrap_or(0.0)),
        }
    };
    (num, i)
}

/// The number a string holds when it is numeric for PHP: optional leading whitespace, sign,
/// digits with an optional fraction and exponent, and (PHP 8 only) optional trailing whitespace.
fn numeric_string(s: &[u8], php: PhpVersion) -> Option<Num> {
    let (n, used) = numeric_prefix(s);
    if used == 0 {
        return None;
    }
    let rest = s.get(used..).unwrap_or_default();
    let ok = match php {
        PhpVersion::Php8 => rest.iter().all(|&b| is_ws(b)),
        PhpVersion::Php7 => rest.is_empty(),
    };
    ok.then_some(n)
}

/// PHP's loose `$a == $b`.
pub fn loose_eq(a: &Value, b: &Value, php: PhpVersion) -> bool {
    use Value::*;
    match (a, b) {
        (Null, Null) => true,
        (Bool(x), other) | (other, Bool(x)) => *x == to_bool(other),
        (Null, Str(s)) | (Str(s), Null) => s.is_empty(),
        (Null, other) | (other, Null) => !to_bool(other),
        (Int(x), Int(y)) => x == y,
        (Int(x), Float(y)) | (Float(y), Int(x)) => Num::I(*x).eq(Num::F(*y)),
        (Float(x), Float(y)) => x == y,
        (Int(_) | Float(_), Str(s)) | (Str(s), Int(_) | Float(_)) => {
            let n = match (a, b) {
                (Int(i), _) | (_, Int(i)) => Num::I(*i),
                (Float(f), _) | (_, Float(f)) => Num::F(*f),
                _ => return false,
            };
            match numeric_string(s, php) {
                Some(m) => n.eq(m),
                None => match php {
                    // PHP 8 compares the number as a string with the non-numeric string.
                    PhpVersion::Php8 => {
                        let ns = match n {
                            Num::I(i) => i.to_string(),
                            Num::F(f) => float_to_string(f),
                        };
                        ns.as_bytes() == s.as_slice()
                    }
                    // PHP 7 reads the string's numeric prefix (0 when there is none).
                    PhpVersion::Php7 => n.eq(numeric_prefix(s).0),
                },
            }
        }
        (Str(x), Str(y)) => match (numeric_string(x, php), numeric_string(y, php)) {
            (Some(m), Some(n)) => m.eq(n),
            _ => x == y,
        },
        (Array(x), Array(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.position(k)
                        .and_then(|i| y.entries.get(i))
                        .is_some_and(|(_, w)| loose_eq(v, w, php))
                })
        }
        (Array(_), _) | (_, Array(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &Value) -> String {
        json_encode(v).unwrap()
    }

    #[test]
    fn size_format_matches_the_spec_examples() {
        assert_eq!(size_format(104857600), "100 MB");
        assert_eq!(size_format(1024), "1024 B");
        assert_eq!(size_format(1025), "1 KB");
        assert_eq!(size_format(5690831258), "5.3 GB");
        assert_eq!(size_format(0), "0 B");
        assert_eq!(size_format(222310457), "212.01 MB");
        assert_eq!(size_format(222298112), "212 MB");
        assert_eq!(size_format(157417472), "150.13 MB"); // 150.125 exactly: half away from zero
        assert_eq!(size_format(3670016), "3.5 MB");
        assert_eq!(size_format(104857601), "100 MB");
        assert_eq!(size_format(u64::MAX), "16 ");
    }

    #[test]
    fn round_is_half_away_from_zero_with_pre_rounding() {
        assert_eq!(round(2.5, 0), 3.0);
        assert_eq!(round(-2.5, 0), -3.0);
        assert_eq!(round(150.125, 2), 150.13);
        assert_eq!(round(-150.125, 2), -150.13);
        // 1.955 is 1.95499999… in binary; PHP's pre-rounding still gives 1.96.
        assert_eq!(round(1.955, 2), 1.96);
        assert_eq!(round(5.055, 2), 5.06);
        assert_eq!(round(1.0049999, 2), 1.0);
        assert_eq!(round(1234.5678, -2), 1200.0);
    }

    #[test]
    fn floats_print_like_php() {
        assert_eq!(float_to_string(100.0), "100");
        assert_eq!(float_to_string(212.01), "212.01");
        assert_eq!(float_to_string(0.1 + 0.2), "0.3");
        assert_eq!(float_to_string(1e25), "1.0E+25");
        assert_eq!(float_to_string(0.00001), "1.0E-5");
        assert_eq!(float_to_string(-1.5), "-1.5");
        assert_eq!(json_float(1e25).unwrap(), "1.0e+25");
        assert_eq!(json_float(0.1 + 0.2).unwrap(), "0.30000000000000004");
        assert_eq!(json_float(10.0).unwrap(), "10");
    }

    #[test]
    fn json_encode_escapes_like_php() {
        assert_eq!(enc(&Value::str("a/b")), r#""a\/b""#);
        assert_eq!(enc(&Value::str("Terminée")), r#""Termin\u00e9e""#);
        assert_eq!(enc(&Value::str("😀")), r#""\ud83d\ude00""#);
        assert_eq!(
            enc(&Value::str("\u{1}\u{1f}\n\r\t\u{8}\u{c}\"\\")),
            r#""\u0001\u001f\n\r\t\b\f\"\\""#
        );
        assert_eq!(enc(&Value::str("\u{7f}")), "\"\u{7f}\"");
        assert_eq!(json_encode(&Value::Str(vec![0xc3])), Err(JsonEncodeError::Utf8));
        let mut a = Array::new();
        a.set("x", 1);
        a.set("y", Value::Null);
        let mut b = Array::new();
        b.set("e", -1);
        a.set("b", b);
        assert_eq!(enc(&Value::Array(a)), r#"{"x":1,"y":null,"b":{"e":-1}}"#);
        let mut l = Array::new();
        l.push(Value::Bool(true));
        l.push(Value::Int(2));
        assert_eq!(enc(&Value::Array(l)), "[true,2]");
        assert_eq!(enc(&Value::Array(Array::new())), "[]");
    }

    #[test]
    fn json_decode_reads_php_arrays() {
        let v = json_decode(r#" {"a":1,"b":"x\/y","5":true,"a":2,"f":1.5,"big":9223372036854775808} "#).unwrap();
        let a = v.as_array().unwrap();
        assert_eq!(a.get("a"), Some(&Value::Int(2)));
        assert_eq!(
            a.keys().next(),
            Some(&Key::Str(b"a".to_vec())),
            "a duplicate key keeps its place"
        );
        assert_eq!(a.get("b"), Some(&Value::str("x/y")));
        assert_eq!(a.get("5"), Some(&Value::Bool(true)));
        assert!(matches!(a.keys().nth(2), Some(Key::Int(5))));
        assert_eq!(a.get("big"), Some(&Value::Float(9223372036854775808.0)));
        assert_eq!(json_decode(""), None);
        assert_eq!(json_decode("Sauvegarde Terminée"), None);
        assert_eq!(json_decode("null"), Some(Value::Null));
        assert_eq!(json_decode("\"\\ud83d\\ude00\""), Some(Value::str("😀")));
        assert_eq!(json_decode("\"\\ud83d\""), None);
        assert_eq!(json_decode("[1,]"), None);
        assert_eq!(json_decode("01"), None);
        let deep = "[".repeat(512) + &"]".repeat(512);
        assert!(json_decode(&deep).is_some());
        let deeper = "[".repeat(513) + &"]".repeat(513);
        assert_eq!(json_decode(&deeper), None);
    }

    #[test]
    fn json_round_trips_the_scenario_value() {
        let s = r#"{"date":"","heure":"","minSizeBackup":"100 MB","lastSave":"2025-09-10-03h27","update":0,"action":"startBackup","errorScenario":0,"errorLogBackup":0,"backup":{"local":{"error":-1,"erreurFileSize":0},"samba":{"error":-1},"market":{"error":-1}}}"#;
        assert_eq!(json_encode(&json_decode(s).unwrap()).unwrap(), s);
    }

    #[test]
    fn loose_equality_follows_php_8_and_7() {
        use PhpVersion::*;
        let one = Value::Int(1);
        let zero = Value::Int(0);
        for v in [
            Value::Int(1),
            Value::str("1"),
            Value::Bool(true),
            Value::Float(1.0),
            Value::str(" 1"),
            Value::str("1.0"),
            Value::str("1e0"),
        ] {
            assert!(loose_eq(&v, &one, Php8), "{v:?} == 1");
        }
        assert!(loose_eq(&Value::str("1 "), &one, Php8));
        assert!(!loose_eq(&Value::str("1abc"), &one, Php8));
        assert!(loose_eq(&Value::str("1abc"), &one, Php7));
        assert!(!loose_eq(&Value::str(""), &zero, Php8));
        assert!(loose_eq(&Value::str(""), &zero, Php7));
        assert!(!loose_eq(&Value::str("abc"), &zero, Php8));
        assert!(loose_eq(&Value::str("abc"), &zero, Php7));
        assert!(loose_eq(&Value::Null, &zero, Php8));
        assert!(!loose_eq(&Value::Null, &one, Php8));
        assert!(loose_eq(&Value::Bool(false), &zero, Php8));
        assert!(!loose_eq(&Value::Array(Array::new()), &zero, Php8));
        assert!(loose_eq(&Value::str("0"), &zero, Php8));
        assert!(loose_eq(&Value::str("0.0"), &zero, Php8));
        assert!(!loose_eq(&Value::str("0x0"), &zero, Php8));
        assert!(loose_eq(&Value::str("1e1"), &Value::str("10"), Php8));
        assert!(!loose_eq(&Value::str("abc"), &Value::str("ABC"), Php8));
        assert!(loose_eq(&Value::Null, &Value::str(""), Php8));
        assert!(!loose_eq(&Value::Null, &Value::str("0"), Php8));
    }

    #[test]
    fn keys_keep_their_place_and_push_takes_the_next_free_integer() {
        let mut a = Array::new();
        a.set("b", 1);
        a.set("7", 2);
        a.set("-3", 3);
        a.set("b", 4);
        a.push(Value::Int(5));
        let keys: Vec<Key> = a.keys().cloned().collect();
        assert_eq!(keys, [Key::Str(b"b".to_vec()), Key::Int(7), Key::Int(-3), Key::Int(8)]);
        assert_eq!(a.get("b"), Some(&Value::Int(4)));
        assert_eq!(a.get("8"), Some(&Value::Int(5)));
        let mut negative = Array::new();
        negative.set("-5", 1);
        negative.push(Value::Int(2));
        assert_eq!(negative.get("0"), Some(&Value::Int(2)));
        // Equality is entries in order, however the arrays were built.
        let decoded = json_decode(r#"{"b":4,"7":2,"-3":3,"8":5}"#);
        assert_eq!(decoded, Some(Value::Array(a)));
        // A large document decodes (linear, not quadratic, in its keys).
        let big = format!("[{}0]", "0,".repeat(199_999));
        assert_eq!(
            json_decode(&big).and_then(|v| v.as_array().map(Array::len)),
            Some(200_000)
        );
    }

    #[test]
    fn substr_follows_php_8() {
        let s = b"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz";
        assert_eq!(substr(s, -23, Some(-7)), b"2025-09-10-03h27");
        assert_eq!(substr(b"x.gz", -23, Some(-7)), b"");
        assert_eq!(substr(b"0123456789.tar.gz", -23, Some(-7)), b"0123456789");
        assert_eq!(substr(b"2025-09-10-03h27", 0, Some(10)), b"2025-09-10");
        assert_eq!(substr(b"2025-09-10-03h27", -5, None), b"03h27");
        assert_eq!(substr(b"abc", -5, None), b"abc");
        assert_eq!(substr(b"abc", 5, None), b"");
        assert_eq!(substr(b"abc", 1, Some(-5)), b"");
    }

    #[test]
    fn array_keys_normalise_like_php() {
        assert_eq!(Key::from_bytes(b"12"), Key::Int(12));
        assert_eq!(Key::from_bytes(b"-3"), Key::Int(-3));
        assert_eq!(Key::from_bytes(b"012"), Key::Str(b"012".to_vec()));
        assert_eq!(Key::from_bytes(b"-0"), Key::Str(b"-0".to_vec()));
        assert_eq!(
            Key::from_bytes(b"9223372036854775808"),
            Key::Str(b"9223372036854775808".to_vec())
        );
    }

    #[test]
    fn php_version_parses() {
        assert_eq!("7".parse(), Ok(PhpVersion::Php7));
        assert_eq!("8.2".parse(), Ok(PhpVersion::Php8));
        assert_eq!("PHP 7.4".parse(), Ok(PhpVersion::Php7));
        assert!("9".parse::<PhpVersion>().is_err());
    }
}
