//! What a Lambda `bootstrap` must be, read from its ELF header: the machine it runs on and the
//! glibc versions its dynamic symbols need (the `GLIBC_2.x` entries of `.gnu.version_r`, which
//! the loader checks against the runtime's glibc before the first instruction runs).
//!
//! Only 64-bit little-endian files are read: both Lambda architectures are.

/// `e_machine` of x86-64.
pub const EM_X86_64: u16 = 62;
/// `e_machine` of `AArch64`.
pub const EM_AARCH64: u16 = 183;

/// `sh_type` of the section listing the versions needed from each shared library.
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;

/// The facts of one executable that decide whether Lambda can start it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfFacts {
    /// `e_machine`: [`EM_X86_64`], [`EM_AARCH64`], …
    pub machine: u16,
    /// Every `GLIBC_x.y[.z]` version the file needs, as numbers, sorted, without repeats.
    pub glibc_versions: Vec<Vec<u32>>,
}

impl ElfFacts {
    /// The highest glibc version needed (`[2, 34]`), if any.
    pub fn max_glibc(&self) -> Option<&[u32]> {
        self.glibc_versions.last().map(Vec::as_slice)
    }
}

/// Why the bytes are not an executable this module reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    #[error("not an ELF file (no `\\x7fELF` magic)")]
    NotElf,
    #[error("not a 64-bit little-endian ELF file (class {class}, data {data})")]
    Unsupported { class: u8, data: u8 },
    #[error("truncated: {what} lies past the end of the file")]
    Truncated { what: &'static str },
}

/// Reads the machine and the needed glibc versions of `bytes`.
pub fn inspect(bytes: &[u8]) -> Result<ElfFacts, ElfError> {
    if bytes.get(..4) != Some(b"\x7fELF") {
        return Err(ElfError::NotElf);
    }
    let (class, data) = (bytes.get(4).copied(), bytes.get(5).copied());
    if class != Some(2) || data != Some(1) {
        return Err(ElfError::Unsupported {
            class: class.unwrap_or(0),
            data: data.unwrap_or(0),
        });
    }
    let header = Reader(bytes);
    let machine = header.u16(18, "e_machine")?;
    let section_table = header.u64(0x28, "e_shoff")?;
    let entry_size = u64::from(header.u16(0x3a, "e_shentsize")?);
    let count = u64::from(header.u16(0x3c, "e_shnum")?);
    let sections: Vec<Section> = (0..count)
        .map(|index| Section::read(&header, section_table + index * entry_size))
        .collect::<Result<_, _>>()?;
    let mut glibc_versions = Vec::new();
    for verneed in sections.iter().filter(|s| s.kind == SHT_GNU_VERNEED) {
        let strings = sections
            .get(verneed.link as usize)
            .ok_or(ElfError::Truncated {
                what: "the string table of `.gnu.version_r`",
            })?;
        for name in needed_versions(&header, verneed, strings)? {
            if let Some(version) = name.strip_prefix("GLIBC_") {
                let numbers: Option<Vec<u32>> =
                    version.split('.').map(|part| part.parse().ok()).collect();
                glibc_versions.extend(numbers);
            }
        }
    }
    glibc_versions.sort();
    glibc_versions.dedup();
    Ok(ElfFacts {
        machine,
        glibc_versions,
    })
}

/// The version names of every `Vernaux` entry of a `.gnu.version_r` section.
fn needed_versions(
    file: &Reader<'_>,
    verneed: &Section,
    strings: &Section,
) -> Result<Vec<String>, ElfError> {
    let mut names = Vec::new();
    let mut entry = verneed.offset;
    // `sh_info` holds the number of Verneed entries.
    for _ in 0..verneed.info {
        let aux_count = file.u16(entry + 2, "vn_cnt")?;
        let mut aux = entry + u64::from(file.u32(entry + 8, "vn_aux")?);
        for _ in 0..aux_count {
            let name = file.u32(aux + 8, "vna_name")?;
            names.push(file.c_string(strings.offset + u64::from(name))?);
            aux += u64::from(file.u32(aux + 12, "vna_next")?);
        }
        let next = file.u32(entry + 12, "vn_next")?;
        if next == 0 {
            break;
        }
        entry += u64::from(next);
    }
    Ok(names)
}

/// The fields of a section header this module uses.
struct Section {
    kind: u32,
    offset: u64,
    link: u32,
    info: u32,
}

impl Section {
    fn read(file: &Reader<'_>, at: u64) -> Result<Self, ElfError> {
        Ok(Self {
            kind: file.u32(at + 4, "sh_type")?,
            offset: file.u64(at + 24, "sh_offset")?,
            link: file.u32(at + 40, "sh_link")?,
            info: file.u32(at + 44, "sh_info")?,
        })
    }
}

/// Little-endian reads at file offsets, each bounds-checked.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: u64, what: &'static str) -> Result<[u8; N], ElfError> {
        usize::try_from(at)
            .ok()
            .and_then(|start| self.0.get(start..start.checked_add(N)?))
            .and_then(|slice| slice.try_into().ok())
            .ok_or(ElfError::Truncated { what })
    }

    fn u16(&self, at: u64, what: &'static str) -> Result<u16, ElfError> {
        self.bytes(at, what).map(u16::from_le_bytes)
    }

    fn u32(&self, at: u64, what: &'static str) -> Result<u32, ElfError> {
        self.bytes(at, what).map(u32::from_le_bytes)
    }

    fn u64(&self, at: u64, what: &'static str) -> Result<u64, ElfError> {
        self.bytes(at, what).map(u64::from_le_bytes)
    }

    fn c_string(&self, at: u64) -> Result<String, ElfError> {
        let truncated = ElfError::Truncated {
            what: "a version name",
        };
        let start = usize::try_from(at).map_err(|_| truncated.clone())?;
        let rest = self.0.get(start..).ok_or_else(|| truncated.clone())?;
        let end = rest.iter().position(|&b| b == 0).ok_or(truncated)?;
        Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running test binary is an ELF file of this machine that links glibc dynamically.
    #[test]
    fn reads_this_test_binary() {
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let facts = inspect(&bytes).unwrap();
        let expected = match std::env::consts::ARCH {
            "x86_64" => EM_X86_64,
            "aarch64" => EM_AARCH64,
            other => panic!("no expectation for {other}"),
        };
        assert_eq!(facts.machine, expected);
        let max = facts.max_glibc().expect("a glibc version is needed");
        assert_eq!(max[0], 2, "{facts:?}");
        assert!(
            facts.glibc_versions.contains(&vec![2, 2, 5])
                || facts.glibc_versions.contains(&vec![2, 17]),
            "the base version of x86_64 (2.2.5) or aarch64 (2.17): {facts:?}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        #[track_caller]
        fn case(bytes: &[u8], expected: &ElfError) {
            assert_eq!(&inspect(bytes).unwrap_err(), expected);
        }
        case(b"#!/bin/sh\n", &ElfError::NotElf);
        case(
            b"\x7fELF\x01\x01",
            &ElfError::Unsupported { class: 1, data: 1 },
        );
        case(
            b"\x7fELF\x02\x01\x01\x00",
            &ElfError::Truncated { what: "e_machine" },
        );
    }
}
