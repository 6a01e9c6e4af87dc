//! A rater's queue held in the open study, so the rating screen's questions — the next profile
//! not fully rated, how far each dimension is, the queue list — cost what changed, not a scan
//! of every profile and rating (at 100k profiles × 26 dimensions a scan took 70–260 ms per
//! Enter).
//!
//! The state is read once from the file and then kept current two ways:
//! - this connection's own rating-screen writes ([`Study::save_rating`],
//!   [`Study::save_cant_judge`], [`Study::set_profile_review`]) apply their change to it in
//!   place, in O(log n);
//! - anything else — another connection's commit (`PRAGMA data_version`, which only other
//!   connections change) or any other write of this one (`total_changes`: imports, merges,
//!   assignments, the codebook, bulk inserts) — makes it stale, and the next question reads it
//!   again. No trigger or extra table is needed, so a bulk import keeps it right by changing
//!   the counter.

use super::Study;
use crate::error::Result;
use crate::tidy::FxMap;
use rusqlite::Connection;
use std::collections::BTreeSet;

/// What the state was read at: it is current while both are unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    data_version: i64,
    changes: u64,
}

impl Stamp {
    /// The connection's stamp now (one `PRAGMA data_version`).
    pub(crate) fn of(conn: &Connection) -> Result<Stamp> {
        let data_version = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(Stamp::with(data_version, conn))
    }

    /// The stamp with a `data_version` read earlier on this connection (its own commits leave
    /// that unchanged) and its `total_changes` now.
    pub(crate) fn with(data_version: i64, conn: &Connection) -> Stamp {
        Stamp {
            data_version,
            changes: conn.total_changes(),
        }
    }
}

/// One change a rating-screen write made to a rater's queue.
#[derive(Debug, Clone, Copy)]
pub(crate) enum QueueChange {
    /// The rater's rating of the dimension is now done (a value or "can't judge") or not.
    Rated {
        profile_id: i64,
        dimension_id: i64,
        done: bool,
    },
    /// The rater's flag on the profile.
    Flagged { profile_id: i64, flagged: bool },
}

/// One profile of the queue.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub profile_id: i64,
    pub person: String,
    pub context: String,
    /// Dimensions rated (a value or "can't judge").
    pub rated: u32,
    pub flagged: bool,
}

/// A rater's queue in queue order with their progress.
#[derive(Debug)]
pub(crate) struct QueueState {
    rater_id: i64,
    stamp: Stamp,
    /// How many times this study read a queue state: a face holding a copy of the queue list
    /// fetches it again only when this changed.
    generation: u64,
    /// Dimension ids and names in codebook order.
    dimensions: Vec<(i64, String)>,
    dimension_slot: FxMap<i64, usize>,
    entries: Vec<Entry>,
    slot: FxMap<i64, usize>,
    /// Per entry, `words` words of bits: the dimensions (by slot) rated.
    done: Vec<u64>,
    words: usize,
    /// Per dimension slot, entries rated on it.
    per_dimension: Vec<i64>,
    /// Entries not fully rated, by queue index: not flagged, flagged.
    open: [BTreeSet<usize>; 2],
}

impl QueueState {
    /// Reads the rater's queue (see [`Study::queue`]) and their ratings and flags.
    fn load(study: &Study, rater_id: i64, generation: u64) -> Result<QueueState> {
        let c = study.conn();
        // Read before the queries: a commit by another connection while they run leaves this
        // stamp behind, so the next question reads again.
        let data_version: i64 = c.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let dimensions = c
            .prepare("SELECT id, name FROM dimension ORDER BY position, id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
        let dimension_slot = dimensions
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let entry = |profile_id: i64, person: String, context: String| Entry {
            profile_id,
            person,
            context,
            rated: 0,
            flagged: false,
        };
        let entries: Vec<Entry> = if study.has_assignments(rater_id)? {
            c.prepare(
                "SELECT a.profile_id, pe.name, c.name FROM assignment a
                   JOIN profile p ON p.id = a.profile_id
                   JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
                  WHERE a.rater_id = ?1 ORDER BY a.position, a.profile_id",
            )?
            .query_map([rater_id], |r| Ok(entry(r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
        } else {
            // Every profile by id with its names in one scan: the order needs the profiles'
            // persons, the entries their names (a profile without either is left out).
            let mut profiles = Vec::new();
            let mut names = Vec::new();
            let mut st = c.prepare(
                "SELECT p.id, p.person_id, p.context_id, pe.name, c.name FROM profile p
                   LEFT JOIN person pe ON pe.id = p.person_id
                   LEFT JOIN context c ON c.id = p.context_id
                  ORDER BY p.id",
            )?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                profiles.push(crate::assign::DesignProfile {
                    id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                });
                let person: Option<String> = r.get(3)?;
                let context: Option<String> = r.get(4)?;
                names.push(person.zip(context));
            }
            study
                .default_positions(&profiles, rater_id)?
                .into_iter()
                .filter_map(|i| {
                    names[i]
                        .take()
                        .map(|(pe, cx)| entry(profiles[i].id, pe, cx))
                })
                .collect()
        };
        let slot = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.profile_id, i))
            .collect();
        let words = dimensions.len().div_ceil(64).max(1);
        let mut state = QueueState {
            rater_id,
            stamp: Stamp::with(data_version, c),
            generation,
            per_dimension: vec![0; dimensions.len()],
            done: vec![0; entries.len() * words],
            dimensions,
            dimension_slot,
            entries,
            slot,
            words,
            open: [BTreeSet::new(), BTreeSet::new()],
        };
        let mut st = c.prepare(
            "SELECT profile_id, dimension_id FROM rating
              WHERE rater_id = ?1 AND (value IS NOT NULL OR cant_judge = 1)",
        )?;
        let mut rows = st.query([rater_id])?;
        while let Some(r) = rows.next()? {
            state.mark(r.get(0)?, r.get(1)?, true);
        }
        let mut st =
            c.prepare("SELECT profile_id FROM profile_review WHERE rater_id = ?1 AND flagged = 1")?;
        let mut rows = st.query([rater_id])?;
        while let Some(r) = rows.next()? {
            if let Some(&i) = state.slot.get(&r.get::<_, i64>(0)?) {
                state.entries[i].flagged = true;
            }
        }
        for i in 0..state.entries.len() {
            state.file(i);
        }
        Ok(state)
    }

    fn is_complete(&self, i: usize) -> bool {
        !self.dimensions.is_empty() && self.entries[i].rated as usize >= self.dimensions.len()
    }

    /// Puts entry `i` in the open set it belongs to (none when complete).
    fn file(&mut self, i: usize) {
        self.open[0].remove(&i);
        self.open[1].remove(&i);
        if !self.is_complete(i) {
            self.open[usize::from(self.entries[i].flagged)].insert(i);
        }
    }

    /// Sets one dimension of a profile rated or not; false when that changed nothing (the
    /// profile is not in the queue, or it already was so).
    fn mark(&mut self, profile_id: i64, dimension_id: i64, done: bool) -> bool {
        let (Some(&i), Some(&d)) = (
            self.slot.get(&profile_id),
            self.dimension_slot.get(&dimension_id),
        ) else {
            return false;
        };
        let (word, bit) = (i * self.words + d / 64, 1u64 << (d % 64));
        if (self.done[word] & bit != 0) == done {
            return false;
        }
        self.done[word] ^= bit;
        if done {
            self.entries[i].rated += 1;
            self.per_dimension[d] += 1;
        } else {
            self.entries[i].rated -= 1;
            self.per_dimension[d] -= 1;
        }
        true
    }

    fn apply(&mut self, change: QueueChange) {
        match change {
            QueueChange::Rated {
                profile_id,
                dimension_id,
                done,
            } => {
                if self.mark(profile_id, dimension_id, done) {
                    self.file(self.slot[&profile_id]);
                }
            }
            QueueChange::Flagged {
                profile_id,
                flagged,
            } => {
                if let Some(&i) = self.slot.get(&profile_id) {
                    self.entries[i].flagged = flagged;
                    self.file(i);
                }
            }
        }
    }

    /// The first profile not fully rated, profiles not flagged first.
    pub(crate) fn next_unrated(&self) -> Option<i64> {
        if self.dimensions.is_empty() {
            return None;
        }
        self.open
            .iter()
            .find_map(|s| s.first())
            .map(|&i| self.entries[i].profile_id)
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub(crate) fn dimension_count(&self) -> i64 {
        self.dimensions.len() as i64
    }

    /// Per dimension in codebook order: its name and the entries rated on it.
    pub(crate) fn per_dimension(&self) -> impl Iterator<Item = (&str, i64)> + '_ {
        self.dimensions
            .iter()
            .zip(&self.per_dimension)
            .map(|((_, name), n)| (name.as_str(), *n))
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }
}

impl Study {
    /// Runs `f` on the rater's current queue state, reading it first when there is none for
    /// this rater or it is stale.
    pub(crate) fn with_queue<T>(
        &self,
        rater_id: i64,
        f: impl FnOnce(&QueueState) -> T,
    ) -> Result<T> {
        let now = Stamp::of(self.conn())?;
        let current = self
            .queue_state
            .borrow()
            .as_ref()
            .is_some_and(|q| q.rater_id == rater_id && q.stamp == now);
        if !current {
            let generation = self.queue_generation.get() + 1;
            self.queue_generation.set(generation);
            let state = QueueState::load(self, rater_id, generation)?;
            *self.queue_state.borrow_mut() = Some(state);
        }
        let state = self.queue_state.borrow();
        match state.as_ref() {
            Some(q) => Ok(f(q)),
            None => Err(crate::error::CoreError::Invalid(
                "the rater's queue could not be read".into(),
            )),
        }
    }

    /// After a committed write that began at `before`: applies its `change` when the queue
    /// state was current then (and is of the rater written for), so it stays current; a state
    /// that was already stale stays stale.
    pub(crate) fn queue_after_write(&mut self, before: Stamp, rater_id: i64, change: QueueChange) {
        let conn = &self.conn;
        if let Some(q) = self.queue_state.get_mut() {
            if q.stamp == before {
                if q.rater_id == rater_id {
                    q.apply(change);
                }
                q.stamp = Stamp::with(before.data_version, conn);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The queue state against the scans it replaced (kept here as they were), on random
    //! studies: every answer the rating screen gets must be the scan's.
    use super::*;
    use crate::model::RaterKind;
    use crate::sample::SampleRng;
    use crate::store::{DimensionProgress, QueueEntry, RatingInput};
    use rusqlite::{params, OptionalExtension};
    use std::path::Path;

    /// The rater's profiles in queue order: their assignments when the study has any for
    /// them, else every profile of the study.
    fn queue_by_scan(s: &Study, rater_id: i64) -> Result<Vec<QueueEntry>> {
        let dims: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM dimension", [], |r| r.get(0))?;
        let source = queue_source(s, rater_id)?;
        let sql = format!(
            "WITH q AS ({source}),
                  done AS (SELECT profile_id, COUNT(*) AS n FROM rating
                            WHERE rater_id = ?1 AND (value IS NOT NULL OR cant_judge = 1)
                            GROUP BY profile_id)
             SELECT q.id, pe.name, c.name, COALESCE(done.n, 0), COALESCE(rv.flagged, 0)
               FROM q JOIN profile p ON p.id = q.id
               JOIN person pe ON pe.id = p.person_id JOIN context c ON c.id = p.context_id
               LEFT JOIN done ON done.profile_id = q.id
               LEFT JOIN profile_review rv ON rv.profile_id = q.id AND rv.rater_id = ?1
              ORDER BY q.pos, q.id"
        );
        let mut st = s.conn().prepare(&sql)?;
        let rows = st
            .query_map([rater_id], |r| {
                Ok(QueueEntry {
                    profile_id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                    rated: r.get(3)?,
                    dimensions: dims,
                    flagged: r.get::<_, i64>(4)? != 0,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Per dimension (codebook order), how many profiles of the rater's queue (see
    /// [`Study::queue`]) the rater has rated on it: what is still incomplete where.
    fn dimension_progress_by_scan(s: &Study, rater_id: i64) -> Result<Vec<DimensionProgress>> {
        let source = queue_source(s, rater_id)?;
        let sql = format!(
            "WITH q AS ({source}),
                  n AS (SELECT COUNT(*) AS n FROM q),
                  done AS (SELECT r.dimension_id AS d, COUNT(*) AS k FROM rating r
                            WHERE r.rater_id = ?1 AND (r.value IS NOT NULL OR r.cant_judge = 1)
                              AND r.profile_id IN (SELECT id FROM q)
                            GROUP BY r.dimension_id)
             SELECT d.name, COALESCE(done.k, 0), n.n
               FROM dimension d CROSS JOIN n LEFT JOIN done ON done.d = d.id
              ORDER BY d.position, d.id"
        );
        let mut st = s.conn().prepare(&sql)?;
        let rows = st
            .query_map([rater_id], |r| {
                Ok(DimensionProgress {
                    dimension: r.get(0)?,
                    rated: r.get(1)?,
                    assigned: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The first profile in the rater's queue that is not yet fully rated, preferring
    /// profiles not flagged for later; `None` when everything is done.
    fn next_unrated_by_scan(s: &Study, rater_id: i64) -> Result<Option<i64>> {
        let dims: i64 = s
            .conn()
            .query_row("SELECT COUNT(*) FROM dimension", [], |r| r.get(0))?;
        if dims == 0 {
            return Ok(None);
        }
        let assigned: bool = s.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM assignment WHERE rater_id = ?1)",
            [rater_id],
            |r| r.get(0),
        )?;
        // Two ordered scans that stop at the first hit (the queue order comes from an index:
        // assignment_queue or the profile rowid): first profiles not flagged, then flagged ones.
        let (from, order) = if assigned {
            ("assignment a WHERE a.rater_id = ?1 AND", "a.position")
        } else {
            fill_default_queue(s, rater_id)?;
            ("temp.queue_order a WHERE a.rater_id = ?1 AND", "a.pos")
        };
        let id = "a.profile_id";
        for flagged in [false, true] {
            let sql = format!(
                "SELECT {id} FROM {from}
                   {neg} EXISTS (SELECT 1 FROM profile_review rv
                                  WHERE rv.rater_id = ?1 AND rv.profile_id = {id} AND rv.flagged = 1)
                   AND (SELECT COUNT(*) FROM rating r
                         WHERE r.rater_id = ?1 AND r.profile_id = {id}
                           AND (r.value IS NOT NULL OR r.cant_judge = 1)) < ?2
                 ORDER BY {order} LIMIT 1",
                neg = if flagged { "" } else { "NOT" }
            );
            let hit: Option<i64> = s
                .conn()
                .query_row(&sql, params![rater_id, dims], |r| r.get(0))
                .optional()?;
            if hit.is_some() {
                return Ok(hit);
            }
        }
        Ok(None)
    }

    /// SQL selecting `id, pos` of the rater's queue (parameter `?1` = the rater): their
    /// assignments when the study has any for them, else every profile in the rater's own
    /// seeded order ([`crate::assign::default_queue`]).
    fn queue_source(s: &Study, rater_id: i64) -> Result<&'static str> {
        let assigned: bool = s.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM assignment WHERE rater_id = ?1)",
            [rater_id],
            |r| r.get(0),
        )?;
        Ok(if assigned {
            "SELECT a.profile_id AS id, a.position AS pos FROM assignment a WHERE a.rater_id = ?1"
        } else {
            fill_default_queue(s, rater_id)?;
            "SELECT a.profile_id AS id, a.pos AS pos FROM temp.queue_order a WHERE a.rater_id = ?1"
        })
    }

    /// Puts the rater's default queue order in a table of this connection's temporary
    /// database (never in the study file, so a read-only study has one too), remade when the
    /// study's profiles changed. The seed is the study's id and the rater's, so each rater
    /// has an order of their own that stays the same from one session to the next.
    fn fill_default_queue(s: &Study, rater_id: i64) -> Result<()> {
        let c = s.conn();
        c.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS queue_order (
               rater_id INTEGER NOT NULL, profile_id INTEGER NOT NULL, pos INTEGER NOT NULL,
               PRIMARY KEY (rater_id, profile_id)) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS temp.queue_order_pos ON queue_order (rater_id, pos);",
        )?;
        let current: bool = c.query_row(
            "SELECT (SELECT COUNT(*) FROM temp.queue_order WHERE rater_id = ?1)
                      = (SELECT COUNT(*) FROM profile)
                AND NOT EXISTS (SELECT 1 FROM profile p WHERE NOT EXISTS
                      (SELECT 1 FROM temp.queue_order q WHERE q.rater_id = ?1 AND q.profile_id = p.id))",
            [rater_id],
            |r| r.get(0),
        )?;
        if current {
            return Ok(());
        }
        // The order itself is the product's (`default_order`); what the oracle keeps is the
        // temp-table scan the screen's reads used to make over it.
        let order = s.default_order(rater_id)?;
        c.execute(
            "DELETE FROM temp.queue_order WHERE rater_id = ?1",
            [rater_id],
        )?;
        let mut st = c.prepare(
            "INSERT INTO temp.queue_order (rater_id, profile_id, pos) VALUES (?1, ?2, ?3)",
        )?;
        for (pos, id) in order.iter().enumerate() {
            st.execute(params![rater_id, id, pos as i64])?;
        }
        Ok(())
    }

    /// What the rating screen is told about `rater`: by the state and by the scans.
    fn check(s: &Study, rater: i64, what: &str) {
        assert_eq!(
            s.queue(rater).unwrap(),
            queue_by_scan(s, rater).unwrap(),
            "queue after {what}"
        );
        assert_eq!(
            s.dimension_progress(rater).unwrap(),
            dimension_progress_by_scan(s, rater).unwrap(),
            "progress after {what}"
        );
        assert_eq!(
            s.next_unrated(rater).unwrap(),
            next_unrated_by_scan(s, rater).unwrap(),
            "next after {what}"
        );
    }

    fn put(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A demo study of `persons` × 3 profiles with its codebook, no ratings.
    fn study(dir: &Path, persons: usize) -> Study {
        let files = crate::sample::demo(7, persons);
        let mut s = Study::create(&dir.join("s.db")).unwrap();
        s.import_profiles(&put(dir, "p.jsonl", &files.profiles_jsonl))
            .unwrap();
        s.import_codebook(&put(dir, "c.toml", &files.codebook_toml))
            .unwrap();
        s
    }

    fn ids(s: &Study, sql: &str) -> Vec<i64> {
        s.conn()
            .prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn dimension_names(s: &Study) -> Vec<String> {
        s.conn()
            .prepare("SELECT name FROM dimension ORDER BY position")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn rate(s: &mut Study, profile_id: i64, dimension: &str, rater_id: i64, value: Option<f64>) {
        s.save_rating(&RatingInput {
            profile_id,
            dimension: dimension.into(),
            rater_id,
            value,
            seconds_spent: Some(1.0),
            note: None,
            confidence: None,
        })
        .unwrap();
    }

    fn flag(s: &mut Study, rater_id: i64, profile_id: i64, flagged: bool) {
        let review = crate::store::ProfileReview {
            flagged,
            ..Default::default()
        };
        s.set_profile_review(rater_id, profile_id, &review).unwrap();
    }

    #[test]
    fn the_queue_state_answers_as_the_scans_did_on_random_studies() {
        let mut rng = SampleRng::new(19);
        for case in 0..12 {
            let dir = tempfile::tempdir().unwrap();
            let mut s = study(dir.path(), 2 + rng.below(5));
            let profiles = ids(&s, "SELECT id FROM profile ORDER BY id");
            let dims = dimension_names(&s);
            let raters: Vec<i64> = ["ana", "ben", "cem"]
                .iter()
                .map(|n| s.ensure_rater(n, RaterKind::Human).unwrap().id)
                .collect();
            // Some raters get assignments (a random part of the profiles, shuffled), the others
            // the default queue.
            for &r in &raters {
                if rng.below(2) == 0 {
                    let mut mine: Vec<i64> = profiles
                        .iter()
                        .copied()
                        .filter(|_| rng.below(3) > 0)
                        .collect();
                    for i in (1..mine.len()).rev() {
                        mine.swap(i, rng.below(i + 1));
                    }
                    s.assign(r, &mine).unwrap();
                }
            }
            let mut me = raters[0];
            let generation = s.queue_generation(me).unwrap();
            let mut untracked = false;
            for step in 0..300 {
                let p = profiles[rng.below(profiles.len())];
                let d = &dims[rng.below(dims.len())];
                // Mostly the current rater, sometimes another one through the same study.
                let r = if rng.below(5) == 0 {
                    raters[rng.below(raters.len())]
                } else {
                    me
                };
                let what = match rng.below(20) {
                    0..=8 => {
                        let value = Some(1.0 + rng.below(3) as f64);
                        // A value off a dimension's scale is refused before anything is written.
                        let _ = s.save_rating(&RatingInput {
                            profile_id: p,
                            dimension: d.clone(),
                            rater_id: r,
                            value,
                            seconds_spent: None,
                            note: None,
                            confidence: None,
                        });
                        "a rating"
                    }
                    9..=10 => {
                        rate(&mut s, p, d, r, None);
                        "a cleared rating"
                    }
                    11..=12 => {
                        s.save_cant_judge(p, d, r, None).unwrap();
                        "can't judge"
                    }
                    13..=14 => {
                        flag(&mut s, r, p, rng.below(2) == 0);
                        "a flag"
                    }
                    15 => {
                        // A whole profile rated: it leaves the open profiles.
                        for d in &dims {
                            let _ = s.save_rating(&RatingInput {
                                profile_id: p,
                                dimension: d.clone(),
                                rater_id: me,
                                value: Some(2.0),
                                seconds_spent: None,
                                note: None,
                                confidence: None,
                            });
                        }
                        "a whole profile"
                    }
                    16 => {
                        untracked = true;
                        s.set_gold(p, d, 2.0, crate::store::GoldKind::Gold).unwrap();
                        "a gold value"
                    }
                    17 => {
                        untracked = true;
                        s.assign(r, &[p]).unwrap();
                        "an assignment"
                    }
                    18 => {
                        // Another connection's commit: a rating written behind the state's back.
                        untracked = true;
                        let other = rusqlite::Connection::open(s.path()).unwrap();
                        other
                            .execute(
                                "UPDATE rating SET value = NULL, cant_judge = 0
                                  WHERE id = (SELECT MIN(id) FROM rating WHERE rater_id = ?1)",
                                params![me],
                            )
                            .unwrap();
                        "another connection's write"
                    }
                    _ => {
                        untracked = true;
                        me = raters[rng.below(raters.len())];
                        "a change of rater"
                    }
                };
                check(&s, me, &format!("{what} (case {case}, step {step})"));
            }
            assert!(
                untracked,
                "case {case} wrote behind the state's back at least once"
            );
            assert!(
                s.queue_generation(me).unwrap() > generation,
                "untracked writes made the state read again"
            );
        }
    }

    #[test]
    fn the_rating_screens_own_writes_keep_the_state_without_reading_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = study(dir.path(), 3);
        let ana = s.ensure_rater("ana", RaterKind::Human).unwrap().id;
        let ben = s.ensure_rater("ben", RaterKind::Human).unwrap().id;
        let dims = dimension_names(&s);
        // The scans keep their order in a temporary table: filled here, before the count.
        check(&s, ana, "the start");
        let generation = s.queue_generation(ana).unwrap();
        let first = s.next_unrated(ana).unwrap().unwrap();
        for d in &dims {
            rate(&mut s, first, d, ana, Some(1.0));
        }
        rate(&mut s, first, &dims[0], ben, Some(2.0));
        let second = s.next_unrated(ana).unwrap().unwrap();
        assert_ne!(first, second, "a fully rated profile is done");
        flag(&mut s, ana, second, true);
        s.save_cant_judge(first, &dims[1], ana, None).unwrap();
        rate(&mut s, first, &dims[2], ana, None);
        check(&s, ana, "the screen's writes");
        assert_eq!(
            s.next_unrated(ana).unwrap(),
            Some(first),
            "a cleared dimension opens the profile again, before the flagged one"
        );
        assert_eq!(
            s.queue_generation(ana).unwrap(),
            generation,
            "no write of the screen made the state read again"
        );
        s.set_gold(first, &dims[0], 1.0, crate::store::GoldKind::Gold)
            .unwrap();
        assert_eq!(
            s.queue_generation(ana).unwrap(),
            generation + 1,
            "any other write does"
        );
    }

    /// Undo (the value before, or empty), clear, an import and a package merge: the progress
    /// the screen shows is the scan's after each, for the annotator and the PI's study.
    #[test]
    fn progress_stays_right_after_undo_clear_import_and_a_package_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = study(dir.path(), 4);
        s.design_assignments(&crate::assign::DesignParams {
            pool: vec!["ana".into(), "ben".into()],
            k: 1,
            extra_percent: 0.0,
            seed: 1,
            allow_same_person_in_a_row: false,
        })
        .unwrap();
        let ana: i64 = s
            .conn()
            .query_row("SELECT id FROM rater WHERE name = 'ana'", [], |r| r.get(0))
            .unwrap();
        let dims = dimension_names(&s);
        let mine = s.queue(ana).unwrap();
        let (p0, p1) = (mine[0].profile_id, mine[1].profile_id);
        rate(&mut s, p0, &dims[0], ana, Some(3.0));
        rate(&mut s, p0, &dims[0], ana, Some(4.0));
        check(&s, ana, "a change");
        rate(&mut s, p0, &dims[0], ana, Some(3.0));
        check(&s, ana, "an undo to the value before");
        rate(&mut s, p0, &dims[0], ana, None);
        check(&s, ana, "an undo to empty");
        s.save_cant_judge(p0, &dims[1], ana, None).unwrap();
        rate(&mut s, p0, &dims[1], ana, None);
        check(&s, ana, "a cleared can't judge");
        for d in &dims {
            rate(&mut s, p1, d, ana, Some(2.0));
        }
        check(&s, ana, "a whole profile");

        // An import of ana's ratings of her third profile.
        let person: String = s
            .conn()
            .query_row(
                "SELECT pe.name, c.name FROM profile p JOIN person pe ON pe.id = p.person_id
                   JOIN context c ON c.id = p.context_id WHERE p.id = ?1",
                [mine[2].profile_id],
                |r| {
                    Ok(format!(
                        "{},{}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?
                    ))
                },
            )
            .unwrap();
        let mut csv = String::from("person,context,rater,dimension,value\n");
        for d in &dims[..3] {
            csv.push_str(&format!("{person},ana,{d},2\n"));
        }
        s.import_ratings(&put(dir.path(), "r.csv", &csv), &Default::default())
            .unwrap();
        check(&s, ana, "an import");
        assert_eq!(
            s.dimension_progress(ana).unwrap()[2].rated,
            2,
            "the imported rating counts with the one rated on screen"
        );

        // ana rates in her package; the merge brings it back.
        let package = dir.path().join("ana.chameleon");
        s.export_package("ana", &package).unwrap();
        {
            let mut pkg = Study::open(&package).unwrap();
            let pkg_ana: i64 = pkg
                .conn()
                .query_row("SELECT id FROM rater WHERE name = 'ana'", [], |r| r.get(0))
                .unwrap();
            let next = pkg.next_unrated(pkg_ana).unwrap().unwrap();
            for d in &dims {
                rate(&mut pkg, next, d, pkg_ana, Some(1.0));
            }
            // The profile she finished in the study, cleared on one dimension in the package.
            let done = pkg
                .queue(pkg_ana)
                .unwrap()
                .into_iter()
                .find(|e| e.is_complete() && e.profile_id != next)
                .unwrap()
                .profile_id;
            rate(&mut pkg, done, &dims[0], pkg_ana, None);
            check(&pkg, pkg_ana, "rating in the package");
        }
        let before = s.dimension_progress(ana).unwrap();
        let report = s.merge_package(&package).unwrap();
        assert_eq!(report.refused, None, "{report}");
        check(&s, ana, "a package merge");
        assert_ne!(
            s.dimension_progress(ana).unwrap(),
            before,
            "the merge is counted"
        );
        let p1_now = s
            .queue(ana)
            .unwrap()
            .into_iter()
            .find(|e| e.profile_id == p1)
            .unwrap();
        assert_eq!(
            p1_now.rated,
            dims.len() as i64 - 1,
            "the package's clear arrived"
        );
    }
}
