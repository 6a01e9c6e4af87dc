//! Codebook import from JSON or TOML. A changed codebook becomes a new version; dimensions are
//! matched by name and never deleted, and a change that would leave existing ratings off the
//! scale is refused.

use super::{file_name, read_file, ImportReport};
use crate::error::{CoreError, Result, RowError};
use crate::model::Codebook;
use crate::store::Study;
use rusqlite::{params, OptionalExtension};
use std::collections::HashSet;
use std::path::Path;

/// The source the app's codebook editor saves under: its versions are audited as edits.
const EDITOR: &str = "codebook editor";

/// The line (1-based) of the first occurrence of `needle` in `src`, 1 when absent.
fn line_of(src: &str, needle: &str) -> u64 {
    src.find(needle)
        .map(|i| src[..i].matches('\n').count() as u64 + 1)
        .unwrap_or(1)
}

/// A codebook is a few pages of text; a larger file is not one.
pub const MAX_CODEBOOK_BYTES: usize = crate::checks::MAX_FIELD_BYTES;

/// Parses and validates a codebook file's text. `name` is used in messages.
pub fn parse_codebook(name: &str, path_hint: &Path, bytes: &[u8]) -> Result<Codebook> {
    if bytes.len() > MAX_CODEBOOK_BYTES {
        return Err(CoreError::input(
            name,
            vec![RowError::new(
                1,
                None,
                format!(
                    "the file holds {} bytes; a codebook may hold at most {MAX_CODEBOOK_BYTES}",
                    bytes.len()
                ),
            )],
        ));
    }
    let src =
        std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1;
            CoreError::input(
                name,
                vec![RowError::new(
                    line,
                    None,
                    "the file is not valid UTF-8 text",
                )],
            )
        })?;
    if src.trim().is_empty() {
        return Err(CoreError::input(
            name,
            vec![RowError::new(1, None, "the file is empty")],
        ));
    }
    let ext = path_hint
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let json = match ext.as_deref() {
        Some("json") => true,
        Some("toml") => false,
        _ => src.trim_start().starts_with('{'),
    };
    let file: super::questionnaire::FileCodebook = if json {
        serde_json::from_str(src).map_err(|e| {
            CoreError::input(
                name,
                vec![RowError::new(
                    e.line() as u64,
                    None,
                    format!("column {}: {e}", e.column()),
                )],
            )
        })?
    } else {
        toml::from_str(src).map_err(|e| {
            let line = e
                .span()
                .map(|s| src[..s.start.min(src.len())].matches('\n').count() as u64 + 1)
                .unwrap_or(1);
            CoreError::input(
                name,
                vec![RowError::new(line, None, e.message().to_owned())],
            )
        })?
    };
    let (mut cb, origins, mut errors) = file.into_codebook(src);
    errors.extend(validate(&mut cb, src));
    errors.extend(super::questionnaire::validate_scales(
        &mut cb, &origins, src,
    ));
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    cb.version = 0;
    Ok(cb)
}

/// Checks a codebook (names unique and non-empty, scales well-formed), trimming names; the
/// errors point at the line of `src` that mentions the dimension when `src` is given.
fn validate(cb: &mut Codebook, src: &str) -> Vec<RowError> {
    let mut errors = Vec::new();
    if cb.dimensions.is_empty() {
        errors.push(RowError::new(
            1,
            Some("dimensions"),
            "the codebook has no dimensions",
        ));
    }
    let mut seen = HashSet::new();
    for (i, d) in cb.dimensions.iter_mut().enumerate() {
        d.name = d.name.trim().to_owned();
        let line = line_of(src, &format!("\"{}\"", d.name));
        let field = format!("dimensions[{i}]");
        if d.name.is_empty() {
            errors.push(RowError::new(
                line,
                Some(&field),
                "a dimension needs a name",
            ));
            continue;
        }
        if !seen.insert(d.name.to_lowercase()) {
            errors.push(RowError::new(
                line,
                Some(&field),
                format!(
                    "dimension '{}' appears twice",
                    crate::checks::quote(&d.name)
                ),
            ));
        }
        if let Err(m) = d.scale.validate() {
            errors.push(RowError::new(
                line,
                Some(&format!("{field}.scale")),
                format!("{}: {m}", crate::checks::quote(&d.name)),
            ));
        }
    }
    errors
}

impl Study {
    /// Imports a codebook (JSON or TOML). Returns counts of dimensions added / updated /
    /// unchanged; a changed codebook gets a new version number.
    pub fn import_codebook(&mut self, path: &Path) -> Result<ImportReport> {
        let bytes = read_file(path)?;
        let name = path.display().to_string();
        let cb = parse_codebook(&name, path, &bytes)?;
        let src = String::from_utf8_lossy(&bytes).into_owned();
        self.apply_codebook(cb, &name, &file_name(path), &src)
    }

    /// Saves a codebook edited in the app: validated like a file, versioned when it changed,
    /// refused when a scale change would leave existing ratings off the scale.
    pub fn save_codebook(&mut self, codebook: &Codebook) -> Result<ImportReport> {
        let mut cb = codebook.clone();
        let mut errors = validate(&mut cb, "");
        errors.extend(super::questionnaire::validate_scales(&mut cb, &[], ""));
        if !errors.is_empty() {
            return Err(CoreError::input("codebook", errors));
        }
        cb.version = 0;
        self.apply_codebook(cb, "codebook", EDITOR, "")
    }

    fn apply_codebook(
        &mut self,
        cb: Codebook,
        name: &str,
        source: &str,
        src: &str,
    ) -> Result<ImportReport> {
        let snapshot = self.prepare_bulk_write("import codebook")?;
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("importing a codebook")?;
        let mut report = ImportReport {
            kind: "codebook".into(),
            source: source.to_owned(),
            ..Default::default()
        };
        let mut errors = Vec::new();
        for s in &cb.scales {
            // A scale is no dimension row: its name must not be one the study already rates.
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM dimension WHERE name = ?1)",
                [&s.name],
                |r| r.get(0),
            )?;
            if taken {
                errors.push(RowError::new(
                    line_of(src, &format!("\"{}\"", s.name)),
                    Some("scales"),
                    format!(
                        "scale '{}': the study already has a dimension of that name (with its \
                         ratings); a scale's score is computed, so give the scale another name",
                        crate::checks::quote(&s.name)
                    ),
                ));
            }
        }
        for (pos, d) in cb.dimensions.iter().enumerate() {
            let existing: Option<(i64, String, Option<String>, String, String)> = tx
                .query_row(
                    "SELECT id, scale, label, definition, level FROM dimension WHERE name = ?1",
                    [&d.name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let scale_json = serde_json::to_string(&d.scale)
                .map_err(|e| CoreError::Invalid(format!("cannot store scale: {e}")))?;
            let level = d.level().as_str();
            match existing {
                None => {
                    tx.execute(
                        "INSERT INTO dimension (name, position, label, definition, scale, level)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![d.name, pos as i64, d.label, d.definition, scale_json, level],
                    )?;
                    report.added += 1;
                }
                Some((id, old_scale, label, def, old_level)) => {
                    if old_scale != scale_json {
                        // Refuse a scale that would leave existing ratings off it.
                        let mut st = tx.prepare("SELECT DISTINCT value FROM rating WHERE dimension_id = ?1 AND value IS NOT NULL")?;
                        let values = st
                            .query_map([id], |r| r.get::<_, f64>(0))?
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                        if let Some(bad) = values.iter().find_map(|v| d.scale.check(*v).err()) {
                            errors.push(RowError::new(
                                line_of(src, &format!("\"{}\"", d.name)),
                                Some("scale"),
                                format!(
                                    "{}: existing ratings would fall off the new scale ({bad})",
                                    d.name
                                ),
                            ));
                            continue;
                        }
                    }
                    if old_scale == scale_json
                        && label == d.label
                        && def == d.definition
                        && old_level == level
                    {
                        tx.execute(
                            "UPDATE dimension SET position = ?2 WHERE id = ?1",
                            params![id, pos as i64],
                        )?;
                        report.unchanged += 1;
                    } else {
                        tx.execute(
                            "UPDATE dimension SET position = ?2, label = ?3, definition = ?4, scale = ?5,
                                    level = ?6, inferred = 0 WHERE id = ?1",
                            params![id, pos as i64, d.label, d.definition, scale_json, level],
                        )?;
                        report.updated += 1;
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::input(name, errors));
        }
        snapshot.take()?;
        let content = serde_json::to_string(&cb).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let latest: Option<String> = tx
            .query_row(
                "SELECT content FROM codebook_version ORDER BY version DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if latest.as_deref() != Some(content.as_str()) {
            tx.execute(
                "INSERT INTO codebook_version (version, created_at, content)
                 VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM codebook_version), ?1, ?2)",
                params![now, content],
            )?;
            let v: i64 = tx.query_row("SELECT MAX(version) FROM codebook_version", [], |r| {
                r.get(0)
            })?;
            report.notices.push(format!("codebook version {v}"));
            if source == EDITOR {
                // An edit in the app is the PI's change of the codebook, not an import.
                crate::store::audit::audit(
                    &tx,
                    now,
                    &actor,
                    "codebook-edit",
                    &serde_json::json!({"version": v, "added": report.added, "updated": report.updated}),
                    None,
                )?;
            } else {
                super::profiles::log_import(&tx, &actor, "codebook", &report, now)?;
            }
        }
        tx.commit()?;
        Ok(report)
    }
}
