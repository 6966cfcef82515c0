//! Where the schema came from is taken only from the schema directory's own
//! UPSTREAM.md or its own git checkout; anything else is "unknown" (the
//! digest still says what was read).

use std::path::{Path, PathBuf};
use std::process::Command;

use apple_device_management_codegen::Provenance;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("adm-provenance-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
    let dir = temp("upstream");
    std::fs::write(
        dir.join("UPSTREAM.md"),
        "- branch `release`, commit b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f\n  \"Release_iOS-18-1_macOS-15-1\" (2024-10-21)\n",
    )
    .unwrap();
    let p = Provenance::detect(&dir);
    assert_eq!(p.commit, "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f");
    assert_eq!(p.release, "Release_iOS-18-1_macOS-15-1");
}

#[test]
fn a_folder_inside_another_repository_is_unknown() {
    let repo = temp("outer");
    git(&repo, &["init", "-q", "-b", "main"]);
    let schema = repo.join("vendor/schema");
    std::fs::create_dir_all(schema.join("mdm")).unwrap();
    std::fs::write(schema.join("mdm/x.yaml"), "title: x\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "x"]);
    // Not "heads/main" and the outer repository's commit.
    assert_eq!(Provenance::detect(&schema), Provenance { release: "unknown".into(), commit: "unknown".into() });
}

#[test]
fn its_own_checkout_gives_commit_and_tag_or_branch() {
    let repo = temp("own");
    git(&repo, &["init", "-q", "-b", "release"]);
    std::fs::create_dir_all(repo.join("mdm")).unwrap();
    std::fs::write(repo.join("mdm/x.yaml"), "title: x\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "x"]);
    let p = Provenance::detect(&repo);
    assert_eq!(p.commit.len(), 40, "{p:?}");
    assert_eq!(p.release, "release");
    git(&repo, &["tag", "Release_iOS-26-4"]);
    assert_eq!(Provenance::detect(&repo).release, "Release_iOS-26-4");
    // No UPSTREAM.md and no git at all.
    let plain = temp("plain");
    assert_eq!(Provenance::detect(&plain).commit, "unknown");
}
