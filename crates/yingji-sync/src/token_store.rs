//! Where a replica keeps its device token between syncs: the OS keychain (Secret Service on
//! Linux, Keychain on macOS, Credential Manager on Windows, through the `keyring` crate), or, when
//! there is none, a file only its owner can read (0600) beside the replica, which the caller
//! must warn about. Tokens are never logged.

use std::path::{Path, PathBuf};

use crate::SyncError;

/// The keychain service name; the entry's user is the hub URL.
pub const KEYCHAIN_SERVICE: &str = "yingji-hub";

/// Where [`save`] put the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    Keychain,
    /// No keychain was reachable (the reason is given): the token is in this 0600 file.
    File {
        path: PathBuf,
        keychain_error: String,
    },
}

/// The fallback file for the replica at `db`.
pub fn fallback_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".hub-token");
    db.with_file_name(name)
}

fn entry(hub_url: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(KEYCHAIN_SERVICE, hub_url.trim_end_matches('/'))
}

/// Stores `token` for `hub_url`: in the keychain if one answers, else in the fallback file.
pub fn save(db: &Path, hub_url: &str, token: &str) -> Result<Saved, SyncError> {
    let keychain = entry(hub_url).and_then(|e| e.set_password(token.trim()));
    match keychain {
        Ok(()) => {
            // A stale fallback file must not outlive a token that moved to the keychain.
            let _ = std::fs::remove_file(fallback_path(db));
            Ok(Saved::Keychain)
        }
        Err(e) => {
            let path = fallback_path(db);
            write_private(&path, token.trim())
                .map_err(|io| SyncError::TokenStore(format!("{}: {io}", path.display())))?;
            Ok(Saved::File { path, keychain_error: e.to_string() })
        }
    }
}

/// The token saved for `hub_url`, from the keychain or else the fallback file; `None` if neither
/// holds one.
pub fn load(db: &Path, hub_url: &str) -> Result<Option<String>, SyncError> {
    if let Ok(token) = entry(hub_url).and_then(|e| e.get_password()) {
        return Ok(Some(token));
    }
    match std::fs::read_to_string(fallback_path(db)) {
        Ok(t) if !t.trim().is_empty() => Ok(Some(t.trim().to_owned())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SyncError::TokenStore(format!("{}: {e}", fallback_path(db).display()))),
    }
}

/// Creates (or replaces) `path` with mode 0600 from the start, so the token is never readable
/// by others, not even briefly.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_file_is_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = fallback_path(&dir.path().join("replica.db"));
        assert_eq!(path.file_name().unwrap(), "replica.db.hub-token");
        write_private(&path, "yj1_secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "yj1_secret");
    }
}
