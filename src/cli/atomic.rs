//! Writing the tool's outputs without ever clobbering a user's file: build under a temporary name
//! in the same folder, then move into place in one step that fails when the target exists
//! (`renameat2(RENAME_NOREPLACE)` on Linux, a hard link elsewhere or when the file system refuses
//! it), unless the caller allows replacing it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, bail};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh temporary name next to `target`: `.<name>.tmp-<pid>-<n>`.
pub fn temp_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Outcome of a no-replace move.
pub enum Moved {
    Done,
    /// The target exists; nothing was moved.
    Exists,
}

/// Moves `from` to `to` unless `to` exists (files and folders).
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<Moved> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let (Ok(f), Ok(t)) = (
            CString::new(from.as_os_str().as_bytes()),
            CString::new(to.as_os_str().as_bytes()),
        ) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a path holds a NUL byte",
            ));
        };
        // SAFETY: both arguments are valid NUL-terminated paths that live across the call;
        // AT_FDCWD makes them relative to the current folder like any std path.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                f.as_ptr(),
                libc::AT_FDCWD,
                t.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(Moved::Done);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EEXIST) | Some(libc::ENOTEMPTY) => return Ok(Moved::Exists),
            // The file system does not support the flag: fall back below.
            Some(libc::EINVAL) | Some(libc::ENOSYS) => {}
            _ => return Err(err),
        }
    }
    if from.is_file() {
        match std::fs::hard_link(from, to) {
            Ok(()) => {
                std::fs::remove_file(from)?;
                return Ok(Moved::Done);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Moved::Exists),
            Err(_) => {}
        }
    }
    // Last resort: check, then rename (a race remains where nothing better exists).
    if to.exists() {
        return Ok(Moved::Exists);
    }
    std::fs::rename(from, to)?;
    Ok(Moved::Done)
}

/// Writes `bytes` to `path` atomically. Refuses an existing file unless `force`.
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    if !force && path.exists() {
        bail!(
            "{} already exists: choose another name, or add --force to replace it",
            path.display()
        );
    }
    if path.is_dir() {
        bail!("{} is a folder, not a file", path.display());
    }
    check_parent(path)?;
    let tmp = temp_name(path);
    let result = (|| -> anyhow::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot write {}", path.display()))?;
        if force {
            std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        } else {
            match rename_noreplace(&tmp, path).with_context(|| format!("cannot write {}", path.display()))? {
                Moved::Done => {}
                Moved::Exists => {
                    bail!(
                        "{} already exists: choose another name, or add --force to replace it",
                        path.display()
                    )
                }
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The folder a file is to be written into must exist: said with the file's name and the
/// folder's (not the temporary name the write would have used).
pub fn check_parent(path: &Path) -> anyhow::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => return Ok(()),
    };
    if !parent.is_dir() {
        if parent.exists() {
            bail!("cannot write {}: {} is not a folder", path.display(), parent.display());
        }
        bail!(
            "cannot write {}: the folder {} does not exist (create it first, or choose another path)",
            path.display(),
            parent.display()
        );
    }
    Ok(())
}
