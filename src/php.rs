//! The slice of PHP semantics the published scenario depends on, byte for byte: `json_encode` of
//! an ordered map, `round` and number printing, loose `==`, `json_decode` into PHP values.
