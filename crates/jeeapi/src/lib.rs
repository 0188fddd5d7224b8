//! infobackup-jeeapi: Jeedom's JSON-RPC API, both sides ([`jeeapi`]): the mock server and the
//! blocking client that implements the `World` trait. Depends on infobackup-world and -engine
//! (ARCHITECTURE.md, "Crates").

pub mod jeeapi;

use infobackup_engine::engine;
use infobackup_world::world;
