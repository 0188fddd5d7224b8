//! The last step of the data flow (log text → parsed run → Jeedom world → engine → state →
//! **views and reports**): what a person or a CI server reads. For `check`: the per-case
//! snapshot text shared with the test suite ([`snapshot`]), the accepted-snapshot files
//! ([`snapfile`]), the table, JSON Lines and JUnit ([`check`]).

pub mod check;
pub mod compare;
pub mod corpus;
pub mod diagnose;
pub mod real_widget;
pub mod record;
pub mod run;
pub mod snapfile;
pub mod snapshot;
