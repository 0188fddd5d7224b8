//! The diagnosis as one self-contained HTML page to attach to a forum post: the two tiles drawn
//! as the dashboard draws them ([`crate::widget`]'s fragments), the disagreement, the flags with
//! their sentences and quoted lines, the timeline, the triggers and the assumptions. No script,
//! no external resource: the page is wrapped by [`crate::widget::html_page`], whose
//! Content-Security-Policy forbids both.
//!
//! Markup contract (tests and tools rely on it): each run is `<section class="ib-run"
//! data-run="N" data-healthy="true|false">`; each tile preview is `<figure class="ib-preview"
//! data-profile="published|strict">` around the widget's `.ib-tile`; each flag is `<div
//! class="ib-flag" data-flag="errorLog" data-published="1" data-strict="0">`; each quote is
//! `<figure class="ib-quote" data-line="12">` with the pointed part in `<mark>`.

use std::fmt::Write as _;

use super::words::{
    self, assumption_text, disagreement_text, event_is_bad, event_text, flag_title, flag_value, note_text,
    profile_caption, quote_label, run_summary, run_title, summary_line, tile_short, trigger_words,
};
use super::{Diagnosis, FlagReport, Quote, RunReport, Verdict};
use crate::Lang;
use crate::case::Fact;
use crate::engine::Flag;
use crate::widget::{self, Tone, WidgetOptions, escape};
use crate::world::format_at;

const CSS: &str = concat!(
    ".ib-report{max-width:1040px;margin:0 auto}",
    ".ib-report header{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12)}",
    ".ib-report h1{margin:0 0 4px}.ib-meta{color:#555;font-size:13px}",
    ".ib-run{background:#fff;border-radius:8px;padding:14px 18px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.12);",
    "border-left:6px solid #2e7d32}",
    ".ib-run[data-healthy=false]{border-left-color:#c62828}.ib-run.ib-common{border-left-color:#9e9e9e}",
    ".ib-run h2{margin:0 0 6px}.ib-run h3{font-size:14.5px;margin:16px 0 6px;color:#333;",
    "border-bottom:1px solid #e3e3e3;padding-bottom:3px}",
    ".ib-brief{margin:4px 0 10px}",
    ".ib-previews{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;background:#f1f3f5;",
    "border-radius:6px;padding:10px 12px}",
    ".ib-preview{margin:0;text-align:center}.ib-preview figcaption{font-size:12.5px;font-weight:600;color:#444;margin-bottom:2px}",
    ".ib-disagree{background:#fff4e5;border:1px solid #f0b357;border-radius:6px;padding:8px 12px;margin:12px 0}",
    ".ib-disagree strong{color:#9a5b00}",
    ".ib-flag{border:1px solid #e6e6e6;border-radius:6px;padding:6px 10px;margin:6px 0}",
    ".ib-flag-head{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap;font-weight:600}",
    ".ib-val{display:inline-block;min-width:22px;padding:0 6px;border-radius:10px;text-align:center;",
    "font:600 12px/18px \"DejaVu Sans Mono\",Menlo,Consolas,monospace;color:#fff;background:#9e9e9e}",
    ".ib-val-0{background:#2e7d32}.ib-val-1{background:#c62828}.ib-val-x{background:#424242}",
    ".ib-val-name{font-weight:400;color:#666;font-size:12px}",
    ".ib-flag p{margin:4px 0}.ib-who{color:#666;font-size:12px;margin-right:4px}",
    ".ib-flag-error{border-color:#e7a1a1;background:#fffafa}",
    ".ib-quote{margin:6px 0 2px;border:1px solid #d9dde3;border-radius:5px;overflow:hidden}",
    ".ib-quote figcaption{background:#eef1f5;font-size:12px;padding:2px 8px;color:#333}",
    ".ib-quote pre{margin:0;padding:5px 8px;white-space:pre-wrap;overflow-wrap:anywhere;background:#fbfbfc}",
    ".ib-quote .ib-ln{color:#888;user-select:none;margin-right:10px}",
    ".ib-quote mark{background:#ffe08a;padding:0 1px;border-radius:2px}",
    "table.ib-table{border-collapse:collapse;width:100%;font-size:13px}",
    ".ib-table td,.ib-table th{padding:2px 8px;border-bottom:1px solid #f0f0f0;vertical-align:top;text-align:left}",
    ".ib-table th{color:#555;font-weight:600}",
    ".ib-table td.ib-num{color:#888;text-align:right;white-space:nowrap;font-family:\"DejaVu Sans Mono\",Menlo,monospace}",
    ".ib-table td.ib-time{white-space:nowrap;font-family:\"DejaVu Sans Mono\",Menlo,monospace}",
    ".ib-bad{color:#b71c1c}",
    ".ib-tone-good{color:#2e7d32}.ib-tone-busy{color:#00838f}.ib-tone-warn{color:#b26a00}.ib-tone-bad{color:#c62828}",
    ".ib-assumptions{margin:4px 0;padding-left:18px;font-size:13px}",
    ".ib-assumptions li{margin:2px 0}",
    ".ib-report footer{color:#555;font-size:12.5px;margin:14px 0 24px}",
    ".ib-summary{font-weight:600}",
);

fn tone_class(t: Tone) -> &'static str {
    match t {
        Tone::Good => "ib-tone-good",
        Tone::Busy => "ib-tone-busy",
        Tone::Warn => "ib-tone-warn",
        Tone::Bad => "ib-tone-bad",
    }
}

/// Text from the diagnosis, made safe: redacted, then escaped.
fn txt(d: &Diagnosis, s: &str) -> String {
    escape(&d.redact(s))
}

/// Renders the whole page.
pub fn render_html(d: &Diagnosis, lang: Lang) -> String {
    let mut b = String::with_capacity(64 * 1024);
    let _ = write!(b, "<style>{CSS}</style><div class=\"ib-report\">");
    header(&mut b, d, lang);
    for r in &d.runs {
        run(&mut b, d, r, lang);
    }
    if !d.assumptions.is_empty() || !d.notes.is_empty() {
        b.push_str("<section class=\"ib-run ib-common\" data-healthy=\"true\">");
        if !d.assumptions.is_empty() {
            let title = lang.pick("Hypothèses communes", "Common assumptions");
            assumptions(&mut b, d, &d.assumptions, title, lang);
        }
        if !d.notes.is_empty() {
            let items = d.notes.iter().map(|n| txt(d, &note_text(n, lang)));
            item_list(&mut b, lang.pick("Remarques sur le texte", "Notes on the text"), items);
        }
        b.push_str("</section>");
    }
    let _ = write!(
        b,
        "<footer><p class=\"ib-summary\">{}</p><p>{}</p><p>{} infobackup {}.</p></footer></div>",
        txt(d, &summary_line(d, lang)),
        escape(lang.pick(
            "Les secrets (mot de passe et utilisateur Samba, clés API) sont masqués : [masqué].",
            "Secrets (Samba password and user, API keys) are masked: [redacted].",
        )),
        escape(lang.pick("Rapport produit par", "Report made by")),
        env!("CARGO_PKG_VERSION"),
    );
    let title = match lang {
        Lang::Fr => format!("Diagnostic infobackup — {}", d.name),
        Lang::En => format!("infobackup diagnosis — {}", d.name),
    };
    d.redact(&widget::html_page(&d.redact(&title), &b, lang))
}

fn header(b: &mut String, d: &Diagnosis, lang: Lang) {
    let n = d.runs.len();
    let title = match lang {
        Lang::Fr => format!("Diagnostic infobackup — {}", d.name),
        Lang::En => format!("infobackup diagnosis — {}", d.name),
    };
    let _ = write!(b, "<header><h1>{}</h1>", txt(d, &title));
    if let Some(desc) = &d.description {
        let _ = write!(b, "<p>{}</p>", txt(d, desc));
    }
    let (jeedom, published, tz, php) = (&d.jeedom, &d.published_profile, &d.tz, d.php);
    let strict = d.strict_profile.as_deref().unwrap_or("—");
    let s = if n > 1 { "s" } else { "" };
    let size = super::words::size_words(d.min_size, lang);
    let meta = match lang {
        Lang::Fr => format!(
            "Jeedom {jeedom} · {n} sauvegarde{s} · scénario publié {published} · lecture stricte {strict} · fuseau {tz} · PHP {php} · seuil {size}"
        ),
        Lang::En => format!(
            "Jeedom {jeedom} · {n} backup run{s} · published scenario {published} · strict reading {strict} · time zone {tz} · PHP {php} · threshold {size}"
        ),
    };
    let _ = write!(b, "<p class=\"ib-meta\">{}</p>", txt(d, &meta));
    if let Some(t) = words::jeedom_seen_text(d, lang) {
        let _ = write!(b, "<p class=\"ib-disagree\">{}</p>", txt(d, &t));
    }
    if let Some(live) = &d.live {
        let _ = write!(
            b,
            "<h3>{} ({})</h3><ul class=\"ib-assumptions\">",
            lang.pick("Sur la box", "On the box"),
            txt(d, &live.url)
        );
        if let Some(v) = &live.version {
            let _ = write!(
                b,
                "<li>{} {}</li>",
                lang.pick("Version de Jeedom :", "Jeedom version:"),
                txt(d, v)
            );
        }
        if let Some(t) = &live.tile {
            let _ = write!(
                b,
                "<li>{} <span class=\"{}\">{}</span></li>",
                lang.pick("La tuile affiche maintenant :", "The tile shows now:"),
                tone_class(t.tone()),
                txt(d, &t.headline(lang))
            );
        }
        for (k, v) in &live.config {
            let _ = write!(b, "<li><code>{}</code> = <code>{}</code></li>", txt(d, k), txt(d, v));
        }
        for u in &live.unavailable {
            let _ = write!(
                b,
                "<li>{} {}</li>",
                lang.pick("Non disponible :", "Not available:"),
                txt(d, &super::words::unavailable_text(u, lang))
            );
        }
        if let Some(c) = &live.log_caveat {
            let _ = write!(b, "<li>{}</li>", txt(d, &super::words::caveat_text(c, lang)));
        }
        b.push_str("</ul>");
        if let Some(t) = &live.tile {
            let _ = write!(
                b,
                "<div class=\"ib-previews\"><figure class=\"ib-preview\" data-profile=\"live\"><figcaption>{}</figcaption>{}</figure></div>",
                lang.pick("Tuile actuelle", "Current tile"),
                t.render_html(lang, &WidgetOptions::default())
            );
        }
    }
    b.push_str("</header>");
}

fn preview(b: &mut String, d: &Diagnosis, v: &Verdict, strict: bool, lang: Lang) {
    let _ = write!(
        b,
        "<figure class=\"ib-preview\" data-profile=\"{}\"><figcaption>{}</figcaption>{}</figure>",
        if strict { "strict" } else { "published" },
        txt(d, &profile_caption(v, strict, lang)),
        v.tile.render_html(lang, &WidgetOptions::default()),
    );
}

fn run(b: &mut String, d: &Diagnosis, r: &RunReport, lang: Lang) {
    let _ = write!(
        b,
        "<section class=\"ib-run\" id=\"run-{n}\" data-run=\"{n}\" data-healthy=\"{}\"><h2>{}</h2><p class=\"ib-brief\"><strong>{}</strong> {}</p>",
        r.healthy(),
        txt(d, &run_title(r, lang)),
        lang.pick("En bref :", "In short:"),
        txt(d, &run_summary(r, lang)),
        n = r.number,
    );
    if !r.cause.is_empty() {
        let _ = write!(
            b,
            "<div class=\"ib-cause\"><h3>{}</h3>",
            lang.pick(
                "Ce que Jeedom a écrit (cause, avertissements)",
                "What Jeedom printed (cause, warnings)"
            )
        );
        for q in &r.cause {
            quote(b, d, q, lang);
        }
        b.push_str("</div>");
    }
    if !r.findings.is_empty() {
        let _ = write!(
            b,
            "<div class=\"ib-advice\"><h3>{}</h3><ul>",
            lang.pick("Ce que cela veut dire, et que faire", "What it means, and what to do")
        );
        for f in &r.findings {
            let (cause, advice) = super::advice::finding_words(f, lang);
            let _ = write!(b, "<li data-signature=\"{}\">{}", escape(f.id()), txt(d, &cause));
            if let Some(a) = advice {
                let _ = write!(
                    b,
                    "<br><strong>{}</strong> {}",
                    lang.pick("À faire :", "To do:"),
                    txt(d, &a)
                );
            }
            b.push_str("</li>");
        }
        b.push_str("</ul></div>");
    }
    b.push_str("<div class=\"ib-previews\">");
    if let Some(v) = &r.published {
        preview(b, d, v, false, lang);
    }
    if let Some(v) = &r.strict {
        preview(b, d, v, true, lang);
    }
    if r.published.is_none() {
        let _ = write!(
            b,
            "<p>{}</p>",
            lang.pick("Non rejouée : voir les remarques.", "Not replayed: see the notes.")
        );
    }
    b.push_str("</div>");
    if let Some(dis) = r.disagreement() {
        let _ = write!(
            b,
            "<div class=\"ib-disagree\"><strong>{}</strong> {}</div>",
            lang.pick("Les deux lectures divergent.", "The two readings disagree."),
            txt(d, &disagreement_text(r, &dis, lang))
        );
    }
    if r.published.is_some() {
        let _ = write!(b, "<h3>{}</h3>", lang.pick("Voyants, un par un", "Flags, one by one"));
        for f in &r.flags {
            flag(b, d, r, f, lang);
        }
    }
    // Timeline.
    let _ = write!(
        b,
        "<h3>{} ({})</h3><table class=\"ib-table ib-timeline\"><tr><th>{}</th><th>{}</th><th></th></tr>",
        lang.pick("Déroulement d'après le log", "Timeline from the log"),
        txt(d, &r.file),
        lang.pick("ligne", "line"),
        lang.pick("heure", "time"),
    );
    for e in &r.events {
        let lines = if e.last_line > e.line {
            format!("{}–{}", e.line, e.last_line)
        } else {
            e.line.to_string()
        };
        let _ = write!(
            b,
            "<tr><td class=\"ib-num\">{lines}</td><td class=\"ib-time\">{}</td><td{}>{}</td></tr>",
            e.time.map(format_at).unwrap_or_default(),
            if event_is_bad(e) { " class=\"ib-bad\"" } else { "" },
            txt(d, &event_text(e, lang)),
        );
    }
    b.push_str("</table>");
    // Triggers.
    if !r.triggers.is_empty() {
        let _ = write!(
            b,
            "<h3>{}</h3><table class=\"ib-table ib-triggers\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            lang.pick("Déclencheurs rejoués", "Triggers replayed"),
            lang.pick("heure", "time"),
            lang.pick("déclencheur", "trigger"),
            r.published.as_ref().map_or("", |v| v.profile.as_str()),
            r.strict.as_ref().map_or("", |v| v.profile.as_str()),
        );
        for t in &r.triggers {
            let cell = |tile: &Option<crate::widget::Tile>| {
                tile.as_ref().map_or_else(String::new, |x| {
                    format!(
                        "<span class=\"{}\">{}</span>",
                        tone_class(x.tone()),
                        txt(d, &tile_short(x, lang))
                    )
                })
            };
            let _ = write!(
                b,
                "<tr><td class=\"ib-time\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                format_at(t.at),
                txt(d, &trigger_words(&t.trigger, t.strict_only, lang)),
                cell(&t.published),
                cell(&t.strict),
            );
            if !t.scenario_log.is_empty() {
                let lines: Vec<String> = t.scenario_log.iter().map(|l| txt(d, l)).collect();
                let _ = write!(
                    b,
                    "<tr><td></td><td colspan=\"3\">{}<pre class=\"ib-scenario-log\">{}</pre></td></tr>",
                    lang.pick(
                        "Ce qu'a écrit le log de votre scénario :",
                        "What your scenario's log said:"
                    ),
                    lines.join("\n")
                );
            }
        }
        b.push_str("</table>");
    }
    if !r.assumptions.is_empty() {
        let title = lang.pick("Hypothèses pour cette sauvegarde", "Assumptions for this run");
        assumptions(b, d, &r.assumptions, title, lang);
    }
    b.push_str("</section>");
}

/// A titled list of assumptions, the run's or the common ones: the same words either way.
fn assumptions(b: &mut String, d: &Diagnosis, list: &[Fact], title: &str, lang: Lang) {
    let items = list.iter().map(|a| txt(d, assumption_text(a, d, lang).trim()));
    item_list(b, title, items);
}

/// A heading and a list of already escaped items, in the style of the assumption lists.
fn item_list(b: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let _ = write!(b, "<h3>{title}</h3><ul class=\"ib-assumptions\">");
    for item in items {
        let _ = write!(b, "<li>{item}</li>");
    }
    b.push_str("</ul>");
}

fn val(f: Option<Flag>) -> String {
    let class = match f {
        Some(Flag::Ok) => "ib-val-0",
        Some(Flag::Error) => "ib-val-1",
        Some(Flag::Disabled) => "ib-val-m",
        None => "ib-val-x",
    };
    format!("<span class=\"ib-val {class}\">{}</span>", flag_value(f))
}

fn flag(b: &mut String, d: &Diagnosis, r: &RunReport, f: &FlagReport, lang: Lang) {
    let kind = f.kind;
    let p = r.published.as_ref();
    let s = r.strict.as_ref();
    let code = |v: Option<&Verdict>| v.map_or_else(String::new, |v| flag_value(v.flag(kind)));
    let error = [p, s].into_iter().flatten().any(|v| v.flag(kind) == Some(Flag::Error));
    let _ = write!(
        b,
        "<div class=\"ib-flag{}\" data-flag=\"{kind}\" data-published=\"{}\" data-strict=\"{}\"><div class=\"ib-flag-head\">{}",
        if error { " ib-flag-error" } else { "" },
        code(p),
        code(s),
        escape(&flag_title(kind, lang)),
    );
    for v in [p, s].into_iter().flatten() {
        let _ = write!(
            b,
            " {}<span class=\"ib-val-name\">{}</span>",
            val(v.flag(kind)),
            escape(&v.profile)
        );
    }
    b.push_str("</div>");
    let ps = p.map(|v| words::flag_sentence_for(d, v, kind, lang));
    let ss = s.map(|v| words::flag_sentence_for(d, v, kind, lang));
    match (ps, ss) {
        (Some(a), Some(bb)) if a == bb => {
            let _ = write!(b, "<p>{}</p>", txt(d, &a));
        }
        (Some(a), Some(bb)) => {
            let _ = write!(
                b,
                "<p><span class=\"ib-who\">{}</span>{}</p><p><span class=\"ib-who\">{}</span>{}</p>",
                escape(p.map_or("", |v| v.profile.as_str())),
                txt(d, &a),
                escape(s.map_or("", |v| v.profile.as_str())),
                txt(d, &bb),
            );
        }
        (Some(a), None) => {
            let _ = write!(b, "<p>{}</p>", txt(d, &a));
        }
        _ => {}
    }
    if let Some(a) = words::flag_defaults_text(d, r, kind, lang) {
        let _ = write!(b, "<p class=\"ib-assumed\">{}</p>", txt(d, &a));
    }
    for q in &f.quotes {
        quote(b, d, q, lang);
    }
    b.push_str("</div>");
}

fn quote(b: &mut String, d: &Diagnosis, q: &Quote, lang: Lang) {
    let body = match q
        .mark
        .as_ref()
        .and_then(|m| Some((q.text.get(..m.start)?, q.text.get(m.clone())?, q.text.get(m.end..)?)))
    {
        Some((before, marked, after)) => format!("{}<mark>{}</mark>{}", txt(d, before), txt(d, marked), txt(d, after)),
        None => txt(d, &q.text),
    };
    let _ = write!(
        b,
        "<figure class=\"ib-quote\" data-line=\"{}\"><figcaption>{}:{} — {}</figcaption><pre><span class=\"ib-ln\">{}</span>{body}</pre></figure>",
        q.line,
        escape(&q.file),
        q.line,
        escape(&quote_label(q, lang)),
        q.line,
    );
}
