//! The JSON-RPC envelope Jeedom speaks, shared by the client and the mock: method names, error
//! codes, the secret [`ApiKey`], and the pure decoding of an answer into a value or a typed
//! [`ApiError`]. No network IO here; the only reads are the key's own ([`ApiKey::from_file`],
//! [`ApiKey::from_env`]).

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

use crate::world::{JeedomVersion, WorldError};

/// Path of Jeedom's JSON-RPC API.
pub const JEEAPI_PATH: &str = "/core/api/jeeApi.php";
/// Path of Jeedom's pro API (its own key, in `params.proapi`).
pub const PROAPI_PATH: &str = "/core/api/proApi.php";

/// The id Jeedom up to 4.4 puts in an error answer to a request sent in the raw body.
pub const ERROR_ID_UP_TO_4_4: i64 = 99999;

/// Method names.
pub mod method {
    pub const PING: &str = "ping";
    pub const VERSION: &str = "version";
    pub const DATETIME: &str = "datetime";
    pub const CONFIG_BY_KEY: &str = "config::byKey";
    pub const LOG_GET: &str = "log::get";
    pub const LOG_GET_DELTA: &str = "log::getDelta";
    pub const CMD_BY_ID: &str = "cmd::byId";
    pub const CMD_EXEC: &str = "cmd::execCmd";
    pub const CMD_EVENT: &str = "cmd::event";
    /// Pro API: files in the local backup folder.
    pub const BACKUP_LIST: &str = "backup::list";
    /// Pro API: backups on the Jeedom Market cloud.
    pub const BACKUP_LIST_MARKET: &str = "backup::listMarket";
    /// Pro API as the mock offers it (Jeedom's UI lists Samba through its own AJAX endpoint, which
    /// has no JSON-RPC name): the Samba share's backups, newest first.
    pub const BACKUP_LIST_SAMBA: &str = "backup::listSamba";
    /// Mock control (jeeApi path, session key): move the session's timeline to `params.step`.
    pub const MOCK_ENTER_STEP: &str = "mock::enterStep";
    /// Mock control: the PHP global `NO_CLOUD_BACKUP` of the session's timeline.
    pub const MOCK_NO_CLOUD_BACKUP: &str = "mock::noCloudBackup";
}

/// Error codes as they appear in `error.code` on the wire.
pub mod code {
    /// Missing key, JSON-RPC API disabled, or wrong `jsonrpc` version.
    pub const NOT_ALLOWED: i64 = 1;
    /// Wrong API key.
    pub const WRONG_KEY: i64 = 2;
    /// No such method.
    pub const UNKNOWN_METHOD: i64 = 500;
    /// Unknown command id (`cmd::byId`).
    pub const UNKNOWN_CMD: i64 = 701;
    /// Unknown command id (`cmd::execCmd`, `cmd::event`) or scenario.
    pub const UNKNOWN_CMD_OR_SCENARIO: i64 = 702;
    /// Unknown scenario.
    pub const UNKNOWN_SCENARIO: i64 = 703;
    /// Refused by Jeedom's allow/deny lists.
    pub const DENIED: i64 = -32000;
    /// A PHP exception thrown with no code inside the method (e.g. the Samba listing failing).
    pub const THREW: i64 = 0;
    /// The request is not a JSON-RPC request.
    pub const INVALID_REQUEST: i64 = -32600;
}

// ---- the secret ---------------------------------------------------------------------------------

/// Jeedom requires keys of at least this many characters.
pub const MIN_KEY_LEN: usize = 16;

/// A Jeedom API key. `Debug` and `Display` print `***`; the key itself is only reachable through
/// [`ApiKey::expose`], which the client calls when it builds a request body and nowhere else.
/// Deliberately not `Serialize`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKey(String);

/// Why a text is not an acceptable API key. Never contains the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the Jeedom API key is too short ({len} characters; Jeedom requires at least {MIN_KEY_LEN})")]
    TooShort { len: usize },
    #[error("the Jeedom API key contains whitespace or control characters (at character {position})")]
    BadCharacter { position: usize },
    #[error("cannot read the Jeedom API key from {path}: {message}")]
    UnreadableFile {
        path: String,
        /// The kind of the I/O error, so that it can be worded in another language.
        kind: std::io::ErrorKind,
        message: String,
    },
    #[error("cannot read the Jeedom API key from the environment variable {var}: it is not set, or not valid Unicode")]
    UnreadableEnv { var: String },
}

impl ApiKey {
    /// Accepts a key of at least 16 characters, surrounding whitespace removed (a key file's
    /// trailing newline is not part of the key).
    pub fn new(key: impl Into<String>) -> Result<ApiKey, KeyError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if let Some(position) = trimmed.chars().position(|c| c.is_whitespace() || c.is_control()) {
            return Err(KeyError::BadCharacter { position: position + 1 });
        }
        let len = trimmed.chars().count();
        if len < MIN_KEY_LEN {
            return Err(KeyError::TooShort { len });
        }
        Ok(ApiKey(trimmed.to_owned()))
    }

    /// Reads a key file (one line; surrounding whitespace ignored), so the key never sits in a
    /// command line or a shell history.
    pub fn from_file(path: &std::path::Path) -> Result<ApiKey, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::UnreadableFile {
            path: path.display().to_string(),
            kind: e.kind(),
            message: e.to_string(),
        })?;
        ApiKey::new(text)
    }

    /// Reads the key from an environment variable.
    pub fn from_env(var: &str) -> Result<ApiKey, KeyError> {
        let text = std::env::var(var).map_err(|_| KeyError::UnreadableEnv { var: var.to_owned() })?;
        ApiKey::new(text)
    }

    /// The key itself, for a request body. Never format this into text meant for a person.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the key replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        text.replace(self.0.as_str(), "***")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

// ---- errors -------------------------------------------------------------------------------------

/// Everything that can go wrong talking to jeeApi. Messages name the method and the URL (never the
/// key: server text quoted here has the key scrubbed out).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{method}: no answer from {url} within {after:?} (timeout)")]
    Timeout {
        method: String,
        url: String,
        after: Duration,
    },
    #[error("{method}: connection to {url} refused (is Jeedom running, and is the URL right?)")]
    Refused { method: String, url: String },
    #[error("{method}: could not reach {url}: {message}")]
    Transport {
        method: String,
        url: String,
        message: String,
    },
    #[error("{method}: {url} answered HTTP {status} instead of 200: {excerpt:?}")]
    HttpStatus {
        method: String,
        url: String,
        status: u16,
        excerpt: String,
    },
    #[error("{method}: the answer from {url} is not JSON ({reason}): {excerpt:?}")]
    NotJson {
        method: String,
        url: String,
        reason: String,
        excerpt: String,
    },
    #[error("{method}: the answer is not JSON-RPC 2.0 (\"jsonrpc\" is {found})")]
    WrongJsonRpc { method: String, found: String },
    #[error("{method}: malformed JSON-RPC answer: {why}")]
    Malformed { method: String, why: String },
    #[error(
        "{method}: Jeedom refused the request (code 1: missing API key, JSON-RPC API disabled in \
         Settings → System → Configuration → API, or a wrong protocol version): {message}"
    )]
    NotAllowed { method: String, message: String },
    #[error("{method}: Jeedom rejected the API key (code 2): {message}")]
    WrongKey { method: String, message: String },
    #[error("{method}: this Jeedom has no such method (code 500): {message}")]
    UnknownMethod { method: String, message: String },
    #[error("{method}: unknown command or scenario (code {code}): {message}")]
    NotFound { method: String, code: i64, message: String },
    #[error("{method}: refused by Jeedom's allow/deny lists (code -32000): {message}")]
    Denied { method: String, message: String },
    #[error("{method}: Jeedom answered error {code}: {message}")]
    Jeedom { method: String, code: i64, message: String },
    #[error("{method}: unexpected result: {why}")]
    UnexpectedResult { method: String, why: String },
    #[error("{what} is not available from this Jeedom: {why}")]
    Unavailable { what: &'static str, why: String },
    #[error("writing the virtual command was refused: {0}")]
    WriteRefused(String),
    #[error(
        "{method}: the whole read of the box took longer than {after:?} (the deadline; a longer one \
         with --timeout SECONDS)"
    )]
    Deadline { method: String, after: Duration },
    #[error(
        "{method}: the box sent more than {limit} bytes in all, more than any real log needs: stopped \
         (is something else answering at this address?)"
    )]
    TooMuchData { method: String, limit: u64 },
    #[error(
        "{method}: {url} redirects to {to}, another address: not followed, so the API key is not sent \
         there (if that is the box, give its address as the URL)"
    )]
    Redirect { method: String, url: String, to: String },
}

impl ApiError {
    /// The error Jeedom itself answered (HTTP 200, `error` member), if this is one.
    pub fn jeedom_code(&self) -> Option<i64> {
        match self {
            ApiError::NotAllowed { .. } => Some(code::NOT_ALLOWED),
            ApiError::WrongKey { .. } => Some(code::WRONG_KEY),
            ApiError::UnknownMethod { .. } => Some(code::UNKNOWN_METHOD),
            ApiError::NotFound { code, .. } | ApiError::Jeedom { code, .. } => Some(*code),
            ApiError::Denied { .. } => Some(code::DENIED),
            _ => None,
        }
    }

    /// True when the request never got a usable HTTP answer or the answer was not JSON-RPC
    /// (the tool's problem, not something the scenario would see).
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            ApiError::Timeout { .. }
                | ApiError::Deadline { .. }
                | ApiError::TooMuchData { .. }
                | ApiError::Redirect { .. }
                | ApiError::Refused { .. }
                | ApiError::Transport { .. }
                | ApiError::HttpStatus { .. }
                | ApiError::NotJson { .. }
                | ApiError::WrongJsonRpc { .. }
                | ApiError::Malformed { .. }
        )
    }
}

impl From<ApiError> for WorldError {
    fn from(e: ApiError) -> WorldError {
        match e {
            ApiError::Unavailable { what, why } => WorldError::Unavailable { what, why },
            other => WorldError::Api(other.to_string()),
        }
    }
}

// ---- the envelope -------------------------------------------------------------------------------

/// A request body: `{"jsonrpc":"2.0","id":…,"method":…,"params":{…}}`. `params` must be an object;
/// the caller puts the key in it.
pub fn request_body(id: i64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// Decodes a JSON-RPC answer (already known to be HTTP 200 JSON) for the request `sent_id`.
/// Accepts Jeedom ≤ 4.4's `"id":99999` on error answers.
pub fn decode_answer(method: &str, sent_id: i64, answer: Value, key: Option<&ApiKey>) -> Result<Value, ApiError> {
    let scrub = |s: &str| match key {
        Some(k) => k.scrub(s),
        None => s.to_owned(),
    };
    let Value::Object(mut obj) = answer else {
        return Err(ApiError::Malformed {
            method: method.to_owned(),
            why: "the answer is not a JSON object".into(),
        });
    };
    match obj.get("jsonrpc") {
        Some(Value::String(v)) if v == "2.0" => {}
        Some(other) => {
            return Err(ApiError::WrongJsonRpc {
                method: method.to_owned(),
                found: scrub(&other.to_string()),
            });
        }
        None => {
            return Err(ApiError::WrongJsonRpc {
                method: method.to_owned(),
                found: "missing".into(),
            });
        }
    }
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let id_num = match &id {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    };
    if let Some(err) = obj.remove("error") {
        if id_num != Some(sent_id) && id_num != Some(ERROR_ID_UP_TO_4_4) {
            return Err(ApiError::Malformed {
                method: method.to_owned(),
                why: format!(
                    "error answer carries id {} for request {sent_id}",
                    scrub(&id.to_string())
                ),
            });
        }
        let code = err.get("code").and_then(Value::as_i64);
        let message = match err.get("message") {
            Some(Value::String(s)) => scrub(s),
            Some(other) => scrub(&other.to_string()),
            None => String::new(),
        };
        let Some(code) = code else {
            return Err(ApiError::Malformed {
                method: method.to_owned(),
                why: format!("error without a numeric code: {message:?}"),
            });
        };
        let method = method.to_owned();
        return Err(match code {
            code::NOT_ALLOWED => ApiError::NotAllowed { method, message },
            code::WRONG_KEY => ApiError::WrongKey { method, message },
            code::UNKNOWN_METHOD => ApiError::UnknownMethod { method, message },
            code::UNKNOWN_CMD | code::UNKNOWN_CMD_OR_SCENARIO | code::UNKNOWN_SCENARIO => {
                ApiError::NotFound { method, code, message }
            }
            code::DENIED => ApiError::Denied { method, message },
            code => ApiError::Jeedom { method, code, message },
        });
    }
    if id_num != Some(sent_id) {
        return Err(ApiError::Malformed {
            method: method.to_owned(),
            why: format!("answer carries id {} for request {sent_id}", scrub(&id.to_string())),
        });
    }
    match obj.remove("result") {
        Some(result) => Ok(result),
        None => Err(ApiError::Malformed {
            method: method.to_owned(),
            why: "neither \"result\" nor \"error\"".into(),
        }),
    }
}

/// True for the results Jeedom 4.5 replaces by the string `"ok"`.
pub fn is_empty_result(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s == "0",
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

/// What a Jeedom of `version` puts on the wire for `result`.
pub fn wire_result(version: JeedomVersion, result: Value) -> Value {
    if version >= JeedomVersion::V4_5 && is_empty_result(&result) {
        Value::String("ok".into())
    } else {
        result
    }
}

/// The first `max` characters of a text, for error messages.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_and_never_printed() {
        assert_eq!(ApiKey::new("short"), Err(KeyError::TooShort { len: 5 }));
        assert!(matches!(
            ApiKey::new("abcdefgh ijklmnopq"),
            Err(KeyError::BadCharacter { position: 9 })
        ));
        let k = ApiKey::new("  0123456789abcdefXYZ\n").unwrap();
        assert_eq!(k.expose(), "0123456789abcdefXYZ");
        assert_eq!(format!("{k}"), "***");
        assert_eq!(format!("{k:?}"), "ApiKey(***)");
        assert_eq!(k.scrub("key=0123456789abcdefXYZ!"), "key=***!");
    }

    #[test]
    fn keys_come_from_files_or_the_environment() {
        let dir = std::env::temp_dir().join(format!("infobackup-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("apikey");
        std::fs::write(&file, "0123456789abcdef0123456789abcdef\n").unwrap();
        assert_eq!(
            ApiKey::from_file(&file).unwrap().expose(),
            "0123456789abcdef0123456789abcdef"
        );
        let missing = ApiKey::from_file(&dir.join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
        let e = ApiKey::from_env("INFOBACKUP_TEST_SURELY_UNSET_VARIABLE").unwrap_err();
        assert!(e.to_string().contains("INFOBACKUP_TEST_SURELY_UNSET_VARIABLE"), "{e}");
    }

    #[test]
    fn answers_decode_to_results_or_typed_errors() {
        let ok = json!({"jsonrpc":"2.0","id":7,"result":"4.4.20"});
        assert_eq!(decode_answer("version", 7, ok, None), Ok(json!("4.4.20")));
        let e = json!({"jsonrpc":"2.0","id":99999,"error":{"code":2,"message":"Clef API invalide"}});
        assert!(matches!(
            decode_answer("version", 7, e, None),
            Err(ApiError::WrongKey { .. })
        ));
        let e = json!({"jsonrpc":"2.0","id":7,"error":{"code":701,"message":"Commande introuvable : 9"}});
        assert!(matches!(
            decode_answer("cmd::byId", 7, e, None),
            Err(ApiError::NotFound { code: 701, .. })
        ));
        let wrong = json!({"jsonrpc":"1.0","id":7,"result":1});
        assert!(matches!(
            decode_answer("x", 7, wrong, None),
            Err(ApiError::WrongJsonRpc { .. })
        ));
        let other_id = json!({"jsonrpc":"2.0","id":8,"result":1});
        assert!(matches!(
            decode_answer("x", 7, other_id, None),
            Err(ApiError::Malformed { .. })
        ));
        let success_99999 = json!({"jsonrpc":"2.0","id":99999,"result":1});
        assert!(matches!(
            decode_answer("x", 7, success_99999, None),
            Err(ApiError::Malformed { .. })
        ));
    }

    #[test]
    fn jeedom_45_says_ok_for_every_empty_result() {
        for empty in [json!(""), json!("0"), json!(0), json!(false), json!([]), json!(null)] {
            assert_eq!(wire_result(JeedomVersion::V4_5, empty.clone()), json!("ok"));
            assert_eq!(wire_result(JeedomVersion::V4_4, empty.clone()), empty);
        }
        assert_eq!(wire_result(JeedomVersion::V4_5, json!("1")), json!("1"));
    }

    #[test]
    fn world_errors_keep_unavailability() {
        let e = ApiError::Unavailable {
            what: "the Samba listing",
            why: "no method".into(),
        };
        assert!(matches!(
            WorldError::from(e),
            WorldError::Unavailable {
                what: "the Samba listing",
                ..
            }
        ));
    }
}
