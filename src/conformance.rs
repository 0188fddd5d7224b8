//! Conformance vectors: the format produced by running the published scenario itself, and a
//! runner that replays a vector with the faithful profile of its revision and reports the first
//! difference. Consumes the engine; produces pass/fail per vector.
