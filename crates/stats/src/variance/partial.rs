//! The decomposition from per-person summaries instead of ratings, for engines that aggregate
//! the ratings elsewhere (the DataFusion path of issue #17: a GROUP BY person whose partial
//! states merge in any order).
//!
//! A person's summary is, per profile, the sum of its raw values and, per (profile, rater) cell,
//! the count, the raw sum and the sums of the values centred on the dimension's mean. These are
//! exactly the numbers [`Design::new`] accumulates, so [`prepare`] builds the same three kinds
//! of design as [`Prepared::new`] (rater level, profile means, each rater's profile means)
//! without a rating in memory: O(cells), whatever the number of ratings.

use super::decompose::{
    assemble, fit_profile_level, fit_rater_level, fit_sensitivity, DecomposeOptions, Decomposition,
    LevelCounts, Prepared, RaterSensitivity,
};
use super::design::{
    signatures, Cell, Design, PersonBlock, PersonRater, ProfileBlock, Rating, Terms,
};
use super::VarianceError;
use rayon::prelude::*;

/// The ratings of one profile by one rater, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSummary {
    /// The rater (an id below the number of raters).
    pub rater: u32,
    /// Number of ratings.
    pub n: f64,
    /// Sum of the raw values.
    pub raw_sum: f64,
    /// Sum of the values minus the dimension's centre.
    pub sum: f64,
    /// Sum of the squared centred values.
    pub sumsq: f64,
}

/// One profile of a person: its raw sum (its ratings summed in one pass) and its cells by
/// ascending rater.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileSummary {
    /// Sum of the profile's raw values.
    pub raw_sum: f64,
    /// Cells, by ascending rater id.
    pub cells: Vec<CellSummary>,
}

/// One person's summary: profiles in ascending profile order.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonSummary {
    /// The person id (bootstrap weights are indexed by it).
    pub person: u32,
    /// The person's profiles.
    pub profiles: Vec<ProfileSummary>,
}

/// Builds the designs of one dimension from person summaries (ascending person id; profile
/// ids are assigned in order). `centre` is the value the `sum`/`sumsq` fields were centred
/// on; `has_rater` as in [`Prepared::new`]. Every design is kept, for a bootstrap; a point
/// estimate needs only [`decompose_summaries`], which holds one design at a time.
pub fn prepare(
    persons: &[PersonSummary],
    centre: f64,
    has_rater: bool,
) -> Result<Prepared, VarianceError> {
    let n_ratings = check(persons)?;
    let profile = profile_design(persons)?;
    let mut k = 1.0;
    let (rater, per_rater) = if has_rater {
        let rater = rater_design(persons, centre)?;
        k = harmonic_k(persons);
        let mut per_rater = Vec::new();
        for id in rater_ids(persons) {
            per_rater.push((id, one_rater_design(persons, id)?));
        }
        (Some(rater), per_rater)
    } else {
        (None, Vec::new())
    };
    Ok(Prepared::from_designs(
        profile,
        rater,
        per_rater,
        n_ratings as usize,
        k,
    ))
}

/// [`decompose`] of [`prepare`]'s designs, bit for bit, building each design only when its
/// level is fitted and dropping it after: at most the summaries and one design are held
/// (the rater-level design, the largest, is fitted after the summaries are gone). This is what keeps
/// the engine's stage B within its memory at 100M ratings.
pub fn decompose_summaries(
    persons: Vec<PersonSummary>,
    centre: f64,
    has_rater: bool,
    opts: &DecomposeOptions,
) -> Result<Decomposition, VarianceError> {
    let n_ratings = check(&persons)?;
    let mut warnings = Vec::new();
    let profile = profile_design(&persons)?;
    let counts = LevelCounts {
        persons: profile.n_persons(),
        profiles: profile.n_profiles(),
        ratings: n_ratings as usize,
    };
    let profile_level = fit_profile_level(&profile, opts, &mut warnings);
    drop(profile);
    if !has_rater {
        return Ok(assemble(
            counts,
            profile_level,
            None,
            Vec::new(),
            warnings,
            opts,
        ));
    }
    // Each rater's design is built, fitted and dropped on a rayon worker: as many alive at
    // once as there are workers, and before the rater-level design, the largest, exists.
    // (Building cannot fail past `check`, so the order does not change which error is seen.)
    let sensitivity: Vec<Result<RaterSensitivity, VarianceError>> = rater_ids(&persons)
        .par_iter()
        .map(|&id| {
            let d = one_rater_design(&persons, id)?;
            Ok(fit_sensitivity(id, &d, opts))
        })
        .collect();
    let sensitivity = sensitivity.into_iter().collect::<Result<Vec<_>, _>>()?;
    let k = harmonic_k(&persons);
    let rater = rater_design(&persons, centre)?;
    drop(persons);
    let rater_level = fit_rater_level(&rater, k, opts, &mut warnings);
    Ok(assemble(
        counts,
        profile_level,
        rater_level,
        sensitivity,
        warnings,
        opts,
    ))
}

/// The number of ratings, after refusing no ratings and non-finite values.
fn check(persons: &[PersonSummary]) -> Result<f64, VarianceError> {
    let cells = || {
        persons
            .iter()
            .flat_map(|p| &p.profiles)
            .flat_map(|c| &c.cells)
    };
    let n_ratings: f64 = cells().map(|c| c.n).sum();
    if n_ratings == 0.0 {
        return Err(VarianceError::Empty);
    }
    if !cells().all(|c| c.raw_sum.is_finite()) {
        return Err(VarianceError::NonFinite);
    }
    Ok(n_ratings)
}

/// Profile means, as `profile_means` makes them (one observation per profile, rater 0).
fn profile_design(persons: &[PersonSummary]) -> Result<Design, VarianceError> {
    let mut means = Vec::with_capacity(persons.iter().map(|p| p.profiles.len()).sum());
    let mut profile_id = 0u32;
    for p in persons {
        for c in &p.profiles {
            let n: f64 = c.cells.iter().map(|c| c.n).sum();
            means.push(Rating {
                person: p.person,
                profile: profile_id,
                rater: 0,
                value: c.raw_sum / n,
            });
            profile_id += 1;
        }
    }
    Design::new(&means, Terms::PERSON_ONLY)
}

/// The rater-level design, without the rater term when there is one rater level.
fn rater_design(persons: &[PersonSummary], centre: f64) -> Result<Design, VarianceError> {
    let mut terms = Terms::RATER_LEVEL;
    let probe = from_cells(persons, centre, terms)?;
    if probe.n_rater_levels() >= 2 {
        return Ok(probe);
    }
    drop(probe);
    terms.rater = false;
    from_cells(persons, centre, terms)
}

/// The rater ids with at least one cell, ascending.
fn rater_ids(persons: &[PersonSummary]) -> Vec<u32> {
    let mut seen: Vec<bool> = Vec::new();
    for cell in persons
        .iter()
        .flat_map(|p| &p.profiles)
        .flat_map(|c| &c.cells)
    {
        let r = cell.rater as usize;
        if r >= seen.len() {
            seen.resize(r + 1, false);
        }
        seen[r] = true;
    }
    (0..seen.len() as u32)
        .filter(|&r| seen[r as usize])
        .collect()
}

/// One rater's profile means (their cells' means), the profile ids those of
/// [`profile_design`].
fn one_rater_design(persons: &[PersonSummary], rater: u32) -> Result<Design, VarianceError> {
    let mut rs = Vec::new();
    let mut profile_id = 0u32;
    for p in persons {
        for c in &p.profiles {
            for cell in c.cells.iter().filter(|c| c.rater == rater) {
                rs.push(Rating {
                    person: p.person,
                    profile: profile_id,
                    rater: 0,
                    value: cell.raw_sum / cell.n,
                });
            }
            profile_id += 1;
        }
    }
    Design::new(&rs, Terms::PERSON_ONLY)
}

/// Harmonic mean of the ratings per profile, summed in profile order like `harmonic_k`.
fn harmonic_k(persons: &[PersonSummary]) -> f64 {
    let (mut count, mut inv) = (0.0, 0.0);
    for c in persons.iter().flat_map(|p| &p.profiles) {
        let n: f64 = c.cells.iter().map(|c| c.n).sum();
        count += 1.0;
        inv += 1.0 / n;
    }
    if inv > 0.0 {
        count / inv
    } else {
        1.0
    }
}

/// [`Design::new`]'s accumulation with a cell of `n` ratings in place of `n` single ratings.
fn from_cells(
    summaries: &[PersonSummary],
    centre: f64,
    terms: Terms,
) -> Result<Design, VarianceError> {
    let n_raters = summaries
        .iter()
        .flat_map(|p| &p.profiles)
        .flat_map(|c| &c.cells)
        .map(|c| c.rater as usize + 1)
        .max()
        .unwrap_or(0);
    let mut rater_seen = vec![false; n_raters];
    let slim = !terms.rater && !terms.person_context;
    let mut local_of = vec![u32::MAX; n_raters];
    // Sized exactly before filling: grown by doubling, the cells alone would pass through
    // 1.5× their size, at 100M ratings half a GiB more at stage B's peak.
    let (mut n_profiles, mut n_cells, mut n_person_raters) = (0, 0, 0);
    if !slim {
        for p in summaries {
            n_profiles += p.profiles.len();
            for c in p.profiles.iter().flat_map(|c| &c.cells) {
                n_cells += 1;
                if local_of[c.rater as usize] == u32::MAX {
                    local_of[c.rater as usize] = 0;
                    n_person_raters += 1;
                }
            }
            for c in p.profiles.iter().flat_map(|c| &c.cells) {
                local_of[c.rater as usize] = u32::MAX;
            }
        }
    } else {
        n_profiles = summaries.iter().map(|p| p.profiles.len()).sum();
    }
    let mut persons = Vec::with_capacity(summaries.len());
    let mut profiles = Vec::with_capacity(n_profiles);
    let mut cells: Vec<Cell> = Vec::with_capacity(n_cells);
    let mut person_raters: Vec<PersonRater> = Vec::with_capacity(n_person_raters);
    let mut n_ratings = 0.0;
    for p in summaries {
        let pr_start = person_raters.len();
        let prof_start = profiles.len();
        let (mut pn, mut ps, mut pss) = (0.0, 0.0, 0.0);
        for prof in &p.profiles {
            let cell_start = cells.len();
            let (mut cn, mut cs, mut css) = (0.0, 0.0, 0.0);
            for c in &prof.cells {
                rater_seen[c.rater as usize] = true;
                cn += c.n;
                cs += c.sum;
                css += c.sumsq;
                pss += c.sumsq;
                n_ratings += c.n;
                if slim {
                    continue;
                }
                let r = c.rater as usize;
                if local_of[r] == u32::MAX {
                    local_of[r] = (person_raters.len() - pr_start) as u32;
                    person_raters.push(PersonRater {
                        rater: c.rater,
                        n: 0.0,
                        sum: 0.0,
                        sumsq: 0.0,
                    });
                }
                let local = local_of[r];
                let pr = &mut person_raters[pr_start + local as usize];
                pr.n += c.n;
                pr.sum += c.sum;
                pr.sumsq += c.sumsq;
                cells.push(Cell {
                    local,
                    n: c.n,
                    sum: c.sum,
                    sumsq: c.sumsq,
                });
            }
            profiles.push(ProfileBlock {
                cells: (cell_start as u32, cells.len() as u32),
                n: cn,
                sum: cs,
                sumsq: css,
            });
            pn += cn;
            ps += cs;
        }
        for pr in &person_raters[pr_start..] {
            local_of[pr.rater as usize] = u32::MAX;
        }
        persons.push(PersonBlock {
            id: p.person,
            profiles: (prof_start as u32, profiles.len() as u32),
            raters: (pr_start as u32, person_raters.len() as u32),
            n: pn,
            sum: ps,
            sumsq: pss,
        });
    }
    if persons.is_empty() {
        return Err(VarianceError::Empty);
    }
    let max_person_id = persons.iter().map(|p| p.id).max().unwrap_or(0);
    let (sizes, profile_size, person_sig, sigs) =
        signatures(&persons, &profiles, terms.person_context);
    Ok(Design {
        sizes,
        profile_size,
        person_sig,
        sigs,
        terms,
        n_profiles: profiles.len(),
        persons,
        profiles,
        cells,
        person_raters,
        n_raters,
        n_rater_levels: rater_seen.iter().filter(|&&s| s).count(),
        n_ratings: n_ratings as usize,
        max_person_id,
        centre,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::variance::decompose::{decompose, DecomposeOptions, Method};

    /// Summaries of sorted ratings (replicates by value), centred and summed exactly as
    /// `Design::new` and the engine's summaries are.
    fn summarise(ratings: &[Rating]) -> (Vec<PersonSummary>, f64) {
        let mut sorted = ratings.to_vec();
        sorted.sort_by(|a, b| {
            (a.person, a.profile, a.rater)
                .cmp(&(b.person, b.profile, b.rater))
                .then(a.value.total_cmp(&b.value))
        });
        let centre = crate::variance::design::stable_centre(
            ratings.iter().map(|r| r.value).sum::<f64>() / ratings.len() as f64,
        );
        let mut out: Vec<PersonSummary> = Vec::new();
        let mut last: Option<(u32, u32)> = None;
        for r in &sorted {
            if out.last().map(|p| p.person) != Some(r.person) {
                out.push(PersonSummary {
                    person: r.person,
                    profiles: Vec::new(),
                });
            }
            let p = out.last_mut().unwrap();
            if last != Some((r.person, r.profile)) {
                p.profiles.push(ProfileSummary {
                    raw_sum: 0.0,
                    cells: Vec::new(),
                });
            }
            last = Some((r.person, r.profile));
            let prof = p.profiles.last_mut().unwrap();
            prof.raw_sum += r.value;
            let y = r.value - centre;
            match prof.cells.last_mut() {
                Some(c) if c.rater == r.rater => {
                    c.n += 1.0;
                    c.raw_sum += r.value;
                    c.sum += y;
                    c.sumsq += y * y;
                }
                _ => prof.cells.push(CellSummary {
                    rater: r.rater,
                    n: 1.0,
                    raw_sum: r.value,
                    sum: y,
                    sumsq: y * y,
                }),
            }
        }
        (out, centre)
    }

    fn ratings() -> Vec<Rating> {
        // 12 persons × 3 profiles × 3 raters with one repeated cell, deterministic values.
        let mut out = Vec::new();
        for p in 0..12u32 {
            for c in 0..3u32 {
                for r in 0..3u32 {
                    let v = ((p * 7 + c * 3 + r * 5) % 9) as f64 * 0.5 + (p % 4) as f64;
                    out.push(Rating {
                        person: p,
                        profile: p * 3 + c,
                        rater: r,
                        value: v,
                    });
                }
            }
        }
        out.push(Rating {
            person: 2,
            profile: 7,
            rater: 1,
            value: 6.5,
        });
        out
    }

    #[test]
    fn summaries_give_the_in_memory_decomposition() {
        let rs = ratings();
        let opts = DecomposeOptions::default();
        let direct = decompose(&Prepared::new(&rs, true).unwrap(), &rs, &opts);
        let (sums, centre) = summarise(&rs);
        let via = decompose(&prepare(&sums, centre, true).unwrap(), &[], &opts);
        let a = serde_json::to_value(&direct).unwrap();
        let b = serde_json::to_value(&via).unwrap();
        assert_eq!(
            a, b,
            "the summaries must reproduce the ratings' decomposition"
        );
        assert!(a["rater_level"].is_object());
    }

    #[test]
    fn without_raters_only_the_profile_level() {
        let rs = ratings();
        let opts = DecomposeOptions::default();
        let direct = decompose(&Prepared::new(&rs, false).unwrap(), &rs, &opts);
        let (sums, centre) = summarise(&rs);
        let via = decompose(&prepare(&sums, centre, false).unwrap(), &[], &opts);
        assert_eq!(
            serde_json::to_value(&direct).unwrap(),
            serde_json::to_value(&via).unwrap()
        );
        assert!(via.rater_level.is_none());
    }

    #[test]
    fn one_design_at_a_time_gives_every_designs_bits() {
        let rs = ratings();
        let (sums, centre) = summarise(&rs);
        let one_rater: Vec<Rating> = rs.iter().filter(|r| r.rater == 1).copied().collect();
        let (one_sums, one_centre) = summarise(&one_rater);
        for method in [Method::Reml, Method::Anova] {
            let opts = DecomposeOptions {
                method,
                parallel: true,
            };
            for has_rater in [true, false] {
                for (s, c) in [(&sums, centre), (&one_sums, one_centre)] {
                    let all = decompose(&prepare(s, c, has_rater).unwrap(), &[], &opts);
                    let lean = decompose_summaries(s.clone(), c, has_rater, &opts).unwrap();
                    assert_eq!(
                        serde_json::to_value(&all).unwrap(),
                        serde_json::to_value(&lean).unwrap(),
                        "{method:?}, raters {has_rater}"
                    );
                }
            }
        }
        assert!(matches!(
            decompose_summaries(Vec::new(), 0.0, true, &DecomposeOptions::default()),
            Err(VarianceError::Empty)
        ));
    }

    #[test]
    fn no_ratings_is_an_error() {
        assert!(matches!(prepare(&[], 0.0, true), Err(VarianceError::Empty)));
    }
}
