//! Owner-only files: the store holds sealed payment codes and the sales of a business, so on
//! Unix its directory is created 0700 and its files 0600 (SQLite gives the `-wal` and `-shm`
//! files the mode of the database file). Elsewhere the platform's defaults apply.

use std::path::Path;

/// Creates `dir` and any missing parents, owner-only on Unix. An existing directory is left as
/// it is: it may be one the user chose to share.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty file readable and writable by the owner only (on Unix), or opens it if
/// it exists, and makes sure it is owner-only.
pub fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(path)?);
    restrict_file(path)
}

/// Makes an existing file owner-only (on Unix): a store made by an older version may be 0644.
pub fn restrict_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
