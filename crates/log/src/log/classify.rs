//! Recognising one piece of a line: pure functions from text to a [`Seg`], by byte-prefix
//! dispatch (first byte, then fixed prefixes; no regex).
//!
//! A line is read as a sequence of segments. A segment with free text (a logger message, a
//! failure message, a path) runs to the next *marker* or to the end of the line; markers are
//! the segment heads that Jeedom's texts can start with ([`find_marker`]). That is what lets a
//! line such as `Send backup Market...[2025-09-10 03:29:40][ERROR] : …` split into a label and a
//! logger line, and what recovers a run whose line breaks were lost.

use jiff::civil::DateTime;

use super::model::{Generation, Level, LoggerForm, digits};
use crate::world::JeedomVersion as V;

/// A step label (the text before `OK`), borrowing the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Label<'a> {
    BeginEvent,
    FileRights,
    PluginHook { plugin: &'a str, new_wording: bool },
    DatabaseCheck,
    TableCheck { table: &'a str },
    DatabaseDump,
    CachePersistence,
    Archive,
    CleanOld,
    Upload { repo: &'a str },
    SizeLimit { limit_mb: Option<u32> },
    EndEvent,
}

/// One recognised piece of text, borrowing the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    StartMarker,
    EndSuccess,
    EndError,
    Logger {
        time: DateTime,
        level: Level,
        form: LoggerForm,
        message: &'a str,
    },
    /// Start banner; `v2` for 2.x's `Lancement de la sauvegarde de Jeedom le <date>`.
    Banner {
        time: Option<DateTime>,
        v2: bool,
    },
    EndBanner {
        fr: bool,
    },
    /// `***ERROR*** <message>` (begin event failed).
    BeginFailure {
        message: &'a str,
        fr: bool,
    },
    Label {
        label: Label<'a>,
        fr: bool,
    },
    Exclude {
        plugin: &'a str,
        subfolder: &'a str,
        old_wording: bool,
    },
    /// Samba retention: `Delete backup too old : {json}`.
    RemoteDeletion {
        detail: &'a str,
    },
    /// Market retention: `Supression du backup cloud : <file>`.
    MarketDeletion {
        file: &'a str,
    },
    /// `Besoin de faire de la place sur le stockage distant`.
    MarketNote,
    Deletion {
        path: &'a str,
        fr: bool,
    },
    ArchiveName {
        path: &'a str,
        fr: bool,
    },
    Duration {
        secs: u32,
        fr: bool,
    },
    /// `Error during backup: <message>[Details : <details>]`.
    Failure {
        message: &'a str,
        details: Option<&'a str>,
        fr: bool,
    },
    /// `Details : <text>` at the start of a line (the failure's trace went on a new line).
    Details {
        text: &'a str,
        fr: bool,
    },
    /// `/!\ <message> /!\`
    UploadFailure {
        message: &'a str,
    },
    Ok,
    Nok,
}

impl Seg<'_> {
    /// Whether Jeedom always writes this at the start of a line: finding it in the middle of
    /// one means the line breaks were lost (the log was reflowed).
    pub(crate) fn starts_line(&self) -> bool {
        match self {
            Seg::StartMarker
            | Seg::EndSuccess
            | Seg::EndError
            | Seg::Banner { .. }
            | Seg::EndBanner { .. }
            | Seg::Exclude { .. }
            | Seg::Deletion { .. }
            | Seg::ArchiveName { .. }
            | Seg::Duration { .. } => true,
            Seg::Label { label, .. } => !matches!(label, Label::Upload { .. } | Label::SizeLimit { .. }),
            Seg::Logger { .. }
            | Seg::BeginFailure { .. }
            | Seg::RemoteDeletion { .. }
            | Seg::MarketDeletion { .. }
            | Seg::MarketNote
            | Seg::Failure { .. }
            | Seg::Details { .. }
            | Seg::UploadFailure { .. }
            | Seg::Ok
            | Seg::Nok => false,
        }
    }

    /// What this piece says about the Jeedom generation, if anything.
    #[inline]
    pub(crate) fn evidence(&self) -> Option<Generation> {
        const FR: Generation = Generation::of(&[V::V2, V::V4_2]);
        const EN: Generation = Generation::of(&[V::V3, V::V4_3, V::V4_4, V::V4_5]);
        const V2: Generation = Generation::of(&[V::V2]);
        const BANNER: Generation = Generation::of(&[V::V3, V::V4_2, V::V4_3, V::V4_4, V::V4_5]);
        const END_FR: Generation = Generation::of(&[V::V2, V::V3, V::V4_2]);
        const END_EN: Generation = Generation::of(&[V::V4_3, V::V4_4, V::V4_5]);
        // Untranslated in 4.2: the same text in every generation up to 4.3.
        const PLUGIN_OLD: Generation = Generation::of(&[V::V2, V::V3, V::V4_2, V::V4_3]);
        const V44_UP: Generation = Generation::of(&[V::V4_4, V::V4_5]);
        const V45: Generation = Generation::of(&[V::V4_5]);
        const V43: Generation = Generation::of(&[V::V4_3]);
        const DB_EN: Generation = Generation::of(&[V::V3, V::V4_3, V::V4_4]);
        const UP_TO_44: Generation = Generation::of(&[V::V2, V::V3, V::V4_2, V::V4_3, V::V4_4]);
        let lang = |fr: bool| Some(if fr { FR } else { EN });
        match self {
            Seg::Banner { v2: true, .. } => Some(V2),
            Seg::Banner { v2: false, .. } => Some(BANNER),
            Seg::EndBanner { fr: true } => Some(END_FR),
            Seg::EndBanner { fr: false } => Some(END_EN),
            Seg::Label { label, fr } => match label {
                Label::PluginHook { new_wording: false, .. } => Some(PLUGIN_OLD),
                Label::PluginHook { new_wording: true, .. } => Some(V44_UP),
                Label::TableCheck { .. } => Some(V45),
                Label::DatabaseCheck if !fr => Some(DB_EN),
                // Same text in every generation.
                Label::Upload { .. } => None,
                _ => lang(*fr),
            },
            Seg::Exclude { old_wording: true, .. } => Some(V43),
            Seg::Exclude { old_wording: false, .. } => Some(V44_UP),
            Seg::Logger {
                form: LoggerForm::Colon,
                ..
            } => Some(UP_TO_44),
            Seg::Logger {
                form: LoggerForm::Bare,
                message,
                ..
            } if !message.is_empty() => Some(V45),
            Seg::UploadFailure { message } => market_message_evidence(message),
            Seg::BeginFailure { fr, .. }
            | Seg::Deletion { fr, .. }
            | Seg::ArchiveName { fr, .. }
            | Seg::Duration { fr, .. }
            | Seg::Failure { fr, .. }
            | Seg::Details { fr, .. } => lang(*fr),
            _ => None,
        }
    }
}

/// The Market's refusal texts changed in 4.5.
pub(crate) fn market_message_evidence(message: &str) -> Option<Generation> {
    if message.starts_with("Erreur d'envoi du backup au cloud") {
        Some(Generation::of(&[V::V4_5]))
    } else if message.starts_with("Aucun serveur de backup defini") {
        Some(Generation::of(&[V::V2, V::V3, V::V4_2, V::V4_3, V::V4_4]))
    } else {
        None
    }
}

/// Longest plugin id, table or repository name accepted in a label.
const MAX_NAME: usize = 128;

/// A recognised head: the segment kind with its fixed part, before any free-text tail.
enum Head<'a> {
    /// A complete segment of `len` bytes.
    Done(Seg<'a>, usize),
    /// A segment whose free text starts at `tail`; [`classify`] delimits it.
    Tail(TailKind<'a>, usize),
}

enum TailKind<'a> {
    Logger {
        time: DateTime,
        level: Level,
        form: LoggerForm,
    },
    BeginFailure {
        fr: bool,
    },
    Exclude {
        plugin: &'a str,
        old_wording: bool,
    },
    MarketDeletion,
    Deletion {
        fr: bool,
    },
    ArchiveName {
        fr: bool,
    },
    Failure {
        fr: bool,
    },
    Details {
        fr: bool,
    },
    UploadFailure,
}

/// Whether a segment head that counts as a marker starts at the beginning of `text`.
/// `OK`, `NOK` and `Details :` are not markers: they only mean something right after a label
/// or a failure.
fn is_marker(text: &str) -> bool {
    match head(text) {
        None => false,
        Some(Head::Done(Seg::Ok | Seg::Nok, _)) => false,
        Some(Head::Tail(TailKind::Details { .. }, _)) => false,
        Some(_) => true,
    }
}

/// Offset of the first marker in `text` after its first byte, if any: every place is tried
/// ([`head`] turns most bytes down on their first byte).
pub(crate) fn find_marker(text: &str) -> Option<usize> {
    // Markers start with ASCII, so a place worth trying is a char boundary.
    (1..text.len()).find(|&i| text.is_char_boundary(i) && text.get(i..).is_some_and(is_marker))
}

/// End of a free-text tail that starts at `from`: the next marker, or the end of the text.
fn tail_end(text: &str, from: usize) -> usize {
    let Some(rest) = text.get(from..) else {
        return text.len();
    };
    if rest.is_empty() {
        return from;
    }
    // A marker right at the start of the tail is the tail's first byte, not its end.
    match find_marker(rest) {
        Some(k) => from + k,
        None => text.len(),
    }
}

fn trim_end(s: &str) -> &str {
    s.trim_end_matches([' ', '\t', '\u{a0}'])
}

/// Recognises the segment at the start of `text` (which must not start with whitespace).
/// Returns it with the number of bytes it covers (free-text tails run to the next marker).
/// Kept out of line: inlined, its dozens of prefix tests crowd the per-line loop of the
/// parser (measured: 1 % more instructions).
#[inline(never)]
pub(crate) fn classify(text: &str) -> Option<(Seg<'_>, usize)> {
    match head(text)? {
        Head::Done(seg, len) => Some((seg, len)),
        Head::Tail(TailKind::UploadFailure, start) => {
            // `/!\ <message> /!\`: the message ends at the closing sign (itself a marker).
            let rest = text.get(start..).unwrap_or("");
            if let Some(k) = memchr::memmem::find(rest.as_bytes(), b"/!\\") {
                let message = rest.get(..k).unwrap_or("").trim();
                return Some((Seg::UploadFailure { message }, start + k + 3));
            }
            let end = tail_end(text, start);
            Some((
                Seg::UploadFailure {
                    message: text.get(start..end).unwrap_or("").trim(),
                },
                end,
            ))
        }
        Head::Tail(kind, start) => {
            let end = tail_end(text, start);
            let tail = text.get(start..end).unwrap_or("");
            let seg = match kind {
                TailKind::Logger { time, level, form } => Seg::Logger {
                    time,
                    level,
                    form,
                    message: trim_end(tail),
                },
                TailKind::BeginFailure { fr } => Seg::BeginFailure {
                    message: trim_end(tail),
                    fr,
                },
                TailKind::Exclude { plugin, old_wording } => Seg::Exclude {
                    plugin,
                    subfolder: tail.trim(),
                    old_wording,
                },
                TailKind::MarketDeletion => Seg::MarketDeletion { file: tail.trim() },
                TailKind::Deletion { fr } => Seg::Deletion { path: tail.trim(), fr },
                TailKind::ArchiveName { fr } => Seg::ArchiveName { path: tail.trim(), fr },
                TailKind::Details { fr } => Seg::Details {
                    text: trim_end(tail),
                    fr,
                },
                TailKind::UploadFailure => Seg::UploadFailure { message: tail.trim() },
                TailKind::Failure { fr } => {
                    let sep: &[u8] = if fr { "Détails : ".as_bytes() } else { b"Details : " };
                    match memchr::memmem::find(tail.as_bytes(), sep) {
                        Some(k) => {
                            let message = trim_end(tail.get(..k).unwrap_or(""));
                            let details = trim_end(tail.get(k + sep.len()..).unwrap_or(""));
                            Seg::Failure {
                                message,
                                details: Some(details),
                                fr,
                            }
                        }
                        None => Seg::Failure {
                            message: trim_end(tail),
                            details: None,
                            fr,
                        },
                    }
                }
            };
            Some((seg, end))
        }
    }
}

#[inline(always)]
fn head(text: &str) -> Option<Head<'_>> {
    let b = text.as_bytes();
    match b.first()? {
        b'[' => head_bracket(text),
        b'*' => head_stars(text),
        b'/' => text.starts_with("/!\\").then(|| {
            let start = if text.get(3..4) == Some(" ") { 4 } else { 3 };
            Head::Tail(TailKind::UploadFailure, start)
        }),
        b'S' => {
            if text.starts_with("Send begin backup event...") {
                done_label(Label::BeginEvent, false, 26)
            } else if text.starts_with("Send end backup event...") {
                done_label(Label::EndEvent, false, 24)
            } else if let Some(rest) = text.strip_prefix("Send backup ") {
                let (name, len) = name_then(rest, "...")?;
                Some(Head::Done(
                    Seg::Label {
                        label: Label::Upload { repo: name },
                        fr: false,
                    },
                    12 + len,
                ))
            } else if text.starts_with("Sauvegarde la base de données...") {
                done_label(Label::DatabaseDump, true, "Sauvegarde la base de données...".len())
            } else if text.starts_with("Sauvegarde de la base de données...") {
                // 2.x.
                done_label(Label::DatabaseDump, true, "Sauvegarde de la base de données...".len())
            } else if text.starts_with("Supprime : ") {
                Some(Head::Tail(TailKind::Deletion { fr: true }, 11))
            } else if text.starts_with("Supression du backup cloud : ") {
                Some(Head::Tail(TailKind::MarketDeletion, 29))
            } else {
                None
            }
        }
        b'C' => {
            if text.starts_with("Checking files rights...") {
                done_label(Label::FileRights, false, 24)
            } else if text.starts_with("Checking  database...") {
                done_label(Label::DatabaseCheck, false, 21)
            } else if let Some(rest) = text.strip_prefix("Checking  table ") {
                let (table, len) = name_then(rest, "...")?;
                Some(Head::Done(
                    Seg::Label {
                        label: Label::TableCheck { table },
                        fr: false,
                    },
                    16 + len,
                ))
            } else if text.starts_with("Cache persistence:") {
                done_label(
                    Label::CachePersistence,
                    false,
                    18 + usize::from(text.get(18..19) == Some(" ")),
                )
            } else if text.starts_with("Creating archive...") {
                done_label(Label::Archive, false, 19)
            } else if text.starts_with("Cleaning old backup...") {
                done_label(Label::CleanOld, false, 22)
            } else if text.starts_with("Création de  l'archive...") {
                done_label(Label::Archive, true, "Création de  l'archive...".len())
            } else if text.starts_with("Création de l'archive...") {
                // 2.x (one space).
                done_label(Label::Archive, true, "Création de l'archive...".len())
            } else {
                None
            }
        }
        b'B' => {
            if let Some(rest) = text.strip_prefix("Backing up ") {
                if rest.starts_with("database...") {
                    return done_label(Label::DatabaseDump, false, 22);
                }
                let rest = rest.strip_prefix("plugin ")?;
                let (plugin, len) = name_then(rest, "...")?;
                let seg = Seg::Label {
                    label: Label::PluginHook {
                        plugin,
                        new_wording: true,
                    },
                    fr: false,
                };
                Some(Head::Done(seg, 18 + len))
            } else if let Some(rest) = text.strip_prefix("Backup ") {
                if rest.starts_with("name: ") {
                    Some(Head::Tail(TailKind::ArchiveName { fr: false }, 13))
                } else if let Some(num) = rest.strip_prefix("operation duration: ") {
                    let (secs, len) = seconds(num)?;
                    Some(Head::Done(Seg::Duration { secs, fr: false }, 27 + len))
                } else {
                    let rest = rest.strip_prefix("plugin ")?;
                    let (plugin, len) = name_then(rest, "...")?;
                    let seg = Seg::Label {
                        label: Label::PluginHook {
                            plugin,
                            new_wording: false,
                        },
                        fr: false,
                    };
                    Some(Head::Done(seg, 14 + len))
                }
            } else {
                const NOTE: &str = "Besoin de faire de la place sur le stockage distant";
                text.starts_with(NOTE)
                    .then_some(Head::Done(Seg::MarketNote, NOTE.len()))
            }
        }
        b'V' => {
            const RIGHTS: &str = "Vérification des droits sur les fichiers...";
            const DB: &str = "Vérification de la base de données...";
            if text.starts_with(RIGHTS) {
                done_label(Label::FileRights, true, RIGHTS.len())
            } else if text.starts_with(DB) {
                done_label(Label::DatabaseCheck, true, DB.len())
            } else {
                None
            }
        }
        b'P' => {
            const CACHE: &str = "Persistance du cache :";
            if text.starts_with(CACHE) {
                let len = CACHE.len() + usize::from(text.get(CACHE.len()..CACHE.len() + 1) == Some(" "));
                return done_label(Label::CachePersistence, true, len);
            }
            let rest = text.strip_prefix("Plugin ")?;
            let (plugin, len) = name_then(rest, " - ")?;
            let after = rest.get(len..)?;
            const OLD: &str = "the following subfolder will be excluded from the backup: ";
            const NEW: &str = "Following subfolder will be excluded from the backup: ";
            let (old_wording, plen) = if after.starts_with(OLD) {
                (true, OLD.len())
            } else if after.starts_with(NEW) {
                (false, NEW.len())
            } else {
                return None;
            };
            Some(Head::Tail(TailKind::Exclude { plugin, old_wording }, 7 + len + plen))
        }
        b'N' => {
            const CLEAN: &str = "Nettoyage de l'ancienne sauvegarde...";
            const CLEAN_V2: &str = "Nettoyage des anciennes sauvegardes...";
            const NAME: &str = "Nom de la sauvegarde : ";
            // Jeedom 2.x/3.x: `Nom du backup : <path>` / `Name of backup : <path>`.
            const OLD_NAME_FR: &str = "Nom du backup : ";
            const OLD_NAME_EN: &str = "Name of backup : ";
            if text.starts_with("NOK") {
                Some(Head::Done(Seg::Nok, 3))
            } else if text.starts_with(CLEAN) {
                done_label(Label::CleanOld, true, CLEAN.len())
            } else if text.starts_with(CLEAN_V2) {
                done_label(Label::CleanOld, true, CLEAN_V2.len())
            } else if text.starts_with(NAME) {
                Some(Head::Tail(TailKind::ArchiveName { fr: true }, NAME.len()))
            } else if text.starts_with(OLD_NAME_FR) {
                Some(Head::Tail(TailKind::ArchiveName { fr: true }, OLD_NAME_FR.len()))
            } else if text.starts_with(OLD_NAME_EN) {
                Some(Head::Tail(TailKind::ArchiveName { fr: false }, OLD_NAME_EN.len()))
            } else {
                None
            }
        }
        b'L' => {
            if let Some(rest) = text.strip_prefix("Limiting backup size to ") {
                let (limit_mb, len) = size_then(rest, " Mb...")?;
                done_label(Label::SizeLimit { limit_mb }, false, 24 + len)
            } else if let Some(rest) = text.strip_prefix("Limitation de la taille des sauvegardes à ") {
                let (limit_mb, len) = size_then(rest, " Mo...")?;
                let pre = "Limitation de la taille des sauvegardes à ".len();
                done_label(Label::SizeLimit { limit_mb }, true, pre + len)
            } else if let Some(rest) = text.strip_prefix("Limite de la taille totale des sauvegardes à ") {
                // 2.x.
                let (limit_mb, len) = size_then(rest, " Mo...")?;
                let pre = "Limite de la taille totale des sauvegardes à ".len();
                done_label(Label::SizeLimit { limit_mb }, true, pre + len)
            } else if text.starts_with("Lancement de la sauvegarde de Jeedom le ") {
                Some(banner_v2(text, 0))
            } else {
                None
            }
        }
        b'E' => {
            const BEGIN: &str = "Envoi l'évènement de début de sauvegarde...";
            const END: &str = "Envoi l'évènement de fin de sauvegarde...";
            const FAIL_FR: &str = "Erreur durant la sauvegarde : ";
            // Jeedom 2.x.
            const BEGIN_V2: &str = "Envoi de l'événement de début de backup...";
            const END_V2: &str = "Envoi de l'événement de fin de backup...";
            const UPLOAD_V2: &str = "Envoi de la sauvegarde dans le cloud ";
            if text.starts_with(BEGIN) {
                done_label(Label::BeginEvent, true, BEGIN.len())
            } else if text.starts_with(END) {
                done_label(Label::EndEvent, true, END.len())
            } else if text.starts_with(BEGIN_V2) {
                done_label(Label::BeginEvent, true, BEGIN_V2.len())
            } else if text.starts_with(END_V2) {
                done_label(Label::EndEvent, true, END_V2.len())
            } else if let Some(rest) = text.strip_prefix(UPLOAD_V2) {
                // 2.x: `Envoi de la sauvegarde dans le cloud <repository name>`, no `...`: the
                // repository's own output (smbclient's) follows on the same line, then `OK`.
                // The repositories that took backups then were Samba and Market.
                let repo = ["Samba", "Market"].into_iter().find(|n| rest.starts_with(n))?;
                done_label(Label::Upload { repo }, true, UPLOAD_V2.len() + repo.len())
            } else if text.starts_with("Error during backup: ") {
                Some(Head::Tail(TailKind::Failure { fr: false }, 21))
            } else if text.starts_with(FAIL_FR) {
                Some(Head::Tail(TailKind::Failure { fr: true }, FAIL_FR.len()))
            } else {
                None
            }
        }
        b'D' => {
            const DUR_FR: &str = "Durée de la sauvegarde : ";
            const DETAILS_FR: &str = "Détails : ";
            if let Some(rest) = text.strip_prefix("Delete backup too old : ") {
                let len = json_object_len(rest);
                let detail = rest.get(..len).unwrap_or("");
                Some(Head::Done(
                    Seg::RemoteDeletion {
                        detail: detail.trim_end(),
                    },
                    24 + len,
                ))
            } else if text.starts_with("Delete: ") {
                Some(Head::Tail(TailKind::Deletion { fr: false }, 8))
            } else if let Some(num) = text.strip_prefix(DUR_FR) {
                let (secs, len) = seconds(num)?;
                Some(Head::Done(Seg::Duration { secs, fr: true }, DUR_FR.len() + len))
            } else if text.starts_with("Details : ") {
                Some(Head::Tail(TailKind::Details { fr: false }, 10))
            } else if text.starts_with(DETAILS_FR) {
                Some(Head::Tail(TailKind::Details { fr: true }, DETAILS_FR.len()))
            } else {
                None
            }
        }
        b'O' => text.starts_with("OK").then_some(Head::Done(Seg::Ok, 2)),
        _ => None,
    }
}

fn done_label(label: Label<'_>, fr: bool, len: usize) -> Option<Head<'_>> {
    Some(Head::Done(Seg::Label { label, fr }, len))
}

/// `[START BACKUP]`, `[END BACKUP …]`, or a logger prefix `[YYYY-MM-DD HH:MM:SS][LEVEL]`.
fn head_bracket(text: &str) -> Option<Head<'_>> {
    let b = text.as_bytes();
    match b.get(1)? {
        b'S' => text
            .starts_with("[START BACKUP]")
            .then_some(Head::Done(Seg::StartMarker, 14)),
        b'E' => {
            if text.starts_with("[END BACKUP SUCCESS]") {
                Some(Head::Done(Seg::EndSuccess, 20))
            } else if text.starts_with("[END BACKUP ERROR]") {
                Some(Head::Done(Seg::EndError, 18))
            } else {
                None
            }
        }
        b'0'..=b'9' => {
            let time = datetime(text.get(1..)?)?;
            if b.get(20) != Some(&b']') || b.get(21) != Some(&b'[') {
                return None;
            }
            let rest = text.get(22..)?;
            let close = rest.as_bytes().iter().take(10).position(|c| *c == b']')?;
            let level = level(rest.get(..close)?)?;
            let after = 22 + close + 1;
            let tail = text.get(after..)?;
            let (form, skip) = if tail.starts_with(" : ") {
                (LoggerForm::Colon, 3)
            } else if tail.starts_with(' ') {
                (LoggerForm::Bare, 1)
            } else {
                (LoggerForm::Bare, 0)
            };
            Some(Head::Tail(TailKind::Logger { time, level, form }, after + skip))
        }
        _ => None,
    }
}

/// Banners and `***ERROR***`, all starting with a run of `*`.
fn head_stars(text: &str) -> Option<Head<'_>> {
    let stars = stars_at(text, 0);
    if stars < 3 {
        return None;
    }
    let rest = text.get(stars..)?;
    let with_stars = |len: usize| -> usize {
        let after = stars + len;
        after + stars_at(text, after)
    };
    if let Some(date) = rest.strip_prefix("Start of Jeedom backup at ") {
        let time = datetime(date);
        let len = 26 + if time.is_some() { 19 } else { 0 };
        return Some(Head::Done(Seg::Banner { time, v2: false }, with_stars(len)));
    }
    if rest.starts_with("Jeedom backup end") {
        return Some(Head::Done(Seg::EndBanner { fr: false }, with_stars(17)));
    }
    if rest.starts_with("Fin de la sauvegarde de Jeedom") {
        return Some(Head::Done(Seg::EndBanner { fr: true }, with_stars(30)));
    }
    if rest.starts_with("Lancement de la sauvegarde de Jeedom le ") {
        return Some(banner_v2(text, stars));
    }
    if stars == 3 {
        for (word, fr) in [("ERROR***", false), ("ERREUR***", true)] {
            if rest.starts_with(word) {
                let start = 3 + word.len();
                let start = start + usize::from(text.get(start..start + 1) == Some(" "));
                return Some(Head::Tail(TailKind::BeginFailure { fr }, start));
            }
        }
    }
    None
}

/// 2.x's `Lancement de la sauvegarde de Jeedom le <date>`, with or without stars around it.
fn banner_v2(text: &str, stars: usize) -> Head<'_> {
    let at = stars + "Lancement de la sauvegarde de Jeedom le ".len();
    let date = text.get(at..).unwrap_or("");
    let time = datetime(date);
    let mut len = at;
    if time.is_some() {
        len += 19;
    } else {
        // An unknown date format: the date runs to the closing stars or the end of the line.
        len += date.find('*').unwrap_or(date.len());
    }
    len += stars_at(text, len);
    Head::Done(Seg::Banner { time, v2: true }, len)
}

/// A name (plugin id, table, repository) followed by `end`; returns it and the length of
/// name + end. Names have no spaces and are at most [`MAX_NAME`] bytes.
fn name_then<'a>(rest: &'a str, end: &str) -> Option<(&'a str, usize)> {
    let b = rest.as_bytes();
    let e = end.as_bytes();
    let first = *e.first()?;
    let limit = b.len().min(MAX_NAME + 1);
    let mut from = 0;
    loop {
        // The next byte that can end the name: the first byte of `end`, or a blank.
        let k = next_stop(b, from, limit, first)?;
        if b.get(k..k + e.len()) == Some(e) {
            return (k > 0).then(|| rest.get(..k).map(|name| (name, k + e.len()))).flatten();
        }
        if matches!(b.get(k), Some(b' ' | b'\t')) {
            return None;
        }
        from = k + 1;
    }
}

/// Position of the first byte in `b[from..limit]` that is `c`, a space or a tab.
fn next_stop(b: &[u8], from: usize, limit: usize, c: u8) -> Option<usize> {
    (from..limit).find(|&j| b.get(j).is_some_and(|&x| x == c || x == b' ' || x == b'\t'))
}

/// `<n>` followed by `end` (` Mb...`); the number may be unreadable.
fn size_then(rest: &str, end: &str) -> Option<(Option<u32>, usize)> {
    let window_len = rest.len().min(32 + end.len());
    let window = rest.get(..window_len).unwrap_or(rest);
    let k = memchr::memmem::find(window.as_bytes(), end.as_bytes())?;
    let num = rest.get(..k)?;
    Some((num.parse().ok(), k + end.len()))
}

/// `<n>s`: digits then `s`.
fn seconds(rest: &str) -> Option<(u32, usize)> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || rest.as_bytes().get(digits) != Some(&b's') {
        return None;
    }
    let secs = rest.get(..digits)?.parse().ok()?;
    Some((secs, digits + 1))
}

/// Number of `*` from `at` on (none past the end).
fn stars_at(text: &str, at: usize) -> usize {
    let b = text.as_bytes().get(at..).unwrap_or_default();
    b.iter().take_while(|c| **c == b'*').count()
}

/// `YYYY-MM-DD HH:MM:SS` at the start of `s`.
pub(crate) fn datetime(s: &str) -> Option<DateTime> {
    let b: [u8; 19] = s.as_bytes().get(..19)?.try_into().ok()?;
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        mo0,
        mo1,
        b'-',
        d0,
        d1,
        b' ',
        h0,
        h1,
        b':',
        mi0,
        mi1,
        b':',
        s0,
        s1,
    ] = b
    else {
        return None;
    };
    let year = i16::try_from(digits([y0, y1, y2, y3])?).ok()?;
    let two = |a: u8, b: u8| i8::try_from(digits([a, b])?).ok();
    DateTime::new(
        year,
        two(mo0, mo1)?,
        two(d0, d1)?,
        two(h0, h1)?,
        two(mi0, mi1)?,
        two(s0, s1)?,
        0,
    )
    .ok()
}

fn level(s: &str) -> Option<Level> {
    Some(match s {
        "DEBUG" => Level::Debug,
        "INFO" => Level::Info,
        "NOTICE" => Level::Notice,
        "WARNING" => Level::Warning,
        "ERROR" => Level::Error,
        "CRITICAL" => Level::Critical,
        "ALERT" => Level::Alert,
        "EMERGENCY" => Level::Emergency,
        _ => return None,
    })
}

/// Length of the JSON object at the start of `s` (`{…}`, strings respected). Without a
/// closing brace, the object runs to the next marker.
fn json_object_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') {
        return tail_end(s, 0);
    }
    let mut depth = 0usize;
    let mut i = 0;
    // Jump from brace or quote to the next one; inside a string, from quote or backslash.
    while let Some(k) = memchr::memchr3(b'"', b'{', b'}', b.get(i..).unwrap_or_default()) {
        let at = i + k;
        match b.get(at) {
            Some(b'"') => {
                let mut j = at + 1;
                loop {
                    let Some(m) = memchr::memchr2(b'"', b'\\', b.get(j..).unwrap_or_default()) else {
                        return tail_end(s, 0);
                    };
                    if b.get(j + m) == Some(&b'\\') {
                        // The escaped byte, whatever it is, is skipped.
                        j += m + 2;
                    } else {
                        j += m + 1;
                        break;
                    }
                }
                i = j;
            }
            Some(b'{') => {
                depth += 1;
                i = at + 1;
            }
            _ => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return at + 1;
                }
                i = at + 1;
            }
        }
    }
    tail_end(s, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::tests::xorshift as next;

    fn seg(text: &str) -> (Seg<'_>, usize) {
        classify(text).unwrap_or_else(|| panic!("not recognised: {text:?}"))
    }

    #[test]
    fn labels_by_generation() {
        assert_eq!(
            seg("Checking  database...OK").0,
            Seg::Label {
                label: Label::DatabaseCheck,
                fr: false
            }
        );
        assert_eq!(seg("Checking  database...OK").1, 21);
        assert!(
            classify("Checking database...OK").is_none(),
            "the double space is part of the text"
        );
        assert_eq!(
            seg("Checking  table cmd...OK").0,
            Seg::Label {
                label: Label::TableCheck { table: "cmd" },
                fr: false
            }
        );
        assert_eq!(
            seg("Backing up plugin zwavejs...OK").0,
            Seg::Label {
                label: Label::PluginHook {
                    plugin: "zwavejs",
                    new_wording: true
                },
                fr: false
            }
        );
        assert_eq!(
            seg("Création de  l'archive...").0,
            Seg::Label {
                label: Label::Archive,
                fr: true
            }
        );
        // Jeedom 2.x: the upload label has no `...`; smbclient's output may be glued to it.
        let (s, n) = seg("Envoi de la sauvegarde dans le cloud SambaDomain=[WORKGROUP] OS=[Windows 6.1]");
        assert_eq!(
            s,
            Seg::Label {
                label: Label::Upload { repo: "Samba" },
                fr: true
            }
        );
        assert_eq!(n, "Envoi de la sauvegarde dans le cloud Samba".len());
        assert!(!matches!(
            classify("Envoi de la sauvegarde dans le cloud Dropbox"),
            Some((Seg::Label { .. }, _))
        ));
        for (text, label) in [
            ("Création de l'archive...", Label::Archive),
            ("Sauvegarde de la base de données...", Label::DatabaseDump),
            ("Nettoyage des anciennes sauvegardes...", Label::CleanOld),
            ("Envoi de l'événement de début de backup...", Label::BeginEvent),
            ("Envoi de l'événement de fin de backup...", Label::EndEvent),
            (
                "Limite de la taille totale des sauvegardes à 500 Mo...",
                Label::SizeLimit { limit_mb: Some(500) },
            ),
        ] {
            assert_eq!(seg(text), (Seg::Label { label, fr: true }, text.len()), "{text}");
        }
        let (s, n) = seg("Limiting backup size to 500 Mb...");
        assert_eq!(
            s,
            Seg::Label {
                label: Label::SizeLimit { limit_mb: Some(500) },
                fr: false
            }
        );
        assert_eq!(n, 33);
        assert_eq!(
            seg("Limitation de la taille des sauvegardes à 200 Mo...").0,
            Seg::Label {
                label: Label::SizeLimit { limit_mb: Some(200) },
                fr: true
            }
        );
        assert_eq!(seg("Cache persistence: ").1, 19);
        assert_eq!(seg("Cache persistence:").1, 18);
    }

    #[test]
    fn logger_forms() {
        let (s, n) = seg("[2025-09-10 03:29:40][ERROR] : Aucun serveur de backup defini.");
        let Seg::Logger {
            level, form, message, ..
        } = s
        else {
            panic!("{s:?}")
        };
        assert_eq!(
            (level, form, message),
            (Level::Error, LoggerForm::Colon, "Aucun serveur de backup defini.")
        );
        assert_eq!(n, 62);
        let (s, _) = seg("[2025-09-10 03:29:40][WARNING] Erreur d'envoi");
        assert!(matches!(
            s,
            Seg::Logger {
                level: Level::Warning,
                form: LoggerForm::Bare,
                message: "Erreur d'envoi",
                ..
            }
        ));
        assert!(classify("[2025-13-10 03:29:40][ERROR] : bad month").is_none());
        assert!(classify("[2025-09-10 03:29:40][error] : lower case").is_none());
    }

    #[test]
    fn banners() {
        let (s, n) = seg("***************Start of Jeedom backup at 2025-09-10 03:27:01***************");
        assert!(matches!(
            s,
            Seg::Banner {
                time: Some(_),
                v2: false
            }
        ));
        assert_eq!(n, 75);
        assert_eq!(
            seg("***************Jeedom backup end***************").0,
            Seg::EndBanner { fr: false }
        );
        assert_eq!(
            seg("***************Fin de la sauvegarde de Jeedom***************").0,
            Seg::EndBanner { fr: true }
        );
        assert!(matches!(
            seg("Lancement de la sauvegarde de Jeedom le 2016-03-01 02:10:01").0,
            Seg::Banner {
                time: Some(_),
                v2: true
            }
        ));
    }

    #[test]
    fn failure_splits_message_and_details() {
        let text =
            "Error during backup: Backing up database failed. Check mysqldump installation. Code: 2Details : Array";
        assert_eq!(
            seg(text).0,
            Seg::Failure {
                message: "Backing up database failed. Check mysqldump installation. Code: 2",
                details: Some("Array"),
                fr: false
            }
        );
    }

    #[test]
    fn upload_failure_ends_at_its_closing_sign() {
        let text = "/!\\ Aucun serveur de backup defini. /!\\OK";
        let (s, n) = seg(text);
        assert_eq!(
            s,
            Seg::UploadFailure {
                message: "Aucun serveur de backup defini."
            }
        );
        assert_eq!(text.get(n..), Some("OK"));
    }

    #[test]
    fn remote_deletion_json_then_next_marker() {
        let text = r#"Delete backup too old : {"filename":"a}b.tar.gz","size":1,"datetime":"x"}Limiting backup size to 500 Mb..."#;
        let (s, n) = seg(text);
        assert_eq!(
            s,
            Seg::RemoteDeletion {
                detail: r#"{"filename":"a}b.tar.gz","size":1,"datetime":"x"}"#
            }
        );
        assert!(text.get(n..).is_some_and(|r| r.starts_with("Limiting")));
    }

    #[test]
    fn free_text_ends_at_the_next_marker() {
        let text = "[2025-09-10 03:29:40][ERROR] : quota /!\\ quota /!\\OK";
        let (s, n) = seg(text);
        assert!(matches!(s, Seg::Logger { message: "quota", .. }));
        assert!(text.get(n..).is_some_and(|r| r.starts_with("/!\\")));
        assert_eq!(
            find_marker("Domain=[WORKGROUP] OS=[Windows 6.1] Server=[Samba 4.9.5]"),
            None
        );
        assert_eq!(find_marker("xx Send backup Samba..."), Some(3));
    }

    /// Mutations of a valid date (a byte replaced, cut short, a non-ASCII byte) and odd but
    /// valid dates: the date read is the one the byte-by-byte reader read, or none for both.
    #[test]
    fn datetime_reads_what_a_byte_by_byte_reader_reads() {
        // The reader before it was rewritten as one pattern.
        let reference = |s: &str| -> Option<DateTime> {
            let b = s.as_bytes().get(..19)?;
            let d = |i: usize| -> Option<i32> {
                let c = *b.get(i)?;
                c.is_ascii_digit().then(|| i32::from(c - b'0'))
            };
            let n2 = |i: usize| -> Option<i8> { i8::try_from(d(i)? * 10 + d(i + 1)?).ok() };
            if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || b.get(10) != Some(&b' ') {
                return None;
            }
            if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
                return None;
            }
            let year = i16::try_from(d(0)? * 1000 + d(1)? * 100 + d(2)? * 10 + d(3)?).ok()?;
            DateTime::new(year, n2(5)?, n2(8)?, n2(11)?, n2(14)?, n2(17)?, 0).ok()
        };
        let fixed = [
            "2025-01-01 03:27:01",
            "2024-02-29 23:59:59",
            "2025-02-29 03:27:01",
            "2025-04-31 00:00:00",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "2025-00-10 03:27:01",
            "2025-09-10 24:00:00",
            "2025-09-10 03:60:00",
            "2025-09-10 03:27:60",
            "2025-09-10T03:27:01",
            "2025-09-10 03:27:0",
            "2025-9-10 03:27:01x",
            "2025-09-10 03:27:01***",
            "+025-09-10 03:27:01",
            "2025-09-10 03:27:0é",
            "",
        ];
        for t in fixed {
            assert_eq!(datetime(t), reference(t), "{t:?}");
        }
        // Bytes on both sides of the digits (`/`, `:`) and of the separators (`,`, `.`, `!`, `;`).
        let replacements = [
            "0", "9", "1", "3", "-", " ", ":", "a", "é", "", "+", "/", ",", ".", "!", ";", "\0", "\u{7f}",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..5000 {
            let mut t = String::from("2025-09-10 03:27:01");
            for _ in 0..1 + next(&mut seed) % 3 {
                let at = (next(&mut seed) % 20) as usize;
                let with = replacements[(next(&mut seed) % replacements.len() as u64) as usize];
                if t.is_char_boundary(at) && t.is_char_boundary((at + 1).min(t.len())) {
                    t.replace_range(at..(at + 1).min(t.len()), with);
                }
            }
            assert_eq!(datetime(&t), reference(&t), "{t:?}");
        }
    }

    #[test]
    fn json_object_len_matches_a_byte_loop() {
        let naive = |s: &str| -> usize {
            let b = s.as_bytes();
            if b.first() != Some(&b'{') {
                return tail_end(s, 0);
            }
            let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
            for (i, c) in b.iter().enumerate() {
                if in_str {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, b'\\') => escaped = true,
                        (false, b'"') => in_str = false,
                        _ => {}
                    }
                    continue;
                }
                match c {
                    b'"' => in_str = true,
                    b'{' => depth += 1,
                    b'}' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
            }
            tail_end(s, 0)
        };
        let alphabet = ["{", "}", "\"", "\\", "a", " ", ":", "Send backup Samba...", "é"];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..3000 {
            let mut t = String::from("{");
            for _ in 0..(seed % 24) {
                next(&mut seed);
                t.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            assert_eq!(json_object_len(&t), naive(&t), "{t:?}");
        }
    }

    #[test]
    fn name_search_matches_a_byte_loop() {
        let naive = |rest: &str, end: &str| -> Option<(String, usize)> {
            let (b, e) = (rest.as_bytes(), end.as_bytes());
            for (k, &c) in b.iter().enumerate().take(MAX_NAME + 1) {
                if c == e[0] && b.get(k..k + e.len()) == Some(e) {
                    return (k > 0)
                        .then(|| rest.get(..k).map(|n| (n.to_owned(), k + e.len())))
                        .flatten();
                }
                if c == b' ' || c == b'\t' {
                    return None;
                }
            }
            None
        };
        let alphabet = [
            "a",
            "z",
            ".",
            "..",
            "...",
            " ",
            "\t",
            "-",
            " - ",
            "é",
            "x".repeat(40).leak(),
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..3000 {
            let mut t = String::new();
            for _ in 0..(seed % 20) {
                next(&mut seed);
                t.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for end in ["...", " - "] {
                let ours = name_then(&t, end).map(|(n, l)| (n.to_owned(), l));
                assert_eq!(ours, naive(&t, end), "{t:?} {end:?}");
            }
        }
    }

    #[test]
    fn names_end_at_their_terminator_or_a_blank() {
        assert_eq!(name_then("zwavejs...OK", "..."), Some(("zwavejs", 10)));
        assert_eq!(name_then("a.b...OK", "..."), Some(("a.b", 6)));
        assert_eq!(name_then("...OK", "..."), None);
        assert_eq!(name_then("two words...", "..."), None);
        assert_eq!(name_then("z2m - Following", " - "), Some(("z2m", 6)));
        assert_eq!(name_then(&"x".repeat(MAX_NAME + 1), "..."), None);
        assert_eq!(
            name_then(&format!("{}...", "x".repeat(MAX_NAME)), "..."),
            Some((&*"x".repeat(MAX_NAME), MAX_NAME + 3))
        );
    }

    #[test]
    fn exclude_wordings() {
        let (s, _) = seg("Plugin jMQTT - Following subfolder will be excluded from the backup: data/cache");
        assert_eq!(
            s,
            Seg::Exclude {
                plugin: "jMQTT",
                subfolder: "data/cache",
                old_wording: false
            }
        );
        let (s, _) = seg("Plugin z2m - the following subfolder will be excluded from the backup: tmp");
        assert_eq!(
            s,
            Seg::Exclude {
                plugin: "z2m",
                subfolder: "tmp",
                old_wording: true
            }
        );
    }
}
