//! The diagnosis as Markdown, ready to paste in a post on Jeedom's forum (`diagnose --format
//! markdown`): the short answer (one line per run, the tile now), then per run its tiles, the
//! cause with Jeedom's lines in code blocks, and what to do; the defaults it rests on in one
//! line. Short: a run takes at most about 40 lines. Every text is redacted.

use std::fmt::Write as _;

use super::words::{self, disagreement_text, profile_caption, run_title};
use super::{Diagnosis, Note, Quote, QuoteKind, RunReport};
use crate::Lang;
use crate::case::Origin;

/// Quoted lines per run at most (the text report quotes them all).
const QUOTES_PER_RUN: usize = 8;

/// The whole post.
pub fn render_markdown(d: &Diagnosis, lang: Lang) -> String {
    let mut m = String::new();
    let n = d.runs.len();
    let _ = writeln!(
        m,
        "**infobackup** — `{}` — Jeedom {}, {n} {}",
        inline_code_text(&d.name),
        d.jeedom,
        match (lang, n > 1) {
            (Lang::Fr, true) => "sauvegardes",
            (Lang::Fr, false) => "sauvegarde",
            (Lang::En, true) => "backup runs",
            (Lang::En, false) => "backup run",
        }
    );
    if let Some(t) = words::jeedom_seen_text(d, lang) {
        let _ = writeln!(m);
        let _ = writeln!(m, "> **{}**", escape(&t));
    }
    // A paste read in another order than the user's: the run numbers and line numbers below
    // are those of the text put back in order, which the reader must know.
    for note in d.notes.iter().filter(|n| {
        matches!(
            n,
            Note::NewestFirst { .. } | Note::LinesReversed { .. } | Note::RunsRepeated { .. }
        )
    }) {
        let _ = writeln!(m);
        let _ = writeln!(m, "> {}", escape(&words::note_text(note, lang)));
    }
    let _ = writeln!(m);
    let _ = writeln!(m, "### {}", lang.pick("Réponse courte", "Short answer"));
    let _ = writeln!(m);
    for r in &d.runs {
        let _ = writeln!(m, "{}. {}", r.number, escape(&words::short_line(r, lang)));
    }
    if let Some((run, tile)) = words::tile_now(d, lang) {
        let _ = writeln!(m);
        let _ = writeln!(m, "**{}** {}", words::tile_now_label(run, lang), escape(&tile));
    }
    for r in &d.runs {
        run(&mut m, r, lang);
    }
    let assumed = assumed_line(d, lang);
    if !assumed.is_empty() {
        let _ = writeln!(m);
        let _ = writeln!(m, "{assumed}");
    }
    let _ = writeln!(m);
    let _ = writeln!(
        m,
        "<sub>{}</sub>",
        lang.pick(
            "Diagnostic par infobackup ; les secrets (mot de passe et utilisateur Samba, clés API) sont masqués : [masqué].",
            "Diagnosis by infobackup; secrets (Samba password and user, API keys) are masked: [redacted]."
        )
    );
    d.redact(&m)
}

fn run(m: &mut String, r: &RunReport, lang: Lang) {
    let _ = writeln!(m);
    let _ = writeln!(m, "### {}", escape(&run_title(r, lang)));
    let _ = writeln!(m);
    for (v, strict) in [(r.published.as_ref(), false), (r.strict.as_ref(), true)] {
        if let Some(v) = v {
            let _ = writeln!(
                m,
                "- {}{} {}",
                escape(&profile_caption(v, strict, lang)),
                lang.pick(" :", ":"),
                escape(&v.tile.headline(lang))
            );
        }
    }
    if let Some(dis) = r.disagreement() {
        let _ = writeln!(m);
        let _ = writeln!(m, "> {}", escape(&disagreement_text(r, &dis, lang)));
    }
    let errors: Vec<&Quote> = r
        .cause
        .iter()
        .filter(|q| !matches!(q.what, QuoteKind::Tar { warning: true }))
        .collect();
    if !errors.is_empty() {
        heading(
            m,
            lang.pick(
                "La cause, telle que Jeedom l'a écrite",
                "The cause, as Jeedom printed it",
            ),
        );
        let lines: Vec<String> = errors
            .iter()
            .take(QUOTES_PER_RUN)
            .map(|q| format!("{:>4} | {}", q.line, q.text))
            .collect();
        code_block(m, &lines);
    }
    if !r.findings.is_empty() {
        heading(
            m,
            lang.pick("Ce que cela veut dire, et que faire", "What it means, and what to do"),
        );
        for f in &r.findings {
            let (cause, advice) = super::advice::finding_words(f, lang);
            let _ = writeln!(m, "- {}", escape(&cause));
            if let Some(a) = advice {
                let _ = writeln!(m, "  - *{}* {}", lang.pick("À faire :", "To do:"), escape_keep_code(&a));
            }
        }
    }
    let said: Vec<String> = r
        .triggers
        .iter()
        .flat_map(|t| {
            t.scenario_log
                .iter()
                .map(move |l| format!("{} {l}", t.trigger.as_str()))
        })
        .collect();
    if !said.is_empty() {
        heading(
            m,
            lang.pick(
                "Ce qu'a écrit le log de votre scénario",
                "What your scenario's log said",
            ),
        );
        code_block(m, &said);
    }
}

/// A bold line that opens a part of a run, with a blank line on each side.
fn heading(m: &mut String, title: &str) {
    let _ = writeln!(m);
    let _ = writeln!(m, "**{title}**");
    let _ = writeln!(m);
}

/// Lines in one fenced block (Jeedom's, `line | text`, at most [`QUOTES_PER_RUN`]; or what the
/// scenario logged).
fn code_block(m: &mut String, body: &[String]) {
    // A fence longer than any run of backticks in the lines, so none can close it.
    let longest = body
        .iter()
        .flat_map(|l| l.split(|c| c != '`'))
        .map(str::len)
        .max()
        .unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let _ = writeln!(m, "{fence}text");
    for l in body {
        let _ = writeln!(m, "{l}");
    }
    let _ = writeln!(m, "{fence}");
}

/// The defaults the answer rests on, in one line, with the option that changes each.
fn assumed_line(d: &Diagnosis, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    for f in d.assumptions.iter().chain(d.runs.iter().flat_map(|r| &r.assumptions)) {
        if !matches!(f.origin, Origin::Assumed { .. }) {
            continue;
        }
        let mut p = format!("{} = {}", f.subject.text(lang), f.value.text(lang));
        if let Some(o) = f.subject.option(lang) {
            let _ = write!(p, " (`{o}`)");
        }
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "<sub>{} {}</sub>",
        lang.pick(
            "Supposé, faute d'être dans le log :",
            "Assumed, as the log does not say:"
        ),
        escape_keep_code(&parts.join(" · "))
    )
}

/// Text for a Markdown paragraph: characters Markdown or HTML would read as markup are escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Like [`escape`], but spans between backticks stay code.
fn escape_keep_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("`{part}`") } else { escape(part) })
        .collect()
}

/// A name inside backticks: backticks in it would end the span.
fn inline_code_text(s: &str) -> String {
    s.replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_code_spans_kept() {
        assert_eq!(escape("a *b* <i>"), "a \\*b\\* \\<i\\>");
        assert_eq!(escape_keep_code("run `df -h` *now*"), "run `df -h` \\*now\\*");
    }
}
