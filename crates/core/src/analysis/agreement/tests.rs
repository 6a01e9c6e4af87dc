use super::*;
use crate::model::Scale;

fn load(csv: &str) -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(&p, csv).unwrap();
    crate::analysis::input::load_dataset(&p).unwrap()
}

#[test]
fn json_has_exactly_the_contract_keys_first() {
    let ds = load("unit,rater,value\na,x,1\na,y,2\nb,x,3\nb,y,3\nc,x,1\nc,y,1\n");
    let run = agreement(&ds, &AgreementOptions::default());
    let v = serde_json::to_value(&run.report).unwrap();
    let d = &v["dimensions"][0];
    for k in [
        "dimension",
        "units",
        "raters",
        "ratings",
        "alpha",
        "fleiss_kappa",
        "icc",
        "percent_agreement",
        "pairs",
    ] {
        assert!(d.get(k).is_some(), "contract key '{k}' must be present");
    }
    for k in ["nominal", "ordinal", "interval", "ratio"] {
        assert!(d["alpha"].get(k).is_some(), "alpha.{k} must be present");
    }
    for k in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
        assert!(d["icc"].get(k).is_some(), "icc.{k} must be present");
    }
    for k in [
        "a",
        "b",
        "units",
        "kappa",
        "kappa_linear",
        "kappa_quadratic",
    ] {
        assert!(
            d["pairs"][0].get(k).is_some(),
            "pairs[].{k} must be present"
        );
    }
    assert_eq!(d["units"], 3);
    assert_eq!(d["raters"], 2);
    assert_eq!(d["ratings"], 6);
    assert_eq!(d["icc_method"], "anova");
}

#[test]
fn undefined_statistics_are_null_with_a_reason() {
    let ds = load("unit,rater,value\na,x,2\na,y,2\nb,x,2\nb,y,2\n");
    let run = agreement(&ds, &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    assert_eq!(
        d.alpha.interval, None,
        "all ratings equal: alpha is undefined"
    );
    assert!(
        run.warnings.iter().any(|w| w.contains("alpha (interval)")),
        "the reason must be reported: {:?}",
        run.warnings
    );
    assert_eq!(d.percent_agreement, Some(100.0));
}

#[test]
fn weighted_kappa_takes_categories_from_the_scale() {
    // Raters use only 1, 2 and 5 of a 1..7 Likert scale. Reference: scikit-learn
    // cohen_kappa_score(a, b, labels=[1..7], weights=...) = 0.238095…, 0.28, 0.289473…;
    // with the observed values as labels linear/quadratic would be 0.2307…/0.2222….
    let a = [1, 2, 5, 1, 2, 5, 2, 1];
    let b = [2, 2, 5, 1, 1, 2, 2, 5];
    let mut csv = String::from("unit,rater,value\n");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        csv.push_str(&format!("u{i},A,{x}\nu{i},B,{y}\n"));
    }
    let mut ds = load(&csv);
    ds.dimensions[0].scale = Some(Scale::Likert {
        min: 1,
        max: 7,
        anchors: vec![],
    });
    let run = agreement(&ds, &AgreementOptions::default());
    let p = &run.report.dimensions[0].pairs[0];
    let close = |x: Option<f64>, y: f64| (x.unwrap() - y).abs() < 1e-12;
    assert!(close(p.kappa, 0.238_095_238_095_238_14), "{p:?}");
    assert!(
        close(p.kappa_linear, 0.28),
        "linear weights over the scale's 7 points: {p:?}"
    );
    assert!(close(p.kappa_quadratic, 0.289_473_684_210_526_3), "{p:?}");
    assert_eq!(
        run.report.dimensions[0].categories.as_ref().map(Vec::len),
        Some(7)
    );
}

#[test]
fn nominal_dimension_reports_only_nominal_statistics() {
    let mut ds = load("unit,rater,value\na,x,1\na,y,2\nb,x,3\nb,y,3\nc,x,1\nc,y,1\n");
    ds.dimensions[0].level = Some(Level::Nominal);
    let run = agreement(&ds, &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    assert!(
        d.alpha.nominal.is_some(),
        "nominal alpha is the statistic of a nominal scale"
    );
    assert!(
        d.alpha.interval.is_none() && d.icc.icc2.is_none(),
        "codes have no distance"
    );
    assert!(d.pairs[0].kappa.is_some() && d.pairs[0].kappa_quadratic.is_none());
    assert!(
        run.warnings.iter().any(|w| w.contains("nominal")),
        "{:?}",
        run.warnings
    );
}

#[test]
fn bipolar_integer_scale_without_codebook_is_ordinal() {
    // A −3..3 semantic differential in a bare ratings file (issue 11, item 17): kappas are
    // computed over the inferred scale's 7 points and the inference is said.
    let mut csv = String::from("unit,rater,value\n");
    let a = [-3, -2, 0, 1, 3, 2, -1, 0];
    let b = [-3, -1, 0, 1, 2, 2, -1, 1];
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        csv.push_str(&format!("u{i},A,{x}\nu{i},B,{y}\n"));
    }
    let run = agreement(&load(&csv), &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    assert!(d.fleiss_kappa.is_some(), "{:?}", run.warnings);
    assert_eq!(d.pairs.len(), 1);
    assert!(d.pairs[0].kappa_quadratic.is_some());
    assert_eq!(d.categories.as_ref().map(Vec::len), Some(7));
    assert_eq!(d.level, Level::Ordinal);
    assert!(
        run.warnings
            .iter()
            .any(|w| w.contains("ordinal Likert scale -3..3")),
        "the inferred scale is said: {:?}",
        run.warnings
    );
}

#[test]
fn rank_weights_match_r_psych_cohen_kappa() {
    // scripts/reference/agreement/psych_kappa.R: categories 1, 3, 5, 6, 7, 8, 10 of a 1..10
    // scale; psych weights by rank among each pair's observed levels (issue 11, item 22).
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/reference/agreement");
    let ds = crate::analysis::input::load_dataset(&dir.join("psych_kappa.csv")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("psych_kappa.json")).unwrap())
            .unwrap();
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    let opts = AgreementOptions::default();
    let rank = agreement_weighted(&ds, &opts, KappaWeights::Rank, &control).unwrap();
    let scale = agreement_weighted(&ds, &opts, KappaWeights::Scale, &control).unwrap();
    let pairs = &rank.report.dimensions[0].pairs;
    let want = expected["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), want.len());
    for (got, want) in pairs.iter().zip(want) {
        assert_eq!(
            (got.a.as_str(), got.b.as_str()),
            (want["a"].as_str().unwrap(), want["b"].as_str().unwrap())
        );
        for (key, value) in [
            ("kappa", got.kappa),
            ("kappa_linear", got.kappa_linear),
            ("kappa_quadratic", got.kappa_quadratic),
        ] {
            let w = want[key].as_f64().unwrap();
            let v = value.unwrap();
            assert!(
                (v - w).abs() <= 1e-9 * w.abs().max(1e-3),
                "{}–{} {key}: {v} vs psych {w}",
                got.a,
                got.b
            );
        }
    }
    let by_scale = &scale.report.dimensions[0].pairs[0];
    assert!(
        (by_scale.kappa_quadratic.unwrap() - pairs[0].kappa_quadratic.unwrap()).abs() > 1e-3,
        "with gaps in the categories the two weightings differ"
    );
}

#[test]
fn nulls_are_null_and_said() {
    // Issue 11, items 19 and 21. Rotating design: the variance-components ICCs have no F
    // test, so no degrees of freedom; rater z rates 3 everywhere, so its consensus r is 0/0.
    let ds = load(
        "unit,rater,value\na,x,1\na,z,3\nb,y,3\nb,z,3\nc,x,1\nc,y,2\nd,x,4\nd,z,3\n\
         e,y,5\ne,z,3\nf,x,2\nf,y,2\n",
    );
    let run = agreement(&ds, &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    let det = d.icc_detail.as_ref().unwrap();
    let icc2 = det.icc2.as_ref().unwrap();
    assert_eq!((icc2.df1, icc2.df2), (None, None));
    let z = d.raters_detail.iter().find(|r| r.rater == "z").unwrap();
    assert_eq!(z.consensus_r, None);
    assert!(
        run.warnings
            .iter()
            .any(|w| w.contains("consensus_r of rater 'z'") && w.contains("do not vary")),
        "{:?}",
        run.warnings
    );
    // No ICC defined: no k either.
    let ds = load("unit,rater,value\na,x,2\na,y,2\nb,x,2\nb,y,2\n");
    let run = agreement(&ds, &AgreementOptions::default());
    assert_eq!(
        run.report.dimensions[0].icc_detail.as_ref().unwrap().k,
        None
    );
    // Values near ±1e300: overflow, not "all equal" or 0/0.
    let ds = load(
        "unit,rater,value\na,x,1e300\na,y,-1e300\nb,x,-1.5e300\nb,y,1.2e300\nc,x,1e300\nc,y,1.1e300\n",
    );
    let run = agreement(&ds, &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    assert_eq!(d.alpha.interval, None);
    assert!(
        d.alpha.nominal.is_some(),
        "categorical statistics do not overflow"
    );
    let about = |what: &str| {
        run.warnings
            .iter()
            .find(|w| w.contains(&format!("{what} is null")))
            .cloned()
            .unwrap_or_default()
    };
    for what in ["alpha (interval)", "ICC2", "ICC3"] {
        let w = about(what);
        assert!(
            w.contains("too large"),
            "{what}: {w:?} in {:?}",
            run.warnings
        );
    }
}

#[test]
fn rotating_design_uses_variance_components() {
    let ds = load("unit,rater,value\na,x,1\na,y,2\nb,y,3\nb,z,3\nc,x,1\nc,z,2\nd,x,4\nd,y,5\n");
    let run = agreement(
        &ds,
        &AgreementOptions {
            bootstrap: 50,
            seed: 3,
        },
    );
    let d = &run.report.dimensions[0];
    assert_eq!(d.icc_method, "variance-components-reml");
    assert_eq!(d.pairs.len(), 3, "x–y, x–z and y–z share units");
    assert!(d.ci.is_some(), "--bootstrap adds intervals");
}
