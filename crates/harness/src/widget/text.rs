//! The tile as one glance of plain text (no colours: the caller adds them from [`Tile::tone`]
//! and each circle's state). Our own wording, French by default.

use std::fmt::Write as _;

use super::{AlertKind, CircleState, Panel, Reason, Tile};
use crate::Lang;

impl Tile {
    /// One line for the panel and its circles, plus a line with the value's date when it is
    /// known and the panel shows it, and a line when the real tile would interpret markup in a
    /// name. Every text that came from the value goes through [`crate::redact`].
    pub fn render_text(&self, lang: Lang) -> String {
        let mut out = self.headline(lang);
        if let Some(tip) = self.tooltip(lang) {
            out.push_str("\n  ");
            out.push_str(&tip);
        }
        if self.interprets_markup() {
            out.push_str("\n  ");
            out.push_str(markup_note(lang));
        }
        out
    }

    /// The first line of [`Tile::render_text`].
    pub fn headline(&self, lang: Lang) -> String {
        let mut out = String::new();
        match &self.panel {
            Panel::Empty => {
                let _ = write!(out, "□ {}", empty_text(lang));
            }
            Panel::Alert(kind) => {
                let _ = write!(out, "▲ {} {}", lang.pick("Alerte :", "Alert:"), alert_text(*kind, lang));
            }
            Panel::InProgress { last_save } => {
                let _ = write!(
                    out,
                    "◌ {} [{}]",
                    lang.pick("Sauvegarde en cours", "Backup in progress"),
                    crate::redact::redact_text(last_save)
                );
            }
            Panel::Finished { archive_name, circles } => {
                out.push_str("■ ");
                out.push_str(finished_title(lang));
                if let Some(name) = archive_name {
                    let _ = write!(out, " [{}]", crate::redact::redact_text(name));
                }
                out.push_str(" — ");
                if circles.is_empty() {
                    out.push_str(lang.pick("aucun dépôt affiché", "no repository shown"));
                }
                for (i, c) in circles.iter().enumerate() {
                    if i > 0 {
                        out.push_str(" · ");
                    }
                    let reasons: Vec<String> = c.reasons.iter().map(|r| reason_text(r, lang)).collect();
                    let _ = write!(
                        out,
                        "{}{} {} {}",
                        c.repo.name(),
                        lang.pick(" :", ":"),
                        state_symbol(c.state),
                        reasons.join(", ")
                    );
                }
            }
        }
        out
    }
}

/// What an empty tile means.
pub(crate) fn empty_text(lang: Lang) -> &'static str {
    lang.pick(
        "Tuile vide : le script du widget s'arrête sur cette valeur",
        "Empty tile: the widget's script stops on this value",
    )
}

/// Said next to a name that holds markup.
pub(crate) fn markup_note(lang: Lang) -> &'static str {
    lang.pick(
        "(montré ici comme texte ; le vrai widget interpréterait ce balisage HTML)",
        "(shown here as text; the real widget would interpret this HTML markup)",
    )
}

/// The panel title of a finished backup.
pub(crate) fn finished_title(lang: Lang) -> &'static str {
    lang.pick("Sauvegarde terminée", "Backup finished")
}

/// A one-character mark for a circle's state, readable without colour.
pub fn state_symbol(state: CircleState) -> &'static str {
    match state {
        CircleState::Success => "✔",
        CircleState::Warning => "⚠",
        CircleState::Error => "✘",
    }
}

/// The sentence of an alert.
pub fn alert_text(kind: AlertKind, lang: Lang) -> String {
    match kind {
        AlertKind::InvalidJson => lang
            .pick("valeur vide ou qui n'est pas du JSON", "the value is empty or not JSON")
            .to_owned(),
        AlertKind::IncompleteJson { keys } => match lang {
            Lang::Fr => format!(
                "JSON incomplet ({keys} clé{} au lieu de 9)",
                if keys > 1 { "s" } else { "" }
            ),
            Lang::En => format!(
                "incomplete JSON ({keys} key{} instead of 9)",
                if keys == 1 { "" } else { "s" }
            ),
        },
        AlertKind::CheckScenario => lang
            .pick(
                "le scénario signale une erreur, voir son log",
                "the scenario reported an error, see its log",
            )
            .to_owned(),
        AlertKind::NoAction => lang.pick("aucune action reçue", "no action received").to_owned(),
    }
}

/// The words for one reason of a circle.
pub fn reason_text(reason: &Reason, lang: Lang) -> String {
    match reason {
        Reason::ArchivePresent => lang.pick("archive présente", "archive present").to_owned(),
        Reason::ArchiveMissing => lang
            .pick(
                "archive absente du dossier local",
                "archive missing from the local folder",
            )
            .to_owned(),
        Reason::SizeBelow { size, min } => {
            let size = crate::redact::redact_text(size);
            let min = crate::redact::redact_text(min);
            match lang {
                Lang::Fr => format!("archive trop petite : {size} (minimum {min})"),
                Lang::En => format!("archive too small: {size} (minimum {min})"),
            }
        }
        Reason::LogError => lang
            .pick("erreur dans le log de sauvegarde", "error in the backup log")
            .to_owned(),
        Reason::MissingFromShare => lang
            .pick("archive absente du partage Samba", "archive not on the Samba share")
            .to_owned(),
        Reason::PresentOnShare => lang.pick("archive sur le partage", "archive on the share").to_owned(),
        Reason::MissingFromMarket => lang
            .pick("archive absente du Market", "archive not on the Market")
            .to_owned(),
        Reason::PresentOnMarket => lang.pick("archive sur le Market", "archive on the Market").to_owned(),
    }
}
