//! The generator behind `apple-device-management`.
//!
//! Pipeline, one module per step:
//! 1. [`load`]: find the YAML files and read them ([`yaml`] builds the tree,
//!    handling anchors and recursive aliases) into the [`model`];
//! 2. [`ir`]: decide the Rust types, applying [`naming`] and [`overrides`];
//! 3. [`emit`]: tokens, formatted by prettyplease;
//! 4. [`write`](mod@write): files in `OUT_DIR`, rewritten only when they change.
//!
//! [`generate`] runs all of it; the crate's `build.rs` calls it.

pub mod avail;
pub mod emit;
pub mod ir;
pub mod load;
pub mod model;
pub mod naming;
pub mod overrides;
pub mod write;
pub mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::Family;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The schema directory is missing or holds no schema files.
    #[error("Apple device-management schema not found at {}: {reason}", path.display())]
    SchemaNotFound { path: PathBuf, reason: String },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A file is not valid YAML, or not a valid schema file.
    #[error("{}:{line}: {message}", path.display())]
    Yaml { path: PathBuf, line: usize, message: String },
}

/// Where the schema came from, for the constants the crate exposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The upstream release (branch) name, or `unknown`.
    pub release: String,
    /// The upstream commit, or `unknown`.
    pub commit: String,
}

impl Provenance {
    /// Reads `UPSTREAM.md` in the schema directory when there is one (the
    /// copies in `shared/` have it); otherwise asks git (a submodule
    /// checkout); otherwise `unknown`.
    pub fn detect(schema_dir: &Path) -> Provenance {
        if let Ok(text) = std::fs::read_to_string(schema_dir.join("UPSTREAM.md")) {
            let commit = text.split(|c: char| !c.is_ascii_hexdigit()).find(|w| w.len() == 40).map(str::to_owned);
            let release = text.split('"').nth(1).filter(|s| !s.contains(char::is_whitespace)).map(str::to_owned);
            if let Some(commit) = commit {
                return Provenance { release: release.unwrap_or_else(|| "unknown".into()), commit };
            }
        }
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(schema_dir)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        Provenance {
            commit: git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into()),
            release: git(&["describe", "--all", "--always"]).unwrap_or_else(|| "unknown".into()),
        }
    }
}

/// Generates every output file, as `(path relative to OUT_DIR, contents)`.
pub fn render(schema: &load::Schema, provenance: &Provenance) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let command_files: Vec<&model::SchemaFile> = schema.family(Family::Commands).collect();
    let commands: Vec<ir::Module> = command_files.iter().map(|f| ir::command_module(f)).collect();
    for (i, m) in commands.iter().enumerate() {
        let tokens = emit::module_tokens(m, i);
        files.insert(PathBuf::from(format!("commands/{}.rs", m.ident)), emit::format_file(tokens, &m.file));
    }
    let mut pool = avail::Pool::default();
    let command_tables: Vec<proc_macro2::TokenStream> = command_files
        .iter()
        .zip(&commands)
        .map(|(f, m)| avail::file_tokens(&mut pool, f, m.request_type.as_deref().unwrap_or_default()))
        .collect();
    let pool_tokens = avail::pool_tokens(&pool);
    let tables = quote::quote! {
        #pool_tokens

        /// The availability and key tables of every command, in file order.
        pub static COMMANDS: &[crate::availability::SchemaFile] = &[#(#command_tables),*];
    };
    files.insert(PathBuf::from("tables.rs"), emit::format_file(tables, "every schema file"));
    files.insert(
        PathBuf::from("commands/mod.rs"),
        emit::format_file(emit::commands_index(&commands, "commands"), "mdm/commands/*.yaml"),
    );
    files.insert(PathBuf::from("schema_info.rs"), schema_info(schema, provenance));
    files
}

fn schema_info(schema: &load::Schema, p: &Provenance) -> String {
    let release = &p.release;
    let commit = &p.commit;
    let digest = format!("{:016x}", schema.digest);
    let count = schema.files.len();
    let tokens = quote::quote! {
        /// The upstream release (branch) the types were generated from.
        pub const SCHEMA_RELEASE: &str = #release;
        /// The upstream commit of apple/device-management the types were generated from.
        pub const SCHEMA_COMMIT: &str = #commit;
        /// A 64-bit FNV-1a digest of the schema files read (paths and contents), in hex.
        pub const SCHEMA_DIGEST: &str = #digest;
        /// How many schema files were read.
        pub const SCHEMA_FILE_COUNT: usize = #count;
    };
    emit::format_file(tokens, "the schema directory")
}

/// What [`generate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Schema files read.
    pub schema_files: usize,
    /// Files generated.
    pub generated: usize,
    /// Files that changed (and were written).
    pub written: usize,
}

/// Reads the schema at `schema_dir` and writes the generated Rust into
/// `out_dir`.
pub fn generate(schema_dir: &Path, out_dir: &Path) -> Result<Summary, Error> {
    let schema = load::load(schema_dir)?;
    let provenance = Provenance::detect(schema_dir);
    let files = render(&schema, &provenance);
    let mut written = 0;
    for (rel, contents) in &files {
        written += usize::from(write::write_if_changed(&out_dir.join(rel), contents)?);
    }
    Ok(Summary { schema_files: schema.files.len(), generated: files.len(), written })
}
