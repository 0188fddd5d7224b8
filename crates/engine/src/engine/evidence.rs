//! Why each flag has its value: the rule that decided it and what it compared, so a report can
//! explain the tile in one sentence per flag ([`Evidence::explain`]), in French or English.
//! Every text taken from the box (log lines, Samba messages) is redacted when it is recorded.

use serde::Serialize;

use crate::Lang;
use crate::php;
use crate::redact::redact_text;
use crate::world::{Listing, LocalFile, LogName};

use super::state::{Flag, FlagKind};

/// A line of a log, as evidence: its 1-based number and the quoted text (redacted, without the
/// line break, bounded in length: `…` marks where it was cut).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub line: usize,
    pub text: String,
}

/// Characters kept before the `[date` of a matched line, and after its `ERROR`.
const BEFORE_MATCH: usize = 40;
const AFTER_MATCH: usize = 120;
/// A `[date … ERROR` match longer than this is shown as its two ends.
const MATCH_MAX: usize = 80;
/// A quoted logger line longer than this keeps its head and its tail.
const QUOTE_MAX: usize = 240;
/// A failure message longer than this keeps its head and its tail.
const MESSAGE_MAX: usize = 400;

impl LogLine {
    /// A line that matched the published error test (`[` + `date`, then `ERROR` later on the
    /// line): the text around the match, not the start of the line, so a reflowed log (one
    /// very long line) is quoted where the error is. The line is decoded like the log parser
    /// does and redacted whole before it is cut, so a cut never splits a secret.
    pub fn around_match(line: usize, bytes: &[u8], date_needle: &str) -> LogLine {
        let text = decode_redacted(bytes);
        let t = text.trim();
        let quoted = match match_span(t, date_needle) {
            Some((s, e)) => window(t, s, e),
            None => elide_middle(t, QUOTE_MAX),
        };
        LogLine { line, text: quoted }
    }

    /// A line quoted as written (the raw bytes of a log fact's span), redacted and bounded:
    /// a long line keeps its head and its tail, where the outcome usually is.
    pub fn as_written(line: usize, bytes: &[u8]) -> LogLine {
        let text = decode_redacted(bytes);
        LogLine {
            line,
            text: elide_middle(text.trim(), QUOTE_MAX),
        }
    }
}

/// A message taken from the box (a failure, a Samba error), redacted and bounded for a sentence.
fn message_text(message: &str) -> String {
    elide_middle(&redact_text(message), MESSAGE_MAX)
}

/// Decoded like the log parser decodes (UTF-8, else Windows-1252), redacted, line end dropped.
fn decode_redacted(bytes: &[u8]) -> String {
    let span = crate::log::LineRef {
        line: 0,
        span: 0..bytes.len() as u64,
    };
    let text = span
        .text(bytes)
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned());
    redact_text(text.trim_end_matches(['\r', '\n']))
}

/// The tightest `[date … ERROR` on the line: the first `ERROR` after the first `[date`, and the
/// last `[date` before that `ERROR`. Byte offsets of `[` and of the end of `ERROR`.
fn match_span(t: &str, needle: &str) -> Option<(usize, usize)> {
    let first = t.find(needle)?;
    let after = first + needle.len();
    let e = after + t.get(after..)?.find("ERROR")?;
    let s = t.get(..e)?.rfind(needle).unwrap_or(first);
    Some((s, e + "ERROR".len()))
}

/// `…` + up to [`BEFORE_MATCH`] characters + the match (its two ends when long) + up to
/// [`AFTER_MATCH`] characters + `…`, cut at a space when one is near.
fn window(t: &str, s: usize, e: usize) -> String {
    let (before, matched, after) = (
        t.get(..s).unwrap_or(""),
        t.get(s..e).unwrap_or(""),
        t.get(e..).unwrap_or(""),
    );
    let mut out = String::new();
    let n = before.chars().count();
    if n > BEFORE_MATCH {
        let tail: String = before.chars().skip(n - BEFORE_MATCH).collect();
        // Start at a word when a space is close.
        let tail = match tail.find(' ') {
            Some(i) if i < 15 => tail[i + 1..].to_owned(),
            _ => tail,
        };
        out.push('…');
        out.push_str(&tail);
    } else {
        out.push_str(before);
    }
    out.push_str(&elide_middle(matched, MATCH_MAX));
    if after.chars().count() > AFTER_MATCH {
        let head: String = after.chars().take(AFTER_MATCH).collect();
        let head = match head.rfind(' ') {
            Some(i) if head.len() - i < 15 => head[..i].to_owned(),
            _ => head,
        };
        out.push_str(head.trim_end());
        out.push('…');
    } else {
        out.push_str(after);
    }
    out
}

/// The text itself when it has at most `max` characters; else its first and last characters
/// around ` … `, cut at a space when one is near so no word is halved.
fn elide_middle(t: &str, max: usize) -> String {
    let n = t.chars().count();
    if n <= max {
        return t.to_owned();
    }
    let head_n = max * 3 / 5;
    let tail_n = max - head_n;
    let head: String = t.chars().take(head_n).collect();
    let tail: String = t.chars().skip(n - tail_n).collect();
    let head = match head.rfind(' ') {
        Some(i) if head.len() - i < 20 => &head[..i],
        _ => &head[..],
    };
    let tail = match tail.find(' ') {
        Some(i) if i < 20 => &tail[i + 1..],
        _ => &tail[..],
    };
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

/// How the code block learned which trigger launched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerSource {
    /// The scenario's trigger accessor (Jeedom ≤ 4.4).
    Accessor,
    /// The `#trigger#` tag (Jeedom 4.5).
    Tag,
}

/// A remote repository Jeedom uploads the archive to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repo {
    Samba,
    Market,
}

impl Repo {
    fn name(self) -> &'static str {
        match self {
            Repo::Samba => "Samba",
            Repo::Market => "Market",
        }
    }
}

/// Why Samba was not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum SambaSkip {
    /// The virtual's `update` is not 0: the backup made for a core update uploads nothing.
    UpdateBackup { update: String },
    /// The virtual has no `update` key.
    UpdateMissing,
    /// Jeedom set `NO_CLOUD_BACKUP` for this backup.
    NoCloudBackup,
    /// `samba::enable` or `samba::cloudUpload` is 0.
    KeysDisabled { enable: String, cloud_upload: String },
    /// These Samba keys were never saved (`""`): disabled on PHP 7 and in strict.
    NeverSaved { keys: Vec<String> },
}

/// Why `end_backup` found no start stamp `L` in the virtual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum StampMissing {
    /// The virtual is the empty string (new install, or a crash emptied it).
    VirtualEmpty,
    /// The virtual holds text that is not a JSON object.
    NotAnObject,
    /// The JSON object has no `lastSave` key.
    NoLastSave,
    /// `lastSave` is there but loosely equal to `""` (`""`, `null`, `false`; on PHP 7 also `0`),
    /// the published `$lastSaveJson != ''` test.
    EmptyLastSave { value: String },
    /// Strict: `lastSave` is not a text (an array or an object).
    LastSaveNotText,
    /// Strict: the failed run in the log has no start banner (its beginning was cut off).
    RunWithoutBanner,
}

impl StampMissing {
    /// Why, from the virtual's text and `$J = json_decode(...)`.
    pub(crate) fn of(virtual_text: &str, j: &crate::php::Value) -> StampMissing {
        use crate::php::Value;
        match j {
            Value::Array(a) => match a.get("lastSave") {
                None => StampMissing::NoLastSave,
                Some(Value::Array(_)) => StampMissing::LastSaveNotText,
                Some(v) => StampMissing::EmptyLastSave {
                    value: crate::php::json_encode(v).unwrap_or_default(),
                },
            },
            _ if virtual_text.is_empty() => StampMissing::VirtualEmpty,
            _ => StampMissing::NotAnObject,
        }
    }
}

/// The trigger that wrote the virtual's `lastSave`, read from its `action`: `begin_backup`,
/// `begin_update`, `end_backup`, or the action's own text; `None` without an action.
pub(crate) fn written_by(j: &crate::php::Value) -> Option<String> {
    use crate::php::Value;
    let Value::Array(a) = j else { return None };
    let action = a.get("action")?;
    let text = String::from_utf8_lossy(&crate::php::to_string(action)).into_owned();
    Some(match text.as_str() {
        "startBackup" => "begin_backup".into(),
        "startUpdate" => "begin_update".into(),
        "endBackup" => "end_backup".into(),
        _ => text,
    })
}

/// The rule that decided a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// `begin_backup` or `begin_update` wrote the start value of a backup in progress.
    BeginStart {
        trigger: String,
    },
    /// Another launcher (`user`, `schedule`, …): the start values are written as they are.
    OtherTrigger {
        trigger: String,
    },
    /// `end_backup` found the start stamp `L` in the virtual. `written_by`: the trigger that
    /// wrote it, read from the virtual's `action` (`begin_backup`, `begin_update`,
    /// `end_backup`, or the action itself), `None` when the virtual has no action.
    StampFound {
        last_save: String,
        written_by: Option<String>,
    },
    /// `end_backup` found no start stamp: the checks did not run.
    NoStamp {
        #[serde(flatten)]
        why: StampMissing,
    },
    /// Lines of the log matched the error pattern.
    LogErrors {
        log: LogName,
        today: String,
        lines: Vec<LogLine>,
    },
    /// No line of the log matched the error pattern.
    LogClean {
        log: LogName,
        today: String,
        lines_read: usize,
    },
    /// An archive of this run is in the backup folder. `named_at`: the log line that printed
    /// its name, when it was matched by that name (strict), else it was matched by stamp.
    ArchiveFound {
        file_name: String,
        size: u64,
        stamp: String,
        named_at: Option<usize>,
    },
    /// No archive in the backup folder carries an accepted stamp (or the name the log printed,
    /// at line `named_at`). `archives`: the `*.gz` names present, in name order.
    ArchiveMissing {
        stamps: Vec<String>,
        expected_name: Option<String>,
        named_at: Option<usize>,
        archives: Archives,
    },
    /// The archive is strictly bigger than the threshold.
    SizeAbove {
        file_name: String,
        size: u64,
        threshold: u64,
    },
    /// The archive is not bigger than the threshold.
    SizeNotAbove {
        file_name: String,
        size: u64,
        threshold: u64,
    },
    /// No archive, so no size to check.
    SizeNoArchive,
    SambaSkipped(SambaSkip),
    /// The share's newest file, compared with the accepted stamps (or, strict, with the
    /// archive's name). `never_saved`: Samba keys that were never saved (`""`) yet counted as
    /// enabled (PHP 8), so the share was listed although Samba was never configured.
    /// `upload_line`: strict, the log line showing the upload went through.
    SambaNewest {
        newest: String,
        stamp: String,
        matched: bool,
        expected_stamps: Vec<String>,
        expected_name: Option<String>,
        never_saved: Vec<String>,
        upload_line: Option<usize>,
    },
    /// The share lists no file (`never_saved` as for [`Rule::SambaNewest`]).
    SambaEmpty {
        never_saved: Vec<String>,
    },
    /// Strict: listing the share failed (the published code crashes here).
    SambaListingFailed {
        message: String,
    },
    /// Strict: the log shows the upload succeeded.
    UploadOk {
        repo: Repo,
        line: usize,
    },
    /// Strict: the log shows the upload failed (`/!\ … /!\`).
    UploadFailed {
        repo: Repo,
        message: String,
        line: usize,
    },
    /// Strict: the repository is enabled but the run has no upload to it.
    UploadMissing {
        repo: Repo,
    },
    /// Strict: the run has no upload to this repository and it is not configured.
    UploadNotConfigured {
        repo: Repo,
    },
    /// The published scenario never checks the Market.
    MarketNotChecked,
    /// Strict: the run failed (`Error during backup: …` and/or `[END BACKUP ERROR]`).
    /// `line`: the end marker's line when `end_marker`, else the failure message's.
    RunFailed {
        log: LogName,
        message: String,
        line: Option<usize>,
        end_marker: bool,
    },
    /// Strict: logger lines at ERROR and above dated from the run's start to now.
    LoggerErrors {
        log: LogName,
        since: String,
        lines: Vec<LogLine>,
    },
    /// Strict: no logger error since the run's start (`log`: where the run was found, `None`
    /// when it was found nowhere; `banner_line`: the run's start banner; `success_line`: its
    /// `[END BACKUP SUCCESS]`, when already written, or its end banner when the text lost the
    /// marker after it (`without_marker`)).
    RunClean {
        log: Option<LogName>,
        since: String,
        banner_line: Option<usize>,
        success_line: Option<usize>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        without_marker: bool,
    },
    /// Strict: a backup ended (or failed) whose begin the scenario never received.
    BeginNotSeen {
        since: Option<String>,
    },
    /// Strict: the Market upload is not checked for this backup.
    MarketSkipped(SambaSkip),
    /// Strict: the backup began and has not ended after the watchdog timeout.
    RunTimedOut {
        since: String,
        waited_s: u64,
        timeout_s: u64,
    },
    /// Strict: the backup began and is still within the watchdog timeout.
    RunInProgress {
        since: String,
        waited_s: u64,
        timeout_s: u64,
    },
    /// Strict: no run in the logs matches this backup.
    NoRun {
        logs: Vec<LogName>,
    },
    /// Strict: nothing is in progress; the virtual is left as it was.
    Unchanged,
    /// The profile turned this check off.
    CheckDisabled,
    /// The code block threw before writing anything.
    Crashed,
    /// A `php:` profile: the scenario's own code block, run under php-cli, set this flag (or
    /// threw `crash`); infobackup read the value back and knows no reason for it.
    ScenarioCode {
        profile: String,
        crash: Option<String>,
    },
}

/// One flag's value and the rule that decided it (no value when the block crashed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub flag: Option<Flag>,
    #[serde(flatten)]
    pub rule: Rule,
}

impl Decision {
    pub fn new(flag: Flag, rule: Rule) -> Decision {
        Decision { flag: Some(flag), rule }
    }
    fn crashed() -> Decision {
        Decision {
            flag: None,
            rule: Rule::Crashed,
        }
    }
}

/// Why the code block threw. Jeedom catches it and the virtual becomes the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Crash {
    /// 2022-01 and 2023-03 read the trigger with an accessor Jeedom 4.5 removed.
    TriggerAccessorGone,
    /// `array_key_exists('update', $J)` with `$J` not an array (PHP 8; PHP 7 only warns).
    UpdateKeyOnNonArray { given: String },
    /// `$J['lastSave']` with `$J` a string (PHP 8).
    StringOffset,
    /// `substr($L, …)` with `$L` an array (PHP 8).
    StampIsArray,
    /// Listing the Samba share threw.
    SambaListing { message: String },
}

impl Crash {
    /// What PHP reports, as the scenario log would show it.
    pub fn php_message(&self) -> String {
        match self {
            Crash::TriggerAccessorGone => {
                "Error: the Jeedom <= 4.4 trigger accessor this revision calls does not exist in Jeedom 4.5".into()
            }
            Crash::UpdateKeyOnNonArray { given } => {
                format!("TypeError: array_key_exists(): Argument #2 ($array) must be of type array, {given} given")
            }
            Crash::StringOffset => "TypeError: Cannot access offset of type string on string".into(),
            Crash::StampIsArray => {
                "TypeError: substr(): Argument #1 ($string) must be of type string, array given".into()
            }
            Crash::SambaListing { message } => format!("Exception: {}", redact_text(message)),
        }
    }

    fn explain(&self, lang: Lang) -> String {
        match (self, lang) {
            (Crash::TriggerAccessorGone, Lang::Fr) => {
                "cette révision lit le déclencheur d'une façon que Jeedom 4.5 ne connaît plus".into()
            }
            (Crash::TriggerAccessorGone, Lang::En) => {
                "this revision reads the trigger in a way Jeedom 4.5 no longer supports".into()
            }
            (Crash::UpdateKeyOnNonArray { given }, Lang::Fr) if given == "null" => {
                "le virtuel est vide ou ne contient pas de JSON, ce que PHP 8 ne tolère pas ; c'est le cas à la première sauvegarde après l'installation".into()
            }
            (Crash::UpdateKeyOnNonArray { given }, Lang::En) if given == "null" => {
                "the virtual is empty or holds no JSON, which PHP 8 does not tolerate; this happens on the first backup after installing".into()
            }
            (Crash::UpdateKeyOnNonArray { given }, Lang::Fr) => {
                format!("le virtuel contient un JSON de type {given} au lieu d'un objet, ce que PHP 8 ne tolère pas")
            }
            (Crash::UpdateKeyOnNonArray { given }, Lang::En) => {
                format!("the virtual holds a JSON {given} instead of an object, which PHP 8 does not tolerate")
            }
            (Crash::StringOffset, Lang::Fr) => "le virtuel contient une chaîne JSON au lieu d'un objet".into(),
            (Crash::StringOffset, Lang::En) => "the virtual holds a JSON string instead of an object".into(),
            (Crash::StampIsArray, Lang::Fr) => "le lastSave du virtuel est un tableau au lieu d'un texte".into(),
            (Crash::StampIsArray, Lang::En) => "the virtual's lastSave is an array instead of a text".into(),
            (Crash::SambaListing { message }, Lang::Fr) => {
                format!("la lecture du partage Samba a échoué : {}", quote(&message_text(message), lang))
            }
            (Crash::SambaListing { message }, Lang::En) => {
                format!("listing the Samba share failed: {}", quote(&message_text(message), lang))
            }
        }
    }
}

/// Everything one trigger decided and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The profile's display name.
    pub profile: String,
    pub trigger_source: TriggerSource,
    /// `$J['lastSave']` as `end_backup` read it (the start stamp `L`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_save: Option<String>,
    /// Stamps accepted after `L` (`L2` in the published code).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub later_stamps: Vec<String>,
    /// The size threshold in bytes.
    pub threshold: u64,
    /// The log file the checks read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_file: Option<LogName>,
    pub scenario: Decision,
    pub log: Decision,
    pub local: Decision,
    pub size: Decision,
    pub samba: Decision,
    pub market: Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash: Option<Crash>,
}

impl Evidence {
    pub(crate) fn new(profile: String, trigger_source: TriggerSource, threshold: u64, start: Rule) -> Evidence {
        let d = || Decision::new(Flag::Ok, start.clone());
        Evidence {
            profile,
            trigger_source,
            last_save: None,
            later_stamps: Vec::new(),
            threshold,
            log_file: None,
            scenario: d(),
            log: d(),
            local: d(),
            size: d(),
            samba: d(),
            market: d(),
            crash: None,
        }
    }

    pub fn decision(&self, kind: FlagKind) -> &Decision {
        match kind {
            FlagKind::Scenario => &self.scenario,
            FlagKind::Log => &self.log,
            FlagKind::Local => &self.local,
            FlagKind::Size => &self.size,
            FlagKind::Samba => &self.samba,
            FlagKind::Market => &self.market,
        }
    }

    pub(crate) fn decision_mut(&mut self, kind: FlagKind) -> &mut Decision {
        match kind {
            FlagKind::Scenario => &mut self.scenario,
            FlagKind::Log => &mut self.log,
            FlagKind::Local => &mut self.local,
            FlagKind::Size => &mut self.size,
            FlagKind::Samba => &mut self.samba,
            FlagKind::Market => &mut self.market,
        }
    }

    pub(crate) fn set(&mut self, kind: FlagKind, flag: Flag, rule: Rule) {
        *self.decision_mut(kind) = Decision::new(flag, rule);
    }

    pub(crate) fn crashed(&mut self, crash: Crash) {
        for k in FlagKind::ALL {
            *self.decision_mut(k) = Decision::crashed();
        }
        self.crash = Some(crash);
    }

    /// One plain sentence on why `kind` has its value: the rule, and the facts it compared.
    pub fn explain(&self, kind: FlagKind, lang: Lang) -> String {
        let d = self.decision(kind);
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        let q = |t: &str| quote(t, lang);
        match &d.rule {
            Rule::BeginStart { trigger } => begin_start(kind, trigger, lang),
            Rule::OtherTrigger { trigger } => {
                let value = d.flag.map(|f| f.code().to_string()).unwrap_or_default();
                pick(
                    format!("Scénario lancé par « {trigger} » et non par une sauvegarde : il ne vérifie rien et écrit la valeur de départ de ce voyant ({value})."),
                    format!("The scenario was started by \"{trigger}\", not by a backup: it checks nothing and writes this flag's start value ({value})."),
                )
            }
            Rule::StampFound { last_save, written_by } => stamp_found(last_save, written_by.as_deref(), lang),
            Rule::NoStamp { why } => no_stamp_flag(kind, why, d.flag, lang),
            Rule::LogErrors { log, today, lines } => log_errors(*log, today, lines, lang),
            Rule::LogClean { log, today, lines_read: 0 } => pick(
                format!("Le log {} est vide : aucune ligne ne contient {} (la date du jour) suivi de ERROR.", log.as_str(), q(&format!("[{today}"))),
                format!("The {} log is empty: no line has {} (today's date) followed by ERROR.", log.as_str(), q(&format!("[{today}"))),
            ),
            Rule::LogClean { log, today, lines_read } => pick(
                format!("Aucune ligne du log {} ne contient {} (la date du jour) suivi de ERROR ({lines_read} ligne{} lue{}).", log.as_str(), q(&format!("[{today}")), plural(*lines_read), plural(*lines_read)),
                format!("No line of the {} log has {} (today's date) followed by ERROR ({lines_read} line{} read).", log.as_str(), q(&format!("[{today}")), plural(*lines_read)),
            ),
            Rule::ArchiveFound { file_name, size, stamp, named_at } => self.archive_found(file_name, *size, stamp, *named_at, lang),
            Rule::ArchiveMissing { stamps, expected_name, named_at, archives } => archive_missing(stamps, expected_name.as_deref(), *named_at, &archives.names(), lang),
            Rule::SizeAbove { file_name, size, threshold } => {
                let (a, t) = sizes_apart(*size, *threshold, lang);
                pick(
                    format!("L'archive {file_name} ({a}) dépasse le seuil de {t}."),
                    format!("The archive {file_name} ({a}) is above the {t} threshold."),
                )
            }
            Rule::SizeNotAbove { file_name, size, threshold } => {
                let (a, t) = sizes_apart(*size, *threshold, lang);
                pick(
                    format!("L'archive {file_name} ({a}) ne dépasse pas le seuil de {t} : elle est peut-être incomplète."),
                    format!("The archive {file_name} ({a}) is not above the {t} threshold: it may be incomplete."),
                )
            }
            Rule::SizeNoArchive => pick(
                "Pas d'archive trouvée, donc pas de taille à vérifier : le voyant reste en erreur.".into(),
                "No archive was found, so there is no size to check: the flag stays in error.".into(),
            ),
            Rule::SambaSkipped(why) => samba_skip(why, lang),
            Rule::SambaNewest { newest, stamp, matched, expected_stamps, expected_name, never_saved, upload_line } => {
                if !*matched && !never_saved.is_empty() {
                    return never_configured(never_saved, &newest_lacks_stamp(newest, expected_stamps, lang), lang);
                }
                let seen = self.samba_newest(newest, stamp, *matched, expected_stamps, expected_name.as_deref(), lang);
                format!("{seen}{}", upload_logged(*upload_line, lang))
            }
            Rule::SambaEmpty { never_saved } if !never_saved.is_empty() => {
                let found = lang.pick("n'y a trouvé aucune sauvegarde", "found no backup on it");
                never_configured(never_saved, found, lang)
            }
            Rule::SambaEmpty { .. } => pick(
                "Le partage Samba ne contient aucune sauvegarde, donc pas celle-ci : le scénario compte l'envoi comme échoué.".into(),
                "The Samba share holds no backup at all, so not this one: the scenario counts the upload as failed.".into(),
            ),
            Rule::SambaListingFailed { message } => pick(
                format!("La lecture du partage Samba a échoué ({}) : l'envoi ne peut pas être confirmé, le voyant est donc en erreur.", q(&message_text(message))),
                format!("Listing the Samba share failed ({}): the upload cannot be confirmed, so the flag is in error.", q(&message_text(message))),
            ),
            Rule::UploadOk { repo, line } => pick(
                format!("Le log montre l'envoi {} réussi (ligne {line}).", repo.name()),
                format!("The log shows the {} upload succeeded (line {line}).", repo.name()),
            ),
            Rule::UploadFailed { repo, message, line } => pick(
                format!("L'envoi {} a échoué d'après le log (ligne {line}) : {}.", repo.name(), q(&message_text(message))),
                format!("The {} upload failed according to the log (line {line}): {}.", repo.name(), q(&message_text(message))),
            ),
            Rule::UploadMissing { repo } => pick(
                format!("{} est activé mais le log de cette sauvegarde ne montre aucun envoi {}.", repo.name(), repo.name()),
                format!("{} is enabled but this backup's log shows no {} upload.", repo.name(), repo.name()),
            ),
            Rule::UploadNotConfigured { repo } => pick(
                format!("Pas d'envoi {} dans le log de cette sauvegarde : ce dépôt n'est pas utilisé.", repo.name()),
                format!("No {} upload in this backup's log: this repository is not in use.", repo.name()),
            ),
            Rule::MarketNotChecked => market_never(lang),
            Rule::RunFailed { log, message, line, end_marker } => run_failed(*log, message, *line, *end_marker, lang),
            Rule::LoggerErrors { log, since, lines } => logger_errors(*log, since, lines, lang),
            Rule::RunClean { log: Some(log), since, banner_line, success_line, without_marker } => {
                run_clean(*log, since, *banner_line, success_line.map(|l| (l, *without_marker)), lang)
            }
            Rule::RunClean { log: None, since, .. } => pick(
                format!("Aucune trace de cette sauvegarde dans les logs ; aucune erreur du journal de Jeedom depuis {since}."),
                format!("No trace of this backup in the logs; no logger error since {since}."),
            ),
            Rule::BeginNotSeen { since } => {
                let at = since.as_ref().map(|s| pick(format!(" commencée à {s}"), format!(" that began at {s}"))).unwrap_or_default();
                pick(
                    format!("Le scénario n'a pas reçu le début de la sauvegarde{at} (pas de begin_backup avant cette fin)."),
                    format!("The scenario did not receive the start of the backup{at} (no begin_backup before this end)."),
                )
            }
            Rule::MarketSkipped(why) => market_skip(why, lang),
            Rule::RunTimedOut { since, waited_s, timeout_s } => pick(
                format!("La sauvegarde commencée à {since} n'est pas terminée après {} (délai {}) : ni end_backup ni fin dans le log, elle a échoué sans prévenir.", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
                format!("The backup that began at {since} has not ended after {} (limit {}): no end_backup and no end in the log, so it failed silently.", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
            ),
            Rule::RunInProgress { since, waited_s, timeout_s } => pick(
                format!("Sauvegarde en cours depuis {since} ({} sur {} autorisées).", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
                format!("Backup in progress since {since} ({} of the {} allowed).", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
            ),
            Rule::NoRun { logs } => {
                let names: Vec<String> = logs.iter().map(|l| l.as_str().to_owned()).collect();
                pick(
                    format!("Aucune trace de cette sauvegarde dans les logs ({}) : son déroulement ne peut pas être vérifié.", join_and(&names, lang)),
                    format!("No trace of this backup in the logs ({}): how it went cannot be checked.", join_and(&names, lang)),
                )
            }
            Rule::Unchanged => pick(
                "Aucune sauvegarde en cours : le virtuel est laissé tel quel.".into(),
                "No backup in progress: the virtual is left as it was.".into(),
            ),
            Rule::CheckDisabled => pick(
                format!("Contrôle désactivé par le profil {}.", self.profile),
                format!("Check turned off by the {} profile.", self.profile),
            ),
            Rule::ScenarioCode { crash: None, .. } => pick(
                "Valeur écrite par le code du scénario lui-même, exécuté par php-cli ; infobackup n'en connaît pas la raison.".into(),
                "Value written by the scenario's own code, run by php-cli; infobackup does not know why.".into(),
            ),
            Rule::ScenarioCode { profile, crash: Some(c) } => pick(
                format!("Le code du scénario ({profile}) a levé « {c} » : Jeedom a vidé le virtuel et la tuile affiche une erreur."),
                format!("The scenario's own code ({profile}) threw \"{c}\": Jeedom emptied the virtual and the tile shows an error."),
            ),
            Rule::Crashed => {
                let why = self.crash.as_ref().map(|c| c.explain(lang)).unwrap_or_default();
                pick(
                    format!("Le scénario a planté ({why}) : Jeedom a vidé le virtuel et la tuile affiche une erreur."),
                    format!("The scenario crashed ({why}): Jeedom emptied the virtual and the tile shows an error."),
                )
            }
        }
    }

    /// The archive of this run is in the backup folder.
    fn archive_found(&self, file_name: &str, size: u64, stamp: &str, named_at: Option<usize>, lang: Lang) -> String {
        let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
        let sz = human_size(size, lang);
        match named_at {
            Some(line) => pick(
                format!(
                    "L'archive {file_name} ({sz}), dont le log a écrit le nom (ligne {line}), est bien dans le dossier de sauvegarde."
                ),
                format!(
                    "The archive {file_name} ({sz}), whose name the log printed (line {line}), is in the backup folder."
                ),
            ),
            None => {
                let rel = self.stamp_relation(stamp, lang);
                pick(
                    format!(
                        "L'archive {file_name} ({sz}) est bien dans le dossier de sauvegarde : son nom porte {stamp}{rel}."
                    ),
                    format!("The archive {file_name} ({sz}) is in the backup folder: its name carries {stamp}{rel}."),
                )
            }
        }
    }

    /// The share's newest file, compared with the accepted stamps or the archive's name.
    fn samba_newest(
        &self,
        newest: &str,
        stamp: &str,
        matched: bool,
        expected_stamps: &[String],
        expected_name: Option<&str>,
        lang: Lang,
    ) -> String {
        let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
        match (matched, expected_name) {
            (true, Some(_)) => pick(
                format!(
                    "La sauvegarde la plus récente sur le partage Samba est {newest}, l'archive de cette sauvegarde : l'envoi a réussi."
                ),
                format!("The newest backup on the Samba share is {newest}, this backup's archive: the upload worked."),
            ),
            (true, None) => {
                let rel = self.stamp_relation(stamp, lang);
                pick(
                    format!(
                        "La sauvegarde la plus récente sur le partage Samba, {newest}, porte {stamp}{rel} : l'envoi a réussi."
                    ),
                    format!("The newest backup on the Samba share, {newest}, carries {stamp}{rel}: the upload worked."),
                )
            }
            (false, Some(name)) => pick(
                format!(
                    "La sauvegarde la plus récente sur le partage Samba est {newest} et non {name}, l'archive de cette sauvegarde : le scénario compte l'envoi comme échoué."
                ),
                format!(
                    "The newest backup on the Samba share is {newest}, not this backup's archive {name}: the scenario counts the upload as failed."
                ),
            ),
            (false, None) => pick(
                format!(
                    "La sauvegarde la plus récente sur le partage Samba, {newest}, ne porte pas {} : cette sauvegarde n'est pas sur le partage, le scénario compte l'envoi comme échoué.",
                    join_or(expected_stamps, lang)
                ),
                format!(
                    "The newest backup on the Samba share, {newest}, does not carry {}: this backup is not on the share, so the scenario counts the upload as failed.",
                    join_or(expected_stamps, lang)
                ),
            ),
        }
    }

    /// `, the backup's start time` or `, 1 minute after the start time L, which the scenario
    /// accepts` for a stamp the archive or the share carries.
    fn stamp_relation(&self, stamp: &str, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let start = self.last_save.as_deref().unwrap_or_default();
        if stamp == start {
            return lang
                .pick(", l'heure de début de la sauvegarde", ", the backup's start time")
                .to_owned();
        }
        match self.later_stamps.iter().position(|s| s == stamp) {
            Some(i) => {
                let k = i + 1;
                if fr {
                    format!(
                        ", {k} minute{} après l'heure de début {start}, ce que le scénario accepte",
                        plural(k)
                    )
                } else {
                    format!(
                        ", {k} minute{} after the start time {start}, which the scenario accepts",
                        plural(k)
                    )
                }
            }
            None if start.is_empty() => String::new(),
            None => {
                if fr {
                    format!(", que le scénario accepte pour l'heure de début {start}")
                } else {
                    format!(", which the scenario accepts for the start time {start}")
                }
            }
        }
    }
}

/// `begin_backup` or `begin_update` wrote the start values of a backup in progress.
fn begin_start(kind: FlagKind, trigger: &str, lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    match kind {
        FlagKind::Scenario if trigger == "begin_update" => pick(
            "Le scénario a reçu begin_update : une mise à jour de Jeedom commence, et la sauvegarde qui la précède va suivre (update=1).".into(),
            "The scenario received begin_update: a Jeedom update is starting, and the backup made before it comes next (update=1).".into(),
        ),
        FlagKind::Scenario => pick(
            format!("Le scénario a reçu {trigger} : la sauvegarde commence et son heure de début est écrite dans le virtuel (lastSave)."),
            format!("The scenario received {trigger}: the backup is starting and its start time is written into the virtual (lastSave)."),
        ),
        _ => pick(
            format!("Sauvegarde en cours ({trigger}) : ce contrôle se fera à la fin, au déclencheur end_backup."),
            format!("Backup in progress ({trigger}): this check runs at the end, on the end_backup trigger."),
        ),
    }
}

/// `end_backup` found the start stamp, written by `written_by`.
fn stamp_found(last_save: &str, written_by: Option<&str>, lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let q = |t: &str| quote(t, lang);
    match written_by {
        Some(by @ ("begin_backup" | "begin_update")) => pick(
            format!(
                "Le virtuel contient l'heure de début {last_save} (lastSave) écrite par {by} : le scénario sait quelle sauvegarde vérifier."
            ),
            format!(
                "The virtual holds the start time {last_save} (lastSave) that {by} wrote: the scenario knows which backup to check."
            ),
        ),
        Some("end_backup") => pick(
            format!(
                "Le lastSave du virtuel, {last_save}, a été écrit par le end_backup précédent et non par un begin_backup : le scénario le prend quand même pour l'heure de début de cette sauvegarde (begin_backup n'a pas été reçu)."
            ),
            format!(
                "The virtual's lastSave, {last_save}, was written by the previous end_backup, not by a begin_backup: the scenario takes it as this backup's start time anyway (begin_backup was not received)."
            ),
        ),
        Some(other) => pick(
            format!(
                "Le lastSave du virtuel, {last_save}, a été écrit par un lancement qui n'était pas un début de sauvegarde (action {}) : le scénario le prend quand même pour l'heure de début de cette sauvegarde.",
                q(other)
            ),
            format!(
                "The virtual's lastSave, {last_save}, was written by a run that was not a backup start (action {}): the scenario takes it as this backup's start time anyway.",
                q(other)
            ),
        ),
        None => pick(
            format!("Le scénario prend le lastSave du virtuel, {last_save}, pour l'heure de début de la sauvegarde."),
            format!("The scenario takes the virtual's lastSave, {last_save}, as the backup's start time."),
        ),
    }
}

/// `end_backup` found no start stamp: why for errorScenario, what it means for the other flags.
fn no_stamp_flag(kind: FlagKind, why: &StampMissing, flag: Option<Flag>, lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    match kind {
        FlagKind::Scenario => no_stamp(why, lang),
        _ if flag == Some(Flag::Error) => pick(
            "Contrôle non fait : sans heure de début, le scénario ne sait pas quelle sauvegarde vérifier et laisse ce voyant en erreur.".into(),
            "Not checked: without a start time the scenario cannot tell which backup to check, and leaves this flag in error.".into(),
        ),
        _ => pick(
            "Non vérifié : sans heure de début, le scénario ne sait pas quelle sauvegarde contrôler.".into(),
            "Not checked: without a start time the scenario cannot tell which backup to check.".into(),
        ),
    }
}

/// Lines of the log matched the published error test.
fn log_errors(log: LogName, today: &str, lines: &[LogLine], lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let q = |t: &str| quote(t, lang);
    let needle = format!("[{today}");
    match lines {
        [] => pick(
            format!(
                "Le log {} contient des lignes avec {} (la date du jour) suivi de ERROR.",
                log.as_str(),
                q(&needle)
            ),
            format!(
                "The {} log has lines with {} (today's date) followed by ERROR.",
                log.as_str(),
                q(&needle)
            ),
        ),
        [one] => pick(
            format!(
                "La ligne {} du log {} contient {} (la date du jour) suivi de ERROR : {}.",
                one.line,
                log.as_str(),
                q(&needle),
                q(&one.text)
            ),
            format!(
                "Line {} of the {} log has {} (today's date) followed by ERROR: {}.",
                one.line,
                log.as_str(),
                q(&needle),
                q(&one.text)
            ),
        ),
        [first, ..] => {
            let numbers = line_numbers(lines, lang);
            let n = lines.len();
            pick(
                format!(
                    "{n} lignes du log {} contiennent {} (la date du jour) suivi de ERROR (lignes {numbers}) ; ligne {} : {}.",
                    log.as_str(),
                    q(&needle),
                    first.line,
                    q(&first.text)
                ),
                format!(
                    "{n} lines of the {} log have {} (today's date) followed by ERROR (lines {numbers}); line {}: {}.",
                    log.as_str(),
                    q(&needle),
                    first.line,
                    q(&first.text)
                ),
            )
        }
    }
}

/// No archive carries an accepted stamp (or the name the log printed).
fn archive_missing(
    wanted: &[String],
    expected_name: Option<&str>,
    named_at: Option<usize>,
    archives: &[String],
    lang: Lang,
) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let present = folder_listing(archives, lang);
    match expected_name {
        Some(name) => {
            let at = named_at
                .map(|l| pick(format!(" (ligne {l})"), format!(" (line {l})")))
                .unwrap_or_default();
            pick(
                format!(
                    "L'archive {name}, dont le log a écrit le nom{at}, n'est pas dans le dossier de sauvegarde ; {present}."
                ),
                format!("The archive {name}, whose name the log printed{at}, is not in the backup folder; {present}."),
            )
        }
        None => {
            let which = match wanted.len() {
                0 | 1 => lang
                    .pick("l'heure de début de la sauvegarde", "the backup's start time")
                    .to_owned(),
                2 => lang
                    .pick(
                        "l'heure de début ou la minute suivante",
                        "the start time or the minute after",
                    )
                    .to_owned(),
                n => pick(
                    format!("l'heure de début ou jusqu'à {} minutes après", n - 1),
                    format!("the start time or up to {} minutes after", n - 1),
                ),
            };
            pick(
                format!(
                    "Aucune archive .gz du dossier de sauvegarde ne porte {} dans son nom ({which}) ; {present}.",
                    join_or(wanted, lang)
                ),
                format!(
                    "No .gz archive in the backup folder carries {} in its name ({which}); {present}.",
                    join_or(wanted, lang)
                ),
            )
        }
    }
}

/// Strict: the run failed, by its message and/or its `[END BACKUP ERROR]`.
fn run_failed(log: LogName, message: &str, line: Option<usize>, end_marker: bool, lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let q = |t: &str| quote(t, lang);
    let log = log.as_str();
    let at = line
        .map(|l| pick(format!(" (ligne {l})"), format!(" (line {l})")))
        .unwrap_or_default();
    let message = message_text(message);
    match (message.is_empty(), end_marker) {
        (false, true) => pick(
            format!(
                "La sauvegarde a échoué : {}, et son déroulé dans le log {log} se termine par [END BACKUP ERROR]{at}.",
                q(&message)
            ),
            format!(
                "The backup failed: {}, and its run in the {log} log ends in [END BACKUP ERROR]{at}.",
                q(&message)
            ),
        ),
        (true, true) => pick(
            format!("La sauvegarde a échoué : son déroulé dans le log {log} se termine par [END BACKUP ERROR]{at}."),
            format!("The backup failed: its run in the {log} log ends in [END BACKUP ERROR]{at}."),
        ),
        (false, false) => pick(
            format!("La sauvegarde a échoué : le log {log} indique {}{at}.", q(&message)),
            format!("The backup failed: the {log} log reports {}{at}.", q(&message)),
        ),
        (true, false) => pick(
            format!("La sauvegarde a échoué d'après le log {log}{at}."),
            format!("The backup failed according to the {log} log{at}."),
        ),
    }
}

/// Strict: logger errors written since the run began.
fn logger_errors(log: LogName, since: &str, lines: &[LogLine], lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let q = |t: &str| quote(t, lang);
    match lines {
        [] => pick(
            format!(
                "Le log {} contient des erreurs du journal de Jeedom écrites depuis le début de la sauvegarde ({since}).",
                log.as_str()
            ),
            format!(
                "The {} log has logger errors written since the backup began ({since}).",
                log.as_str()
            ),
        ),
        [one] => pick(
            format!(
                "La ligne {} du log {} est une erreur du journal de Jeedom écrite depuis le début de la sauvegarde ({since}) : {}.",
                one.line,
                log.as_str(),
                q(&one.text)
            ),
            format!(
                "Line {} of the {} log is a logger error written since the backup began ({since}): {}.",
                one.line,
                log.as_str(),
                q(&one.text)
            ),
        ),
        [first, ..] => {
            let n = lines.len();
            let numbers = line_numbers(lines, lang);
            pick(
                format!(
                    "{n} erreurs du journal de Jeedom écrites depuis le début de la sauvegarde ({since}), lignes {numbers} du log {} ; ligne {} : {}.",
                    log.as_str(),
                    first.line,
                    q(&first.text)
                ),
                format!(
                    "{n} logger errors written since the backup began ({since}), lines {numbers} of the {} log; line {}: {}.",
                    log.as_str(),
                    first.line,
                    q(&first.text)
                ),
            )
        }
    }
}

/// Strict: the run found in `log` reported no failure.
/// `success`: the line of `[END BACKUP SUCCESS]`, or of the end banner when the marker is
/// missing from the text (`true`).
fn run_clean(
    log: LogName,
    since: &str,
    banner_line: Option<usize>,
    success: Option<(usize, bool)>,
    lang: Lang,
) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    let log = log.as_str();
    let at = match banner_line {
        Some(l) => pick(format!(" (ligne {l})"), format!(" (line {l})")),
        None => pick(
            " (heure du virtuel : le début de la sauvegarde manque dans le log)".into(),
            " (time from the virtual: the run's beginning is missing from the log)".into(),
        ),
    };
    match success {
        Some((end, true)) => pick(
            format!(
                "La sauvegarde du log {log} commencée à {since}{at} s'est terminée par la bannière de fin (ligne {end} ; la ligne [END BACKUP SUCCESS] qui la suit manque au texte), et aucune erreur du journal de Jeedom n'a été écrite depuis son début."
            ),
            format!(
                "The run in the {log} log that began at {since}{at} ended in the end banner (line {end}; the [END BACKUP SUCCESS] line that follows it is missing from the text), and no logger error was written since it began."
            ),
        ),
        Some((end, false)) => pick(
            format!(
                "La sauvegarde du log {log} commencée à {since}{at} s'est terminée par [END BACKUP SUCCESS] (ligne {end}), et aucune erreur du journal de Jeedom n'a été écrite depuis son début."
            ),
            format!(
                "The run in the {log} log that began at {since}{at} ended in [END BACKUP SUCCESS] (line {end}), and no logger error was written since it began."
            ),
        ),
        None => pick(
            format!(
                "La sauvegarde du log {log} commencée à {since}{at} n'a signalé aucun échec, et aucune erreur du journal de Jeedom n'a été écrite depuis son début."
            ),
            format!(
                "The run in the {log} log that began at {since}{at} has reported no failure, and no logger error was written since it began."
            ),
        ),
    }
}
/// What the share showed when Samba was never configured: its newest file lacks the stamps.
fn newest_lacks_stamp(newest: &str, expected_stamps: &[String], lang: Lang) -> String {
    match lang {
        Lang::Fr => format!(
            "y a trouvé comme sauvegarde la plus récente {newest}, qui ne porte pas {}",
            join_or(expected_stamps, lang)
        ),
        Lang::En => format!(
            "found its newest backup is {newest}, which does not carry {}",
            join_or(expected_stamps, lang)
        ),
    }
}

/// Strict: ` In the log, the Samba upload ended without error (line N).`, or nothing.
fn upload_logged(upload_line: Option<usize>, lang: Lang) -> String {
    let pick = |f: String, e: String| if lang == Lang::Fr { f } else { e };
    upload_line
        .map(|l| {
            pick(
                format!(" Dans le log, l'envoi Samba s'est terminé sans erreur (ligne {l})."),
                format!(" In the log, the Samba upload ended without error (line {l})."),
            )
        })
        .unwrap_or_default()
}

/// errorSamba=1 although Samba was never configured: the published code on PHP 8 counts the
/// never-saved (empty) keys as enabled and lists the share. `found`: what the listing showed.
fn never_configured(keys: &[String], found: &str, lang: Lang) -> String {
    let names = join_and(keys, lang);
    match (lang, keys.len() > 1) {
        (Lang::Fr, true) => format!(
            "Samba n'a jamais été configuré ({names} n'ont jamais été enregistrés, ils sont donc vides), mais sur PHP 8 le scénario publié compte un réglage vide comme activé : il a lu le partage Samba, {found} et a mis errorSamba à 1, alors qu'il n'y avait aucun envoi Samba qui puisse échouer (angle mort connu du scénario)."
        ),
        (Lang::En, true) => format!(
            "Samba was never configured ({names} were never saved, so they are empty), but on PHP 8 the published scenario counts an empty setting as enabled: it listed the Samba share, {found}, and set errorSamba to 1, although there was no Samba upload to fail (a known blind spot of the scenario)."
        ),
        (Lang::Fr, false) => format!(
            "{names} n'a jamais été enregistré (vide), mais sur PHP 8 le scénario publié compte un réglage vide comme activé : il a lu le partage Samba, {found} et a mis errorSamba à 1 (angle mort connu du scénario)."
        ),
        (Lang::En, false) => format!(
            "{names} was never saved (empty), but on PHP 8 the published scenario counts an empty setting as enabled: it listed the Samba share, {found}, and set errorSamba to 1 (a known blind spot of the scenario)."
        ),
    }
}

fn no_stamp(why: &StampMissing, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let fact = match why {
        StampMissing::VirtualEmpty => lang.pick("Le virtuel est vide", "The virtual is empty").to_owned(),
        StampMissing::NotAnObject => lang
            .pick(
                "Le virtuel ne contient pas un objet JSON",
                "The virtual does not hold a JSON object",
            )
            .to_owned(),
        StampMissing::NoLastSave => lang
            .pick("Le virtuel n'a pas de clé lastSave", "The virtual has no lastSave key")
            .to_owned(),
        StampMissing::EmptyLastSave { value } => {
            if fr {
                format!("Le lastSave du virtuel est vide ({value})")
            } else {
                format!("The virtual's lastSave is empty ({value})")
            }
        }
        StampMissing::LastSaveNotText => lang
            .pick(
                "Le lastSave du virtuel n'est pas un texte",
                "The virtual's lastSave is not a text",
            )
            .to_owned(),
        StampMissing::RunWithoutBanner => {
            return lang
                .pick(
                    "La sauvegarde en échec dans le log n'a pas de bandeau de début (début coupé) : pas d'heure de début.",
                    "The failed run in the log has no start banner (its beginning was cut off): no start time.",
                )
                .to_owned();
        }
    };
    let crash = if *why == StampMissing::VirtualEmpty {
        lang.pick(" (un plantage vide le virtuel)", " (a crash empties the virtual)")
    } else {
        ""
    };
    if fr {
        format!(
            "{fact}, donc end_backup n'y trouve pas d'heure de début : begin_backup n'a pas été reçu, ou le scénario a planté à ce moment-là{crash}."
        )
    } else {
        format!(
            "{fact}, so end_backup finds no start time in it: begin_backup was not received, or the scenario crashed then{crash}."
        )
    }
}

/// A quotation: « text » in French, "text" in English.
fn quote(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {text} »"),
        Lang::En => format!("\"{text}\""),
    }
}

/// `12, 14 and 20` (the first five, then `…`).
fn line_numbers(lines: &[LogLine], lang: Lang) -> String {
    let mut numbers: Vec<String> = lines.iter().take(5).map(|l| l.line.to_string()).collect();
    if lines.len() > 5 {
        numbers.push("…".into());
        return numbers.join(", ");
    }
    join_and(&numbers, lang)
}

/// The `*.gz` archives of a backup folder, in name order (as the scenario's `glob` gives them):
/// kept as the folder's listing, shared with the step's world, and filtered when read, so that
/// the evidence of each step of a long replay does not copy the whole folder. Reads, compares
/// and serializes as the list of names.
#[derive(Clone, Default)]
pub struct Archives(Listing<LocalFile>);

impl Archives {
    /// The archives of `folder` (any files, any order).
    pub fn of(folder: &Listing<LocalFile>) -> Archives {
        Archives(folder.clone())
    }

    /// The names, in name order.
    pub fn names(&self) -> Vec<String> {
        super::rules::archives(&self.0)
            .into_iter()
            .map(|f| f.name.clone())
            .collect()
    }
}

impl PartialEq for Archives {
    fn eq(&self, other: &Self) -> bool {
        self.names() == other.names()
    }
}

impl Eq for Archives {}

impl std::fmt::Debug for Archives {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Serialize for Archives {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(super::rules::archives(&self.0).into_iter().map(|f| &f.name))
    }
}

/// What the backup folder holds: none, the names (up to three), or the count and the last
/// three names (in name order, the newest stamps come last).
fn folder_listing(archives: &[String], lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match archives.len() {
        0 => lang
            .pick(
                "le dossier ne contient aucune archive .gz",
                "the folder holds no .gz archive",
            )
            .to_owned(),
        1..=3 => {
            let names = join_and(archives, lang);
            if fr {
                format!("le dossier contient : {names}")
            } else {
                format!("the folder holds: {names}")
            }
        }
        n => {
            let last = archives.get(n - 3..).unwrap_or_default();
            let names = join_and(last, lang);
            if fr {
                format!("le dossier contient {n} archives .gz, dont les dernières : {names}")
            } else {
                format!("the folder holds {n} .gz archives, the last ones being {names}")
            }
        }
    }
}

fn market_never(lang: Lang) -> String {
    lang.pick(
        "Le scénario publié ne vérifie jamais l'envoi vers le Market.",
        "The published scenario never checks the Market upload.",
    )
    .to_owned()
}

fn market_skip(why: &SambaSkip, lang: Lang) -> String {
    samba_skip(why, lang).replacen("Samba", "Market", 1)
}

fn samba_skip(why: &SambaSkip, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match why {
        SambaSkip::UpdateBackup { update } => {
            if fr {
                format!(
                    "Samba non vérifié : sauvegarde faite pour une mise à jour de Jeedom (update={update}), qui n'envoie rien."
                )
            } else {
                format!(
                    "Samba not checked: a backup made for a Jeedom update (update={update}), which uploads nothing."
                )
            }
        }
        SambaSkip::UpdateMissing => lang
            .pick(
                "Samba non vérifié : le virtuel ne dit pas s'il s'agit d'une mise à jour (clé update absente).",
                "Samba not checked: the virtual does not say whether this is an update (no update key).",
            )
            .into(),
        SambaSkip::NoCloudBackup => lang
            .pick(
                "Samba non vérifié : Jeedom a fait cette sauvegarde sans envoi distant (NO_CLOUD_BACKUP).",
                "Samba not checked: Jeedom made this backup without remote upload (NO_CLOUD_BACKUP).",
            )
            .into(),
        SambaSkip::KeysDisabled { enable, cloud_upload } => {
            if fr {
                format!(
                    "Samba non vérifié : l'envoi Samba est désactivé (samba::enable={enable:?}, samba::cloudUpload={cloud_upload:?})."
                )
            } else {
                format!(
                    "Samba not checked: the Samba upload is turned off (samba::enable={enable:?}, samba::cloudUpload={cloud_upload:?})."
                )
            }
        }
        SambaSkip::NeverSaved { keys } => {
            let names = join_and(keys, lang);
            if fr {
                format!(
                    "Samba non vérifié : {names} n'{} jamais été enregistré{} (vide{}), ce qui vaut désactivé : Samba n'est pas utilisé.",
                    if keys.len() > 1 { "ont" } else { "a" },
                    plural(keys.len()),
                    plural(keys.len())
                )
            } else {
                format!(
                    "Samba not checked: {names} {} never saved (empty), which counts as off: Samba is not in use.",
                    if keys.len() > 1 { "were" } else { "was" }
                )
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

fn join_with(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

fn join_or(items: &[String], lang: Lang) -> String {
    join_with(items, lang.pick("ou", "or"))
}

fn join_and(items: &[String], lang: Lang) -> String {
    join_with(items, lang.pick("et", "and"))
}

/// A size for a person: `212,01 Mo` in French, `212.01 MB` in English (the scenario's
/// `size_format` rounding).
pub fn human_size(bytes: u64, lang: Lang) -> String {
    let text = php::size_format(bytes);
    match lang {
        Lang::En => text,
        Lang::Fr => {
            let (num, unit) = text.split_once(' ').unwrap_or((&text, ""));
            let unit = match unit {
                "B" => "o",
                "KB" => "Ko",
                "MB" => "Mo",
                "GB" => "Go",
                "TB" => "To",
                "PB" => "Po",
                other => other,
            };
            format!("{} {unit}", num.replace('.', ","))
        }
    }
}

/// Two sizes for a person; in bytes when the rounded texts would read the same.
fn sizes_apart(a: u64, b: u64, lang: Lang) -> (String, String) {
    let (x, y) = (human_size(a, lang), human_size(b, lang));
    if x != y {
        return (x, y);
    }
    let bytes = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(lang.pick("\u{202f}", ","));
            }
            out.push(c);
        }
        format!("{out} {}", lang.pick("octets", "bytes"))
    };
    (bytes(a), bytes(b))
}

/// A duration for a person: `2 h 05 min`, `12 min`, `40 s`.
pub fn human_duration(secs: u64, lang: Lang) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let _ = lang;
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well_in_both_languages() {
        assert_eq!(human_size(222310457, Lang::Fr), "212,01 Mo");
        assert_eq!(human_size(222310457, Lang::En), "212.01 MB");
        assert_eq!(human_size(104857600, Lang::Fr), "100 Mo");
        assert_eq!(human_duration(7500, Lang::Fr), "2 h 05 min");
    }

    #[test]
    fn a_matched_line_is_quoted_around_its_match_not_from_its_start() {
        // A reflowed log: the whole run on one line, the error far from the start.
        let mut line = String::from("[START BACKUP] ***Start of Jeedom backup at 2025-09-10 03:27:01*** ");
        line.push_str(&"Backing up plugin x...OK ".repeat(20));
        line.push_str("Cleaning old backup...OK Send backup Market...[2025-09-10 03:29:39][ERROR] : Aucun serveur de backup defini. /!\\ Aucun serveur /!\\OK ");
        line.push_str(&"Send end backup event...OK ".repeat(20));
        let q = LogLine::around_match(1, line.as_bytes(), "[2025-09-10");
        assert_eq!(q.line, 1);
        assert!(q.text.starts_with('…') && q.text.ends_with('…'), "{}", q.text);
        assert!(
            q.text
                .contains("Send backup Market...[2025-09-10 03:29:39][ERROR] : Aucun serveur de backup defini."),
            "{}",
            q.text
        );
        assert!(!q.text.contains("START BACKUP"), "{}", q.text);
        assert!(
            q.text.chars().count() <= BEFORE_MATCH + MATCH_MAX + AFTER_MATCH + 2,
            "{}",
            q.text
        );

        // The tightest match: the `[date` right before the first ERROR.
        let q = LogLine::around_match(
            3,
            b"[2025-09-10 03:00:00][INFO] : a [2025-09-10 03:29:40][ERROR] : b",
            "[2025-09-10",
        );
        assert_eq!(
            q.text,
            "[2025-09-10 03:00:00][INFO] : a [2025-09-10 03:29:40][ERROR] : b"
        );
        // A short line is quoted whole, without its line end.
        let q = LogLine::around_match(2, b"[2025-09-10 03:29:40][ERROR] Erreur\r\n", "[2025-09-10");
        assert_eq!(q.text, "[2025-09-10 03:29:40][ERROR] Erreur");
    }

    #[test]
    fn a_cut_never_splits_a_secret() {
        // The cut after ERROR falls inside the credentials: redaction runs on the whole line first.
        let filler = "a".repeat(100);
        let line =
            format!("[2025-09-10 03:29:44][ERROR] : {filler} smbclient -U \"jeedom%S3cr3tPlanted\" -c 'ls' {filler}");
        for q in [
            LogLine::around_match(15, line.as_bytes(), "[2025-09-10"),
            LogLine::as_written(15, line.as_bytes()),
        ] {
            assert!(!q.text.contains("S3cr3t") && !q.text.contains("jeedom%"), "{}", q.text);
        }
    }

    #[test]
    fn long_quotes_keep_their_head_and_tail_at_word_boundaries() {
        let line = format!(
            "[2025-09-10 03:30:11][ERROR] : Erreur sur smbclient {} Détails : NT_STATUS_DISK_FULL closing remote file",
            "mot ".repeat(80)
        );
        let q = LogLine::as_written(15, line.as_bytes());
        assert!(
            q.text
                .starts_with("[2025-09-10 03:30:11][ERROR] : Erreur sur smbclient"),
            "{}",
            q.text
        );
        assert!(
            q.text.ends_with("Détails : NT_STATUS_DISK_FULL closing remote file"),
            "{}",
            q.text
        );
        assert!(q.text.contains(" … "), "{}", q.text);
        assert!(q.text.chars().count() <= QUOTE_MAX + 3, "{}", q.text);
        assert!(
            !q.text.contains(" mo …") && !q.text.contains("… ot"),
            "no halved word: {}",
            q.text
        );
    }

    #[test]
    fn size_sentence() {
        let mut ev = Evidence::new(
            "v2024-08".into(),
            TriggerSource::Accessor,
            104857600,
            Rule::NoStamp {
                why: StampMissing::VirtualEmpty,
            },
        );
        ev.set(
            FlagKind::Size,
            Flag::Error,
            Rule::SizeNotAbove {
                file_name: "backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".into(),
                size: 3670016,
                threshold: 104857600,
            },
        );
        assert_eq!(
            ev.explain(FlagKind::Size, Lang::Fr),
            "L'archive backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz (3,5 Mo) ne dépasse pas le seuil de 100 Mo : elle est peut-être incomplète."
        );
        assert_eq!(
            ev.explain(FlagKind::Size, Lang::En),
            "The archive backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz (3.5 MB) is not above the 100 MB threshold: it may be incomplete."
        );
    }
}
