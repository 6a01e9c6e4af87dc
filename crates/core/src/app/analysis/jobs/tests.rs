use super::*;
use crate::analysis::decompose::{run_decomposition, DecomposeMethod, DecomposeRunOptions};
use crate::app::analysis::{self as an, snapshot};
use crate::app::testing::demo;
use crate::model::RaterKind;
use crate::store::RatingInput;

fn opts(bootstrap: u32) -> AnalysisRequest {
    AnalysisRequest::every_dimension(bootstrap, 7)
}

fn jobs(dir: &std::path::Path) -> AnalysisJobs {
    AnalysisJobs::new(dir.join("app").join("analysis"))
}

fn run(jobs: &AnalysisJobs, study: &Study, o: &AnalysisRequest) -> RunOutcome {
    let snap = snapshot(study, o).expect("snapshot");
    jobs.run(snap, o, 1, &|_, _| {}).expect("runs")
}

/// A new rating by "dana" of the study's first profile.
fn rate_again(study: &mut Study) {
    let rater = study.ensure_rater("dana", RaterKind::Human).unwrap();
    let profile = study.profile_ids().unwrap()[0];
    study
        .save_rating(&RatingInput {
            profile_id: profile,
            dimension: "extraversion".into(),
            rater_id: rater.id,
            value: Some(5.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
}

#[test]
fn a_run_gives_the_cli_numbers_reports_progress_and_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let o = opts(30);
    let calls = Mutex::new(Vec::<(u64, u64)>::new());
    let progress = |d, t| calls.lock().unwrap().push((d, t));
    let snap = snapshot(&study, &o).unwrap();
    let ds = snap.dataset.clone();
    let out = state.run(snap, &o, 1, &progress).unwrap();
    assert_eq!(out.status, RunStatus::Done);
    assert!(!out.cached);
    let r = out.result.expect("a result");
    let calls = calls.into_inner().unwrap();
    assert!(!calls.is_empty(), "progress is reported");
    assert_eq!(
        calls.last().unwrap().0,
        calls.last().unwrap().1,
        "ends at 100%"
    );
    // The same numbers as `chameleon decompose --json --bootstrap 30 --seed 7`.
    let cancel = AtomicBool::new(false);
    let cli = run_decomposition(
        &ds,
        &DecomposeRunOptions {
            method: DecomposeMethod::Reml,
            bootstrap: 30,
            seed: 7,
        },
        &Control {
            progress: &|_, _| {},
            cancel: &cancel,
        },
    )
    .unwrap();
    assert_eq!(r.dimensions.len(), cli.dimensions.len());
    for (a, b) in r.dimensions.iter().zip(&cli.dimensions) {
        assert_eq!(a.dimension, b.dimension);
        assert_eq!(
            a.trait_share,
            b.profile_level.as_ref().map(|p| p.trait_share)
        );
        assert_eq!(
            a.trait_ci,
            b.ci.as_ref()
                .and_then(|c| c.trait_share)
                .map(|c| c.to_vec())
        );
    }
    assert_eq!(r.pooled.trait_share, cli.pooled.trait_share);
    // The demo's model rater barely moves across contexts: the least state-sensitive rater
    // in every dimension where its share is known.
    for d in &r.dimensions {
        let rows: Vec<&an::RaterSensitivity> = r
            .rater_sensitivity
            .iter()
            .filter(|s| s.dimension == d.dimension && s.state_share.is_some())
            .collect();
        let Some(model) = rows.iter().find(|s| s.kind == "model") else {
            continue;
        };
        assert!(
            rows.iter()
                .all(|s| s.kind == "model" || s.state_share > model.state_share),
            "{}: {rows:?}",
            d.dimension
        );
    }
    let names: Vec<&str> = r.figures.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"person_profiles") && names.contains(&"rater_level_shares"));
    assert!(r.figures.iter().all(|f| f.width == 900 && f.height > 0));
    // Same data and options: from the cache, no computation.
    let again = run(&state, &study, &o);
    assert!(again.cached);
    assert_eq!(again.result.unwrap().key, r.key);
    // Other options: another key.
    assert_ne!(opts(31).cache_key(&r.data_hash), r.key);
}

#[test]
fn a_bad_request_is_refused_before_the_cache_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let o = opts(0);
    run(&state, &study, &o);
    let mut bad = o.clone();
    bad.bootstrap = 1;
    let snap = snapshot(&study, &bad).unwrap();
    let err = state.run(snap, &bad, 2, &|_, _| {}).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
}

#[test]
fn a_run_id_in_use_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let _flag = state.register(5).unwrap();
    let snap = snapshot(&study, &opts(0)).unwrap();
    let err = state.run(snap, &opts(0), 5, &|_, _| {}).unwrap_err();
    assert_eq!(err.code(), "already_running", "{err}");
    assert_eq!(state.cancel(Some(5)).unwrap(), 1);
}

#[test]
fn a_cancelled_run_says_so_and_leaves_the_previous_result() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let first = run(&state, &study, &opts(10)).result.unwrap();
    let o = opts(100_000);
    let snap = snapshot(&study, &o).unwrap();
    let seen = AtomicBool::new(false);
    // Cancel from "the UI" as soon as the run reports progress.
    let progress = |done: u64, _| {
        if done > 0 && !seen.swap(true, Ordering::Relaxed) {
            assert_eq!(state.cancel(Some(42)).unwrap(), 1, "run 42 is running");
        }
    };
    let out = state.run(snap, &o, 42, &progress).unwrap();
    assert_eq!(out.status, RunStatus::Cancelled);
    assert!(out.result.is_none());
    assert_eq!(
        state.cancel(None).unwrap(),
        0,
        "the run is gone from the state"
    );
    let view = state.latest(&study).unwrap();
    assert_eq!(view.result.map(|r| r.key), Some(first.key));
    assert!(!view.stale);
}

#[test]
fn results_survive_a_restart_and_turn_stale_when_ratings_change() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let before = jobs(dir.path()).latest(&study).unwrap();
    assert!(before.result.is_none(), "nothing computed yet");
    let r = run(&jobs(dir.path()), &study, &opts(0)).result.unwrap();
    // A new app (empty memory) shows the stored result.
    let view = jobs(dir.path()).latest(&study).unwrap();
    assert_eq!(view.result.as_ref().map(|x| &x.key), Some(&r.key));
    assert!(!view.stale);
    assert_eq!(view.current_hash, r.data_hash);
    // Another directory holds no result.
    let elsewhere = AnalysisJobs::new(dir.path().join("other"));
    assert!(elsewhere.latest(&study).unwrap().result.is_none());
    rate_again(&mut study);
    let view = jobs(dir.path()).latest(&study).unwrap();
    assert!(view.stale, "ratings changed since");
    assert_ne!(view.current_hash, r.data_hash);
}

#[test]
fn a_damaged_stored_result_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    run(&state, &study, &opts(0));
    let file = state.stored_file(&study.path().display().to_string());
    std::fs::write(&file, b"{ not json").unwrap();
    let view = jobs(dir.path()).latest(&study).unwrap();
    assert!(view.result.is_none());
}

#[test]
fn exports_write_report_tables_and_figures_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let r = run(&state, &study, &opts(10)).result.unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let export = |req: &ExportRequest| state.export(&study, &r.key, req);
    let report = out.join("r.html");
    export(&ExportRequest::Report {
        path: report.display().to_string(),
    })
    .unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&r.data_hash));
    assert!(!html.contains("src=\"http") && !html.contains("<link"));
    let png = out.join("f.png");
    export(&ExportRequest::Figure {
        name: "trait_state_shares".into(),
        format: an::FigureFormat::Png,
        path: png.display().to_string(),
    })
    .unwrap();
    let img = png_size(&std::fs::read(&png).unwrap());
    let fig = &r.figures[0];
    assert_eq!(img, (fig.width * 2, fig.height * 2), "twice the SVG size");
    let all = out.join("all");
    let written = export(&ExportRequest::All {
        dir: all.display().to_string(),
    })
    .unwrap();
    assert_eq!(written.len(), 1 + r.tables.len() + 2 * r.figures.len());
    for name in ["report.html", "decomposition.csv", "person_profiles.png"] {
        assert!(all.join(name).exists(), "{name}");
    }
    let csv = std::fs::read_to_string(all.join("decomposition.csv")).unwrap();
    assert!(csv.starts_with("dimension,method"));
    let err = export(&ExportRequest::Table {
        name: "nope".into(),
        path: out.join("x.csv").display().to_string(),
    })
    .unwrap_err();
    assert_eq!(err.code(), "invalid");
    assert!(!out.join("x.csv").exists());
    let gone = state
        .export(
            &study,
            "no such key",
            &ExportRequest::All { dir: "x".into() },
        )
        .unwrap_err();
    assert_eq!(gone.code(), "not_found", "{gone}");
}

#[test]
fn the_bundle_after_new_ratings_is_refused_and_writes_nothing_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let state = jobs(dir.path());
    let r = run(&state, &study, &opts(0)).result.unwrap();
    let all = dir.path().join("all");
    let req = ExportRequest::All {
        dir: all.display().to_string(),
    };
    let fresh = dir.path().join("fresh");
    let ok = state
        .export(
            &study,
            &r.key,
            &ExportRequest::All {
                dir: fresh.display().to_string(),
            },
        )
        .unwrap();
    assert!(!ok.is_empty(), "a current result exports");
    rate_again(&mut study);
    let err = state.export(&study, &r.key, &req).unwrap_err();
    assert!(err.to_string().contains("changed since"), "{err}");
    assert!(!all.exists(), "nothing written");
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    // Width and height are the first fields of the IHDR chunk.
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

#[test]
fn progress_is_throttled_but_the_last_message_always_goes() {
    let got = Mutex::new(Vec::new());
    let p = throttled(3, |m| got.lock().unwrap().push((m.run_id, m.done, m.total)));
    for d in 1..=1000 {
        p(d, 1000);
    }
    // A worker thread that reports late must not move the bar back after the end.
    p(999, 1000);
    p(1000, 1000);
    drop(p);
    let got = got.into_inner().unwrap();
    assert!(got.len() < 100, "throttled: {} messages", got.len());
    assert_eq!(got.first(), Some(&(3, 1, 1000)));
    assert_eq!(got.last(), Some(&(3, 1000, 1000)));
    assert!(
        got.windows(2).all(|w| w[0].1 < w[1].1),
        "only forward: {got:?}"
    );
}

#[test]
fn chosen_dimensions_only_and_unknown_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let mut o = opts(0);
    o.dimensions = vec!["Extraversion".into(), "neuroticism".into()];
    let snap = snapshot(&study, &o).unwrap();
    let names: Vec<&str> = snap
        .dataset
        .dimensions
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["extraversion", "neuroticism"]);
    o.dimensions = vec!["nope".into()];
    let err = snapshot(&study, &o).expect_err("an error");
    assert_eq!(err.code(), "invalid");
}
