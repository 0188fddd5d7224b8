//! The dashboard tile, step 6 of the data flow (log text → parsed run → Jeedom world → engine →
//! state → **views**): a pure function from the virtual's value to what the widget
//! `cmd.info.string.Info_backup` draws (`docs/widget.md#decision`), and its renderings as compact
//! text ([`Tile::render_text`]) and as a self-contained HTML fragment ([`Tile::render_html`]).
//!
//! # How the value is read
//! The widget decodes the value in the browser and compares its flags with JavaScript's loose
//! operators. [`view`] does the same, so a hand-edited virtual reads as the dashboard reads it:
//! - `x != 0` and `x != -1` (abstract equality against a number): numbers compare as numbers;
//!   strings are converted with JavaScript's `Number()` (trimmed, `""` is 0, `"1"` is 1, `"abc"`
//!   is NaN and so differs from everything); `true`/`false` are 1/0; **`null` and a missing key
//!   are never equal to a number**, so they count as "different"; arrays and objects go through
//!   their string form (`[]` is `""` is 0, `{}` is NaN).
//! - `x >= 1`: the same conversion, except that `null` reads 0 and a missing key reads NaN, so
//!   both are "not >= 1".
//! - `action` must be exactly the string `endBackup`, `startBackup` or `startUpdate`.
//!
//! Two places where a literal reading of the browser would not give a tile, and what the view
//! does instead (never reached by any scenario revision; documented so that the choice is
//! visible): a decoded value that is valid JSON but not an object (array, string, number, `null`)
//! counts as having 0 keys, so it shows the "incomplete JSON" alert; and a path through a missing
//! parent (`backup.local.error` when `backup` is absent) reads as a missing key rather than a
//! script error. Numbers beyond `f64` and lone UTF-16 surrogates make `serde_json` reject the
//! value, which therefore shows "invalid JSON" where a browser would still decode it.

mod html;
mod js;
mod options;
mod text;

use jiff::civil::DateTime;
use serde::{Serialize, Serializer};
use serde_json::Value;

pub use html::{TILE_CSS, escape, html_page};
pub use options::{CssColor, LoaderStyle, OptionError, Radius, WidgetOptions};

/// The number of top-level keys the widget requires (the 2023-03 and 2024-08 scenarios write 9).
pub const EXPECTED_KEYS: usize = 9;

/// What the tile shows for one value of the virtual, and when that value was written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tile {
    pub panel: Panel,
    /// When the value was written (Jeedom's `valueDate`, the tooltip of every panel), when known.
    #[serde(serialize_with = "ser_opt_at")]
    pub written_at: Option<DateTime>,
}

/// The one panel the widget displays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Panel {
    /// The alert panel: the value could not be used as a backup state.
    Alert(AlertKind),
    /// The spinner panel after `startBackup` or `startUpdate`.
    InProgress {
        /// `lastSave` as the widget prints it between brackets; empty when missing or `null`.
        last_save: String,
    },
    /// The "backup finished" panel after `endBackup`.
    Finished {
        /// `backup.local.fileName`, shown in brackets; `None` when the local circle is an error
        /// (the widget blanks it) or when the value has no usable name (missing or `null`).
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
    /// Local warning: `erreurFileSize >= 1`. The sizes as the value gives them (`fileSize`,
    /// `minSizeBackup`); `None` when missing or `null`.
    SizeBelow { size: Option<String>, min: Option<String> },
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
    /// Finished with an error circle, or an alert.
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
    let Ok(json) = serde_json::from_str::<Value>(value) else {
        return Panel::Alert(AlertKind::InvalidJson);
    };
    // 2. Exactly 9 top-level keys (a non-object has none, see the module doc).
    let keys = json.as_object().map_or(0, serde_json::Map::len);
    if keys != EXPECTED_KEYS {
        return Panel::Alert(AlertKind::IncompleteJson { keys });
    }
    // 3. The scenario's own error flag.
    if js::loose_ne(js::get(&json, &["errorScenario"]), 0.0) {
        return Panel::Alert(AlertKind::CheckScenario);
    }
    // 4.-6. The action.
    match js::get(&json, &["action"]).and_then(Value::as_str) {
        Some("endBackup") => finished(value, &json),
        Some("startBackup" | "startUpdate") => Panel::InProgress {
            last_save: display(js::get(&json, &["lastSave"])).unwrap_or_default(),
        },
        _ => Panel::Alert(AlertKind::NoAction),
    }
}

/// The widget's text for a value, or `None` for `undefined` and `null`.
fn display(v: Option<&Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(js::to_js_string(v)),
    }
}

fn finished(text: &str, json: &Value) -> Panel {
    let mut circles = Vec::with_capacity(3);
    let log_error = js::ge(js::get(json, &["errorLogBackup"]), 1.0);

    let local_error = js::get(json, &["backup", "local", "error"]);
    if text.contains("local") && js::loose_ne(local_error, -1.0) {
        // Error, else warning (size and/or log), else success; the log reason rides along.
        let (state, mut reasons) = if js::ge(local_error, 1.0) {
            (CircleState::Error, vec![Reason::ArchiveMissing])
        } else if js::ge(js::get(json, &["backup", "local", "erreurFileSize"]), 1.0) {
            let size = Reason::SizeBelow {
                size: display(js::get(json, &["backup", "local", "fileSize"])),
                min: display(js::get(json, &["minSizeBackup"])),
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
        let error = js::get(json, &["backup", needle, "error"]);
        if text.contains(needle) && js::loose_ne(error, -1.0) {
            let (state, reason) = if js::ge(error, 1.0) {
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

    let local_is_error = circles
        .iter()
        .any(|c| c.repo == Repo::Local && c.state == CircleState::Error);
    let archive_name = if local_is_error {
        None
    } else {
        display(js::get(json, &["backup", "local", "fileName"]))
    };
    Panel::Finished { archive_name, circles }
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
            Panel::Alert(_) => Tone::Bad,
            Panel::InProgress { .. } => Tone::Busy,
            Panel::Finished { circles, .. } => match circles.iter().map(|c| c.state).max() {
                Some(CircleState::Error) => Tone::Bad,
                Some(CircleState::Warning) => Tone::Warn,
                Some(CircleState::Success) | None => Tone::Good,
            },
        }
    }

    /// A short, stable, language-neutral label for tables and comparisons, e.g.
    /// `finished local=success samba=error`, `in_progress`, `alert:incomplete_json(6)`.
    pub fn label(&self) -> String {
        match &self.panel {
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

    /// The tooltip of the panel: when the value was written, when known.
    pub fn tooltip(&self, lang: crate::Lang) -> Option<String> {
        self.written_at.map(|at| {
            format!(
                "{} {}",
                lang.pick("Valeur écrite le", "Value written on"),
                crate::world::format_at(at)
            )
        })
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
