//! Assignment design: which annotators rate which profiles, in what order.
//!
//! Every profile gets `k` annotators from the pool; a seeded `extra_percent` of the profiles,
//! drawn within each context (stratified), get one more (k + 1) so agreement can be measured
//! beyond the base coding. Workload is balanced greedily (the least loaded annotators first,
//! ties broken at random), and each annotator's queue is ordered so the same person does not
//! come twice in a row unless that cannot be avoided (or is allowed).

use crate::error::{CoreError, Result};
use crate::model::RaterKind;
use crate::sample::SampleRng;
use crate::store::Study;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How to spread a study's profiles over annotators (`chameleon assign design`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesignParams {
    /// Annotator names.
    pub pool: Vec<String>,
    /// Annotators per profile.
    pub k: usize,
    /// Share of profiles (0–100, stratified by context) that get k + 1 annotators.
    #[serde(default)]
    pub extra_percent: f64,
    /// Seed of the assignment: the same seed gives the same design.
    #[serde(default)]
    pub seed: u64,
    /// Allow the same person twice in a row in a queue.
    #[serde(default)]
    pub allow_same_person_in_a_row: bool,
}

/// A profile as the design sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesignProfile {
    /// The profile's id.
    pub id: i64,
    /// Its person's id.
    pub person: i64,
    /// Its context's id.
    pub context: i64,
}

/// Per annotator, the ordered list of profile ids.
pub type Design = Vec<Vec<i64>>;

/// The pure design: `result[i]` is annotator `pool[i]`'s queue.
pub fn design(profiles: &[DesignProfile], params: &DesignParams) -> Result<Design> {
    let n_pool = params.pool.len();
    if params.k == 0 {
        return Err(CoreError::Invalid("k must be at least 1".into()));
    }
    if !(0.0..=100.0).contains(&params.extra_percent) {
        return Err(CoreError::Invalid(
            "the extra-coding percentage must be between 0 and 100".into(),
        ));
    }
    let max_k = params.k + usize::from(params.extra_percent > 0.0);
    if n_pool < max_k {
        return Err(CoreError::Invalid(format!(
            "{max_k} annotators per profile need a pool of at least {max_k}, got {n_pool}"
        )));
    }
    let mut rng = SampleRng::new(params.seed);
    // Stratified draw of the profiles that get an extra annotator.
    let mut by_context: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, p) in profiles.iter().enumerate() {
        by_context.entry(p.context).or_default().push(i);
    }
    let mut extra = vec![false; profiles.len()];
    for idx in by_context.values() {
        let mut idx = idx.clone();
        shuffle(&mut idx, &mut rng);
        let n = (idx.len() as f64 * params.extra_percent / 100.0).round() as usize;
        for &i in idx.iter().take(n) {
            extra[i] = true;
        }
    }
    // Balanced greedy assignment, in a random profile order.
    let mut order: Vec<usize> = (0..profiles.len()).collect();
    shuffle(&mut order, &mut rng);
    let mut load = vec![0usize; n_pool];
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); n_pool];
    for &i in &order {
        let need = params.k + usize::from(extra[i]);
        let mut cands: Vec<(usize, u64, usize)> =
            (0..n_pool).map(|a| (load[a], rng.next_u64(), a)).collect();
        cands.sort_unstable();
        for &(_, _, a) in cands.iter().take(need) {
            load[a] += 1;
            lists[a].push(i);
        }
    }
    Ok(lists
        .into_iter()
        .map(|mut l| {
            shuffle(&mut l, &mut rng);
            if !params.allow_same_person_in_a_row {
                l = spread_persons(&l, profiles);
            }
            l.into_iter().map(|i| profiles[i].id).collect()
        })
        .collect())
}

/// The queue of a rater without an assignment: every profile, shuffled with `seed` and then
/// spread so one person's contexts are far apart (back to back, the first rating of a person
/// carries over into the next and inflates the very trait share the study measures).
pub fn default_queue(profiles: &[DesignProfile], seed: u64) -> Vec<i64> {
    default_queue_positions(profiles, seed)
        .into_iter()
        .map(|i| profiles[i].id)
        .collect()
}

/// [`default_queue`] as positions in `profiles`.
pub(crate) fn default_queue_positions(profiles: &[DesignProfile], seed: u64) -> Vec<usize> {
    let mut rng = SampleRng::new(seed);
    let mut order: Vec<usize> = (0..profiles.len()).collect();
    shuffle(&mut order, &mut rng);
    spread_persons(&order, profiles)
}

fn shuffle<T>(v: &mut [T], rng: &mut SampleRng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

/// Reorders a queue so no person comes twice in a row when avoidable: at each step take the
/// person with most profiles left that differs from the previous one (ties: earliest).
fn spread_persons(queue: &[usize], profiles: &[DesignProfile]) -> Vec<usize> {
    // Persons numbered in order of first appearance, each one's profiles in queue order, laid
    // out one person after another (`start[k]..start[k + 1]`).
    let mut rank: crate::tidy::FxMap<i64, usize> = Default::default();
    let person_of: Vec<usize> = queue
        .iter()
        .map(|&i| {
            let next = rank.len();
            *rank.entry(profiles[i].person).or_insert(next)
        })
        .collect();
    let persons = rank.len();
    let mut start = vec![0usize; persons + 1];
    for &k in &person_of {
        start[k + 1] += 1;
    }
    for k in 0..persons {
        start[k + 1] += start[k];
    }
    let mut next = start.clone();
    let mut grouped = vec![0usize; queue.len()];
    for (&i, &k) in queue.iter().zip(&person_of) {
        grouped[next[k]] = i;
        next[k] += 1;
    }
    // Persons by (profiles left, earliest first seen): a heap, so a queue of 100k profiles is
    // ordered in n log n rather than a scan of every person per profile.
    let mut heap: std::collections::BinaryHeap<(usize, std::cmp::Reverse<usize>)> = (0..persons)
        .map(|k| (start[k + 1] - start[k], std::cmp::Reverse(k)))
        .collect();
    let mut taken = start;
    let mut out = Vec::with_capacity(queue.len());
    let mut last: Option<usize> = None;
    while let Some(top) = heap.pop() {
        let (len, std::cmp::Reverse(k)) = match heap.peek() {
            Some(_) if Some(top.1 .0) == last => {
                let Some(second) = heap.pop() else { break };
                heap.push(top);
                second
            }
            _ => top,
        };
        out.push(grouped[taken[k]]);
        taken[k] += 1;
        if len > 1 {
            heap.push((len - 1, std::cmp::Reverse(k)));
        }
        last = Some(k);
    }
    out
}

/// One row of the assignment table: annotator × assigned / done.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssignmentRow {
    /// The annotator.
    pub rater: String,
    /// Profiles assigned to them.
    pub assigned: i64,
    /// Of those, profiles they rated on every dimension.
    pub done: i64,
}

impl Study {
    /// Designs and stores assignments for the pool (replacing their earlier assignments;
    /// ratings are kept). Annotators missing from the study are created as human raters.
    pub fn design_assignments(&mut self, params: &DesignParams) -> Result<Vec<AssignmentRow>> {
        let profiles = self.design_profiles()?;
        if profiles.is_empty() {
            return Err(CoreError::Invalid(
                "the study has no profiles to assign".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = params
            .pool
            .iter()
            .find(|n| !seen.insert(n.trim().to_owned()))
        {
            return Err(CoreError::Invalid(format!(
                "'{dup}' appears twice in the pool"
            )));
        }
        if let Some(bad) = params
            .pool
            .iter()
            .find(|n| crate::store::reserved_rater_name(n).is_some())
        {
            return Err(CoreError::Invalid(format!(
                "'{bad}' is a reserved rater name (the study's own raters '(none)' and \
                 'adjudicated'): choose another name for this annotator"
            )));
        }
        let lists = design(&profiles, params)?;
        let mut ids = Vec::new();
        for name in &params.pool {
            ids.push(self.ensure_rater(name, RaterKind::Human)?.id);
        }
        let now = self.now();
        let actor = self.actor().to_owned();
        let tx = self.write("storing assignments")?;
        for (rid, list) in ids.iter().zip(&lists) {
            tx.execute("DELETE FROM assignment WHERE rater_id = ?1", [rid])?;
            let mut st = tx.prepare_cached(
                "INSERT INTO assignment (rater_id, profile_id, position) VALUES (?1, ?2, ?3)",
            )?;
            for (pos, pid) in list.iter().enumerate() {
                st.execute(rusqlite::params![rid, pid, pos as i64])?;
            }
        }
        let json = serde_json::to_string(params).map_err(|e| CoreError::Invalid(e.to_string()))?;
        tx.execute(
            "INSERT INTO assignment_design (created_at, params) VALUES (?1, ?2)",
            rusqlite::params![now, json],
        )?;
        crate::store::audit::audit(
            &tx,
            now,
            &actor,
            "assign",
            &serde_json::from_str(&json).unwrap_or_default(),
            None,
        )?;
        tx.commit()?;
        self.assignment_table()
    }

    /// The parameters of the latest stored design (the form shows them again).
    pub fn last_design(&self) -> Result<Option<DesignParams>> {
        use rusqlite::OptionalExtension;
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT params FROM assignment_design ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        json.map(|j| {
            serde_json::from_str(&j)
                .map_err(|e| CoreError::Invalid(format!("a stored design cannot be read: {e}")))
        })
        .transpose()
    }

    fn design_profiles(&self) -> Result<Vec<DesignProfile>> {
        let mut st = self
            .conn()
            .prepare("SELECT id, person_id, context_id FROM profile ORDER BY id")?;
        let v = st
            .query_map([], |r| {
                Ok(DesignProfile {
                    id: r.get(0)?,
                    person: r.get(1)?,
                    context: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(v)
    }

    /// Annotator × assigned / done (a profile is done when every dimension is rated).
    pub fn assignment_table(&self) -> Result<Vec<AssignmentRow>> {
        let dims: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM dimension", [], |r| r.get(0))?;
        let mut st = self.conn().prepare(
            "SELECT t.name, COUNT(*),
                    SUM(CASE WHEN (SELECT COUNT(*) FROM rating r WHERE r.rater_id = a.rater_id
                                    AND r.profile_id = a.profile_id AND r.value IS NOT NULL) >= ?1
                             THEN 1 ELSE 0 END)
               FROM assignment a JOIN rater t ON t.id = a.rater_id
              GROUP BY a.rater_id ORDER BY t.name",
        )?;
        let v = st
            .query_map([dims.max(1)], |r| {
                Ok(AssignmentRow {
                    rater: r.get(0)?,
                    assigned: r.get(1)?,
                    done: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The earlier spread (a scan of every person per profile), kept as the order to match.
    fn spread_by_scan(queue: &[usize], profiles: &[DesignProfile]) -> Vec<usize> {
        let mut groups: BTreeMap<i64, std::collections::VecDeque<usize>> = BTreeMap::new();
        let mut first_seen: Vec<i64> = Vec::new();
        for &i in queue {
            let p = profiles[i].person;
            if !groups.contains_key(&p) {
                first_seen.push(p);
            }
            groups.entry(p).or_default().push_back(i);
        }
        let mut out = Vec::new();
        let mut last = None;
        while out.len() < queue.len() {
            let pick = first_seen
                .iter()
                .filter(|p| Some(**p) != last && groups.get(p).is_some_and(|g| !g.is_empty()))
                .max_by_key(|p| {
                    (
                        groups[p].len(),
                        std::cmp::Reverse(first_seen.iter().position(|x| x == *p)),
                    )
                })
                .or_else(|| {
                    first_seen
                        .iter()
                        .find(|p| groups.get(p).is_some_and(|g| !g.is_empty()))
                })
                .copied();
            let Some(p) = pick else { break };
            out.push(groups.get_mut(&p).unwrap().pop_front().unwrap());
            last = Some(p);
        }
        out
    }

    #[test]
    fn the_spread_by_heap_is_the_order_of_the_scan() {
        let mut rng = SampleRng::new(5);
        for case in 0..200 {
            let persons = 1 + rng.below(12) as i64;
            let n = rng.below(60);
            let profiles: Vec<DesignProfile> = (0..n)
                .map(|i| DesignProfile {
                    id: i as i64,
                    // Uneven groups, one person often dominant.
                    person: if rng.below(3) == 0 {
                        0
                    } else {
                        rng.below(persons as usize) as i64
                    },
                    context: i as i64,
                })
                .collect();
            let mut order: Vec<usize> = (0..n).collect();
            shuffle(&mut order, &mut rng);
            assert_eq!(
                spread_persons(&order, &profiles),
                spread_by_scan(&order, &profiles),
                "case {case}"
            );
        }
    }

    #[test]
    fn a_default_queue_of_100k_profiles_is_ordered_in_seconds_not_hours() {
        // The scan took hours at this size: the rating screen never opened.
        let profiles: Vec<DesignProfile> = (0..100_000)
            .map(|i| DesignProfile {
                id: i,
                person: i / 3,
                context: i % 3,
            })
            .collect();
        let t = std::time::Instant::now();
        let q = default_queue(&profiles, 1);
        assert_eq!(q.len(), profiles.len());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }

    fn profiles(persons: i64, contexts: i64) -> Vec<DesignProfile> {
        let mut v = Vec::new();
        for p in 0..persons {
            for c in 0..contexts {
                v.push(DesignProfile {
                    id: p * contexts + c + 1,
                    person: p,
                    context: c,
                });
            }
        }
        v
    }

    fn params(k: usize, extra: f64) -> DesignParams {
        DesignParams {
            pool: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            k,
            extra_percent: extra,
            seed: 7,
            allow_same_person_in_a_row: false,
        }
    }

    #[test]
    fn every_profile_gets_k_distinct_annotators_and_extra_share_is_stratified() {
        let ps = profiles(50, 3);
        let d = design(&ps, &params(2, 20.0)).unwrap();
        let mut count: BTreeMap<i64, usize> = BTreeMap::new();
        for list in &d {
            let mut uniq = list.clone();
            uniq.sort_unstable();
            uniq.dedup();
            assert_eq!(
                uniq.len(),
                list.len(),
                "an annotator never gets a profile twice"
            );
            for id in list {
                *count.entry(*id).or_default() += 1;
            }
        }
        assert!(count.values().all(|&n| n == 2 || n == 3));
        for c in 0..3 {
            let triple = ps
                .iter()
                .filter(|p| p.context == c && count[&p.id] == 3)
                .count();
            assert_eq!(
                triple, 10,
                "20% of each context's 50 profiles get a third annotator"
            );
        }
        let loads: Vec<usize> = d.iter().map(Vec::len).collect();
        assert!(
            loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
            "balanced: {loads:?}"
        );
    }

    #[test]
    fn a_queue_without_a_design_spreads_each_persons_contexts_apart() {
        // Imported person by person: p0/c0, p0/c1, p0/c2, p1/c0, ...
        let profiles: Vec<DesignProfile> = (0..30)
            .map(|i| DesignProfile {
                id: i + 1,
                person: i / 3,
                context: i % 3,
            })
            .collect();
        let q = default_queue(&profiles, 7);
        let mut sorted = q.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=30).collect::<Vec<_>>(), "every profile once");
        assert_eq!(q, default_queue(&profiles, 7), "seeded");
        assert_ne!(q, default_queue(&profiles, 8));
        let person = |id: i64| profiles[(id - 1) as usize].person;
        let mut min_gap = usize::MAX;
        for i in 0..q.len() {
            for j in i + 1..q.len() {
                if person(q[i]) == person(q[j]) {
                    min_gap = min_gap.min(j - i);
                }
            }
        }
        assert!(
            min_gap >= 5,
            "a person's contexts come at least 5 apart, got {min_gap}: {q:?}"
        );
    }

    #[test]
    fn queues_avoid_the_same_person_twice_in_a_row_and_are_seeded() {
        let ps = profiles(30, 3);
        let d = design(&ps, &params(2, 0.0)).unwrap();
        for list in &d {
            let persons: Vec<i64> = list
                .iter()
                .map(|id| ps[(*id - 1) as usize].person)
                .collect();
            assert!(
                persons.windows(2).all(|w| w[0] != w[1]),
                "same person twice in a row: {persons:?}"
            );
        }
        assert_eq!(
            d,
            design(&ps, &params(2, 0.0)).unwrap(),
            "same seed, same design"
        );
    }

    #[test]
    fn impossible_designs_are_refused() {
        let ps = profiles(3, 1);
        assert!(
            design(&ps, &params(4, 10.0)).is_err(),
            "k+1 = 5 needs 5 annotators"
        );
        assert!(design(&ps, &params(0, 0.0)).is_err());
    }
}
