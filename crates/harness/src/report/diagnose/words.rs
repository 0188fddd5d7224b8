//! The sentences of a diagnosis, in French (the default) and English, shared by the text, JSON
//! and HTML renderings so that they say the same thing. Plain words for a Jeedom user helping
//! another on a forum.

use super::{Diagnosis, Disagreement, Event, EventKind, Note, Quote, QuoteKind, RunReport, Verdict};
use crate::Lang;
use crate::case::{ConfigKey, Fact, Origin, Subject};
use crate::engine::evidence::human_size;
use crate::engine::{Flag, FlagKind};
use crate::log::{Run, RunEnd, StepKind, StepResult, UploadOutcome};
use crate::widget::{Panel, Tile, Tone};
use crate::world::format_at;

/// Longest message quoted inside a sentence, in characters.
const SHORT: usize = 140;

/// `text` redacted, then cut to [`SHORT`] characters: a secret cut first would no longer be
/// recognised. (A secret only the diagnosis' [`crate::redact::Redactor`] knows, the live mode's
/// API key, is hidden by the rendering's final redaction, cut pieces next to the `…` included.)
fn short(text: &str) -> String {
    let text = crate::redact::redact(text);
    let t = text.trim();
    if t.chars().count() <= SHORT {
        t.to_owned()
    } else {
        let cut: String = t.chars().take(SHORT).collect();
        format!("{cut}…")
    }
}

/// French or English quotes around a text.
pub(crate) fn quoted(text: &str, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("« {} »", short(text)),
        Lang::En => format!("\"{}\"", short(text)),
    }
}

/// `Scénario publié (v2024-08)` / `Lecture stricte (strict)`.
pub fn profile_caption(v: &Verdict, strict: bool, lang: Lang) -> String {
    if strict {
        format!("{} ({})", lang.pick("Lecture stricte", "Strict reading"), v.profile)
    } else {
        format!("{} ({})", lang.pick("Scénario publié", "Published scenario"), v.profile)
    }
}

/// The sentence for one flag of one profile, for this run: as [`flag_sentence`], except that
/// Samba is never said to be "turned off" when the log only fails to show it (no run reached
/// the upload step, and no option said): it is assumed off, and said so.
pub fn flag_sentence_for(d: &Diagnosis, v: &Verdict, kind: FlagKind, lang: Lang) -> String {
    let keys_off = matches!(
        v.step.evidence.decision(kind).rule,
        crate::engine::Rule::SambaSkipped(crate::engine::SambaSkip::KeysDisabled { .. })
    );
    let guessed = d.assumptions.iter().any(|f| {
        f.subject == Subject::Config(ConfigKey::SambaEnable) && f.origin == Origin::Assumed { lines: Vec::new() }
    });
    if kind == FlagKind::Samba && keys_off && guessed && !v.step.crashed() {
        return lang
            .pick(
                "Samba non vérifié : le log ne montre pas si l'envoi Samba est configuré (aucune sauvegarde n'est arrivée jusqu'à l'envoi), il est donc supposé désactivé.",
                "Samba not checked: the log does not show whether the Samba upload is configured (no run got as far as the upload), so it is assumed off.",
            )
            .to_owned();
    }
    flag_sentence(v, kind, lang)
}

/// The defaults (facts the log does not give) a flag's value rests on, for run `r`.
pub fn flag_defaults<'a>(d: &'a Diagnosis, r: &'a RunReport, kind: FlagKind) -> Vec<&'a Fact> {
    let checked = |k: FlagKind| {
        [r.published.as_ref(), r.strict.as_ref()]
            .into_iter()
            .flatten()
            .any(|v| matches!(v.flag(k), Some(Flag::Ok | Flag::Error)))
    };
    let sized = [r.published.as_ref(), r.strict.as_ref()]
        .into_iter()
        .flatten()
        .any(|v| {
            matches!(
                v.step.evidence.decision(FlagKind::Size).rule,
                crate::engine::Rule::SizeAbove { .. } | crate::engine::Rule::SizeNotAbove { .. }
            )
        });
    let relevant = |f: &Fact| match (&f.subject, kind) {
        (Subject::ArchiveSize { .. } | Subject::MinSize, FlagKind::Size) => sized,
        (Subject::Config(ConfigKey::SambaEnable), FlagKind::Samba) => true,
        (Subject::SambaListing, FlagKind::Samba) => checked(FlagKind::Samba),
        (Subject::Config(ConfigKey::BackupPath), FlagKind::Local) => checked(FlagKind::Local),
        _ => false,
    };
    let default =
        |f: &Fact| matches!(&f.origin, Origin::Assumed { .. }) || f.value == crate::case::Value::ShareFromUploads;
    r.assumptions
        .iter()
        .chain(&d.assumptions)
        .filter(|f| default(f) && relevant(f))
        .collect()
}

/// [`flag_defaults`] in one sentence, with the option that changes each: `Supposé, faute
/// d'être dans le log : taille de … = 222298112 (--archive-size pour changer).`
pub fn flag_defaults_text(d: &Diagnosis, r: &RunReport, kind: FlagKind, lang: Lang) -> Option<String> {
    let facts = flag_defaults(d, r, kind);
    if facts.is_empty() {
        return None;
    }
    let parts: Vec<String> = facts
        .iter()
        .map(|f| {
            let mut p = format!("{} = {}", f.subject.text(lang), f.value.text(lang));
            if let Some(o) = f.subject.option(lang) {
                p.push_str(&match lang {
                    Lang::Fr => format!(" ({o} pour changer)"),
                    Lang::En => format!(" ({o} to change it)"),
                });
            }
            p
        })
        .collect();
    Some(match lang {
        Lang::Fr => format!("Supposé, faute d'être dans le log : {}.", parts.join(" ; ")),
        Lang::En => format!("Assumed, as the log does not say: {}.", parts.join("; ")),
    })
}

/// The value of a flag for a person: `0`, `1`, `-1`, or `—` when the block crashed.
pub fn flag_value(f: Option<Flag>) -> String {
    f.map_or_else(|| "—".to_owned(), |f| f.code().to_string())
}

/// The sentence for one flag of one profile; after a crash, only the scenario flag carries the
/// (long) explanation and the others say so briefly.
pub fn flag_sentence(v: &Verdict, kind: FlagKind, lang: Lang) -> String {
    if v.step.crashed() && kind != FlagKind::Scenario {
        return lang
            .pick(
                "Le scénario a planté (voir Scénario) : aucun voyant n'a été écrit.",
                "The scenario crashed (see Scenario): no flag was written.",
            )
            .to_owned();
    }
    v.step.explain(kind, lang)
}

/// `Log (errorLog)`.
pub fn flag_title(kind: FlagKind, lang: Lang) -> String {
    format!("{} ({kind})", kind.label(lang))
}

/// `vert`, `orange`, `rouge`, `en cours` — the tile's overall colour.
pub fn tone_word(tone: Tone, lang: Lang) -> &'static str {
    match tone {
        Tone::Good => lang.pick("vert", "green"),
        Tone::Busy => lang.pick("en cours", "in progress"),
        Tone::Warn => lang.pick("orange", "orange"),
        Tone::Bad => lang.pick("rouge", "red"),
    }
}

/// The run's headline: `Sauvegarde 1 — 2025-09-10 03:27:01 — backup.log, lignes 1 à 24`.
pub fn run_title(r: &RunReport, lang: Lang) -> String {
    let start = r.run.start.as_ref().map_or_else(
        || lang.pick("début coupé", "start cut off").to_owned(),
        |(t, _)| format_at(*t),
    );
    format!(
        "{} {} — {start} — {}, {} {} {} {}",
        lang.pick("Sauvegarde", "Backup run"),
        r.number,
        r.file,
        lang.pick("lignes", "lines"),
        r.run.lines.first,
        lang.pick("à", "to"),
        r.run.lines.last,
    )
}

/// "In short": what happened, from the log alone.
pub fn run_summary(r: &RunReport, lang: Lang) -> String {
    run_story(&r.run, lang)
}

/// "In short" for a run of the log model: what happened, from the log alone.
pub fn run_story(run: &Run, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let mut s = match &run.end {
        RunEnd::Success {
            at,
            without_marker: true,
        } => {
            if fr {
                format!(
                    "la sauvegarde s'est terminée normalement (bannière de fin à la ligne {} ; la ligne [END BACKUP SUCCESS] qui la suit manque au texte)",
                    at.line
                )
            } else {
                format!(
                    "the backup ended normally (end banner at line {}; the [END BACKUP SUCCESS] line that follows it is missing from the text)",
                    at.line
                )
            }
        }
        RunEnd::Success { at, .. } => {
            if fr {
                format!(
                    "la sauvegarde s'est terminée normalement ([END BACKUP SUCCESS] à la ligne {})",
                    at.line
                )
            } else {
                format!("the backup ended normally ([END BACKUP SUCCESS] at line {})", at.line)
            }
        }
        RunEnd::Failed { message, at, .. } => match message {
            Some(m) => {
                if fr {
                    format!("la sauvegarde a échoué à la ligne {} : {}", at.line, quoted(m, lang))
                } else {
                    format!("the backup failed at line {}: {}", at.line, quoted(m, lang))
                }
            }
            None => {
                if fr {
                    format!("la sauvegarde a échoué ([END BACKUP ERROR] à la ligne {})", at.line)
                } else {
                    format!("the backup failed ([END BACKUP ERROR] at line {})", at.line)
                }
            }
        },
        RunEnd::Unterminated => {
            let last = run.steps.last().map(|s| step_name(&s.kind, lang));
            match last {
                Some(step) => {
                    if fr {
                        format!(
                            "le log s'arrête en pleine sauvegarde (ligne {}, pendant : {step}) : ni succès ni échec écrit",
                            run.lines.last
                        )
                    } else {
                        format!(
                            "the log stops in the middle of the backup (line {}, during: {step}): neither success nor failure was written",
                            run.lines.last
                        )
                    }
                }
                None => {
                    if fr {
                        format!("le log s'arrête à la ligne {} sans fin de sauvegarde", run.lines.last)
                    } else {
                        format!("the log stops at line {} without the backup's end", run.lines.last)
                    }
                }
            }
        }
    };
    let failed_uploads: Vec<String> = run
        .uploads
        .iter()
        .filter_map(|u| match &u.outcome {
            UploadOutcome::Failed { .. } => Some(format!(
                "{} ({} {})",
                repo_name(u.repo.as_str()),
                lang.pick("ligne", "line"),
                u.failure_at.as_ref().map_or(u.at.line, |f| f.line)
            )),
            _ => None,
        })
        .collect();
    if !failed_uploads.is_empty() {
        s.push_str(&if fr {
            format!(", mais l'envoi a échoué : {}", failed_uploads.join(", "))
        } else {
            format!(", but the upload failed: {}", failed_uploads.join(", "))
        });
    }
    let errors = run.errors().count();
    if errors > 0 {
        s.push_str(&if fr {
            format!(" ; {errors} ligne{} d'erreur du journal de Jeedom", plural(errors))
        } else {
            format!("; {errors} logger error line{}", plural(errors))
        });
    }
    if run.cut_at_start() {
        s.push_str(lang.pick(
            " (le début de la sauvegarde manque dans le log)",
            " (the start of the backup is missing from the log)",
        ));
    }
    let mut first = s;
    if let Some(c) = first.get(..1) {
        let upper = c.to_uppercase();
        first.replace_range(..1, &upper);
    }
    first.push('.');
    first
}

fn plural(n: usize) -> &'static str {
    if n > 1 { "s" } else { "" }
}

fn repo_name(code: &str) -> String {
    match code {
        "samba" => "Samba".to_owned(),
        "market" => "Market".to_owned(),
        other => other.to_owned(),
    }
}

/// The disagreement, explained first: what the published tile shows and why it is wrong (or
/// stricter than needed).
pub fn disagreement_text(r: &RunReport, d: &Disagreement, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let (Some(p), Some(s)) = (&r.published, &r.strict) else {
        return String::new();
    };
    let (ph, sh) = (p.tile.headline(lang), s.tile.headline(lang));
    let (mut ptile, mut stile) = (quoted(&ph, lang), quoted(&sh, lang));
    // Two headlines cut short must not read the same: then they are quoted whole.
    if ptile == stile {
        let whole = |t: &str| match lang {
            Lang::Fr => format!("« {t} »"),
            Lang::En => format!("\"{t}\""),
        };
        (ptile, stile) = (whole(&ph), whole(&sh));
    }
    let failure = r.end_quote.as_ref().map(|q| {
        let message = match &r.run.end {
            RunEnd::Failed { message: Some(m), .. } => m.clone(),
            _ => q.text.clone(),
        };
        (q.line, message)
    });
    match d {
        Disagreement::NeverEnds { failed } => {
            let mut t = if fr {
                format!(
                    "Le scénario publié ({}) affiche {ptile} et le restera : Jeedom ne déclenche pas end_backup ",
                    p.profile
                )
            } else {
                format!(
                    "The published scenario ({}) shows {ptile} and will keep showing it: Jeedom fires no end_backup ",
                    p.profile
                )
            };
            if *failed {
                t.push_str(lang.pick("quand une sauvegarde échoue.", "when a backup fails."));
            } else {
                t.push_str(lang.pick(
                    "pour une sauvegarde qui ne se termine pas.",
                    "for a backup that never ends.",
                ));
            }
            match (failed, failure) {
                (true, Some((line, text))) => t.push_str(&if fr {
                    format!(
                        " Or la sauvegarde a échoué à la ligne {line} : {}.",
                        quoted(&text, lang)
                    )
                } else {
                    format!(" Yet the backup failed at line {line}: {}.", quoted(&text, lang))
                }),
                (false, Some((line, _))) => t.push_str(&if fr {
                    format!(" Le log s'arrête à la ligne {line}.")
                } else {
                    format!(" The log stops at line {line}.")
                }),
                _ => {}
            }
            t.push_str(&if fr {
                format!(" La lecture stricte ({}) affiche {stile}.", s.profile)
            } else {
                format!(" The strict reading ({}) shows {stile}.", s.profile)
            });
            t
        }
        Disagreement::PublishedCrashed { .. } => {
            let why = p.step.explain(FlagKind::Scenario, lang);
            if fr {
                format!(
                    "Le scénario publié ({}) affiche {ptile}. {why} La lecture stricte ({}), qui ne plante pas, affiche {stile}.",
                    p.profile, s.profile
                )
            } else {
                format!(
                    "The published scenario ({}) shows {ptile}. {why} The strict reading ({}), which does not crash, shows {stile}.",
                    p.profile, s.profile
                )
            }
        }
        Disagreement::PublishedHides => {
            let why_strict = errors_explained(r, s, lang);
            let mut t = both_tiles(p, s, &ptile, &stile, (", mais", ", but"), lang);
            if why_strict.is_empty() {
                t.push('.');
            } else {
                t.push_str(lang.pick(" : ", ": "));
                t.push_str(&why_strict.join(lang.pick(" ; ", "; ")));
            }
            t
        }
        Disagreement::PublishedWorse => {
            let why_pub = errors_explained(r, p, lang);
            let mut t = both_tiles(p, s, &ptile, &stile, (" alors que", " while"), lang);
            if why_pub.is_empty() {
                t.push('.');
            } else {
                t.push_str(lang.pick(" ; le scénario publié dit : ", "; the published scenario says: "));
                t.push_str(&why_pub.join(lang.pick(" ; ", "; ")));
            }
            // Blind spot 2: the published scenario reads the whole file, earlier runs included.
            if let crate::engine::Rule::LogErrors { lines, .. } = &p.step.evidence.log.rule {
                let (first, last) = (r.run.lines.first as usize, r.run.lines.last as usize);
                let outside: Vec<String> = lines
                    .iter()
                    .filter(|l| l.line < first || l.line > last)
                    .map(|l| l.line.to_string())
                    .collect();
                if !outside.is_empty() && outside.len() == lines.len() {
                    t.push_str(&if fr {
                        format!(
                            " Or la ligne {} ne fait pas partie de cette sauvegarde (lignes {first} à {last}) : le scénario publié lit tout le fichier, erreurs des sauvegardes précédentes du jour comprises.",
                            outside.join(", ")
                        )
                    } else {
                        format!(
                            " Yet line {} is not part of this run (lines {first} to {last}): the published scenario reads the whole file, errors of earlier runs the same day included.",
                            outside.join(", ")
                        )
                    });
                }
            }
            t
        }
        Disagreement::Other => {
            let mut t = if fr {
                format!(
                    "Le scénario publié ({}) affiche {ptile} ; la lecture stricte ({}) affiche {stile}.",
                    p.profile, s.profile
                )
            } else {
                format!(
                    "The published scenario ({}) shows {ptile}; the strict reading ({}) shows {stile}.",
                    p.profile, s.profile
                )
            };
            let flags = errors_explained(r, s, lang);
            if !flags.is_empty() {
                t.push(' ');
                t.push_str(&flags.join(" "));
            }
            t
        }
    }
}

/// The flags that differ between the two readings, one by one, those `v` marks as errors
/// first: each flag's two values and why (the sentence of the reading that marks it an error,
/// else strict's).
fn errors_explained(r: &RunReport, v: &Verdict, lang: Lang) -> Vec<String> {
    let (Some(p), Some(s)) = (&r.published, &r.strict) else {
        return Vec::new();
    };
    let mut flags = r.differing_flags();
    flags.sort_by_key(|k| v.flag(*k) != Some(Flag::Error));
    flags
        .into_iter()
        .map(|k| {
            let why = if p.flag(k) == Some(Flag::Error) { p } else { s };
            let (pv, sv) = (flag_value(p.flag(k)), flag_value(s.flag(k)));
            let sentence = why.step.explain(k, lang);
            match lang {
                Lang::Fr => format!(
                    "voyant {} ({k}) : {pv} pour le scénario publié, {sv} pour la lecture stricte — {sentence}",
                    k.label(lang)
                ),
                Lang::En => format!(
                    "flag {} ({k}): {pv} for the published scenario, {sv} for the strict reading — {sentence}",
                    k.label(lang)
                ),
            }
        })
        .collect()
}

/// "The published scenario (P) shows X (tone)<link> the strict reading (S) shows Y (tone)", with
/// no final stop: `link` (French, English) says whether the published tile hides or worsens.
fn both_tiles(p: &Verdict, s: &Verdict, ptile: &str, stile: &str, link: (&str, &str), lang: Lang) -> String {
    let (ptone, stone) = (tone_word(p.tile.tone(), lang), tone_word(s.tile.tone(), lang));
    let link = lang.pick(link.0, link.1);
    if lang == Lang::Fr {
        format!(
            "Le scénario publié ({}) affiche {ptile} ({ptone}){link} la lecture stricte ({}) affiche {stile} ({stone})",
            p.profile, s.profile
        )
    } else {
        format!(
            "The published scenario ({}) shows {ptile} ({ptone}){link} the strict reading ({}) shows {stile} ({stone})",
            p.profile, s.profile
        )
    }
}

/// What a quote points at.
pub fn quote_label(q: &Quote, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match &q.what {
        QuoteKind::LoggerError { level, date } if date.is_empty() => {
            if fr {
                format!("ligne {level} du journal de Jeedom")
            } else {
                format!("{level} logger line")
            }
        }
        QuoteKind::LoggerError { level, date } => {
            if fr {
                format!("ligne {level} du journal de Jeedom, datée du {date}")
            } else {
                format!("{level} logger line, dated {date}")
            }
        }
        QuoteKind::RunFailed => lang
            .pick("la sauvegarde échoue ici", "the backup fails here")
            .to_owned(),
        QuoteKind::EndMarker => lang
            .pick("fin de la sauvegarde en échec", "the backup ends in failure")
            .to_owned(),
        QuoteKind::Upload { repo } => {
            if fr {
                format!("envoi vers {}", repo_name(repo))
            } else {
                format!("upload to {}", repo_name(repo))
            }
        }
        QuoteKind::UploadFailed { repo } => {
            if fr {
                format!("échec de l'envoi vers {}", repo_name(repo))
            } else {
                format!("the upload to {} failed", repo_name(repo))
            }
        }
        QuoteKind::Archive => lang
            .pick("l'archive annoncée par le log", "the archive the log announced")
            .to_owned(),
        QuoteKind::StoppedHere => lang.pick("le log s'arrête ici", "the log stops here").to_owned(),
        QuoteKind::Printed { step } => {
            if fr {
                format!("l'erreur écrite pendant : {}", step_name(step, lang))
            } else {
                format!("the error printed during: {}", step_name(step, lang))
            }
        }
        QuoteKind::Tar { warning: true } => lang
            .pick(
                "avertissement de tar, sans gravité : l'archive est créée quand même",
                "a harmless tar warning: the archive is made all the same",
            )
            .to_owned(),
        QuoteKind::Tar { warning: false } => lang
            .pick(
                "erreur de tar : l'archive peut être incomplète",
                "a tar error: the archive may be incomplete",
            )
            .to_owned(),
    }
}

/// The name of a step of Jeedom's backup.
pub fn step_name(kind: &StepKind, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match kind {
        StepKind::BeginEvent => lang
            .pick("évènement de début (begin_backup)", "begin event (begin_backup)")
            .into(),
        StepKind::FileRights => lang.pick("vérification des droits", "file rights check").into(),
        StepKind::PluginHook { plugin } => {
            if fr {
                format!("sauvegarde du plugin {plugin}")
            } else {
                format!("plugin {plugin} backup")
            }
        }
        StepKind::DatabaseCheck => lang.pick("vérification de la base de données", "database check").into(),
        StepKind::TableCheck { table } => {
            if fr {
                format!("vérification de la table {table}")
            } else {
                format!("table {table} check")
            }
        }
        StepKind::DatabaseDump => lang.pick("sauvegarde de la base de données", "database dump").into(),
        StepKind::CachePersistence => lang.pick("persistance du cache", "cache persistence").into(),
        StepKind::Archive => lang.pick("création de l'archive", "archive creation").into(),
        StepKind::CleanOld => lang
            .pick("nettoyage des anciennes sauvegardes", "old backups clean-up")
            .into(),
        StepKind::SizeLimit { limit_mb: Some(mb) } => {
            if fr {
                format!("limitation de la taille à {mb} Mo")
            } else {
                format!("size limit to {mb} MB")
            }
        }
        StepKind::SizeLimit { limit_mb: None } => lang.pick("limitation de la taille", "size limit").into(),
        StepKind::EndEvent => lang
            .pick("évènement de fin (end_backup)", "end event (end_backup)")
            .into(),
    }
}

fn result_words(result: &StepResult, lang: Lang) -> String {
    match result {
        StepResult::Ok => "OK".into(),
        StepResult::Nok => "NOK".into(),
        StepResult::Failed { message } => format!("{} {}", lang.pick("ÉCHEC", "FAILED"), quoted(message, lang)),
        StepResult::Unfinished => lang.pick("pas de résultat", "no result").into(),
    }
}

/// One event of the timeline, without its line number and time.
pub fn event_text(e: &Event, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match &e.what {
        EventKind::StartMarker => "[START BACKUP]".into(),
        EventKind::Start => lang.pick("début de la sauvegarde", "the backup starts").into(),
        EventKind::Step { kind, result } => format!("{} : {}", step_name(kind, lang), result_words(result, lang))
            .replacen(" : ", if fr { " : " } else { ": " }, 1),
        EventKind::Folded { kind, count } => match kind {
            StepKind::TableCheck { .. } => {
                if fr {
                    format!("{count} tables vérifiées : OK")
                } else {
                    format!("{count} tables checked: OK")
                }
            }
            StepKind::PluginHook { .. } => {
                if fr {
                    format!("{count} plugins sauvegardés : OK")
                } else {
                    format!("{count} plugins backed up: OK")
                }
            }
            other => format!("{} ×{count} : OK", step_name(other, lang)),
        },
        EventKind::Upload { repo, outcome } => {
            let what = match outcome {
                UploadOutcome::Ok => "OK".to_owned(),
                UploadOutcome::Failed { message } => {
                    format!("{} {}", lang.pick("ÉCHEC", "FAILED"), quoted(message, lang))
                }
                UploadOutcome::Unfinished => lang.pick("pas terminé", "unfinished").to_owned(),
            };
            if fr {
                format!("envoi vers {} : {what}", repo_name(repo))
            } else {
                format!("upload to {}: {what}", repo_name(repo))
            }
        }
        EventKind::Logger { level, message } => {
            if fr {
                format!("logger {level} : {}", quoted(message, lang))
            } else {
                format!("logger {level}: {}", quoted(message, lang))
            }
        }
        EventKind::Deletion { path } => {
            let file = path.rsplit('/').next().unwrap_or(path);
            if fr {
                format!("supprimée pour la limite de taille : {file}")
            } else {
                format!("deleted for the size limit: {file}")
            }
        }
        EventKind::RemoteDeletion { repo, file } => {
            let f = file.as_deref().unwrap_or("?");
            if fr {
                format!("supprimée de {} (ancienne) : {f}", repo_name(repo))
            } else {
                format!("deleted from {} (too old): {f}", repo_name(repo))
            }
        }
        EventKind::Archive { file_name } => {
            if fr {
                format!("archive : {file_name}")
            } else {
                format!("archive: {file_name}")
            }
        }
        EventKind::Duration { secs } => {
            if fr {
                format!("durée annoncée : {secs} s (fin)")
            } else {
                format!("reported duration: {secs} s (end)")
            }
        }
        EventKind::EndBanner => lang.pick("bannière de fin", "end banner").into(),
        EventKind::Success => "[END BACKUP SUCCESS]".into(),
        EventKind::Failed { message: Some(m) } => {
            if fr {
                format!("échec de la sauvegarde : {}", quoted(m, lang))
            } else {
                format!("the backup fails: {}", quoted(m, lang))
            }
        }
        EventKind::Failed { message: None } => lang
            .pick(
                "[END BACKUP ERROR] : la sauvegarde est en échec",
                "[END BACKUP ERROR]: the backup failed",
            )
            .into(),
        EventKind::Unterminated => lang
            .pick(
                "le log s'arrête ici, sans fin de sauvegarde",
                "the log stops here, with no end",
            )
            .into(),
    }
}

/// Whether an event is bad news (for colouring).
pub fn event_is_bad(e: &Event) -> bool {
    match &e.what {
        EventKind::Step { result, .. } => matches!(result, StepResult::Failed { .. } | StepResult::Nok),
        EventKind::Upload { outcome, .. } => matches!(outcome, UploadOutcome::Failed { .. }),
        EventKind::Logger { level, .. } => level.is_error(),
        EventKind::Failed { .. } | EventKind::Unterminated => true,
        _ => false,
    }
}

/// A fact in one line, not yet redacted: `supposé fuseau horaire = Europe/Paris  (par défaut ;
/// --tz pour changer)`. A default says how to change it: the manifest key for a case folder
/// (`case_folder`), else `diagnose`'s option when there is one.
pub fn fact_text(f: &Fact, case_folder: bool, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let kind = match f.origin {
        Origin::Inferred { .. } => lang.pick("déduit ", "inferred"),
        Origin::Assumed { .. } => lang.pick("supposé", "assumed "),
        Origin::Option => lang.pick("option ", "flag    "),
        Origin::Added { .. } => lang.pick("ajouté ", "added   "),
        Origin::Live => lang.pick("box    ", "box     "),
    };
    let mut s = format!("{kind} {} = {}", f.subject.text(lang), f.value.text(lang));
    let lines = f.lines();
    if !lines.is_empty() {
        let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
        s.push_str(&if fr {
            format!("  (d'après {})", lines.join(", "))
        } else {
            format!("  (from {})", lines.join(", "))
        });
    }
    match f.origin {
        Origin::Assumed { .. } => {
            let how = if case_folder {
                f.hint().map(str::to_owned)
            } else {
                f.subject.option(lang).map(|o| {
                    if fr {
                        format!("{o} pour changer")
                    } else {
                        format!("{o} to change it")
                    }
                })
            };
            s.push_str(&match (how, fr) {
                (Some(h), true) => format!("  (par défaut ; {h})"),
                (Some(h), false) => format!("  (default; {h})"),
                (None, true) => "  (par défaut)".to_owned(),
                (None, false) => "  (default)".to_owned(),
            });
        }
        Origin::Option => {
            if let Some(h) = f.hint() {
                s.push_str(&format!("  ({h})"));
            }
        }
        _ => {}
    }
    s
}

/// A fact of the diagnosis in one line, redacted (see [`fact_text`]).
pub fn assumption_text(f: &Fact, d: &Diagnosis, lang: Lang) -> String {
    d.redact(&fact_text(f, d.case_folder, lang))
}

/// A note on the text, in one sentence.
pub fn note_text(n: &Note, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    match n {
        Note::Windows1252 { file, lines } => {
            if fr {
                format!(
                    "{file} : {lines} ligne{} en Latin-1/Windows-1252 et non en UTF-8 (les accents ont été lus quand même).",
                    plural(*lines as usize)
                )
            } else {
                format!(
                    "{file}: {lines} line{} in Latin-1/Windows-1252 rather than UTF-8 (accents were read all the same).",
                    plural(*lines as usize)
                )
            }
        }
        Note::Bom { file } => {
            if fr {
                format!("{file} commence par une marque d'ordre d'octets UTF-8 (ignorée).")
            } else {
                format!("{file} starts with a UTF-8 byte-order mark (skipped).")
            }
        }
        Note::LineEndings { file, crlf, cr } => {
            if fr {
                format!(
                    "{file} : fins de ligne Windows (CRLF : {crlf}, CR seul : {cr}), sans doute un copier-coller ; lues correctement."
                )
            } else {
                format!(
                    "{file}: Windows line ends (CRLF: {crlf}, lone CR: {cr}), probably a copy-paste; read correctly."
                )
            }
        }
        Note::Reflowed { file } => {
            if fr {
                format!(
                    "{file} : les retours à la ligne ont été perdus (plusieurs lignes de Jeedom sur une seule) ; les numéros de ligne cités sont ceux du texte reçu."
                )
            } else {
                format!(
                    "{file}: line breaks were lost (several Jeedom lines on one); the line numbers quoted are those of the text as received."
                )
            }
        }
        Note::NewestFirst { file } => {
            if fr {
                format!(
                    "{file} : les sauvegardes ont été collées de la plus récente à la plus ancienne ; elles sont lues remises dans l'ordre chronologique (la 1 est la plus ancienne, comme dans « infobackup parse »), et les numéros de ligne cités sont ceux du texte remis dans cet ordre."
                )
            } else {
                format!(
                    "{file}: the backup runs were pasted newest first; they are read put back in time order (run 1 is the oldest, as in `infobackup parse`), and the line numbers quoted are those of the text put back in that order."
                )
            }
        }
        Note::LinesReversed { file } => {
            if fr {
                format!(
                    "{file} : les lignes ont été collées dans l'ordre inverse (la plus récente en premier, comme certains afficheurs les montrent) ; elles sont lues remises dans l'ordre, et les numéros de ligne cités sont ceux du texte remis dans cet ordre."
                )
            } else {
                format!(
                    "{file}: the lines were pasted in reverse order (newest first, as some log viewers show them); they are read put back in order, and the line numbers quoted are those of the text put back in that order."
                )
            }
        }
        Note::RunsRepeated { file, dropped } => {
            if fr {
                format!(
                    "{file} : {} collée{} une seconde fois à l'identique ; {} laissée{} de côté (une vraie sauvegarde a son heure et son archive à elle), et les numéros de ligne cités sont ceux du texte sans {}.",
                    Lang::Fr.count(*dropped, ["sauvegarde", "sauvegardes"], ["", ""]),
                    plural(*dropped),
                    if *dropped > 1 {
                        "les copies sont"
                    } else {
                        "la copie est"
                    },
                    plural(*dropped),
                    if *dropped > 1 { "elles" } else { "elle" }
                )
            } else {
                format!(
                    "{file}: {} pasted a second time, byte for byte; the {} left out (a real backup has its own time and archive), and the line numbers quoted are those of the text without {}.",
                    Lang::En.count(*dropped, ["", ""], ["backup run", "backup runs"]),
                    if *dropped > 1 { "copies are" } else { "copy is" },
                    if *dropped > 1 { "them" } else { "it" }
                )
            }
        }
        Note::Quoted { file } => {
            if fr {
                format!("{file} : journal collé en citation de forum (« > » en début de ligne) ; lu sans ce préfixe.")
            } else {
                format!("{file}: log pasted as a forum quote (\"> \" before each line); read past that prefix.")
            }
        }
        Note::NulBytes { file, count } => {
            if fr {
                let s = plural(*count as usize);
                format!("{file} : {count} octet{s} nul{s} ignoré{s}.")
            } else {
                let n = Lang::En.count(*count as usize, ["", ""], ["NUL byte", "NUL bytes"]);
                format!("{file}: {n} ignored.")
            }
        }
        Note::Unknown {
            file,
            pieces,
            first_line,
        } => {
            if fr {
                let (x, s) = if *pieces > 1 { ("x", "s") } else { ("", "") };
                format!(
                    "{file} : {pieces} morceau{x} de texte non reconnu{s}, le premier à la ligne {first_line} (sortie d'une commande, ou texte ajouté) ; ils n'entrent pas dans le diagnostic."
                )
            } else {
                let n = Lang::En.count(*pieces, ["", ""], ["piece", "pieces"]);
                format!(
                    "{file}: {n} of text not recognised, the first at line {first_line} (a command's output, or added text); they play no part in the diagnosis."
                )
            }
        }
        Note::CutAtStart { file, run } => {
            if fr {
                format!(
                    "{file} : le début de la sauvegarde {run} manque (Jeedom ne garde que les 500 dernières lignes d'un log lu par l'interface)."
                )
            } else {
                format!(
                    "{file}: the start of backup run {run} is missing (Jeedom keeps only the last 500 lines of a log read through the UI)."
                )
            }
        }
        Note::LooseLogger {
            file,
            lines,
            errors,
            first_line,
        } => {
            if fr {
                format!(
                    "{file} : {lines} ligne{} du journal de Jeedom hors de toute sauvegarde (dont {errors} erreur{}), la première à la ligne {first_line} ; le scénario publié {} aussi.",
                    plural(*lines),
                    plural(*errors),
                    if *lines > 1 { "les lit" } else { "la lit" }
                )
            } else {
                format!(
                    "{file}: {} outside any backup run ({}), the first at line {first_line}; the published scenario reads {} too.",
                    Lang::En.count(*lines, ["", ""], ["logger line", "logger lines"]),
                    Lang::En.count(*errors, ["", ""], ["error", "errors"]),
                    if *lines == 1 { "it" } else { "them" }
                )
            }
        }
        Note::Update { file, end } => match (end, fr) {
            (Some((true, line)), true) => {
                format!(
                    "{file} : la mise à jour elle-même s'est bien terminée ([END UPDATE SUCCESS] à la ligne {line})."
                )
            }
            (Some((true, line)), false) => {
                format!("{file}: the update itself ended well ([END UPDATE SUCCESS] at line {line}).")
            }
            (Some((false, line)), true) => format!(
                "{file} : la mise à jour elle-même a échoué (ligne {line}) : lisez les lignes qui précèdent dans log/update."
            ),
            (Some((false, line)), false) => {
                format!("{file}: the update itself failed (line {line}): read the lines before it in log/update.")
            }
            (None, true) => format!(
                "{file} : le texte s'arrête avant la fin de la mise à jour (aucune ligne [END UPDATE …]) : elle était en cours, ou a été interrompue."
            ),
            (None, false) => format!(
                "{file}: the text stops before the update's end (no [END UPDATE …] line): it was still running, or was cut short."
            ),
        },
        Note::NotReplayed { run } => {
            if fr {
                format!("La sauvegarde {run} n'a pas pu être rejouée : aucune heure connue pour ses déclencheurs.")
            } else {
                format!("Backup run {run} could not be replayed: no known time for its triggers.")
            }
        }
    }
}

/// What live mode could not read, in words.
pub fn unavailable_text(code: &str, lang: Lang) -> String {
    match code {
        super::UNAVAILABLE_LOCAL => lang.pick(
            "la liste du dossier de sauvegarde local (jeeApi n'a pas de méthode pour la lire : elle est déduite du log)",
            "the local backup folder listing (jeeApi has no method for it: it is inferred from the log)",
        ),
        super::UNAVAILABLE_SAMBA => lang.pick(
            "la liste du partage Samba (jeeApi n'a pas de méthode pour la lire : elle est déduite du log)",
            "the Samba share listing (jeeApi has no method for it: it is inferred from the log)",
        ),
        other => other,
    }
    .to_owned()
}

/// A caveat on the log read from the box, in words.
pub fn caveat_text(code: &str, lang: Lang) -> String {
    match code {
        super::CAVEAT_LOG_GET => lang.pick(
            "Log lu avec log::get (Jeedom 4.3 ou avant) : lignes nettoyées, lignes vides retirées, et Jeedom n'en garde que les 500 dernières ; le texte peut différer du fichier.",
            "Log read with log::get (Jeedom 4.3 or older): lines trimmed, empty lines dropped, and Jeedom keeps only the last 500; the text may differ from the file.",
        ),
        super::CAVEAT_NOT_UTF8 => lang.pick(
            "Le log contient des octets qui ne sont pas de l'UTF-8 (Latin-1 ?) que l'API n'a pas pu transmettre (remplacés par �).",
            "The log holds bytes that are not UTF-8 (Latin-1?) that the API could not carry (replaced by �).",
        ),
        other => other,
    }
    .to_owned()
}

/// A trigger's name for a person.
pub fn trigger_words(trigger: &crate::world::Trigger, strict_only: bool, lang: Lang) -> String {
    let name = trigger.as_str().to_owned();
    if strict_only {
        format!(
            "{name} {}",
            lang.pick(
                "(ajouté : surveillance de la lecture stricte)",
                "(added: strict's watchdog)"
            )
        )
    } else {
        name
    }
}

/// `finished local=success …` in words for a short trigger line: the tile's headline.
pub fn tile_short(t: &Tile, lang: Lang) -> String {
    match &t.panel {
        Panel::InProgress { .. } => lang.pick("en cours", "in progress").to_owned(),
        _ => t.headline(lang),
    }
}

/// The size threshold in words (`100 Mo`).
pub fn size_words(bytes: u64, lang: Lang) -> String {
    human_size(bytes, lang)
}

/// The final line: how many runs, how many problems.
pub fn summary_line(d: &Diagnosis, lang: Lang) -> String {
    let n = d.runs.len();
    let p = d.problems();
    let fr = lang == Lang::Fr;
    if p == 0 {
        if fr {
            format!("{n} sauvegarde{} examinée{} : aucun problème.", plural(n), plural(n))
        } else {
            format!("{n} backup run{} examined: no problem.", plural(n))
        }
    } else if fr {
        format!(
            "{n} sauvegarde{} examinée{} : {p} avec un problème.",
            plural(n),
            plural(n)
        )
    } else {
        format!("{n} backup run{} examined: {p} with a problem.", plural(n))
    }
}

/// What happened in a run, in a few words: `backup succeeded, but the Samba upload failed`.
pub fn run_outcome(r: &RunReport, lang: Lang) -> String {
    let fr = lang == Lang::Fr;
    let mut s = match &r.run.end {
        RunEnd::Success { .. } => lang.pick("sauvegarde réussie", "backup succeeded").to_owned(),
        RunEnd::Failed { message: Some(m), .. } => {
            if fr {
                format!("échec : {}", quoted(m, lang))
            } else {
                format!("failed: {}", quoted(m, lang))
            }
        }
        RunEnd::Failed { message: None, .. } => lang.pick("échec", "failed").to_owned(),
        // Strict's watchdog looked and found it within its timeout (only live mode's tick, at
        // the box's clock, can): the backup may well still be running.
        RunEnd::Unterminated
            if r.triggers.iter().any(|t| {
                t.strict_only
                    && t.strict
                        .as_ref()
                        .is_some_and(|s| matches!(s.panel, Panel::InProgress { .. }))
            }) =>
        {
            if fr {
                format!("en cours (le log s'arrête pour l'instant ligne {})", r.run.lines.last)
            } else {
                format!("in progress (so far the log stops at line {})", r.run.lines.last)
            }
        }
        RunEnd::Unterminated => {
            if fr {
                format!("jamais terminée (le log s'arrête ligne {})", r.run.lines.last)
            } else {
                format!("never ended (the log stops at line {})", r.run.lines.last)
            }
        }
    };
    let failed: Vec<String> = r
        .run
        .uploads
        .iter()
        .filter(|u| matches!(u.outcome, UploadOutcome::Failed { .. }))
        .map(|u| repo_name(u.repo.as_str()))
        .collect();
    if !failed.is_empty() {
        s.push_str(&if fr {
            format!(", mais l'envoi {} a échoué", failed.join(", "))
        } else {
            format!(", but the {} upload failed", failed.join(", "))
        });
    }
    s
}

/// One line per run for the short answer: `2025-09-10 03:27:01 — backup succeeded — tile: ■ …`.
pub fn short_line(r: &RunReport, lang: Lang) -> String {
    let start = r.run.start.as_ref().map_or_else(
        || lang.pick("début coupé", "start cut off").to_owned(),
        |(t, _)| format_at(*t),
    );
    let tile = match &r.published {
        Some(v) => format!("{} {}", lang.pick("tuile :", "tile:"), v.tile.headline(lang)),
        None => lang.pick("non rejouée", "not replayed").to_owned(),
    };
    format!("{start} — {} — {tile}", run_outcome(r, lang))
}

/// The tile as it is now, after the latest replayed run: `(run number, headline)`.
pub fn tile_now(d: &Diagnosis, lang: Lang) -> Option<(u32, String)> {
    d.runs
        .iter()
        .rev()
        .find_map(|r| r.published.as_ref().map(|v| (r.number, v.tile.headline(lang))))
}

/// `La tuile maintenant (après la sauvegarde 2) :` — the label before [`tile_now`]'s headline.
pub fn tile_now_label(run: u32, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("La tuile maintenant (après la sauvegarde {run}) :"),
        Lang::En => format!("The tile now (after run {run}):"),
    }
}

/// Said first when the log (or, in live mode, the box) is from a Jeedom the scenario was never
/// published for.
pub fn jeedom_seen_text(d: &Diagnosis, lang: Lang) -> Option<String> {
    let seen = d.jeedom_seen.as_deref()?;
    let older = seen.starts_with('2') || seen.starts_with('3') || seen.starts_with("4.0") || seen.starts_with("4.1");
    let on_box = d
        .assumptions
        .iter()
        .any(|f| matches!(f.value, crate::case::Value::ReplayedAs { on_box: true, .. }));
    let r = d.jeedom;
    Some(match (lang, older, on_box) {
        (Lang::Fr, true, false) => format!(
            "Le widget et le scénario demandent Jeedom 4.2 ou plus récent : ce log vient de Jeedom {seen}, il est rejoué comme Jeedom {r}."
        ),
        (Lang::En, true, false) => format!(
            "The widget and the scenario need Jeedom 4.2 or later: this log is from Jeedom {seen}, so it is replayed as Jeedom {r}."
        ),
        (Lang::Fr, false, false) => format!(
            "Ce log vient de Jeedom {seen}, plus récent que les versions pour lesquelles le scénario est publié (4.2 à 4.5) : il est rejoué comme Jeedom {r}."
        ),
        (Lang::En, false, false) => format!(
            "This log is from Jeedom {seen}, newer than the releases the scenario is published for (4.2 to 4.5): it is replayed as Jeedom {r}."
        ),
        (Lang::Fr, true, true) => format!(
            "Le widget et le scénario demandent Jeedom 4.2 ou plus récent : la box annonce Jeedom {seen}, son log est rejoué comme Jeedom {r}."
        ),
        (Lang::En, true, true) => format!(
            "The widget and the scenario need Jeedom 4.2 or later: the box announces Jeedom {seen}, so its log is replayed as Jeedom {r}."
        ),
        (Lang::Fr, false, true) => format!(
            "La box annonce Jeedom {seen}, plus récent que les versions pour lesquelles le scénario est publié (4.2 à 4.5) : son log est rejoué comme Jeedom {r}."
        ),
        (Lang::En, false, true) => format!(
            "The box announces Jeedom {seen}, newer than the releases the scenario is published for (4.2 to 4.5): its log is replayed as Jeedom {r}."
        ),
    })
}
