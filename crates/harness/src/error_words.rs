//! Errors worded for a person, in the run's language: the step that turns any error the library
//! returns (and the command line's mistakes) into one sentence in French or English.
//!
//! English is each error type's `Display` (its `#[error]` text, next to the type); French is
//! here, one `match` per type, so every French error sentence is in this one file. The command
//! line asks [`worded`] for each cause of an error chain: a cause this module knows is worded
//! in full (with its own causes), anything else keeps its `Display`.
//!
//! Typography of the French: a plain space before « : » and « ; », guillemets « » around
//! quoted values; a location (`file:line:column:`) keeps its machine-readable form.

use std::error::Error;
use std::io;
use std::path::Path;

use crate::Lang;
use crate::case::{CaseError, ManifestError};
use crate::conformance::ConformanceError;
use crate::engine::profile::{ProfileError, UnknownProfile};
use crate::jeeapi::HttpReplayError;
use crate::jeeapi::client::ConfigError;
use crate::jeeapi::mock::MockError;
use crate::jeeapi::{ApiError, KeyError};
use crate::log::LogError;
use crate::php::UnknownPhpVersion;
use crate::phprun::PhpError;
use crate::report::diagnose::DiagnoseError;
use crate::report::diagnose::live::{LiveCause, LiveError, Reading};
use crate::report::run::RunError;
use crate::template::TemplateError;
use crate::via::ViaError;
use crate::widget::OptionError;
use crate::widget::real::RealError;
use crate::world::{UnknownVersion, WorldError};

/// An error worded in either language.
pub trait Worded {
    /// The whole message (its causes included) in `lang`.
    fn message(&self, lang: Lang) -> String;
}

/// `err` worded in `lang` when it is one of the library's error types (or an `io::Error`),
/// `None` for anything else (its `Display` is then all there is).
pub fn worded(err: &(dyn Error + 'static), lang: Lang) -> Option<String> {
    macro_rules! try_types {
        ($($t:ty),* $(,)?) => {
            $(if let Some(e) = err.downcast_ref::<$t>() {
                return Some(e.message(lang));
            })*
        };
    }
    try_types!(
        CaseError,
        ManifestError,
        ConformanceError,
        ProfileError,
        UnknownProfile,
        LogError,
        DiagnoseError,
        RunError,
        TemplateError,
        ViaError,
        HttpReplayError,
        ConfigError,
        LiveError,
        ApiError,
        KeyError,
        MockError,
        PhpError,
        RealError,
        OptionError,
        UnknownVersion,
        UnknownPhpVersion,
        WorldError,
        io::Error,
    );
    None
}

fn p(path: &Path) -> std::path::Display<'_> {
    path.display()
}

impl Worded for io::Error {
    /// The system's own words are English (`strerror`); French says the common kinds itself.
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        io_fr(self.kind(), self.raw_os_error(), &self.to_string())
    }
}

/// An I/O error of `kind` in French; `raw_os` and the system's English `display` for the kinds
/// without a French sentence of their own.
fn io_fr(kind: io::ErrorKind, raw_os: Option<i32>, display: &str) -> String {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => "fichier ou dossier introuvable".into(),
        K::PermissionDenied => "permission refusée".into(),
        K::AlreadyExists => "le fichier existe déjà".into(),
        K::IsADirectory => "c'est un dossier".into(),
        K::NotADirectory => "un élément du chemin n'est pas un dossier".into(),
        K::ReadOnlyFilesystem => "système de fichiers en lecture seule".into(),
        K::StorageFull => "plus de place sur le disque".into(),
        K::InvalidData => "données illisibles (pas de l'UTF-8 valide ?)".into(),
        K::UnexpectedEof => "fin de fichier inattendue".into(),
        K::TimedOut => "délai dépassé".into(),
        K::ConnectionRefused => "connexion refusée".into(),
        K::AddrInUse => "adresse déjà utilisée".into(),
        K::BrokenPipe => "tube fermé".into(),
        _ => match raw_os {
            Some(40) => "une boucle de liens symboliques".into(),
            Some(5) => "erreur d'entrée-sortie".into(),
            Some(n) => format!("erreur du système n° {n}"),
            None => format!("erreur d'entrée-sortie ({display})"),
        },
    }
}

impl Worded for ManifestError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => format!(
                "{}:{}:{}: {} : {}",
                p(&self.path),
                self.line,
                self.column,
                self.key,
                self.message.get(lang)
            ),
        }
    }
}

impl Worded for CaseError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            CaseError::Io { path, err } => format!("{} : {}", p(path), err.message(lang)),
            CaseError::NoManifest { dir } => format!(
                "{} : ce n'est pas un dossier de cas : il n'a pas de {} (voir scenarios/README.md)",
                p(dir),
                crate::case::MANIFEST
            ),
            CaseError::Manifest(m) => m.message(lang),
            CaseError::Resolve { path, message } => format!("{} : {}", p(path), message.get(lang)),
            CaseError::Untimed { path } => format!(
                "{} : aucune sauvegarde ne peut être rejouée : le début de chacune a été coupé et aucune de ses \
                 lignes ne porte de date ni de nom d'archive",
                p(path)
            ),
        }
    }
}

impl Worded for ConformanceError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ConformanceError::Read { path, source } => {
                format!("{} : lecture impossible : {}", p(path), source.message(lang))
            }
            ConformanceError::Malformed {
                path,
                line,
                column,
                message,
            } => format!("{}:{line}:{column}: vecteur mal formé : {}", p(path), json_fr(message)),
            ConformanceError::World { path, source } => {
                format!("{} : le rejeu a échoué : {}", p(path), source.message(lang))
            }
            ConformanceError::Missing { path } => format!("{} : fichier ou dossier introuvable", p(path)),
            ConformanceError::Loop { path } => format!(
                "{} : une boucle de liens symboliques (elle n'aboutit jamais à un fichier ni à un dossier)",
                p(path)
            ),
        }
    }
}

const PROFILES_FR: &str = "v2022-01, v2023-03, v2024-08 ou strict";

impl Worded for UnknownProfile {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => format!("profil inconnu « {} » (attendu : {PROFILES_FR})", self.0),
        }
    }
}

impl Worded for ProfileError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ProfileError::Read { file, kind, message } => format!(
                "{} : impossible de lire le fichier de profil : {}",
                p(file),
                io_fr(*kind, None, message)
            ),
            ProfileError::Syntax {
                file,
                line,
                column,
                message,
            } => format!("{}:{line}:{column}: TOML invalide : {}", p(file), toml_fr(message)),
            ProfileError::Key {
                file,
                line,
                key,
                message,
            } => format!("{}:{line}: clé « {key} » : {}", p(file), message.get(lang)),
            ProfileError::UnknownBase { file, line, source } => {
                format!("{}:{line}: clé « base » : {}", p(file), source.message(lang))
            }
            ProfileError::MissingBase { file } => format!(
                "{} : la clé « base » manque (le profil intégré dont il part : {PROFILES_FR})",
                p(file)
            ),
        }
    }
}

impl Worded for LogError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            LogError::Read { path, source } => format!(
                "impossible de lire le fichier de log {} : {}",
                p(path),
                source.message(lang)
            ),
            LogError::Io { source } => format!("impossible de lire le log : {}", source.message(lang)),
        }
    }
}

impl Worded for DiagnoseError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            DiagnoseError::NotALog { name, lines } => format!(
                "{name} n'est pas un log de sauvegarde Jeedom : aucune de ses {} n'est une ligne de sauvegarde \
                 ([START BACKUP], `Start of Jeedom backup at …`, `Backing up database...`) ni une ligne du \
                 journal de Jeedom (`[2025-09-10 03:29:40][ERROR] : …`) ; collez le contenu du log/backup de \
                 Jeedom (Analyse → Logs → backup)",
                lang.count(*lines as usize, ["ligne", "lignes"], ["line", "lines"])
            ),
            DiagnoseError::Binary {
                name,
                control_bytes,
                bytes,
            } => format!(
                "{name} contient des données binaires, pas un log de sauvegarde Jeedom ({control_bytes} de ses \
                 {bytes} octets sont des caractères de contrôle qu'aucun log ne contient : un programme, une \
                 archive, une image ?) ; collez le contenu du log/backup de Jeedom (Analyse → Logs → backup), ou \
                 donnez le fichier de log lui-même"
            ),
            DiagnoseError::Empty { name } => format!(
                "{name} est vide, ce n'est donc pas un log de sauvegarde Jeedom : collez-y le contenu du \
                 log/backup de Jeedom (Analyse → Logs → backup), ou donnez le fichier de log lui-même"
            ),
            DiagnoseError::NoRun { name, logger_lines } => format!(
                "{name} ne contient aucune sauvegarde, seulement {} du journal de Jeedom : le texte de la \
                 sauvegarde est sans doute dans log/cron_execution (la sauvegarde quotidienne) ou log/update \
                 (la sauvegarde avant une mise à jour) ; diagnostiquez ce log avec `--log cron_execution` ou \
                 `--log update`, ou donnez un dossier de cas qui contient les deux",
                lang.count(*logger_lines, ["ligne", "lignes"], ["line", "lines"])
            ),
            DiagnoseError::Untimed { name } => format!(
                "{name} : aucune sauvegarde de ce log ne peut être rejouée : le début de chacune a été coupé et \
                 aucune de ses lignes ne porte de date ni de nom d'archive (collez le log à partir de sa ligne \
                 `Start of Jeedom backup at …`, ou enregistrez-le comme cas et donnez les heures dans case.toml)"
            ),
            DiagnoseError::Case(e) => e.message(lang),
            DiagnoseError::Replay(e) => e.message(lang),
        }
    }
}

impl Worded for RunError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            RunError::UnknownProfile(name) => {
                format!("le profil « {name} » n'est pas un profil intégré ({PROFILES_FR})")
            }
            RunError::Profile(e) => e.message(lang),
            RunError::Replay(e) => format!("rejeu de la chronologie : {}", e.message(lang)),
            RunError::Php(e) => e.message(lang),
        }
    }
}

impl Worded for ViaError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (ViaError::World(e), _) => e.message(lang),
            (ViaError::Http(e), _) => format!("par l'API JSON-RPC simulée : {}", e.message(lang)),
        }
    }
}

impl Worded for HttpReplayError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (HttpReplayError::Mock(e), _) => format!("la simulation a refusé la chronologie : {}", e.message(lang)),
            (HttpReplayError::Client(e), _) => format!("configuration du client : {}", e.message(lang)),
            (HttpReplayError::World(e), _) => e.message(lang),
        }
    }
}

impl Worded for MockError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            MockError::Bind { port, source } => {
                format!("impossible d'écouter sur 127.0.0.1:{port} : {}", source.message(lang))
            }
            MockError::Runtime(e) => format!(
                "impossible de démarrer l'environnement d'exécution de la simulation : {}",
                e.message(lang)
            ),
            MockError::StartupPanicked => "le fil de démarrage de la simulation a paniqué".into(),
            MockError::NoSteps => "la chronologie n'a aucune étape".into(),
            MockError::TimeZone { tz, why } => format!("fuseau horaire « {tz} » : {}", quoted_en(why)),
            MockError::NonexistentTime { step, at, tz } => format!(
                "l'étape {step} a lieu à {at}, une heure qui n'existe pas dans {tz} (sautée par un changement \
                 d'heure) : le `datetime` de Jeedom ne peut pas la dire"
            ),
            MockError::StartStep { start, len } => {
                format!("l'étape de départ {start} est au-delà des {len} étapes de la chronologie")
            }
        }
    }
}

impl Worded for ConfigError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ConfigError::Scheme(url) => format!("l'URL Jeedom « {url} » doit commencer par http:// ou https://"),
            ConfigError::NoTls(url) => format!(
                "URL Jeedom « {url} » : cette version n'a pas TLS (compilée sans la fonctionnalité `https`) ; \
                 utilisez l'adresse http:// locale de la box, ou recompilez avec `--features https`"
            ),
            ConfigError::BadUrl(url, why) => {
                format!("l'URL Jeedom « {url} » n'est pas une URL : {}", quoted_en(why))
            }
            ConfigError::TimeZone { tz, why } => format!("fuseau horaire inconnu « {tz} » : {}", quoted_en(why)),
            ConfigError::PageSize => "une page de log doit faire au moins 1 ligne".into(),
        }
    }
}

impl Worded for LiveError {
    /// Says its cause too (its `Display` leaves it to the chain).
    fn message(&self, lang: Lang) -> String {
        let cause = match &*self.source {
            LiveCause::Config(e) => e.message(lang),
            LiveCause::Api(e) => e.message(lang),
        };
        match lang {
            Lang::En => format!("{self}: {cause}"),
            Lang::Fr => format!("--jeedom-url {} : {} : {cause}", self.url, self.what.message(lang)),
        }
    }
}

impl Worded for Reading {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Reading::Address, _) => "impossible d'utiliser cette adresse".into(),
            (Reading::Version, _) => "lecture de la version".into(),
            (Reading::ConfigKey(k), _) => format!("lecture de la clé de configuration « {k} »"),
            (Reading::VirtualCommand, _) => "lecture de la commande virtuelle".into(),
            (Reading::Log(name), _) => format!("lecture de log/{}", name.as_str()),
        }
    }
}

/// A listing the JSON-RPC client names in an `Unavailable` error, in French.
fn unavailable_fr(what: &str) -> String {
    match what {
        "the local backup folder listing" => "la liste du dossier local des sauvegardes".into(),
        "the Market backup listing" => "la liste des sauvegardes du Market".into(),
        "the Samba share listing" => "la liste du partage Samba".into(),
        other => format!("« {other} »"),
    }
}

/// A duration as French writes it: `30 s`, `1,5 s`.
fn seconds_fr(d: std::time::Duration) -> String {
    format!("{} s", d.as_secs_f64()).replace('.', ",")
}

/// A technical detail the client or a reader gives only in English, quoted as such.
fn quoted_en(detail: &str) -> String {
    format!("« {detail} » (détail technique, en anglais)")
}

impl Worded for ApiError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            ApiError::Timeout { method, url, after } => {
                format!(
                    "{method} : pas de réponse de {url} en {} (délai dépassé)",
                    seconds_fr(*after)
                )
            }
            ApiError::Refused { method, url } => {
                format!("{method} : connexion à {url} refusée (Jeedom tourne-t-il, et l'URL est-elle la bonne ?)")
            }
            ApiError::Transport { method, url, message } => {
                format!("{method} : {url} injoignable : {}", quoted_en(message))
            }
            ApiError::HttpStatus {
                method,
                url,
                status,
                excerpt,
            } => format!("{method} : {url} a répondu HTTP {status} au lieu de 200 : « {excerpt} »"),
            ApiError::NotJson {
                method,
                url,
                reason,
                excerpt,
            } => format!(
                "{method} : la réponse de {url} n'est pas du JSON ({}) : « {excerpt} »",
                quoted_en(reason)
            ),
            ApiError::WrongJsonRpc { method, found } => {
                format!("{method} : la réponse n'est pas du JSON-RPC 2.0 (« jsonrpc » vaut {found})")
            }
            ApiError::Malformed { method, why } => {
                format!("{method} : réponse JSON-RPC mal formée : {}", quoted_en(why))
            }
            ApiError::NotAllowed { method, message } => format!(
                "{method} : Jeedom a refusé la requête (code 1 : clé API absente, API JSON-RPC désactivée dans \
                 Réglages → Système → Configuration → API, ou mauvaise version du protocole) : « {message} »"
            ),
            ApiError::WrongKey { method, message } => {
                format!("{method} : Jeedom a rejeté la clé API (code 2) : « {message} »")
            }
            ApiError::UnknownMethod { method, message } => {
                format!("{method} : ce Jeedom n'a pas cette méthode (code 500) : « {message} »")
            }
            ApiError::NotFound { method, code, message } => {
                format!("{method} : commande ou scénario inconnu (code {code}) : « {message} »")
            }
            ApiError::Denied { method, message } => {
                format!("{method} : refusé par les listes d'autorisation de Jeedom (code -32000) : « {message} »")
            }
            ApiError::Jeedom { method, code, message } => {
                format!("{method} : Jeedom a répondu par l'erreur {code} : « {message} »")
            }
            ApiError::UnexpectedResult { method, why } => {
                format!("{method} : résultat inattendu : {}", quoted_en(why))
            }
            ApiError::Unavailable { what, .. } => format!(
                "{} n'est pas disponible sur ce Jeedom (aucune méthode de son API ne la donne) : ce qu'en dit le \
                 log en tient lieu",
                unavailable_fr(what)
            ),
            ApiError::WriteRefused(_) => "écriture dans la commande virtuelle refusée : ce client ne fait que lire ; \
                 écrire sur une box demande un envoi explicite (--push)"
                .into(),
            ApiError::Deadline { method, after } => format!(
                "{method} : la lecture complète de la box a pris plus de {} (le délai ; un délai plus long \
                 avec --timeout SECONDES)",
                seconds_fr(*after)
            ),
            ApiError::TooMuchData { method, limit } => format!(
                "{method} : la box a envoyé plus de {limit} octets en tout, plus qu'aucun vrai log n'en demande : \
                 lecture arrêtée (est-ce autre chose qui répond à cette adresse ?)"
            ),
            ApiError::Redirect { method, url, to } => format!(
                "{method} : {url} redirige vers {to}, une autre adresse : redirection non suivie, pour que la clé \
                 API n'y soit pas envoyée (si c'est bien la box, donnez cette adresse comme URL)"
            ),
        }
    }
}

impl Worded for KeyError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            KeyError::TooShort { len } => format!(
                "la clé API Jeedom est trop courte ({} ; Jeedom en demande au moins {})",
                lang.count(*len, ["caractère", "caractères"], ["character", "characters"]),
                crate::jeeapi::protocol::MIN_KEY_LEN
            ),
            KeyError::BadCharacter { position } => {
                format!("la clé API Jeedom contient un espace ou un caractère de contrôle (au caractère {position})")
            }
            KeyError::UnreadableFile { path, kind, message } => format!(
                "impossible de lire la clé API Jeedom dans {path} : {}",
                io_fr(*kind, None, message)
            ),
            KeyError::UnreadableEnv { var } => format!(
                "impossible de lire la clé API Jeedom dans la variable d'environnement {var} : elle n'est pas \
                 définie, ou pas en Unicode valide"
            ),
        }
    }
}

impl Worded for PhpError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            PhpError::Missing { profile, php, message } => format!(
                "php:{profile} : la commande php n'est pas installée ({php} : {message}) ; installez le paquet \
                 Debian {pkg} (apt-get install {pkg}), ou faites pointer INFOBACKUP_PHP sur un binaire php",
                pkg = crate::phprun::PHP_PACKAGE
            ),
            PhpError::Template(e) => e.message(lang),
            PhpError::Run { profile, message } => format!("php:{profile} : {message}"),
        }
    }
}

impl Worded for TemplateError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            TemplateError::Missing { file } => format!("{} : fichier ou dossier introuvable", p(file)),
            TemplateError::Read { file, message } => {
                format!("{} : lecture impossible : {}", p(file), message.get(lang))
            }
            TemplateError::Json {
                file,
                line,
                column,
                message,
            } => format!("{}:{line}:{column}: JSON invalide : {}", p(file), json_fr(message)),
            TemplateError::NotScenario { file, pointer, message } => format!(
                "{} : ce n'est pas un modèle de scénario Jeedom : en {pointer} : {}",
                p(file),
                message.get(lang)
            ),
        }
    }
}

impl Worded for RealError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            RealError::Read { path, source } => format!(
                "{} : impossible de lire le modèle du widget : {}",
                p(path),
                source.message(lang)
            ),
            RealError::NotATemplate { path, why } => {
                format!("{} : ce n'est pas un modèle de widget : {}", p(path), why.get(lang))
            }
            RealError::NoBrowser(why) => format!(
                "chromium introuvable (installez le paquet Debian `chromium`, ou faites pointer \
                 INFOBACKUP_CHROMIUM sur un binaire Chromium) : {}",
                why.get(lang)
            ),
            RealError::Browser { browser, why } => format!("exécution de {} : {}", p(browser), quoted_en(why)),
        }
    }
}

impl Worded for OptionError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            OptionError::Colour { value } => {
                format!("« {value} » n'est pas une couleur CSS (#rgb, #rrggbb, rgb(…), hsl(…) ou un nom de couleur)")
            }
            OptionError::Radius { value } => format!("« {value} » n'est pas un rayon de 0 à 50"),
            OptionError::Loader { value } => format!("« {value} » n'est pas un style de chargement de 1 à 4"),
            OptionError::Unknown { name } => format!(
                "paramètre de widget inconnu « {name} » ; connus : {}",
                crate::widget::options_known().join(", ")
            ),
            OptionError::Param { name, source } => {
                format!("paramètre de widget {name} : {}", source.message(lang))
            }
        }
    }
}

impl Worded for UnknownVersion {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => format!(
                "version de Jeedom inconnue « {} » (attendu : 2.x, 3.x, 4.2, 4.3, 4.4 ou 4.5, par exemple \
                 « 4.4.20 »)",
                self.0
            ),
        }
    }
}

impl Worded for UnknownPhpVersion {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => format!("version de PHP inconnue « {} » (attendu : 7 ou 8)", self.0),
        }
    }
}

impl Worded for WorldError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (WorldError::Invalid(m), _) => m.get(lang),
            (WorldError::Api(m), _) => format!("API Jeedom : {}", quoted_en(m)),
            (WorldError::Unavailable { what, why }, _) => {
                format!(
                    "{} : pas disponible sur ce Jeedom : {}",
                    unavailable_fr(what),
                    quoted_en(why)
                )
            }
        }
    }
}

/// The toml reader's message in French, for its common kinds (a key it does not know, a key
/// that is missing, a value of the wrong type); any other is quoted as the reader said it.
pub fn toml_fr(message: &str) -> String {
    serde_fr(message, "TOML")
}

/// The JSON reader's (serde_json's) message in French: the kinds [`toml_fr`] knows (they are
/// serde's own), and the common syntax mistakes; any other is quoted as the reader said it.
pub fn json_fr(message: &str) -> String {
    let m = message.trim();
    let syntax = [
        ("EOF while parsing", "le texte s'arrête avant la fin du JSON"),
        ("expected value", "une valeur JSON est attendue ici"),
        ("expected `,` or `}`", "une virgule ou « } » est attendue ici"),
        ("expected `,` or `]`", "une virgule ou « ] » est attendue ici"),
        ("expected `:`", "« : » est attendu ici"),
        ("key must be a string", "une clé doit être une chaîne entre guillemets"),
        ("trailing comma", "virgule en trop avant la fermeture"),
        ("trailing characters", "du texte suit la fin du JSON"),
        ("control character", "caractère de contrôle dans une chaîne"),
        ("invalid escape", "séquence d'échappement invalide"),
        ("invalid number", "nombre invalide"),
    ];
    match syntax.iter().find(|(en, _)| m.starts_with(en)) {
        Some((_, fr)) => (*fr).to_owned(),
        None => serde_fr(m, "JSON"),
    }
}

/// serde's message (from the `reader`, TOML or JSON) in French, for its common kinds.
fn serde_fr(message: &str, reader: &str) -> String {
    let m = message.trim();
    let ticked = |rest: &str| rest.split('`').next().unwrap_or("").to_owned();
    if let Some(rest) = m.strip_prefix("unknown field `") {
        let field = ticked(rest);
        let expected = rest
            .split_once(", expected one of ")
            .or_else(|| rest.split_once(", expected "))
            .map(|(_, e)| format!(" ; clés possibles : {e}"))
            .unwrap_or_default();
        return format!("clé inconnue « {field} »{expected}");
    }
    if let Some(rest) = m.strip_prefix("missing field `") {
        return format!("clé manquante « {} »", ticked(rest));
    }
    if let Some((found, expected)) = m
        .strip_prefix("invalid type: ")
        .and_then(|r| r.split_once(", expected "))
    {
        return format!("type de valeur invalide : « {found} » là où est attendu « {expected} »");
    }
    if let Some((found, expected)) = m
        .strip_prefix("invalid value: ")
        .and_then(|r| r.split_once(", expected "))
    {
        return format!("valeur invalide : « {found} » là où est attendu « {expected} »");
    }
    if let Some(rest) = m.strip_prefix("unknown variant `") {
        let variant = ticked(rest);
        let expected = rest
            .split_once(", expected one of ")
            .or_else(|| rest.split_once(", expected "))
            .map(|(_, e)| format!(" ; valeurs possibles : {e}"))
            .unwrap_or_default();
        return format!("valeur inconnue « {variant} »{expected}");
    }
    if m.starts_with("duplicate key") || m.starts_with("duplicate field") {
        return format!("clé en double (« {m} », message du lecteur {reader})");
    }
    format!("« {m} » (message du lecteur {reader}, en anglais)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_messages_are_said_in_french() {
        assert_eq!(
            toml_fr("unknown field `descripton`, expected one of `description`, `step`"),
            "clé inconnue « descripton » ; clés possibles : `description`, `step`"
        );
        assert_eq!(toml_fr("missing field `description`"), "clé manquante « description »");
        assert_eq!(
            toml_fr("invalid type: string \"x\", expected u64"),
            "type de valeur invalide : « string \"x\" » là où est attendu « u64 »"
        );
        assert!(toml_fr("something new").contains("en anglais"));
    }

    #[test]
    fn json_messages_are_said_in_french() {
        assert_eq!(json_fr("expected value"), "une valeur JSON est attendue ici");
        assert_eq!(
            json_fr("invalid type: integer `3`, expected a string"),
            "type de valeur invalide : « integer `3` » là où est attendu « a string »"
        );
        assert!(json_fr("something new").contains("message du lecteur JSON, en anglais"));
    }

    #[test]
    fn a_live_error_says_what_was_read_and_why_in_either_language() {
        use crate::world::LogName;
        let e = LiveError {
            url: "http://box".into(),
            what: Reading::Log(LogName::Update),
            source: Box::new(LiveCause::Api(ApiError::WrongKey {
                method: "log::get".into(),
                message: "x".into(),
            })),
        };
        assert_eq!(
            e.message(Lang::Fr),
            "--jeedom-url http://box : lecture de log/update : log::get : Jeedom a rejeté la clé API (code 2) : « x »"
        );
        assert_eq!(
            e.message(Lang::En),
            "--jeedom-url http://box: reading log/update: log::get: Jeedom rejected the API key (code 2): x"
        );
        let k = KeyError::TooShort { len: 1 };
        assert_eq!(
            k.message(Lang::Fr),
            "la clé API Jeedom est trop courte (1 caractère ; Jeedom en demande au moins 16)"
        );
    }

    #[test]
    fn io_errors_are_said_by_kind() {
        let e = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(e.message(Lang::Fr), "fichier ou dossier introuvable");
        assert_eq!(e.message(Lang::En), e.to_string());
        assert_eq!(worded(&e, Lang::Fr).as_deref(), Some("fichier ou dossier introuvable"));
    }
}
