//! Checks and bounds every face applies to what comes in (issue #11): the files an import or an
//! analysis reads, the size of what a message quotes, and the ranges of a rating's provenance
//! fields. One place, so the CLI, the app and a package merge cannot disagree.

use crate::error::{CoreError, Result};
use std::io::Read;
use std::path::Path;

/// Largest input file read whole (ratings, profiles, codebooks): a bound, not a typical size
/// (3 million ratings are about 60 MB).
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// Largest single field of a CSV file or string of a JSONL line (a profile's text may be long).
pub const MAX_FIELD_BYTES: usize = 16 << 20;

/// Largest record of a CSV file (one row, quoted newlines included) or line of a JSONL file.
pub const MAX_RECORD_BYTES: usize = 64 << 20;

/// How many characters of user data a message quotes before it cuts with "…".
pub const QUOTE_CHARS: usize = 200;

/// How many names a summarising note lists before "and N more".
pub const LIST_NAMES: usize = 5;

/// Reads a whole input file after checking it is a regular file of bounded size: a directory,
/// a FIFO (which would block forever), a device such as `/dev/zero` (which never ends) or a
/// symbolic-link loop is refused with a message saying which, before anything is read.
pub fn read_input_file(path: &Path) -> Result<Vec<u8>> {
    let len = check_regular_file(path)?;
    let refuse = |reason: String| CoreError::NotReadable {
        path: path.to_owned(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| refuse(describe_open_error(path, &e)))?;
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow while it is read: the bound holds whatever the metadata said.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "the file is larger than {MAX_FILE_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

/// Checks that `path` is a regular file of at most [`MAX_FILE_BYTES`] (see
/// [`read_input_file`]) and returns its length.
pub fn check_regular_file(path: &Path) -> Result<u64> {
    let refuse = |reason: String| CoreError::NotReadable {
        path: path.to_owned(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| refuse(describe_open_error(path, &e)))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "{}, not a regular file",
            describe_file_type(&meta.file_type())
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "the file holds {} bytes; at most {MAX_FILE_BYTES} are read",
            meta.len()
        )));
    }
    Ok(meta.len())
}

/// Why `path`, which exists, cannot be read as a regular file (a directory, a FIFO, a device,
/// a loop of links, a link to nothing); `None` when it is a regular file or is not there at
/// all (then the caller's own "no such …" says it). For a study path, whose size is not bounded.
pub fn not_a_regular_file(path: &Path) -> Option<String> {
    std::fs::symlink_metadata(path).ok()?;
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => None,
        Ok(meta) => Some(format!(
            "{}, not a regular file",
            describe_file_type(&meta.file_type())
        )),
        Err(e) => Some(describe_open_error(path, &e)),
    }
}

/// The OS error once, with what it means for a symbolic link (a loop otherwise reads as "no
/// such file" or an opaque "too many levels").
fn describe_open_error(path: &Path, e: &std::io::Error) -> String {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match (is_link, e.kind()) {
        (true, std::io::ErrorKind::NotFound) => {
            "it is a symbolic link to a file that does not exist".into()
        }
        (true, _) => {
            format!("it is a symbolic link that cannot be followed (a loop of links?): {e}")
        }
        (false, std::io::ErrorKind::NotFound) => "no such file".into(),
        _ => e.to_string(),
    }
}

fn describe_file_type(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "it is a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "it is a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "it is a device";
        }
        if t.is_socket() {
            return "it is a socket";
        }
    }
    "it is a special file"
}

/// `s` as a message quotes it: at most [`QUOTE_CHARS`] characters, then "…".
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        None => s.to_owned(),
        Some((cut, _)) => format!("{}…", &s[..cut]),
    }
}

/// `'a', 'b', 'c'` for a few names, `'a', …, 'e' and 995 more` for many: one note instead of
/// one per name.
pub fn list_names<S: AsRef<str>>(names: &[S]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(LIST_NAMES)
        .map(|n| format!("'{}'", quote(n.as_ref())))
        .collect();
    let mut out = shown.join(", ");
    if names.len() > LIST_NAMES {
        out.push_str(&format!(" and {} more", names.len() - LIST_NAMES));
    }
    out
}

/// The note for columns a reader ignored: one line however many there are.
pub fn ignored_columns_note<S: AsRef<str>>(columns: &[S]) -> Option<String> {
    match columns.len() {
        0 => None,
        1 => Some(format!("ignored unknown column {}", list_names(columns))),
        n => Some(format!(
            "ignored {n} unknown columns: {}",
            list_names(columns)
        )),
    }
}

/// A rating's or a profile review's confidence: a probability-like 0..1.
pub fn confidence(v: f64) -> std::result::Result<(), String> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(format!("confidence must be between 0 and 1, got {v}"))
    }
}

/// Time spent on a rating or a profile, in seconds: finite and not negative.
pub fn seconds_spent(v: f64) -> std::result::Result<(), String> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "seconds_spent must be a number of seconds, 0 or more, got {v}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_cuts_long_text_on_a_character_boundary() {
        assert_eq!(quote("short"), "short");
        let long = "é".repeat(1000);
        let q = quote(&long);
        assert_eq!(
            q.chars().count(),
            QUOTE_CHARS + 1,
            "200 characters and the ellipsis"
        );
        assert!(q.ends_with('…'));
    }

    #[test]
    fn many_names_make_one_short_note() {
        let names: Vec<String> = (0..1_000_000).map(|i| format!("x{i}")).collect();
        let note = ignored_columns_note(&names).unwrap();
        assert!(note.len() < 200, "one short note, not megabytes: {note}");
        assert!(note.contains("1000000 unknown columns") && note.contains("999995 more"));
        assert_eq!(
            ignored_columns_note(&["a"]).as_deref(),
            Some("ignored unknown column 'a'")
        );
    }

    #[test]
    fn confidence_and_seconds_ranges() {
        assert!(confidence(0.0).is_ok() && confidence(1.0).is_ok());
        assert!(confidence(7.0).is_err() && confidence(-0.1).is_err());
        assert!(confidence(f64::NAN).is_err());
        assert!(seconds_spent(0.0).is_ok() && seconds_spent(3600.0).is_ok());
        assert!(seconds_spent(-5.0).is_err() && seconds_spent(f64::INFINITY).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let msg = |p: &Path| match read_input_file(p) {
            Err(e @ CoreError::NotReadable { .. }) => {
                assert!(e.is_bad_input(), "{e}");
                e.to_string()
            }
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert!(msg(dir.path()).contains("directory"));
        assert!(msg(Path::new("/dev/zero")).contains("device"));
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let m = msg(&a);
        assert!(m.contains("loop") && !m.contains("no such"), "{m}");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(msg(&fifo).contains("FIFO"), "a FIFO must not block");
        }
        let missing = msg(&dir.path().join("nope.csv"));
        assert_eq!(missing.matches("no such file").count(), 1, "{missing}");
    }
}
