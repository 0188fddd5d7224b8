//! The diagnosis as text for a terminal or a forum post: per run the two tiles, the disagreement
//! first, one sentence per flag with the quoted log lines as annotated snippets
//! (annotate-snippets, ASCII frames when plain, coloured Unicode frames on a terminal), the
//! timeline, the replayed triggers and the assumptions; then the common assumptions and notes.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::words::{
    self, assumption_text, disagreement_text, event_is_bad, event_text, flag_title, flag_value, note_text,
    profile_caption, quote_label, run_summary, run_title, summary_line, tile_short, trigger_words,
};
use super::{Diagnosis, FlagReport, Quote, RunReport, Verdict};
use crate::Lang;
use crate::engine::{Flag, FlagKind};
use crate::widget::Tone;
use crate::world::format_at;

/// How to draw the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    /// ANSI colours and Unicode frames (a terminal); plain ASCII otherwise.
    pub color: bool,
    /// Width the snippets are trimmed to.
    pub width: usize,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            color: false,
            width: 100,
        }
    }
}

/// Characters underlined when a quote has no mark.
const MARK_UNMARKED: usize = 20;

/// Snippets are indented by this much under their flag.
const INDENT: &str = "    ";

struct Out<'a> {
    s: String,
    style: TextStyle,
    lang: Lang,
    d: &'a Diagnosis,
}

impl Out<'_> {
    fn line(&mut self, text: &str) {
        self.s.push_str(text);
        self.s.push('\n');
    }

    fn blank(&mut self) {
        if !self.s.ends_with("\n\n") && !self.s.is_empty() {
            self.s.push('\n');
        }
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.style.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint(text, "1")
    }

    fn tone(&self, text: &str, tone: Tone) -> String {
        let code = match tone {
            Tone::Good => "32",
            Tone::Busy => "36",
            Tone::Warn => "33",
            Tone::Bad => "31",
        };
        self.paint(text, code)
    }

    fn heading(&mut self, text: &str) {
        let t = self.bold(text);
        self.line(&t);
    }

    fn t<'s>(&self, fr: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(fr, en)
    }
}

/// Renders the diagnosis as text. Every text from the box has been redacted; the whole output is
/// redacted once more.
pub fn render_text(d: &Diagnosis, lang: Lang, style: TextStyle) -> String {
    let mut o = Out {
        s: String::new(),
        style,
        lang,
        d,
    };
    header(&mut o);
    short_answer(&mut o);
    for r in &d.runs {
        o.blank();
        run(&mut o, r);
    }
    if !d.assumptions.is_empty() {
        o.blank();
        let h = o.t("Hypothèses communes", "Common assumptions").to_owned();
        o.heading(&format!("== {h} =="));
        for a in &d.assumptions {
            let t = assumption_text(a, d, lang);
            o.line(&format!("  {t}"));
        }
    }
    if !d.notes.is_empty() {
        o.blank();
        let h = o.t("Remarques sur le texte", "Notes on the text").to_owned();
        o.heading(&format!("== {h} =="));
        for n in &d.notes {
            o.line(&format!("  - {}", note_text(n, lang)));
        }
    }
    o.blank();
    let summary = summary_line(d, lang);
    let summary = if d.problems() == 0 {
        o.tone(&summary, Tone::Good)
    } else {
        o.tone(&summary, Tone::Bad)
    };
    o.line(&summary);
    let secrets = o
        .t(
            "Les secrets (mot de passe et utilisateur Samba, clés API) sont masqués : [masqué].",
            "Secrets (Samba password and user, API keys) are masked: [redacted].",
        )
        .to_owned();
    o.line(&secrets);
    terminal_safe(&d.redact(&o.s), style.color)
}

/// Makes a text safe to print on a terminal: a pasted log is untrusted, and its control
/// characters (an escape sequence that retitles or clears the terminal, a bell, backspaces or a
/// carriage return that hide what precedes them, the C1 `CSI`) become visible symbols (`␛`,
/// `␇`, `␈`, …, `�` for C1). Line breaks and tabs stay. With `keep_color`, the colour sequences
/// this report draws itself (`ESC [ n;… m` with bold, plain and the foreground colours it uses)
/// are kept: a log can at most colour its own text, never hide it nor move the cursor.
pub fn terminal_safe(text: &str, keep_color: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if c == '\x1b'
            && keep_color
            && let Some(n) = sgr_len(rest)
        {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        out.push(if matches!(c, '\n' | '\t') {
            c
        } else {
            crate::log::render::visible(c)
        });
        rest = &rest[len..];
    }
    out
}

/// Length of a harmless colour sequence at the start of `s`: `ESC [`, codes among reset, bold
/// and foreground colours (0, 1, 22, 39, 30–37, 90–97) separated by `;`, then `m`.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\x1b[")?;
    let end = body.find('m')?;
    let codes = &body[..end];
    let ok = codes.is_empty()
        || codes
            .split(';')
            .all(|c| matches!(c.parse::<u8>(), Ok(0 | 1 | 22 | 39 | 30..=37 | 90..=97)));
    ok.then_some(2 + end + 1)
}

/// The answer first: one line per run, then the tile as it is now.
fn short_answer(o: &mut Out<'_>) {
    let d = o.d;
    if d.runs.is_empty() {
        return;
    }
    o.blank();
    let h = o.t("Réponse courte", "Short answer").to_owned();
    o.heading(&format!("== {h} =="));
    for r in &d.runs {
        let line = words::short_line(r, o.lang);
        let line = if r.healthy() { line } else { o.paint(&line, "31") };
        o.line(&format!("  {}. {line}", r.number));
    }
    if let Some((n, tile)) = words::tile_now(d, o.lang) {
        let l = format!("  {} {tile}", words::tile_now_label(n, o.lang));
        o.line(&l);
    }
}

fn header(o: &mut Out<'_>) {
    let d = o.d;
    let n = d.runs.len();
    // A version the log does not give is said to be assumed (#15 point 7).
    let assumed = d
        .assumptions
        .iter()
        .any(|f| f.subject == crate::case::Subject::Jeedom && matches!(f.origin, crate::case::Origin::Assumed { .. }));
    let jeedom = match (assumed, o.lang) {
        (false, _) => d.jeedom.to_string(),
        (true, Lang::Fr) => format!("{} (supposé)", d.jeedom),
        (true, Lang::En) => format!("{} (assumed)", d.jeedom),
    };
    let title = match o.lang {
        Lang::Fr => format!(
            "Diagnostic infobackup : {} — Jeedom {}, {n} sauvegarde{}",
            d.name,
            jeedom,
            if n > 1 { "s" } else { "" }
        ),
        Lang::En => format!(
            "infobackup diagnosis: {} — Jeedom {}, {n} backup run{}",
            d.name,
            jeedom,
            if n > 1 { "s" } else { "" }
        ),
    };
    o.heading(&title);
    if let Some(desc) = &d.description {
        o.line(desc);
    }
    let strict = d.strict_profile.as_deref().unwrap_or("—");
    let (published, tz, php) = (&d.published_profile, &d.tz, d.php);
    let size = words::size_words(d.min_size, o.lang);
    let line = match o.lang {
        // `--profile strict`: no published scenario is replayed.
        Lang::Fr if published == "strict" => {
            format!("Profil : strict · fuseau {tz} · PHP {php} · seuil {size}")
        }
        Lang::En if published == "strict" => {
            format!("Profile: strict · time zone {tz} · PHP {php} · threshold {size}")
        }
        Lang::Fr => format!(
            "Scénario publié : {published} · lecture stricte : {strict} · fuseau {tz} · PHP {php} · seuil {size}"
        ),
        Lang::En => format!(
            "Published scenario: {published} · strict reading: {strict} · time zone {tz} · PHP {php} · threshold {size}"
        ),
    };
    o.line(&line);
    if let Some(t) = words::jeedom_seen_text(d, o.lang) {
        let t = o.paint(&format!("! {t}"), "1;33");
        o.line(&t);
    }
    if let Some(live) = &d.live {
        live_section(o, live);
    }
}

fn live_section(o: &mut Out<'_>, live: &super::Live) {
    o.blank();
    let h = o.t("Sur la box", "On the box").to_owned();
    o.heading(&format!("== {h} ({}) ==", live.url));
    if let Some(v) = &live.version {
        let l = format!("  {} {v}", o.t("Version de Jeedom :", "Jeedom version:"));
        o.line(&l);
    }
    if let Some(tile) = &live.tile {
        let text = o.tone(&tile.headline(o.lang), tile.tone());
        let l = format!(
            "  {} {text}",
            o.t("La tuile affiche maintenant :", "The tile shows now:")
        );
        o.line(&l);
    }
    for (k, v) in &live.config {
        o.line(&format!("  {k} = {v:?}"));
    }
    for u in &live.unavailable {
        let l = format!(
            "  {} {}",
            o.t("Non disponible :", "Not available:"),
            words::unavailable_text(u, o.lang)
        );
        o.line(&l);
    }
    if let Some(c) = &live.log_caveat {
        o.line(&format!("  {}", words::caveat_text(c, o.lang)));
    }
}

fn tile_line(o: &Out<'_>, v: &Verdict, strict: bool, width: usize) -> String {
    let caption = profile_caption(v, strict, o.lang);
    let pad = width.saturating_sub(caption.chars().count());
    let text = o.tone(&v.tile.headline(o.lang), v.tile.tone());
    format!("  {caption}{} : {text}", " ".repeat(pad))
}

fn run(o: &mut Out<'_>, r: &RunReport) {
    let lang = o.lang;
    let title = format!("== {} ==", run_title(r, lang));
    o.heading(&title);
    let brief = format!("{} {}", o.t("En bref :", "In short:"), run_summary(r, lang));
    o.line(&brief);
    cause_block(o, r);
    advice_block(o, r);

    // Tiles.
    o.blank();
    o.heading(o.t("Tuiles", "Tiles"));
    let captions: Vec<usize> = [
        r.published.as_ref().map(|v| (v, false)),
        r.strict.as_ref().map(|v| (v, true)),
    ]
    .into_iter()
    .flatten()
    .map(|(v, s)| profile_caption(v, s, lang).chars().count())
    .collect();
    let width = captions.into_iter().max().unwrap_or(0);
    match &r.published {
        Some(v) => {
            let l = tile_line(o, v, false, width);
            o.line(&l);
        }
        None => {
            let l = o
                .t("  Non rejouée : voir les remarques.", "  Not replayed: see the notes.")
                .to_owned();
            o.line(&l);
        }
    }
    if let Some(v) = &r.strict {
        let l = tile_line(o, v, true, width);
        o.line(&l);
    }

    // The disagreement, first.
    if let Some(dis) = r.disagreement() {
        o.blank();
        let h = o.paint(
            o.t("! Les deux lectures divergent", "! The two readings disagree"),
            "1;33",
        );
        o.line(&h);
        o.line(&format!("  {}", disagreement_text(r, &dis, lang)));
    }

    // Flags.
    if r.published.is_some() {
        o.blank();
        o.heading(o.t("Voyants, un par un", "Flags, one by one"));
        for f in &r.flags {
            flag_block(o, r, f);
        }
    }

    // Timeline.
    o.blank();
    let h = format!(
        "{} ({})",
        o.t("Déroulement d'après le log", "Timeline from the log"),
        r.file
    );
    o.heading(&h);
    let start_date = r.run.start.as_ref().map(|(t, _)| t.date());
    let span = |e: &super::Event| {
        if e.last_line > e.line {
            format!("{}-{}", e.line, e.last_line)
        } else {
            e.line.to_string()
        }
    };
    let num_w = r.events.iter().map(|e| span(e).len()).max().unwrap_or(1).max(3);
    for e in &r.events {
        let time = e.time.map_or_else(
            || " ".repeat(8),
            |t| {
                if Some(t.date()) == start_date || start_date.is_none() {
                    t.strftime("%H:%M:%S").to_string()
                } else {
                    format_at(t)
                }
            },
        );
        let lines = span(e);
        let text = event_text(e, lang);
        let text = if event_is_bad(e) { o.paint(&text, "31") } else { text };
        o.line(&format!("  {lines:>num_w$}  {time}  {text}"));
    }

    // Triggers replayed.
    if !r.triggers.is_empty() {
        o.blank();
        o.heading(o.t("Déclencheurs rejoués", "Triggers replayed"));
        let pub_name = r.published.as_ref().map_or("", |v| v.profile.as_str()).to_owned();
        let strict_name = r.strict.as_ref().map_or("", |v| v.profile.as_str()).to_owned();
        for t in &r.triggers {
            let mut parts = Vec::new();
            if let Some(tile) = &t.published {
                parts.push(format!(
                    "{pub_name}{} {}",
                    o.t(" :", ":"),
                    o.tone(&tile_short(tile, lang), tile.tone())
                ));
            }
            if let Some(tile) = &t.strict {
                parts.push(format!(
                    "{strict_name}{} {}",
                    o.t(" :", ":"),
                    o.tone(&tile_short(tile, lang), tile.tone())
                ));
            }
            o.line(&format!(
                "  {}  {} → {}",
                format_at(t.at),
                trigger_words(&t.trigger, t.strict_only, lang),
                parts.join(" · ")
            ));
            if !t.scenario_log.is_empty() {
                o.line(&format!(
                    "    {}",
                    o.t(
                        "ce qu'a écrit le log de votre scénario :",
                        "what your scenario's log said:"
                    )
                ));
                for l in &t.scenario_log {
                    o.line(&format!("      | {l}"));
                }
            }
        }
    }

    // Assumptions for this run.
    if !r.assumptions.is_empty() {
        o.blank();
        o.heading(o.t("Hypothèses pour cette sauvegarde", "Assumptions for this run"));
        for a in &r.assumptions {
            let t = assumption_text(a, o.d, lang);
            o.line(&format!("  {t}"));
        }
    }
}

/// The lines that say why it failed, as Jeedom printed them; then tar's harmless warnings.
fn cause_block(o: &mut Out<'_>, r: &RunReport) {
    let (warnings, errors): (Vec<Quote>, Vec<Quote>) = r
        .cause
        .iter()
        .cloned()
        .partition(|q| matches!(q.what, super::QuoteKind::Tar { warning: true }));
    let groups = [
        (
            errors,
            o.t("Cause, telle que Jeedom l'a écrite", "The cause, as Jeedom printed it"),
            Level::ERROR,
        ),
        (
            warnings,
            o.t("Avertissements sans gravité", "Harmless warnings"),
            Level::NOTE,
        ),
    ];
    for (quotes, heading, level) in groups {
        if quotes.is_empty() {
            continue;
        }
        o.blank();
        o.heading(heading);
        let snippet = snippets(o, &quotes, level);
        for l in snippet.lines() {
            o.line(&format!("{INDENT}{l}"));
        }
    }
}

/// What each failure means and what to do, from the catalogue of known signatures.
fn advice_block(o: &mut Out<'_>, r: &RunReport) {
    if r.findings.is_empty() {
        return;
    }
    o.blank();
    o.heading(o.t("Ce que cela veut dire, et que faire", "What it means, and what to do"));
    for f in &r.findings {
        let (cause, advice) = super::advice::finding_words(f, o.lang);
        o.line(&format!("  - {cause}"));
        if let Some(a) = advice {
            let l = format!("    {} {a}", o.t("À faire :", "To do:"));
            o.line(&l);
        }
    }
}

fn flag_block(o: &mut Out<'_>, r: &RunReport, f: &FlagReport) {
    let lang = o.lang;
    let kind = f.kind;
    let p = r.published.as_ref();
    let s = r.strict.as_ref();
    let pv = p.map(|v| v.flag(kind));
    let sv = s.map(|v| v.flag(kind));
    let worst = [pv.flatten(), sv.flatten()]
        .into_iter()
        .flatten()
        .max_by_key(|f| match f {
            Flag::Error => 2,
            Flag::Ok => 1,
            Flag::Disabled => 0,
        });
    let title = flag_title(kind, lang);
    let values = match (p, s) {
        (Some(p), Some(s)) if p.flag(kind) == s.flag(kind) => format!("= {}", flag_value(p.flag(kind))),
        (Some(p), Some(s)) => format!(
            "= {} ({}) · {} ({})",
            flag_value(p.flag(kind)),
            p.profile,
            flag_value(s.flag(kind)),
            s.profile
        ),
        (Some(p), None) => format!("= {}", flag_value(p.flag(kind))),
        _ => String::new(),
    };
    let head = format!("  {title} {values}");
    let head = match worst {
        Some(Flag::Error) if kind != FlagKind::Scenario || pv.flatten() == Some(Flag::Error) => o.paint(&head, "1;31"),
        _ => o.bold(&head),
    };
    o.line(&head);
    let ps = p.map(|v| words::flag_sentence_for(o.d, v, kind, lang));
    let ss = s.map(|v| words::flag_sentence_for(o.d, v, kind, lang));
    match (ps, ss) {
        (Some(a), Some(b)) if a == b => o.line(&format!("    {a}")),
        (Some(a), Some(b)) => {
            let (pn, sn) = (
                p.map_or("", |v| v.profile.as_str()),
                s.map_or("", |v| v.profile.as_str()),
            );
            let w = pn.chars().count().max(sn.chars().count());
            o.line(&format!("    {pn:<w$}{} {a}", o.t(" :", ":")));
            o.line(&format!("    {sn:<w$}{} {b}", o.t(" :", ":")));
        }
        (Some(a), None) => o.line(&format!("    {a}")),
        _ => {}
    }
    if let Some(a) = words::flag_defaults_text(o.d, r, kind, lang) {
        o.line(&format!("    {a}"));
    }
    if !f.see_also.is_empty() {
        let lines: Vec<String> = f.see_also.iter().map(ToString::to_string).collect();
        let l = match lang {
            Lang::Fr => format!(
                "    (ligne{} {} citée{} plus haut)",
                if lines.len() > 1 { "s" } else { "" },
                lines.join(", "),
                if lines.len() > 1 { "s" } else { "" }
            ),
            Lang::En => format!(
                "    (line{} {} quoted above)",
                if lines.len() > 1 { "s" } else { "" },
                lines.join(", ")
            ),
        };
        o.line(&l);
    }
    if !f.quotes.is_empty() {
        let level = if worst == Some(Flag::Error) {
            Level::ERROR
        } else {
            Level::NOTE
        };
        let snippet = snippets(o, &f.quotes, level);
        for l in snippet.lines() {
            o.line(&format!("{INDENT}{l}"));
        }
    }
}

/// The quotes as one annotated-snippet group.
fn snippets(o: &Out<'_>, quotes: &[Quote], level: Level<'static>) -> String {
    let labels: Vec<String> = quotes.iter().map(|q| quote_label(q, o.lang)).collect();
    let texts: Vec<String> = quotes
        .iter()
        .map(|q| annotate_snippets::normalize_untrusted_str(&q.text))
        .collect();
    let elements: Vec<Snippet<'_, annotate_snippets::Annotation<'_>>> = quotes
        .iter()
        .zip(texts.iter())
        .zip(labels.iter())
        .map(|((q, text), label)| {
            // normalize_untrusted_str may change the text (control characters); keep the mark
            // only when it still fits.
            let mark = q.mark.clone().filter(|m| {
                text.is_char_boundary(m.start)
                    && m.end <= text.len()
                    && text.is_char_boundary(m.end)
                    && text.get(m.clone()) == q.text.get(m.clone())
            });
            // Without a mark: a caret after the last character when the log stops there, else
            // the start of the line.
            let span = mark.unwrap_or_else(|| match q.what {
                super::QuoteKind::StoppedHere => text.len()..text.len(),
                _ => 0..text.char_indices().nth(MARK_UNMARKED).map_or(text.len(), |(i, _)| i),
            });
            Snippet::source(text.as_str())
                .line_start(usize::try_from(q.line).unwrap_or(1))
                .path(q.file.as_str())
                .fold(false)
                .annotation(AnnotationKind::Primary.span(span).label(label.as_str()))
        })
        .collect();
    let group = Group::with_level(level).elements(elements);
    let renderer = if o.style.color {
        Renderer::styled().decor_style(DecorStyle::Unicode)
    } else {
        Renderer::plain().decor_style(DecorStyle::Ascii)
    };
    let renderer = renderer.term_width(o.style.width.saturating_sub(INDENT.len()).max(40));
    let mut out = renderer.render(&[group]);
    while out.ends_with('\n') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod terminal_tests {
    use super::terminal_safe;

    #[test]
    fn control_characters_become_visible_and_colours_stay_only_when_asked() {
        let evil = "a\x1b]0;pwned\x07 \x1b[2J\x1b[8mhidden\x08\r\u{9b}2J\u{7f}\tz\n";
        let plain = terminal_safe(evil, false);
        assert_eq!(
            plain,
            "a\u{241b}]0;pwned\u{2407} \u{241b}[2J\u{241b}[8mhidden\u{2408}\u{240d}\u{fffd}2J\u{2421}\tz\n"
        );
        let coloured = format!("\x1b[1m\x1b[94mtitle\x1b[0m {evil}\x1b[31;1mred\x1b[0m");
        let kept = terminal_safe(&coloured, true);
        assert!(
            kept.starts_with("\x1b[1m\x1b[94mtitle\x1b[0m a\u{241b}]0;pwned"),
            "{kept:?}"
        );
        assert!(kept.contains("\u{241b}[2J\u{241b}[8mhidden"), "{kept:?}");
        assert!(kept.ends_with("\x1b[31;1mred\x1b[0m"), "{kept:?}");
        assert!(!terminal_safe(&coloured, false).contains('\x1b'));
        assert_eq!(terminal_safe("Sauvegarde terminée ✔", false), "Sauvegarde terminée ✔");
    }
}
