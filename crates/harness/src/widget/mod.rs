//! The dashboard tile, step 6 of the data flow (log text → parsed run → Jeedom world → engine →
//! state → **views**): a pure function from the virtual's value to what the widget
//! `cmd.info.string.Info_backup` draws (`docs/widget.md#decision`), and its renderings as compact
//! text ([`Tile::render_text`]) and as a self-contained HTML fragment ([`Tile::render_html`]).
//!
//! # How the value is read
//! As the widget's script reads it in the browser (revision 2023-03, the reference: measured in
//! headless Chromium, see `docs/widget.md#the-real-widget-measured` and [`real`]):
//! - the value is decoded by `JSON.parse` (`json`): any depth, numbers beyond `f64` as
//!   ±Infinity, integers as doubles, lone surrogate escapes accepted;
//! - `x != 0` and `x != -1` (abstract equality against a number): numbers compare as numbers;
//!   strings are converted with JavaScript's `Number()` (trimmed, `""` is 0, `"1"` is 1, `"abc"`
//!   is NaN and so differs from everything); `true`/`false` are 1/0; **`null` and a missing key
//!   are never equal to a number**, so they count as "different"; arrays and objects go through
//!   their string form (`[]` is `""` is 0, `{}` is NaN).
//! - `x >= 1`: the same conversion, except that `null` reads 0 and a missing key reads NaN, so
//!   both are "not >= 1".
//! - `action == 'endBackup'`: any value whose string form is the action's name (`["endBackup"]`).
//! - texts are printed as JavaScript concatenates them: `undefined` for a missing key, `null`,
//!   numbers as `String(number)` (`1e+21`).
//! - the script reads `backup.local`, `.samba` and `.market` before any check: a value that is
//!   not an object, or whose `backup` or one of those three is missing or `null`, makes it throw
//!   after hiding every panel: the tile is **empty** ([`Panel::Empty`]).
//! - the archive name is written only by the Local circle's branch: no Local circle, no name.
//! - the value's date is the tooltip of the finished panel only.
//!
//! Not modelled (Jeedom's transport, not the widget): on a page load Jeedom pastes the value into
//! the script unescaped (a value with `\"`, `\n` or `\\` inside a string then shows "Json
//! invalide"), and live updates longer than 3,096 bytes are cut. The view is the live update.
//!
//! The widget writes the archive name and `lastSave` with `innerHTML`, so markup in them is
//! interpreted by the real tile; the project's renderings escape it and say so
//! ([`Tile::interprets_markup`]).

mod html;
mod js;
mod json;
mod options;
pub mod real;
mod text;

use jiff::civil::DateTime;
use serde::{Serialize, Serializer};

use js::Thrown;
use json::JsValue;

pub use html::{TILE_CSS, escape, html_page};
pub use options::{CssColor, LoaderStyle, OptionError, Radius, WidgetOptions};

/// The widget parameters `--widget-param` knows (for the errors that list them).
pub fn options_known() -> &'static [&'static str] {
    &options::KNOWN
}

/// The number of top-level keys the widget requires (the 2023-03 and 2024-08 scenarios write 9).
pub const EXPECTED_KEYS: usize = 9;

/// What the tile shows for one value of the virtual, and when that value was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tile {
    pub panel: Panel,
    /// When the value was written (Jeedom's `valueDate`, the tooltip of the finished panel), when
    /// known.
    #[serde(serialize_with = "ser_opt_at")]
    pub written_at: Option<DateTime>,
}

/// The one panel the widget displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Panel {
    /// Nothing: the widget's script stopped (threw) after hiding every panel.
    Empty,
    /// The alert panel: the value could not be used as a backup state.
    Alert(AlertKind),
    /// The spinner panel after `startBackup` or `startUpdate`.
    InProgress {
        /// `lastSave` as the widget prints it between brackets (`undefined` when missing, `null`).
        last_save: String,
    },
    /// The "backup finished" panel after `endBackup`.
    Finished {
        /// `backup.local.fileName` as the widget prints it in brackets (`undefined` when missing,
        /// `null`); `None` when the Local circle is an error (the widget blanks it) or hidden (the
        /// widget writes the name only in the Local circle's branch).
        archive_name: Option<String>,
        /// Local, Samba, Market, in that order, each only when shown.
        circles: Vec<Circle>,
    },
}

/// Why the alert panel is shown (the decision's steps 1, 2, 3 and 6, in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "alert", rename_all = "snake_case")]
pub enum AlertKind {
    /// The value is empty or not JSON.
    InvalidJson,
    /// The decoded value does not have exactly [`EXPECTED_KEYS`] top-level keys.
    IncompleteJson { keys: usize },
    /// `errorScenario != 0`: the scenario itself reported a problem.
    CheckScenario,
    /// A 9-key value whose `action` is none of the three the widget knows.
    NoAction,
}

/// One repository's circle on the finished panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Circle {
    pub repo: Repo,
    pub state: CircleState,
    /// Why the circle has this state, in the order the widget lists them. Never empty.
    pub reasons: Vec<Reason>,
}

/// The backup repositories the widget knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Repo {
    Local,
    Samba,
    Market,
}

/// A circle's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CircleState {
    Success,
    Warning,
    Error,
}

/// One reason listed with a circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Local success: this run's archive is in the local folder.
    ArchivePresent,
    /// Local error: no archive of this run in the local folder.
    ArchiveMissing,
    /// Local warning: `erreurFileSize >= 1`. The sizes as the widget prints them (`fileSize`,
    /// `minSizeBackup`; `undefined` when missing, `null`).
    SizeBelow { size: String, min: String },
    /// `errorLogBackup >= 1`: an error line in the backup log.
    LogError,
    /// Samba error: the share's newest archive is not this run's.
    MissingFromShare,
    /// Samba success: this run's archive is the share's newest.
    PresentOnShare,
    /// Market error.
    MissingFromMarket,
    /// Market success.
    PresentOnMarket,
}

/// The overall tone of a tile, for a caller that colours text (terminal, table cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Finished, every circle green (or no circle).
    Good,
    /// In progress.
    Busy,
    /// Finished with a warning circle and no error circle.
    Warn,
    /// Finished with an error circle, an alert, or an empty tile.
    Bad,
}

/// What the tile shows for this value. Pure and total: never panics, whatever the string.
pub fn view(value: &str) -> Tile {
    view_at(value, None)
}

/// [`view`], with the time the value was written (the tooltip of every panel).
pub fn view_at(value: &str, written_at: Option<DateTime>) -> Tile {
    Tile {
        panel: decide(value),
        written_at,
    }
}

fn decide(value: &str) -> Panel {
    // 1. Empty or not JSON.
    if value.is_empty() {
        return Panel::Alert(AlertKind::InvalidJson);
    }
    let Some(json) = json::parse(value) else {
        return Panel::Alert(AlertKind::InvalidJson);
    };
    decide_json(value, &json).unwrap_or(Panel::Empty)
}

/// The widget's script from `JSON.parse` on; `Err` where it throws.
fn decide_json(text: &str, json: &JsValue) -> Result<Panel, Thrown> {
    // The script counts the keys (`Object.keys(null)` throws), then reads the three repositories
    // before any check: a missing or `null` parent throws.
    let keys = match json {
        JsValue::Null => return Err(Thrown),
        JsValue::Object(entries) => entries.len(),
        _ => 0,
    };
    for repo in ["local", "samba", "market"] {
        js::get(json, &["backup", repo, "error"])?;
    }
    // 2. Exactly 9 top-level keys.
    if keys != EXPECTED_KEYS {
        return Ok(Panel::Alert(AlertKind::IncompleteJson { keys }));
    }
    // 3. The scenario's own error flag.
    if js::loose_ne(js::get(json, &["errorScenario"])?, 0.0)? {
        return Ok(Panel::Alert(AlertKind::CheckScenario));
    }
    // 4.-6. The action, compared with `==`.
    let action = js::get(json, &["action"])?;
    if js::loose_eq_str(action, "endBackup")? {
        return finished(text, json);
    }
    if js::loose_eq_str(action, "startBackup")? || js::loose_eq_str(action, "startUpdate")? {
        return Ok(Panel::InProgress {
            last_save: js::concat(js::get(json, &["lastSave"])?)?,
        });
    }
    Ok(Panel::Alert(AlertKind::NoAction))
}

fn finished(text: &str, json: &JsValue) -> Result<Panel, Thrown> {
    let mut circles = Vec::with_capacity(3);
    let mut archive_name = None;
    let log_error = js::ge(js::get(json, &["errorLogBackup"])?, 1.0)?;

    let local = |key: &str| js::get(json, &["backup", "local", key]);
    let local_error = local("error")?;
    if text.contains("local") && js::loose_ne(local_error, -1.0)? {
        // Error, else warning (size and/or log), else success; the log reason rides along.
        let (state, mut reasons) = if js::ge(local_error, 1.0)? {
            (CircleState::Error, vec![Reason::ArchiveMissing])
        } else if js::ge(local("erreurFileSize")?, 1.0)? {
            let size = Reason::SizeBelow {
                size: js::concat(local("fileSize")?)?,
                min: js::concat(js::get(json, &["minSizeBackup"])?)?,
            };
            (CircleState::Warning, vec![size])
        } else if log_error {
            (CircleState::Warning, Vec::new())
        } else {
            (CircleState::Success, vec![Reason::ArchivePresent])
        };
        if log_error && state != CircleState::Success {
            reasons.push(Reason::LogError);
        }
        if state != CircleState::Error {
            archive_name = Some(js::concat(local("fileName")?)?);
        }
        circles.push(Circle {
            repo: Repo::Local,
            state,
            reasons,
        });
    }

    // The widget tests the value's text for the repository's name, then reads its key.
    for (repo, needle, missing, present) in [
        (Repo::Samba, "samba", Reason::MissingFromShare, Reason::PresentOnShare),
        (
            Repo::Market,
            "market",
            Reason::MissingFromMarket,
            Reason::PresentOnMarket,
        ),
    ] {
        let error = js::get(json, &["backup", needle, "error"])?;
        if text.contains(needle) && js::loose_ne(error, -1.0)? {
            let (state, reason) = if js::ge(error, 1.0)? {
                (CircleState::Error, missing)
            } else {
                (CircleState::Success, present)
            };
            circles.push(Circle {
                repo,
                state,
                reasons: vec![reason],
            });
        }
    }
    Ok(Panel::Finished { archive_name, circles })
}

impl Tile {
    /// The circle of this repository, when the finished panel shows it.
    pub fn circle(&self, repo: Repo) -> Option<&Circle> {
        match &self.panel {
            Panel::Finished { circles, .. } => circles.iter().find(|c| c.repo == repo),
            _ => None,
        }
    }

    /// The overall tone, for a caller that adds colours.
    pub fn tone(&self) -> Tone {
        match &self.panel {
            Panel::Empty | Panel::Alert(_) => Tone::Bad,
            Panel::InProgress { .. } => Tone::Busy,
            Panel::Finished { circles, .. } => match circles.iter().map(|c| c.state).max() {
                Some(CircleState::Error) => Tone::Bad,
                Some(CircleState::Warning) => Tone::Warn,
                Some(CircleState::Success) | None => Tone::Good,
            },
        }
    }

    /// A short, stable, language-neutral label for tables and comparisons, e.g.
    /// `finished local=success samba=error`, `in_progress`, `alert:incomplete_json(6)`, `empty`.
    pub fn label(&self) -> String {
        match &self.panel {
            Panel::Empty => "empty".to_owned(),
            Panel::Alert(kind) => format!("alert:{}", kind.code()),
            Panel::InProgress { .. } => "in_progress".to_owned(),
            Panel::Finished { circles, .. } => {
                let mut s = "finished".to_owned();
                for c in circles {
                    s.push(' ');
                    s.push_str(c.repo.code());
                    s.push('=');
                    s.push_str(c.state.code());
                }
                s
            }
        }
    }

    /// The tooltip of the panel: when the value was written, when known. The widget shows it on
    /// the finished panel only.
    pub fn tooltip(&self, lang: crate::Lang) -> Option<String> {
        if !matches!(self.panel, Panel::Finished { .. }) {
            return None;
        }
        self.written_at.map(|at| {
            format!(
                "{} {}",
                lang.pick("Valeur écrite le", "Value written on"),
                crate::world::format_at(at)
            )
        })
    }
}

impl Tile {
    /// Does the real tile interpret markup in a text of this value? The widget writes the archive
    /// name and `lastSave` with `innerHTML`: a `<` or an `&` in them is read as HTML there (an
    /// injection hole of the widget), while the project's renderings show them as text.
    pub fn interprets_markup(&self) -> bool {
        let markup = |s: &str| s.contains('<') || s.contains('&');
        match &self.panel {
            Panel::InProgress { last_save } => markup(last_save),
            Panel::Finished {
                archive_name: Some(name),
                ..
            } => markup(name),
            _ => false,
        }
    }
}

impl AlertKind {
    /// A stable code (`invalid_json`, `incomplete_json(6)`, `check_scenario`, `no_action`).
    pub fn code(&self) -> String {
        match self {
            AlertKind::InvalidJson => "invalid_json".to_owned(),
            AlertKind::IncompleteJson { keys } => format!("incomplete_json({keys})"),
            AlertKind::CheckScenario => "check_scenario".to_owned(),
            AlertKind::NoAction => "no_action".to_owned(),
        }
    }
}

impl Repo {
    /// `local`, `samba`, `market`.
    pub fn code(self) -> &'static str {
        match self {
            Repo::Local => "local",
            Repo::Samba => "samba",
            Repo::Market => "market",
        }
    }

    /// The name shown under the circle (the same in both languages).
    pub fn name(self) -> &'static str {
        match self {
            Repo::Local => "Local",
            Repo::Samba => "Samba",
            Repo::Market => "Market",
        }
    }
}

impl CircleState {
    /// `success`, `warning`, `error`.
    pub fn code(self) -> &'static str {
        match self {
            CircleState::Success => "success",
            CircleState::Warning => "warning",
            CircleState::Error => "error",
        }
    }
}

fn ser_opt_at<S: Serializer>(at: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&crate::world::format_at(*at)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const END_OK: &str = r#"{"date":"2025-09-10","heure":"03h27","minSizeBackup":"100 MB","backup":{"local":{"fileName":"backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz","fileSize":"212.01 MB","erreurFileSize":0,"error":0},"samba":{"error":0},"market":{"error":-1}},"lastSave":"2025-09-10-03h30","update":0,"action":"endBackup","errorScenario":0,"errorLogBackup":0}"#;

    #[test]
    fn nightly_success_shows_local_and_samba_green() {
        let tile = view(END_OK);
        assert_eq!(
            tile.panel,
            Panel::Finished {
                archive_name: Some("backup-Jeedom-4.4.20-2025-09-10-03h27.tar.gz".into()),
                circles: vec![
                    Circle {
                        repo: Repo::Local,
                        state: CircleState::Success,
                        reasons: vec![Reason::ArchivePresent]
                    },
                    Circle {
                        repo: Repo::Samba,
                        state: CircleState::Success,
                        reasons: vec![Reason::PresentOnShare]
                    },
                ],
            }
        );
        assert_eq!(tile.label(), "finished local=success samba=success");
        assert_eq!(tile.tone(), Tone::Good);
    }

    #[test]
    fn tile_serializes_with_tags() {
        let json = serde_json::to_value(view_at("", jiff::civil::date(2025, 9, 10).at(3, 30, 33, 0).into()))
            .expect("a tile serializes");
        assert_eq!(
            json,
            serde_json::json!({"panel": {"kind": "alert", "alert": "invalid_json"}, "written_at": "2025-09-10 03:30:33"})
        );
    }
}
