//! Test-only reference: the redaction as it was before the hot-path work (commit 3ef1470), every
//! pattern compiled up front with `(?i)` over the whole pattern and no prefilter beyond the
//! original ones. The differential tests in `super::tests` hold the fast path to the same output,
//! so a future change cannot silently stop hiding something.
//!
//! One deliberate difference from 3ef1470: the wrapped-value scan tries `--username` before
//! `--user` (as the one-line pattern always did). Before, `--username` followed by a line break
//! matched as `--user` with the bare value `name`, so the value on the next line leaked.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{KEYS, MASK};

struct Patterns {
    samba_user: Regex,
    url_creds: Regex,
    json_key: Regex,
    json_key_escaped: Regex,
    query_key: Regex,
    print_r_key: Regex,
}

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    Some(Patterns {
        samba_user: Regex::new(
            r#"(?mR)(?P<pre>^|[\s'"(;|&=\\])(?P<flag>-U|--username|--user)(?P<sep>[^\S\r\n]*=[^\S\r\n]*|[^\S\r\n]*)(?P<val>\\"(?:[^"\\\r\n]|\\[^"\r\n])*(?:\\"|$)|"[^\r\n]*?"[^\S\r\n]+-|"[^"\r\n]*(?:"|$)|'[^'\r\n]*(?:'|$)|[^\s'"\\;|&)]+)"#,
        )
        .ok()?,
        url_creds: Regex::new(r#"(?P<scheme>//)(?P<user>[^/\s:@'"\\]+):(?P<pass>[^/\s@'"\\]+)@"#).ok()?,
        json_key: Regex::new(&format!(
            r#"(?imR)(?P<key>"{KEYS}"[^\S\r\n]*:[^\S\r\n]*")(?P<val>(?:[^"\\\r\n]|\\[^\r\n])*\\?)(?P<end>"|$)"#
        ))
        .ok()?,
        json_key_escaped: Regex::new(&format!(
            r#"(?imR)(?P<key>\\"{KEYS}\\"[^\S\r\n]*:[^\S\r\n]*\\")(?P<val>[^\r\n]*?)(?P<end>\\"|$)"#
        ))
        .ok()?,
        query_key: Regex::new(&format!(r#"(?i)(?P<key>\b{KEYS}=)(?P<val>[^&\s"'#\\]*[^&\s"'#\\:;,.)])"#)).ok()?,
        print_r_key: Regex::new(&format!(r#"(?i)(?P<key>\[{KEYS}\][^\S\r\n]*=>[^\S\r\n]*)(?P<val>[^\s\[)][^\s]*)"#))
            .ok()?,
    })
});

static WRAPPED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[\s'"(;|&=\\])(?:-U|--username|--user)(?P<sep>\s*=\s*|\s*)(?:(?P<q>\\"|"|')(?P<v1>[^"'\\\r\n]{0,128})(?:(?P<nl>\r?\n|\r)(?P<v2>[^"'\\\s]{0,128})(?P<close>\\"|"|'))?|(?P<bare>[^\s'"\\;|&)\-][^\s'"\\;|&)]{0,127}))"#,
    )
    .ok()
});

/// The wrapped-value scan of 3ef1470, without the cheap check in front of the regex.
pub fn wrapped_secrets(text: &str) -> Vec<String> {
    let Some(re) = WRAPPED.as_ref() else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim();
        if s.len() >= super::MIN_SECRET_LEN && !s.starts_with(super::MASK) && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    };
    for c in re.captures_iter(text) {
        let sep_breaks = c.name("sep").is_some_and(|m| m.as_str().contains(['\n', '\r']));
        let (value, pieces): (String, Vec<&str>) = if let Some(b) = c.name("bare") {
            if !sep_breaks {
                continue;
            }
            (b.as_str().to_owned(), vec![b.as_str()])
        } else {
            let v1 = c.name("v1").map_or("", |m| m.as_str());
            let broke = c.name("nl").is_some();
            let v2 = if broke {
                c.name("v2").map_or("", |m| m.as_str())
            } else {
                ""
            };
            let closed_on_line = !broke
                && text
                    .get(c.get(0).map_or(0, |m| m.end())..)
                    .is_some_and(|rest| rest.starts_with(['"', '\'']));
            if closed_on_line && !sep_breaks {
                continue;
            }
            (format!("{v1}{v2}"), vec![v1, v2])
        };
        match value.split_once('%') {
            Some((user, pass)) => {
                add(user);
                add(pass);
            }
            None => add(&value),
        }
        for p in pieces {
            match p.split_once('%') {
                Some((a, b)) => {
                    add(a);
                    add(b);
                }
                None => add(p),
            }
        }
    }
    out
}

/// `Redactor::redact` of 3ef1470 (with [`wrapped_secrets`] above).
pub fn redact<'a>(known: &[String], text: &'a str) -> Cow<'a, str> {
    let t = text.as_bytes();
    let dash_u = memchr::memmem::find(t, b"-U").is_some() || memchr::memmem::find(t, b"--user").is_some();
    let at = memchr::memchr(b'@', t).is_some() && memchr::memmem::find(t, b"//").is_some();
    let quote_colon = memchr::memchr(b'"', t).is_some() && memchr::memchr(b':', t).is_some();
    let equals = memchr::memchr(b'=', t).is_some();
    if known.is_empty() && !(dash_u || at || quote_colon || equals) {
        return Cow::Borrowed(text);
    }
    let mut out = Cow::Borrowed(text);
    let wrapped = if dash_u { wrapped_secrets(text) } else { Vec::new() };
    let mut secrets: Vec<&str> = known.iter().map(String::as_str).collect();
    if !wrapped.is_empty() {
        secrets.extend(
            wrapped
                .iter()
                .map(String::as_str)
                .filter(|w| !known.iter().any(|s| s == w)),
        );
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
    for secret in secrets {
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, MASK));
        }
    }
    let Some(p) = PATTERNS.as_ref() else {
        return Cow::Owned(MASK.to_owned());
    };
    if dash_u {
        out = apply(out, &p.samba_user, |c| {
            let val = c.name("val").map_or("", |m| m.as_str());
            let (val, tail) = match val.rfind('"') {
                Some(q) if val.starts_with('"') && val.ends_with('-') && q > 0 => val.split_at(q + 1),
                _ => (val, ""),
            };
            if val.starts_with('-') {
                return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
            }
            let (open, inner, close) = split_quotes(val);
            if !open.is_empty() && close.is_empty() && already_hidden(inner) {
                return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
            }
            let hidden = if inner.contains('%') {
                format!("{MASK}%{MASK}")
            } else {
                MASK.to_owned()
            };
            format!(
                "{}{}{}{open}{hidden}{close}{tail}",
                cap(c, "pre"),
                cap(c, "flag"),
                cap(c, "sep")
            )
        });
    }
    if at {
        out = apply(out, &p.url_creds, |c| format!("{}{MASK}:{MASK}@", cap(c, "scheme")));
    }
    if quote_colon {
        let json = |c: &Captures<'_>| {
            if cap(c, "end").is_empty() && already_hidden(cap(c, "val")) {
                return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
            }
            format!("{}{MASK}{}", cap(c, "key"), cap(c, "end"))
        };
        out = apply(out, &p.json_key_escaped, json);
        out = apply(out, &p.json_key, json);
    }
    if equals {
        out = apply(out, &p.query_key, |c| format!("{}{MASK}", cap(c, "key")));
        out = apply(out, &p.print_r_key, |c| {
            if cap(c, "val").starts_with(MASK) {
                return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
            }
            format!("{}{MASK}", cap(c, "key"))
        });
    }
    out
}

fn apply<'a>(text: Cow<'a, str>, re: &Regex, f: impl Fn(&Captures<'_>) -> String) -> Cow<'a, str> {
    if !re.is_match(&text) {
        return text;
    }
    Cow::Owned(re.replace_all(&text, |c: &Captures<'_>| f(c)).into_owned())
}

fn cap<'t>(c: &Captures<'t>, name: &str) -> &'t str {
    c.name(name).map_or("", |m| m.as_str())
}

fn already_hidden(inner: &str) -> bool {
    let pair = format!("{MASK}%{MASK}");
    inner.starts_with(&pair) || inner.strip_prefix(MASK).is_some_and(|rest| !rest.contains('%'))
}

fn split_quotes(val: &str) -> (&str, &str, &str) {
    for q in ["\\\"", "\"", "'"] {
        if let Some(v) = val.strip_prefix(q) {
            return match v.strip_suffix(q) {
                Some(inner) => (q, inner, q),
                None => (q, v, ""),
            };
        }
    }
    ("", val, "")
}
