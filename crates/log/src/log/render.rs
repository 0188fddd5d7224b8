//! A person's view of a [`LogModel`]: each run with its generation, start, steps, uploads,
//! logger lines (with line numbers), archive, duration and end; then what was not understood
//! and notes on the text (encoding, line ends, reflow). Used by `infobackup parse`.
//!
//! The returned text has passed [`crate::redact`]: raw unknown lines are quoted from the input.

use std::fmt::Write as _;

use super::model::*;
use crate::Lang;

/// Longest quote of an unknown piece, in characters.
const QUOTE_CHARS: usize = 160;

struct W<'a> {
    out: String,
    lang: Lang,
    input: &'a [u8],
}

impl W<'_> {
    fn t<'s>(&self, fr: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(fr, en)
    }

    /// `:` in English, ` :` in French.
    fn colon(&self) -> &'static str {
        self.lang.pick(" :", ":")
    }

    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn at(&self, at: &LineRef) -> String {
        format!("{} {}", self.t("ligne", "line"), at.line)
    }

    /// An unknown piece as a person reads it: between quotes, control characters shown as
    /// their Unicode pictures (`␛`, `␀`), cut at [`QUOTE_CHARS`]; a piece that is mostly
    /// control characters (a binary file, a corrupted log) is described instead.
    fn quote(&self, at: &LineRef) -> String {
        let text = at.text(self.input).unwrap_or_default();
        let chars = text.chars().count();
        let controls = text.chars().filter(|c| visible(*c) != *c).count();
        if controls * 8 > chars {
            let bytes = at.span.end.saturating_sub(at.span.start);
            return match self.lang {
                Lang::Fr => format!("(données binaires, {bytes} octets)"),
                Lang::En => format!("(binary data, {bytes} bytes)"),
            };
        }
        let mut q: String = text.chars().take(QUOTE_CHARS).map(visible).collect();
        if chars > QUOTE_CHARS {
            q.push('…');
        }
        format!("\"{q}\"")
    }

    fn lines_list(&self, refs: &[LineRef], count: u32) -> String {
        let mut nums: Vec<String> = refs.iter().take(8).map(|r| r.line.to_string()).collect();
        nums.dedup();
        let mut s = nums.join(", ");
        if count as usize > refs.len().min(8) {
            s.push_str(&format!(" … ({count})"));
        }
        s
    }
}

/// A control character's Unicode picture (C0 and DEL), U+FFFD for C1; others unchanged. The
/// one mapping of control characters for a person (the terminal output uses it too).
pub fn visible(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{fffd}',
        _ => c,
    }
}

/// Renders the model as text in `lang`. `input` is the parsed text (for quoting unknown lines).
pub fn render_text(model: &LogModel, input: &[u8], lang: Lang) -> String {
    let mut w = W {
        out: String::new(),
        lang,
        input,
    };
    if model.runs.is_empty() {
        let none = w.t(
            "Aucune sauvegarde reconnue dans ce journal.",
            "No backup run found in this log.",
        );
        w.line(none);
    }
    if model.run_order == RunOrder::NewestFirst {
        let note = w.t(
            "Sauvegardes collées de la plus récente à la plus ancienne : remises dans l'ordre chronologique (la 1 est la plus ancienne, la dernière du texte).",
            "Backup runs pasted newest first: put back in time order (run 1 is the oldest, the last one in the text).",
        );
        w.line(note);
        w.line("");
    }
    for (i, run) in model.runs.iter().enumerate() {
        if i > 0 {
            w.line("");
        }
        run_text(&mut w, i + 1, run);
    }
    if !model.loose_logger_lines.is_empty() {
        w.line("");
        let title = w.t(
            "Lignes du journal de Jeedom hors sauvegarde",
            "Logger lines outside any run",
        );
        w.line(&format!("{title} ({}){}", model.loose_logger_lines.len(), w.colon()));
        for l in &model.loose_logger_lines {
            logger_text(&mut w, l);
        }
    }
    w.line("");
    let title = w.t("Texte non compris", "Not understood");
    if model.unknown.is_empty() {
        let none = w.t("aucun", "none");
        w.line(&format!("{title}{} {none}", w.colon()));
    } else {
        w.line(&format!("{title} ({}){}", model.unknown.len(), w.colon()));
        for u in model.unknown.iter().take(200) {
            let line = format!("  {:<10} {}", w.at(u), w.quote(u));
            w.line(&line);
        }
        if model.unknown.len() > 200 {
            let more = w.t("autres", "more");
            w.line(&format!("  … {} {more}", model.unknown.len() - 200));
        }
    }
    text_notes(&mut w, model);
    crate::redact::redact_text(&w.out)
}

fn run_text(w: &mut W<'_>, n: usize, run: &Run) {
    let title = w.t("Sauvegarde", "Run");
    let gen_label = w.t("Jeedom", "Jeedom");
    let lines = w.t("lignes", "lines");
    w.line(&format!(
        "{title} {n} · {gen_label} {} · {lines} {}–{}",
        run.generation, run.lines.first, run.lines.last
    ));
    match &run.start_marker {
        Some(at) => {
            let s = format!("  {:<14} [START BACKUP]  {}", w.t("début", "start marker"), w.at(at));
            w.line(&s);
        }
        None => {
            let s = w.t(
                "  (coupée au début : pas de [START BACKUP])",
                "  (cut off at its start: no [START BACKUP])",
            );
            w.line(s);
        }
    }
    if let Some((t, at)) = &run.start {
        let s = format!(
            "  {:<14} {}  {}",
            w.t("lancée à", "started at"),
            format_time(t),
            w.at(at)
        );
        w.line(&s);
    }
    if !run.steps.is_empty() {
        let s = format!("  {}{}", w.t("étapes", "steps"), w.colon());
        w.line(&s);
        for step in &run.steps {
            step_text(w, step);
        }
    }
    if !run.excludes.is_empty() {
        let s = format!("  {}{}", w.t("exclusions", "excludes"), w.colon());
        w.line(&s);
        for e in &run.excludes {
            let s = format!("    {:<10} {} → {}", w.at(&e.at), e.plugin, e.subfolder);
            w.line(&s);
        }
    }
    if !run.uploads.is_empty() {
        let s = format!("  {}{}", w.t("envois", "uploads"), w.colon());
        w.line(&s);
        for u in &run.uploads {
            let outcome = match &u.outcome {
                UploadOutcome::Ok => "OK".to_owned(),
                UploadOutcome::Failed { message } => format!("{}{} {message}", w.t("ÉCHEC", "FAILED"), w.colon()),
                UploadOutcome::Unfinished => w.t("pas de résultat", "no result").to_owned(),
            };
            let s = format!("    {:<10} {:<8} {outcome}", w.at(&u.at), u.repo.as_str());
            w.line(&s);
            if u.noise_count > 0 {
                let label = w.t("bruit", "noise");
                counted_lines(w, 8, label, &u.noise, u.noise_count);
            }
        }
    }
    if !run.remote_deletions.is_empty() {
        let s = format!("  {}{}", w.t("suppressions distantes", "remote deletions"), w.colon());
        w.line(&s);
        for d in &run.remote_deletions {
            let name = d.file_name.as_deref().unwrap_or(&d.detail);
            let s = format!("    {:<10} {:<8} {name}", w.at(&d.at), d.repo.as_str());
            w.line(&s);
        }
    }
    if !run.deletions.is_empty() {
        let s = format!(
            "  {}{}",
            w.t("suppressions (taille)", "size-limit deletions"),
            w.colon()
        );
        w.line(&s);
        for d in &run.deletions {
            let s = format!("    {:<10} {}", w.at(&d.at), d.path);
            w.line(&s);
        }
    }
    if !run.logger_lines.is_empty() {
        let s = format!("  {}{}", w.t("lignes du journal de Jeedom", "logger lines"), w.colon());
        w.line(&s);
        for l in &run.logger_lines {
            logger_text(w, l);
        }
    }
    if let Some(a) = &run.archive {
        let s = format!("  {:<14} {}  {}", w.t("archive", "archive"), a.file_name, w.at(&a.at));
        w.line(&s);
        let s = format!(
            "  {:<14} {} {} · version {} · {} {}",
            "",
            w.t("box", "box"),
            a.box_name.as_deref().unwrap_or("?"),
            a.version.as_deref().unwrap_or("?"),
            w.t("horodatage", "stamp"),
            a.stamp.as_deref().unwrap_or("?")
        );
        w.line(&s);
    }
    if let Some((secs, at)) = &run.duration {
        let end = run
            .end_time()
            .map(|t| format!(" ({} {})", w.t("fin", "ends"), format_time(&t)))
            .unwrap_or_default();
        let s = format!("  {:<14} {secs} s{end}  {}", w.t("durée", "duration"), w.at(at));
        w.line(&s);
    }
    let end = match &run.end {
        RunEnd::Success {
            at,
            without_marker: false,
        } => format!("{}  {}", w.t("succès", "success"), w.at(at)),
        RunEnd::Success {
            at,
            without_marker: true,
        } => format!(
            "{}  {}\n  {:<14} {}",
            w.t("succès", "success"),
            w.at(at),
            "",
            w.t(
                "la bannière de fin, sans la ligne [END BACKUP SUCCESS] qui la suit : le texte s'arrête avant",
                "the end banner, without the [END BACKUP SUCCESS] line that follows it: the text stops before"
            )
        ),
        RunEnd::Failed {
            message,
            details,
            at,
            end_marker,
        } => {
            let mut s = format!("{}  {}", w.t("ÉCHEC", "FAILED"), w.at(at));
            if let Some(m) = message {
                s.push_str(&format!("\n  {:<14} {m}", ""));
            }
            if let Some(d) = details {
                let first = d.lines().next().unwrap_or("");
                let more = d.lines().count().saturating_sub(1);
                let more = if more > 0 {
                    format!(" (+{more} {})", w.t("lignes", "lines"))
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "\n  {:<14} {}{} {first}{more}",
                    "",
                    w.t("détails", "details"),
                    w.colon()
                ));
            }
            if end_marker.is_none() {
                s.push_str(&format!(
                    "\n  {:<14} {}",
                    "",
                    w.t("(pas de [END BACKUP ERROR])", "(no [END BACKUP ERROR])")
                ));
            }
            s
        }
        RunEnd::Unterminated => w
            .t(
                "aucune (journal coupé, ou sauvegarde en cours)",
                "none (cut off, or still running)",
            )
            .to_owned(),
    };
    let s = format!("  {:<14} {end}", w.t("fin", "end"));
    w.line(&s);
}

fn step_text(w: &mut W<'_>, step: &Step) {
    let name = match &step.kind {
        StepKind::PluginHook { plugin } => format!("plugin_hook {plugin}"),
        StepKind::TableCheck { table } => format!("table_check {table}"),
        StepKind::SizeLimit { limit_mb: Some(mb) } => format!("size_limit {mb} MB"),
        other => other.name().to_owned(),
    };
    let result = match &step.result {
        StepResult::Ok => "OK".to_owned(),
        StepResult::Nok => "NOK".to_owned(),
        StepResult::Failed { message } => format!("{}{} {message}", w.t("ÉCHEC", "FAILED"), w.colon()),
        StepResult::Unfinished => w.t("pas de résultat", "no result").to_owned(),
    };
    let s = format!("    {:<10} {name:<24} {result}", w.at(&step.at));
    w.line(&s);
    if step.output_count > 0 {
        let label = w.t("sortie", "output");
        counted_lines(w, 24, label, &step.output, step.output_count);
    }
}

/// The row under a step or an upload that lists the lines it printed (output, noise), its label
/// in the column after the name, `width` wide.
fn counted_lines(w: &mut W<'_>, width: usize, label: &str, refs: &[LineRef], count: u32) {
    let s = format!(
        "    {:<10} {:<width$} {label}: {} {}",
        "",
        "",
        w.t("lignes", "lines"),
        w.lines_list(refs, count)
    );
    w.line(&s);
}

fn logger_text(w: &mut W<'_>, l: &LoggerLine) {
    let mid = if l.mid_line {
        w.t(" (milieu de ligne)", " (mid-line)")
    } else {
        ""
    };
    let mut msg = l.message.lines().next().unwrap_or("").to_owned();
    let extra = l.message.lines().count().saturating_sub(1);
    if extra > 0 {
        let _ = write!(msg, " (+{extra} {})", w.t("lignes", "lines"));
    }
    let s = format!(
        "    {:<10} {} {:<9} {msg}{mid}",
        w.at(&l.at),
        format_time(&l.time),
        l.level.as_str()
    );
    w.line(&s);
}

fn text_notes(w: &mut W<'_>, m: &LogModel) {
    let enc = match m.encoding {
        Encoding::Utf8 => "UTF-8".to_owned(),
        Encoding::Utf8Bom => w.t("UTF-8 avec BOM", "UTF-8 with BOM").to_owned(),
        Encoding::Windows1252 => format!(
            "{} ({} {})",
            w.t("Latin-1/Windows-1252", "Latin-1/Windows-1252"),
            m.windows1252_lines,
            w.t("lignes", "lines")
        ),
    };
    let ends = match (m.line_endings.dominant(), m.line_endings.mixed()) {
        (None, _) => w.t("sans fin de ligne", "no line end").to_owned(),
        (Some(e), mixed) => {
            let e = match e {
                LineEnding::Lf => "LF",
                LineEnding::Crlf => "CRLF",
                LineEnding::Cr => "CR",
            };
            if mixed {
                format!("{e} ({})", w.t("mélangées", "mixed"))
            } else {
                e.to_owned()
            }
        }
    };
    let s = format!(
        "{}{} {} {}, {} {}, {enc}, {ends}",
        w.t("Texte", "Text"),
        w.colon(),
        m.line_count,
        w.t("lignes", "lines"),
        m.byte_count,
        w.t("octets", "bytes")
    );
    w.line(&s);
    if m.nul_bytes > 0 {
        let s = format!("  {} {}", m.nul_bytes, w.t("octets NUL ignorés", "NUL bytes ignored"));
        w.line(&s);
    }
    if m.reflowed {
        let s = w.t(
            "  retours à la ligne perdus : les marqueurs ont été retrouvés à l'intérieur des lignes",
            "  line breaks were lost: markers were recovered from inside lines",
        );
        w.line(s);
    }
    if m.quoted {
        let s = w.t(
            "  citation de forum : le préfixe `> ` des lignes a été ignoré",
            "  forum quote: the `> ` prefix of the lines was read past",
        );
        w.line(s);
    }
    if m.overlong_lines > 0 {
        let s = format!(
            "  {} {}",
            m.overlong_lines,
            w.t("lignes trop longues lues par morceaux", "overlong lines read in pieces")
        );
        w.line(&s);
    }
}
