//! Raters and the codebook as stored.

use super::Study;
use crate::error::{CoreError, Result};
use crate::model::{Codebook, Dimension, Level, Rater, RaterKind, Scale};
use rusqlite::{params, Connection, OptionalExtension};

/// Who is at the keyboard, as far as an offline app can tell: an id the installation made
/// for itself (kept in its config folder) and a label for people (the OS user, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimant {
    /// The installation's own id.
    pub id: String,
    /// What the study shows for it ("ana on lab-pc-3").
    pub label: String,
}

/// What claiming a rater's identity did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The identity was free and is now this installation's.
    Claimed,
    /// This installation held it already.
    Held,
    /// Another installation holds it; the study's PI may still rate as them (audited).
    AsPi {
        /// The label of the installation that holds the identity.
        holder: String,
    },
    /// Another installation holds it and this one is not the study's PI: refused (audited).
    Refused {
        /// The label of the installation that holds the identity.
        holder: String,
    },
}

/// `study_meta` key naming the installation in the PI's role (its [`Claimant::id`]).
const PI_KEY: &str = "pi_installation";

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

    /// The installation in the PI's role, if one is recorded: the one that created the study
    /// in the app, or else the first that opened it ([`Study::ensure_pi`]).
    pub fn pi_installation(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM study_meta WHERE key = ?1",
                [PI_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records `claimant` in the PI's role unless one is recorded already; returns whether
    /// `claimant` holds it. A read-only study records nothing.
    pub fn ensure_pi(&mut self, claimant: &Claimant) -> Result<bool> {
        if let Some(pi) = self.pi_installation()? {
            return Ok(pi == claimant.id);
        }
        if self.read_only {
            return Ok(false);
        }
        let now = self.now();
        let tx = self.write("recording the PI")?;
        tx.execute(
            "INSERT OR IGNORE INTO study_meta (key, value) VALUES (?1, ?2)",
            params![PI_KEY, claimant.id],
        )?;
        super::audit::audit(
            &tx,
            now,
            &claimant.label,
            "pi_role",
            &serde_json::json!({"by": claimant.label}),
            None,
        )?;
        tx.commit()?;
        Ok(self.pi_installation()?.as_deref() == Some(claimant.id.as_str()))
    }

    /// Claims the identity of `rater_id` for `claimant`: once per study, so an annotator's
    /// ratings cannot be seen or changed from another installation (blind coding that holds in
    /// a shared study). Another installation's identity is refused unless `claimant` is the
    /// study's PI; both the switch and the refusal are audited.
    pub fn claim_rater(&mut self, rater_id: i64, claimant: &Claimant) -> Result<ClaimOutcome> {
        let holder: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT claimed_by, claimed_label FROM rater_claim WHERE rater_id = ?1",
                [rater_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let rater: String = self
            .conn()
            .query_row("SELECT name FROM rater WHERE id = ?1", [rater_id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("no rater {rater_id} in this study")))?;
        if matches!(&holder, Some((id, _)) if *id == claimant.id) {
            return Ok(ClaimOutcome::Held);
        }
        if self.read_only {
            // Nothing can be written, ratings included: looking is all that is possible.
            return Ok(match holder {
                None => ClaimOutcome::Claimed,
                Some((_, label)) => ClaimOutcome::Refused { holder: label },
            });
        }
        let is_pi = self.pi_installation()?.as_deref() == Some(claimant.id.as_str());
        let now = self.now();
        let tx = self.write("claiming a rater's identity")?;
        let outcome = match holder {
            None => {
                tx.execute(
                    "INSERT INTO rater_claim (rater_id, claimed_by, claimed_label, claimed_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![rater_id, claimant.id, claimant.label, now],
                )?;
                ClaimOutcome::Claimed
            }
            Some((_, label)) if is_pi => ClaimOutcome::AsPi { holder: label },
            Some((_, label)) => ClaimOutcome::Refused { holder: label },
        };
        let (action, holder) = match &outcome {
            ClaimOutcome::Claimed | ClaimOutcome::Held => ("claim_identity", None),
            ClaimOutcome::AsPi { holder } => ("switch_identity", Some(holder)),
            ClaimOutcome::Refused { holder } => ("refused_identity", Some(holder)),
        };
        super::audit::audit(
            &tx,
            now,
            &claimant.label,
            action,
            &serde_json::json!({"rater": rater, "held_by": holder, "by": claimant.label}),
            None,
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    /// What changed in the codebook since the oldest version this rater rated under, per
    /// dimension: `(dimension label, what)` with `what` one of "new dimension", "label",
    /// "definition", "anchors", "scale" (a study keeps every dimension it had, so none is ever
    /// removed). Empty when nothing they rated under changed.
    pub fn codebook_changes_for(&self, rater_id: i64) -> Result<Vec<(String, String)>> {
        // A change needs a stored version older than the current one (the rater's first
        // rating's): without one, their ratings (half a million at a lab's scale) are not read.
        let older: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM codebook_version
                             WHERE version < (SELECT MAX(version) FROM codebook_version))",
            [],
            |r| r.get(0),
        )?;
        if !older {
            return Ok(Vec::new());
        }
        let since: Option<i64> = self.conn().query_row(
            "SELECT MIN(codebook_version) FROM rating WHERE rater_id = ?1",
            [rater_id],
            |r| r.get(0),
        )?;
        let Some(since) = since else {
            return Ok(Vec::new());
        };
        let load = |v: i64| -> Result<Option<Codebook>> {
            let content: Option<String> = self
                .conn()
                .query_row(
                    "SELECT content FROM codebook_version WHERE version = ?1",
                    [v],
                    |r| r.get(0),
                )
                .optional()?;
            content
                .map(|c| {
                    serde_json::from_str::<Codebook>(&c).map_err(|e| {
                        CoreError::Invalid(format!("stored codebook is unreadable: {e}"))
                    })
                })
                .transpose()
        };
        let (Some(old), Some(new)) = (load(since)?, self.codebook()?) else {
            return Ok(Vec::new());
        };
        if new.version <= since {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for d in &new.dimensions {
            let label = d.display_name().to_owned();
            let Some(o) = old
                .dimensions
                .iter()
                .find(|o| o.name.eq_ignore_ascii_case(&d.name))
            else {
                out.push((label, "new dimension".to_owned()));
                continue;
            };
            if o.label != d.label {
                out.push((label.clone(), "label".to_owned()));
            }
            if o.definition != d.definition {
                out.push((label.clone(), "definition".to_owned()));
            }
            let anchors = |s: &Scale| match s {
                Scale::Likert { anchors, .. } => anchors.clone(),
                Scale::Nominal { categories } => categories.clone(),
                Scale::Continuous { .. } => Vec::new(),
            };
            let range = |s: &Scale| match s {
                Scale::Likert { min, max, .. } => Some((*min as f64, *max as f64)),
                Scale::Continuous { min, max, .. } => Some((*min, *max)),
                Scale::Nominal { .. } => None,
            };
            if range(&o.scale) != range(&d.scale) || o.level() != d.level() {
                out.push((label.clone(), "scale".to_owned()));
            }
            if anchors(&o.scale) != anchors(&d.scale) {
                out.push((label, "anchors".to_owned()));
            }
        }
        Ok(out)
    }

    /// Which installation holds each claimed rater identity: rater name → its label.
    pub fn rater_claims(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.conn().prepare(
            "SELECT t.name, c.claimed_label FROM rater_claim c JOIN rater t ON t.id = c.rater_id
              ORDER BY t.name",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
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
        let (version, name, guidelines, show_person_ids, scales) = match latest {
            Some((v, content)) => {
                let cb: Codebook = serde_json::from_str(&content).map_err(|e| {
                    CoreError::Invalid(format!("stored codebook is unreadable: {e}"))
                })?;
                (v, cb.name, cb.guidelines, cb.show_person_ids, cb.scales)
            }
            None => (0, None, String::new(), false, Vec::new()),
        };
        Ok(Some(Codebook {
            name,
            guidelines,
            version,
            dimensions: dims.into_iter().map(|d| d.1).collect(),
            show_person_ids,
            scales,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(id: &str) -> Claimant {
        Claimant {
            id: id.into(),
            label: format!("{id}'s machine"),
        }
    }

    #[test]
    fn an_identity_is_claimed_once_and_only_the_pi_may_switch_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Study::create(&dir.path().join("s.db")).unwrap();
        assert!(
            s.ensure_pi(&who("pi")).unwrap(),
            "the first to ask is the PI"
        );
        assert!(!s.ensure_pi(&who("ana")).unwrap(), "and stays so");
        let ana = s.ensure_rater("ana", RaterKind::Human).unwrap().id;
        assert_eq!(
            s.claim_rater(ana, &who("ana")).unwrap(),
            ClaimOutcome::Claimed
        );
        assert_eq!(s.claim_rater(ana, &who("ana")).unwrap(), ClaimOutcome::Held);
        assert_eq!(
            s.claim_rater(ana, &who("bob")).unwrap(),
            ClaimOutcome::Refused {
                holder: "ana's machine".into()
            }
        );
        assert_eq!(
            s.claim_rater(ana, &who("pi")).unwrap(),
            ClaimOutcome::AsPi {
                holder: "ana's machine".into()
            }
        );
        assert_eq!(
            s.rater_claims().unwrap(),
            [("ana".to_string(), "ana's machine".to_string())],
            "the PI's look does not take the identity over"
        );
        let actions: Vec<(String, String)> = s
            .audit_log()
            .unwrap()
            .into_iter()
            .filter(|e| e.action.contains("identity"))
            .map(|e| (e.actor, e.action))
            .collect();
        assert_eq!(
            actions,
            [
                ("ana's machine".into(), "claim_identity".into()),
                ("bob's machine".into(), "refused_identity".into()),
                ("pi's machine".into(), "switch_identity".into()),
            ],
            "a held identity claimed again adds nothing"
        );
        assert!(s.claim_rater(ana + 99, &who("ana")).is_err());
    }

    #[test]
    fn a_rater_is_told_what_changed_since_they_rated() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::sample::demo(3, 2);
        let mut s = Study::create(&dir.path().join("s.db")).unwrap();
        std::fs::write(dir.path().join("p.jsonl"), &files.profiles_jsonl).unwrap();
        s.import_profiles(&dir.path().join("p.jsonl")).unwrap();
        s.save_codebook(&crate::sample::demo_codebook()).unwrap();
        let ana = s.ensure_rater("ana", RaterKind::Human).unwrap().id;
        assert!(
            s.codebook_changes_for(ana).unwrap().is_empty(),
            "nothing rated"
        );
        let p: i64 = s
            .conn()
            .query_row("SELECT MIN(id) FROM profile", [], |r| r.get(0))
            .unwrap();
        s.save_rating(&crate::store::RatingInput {
            profile_id: p,
            dimension: "openness".into(),
            rater_id: ana,
            value: Some(3.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
        assert!(s.codebook_changes_for(ana).unwrap().is_empty());
        let mut cb = s.codebook().unwrap().unwrap();
        cb.dimensions[0].definition.push_str(" Also curiosity.");
        if let Scale::Likert { anchors, .. } = &mut cb.dimensions[1].scale {
            anchors[0].label = "hardly at all".into();
        }
        s.save_codebook(&cb).unwrap();
        let changes = s.codebook_changes_for(ana).unwrap();
        assert_eq!(
            changes,
            [
                ("Openness".to_string(), "definition".to_string()),
                ("Conscientiousness".to_string(), "anchors".to_string()),
            ]
        );
    }
}
