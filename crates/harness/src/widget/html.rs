//! The tile as a self-contained HTML fragment that draws like the dashboard widget: inline CSS,
//! inline SVG icons, no script, no external resource. Every class is prefixed `ib-` so several
//! tiles (with different options) can sit in one page; each tile carries its options as CSS
//! custom properties on its own root element.
//!
//! The markup is a contract for reports and tests: the root has `data-panel`
//! (`finished`, `in_progress`, `alert`, `empty`), `data-tone`, and `data-alert` on alerts; each circle has
//! `data-repo` and `data-state`.

use std::fmt::Write as _;

use super::text::{alert_text, empty_text, finished_title, markup_note, reason_text, state_symbol};
use super::{Circle, LoaderStyle, Panel, Repo, Tile, Tone, WidgetOptions};
use crate::Lang;

/// The stylesheet every fragment carries (identical in every fragment, so repeating it is
/// harmless).
pub const TILE_CSS: &str = concat!(
    ".ib-tile{box-sizing:border-box;display:inline-flex;flex-direction:column;align-items:center;",
    "justify-content:center;gap:6px;width:232px;min-height:160px;margin:6px;padding:12px 10px;",
    "vertical-align:top;background:var(--ib-bg);color:var(--ib-text);border-radius:var(--ib-radius);",
    "box-shadow:0 1px 4px rgba(0,0,0,.22);font:13px/1.3 Roboto,\"Segoe UI\",\"Helvetica Neue\",Arial,sans-serif;",
    "text-align:center;overflow:hidden}",
    ".ib-tile *{box-sizing:border-box}",
    ".ib-title{font-weight:600;font-size:14px}",
    ".ib-detail{font-size:11px;opacity:.85;overflow-wrap:anywhere;max-width:100%}",
    ".ib-circles{display:flex;justify-content:center;align-items:flex-start;gap:8px;margin-top:4px}",
    ".ib-repo{display:flex;flex-direction:column;align-items:center;width:66px}",
    ".ib-circle{position:relative;display:flex;align-items:center;justify-content:center;width:42px;",
    "height:42px;border-radius:var(--ib-icon-radius);color:var(--ib-icon)}",
    ".ib-circle svg{width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;",
    "stroke-linecap:round;stroke-linejoin:round}",
    ".ib-state-success{background:var(--ib-ok)}.ib-state-warning{background:var(--ib-warn)}",
    ".ib-state-error{background:var(--ib-err)}",
    ".ib-badge{position:absolute;right:-4px;bottom:-4px;width:17px;height:17px;border-radius:50%;",
    "background:var(--ib-bg);font-size:11px;line-height:17px;font-weight:700}",
    ".ib-state-success .ib-badge{color:var(--ib-ok)}.ib-state-warning .ib-badge{color:var(--ib-warn)}",
    ".ib-state-error .ib-badge{color:var(--ib-err)}",
    ".ib-repo-name{margin-top:4px;font-size:11px;font-weight:600}",
    ".ib-reason{font-size:9.5px;line-height:1.2;opacity:.8}",
    ".ib-loader{position:relative;display:flex;align-items:center;justify-content:center;gap:4px;",
    "width:46px;height:46px;margin:4px 0}",
    ".ib-loader-1{border:5px solid rgba(128,128,128,.22);border-top-color:var(--ib-loader);",
    "border-radius:50%;animation:ib-spin 1s linear infinite}",
    ".ib-loader-2 span{width:11px;height:11px;border-radius:50%;background:var(--ib-loader);",
    "animation:ib-bounce 1.2s ease-in-out infinite}",
    ".ib-loader-3 span{width:6px;height:34px;border-radius:2px;background:var(--ib-loader);",
    "animation:ib-bars 1s ease-in-out infinite}",
    ".ib-loader-4 span{position:absolute;inset:0;border-radius:50%;background:var(--ib-loader);",
    "animation:ib-pulse 1.6s ease-out infinite}",
    ".ib-loader span:nth-child(2){animation-delay:-.8s}.ib-loader-2 span:nth-child(2),",
    ".ib-loader-3 span:nth-child(2){animation-delay:-.85s}.ib-loader-2 span:nth-child(3),",
    ".ib-loader-3 span:nth-child(3){animation-delay:-.7s}.ib-loader-3 span:nth-child(4){animation-delay:-.55s}",
    "@keyframes ib-spin{to{transform:rotate(360deg)}}",
    "@keyframes ib-bounce{0%,80%,100%{transform:scale(.45);opacity:.5}40%{transform:scale(1);opacity:1}}",
    "@keyframes ib-bars{0%,100%{transform:scaleY(.35)}50%{transform:scaleY(1)}}",
    "@keyframes ib-pulse{0%{transform:scale(.25);opacity:.9}100%{transform:scale(1);opacity:.1}}",
    "@media (prefers-reduced-motion:reduce){.ib-loader,.ib-loader span{animation-duration:4s}}",
);

/// Escapes a text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A text from the value, made safe for output: redacted, then escaped.
fn user_text(text: &str) -> String {
    escape(&crate::redact::redact_text(text))
}

impl Tile {
    /// A self-contained HTML fragment (a `<style>` and one `<div class="ib-tile">`) that draws
    /// the tile as the dashboard does, with these options.
    pub fn render_html(&self, lang: Lang, options: &WidgetOptions) -> String {
        let o = options;
        let (panel, tone) = match &self.panel {
            Panel::Empty => ("empty", Tone::Bad),
            Panel::Alert(_) => ("alert", Tone::Bad),
            Panel::InProgress { .. } => ("in_progress", Tone::Busy),
            Panel::Finished { .. } => ("finished", self.tone()),
        };
        let tone = match tone {
            Tone::Good => "good",
            Tone::Busy => "busy",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
        };
        let mut h = String::with_capacity(4096 + TILE_CSS.len());
        let _ = write!(h, "<style>{TILE_CSS}</style>");
        let _ = write!(
            h,
            "<div class=\"ib-tile ib-panel-{panel}\" data-panel=\"{panel}\" data-tone=\"{tone}\""
        );
        if let Panel::Alert(kind) = &self.panel {
            let _ = write!(h, " data-alert=\"{}\"", escape(&kind.code()));
        }
        if let Some(tip) = self.tooltip(lang) {
            let _ = write!(h, " title=\"{}\"", escape(&tip));
        }
        // Colours are `CssColor`s (checked syntax); escaping them as well costs nothing.
        let _ = write!(
            h,
            " style=\"--ib-bg:{};--ib-text:{};--ib-radius:{}px;--ib-loader:{};--ib-icon:{};\
             --ib-icon-radius:{}%;--ib-ok:{};--ib-warn:{};--ib-err:{}\">",
            escape(o.background.as_str()),
            escape(o.text.as_str()),
            o.tile_radius.get(),
            escape(o.loader.as_str()),
            escape(o.icons.as_str()),
            o.icon_radius.get(),
            escape(o.success.as_str()),
            escape(o.warning.as_str()),
            escape(o.error.as_str()),
        );
        match &self.panel {
            Panel::Empty => {
                let _ = write!(
                    h,
                    "<div class=\"ib-detail ib-empty\">{}</div>",
                    escape(empty_text(lang))
                );
            }
            Panel::Alert(kind) => {
                let _ = write!(
                    h,
                    "<div class=\"ib-circle ib-state-error\">{ALERT_ICON}</div>\
                     <div class=\"ib-title\">{}</div><div class=\"ib-detail\">{}</div>",
                    lang.pick("Alerte", "Alert"),
                    escape(&alert_text(*kind, lang)),
                );
            }
            Panel::InProgress { last_save } => {
                let spans = match o.loader_style {
                    LoaderStyle::Ring => "",
                    LoaderStyle::Dots => "<span></span><span></span><span></span>",
                    LoaderStyle::Bars => "<span></span><span></span><span></span><span></span>",
                    LoaderStyle::Pulse => "<span></span><span></span>",
                };
                let _ = write!(
                    h,
                    "<div class=\"ib-loader ib-loader-{}\" role=\"progressbar\" aria-label=\"{}\">{spans}</div>\
                     <div class=\"ib-title\">{}</div><div class=\"ib-detail\">[{}]</div>",
                    o.loader_style.number(),
                    lang.pick("Sauvegarde en cours", "Backup in progress"),
                    lang.pick("Sauvegarde en cours", "Backup in progress"),
                    user_text(last_save),
                );
            }
            Panel::Finished { archive_name, circles } => {
                let _ = write!(h, "<div class=\"ib-title\">{}</div>", finished_title(lang));
                if let Some(name) = archive_name {
                    let _ = write!(h, "<div class=\"ib-detail ib-archive\">[{}]</div>", user_text(name));
                }
                h.push_str("<div class=\"ib-circles\">");
                for c in circles {
                    circle_html(&mut h, c, lang);
                }
                h.push_str("</div>");
            }
        }
        if self.interprets_markup() {
            let _ = write!(
                h,
                "<div class=\"ib-detail ib-markup\">{}</div>",
                escape(markup_note(lang))
            );
        }
        h.push_str("</div>");
        h
    }
}

fn circle_html(h: &mut String, c: &Circle, lang: Lang) {
    let reasons: Vec<String> = c.reasons.iter().map(|r| reason_text(r, lang)).collect();
    let tip = format!("{}{} {}", c.repo.name(), lang.pick(" :", ":"), reasons.join(", "));
    let icon = match c.repo {
        Repo::Local => LOCAL_ICON,
        Repo::Samba => SAMBA_ICON,
        Repo::Market => MARKET_ICON,
    };
    let _ = write!(
        h,
        "<div class=\"ib-repo\" data-repo=\"{}\" data-state=\"{}\" title=\"{}\">\
         <div class=\"ib-circle ib-state-{}\">{icon}<span class=\"ib-badge\" aria-hidden=\"true\">{}</span></div>\
         <div class=\"ib-repo-name\">{}</div>",
        c.repo.code(),
        c.state.code(),
        user_text(&tip),
        c.state.code(),
        state_symbol(c.state),
        c.repo.name(),
    );
    for r in &reasons {
        let _ = write!(h, "<div class=\"ib-reason\">{}</div>", user_text(r));
    }
    h.push_str("</div>");
}

/// A hard disk.
const LOCAL_ICON: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M4 13 6.5 5h11L20 13\"/>\
<rect x=\"3\" y=\"13\" width=\"18\" height=\"7\" rx=\"1.5\"/><path d=\"M16.5 16.5h.01M13.5 16.5h.01\"/></svg>";
/// A folder on the network.
const SAMBA_ICON: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5V14a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 14z\"/>\
<path d=\"M12 15.5V19M7 20h10\"/></svg>";
/// A cloud.
const MARKET_ICON: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M7 18.5a4.5 4.5 0 0 1-.6-8.96A6 6 0 0 1 17.8 8.6 4.5 4.5 0 0 1 17.5 18.5z\"/></svg>";
/// A warning triangle.
const ALERT_ICON: &str = "<svg viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"M12 3.5 2.5 20h19z\"/>\
<path d=\"M12 10v4.5M12 17.2v.01\"/></svg>";

/// A standalone page around `body` (already HTML): doctype, UTF-8, a light page style, and a
/// Content-Security-Policy that forbids every network request and every script, so a report
/// attached to a forum post can neither phone home nor run anything. `title` is escaped.
pub fn html_page(title: &str, body: &str, lang: Lang) -> String {
    let lang_code = match lang {
        Lang::Fr => "fr",
        Lang::En => "en",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang_code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n\
         <style>body{{margin:0;padding:16px 20px;background:#e9ebee;color:#2b2b2b;\
         font:14px/1.45 Roboto,\"Segoe UI\",\"Helvetica Neue\",Arial,sans-serif}}\
         h1{{font-size:20px;margin:0 0 12px}}h2{{font-size:16px;margin:18px 0 8px}}\
         pre,code{{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:12.5px}}</style>\n\
         </head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
