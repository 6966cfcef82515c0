//! Test inputs kept outside the repository, in `../shared` beside the
//! workspace: real-world payloads, other schema releases. Used by the
//! generator's tests (as `test_inputs::shared_test_input`) and, through
//! `#[path]`, by the main crate's tests, which thereby need no
//! dev-dependency on this crate (so that `cargo run --example` compiles no
//! generator). Only `std` here.

use std::path::{Path, PathBuf};

/// Test inputs that live outside the repository, in `../shared` beside the
/// workspace (`workspace_root`): real-world payloads, other schema
/// releases. `rel` is a path inside it. When it is missing, a test skips:
/// this prints one line naming what is missing (straight to stderr, so it
/// shows even when the test harness captures output) and returns `None`.
/// Under CI (`CI` set to anything but `false`/`0`) a missing input is a
/// failure instead, so that CI cannot skip these tests silently.
pub fn shared_test_input(workspace_root: &Path, rel: &str, test: &str) -> Option<PathBuf> {
    let path = workspace_root.join("../shared").join(rel);
    if path.exists() {
        return Some(path);
    }
    // Shown without `..` (`/work/shared/...`, not `codegen/../../shared`).
    let mut shown = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir if shown.file_name().is_some() => {
                shown.pop();
            }
            other => shown.push(other),
        }
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let missing = format!("{} is missing (the project's shared test inputs)", shown.display());
    assert!(!ci, "{test}: {missing}; under CI a missing input fails the test instead of skipping it");
    let line = format!("{test}: skipped, {missing}");
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
    None
}
