//! The results of `infobackup check` and their three outputs: the table a person reads, JSON
//! Lines for tools (a `type` per event, a final `summary`), and JUnit XML for CI servers.
//! These outputs are contracts: their fields are built here, not derived from internal types.

use std::fmt::Write as _;

use serde_json::json;

use crate::Lang;
use crate::case::TileClass;
use crate::via::ViaKind;

/// How one (case, profile) compares with its accepted snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Same as the accepted snapshot (and the expected tile class, if any).
    Ok,
    /// Differs from the accepted snapshot.
    Changed,
    /// No accepted snapshot yet.
    New,
    /// The tile class is not the one the manifest's `[expect]` names.
    Unexpected,
    /// The case could not be loaded, resolved or replayed.
    Error,
}

impl Status {
    /// The code in JSON and JUnit.
    pub fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Changed => "changed",
            Status::New => "new",
            Status::Unexpected => "unexpected",
            Status::Error => "error",
        }
    }

    /// The word in the table.
    pub fn word(self, lang: Lang) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Changed => lang.pick("modifié", "changed"),
            Status::New => lang.pick("nouveau", "new"),
            Status::Unexpected => lang.pick("inattendu", "unexpected"),
            Status::Error => lang.pick("erreur", "error"),
        }
    }
}

/// One line of the check: a case replayed with one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub case: String,
    /// Empty when the case failed before its profiles were known.
    pub profile: String,
    /// The tile after the last trigger ([`crate::widget::Tile::label`]).
    pub tile: Option<String>,
    pub class: Option<TileClass>,
    /// The flags after the last trigger, compact (`scenario=0 log=1 …`, or `crashed`).
    pub flags: Option<String>,
    pub status: Status,
    /// Why the status is not ok: the first difference, the expectation, the error.
    pub detail: Option<String>,
    /// The snapshot file compared with.
    pub snapshot: Option<String>,
}

/// Counts per status, and the exit code they give.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: usize,
    pub ok: usize,
    pub changed: usize,
    pub new: usize,
    pub unexpected: usize,
    pub error: usize,
    pub cases: usize,
}

impl Summary {
    pub fn of(rows: &[Row]) -> Summary {
        let mut s = Summary {
            total: rows.len(),
            ..Summary::default()
        };
        for r in rows {
            match r.status {
                Status::Ok => s.ok += 1,
                Status::Changed => s.changed += 1,
                Status::New => s.new += 1,
                Status::Unexpected => s.unexpected += 1,
                Status::Error => s.error += 1,
            }
        }
        let mut cases: Vec<&str> = rows.iter().map(|r| r.case.as_str()).collect();
        cases.dedup();
        s.cases = cases.len();
        s
    }

    /// 0 when everything matches, 1 when something differs, 2 when the tool could not do its
    /// job for some case.
    pub fn exit_code(&self) -> u8 {
        if self.error > 0 {
            2
        } else if self.ok == self.total {
            0
        } else {
            1
        }
    }
}

/// The table: one line per (case, profile), then the summary line.
pub fn table(rows: &[Row], lang: Lang) -> String {
    let head = [
        lang.pick("cas", "case"),
        lang.pick("profil", "profile"),
        lang.pick("tuile", "tile"),
        lang.pick("drapeaux", "flags"),
        lang.pick("état", "status"),
    ];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                if r.profile.is_empty() {
                    "-".into()
                } else {
                    r.profile.clone()
                },
                r.tile.clone().unwrap_or_else(|| "-".into()),
                r.flags.clone().unwrap_or_else(|| "-".into()),
                r.status.word(lang).to_owned(),
            ]
        })
        .collect();
    let mut width = head.map(|h| h.chars().count());
    for c in &cells {
        for (w, s) in width.iter_mut().zip(c) {
            *w = (*w).max(s.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, c: &[&str; 5]| {
        for (i, (s, w)) in c.iter().zip(width).enumerate() {
            if i == 4 {
                out.push_str(s);
            } else {
                let _ = write!(out, "{s}{}  ", " ".repeat(w.saturating_sub(s.chars().count())));
            }
        }
        out.push('\n');
    };
    line(&mut out, &head);
    for c in &cells {
        line(
            &mut out,
            &[
                c[0].as_str(),
                c[1].as_str(),
                c[2].as_str(),
                c[3].as_str(),
                c[4].as_str(),
            ],
        );
    }
    for r in rows.iter().filter(|r| r.detail.is_some()) {
        let what = if r.profile.is_empty() {
            r.case.clone()
        } else {
            format!("{}@{}", r.case, r.profile)
        };
        let _ = writeln!(out, "\n{} {what}:", r.status.word(lang));
        for l in r.detail.as_deref().unwrap_or("").lines() {
            let _ = writeln!(out, "  {l}");
        }
    }
    out.push('\n');
    out.push_str(&summary_line(&Summary::of(rows), lang));
    out.push('\n');
    out
}

/// `34 cases, 136 replays: 136 ok, 0 changed, 0 new, 0 unexpected, 0 errors`.
pub fn summary_line(s: &Summary, lang: Lang) -> String {
    match lang {
        Lang::Fr => {
            let pl = |n: usize, one: &str, many: &str| format!("{n} {}", if n > 1 { many } else { one });
            format!(
                "{} cas, {} : {} ok, {}, {}, {}, {}",
                s.cases,
                pl(s.total, "rejeu", "rejeux"),
                s.ok,
                pl(s.changed, "modifié", "modifiés"),
                pl(s.new, "nouveau", "nouveaux"),
                pl(s.unexpected, "inattendu", "inattendus"),
                pl(s.error, "erreur", "erreurs")
            )
        }
        Lang::En => format!(
            "{} cases, {} replays: {} ok, {} changed, {} new, {} unexpected, {} errors",
            s.cases, s.total, s.ok, s.changed, s.new, s.unexpected, s.error
        ),
    }
}

/// One JSON Lines event for a row: `{"type":"case",…}`.
pub fn json_row(r: &Row) -> serde_json::Value {
    json!({
        "type": "case",
        "case": r.case,
        "profile": r.profile,
        "status": r.status.code(),
        "tile": r.tile,
        "tile_class": r.class.map(TileClass::as_str),
        "flags": r.flags,
        "snapshot": r.snapshot,
        "detail": r.detail,
    })
}

/// The final JSON Lines event: `{"type":"summary",…}`; `via` says which path the replays took.
pub fn json_summary(s: &Summary, via: ViaKind) -> serde_json::Value {
    json!({
        "type": "summary",
        "cases": s.cases,
        "replays": s.total,
        "ok": s.ok,
        "changed": s.changed,
        "new": s.new,
        "unexpected": s.unexpected,
        "error": s.error,
        "exit_code": s.exit_code(),
        "via": via.as_str(),
    })
}

/// JUnit XML: one test suite per case, one test case per profile.
pub fn junit(rows: &[Row]) -> Result<String, quick_junit::SerializeError> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("infobackup check");
    let mut suites: Vec<TestSuite> = Vec::new();
    for r in rows {
        if suites.last().is_none_or(|s| s.name.as_str() != r.case) {
            suites.push(TestSuite::new(r.case.clone()));
        }
        let status = match r.status {
            Status::Ok => TestCaseStatus::success(),
            other => {
                let kind = if other == Status::Error {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut st = TestCaseStatus::non_success(kind);
                st.set_type(other.code());
                st.set_message(match other {
                    Status::Changed => "the replay differs from the accepted snapshot".to_owned(),
                    Status::New => "no accepted snapshot yet".to_owned(),
                    Status::Unexpected => "the tile is not the expected one".to_owned(),
                    _ => r
                        .detail
                        .as_deref()
                        .and_then(|d| d.lines().next())
                        .unwrap_or("error")
                        .to_owned(),
                });
                if let Some(d) = &r.detail {
                    st.set_description(d.clone());
                }
                st
            }
        };
        let name = if r.profile.is_empty() {
            r.case.clone()
        } else {
            format!("{}@{}", r.case, r.profile)
        };
        let mut tc = TestCase::new(name, status);
        tc.set_classname(format!("scenarios.{}", r.case));
        if let Some(s) = suites.last_mut() {
            s.add_test_case(tc);
        }
    }
    report.add_test_suites(suites);
    report.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(case: &str, status: Status) -> Row {
        Row {
            case: case.into(),
            profile: "v2024-08".into(),
            tile: Some("finished local=success".into()),
            class: Some(TileClass::Success),
            flags: Some("scenario=0".into()),
            status,
            detail: (status != Status::Ok).then(|| "first difference at line 3:\n- a\n+ b".to_owned()),
            snapshot: None,
        }
    }

    #[test]
    fn the_exit_code_follows_the_worst_status() {
        assert_eq!(Summary::of(&[row("a", Status::Ok)]).exit_code(), 0);
        assert_eq!(
            Summary::of(&[row("a", Status::Ok), row("b", Status::New)]).exit_code(),
            1
        );
        assert_eq!(
            Summary::of(&[row("a", Status::Changed), row("b", Status::Error)]).exit_code(),
            2
        );
        assert_eq!(
            Summary::of(&[row("a", Status::Ok), row("a", Status::Ok), row("b", Status::Ok)]).cases,
            2
        );
    }

    #[test]
    fn the_table_aligns_and_quotes_the_difference() {
        let t = table(&[row("4.4-a", Status::Ok), row("b", Status::Changed)], Lang::En);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "case   profile   tile                    flags       status");
        assert_eq!(lines[2], "b      v2024-08  finished local=success  scenario=0  changed");
        assert!(
            t.contains("changed b@v2024-08:\n  first difference at line 3:\n  - a\n  + b\n"),
            "{t}"
        );
        assert!(
            t.ends_with("2 cases, 2 replays: 1 ok, 1 changed, 0 new, 0 unexpected, 0 errors\n"),
            "{t}"
        );
    }

    #[test]
    fn junit_has_a_suite_per_case_and_a_failure_per_difference() {
        let xml = junit(&[row("a", Status::Ok), row("a", Status::Changed), row("b", Status::Error)]).unwrap();
        assert!(xml.contains(r#"<testsuite name="a" tests="2""#), "{xml}");
        assert!(
            xml.contains(r#"<failure message="the replay differs from the accepted snapshot" type="changed">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<error message="first difference at line 3:" type="error">"#),
            "{xml}"
        );
    }
}
