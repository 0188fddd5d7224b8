//! What a failure means and what to do (part of the diagnosis, step 6 of the data flow): the
//! catalogue of known failure signatures, kept as data in `signatures.toml` (fr and en), matched
//! against the lines a run's cause quotes ([`super::cause`]) and against the run's situation.
//! A failure no signature knows is said to be unknown, with its lines.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{Quote, QuoteKind, RunReport};

use crate::Lang;
use crate::engine::{FlagKind, Rule};
use crate::log::{RunEnd, UploadOutcome};
use crate::world::LogName;

/// The catalogue's text, built into the binary.
pub const CATALOGUE: &str = include_str!("signatures.toml");

/// A situation a signature is recognised by, rather than by a line's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// The run never ended.
    Unterminated,
    /// The backup made before a core update.
    Update,
    /// The archive is not bigger than the minimum size.
    SizeBelow,
    /// No archive of the run in the backup folder.
    ArchiveMissing,
}

/// The words of a signature in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub cause: String,
    pub advice: String,
}

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub id: String,
    /// Texts, any of which in a failure's line recognises it.
    #[serde(default)]
    pub text: Vec<String>,
    pub when: Option<Situation>,
    pub fr: Words,
    pub en: Words,
}

impl Signature {
    pub fn words(&self, lang: Lang) -> &Words {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    fn recognises(&self, text: &str) -> bool {
        self.text.iter().any(|t| text.contains(t.as_str()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    signature: Vec<Signature>,
}

/// Reads a catalogue's text.
pub fn parse_catalogue(text: &str) -> Result<Vec<Signature>, toml::de::Error> {
    toml::from_str::<File>(text).map(|f| f.signature)
}

/// The built-in catalogue (empty if it could not be read, which a test rules out).
pub fn catalogue() -> &'static [Signature] {
    static SIGNATURES: OnceLock<Vec<Signature>> = OnceLock::new();
    SIGNATURES.get_or_init(|| parse_catalogue(CATALOGUE).unwrap_or_default())
}

/// One failure of a run, explained: the signature that recognises it (`None`: unknown), and
/// the lines it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub signature: Option<&'static Signature>,
    pub lines: Vec<u32>,
}

impl Finding {
    /// The signature's id, or `unknown`.
    pub fn id(&self) -> &str {
        self.signature.map_or("unknown", |s| s.id.as_str())
    }
}

/// Which failure a quoted line belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Group {
    Run,
    Upload(String),
    Tar,
}

fn group_of(q: &Quote, r: &RunReport) -> Option<Group> {
    match &q.what {
        QuoteKind::Tar { warning: true } => None,
        QuoteKind::Tar { warning: false } => Some(Group::Tar),
        QuoteKind::UploadFailed { repo } => Some(Group::Upload(repo.clone())),
        _ => {
            let upload = r.run.uploads.iter().find(|u| {
                let last = u.ok_at.as_ref().or(u.failure_at.as_ref()).map_or(u.at.line, |l| l.line);
                matches!(u.outcome, UploadOutcome::Failed { .. }) && q.line >= u.at.line && q.line <= last
            });
            Some(match upload {
                Some(u) => Group::Upload(u.repo.as_str().to_owned()),
                None => Group::Run,
            })
        }
    }
}

/// Whether a profile's verdict for the run decided a flag with this rule.
fn decided(r: &RunReport, kind: FlagKind, rule: fn(&Rule) -> bool) -> bool {
    [r.published.as_ref(), r.strict.as_ref()]
        .into_iter()
        .flatten()
        .any(|v| v.flag(kind) == Some(crate::engine::Flag::Error) && rule(&v.step.evidence.decision(kind).rule))
}

/// The run's failures, each with the signature that explains it (or none), in the order of
/// their first line; then the situations.
/// `line_text` gives a quoted line whole (a quote may be cut around its mark).
pub fn findings(r: &RunReport, line_text: impl Fn(u32) -> Option<String>) -> Vec<Finding> {
    findings_with(r, catalogue(), line_text)
}

fn findings_with(
    r: &RunReport,
    signatures: &'static [Signature],
    line_text: impl Fn(u32) -> Option<String>,
) -> Vec<Finding> {
    // Each failure's lines, whole: (line, text).
    let mut groups: Vec<(Group, Vec<(u32, String)>)> = Vec::new();
    for q in &r.cause {
        let Some(g) = group_of(q, r) else { continue };
        let line = (q.line, line_text(q.line).unwrap_or_else(|| q.text.clone()));
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, ls)) => ls.push(line),
            None => groups.push((g, vec![line])),
        }
    }
    let mut out = Vec::new();
    for (_, lines) in &groups {
        let signature = signatures.iter().find(|s| lines.iter().any(|(_, t)| s.recognises(t)));
        let lines = match signature {
            Some(s) => lines.iter().filter(|(_, t)| s.recognises(t)).map(|(l, _)| *l).collect(),
            None => lines.iter().map(|(l, _)| *l).collect(),
        };
        out.push(Finding { signature, lines });
    }
    let failed = matches!(r.run.end, RunEnd::Failed { .. });
    let situations = [
        (Situation::Unterminated, matches!(r.run.end, RunEnd::Unterminated)),
        (Situation::Update, r.log == LogName::Update),
        (
            Situation::SizeBelow,
            decided(r, FlagKind::Size, |rule| matches!(rule, Rule::SizeNotAbove { .. })),
        ),
        (
            Situation::ArchiveMissing,
            !failed
                && r.run.succeeded()
                && decided(r, FlagKind::Local, |rule| matches!(rule, Rule::ArchiveMissing { .. })),
        ),
    ];
    for (situation, holds) in situations {
        if !holds
            || out
                .iter()
                .any(|f| f.signature.is_some_and(|s| s.when == Some(situation)))
        {
            continue;
        }
        if let Some(s) = signatures.iter().find(|s| s.when == Some(situation)) {
            out.push(Finding {
                signature: Some(s),
                lines: Vec::new(),
            });
        }
    }
    out
}

/// The finding in words: what it means, and what to do (`None` for an unknown failure).
pub fn finding_words(f: &Finding, lang: Lang) -> (String, Option<String>) {
    match f.signature {
        Some(s) => {
            let w = s.words(lang);
            (w.cause.clone(), Some(w.advice.clone()))
        }
        None => {
            let lines: Vec<String> = f.lines.iter().map(ToString::to_string).collect();
            let lines = lines.join(", ");
            let text = match lang {
                Lang::Fr => format!(
                    "Cause inconnue : cet échec n'est pas dans le catalogue des causes connues. Ses lignes ({lines}) sont citées plus haut ; cherchez-les sur le forum ou citez-les dans votre message."
                ),
                Lang::En => format!(
                    "Unknown cause: this failure is not in the catalogue of known causes. Its lines ({lines}) are quoted above; search the forum for them or quote them in your post."
                ),
            };
            (text, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_reads_and_each_entry_is_recognisable_in_both_languages() {
        let all = parse_catalogue(CATALOGUE).expect("signatures.toml reads");
        assert!(all.len() >= 16, "{}", all.len());
        for s in &all {
            assert!(
                !s.text.is_empty() || s.when.is_some(),
                "{}: how is it recognised?",
                s.id
            );
            for w in [&s.fr, &s.en] {
                assert!(!w.cause.trim().is_empty() && !w.advice.trim().is_empty(), "{}", s.id);
            }
            assert_eq!(all.iter().filter(|o| o.id == s.id).count(), 1, "{} twice", s.id);
        }
        assert_eq!(catalogue().len(), all.len());
    }
}
