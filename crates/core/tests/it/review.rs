//! PI review in the store: disagreement ranking, adjudication, codebook edits (issue #6).

use crate::util::{dump, Fixture};
use chameleon_core::model::{RaterKind, Scale};
use chameleon_core::store::{RatingInput, ADJUDICATED_RATER};
use chameleon_core::Study;

fn rate(s: &mut Study, rater: &str, profile: i64, dim: &str, v: f64) {
    let r = s.ensure_rater(rater, RaterKind::Human).unwrap();
    s.save_rating(&RatingInput {
        profile_id: profile,
        dimension: dim.into(),
        rater_id: r.id,
        value: Some(v),
        seconds_spent: None,
        note: None,
        confidence: None,
    })
    .unwrap();
}

#[test]
fn disagreements_are_ranked_on_the_scale_and_adjudication_keeps_ratings() {
    let f = Fixture::new();
    let (_p, mut s) = f.demo_study(3);
    // openness is Likert 1..5: 1 vs 5 is a full disagreement, 3 vs 4 a small one.
    rate(&mut s, "ana", 1, "openness", 1.0);
    rate(&mut s, "ben", 1, "openness", 5.0);
    rate(&mut s, "ana", 2, "openness", 3.0);
    rate(&mut s, "ben", 2, "openness", 4.0);
    rate(&mut s, "ana", 3, "openness", 2.0);
    rate(&mut s, "ben", 3, "openness", 2.0);
    rate(&mut s, "ana", 4, "openness", 2.0); // a single rating is not comparable
    let d = s.disagreements("openness").unwrap();
    assert_eq!(
        d.iter().map(|x| x.profile_id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert!((d[0].disagreement - 1.0).abs() < 1e-12 && (d[1].disagreement - 0.25).abs() < 1e-12);
    assert_eq!(d[2].disagreement, 0.0);

    let before_ratings = s
        .ratings_of(1, s.rater("ana").unwrap().unwrap().id)
        .unwrap();
    s.adjudicate(1, "openness", 3.0, Some("material is ambiguous"))
        .unwrap();
    assert!(
        s.adjudicate(1, "openness", 9.0, None).is_err(),
        "adjudicated values obey the scale"
    );
    assert_eq!(
        before_ratings,
        s.ratings_of(1, s.rater("ana").unwrap().unwrap().id)
            .unwrap(),
        "adjudication never overwrites raters' ratings"
    );
    let adj = s.rater(ADJUDICATED_RATER).unwrap().unwrap();
    assert_eq!(adj.kind, RaterKind::Adjudicated);
    assert_eq!(
        s.disagreements("openness").unwrap()[0].adjudicated,
        Some(3.0)
    );
    // Agreement data leave adjudicated values out; the adjudicated snapshot uses them.
    let plain = s.dataset().unwrap();
    assert!(plain
        .raters
        .iter()
        .all(|r| r.kind != RaterKind::Adjudicated));
    let settled = s.dataset_adjudicated().unwrap();
    let open = settled.dimension("openness").unwrap();
    let p1: Vec<f64> = open
        .observations
        .iter()
        .filter(|o| settled.profiles[o.profile as usize] == plain.profiles[0])
        .map(|o| o.value)
        .collect();
    assert_eq!(
        p1,
        vec![3.0],
        "the adjudicated value is profile 1's only score"
    );
    assert!(s
        .audit_log()
        .unwrap()
        .iter()
        .any(|e| e.action == "adjudicate"));
}

#[test]
fn codebook_edits_are_versioned_and_flag_earlier_ratings() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(2);
    rate(&mut s, "ana", 1, "openness", 5.0);
    let ana = s.rater("ana").unwrap().unwrap().id;
    assert!(!s.codebook_changed_for(ana).unwrap());
    let mut cb = s.codebook().unwrap().unwrap();
    let v = cb.version;
    cb.dimensions[0].definition = "Openness, reworded".into();
    s.save_codebook(&cb).unwrap();
    assert_eq!(s.codebook().unwrap().unwrap().version, v + 1);
    assert!(
        s.codebook_changed_for(ana).unwrap(),
        "ratings under the old codebook are flagged"
    );

    let before = dump(&p);
    let mut bad = s.codebook().unwrap().unwrap();
    bad.dimensions[0].scale = Scale::Likert {
        min: 1,
        max: 3,
        anchors: vec![],
    };
    assert!(
        s.save_codebook(&bad).is_err(),
        "a 5 would fall off a 1..3 scale"
    );
    let mut dup = s.codebook().unwrap().unwrap();
    dup.dimensions[1].name = dup.dimensions[0].name.clone();
    assert!(
        s.save_codebook(&dup).is_err(),
        "duplicate dimension names are refused"
    );
    drop(s);
    assert_eq!(before, dump(&p), "refused edits change nothing");
}
