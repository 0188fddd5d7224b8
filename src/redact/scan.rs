//! Secrets a line-by-line redaction cannot see: a Samba `-U "user%password"` whose value a forum
//! paste wrapped onto the next line (`-U` at the end of one line, `"user%pass"` on the next, or
//! a break inside the quotes), or that a cut end left unterminated. [`wrapped_secrets`] scans the
//! whole text and returns those values (and their pieces on each line) for a
//! [`super::Redactor`] to hide wherever they appear.
//!
//! Known limit: a piece shorter than [`super::MIN_SECRET_LEN`] (three characters of a password
//! on the next line) cannot be hidden as a known secret.

use std::sync::LazyLock;

use regex::Regex;

static WRAPPED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // `--username` before `--user`: the other way round, `--username` followed by a line break
    // matched as `--user` with the bare value `name`, and the value on the next line leaked.
    // After the flag: a quoted value whose closing quote is not on the same line (one line break
    // inside, then one token and the closing quote; or no closing quote at all, then the piece
    // on the flag's line), or any value separated from the flag by a line break.
    Regex::new(
        r#"(?:^|[\s'"(;|&=\\])(?:-U|--username|--user)(?P<sep>\s*=\s*|\s*)(?:(?P<q>\\"|"|')(?P<v1>[^"'\\\r\n]{0,128})(?:(?P<nl>\r?\n|\r)(?P<v2>[^"'\\\s]{0,128})(?P<close>\\"|"|'))?|(?P<bare>[^\s'"\\;|&)\-][^\s'"\\;|&)]{0,127}))"#,
    )
    .ok()
});

/// Values of `-U` that span a line break (or lost their closing quote), and their pieces, each
/// at least [`super::MIN_SECRET_LEN`] bytes long. Values on one line are left to the patterns.
pub fn wrapped_secrets(text: &str) -> Vec<String> {
    // Most texts with a `-U` (Jeedom's Samba failure line) hold it closed on its line: the
    // regex (3 ms to compile, ~20 000 instructions a line to run) is only needed otherwise.
    if !may_wrap(text) {
        return Vec::new();
    }
    let Some(re) = WRAPPED.as_ref() else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let s = s.trim();
        // A piece redaction already hid (`[redacted]…` in a shortened report line) is no secret.
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
            // On one line and closed: the patterns hide it.
            let closed_on_line = !broke
                && text
                    .get(c.get(0).map_or(0, |m| m.end())..)
                    .is_some_and(|rest| rest.starts_with(['"', '\'']));
            if closed_on_line && !sep_breaks {
                continue;
            }
            (format!("{v1}{v2}"), vec![v1, v2])
        };
        // user%password: each part, and each part's pieces on each line.
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

/// Whether [`WRAPPED`] could find a value worth returning in `text`: `false` only when every
/// `-U`, `--user` and `--username` in it is followed (after blanks and `=` on its line) by a
/// character that starts no quoted value (so only a bare value on the same line, which is left
/// to the patterns, or nothing), or by a `"…"`/`'…'` value closed on its line within the
/// regex's 128 characters.
///
/// Why that is exact: every match of [`WRAPPED`] holds one of those flags; its separator
/// (`\s*=\s*` or `\s*`) is then made of the blanks and `=` read here, so it holds no line
/// break when they hold none; a bare value is then skipped; a quoted value can only start at
/// the character after them, and is skipped when it is closed on its line, which is when its
/// first 128 characters (as many as the regex's greedy `{0,128}` takes) run to a quote without
/// meeting `"`, `'`, `\`, `\r` or `\n` on the way.
fn may_wrap(text: &str) -> bool {
    let t = text.as_bytes();
    let flag_ends =
        memchr::memmem::find_iter(t, b"-U")
            .map(|i| i + 2)
            .chain(memchr::memmem::find_iter(t, b"--user").flat_map(|i| {
                let name = t.get(i + 6..i + 10) == Some(b"name");
                std::iter::once(i + 6).chain(name.then_some(i + 10))
            }));
    for end in flag_ends {
        let rest = text.get(end..).unwrap_or_default();
        // Blanks and `=`; any other white space (a line break, a vertical tab, a non-ASCII
        // space) is left to the regex.
        let value = rest.trim_start_matches([' ', '\t', '=']);
        let mut chars = value.chars();
        match chars.next() {
            None => {}
            Some('"' | '\'') => {
                let mut closed = false;
                for c in chars.by_ref().take(129) {
                    if matches!(c, '"' | '\'' | '\\' | '\r' | '\n') {
                        closed = matches!(c, '"' | '\'');
                        break;
                    }
                }
                // Closed within 128 characters: the 129th character, if read, was the quote.
                if !closed {
                    return true;
                }
            }
            Some(c) if c.is_ascii() && !c.is_ascii_whitespace() && c != '\x0b' && c != '\\' => {}
            Some(_) => return true,
        }
    }
    false
}

#[cfg(test)]
pub(super) fn may_wrap_for_tests(text: &str) -> bool {
    may_wrap(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_on_one_line_are_left_to_the_patterns() {
        assert!(wrapped_secrets("smbclient -U \"jeedom%S3cret\" -c ls\n").is_empty());
        assert!(wrapped_secrets("smbclient -U jeedom%S3cret -c ls\n").is_empty());
        assert!(wrapped_secrets("tar -U -czf x\n").is_empty());
    }

    #[test]
    fn a_break_after_the_flag_or_inside_the_quotes_is_found() {
        let t = "smbclient //h/s -U\n\"jdupont_sauvegarde%Pl4nted-Secr3t!\" -c ls\n";
        let s = wrapped_secrets(t);
        assert!(
            s.contains(&"jdupont_sauvegarde".to_owned()) && s.contains(&"Pl4nted-Secr3t!".to_owned()),
            "{s:?}"
        );
        let t = "smbclient -U \"jdupont%Pl4nted\nSecr3t!\" -c ls\n";
        let s = wrapped_secrets(t);
        for want in ["jdupont", "Pl4nted", "Secr3t!", "Pl4ntedSecr3t!"] {
            assert!(s.contains(&want.to_owned()), "{want} missing: {s:?}");
        }
        // A cut end: the closing quote is gone.
        let s = wrapped_secrets("smbclient -U\n\"jdupont_sauvegarde");
        assert_eq!(s, vec!["jdupont_sauvegarde".to_owned()]);
        let s = wrapped_secrets("smbclient -U \"jdupont%Pl4n");
        assert_eq!(s, vec!["jdupont".to_owned(), "Pl4n".to_owned()]);
    }

    /// The cheap check in front of the regex says "nothing" only where the regex finds nothing.
    #[test]
    fn the_cheap_check_agrees_with_the_regex_at_its_edges() {
        // The regex reads at most 128 characters of a quoted value: one quoted value of 128
        // characters is closed on its line, one of 129 is not (its first 128 are returned).
        for (n, closed) in [(127, true), (128, true), (129, false), (130, false)] {
            for c in ["a", "é"] {
                let v = c.repeat(n);
                let text = format!("smbclient -U \"{v}\" -c ls\n");
                assert_eq!(may_wrap(&text), !closed, "{n} × {c}");
                assert_eq!(wrapped_secrets(&text).is_empty(), closed, "{n} × {c}");
            }
        }
        // White space other than blanks before the value may hide a line break.
        for gap in ["\u{b}\n", "\u{c}\n", "\u{a0}\n", " \u{85}\n", "=\u{2028}\n"] {
            let text = format!("smbclient -U{gap}jdupont%Secret -c ls");
            assert!(may_wrap(&text), "{gap:?}");
            assert!(!wrapped_secrets(&text).is_empty(), "{gap:?}");
        }
        assert!(!may_wrap(
            "Erreur smbclient '//192.168.1.20/b' -U \"jeedom%pass\" -c 'put x' valeur"
        ));
        assert!(!may_wrap(
            "tar -U -czf x; smbclient --username=jeedom -c ls; --user 'a%b'"
        ));
        assert!(may_wrap("smbclient --username\n'jeedom%pass'"));
        assert!(may_wrap("{\"m\":\"smbclient -U \\\"jeedom%pass\\\" -c ls\"}"));
    }
}
