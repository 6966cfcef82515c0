//! Reading a macOS flat package (`.pkg`, a xar archive) for its manifest.
//!
//! What deploy-package needs from a package: that it is a distribution
//! ("product") package (it has a `Distribution` file; a component package
//! built by `pkgbuild` alone fails on the Mac), its identifier and version,
//! whether it is signed, and its size and digest. The digests are computed
//! by streaming the file; it is never loaded whole.
//!
//! The xar format: a 28-byte big-endian header (`xar!`, header size,
//! version, compressed and uncompressed table-of-contents lengths, checksum
//! algorithm), the zlib-compressed XML table of contents, then the heap,
//! whose offsets the table of contents gives.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use md5::Digest as _;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{HashType, PackageManifest};

/// Why a package could not be read or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkgError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Not a xar archive (flat packages are).
    #[error("{}: not a flat package (no xar header); is it a bundle package or a disk image?", path.display())]
    NotXar {
        /// The file.
        path: PathBuf,
    },
    /// A xar archive whose structure is broken.
    #[error("{}: corrupt xar archive: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A component package (no `Distribution`).
    #[error(
        "{}: a component package (built by pkgbuild, no Distribution file); deploy-package needs a distribution \
         package: rebuild it with `productbuild --package {} <out.pkg>` and sign it",
        path.display(),
        path.display()
    )]
    ComponentPackage {
        /// The file.
        path: PathBuf,
    },
    /// A `Distribution` file without a product or package identifier and
    /// version.
    #[error("{}: the Distribution file names no product or package identifier with a version", path.display())]
    NoIdentifier {
        /// The file.
        path: PathBuf,
    },
    /// The package is not signed (Macs refuse unsigned packages from MDM).
    #[error(
        "{}: the package is not signed; sign it with `productsign --sign \"Developer ID Installer: ...\"` \
         (or allow unsigned packages explicitly)",
        path.display()
    )]
    Unsigned {
        /// The file.
        path: PathBuf,
    },
}

/// What a flat package says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageInfo {
    /// The product identifier (or the first package identifier).
    pub identifier: String,
    /// Its version.
    pub version: String,
    /// The Distribution's `<title>`, if any.
    pub title: Option<String>,
    /// The archive carries a signature (`RSA` signature or `CMS`
    /// x-signature in its table of contents). Not verified here.
    pub signed: bool,
    /// The file size in bytes.
    pub size: u64,
    /// MD5 of the whole file, lower-case hex.
    pub md5: String,
    /// SHA-256 of the whole file, lower-case hex.
    pub sha256: String,
}

struct FileEntry {
    name: String,
    offset: u64,
    length: u64,
    encoding: String,
}

struct Toc {
    top_files: Vec<FileEntry>,
    signed: bool,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> PkgError {
    PkgError::Corrupt { path: path.to_owned(), reason: reason.into() }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PkgError + '_ {
    move |source| PkgError::Io { path: path.to_owned(), source }
}

/// The table of contents: the files at the top of the archive and whether
/// there is a signature.
fn read_toc(path: &Path, file: &mut File) -> Result<(Toc, u64), PkgError> {
    let mut header = [0u8; 28];
    match file.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(PkgError::NotXar { path: path.to_owned() });
        }
        Err(e) => return Err(io(path)(e)),
    }
    if &header[..4] != b"xar!" {
        return Err(PkgError::NotXar { path: path.to_owned() });
    }
    let header_size = u64::from(u16::from_be_bytes([header[4], header[5]]));
    let toc_compressed = u64::from_be_bytes(header[8..16].try_into().expect("8 bytes"));
    let toc_plain = u64::from_be_bytes(header[16..24].try_into().expect("8 bytes"));
    if header_size < 28 || toc_compressed > 64 << 20 || toc_plain > 256 << 20 {
        return Err(corrupt(path, "implausible header sizes"));
    }
    file.seek(SeekFrom::Start(header_size)).map_err(io(path))?;
    let mut compressed =
        vec![0u8; usize::try_from(toc_compressed).map_err(|_| corrupt(path, "table of contents too large"))?];
    file.read_exact(&mut compressed).map_err(|_| corrupt(path, "truncated table of contents"))?;
    let mut xml = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .take(toc_plain + 1)
        .read_to_end(&mut xml)
        .map_err(|e| corrupt(path, format!("table of contents does not inflate: {e}")))?;
    let toc = parse_toc(&xml).map_err(|e| corrupt(path, e))?;
    Ok((toc, header_size + toc_compressed))
}

fn parse_toc(xml: &[u8]) -> Result<Toc, String> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    let mut toc = Toc { top_files: Vec::new(), signed: false };
    let mut current: Option<FileEntry> = None;
    let mut text = String::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| format!("table of contents is not XML: {e}"))?;
        match event {
            Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                on_open(&name, &stack, &mut toc, &mut current);
                on_encoding(&name, &e, &stack, &mut current);
            }
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                on_open(&name, &stack, &mut toc, &mut current);
                on_encoding(&name, &e, &stack, &mut current);
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t),
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                // xar/toc/file/<name> and xar/toc/file/data/<field>, top-level files only.
                if let Some(c) = current.as_mut() {
                    let value = text.trim();
                    match (stack.len(), name.as_str()) {
                        (3, "name") => c.name = value.to_owned(),
                        (4, "offset") if stack[3] == "data" => c.offset = value.parse().unwrap_or(u64::MAX),
                        (4, "length") if stack[3] == "data" => c.length = value.parse().unwrap_or(u64::MAX),
                        (2, "file") => {
                            if let Some(done) = current.take() {
                                toc.top_files.push(done);
                            }
                        }
                        _ => {}
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(toc)
}

/// `<encoding style="...">` of a top-level file's data.
fn on_encoding(name: &str, e: &quick_xml::events::BytesStart<'_>, stack: &[String], current: &mut Option<FileEntry>) {
    if name == "encoding"
        && stack.len() == 4
        && stack[3] == "data"
        && let Some(c) = current.as_mut()
    {
        for a in e.attributes().flatten() {
            if a.key.as_ref() == "style" {
                c.encoding = a.value.into_owned();
            }
        }
    }
}

fn on_open(name: &str, stack: &[String], toc: &mut Toc, current: &mut Option<FileEntry>) {
    let at_toc = stack.len() == 2 && stack[1] == "toc";
    if at_toc && (name == "signature" || name == "x-signature") {
        toc.signed = true;
    }
    if at_toc && name == "file" {
        *current = Some(FileEntry { name: String::new(), offset: 0, length: 0, encoding: String::new() });
    }
}

fn read_member(path: &Path, file: &mut File, heap: u64, entry: &FileEntry) -> Result<Vec<u8>, PkgError> {
    if entry.length > 16 << 20 {
        return Err(corrupt(path, format!("{} is implausibly large", entry.name)));
    }
    file.seek(SeekFrom::Start(heap.saturating_add(entry.offset))).map_err(io(path))?;
    let mut raw = vec![0u8; usize::try_from(entry.length).map_err(|_| corrupt(path, "member too large"))?];
    file.read_exact(&mut raw).map_err(|_| corrupt(path, format!("{} lies outside the file", entry.name)))?;
    match entry.encoding.as_str() {
        "" | "application/octet-stream" => Ok(raw),
        // xar writes zlib streams under this name.
        "application/x-gzip" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&raw[..])
                .take(16 << 20)
                .read_to_end(&mut out)
                .map_err(|e| corrupt(path, format!("{} does not inflate: {e}", entry.name)))?;
            Ok(out)
        }
        other => Err(corrupt(path, format!("{} uses the unsupported encoding {other}", entry.name))),
    }
}

/// `(identifier, version, title)` from a Distribution file: the
/// `<product id version>` when there is one, else the first `<pkg-ref>`
/// with a version.
fn parse_distribution(xml: &[u8]) -> Option<(String, String, Option<String>)> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut product, mut pkg_ref, mut title) = (None, None, None);
    let mut in_title = false;
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_owned();
                let attr = |key: &str| {
                    e.attributes().flatten().find(|a| a.key.as_ref() == key).map(|a| a.value.trim().to_owned())
                };
                match name.as_str() {
                    "product" if product.is_none() => {
                        if let (Some(id), Some(v)) = (attr("id"), attr("version")) {
                            product = Some((id, v));
                        }
                    }
                    "pkg-ref" if pkg_ref.is_none() => {
                        if let (Some(id), Some(v)) = (attr("id"), attr("version"))
                            && !v.is_empty()
                        {
                            pkg_ref = Some((id, v));
                        }
                    }
                    "title" => in_title = true,
                    _ => {}
                }
            }
            Event::Text(t) if in_title => {
                let t = t.trim().to_owned();
                if !t.is_empty() {
                    title = Some(t);
                }
            }
            Event::End(_) => in_title = false,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let (id, version) = product.or(pkg_ref)?;
    Some((id, version, title))
}

/// Size, MD5 and SHA-256 of a file, streamed in 64 KiB blocks.
pub fn digest_file(path: &Path) -> Result<(u64, String, String), PkgError> {
    let file = File::open(path).map_err(io(path))?;
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let mut md5 = md5::Md5::new();
    let mut sha = sha2::Sha256::new();
    let mut size = 0u64;
    let mut block = vec![0u8; 64 << 10];
    loop {
        let n = reader.read(&mut block).map_err(io(path))?;
        if n == 0 {
            break;
        }
        md5.update(&block[..n]);
        sha.update(&block[..n]);
        size += n as u64;
    }
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    Ok((size, hex(&md5.finalize()), hex(&sha.finalize())))
}

/// Reads a flat package: identifier, version, title, signature presence,
/// size and digests. A component package is an error.
pub fn inspect(path: impl AsRef<Path>) -> Result<PackageInfo, PkgError> {
    let path = path.as_ref();
    let mut file = File::open(path).map_err(io(path))?;
    let (toc, heap) = read_toc(path, &mut file)?;
    let Some(dist) = toc.top_files.iter().find(|f| f.name == "Distribution") else {
        return Err(if toc.top_files.iter().any(|f| f.name == "PackageInfo") {
            PkgError::ComponentPackage { path: path.to_owned() }
        } else {
            corrupt(path, "neither a Distribution nor a PackageInfo file")
        });
    };
    let xml = read_member(path, &mut file, heap, dist)?;
    let (identifier, version, title) =
        parse_distribution(&xml).ok_or_else(|| PkgError::NoIdentifier { path: path.to_owned() })?;
    drop(file);
    let (size, md5, sha256) = digest_file(path)?;
    Ok(PackageInfo { identifier, version, title, signed: toc.signed, size, md5, sha256 })
}

/// The deploy-package manifest of a package served from `url`: identifier,
/// version and title from the package, its size and digest. Unsigned
/// packages are refused unless `allow_unsigned` (Macs refuse them).
pub fn manifest_from_pkg(
    path: impl AsRef<Path>,
    url: impl Into<String>,
    hash_type: HashType,
    allow_unsigned: bool,
) -> Result<PackageManifest, PkgError> {
    let path = path.as_ref();
    let info = inspect(path)?;
    if !info.signed && !allow_unsigned {
        return Err(PkgError::Unsigned { path: path.to_owned() });
    }
    let title = info.title.clone().unwrap_or_else(|| {
        path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| info.identifier.clone())
    });
    let hash = match hash_type {
        HashType::Md5 => info.md5,
        HashType::Sha256 => info.sha256,
    };
    Ok(PackageManifest::new(url, hash, hash_type, info.identifier, info.version, title, info.size))
}
