//! Why each flag has its value: the rule that decided it and what it compared, so a report can
//! explain the tile in one sentence per flag ([`Evidence::explain`]), in French or English.
//! Every text taken from the box (log lines, Samba messages) is redacted when it is recorded.

use serde::Serialize;

use crate::Lang;
use crate::php;
use crate::redact::redact_text;
use crate::world::LogName;

use super::state::{Flag, FlagKind};

/// A line of a log, as evidence: its 1-based number and its text (redacted, without the line
/// break).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    pub line: usize,
    pub text: String,
}

impl LogLine {
    pub fn new(line: usize, bytes: &[u8]) -> LogLine {
        let text = String::from_utf8_lossy(bytes);
        LogLine { line, text: redact_text(text.trim_end_matches('\r')) }
    }

    /// The text cut to `max` characters for a sentence.
    fn short(&self, max: usize) -> String {
        let t = self.text.trim();
        if t.chars().count() <= max {
            t.to_owned()
        } else {
            let cut: String = t.chars().take(max).collect();
            format!("{cut}…")
        }
    }
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
    /// The Samba keys were never saved (`""`): disabled on PHP 7 and in strict.
    NeverSaved,
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
    /// `end_backup` found the start stamp `L` in the virtual.
    StampFound {
        last_save: String,
    },
    /// `end_backup` found no start stamp: the checks did not run.
    NoStamp,
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
    /// An archive of this run is in the backup folder.
    ArchiveFound {
        file_name: String,
        size: u64,
        stamp: String,
        by_name: bool,
    },
    /// No archive in the backup folder carries an accepted stamp (or the name the log printed).
    ArchiveMissing {
        stamps: Vec<String>,
        expected_name: Option<String>,
        archives: Vec<String>,
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
    /// The share's newest file, compared with the accepted stamps.
    SambaNewest {
        newest: String,
        stamp: String,
        matched: bool,
        expected: Vec<String>,
    },
    /// The share lists no file.
    SambaEmpty,
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
    /// Strict: the run ended in `[END BACKUP ERROR]`.
    RunFailed {
        log: LogName,
        message: String,
        line: Option<usize>,
    },
    /// Strict: logger lines at ERROR and above dated from the run's start to now.
    LoggerErrors {
        log: LogName,
        since: String,
        lines: Vec<LogLine>,
    },
    /// Strict: no logger error since the run's start (`log`: where the run was found, `None`
    /// when it was found nowhere).
    RunClean {
        log: Option<LogName>,
        since: String,
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
        Decision { flag: None, rule: Rule::Crashed }
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
                format!("la lecture du partage Samba a échoué : {}", redact_text(message))
            }
            (Crash::SambaListing { message }, Lang::En) => {
                format!("listing the Samba share failed: {}", redact_text(message))
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

    /// One plain sentence on why `kind` has its value.
    pub fn explain(&self, kind: FlagKind, lang: Lang) -> String {
        let d = self.decision(kind);
        let fr = lang == Lang::Fr;
        let pick = |f: String, e: String| if fr { f } else { e };
        match &d.rule {
            Rule::BeginStart { trigger } => match kind {
                FlagKind::Scenario => pick(
                    format!("Le scénario a bien reçu le début de la sauvegarde ({trigger})."),
                    format!("The scenario received the start of the backup ({trigger})."),
                ),
                _ => pick(
                    format!("Sauvegarde en cours ({trigger}) : ce contrôle se fera à la fin, au déclencheur end_backup."),
                    format!("Backup in progress ({trigger}): this check runs at the end, on the end_backup trigger."),
                ),
            },
            Rule::OtherTrigger { trigger } => pick(
                format!("Scénario lancé par « {trigger} » et non par une sauvegarde : il écrit ses valeurs de départ, sans rien vérifier."),
                format!("The scenario was started by \"{trigger}\", not by a backup: it writes its start values and checks nothing."),
            ),
            Rule::StampFound { last_save } => pick(
                format!("Le scénario a retrouvé dans le virtuel l'heure de début de la sauvegarde ({last_save})."),
                format!("The scenario found the backup's start time ({last_save}) in the virtual."),
            ),
            Rule::NoStamp => match kind {
                FlagKind::Scenario => pick(
                    "Le virtuel ne contient pas l'heure de début de la sauvegarde : le déclencheur begin_backup n'a pas été reçu ou le scénario a planté à ce moment-là.".into(),
                    "The virtual holds no backup start time: the begin_backup trigger was not received, or the scenario crashed then.".into(),
                ),
                _ if d.flag == Some(Flag::Error) => pick(
                    "Contrôle non fait : sans heure de début, le scénario ne sait pas quelle sauvegarde vérifier et laisse ce voyant en erreur.".into(),
                    "Not checked: without a start time the scenario cannot tell which backup to check, and leaves this flag in error.".into(),
                ),
                _ => pick(
                    "Non vérifié : sans heure de début, le scénario ne sait pas quelle sauvegarde contrôler.".into(),
                    "Not checked: without a start time the scenario cannot tell which backup to check.".into(),
                ),
            },
            Rule::LogErrors { log, today, lines } => {
                let first = lines.first().map(|l| (l.line, l.short(120)));
                let (n, more) = (lines.len(), lines.len().saturating_sub(1));
                match first {
                    Some((line, text)) => pick(
                        format!(
                            "Le log {} contient {n} ligne{} d'erreur datée{} du {today}, dont la ligne {line} : « {text} »{}.",
                            log.as_str(),
                            plural(n),
                            plural(n),
                            if more > 0 { format!(" (et {more} autre{})", plural(more)) } else { String::new() }
                        ),
                        format!(
                            "The {} log has {n} error line{} dated {today}, line {line}: \"{text}\"{}.",
                            log.as_str(),
                            plural(n),
                            if more > 0 { format!(" (and {more} more)") } else { String::new() }
                        ),
                    ),
                    None => pick(
                        format!("Le log {} contient des erreurs datées du {today}.", log.as_str()),
                        format!("The {} log has errors dated {today}.", log.as_str()),
                    ),
                }
            }
            Rule::LogClean { log, today, lines_read: 0 } => pick(
                format!("Le log {} est vide : aucune ligne d'erreur datée du {today}.", log.as_str()),
                format!("The {} log is empty: no error line dated {today}.", log.as_str()),
            ),
            Rule::LogClean { log, today, lines_read } => pick(
                format!("Aucune ligne d'erreur datée du {today} dans le log {} ({lines_read} ligne{} lue{}).", log.as_str(), plural(*lines_read), plural(*lines_read)),
                format!("No error line dated {today} in the {} log ({lines_read} line{} read).", log.as_str(), plural(*lines_read)),
            ),
            Rule::ArchiveFound { file_name, size, stamp, by_name } => {
                if *by_name {
                    pick(
                        format!("L'archive {file_name} ({}) annoncée par le log est bien dans le dossier de sauvegarde.", human_size(*size, lang)),
                        format!("The archive {file_name} ({}) the log announced is in the backup folder.", human_size(*size, lang)),
                    )
                } else {
                    pick(
                        format!("L'archive {file_name} ({}) porte l'heure attendue {stamp} : elle est bien dans le dossier de sauvegarde.", human_size(*size, lang)),
                        format!("The archive {file_name} ({}) carries the expected time {stamp}: it is in the backup folder.", human_size(*size, lang)),
                    )
                }
            }
            Rule::ArchiveMissing { stamps: wanted, expected_name, archives } => {
                let n = archives.len();
                match expected_name {
                    Some(name) => pick(
                        format!("L'archive {name} annoncée par le log n'est pas dans le dossier de sauvegarde ({n} archive{} .gz présente{}).", plural(n), plural(n)),
                        format!("The archive {name} the log announced is not in the backup folder ({n} .gz archive{} there).", plural(n)),
                    ),
                    None => pick(
                        format!("Aucune archive du dossier de sauvegarde ne porte l'heure {} ({n} archive{} .gz examinée{}).", join_or(wanted, lang), plural(n), plural(n)),
                        format!("No archive in the backup folder carries the time {} ({n} .gz archive{} checked).", join_or(wanted, lang), plural(n)),
                    ),
                }
            }
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
            Rule::SambaNewest { newest, stamp, matched, expected } => {
                if *matched {
                    pick(
                        format!("La sauvegarde la plus récente sur le partage Samba est {newest}, celle de {stamp} : l'envoi a réussi."),
                        format!("The newest backup on the Samba share is {newest}, from {stamp}: the upload worked."),
                    )
                } else {
                    pick(
                        format!("La sauvegarde la plus récente sur le partage Samba est {newest}, pas celle de {} : l'envoi a échoué.", join_or(expected, lang)),
                        format!("The newest backup on the Samba share is {newest}, not the one from {}: the upload failed.", join_or(expected, lang)),
                    )
                }
            }
            Rule::SambaEmpty => pick(
                "Le partage Samba ne contient aucune sauvegarde : l'envoi a échoué.".into(),
                "The Samba share holds no backup: the upload failed.".into(),
            ),
            Rule::SambaListingFailed { message } => pick(
                format!("Impossible de lister le partage Samba ({}) : l'envoi ne peut pas être confirmé.", redact_text(message)),
                format!("The Samba share could not be listed ({}): the upload cannot be confirmed.", redact_text(message)),
            ),
            Rule::UploadOk { repo, line } => pick(
                format!("Le log montre l'envoi {} réussi (ligne {line}).", repo.name()),
                format!("The log shows the {} upload succeeded (line {line}).", repo.name()),
            ),
            Rule::UploadFailed { repo, message, line } => pick(
                format!("L'envoi {} a échoué d'après le log (ligne {line}) : « {} ».", repo.name(), redact_text(message)),
                format!("The {} upload failed according to the log (line {line}): \"{}\".", repo.name(), redact_text(message)),
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
            Rule::RunFailed { log, message, line } => {
                let at = line.map(|l| pick(format!(" (ligne {l})"), format!(" (line {l})"))).unwrap_or_default();
                if message.is_empty() {
                    pick(
                        format!("La sauvegarde a échoué : le log {} se termine par [END BACKUP ERROR]{at}.", log.as_str()),
                        format!("The backup failed: the {} log ends in [END BACKUP ERROR]{at}.", log.as_str()),
                    )
                } else {
                    pick(
                        format!("La sauvegarde a échoué : le log {} se termine par [END BACKUP ERROR]{at} ; « {} ».", log.as_str(), redact_text(message)),
                        format!("The backup failed: the {} log ends in [END BACKUP ERROR]{at}; \"{}\".", log.as_str(), redact_text(message)),
                    )
                }
            }
            Rule::LoggerErrors { log, since, lines } => {
                let n = lines.len();
                let first = lines.first().map(|l| (l.line, l.short(120))).unwrap_or_default();
                pick(
                    format!("{n} ligne{} d'erreur depuis le début de la sauvegarde ({since}), dont la ligne {} du log {} : « {} ».", plural(n), first.0, log.as_str(), first.1),
                    format!("{n} error line{} since the backup began ({since}), including line {} of the {} log: \"{}\".", plural(n), first.0, log.as_str(), first.1),
                )
            }
            Rule::RunClean { log: Some(log), since } => pick(
                format!("La sauvegarde (log {}) n'a écrit aucune ligne d'erreur depuis son début ({since}) et ne s'est pas terminée en échec.", log.as_str()),
                format!("The backup (log {}) wrote no error line since it began ({since}) and did not end in failure.", log.as_str()),
            ),
            Rule::RunClean { log: None, since } => pick(
                format!("Aucune trace de cette sauvegarde dans les logs ; aucune ligne d'erreur du logger depuis {since}."),
                format!("No trace of this backup in the logs; no logger error line since {since}."),
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
                format!("La sauvegarde commencée à {since} n'est pas terminée après {} (délai {}) : elle a échoué sans prévenir.", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
                format!("The backup that began at {since} has not ended after {} (limit {}): it failed silently.", human_duration(*waited_s, lang), human_duration(*timeout_s, lang)),
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
            Rule::Crashed => {
                let why = self.crash.as_ref().map(|c| c.explain(lang)).unwrap_or_default();
                pick(
                    format!("Le scénario a planté ({why}) : Jeedom a vidé le virtuel et la tuile affiche une erreur."),
                    format!("The scenario crashed ({why}): Jeedom emptied the virtual and the tile shows an error."),
                )
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
                format!("Samba non vérifié : sauvegarde faite pour une mise à jour de Jeedom (update={update}), qui n'envoie rien.")
            } else {
                format!("Samba not checked: a backup made for a Jeedom update (update={update}), which uploads nothing.")
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
                format!("Samba non vérifié : l'envoi Samba est désactivé (samba::enable={enable:?}, samba::cloudUpload={cloud_upload:?}).")
            } else {
                format!("Samba not checked: the Samba upload is turned off (samba::enable={enable:?}, samba::cloudUpload={cloud_upload:?}).")
            }
        }
        SambaSkip::NeverSaved => lang
            .pick(
                "Samba non vérifié : les réglages Samba n'ont jamais été enregistrés, l'envoi Samba n'est donc pas utilisé.",
                "Samba not checked: the Samba settings were never saved, so the Samba upload is not in use.",
            )
            .into(),
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
            if i > 0 && (digits.len() - i) % 3 == 0 {
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
    fn size_sentence() {
        let mut ev = Evidence::new("v2024-08".into(), TriggerSource::Accessor, 104857600, Rule::NoStamp);
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
