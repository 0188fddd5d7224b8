//! The scenario template file (`Info backup.json`, what Jeedom's "Charger un template" loads) and
//! a bare `.php` code block: reading them, and finding the code block in them. An input to step
//! 4 of the data flow (log text → parsed run → Jeedom world → **engine** → state → views): the
//! block is what a `php:` profile runs (`crate::phprun`), and what `infobackup scenario` lints
//! (`lint`). Never runs anything; reads only the file it is given.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Text;

/// "expected a list", in French and English.
const A_LIST: (&str, &str) = ("une liste est attendue", "expected a list");

pub mod lint;
pub mod revisions;

/// A template or block that cannot be used. Every variant names the file; a template that is not
/// a scenario names the JSON pointer of what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Worded as every command words a missing input.
    #[error("{}: no such file or folder", file.display())]
    Missing { file: PathBuf },
    #[error("{}: cannot read: {message}", file.display())]
    Read { file: PathBuf, message: Text },
    #[error("{}:{line}:{column}: not valid JSON: {message}", file.display())]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: not a Jeedom scenario template: at {pointer}: {message}", file.display())]
    NotScenario {
        file: PathBuf,
        pointer: String,
        /// In both languages.
        message: Text,
    },
}

/// What kind of file the block came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A scenario template (JSON).
    Template,
    /// A bare code block (`.php`, or any file that is not JSON).
    Bare,
}

/// One `type: code` expression of a template, in execution order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// JSON pointer of the expression's `expression` string (`""` for a bare block).
    pub pointer: String,
    pub code: String,
    /// The expression's `options.enable` is "0" (Jeedom skips it).
    pub disabled: bool,
}

/// A template or bare block, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub file: PathBuf,
    pub source: Source,
    /// The template's JSON (`Value::Null` for a bare block).
    pub json: Value,
    /// Every code block, in execution order (one for a bare block).
    pub blocks: Vec<CodeBlock>,
}

impl Loaded {
    /// The one code block a `php:` profile runs: the only enabled one.
    pub fn block(&self) -> Result<&CodeBlock, TemplateError> {
        let enabled: Vec<&CodeBlock> = self.blocks.iter().filter(|b| !b.disabled).collect();
        match enabled.as_slice() {
            [one] => Ok(one),
            [] => Err(self.not_scenario(
                "/elements",
                Text::new(
                    "aucun bloc code actif (une expression de type « code »)",
                    "no enabled code block (an expression of type \"code\")",
                ),
            )),
            [_, second, ..] => Err(self.not_scenario(
                &second.pointer,
                Text::new(
                    format!(
                        "{} blocs code actifs ; infobackup joue un modèle qui en a exactement un",
                        enabled.len()
                    ),
                    format!(
                        "{} enabled code blocks; infobackup runs a template with exactly one",
                        enabled.len()
                    ),
                ),
            )),
        }
    }

    fn not_scenario(&self, pointer: &str, message: Text) -> TemplateError {
        TemplateError::NotScenario {
            file: self.file.clone(),
            pointer: pointer.to_owned(),
            message,
        }
    }
}

/// Reads a template (JSON) or a bare block. A file whose first non-blank byte is `{` is a
/// template; anything else is a bare block (a leading `<?php` line is dropped: Jeedom's block
/// has none).
pub fn load(path: &Path) -> Result<Loaded, TemplateError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => TemplateError::Missing { file: path.to_owned() },
        _ => TemplateError::Read {
            file: path.to_owned(),
            // The system's words are English; French says the kind (the harness's `io_fr` is
            // not reachable from here, so the common ones are said here).
            message: Text::new(
                match e.kind() {
                    std::io::ErrorKind::PermissionDenied => "permission refusée".to_owned(),
                    std::io::ErrorKind::IsADirectory => "c'est un dossier".to_owned(),
                    _ => format!("« {e} » (message du système, en anglais)"),
                },
                e.to_string(),
            ),
        },
    })?;
    let text = String::from_utf8(bytes).map_err(|e| TemplateError::Read {
        file: path.to_owned(),
        message: Text::new(
            format!("pas du texte UTF-8 (octet {})", e.utf8_error().valid_up_to()),
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        ),
    })?;
    from_text(&text, path)
}

/// Reads a template or bare block from its text; errors name `path`.
pub fn from_text(text: &str, path: &Path) -> Result<Loaded, TemplateError> {
    let is_json = text.trim_start().starts_with('{') || path.extension().is_some_and(|e| e == "json");
    if !is_json {
        return Ok(Loaded {
            file: path.to_owned(),
            source: Source::Bare,
            json: Value::Null,
            blocks: vec![CodeBlock {
                pointer: String::new(),
                code: strip_open_tag(text).to_owned(),
                disabled: false,
            }],
        });
    }
    let json: Value = serde_json::from_str(text).map_err(|e| TemplateError::Json {
        file: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let err = |pointer: &str, fr: &str, en: &str| TemplateError::NotScenario {
        file: path.to_owned(),
        pointer: pointer.to_owned(),
        message: Text::new(fr, en),
    };
    let Some(root) = json.as_object() else {
        return Err(err("", "un objet est attendu", "expected an object"));
    };
    let Some(elements) = root.get("elements") else {
        return Err(err(
            "/elements",
            "absent : un modèle de scénario a une liste d'éléments",
            "missing: a scenario template has a list of elements",
        ));
    };
    let Some(elements) = elements.as_array() else {
        return Err(err("/elements", A_LIST.0, A_LIST.1));
    };
    let mut blocks = Vec::new();
    for (i, el) in ordered(elements) {
        walk_element(el, &format!("/elements/{i}"), &mut blocks, path)?;
    }
    Ok(Loaded {
        file: path.to_owned(),
        source: Source::Template,
        json,
        blocks,
    })
}

fn strip_open_tag(text: &str) -> &str {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    match t.strip_prefix("<?php") {
        Some(rest) if rest.starts_with(['\n', '\r', ' ', '\t']) => rest.trim_start_matches([' ', '\t', '\r', '\n']),
        _ => t,
    }
}

/// A list in execution order: by `order` (a string or number holding an integer), stable.
pub fn ordered(list: &[Value]) -> Vec<(usize, &Value)> {
    let mut v: Vec<(usize, &Value)> = list.iter().enumerate().collect();
    v.sort_by_key(|(i, x)| (order_of(x).unwrap_or(i64::MAX), *i));
    v
}

fn order_of(v: &Value) -> Option<i64> {
    match v.get("order")? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// `options.enable` is "0" (or 0, false).
pub fn is_disabled(v: &Value) -> bool {
    matches!(
        v.get("options").and_then(|o| o.get("enable")),
        Some(Value::String(s)) if s.trim() == "0"
    ) || matches!(v.get("options").and_then(|o| o.get("enable")), Some(Value::Number(n)) if n.as_i64() == Some(0))
        || matches!(v.get("options").and_then(|o| o.get("enable")), Some(Value::Bool(false)))
}

fn walk_element(el: &Value, ptr: &str, out: &mut Vec<CodeBlock>, file: &Path) -> Result<(), TemplateError> {
    let err = |pointer: String, (fr, en): (&str, &str)| TemplateError::NotScenario {
        file: file.to_owned(),
        pointer,
        message: Text::new(fr, en),
    };
    if !el.is_object() {
        return Err(err(
            ptr.to_owned(),
            ("un objet élément est attendu", "expected an element object"),
        ));
    }
    let subs = match el.get("subElements") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(err(format!("{ptr}/subElements"), A_LIST)),
    };
    for (j, sub) in ordered(subs) {
        let sptr = format!("{ptr}/subElements/{j}");
        let sub_disabled = is_disabled(sub);
        let exprs = match sub.get("expressions") {
            None | Some(Value::Null) => continue,
            Some(Value::Array(a)) => a,
            Some(_) => return Err(err(format!("{sptr}/expressions"), A_LIST)),
        };
        for (k, ex) in ordered(exprs) {
            let eptr = format!("{sptr}/expressions/{k}");
            match ex.get("type").and_then(Value::as_str) {
                Some("code") => {
                    let Some(code) = ex.get("expression").and_then(Value::as_str) else {
                        return Err(err(
                            format!("{eptr}/expression"),
                            (
                                "une expression code ne contient aucun texte",
                                "a code expression holds no text",
                            ),
                        ));
                    };
                    out.push(CodeBlock {
                        pointer: format!("{eptr}/expression"),
                        code: code.to_owned(),
                        disabled: sub_disabled || is_disabled(ex),
                    });
                }
                Some("element") => {
                    if let Some(nested) = ex.get("element") {
                        let before = out.len();
                        walk_element(nested, &format!("{eptr}/element"), out, file)?;
                        if is_disabled(ex) || sub_disabled {
                            for b in &mut out[before..] {
                                b.disabled = true;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl(code: &str, enable: &str) -> String {
        serde_json::json!({
            "name": "t", "trigger": ["#begin_backup#"], "elements": [
                {"type": "action", "order": "0", "subElements": [{"type": "action", "order": "0", "expressions": [
                    {"type": "element", "order": "1", "options": [], "element": {"type": "code", "subElements": [
                        {"type": "code", "options": {"enable": enable}, "expressions": [
                            {"type": "code", "expression": code, "options": [], "order": "0"}]}]}}]}]}]
        })
        .to_string()
    }

    #[test]
    fn finds_the_nested_code_block_and_its_pointer() {
        let l = from_text(&tpl("$a = 1;", "1"), Path::new("t.json")).unwrap();
        let b = l.block().unwrap();
        assert_eq!(b.code, "$a = 1;");
        assert_eq!(
            b.pointer,
            "/elements/0/subElements/0/expressions/0/element/subElements/0/expressions/0/expression"
        );
    }

    #[test]
    fn a_disabled_block_is_not_run_and_errors_name_the_pointer() {
        let l = from_text(&tpl("$a = 1;", "0"), Path::new("t.json")).unwrap();
        assert!(l.blocks[0].disabled);
        assert!(
            l.block()
                .unwrap_err()
                .to_string()
                .contains("t.json: not a Jeedom scenario template: at /elements")
        );
        let e = from_text(r#"{"elements": 3}"#, Path::new("x.json")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.json: not a Jeedom scenario template: at /elements: expected a list"
        );
        let e = from_text("{\n  \"a\": ", Path::new("y.json")).unwrap_err();
        assert!(e.to_string().starts_with("y.json:2:"), "{e}");
    }

    #[test]
    fn a_bare_block_drops_its_open_tag() {
        let l = from_text("<?php\n$x = 2;\n", Path::new("b.php")).unwrap();
        assert_eq!(
            (l.source, l.block().unwrap().code.as_str()),
            (Source::Bare, "$x = 2;\n")
        );
    }
}
