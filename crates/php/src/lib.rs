//! infobackup-php: the PHP semantics the Info backup scenario depends on ([`php`]), PHP 7 and 8.
//! Depends on no other crate of the workspace (ARCHITECTURE.md, "Crates").

pub mod php;
