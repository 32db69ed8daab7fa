//! Replacing a whole file so that a crash at any instant leaves either the old or the new
//! content, never a mix: write a temporary file, fsync it, rename it over the old one, then
//! fsync the directory so the rename itself survives a power cut.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

pub fn replace_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = Path::new(&temporary);
    {
        let mut file = File::create(temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
    }
    fs::rename(temporary, path)?;
    sync_dir(dir)
}

/// Makes a directory's entries (a created or renamed file) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}
