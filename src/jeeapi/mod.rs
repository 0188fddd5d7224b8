//! Jeedom's JSON-RPC API (`/core/api/jeeApi.php`), the HTTP side of step 3 of the data flow
//! (log text → parsed run → **Jeedom world** → engine → state → views): the world the engine
//! reads, reached over HTTP instead of from memory.
//!
//! - [`protocol`]: the envelope, error codes, the secret [`ApiKey`], typed [`ApiError`]s.
//! - [`client`]: [`Client`], a blocking JSON-RPC client (ureq) that implements
//!   [`crate::world::World`] against a mock session or a live box (read-only unless told to push).
//! - [`mock`]: [`JeedomMock`], a wiremock server that serves any number of
//!   [`crate::world::Timeline`]s at once in each Jeedom version's dialect, with fault injection.
//!
//! Architecture invariant: the API key never reaches a message, a log line or a snapshot;
//! [`ApiKey`] prints `***` and errors quote server text with the key scrubbed out.

pub mod client;
pub mod mock;
pub mod protocol;

pub use client::{Client, ClientConfig, ConfigError, Dialect, LogRead, LogVia, Target, VirtualRead, Writes};
pub use mock::{Fault, FaultRule, JeedomMock, MockError, MockSession, SessionMode, SessionOptions};
pub use protocol::{ApiError, ApiKey, KeyError};
