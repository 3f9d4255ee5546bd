//! The `aws-chunked` content encoding of streaming uploads: `hex-size[;chunk-signature=..]\r\n`,
//! the data, `\r\n`, repeated until a zero-size chunk, then trailers (checksums) and `\r\n`.

use super::error::S3Error;

/// Trailer lines after the last chunk: (name in lower case, value).
pub(super) type Trailers = Vec<(String, String)>;

/// The payload inside an aws-chunked body, and its trailers.
pub(super) fn decode(body: &[u8]) -> Result<(Vec<u8>, Trailers), S3Error> {
    let malformed =
        |what: &str| S3Error::InvalidRequest(format!("malformed aws-chunked body: {what}"));
    let mut payload = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let end = find_crlf(rest).ok_or_else(|| malformed("a chunk header without CRLF"))?;
        let header =
            std::str::from_utf8(&rest[..end]).map_err(|_| malformed("a non-text chunk header"))?;
        let size_text = header.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| malformed(&format!("chunk size `{size_text}`")))?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok((payload, trailers(rest)));
        }
        let data = rest
            .get(..size)
            .ok_or_else(|| malformed("a chunk shorter than its size"))?;
        payload.extend_from_slice(data);
        rest = rest
            .get(size..)
            .and_then(|after| after.strip_prefix(b"\r\n"))
            .ok_or_else(|| malformed("a chunk not followed by CRLF"))?;
    }
}

/// `name:value` lines up to the empty one.
fn trailers(rest: &[u8]) -> Trailers {
    String::from_utf8_lossy(rest)
        .split("\r\n")
        .take_while(|line| !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect()
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|window| window == b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_signed_unsigned_and_trailer_framings() {
        #[track_caller]
        fn case(body: &[u8], expected: &[u8]) {
            assert_eq!(decode(body).expect("well-formed").0, expected);
        }
        // Unsigned with a checksum trailer, what aws-sdk-s3 sends for a streaming upload.
        case(
            b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
            b"hello",
        );
        // SigV4 streaming, a signature per chunk.
        case(
            b"6;chunk-signature=aaaa\r\nhello \r\n5;chunk-signature=bbbb\r\nworld\r\n\
              0;chunk-signature=cccc\r\n\r\n",
            b"hello world",
        );
        assert_eq!(
            decode(b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n")
                .expect("well-formed")
                .1,
            [("x-amz-checksum-crc32".to_owned(), "NhCmhg==".to_owned())]
        );
        // Chunk data may itself contain CRLF.
        case(b"4\r\na\r\nb\r\n0\r\n\r\n", b"a\r\nb");
        case(b"0\r\n\r\n", b"");
        // Upper-case hex sizes.
        let mut large = b"1A\r\n".to_vec();
        large.extend_from_slice(&[b'x'; 26]);
        large.extend_from_slice(b"\r\n0\r\n\r\n");
        case(&large, &[b'x'; 26]);
    }

    #[test]
    fn rejects_broken_framing() {
        #[track_caller]
        fn case(body: &[u8]) {
            assert!(decode(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
        case(b"");
        case(b"zz\r\nhello\r\n0\r\n\r\n");
        case(b"9\r\nhello\r\n0\r\n\r\n");
        case(b"5\r\nhelloXX0\r\n\r\n");
        case(b"5\r\nhello\r\n");
    }
}
