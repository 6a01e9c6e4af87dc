//! Kendall's W against scipy's tie-corrected Friedman statistic
//! (`scripts/reference/models/kendall_w.py`, fixture committed).

use chameleon_stats::agreement::{kendall_w, Rating, RatingTable};
use chameleon_stats::prec::EXACT_REL;

#[test]
fn kendall_w_matches_scipy_friedman_with_and_without_ties() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/models/kendall_w.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        let mut ratings = Vec::new();
        for (j, col) in c["raters"].as_array().unwrap().iter().enumerate() {
            for (u, x) in col.as_array().unwrap().iter().enumerate() {
                ratings.push(Rating::new(u as u32, j as u32, x.as_f64().unwrap()));
            }
        }
        let got = kendall_w(&RatingTable::new(&ratings).unwrap()).unwrap();
        let want = c["w"].as_f64().unwrap();
        assert!(
            (got.w - want).abs() <= EXACT_REL * want.abs(),
            "{}: {} vs scipy {want}",
            c["name"],
            got.w
        );
    }
}
