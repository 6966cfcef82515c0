//! Writing generated files, only when their contents changed (so cargo
//! does not rebuild what did not change).

use std::fs;
use std::path::Path;

use crate::Error;

/// Writes `contents` to `path` unless the file already holds exactly that.
/// Returns true when it wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<bool, Error> {
    if fs::read(path).is_ok_and(|old| old == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::Io { path: dir.to_owned(), source: e })?;
    }
    fs::write(path, contents).map_err(|e| Error::Io { path: path.to_owned(), source: e })?;
    Ok(true)
}
