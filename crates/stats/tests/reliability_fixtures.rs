//! Scale reliability against R psych (`alpha`, `omega(nfactors = 1)`): fixtures from
//! scripts/reference/reliability/psych_reliability.R. Tolerances: 1e-6 for α and the item
//! statistics (closed forms, same arithmetic), 1e-4 for ω and the loadings (psych's minres is an
//! optimiser stopped at its tolerance; ours iterates to the fixed point).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chameleon_stats::reliability::scale_reliability;
use serde_json::Value;

fn fixture(name: &str) -> (Vec<Vec<Option<f64>>>, Value) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reliability/");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}{name}.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(format!("{dir}{name}.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let reverse: Vec<&str> = json["reverse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .zip(&header)
                .skip(2)
                .map(|(v, h)| {
                    let x: f64 = v.parse().unwrap();
                    // Reverse-keyed with the scale bounds 1..5, as the R script does.
                    Some(if reverse.contains(h) { 6.0 - x } else { x })
                })
                .collect()
        })
        .collect();
    (rows, json)
}

fn close(got: f64, want: &Value, tol: f64, what: &str) {
    let want = want.as_f64().unwrap();
    assert!((got - want).abs() < tol, "{what}: got {got}, psych {want}");
}

#[test]
fn alpha_and_omega_match_psych() {
    for name in ["six_items", "four_items", "two_items"] {
        let (rows, r) = fixture(name);
        let s = scale_reliability(&rows).unwrap();
        assert_eq!(s.n as u64, r["n"].as_u64().unwrap());
        close(s.raw_alpha, &r["raw_alpha"], 1e-6, &format!("{name} raw α"));
        close(s.std_alpha, &r["std_alpha"], 1e-6, &format!("{name} std α"));
        close(
            s.average_r,
            &r["average_r"],
            1e-6,
            &format!("{name} average r"),
        );
        close(s.omega_total, &r["omega_total"], 1e-4, &format!("{name} ω"));
        for (i, item) in s.items.iter().enumerate() {
            close(
                item.item_rest,
                &r["item_rest"][i],
                1e-6,
                &format!("{name} r.drop {i}"),
            );
            close(
                item.loading,
                &r["loadings"][i],
                1e-4,
                &format!("{name} loading {i}"),
            );
            if rows[0].len() > 2 {
                close(
                    item.alpha_if_dropped.unwrap(),
                    &r["alpha_if_dropped"][i],
                    1e-6,
                    &format!("{name} α if dropped {i}"),
                );
                close(
                    item.std_alpha_if_dropped.unwrap(),
                    &r["std_alpha_if_dropped"][i],
                    1e-6,
                    &format!("{name} std α if dropped {i}"),
                );
            } else {
                assert_eq!(item.alpha_if_dropped, None);
            }
        }
    }
}
