//! Writing the tool's outputs without ever clobbering a user's file: build under a temporary name
//! in the same folder (`tempfile`), then move into place in one step that fails when the target
//! exists (`tempfile`'s `persist_noclobber`: `renameat2(RENAME_NOREPLACE)` on Linux, a hard link
//! elsewhere or when the file system refuses it). `--force` replaces a regular file only: never a
//! folder, a FIFO, a device (`/dev/null` as root) or a socket, nor a symbolic link to one of them.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use infobackup::Lang;

/// Why a path is not written (or, for `check --junit`, not replaced), said in the run's language.
#[derive(Debug, Clone, Copy)]
pub enum Refusal<'a> {
    /// The name exists and `--force` was not given.
    Exists(&'a Path),
    /// The name loops through symbolic links.
    Loop(&'a Path),
    /// `--force` on something that is not a regular file.
    NotRegular(&'a Path, Kind),
    /// `--force` on a symbolic link that points nowhere.
    Dangling(&'a Path),
    /// The folder to write into is a file (or something else).
    ParentNotFolder(&'a Path, &'a Path),
    /// The folder to write into does not exist.
    NoParent(&'a Path, &'a Path),
}

impl Refusal<'_> {
    /// The sentence, in `lang`.
    pub fn say(self, lang: Lang) -> String {
        match (self, lang) {
            (Refusal::Exists(p), Lang::Fr) => format!(
                "{} existe déjà : choisissez un autre nom, ou ajoutez --force pour le remplacer",
                p.display()
            ),
            (Refusal::Exists(p), Lang::En) => format!(
                "{} already exists: choose another name, or add --force to replace it",
                p.display()
            ),
            (Refusal::Loop(p), Lang::Fr) => {
                format!("impossible d'écrire {} : une boucle de liens symboliques", p.display())
            }
            (Refusal::Loop(p), Lang::En) => format!("cannot write {}: a loop of symbolic links", p.display()),
            (Refusal::NotRegular(p, kind), Lang::Fr) => format!(
                "{} est {} : --force ne remplace qu'un fichier ordinaire (choisissez un autre chemin)",
                p.display(),
                kind.words(lang)
            ),
            (Refusal::NotRegular(p, kind), Lang::En) => format!(
                "{} is {}: --force replaces only a regular file (choose another path)",
                p.display(),
                kind.words(lang)
            ),
            (Refusal::Dangling(p), Lang::Fr) => format!(
                "{} est un lien symbolique vers rien : --force ne remplace qu'un fichier ordinaire (choisissez un \
                 autre chemin)",
                p.display()
            ),
            (Refusal::Dangling(p), Lang::En) => format!(
                "{} is a symbolic link to nothing: --force replaces only a regular file (choose another path)",
                p.display()
            ),
            (Refusal::ParentNotFolder(p, parent), Lang::Fr) => format!(
                "impossible d'écrire {} : {} n'est pas un dossier",
                p.display(),
                parent.display()
            ),
            (Refusal::ParentNotFolder(p, parent), Lang::En) => {
                format!("cannot write {}: {} is not a folder", p.display(), parent.display())
            }
            (Refusal::NoParent(p, parent), Lang::Fr) => format!(
                "impossible d'écrire {} : le dossier {} n'existe pas (créez-le d'abord, ou choisissez un autre chemin)",
                p.display(),
                parent.display()
            ),
            (Refusal::NoParent(p, parent), Lang::En) => format!(
                "cannot write {}: the folder {} does not exist (create it first, or choose another path)",
                p.display(),
                parent.display()
            ),
        }
    }
}

/// What a name points at when it is not a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Folder,
    Fifo,
    Device,
    Socket,
    Other,
}

impl Kind {
    /// In words, with its article (« un dossier », "a folder").
    pub fn words(self, lang: Lang) -> &'static str {
        match self {
            Kind::Folder => lang.pick("un dossier", "a folder"),
            Kind::Fifo => lang.pick("une FIFO (tube nommé)", "a FIFO (named pipe)"),
            Kind::Device => lang.pick("un périphérique", "a device"),
            Kind::Socket => lang.pick("une socket", "a socket"),
            Kind::Other => lang.pick("autre chose qu'un fichier ordinaire", "not a regular file"),
        }
    }
}

/// Outcome of a no-replace move.
pub enum Moved {
    Done,
    /// The target exists; nothing was moved.
    Exists,
}

/// Moves `from` (a file or a folder) to `to` unless `to` exists: one `renameat2` with
/// `RENAME_NOREPLACE` where the kernel and the file system have it (a folder needs it), else a
/// hard link then an unlink (files only).
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<Moved> {
    let temp = tempfile::TempPath::try_from_path(from)?;
    match temp.persist_noclobber(to) {
        Ok(()) => Ok(Moved::Done),
        Err(e) => {
            // Not ours to delete on failure: the caller cleans `from` up (a folder needs more
            // than the file removal a `TempPath` drop does).
            let _ = e.path.keep();
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Ok(Moved::Exists)
            } else {
                Err(e.error)
            }
        }
    }
}

/// A new empty folder next to `target`, named `.<target's name>.<random>.tmp`, readable as a folder
/// the user creates (mode 0777 less the umask). The caller moves it into place with
/// [`rename_noreplace`] or removes it.
pub fn temp_folder(target: &Path) -> std::io::Result<PathBuf> {
    let dir = tempfile::Builder::new()
        .prefix(&hidden_prefix(target))
        .suffix(".tmp")
        .tempdir_in(parent_or_current(target))
        .map_err(without_temp_name)?;
    Ok(dir.keep())
}

/// tempfile's error names the temporary path (`… at path "/x/.name.Ab12.tmp"`); the user knows
/// only the target, which the caller names.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rfind(" at path \"") {
        Some(at) => std::io::Error::new(e.kind(), text[..at].to_owned()),
        None => e,
    }
}

fn hidden_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    format!(".{name}.")
}

fn parent_or_current(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// What a name points at, when it is not a regular file.
pub fn kind_of(meta: &std::fs::Metadata) -> Kind {
    let t = meta.file_type();
    if t.is_dir() {
        return Kind::Folder;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Fifo;
        }
        if t.is_char_device() || t.is_block_device() {
            return Kind::Device;
        }
        if t.is_socket() {
            return Kind::Socket;
        }
    }
    Kind::Other
}

/// True for the error a path that loops through symbolic links gives (`ELOOP`).
pub fn is_symlink_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Whether `path` may be written: its folder exists, and it does not exist, or `force` is given
/// and it is a regular file (or a symbolic link to one, which is replaced by the new file, not
/// written through). Said before any work is done, and again just before the move.
pub fn check_target(path: &Path, force: bool) -> anyhow::Result<()> {
    check_parent(path)?;
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if is_symlink_loop(&e) => bail!("{}", Refusal::Loop(path).say(super::lang())),
        Err(e) => {
            return Err(e).with_context(|| {
                format!(
                    "{} {}",
                    super::lang().pick("impossible d'écrire", "cannot write"),
                    path.display()
                )
            });
        }
        Ok(_) if !force => bail!("{}", Refusal::Exists(path).say(super::lang())),
        Ok(_) => {}
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(m) => bail!("{}", Refusal::NotRegular(path, kind_of(&m)).say(super::lang())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!("{}", Refusal::Dangling(path).say(super::lang())),
        Err(e) if is_symlink_loop(&e) => bail!("{}", Refusal::Loop(path).say(super::lang())),
        Err(e) => Err(e).with_context(|| {
            format!(
                "{} {}",
                super::lang().pick("impossible d'écrire", "cannot write"),
                path.display()
            )
        }),
    }
}

/// Writes `bytes` to `path` atomically. Refuses an existing name unless `force`, and with
/// `force` anything but a regular file (see [`check_target`]).
pub fn write_file(path: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    check_target(path, force)?;
    let cannot = || {
        format!(
            "{} {}",
            super::lang().pick("impossible d'écrire", "cannot write"),
            path.display()
        )
    };
    let prefix = hidden_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // A report is a file like any the user creates: 0666 less the umask (tempfile's own default,
    // 0600, would hide it from a web server or a colleague).
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(parent_or_current(path))
        .map_err(without_temp_name)
        .with_context(cannot)?;
    tmp.write_all(bytes).with_context(cannot)?;
    tmp.as_file().sync_all().with_context(cannot)?;
    if force {
        // The name may have changed since the check: check again, as close to the move as a
        // path-based API allows.
        check_target(path, true)?;
        tmp.persist(path).map_err(|e| e.error).with_context(cannot)?;
        return Ok(());
    }
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{}", Refusal::Exists(path).say(super::lang()))
        }
        Err(e) => Err(e.error).with_context(cannot),
    }
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
            bail!("{}", Refusal::ParentNotFolder(path, parent).say(super::lang()));
        }
        bail!("{}", Refusal::NoParent(path, parent).say(super::lang()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_and_an_existing_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_file(&p, b"one", false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        let e = write_file(&p, b"two", false).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_file(&p, b"three", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
        // Nothing left behind: no temporary file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_as_any_file_the_user_creates() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.html");
        write_file(&p, b"x", false).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        // At least the owner can read and write; group/other as the umask allows, not 0600 always.
        assert_eq!(mode & 0o600, 0o600);
        // SAFETY: reading the umask requires setting it; it is restored at once.
        let umask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        #[allow(clippy::useless_conversion)] // mode_t is u16 on some systems
        let umask = u32::from(umask);
        assert_eq!(mode & 0o777, 0o666 & !umask, "mode {mode:o}");
    }

    #[cfg(unix)]
    #[test]
    fn force_replaces_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let to_fifo = dir.path().join("to-fifo");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        let to_null = dir.path().join("to-null");
        std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nothing"), &dangling).unwrap();
        for (p, words) in [
            (&fifo, "FIFO"),
            (&sub, "folder"),
            (&to_fifo, "FIFO"),
            (&to_null, "device"),
            (&dangling, "symbolic link to nothing"),
        ] {
            let e = write_file(p, b"x", true).unwrap_err().to_string();
            assert!(e.contains(words) && e.contains("--force"), "{}: {e}", p.display());
        }
        assert!(std::fs::symlink_metadata(&to_null).unwrap().file_type().is_symlink());
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(
            &std::fs::symlink_metadata(&fifo).unwrap().file_type()
        ));
        // A link to a regular file is replaced by the new file; the file it pointed at is kept.
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "kept").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_file(&link, b"new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "kept");
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "new");
        assert!(!std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_named_as_a_loop() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let e = write_file(&a, b"x", true).unwrap_err().to_string();
        assert!(e.contains("loop of symbolic links") && e.contains("/a"), "{e}");
        // Without --force the name exists (as a link): refused, never followed.
        let e = write_file(&a, b"x", false).unwrap_err().to_string();
        assert!(e.contains("already exists"), "{e}");
    }

    #[test]
    fn folders_move_only_onto_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("case");
        let tmp = temp_folder(&target).unwrap();
        assert!(tmp.is_dir());
        assert!(tmp.file_name().unwrap().to_string_lossy().starts_with(".case."));
        std::fs::write(tmp.join("f"), "x").unwrap();
        assert!(matches!(rename_noreplace(&tmp, &target).unwrap(), Moved::Done));
        assert!(target.join("f").is_file() && !tmp.exists());
        let tmp2 = temp_folder(&target).unwrap();
        assert!(matches!(rename_noreplace(&tmp2, &target).unwrap(), Moved::Exists));
        assert!(tmp2.is_dir(), "the source is the caller's to remove");
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_said_without_the_temporary_name() {
        // Fails as root too: /proc/self takes no new folder.
        let e = temp_folder(Path::new("/proc/self/case")).unwrap_err().to_string();
        assert!(!e.contains(".tmp") && !e.contains("at path"), "{e}");
    }
}
