//! `infobackup scenario`'s checks on a template and its code block (see `super`).

/// The minimum size the block's `$alertsizebackup = …;` sets, in bytes: integer literals joined
/// by `*` only (`1024*1024*500`, `524288000`, `500 * 1024 * 1024`). Anything else is an error
/// saying what was found (in both languages); the block then runs with whatever PHP makes of it.
pub fn min_size(code: &str) -> Result<u64, Text> {
    let Some(at) = find_assignment(code) else {
        return Err(Text::new(
            "pas de ligne `$alertsizebackup = …;`",
            "no `$alertsizebackup = …;` line",
        ));
    };
    let rest = &code[at..];
    let Some(end) = rest.find(';') else {
        return Err(Text::new(
            "`$alertsizebackup = …` n'a pas de `;`",
            "`$alertsizebackup = …` has no `;`",
        ));
    };
    let expr = rest[..end].trim();
    let mut product: u64 = 1;
    for part in expr.split('*') {
        let p = part.trim();
        let digits: String = p.chars().filter(|c| *c != '_').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('_') || p.ends_with('_') {
            return Err(Text::new(
                format!("`{expr}` n'est pas fait d'entiers littéraux joints par `*`"),
                format!("`{expr}` is not integer literals joined by `*`"),
            ));
        }
        let too_large = |what: &str| Text::new(format!("`{what}` est trop grand"), format!("`{what}` is too large"));
        let n: u64 = digits.parse().map_err(|_| too_large(p))?;
        product = product.checked_mul(n).ok_or_else(|| too_large(expr))?;
    }
    Ok(product)
}

/// Byte offset just after `$alertsizebackup =` (not `==`), outside `//` and `#` comment lines.
fn find_assignment(code: &str) -> Option<usize> {
    let needle = "$alertsizebackup";
    let mut from = 0;
    while let Some(i) = code[from..].find(needle) {
        let at = from + i;
        let line_start = code[..at].rfind('\n').map_or(0, |j| j + 1);
        let before = code[line_start..at].trim_start();
        let after = &code[at + needle.len()..];
        let trimmed = after.trim_start();
        let commented = before.starts_with("//") || before.starts_with('#') || before.contains("//");
        if !commented && trimmed.starts_with('=') && !trimmed.starts_with("==") {
            let eq = at + needle.len() + (after.len() - trimmed.len());
            return Some(eq + 1);
        }
        from = at + needle.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_users_write() {
        assert_eq!(min_size("$alertsizebackup = 1024*1024*100; // x"), Ok(104_857_600));
        assert_eq!(min_size("$alertsizebackup=524288000;"), Ok(524_288_000));
        assert_eq!(
            min_size("$a=1;\n$alertsizebackup = 500 * 1024 * 1024 ;"),
            Ok(524_288_000)
        );
        assert_eq!(min_size("$alertsizebackup = 1_000;"), Ok(1000));
    }

    #[test]
    fn refuses_anything_else() {
        assert!(min_size("$alertsizebackup = 100 * MB;").is_err());
        assert!(min_size("$alertsizebackup = 1e9;").is_err());
        assert!(min_size("$alertsizebackup = 1024**3;").is_err());
        assert!(min_size("// $alertsizebackup = 5;\n").is_err());
        assert!(min_size("$x = 1;").is_err());
        assert!(min_size("$alertsizebackup = 99999999999*99999999999;").is_err());
    }
}

// ---- the report of `infobackup scenario` ------------------------------------------------------

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::revisions::{self, Identity};
use super::{Loaded, Source, is_disabled, ordered};
use crate::engine::Profile;
use crate::engine::evidence::human_size;
use crate::phprun::SyntaxError;
use crate::{Lang, Text};

/// The three triggers the published scenario runs on.
pub const TRIGGERS: [&str; 3] = ["#begin_backup#", "#end_backup#", "#begin_update#"];

/// Something in the template or block that makes the tile wrong or differ from the published
/// scenario. Its message (and every sentence of the report) is in the language the report was
/// built in; the codes are the same in both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A stable name: `missing-trigger`, `chain`, `disabled`, `background`, `syntax`,
    /// `min-size`, `modified`, `inactive`, `mode`, `several-blocks`.
    pub code: &'static str,
    /// JSON pointer (template) or `line N` (block), when it has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub message: String,
}

/// The tag → code block → event chain, as the template has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    /// The command the tag `lastSave` reads (`#[Home][Info backup][json]#`).
    pub tag_reads: Option<String>,
    /// The command the event writes.
    pub event_writes: Option<String>,
    /// Both name the same command.
    pub same_command: bool,
}

/// `php -l` on the block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Syntax {
    Ok,
    Errors {
        errors: Vec<SyntaxError>,
    },
    /// php could not run (the reason).
    NotChecked {
        reason: String,
    },
}

/// Which revision, and the diff against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevisionReport {
    pub identity: String,
    pub revision: Profile,
    pub exact: bool,
    pub lines_differ: usize,
    /// A unified diff of the revision (`-`) against this block (`+`); empty when exact.
    pub diff: String,
    /// Where the revision's lines in the diff come from: the published file, or only their
    /// hashes (each shown as a marked placeholder).
    pub revision_text: Option<PathBuf>,
}

/// Everything `infobackup scenario` says about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub file: PathBuf,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triggers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Chain>,
    pub syntax: Syntax,
    /// The minimum size in bytes, when `$alertsizebackup = …;` can be read.
    pub min_size: Option<u64>,
    pub revision: RevisionReport,
    pub findings: Vec<Finding>,
}

impl Report {
    /// 0 clean, 1 findings.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.findings.is_empty())
    }
}

/// One expression of the template, flattened in execution order.
struct Expr<'a> {
    pointer: String,
    value: &'a Value,
    /// Disabled itself or through an enclosing element.
    disabled: bool,
}

fn flatten<'a>(el: &'a Value, ptr: &str, off: bool, out: &mut Vec<Expr<'a>>) {
    let Some(subs) = el.get("subElements").and_then(Value::as_array) else {
        return;
    };
    for (j, sub) in ordered(subs) {
        let sptr = format!("{ptr}/subElements/{j}");
        let soff = off || is_disabled(sub);
        let Some(exprs) = sub.get("expressions").and_then(Value::as_array) else {
            continue;
        };
        for (k, ex) in ordered(exprs) {
            let eptr = format!("{sptr}/expressions/{k}");
            let eoff = soff || is_disabled(ex);
            out.push(Expr {
                pointer: eptr.clone(),
                value: ex,
                disabled: eoff,
            });
            if let Some(nested) = ex.get("element") {
                flatten(nested, &format!("{eptr}/element"), eoff, out);
            }
        }
    }
}

fn opt<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get("options").and_then(|o| o.get(key)).and_then(Value::as_str)
}

fn action(v: &Value) -> Option<&str> {
    (v.get("type").and_then(Value::as_str) == Some("action"))
        .then(|| v.get("expression").and_then(Value::as_str))
        .flatten()
        .map(str::trim)
}

fn trigger_consequence(t: &str, lang: Lang) -> &'static str {
    match t {
        "#begin_backup#" => lang.pick(
            "aucun horodatage de début n'est écrit quand une sauvegarde commence : la tuile ne montre jamais de \
             sauvegarde en cours, et end_backup ne trouve pas d'horodatage (errorScenario = 1 après chaque sauvegarde)",
            "no start stamp is written when a backup begins: the tile never shows a backup in progress, and \
             end_backup finds no stamp (errorScenario = 1 after every backup)",
        ),
        "#end_backup#" => lang.pick(
            "rien ne vérifie l'archive à la fin d'une sauvegarde : la tuile affiche « sauvegarde en cours » après \
             chaque sauvegarde",
            "nothing checks the archive when a backup ends: the tile shows \"backup in progress\" after every backup",
        ),
        _ => lang.pick(
            "la sauvegarde que Jeedom fait avant une mise à jour du core n'est pas marquée comme telle (update reste à \
             0) : sa fin est donc vérifiée comme celle d'une sauvegarde nocturne",
            "the backup Jeedom makes before a core update is not marked as one (update stays 0), so its end is \
             checked like a nightly backup's",
        ),
    }
}

fn template_checks(json: &Value, findings: &mut Vec<Finding>, lang: Lang) -> (Vec<String>, Chain) {
    let mut f = |code, at: &str, message: String| {
        findings.push(Finding {
            code,
            at: Some(at.to_owned()),
            message,
        })
    };
    if json
        .get("isActive")
        .and_then(Value::as_str)
        .is_some_and(|s| s.trim() == "0")
    {
        f(
            "inactive",
            "/isActive",
            lang.pick(
                "le scénario est inactif : Jeedom ne le lance jamais",
                "the scenario is inactive: Jeedom never runs it",
            )
            .into(),
        );
    }
    let mode = json.get("mode").and_then(Value::as_str).unwrap_or("");
    if mode != "provoke" && mode != "all" {
        f(
            "mode",
            "/mode",
            match lang {
                Lang::Fr => format!(
                    "le mode est « {mode} », pas « provoke » : le scénario ne se lance pas sur ses déclencheurs"
                ),
                Lang::En => format!("mode is {mode:?}, not \"provoke\": the scenario does not run on its triggers"),
            },
        );
    }
    let triggers: Vec<String> = match json.get("trigger") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|t| t.as_str().map(|s| s.trim().to_owned()))
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.trim().to_owned()],
        _ => Vec::new(),
    };
    for t in TRIGGERS {
        if !triggers.iter().any(|x| x == t) {
            f(
                "missing-trigger",
                "/trigger",
                match lang {
                    Lang::Fr => format!("le déclencheur {t} manque : {}", trigger_consequence(t, lang)),
                    Lang::En => format!("trigger {t} is missing: {}", trigger_consequence(t, lang)),
                },
            );
        }
    }

    let mut exprs = Vec::new();
    if let Some(els) = json.get("elements").and_then(Value::as_array) {
        for (i, el) in ordered(els) {
            flatten(el, &format!("/elements/{i}"), false, &mut exprs);
        }
    }
    let pos = |pred: &dyn Fn(&Value) -> bool| exprs.iter().position(|e| pred(e.value));
    let tag = pos(&|v| action(v) == Some("tag") && opt(v, "name").map(str::trim) == Some("lastSave"));
    let code = pos(&|v| v.get("type").and_then(Value::as_str) == Some("code"));
    let event = pos(&|v| action(v) == Some("event") && opt(v, "value").is_some_and(|x| x.contains("tag(json)")));
    let tag_reads = tag
        .and_then(|i| opt(exprs[i].value, "value"))
        .map(|s| s.trim().to_owned());
    let event_writes = event
        .and_then(|i| opt(exprs[i].value, "cmd"))
        .map(|s| s.trim().to_owned());
    if tag.is_none() {
        f(
            "chain",
            "/elements",
            lang.pick(
                "pas d'action tag lastSave avant le bloc : le #lastSave# du bloc est vide, donc end_backup ne trouve \
                 jamais l'horodatage de début",
                "no action tag lastSave before the block: the block's #lastSave# is empty, so end_backup never finds \
                 the start stamp",
            )
            .into(),
        );
    }
    if event.is_none() {
        f(
            "chain",
            "/elements",
            lang.pick(
                "pas d'action event qui écrit « tag(json) » dans le virtuel : le virtuel, et donc la tuile, ne change \
                 jamais",
                "no action event writing \"tag(json)\" into the virtual: the virtual, and so the tile, never changes",
            )
            .into(),
        );
    }
    if let (Some(t), Some(c), Some(e)) = (tag, code, event)
        && !(t < c && c < e)
    {
        f(
            "chain",
            &exprs[c].pointer,
            lang.pick(
                "la chaîne n'est pas tag lastSave → bloc code → event : Jeedom les lance dans un autre ordre",
                "the chain is not tag lastSave → code block → event: Jeedom runs them in another order",
            )
            .into(),
        );
    }
    let same_command = matches!((&tag_reads, &event_writes), (Some(a), Some(b)) if a == b);
    if let (Some(a), Some(b), Some(e)) = (&tag_reads, &event_writes, event)
        && a != b
    {
        f(
            "chain",
            &format!("{}/options/cmd", exprs[e].pointer),
            match lang {
                Lang::Fr => {
                    format!("le tag lit {a} mais l'event écrit {b} : le bloc ne voit jamais la valeur qu'il a écrite")
                }
                Lang::En => {
                    format!("the tag reads {a} but the event writes {b}: the block never sees the value it wrote")
                }
            },
        );
    }
    for (i, what) in [
        (tag, lang.pick("le tag lastSave", "the tag lastSave")),
        (code, lang.pick("le bloc code", "the code block")),
        (event, lang.pick("l'event", "the event")),
    ] {
        let Some(i) = i else { continue };
        let e = &exprs[i];
        if e.disabled {
            let message = match lang {
                Lang::Fr => format!("{what} est désactivé : Jeedom le saute"),
                Lang::En => format!("{what} is disabled: Jeedom skips it"),
            };
            f("disabled", &e.pointer, message);
        }
        if opt(e.value, "background").is_some_and(|b| b.trim() == "1") {
            let message = match lang {
                Lang::Fr => format!("{what} tourne en arrière-plan : il fait la course avec le reste de la chaîne"),
                Lang::En => format!("{what} runs in the background: it races the rest of the chain"),
            };
            f("background", &format!("{}/options/background", e.pointer), message);
        }
    }
    (
        triggers,
        Chain {
            tag_reads,
            event_writes,
            same_command,
        },
    )
}

/// The revision's block text from the published folder, when it is there and matches its
/// fingerprint.
fn published_block(dir: &Path, p: Profile) -> Option<(PathBuf, String)> {
    let path = dir.join(format!("info-backup-{}.json", p.as_str()));
    let loaded = super::load(&path).ok()?;
    let code = loaded.block().ok()?.code.clone();
    (revisions::block_sha256(&code) == revisions::revision(p)?.sha256).then_some((path, code))
}

/// A unified diff over normalised lines: the revision (`-`) against the block (`+`), printing
/// the lines as written. Without the revision's text, its lines are marked placeholders.
fn diff(p: Profile, code: &str, revision_text: Option<&str>, lang: Lang) -> String {
    let ours = revisions::normalised_lines(code);
    let theirs_text = revision_text.map(revisions::normalised_lines);
    let theirs: Vec<u64> = match (&theirs_text, revisions::revision(p)) {
        (Some(t), _) => t.iter().map(|l| l.hash).collect(),
        (None, Some(r)) => r.lines.to_vec(),
        (None, None) => Vec::new(),
    };
    let hashes: Vec<u64> = ours.iter().map(|l| l.hash).collect();
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &theirs, &hashes);
    let mut out = String::new();
    let old_line = |i: usize| theirs_text.as_ref().and_then(|t| t.get(i)).map_or(i + 1, |l| l.number);
    let new_line = |i: usize| ours.get(i).map_or(i + 1, |l| l.number);
    for group in similar::group_diff_ops(ops, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o0, n0) = (first.old_range().start, first.new_range().start);
        let (o1, n1) = (last.old_range().end, last.new_range().end);
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_line(o0),
            o1 - o0,
            new_line(n0),
            n1 - n0
        ));
        for op in &group {
            for change in op.iter_changes(&theirs, &hashes) {
                match change.tag() {
                    similar::ChangeTag::Equal => {
                        let i = change.new_index().unwrap_or(0);
                        out.push_str(&format!(" {}\n", ours.get(i).map_or("", |l| l.text.as_str())));
                    }
                    similar::ChangeTag::Insert => {
                        let i = change.new_index().unwrap_or(0);
                        out.push_str(&format!("+{}\n", ours.get(i).map_or("", |l| l.text.as_str())));
                    }
                    similar::ChangeTag::Delete => {
                        let i = change.old_index().unwrap_or(0);
                        match theirs_text.as_ref().and_then(|t| t.get(i)) {
                            Some(l) => out.push_str(&format!("-{}\n", l.text)),
                            None => out.push_str(&match lang {
                                Lang::Fr => format!(
                                    "-[ligne non vide {} de {p} : seule son empreinte est fournie ; donnez --published \
                                     DOSSIER pour la voir]\n",
                                    i + 1
                                ),
                                Lang::En => format!(
                                    "-[non-blank line {} of {p}: only its hash is shipped; give --published DIR to see \
                                     it]\n",
                                    i + 1
                                ),
                            }),
                        }
                    }
                }
            }
        }
    }
    out
}

/// Builds the report. `syntax` is `php -l`'s verdict (the caller runs it); `published`: the
/// folder of the author's templates, for the text of the nearest revision in the diff. Its
/// sentences are in `lang`.
pub fn report(
    loaded: &Loaded,
    syntax: Syntax,
    published: Option<&Path>,
    lang: Lang,
) -> Result<Report, super::TemplateError> {
    let mut findings = Vec::new();
    let (triggers, chain) = match loaded.source {
        Source::Template => {
            let (t, c) = template_checks(&loaded.json, &mut findings, lang);
            (Some(t), Some(c))
        }
        Source::Bare => (None, None),
    };
    let enabled = loaded.blocks.iter().filter(|b| !b.disabled).count();
    if loaded.source == Source::Template && enabled > 1 {
        findings.push(Finding {
            code: "several-blocks",
            at: None,
            message: match lang {
                Lang::Fr => format!("{enabled} blocs code actifs ; le scénario publié en a un"),
                Lang::En => format!("{enabled} enabled code blocks; the published scenario has one"),
            },
        });
    }
    let block = match loaded.block() {
        Ok(b) => b,
        // A template with no code block at all is not a scenario; a disabled one is a finding.
        Err(e) if loaded.blocks.is_empty() => return Err(e),
        Err(_) => &loaded.blocks[0],
    };
    let line = lang.pick("ligne", "line");
    let at_line = |n: usize| {
        if loaded.source == Source::Template {
            format!("{} ({line} {n})", block.pointer)
        } else {
            format!("{line} {n}")
        }
    };
    if let Syntax::Errors { errors } = &syntax {
        for e in errors {
            findings.push(Finding {
                code: "syntax",
                at: Some(at_line(e.line)),
                message: format!("php -l{} {}", lang.pick(" :", ":"), e.message),
            });
        }
    }
    let min = min_size(&block.code);
    if let Err(why) = &min {
        findings.push(Finding {
            code: "min-size",
            at: Some(at_line(1)),
            message: match lang {
                Lang::Fr => format!(
                    "taille minimale illisible ({}), supposée de {}",
                    why.get(lang),
                    human_size(crate::engine::profile::DEFAULT_MIN_SIZE, lang)
                ),
                Lang::En => format!(
                    "cannot read the minimum size ({why}), assumed {}",
                    crate::php::size_format(crate::engine::profile::DEFAULT_MIN_SIZE)
                ),
            },
        });
    }
    let size_text = human_size(min.clone().unwrap_or(crate::engine::profile::DEFAULT_MIN_SIZE), lang);
    let identity = revisions::identify(&block.code);
    let revision = match identity {
        Identity::Exact(p) => RevisionReport {
            identity: match lang {
                Lang::Fr => format!("{p}, taille minimale {size_text}"),
                Lang::En => format!("{p}, minimum size {size_text}"),
            },
            revision: p,
            exact: true,
            lines_differ: 0,
            diff: String::new(),
            revision_text: None,
        },
        Identity::Modified { profile: p, differ } => {
            let text = published.and_then(|d| published_block(d, p));
            let d = diff(p, &block.code, text.as_ref().map(|(_, c)| c.as_str()), lang);
            let lines = match lang {
                Lang::Fr => lang.count(differ, ["ligne diffère", "lignes diffèrent"], ["", ""]),
                Lang::En => lang.count(differ, ["", ""], ["line differs", "lines differ"]),
            };
            findings.push(Finding {
                code: "modified",
                at: Some(block.pointer.clone()).filter(|s| !s.is_empty()),
                message: match lang {
                    Lang::Fr => format!("le bloc code est modifié par rapport à {p} ({lines})"),
                    Lang::En => format!("the code block is modified from {p} ({lines})"),
                },
            });
            RevisionReport {
                identity: match lang {
                    Lang::Fr => format!("modifié par rapport à {p} ({lines})"),
                    Lang::En => format!("modified from {p} ({lines})"),
                },
                revision: p,
                exact: false,
                lines_differ: differ,
                diff: d,
                revision_text: text.map(|(p, _)| p),
            }
        }
    };
    Ok(Report {
        file: loaded.file.clone(),
        kind: match loaded.source {
            Source::Template => "template",
            Source::Bare => "block",
        },
        triggers,
        chain,
        syntax,
        min_size: min.ok(),
        revision,
        findings,
    })
}

/// The report for people.
pub fn render_text(r: &Report, lang: Lang) -> String {
    let colon = lang.pick(" :", ":");
    let mut out = match lang {
        Lang::Fr => format!(
            "{} : scénario ({})\n",
            r.file.display(),
            if r.kind == "template" { "modèle" } else { "bloc" }
        ),
        Lang::En => format!("{}: scenario {}\n", r.file.display(), r.kind),
    };
    if let Some(t) = &r.triggers {
        out.push_str(&format!(
            "{}{colon} {}\n",
            lang.pick("déclencheurs", "triggers"),
            if t.is_empty() {
                lang.pick("(aucun)", "(none)").to_owned()
            } else {
                t.join(" ")
            }
        ));
    }
    if let Some(c) = &r.chain {
        let cmd = |o: &Option<String>| o.clone().unwrap_or_else(|| lang.pick("(absente)", "(missing)").into());
        let same = if c.same_command {
            format!(
                " ({}{colon} {})",
                lang.pick("la même commande", "the same command"),
                cmd(&c.tag_reads)
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{}{colon} tag lastSave ← {} → {} → event {} ← tag(json){same}\n",
            lang.pick("chaîne", "chain"),
            cmd(&c.tag_reads),
            lang.pick("bloc code", "code block"),
            cmd(&c.event_writes),
        ));
    }
    let syntax = lang.pick("syntaxe", "syntax");
    out.push_str(&match (&r.syntax, lang) {
        (Syntax::Ok, _) => format!("{syntax}{colon} ok (php -l)\n"),
        (Syntax::Errors { errors }, Lang::Fr) => format!(
            "{syntax}{colon} {} (php -l)\n",
            lang.count(errors.len(), ["erreur", "erreurs"], ["", ""])
        ),
        (Syntax::Errors { errors }, Lang::En) => format!(
            "{syntax}{colon} {} (php -l)\n",
            lang.count(errors.len(), ["", ""], ["error", "errors"])
        ),
        (Syntax::NotChecked { reason }, _) => {
            format!(
                "{syntax}{colon} {} ({reason})\n",
                lang.pick("non vérifiée", "not checked")
            )
        }
    });
    let min = lang.pick("taille minimale", "minimum size");
    match r.min_size {
        Some(b) => out.push_str(&format!(
            "{min}{colon} {} ({b} {})\n",
            human_size(b, lang),
            lang.pick("octets", "bytes")
        )),
        None => out.push_str(&format!(
            "{min}{colon} {} {}\n",
            lang.pick("illisible, supposée de", "cannot read, assumed"),
            human_size(crate::engine::profile::DEFAULT_MIN_SIZE, lang)
        )),
    }
    out.push_str(&format!(
        "{}{colon} {}\n",
        lang.pick("révision", "revision"),
        r.revision.identity
    ));
    if !r.revision.diff.is_empty() {
        match &r.revision.revision_text {
            Some(p) => out.push_str(&format!("--- {} ({})\n", r.revision.revision, p.display())),
            None => out.push_str(&format!(
                "--- {} ({})\n",
                r.revision.revision,
                lang.pick(
                    "empreintes seulement : donnez --published DOSSIER ou définissez INFOBACKUP_PUBLISHED pour son texte",
                    "hashes only: give --published DIR or set INFOBACKUP_PUBLISHED for its text"
                )
            )),
        }
        out.push_str(&format!("+++ {}\n", r.file.display()));
        out.push_str(&r.revision.diff);
    }
    let findings = lang.pick("constats", "findings");
    if r.findings.is_empty() {
        out.push_str(&format!("{findings}{colon} {}\n", lang.pick("aucun", "none")));
    } else {
        out.push_str(&format!("{findings}{colon} {}\n", r.findings.len()));
        for f in &r.findings {
            match &f.at {
                Some(at) => out.push_str(&format!(
                    "  {}{colon} {} ({} {at})\n",
                    f.code,
                    f.message,
                    lang.pick("en", "at")
                )),
                None => out.push_str(&format!("  {}{colon} {}\n", f.code, f.message)),
            }
        }
    }
    out
}
