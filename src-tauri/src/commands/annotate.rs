//! Rating screen and queue: adapts core's use cases ([`chameleon_core::app::annotate`]) for
//! the rater the session holds. Every save is committed by the store before the command
//! returns, so the UI shows "Saved" only for what is on disk.

use crate::error::AppResult;
use crate::state::AppState;
use chameleon_core::app::annotate::{
    self as an, OwnChange, OwnProgress, ProfileView, QueueItem, ReviewRequest, SaveRatingRequest,
    SavedRating,
};
use chameleon_core::store::GoldAccuracy;
use tauri::State;

/// What changed in the codebook since this rater rated under an older version.
#[tauri::command]
pub async fn codebook_changes(state: State<'_, AppState>) -> AppResult<Vec<String>> {
    state
        .run(|session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(an::codebook_changes(study, rater.id)?)
        })
        .await
}

/// Each rater's accuracy on the gold profiles and attention checks, for the PI's review (no
/// rater needed: it is the PI's view, never the annotator's).
#[tauri::command]
pub async fn gold_accuracy(state: State<'_, AppState>) -> AppResult<Vec<GoldAccuracy>> {
    state
        .run(|session, _| Ok(session.study()?.gold_accuracy()?))
        .await
}

#[tauri::command]
pub async fn queue(state: State<'_, AppState>) -> AppResult<Vec<QueueItem>> {
    state
        .run(|session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(an::queue(study, rater.id)?)
        })
        .await
}

#[tauri::command]
pub async fn dimension_progress(state: State<'_, AppState>) -> AppResult<Vec<OwnProgress>> {
    state
        .run(|session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(an::dimension_progress(study, rater.id)?)
        })
        .await
}

#[tauri::command]
pub async fn rating_history(
    state: State<'_, AppState>,
    profile_id: i64,
    dimension: String,
) -> AppResult<Vec<OwnChange>> {
    state
        .run(move |session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(an::rating_history(study, rater.id, profile_id, &dimension)?)
        })
        .await
}

/// Changes when the rater's queue changed other than through this window's own ratings and
/// flags: the rating screen keeps its copy of [`queue`] and fetches it again only then.
#[tauri::command]
pub async fn queue_generation(state: State<'_, AppState>) -> AppResult<u64> {
    state
        .run(|session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(study.queue_generation(rater.id)?)
        })
        .await
}

#[tauri::command]
pub async fn next_unrated(state: State<'_, AppState>) -> AppResult<Option<i64>> {
    state
        .run(|session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(study.next_unrated(rater.id)?)
        })
        .await
}

#[tauri::command]
pub async fn load_profile(state: State<'_, AppState>, profile_id: i64) -> AppResult<ProfileView> {
    state
        .run(move |session, _| {
            let (study, rater) = session.rating_as()?;
            Ok(an::profile_view(study, rater.id, profile_id)?)
        })
        .await
}

#[tauri::command]
pub async fn save_rating(
    state: State<'_, AppState>,
    request: SaveRatingRequest,
) -> AppResult<SavedRating> {
    state
        .run(move |session, _| {
            let (study, rater) = session.rating_as_mut()?;
            Ok(an::save(study, rater.id, request)?)
        })
        .await
}

#[tauri::command]
pub async fn save_review(state: State<'_, AppState>, request: ReviewRequest) -> AppResult<()> {
    state
        .run(move |session, _| {
            let (study, rater) = session.rating_as_mut()?;
            Ok(an::review(study, rater.id, request)?)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{identity, start};
    use crate::paths::AppPaths;
    use crate::state::Session;
    use chameleon_core::model::RaterKind;

    // The commands' bodies over a plain session, so the tests walk the command's path.
    fn queue_of(s: &Session) -> AppResult<Vec<QueueItem>> {
        let (study, rater) = s.rating_as()?;
        Ok(an::queue(study, rater.id)?)
    }
    fn dimension_progress_of(s: &Session) -> AppResult<Vec<OwnProgress>> {
        let (study, rater) = s.rating_as()?;
        Ok(an::dimension_progress(study, rater.id)?)
    }
    fn rating_history_of(s: &Session, profile_id: i64, dim: &str) -> AppResult<Vec<OwnChange>> {
        let (study, rater) = s.rating_as()?;
        Ok(an::rating_history(study, rater.id, profile_id, dim)?)
    }
    fn profile_view(s: &Session, profile_id: i64) -> AppResult<ProfileView> {
        let (study, rater) = s.rating_as()?;
        Ok(an::profile_view(study, rater.id, profile_id)?)
    }
    fn save(s: &mut Session, request: SaveRatingRequest) -> AppResult<SavedRating> {
        let (study, rater) = s.rating_as_mut()?;
        Ok(an::save(study, rater.id, request)?)
    }
    fn review(s: &mut Session, request: ReviewRequest) -> AppResult<()> {
        let (study, rater) = s.rating_as_mut()?;
        Ok(an::review(study, rater.id, request)?)
    }
    fn codebook_changes_of(s: &Session) -> AppResult<Vec<String>> {
        let (study, rater) = s.rating_as()?;
        Ok(an::codebook_changes(study, rater.id)?)
    }
    fn gold_accuracy_of(s: &Session) -> AppResult<Vec<GoldAccuracy>> {
        Ok(s.study()?.gold_accuracy()?)
    }

    /// A session on a fresh demo study in a temp dir, rating as `name`.
    fn session_as(dir: &tempfile::TempDir, name: &str) -> (Session, AppPaths) {
        let paths = AppPaths::under(dir.path().to_path_buf());
        let mut session = Session::default();
        start::open_demo(&mut session, &paths).expect("the demo study opens");
        identity::choose(&mut session, &paths, name, RaterKind::Human).expect("rater chosen");
        (session, paths)
    }

    fn rate(session: &mut Session, profile_id: i64, dim: &str, value: Option<f64>) {
        save(
            session,
            SaveRatingRequest {
                profile_id,
                dimension: dim.into(),
                value,
                seconds_spent: Some(1.0),
                cant_judge: false,
            },
        )
        .expect("save");
    }

    #[test]
    fn saved_ratings_come_back_and_undo_clears_them() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let q = queue_of(&s).unwrap();
        assert_eq!(q.len(), 108, "the demo study has 36 persons × 3 contexts");
        let p = q[0].profile_id;
        rate(&mut s, p, "openness", Some(4.0));
        rate(&mut s, p, "extraversion", Some(2.0));
        rate(&mut s, p, "extraversion", None);
        let view = profile_view(&s, p).unwrap();
        let own: Vec<_> = view
            .ratings
            .iter()
            .map(|r| (r.dimension.as_str(), r.value))
            .collect();
        assert_eq!(
            own,
            [("openness", Some(4.0))],
            "an undone rating is gone from the screen"
        );
        assert_eq!(
            queue_of(&s).unwrap()[0].rated,
            1,
            "the queue counts only current values"
        );
        let per_dim = dimension_progress_of(&s).unwrap();
        let count = |name: &str| per_dim.iter().find(|d| d.dimension == name).unwrap().rated;
        assert_eq!((count("openness"), count("extraversion")), (1, 0));
        assert!(per_dim.iter().all(|d| d.assigned == 108));

        // Every value given is kept, oldest first, clearing included.
        rate(&mut s, p, "extraversion", Some(3.0));
        let h = rating_history_of(&s, p, "extraversion").unwrap();
        let values: Vec<_> = h.iter().map(|c| (c.old_value, c.new_value)).collect();
        assert_eq!(
            values,
            [(None, Some(2.0)), (Some(2.0), None), (None, Some(3.0))]
        );
        assert!(h.windows(2).all(|w| w[0].changed_at <= w[1].changed_at));
    }

    #[test]
    fn a_rater_never_sees_another_raters_ratings() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        rate(&mut s, p, "openness", Some(5.0));
        identity::choose(&mut s, &paths, "bob", RaterKind::Human).unwrap();
        let view = profile_view(&s, p).unwrap();
        assert!(
            view.ratings.is_empty(),
            "blind coding: bob must not see ann's or the demo's ratings"
        );
        assert!(
            rating_history_of(&s, p, "openness").unwrap().is_empty(),
            "nor their history"
        );
        assert_eq!(queue_of(&s).unwrap()[0].rated, 0);
    }

    #[test]
    fn off_scale_values_are_refused_with_a_code() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        let err = save(
            &mut s,
            SaveRatingRequest {
                profile_id: p,
                dimension: "openness".into(),
                value: Some(9.0),
                seconds_spent: None,
                cant_judge: false,
            },
        )
        .unwrap_err();
        assert_eq!(err.code, "invalid", "the UI switches on the code");
        assert!(
            err.message.contains("openness"),
            "the message names the dimension: {}",
            err.message
        );
    }

    #[test]
    fn review_round_trips_and_flags_reach_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[1].profile_id;
        review(
            &mut s,
            ReviewRequest {
                profile_id: p,
                flagged: true,
                note: Some("sarcasm?".into()),
                confidence: Some(0.5),
                seconds_spent: 12.5,
            },
        )
        .unwrap();
        let v = profile_view(&s, p).unwrap();
        assert!(v.review.flagged);
        assert_eq!(v.review.note.as_deref(), Some("sarcasm?"));
        assert_eq!(v.review.seconds_spent, 12.5);
        assert!(queue_of(&s).unwrap()[1].flagged, "the queue shows the flag");
    }

    #[test]
    fn person_ids_reach_the_rating_screen_only_when_the_codebook_shows_them() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        assert_eq!(queue_of(&s).unwrap()[0].person, "");
        assert_eq!(profile_view(&s, p).unwrap().profile.person, "");
        let study = s.study_mut().unwrap();
        let mut cb = study.codebook().unwrap().unwrap();
        cb.show_person_ids = true;
        study.save_codebook(&cb).unwrap();
        assert_ne!(queue_of(&s).unwrap()[0].person, "");
        assert_ne!(profile_view(&s, p).unwrap().profile.person, "");
    }

    #[test]
    fn the_rater_hears_what_changed_in_the_codebook() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        rate(&mut s, p, "openness", Some(4.0));
        assert!(codebook_changes_of(&s).unwrap().is_empty());
        let study = s.study_mut().unwrap();
        let mut cb = study.codebook().unwrap().unwrap();
        cb.dimensions[0].definition = "Curiosity only.".into();
        study.save_codebook(&cb).unwrap();
        assert_eq!(codebook_changes_of(&s).unwrap(), ["Openness: definition"]);
    }

    #[test]
    fn gold_accuracy_reaches_the_review() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        s.study_mut()
            .unwrap()
            .set_gold(p, "openness", 4.0, chameleon_core::store::GoldKind::Gold)
            .unwrap();
        rate(&mut s, p, "openness", Some(4.0));
        let acc = gold_accuracy_of(&s).unwrap();
        let ann = acc.iter().find(|a| a.rater == "ann").unwrap();
        assert_eq!((ann.rated, ann.exact, ann.accuracy), (1, 1, Some(1.0)));
    }

    #[test]
    fn commands_without_a_rater_say_so() {
        let s = Session::default();
        assert_eq!(queue_of(&s).unwrap_err().code, "no_study");
    }

    #[test]
    fn cant_judge_comes_back_as_such_and_counts_as_done() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = session_as(&dir, "ann");
        let p = queue_of(&s).unwrap()[0].profile_id;
        rate(&mut s, p, "openness", Some(4.0));
        let saved = save(
            &mut s,
            SaveRatingRequest {
                profile_id: p,
                dimension: "openness".into(),
                value: None,
                seconds_spent: Some(2.0),
                cant_judge: true,
            },
        )
        .unwrap();
        assert!(saved.cant_judge && saved.value.is_none());
        let view = profile_view(&s, p).unwrap();
        let own: Vec<_> = view
            .ratings
            .iter()
            .map(|r| (r.dimension.as_str(), r.value, r.cant_judge))
            .collect();
        assert_eq!(own, [("openness", None, true)]);
        assert_eq!(queue_of(&s).unwrap()[0].rated, 1);
        let both = save(
            &mut s,
            SaveRatingRequest {
                profile_id: p,
                dimension: "openness".into(),
                value: Some(3.0),
                seconds_spent: None,
                cant_judge: true,
            },
        )
        .unwrap_err();
        assert_eq!(both.code, "invalid");
    }
}
