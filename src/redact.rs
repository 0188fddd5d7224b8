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
//!    option (tar's `-U`), not a user, and is left alone.
//! 2. **Credentials in URLs and share paths**: `//user:password@host/share`,
//!    `smb://user:password@host` → `//[redacted]:[redacted]@host/share`.
//! 3. **Keys and passwords in JSON bodies** (JSON-RPC `params.apikey`, its alias `api`, the pro
//!    API's `proapi`, and any key ending in `password`, `passwd`, `pwd`, `username`, `token`,
//!    `secret`, such as `samba::backup::password`), plain or JSON-escaped inside another string:
//!    `"apikey":"abc…"` → `"apikey":"[redacted]"`.
//! 4. **The same keys in URLs and forms**: `?apikey=abc…&`, `&api=…`, `password=…`.
//! 5. **Known secrets** given to a [`Redactor`] ([`Redactor::with_secret`]: the API key the
//!    tool was started with, a Samba password from a recorded config), wherever they appear.
//!    Secrets shorter than [`MIN_SECRET_LEN`] bytes are refused (hiding every `abc` would
//!    shred the text); the patterns above still hide them in their usual places.
//!
//! Known limits: a password containing a double quote inside JSON-escaped JSON may be cut at
//! that quote (its tail leaks); a secret outside these shapes is only caught if it was given as
//! a known secret.
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
}

const KEYS: &str = r"(?:apikey|api|proapi|[a-z0-9_:.\-]*(?:password|passwd|pwd|username|token|secret))";

static PATTERNS: LazyLock<Option<Patterns>> = LazyLock::new(|| {
    Some(Patterns {
        samba_user: Regex::new(
            r#"(?P<pre>^|[\s'"(;|&=\\])(?P<flag>-U|--username|--user)(?P<sep>\s*=\s*|\s*)(?P<val>\\"(?:[^"\\]|\\[^"])*\\"|"[^"]*"|'[^']*'|[^\s'"\\;|&)]+)"#,
        )
        .ok()?,
        url_creds: Regex::new(r#"(?P<scheme>//)(?P<user>[^/\s:@'"\\]+):(?P<pass>[^/\s@'"\\]+)@"#).ok()?,
        json_key: Regex::new(&format!(r#"(?i)(?P<key>"{KEYS}"\s*:\s*")(?P<val>(?:[^"\\]|\\.)*)""#)).ok()?,
        json_key_escaped: Regex::new(&format!(r#"(?i)(?P<key>\\"{KEYS}\\"\s*:\s*\\")(?P<val>.*?)\\""#)).ok()?,
        query_key: Regex::new(&format!(r#"(?i)(?P<key>\b{KEYS}=)(?P<val>[^&\s"'#\\]+)"#)).ok()?,
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
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
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
                if val.starts_with('-') {
                    return c.get(0).map_or(String::new(), |m| m.as_str().to_owned());
                }
                let (open, inner, close) = split_quotes(val);
                let hidden = if inner.contains('%') { format!("{MASK}%{MASK}") } else { MASK.to_owned() };
                format!("{}{}{}{open}{hidden}{close}", cap(c, "pre"), cap(c, "flag"), cap(c, "sep"))
            });
        }
        if at {
            out = apply(out, &p.url_creds, |c| format!("{}{MASK}:{MASK}@", cap(c, "scheme")));
        }
        if quote_colon {
            out = apply(out, &p.json_key_escaped, |c| format!("{}{MASK}\\\"", cap(c, "key")));
            out = apply(out, &p.json_key, |c| format!("{}{MASK}\"", cap(c, "key")));
        }
        if equals {
            out = apply(out, &p.query_key, |c| format!("{}{MASK}", cap(c, "key")));
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

fn split_quotes(val: &str) -> (&str, &str, &str) {
    for q in ["\\\"", "\"", "'"] {
        if let Some(inner) = val.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return (q, inner, q);
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

    #[test]
    fn known_secrets() {
        let r = Redactor::new().with_secret("my-api-key-0123456789").and_then(|r| r.with_secret("0123"));
        let r = r.unwrap_or_default();
        assert_eq!(r.redact("key my-api-key-0123456789 then 0123"), "key [redacted] then [redacted]");
        assert_eq!(Redactor::new().with_secret("abc"), Err(SecretTooShort(3)));
    }
}
