//! Where the schema came from is taken only from the schema directory's own
//! UPSTREAM.md or its own git checkout; anything else is "unknown" (the
//! digest still says what was read).

use std::path::Path;
use std::process::Command;

use apple_device_management_codegen::{KNOWN_COMMITS, Provenance, load};

/// The provenance of `dir` as if its files had this digest.
fn detect(dir: &Path, digest: u64) -> (Provenance, Option<String>) {
    Provenance::detect(&load::Schema { root: dir.to_owned(), files: Vec::new(), digest })
}

const PINNED: &str = "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f";

/// An empty directory, removed when the test ends.
fn temp(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("adm-provenance-{name}-")).tempdir().unwrap()
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn upstream_md_names_commit_and_release() {
    let dir_tmp = temp("upstream");
    let dir = dir_tmp.path();
    std::fs::write(
        dir.join("UPSTREAM.md"),
        "- branch `release`, commit b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f\n  \"Release_iOS-18-1_macOS-15-1\" (2024-10-21)\n",
    )
    .unwrap();
    let (p, warning) = detect(dir, KNOWN_COMMITS[0].1);
    assert_eq!(p.commit, PINNED);
    assert_eq!(p.release, "Release_iOS-18-1_macOS-15-1");
    assert_eq!(warning, None);
    // An unknown commit without a digest line is taken on its word.
    std::fs::write(dir.join("UPSTREAM.md"), format!("commit {} \"Other\"\n", "1".repeat(40))).unwrap();
    assert_eq!(detect(dir, 7).0.release, "Other");
}

#[test]
fn a_copy_whose_files_differ_from_its_upstream_md_is_unknown() {
    // An overlay: 18.1's UPSTREAM.md kept, newer files dropped in.
    let dir_tmp = temp("overlay");
    let dir = dir_tmp.path();
    std::fs::write(dir.join("UPSTREAM.md"), format!("- commit {PINNED}\n  \"Release_iOS-18-1_macOS-15-1\"\n")).unwrap();
    let (p, warning) = detect(dir, 0x1234);
    assert_eq!(p, Provenance { release: "unknown".into(), commit: "unknown".into() });
    let warning = warning.expect("a warning says why");
    assert!(warning.contains(PINNED) && warning.contains("0000000000001234"), "{warning}");
    // A digest line in UPSTREAM.md is checked for any commit.
    let other = "2".repeat(40);
    std::fs::write(dir.join("UPSTREAM.md"), format!("commit {other} \"X\"\n- digest: 00000000000000ff\n")).unwrap();
    assert_eq!(detect(dir, 0xff).0.commit, other);
    assert_eq!(detect(dir, 0xfe).0.commit, "unknown");
}

#[test]
fn the_pinned_commits_digest_is_the_shared_copys() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/apple-device-management");
    if !shared.is_dir() {
        eprintln!("skipped: {} not found", shared.display());
        return;
    }
    let schema = load::load(&shared).unwrap();
    let (p, warning) = Provenance::detect(&schema);
    assert_eq!(warning, None);
    assert_eq!(p.commit, PINNED);
    assert_eq!(KNOWN_COMMITS, &[(PINNED, schema.digest)], "update KNOWN_COMMITS to {:016x}", schema.digest);
}

#[test]
fn a_folder_inside_another_repository_is_unknown() {
    let repo_tmp = temp("outer");
    let repo = repo_tmp.path();
    git(repo, &["init", "-q", "-b", "main"]);
    let schema = repo.join("vendor/schema");
    std::fs::create_dir_all(schema.join("mdm")).unwrap();
    std::fs::write(schema.join("mdm/x.yaml"), "title: x\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "x"]);
    // Not "heads/main" and the outer repository's commit.
    assert_eq!(detect(&schema, 1), (Provenance { release: "unknown".into(), commit: "unknown".into() }, None));
}

#[test]
fn its_own_checkout_gives_commit_and_tag_or_branch() {
    let repo_tmp = temp("own");
    let repo = repo_tmp.path();
    git(repo, &["init", "-q", "-b", "release"]);
    std::fs::create_dir_all(repo.join("mdm")).unwrap();
    std::fs::write(repo.join("mdm/x.yaml"), "title: x\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "x"]);
    let (p, warning) = detect(repo, 1);
    assert_eq!(p.commit.len(), 40, "{p:?}");
    assert_eq!(p.release, "release");
    assert_eq!(warning, None);
    git(repo, &["tag", "Release_iOS-26-4"]);
    assert_eq!(detect(repo, 1).0.release, "Release_iOS-26-4");
    // Edited YAML is not that commit; other files do not matter.
    std::fs::write(repo.join("notes.txt"), "x").unwrap();
    assert_eq!(detect(repo, 1).1, None);
    std::fs::write(repo.join("mdm/x.yaml"), "title: y\n").unwrap();
    let (p, warning) = detect(repo, 1);
    assert_eq!(p.commit, "unknown");
    assert!(warning.is_some_and(|w| w.contains("mdm/x.yaml")));
    // A YAML file added is not that commit either.
    git(repo, &["checkout", "-q", "--", "mdm/x.yaml"]);
    std::fs::write(repo.join("mdm/new.yaml"), "title: n\n").unwrap();
    assert_eq!(detect(repo, 1).0.commit, "unknown");
    // No UPSTREAM.md and no git at all.
    let plain_tmp = temp("plain");
    let plain = plain_tmp.path();
    assert_eq!(detect(plain, 1).0.commit, "unknown");
}
