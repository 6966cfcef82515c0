//! Writing xar archives (flat packages) in tests: the header, the
//! zlib-compressed table of contents and the heap. Shared by the library's
//! and the CLI's tests through `#[path]`.

use std::io::Write as _;

/// `data`, zlib-compressed (xar's `application/x-gzip` encoding).
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A xar archive: a 28-byte header (SHA-1 checksums), the table of
/// contents `toc` compressed, then `heap`.
pub fn archive(toc: &str, heap: &[u8]) -> Vec<u8> {
    let toc_z = zlib(toc.as_bytes());
    let mut out = Vec::new();
    out.extend_from_slice(b"xar!");
    out.extend_from_slice(&28u16.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(toc_z.len() as u64).to_be_bytes());
    out.extend_from_slice(&(toc.len() as u64).to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&toc_z);
    out.extend_from_slice(heap);
    out
}
