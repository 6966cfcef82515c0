//! Benchmarks (`benches/decode.rs`) and property tests
//! (`tests/properties.rs`) of `apple-device-management`, in a crate of
//! their own so that the library's examples and tests do not compile
//! criterion or proptest. Nothing here is published.
