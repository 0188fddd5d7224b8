//! JavaScript's loose reading of JSON values, as the widget's script applies it to the decoded
//! virtual: `x != 0`, `x != -1`, `x >= 1`, string concatenation. Pure and total.

use serde_json::Value;

/// Follows a path of object keys. `None` is JavaScript's `undefined`: a missing key, or a parent
/// that is missing or not an object (where the real script would read `undefined` or stop; the
/// view reads `undefined`, see the module doc).
pub(crate) fn get<'a>(root: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = root;
    for key in path {
        cur = cur.as_object()?.get(*key)?;
    }
    Some(cur)
}

/// `v != n` with JavaScript's abstract equality against a number. `undefined` and `null` are
/// never loosely equal to a number, so they are always "different".
pub(crate) fn loose_ne(v: Option<&Value>, n: f64) -> bool {
    match v {
        None | Some(Value::Null) => true,
        // NaN != n is true, as in JavaScript.
        Some(v) => to_number(v) != n,
    }
}

/// `v >= n` with JavaScript's relational comparison against a number: `null` reads 0,
/// `undefined` reads NaN (so the comparison is false).
pub(crate) fn ge(v: Option<&Value>, n: f64) -> bool {
    let x = match v {
        None => f64::NAN,
        Some(v) => to_number(v),
    };
    x >= n
}

/// JavaScript's `ToNumber` of a decoded JSON value (objects and arrays through `ToPrimitive`).
pub(crate) fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(_) | Value::Object(_) => string_to_number(&to_js_string(v)),
    }
}

/// JavaScript's `String(v)` of a decoded JSON value.
pub(crate) fn to_js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            (None, None) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// A readable `String(v)` for numbers. Close to JavaScript's for the values a virtual can hold
/// (integers print without a fraction, `-0` prints `0`); very large or tiny floats may print
/// without JavaScript's exponent form.
fn number_to_string(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else if f == 0.0 {
        "0".to_owned()
    } else {
        f.to_string()
    }
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
    use super::*;
    use serde_json::json;

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
        assert!(!loose_ne(Some(&json!(0)), 0.0));
        assert!(!loose_ne(Some(&json!("0")), 0.0));
        assert!(!loose_ne(Some(&json!("")), 0.0), "\"\" == 0 in JavaScript");
        assert!(!loose_ne(Some(&json!(false)), 0.0));
        assert!(!loose_ne(Some(&json!([])), 0.0), "[] == 0 in JavaScript");
        assert!(loose_ne(Some(&json!(null)), 0.0), "null != 0 in JavaScript");
        assert!(loose_ne(None, 0.0));
        assert!(loose_ne(Some(&json!("x")), 0.0));
        assert!(loose_ne(Some(&json!({})), 0.0));
        assert!(loose_ne(Some(&json!(true)), 0.0));
        // != -1
        assert!(!loose_ne(Some(&json!("-1")), -1.0));
        assert!(!loose_ne(Some(&json!(-1.0)), -1.0));
        assert!(loose_ne(Some(&json!(0)), -1.0));
        // >= 1
        assert!(ge(Some(&json!(1)), 1.0));
        assert!(ge(Some(&json!("1")), 1.0));
        assert!(ge(Some(&json!(true)), 1.0));
        assert!(ge(Some(&json!(["2"])), 1.0));
        assert!(!ge(Some(&json!(null)), 1.0));
        assert!(!ge(None, 1.0));
        assert!(!ge(Some(&json!("yes")), 1.0));
        assert!(!ge(Some(&json!(0.5)), 1.0));
    }

    #[test]
    fn js_strings() {
        assert_eq!(to_js_string(&json!(0)), "0");
        assert_eq!(to_js_string(&json!(2.5)), "2.5");
        assert_eq!(to_js_string(&json!(-0.0)), "0");
        assert_eq!(to_js_string(&json!([1, null, "a", [2, 3]])), "1,,a,2,3");
        assert_eq!(to_js_string(&json!({"a": 1})), "[object Object]");
        assert_eq!(to_js_string(&json!(null)), "null");
    }
}
