//! Recorded cases (`scenarios/<name>/`), step 2→3 of the data flow: reads a case folder's TOML
//! manifest and raw logs, infers from the parsed log whatever the manifest leaves out (marking
//! each inferred fact and each assumption), and resolves it into a [`crate::world::Timeline`].
