//! Jeedom's backup log, step 1→2 of the data flow: bytes in any encoding and line ending in,
//! typed runs out (steps, uploads, logger lines, archive, end), every fact pointing at its line.
