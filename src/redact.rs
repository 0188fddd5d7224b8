//! Secret redaction, applied on the way out of step 1→2 of the data flow (log text → parsed run)
//! and by every later step before it writes for a person or a file: no secret leaves the
//! process.
//!
//! # Policy
//! Every text a person, a report, a snapshot or a recorded file receives goes through
//! [`redact`] (or a configured [`Redactor`]). What is hidden, each replaced by [`MASK`] with the
//! surrounding syntax kept so the line still reads:
//! 1. **Samba credentials in Jeedom's shell-wrapper error line**: the value after `-U`,
//!    `--user` or `--username`, quoted with `"…"`, `'…'`, JSON-escaped `\"…\"`, or unquoted:
//!    `-U "jeedom%S3cret"` → `-U "[redacted]%[redacted]"` (user and password both hidden; a
//!    value without `%` is a user alone and is hidden too). A value starting with `-` is another
//!    option (tar's `-U`), not a user, and is left alone. Jeedom does not escape the password
//!    between its double quotes: a `"…"` value runs to the quote before the next option (` -c`),
//!    so a password holding a `"` is hidden whole.
//! 2. **Credentials in URLs and share paths**: `//user:password@host/share`,
//!    `smb://user:password@host` → `//[redacted]:[redacted]@host/share`.
//! 3. **Keys and passwords in JSON bodies** (JSON-RPC `params.apikey`, its alias `api`, the pro
//!    API's `proapi`, and any key ending in `password`, `passwd`, `pwd`, `username`, `token`,
//!    `secret`, such as `samba::backup::password`), plain or JSON-escaped inside another string:
//!    `"apikey":"abc…"` → `"apikey":"[redacted]"`.
//! 4. **The same keys in URLs and forms**: `?apikey=abc…&`, `&api=…`, `password=…`.
//!    Also in PHP's `print_r` dumps (`[apikey] => abc…`, `[password] => …`); `api_key` and
//!    `api-key` count as `apikey`.
//! 5. **Known secrets** given to a [`Redactor`] ([`Redactor::with_secret`]: the API key the
//!    tool was started with, a Samba password from a recorded config), wherever they appear.
//!    Secrets shorter than [`MIN_SECRET_LEN`] bytes are refused (hiding every `abc` would
//!    shred the text); the patterns above still hide them in their usual places.
//!
//! 6. **Values a paste wrapped or cut**: a `-U` value split across a line break (`-U` at the
//!    end of one line, or a break inside the quotes) or whose closing quote was cut off is found
//!    by [`wrapped_secrets`] and hidden as a known secret (wherever it appears in that text).
//!
//! Every pattern stops at a line break, so a multi-line text (a whole pasted log, a report) can
//! be redacted in one call: a quote cut short never lets a match run on into the next lines, and
//! lines without a secret come out byte-identical.
//!
//! Known limits: a password containing a double quote inside JSON-escaped JSON may be cut at
//! that quote (its tail leaks); a secret outside these shapes is only caught if it was given as
//! a known secret; a wrapped piece shorter than [`MIN_SECRET_LEN`] bytes cannot be hidden.
//!
//! Redaction is idempotent (`redact(redact(x)) == redact(x)`) and returns the input borrowed
//! when nothing matched, so it is cheap on clean text.
//!
//! Anonymisation of recorded cases (passwords, user names, host names, IP addresses, the box
//! name → stable placeholders, every other byte kept) is a separate pass with its own policy:
//! [`anonymize`](mod@anonymize).

pub mod anonymize;
pub mod scan;

pub use anonymize::{Anonymized, Category, anonymize};
pub use scan::wrapped_secrets;

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What a hidden secret is replaced with.
pub const MASK: &str = "[redacted]";

/// Shortest known secret a [`Redactor`] accepts.
pub const MIN_SECRET_LEN: usize = 4;

struct Patterns {
    samba_user: Regex,
    url_creds: Regex,
    json_key: Regex,
    json_key_escaped: Regex,
    query_key: Regex,
    print_r_key: Regex,
}

/// The names under which a value is a secret (`apikey=`, `"password":`, `[token] =>`); the
/// anonymiser (`record`) matches the same names.
const KEYS: &str = r"(?:apikey|api[_\-]key|api|proapi|[a-z0-9_:.\-]*(?:password|passwd|pwd|username|token|secret))";

// Every pattern stops at a line break: in a multi-line text (a whole pasted log, a report) a
// quote cut short must not let a match run on into the next lines and garble them. `[^\S\r\n]`
// is "blank on the same line". Values a paste wrapped across lines are found by
// [`scan::wrapped_secrets`] and hidden as known secrets instead.
static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    // `(?mR)`: `$` is the end of a line (`\n`, `\r\n` or `\r`), so a quoted value whose closing
    // quote is missing (a cut paste) is hidden up to the end of its line, and no further.
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
        // The value stops before punctuation that ends it (`…?apikey=KEY: refused`).
        query_key: Regex::new(&format!(r#"(?i)(?P<key>\b{KEYS}=)(?P<val>[^&\s"'#\\]*[^&\s"'#\\:;,.)])"#)).ok()?,
        // PHP's `print_r` of an array (the `Details : Array ( … )` of a failure, a plugin's
        // dump): `[apikey] => value`, one key per line or flattened onto one line.
        print_r_key: Regex::new(&format!(r#"(?i)(?P<key>\[{KEYS}\][^\S\r\n]*=>[^\S\r\n]*)(?P<val>[^\s\[)][^\s]*)"#))
            .ok()?,
    })
});

/// Redacts with the patterns and a list of known secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactor {
    /// Longest first, so a secret containing another is hidden whole.
    secrets: Vec<String>,
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
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        Ok(())
    }

    /// Builder form of [`Redactor::add_secret`].
    pub fn with_secret(mut self, secret: &str) -> Result<Self, SecretTooShort> {
        self.add_secret(secret)?;
        Ok(self)
    }

    /// Hides every secret in `text`. Borrowed when nothing was found.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        // Each pattern runs only when its text could be there (most messages have none).
        let t = text.as_bytes();
        let dash_u = DASH_U.find(t).is_some() || DASH_USER.find(t).is_some();
        let at = memchr::memchr(b'@', t).is_some() && SLASHES.find(t).is_some();
        let quote_colon = memchr::memchr(b'"', t).is_some() && memchr::memchr(b':', t).is_some();
        let equals = memchr::memchr(b'=', t).is_some();
        if self.secrets.is_empty() && !(dash_u || at || quote_colon || equals) {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        // A `-U` value a paste wrapped onto the next line (or cut short) is out of the patterns'
        // reach (they stop at a line break): hidden as a known secret, wherever it appears.
        let wrapped = if dash_u { scan::wrapped_secrets(text) } else { Vec::new() };
        let mut secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        if !wrapped.is_empty() {
            secrets.extend(wrapped.iter().map(String::as_str).filter(|w| !self.secrets.iter().any(|s| s == w)));
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
        for secret in secrets {
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, MASK));
            }
        }
        let Some(p) = PATTERNS.as_ref() else {
            // The patterns are constants and compile; this branch exists so a regex-crate bug
            // cannot let a secret through: hide everything rather than leak.
            return Cow::Owned(MASK.to_owned());
        };
        if dash_u {
            out = apply(out, &p.samba_user, |c| {
                let val = c.name("val").map_or("", |m| m.as_str());
                // A double-quoted value is closed by the quote before the next option (` -c`):
                // a password holding a `"` is hidden whole, and the ` -` is given back.
                let (val, tail) = match val.rfind('"') {
                    Some(q) if val.starts_with('"') && val.ends_with('-') && q > 0 => val.split_at(q + 1),
                    _ => (val, ""),
                };
                if val.starts_with('-') {
                    return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
                }
                let (open, inner, close) = split_quotes(val);
                if !open.is_empty() && close.is_empty() && already_hidden(inner) {
                    // A cut value already hidden (a report shortening a redacted line to
                    // `-U "[redacted]%[redacted]…`): what follows the mask is the report's.
                    return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
                }
                let hidden = if inner.contains('%') { format!("{MASK}%{MASK}") } else { MASK.to_owned() };
                format!("{}{}{}{open}{hidden}{close}{tail}", cap(c, "pre"), cap(c, "flag"), cap(c, "sep"))
            });
        }
        if at {
            out = apply(out, &p.url_creds, |c| format!("{}{MASK}:{MASK}@", cap(c, "scheme")));
        }
        if quote_colon {
            // Same for a cut value already hidden.
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
}

static DASH_U: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("-U"));
static DASH_USER: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("--user"));
static SLASHES: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("//"));

fn cap<'t>(c: &Captures<'t>, name: &str) -> &'t str {
    c.name(name).map_or("", |m| m.as_str())
}

/// Whether a cut value starts with what redaction left (`[redacted]%[redacted]`, or
/// `[redacted]` with no `%` after it): what follows is text added after redaction.
fn already_hidden(inner: &str) -> bool {
    let pair = format!("{MASK}%{MASK}");
    inner.starts_with(&pair) || inner.strip_prefix(MASK).is_some_and(|rest| !rest.contains('%'))
}

/// A value's opening quote, its inside and its closing quote (empty when a cut paste lost it).
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

/// Runs one pattern; keeps the text borrowed when it does not match.
fn apply<'a>(text: Cow<'a, str>, re: &Regex, f: impl Fn(&Captures<'_>) -> String) -> Cow<'a, str> {
    if !re.is_match(&text) {
        return text;
    }
    Cow::Owned(re.replace_all(&text, |c: &Captures<'_>| f(c)).into_owned())
}

static DEFAULT: LazyLock<Redactor> = LazyLock::new(Redactor::new);

/// Hides every secret the patterns know (see the module doc). Borrowed when nothing was found.
pub fn redact(text: &str) -> Cow<'_, str> {
    DEFAULT.redact(text)
}

/// Owned form of [`redact`].
pub fn redact_text(text: &str) -> String {
    redact(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "S3cr3t-P4ss";
    const USER: &str = "jeedom_bk";

    fn hidden(text: &str) -> String {
        let out = redact_text(text);
        assert!(!out.contains(PASS), "password leaked: {out}");
        assert!(!out.contains(USER), "user leaked: {out}");
        assert_eq!(redact_text(&out), out, "not idempotent");
        out
    }

    #[test]
    fn samba_wrapper_line_double_quotes() {
        let line = format!(
            "Erreur sur timeout 7200 smbclient //192.168.1.20/backups -U \"{USER}%{PASS}\" -c 'put x' valeur retournée : 1. Détails : NT_STATUS_LOGON_FAILURE"
        );
        let out = hidden(&line);
        assert!(out.contains(r#"-U "[redacted]%[redacted]" -c 'put x'"#), "{out}");
        assert!(out.contains("//192.168.1.20/backups"), "hosts are not secrets here: {out}");
        assert!(out.contains("NT_STATUS_LOGON_FAILURE"));
    }

    #[test]
    fn samba_user_single_quotes_no_quotes_and_escaped() {
        assert!(hidden(&format!("smbclient -U '{USER}%{PASS}' -c ls")).contains("-U '[redacted]%[redacted]' -c ls"));
        assert!(hidden(&format!("smbclient -U {USER}%{PASS} -c ls")).contains("-U [redacted]%[redacted] -c ls"));
        assert!(hidden(&format!("smbclient -U{USER}%{PASS}")).ends_with("-U[redacted]%[redacted]"));
        assert!(hidden(&format!("smbclient --user={USER}%{PASS}")).ends_with("--user=[redacted]%[redacted]"));
        assert!(hidden(&format!("smbclient --username {USER}%{PASS}")).ends_with("--username [redacted]%[redacted]"));
        let json = format!(r#"{{"message":"smbclient -U \"{USER}%{PASS}\" -c ls"}}"#);
        assert!(hidden(&json).contains(r#"-U \"[redacted]%[redacted]\" -c ls"#));
        assert!(hidden(&format!("smbclient -U \"{USER}\" -c ls")).contains("-U \"[redacted]\" -c ls"));
    }

    /// Jeedom does not escape the password it puts between double quotes: one holding a `"`
    /// closes the quote early. The value runs to the quote before the next option (` -c`).
    #[test]
    fn a_password_holding_a_double_quote_is_hidden_whole() {
        let line = r#"smbclient //nas/s -U "jeedom%Pl"anted123" -c 'cd "jeedom";put "x"' valeur retournée : 1"#;
        let out = redact_text(line);
        assert_eq!(out, r#"smbclient //nas/s -U "[redacted]%[redacted]" -c 'cd "jeedom";put "x"' valeur retournée : 1"#);
        assert_eq!(redact_text(&out), out);
        // Without a following option the value stops at its first closing quote, as before.
        assert_eq!(redact_text(r#"-U "jeedom%pw" failed"#), r#"-U "[redacted]%[redacted]" failed"#);
    }

    #[test]
    fn other_dash_u_options_are_left_alone() {
        assert_eq!(redact_text("tar -U -czf a.tgz"), "tar -U -czf a.tgz");
        assert_eq!(redact_text("Backing up database...OK"), "Backing up database...OK");
        assert!(matches!(redact("no secret here"), Cow::Borrowed(_)));
    }

    #[test]
    fn share_credentials() {
        let out = hidden(&format!("mount //{USER}:{PASS}@nas.local/backup failed"));
        assert_eq!(out, "mount //[redacted]:[redacted]@nas.local/backup failed");
        hidden(&format!("smb://{USER}:{PASS}@nas/share"));
    }

    #[test]
    fn api_keys_in_bodies_and_urls() {
        let key = "AbCdEfGhIjKlMnOpQrStUvWx";
        let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"apikey":"{key}"}}}}"#);
        let out = redact_text(&body);
        assert!(!out.contains(key));
        assert!(out.contains(r#""apikey":"[redacted]""#));
        let out = redact_text(&format!(r#"{{"params":{{"api" : "{key}"}}}}"#));
        assert!(!out.contains(key), "{out}");
        let out = redact_text(&format!(r#"request={{\"params\":{{\"apikey\":\"{key}\"}}}}"#));
        assert!(!out.contains(key), "{out}");
        let url = format!("http://jeedom.local/core/api/jeeApi.php?apikey={key}&type=cmd&id=12");
        let out = redact_text(&url);
        assert_eq!(out, "http://jeedom.local/core/api/jeeApi.php?apikey=[redacted]&type=cmd&id=12");
        let out = redact_text(&format!(r#"{{"samba::backup::password":"{PASS}","samba::backup::ip":"10.0.0.2"}}"#));
        assert!(!out.contains(PASS) && out.contains("10.0.0.2"), "{out}");
    }

    /// Shapes a pasted log really holds beyond JSON and query strings: a PHP `print_r` dump in
    /// a failure's `Details : Array ( … )` (one key per line, or flattened by the 4.4 logger)
    /// and a plugin's `api_key=`.
    #[test]
    fn print_r_dumps_and_api_key_spellings() {
        let key = "AbCdEf0123456789ZZtoken";
        for text in [
            format!("Details : Array ( [apikey] => {key} [type] => backup )"),
            format!("    [apikey] => {key}"),
            format!("    [samba::backup::password] => {key}"),
            format!("[2025-09-10 03:29:40][ERROR] : GET https://x.example/api?api_key={key}&a=1"),
            format!("api-key={key}"),
        ] {
            let out = redact_text(&text);
            assert!(!out.contains(key), "leaked: {out}");
            assert!(out.contains(MASK), "{out}");
            assert_eq!(redact_text(&out), out, "not idempotent");
        }
        let out = redact_text(&format!("Array ( [apikey] => {key} [type] => backup )"));
        assert_eq!(out, "Array ( [apikey] => [redacted] [type] => backup )");
        // An empty value hides nothing else; other keys stay.
        assert_eq!(redact_text("[password] => [type] => x"), "[password] => [type] => x");
        assert_eq!(redact_text("[name] => Jeedom"), "[name] => Jeedom");
    }

    #[test]
    fn punctuation_after_a_query_value_is_kept() {
        assert_eq!(redact_text("GET http://h/?apikey=AbCd0123: refused"), "GET http://h/?apikey=[redacted]: refused");
        assert_eq!(redact_text("(password=pw:12.34)."), "(password=[redacted]).");
        assert_eq!(redact_text("api=k"), "api=[redacted]");
    }

    #[test]
    fn known_secrets() {
        let r = Redactor::new().with_secret("my-api-key-0123456789").and_then(|r| r.with_secret("0123"));
        let r = r.unwrap_or_default();
        assert_eq!(r.redact("key my-api-key-0123456789 then 0123"), "key [redacted] then [redacted]");
        assert_eq!(Redactor::new().with_secret("abc"), Err(SecretTooShort(3)));
    }
    /// A whole pasted log in one call: normal lines with quotes around a Samba error line (and
    /// around cut values whose closing quote is gone) come out byte-identical; the secrets are
    /// hidden. Before every pattern stopped at a line break, a cut `-U "…` or `"password":"…`
    /// ran on to the next quote lines below and garbled them.
    #[test]
    fn multi_line_text_keeps_normal_lines_byte_identical() {
        let normal = [
            "[2024-08-12 03:00:01] Début de la sauvegarde \"quotidienne\" dans '/var/www/html/backup'",
            "Envoi de \"backup-Jeedom-4.4.19-2024-08-12-03h00.tar.gz\" (212 Mo) vers 'samba'",
            "{\"result\":\"ok\",\"message\":\"Nom d'utilisateur : \\\"x\\\"\"}",
            "Fin de l'envoi : \"OK\" ; durée 'courte' ; user=\"admin\"",
        ];
        let secret_lines = [
            format!(
                "Erreur sur timeout 7200 smbclient //192.168.1.20/backups -U \"{USER}%{PASS}\" -c 'put x' valeur retournée : 1. Détails : NT_STATUS_LOGON_FAILURE"
            ),
            // Cut pastes: the closing quote is gone.
            format!("smbclient //nas/backups -U \"{USER}%{PASS}"),
            format!("smbclient -U '{USER}%{PASS}"),
            format!("{{\"params\":{{\"apikey\":\"{PASS}"),
            format!("request={{\\\"samba::backup::password\\\":\\\"{PASS}"),
        ];
        for eol in ["\n", "\r\n"] {
            for secret in &secret_lines {
                let lines: Vec<&str> = normal[..2]
                    .iter()
                    .copied()
                    .chain([secret.as_str()])
                    .chain(normal[2..].iter().copied())
                    .collect();
                let text = lines.join(eol) + eol;
                let out = hidden(&text);
                let got: Vec<&str> = out.split(eol).collect();
                assert_eq!(got.len(), lines.len() + 1, "line count changed:\n{out}");
                for (n, want) in normal.iter().enumerate() {
                    let at = if n < 2 { n } else { n + 1 };
                    assert_eq!(got[at], *want, "line {} garbled by {secret:?}", at + 1);
                }
                assert!(got[2].contains(MASK), "{}", got[2]);
                // Same result as line by line.
                let by_line: Vec<String> = lines.iter().map(|l| redact_text(l)).collect();
                assert_eq!(out, by_line.join(eol) + eol);
            }
        }
        // The Samba line keeps everything around the value.
        let out = redact_text(&format!("a \"b\"\n{}\nc \"d\"\n", secret_lines[0]));
        assert!(out.contains(r#"-U "[redacted]%[redacted]" -c 'put x' valeur"#), "{out}");
        assert!(out.starts_with("a \"b\"\n") && out.ends_with("\nc \"d\"\n"), "{out}");
        // A shortened line of redacted text keeps its tail (`…`, `...`): redaction is idempotent.
        for t in [
            "smbclient //h/s -U \"[redacted]%[redacted]...",
            "-U '[redacted]…",
            "{\"apikey\":\"[redacted]...",
        ] {
            assert_eq!(redact_text(t), t);
        }
        assert_eq!(redact_text("-U \"[redacted]%hunter2..."), "-U \"[redacted]%[redacted]");
        // A cut value keeps its opening quote.
        assert!(redact_text(&secret_lines[1]).ends_with(r#"-U "[redacted]%[redacted]"#));
        assert!(redact_text(&secret_lines[3]).ends_with(r#""apikey":"[redacted]"#));
    }

    /// What the patterns cannot reach on one line (a value a paste wrapped onto the next line)
    /// is still hidden when the whole text is redacted at once.
    #[test]
    fn wrapped_values_are_hidden_in_a_whole_text() {
        for text in [
            format!("ligne \"a\"\nsmbclient //h/s -U\n\"{USER}%{PASS}\" -c ls\nligne \"b\"\n"),
            format!("ligne \"a\"\nsmbclient //h/s -U \"{USER}%S3cr3t-\nP4ss\" -c ls\nligne \"b\"\n"),
            format!("ligne \"a\"\r\nsmbclient -U\r\n{USER}%{PASS} -c ls\r\nligne \"b\"\r\n"),
        ] {
            let out = hidden(&text);
            assert!(out.starts_with("ligne \"a\"") && out.trim_end().ends_with("ligne \"b\""), "{out}");
        }
    }
}
