//! Loads the data an analysis verb was pointed at: a study file or a tidy ratings CSV.

use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
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
    if !path.exists() {
        return Err(CoreError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    if is_sqlite_file(path) {
        let study = crate::store::Study::open_read_only(path)?;
        return study.dataset();
    }
    let (ds, ignored) = crate::tidy::read_dataset(path)?;
    for col in &ignored {
        tracing::warn!("{}: ignoring unknown column '{col}'", path.display());
    }
    Ok(ds)
}
