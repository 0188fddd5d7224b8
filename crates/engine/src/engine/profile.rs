//! Profiles: which revision of the scenario the engine plays (the three published ones, or
//! `strict`), and its parameters. A profile file (TOML) starts from a built-in profile and
//! overrides parameters, so a maintainer can try a scenario change without writing Rust:
//!
//! ```toml
//! base = "v2024-08"          # required: v2022-01, v2023-03, v2024-08 or strict
//! name = "big-box"           # optional display name (default: the file's stem)
//! min_size = 157286400       # bytes; the code block's `1024*1024*100`
//! php = 7                    # PHP major version of the box: 7 or 8
//! stamp_tolerance_seconds = 120   # archive stamps accepted after the start stamp (minutes)
//! watchdog_timeout_seconds = 7200 # strict only: a begin with no end after this is a failure
//! [checks]                   # which checks run (a check that does not run writes -1)
//! log = true
//! local = true
//! size = true
//! samba = false
//! market = false             # strict only
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::php::PhpVersion;

/// A built-in profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Profile {
    /// The first published revision: no 60 s tolerance, a 6-key start JSON, ≤ 4.4 only.
    V2022_01,
    /// Like 2024-08, but reads the trigger with the ≤ 4.4 accessor (crashes on 4.5).
    V2023_03,
    /// The current revision.
    #[default]
    V2024_08,
    /// Our stricter reading: same JSON and flags, blind spots closed (see `engine::strict`).
    Strict,
}

impl Profile {
    pub const ALL: [Profile; 4] = [Profile::V2022_01, Profile::V2023_03, Profile::V2024_08, Profile::Strict];
    /// The profiles that reproduce a published revision.
    pub const FAITHFUL: [Profile; 3] = [Profile::V2022_01, Profile::V2023_03, Profile::V2024_08];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::V2022_01 => "v2022-01",
            Profile::V2023_03 => "v2023-03",
            Profile::V2024_08 => "v2024-08",
            Profile::Strict => "strict",
        }
    }

    pub fn is_faithful(self) -> bool {
        self != Profile::Strict
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a profile name that is not built in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?} (expected v2022-01, v2023-03, v2024-08 or strict)")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

impl Serialize for Profile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// Which checks run at `end_backup`. A check that does not run leaves its flag at `-1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Checks {
    pub log: bool,
    pub local: bool,
    pub size: bool,
    pub samba: bool,
    /// Only the strict profile can check the Market upload (it reads it from the log).
    pub market: bool,
}

impl Checks {
    fn for_profile(p: Profile) -> Checks {
        Checks {
            log: true,
            local: true,
            size: true,
            samba: true,
            market: p == Profile::Strict,
        }
    }
}

/// The code block's `1024*1024*100`.
pub const DEFAULT_MIN_SIZE: u64 = 104_857_600;
/// Strict's default wait before a begin with no end counts as a failed backup: 2 hours.
pub const DEFAULT_WATCHDOG_TIMEOUT_S: u64 = 2 * 60 * 60;

/// A built-in profile plus its parameters: what `replay` runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileConfig {
    pub base: Profile,
    /// Display name when it is not the built-in's (a profile file's `name`, or its stem).
    pub custom_name: Option<String>,
    /// The size threshold in bytes (`$S`): an archive must be strictly bigger.
    pub min_size: u64,
    pub php: PhpVersion,
    /// How late an archive's stamp may be after the start stamp, in seconds (whole minutes):
    /// 60 in 2023-03 and 2024-08 (`L2`), 0 in 2022-01.
    pub stamp_tolerance_s: u32,
    /// Strict only: a `begin_*` with no end after this long is a failed backup.
    pub watchdog_timeout_s: u64,
    pub checks: Checks,
    /// A `php:PATH` profile: the scenario's own code block, run under php-cli instead of the
    /// Rust profile `base` (see `crate::phprun`).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_block")]
    pub php_block: Option<std::sync::Arc<crate::phprun::PhpProgram>>,
}

fn serialize_block<S: Serializer>(
    b: &Option<std::sync::Arc<crate::phprun::PhpProgram>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match b {
        Some(p) => s.serialize_str(&p.name()),
        None => s.serialize_none(),
    }
}

impl ProfileConfig {
    pub fn builtin(base: Profile) -> ProfileConfig {
        ProfileConfig {
            base,
            custom_name: None,
            min_size: DEFAULT_MIN_SIZE,
            php: PhpVersion::Php8,
            stamp_tolerance_s: if base == Profile::V2022_01 { 0 } else { 60 },
            watchdog_timeout_s: DEFAULT_WATCHDOG_TIMEOUT_S,
            checks: Checks::for_profile(base),
            php_block: None,
        }
    }

    /// The name shown in reports: the built-in's name, or the profile file's.
    pub fn name(&self) -> String {
        match &self.custom_name {
            Some(n) => n.clone(),
            None => self.base.as_str().to_owned(),
        }
    }

    /// Whether this is exactly a built-in (no parameter changed).
    pub fn is_builtin(&self) -> bool {
        let mut b = ProfileConfig::builtin(self.base);
        b.custom_name = self.custom_name.clone();
        *self == b && self.custom_name.is_none()
    }

    /// Reads a profile file.
    pub fn from_toml_file(path: &Path) -> Result<ProfileConfig, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
            file: path.to_owned(),
            kind: e.kind(),
            message: e.to_string(),
        })?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        parse(&text, path, stem)
    }

    /// Parses a profile file's text (errors name the file `<profile>`).
    pub fn from_toml_str(text: &str) -> Result<ProfileConfig, ProfileError> {
        parse(text, Path::new("<profile>"), None)
    }

    /// Parses a profile file's text; errors name `file`.
    pub fn from_toml_source(text: &str, file: &Path) -> Result<ProfileConfig, ProfileError> {
        parse(text, file, file.file_stem().map(|s| s.to_string_lossy().into_owned()))
    }
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig::builtin(Profile::default())
    }
}

impl From<Profile> for ProfileConfig {
    fn from(p: Profile) -> Self {
        ProfileConfig::builtin(p)
    }
}

/// A profile file that cannot be used. Every variant names the file; value errors name the
/// line and the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// `kind` lets the error be worded in another language than the system's English `message`.
    #[error("{}: cannot read the profile file: {message}", file.display())]
    Read {
        file: PathBuf,
        kind: std::io::ErrorKind,
        message: String,
    },
    #[error("{}:{line}:{column}: not valid TOML: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}:{line}: key `{key}`: {message}", file.display())]
    Key {
        file: PathBuf,
        line: usize,
        key: String,
        message: crate::Text,
    },
    /// `base` names no built-in profile.
    #[error("{}:{line}: key `base`: {source}", file.display())]
    UnknownBase {
        file: PathBuf,
        line: usize,
        source: UnknownProfile,
    },
    #[error("{}: missing key `base` (the built-in profile to start from: v2022-01, v2023-03, v2024-08 or strict)", file.display())]
    MissingBase { file: PathBuf },
}

struct Ctx<'a> {
    text: &'a str,
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, key: &str, message: impl Into<crate::Text>) -> ProfileError {
        ProfileError::Key {
            file: self.file.to_owned(),
            line: crate::line_col(self.text, span.start).0,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    fn integer(&self, key: &str, v: &Spanned<DeValue<'_>>) -> Result<u64, ProfileError> {
        match v.get_ref() {
            DeValue::Integer(i) => {
                let digits = i.as_str();
                if digits.starts_with('-') {
                    return Err(self.err(
                        v.span(),
                        key,
                        crate::Text::new(
                            format!("ne doit pas être négatif, trouvé {i}"),
                            format!("must not be negative, found {i}"),
                        ),
                    ));
                }
                u64::from_str_radix(digits, i.radix()).map_err(|_| {
                    self.err(
                        v.span(),
                        key,
                        crate::Text::new(format!("{i} est trop grand"), format!("{i} is too large")),
                    )
                })
            }
            other => Err(self.err(
                v.span(),
                key,
                crate::Text::new(
                    format!("nombre entier attendu, trouvé {}", kind(other, crate::Lang::Fr)),
                    format!("expected a whole number, found {}", kind(other, crate::Lang::En)),
                ),
            )),
        }
    }

    fn string<'v>(&self, key: &str, v: &'v Spanned<DeValue<'_>>) -> Result<&'v str, ProfileError> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            other => Err(self.err(
                v.span(),
                key,
                crate::Text::new(
                    format!("chaîne attendue, trouvé {}", kind(other, crate::Lang::Fr)),
                    format!("expected a string, found {}", kind(other, crate::Lang::En)),
                ),
            )),
        }
    }

    fn boolean(&self, key: &str, v: &Spanned<DeValue<'_>>) -> Result<bool, ProfileError> {
        match v.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(self.err(
                v.span(),
                key,
                crate::Text::new(
                    format!("true ou false attendu, trouvé {}", kind(other, crate::Lang::Fr)),
                    format!("expected true or false, found {}", kind(other, crate::Lang::En)),
                ),
            )),
        }
    }
}

/// What a TOML value is, for an error that says what was found instead, in `lang`.
fn kind(v: &DeValue<'_>, lang: crate::Lang) -> String {
    match (v, lang) {
        (DeValue::String(s), crate::Lang::Fr) => format!("la chaîne « {s} »"),
        (DeValue::String(s), crate::Lang::En) => format!("the string {s:?}"),
        (DeValue::Integer(i), _) => format!("{} {i}", lang.pick("le nombre", "the number")),
        (DeValue::Float(f), _) => format!("{} {f}", lang.pick("le nombre", "the number")),
        (DeValue::Boolean(b), _) => format!("{b}"),
        (DeValue::Datetime(d), _) => format!("{} {d}", lang.pick("la date", "the date")),
        (DeValue::Array(_), _) => lang.pick("un tableau", "an array").into(),
        (DeValue::Table(_), _) => lang.pick("une table", "a table").into(),
    }
}

const TOP_KEYS: &str =
    "base, name, description, min_size, php, stamp_tolerance_seconds, watchdog_timeout_seconds, [checks]";
const CHECK_KEYS: &str = "log, local, size, samba, market";

fn parse(text: &str, file: &Path, stem: Option<String>) -> Result<ProfileConfig, ProfileError> {
    let doc = DeTable::parse(text).map_err(|e| {
        let (line, column) = e.span().map(|s| crate::line_col(text, s.start)).unwrap_or((1, 1));
        ProfileError::Syntax {
            file: file.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    let ctx = Ctx { text, file };
    let table = doc.get_ref();

    // `base` first: every other default depends on it.
    let base_entry = table.iter().find(|(k, _)| k.get_ref() == "base");
    let Some((_, base_v)) = base_entry else {
        return Err(ProfileError::MissingBase { file: file.to_owned() });
    };
    let base: Profile = ctx
        .string("base", base_v)?
        .parse()
        .map_err(|source| ProfileError::UnknownBase {
            file: file.to_owned(),
            line: crate::line_col(text, base_v.span().start).0,
            source,
        })?;
    let mut cfg = ProfileConfig::builtin(base);
    cfg.custom_name = stem;

    for (k, v) in table.iter() {
        let key = k.get_ref().as_ref();
        match key {
            "base" => {}
            "name" | "description" => {
                let s = ctx.string(key, v)?;
                if key == "name" {
                    if s.trim().is_empty() {
                        return Err(ctx.err(
                            v.span(),
                            key,
                            crate::Text::new("ne doit pas être vide", "must not be empty"),
                        ));
                    }
                    cfg.custom_name = Some(s.to_owned());
                }
            }
            "min_size" => cfg.min_size = ctx.integer(key, v)?,
            "php" => {
                cfg.php = match v.get_ref() {
                    DeValue::Integer(i) => i.as_str().parse().ok(),
                    DeValue::String(s) => s.parse().ok(),
                    DeValue::Float(f) => f.as_str().parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    ctx.err(
                        v.span(),
                        key,
                        crate::Text::new(
                            format!("7 ou 8 attendu, trouvé {}", kind(v.get_ref(), crate::Lang::Fr)),
                            format!("expected 7 or 8, found {}", kind(v.get_ref(), crate::Lang::En)),
                        ),
                    )
                })?;
            }
            "stamp_tolerance_seconds" => {
                let s = ctx.integer(key, v)?;
                if s % 60 != 0 || s > 24 * 3600 {
                    return Err(ctx.err(
                        v.span(),
                        key,
                        crate::Text::new(
                            format!(
                                "doit être un nombre entier de minutes (un multiple de 60) jusqu'à 86400, trouvé {s}"
                            ),
                            format!("must be a whole number of minutes (a multiple of 60) up to 86400, found {s}"),
                        ),
                    ));
                }
                cfg.stamp_tolerance_s = u32::try_from(s).unwrap_or(0);
            }
            "watchdog_timeout_seconds" => {
                if base != Profile::Strict {
                    return Err(ctx.err(
                        k.span(),
                        key,
                        crate::Text::new(
                            format!("seul le profil strict a un délai de garde (la base est {base})"),
                            format!("only the strict profile has a watchdog (base is {base})"),
                        ),
                    ));
                }
                let s = ctx.integer(key, v)?;
                if s == 0 {
                    return Err(ctx.err(
                        v.span(),
                        key,
                        crate::Text::new("doit dépasser 0 seconde", "must be more than 0 seconds"),
                    ));
                }
                cfg.watchdog_timeout_s = s;
            }
            "checks" => {
                let DeValue::Table(checks) = v.get_ref() else {
                    return Err(ctx.err(
                        v.span(),
                        key,
                        crate::Text::new(
                            format!(
                                "table attendue ([checks]), trouvé {}",
                                kind(v.get_ref(), crate::Lang::Fr)
                            ),
                            format!(
                                "expected a table ([checks]), found {}",
                                kind(v.get_ref(), crate::Lang::En)
                            ),
                        ),
                    ));
                };
                for (ck, cv) in checks.iter() {
                    let name = ck.get_ref().as_ref();
                    let full = format!("checks.{name}");
                    let on = match name {
                        "log" | "local" | "size" | "samba" | "market" => ctx.boolean(&full, cv)?,
                        _ => {
                            return Err(ctx.err(
                                ck.span(),
                                &full,
                                crate::Text::new(
                                    format!("vérification inconnue (attendu : {CHECK_KEYS})"),
                                    format!("unknown check (expected one of {CHECK_KEYS})"),
                                ),
                            ));
                        }
                    };
                    match name {
                        "log" => cfg.checks.log = on,
                        "local" => cfg.checks.local = on,
                        "size" => cfg.checks.size = on,
                        "samba" => cfg.checks.samba = on,
                        _ => {
                            if on && base != Profile::Strict {
                                return Err(ctx.err(
                                    cv.span(),
                                    &full,
                                    crate::Text::new("le scénario publié ne vérifie jamais le Market ; seul le profil strict le peut (il lit l'envoi dans le log)", "the published scenario never checks the Market; only the strict profile can (it reads the upload from the log)"),
                                ));
                            }
                            cfg.checks.market = on;
                        }
                    }
                }
            }
            _ => {
                return Err(ctx.err(
                    k.span(),
                    key,
                    crate::Text::new(
                        format!("clé inconnue (attendu : {TOP_KEYS})"),
                        format!("unknown key (expected one of {TOP_KEYS})"),
                    ),
                ));
            }
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.to_string().parse::<Profile>(), Ok(p));
        }
        assert!("v2024".parse::<Profile>().is_err());
        assert_eq!(Profile::default(), Profile::V2024_08);
    }

    #[test]
    fn builtins_have_the_published_parameters() {
        let p = ProfileConfig::builtin(Profile::V2022_01);
        assert_eq!(
            (p.min_size, p.stamp_tolerance_s, p.php),
            (104857600, 0, PhpVersion::Php8)
        );
        assert_eq!(ProfileConfig::builtin(Profile::V2024_08).stamp_tolerance_s, 60);
        assert!(!ProfileConfig::builtin(Profile::V2024_08).checks.market);
        assert!(ProfileConfig::builtin(Profile::Strict).checks.market);
        assert_eq!(ProfileConfig::builtin(Profile::Strict).watchdog_timeout_s, 7200);
        assert!(ProfileConfig::builtin(Profile::Strict).is_builtin());
    }
}
