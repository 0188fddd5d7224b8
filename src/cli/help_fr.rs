//! The command line's `--help` in French: owns what clap prints for `-h`, `--help` and `help <cmd>`
//! in a French run (the about texts, every argument's help, the headings, the defaults and the
//! possible values, clap's own `-h`/`-V`/`help`). The English doc comments on the clap structs
//! stay the source of truth; [`TEXTS`] says each of them in French, and a test makes sure no
//! argument or command is missing from it (and no entry is stale).
//!
//! The French command is the English one, built (so the global options are copied into every
//! subcommand and clap has added its `-h`, `-V` and `help`), then walked: texts replaced, clap's
//! `[default: …]` and `[possible values: …]` hidden and written in French after the help, and a
//! help template whose headings are French. The layout (short help for `-h`, long help for
//! `--help` where English has one) is the English one.

use std::fmt::Write as _;

use clap::builder::StyledStr;
use clap::{Arg, Command};

/// What a French text stands for in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key<'a> {
    /// The command's one-line description.
    About,
    /// An argument's help, by clap id (the field's name).
    Arg(&'a str),
    /// The help of one possible value of an argument: (argument id, value).
    Value(&'a str, &'a str),
}

use Key::{About, Arg as A, Value as V};

// The values of diagnose's `--log` and record's `--log-kind`: one type, one wording.
const LOG_AUTO: &str = "`update` si le texte porte la bannière d'une mise à jour du core (`[START UPDATE]`, \
    `Update jeedom from …`), sinon `backup`";
const LOG_BACKUP: &str =
    "`log/backup` : une sauvegarde lancée depuis l'interface ou l'API (ce que lit le scénario publié)";
const LOG_UPDATE: &str = "`log/update` : la sauvegarde faite avant une mise à jour du core";
const LOG_CRON: &str = "`log/cron_execution` : le texte renvoyé par la sauvegarde planifiée de chaque jour (jamais \
    détecté seul : son texte est celui d'une sauvegarde)";

/// Every French text: (subcommand path, what it says, the French). The path is `""` for
/// `infobackup` itself (and for the global options, whichever subcommand shows them), else the
/// subcommand's name.
pub static TEXTS: &[(&str, Key<'static>, &str)] = &[
    (
        "",
        About,
        "Banc d'essai qui simule le scénario et le widget « Info backup » de Jeedom",
    ),
    (
        "",
        A("color"),
        "Quand colorer la sortie : auto (sur un terminal, sauf si NO_COLOR est défini ; CLICOLOR_FORCE \
         la force), always (toujours) ou never (jamais)",
    ),
    (
        "",
        A("lang"),
        "La langue de tous les messages de l'exécution, erreurs comprises : fr ou en (par défaut celle \
         de la locale : LC_ALL, LC_MESSAGES, LANG ; fr* donne le français, tout le reste l'anglais)",
    ),
    // parse
    (
        "parse",
        About,
        "Lire un log de sauvegarde de Jeedom et afficher ce qui en a été compris",
    ),
    (
        "parse",
        A("file"),
        "Le log à lire (`log/backup`, `log/update`, `log/cron_execution`, un copier-coller du forum), \
         ou `-` pour l'entrée standard",
    ),
    ("parse", A("format"), "Format de sortie"),
    (
        "parse",
        V("format", "text"),
        "Chaque sauvegarde avec ses étapes, ses envois, les lignes du logger et sa fin, pour une personne",
    ),
    (
        "parse",
        V("format", "json"),
        "Le modèle en JSON (le contrat est décrit dans la documentation du module `log`)",
    ),
    (
        "parse",
        V("format", "summary"),
        "Les comptes seulement, en lisant le fichier au fil de l'eau, en mémoire constante (pour les très gros logs)",
    ),
    // conformance
    (
        "conformance",
        About,
        "Rejouer des vecteurs de conformité (fichiers ou dossiers) avec le profil fidèle à leur révision",
    ),
    (
        "conformance",
        A("paths"),
        "Des fichiers de vecteurs, ou des dossiers où chercher les `*.json` (sous-dossiers compris)",
    ),
    ("conformance", A("format"), "Format de sortie"),
    (
        "conformance",
        V("format", "text"),
        "Une ligne par vecteur, la première différence signalée par un « ^ »",
    ),
    (
        "conformance",
        V("format", "json"),
        "JSON Lines : un `{\"type\":\"vector\",…}` par vecteur, puis `{\"type\":\"summary\",…}`",
    ),
    (
        "conformance",
        A("via"),
        "Rejouer en mémoire, ou par le client JSON-RPC face à un Jeedom simulé (chaque vecteur servi \
         dans le dialecte de sa version de Jeedom)",
    ),
    (
        "conformance",
        V("via", "memory"),
        "Dans le processus, sur la chronologie en mémoire",
    ),
    (
        "conformance",
        V("via", "http"),
        "Par le client JSON-RPC, face à un Jeedom simulé sur 127.0.0.1",
    ),
    (
        "conformance",
        A("profile"),
        "Rejouer chaque vecteur avec ce profil plutôt que celui de sa révision (un nom de profil intégré, \
         un fichier de profil TOML, ou php:CHEMIN pour un modèle de scénario ou un bloc code)",
    ),
    // check
    (
        "check",
        About,
        "Rejouer chaque cas enregistré et le comparer à son instantané accepté (le travail de la CI)",
    ),
    ("check", A("dir"), "Dossier des cas enregistrés"),
    (
        "check",
        A("snapshots"),
        "Dossier des instantanés acceptés [par défaut : snapshots/cases à côté de DOSSIER]",
    ),
    (
        "check",
        A("profile"),
        "Ne rejouer que ce profil (tel que les manifestes le nomment : v2022-01, v2023-03, v2024-08, \
         strict), ou php:CHEMIN : chaque cas avec le code même du scénario (un modèle ou un bloc code) \
         exécuté par php, comparé déclencheur par déclencheur au profil Rust de la révision la plus proche",
    ),
    (
        "check",
        A("junit"),
        "Écrire aussi un rapport JUnit XML dans FICHIER (un FICHIER existant n'est remplacé que s'il est un \
         rapport JUnit)",
    ),
    ("check", A("format"), "Format de sortie"),
    ("check", V("format", "text"), "Un tableau pour les personnes"),
    (
        "check",
        V("format", "json"),
        "JSON Lines : un évènement par ligne avec un champ `type`, puis un `summary`",
    ),
    (
        "check",
        A("compare"),
        "Rejouer chaque cas avec deux profils (noms intégrés ou fichiers de profil TOML) et lister les \
         cas dont la tuile ou les voyants diffèrent",
    ),
    (
        "check",
        A("via"),
        "Rejouer en mémoire, ou par le client JSON-RPC face à un Jeedom simulé (chaque cas servi dans le \
         dialecte de sa version de Jeedom)",
    ),
    (
        "check",
        V("via", "memory"),
        "Dans le processus, sur la chronologie en mémoire",
    ),
    (
        "check",
        V("via", "http"),
        "Par le client JSON-RPC, face à un Jeedom simulé sur 127.0.0.1",
    ),
    (
        "check",
        A("widget"),
        "Dessiner aussi chaque valeur de chaque rejeu avec ce modèle de widget \
         (`cmd.info.string.Info_backup.html`) dans Chromium sans interface, et signaler où le dessin \
         diffère de la tuile vue par infobackup",
    ),
    // serve
    (
        "serve",
        About,
        "Servir un cas comme une API JSON-RPC de Jeedom simulée sur 127.0.0.1, jusqu'à Ctrl-C",
    ),
    (
        "serve",
        A("case"),
        "Un dossier de cas enregistré (scenarios/<nom>/), un vecteur de conformité (un fichier .json \
         avec un « case ») ou un fichier JSON de chronologie (Timeline)",
    ),
    ("serve", A("port"), "Port sur 127.0.0.1 (0 : n'importe quel port libre)"),
    (
        "serve",
        A("jeedom"),
        "Répondre dans le dialecte de cette version de Jeedom (4.2, 4.3, 4.4, 4.5) plutôt que dans celui du cas",
    ),
    (
        "serve",
        A("live"),
        "Se comporter comme une vraie box : pas de méthodes de contrôle (mock::enterStep) ni de listes \
         de l'API pro",
    ),
    (
        "serve",
        A("step"),
        "L'étape de départ (à partir de 1) : l'horloge de la box (`datetime`) et ses logs sont ceux de \
         cette étape. Avec --live, la session y reste (la dernière étape montre une sauvegarde terminée)",
    ),
    // diagnose
    (
        "diagnose",
        About,
        "Expliquer le log de sauvegarde d'un utilisateur : ce que montrait sa tuile, ce qui s'est passé, \
         et pourquoi",
    ),
    (
        "diagnose",
        A("input"),
        "Un log de sauvegarde (tout encodage et toute fin de ligne, une ou plusieurs sauvegardes), un \
         dossier de cas, ou `-` pour lire le log sur l'entrée standard",
    ),
    (
        "diagnose",
        A("log"),
        "Quel log de Jeedom est le texte : backup, update, cron_execution, ou auto (update si le texte \
         porte la bannière d'une mise à jour du core, sinon backup). Un dossier de cas nomme ses propres logs",
    ),
    ("diagnose", V("log", "auto"), LOG_AUTO),
    ("diagnose", V("log", "backup"), LOG_BACKUP),
    ("diagnose", V("log", "update"), LOG_UPDATE),
    ("diagnose", V("log", "cron_execution"), LOG_CRON),
    (
        "diagnose",
        A("archive_size"),
        "Taille en octets de la ou des archives que le log nomme (le log ne la donne pas ; 212 Mo par défaut)",
    ),
    (
        "diagnose",
        A("samba"),
        "Si l'envoi Samba est configuré (par défaut : déduit du log)",
    ),
    (
        "diagnose",
        A("jeedom_version"),
        "La version de Jeedom (4.2 … 4.5, ou une version publiée comme 4.4.20 ; par défaut : celle du log)",
    ),
    (
        "diagnose",
        A("min_size"),
        "La taille minimale d'archive du scénario, en octets (104857600 par défaut, les 100 Mo publiés)",
    ),
    (
        "diagnose",
        A("php"),
        "La version majeure de PHP sur la box, 7 ou 8 (8 par défaut ; le log ne le dit pas)",
    ),
    (
        "diagnose",
        A("previous"),
        "La valeur du virtuel avant la première sauvegarde : `success` (ce que laisse une bonne \
         sauvegarde la veille, par défaut), `empty` (une nouvelle installation), ou la valeur même, \
         copiée depuis la box",
    ),
    (
        "diagnose",
        A("profile"),
        "La révision du scénario publié : v2022-01, v2023-03, v2024-08, strict, ou un fichier de profil \
         TOML. `strict` est toujours montré à côté",
    ),
    (
        "diagnose",
        A("tz"),
        "Le fuseau horaire de la box (nom IANA, Europe/Paris par défaut)",
    ),
    ("diagnose", A("format"), "Format de sortie"),
    (
        "diagnose",
        V("format", "text"),
        "Un rapport pour les personnes (et les messages du forum) : en couleurs sur un terminal, en \
         texte brut dans un tube",
    ),
    (
        "diagnose",
        V("format", "json"),
        "Un document JSON pour les outils (format `infobackup-diagnosis/1`, voir le README)",
    ),
    (
        "diagnose",
        V("format", "html"),
        "Une page HTML autonome (aperçus des tuiles, constats, chronologie) à joindre à un message",
    ),
    (
        "diagnose",
        V("format", "markdown"),
        "Du Markdown à coller dans un message du forum : la réponse courte, les tuiles, les causes et \
         que faire",
    ),
    (
        "diagnose",
        A("output"),
        "Écrire le rapport dans FICHIER plutôt que sur la sortie standard (de façon atomique ; un fichier \
         existant est refusé sauf avec --force)",
    ),
    (
        "diagnose",
        A("force"),
        "Remplacer le fichier de --output s'il existe (un fichier ordinaire seulement : jamais un \
         dossier, une FIFO ou un périphérique)",
    ),
    (
        "diagnose",
        A("jeedom_url"),
        "Mode direct : lire le log, la version, les réglages Samba et la valeur du virtuel sur ce \
         Jeedom (en lecture seule sauf avec --push). La clé API vient de --apikey-file ou de INFOBACKUP_APIKEY",
    ),
    (
        "diagnose",
        A("apikey_file"),
        "Fichier qui contient la clé API de Jeedom (mode direct). Ne passez jamais la clé elle-même sur \
         la ligne de commande",
    ),
    (
        "diagnose",
        A("timeout"),
        "Mode direct : la durée maximale de toute la lecture de la box, en secondes (toutes les requêtes \
         ensemble ; la box peut aussi envoyer 64 Mio au plus en tout)",
    ),
    (
        "diagnose",
        A("cmd_id"),
        "Id de la commande info du virtuel (mode direct), pour montrer la tuile que la box affiche en ce moment",
    ),
    (
        "diagnose",
        A("push"),
        "Mode direct : après le diagnostic, écrire dans le virtuel (--cmd-id) avec cmd::event la valeur \
         que le --profile a calculée pour le dernier déclencheur. La seule option qui écrit sur la box ; \
         elle demande --jeedom-url et --cmd-id",
    ),
    (
        "diagnose",
        A("widget"),
        "Dessiner aussi les tuiles de chaque sauvegarde avec ce modèle de widget \
         (`cmd.info.string.Info_backup.html`) dans Chromium sans interface : une tuile que le vrai \
         widget dessine autrement est un constat",
    ),
    // record
    (
        "record",
        About,
        "Faire du log d'un utilisateur un nouveau cas enregistré dans scenarios/",
    ),
    (
        "record",
        A("log"),
        "Le log de l'utilisateur (un fichier, ou `-` pour l'entrée standard)",
    ),
    (
        "record",
        A("name"),
        "Le nom du dossier du nouveau cas : en kebab-case, commençant par la génération de Jeedom, \
         disant la situation (par exemple `4.4-samba-auth-failure`)",
    ),
    ("record", A("scenarios"), "Le dossier des cas enregistrés"),
    (
        "record",
        A("log_kind"),
        "Quel log de Jeedom est le texte : backup, update, cron_execution, ou auto (update si le texte \
         porte la bannière d'une mise à jour du core, sinon backup). Le cas le range sous `<log>.log` et \
         son manifeste le nomme",
    ),
    ("record", V("log_kind", "auto"), LOG_AUTO),
    ("record", V("log_kind", "backup"), LOG_BACKUP),
    ("record", V("log_kind", "update"), LOG_UPDATE),
    ("record", V("log_kind", "cron_execution"), LOG_CRON),
    // scenario
    (
        "scenario",
        About,
        "Lire un modèle de scénario (Info backup.json) ou un bloc code : déclencheurs, enchaînement, \
         syntaxe, taille minimale, et de quelle révision publiée il s'agit",
    ),
    ("scenario", A("file"), "Le modèle (JSON) ou le bloc code (`.php`)"),
    ("scenario", A("format"), "Format de sortie"),
    ("scenario", V("format", "text"), "Un rapport pour les personnes"),
    ("scenario", V("format", "json"), "Un objet JSON"),
    (
        "scenario",
        A("published"),
        "Dossier des modèles publiés par l'auteur (`info-backup-v2024-08.json` …), pour le texte de la \
         révision la plus proche dans la comparaison [par défaut : $INFOBACKUP_PUBLISHED]",
    ),
];

/// The values' placeholders (`--output <FILE>`, `<COMMAND>`) in French, by whole value name,
/// those that read the same in both included (values typed as they are, `success`, stay).
pub static PLACEHOLDERS: &[(&str, &str)] = &[
    ("7|8", "7|8"),
    ("A", "A"),
    ("B", "B"),
    ("BYTES", "OCTETS"),
    ("CASE", "CAS"),
    ("COMMAND", "COMMANDE"),
    ("DIR", "DOSSIER"),
    ("FILE", "FICHIER"),
    ("FORMAT", "FORMAT"),
    ("ID", "ID"),
    ("LANG", "LANGUE"),
    ("LOG", "LOG"),
    ("LOG_OR_CASE", "LOG_OU_CAS"),
    ("N", "N"),
    ("NAME", "NOM"),
    ("P", "P"),
    ("PATH", "CHEMIN"),
    ("PORT", "PORT"),
    ("SAMBA", "SAMBA"),
    ("SECONDS", "SECONDES"),
    ("URL", "URL"),
    ("VERSION", "VERSION"),
    ("VIA", "VIA"),
    ("WHEN", "QUAND"),
    ("ZONE", "ZONE"),
    ("success|empty|VALUE", "success|empty|VALEUR"),
];

/// A value name in French, from [`PLACEHOLDERS`] (kept as it is if the table lacks it).
fn placeholder_fr(name: &str) -> Option<&'static str> {
    PLACEHOLDERS.iter().find(|(en, _)| *en == name).map(|(_, fr)| *fr)
}

/// clap's own `help` subcommand, its argument, and the `-h` and `-V` flags, in French.
const HELP_ABOUT: &str = "Afficher ce message ou l'aide des commandes données";
const HELP_COMMANDS: &str = "Afficher l'aide de ces commandes";
const HELP_SHORT: &str = "Afficher l'aide";
const HELP_SEE_LONG: &str = "Afficher l'aide (tous les détails avec « --help »)";
const HELP_SEE_SHORT: &str = "Afficher l'aide (un résumé avec « -h »)";
const VERSION: &str = "Afficher la version";

/// The French text of `key` in the subcommand at `path`, if the table has one.
pub fn text(path: &str, key: Key<'_>) -> Option<&'static str> {
    TEXTS
        .iter()
        .find(|(p, k, _)| *p == path && *k == key)
        .map(|(_, _, fr)| *fr)
}

/// The table's path for an argument of the subcommand at `path`: a global option is the root's.
pub fn arg_path<'a>(path: &'a str, arg: &Arg) -> &'a str {
    if arg.is_global_set() { "" } else { path }
}

/// Whether clap added this argument (`-h`, `-V`): its words are ours, not the table's.
pub fn is_clap_flag(arg: &Arg) -> bool {
    matches!(arg.get_id().as_str(), "help" | "version")
}

/// `cmd` (the English command, not yet built) with every help text in French. `bin_name` is the
/// program's name as it was run, which clap would otherwise take from the command line later,
/// too late for the subcommands' usage lines.
pub fn french(mut cmd: Command, bin_name: Option<&str>) -> Command {
    if let Some(name) = bin_name {
        cmd = cmd.bin_name(name);
    }
    cmd.build();
    let bin = cmd.get_bin_name().unwrap_or(cmd.get_name()).to_owned();
    translate(cmd, "", &bin)
}

/// One built command and its subcommands, in French.
fn translate(cmd: Command, path: &str, bin: &str) -> Command {
    // A command whose English `--help` is longer than `-h` (clap then gave `-h` a long help).
    let long = cmd
        .get_arguments()
        .find(|a| a.get_id() == "help")
        .is_some_and(|a| a.get_long_help().is_some());
    // A long about (a doc comment of several paragraphs) would stay English: the French one is
    // the about, for `-h` and `--help` alike.
    let mut cmd = match text(path, About) {
        Some(about) => cmd.about(about).long_about(None::<&str>),
        None => cmd,
    };
    if cmd.has_subcommands()
        && let Some(name) = placeholder_fr(cmd.get_subcommand_value_name().unwrap_or("COMMAND"))
    {
        cmd = cmd.subcommand_value_name(name);
    }
    let template = template(&cmd);
    cmd = cmd.help_template(template).mut_args(|a| arg_fr(a, path, long));
    cmd.mut_subcommands(|sub| {
        if sub.get_name() == "help" && path.is_empty() {
            return help_command(bin);
        }
        let sub_path = sub.get_name().to_owned();
        translate(sub, &sub_path, bin)
    })
}

/// clap's `help` subcommand as clap builds it for parsing (`help [COMMAND]...`), in French.
fn help_command(bin: &str) -> Command {
    let cmd = Command::new("help")
        .about(HELP_ABOUT)
        .bin_name(format!("{bin} help"))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("subcommand")
                .action(clap::ArgAction::Append)
                .num_args(..)
                .value_name(placeholder_fr("COMMAND").unwrap_or("COMMAND"))
                .help(HELP_COMMANDS),
        );
    let template = template(&cmd);
    cmd.help_template(template)
}

/// One argument in French: its help from the table (clap's words for `-h` and `-V`), then the
/// default and the possible values written by us, in French, where clap would write them.
fn arg_fr(arg: Arg, path: &str, long: bool) -> Arg {
    if is_clap_flag(&arg) {
        return match arg.get_id().as_str() {
            "help" if long => arg.help(HELP_SEE_LONG).long_help(HELP_SEE_SHORT),
            "help" => arg.help(HELP_SHORT),
            _ => arg.help(VERSION),
        };
    }
    let names: Option<Vec<&'static str>> = arg
        .get_value_names()
        .map(|names| names.iter().filter_map(|n| placeholder_fr(n)).collect());
    let arg = match names {
        Some(names) if Some(names.len()) == arg.get_value_names().map(<[_]>::len) => arg.value_names(names),
        _ => arg,
    };
    let id = arg.get_id().as_str().to_owned();
    let table = arg_path(path, &arg);
    let help = match text(table, Key::Arg(&id)) {
        Some(fr) => fr.to_owned(),
        None => arg.get_help().map(ToString::to_string).unwrap_or_default(),
    };
    if !arg.get_action().takes_values() {
        return arg.help(help);
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let values: Vec<(String, Option<String>)> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            let name = v.get_name().to_owned();
            let fr = v
                .get_help()
                .map(|english| text(table, Key::Value(&id, &name)).map_or_else(|| english.to_string(), str::to_owned));
            (name, fr)
        })
        .collect();
    let default = (!defaults.is_empty() && !arg.is_hide_default_value_set())
        .then(|| format!("[par défaut : {}]", defaults.join(" ")));
    let listed = !values.is_empty() && !arg.is_hide_possible_values_set();
    let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
    let list = listed.then(|| format!("[valeurs possibles : {}]", names.join(", ")));
    // `-h`: the default and the values' names after the help, on its line.
    let short_specs: Vec<&str> = [&default, &list].into_iter().flatten().map(String::as_str).collect();
    let short = join_nonempty(&help, &short_specs.join(" "), " ");
    let arg = arg.hide_default_value(true).hide_possible_values(true);
    if !long {
        return arg.help(short);
    }
    // `--help`: described values one a line with their help, then the default (and the names of
    // values without help), one a line, as clap lays them out.
    let described = listed && values.iter().any(|(_, h)| h.is_some());
    let long_list = if described { None } else { list.as_ref() };
    let specs: Vec<&str> = [default.as_ref(), long_list]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let mut full = help.clone();
    if described {
        let width = values.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0);
        let mut block = String::from("Valeurs possibles :");
        for (name, h) in &values {
            let _ = write!(block, "\n- {:<width$} : {}", name, h.as_deref().unwrap_or(""));
        }
        full = join_nonempty(&full, &block, "\n\n");
    }
    let full = join_nonempty(&full, &specs.join("\n"), "\n\n");
    arg.help(short).long_help(full)
}

/// `a` and `b` joined by `sep`, or the one that is not empty.
fn join_nonempty(a: &str, b: &str, sep: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}{sep}{b}"),
    }
}

/// clap's default help layout with French headings (clap writes `Usage:`, `Commands:`,
/// `Arguments:`, `Options:` itself): the same sections, in the same order, styled alike.
fn template(cmd: &Command) -> StyledStr {
    let styles = cmd.get_styles();
    let (usage, header) = (styles.get_usage(), styles.get_header());
    let mut t = format!("{{before-help}}{{about-with-newline}}\n{usage}Usage :{usage:#} {{usage}}");
    let section = |t: &mut String, title: &str, tag: &str| {
        let _ = write!(t, "\n\n{header}{title} :{header:#}\n{{{tag}}}");
    };
    if cmd.get_subcommands().any(|s| !s.is_hide_set()) {
        section(&mut t, "Commandes", "subcommands");
    }
    if cmd.get_positionals().any(|a| !a.is_hide_set()) {
        section(&mut t, "Arguments", "positionals");
    }
    if cmd.get_arguments().any(|a| !a.is_positional() && !a.is_hide_set()) {
        section(&mut t, "Options", "options");
    }
    t.push_str("{after-help}");
    StyledStr::from(t)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory as _;

    use super::{Key, PLACEHOLDERS, TEXTS, arg_path, is_clap_flag};

    /// Every (path, key) the English command needs a French text for: each command's about, each
    /// argument's help, each possible value's help (clap's own `-h`, `-V` and `help` excepted).
    fn needed() -> BTreeSet<(String, String)> {
        let mut cmd = super::super::Cli::command();
        cmd.build();
        let mut out = BTreeSet::new();
        let mut walk = vec![(String::new(), cmd)];
        while let Some((path, cmd)) = walk.pop() {
            if cmd.get_about().is_some() || cmd.get_long_about().is_some() {
                out.insert((path.clone(), format!("{:?}", Key::About)));
            }
            for arg in cmd.get_arguments().filter(|a| !is_clap_flag(a) && !a.is_hide_set()) {
                let at = arg_path(&path, arg).to_owned();
                let id = arg.get_id().as_str();
                if arg.get_help().is_some() || arg.get_long_help().is_some() {
                    out.insert((at.clone(), format!("{:?}", Key::Arg(id))));
                }
                for v in arg.get_possible_values().iter().filter(|v| v.get_help().is_some()) {
                    out.insert((at.clone(), format!("{:?}", Key::Value(id, v.get_name()))));
                }
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk.push((sub.get_name().to_owned(), sub.clone()));
            }
        }
        out
    }

    #[test]
    fn every_command_argument_and_value_has_its_french_text_and_no_text_is_stale() {
        let needed = needed();
        let table: BTreeSet<(String, String)> = TEXTS
            .iter()
            .map(|(p, k, _)| ((*p).to_owned(), format!("{k:?}")))
            .collect();
        assert_eq!(table.len(), TEXTS.len(), "an entry of TEXTS is there twice");
        same_keys(&needed, &table, "TEXTS");
    }

    /// Every key the command needs is in the table (`name`), and the table has no other.
    fn same_keys<T: Ord + std::fmt::Debug>(needed: &BTreeSet<T>, table: &BTreeSet<T>, name: &str) {
        let missing: Vec<_> = needed.difference(table).collect();
        assert!(
            missing.is_empty(),
            "no French text (add it to help_fr::{name}): {missing:#?}"
        );
        let stale: Vec<_> = table.difference(needed).collect();
        assert!(
            stale.is_empty(),
            "French text in help_fr::{name} for nothing the command has: {stale:#?}"
        );
    }

    #[test]
    fn every_placeholder_has_its_french_word_and_no_word_is_stale() {
        let mut cmd = super::super::Cli::command();
        cmd.build();
        let mut needed = BTreeSet::from(["COMMAND".to_owned()]);
        let mut walk = vec![cmd];
        while let Some(cmd) = walk.pop() {
            for arg in cmd.get_arguments().filter(|a| a.get_action().takes_values()) {
                needed.extend(
                    arg.get_value_names()
                        .unwrap_or_default()
                        .iter()
                        .map(ToString::to_string),
                );
            }
            walk.extend(cmd.get_subcommands().filter(|s| s.get_name() != "help").cloned());
        }
        let table: BTreeSet<String> = PLACEHOLDERS.iter().map(|(en, _)| (*en).to_owned()).collect();
        assert_eq!(table.len(), PLACEHOLDERS.len(), "a placeholder is there twice");
        same_keys(&needed, &table, "PLACEHOLDERS");
    }

    #[test]
    fn the_french_texts_follow_the_house_style() {
        for (path, key, fr) in TEXTS {
            let what = format!("{path:?} {key:?}: {fr}");
            assert!(!fr.is_empty() && !fr.ends_with('.') && !fr.ends_with(' '), "{what}");
            // Quotes are guillemets; a `"` only inside code (`{"type":…}`).
            assert!(!fr.contains('"') || fr.contains('`'), "{what}");
            for (i, c) in fr.char_indices().filter(|(_, c)| matches!(c, ':' | ';' | '?' | '!')) {
                let before = fr[..i].chars().last();
                let after = fr[i + 1..].chars().next();
                // `php:PATH`, `mock::enterStep`, `fr*`… are code: no space on either side.
                let code = before.is_some_and(|b| b != ' ') && after.is_some_and(|a| a != ' ');
                assert!(code || before == Some(' '), "{what}: a space before « {c} »");
            }
        }
    }
}
