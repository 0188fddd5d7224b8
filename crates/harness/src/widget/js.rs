//! JavaScript's loose reading of decoded values, as the widget's script applies it to the
//! virtual: `x != 0`, `x != -1`, `x >= 1`, `x == 'endBackup'`, string concatenation. Pure and
//! total. Converting an array to a string is recursive in the browser: an array nested deeper
//! than [`MAX_ARRAY_DEPTH`] makes it throw (`RangeError`), which stops the widget's script; here
//! that is [`Thrown`].

use super::json::JsValue;

/// About how deep a nesting of arrays Chromium turns into a string before its stack runs out
/// (measured: 4,309 in a page's event handler; the exact figure depends on the stack in use).
pub(crate) const MAX_ARRAY_DEPTH: usize = 4_000;

/// The widget's script threw on this value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Thrown;

/// Follows a path of property names, as `obj['a']['b']` does. `Ok(None)` is `undefined`: a
/// missing key, or a parent that is a string, number, boolean or array (which have none of the
/// widget's keys). Reading a property of `undefined` or `null` throws.
pub(crate) fn get<'a>(root: &'a JsValue, path: &[&str]) -> Result<Option<&'a JsValue>, Thrown> {
    let mut cur = Some(root);
    for key in path {
        cur = match cur {
            None | Some(JsValue::Null) => return Err(Thrown),
            Some(v) => v.key(key),
        };
    }
    Ok(cur)
}

/// `v != n` with JavaScript's abstract equality against a number. `undefined` and `null` are
/// never loosely equal to a number, so they are always "different".
pub(crate) fn loose_ne(v: Option<&JsValue>, n: f64) -> Result<bool, Thrown> {
    match v {
        None | Some(JsValue::Null) => Ok(true),
        // NaN != n is true, as in JavaScript.
        Some(v) => Ok(to_number(v)? != n),
    }
}

/// `v == s` against a string: strings compare as strings, arrays and objects through their
/// string form; numbers and booleans compare as numbers (`s` is never a number here, so they
/// are never equal); `undefined` and `null` equal no string.
pub(crate) fn loose_eq_str(v: Option<&JsValue>, s: &str) -> Result<bool, Thrown> {
    match v {
        Some(JsValue::String(x)) => Ok(x == s),
        Some(v @ (JsValue::Array(_) | JsValue::Object(_))) => Ok(to_js_string(v)? == s),
        Some(JsValue::Number(x)) => Ok(*x == string_to_number(s)),
        Some(JsValue::Bool(b)) => Ok(f64::from(u8::from(*b)) == string_to_number(s)),
        None | Some(JsValue::Null) => Ok(false),
    }
}

/// `v >= n` with JavaScript's relational comparison against a number: `null` reads 0,
/// `undefined` reads NaN (so the comparison is false).
pub(crate) fn ge(v: Option<&JsValue>, n: f64) -> Result<bool, Thrown> {
    let x = match v {
        None => f64::NAN,
        Some(v) => to_number(v)?,
    };
    Ok(x >= n)
}

/// JavaScript's `ToNumber` of a decoded value (objects and arrays through `ToPrimitive`).
pub(crate) fn to_number(v: &JsValue) -> Result<f64, Thrown> {
    Ok(match v {
        JsValue::Null => 0.0,
        JsValue::Bool(b) => f64::from(u8::from(*b)),
        JsValue::Number(n) => *n,
        JsValue::String(s) => string_to_number(s),
        JsValue::Array(_) | JsValue::Object(_) => string_to_number(&to_js_string(v)?),
    })
}

/// What `'[' + v + ']'` writes for `v`: `undefined` for a missing key, else `String(v)`.
pub(crate) fn concat(v: Option<&JsValue>) -> Result<String, Thrown> {
    v.map_or_else(|| Ok("undefined".to_owned()), to_js_string)
}

/// JavaScript's `String(v)` of a decoded value.
pub(crate) fn to_js_string(v: &JsValue) -> Result<String, Thrown> {
    let mut out = String::new();
    write_js_string(v, &mut out, 0)?;
    Ok(out)
}

fn write_js_string(v: &JsValue, out: &mut String, depth: usize) -> Result<(), Thrown> {
    match v {
        JsValue::Null => out.push_str("null"),
        JsValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsValue::Number(n) => out.push_str(&number_to_string(*n)),
        JsValue::String(s) => out.push_str(s),
        JsValue::Array(items) => {
            if depth >= MAX_ARRAY_DEPTH {
                return Err(Thrown);
            }
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // `null` (and `undefined`) join as nothing.
                if !matches!(item, JsValue::Null) {
                    write_js_string(item, out, depth + 1)?;
                }
            }
        }
        JsValue::Object(_) => out.push_str("[object Object]"),
    }
    Ok(())
}

/// ECMAScript's `Number::toString(x)`: the shortest digits that read back as `x`, written
/// without an exponent from 1e-6 up to 1e21, with one (`1e+21`, `1.5e-7`) outside.
pub(crate) fn number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // `{:e}` gives the shortest round-trip digits: `d[.ddd]e<exp>`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n = exp.parse::<i64>().unwrap_or(0) + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e = if e >= 0 { format!("+{e}") } else { e.to_string() };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// JavaScript's whitespace for `StringToNumber`'s trim: the ASCII ones, U+FEFF, the line
/// separators and the space separators (Unicode `White_Space` less U+0085, a control character
/// to JavaScript).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{feff}' | '\u{2028}' | '\u{2029}'
    ) || (c.is_whitespace() && !c.is_ascii() && c != '\u{85}')
}

/// JavaScript's `StringToNumber`: trimmed; empty is 0; decimal literals with optional sign and
/// exponent, `Infinity`, and unsigned `0x`/`0o`/`0b` integers; anything else is NaN.
pub(crate) fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return radix_to_number(digits, radix);
        }
    }
    let (sign, body) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
        (Some(rest), _) => (-1.0, rest),
        (None, Some(rest)) => (1.0, rest),
        (None, None) => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !is_decimal_literal(body) {
        return f64::NAN;
    }
    body.parse::<f64>().map(|f| sign * f).unwrap_or(f64::NAN)
}

fn radix_to_number(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut acc = 0.0_f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => acc = acc * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    acc
}

/// `digits [. digits?] | . digits`, then an optional exponent. Rust's `f64::from_str` also takes
/// `inf` and `nan`, which JavaScript does not, hence this check first.
fn is_decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - frac_start;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::super::json::parse;
    use super::*;

    fn j(text: &str) -> JsValue {
        parse(text).expect("test JSON")
    }

    fn ne(text: &str, n: f64) -> bool {
        loose_ne(Some(&j(text)), n).expect("no throw")
    }

    fn gte(text: &str) -> bool {
        ge(Some(&j(text)), 1.0).expect("no throw")
    }

    #[test]
    fn string_to_number_follows_javascript() {
        assert_eq!(string_to_number(""), 0.0);
        assert_eq!(string_to_number("  "), 0.0);
        assert_eq!(string_to_number(" 1 "), 1.0);
        assert_eq!(string_to_number("-1"), -1.0);
        assert_eq!(string_to_number("+2.5e1"), 25.0);
        assert_eq!(string_to_number(".5"), 0.5);
        assert_eq!(string_to_number("1."), 1.0);
        assert_eq!(string_to_number("0x1F"), 31.0);
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
        for nan in [
            "abc", "1a", "inf", "nan", "NaN", "-0x1", ".", "1e", "e5", "1,5",
            // U+0085 (NEL) is Unicode white space but not JavaScript's.
            "\u{85}1",
        ] {
            assert!(string_to_number(nan).is_nan(), "{nan:?}");
        }
    }

    #[test]
    fn loose_comparisons_follow_javascript() {
        // != 0
        assert!(!ne("0", 0.0));
        assert!(!ne("\"0\"", 0.0));
        assert!(!ne("\"\"", 0.0), "\"\" == 0 in JavaScript");
        assert!(!ne("false", 0.0));
        assert!(!ne("[]", 0.0), "[] == 0 in JavaScript");
        assert!(ne("null", 0.0), "null != 0 in JavaScript");
        assert!(loose_ne(None, 0.0).unwrap());
        assert!(ne("\"x\"", 0.0));
        assert!(ne("{}", 0.0));
        assert!(ne("true", 0.0));
        // != -1
        assert!(!ne("\"-1\"", -1.0));
        assert!(!ne("-1.0", -1.0));
        assert!(ne("0", -1.0));
        // >= 1
        assert!(gte("1"));
        assert!(gte("\"1\""));
        assert!(gte("true"));
        assert!(gte("[\"2\"]"));
        assert!(!gte("null"));
        assert!(!ge(None, 1.0).unwrap());
        assert!(!gte("\"yes\""));
        assert!(!gte("0.5"));
        // == 'endBackup'
        assert!(loose_eq_str(Some(&j("\"endBackup\"")), "endBackup").unwrap());
        assert!(loose_eq_str(Some(&j("[\"endBackup\"]")), "endBackup").unwrap());
        assert!(loose_eq_str(Some(&j("[[\"endBackup\"]]")), "endBackup").unwrap());
        assert!(!loose_eq_str(Some(&j("[\"endBackup\",1]")), "endBackup").unwrap());
        assert!(!loose_eq_str(Some(&j("null")), "endBackup").unwrap());
        assert!(!loose_eq_str(Some(&j("1")), "endBackup").unwrap());
        assert!(!loose_eq_str(None, "endBackup").unwrap());
    }

    #[test]
    fn js_strings() {
        let st = |t: &str| to_js_string(&j(t)).unwrap();
        assert_eq!(st("0"), "0");
        assert_eq!(st("2.5"), "2.5");
        assert_eq!(st("-0.0"), "0");
        assert_eq!(st("[1, null, \"a\", [2, 3]]"), "1,,a,2,3");
        assert_eq!(st("{\"a\": 1}"), "[object Object]");
        assert_eq!(st("null"), "null");
        assert_eq!(concat(None).unwrap(), "undefined");
        let deep = format!("{}{}", "[".repeat(MAX_ARRAY_DEPTH + 1), "]".repeat(MAX_ARRAY_DEPTH + 1));
        assert_eq!(to_js_string(&j(&deep)), Err(Thrown));
    }

    #[test]
    fn numbers_print_as_javascript_prints_them() {
        for (x, s) in [
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (9_007_199_254_740_993.0, "9007199254740992"),
            (0.000001, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (1e-7, "1e-7"),
            (-2.5, "-2.5"),
            (100.0, "100"),
            (0.1, "0.1"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "Infinity"),
            (-0.0, "0"),
        ] {
            assert_eq!(number_to_string(x), s, "{x:e}");
        }
    }
}
