//! The real widget template in a real browser, the reference [`super::view`] is held to: a widget
//! template file (`cmd.info.string.Info_backup.html`, or a copy someone edited) is filled as
//! Jeedom's `cmd::toHtml` fills it, put in one page with a shim of the front-end functions its
//! script calls (`real_shim.js`), and run in headless Chromium; a driver (`real_driver.js`) feeds
//! it every value of a batch through its update function (Jeedom's live update) and records what
//! is visible after each one. [`compare`] then lists where that differs from the view.
//!
//! # The contract a template follows
//! What is read back is what the published templates draw, found by their class names with the
//! command's id appended (`alert`, `startBackup`/`startBackupAtt`, `endBackup`/`endBackupAtt`,
//! `BackupName`, `BackupLocal`/`circleBackupLocal`, the same for `Samba` and `Market`; an `id`
//! with that name does too, as in the 2022-01 template): which panel is shown, its text, the
//! archive name, the date tooltip of the finished panel, each shown circle with the colour its
//! circle is painted in and its tooltip. Alerts are recognised by their words (`invalide`,
//! `incomplet`, `log`, `action`), tooltips by the published wording (`Sauvegarde Présente`,
//! `absente du dossier local`, `… < …` for the size, `log` for the backup log), colours by the
//! theme's three state colours ([`THEME`]) or the CSS names `green`, `orange`, `red`.
//!
//! # How Jeedom fills a template (read from jeedom/core's `cmd::toHtml`, facts only)
//! `#id#`, `#uid#` (`cmd<id>__<random>__`), `#eqLogic_id#`, `#version#` (`dashboard`),
//! `#name#`, `#name_display#`, `#logicalId#`, `#unite#`, `#minValue#`/`#maxValue#` (0/100),
//! `#history#`, `#displayHistory#`, `#hideCmdName#`, `#cmdColor#`, `#state#` (the value, with `'`
//! escaped as `\'`), `#collectDate#`, `#valueDate#`, `#alertLevel#`, then one `#key#` per widget
//! parameter; the replacements are applied one after the other over the whole text, and any
//! other `#word#` stays as it is (the templates test `'#param#' != '#'+'param#'` for "not set").
//! `{{text}}` is Jeedom's translation markup: French is the text itself.
//!
//! # Cost
//! One Chromium process and one page per batch, whatever its size (a page load costs about a
//! second; each value a fraction of a millisecond). The page's Content-Security-Policy forbids
//! every network access: the template's own script runs, and can reach nothing.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiff::civil::DateTime;
use serde::Deserialize;

use super::{AlertKind, CircleState, Panel, Reason, Repo, Tile};

const SHIM: &str = include_str!("real_shim.js");
const DRIVER: &str = include_str!("real_driver.js");

/// The command id the page gives the widget.
pub const CMD_ID: &str = "4242";
/// Its `#uid#`, shaped as Jeedom shapes it.
const CMD_UID: &str = "cmd4242__1804289383__";

/// The theme's state colours the page defines (`--al-success-color`, `--al-warning-color`,
/// `--al-danger-color`), as Chromium computes them.
pub const THEME: [(CircleState, &str); 3] = [
    (CircleState::Success, "rgb(25, 135, 84)"),
    (CircleState::Warning, "rgb(255, 140, 0)"),
    (CircleState::Error, "rgb(220, 53, 69)"),
];

/// How long one batch may take before Chromium is stopped.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// Why the real widget could not be run.
#[derive(Debug, thiserror::Error)]
pub enum RealError {
    #[error("{path}: cannot read the widget template: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a widget template: {why}")]
    NotATemplate { path: PathBuf, why: crate::Text },
    #[error(
        "chromium not found (install Debian's `chromium` package, or point INFOBACKUP_CHROMIUM at a Chromium binary): {0}"
    )]
    NoBrowser(crate::Text),
    #[error("running {browser}: {why}")]
    Browser { browser: PathBuf, why: String },
}

/// A widget template file, read and checked.
#[derive(Debug, Clone)]
pub struct WidgetTemplate {
    path: PathBuf,
    html: String,
}

/// One value to draw, with the time it was written (Jeedom's `valueDate`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sample {
    pub value: String,
    pub at: Option<DateTime>,
}

impl WidgetTemplate {
    /// Reads a template file. Refused when it is not text or holds no `#id#` placeholder.
    pub fn load(path: &Path) -> Result<WidgetTemplate, RealError> {
        let bytes = std::fs::read(path).map_err(|source| RealError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let html = String::from_utf8(bytes).map_err(|e| RealError::NotATemplate {
            path: path.to_path_buf(),
            why: crate::Text::new(
                format!("pas du texte UTF-8 (octet {})", e.utf8_error().valid_up_to()),
                format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            ),
        })?;
        WidgetTemplate::from_text(path, html)
    }

    /// A template from its text; `path` names it in messages.
    pub fn from_text(path: &Path, html: String) -> Result<WidgetTemplate, RealError> {
        if !html.contains("#id#") {
            return Err(RealError::NotATemplate {
                path: path.to_path_buf(),
                why: crate::Text::new(
                    "pas de marque #id# (un modèle de widget de commande Jeedom en a une)",
                    "no #id# placeholder (a Jeedom command widget template has one)",
                ),
            });
        }
        Ok(WidgetTemplate {
            path: path.to_path_buf(),
            html,
        })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The template filled as `cmd::toHtml` fills it, for a page load showing `state`.
    pub fn fill(&self, state: &str, value_date: &str, params: &[(&str, &str)]) -> String {
        let state = state.replace("\\'", "'").replace('\'', "\\'");
        let mut replace: Vec<(String, String)> = [
            ("#id#", CMD_ID),
            ("#name#", "Info backup"),
            ("#name_display#", "Info backup"),
            ("#history#", ""),
            ("#displayHistory#", "display : none;"),
            ("#unite#", ""),
            ("#minValue#", "0"),
            ("#maxValue#", "100"),
            ("#logicalId#", ""),
            ("#uid#", CMD_UID),
            ("#version#", "dashboard"),
            ("#hideCmdName#", ""),
            ("#eqLogic_id#", "42"),
            ("#cmdColor#", ""),
            ("#tendance#", ""),
            ("#state#", state.as_str()),
            ("#collectDate#", value_date),
            ("#valueDate#", value_date),
            ("#alertLevel#", "none"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in params {
            replace.push((format!("#{k}#"), (*v).to_owned()));
        }
        let mut out = translate(&self.html);
        for (k, v) in &replace {
            out = out.replace(k.as_str(), v);
        }
        out
    }

    /// The whole page for one batch: theme, shim, the filled template (page load with an empty
    /// value), the values and the driver.
    pub fn page(&self, samples: &[Sample], params: &[(&str, &str)]) -> String {
        let values: Vec<(&str, String)> = samples
            .iter()
            .map(|s| (s.value.as_str(), s.at.map(crate::world::format_at).unwrap_or_default()))
            .collect();
        let theme: String = THEME
            .iter()
            .map(|(state, rgb)| {
                let name = match state {
                    CircleState::Success => "success",
                    CircleState::Warning => "warning",
                    CircleState::Error => "danger",
                };
                format!("--al-{name}-color:{rgb};")
            })
            .collect();
        let config = serde_json::json!({ "id": CMD_ID, "uid": CMD_UID });
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; \
             style-src 'unsafe-inline'; img-src data:\">\
             <title>infobackup: real widget</title>\
             <style>:root{{{theme}--txt-color:rgb(30, 30, 30);--link-color:rgb(42, 110, 187)}}</style>\
             <script>window.__ibLoadErrors=[];window.addEventListener('error',function(e){{\
             window.__ibLoadErrors.push(String(e.message||'error'));}});</script>\
             <script>{SHIM}</script></head><body>\n{}\n\
             <script type=\"application/json\" id=\"ib-real-config\">{}</script>\
             <script type=\"application/json\" id=\"ib-values\">{}</script>\
             <script>{DRIVER}</script></body></html>\n",
            self.fill("", "", params),
            script_json(&config),
            script_json(&serde_json::json!(values)),
        )
    }
}

/// JSON that can sit inside a `<script>` element: no `<`, `>` or `&` left.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Jeedom's translation markup in French: `{{text}}` is `text`.
fn translate(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find("{{") {
        match rest[open + 2..].find("}}") {
            Some(close) => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 2..open + 2 + close]);
                rest = &rest[open + 2 + close + 2..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// A Chromium binary to run pages in.
#[derive(Debug, Clone)]
pub struct Browser {
    path: PathBuf,
}

impl Browser {
    /// `$INFOBACKUP_CHROMIUM` when set (an empty or wrong path means "not installed"), else
    /// `/usr/bin/chromium`, else `chromium` or `chromium-browser` on `PATH`.
    pub fn find() -> Result<Browser, RealError> {
        if let Some(chosen) = std::env::var_os("INFOBACKUP_CHROMIUM") {
            let chosen = PathBuf::from(chosen);
            return if chosen.is_file() {
                Ok(Browser { path: chosen })
            } else {
                Err(RealError::NoBrowser(crate::Text::new(
                    format!("INFOBACKUP_CHROMIUM=« {} » n'est pas un fichier", chosen.display()),
                    format!("INFOBACKUP_CHROMIUM={:?} is not a file", chosen.display().to_string()),
                )))
            };
        }
        let fixed = Path::new("/usr/bin/chromium");
        if fixed.is_file() {
            return Ok(Browser {
                path: fixed.to_path_buf(),
            });
        }
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|p| p.is_file())
            .map(|path| Browser { path })
            .ok_or_else(|| {
                RealError::NoBrowser(crate::Text::new(
                    "ni dans /usr/bin/chromium ni dans le PATH",
                    "not at /usr/bin/chromium nor on PATH",
                ))
            })
    }

    /// The binary.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Draws every sample with the template in one page; one [`Drawn`] per sample, in order.
    pub fn draw(
        &self,
        template: &WidgetTemplate,
        samples: &[Sample],
        params: &[(&str, &str)],
    ) -> Result<Batch, RealError> {
        let fail = |why: String| RealError::Browser {
            browser: self.path.clone(),
            why,
        };
        let dir = TempDir::new().map_err(|e| fail(format!("cannot create a temporary folder: {e}")))?;
        let page = dir.0.join("widget.html");
        std::fs::write(&page, template.page(samples, params))
            .map_err(|e| fail(format!("cannot write {}: {e}", page.display())))?;
        let dom = self.dump_dom(&page, &dir.0.join("profile"))?;
        let json = extract_result(&dom)
            .ok_or_else(|| fail("the page gave no result (the widget's page did not finish loading)".to_owned()))?;
        let batch: Batch = serde_json::from_str(&json).map_err(|e| {
            let head: String = json.chars().take(120).collect();
            fail(format!("unreadable result from the page: {e} ({head}…)"))
        })?;
        if batch.drawn.len() != samples.len() {
            return Err(fail(format!(
                "the page drew {} values of {}",
                batch.drawn.len(),
                samples.len()
            )));
        }
        Ok(batch)
    }

    fn dump_dom(&self, page: &Path, profile: &Path) -> Result<String, RealError> {
        let fail = |why: String| RealError::Browser {
            browser: self.path.clone(),
            why,
        };
        let mut child = Command::new(&self.path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("file://{}", page.display()).replace(' ', "%20"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| fail(format!("cannot start it: {e}")))?;
        let mut stdout = child.stdout.take().ok_or_else(|| fail("no stdout".to_owned()))?;
        let mut stderr = child.stderr.take().ok_or_else(|| fail("no stderr".to_owned()))?;
        // Both pipes drained in threads, so a chatty Chromium never blocks on a full pipe.
        let out = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stdout.read_to_end(&mut s);
            s
        });
        let err = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) => {}
                Err(e) => return Err(fail(format!("cannot wait for it: {e}"))),
            }
            if started.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!("it did not finish within {TIMEOUT:?}")));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let dom = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
        let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
        if !status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
            return Err(fail(format!(
                "it failed ({status}): {}",
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            )));
        }
        Ok(dom)
    }
}

/// The driver's `<pre id="ib-real-result">` content (ASCII JSON, no `<`, `>` or `&`).
fn extract_result(dom: &str) -> Option<String> {
    let at = dom.rfind("id=\"ib-real-result\">")?;
    let rest = &dom[at + "id=\"ib-real-result\">".len()..];
    let end = rest.find("</pre>")?;
    Some(rest[..end].to_owned())
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let base = std::env::temp_dir();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for n in 0..100 {
            let dir = base.join(format!("infobackup-widget-{}-{stamp}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(TempDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free temporary folder name"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one page made of a batch.
#[derive(Debug, Clone, Deserialize)]
pub struct Batch {
    /// Script errors while the page loaded (the template's own code, before any value).
    pub load_errors: Vec<String>,
    /// One per sample, in order.
    pub drawn: Vec<Drawn>,
}

/// What the real widget shows after one value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Drawn {
    /// The update function threw (its message).
    pub threw: Option<String>,
    /// The visible panels (`alert`, `in_progress`, `finished`): one, or none for an empty tile.
    pub panels: Vec<String>,
    /// The alert's text when it is visible.
    pub alert: Option<String>,
    /// The in-progress text when visible.
    pub progress: Option<String>,
    /// The archive name's text on the finished panel.
    pub name: Option<String>,
    /// The archive name holds elements (markup the widget interpreted).
    pub name_markup: bool,
    /// The finished panel's tooltip (the value's date).
    pub date_title: Option<String>,
    /// The shown circles, in page order.
    pub circles: Vec<DrawnCircle>,
}

/// A circle the real widget shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DrawnCircle {
    pub repo: String,
    /// The colour its circle is painted in, as Chromium computes it (`rgb(…)`).
    pub colour: Option<String>,
    pub title: Option<String>,
}

impl Drawn {
    /// The tile as the real widget draws it, in one line: `finished "[name]" local=success
    /// samba=error`, `alert "…"`, `in_progress "…"`, `empty` (with the script's error, if any).
    pub fn describe(&self) -> String {
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out = match self.panels.as_slice() {
            [] => "empty".to_owned(),
            panels => panels.join("+"),
        };
        if let Some(a) = &self.alert {
            out.push_str(&format!(" {:?}", squash(a)));
        }
        if let Some(p) = &self.progress {
            out.push_str(&format!(" {:?}", squash(p)));
        }
        if let Some(n) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            out.push_str(&format!(" {:?}", squash(n)));
        }
        for c in &self.circles {
            let colour = c.colour.as_deref().unwrap_or("none");
            match colour_state(colour) {
                Some(s) => out.push_str(&format!(" {}={}", c.repo, s.code())),
                None => out.push_str(&format!(" {}={colour}", c.repo)),
            }
        }
        if let Some(t) = &self.threw {
            out.push_str(&format!(" (script error: {t})"));
        }
        out
    }
}

/// A circle colour read as a state: the theme's colours and the CSS names green, orange, red.
pub fn colour_state(colour: &str) -> Option<CircleState> {
    THEME
        .iter()
        .find(|(_, rgb)| *rgb == colour)
        .map(|(s, _)| *s)
        .or(match colour {
            "rgb(0, 128, 0)" => Some(CircleState::Success),
            "rgb(255, 165, 0)" => Some(CircleState::Warning),
            "rgb(255, 0, 0)" => Some(CircleState::Error),
            _ => None,
        })
}

/// An alert's text read as its kind (the keys count of "incomplete" is not compared).
fn alert_kind(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase();
    if t.contains("invalide") || t.contains("invalid") {
        Some("invalid_json")
    } else if t.contains("incomplet") || t.contains("imcomplet") {
        Some("incomplete_json")
    } else if t.contains("log") {
        Some("check_scenario")
    } else if t.contains("action") {
        Some("no_action")
    } else {
        None
    }
}

fn view_alert_kind(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::InvalidJson => "invalid_json",
        AlertKind::IncompleteJson { .. } => "incomplete_json",
        AlertKind::CheckScenario => "check_scenario",
        AlertKind::NoAction => "no_action",
    }
}

/// One way the real widget differs from the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What differs: `panel`, `alert`, `text`, `archive name`, `circles`, `colour`, `tooltip`, …
    pub what: String,
    /// What the view says.
    pub view: String,
    /// What the real widget shows.
    pub widget: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: view {}, widget {}", self.what, self.view, self.widget)
    }
}

fn diff(what: impl Into<String>, view: impl Into<String>, widget: impl Into<String>) -> Difference {
    Difference {
        what: what.into(),
        view: view.into(),
        widget: widget.into(),
    }
}

fn quoted(s: Option<&str>) -> String {
    s.map_or_else(|| "nothing".to_owned(), |s| format!("{s:?}"))
}

/// The tooltip words each reason is recognised by, per repository (the published wording).
fn tooltip_marks(repo: Repo) -> &'static [(&'static str, &'static str)] {
    match repo {
        Repo::Local => &[
            ("archive present", "sauvegarde présente"),
            ("archive missing", "absente du dossier local"),
            ("log error", "log"),
            ("size below", " < "),
        ],
        Repo::Samba => &[
            ("archive present", "sauvegarde présente"),
            ("archive missing", "absente du dossier samba"),
        ],
        Repo::Market => &[
            ("archive present", "sauvegarde présente"),
            ("archive missing", "absente du market"),
        ],
    }
}

fn reason_mark(r: &Reason) -> &'static str {
    match r {
        Reason::ArchivePresent | Reason::PresentOnShare | Reason::PresentOnMarket => "archive present",
        Reason::ArchiveMissing | Reason::MissingFromShare | Reason::MissingFromMarket => "archive missing",
        Reason::LogError => "log error",
        Reason::SizeBelow { .. } => "size below",
    }
}

/// Where the real widget's drawing of a value differs from the view's tile for it. Empty when
/// they agree.
pub fn compare(tile: &Tile, drawn: &Drawn) -> Vec<Difference> {
    let mut out = Vec::new();
    let widget_panel = match drawn.panels.as_slice() {
        [] => "empty".to_owned(),
        [one] => one.clone(),
        many => many.join("+"),
    };
    let view_panel = match &tile.panel {
        Panel::Empty => "empty",
        Panel::Alert(_) => "alert",
        Panel::InProgress { .. } => "in_progress",
        Panel::Finished { .. } => "finished",
    };
    if widget_panel != view_panel {
        let mut widget = widget_panel;
        if let Some(a) = &drawn.alert {
            widget.push_str(&format!(" {a:?}"));
        }
        if let Some(t) = &drawn.threw {
            widget.push_str(&format!(" (script error: {t})"));
        }
        out.push(diff("panel", view_panel, widget));
        return out;
    }
    match &tile.panel {
        Panel::Empty => {}
        Panel::Alert(kind) => {
            let text = drawn.alert.as_deref().unwrap_or("");
            let want = view_alert_kind(*kind);
            if alert_kind(text) != Some(want) {
                out.push(diff("alert", want, format!("{text:?}")));
            }
        }
        Panel::InProgress { last_save } => {
            let text = drawn.progress.as_deref().unwrap_or("");
            if !tile.interprets_markup() && !text.contains(&format!("[{last_save}]")) {
                out.push(diff("text", format!("[{last_save}]"), format!("{text:?}")));
            }
        }
        Panel::Finished { archive_name, circles } => {
            let want = archive_name.as_ref().map_or_else(String::new, |n| format!("[{n}]"));
            let got = drawn.name.as_deref().unwrap_or("");
            if !tile.interprets_markup() && got.trim() != want {
                out.push(diff("archive name", format!("{want:?}"), format!("{got:?}")));
            }
            if let Some(at) = tile.written_at {
                let date = crate::world::format_at(at);
                if !drawn.date_title.as_deref().unwrap_or("").contains(&date) {
                    out.push(diff("date tooltip", date, quoted(drawn.date_title.as_deref())));
                }
            }
            let view_repos: Vec<&str> = circles.iter().map(|c| c.repo.code()).collect();
            let widget_repos: Vec<&str> = drawn.circles.iter().map(|c| c.repo.as_str()).collect();
            if view_repos != widget_repos {
                out.push(diff("circles", view_repos.join(","), widget_repos.join(",")));
                return out;
            }
            for (c, d) in circles.iter().zip(&drawn.circles) {
                let colour = d.colour.as_deref().unwrap_or("none");
                if colour_state(colour) != Some(c.state) {
                    out.push(diff(
                        format!("{} colour", c.repo.code()),
                        c.state.code(),
                        match colour_state(colour) {
                            Some(s) => format!("{} ({colour})", s.code()),
                            None => format!("{colour} (not a state colour)"),
                        },
                    ));
                }
                let title = d.title.as_deref().unwrap_or("");
                let lower = title.to_lowercase();
                for (mark, words) in tooltip_marks(c.repo) {
                    let expected = c.reasons.iter().any(|r| reason_mark(r) == *mark);
                    if lower.contains(words) != expected {
                        out.push(diff(
                            format!("{} tooltip", c.repo.code()),
                            format!("{}{mark}", if expected { "" } else { "no " }),
                            format!("{title:?}"),
                        ));
                    }
                }
                for r in &c.reasons {
                    if let Reason::SizeBelow { size, min } = r {
                        let want = format!("{size} < {min}");
                        if !title.contains(&want) {
                            out.push(diff(format!("{} tooltip", c.repo.code()), want, format!("{title:?}")));
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_jeedom_placeholders_and_keeps_the_others() {
        let t = WidgetTemplate::from_text(
            Path::new("t.html"),
            "<div data-cmd_id=\"#id#\" data-cmd_uid=\"#uid#\">{{Valeur du}} #valueDate# '#state#' '#debug#' #couleurText#</div>"
                .to_owned(),
        )
        .unwrap();
        let html = t.fill("it's", "2025-09-10 03:30:33", &[("couleurText", "red")]);
        assert_eq!(
            html,
            "<div data-cmd_id=\"4242\" data-cmd_uid=\"cmd4242__1804289383__\">Valeur du 2025-09-10 03:30:33 'it\\'s' '#debug#' red</div>"
        );
    }

    #[test]
    fn a_file_without_id_is_not_a_template() {
        let e = WidgetTemplate::from_text(Path::new("x.html"), "<p>hello</p>".to_owned()).unwrap_err();
        assert!(e.to_string().starts_with("x.html: not a widget template"), "{e}");
    }

    #[test]
    fn values_cannot_close_the_script_element() {
        let t = WidgetTemplate::from_text(Path::new("t.html"), "<div>#id#</div>".to_owned()).unwrap();
        let page = t.page(
            &[Sample {
                value: "</script><script>alert(1)</script>&".to_owned(),
                at: None,
            }],
            &[],
        );
        assert!(!page.contains("</script><script>alert(1)"));
        assert!(page.contains("\\u003c/script\\u003e"));
    }

    #[test]
    fn colours_read_as_states() {
        assert_eq!(colour_state("rgb(25, 135, 84)"), Some(CircleState::Success));
        assert_eq!(colour_state("rgb(255, 0, 0)"), Some(CircleState::Error));
        assert_eq!(colour_state("rgb(1, 2, 3)"), None);
    }
}
