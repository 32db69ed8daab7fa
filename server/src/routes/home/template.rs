//! The cached home page, compressed once and completed per response with that response's own
//! CSP nonce.
//!
//! A nonce is only worth something while nobody can read it in advance, so a cached page
//! cannot keep the nonce it was rendered with. Compressing the whole page for each request
//! would cost what the cache saves; instead the page is cut where its first nonce starts. The
//! document puts its nonce'd scripts last (`app::pages::shell`), so everything before the cut
//! is nearly the whole page: it is compressed once, each compressor flushed to a byte boundary
//! at the cut. Each response appends the small rest, its nonce filled in, as uncompressed
//! blocks that both formats allow (a DEFLATE stored block, a brotli uncompressed meta-block),
//! then the formats' own endings (gzip's CRC-32 and length, brotli's last empty meta-block).

use std::io::Write;

use axum::body::Bytes;

/// One rendering of the page, ready to be completed with any nonce.
pub struct Template {
    /// The page up to its first nonce, uncompressed, gzip (its header and a DEFLATE stream
    /// flushed at the cut) and brotli (flushed at the cut).
    head: Bytes,
    gzip_head: Bytes,
    brotli_head: Bytes,
    /// The CRC-32 of `head`, carried on per response over the rest.
    head_crc: crc32fast::Hasher,
    /// What follows each nonce: the page is `head`, then `nonce + part` for each part.
    parts: Vec<Bytes>,
}

/// The encodings a response can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Template {
    /// Cuts `html`, rendered with `nonce`, at each place the nonce stands.
    pub fn new(html: &[u8], nonce: Option<&str>) -> Template {
        let mut pieces: Vec<&[u8]> = match nonce.filter(|n| !n.is_empty()) {
            Some(nonce) => split(html, nonce.as_bytes()),
            None => vec![html],
        };
        let head = pieces.remove(0);
        let mut head_crc = crc32fast::Hasher::new();
        head_crc.update(head);
        Template {
            head: Bytes::copy_from_slice(head),
            gzip_head: gzip_flushed(head),
            brotli_head: brotli_flushed(head),
            head_crc,
            parts: pieces.into_iter().map(Bytes::copy_from_slice).collect(),
        }
    }

    /// The whole page with `nonce` in every place the rendering had its own, encoded.
    pub fn complete(&self, nonce: &str, encoding: Encoding) -> Bytes {
        let mut rest = Vec::new();
        for part in &self.parts {
            rest.extend_from_slice(nonce.as_bytes());
            rest.extend_from_slice(part);
        }
        match encoding {
            Encoding::Identity => [&self.head[..], &rest].concat().into(),
            Encoding::Gzip => self.gzip(&rest),
            Encoding::Brotli => self.brotli(&rest),
        }
    }

    fn gzip(&self, rest: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(self.gzip_head.len() + rest.len() + 64);
        out.extend_from_slice(&self.gzip_head);
        // Stored blocks hold at most 65,535 bytes; the last one is marked final (an empty one
        // when there is no rest).
        let mut blocks = rest.chunks(usize::from(u16::MAX)).peekable();
        if blocks.peek().is_none() {
            stored_block(&mut out, &[], true);
        }
        while let Some(block) = blocks.next() {
            stored_block(&mut out, block, blocks.peek().is_none());
        }
        let mut crc = self.head_crc.clone();
        crc.update(rest);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE: the uncompressed length modulo 2^32.
        let size = (self.head.len() + rest.len()) as u32;
        out.extend_from_slice(&size.to_le_bytes());
        out.into()
    }

    fn brotli(&self, rest: &[u8]) -> Bytes {
        let mut out = Vec::with_capacity(self.brotli_head.len() + rest.len() + 64);
        out.extend_from_slice(&self.brotli_head);
        // An uncompressed meta-block holds at most 2^24 bytes.
        for block in rest.chunks(1 << 24) {
            uncompressed_meta_block(&mut out, block);
        }
        // ISLAST and ISLASTEMPTY: the stream ends.
        out.push(0b11);
        out.into()
    }
}

/// `html` cut at each occurrence of `nonce` (which is left out).
fn split<'a>(html: &'a [u8], nonce: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + nonce.len() <= html.len() {
        if &html[at..at + nonce.len()] == nonce {
            pieces.push(&html[start..at]);
            at += nonce.len();
            start = at;
        } else {
            at += 1;
        }
    }
    pieces.push(&html[start..]);
    pieces
}

/// gzip's header (no name, no time, unknown system) and `data` as DEFLATE, flushed to a byte
/// boundary and left open for more blocks.
fn gzip_flushed(data: &[u8]) -> Bytes {
    const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut encoder =
        flate2::write::DeflateEncoder::new(HEADER.to_vec(), flate2::Compression::best());
    encoder.write_all(data).expect("writing to memory");
    // A sync flush: every byte so far is out, and the stream is byte-aligned.
    encoder.flush().expect("writing to memory");
    Bytes::copy_from_slice(encoder.get_ref())
}

/// `data` as brotli, flushed to a byte boundary and left open for more meta-blocks.
fn brotli_flushed(data: &[u8]) -> Bytes {
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 9, 22);
    encoder.write_all(data).expect("writing to memory");
    encoder.flush().expect("writing to memory");
    Bytes::copy_from_slice(encoder.get_ref())
}

/// A DEFLATE stored block (RFC 1951 3.2.4), written at a byte boundary.
fn stored_block(out: &mut Vec<u8>, data: &[u8], last: bool) {
    let len = u16::try_from(data.len()).expect("a stored block holds at most 65,535 bytes");
    // BFINAL, then BTYPE 00; the rest of the byte is padding.
    out.push(u8::from(last));
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
}

/// A brotli uncompressed meta-block (RFC 7932 9.2), not the last, written at a byte boundary.
fn uncompressed_meta_block(out: &mut Vec<u8>, data: &[u8]) {
    let length = data.len() as u64 - 1;
    // MLEN - 1 in 4, 5 or 6 nibbles: the fewest that hold it.
    let nibbles = match length {
        0..0x1_0000 => 4,
        0x1_0000..0x10_0000 => 5,
        _ => 6,
    };
    // ISLAST = 0, MNIBBLES - 4, MLEN - 1, ISUNCOMPRESSED = 1; then padding to the byte.
    let bits = ((nibbles - 4) << 1) | (length << 3) | (1 << (3 + 4 * nibbles));
    let bytes = (4 + 4 * nibbles).div_ceil(8) as usize;
    out.extend_from_slice(&bits.to_le_bytes()[..bytes]);
    out.extend_from_slice(data);
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn page(nonce: &str, filler: usize) -> String {
        let body: String = (0..filler)
            .map(|i| format!("<li>producto {i}</li>"))
            .collect();
        format!(
            "<html><body><ul>{body}</ul><script nonce=\"{nonce}\">x</script>\
             <script nonce=\"{nonce}\">{}</script></body></html>",
            "y".repeat(filler)
        )
    }

    fn decoded(template: &Template, nonce: &str, encoding: Encoding) -> String {
        let bytes = template.complete(nonce, encoding);
        let mut out = String::new();
        match encoding {
            Encoding::Identity => out = String::from_utf8(bytes.to_vec()).unwrap(),
            Encoding::Gzip => {
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .unwrap();
            }
            Encoding::Brotli => {
                brotli::Decompressor::new(&bytes[..], 4096)
                    .read_to_string(&mut out)
                    .unwrap();
            }
        }
        out
    }

    #[test]
    fn each_response_decodes_to_the_page_with_its_own_nonce() {
        // Small and large rests: a rest past 65,535 bytes takes several stored blocks and a
        // meta-block length of five nibbles.
        for filler in [0, 10, 3_000, 70_000] {
            let template = Template::new(page("rendered", filler).as_bytes(), Some("rendered"));
            for encoding in [Encoding::Identity, Encoding::Gzip, Encoding::Brotli] {
                for nonce in ["first-nonce", "second"] {
                    assert_eq!(
                        decoded(&template, nonce, encoding),
                        page(nonce, filler),
                        "{encoding:?} with {filler}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_head_is_compressed_once_and_the_rest_is_small() {
        let html = page("n0nce", 2_000);
        let template = Template::new(html.as_bytes(), Some("n0nce"));
        let gzip = template.complete("another", Encoding::Gzip);
        assert!(
            gzip.len() * 4 < html.len(),
            "{} of {}",
            gzip.len(),
            html.len()
        );
    }

    #[test]
    fn a_page_without_a_nonce_is_served_as_rendered() {
        let html = "<html><body>sin scripts</body></html>";
        let template = Template::new(html.as_bytes(), None);
        for encoding in [Encoding::Identity, Encoding::Gzip, Encoding::Brotli] {
            assert_eq!(decoded(&template, "ignored", encoding), html);
        }
    }
}
