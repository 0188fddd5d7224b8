//! The output of `check --compare A B`: every case whose tile or flags differ between two
//! profiles, what a maintainer reads before shipping a scenario change.

use std::fmt::Write as _;

use serde_json::json;

use super::corpus::{Comparison, Side};
use crate::Lang;
use crate::via::ViaKind;

/// One case's comparison, or why it could not run.
pub type Entry = Result<Comparison, (String, String)>;

/// Counts, and the exit code: 0 when no case differs, 1 when some do, 2 when a case failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompareSummary {
    pub cases: usize,
    pub differ: usize,
    pub error: usize,
}

impl CompareSummary {
    pub fn of(entries: &[Entry]) -> CompareSummary {
        let mut s = CompareSummary {
            cases: entries.len(),
            ..CompareSummary::default()
        };
        for e in entries {
            match e {
                Ok(c) if c.differs() => s.differ += 1,
                Ok(_) => {}
                Err(_) => s.error += 1,
            }
        }
        s
    }

    pub fn exit_code(&self) -> u8 {
        if self.error > 0 {
            2
        } else if self.differ > 0 {
            1
        } else {
            0
        }
    }
}

fn side(s: &Side) -> String {
    format!("{}  [{}]", s.tile, s.flags)
}

/// The differing cases, each with the first step that differs and both sides there (and after
/// the last step when that is another step), then a summary line.
pub fn table(a: &str, b: &str, entries: &[Entry], lang: Lang) -> String {
    let mut out = String::new();
    for e in entries {
        match e {
            Ok(c) if c.differs() => {
                let (step, trigger) = c.first_difference.clone().unwrap_or_default();
                let _ = writeln!(out, "{}  ({} {step}, {trigger})", c.case, lang.pick("étape", "step"));
                let w = a.chars().count().max(b.chars().count());
                let _ = writeln!(out, "  {a:<w$}  {}", side(&c.a));
                let _ = writeln!(out, "  {b:<w$}  {}", side(&c.b));
                if c.a != c.a_last || c.b != c.b_last {
                    let _ = writeln!(out, "  {}", lang.pick("à la fin :", "at the end:"));
                    let _ = writeln!(out, "  {a:<w$}  {}", side(&c.a_last));
                    let _ = writeln!(out, "  {b:<w$}  {}", side(&c.b_last));
                }
            }
            Ok(_) => {}
            Err((case, msg)) => {
                let _ = writeln!(out, "{case}  {} {msg}", lang.pick("erreur :", "error:"));
            }
        }
    }
    let s = CompareSummary::of(entries);
    if s.differ == 0 && s.error == 0 {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "Aucun cas ne diffère entre ces deux profils.",
                "No case differs between these two profiles."
            )
        );
    }
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::Fr => format!(
                "{a} / {b} : {} cas sur {} {}, {}",
                s.differ,
                s.cases,
                if s.differ > 1 { "diffèrent" } else { "diffère" },
                lang.count(s.error, ["erreur", "erreurs"], ["error", "errors"])
            ),
            Lang::En => format!(
                "{a} vs {b}: {} of {} {} differ, {}",
                s.differ,
                s.cases,
                if s.cases == 1 { "case" } else { "cases" },
                lang.count(s.error, ["erreur", "erreurs"], ["error", "errors"])
            ),
        }
    );
    out
}

/// One JSON Lines event per case (`{"type":"compare",…}`).
pub fn json_entry(a: &str, b: &str, e: &Entry) -> serde_json::Value {
    match e {
        Ok(c) => json!({
            "type": "compare",
            "case": c.case,
            "differs": c.differs(),
            "first_step": c.first_difference.as_ref().map(|(i, _)| i),
            "first_trigger": c.first_difference.as_ref().map(|(_, t)| t),
            "a": {"profile": a, "tile": c.a.tile, "flags": c.a.flags, "tile_at_end": c.a_last.tile, "flags_at_end": c.a_last.flags},
            "b": {"profile": b, "tile": c.b.tile, "flags": c.b.flags, "tile_at_end": c.b_last.tile, "flags_at_end": c.b_last.flags},
        }),
        Err((case, msg)) => json!({"type": "error", "case": case, "message": msg}),
    }
}

/// The final JSON Lines event of a comparison; `via` says which path the replays took.
pub fn json_summary(a: &str, b: &str, s: &CompareSummary, via: ViaKind) -> serde_json::Value {
    json!({"type": "summary", "a": a, "b": b, "cases": s.cases, "differ": s.differ, "error": s.error, "exit_code": s.exit_code(), "via": via.as_str()})
}
