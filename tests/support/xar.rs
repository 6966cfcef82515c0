//! Writing xar archives (flat packages) in tests: the header, the
//! zlib-compressed table of contents with real SHA-1 checksums, the heap,
//! and optionally an RSA signature made by a closure. Shared by the
//! library's and the CLI's tests through `#[path]`.

#![allow(dead_code)]

use std::io::Write as _;

use sha1::Digest as _;

/// `data`, zlib-compressed (xar's `application/x-gzip` encoding).
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn sha1_hex(data: &[u8]) -> String {
    sha1::Sha1::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64, for the certificates in the table of contents.
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n =
            (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A signer: signs the 20-byte SHA-1 table-of-contents checksum, giving
/// exactly `len` bytes; `certificates` (DER, leaf first) go into the
/// table of contents.
pub struct Signer<'a> {
    pub sign: &'a dyn Fn(&[u8]) -> Vec<u8>,
    pub certificates: Vec<Vec<u8>>,
    pub len: usize,
}

/// Where things are in a built archive, for tests that damage it.
pub struct Built {
    pub bytes: Vec<u8>,
    /// Where the heap starts.
    pub heap: usize,
    /// Each file's encoded bytes: (path, start in the file, length).
    pub files: Vec<(String, usize, usize)>,
    /// The signature's bytes: (start in the file, length).
    pub signature: Option<(usize, usize)>,
}

/// A xar archive holding `files` (path, contents; `dir/name` nests a file
/// in a directory), each zlib-encoded with its archived and extracted
/// SHA-1, a SHA-1 table-of-contents checksum, an RSA signature when
/// `signer` is given, and, when `padding` is not 0, a `Payload` file of
/// that many bytes stored as they are (so the file has some size).
pub fn build(files: &[(&str, &[u8])], signer: Option<&Signer<'_>>, padding: usize) -> Built {
    let sig_len = signer.map_or(0, |s| s.len);
    let mut heap = vec![0u8; 20 + sig_len];
    let mut placed = Vec::new();
    let payload = vec![0xa5u8; padding];
    let mut files = files.to_vec();
    if padding > 0 {
        files.push(("Payload", &payload));
    }
    // Entries grouped by directory, in order of first appearance.
    let mut tree: Vec<(String, Vec<String>)> = Vec::new();
    for (i, (path, contents)) in files.iter().enumerate() {
        let raw = *path == "Payload";
        let encoded = if raw { contents.to_vec() } else { zlib(contents) };
        let encoding = if raw { "application/octet-stream" } else { "application/x-gzip" };
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let entry = format!(
            "<file id=\"{}\"><data><length>{}</length><offset>{}</offset><size>{}</size>\
             <encoding style=\"{encoding}\"/><archived-checksum style=\"sha1\">{}</archived-checksum>\
             <extracted-checksum style=\"sha1\">{}</extracted-checksum></data><name>{name}</name><type>file</type></file>",
            i + 1,
            encoded.len(),
            heap.len(),
            contents.len(),
            sha1_hex(&encoded),
            sha1_hex(contents),
        );
        placed.push((path.to_string(), heap.len(), encoded.len()));
        heap.extend_from_slice(&encoded);
        match tree.iter_mut().find(|(d, _)| d == dir) {
            Some((_, entries)) => entries.push(entry),
            None => tree.push((dir.to_owned(), vec![entry])),
        }
    }
    let mut entries = String::new();
    for (n, (dir, list)) in tree.iter().enumerate() {
        if dir.is_empty() {
            entries.push_str(&list.concat());
        } else {
            entries.push_str(&format!(
                "<file id=\"{}\"><name>{dir}</name><type>directory</type>{}</file>",
                1000 + n,
                list.concat()
            ));
        }
    }
    let signature = match signer {
        Some(s) => format!(
            "<signature style=\"RSA\"><offset>20</offset><size>{}</size><KeyInfo \
             xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data>{}</X509Data></KeyInfo></signature>",
            s.len,
            s.certificates
                .iter()
                .map(|c| format!("<X509Certificate>{}</X509Certificate>", base64(c)))
                .collect::<String>()
        ),
        None => String::new(),
    };
    let toc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xar>\n <toc>\n  <checksum style=\"sha1\"><offset>0</offset>\
         <size>20</size></checksum>\n  {signature}\n  {entries}\n </toc>\n</xar>\n"
    );
    let toc_z = zlib(toc.as_bytes());
    let checksum = sha1::Sha1::digest(&toc_z);
    heap[..20].copy_from_slice(&checksum);
    if let Some(s) = signer {
        let sig = (s.sign)(&checksum);
        assert_eq!(sig.len(), s.len, "the signer's output length");
        heap[20..20 + s.len].copy_from_slice(&sig);
    }
    let bytes = archive_z(&toc_z, toc.len(), &heap);
    let at = bytes.len() - heap.len();
    Built {
        heap: at,
        files: placed.into_iter().map(|(p, o, l)| (p, at + o, l)).collect(),
        signature: signer.map(|s| (at + 20, s.len)),
        bytes,
    }
}

/// A xar archive: a 28-byte header (SHA-1 checksums), the table of
/// contents `toc` compressed, then `heap` (whose checksum slot the caller
/// fills).
pub fn archive(toc: &str, heap: &[u8]) -> Vec<u8> {
    archive_z(&zlib(toc.as_bytes()), toc.len(), heap)
}

fn archive_z(toc_z: &[u8], toc_len: usize, heap: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"xar!");
    out.extend_from_slice(&28u16.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(toc_z.len() as u64).to_be_bytes());
    out.extend_from_slice(&(toc_len as u64).to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(toc_z);
    out.extend_from_slice(heap);
    out
}
