//! The command line's mistakes that clap finds, worded in French (clap's own words are English).
//! The CLI's counterpart of the library's `error_words`: clap is a dependency of the command line
//! only.

use std::error::Error as _;

use infobackup::Lang;
use infobackup::error_words::worded;

/// A command-line mistake clap found, said in French from clap's context: the common kinds
/// (unknown argument, missing or invalid value, missing argument, conflict, unknown command).
/// A value our own parsers refused keeps their French wording.
pub fn clap_fr(err: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ContextValue as V, ErrorKind as K};
    let ctx = |k: C| -> Option<String> {
        err.get(k).map(|v| match v {
            V::String(s) => s.clone(),
            V::Strings(v) => v.join(", "),
            V::StyledStr(s) => s.to_string(),
            V::StyledStrs(v) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            V::Number(n) => n.to_string(),
            V::Bool(b) => b.to_string(),
            _ => String::new(),
        })
    };
    let arg = ctx(C::InvalidArg).unwrap_or_default();
    let value = ctx(C::InvalidValue).unwrap_or_default();
    let suggested = ctx(C::SuggestedArg)
        .or_else(|| ctx(C::SuggestedValue))
        .or_else(|| ctx(C::SuggestedSubcommand))
        .map(|s| format!(" ; vouliez-vous dire « {s} » ?"))
        .unwrap_or_default();
    let valid = ctx(C::ValidValue)
        .filter(|v| !v.is_empty())
        .map(|v| format!(" (valeurs possibles : {v})"))
        .unwrap_or_default();
    match err.kind() {
        K::UnknownArgument => format!("argument inattendu « {arg} »{suggested}"),
        K::InvalidSubcommand => format!(
            "commande inconnue « {} »{suggested}",
            ctx(C::InvalidSubcommand).unwrap_or(arg)
        ),
        K::InvalidValue if value.is_empty() => format!("il manque une valeur à {arg}{valid}"),
        K::InvalidValue => format!("valeur invalide « {value} » pour {arg}{valid}{suggested}"),
        K::ValueValidation => {
            let why = err
                .source()
                .map(|s| {
                    worded(s, Lang::Fr)
                        .or_else(|| s.downcast_ref::<std::num::ParseIntError>().map(int_fr))
                        .unwrap_or_else(|| range_fr(&s.to_string()))
                })
                .unwrap_or_default();
            format!("valeur invalide « {value} » pour {arg} : {why}")
        }
        K::MissingRequiredArgument => format!("argument obligatoire manquant : {arg}"),
        K::ArgumentConflict => {
            let other = ctx(C::PriorArg).unwrap_or_default();
            format!("{arg} ne peut pas être donné avec {other}")
        }
        K::TooManyValues => format!("trop de valeurs pour {arg} : « {value} »"),
        K::TooFewValues | K::WrongNumberOfValues => format!("nombre de valeurs incorrect pour {arg}"),
        K::NoEquals => format!("{arg} veut sa valeur après un « = »"),
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            "il manque la commande (parse, check, diagnose, record, serve, conformance ou scenario)".into()
        }
        K::InvalidUtf8 => "un argument n'est pas de l'UTF-8 valide".into(),
        _ => "ligne de commande invalide".into(),
    }
}

/// clap's range check (`9 is not in 7..=8`) in French; any other text as it is (our own value
/// parsers already word theirs in the run's language).
fn range_fr(text: &str) -> String {
    match text
        .split_once(" is not in ")
        .and_then(|(v, r)| Some((v, r.split_once("..=")?)))
    {
        Some((v, (lo, hi))) => format!("{v} n'est pas entre {lo} et {hi}"),
        None => text.to_owned(),
    }
}

/// Why a number was refused (Rust's words are English): not digits, empty, or too large.
fn int_fr(err: &std::num::ParseIntError) -> String {
    use std::num::IntErrorKind as K;
    match err.kind() {
        K::Empty => "la valeur est vide",
        K::PosOverflow => "le nombre est trop grand",
        K::NegOverflow => "le nombre est trop petit",
        _ => "ce n'est pas un nombre entier positif",
    }
    .to_owned()
}
