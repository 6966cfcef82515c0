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

pub mod api;
pub mod avail;
pub mod emit;
pub mod families;
pub mod ir;
pub mod load;
pub mod locate;
pub mod model;
pub mod naming;
pub mod overrides;
#[doc(hidden)]
pub mod test_inputs;
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

/// Commits of apple/device-management whose files this generator knows, with
/// the [`load::Schema::digest`] of their YAML: a copy that names one of these
/// commits but holds other files is not that commit. The pinned commit (the
/// submodule's gitlink) is here; `tests/provenance.rs` checks its digest
/// against the shared copy, so a new pin without its digest fails there.
pub const KNOWN_COMMITS: &[(&str, u64)] = &[("b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f", 0x548e_405e_e5a9_e65c)];

impl Provenance {
    fn unknown() -> Provenance {
        Provenance { release: "unknown".into(), commit: "unknown".into() }
    }

    /// Where the loaded `schema` came from, only from what speaks for its
    /// directory itself, and only when the files read are that commit's:
    ///
    /// 1. its `UPSTREAM.md` (the copies in `shared/` and the vendored copy
    ///    have one): the commit (40 hex digits) and the release name in
    ///    quotes. When the commit is one of [`KNOWN_COMMITS`], or the file
    ///    has a line `digest: <16 hex digits>`, the files read must have
    ///    that digest: an overlay (a copy with newer files dropped in) that
    ///    kept the old UPSTREAM.md is `unknown`;
    /// 2. else, when the directory is the top of its own git checkout (the
    ///    submodule): `HEAD`'s commit, and the tag at `HEAD` or else the
    ///    branch as the release; a checkout whose YAML files differ from
    ///    `HEAD` (edited, added, deleted) is `unknown`;
    /// 3. else `unknown` for both. A folder inside some other repository
    ///    (a copy in a project's tree) does not take that repository's
    ///    identity.
    ///
    /// `SCHEMA_DIGEST` always says what was read. The second value explains
    /// a claim that was refused, for a `cargo:warning`.
    pub fn detect(schema: &load::Schema) -> (Provenance, Option<String>) {
        let dir = schema.root.as_path();
        let digest = schema.digest;
        if let Ok(text) = std::fs::read_to_string(dir.join("UPSTREAM.md")) {
            let commit = text.split(|c: char| !c.is_ascii_hexdigit()).find(|w| w.len() == 40).map(str::to_owned);
            let release = text.split('"').nth(1).filter(|s| !s.contains(char::is_whitespace)).map(str::to_owned);
            if let Some(commit) = commit {
                let stated = text.lines().find_map(|l| {
                    let rest = l.trim().trim_start_matches("- ").strip_prefix("digest:")?;
                    u64::from_str_radix(rest.trim(), 16).ok()
                });
                let expected = stated.or_else(|| KNOWN_COMMITS.iter().find(|(c, _)| *c == commit).map(|(_, d)| *d));
                if let Some(expected) = expected.filter(|e| *e != digest) {
                    let warning = format!(
                        "{}: UPSTREAM.md names commit {commit}, but the schema files differ from that commit's \
                         (digest {digest:016x}, expected {expected:016x}); SCHEMA_COMMIT and SCHEMA_RELEASE say \
                         \"unknown\". Update UPSTREAM.md to describe this tree, or remove it.",
                        dir.display()
                    );
                    return (Provenance::unknown(), Some(warning));
                }
                return (Provenance { release: release.unwrap_or_else(|| "unknown".into()), commit }, None);
            }
        }
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        };
        let own_checkout = git(&["rev-parse", "--show-toplevel"])
            .and_then(|top| std::fs::canonicalize(top).ok())
            .is_some_and(|top| std::fs::canonicalize(dir).is_ok_and(|d| d == top));
        if !own_checkout {
            return (Provenance::unknown(), None);
        }
        let Some(commit) = git(&["rev-parse", "HEAD"]).filter(|s| !s.is_empty()) else {
            return (Provenance::unknown(), None);
        };
        let changed = git(&["status", "--porcelain", "--untracked-files=all", "--", "*.yaml"]);
        if changed.as_deref() != Some("") {
            let what = changed.map_or_else(
                || "git status failed".to_owned(),
                |c| c.lines().take(3).map(str::trim).collect::<Vec<_>>().join(", "),
            );
            let warning = format!(
                "{}: the checkout's YAML files differ from its commit {commit} ({what}); SCHEMA_COMMIT and \
                 SCHEMA_RELEASE say \"unknown\". Commit or revert the changes to record where the schema came from.",
                dir.display()
            );
            return (Provenance::unknown(), Some(warning));
        }
        let release = git(&["describe", "--tags", "--exact-match", "HEAD"])
            .or_else(|| git(&["symbolic-ref", "--short", "-q", "HEAD"]))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "unknown".into());
        (Provenance { release, commit }, None)
    }
}

/// Where a family's generated code goes, and how the runtime names it.
#[derive(Debug, Clone, Copy)]
pub struct FamilyOut {
    /// Sub-directory of `OUT_DIR` (and of the include paths).
    pub dir: &'static str,
    /// The static in `tables.rs` that holds its tables.
    pub table: &'static str,
    /// The cargo feature that enables it.
    pub feature: &'static str,
}

/// Output layout per family.
pub fn family_out(family: Family) -> FamilyOut {
    let (dir, table, feature) = match family {
        Family::Commands => ("commands", "COMMANDS", "commands"),
        Family::Checkin => ("checkin", "CHECKIN", "checkin"),
        Family::Errors => ("errors", "ERRORS", "errors"),
        Family::Profiles => ("profiles", "PROFILES", "profiles"),
        Family::Declarations => ("declarative/declarations", "DECLARATIONS", "declarative"),
        Family::Status => ("declarative/status", "STATUS", "declarative"),
        Family::Protocol => ("declarative/protocol", "PROTOCOL", "declarative"),
        Family::Other => ("other", "OTHER", "other"),
    };
    FamilyOut { dir, table, feature }
}

/// The modules generated for one family.
pub fn family_modules(schema: &load::Schema, family: Family) -> Vec<(&model::SchemaFile, ir::Module)> {
    families::specs(schema, family).into_iter().map(|(f, spec)| (f, ir::module(f, &spec))).collect()
}

/// Generates the output files for the given families, as `(path relative
/// to OUT_DIR, contents)`.
pub fn render(schema: &load::Schema, provenance: &Provenance, families: &[Family]) -> BTreeMap<PathBuf, String> {
    render_with_warnings(schema, provenance, families).0
}

/// [`render`], and the warnings of every module: schema shapes the
/// generator could not type fully, each naming its file and key.
pub fn render_with_warnings(
    schema: &load::Schema,
    provenance: &Provenance,
    families: &[Family],
) -> (BTreeMap<PathBuf, String>, Vec<String>) {
    let mut files = BTreeMap::new();
    let mut warnings = overrides::unmatched(schema, families);
    let mut pool = avail::Pool::default();
    let mut tables = String::new();
    // Every module of every family, with what its file needs; formatted in
    // one parallel pass below (formatting is most of the generator's time).
    let mut jobs: Vec<(FamilyOut, usize, ir::Module)> = Vec::new();
    for &family in families {
        let out = family_out(family);
        let modules = family_modules(schema, family);
        let mut entries = String::new();
        for (f, m) in &modules {
            // The schema's own name for the file; a credential content
            // type (declarations/assets/credentials) by its credentialtype.
            let name = m
                .kind
                .schema_name()
                .or(f.payload.credentialtype.as_deref())
                .map(str::to_owned)
                .unwrap_or_else(|| m.top.clone());
            entries.push_str(&avail::file_text(&mut pool, f, &name));
            warnings.extend(m.warnings.iter().cloned());
        }
        let just_modules: Vec<ir::Module> = modules.into_iter().map(|(_, m)| m).collect();
        let index = match family {
            Family::Commands => emit::commands_index(&just_modules, out.dir),
            Family::Status => {
                let mut t = emit::family_index(family, &just_modules, out.dir);
                t.extend(emit::status_tree(&just_modules));
                t
            }
            _ => emit::family_index(family, &just_modules, out.dir),
        };
        files.insert(
            PathBuf::from(format!("{}/mod.rs", out.dir)),
            emit::format_file(index, &format!("{}/*.yaml", family.dir())),
        );
        tables.push_str(&format!(
            "\n/// The availability and key tables of `{}`, in file order.\npub static {}: &[SchemaFile] = &[\n{entries}];\n",
            family.dir(),
            out.table
        ));
        jobs.extend(just_modules.into_iter().enumerate().map(|(i, m)| (out, i, m)));
    }
    let formatted = parallel_map(&jobs, |(out, i, m)| {
        let table_ident = proc_macro2::Ident::new(out.table, proc_macro2::Span::call_site());
        let index = proc_macro2::Literal::usize_unsuffixed(*i);
        let table_path = quote::quote!(crate::tables::#table_ident[#index]);
        let tokens = emit::module_tokens(m, &table_path);
        (PathBuf::from(emit::module_file(m, out.dir)), emit::format_file(tokens, &m.file))
    });
    files.extend(formatted);
    let tables = format!(
        "{}\n// Source: every schema file. Data, one row per line (see src/tables.rs for the constructors).\n\n{}{tables}",
        emit::HEADER,
        avail::pool_text(&pool)
    );
    files.insert(PathBuf::from("tables.rs"), tables);
    files.insert(PathBuf::from("schema_info.rs"), schema_info(schema, provenance));
    (files, warnings)
}

/// `f` over `items` on every available core, results in item order. Each
/// thread takes the next item when it is done with one, so a few large
/// files do not leave a core idle.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break done };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        for handle in handles {
            for (i, r) in handle.join().expect("the mapped function does not panic") {
                results[i] = Some(r);
            }
        }
    });
    results.into_iter().map(|r| r.expect("every item is mapped once")).collect()
}

fn schema_info(schema: &load::Schema, p: &Provenance) -> String {
    let release = &p.release;
    let commit = &p.commit;
    let digest = format!("{:016x}", schema.digest);
    let count = schema.files.len();
    let tokens = quote::quote! {
        /// The upstream release (tag or branch) the types were generated from, or
        /// `unknown` when the schema folder did not say or its files are not that
        /// release's (see the README's schema section).
        pub const SCHEMA_RELEASE: &str = #release;
        /// The upstream commit of apple/device-management the types were generated
        /// from, or `unknown` (then [`SCHEMA_DIGEST`] identifies what was read).
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
    /// Schema shapes that could not be typed fully (see [`render_with_warnings`]).
    pub warnings: Vec<String>,
}

/// Reads the schema at `schema_dir` and writes the generated Rust for the
/// given families into `out_dir`.
pub fn generate(schema_dir: &Path, out_dir: &Path, families: &[Family]) -> Result<Summary, Error> {
    let schema = load::load(schema_dir)?;
    let (provenance, refused) = Provenance::detect(&schema);
    let (files, mut warnings) = render_with_warnings(&schema, &provenance, families);
    warnings.splice(0..0, refused);
    let mut written = 0;
    for (rel, contents) in &files {
        written += usize::from(write::write_if_changed(&out_dir.join(rel), contents)?);
    }
    Ok(Summary { schema_files: schema.files.len(), generated: files.len(), written, warnings })
}
