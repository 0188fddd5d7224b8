//! Jeedom's JSON-RPC API (`/core/api/jeeApi.php`): the client that implements
//! [`crate::world::World`] against a real or mock box, and the `wiremock` mock that serves a
//! [`crate::world::Timeline`] in each Jeedom version's dialect.
