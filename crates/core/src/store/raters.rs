//! Raters and the codebook as stored.

use super::Study;
use crate::error::{CoreError, Result};
use crate::model::{Codebook, Dimension, Level, Rater, RaterKind, Scale};
use rusqlite::{params, Connection, OptionalExtension};

/// Name of the rater that holds scores imported without a rater column (self-reports,
/// scores from elsewhere). Such a study has only a profile level.
pub const NO_RATER: &str = "(none)";

/// Names the study gives its own raters ([`NO_RATER`], the adjudication rater), compared
/// without case: a person given one of them would be mixed up with those.
pub fn reserved_rater_name(name: &str) -> Option<&'static str> {
    [NO_RATER, super::review::ADJUDICATED_RATER]
        .into_iter()
        .find(|r| r.eq_ignore_ascii_case(name.trim()))
}

fn refuse_reserved(name: &str) -> Result<()> {
    match reserved_rater_name(name) {
        Some(r) => Err(CoreError::Invalid(format!(
            "'{name}' is a reserved rater name ('{r}' is the study's own): choose another name"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn rater_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Rater> {
    let kind: String = r.get(2)?;
    Ok(Rater {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: RaterKind::parse(&kind).unwrap_or(RaterKind::Human),
    })
}

pub(crate) fn find_rater(conn: &Connection, name: &str) -> Result<Option<Rater>> {
    Ok(conn
        .query_row(
            "SELECT id, name, kind FROM rater WHERE name = ?1",
            [name],
            rater_from_row,
        )
        .optional()?)
}

pub(crate) fn insert_rater(
    conn: &Connection,
    name: &str,
    kind: RaterKind,
    now: i64,
) -> Result<Rater> {
    // The study creates its own raters under these names and kinds only.
    let own = (name == NO_RATER && kind != RaterKind::Adjudicated)
        || (name == super::review::ADJUDICATED_RATER && kind == RaterKind::Adjudicated);
    if !own {
        refuse_reserved(name)?;
    }
    conn.execute(
        "INSERT INTO rater (name, kind, created_at) VALUES (?1, ?2, ?3)",
        params![name, kind.as_str(), now],
    )?;
    Ok(Rater {
        id: conn.last_insert_rowid(),
        name: name.to_owned(),
        kind,
    })
}

pub(crate) fn dimension_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Dimension)> {
    let scale_json: String = r.get(4)?;
    let level: String = r.get(5)?;
    let scale: Scale = serde_json::from_str(&scale_json).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    let level: Level = serde_json::from_value(serde_json::Value::String(level)).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok((
        r.get(0)?,
        Dimension {
            name: r.get(1)?,
            label: r.get(2)?,
            definition: r.get(3)?,
            scale,
            level: Some(level),
        },
    ))
}

pub(crate) const DIMENSION_COLUMNS: &str = "id, name, label, definition, scale, level";

pub(crate) fn load_dimensions(conn: &Connection) -> Result<Vec<(i64, Dimension)>> {
    let mut st = conn.prepare(&format!(
        "SELECT {DIMENSION_COLUMNS} FROM dimension ORDER BY position, id"
    ))?;
    let dims = st
        .query_map([], dimension_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(dims)
}

impl Study {
    /// Every rater, in the order they were added.
    pub fn raters(&self) -> Result<Vec<Rater>> {
        let mut st = self
            .conn()
            .prepare("SELECT id, name, kind FROM rater ORDER BY name")?;
        let raters = st
            .query_map([], rater_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(raters)
    }

    /// The rater with this name, if any.
    pub fn rater(&self, name: &str) -> Result<Option<Rater>> {
        find_rater(self.conn(), name)
    }

    /// The rater with this name, created with `kind` if new. An existing rater keeps its kind.
    pub fn ensure_rater(&mut self, name: &str, kind: RaterKind) -> Result<Rater> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CoreError::Invalid("a rater needs a name".into()));
        }
        refuse_reserved(name)?;
        if let Some(r) = find_rater(self.conn(), name)? {
            return Ok(r);
        }
        let now = self.now();
        let tx = self.write("adding a rater")?;
        let r = insert_rater(&tx, name, kind, now)?;
        tx.commit()?;
        Ok(r)
    }

    /// The current codebook, `None` before one was imported or any dimension exists.
    pub fn codebook(&self) -> Result<Option<Codebook>> {
        let dims = load_dimensions(self.conn())?;
        let latest: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT version, content FROM codebook_version ORDER BY version DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if dims.is_empty() && latest.is_none() {
            return Ok(None);
        }
        let (version, name, guidelines) = match latest {
            Some((v, content)) => {
                let cb: Codebook = serde_json::from_str(&content).map_err(|e| {
                    CoreError::Invalid(format!("stored codebook is unreadable: {e}"))
                })?;
                (v, cb.name, cb.guidelines)
            }
            None => (0, None, String::new()),
        };
        Ok(Some(Codebook {
            name,
            guidelines,
            version,
            dimensions: dims.into_iter().map(|d| d.1).collect(),
        }))
    }
}
