//! Reading a macOS flat package (`.pkg`, a xar archive): its ids, whether it
//! is intact, who signed it, and its size and digests.
//!
//! What deploy-package needs from a package: that it is a distribution
//! ("product") package (it has a `Distribution` file; a component package
//! built by `pkgbuild` alone fails on the Mac), an identifier and version,
//! a valid signature, and its size and digest. [`inspect`] reads all of it
//! in one streaming pass; the file is never loaded whole.
//!
//! The xar format: a 28-byte big-endian header (`xar!`, header size,
//! version, compressed and uncompressed table-of-contents lengths, checksum
//! algorithm, then the algorithm's name when it is not SHA-1 or MD5), the
//! zlib-compressed XML table of contents, then the heap, whose offsets the
//! table of contents gives.
//!
//! # What is checked
//!
//! - **Structure**: every table-of-contents entry (files, the checksum, the
//!   signature) lies inside the heap, and the heap inside the file: a cut
//!   package is [`Damage::Truncated`].
//! - **Checksums**: the table of contents' checksum (SHA-1, MD5 or the
//!   algorithm the header names) against the value stored in the heap, and
//!   each file's archived checksum against its bytes as they are streamed
//!   ([`Damage::TocChecksum`], [`Damage::FileChecksum`]).
//! - **Signature** (`<signature style="RSA">`): the RSA PKCS#1 v1.5
//!   signature over the table-of-contents checksum, verified with the
//!   public key of the first (leaf) certificate the package carries; each
//!   certificate of the chain is reported (subject, Team ID, validity, and
//!   whether the leaf is a "Developer ID Installer" certificate, by its
//!   name and Apple's extension `1.2.840.113635.100.6.1.14`); the chain is
//!   checked link by link, and up to a root when you supply roots
//!   ([`InspectOptions::roots`]): Apple's roots are not shipped with this
//!   crate (download them from <https://www.apple.com/certificateauthority/>:
//!   "Apple Root CA" and, for the intermediates, "Developer ID - G2").
//!   [`Signature`] says which of these were checked.
//! - **Not checked**: notarization. Whether Apple notarized a package is
//!   known to Apple's servers and to Gatekeeper on a Mac (`spctl --assess
//!   --type install`, `stapler validate`); it cannot be checked off a Mac.
//!   Certificate revocation (OCSP) is not checked either. A CMS
//!   `x-signature` is reported as present, not verified.
//!
//! # Which id goes into `bundleId`
//!
//! A distribution names a product (`<product id version>`, from
//! `productbuild --identifier --version`) and one `<pkg-ref>` per component
//! package; each component carries its own `PackageInfo` with the id and
//! version the Mac records as a receipt (`pkgutil --pkgs`). Jamf compares
//! `bundleId`/`bundleVersion` to decide whether a package is an upgrade, so
//! the default ([`BundleId::Product`]) is the product's id and version,
//! which describe the whole package; a distribution without a product gives
//! its first pkg-ref with a version. Choose [`BundleId::PkgRef`] to use a
//! component's receipt id instead (what `pkgutil --pkg-info` finds on a Mac
//! after the install).

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
    /// A xar archive whose table of contents cannot be read.
    #[error("{}: corrupt xar archive: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A xar archive that reads but is damaged: cut short, or a checksum
    /// that does not match.
    #[error("{}: damaged package: {damage}", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is damaged.
        damage: Damage,
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
    /// [`BundleId::PkgRef`] named an id the Distribution does not have.
    #[error("{}: the Distribution has no pkg-ref `{id}` with a version (it has: {available})", path.display())]
    NoSuchPkgRef {
        /// The file.
        path: PathBuf,
        /// The id asked for.
        id: String,
        /// The pkg-ref ids there are, comma-separated.
        available: String,
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
    /// The package has a signature that does not verify.
    #[error("{}: the package's signature is invalid: {reason}", path.display())]
    BadSignature {
        /// The file.
        path: PathBuf,
        /// Why it does not verify.
        reason: String,
    },
}

/// What is damaged in a package.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    /// An entry of the table of contents ends beyond the end of the file:
    /// the package was cut short (an interrupted download or copy).
    #[error("{entry} ends at byte {end} but the file has {file_size} bytes (the package was cut short)")]
    Truncated {
        /// The entry: a file's path, `table of contents checksum` or `signature`.
        entry: String,
        /// Where it ends, from the start of the file.
        end: u64,
        /// The file's size.
        file_size: u64,
    },
    /// The table of contents does not match its checksum.
    #[error("the table of contents does not match its {algorithm} checksum (stored {stored}, computed {computed})")]
    TocChecksum {
        /// The algorithm.
        algorithm: String,
        /// The checksum stored in the heap, hex.
        stored: String,
        /// The checksum of the table of contents as read, hex.
        computed: String,
    },
    /// A file's bytes do not match its archived checksum.
    #[error("{name} does not match its {algorithm} archived checksum (expected {expected}, computed {computed})")]
    FileChecksum {
        /// The file's path in the archive.
        name: String,
        /// The algorithm.
        algorithm: String,
        /// The checksum in the table of contents, hex.
        expected: String,
        /// The checksum of the bytes, hex.
        computed: String,
    },
    /// A checksum algorithm this crate does not know, or a table-of-contents
    /// checksum whose algorithm differs from the header's.
    #[error("checksum algorithm {0}")]
    Checksum(String),
    /// An entry whose offset or length is not a number.
    #[error("{entry} has an unreadable offset or length")]
    BadEntry {
        /// The entry.
        entry: String,
    },
}

/// An identifier with its version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageId {
    /// The identifier (reverse DNS).
    pub identifier: String,
    /// Its version (may be empty for a pkg-ref that gives none).
    pub version: String,
}

/// A `<pkg-ref>` of the Distribution file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PkgRef {
    /// `id`: the receipt id the Mac records.
    pub identifier: String,
    /// `version` (empty when no `<pkg-ref>` element for this id gives one).
    pub version: String,
    /// The component package it points at (`#core.pkg` -> `core.pkg`).
    pub package: Option<String>,
}

/// A component package inside a product archive: its own `PackageInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Component {
    /// Its directory in the archive (`core.pkg`).
    pub path: String,
    /// `<pkg-info identifier>`.
    pub identifier: String,
    /// `<pkg-info version>`.
    pub version: String,
}

/// Which id and version become the manifest's `bundleId` and
/// `bundleVersion` (see the [module docs](self#which-id-goes-into-bundleid)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BundleId {
    /// The `<product>`'s id and version; without one, the first pkg-ref
    /// with a version.
    #[default]
    Product,
    /// The pkg-ref with this id, with its version.
    PkgRef(String),
}

/// Per-chunk digests, as Apple's manifest allows (`md5-size` + `md5s`, or
/// `sha256-size` + `sha256s`): the file cut into chunks of `chunk_size`
/// bytes (the last may be shorter), each hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkDigests {
    /// The algorithm.
    pub hash_type: HashType,
    /// The chunk size in bytes.
    pub chunk_size: u64,
    /// One lower-case hex digest per chunk, in order.
    pub hashes: Vec<String>,
}

/// Options of [`inspect_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InspectOptions {
    /// Root certificates (DER) the signer's chain must lead to; empty: the
    /// chain is checked link by link and its trust is not judged
    /// ([`Trust::NoRoots`]).
    pub roots: Vec<Vec<u8>>,
    /// Per-chunk digests to compute in the same pass: the algorithm and the
    /// chunk size (Apple's examples use 10 MiB, `10 << 20`).
    pub chunks: Option<(HashType, u64)>,
}

impl InspectOptions {
    /// Adds a root certificate, DER or PEM.
    pub fn root(mut self, certificate: &[u8]) -> Self {
        self.roots.push(pem_or_der(certificate));
        self
    }

    /// Computes per-chunk digests too.
    pub fn chunks(mut self, hash_type: HashType, chunk_size: u64) -> Self {
        self.chunks = Some((hash_type, chunk_size.max(1)));
        self
    }
}

/// Whether the xar signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureCheck {
    /// The signature over the table-of-contents checksum verifies with the
    /// leaf certificate's public key.
    Verified,
    /// It does not verify: the package or its signature was altered.
    Failed(String),
    /// It was not checked, and why (no certificate, a key type other than
    /// RSA).
    NotChecked(String),
}

/// Whether the signer's certificate chain leads to a root you trust.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trust {
    /// No roots were supplied: trust not judged (each link of the chain
    /// still is, see [`Signature::chain_linked`]).
    NoRoots,
    /// The chain leads to this supplied root (its subject).
    Trusted(String),
    /// It does not, and why.
    Untrusted(String),
}

/// One certificate of the signer's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateInfo {
    /// The subject's common name.
    pub common_name: Option<String>,
    /// The subject's organizational unit (a Developer ID's Team ID).
    pub organizational_unit: Option<String>,
    /// The issuer's common name.
    pub issuer_common_name: Option<String>,
    /// Valid from, seconds since the Unix epoch.
    pub not_before: i64,
    /// Valid until, seconds since the Unix epoch.
    pub not_after: i64,
    /// Valid at the time of the check.
    pub valid_now: bool,
    /// SHA-256 of the DER certificate, lower-case hex.
    pub sha256: String,
}

/// A package's signature and what was checked of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// `style` of `<signature>` (`RSA`).
    pub style: String,
    /// The signature over the table of contents.
    pub check: SignatureCheck,
    /// The certificates the package carries, leaf first.
    pub chain: Vec<CertificateInfo>,
    /// Each certificate is signed by the next one (checked for RSA
    /// signatures with SHA-1/256/384/512); `false` with a reason in
    /// `chain_problem` otherwise.
    pub chain_linked: bool,
    /// Why the chain does not link, when it does not.
    pub chain_problem: Option<String>,
    /// The chain's trust, judged against the roots supplied.
    pub trust: Trust,
    /// The Team ID: the leaf's organizational unit.
    pub team_id: Option<String>,
    /// The leaf is a "Developer ID Installer" certificate (its common name
    /// says so, and it has Apple's Developer ID Installer extension).
    pub developer_id_installer: bool,
    /// A CMS `x-signature` is present too (not verified).
    pub cms_present: bool,
}

impl Signature {
    /// The signature verified, the chain links and (when roots were given)
    /// leads to one of them: what an admin needs before uploading.
    pub fn is_valid(&self) -> bool {
        self.check == SignatureCheck::Verified && self.chain_linked && !matches!(self.trust, Trust::Untrusted(_))
    }
}

/// What a flat package says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PackageInfo {
    /// The product identifier (or the first pkg-ref identifier with a
    /// version): the default `bundleId`.
    pub identifier: String,
    /// Its version.
    pub version: String,
    /// The Distribution's `<title>`, if any.
    pub title: Option<String>,
    /// `<product id version>`, if the Distribution has one.
    pub product: Option<PackageId>,
    /// Every `<pkg-ref>` id, in order of first appearance.
    pub pkg_refs: Vec<PkgRef>,
    /// The component packages inside, with their own `PackageInfo` ids.
    pub components: Vec<Component>,
    /// The archive carries a signature (`RSA` signature or `CMS`
    /// x-signature in its table of contents); see `signature` for what was
    /// verified.
    pub signed: bool,
    /// The signature and what was checked of it.
    pub signature: Option<Signature>,
    /// The table-of-contents checksum algorithm (`sha1`, `md5`, `sha256`...).
    pub checksum_algorithm: String,
    /// The file size in bytes.
    pub size: u64,
    /// MD5 of the whole file, lower-case hex.
    pub md5: String,
    /// SHA-256 of the whole file, lower-case hex.
    pub sha256: String,
    /// Per-chunk digests, when asked for ([`InspectOptions::chunks`]).
    pub chunks: Option<ChunkDigests>,
}

impl PackageInfo {
    /// The id and version chosen for `bundleId` and `bundleVersion`.
    pub fn bundle_id(&self, choice: &BundleId) -> Option<PackageId> {
        match choice {
            BundleId::Product => Some(PackageId { identifier: self.identifier.clone(), version: self.version.clone() }),
            BundleId::PkgRef(id) => self
                .pkg_refs
                .iter()
                .find(|r| &r.identifier == id && !r.version.is_empty())
                .map(|r| PackageId { identifier: r.identifier.clone(), version: r.version.clone() }),
        }
    }
}

/// One archived file of the table of contents.
#[derive(Debug, Default)]
struct FileEntry {
    path: String,
    name: String,
    offset: Option<u64>,
    length: Option<u64>,
    encoding: String,
    archived: Option<(String, String)>,
    has_data: bool,
}

/// A region of the heap given by offset and size.
#[derive(Debug, Default, Clone)]
struct Region {
    style: String,
    offset: Option<u64>,
    size: Option<u64>,
}

#[derive(Debug, Default)]
struct Toc {
    files: Vec<FileEntry>,
    checksum: Option<Region>,
    signature: Option<Region>,
    certificates: Vec<Vec<u8>>,
    cms: bool,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> PkgError {
    PkgError::Corrupt { path: path.to_owned(), reason: reason.into() }
}

fn damaged(path: &Path, damage: Damage) -> PkgError {
    PkgError::Damaged { path: path.to_owned(), damage }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> PkgError + '_ {
    move |source| PkgError::Io { path: path.to_owned(), source }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A digest by its xar name.
enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn new(name: &str) -> Option<Hasher> {
        Some(match name.to_ascii_lowercase().replace('-', "").as_str() {
            "md5" => Hasher::Md5(md5::Md5::new()),
            "sha1" => Hasher::Sha1(sha1::Sha1::new()),
            "sha256" => Hasher::Sha256(sha2::Sha256::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => return None,
        })
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> Vec<u8> {
        match self {
            Hasher::Md5(h) => h.finalize().to_vec(),
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// The header: the table of contents (compressed bytes and XML), its
/// checksum algorithm, and where the heap starts.
struct Header {
    toc_compressed: Vec<u8>,
    toc: Toc,
    algorithm: String,
    heap: u64,
}

fn read_header(path: &Path, file: &mut File) -> Result<Header, PkgError> {
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
    let algorithm_id = u32::from_be_bytes(header[24..28].try_into().expect("4 bytes"));
    if !(28..=4096).contains(&header_size) || toc_compressed > 64 << 20 || toc_plain > 256 << 20 {
        return Err(corrupt(path, "implausible header sizes"));
    }
    let algorithm = match algorithm_id {
        0 => "none".to_owned(),
        1 => "sha1".to_owned(),
        2 => "md5".to_owned(),
        // 3: "other", named after the 28 bytes, NUL-padded.
        3 => {
            let mut name = vec![0u8; (header_size - 28) as usize];
            file.read_exact(&mut name).map_err(|_| corrupt(path, "truncated header"))?;
            String::from_utf8_lossy(&name).trim_end_matches('\0').to_ascii_lowercase()
        }
        n => return Err(damaged(path, Damage::Checksum(format!("number {n} in the header is unknown")))),
    };
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
    Ok(Header { toc_compressed: compressed, toc, algorithm, heap: header_size + toc_compressed })
}

fn style_of(e: &quick_xml::events::BytesStart<'_>) -> String {
    e.attributes().flatten().find(|a| a.key.as_ref() == "style").map(|a| a.value.into_owned()).unwrap_or_default()
}

/// The five predefined XML entities (the table of contents uses no others).
fn entity(name: &str) -> &'static str {
    match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => "",
    }
}

fn parse_toc(xml: &[u8]) -> Result<Toc, String> {
    let mut reader = Reader::from_reader(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    let mut toc = Toc::default();
    // Open <file> elements, innermost last.
    let mut files: Vec<FileEntry> = Vec::new();
    let mut text = String::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| format!("table of contents is not XML: {e}"))?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = e.name().as_ref().to_owned();
            let parent = stack.last().map(String::as_str);
            let in_toc = stack.len() == 2 && stack[1] == "toc";
            match name.as_str() {
                "file" => files.push(FileEntry::default()),
                "checksum" if in_toc => toc.checksum = Some(Region { style: style_of(&e), ..Region::default() }),
                "signature" if in_toc => toc.signature = Some(Region { style: style_of(&e), ..Region::default() }),
                "x-signature" if in_toc => toc.cms = true,
                "data" if parent == Some("file") => {
                    if let Some(f) = files.last_mut() {
                        f.has_data = true;
                    }
                }
                "encoding" if parent == Some("data") => {
                    if let Some(f) = files.last_mut() {
                        f.encoding = style_of(&e);
                    }
                }
                "archived-checksum" if parent == Some("data") => {
                    if let Some(f) = files.last_mut() {
                        f.archived = Some((style_of(&e), String::new()));
                    }
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
                text.clear();
            } else if name == "file"
                && let Some(f) = files.pop()
            {
                toc.files.push(f);
            }
            buf.clear();
            continue;
        }
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::CData(t) => text.push_str(t.as_ref()),
            Event::GeneralRef(r) => text.push_str(entity(&r)),
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let value = text.trim();
                let parent = stack.last().map(String::as_str);
                let number = || value.parse::<u64>().ok();
                // Offsets and sizes of the checksum and signature.
                let region = match (stack.len(), stack.get(2).map(String::as_str)) {
                    (3, Some("checksum")) if stack[1] == "toc" => toc.checksum.as_mut(),
                    (3, Some("signature")) if stack[1] == "toc" => toc.signature.as_mut(),
                    _ => None,
                };
                if let Some(r) = region {
                    match name.as_str() {
                        "offset" => r.offset = number(),
                        "size" => r.size = number(),
                        _ => {}
                    }
                }
                if name == "X509Certificate" && stack.iter().any(|s| s == "signature") {
                    let b64: String = value.chars().filter(|c| !c.is_whitespace()).collect();
                    use base64::Engine as _;
                    if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) {
                        toc.certificates.push(der);
                    }
                }
                match (name.as_str(), parent) {
                    ("name", Some("file")) => {
                        if let Some(f) = files.last_mut() {
                            f.name = value.to_owned();
                        }
                    }
                    ("offset", Some("data")) => {
                        if let Some(f) = files.last_mut() {
                            f.offset = Some(number().unwrap_or(u64::MAX));
                        }
                    }
                    ("length", Some("data")) => {
                        if let Some(f) = files.last_mut() {
                            f.length = Some(number().unwrap_or(u64::MAX));
                        }
                    }
                    ("archived-checksum", Some("data")) => {
                        if let Some((_, v)) = files.last_mut().and_then(|f| f.archived.as_mut()) {
                            *v = value.to_ascii_lowercase();
                        }
                    }
                    ("file", _) => {
                        if let Some(mut f) = files.pop() {
                            let dir: Vec<&str> = files.iter().map(|p| p.name.as_str()).collect();
                            f.path =
                                if dir.is_empty() { f.name.clone() } else { format!("{}/{}", dir.join("/"), f.name) };
                            toc.files.push(f);
                        }
                    }
                    _ => {}
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

/// Reads one archived file whole (the small XML files only).
fn read_member(path: &Path, file: &mut File, heap: u64, entry: &FileEntry) -> Result<Vec<u8>, PkgError> {
    let (offset, length) = (entry.offset.unwrap_or(0), entry.length.unwrap_or(0));
    if length > 16 << 20 {
        return Err(corrupt(path, format!("{} is implausibly large", entry.path)));
    }
    file.seek(SeekFrom::Start(heap.saturating_add(offset))).map_err(io(path))?;
    let mut raw = vec![0u8; usize::try_from(length).map_err(|_| corrupt(path, "member too large"))?];
    file.read_exact(&mut raw).map_err(|_| corrupt(path, format!("{} lies outside the file", entry.path)))?;
    match entry.encoding.as_str() {
        "" | "application/octet-stream" => Ok(raw),
        // xar writes zlib streams under this name.
        "application/x-gzip" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&raw[..])
                .take(16 << 20)
                .read_to_end(&mut out)
                .map_err(|e| corrupt(path, format!("{} does not inflate: {e}", entry.path)))?;
            Ok(out)
        }
        other => Err(corrupt(path, format!("{} uses the unsupported encoding {other}", entry.path))),
    }
}

/// What a Distribution file names.
#[derive(Default)]
struct Distribution {
    product: Option<PackageId>,
    pkg_refs: Vec<PkgRef>,
    title: Option<String>,
}

fn parse_distribution(xml: &[u8]) -> Distribution {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Distribution::default();
    let mut in_title = false;
    // The pkg-ref whose text (`#core.pkg`) is being read.
    let mut in_ref: Option<usize> = None;
    while let Ok(event) = reader.read_event_into(&mut buf) {
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                let attr = |key: &str| {
                    e.attributes().flatten().find(|a| a.key.as_ref() == key).map(|a| a.value.trim().to_owned())
                };
                match e.name().as_ref() {
                    "product" if out.product.is_none() => {
                        if let (Some(identifier), Some(version)) = (attr("id"), attr("version")) {
                            out.product = Some(PackageId { identifier, version });
                        }
                    }
                    "pkg-ref" => {
                        if let Some(id) = attr("id").filter(|i| !i.is_empty()) {
                            let at = match out.pkg_refs.iter().position(|r| r.identifier == id) {
                                Some(at) => at,
                                None => {
                                    out.pkg_refs.push(PkgRef { identifier: id, version: String::new(), package: None });
                                    out.pkg_refs.len() - 1
                                }
                            };
                            if let Some(v) = attr("version").filter(|v| !v.is_empty())
                                && out.pkg_refs[at].version.is_empty()
                            {
                                out.pkg_refs[at].version = v;
                            }
                            in_ref = is_start.then_some(at);
                        }
                    }
                    "title" => in_title = is_start,
                    _ => {}
                }
            }
            Event::Text(t) => {
                let t = t.trim().to_owned();
                if t.is_empty() {
                } else if in_title {
                    out.title = Some(t);
                } else if let Some(at) = in_ref
                    && out.pkg_refs[at].package.is_none()
                {
                    let name = t.trim_start_matches('#');
                    // `file:./core.pkg` in older distributions.
                    let name = name.strip_prefix("file:").unwrap_or(name).trim_start_matches("./");
                    out.pkg_refs[at].package = Some(percent_decode(name));
                }
            }
            Event::End(_) => {
                in_title = false;
                in_ref = None;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// `%20` and the like in a pkg-ref's file name.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `<pkg-info identifier version>` of a component's PackageInfo.
fn parse_package_info(xml: &[u8]) -> Option<PackageId> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).ok()? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "pkg-info" => {
                let attr = |key: &str| {
                    e.attributes().flatten().find(|a| a.key.as_ref() == key).map(|a| a.value.trim().to_owned())
                };
                return Some(PackageId {
                    identifier: attr("identifier")?,
                    version: attr("version").unwrap_or_default(),
                });
            }
            Event::Eof => return None,
            _ => {}
        }
        buf.clear();
    }
}

/// Every region the table of contents names inside the file, or the
/// damage: `(name, start in the file, length)`.
fn check_bounds(path: &Path, header: &Header, file_size: u64) -> Result<(), PkgError> {
    let mut regions: Vec<(String, Option<u64>, Option<u64>)> = Vec::new();
    if let Some(c) = &header.toc.checksum {
        regions.push(("the table of contents checksum".into(), c.offset, c.size));
    }
    if let Some(s) = &header.toc.signature {
        regions.push(("the signature".into(), s.offset, s.size));
    }
    for f in header.toc.files.iter().filter(|f| f.has_data) {
        regions.push((f.path.clone(), f.offset, f.length));
    }
    for (entry, offset, length) in regions {
        let (Some(offset), Some(length)) = (offset, length) else {
            return Err(damaged(path, Damage::BadEntry { entry }));
        };
        let end = header.heap.checked_add(offset).and_then(|s| s.checked_add(length));
        match end {
            Some(end) if end <= file_size => {}
            Some(end) => return Err(damaged(path, Damage::Truncated { entry, end, file_size })),
            None => return Err(damaged(path, Damage::BadEntry { entry })),
        }
    }
    Ok(())
}

/// Reads `len` bytes of the heap at `offset`.
fn read_heap(path: &Path, file: &mut File, heap: u64, offset: u64, len: u64) -> Result<Vec<u8>, PkgError> {
    if len > 1 << 20 {
        return Err(corrupt(path, "implausibly large checksum or signature"));
    }
    file.seek(SeekFrom::Start(heap + offset)).map_err(io(path))?;
    let mut out = vec![0u8; len as usize];
    file.read_exact(&mut out).map_err(io(path))?;
    Ok(out)
}

/// The stored table-of-contents checksum, checked.
fn check_toc_checksum(path: &Path, file: &mut File, header: &Header) -> Result<Option<Vec<u8>>, PkgError> {
    let Some(region) = &header.toc.checksum else {
        return Ok(None);
    };
    if header.algorithm == "none" {
        return Ok(None);
    }
    if !region.style.eq_ignore_ascii_case(&header.algorithm) {
        return Err(damaged(
            path,
            Damage::Checksum(format!(
                "{} in the table of contents differs from {} in the header",
                region.style, header.algorithm
            )),
        ));
    }
    let mut hasher = Hasher::new(&header.algorithm)
        .ok_or_else(|| damaged(path, Damage::Checksum(format!("{} is not supported", header.algorithm))))?;
    hasher.update(&header.toc_compressed);
    let computed = hasher.finish();
    let stored = read_heap(path, file, header.heap, region.offset.unwrap_or(0), region.size.unwrap_or(0))?;
    if stored != computed {
        return Err(damaged(
            path,
            Damage::TocChecksum { algorithm: header.algorithm.clone(), stored: hex(&stored), computed: hex(&computed) },
        ));
    }
    Ok(Some(computed))
}

/// One pass over the file: its size, MD5, SHA-256, per-chunk digests, and
/// each archived file's checksum.
struct Pass {
    size: u64,
    md5: String,
    sha256: String,
    chunks: Option<ChunkDigests>,
}

fn stream(path: &Path, header: &Header, chunks: Option<(HashType, u64)>) -> Result<Pass, PkgError> {
    // Files with a checksum, by where they start in the file.
    let mut checked: Vec<(u64, u64, &FileEntry, Hasher)> = Vec::new();
    for f in header.toc.files.iter().filter(|f| f.has_data) {
        let Some((style, expected)) = &f.archived else { continue };
        if expected.is_empty() {
            continue;
        }
        let hasher = Hasher::new(style)
            .ok_or_else(|| damaged(path, Damage::Checksum(format!("{style} (of {}) is not supported", f.path))))?;
        let start = header.heap + f.offset.unwrap_or(0);
        checked.push((start, start + f.length.unwrap_or(0), f, hasher));
    }
    checked.sort_by_key(|c| c.0);

    let file = File::open(path).map_err(io(path))?;
    let mut reader = BufReader::with_capacity(256 << 10, file);
    let mut md5 = md5::Md5::new();
    let mut sha = sha2::Sha256::new();
    let mut chunk_state = chunks.map(|(t, size)| (t, size, Vec::new(), None::<Hasher>, 0u64));
    let mut pos = 0u64;
    let mut next = 0; // first entry of `checked` that may still take bytes
    let mut block = vec![0u8; 256 << 10];
    loop {
        let n = reader.read(&mut block).map_err(io(path))?;
        if n == 0 {
            break;
        }
        let bytes = &block[..n];
        md5.update(bytes);
        sha.update(bytes);
        let end = pos + n as u64;
        while next < checked.len() && checked[next].1 <= pos {
            next += 1;
        }
        for (start, stop, _, hasher) in checked[next..].iter_mut() {
            if *start >= end {
                break;
            }
            let from = start.saturating_sub(pos).min(n as u64) as usize;
            let to = (*stop).min(end).saturating_sub(pos) as usize;
            if from < to {
                hasher.update(&bytes[from..to]);
            }
        }
        if let Some((hash_type, size, hashes, current, filled)) = chunk_state.as_mut() {
            let mut rest = bytes;
            while !rest.is_empty() {
                let h = current.get_or_insert_with(|| chunk_hasher(*hash_type));
                let take = (*size - *filled).min(rest.len() as u64) as usize;
                h.update(&rest[..take]);
                *filled += take as u64;
                rest = &rest[take..];
                if *filled == *size {
                    hashes.push(hex(&current.take().expect("set above").finish()));
                    *filled = 0;
                }
            }
        }
        pos = end;
    }
    for (_, _, f, hasher) in checked {
        let (style, expected) = f.archived.as_ref().expect("only files with a checksum");
        let computed = hex(&hasher.finish());
        if &computed != expected {
            return Err(damaged(
                path,
                Damage::FileChecksum {
                    name: f.path.clone(),
                    algorithm: style.clone(),
                    expected: expected.clone(),
                    computed,
                },
            ));
        }
    }
    let chunks = chunk_state.map(|(hash_type, chunk_size, mut hashes, current, _)| {
        if let Some(h) = current {
            hashes.push(hex(&h.finish()));
        }
        ChunkDigests { hash_type, chunk_size, hashes }
    });
    Ok(Pass { size: pos, md5: hex(&md5.finalize()), sha256: hex(&sha.finalize()), chunks })
}

fn chunk_hasher(hash_type: HashType) -> Hasher {
    match hash_type {
        HashType::Md5 => Hasher::Md5(md5::Md5::new()),
        HashType::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
    }
}

/// Size, MD5 and SHA-256 of a file, streamed.
pub fn digest_file(path: &Path) -> Result<(u64, String, String), PkgError> {
    let empty = Header { toc_compressed: Vec::new(), toc: Toc::default(), algorithm: String::new(), heap: 0 };
    let pass = stream(path, &empty, None)?;
    Ok((pass.size, pass.md5, pass.sha256))
}

/// A certificate given as PEM (`-----BEGIN CERTIFICATE-----`) or DER.
fn pem_or_der(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let Some(start) = text.find("-----BEGIN CERTIFICATE-----") else {
        return bytes.to_vec();
    };
    let body = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
    let body = body.split("-----END").next().unwrap_or_default();
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_else(|_| bytes.to_vec())
}

/// Reads a flat package: ids, title, signature, size and digests; checks
/// its structure and checksums. A component package is an error.
pub fn inspect(path: impl AsRef<Path>) -> Result<PackageInfo, PkgError> {
    inspect_with(path, &InspectOptions::default())
}

/// [`inspect`] with roots to judge the signer's chain against, and
/// per-chunk digests.
pub fn inspect_with(path: impl AsRef<Path>, options: &InspectOptions) -> Result<PackageInfo, PkgError> {
    let path = path.as_ref();
    let mut file = File::open(path).map_err(io(path))?;
    let file_size = file.metadata().map_err(io(path))?.len();
    let header = read_header(path, &mut file)?;
    check_bounds(path, &header, file_size)?;
    let top = |name: &str| header.toc.files.iter().find(|f| f.path == name && f.has_data);
    let Some(dist) = top("Distribution") else {
        return Err(if top("PackageInfo").is_some() {
            PkgError::ComponentPackage { path: path.to_owned() }
        } else {
            corrupt(path, "neither a Distribution nor a PackageInfo file")
        });
    };
    let toc_checksum = check_toc_checksum(path, &mut file, &header)?;
    let distribution = parse_distribution(&read_member(path, &mut file, header.heap, dist)?);
    let mut components = Vec::new();
    for f in header.toc.files.iter().filter(|f| f.has_data && f.name == "PackageInfo" && f.path.contains('/')) {
        let dir = f.path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
        if let Some(id) = parse_package_info(&read_member(path, &mut file, header.heap, f)?) {
            components.push(Component { path: dir.to_owned(), identifier: id.identifier, version: id.version });
        }
    }
    let signature = match &header.toc.signature {
        Some(region) => Some(super::signature::check(
            &region.style,
            toc_checksum.as_deref(),
            &header.algorithm,
            &read_heap(path, &mut file, header.heap, region.offset.unwrap_or(0), region.size.unwrap_or(0))?,
            &header.toc.certificates,
            &options.roots,
            header.toc.cms,
        )),
        None if header.toc.cms => Some(super::signature::cms_only()),
        None => None,
    };
    drop(file);
    let pass = stream(path, &header, options.chunks)?;
    let default = distribution
        .product
        .clone()
        .or_else(|| {
            distribution
                .pkg_refs
                .iter()
                .find(|r| !r.version.is_empty())
                .map(|r| PackageId { identifier: r.identifier.clone(), version: r.version.clone() })
        })
        .ok_or_else(|| PkgError::NoIdentifier { path: path.to_owned() })?;
    Ok(PackageInfo {
        identifier: default.identifier,
        version: default.version,
        title: distribution.title,
        product: distribution.product,
        pkg_refs: distribution.pkg_refs,
        components,
        signed: header.toc.signature.is_some() || header.toc.cms,
        signature,
        checksum_algorithm: header.algorithm,
        size: pass.size,
        md5: pass.md5,
        sha256: pass.sha256,
        chunks: pass.chunks,
    })
}

/// Options of [`manifest_from_pkg_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ManifestOptions {
    /// The digest of the whole file for `hash`/`hashType`.
    pub hash_type: HashType,
    /// Accept an unsigned package (Macs refuse them from MDM).
    pub allow_unsigned: bool,
    /// Which id and version become `bundleId`/`bundleVersion`.
    pub bundle_id: BundleId,
    /// Roots the signer's chain must lead to (see [`InspectOptions::roots`]).
    pub roots: Vec<Vec<u8>>,
}

impl ManifestOptions {
    /// The defaults for a hash type: signed packages only, the product's id.
    pub fn new(hash_type: HashType) -> Self {
        ManifestOptions { hash_type, allow_unsigned: false, bundle_id: BundleId::Product, roots: Vec::new() }
    }

    /// Adds a root certificate, DER or PEM.
    pub fn root(mut self, certificate: &[u8]) -> Self {
        self.roots.push(pem_or_der(certificate));
        self
    }
}

/// The deploy-package manifest of a package served from `url`: identifier,
/// version and title from the package, its size and digest. Unsigned
/// packages are refused unless `allow_unsigned` (Macs refuse them); a
/// signature that does not verify is always refused.
pub fn manifest_from_pkg(
    path: impl AsRef<Path>,
    url: impl Into<String>,
    hash_type: HashType,
    allow_unsigned: bool,
) -> Result<PackageManifest, PkgError> {
    let options = ManifestOptions { allow_unsigned, ..ManifestOptions::new(hash_type) };
    manifest_from_pkg_with(path, url, &options).map(|(manifest, _)| manifest)
}

/// [`manifest_from_pkg`] with every option; returns the package's
/// [`PackageInfo`] too (its signer, ids, components).
pub fn manifest_from_pkg_with(
    path: impl AsRef<Path>,
    url: impl Into<String>,
    options: &ManifestOptions,
) -> Result<(PackageManifest, PackageInfo), PkgError> {
    let path = path.as_ref();
    let info = inspect_with(path, &InspectOptions { roots: options.roots.clone(), chunks: None })?;
    // Refused: no signature (unless allowed), one that fails, a chain that
    // does not link, or one that misses the roots given. A signature that
    // cannot be checked here (no certificate, not RSA, CMS only) passes,
    // and `PackageInfo::signature` says so.
    match &info.signature {
        None if !options.allow_unsigned => return Err(PkgError::Unsigned { path: path.to_owned() }),
        None => {}
        Some(s) => {
            let problem = match (&s.check, &s.chain_problem, &s.trust) {
                (SignatureCheck::Failed(r), _, _) => Some(r.clone()),
                (_, Some(p), _) => Some(p.clone()),
                (_, _, Trust::Untrusted(r)) => Some(r.clone()),
                _ => None,
            };
            if let Some(reason) = problem {
                return Err(PkgError::BadSignature { path: path.to_owned(), reason });
            }
        }
    }
    let chosen = info.bundle_id(&options.bundle_id).ok_or_else(|| match &options.bundle_id {
        BundleId::PkgRef(id) => PkgError::NoSuchPkgRef {
            path: path.to_owned(),
            id: id.clone(),
            available: info.pkg_refs.iter().map(|r| r.identifier.as_str()).collect::<Vec<_>>().join(", "),
        },
        BundleId::Product => PkgError::NoIdentifier { path: path.to_owned() },
    })?;
    let title = info.title.clone().unwrap_or_else(|| {
        path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| chosen.identifier.clone())
    });
    let hash = match options.hash_type {
        HashType::Md5 => info.md5.clone(),
        HashType::Sha256 => info.sha256.clone(),
    };
    let manifest =
        PackageManifest::new(url, hash, options.hash_type, chosen.identifier, chosen.version, title, info.size);
    Ok((manifest, info))
}
