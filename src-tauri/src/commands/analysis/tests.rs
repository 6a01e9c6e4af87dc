use super::*;
use crate::commands::start::open_demo;
use chameleon_core::analysis::decompose::{run_decomposition, DecomposeRunOptions};

fn demo(dir: &Path) -> (Session, AppPaths) {
    let paths = AppPaths::under(dir.to_path_buf());
    let mut session = Session::default();
    open_demo(&mut session, &paths).expect("demo study");
    (session, paths)
}

fn opts(bootstrap: u32) -> AnalysisOptionsDto {
    AnalysisOptionsDto {
        dimensions: Vec::new(),
        method: AnalysisMethodDto::Reml,
        bootstrap,
        seed: 7,
        adjudicated: false,
    }
}

fn no_progress() -> impl Fn(u64, u64) + Sync {
    |_, _| {}
}

fn run(
    state: &AnalysisState,
    session: &Session,
    paths: &AppPaths,
    o: &AnalysisOptionsDto,
) -> RunOutcomeDto {
    let snap = snapshot(session, o).expect("snapshot");
    run_job(state, paths, snap, o, 1, &no_progress()).expect("runs")
}

#[test]
fn a_run_gives_the_cli_numbers_reports_progress_and_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let (session, paths) = demo(dir.path());
    let state = AnalysisState::default();
    let o = opts(30);
    let calls = Mutex::new(Vec::<(u64, u64)>::new());
    let progress = |d, t| calls.lock().unwrap().push((d, t));
    let snap = snapshot(&session, &o).unwrap();
    let ds = snap.dataset.clone();
    let out = run_job(&state, &paths, snap, &o, 1, &progress).unwrap();
    assert_eq!(out.status, "done");
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
        let rows: Vec<&RaterSensitivityDto> = r
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
    let again = run(&state, &session, &paths, &o);
    assert!(again.cached);
    assert_eq!(again.result.unwrap().key, r.key);
    // Other options: another key.
    assert_ne!(cache_key(&r.data_hash, &opts(31)), r.key);
}

#[test]
fn chosen_dimensions_only_and_unknown_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (session, _) = demo(dir.path());
    let mut o = opts(0);
    o.dimensions = vec!["Extraversion".into(), "neuroticism".into()];
    let snap = snapshot(&session, &o).unwrap();
    let names: Vec<&str> = snap
        .dataset
        .dimensions
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(names, ["extraversion", "neuroticism"]);
    o.dimensions = vec!["nope".into()];
    let err = snapshot(&session, &o).err().expect("an error");
    assert_eq!(err.code, "bad_input");
}

#[test]
fn a_cancelled_run_says_so_and_leaves_the_previous_result() {
    let dir = tempfile::tempdir().unwrap();
    let (session, paths) = demo(dir.path());
    let state = AnalysisState::default();
    let first = run(&state, &session, &paths, &opts(10)).result.unwrap();
    let o = opts(100_000);
    let snap = snapshot(&session, &o).unwrap();
    let seen = AtomicBool::new(false);
    // Cancel from "the UI" as soon as the run reports progress.
    let progress = |done: u64, _| {
        if done > 0 && !seen.swap(true, Ordering::Relaxed) {
            assert_eq!(state.cancel(Some(42)).unwrap(), 1, "run 42 is running");
        }
    };
    let out = run_job(&state, &paths, snap, &o, 42, &progress).unwrap();
    assert_eq!(out.status, "cancelled");
    assert!(out.result.is_none());
    assert_eq!(
        state.cancel(None).unwrap(),
        0,
        "the run is gone from the state"
    );
    let view = view_state(&state, &session, &paths).unwrap();
    assert_eq!(view.result.map(|r| r.key), Some(first.key));
    assert!(!view.stale);
}

#[test]
fn results_survive_a_restart_and_turn_stale_when_ratings_change() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, paths) = demo(dir.path());
    let before = view_state(&AnalysisState::default(), &session, &paths).unwrap();
    assert!(before.result.is_none(), "nothing computed yet");
    let r = run(&AnalysisState::default(), &session, &paths, &opts(0))
        .result
        .unwrap();
    // A new app (empty memory) shows the stored result.
    let view = view_state(&AnalysisState::default(), &session, &paths).unwrap();
    assert_eq!(view.result.as_ref().map(|x| &x.key), Some(&r.key));
    assert!(!view.stale);
    assert_eq!(view.current_hash, r.data_hash);
    // A new rating: stale.
    let study = session.study_mut().unwrap();
    let rater = study
        .ensure_rater("dana", chameleon_core::model::RaterKind::Human)
        .unwrap();
    let ds = study.dataset().unwrap();
    let key = ds.profiles[0];
    let profile = study
        .profile_id(
            &ds.persons[key.person as usize],
            &ds.contexts[key.context as usize],
        )
        .unwrap()
        .expect("profile exists");
    study
        .save_rating(&chameleon_core::store::RatingInput {
            profile_id: profile,
            dimension: "extraversion".into(),
            rater_id: rater.id,
            value: Some(5.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
    let view = view_state(&AnalysisState::default(), &session, &paths).unwrap();
    assert!(view.stale, "ratings changed since");
    assert_ne!(view.current_hash, r.data_hash);
}

#[test]
fn exports_write_report_tables_and_figures_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let (session, paths) = demo(dir.path());
    let state = AnalysisState::default();
    let r = run(&state, &session, &paths, &opts(10)).result.unwrap();
    let stored = stored_by_key(&state, &r.key).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let report = out.join("r.html");
    export(
        &stored,
        &ExportRequest::Report {
            path: report.display().to_string(),
        },
    )
    .unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&r.data_hash));
    assert!(!html.contains("src=\"http") && !html.contains("<link"));
    let png = out.join("f.png");
    export(
        &stored,
        &ExportRequest::Figure {
            name: "trait_state_shares".into(),
            format: "png".into(),
            path: png.display().to_string(),
        },
    )
    .unwrap();
    let img = resvg_decode(&std::fs::read(&png).unwrap());
    let fig = &r.figures[0];
    assert_eq!(img, (fig.width * 2, fig.height * 2), "twice the SVG size");
    let all = out.join("all");
    let written = export(
        &stored,
        &ExportRequest::All {
            dir: all.display().to_string(),
        },
    )
    .unwrap();
    assert_eq!(written.len(), 1 + r.tables.len() + 2 * r.figures.len());
    for name in ["report.html", "decomposition.csv", "person_profiles.png"] {
        assert!(all.join(name).exists(), "{name}");
    }
    let csv = std::fs::read_to_string(all.join("decomposition.csv")).unwrap();
    assert!(csv.starts_with("dimension,method"));
    let err = export(
        &stored,
        &ExportRequest::Table {
            name: "nope".into(),
            path: out.join("x.csv").display().to_string(),
        },
    )
    .err()
    .unwrap();
    assert_eq!(err.code, "not_found");
    assert!(!out.join("x.csv").exists());
}

fn resvg_decode(bytes: &[u8]) -> (u32, u32) {
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
    drop(p);
    let got = got.into_inner().unwrap();
    assert!(got.len() < 100, "throttled: {} messages", got.len());
    assert_eq!(got.first(), Some(&(3, 1, 1000)));
    assert_eq!(got.last(), Some(&(3, 1000, 1000)));
}
