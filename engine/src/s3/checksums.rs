//! `x-amz-checksum-*`: the integrity checksums S3 validates on a write and returns on a read with
//! `x-amz-checksum-mode: ENABLED`, as current SDKs send them by default (in a header, or in the
//! trailer of an `aws-chunked` body).
//!
//! S3 User Guide, "Checking object integrity in Amazon S3": CRC32, CRC32C, CRC64NVME, SHA-1 and
//! SHA-256, base64 of the big-endian digest; a value that does not match the bytes is refused
//! with `400 BadDigest`; an object written without one gets a CRC64NVME checksum.

use base64::Engine as _;
use hyper::header::HeaderMap;
use md5::{Digest as _, Md5};
use sha1::Sha1;
use sha2::Sha256;

use super::error::S3Error;

/// A checksum algorithm S3 supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC-32 (ISO-HDLC, the zlib one).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

/// Every algorithm, in the order their headers are looked for.
pub const ALGORITHMS: [Algorithm; 5] = [
    Algorithm::Crc32,
    Algorithm::Crc32c,
    Algorithm::Crc64Nvme,
    Algorithm::Sha1,
    Algorithm::Sha256,
];

impl Algorithm {
    /// `CRC32`, as `x-amz-sdk-checksum-algorithm` names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
        }
    }

    /// The algorithm `name` names (any case).
    pub fn named(name: &str) -> Option<Self> {
        ALGORITHMS
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }

    /// `x-amz-checksum-crc32`.
    pub fn header(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Self::Sha1 => "x-amz-checksum-sha1",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The digest's length in bytes.
    fn length(self) -> usize {
        match self {
            Self::Crc32 | Self::Crc32c => 4,
            Self::Crc64Nvme => 8,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }

    /// The base64 checksum of `bytes`.
    pub fn compute(self, bytes: &[u8]) -> String {
        use crc_fast::CrcAlgorithm;
        let digest: Vec<u8> = match self {
            Self::Crc32 => crc32(CrcAlgorithm::Crc32IsoHdlc, bytes),
            Self::Crc32c => crc32(CrcAlgorithm::Crc32Iscsi, bytes),
            Self::Crc64Nvme => crc_fast::checksum(CrcAlgorithm::Crc64Nvme, bytes)
                .to_be_bytes()
                .to_vec(),
            Self::Sha1 => Sha1::digest(bytes).to_vec(),
            Self::Sha256 => Sha256::digest(bytes).to_vec(),
        };
        base64::engine::general_purpose::STANDARD.encode(digest)
    }
}

fn crc32(algorithm: crc_fast::CrcAlgorithm, bytes: &[u8]) -> Vec<u8> {
    // A 32-bit CRC in the low half of the u64 crc-fast returns.
    let value = crc_fast::checksum(algorithm, bytes) & 0xffff_ffff;
    value.to_be_bytes()[4..].to_vec()
}

/// An object's checksum: its algorithm and base64 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The base64 digest.
    pub value: String,
}

impl Checksum {
    /// The checksum of `bytes` with `algorithm`.
    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Self {
        Self {
            algorithm,
            value: algorithm.compute(bytes),
        }
    }
}

/// The checksum a write of `body` carries (headers, then the aws-chunked trailers), checked
/// against the bytes; `None` when it carries none.
pub(super) fn verified(
    headers: &HeaderMap,
    trailers: &[(String, String)],
    body: &[u8],
) -> Result<Option<Checksum>, S3Error> {
    check_content_md5(headers, body)?;
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let mut sent = Vec::new();
    for algorithm in ALGORITHMS {
        let value = header(algorithm.header()).or_else(|| {
            trailers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(algorithm.header()))
                .map(|(_, value)| value.as_str())
        });
        if let Some(value) = value {
            sent.push((algorithm, value.trim().to_owned()));
        }
    }
    let declared = header("x-amz-sdk-checksum-algorithm")
        .or_else(|| header("x-amz-checksum-algorithm"))
        .map(|name| {
            Algorithm::named(name).ok_or_else(|| {
                S3Error::InvalidRequest(format!(
                    "Value for x-amz-sdk-checksum-algorithm header is invalid: `{name}` (CRC32, CRC32C, CRC64NVME, SHA1 or SHA256)"
                ))
            })
        })
        .transpose()?;
    if sent.len() > 1 {
        return Err(S3Error::InvalidRequest(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                .into(),
        ));
    }
    let Some((algorithm, value)) = sent.pop() else {
        // An algorithm named without a value: S3 computes it.
        return Ok(declared.map(|algorithm| Checksum::of(algorithm, body)));
    };
    if declared.is_some_and(|declared| declared != algorithm) {
        return Err(S3Error::InvalidRequest(format!(
            "Value for x-amz-sdk-checksum-algorithm header is invalid: it names {} but the request carries {}.",
            declared.map_or("", Algorithm::name),
            algorithm.header()
        )));
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(&value);
    if decoded.map_or(true, |digest| digest.len() != algorithm.length()) {
        return Err(S3Error::InvalidRequest(format!(
            "Value for {} header is invalid.",
            algorithm.header()
        )));
    }
    let computed = Checksum::of(algorithm, body);
    if computed.value != value {
        return Err(S3Error::BadDigest(format!(
            "The {} you specified did not match the calculated checksum.",
            algorithm.name()
        )));
    }
    Ok(Some(computed))
}

/// `Content-MD5`: base64 of the body's MD5; `InvalidDigest` when it is not one, `BadDigest` when
/// it is another body's.
fn check_content_md5(headers: &HeaderMap, body: &[u8]) -> Result<(), S3Error> {
    let Some(sent) = headers
        .get("content-md5")
        .and_then(|value| value.to_str().ok())
    else {
        return Ok(());
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(sent.trim())
        .ok()
        .filter(|digest| digest.len() == 16)
        .ok_or(S3Error::InvalidDigest)?;
    if decoded.as_slice() == Md5::digest(body).as_slice() {
        Ok(())
    } else {
        Err(S3Error::BadDigest(
            "The Content-MD5 you specified did not match what we received.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_published_check_values() {
        // The check value of each CRC is its digest of "123456789" (the CRC catalogue).
        let check = |algorithm: Algorithm| {
            base64::engine::general_purpose::STANDARD
                .decode(algorithm.compute(b"123456789"))
                .expect("base64")
        };
        assert_eq!(check(Algorithm::Crc32), 0xcbf4_3926_u32.to_be_bytes());
        assert_eq!(check(Algorithm::Crc32c), 0xe306_9283_u32.to_be_bytes());
        assert_eq!(
            check(Algorithm::Crc64Nvme),
            0xae8b_1486_0a79_9888_u64.to_be_bytes()
        );
        // What aws-sdk-s3 sends for "hello" (its own test vectors, as the engine's tests use).
        assert_eq!(Algorithm::Crc32.compute(b"hello"), "NhCmhg==");
    }

    #[test]
    fn a_wrong_value_is_a_bad_digest_and_a_malformed_one_invalid() {
        let mut headers = HeaderMap::new();
        headers.insert("x-amz-checksum-crc32", "AAAAAA==".parse().expect("a value"));
        assert!(matches!(
            verified(&headers, &[], b"hello"),
            Err(S3Error::BadDigest(_))
        ));
        headers.insert(
            "x-amz-checksum-crc32",
            "not base64".parse().expect("a value"),
        );
        assert!(matches!(
            verified(&headers, &[], b"hello"),
            Err(S3Error::InvalidRequest(_))
        ));
        let trailers = [("x-amz-checksum-crc32".to_owned(), "NhCmhg==".to_owned())];
        assert_eq!(
            verified(&HeaderMap::new(), &trailers, b"hello").expect("valid"),
            Some(Checksum::of(Algorithm::Crc32, b"hello"))
        );
        let mut md5 = HeaderMap::new();
        md5.insert(
            "content-md5",
            "XUFAKrxLKna5cZ2REBfFkg==".parse().expect("a value"),
        );
        assert!(verified(&md5, &[], b"hello").is_ok());
        assert!(matches!(
            verified(&md5, &[], b"other"),
            Err(S3Error::BadDigest(_))
        ));
    }
}
