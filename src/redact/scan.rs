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
    // After the flag: a quoted value whose closing quote is not on the same line (one line break
    // inside, then one token and the closing quote; or no closing quote at all, then the piece
    // on the flag's line), or any value separated from the flag by a line break.
    Regex::new(
        r#"(?:^|[\s'"(;|&=\\])(?:-U|--user|--username)(?P<sep>\s*=\s*|\s*)(?:(?P<q>\\"|"|')(?P<v1>[^"'\\\r\n]{0,128})(?:(?P<nl>\r?\n|\r)(?P<v2>[^"'\\\s]{0,128})(?P<close>\\"|"|'))?|(?P<bare>[^\s'"\\;|&)\-][^\s'"\\;|&)]{0,127}))"#,
    )
    .ok()
});

/// Values of `-U` that span a line break (or lost their closing quote), and their pieces, each
/// at least [`super::MIN_SECRET_LEN`] bytes long. Values on one line are left to the patterns.
pub fn wrapped_secrets(text: &str) -> Vec<String> {
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
}
