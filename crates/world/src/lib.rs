//! infobackup-world: the vocabulary every other crate of infobackup shares, and nothing else: the
//! replay's [`world`] (the `Timeline`, the `World` trait, `MemoryWorld`), the language of the
//! sentences the tool writes ([`Lang`]), and [`line_col`] for errors pointing into a file.
//! Depends on no other crate of the workspace (ARCHITECTURE.md, "Crates").

use std::fmt;

pub mod world;

/// 1-based line and column (in characters) of a byte offset of `text`, for errors that point into
/// a hand-written file (case manifests, profile files). An offset past the end, or inside a
/// character, counts as the end of the text.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The language of every sentence the tool writes for a person. French is Jeedom's community
/// language and the default. (The command line's `--lang` maps its own argument type onto this
/// one: the library does not depend on clap.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Picks the sentence in this language.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// `n` followed by the noun in the right number: French takes the singular for 0 and 1,
    /// English for 1 only. Each pair is `[singular, plural]`.
    ///
    /// ```
    /// use infobackup_world::Lang;
    /// assert_eq!(Lang::Fr.count(1, ["erreur", "erreurs"], ["error", "errors"]), "1 erreur");
    /// assert_eq!(Lang::Fr.count(0, ["erreur", "erreurs"], ["error", "errors"]), "0 erreur");
    /// assert_eq!(Lang::En.count(0, ["erreur", "erreurs"], ["error", "errors"]), "0 errors");
    /// assert_eq!(Lang::En.count(2, ["erreur", "erreurs"], ["error", "errors"]), "2 errors");
    /// ```
    pub fn count(self, n: usize, fr: [&str; 2], en: [&str; 2]) -> String {
        let noun = match self {
            Lang::Fr => fr[usize::from(n > 1)],
            Lang::En => en[usize::from(n != 1)],
        };
        format!("{n} {noun}")
    }

    /// The language's code as `--lang` and the JSON documents spell it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A sentence in both languages, for the detail an error carries (a manifest's or a profile
/// file's problem): the error is worded in the run's language when it is printed. English is
/// what `Display` shows. A detail built from an English-only text (a message of the toml reader)
/// has no French of its own: [`Text::get`] then says in French that the quote is the reader's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub fr: Option<String>,
    pub en: String,
}

impl Text {
    /// Both wordings.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            fr: Some(fr.into()),
            en: en.into(),
        }
    }

    /// The wording in `lang`.
    pub fn get(&self, lang: Lang) -> String {
        match (lang, &self.fr) {
            (Lang::Fr, Some(fr)) => fr.clone(),
            (Lang::Fr, None) => format!("« {} » (message d'origine, en anglais)", self.en),
            (Lang::En, _) => self.en.clone(),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl From<String> for Text {
    fn from(en: String) -> Self {
        Text { fr: None, en }
    }
}

impl From<&str> for Text {
    fn from(en: &str) -> Self {
        Text::from(en.to_owned())
    }
}
