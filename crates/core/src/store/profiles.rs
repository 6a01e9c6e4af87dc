//! Profiles, their material, and a rater's queue.

use super::Study;
use crate::error::{CoreError, Result};
use crate::model::{Profile, ProfileText};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// One line of a rater's queue.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QueueEntry {
    /// The profile's id.
    pub profile_id: i64,
    /// The person's name.
    pub person: String,
    /// The context's name.
    pub context: String,
    /// Dimensions this rater has rated on the profile.
    pub rated: i64,
    /// Dimensions in the codebook.
    pub dimensions: i64,
    /// Set aside for later by the rater.
    pub flagged: bool,
}

/// How far a rater is with one dimension over their queue.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimensionProgress {
    /// The dimension's name.
    pub dimension: String,
    /// Profiles of the queue this rater has rated on the dimension.
    pub rated: i64,
    /// Profiles in the queue.
    pub assigned: i64,
}

impl QueueEntry {
    /// True when the rater rated every dimension of the profile.
    pub fn is_complete(&self) -> bool {
        self.dimensions > 0 && self.rated >= self.dimensions
    }
}

impl Study {
    /// One profile with its texts; an error when there is none with this id.
    pub fn profile(&self, id: i64) -> Result<Profile> {
        let (person, context): (String, String) = self
            .conn()
            .query_row(
                "SELECT pe.name, c.name FROM profile p
                   JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
                  WHERE p.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| CoreError::Invalid(format!("no profile with id {id}")))?;
        let mut st = self.conn().prepare_cached(
            "SELECT title, body, created_at, url, metadata FROM profile_text
              WHERE profile_id = ?1 ORDER BY position, id",
        )?;
        let texts = st
            .query_map([id], |r| {
                let meta: Option<String> = r.get(4)?;
                Ok(ProfileText {
                    title: r.get(0)?,
                    text: r.get(1)?,
                    created_at: r.get(2)?,
                    url: r.get(3)?,
                    metadata: meta
                        .and_then(|m| serde_json::from_str(&m).ok())
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Profile {
            id,
            person,
            context,
            texts,
        })
    }

    /// The profile id of `person` in `context`.
    pub fn profile_id(&self, person: &str, context: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT p.id FROM profile p
                   JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
                  WHERE pe.name = ?1 AND c.name = ?2",
                params![person, context],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether the study has assignments for the rater (then their queue is those, in order).
    pub(crate) fn has_assignments(&self, rater_id: i64) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM assignment WHERE rater_id = ?1)",
            [rater_id],
            |r| r.get(0),
        )?)
    }

    /// The queue of a rater without assignments: every profile, in the rater's own seeded
    /// order ([`crate::assign::default_queue`]). The seed is the study's id and the rater's, so
    /// each rater has an order of their own that stays the same from one session to the next.
    /// (The queue state reads the profiles with their names and orders them by
    /// [`Study::default_positions`]; this reading of its own is the tests' oracle.)
    #[cfg(test)]
    pub(crate) fn default_order(&self, rater_id: i64) -> Result<Vec<i64>> {
        let profiles = self
            .conn()
            .prepare("SELECT id, person_id, context_id FROM profile ORDER BY id")?
            .query_map([], |r| {
                Ok(crate::assign::DesignProfile {
                    id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(self
            .default_positions(&profiles, rater_id)?
            .into_iter()
            .map(|i| profiles[i].id)
            .collect())
    }

    /// [`Study::default_order`] of the study's `profiles` (every one, by id), as positions in
    /// that list.
    pub(crate) fn default_positions(
        &self,
        profiles: &[crate::assign::DesignProfile],
        rater_id: i64,
    ) -> Result<Vec<usize>> {
        let study_id = self.study_id()?;
        let digest = blake3::hash(format!("{study_id}\u{1}{rater_id}").as_bytes());
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest.as_bytes()[..8]);
        Ok(crate::assign::default_queue_positions(
            profiles,
            u64::from_le_bytes(seed),
        ))
    }

    /// The rater's profiles in queue order: their assignments when the study has any for
    /// them, else every profile of the study.
    pub fn queue(&self, rater_id: i64) -> Result<Vec<QueueEntry>> {
        self.with_queue(rater_id, |q| {
            let dimensions = q.dimension_count();
            q.entries()
                .iter()
                .map(|e| QueueEntry {
                    profile_id: e.profile_id,
                    person: e.person.clone(),
                    context: e.context.clone(),
                    rated: i64::from(e.rated),
                    dimensions,
                    flagged: e.flagged,
                })
                .collect()
        })
    }

    /// Per dimension (codebook order), how many profiles of the rater's queue (see
    /// [`Study::queue`]) the rater has rated on it: what is still incomplete where.
    pub fn dimension_progress(&self, rater_id: i64) -> Result<Vec<DimensionProgress>> {
        self.with_queue(rater_id, |q| {
            let assigned = q.entries().len() as i64;
            q.per_dimension()
                .map(|(name, rated)| DimensionProgress {
                    dimension: name.to_owned(),
                    rated,
                    assigned,
                })
                .collect()
        })
    }

    /// The first profile in the rater's queue that is not yet fully rated, preferring
    /// profiles not flagged for later; `None` when everything is done.
    pub fn next_unrated(&self, rater_id: i64) -> Result<Option<i64>> {
        self.with_queue(rater_id, |q| q.next_unrated())
    }

    /// A number that changes whenever the rater's queue changed other than through this open
    /// study's own ratings and flags (an import, a merge, new assignments, another window's
    /// commit): a face that keeps a copy of [`Study::queue`] and applies its own saves to it
    /// fetches the list again only when this moved.
    pub fn queue_generation(&self, rater_id: i64) -> Result<u64> {
        self.with_queue(rater_id, |q| q.generation())
    }

    /// Gives `rater_id` the profiles in `profile_ids`, in that order (appended after any
    /// existing assignment; already assigned profiles keep their place).
    pub fn assign(&mut self, rater_id: i64, profile_ids: &[i64]) -> Result<usize> {
        let tx = self.write("assigning profiles")?;
        let start: i64 = tx.query_row(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM assignment WHERE rater_id = ?1",
            [rater_id],
            |r| r.get(0),
        )?;
        let mut added = 0;
        {
            let mut st = tx.prepare(
                "INSERT OR IGNORE INTO assignment (rater_id, profile_id, position) VALUES (?1, ?2, ?3)",
            )?;
            for (i, pid) in profile_ids.iter().enumerate() {
                added += st.execute(params![rater_id, pid, start + i as i64])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }
}
