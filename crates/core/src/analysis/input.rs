//! Loads the data an analysis verb was pointed at: a study file or a tidy ratings CSV.

use crate::dataset::Dataset;
use crate::error::Result;
use std::io::Read;
use std::path::Path;

/// True when the file starts with SQLite's magic header.
pub fn is_sqlite_file(path: &Path) -> bool {
    let mut magic = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map(|_| &magic == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Reads a study (opened read-only) or a tidy ratings CSV into a dataset.
pub fn load_dataset(path: &Path) -> Result<Dataset> {
    // A directory, a FIFO, a device or a link loop is refused here with what it is.
    crate::checks::check_regular_file(path)?;
    if is_sqlite_file(path) {
        let study = crate::store::Study::open_read_only(path)?;
        return study.dataset().map_err(|e| e.in_file(path));
    }
    let (ds, notes) = crate::tidy::read_dataset(path)?;
    for note in &notes {
        tracing::warn!("{}: {note}", path.display());
    }
    Ok(ds)
}
