//! `--widget FILE` for `check` and `diagnose`: every value a replay leaves on the virtual, drawn
//! by the real widget template in headless Chromium ([`crate::widget::real`]) in one batch, and
//! compared with the view. What this module owns is the bookkeeping: which (case, profile, step)
//! each value came from, one page for all of them (each distinct value and time once), and the
//! findings per replay. Every text that leaves it is redacted.

use std::collections::BTreeMap;

use crate::engine::Replay;
use crate::widget::real::{Batch, Browser, Difference, RealError, Sample, WidgetTemplate};
use crate::widget::{self, Tile};

/// One value of a replay, where it came from.
#[derive(Debug, Clone)]
pub struct StepValue {
    /// 1-based step number in the replay.
    pub step: usize,
    /// The trigger's name.
    pub trigger: String,
    pub sample: Sample,
}

/// The values of one replay, in step order.
pub fn step_values(replay: &Replay) -> Vec<StepValue> {
    replay
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepValue {
            step: i + 1,
            trigger: s.trigger.to_string(),
            sample: Sample {
                value: s.virtual_value.clone(),
                at: Some(s.at),
            },
        })
        .collect()
}

/// A step the real widget draws differently from the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFinding {
    pub step: usize,
    pub trigger: String,
    /// The view's tile label and the differences (redacted).
    pub view: String,
    pub differences: Vec<String>,
}

/// The real widget's drawings of a set of values, one page for all of them.
pub struct Drawings {
    drawn: BTreeMap<Sample, crate::widget::real::Drawn>,
    /// Script errors while the template's page loaded (redacted).
    pub load_errors: Vec<String>,
    /// How many distinct values were drawn.
    pub distinct: usize,
}

/// Draws every distinct sample of `groups` in one page.
pub fn draw_all<'a>(
    browser: &Browser,
    template: &WidgetTemplate,
    groups: impl IntoIterator<Item = &'a [StepValue]>,
) -> Result<Drawings, RealError> {
    let mut samples: Vec<Sample> = groups.into_iter().flatten().map(|v| v.sample.clone()).collect();
    samples.sort();
    samples.dedup();
    let Batch { load_errors, drawn } = if samples.is_empty() {
        Batch {
            load_errors: Vec::new(),
            drawn: Vec::new(),
        }
    } else {
        browser.draw(template, &samples, &[])?
    };
    Ok(Drawings {
        distinct: samples.len(),
        drawn: samples.into_iter().zip(drawn).collect(),
        load_errors: load_errors.iter().map(|e| crate::redact::redact_text(e)).collect(),
    })
}

impl Drawings {
    /// The steps of one replay whose real drawing differs from the view.
    pub fn findings(&self, values: &[StepValue]) -> Vec<StepFinding> {
        values
            .iter()
            .filter_map(|v| {
                let drawn = self.drawn.get(&v.sample)?;
                let tile = widget::view_at(&v.sample.value, v.sample.at);
                let diffs = widget::real::compare(&tile, drawn);
                (!diffs.is_empty()).then(|| StepFinding {
                    step: v.step,
                    trigger: v.trigger.clone(),
                    view: tile.label(),
                    differences: diffs.iter().map(redacted).collect(),
                })
            })
            .collect()
    }

    /// The real drawing of one value, compared with its view.
    pub fn differences(&self, sample: &Sample, tile: &Tile) -> Option<Vec<String>> {
        let drawn = self.drawn.get(sample)?;
        Some(widget::real::compare(tile, drawn).iter().map(redacted).collect())
    }
}

fn redacted(d: &Difference) -> String {
    crate::redact::redact_text(&d.to_string())
}

/// The findings of one replay as the detail of a `check` row: the first few steps, each with
/// its differences.
pub fn detail(template: &WidgetTemplate, findings: &[StepFinding]) -> String {
    const SHOWN: usize = 3;
    let mut out = format!(
        "the real widget ({}) draws {} step{} differently from the view:",
        template.path().display(),
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    for f in findings.iter().take(SHOWN) {
        out.push_str(&format!("\nstep {} ({}), view {}:", f.step, f.trigger, f.view));
        for d in &f.differences {
            out.push_str(&format!("\n  {d}"));
        }
    }
    if findings.len() > SHOWN {
        out.push_str(&format!("\n… and {} more", findings.len() - SHOWN));
    }
    out
}

/// The values of every replay of one case folder (only `only` when given), by profile name:
/// the replays `check` made, made again (a replay costs microseconds). A case that cannot be
/// loaded or replayed gives nothing here: `check` already reports it as an error row.
pub fn case_values(
    dir: &std::path::Path,
    only: Option<&str>,
    overrides: &crate::case::Overrides,
    via: &crate::via::Via,
) -> Vec<(String, Vec<StepValue>)> {
    let Ok(resolved) = crate::case::Case::load(dir).and_then(|c| c.resolve(overrides)) else {
        return Vec::new();
    };
    resolved
        .profiles
        .iter()
        .filter(|p| only.is_none_or(|o| p.name() == o))
        .filter_map(|p| {
            let replay = super::run::replay(&resolved, p, via).ok()?;
            Some((p.name().to_owned(), step_values(&replay)))
        })
        .collect()
}

/// `diagnose --widget`: a run's tile (published profile or strict) that the real widget draws
/// differently from the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileFinding {
    pub run: u32,
    pub profile: String,
    /// The view's tile, in one line.
    pub view: String,
    /// The tile as the real widget draws it, in one line (redacted).
    pub widget: String,
    pub differences: Vec<String>,
}

/// The values `diagnose` shows as tiles: each run's last value for the published profile and
/// for strict, as (run, profile, sample).
pub fn diagnosis_samples(d: &super::diagnose::Diagnosis) -> Vec<(u32, String, Sample)> {
    let mut out = Vec::new();
    for r in &d.runs {
        for v in [&r.published, &r.strict].into_iter().flatten() {
            out.push((
                r.number,
                v.profile.clone(),
                Sample {
                    value: v.step.virtual_value.clone(),
                    at: Some(v.step.at),
                },
            ));
        }
    }
    out
}

/// Draws the diagnosis's tiles in one page; the ones the real widget draws differently.
pub fn diagnosis_findings(
    browser: &Browser,
    template: &WidgetTemplate,
    d: &super::diagnose::Diagnosis,
    lang: crate::Lang,
) -> Result<(usize, Vec<TileFinding>), RealError> {
    let samples = diagnosis_samples(d);
    let mut distinct: Vec<Sample> = samples.iter().map(|(_, _, s)| s.clone()).collect();
    distinct.sort();
    distinct.dedup();
    let batch = if distinct.is_empty() {
        Batch {
            load_errors: Vec::new(),
            drawn: Vec::new(),
        }
    } else {
        browser.draw(template, &distinct, &[])?
    };
    let drawn: BTreeMap<&Sample, &crate::widget::real::Drawn> = distinct.iter().zip(&batch.drawn).collect();
    let mut findings = Vec::new();
    for (run, profile, sample) in &samples {
        let Some(dr) = drawn.get(sample) else { continue };
        let tile = widget::view_at(&sample.value, sample.at);
        let diffs = widget::real::compare(&tile, dr);
        if diffs.is_empty() {
            continue;
        }
        findings.push(TileFinding {
            run: *run,
            profile: profile.clone(),
            view: d.redact(&tile.headline(lang)),
            widget: d.redact(&dr.describe()),
            differences: diffs.iter().map(|x| d.redact(&x.to_string())).collect(),
        });
    }
    Ok((distinct.len(), findings))
}

/// The findings as a text section (appended to `diagnose`'s text report).
pub fn findings_text(template: &WidgetTemplate, drawn: usize, findings: &[TileFinding], lang: crate::Lang) -> String {
    let file = template.path().display();
    if findings.is_empty() {
        return match lang {
            crate::Lang::Fr => format!(
                "\nVrai widget ({file}) : {} dans Chromium, comme la vue les montre.\n",
                lang.count(drawn, ["tuile dessinée", "tuiles dessinées"], ["", ""])
            ),
            crate::Lang::En => format!(
                "\nReal widget ({file}): {} in Chromium, as the view shows them.\n",
                lang.count(drawn, ["", ""], ["tile drawn", "tiles drawn"])
            ),
        };
    }
    let mut out = match lang {
        crate::Lang::Fr => format!("\nLa tuile telle que le vrai widget la dessine ({file}) :\n"),
        crate::Lang::En => format!("\nThe tile as the real widget draws it ({file}):\n"),
    };
    for f in findings {
        let (run, view, widget) = match lang {
            crate::Lang::Fr => ("sauvegarde", "vue", "widget"),
            crate::Lang::En => ("run", "view", "widget"),
        };
        let colon = lang.pick(" :", ":");
        out.push_str(&format!(
            "  {run} {} ({}){colon}\n    {view}{colon}   {}\n    {widget}{colon} {}\n",
            f.run, f.profile, f.view, f.widget
        ));
        for d in &f.differences {
            out.push_str(&format!("    - {d}\n"));
        }
    }
    out
}

/// The findings as JSON (the `real_widget` member of `diagnose --format json`).
pub fn findings_json(template: &WidgetTemplate, drawn: usize, findings: &[TileFinding]) -> serde_json::Value {
    serde_json::json!({
        "template": template.path().display().to_string(),
        "drawn": drawn,
        "differences": findings.iter().map(|f| serde_json::json!({
            "run": f.run,
            "profile": f.profile,
            "view": f.view,
            "widget": f.widget,
            "differences": f.differences,
        })).collect::<Vec<_>>(),
    })
}

/// The findings as an HTML section (inserted before the end of `diagnose`'s HTML page).
pub fn findings_html(template: &WidgetTemplate, drawn: usize, findings: &[TileFinding], lang: crate::Lang) -> String {
    let text = findings_text(template, drawn, findings, lang);
    format!(
        "<section class=\"ib-real-widget\"><pre>{}</pre></section>",
        crate::widget::escape(text.trim())
    )
}
