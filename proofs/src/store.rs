//! The certificate store: one file per key under `<dir>/<first two hex digits>/<key>.cert`,
//! content-addressed and crash-safe. A file is written whole to a temporary name, synced,
//! renamed over its final name (atomic on POSIX), and the folder synced, so a reader sees
//! either no entry or a complete one, whatever moment the writer is killed at. Each file
//! starts with a SHA-256 of the rest; an entry that fails it, does not parse, or is not a
//! complete proof under the key asked for is an error the caller reports and re-proves.

use crate::cert::{Certificate, FORMAT};
use crate::key::sha256_hex;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub struct Store {
    dir: PathBuf,
}

/// A stored entry that cannot be trusted.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub path: PathBuf,
    pub reason: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.path.display(), self.reason)
    }
}

const HEADER: &str = "vez-certificate sha256=";

impl Store {
    /// The store in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        let shard = key.get(..2).unwrap_or("00");
        self.dir.join(shard).join(format!("{key}.cert"))
    }

    /// The complete proof stored under `key`: `Ok(None)` when there is none, `Err` when the
    /// entry is there but cannot be trusted.
    pub fn load(&self, key: &str) -> Result<Option<Certificate>, LoadError> {
        let path = self.path(key);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error(&path, format!("cannot read it: {e}"))),
        };
        parse(&bytes, key)
            .map(Some)
            .map_err(|r| self.error(&path, r))
    }

    fn error(&self, path: &Path, reason: String) -> LoadError {
        LoadError {
            path: path.to_path_buf(),
            reason,
        }
    }

    /// Stores a complete proof (anything else is refused: only complete proofs are cached).
    pub fn save(&self, cert: &Certificate) -> std::io::Result<()> {
        if cert.status != "verified" || cert.format != FORMAT {
            return Err(std::io::Error::other("only complete proofs are stored"));
        }
        let body = serde_json::to_string(cert).map_err(std::io::Error::other)?;
        let text = format!("{HEADER}{}\n{body}", sha256_hex(body.as_bytes()));
        let path = self.path(&cert.key);
        let folder = path.parent().unwrap_or(&self.dir);
        fs::create_dir_all(folder)?;
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let tmp = folder.join(format!(
            ".{}.{}.{}.tmp",
            cert.key,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            // The rename is durable once the folder is synced.
            fs::File::open(folder)?.sync_all()
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }
}

/// A certificate file's content, checked against its checksum and the key it is stored under.
fn parse(bytes: &[u8], key: &str) -> Result<Certificate, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let (header, body) = text
        .split_once('\n')
        .ok_or_else(|| "it is truncated (no header line)".to_string())?;
    let sum = header
        .strip_prefix(HEADER)
        .ok_or_else(|| "it has no certificate header".to_string())?;
    if sha256_hex(body.as_bytes()) != sum {
        return Err("its checksum does not match its content".into());
    }
    let cert: Certificate =
        serde_json::from_str(body).map_err(|e| format!("it does not parse: {e}"))?;
    if cert.format != FORMAT {
        return Err(format!("it has format `{}`, not `{FORMAT}`", cert.format));
    }
    if cert.key != key {
        return Err("it holds the certificate of another key".into());
    }
    if cert.status != "verified" || cert.obligations.iter().any(|o| o.status != "verified") {
        return Err("it is not a complete proof".into());
    }
    Ok(cert)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cert::{ObligationRecord, SolverInfo, VerifyOptions};

    fn cert(key: &str) -> Certificate {
        Certificate {
            format: FORMAT.into(),
            item: "f".into(),
            item_kind: "fn".into(),
            key: key.into(),
            status: "verified".into(),
            file: "a.zari".into(),
            line: 1,
            column: 1,
            obligations: vec![ObligationRecord {
                kind: "overflow".into(),
                message: "m".into(),
                file: "a.zari".into(),
                line: 2,
                column: 5,
                end_line: 2,
                end_column: 10,
                status: "verified".into(),
                reason: None,
                counterexample: None,
                time_ms: 1.0,
                query_sha256: vec![sha256_hex(b"q")],
            }],
            solver: SolverInfo {
                name: "z3".into(),
                version: "4".into(),
            },
            options: VerifyOptions {
                timeout_ms: 1,
                rlimit: 0,
                seed: 0,
                overflow_checks: true,
            },
            vez_version: "0".into(),
            time_ms: 1.0,
            proved_at: 0,
            assumptions: vec![],
        }
    }

    fn temp_store(name: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("vez-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Store::new(dir)
    }

    #[test]
    fn round_trip_and_damage() {
        let s = temp_store("rt");
        let key = sha256_hex(b"k");
        assert_eq!(s.load(&key), Ok(None));
        s.save(&cert(&key)).unwrap();
        assert_eq!(s.load(&key), Ok(Some(cert(&key))));
        let path = s.path(&key);
        let good = fs::read(&path).unwrap();
        // Every truncation and a flipped byte anywhere are caught.
        for cut in [0, 10, good.len() / 2, good.len() - 1] {
            fs::write(&path, &good[..cut]).unwrap();
            assert!(s.load(&key).is_err(), "truncated at {cut}");
        }
        for at in [3, 80, good.len() - 2] {
            let mut bad = good.clone();
            bad[at] ^= 0x20;
            fs::write(&path, &bad).unwrap();
            assert!(s.load(&key).is_err(), "flipped at {at}");
        }
        // A valid entry copied under another key is not trusted either.
        let other = sha256_hex(b"other");
        fs::create_dir_all(s.path(&other).parent().unwrap()).unwrap();
        fs::write(s.path(&other), &good).unwrap();
        assert!(s.load(&other).is_err());
        let _ = fs::remove_dir_all(s.dir());
    }

    #[test]
    fn incomplete_proofs_are_not_stored() {
        let s = temp_store("inc");
        let mut c = cert(&sha256_hex(b"x"));
        c.status = "failed".into();
        assert!(s.save(&c).is_err());
        let _ = fs::remove_dir_all(s.dir());
    }
}
