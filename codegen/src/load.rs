//! Finding and reading the schema files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::model::{Family, SchemaFile};
use crate::yaml;

/// A loaded schema tree.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The directory it was read from.
    pub root: PathBuf,
    /// Every schema file, sorted by path.
    pub files: Vec<SchemaFile>,
    /// FNV-1a (64-bit) over every file's relative path and contents, in
    /// path order: identifies the exact schema the code came from.
    pub digest: u64,
}

impl Schema {
    /// The files of one family, in path order.
    pub fn family(&self, family: Family) -> impl Iterator<Item = &SchemaFile> {
        self.files.iter().filter(move |f| f.family == family)
    }
}

/// Reads every schema file below `root` (`mdm/`, `declarative/`, `other/`).
///
/// A missing root, or one without any of those folders, is
/// [`Error::SchemaNotFound`]; a file that is not valid YAML or not a schema
/// file is an error naming the file and line.
pub fn load(root: &Path) -> Result<Schema, Error> {
    if !root.is_dir() {
        return Err(Error::SchemaNotFound { path: root.to_owned(), reason: "no such directory".into() });
    }
    let mut paths = Vec::new();
    for family in Family::ALL {
        collect_yaml(&root.join(family.dir()), &mut paths)?;
    }
    if paths.is_empty() {
        return Err(Error::SchemaNotFound {
            path: root.to_owned(),
            reason: "it holds no mdm/, declarative/ or other/ YAML files".into(),
        });
    }
    let mut sources = Vec::with_capacity(paths.len());
    let mut digest = Fnv::default();
    for path in paths {
        let rel = relative(root, &path);
        let family = Family::of_path(&rel).expect("collected below a family directory");
        let source = fs::read_to_string(&path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
        digest.write(rel.as_bytes());
        digest.write(&[0]);
        digest.write(source.as_bytes());
        sources.push((path, rel, family, source));
    }
    // Parsing is a sixth of the generator's time: on every core.
    let parsed = crate::parallel_map(&sources, |(path, rel, family, source)| {
        parse_file(rel, *family, source).map_err(|(line, message)| Error::Yaml { path: path.clone(), line, message })
    });
    let mut files = parsed.into_iter().collect::<Result<Vec<_>, _>>()?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Schema { root: root.to_owned(), files, digest: digest.0 })
}

/// Parses one file's text; the error is `(line, message)`.
pub fn parse_file(rel: &str, family: Family, source: &str) -> Result<SchemaFile, (usize, String)> {
    let node = yaml::parse(source).map_err(|e| (e.line, format!("column {}: {}", e.column, e.message)))?;
    SchemaFile::from_node(rel, family, &node).map_err(|e| (e.line, e.message))
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|e| Error::Io { path: dir.to_owned(), source: e })?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// 64-bit FNV-1a.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
