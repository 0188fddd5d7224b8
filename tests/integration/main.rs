//! The one integration-test binary. Each module is one area; data-driven tests walk folders
//! (`tests/data/`, `scenarios/`) so adding a case is adding a folder.
mod browser;
mod cases;
mod cli_check;
mod cli_diagnose;
mod cli_edge;
mod cli_record;
mod cli_scenario;
mod cli_style;
mod conformance;
mod differential;
mod docs;
mod engine;
mod hardening;
mod help;
mod jeeapi;
mod lang;
mod log_model;
mod phprun;
mod report_html;
mod support;
mod toolchain;
mod widget;
