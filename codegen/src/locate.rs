//! Where the schema is: one rule, used by the crate's `build.rs` and by the
//! tests of both crates.
//!
//! In order:
//! 1. `$DEVICE_MANAGEMENT_SCHEMA`: an absolute path, or a relative one taken
//!    from the directory cargo was run in (`$PWD`); without `$PWD` a
//!    relative path is an error that says to make it absolute;
//! 2. the git submodule `schema/device-management` (a repository checkout);
//! 3. `schema/vendored`: the copy of the pinned release that the published
//!    package carries (written by `scripts/package.sh`, never committed).

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variable that points the build at another schema.
pub const ENV: &str = "DEVICE_MANAGEMENT_SCHEMA";
/// The submodule, relative to the crate root.
pub const SUBMODULE: &str = "schema/device-management";
/// The vendored copy in a published package, relative to the crate root.
pub const VENDORED: &str = "schema/vendored";

/// Which rule found the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `$DEVICE_MANAGEMENT_SCHEMA`.
    Env,
    /// The git submodule.
    Submodule,
    /// The copy vendored into the published package.
    Vendored,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Env => "$DEVICE_MANAGEMENT_SCHEMA",
            Source::Submodule => "the git submodule schema/device-management",
            Source::Vendored => "the copy vendored in the package (schema/vendored)",
        })
    }
}

/// A schema directory that holds `mdm/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The directory (absolute when the crate root is).
    pub dir: PathBuf,
    /// How it was found.
    pub source: Source,
}

/// True when `dir` looks like a schema checkout (it has `mdm/`).
pub fn is_schema(dir: &Path) -> bool {
    dir.join("mdm").is_dir()
}

/// Finds the schema for the crate at `crate_root`. `env` is the value of
/// [`ENV`] and `invocation_dir` the directory cargo was run in (`$PWD`),
/// passed in so that the rule can be tested. The error is a paragraph
/// meant for a person: what was looked at and what to do.
pub fn locate(crate_root: &Path, env: Option<&OsStr>, invocation_dir: Option<&Path>) -> Result<Located, String> {
    if let Some(value) = env.filter(|v| !v.is_empty()) {
        let given = Path::new(value);
        let dir = if given.is_absolute() {
            given.to_path_buf()
        } else if let Some(cwd) = invocation_dir.filter(|d| d.is_absolute()) {
            cwd.join(given)
        } else {
            return Err(format!(
                "{ENV} is the relative path {}, and the directory cargo was run in is unknown ($PWD is not set); \
                 set {ENV} to an absolute path.",
                given.display()
            ));
        };
        if is_schema(&dir) {
            return Ok(Located { dir, source: Source::Env });
        }
        let hint = if given.is_absolute() {
            String::new()
        } else {
            format!(
                " (a relative {ENV} is taken from the directory cargo was run in; an absolute path avoids surprises)"
            )
        };
        return Err(format!(
            "{ENV} points at {}, which does not hold Apple's schema (no mdm/ folder){hint}. Point it at a checkout \
             of https://github.com/apple/device-management: the folder that holds mdm/, declarative/ and other/.",
            dir.display()
        ));
    }
    for (rel, source) in [(SUBMODULE, Source::Submodule), (VENDORED, Source::Vendored)] {
        let dir = crate_root.join(rel);
        if is_schema(&dir) {
            return Ok(Located { dir, source });
        }
    }
    Err(format!(
        "Apple's device-management schema was not found: {ENV} is not set, the submodule {} is empty and there is \
         no vendored copy at {}. In a clone of the repository run `git submodule update --init {SUBMODULE}`; \
         or set {ENV} to a checkout of https://github.com/apple/device-management (the folder that holds mdm/, \
         declarative/ and other/). A package from crates.io carries the schema and needs neither.",
        crate_root.join(SUBMODULE).display(),
        crate_root.join(VENDORED).display()
    ))
}

/// [`locate`] with this process's environment (for tests and tools).
pub fn locate_from_env(crate_root: &Path) -> Result<Located, String> {
    let pwd = std::env::var_os("PWD").map(PathBuf::from);
    locate(crate_root, std::env::var_os(ENV).as_deref(), pwd.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path, dirs: &[&str]) {
        for d in dirs {
            std::fs::create_dir_all(root.join(d).join("mdm")).unwrap();
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("adm-locate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn order_env_then_submodule_then_vendored() {
        let root = scratch("order");
        assert!(locate(&root, None, None).unwrap_err().contains("git submodule update --init"));
        tree(&root, &[VENDORED]);
        assert_eq!(locate(&root, None, None).unwrap().source, Source::Vendored);
        tree(&root, &[SUBMODULE]);
        assert_eq!(locate(&root, None, None).unwrap().source, Source::Submodule);
        tree(&root, &["elsewhere"]);
        let abs = root.join("elsewhere");
        let got = locate(&root, Some(abs.as_os_str()), None).unwrap();
        assert_eq!((got.source, got.dir), (Source::Env, abs));
        // An empty value is the same as unset.
        assert_eq!(locate(&root, Some(OsStr::new("")), None).unwrap().source, Source::Submodule);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn relative_env_is_taken_from_the_invocation_dir() {
        let root = scratch("rel");
        let user = scratch("rel-user");
        tree(&user, &["apple"]);
        let got = locate(&root, Some(OsStr::new("apple")), Some(&user)).unwrap();
        assert_eq!(got.dir, user.join("apple"));
        // Not found there: the error says how relative paths are read.
        let err = locate(&root, Some(OsStr::new("nope")), Some(&user)).unwrap_err();
        assert!(err.contains("relative") && err.contains("absolute"), "{err}");
        // No $PWD: it must be absolute.
        let err = locate(&root, Some(OsStr::new("apple")), None).unwrap_err();
        assert!(err.contains("set DEVICE_MANAGEMENT_SCHEMA to an absolute path"), "{err}");
        for d in [root, user] {
            std::fs::remove_dir_all(d).unwrap();
        }
    }
}
