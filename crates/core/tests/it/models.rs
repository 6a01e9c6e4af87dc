//! Model runs against the OpenAI-compatible test server on loopback.

#[path = "../support/openai_server.rs"]
mod openai_server;

use crate::util::{dump, Fixture};
use chameleon_core::models::endpoint::{Endpoint, Retry};
use chameleon_core::models::prompt::Template;
use chameleon_core::models::run::{run, RunOptions, RunReport};
use chameleon_core::models::ModelError;
use chameleon_core::Study;
use openai_server::{fake_answer, material, request_problems, Reply, Request, Server};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MODEL: &str = "fake-attentive";

fn options(server: &Server) -> RunOptions {
    let mut o = RunOptions::new(Endpoint::parse(&server.url()).unwrap(), MODEL);
    o.retry = Retry {
        retries: 3,
        backoff: Duration::from_millis(5),
    };
    o.timeout = Duration::from_secs(10);
    o.concurrency = 3;
    o
}

fn go(study: &mut Study, o: &RunOptions) -> Result<RunReport, ModelError> {
    run(study, o, &AtomicBool::new(false), &mut |_| {})
}

/// The attentive fake: answers from the material, checks every request.
fn attentive(problems: Arc<Mutex<Vec<String>>>, study: &Study) -> Arc<openai_server::Handler> {
    let cb = study.codebook().unwrap().unwrap();
    let definitions: HashMap<String, String> = cb
        .dimensions
        .iter()
        .map(|d| (d.name.clone(), d.definition.clone()))
        .collect();
    let texts: Vec<String> = study
        .profile_ids()
        .unwrap()
        .into_iter()
        .map(|id| study.profile(id).unwrap().texts[0].text.clone())
        .collect();
    Arc::new(move |req: &Request| {
        let mut p = request_problems(req, MODEL);
        let prompt = req.prompt();
        if !texts.iter().any(|t| prompt.contains(t.as_str())) {
            p.push("the prompt holds no profile's text".into());
        }
        for d in req.schema_dimensions() {
            if !prompt.contains(definitions[&d].as_str()) {
                p.push(format!("the prompt lacks the definition of {d}"));
            }
        }
        if !prompt.contains(cb.guidelines.trim()) {
            p.push("the prompt lacks the guidelines".into());
        }
        problems.lock().unwrap().extend(p);
        Reply::chat(&fake_answer(req, material(prompt)))
    })
}

#[test]
fn a_run_rates_every_profile_dimension_and_sample_and_a_rerun_sends_nothing() {
    let fx = Fixture::new();
    let (path, mut study) = fx.demo_study(6);
    let problems = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(&[MODEL], attentive(problems.clone(), &study));
    let mut o = options(&server);
    o.samples = 2;
    o.seed = Some(7);
    o.temperature = 0.7;
    let r = go(&mut study, &o).unwrap();
    let profiles = study.profile_ids().unwrap().len();
    let dims = study.codebook().unwrap().unwrap().dimensions.len();
    assert_eq!(r.requests, profiles * 2, "{r:?}");
    assert_eq!((r.ratings, r.failures), (profiles * dims * 2, 0));
    assert!(
        problems.lock().unwrap().is_empty(),
        "{:?}",
        problems.lock().unwrap()
    );
    let samples = study.model_sample_ratings().unwrap();
    assert_eq!(samples.len(), profiles * dims * 2);
    assert!(samples.iter().all(|s| s.rater == MODEL));
    let rater = study.rater(MODEL).unwrap().unwrap();
    assert_eq!(rater.kind, chameleon_core::model::RaterKind::Model);
    // The seed differs per sample: sample 1 is sent with seed + 1.
    let seeds: Vec<u64> = server
        .log
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.body["seed"].as_u64().unwrap())
        .collect();
    assert!(seeds.iter().all(|s| *s == 7 || *s == 8) && seeds.contains(&8));

    let runs = study.model_runs().unwrap();
    assert_eq!(runs.len(), 1);
    let run0 = &runs[0];
    assert_eq!(
        (
            run0.status.as_str(),
            run0.requests,
            run0.ratings,
            run0.failures
        ),
        (
            "finished",
            (profiles * 2) as i64,
            (profiles * dims * 2) as i64,
            0
        )
    );
    assert_eq!(run0.endpoint, server.url());
    assert!(run0.prompt_tokens > 0 && run0.completion_tokens > 0);
    assert_eq!(
        study.model_prompt(&run0.prompt_hash).unwrap().as_deref(),
        Some(o.template.text()),
        "the template is stored once, by its hash"
    );
    // The stored rating is on the scale (the samples' lower median) and the analyses see the
    // samples' mean.
    let ds = study.dataset().unwrap();
    let openness = ds.dimensions.iter().find(|d| d.name == "openness").unwrap();
    let model_ix = ds.raters.iter().position(|r| r.name == MODEL).unwrap() as u32;
    let first = study.profile_ids().unwrap()[0];
    let mine: Vec<f64> = samples
        .iter()
        .filter(|s| s.profile_id == first && s.dimension == "openness")
        .map(|s| s.value)
        .collect();
    let mean = mine.iter().sum::<f64>() / mine.len() as f64;
    let stored = study.ratings_of(first, rater.id).unwrap();
    let stored = stored.iter().find(|r| r.dimension == "openness").unwrap();
    assert_eq!(
        stored.value,
        mine.iter().cloned().fold(f64::INFINITY, f64::min)
    );
    let person = &study.profile(first).unwrap().person;
    let seen = openness
        .observations
        .iter()
        .find(|ob| {
            ob.rater == Some(model_ix)
                && ds.persons[ds.profiles[ob.profile as usize].person as usize] == *person
                && ds.contexts[ds.profiles[ob.profile as usize].context as usize]
                    == study.profile(first).unwrap().context
        })
        .unwrap();
    assert_eq!(seen.value, mean);
    let one = study
        .dataset_for(false, chameleon_core::store::ModelSamples::One(1))
        .unwrap();
    let dim = one
        .dimensions
        .iter()
        .find(|d| d.name == "openness")
        .unwrap();
    assert_eq!(
        dim.observations
            .iter()
            .filter(|ob| ob.rater == Some(model_ix))
            .count(),
        profiles
    );

    // Resume: nothing left, nothing sent.
    let before = server.connections.load(std::sync::atomic::Ordering::SeqCst);
    let again = go(&mut study, &o).unwrap();
    assert_eq!(
        (again.requests, again.skipped, again.run_id),
        (0, profiles * dims * 2, None)
    );
    // The analyses and the preview open no connection either.
    chameleon_core::models::analysis::analyse_study(&study, &Default::default()).unwrap();
    chameleon_core::models::run::preview(&study, &o, first).unwrap();
    assert_eq!(
        server.connections.load(std::sync::atomic::Ordering::SeqCst),
        before,
        "nothing left to do: no connection at all"
    );
    drop(study);
    assert_eq!(Study::open(&path).unwrap().integrity_check().unwrap(), "ok");
}

#[test]
fn errors_and_bad_answers_are_retried_and_what_stays_unusable_is_a_failure_not_a_rating() {
    let fx = Fixture::new();
    let (_path, mut study) = fx.demo_study(3);
    let ids = study.profile_ids().unwrap();
    let cb = study.codebook().unwrap().unwrap();
    let key = Template::parse("Context: {{context}}\n\n{{texts}}", None).unwrap();
    let texts: Vec<String> = ids
        .iter()
        .map(|id| key.render(&cb, &[], &study.profile(*id).unwrap()))
        .collect();
    let mut distinct = texts.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        texts.len(),
        "each profile's material is its own"
    );
    let attempts: Arc<Mutex<HashMap<usize, usize>>> = Default::default();
    let fixed = Arc::new(AtomicBool::new(false));
    let handler: Arc<openai_server::Handler> = {
        let (attempts, fixed) = (attempts.clone(), fixed.clone());
        Arc::new(move |req: &Request| {
            let prompt = req.prompt();
            let m = material(prompt).trim_start_matches("# Material").trim();
            let Some(which) = texts.iter().position(|t| t == m) else {
                return Reply::status(400, "unknown profile");
            };
            let n = {
                let mut a = attempts.lock().unwrap();
                let e = a.entry(which).or_default();
                *e += 1;
                *e
            };
            let good = Reply::chat(&fake_answer(req, material(prompt)));
            if fixed.load(std::sync::atomic::Ordering::SeqCst) {
                return good;
            }
            match (which, n) {
                (0, 1) => Reply::status(500, "{\"error\":\"overloaded\"}"),
                (0, 2) => Reply::status(429, "{\"error\":\"slow down\"}"),
                (1, _) => Reply::chat("Sure! I think openness is high."),
                (2, _) => {
                    let mut v: serde_json::Value =
                        serde_json::from_str(&good_content(req, prompt)).unwrap();
                    v["openness"] = serde_json::json!(9);
                    Reply::chat(&v.to_string())
                }
                (3, 1) => good.after(Duration::from_millis(900)),
                (4, 1) => Reply::status(200, "{\"choices\": ["),
                _ => good,
            }
        })
    };
    let server = Server::start(&[MODEL], handler);
    let mut o = options(&server);
    o.timeout = Duration::from_millis(400);
    let r = go(&mut study, &o).unwrap();
    let dims = study.codebook().unwrap().unwrap().dimensions.len();
    assert_eq!(r.requests, ids.len());
    let done = study.model_done(MODEL).unwrap();
    let rated = |i: usize| done.iter().filter(|k| k.0 == ids[i]).count();
    assert_eq!(rated(0), dims, "500 then 429 were retried");
    assert_eq!(rated(1), 0, "an answer that is not JSON is never a rating");
    assert_eq!(
        rated(2),
        dims - 1,
        "the off-scale dimension is left out, the others kept"
    );
    assert!(!done.contains(&(ids[2], "openness".to_owned(), 0)));
    assert_eq!(
        rated(3),
        dims,
        "a request slower than the timeout was retried"
    );
    assert_eq!(rated(4), dims, "a response that is not JSON was retried");
    let attempts_of = |i: usize| attempts.lock().unwrap()[&i];
    assert_eq!(attempts_of(1), 3, "one try and two answer retries");
    let failures = study.model_failures(None).unwrap();
    assert_eq!(failures.len(), 2, "{failures:?}");
    let whole = failures.iter().find(|f| f.profile_id == ids[1]).unwrap();
    assert_eq!(whole.dimension, None);
    assert!(
        whole.raw.contains("Sure! I think openness is high."),
        "raw text kept"
    );
    assert!(whole.reason.contains("not JSON"), "{}", whole.reason);
    let off = failures.iter().find(|f| f.profile_id == ids[2]).unwrap();
    assert_eq!(off.dimension.as_deref(), Some("openness"));
    assert!(off.reason.contains("9 is not a point"), "{}", off.reason);
    assert!(off.raw.contains("\\\"openness\\\":9"), "{}", off.raw);
    assert_eq!(study.model_runs().unwrap()[0].failures, 2);
    // Every request is counted where the run lists it: the one that stayed unusable too.
    let first = &study.model_runs().unwrap()[0];
    assert_eq!(
        (first.requests, first.answered, first.failed, first.invalid),
        (ids.len() as i64, ids.len() as i64 - 1, 1, 1),
        "{first:?}"
    );
    assert_eq!((r.answered, r.failed), (ids.len() - 1, 1), "{r:?}");
    assert_eq!(r.requests, r.answered + r.failed);
    assert_eq!(r.in_flight_at_stop, 0, "nothing was stopped");

    // A rerun asks again only what is missing — the failed request and the off-scale
    // dimension — and completes.
    fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    let before = server.log.lock().unwrap().len();
    let again = go(&mut study, &o).unwrap();
    assert_eq!(again.requests, 2, "profiles 1 and 2 only: {again:?}");
    let second = &study.model_runs().unwrap()[1];
    assert_eq!(
        (
            second.requests,
            second.answered,
            second.failed,
            second.invalid
        ),
        (2, 2, 0, 0),
        "{second:?}"
    );
    let asked: Vec<Vec<String>> = server.log.lock().unwrap()[before..]
        .iter()
        .map(|r| r.schema_dimensions())
        .collect();
    assert!(
        asked.iter().any(|d| d == &vec!["openness".to_owned()]),
        "{asked:?}"
    );
    assert_eq!(study.model_done(MODEL).unwrap().len(), ids.len() * dims);
}

fn good_content(req: &Request, prompt: &str) -> String {
    fake_answer(req, material(prompt))
}

#[test]
fn an_unreachable_server_an_unknown_model_and_a_refused_key_write_nothing() {
    let fx = Fixture::new();
    let (path, mut study) = fx.demo_study(2);
    let before = dump(&path);

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/v1");
    let o = RunOptions::new(Endpoint::parse(&url).unwrap(), MODEL);
    let e = go(&mut study, &o).unwrap_err();
    assert!(matches!(e, ModelError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains(&url), "names the endpoint: {e}");
    assert!(!e.is_bad_input());

    let server = Server::start(
        &["llama3.2:latest", "qwen"],
        Arc::new(|_: &Request| Reply::chat("{}")),
    );
    let e = go(&mut study, &options(&server)).unwrap_err();
    assert!(matches!(e, ModelError::UnknownModel { .. }), "{e}");
    assert!(
        e.to_string().contains(&server.url()) && e.to_string().contains("qwen"),
        "{e}"
    );
    assert!(e.is_bad_input());
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
    let mut o = options(&server);
    o.model = "llama3.2".into();
    o.dimensions = vec!["openness".into()];
    // Ollama's `name:latest` is `name`; this server then refuses every chat request.
    drop(server);
    let refusing = Server::start(
        &["llama3.2:latest"],
        Arc::new(|_: &Request| Reply::status(401, "{\"error\":\"invalid api key\"}")),
    );
    o.endpoint = Endpoint::parse(&refusing.url()).unwrap();
    o.api_key = Some("sk-test-secret".into());
    let e = go(&mut study, &o).unwrap_err();
    assert!(
        matches!(e, ModelError::Unauthorized { status: 401, .. }),
        "{e}"
    );
    assert!(e.to_string().contains(&refusing.url()), "{e}");
    assert_eq!(
        refusing.log.lock().unwrap()[0].authorization.as_deref(),
        Some("Bearer sk-test-secret")
    );
    let mut o404 = o.clone();
    o404.model = "missing".into();
    let not_listing = Server::start(
        &[],
        Arc::new(|_: &Request| Reply::status(404, "model not found")),
    );
    o404.endpoint = Endpoint::parse(&not_listing.url()).unwrap();
    let e = go(&mut study, &o404).unwrap_err();
    assert!(matches!(e, ModelError::NotFound { .. }), "{e}");

    let mut unknown = o.clone();
    unknown.dimensions = vec!["opennes".into()];
    let e = go(&mut study, &unknown).unwrap_err();
    assert!(
        e.is_bad_input() && e.to_string().contains("'opennes'"),
        "{e}"
    );
    let e = Template::parse("{{texts}} {{persona}}", None).unwrap_err();
    assert!(e.to_string().contains("persona"), "{e}");

    drop(study);
    let after = dump(&path);
    assert_eq!(before, after, "nothing was written");
    assert!(!after.contains("sk-test-secret"));
}

#[test]
fn cancelling_stops_new_requests_commits_what_arrived_and_a_rerun_completes() {
    let fx = Fixture::new();
    let (_path, mut study) = fx.demo_study(4);
    let problems = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(&[MODEL], {
        let inner = attentive(problems.clone(), &study);
        Arc::new(move |r: &Request| inner(r).after(Duration::from_millis(30)))
    });
    let mut o = options(&server);
    o.concurrency = 2;
    let cancel = AtomicBool::new(false);
    let r = run(&mut study, &o, &cancel, &mut |p| {
        if p.done >= 3 {
            cancel.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    })
    .unwrap();
    assert!(r.cancelled, "{r:?}");
    let total = study.profile_ids().unwrap().len();
    assert!(r.requests >= 3 && r.requests < total, "{r:?}");
    assert_eq!(study.model_runs().unwrap()[0].status, "cancelled");
    // The other worker's request was in flight at the Cancel: waited for, committed, counted.
    assert!(r.in_flight_at_stop >= 1, "{r:?}");
    assert_eq!(r.requests, r.answered + r.failed);
    assert_eq!(study.model_runs().unwrap()[0].requests, r.requests as i64);
    let dims = study.codebook().unwrap().unwrap().dimensions.len();
    assert_eq!(
        study.model_done(MODEL).unwrap().len(),
        r.requests * dims,
        "every answered request committed whole"
    );
    let again = go(&mut study, &o).unwrap();
    assert_eq!(again.requests, total - r.requests);
    assert_eq!(study.model_done(MODEL).unwrap().len(), total * dims);
    assert_eq!(study.model_runs().unwrap().len(), 2);
}

#[test]
fn a_human_rater_of_the_same_name_is_refused_before_any_request() {
    let fx = Fixture::new();
    let (_path, mut study) = fx.demo_study(2);
    study
        .ensure_rater(MODEL, chameleon_core::model::RaterKind::Human)
        .unwrap();
    let server = Server::start(&[MODEL], Arc::new(|_: &Request| Reply::chat("{}")));
    let e = go(&mut study, &options(&server)).unwrap_err();
    assert!(
        e.is_bad_input() && e.to_string().contains("human rater"),
        "{e}"
    );
    assert_eq!(server.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Both fakes on the demo: the attentive one reads the material, the state-blind one sees
/// only the person (a template with `Person: {{person}}`), and the demo's imported
/// `model-gpt` barely moves across contexts.
#[test]
fn the_analyses_flag_the_state_blind_models_and_compare_models_about_persons() {
    use chameleon_core::models::analysis::{analyse_study, ModelAnalysisOptions};
    use chameleon_core::store::ModelSamples;
    let fx = Fixture::new();
    let (_path, mut study) = fx.demo_study(12);
    study
        .import_ratings(&fx.path("ratings.csv"), &Default::default())
        .unwrap();
    let files = chameleon_core::sample::demo(3, 12);
    study
        .import_ratings(
            &fx.write("model.csv", &files.model_ratings_csv),
            &chameleon_core::RatingsImportOptions {
                rater_kind: chameleon_core::model::RaterKind::Model,
            },
        )
        .unwrap();
    let server = Server::start(
        &[MODEL, "fake-blind"],
        Arc::new(|req: &Request| {
            let basis = if req.body["model"] == "fake-blind" {
                openai_server::person_line(req.prompt()).to_owned()
            } else {
                material(req.prompt()).to_owned()
            };
            Reply::chat(&fake_answer(req, &basis))
        }),
    );
    let mut o = options(&server);
    o.samples = 3;
    o.seed = Some(5);
    go(&mut study, &o).unwrap();
    let mut blind = options(&server);
    blind.model = "fake-blind".into();
    blind.template = Template::parse(
        "Person: {{person}}\n\n{{dimensions}}\n\n{{answer_format}}",
        None,
    )
    .unwrap();
    go(&mut study, &blind).unwrap();

    let opts = ModelAnalysisOptions::new(200, 9, 0.5, ModelSamples::Mean).unwrap();
    let r = analyse_study(&study, &opts).unwrap();
    let mut models = r.models.clone();
    models.sort();
    assert_eq!(models, vec![MODEL, "fake-blind", "model-gpt"]);
    assert_eq!(r.humans.len(), 3);
    let summary = |m: &str| r.summary.iter().find(|s| s.model == m).unwrap();
    assert!(summary("fake-blind").state_blind, "{:?}", r.summary);
    assert!(summary("model-gpt").state_blind, "{:?}", r.summary);
    assert!(!summary(MODEL).state_blind, "{:?}", r.summary);
    let openness = r
        .dimensions
        .iter()
        .find(|d| d.dimension == "openness")
        .unwrap();
    let row = |m: &str| openness.models.iter().find(|x| x.model == m).unwrap();
    // The blind fake gives a person the same value in every context: no state at all.
    assert_eq!(row("fake-blind").model_state_share, Some(0.0));
    assert_eq!(row("fake-blind").state_ratio, Some(0.0));
    let attentive = row(MODEL);
    assert_eq!(attentive.profiles, 36);
    assert_eq!(attentive.samples, Some(3));
    let [lo, hi] = attentive.state_ratio_ci.unwrap();
    let ratio = attentive.state_ratio.unwrap();
    assert!(lo <= ratio && ratio <= hi && ratio > 0.5, "{attentive:?}");
    let sa = attentive.sample_alpha.unwrap();
    assert!(
        sa > 0.3 && sa < 1.0,
        "samples agree four times in five: {sa}"
    );
    let [alo, ahi] = attentive.alpha_ci.unwrap();
    assert!(alo <= attentive.alpha.unwrap() && attentive.alpha.unwrap() <= ahi);
    assert!(
        row("model-gpt").alpha.unwrap() > attentive.alpha.unwrap(),
        "model-gpt follows the persons' traits as the humans do; the hash fake does not"
    );
    assert!(row("model-gpt").icc.is_some() && row("model-gpt").samples.is_none());
    let between = openness.between_models.as_ref().unwrap();
    assert_eq!(between.sign_agreement.len(), 3);
    assert!(between.rater_person_share.is_some(), "{between:?}");
    assert!(between.kendall_w.is_some() && between.kendall_units == 36);
    let nominal = r
        .dimensions
        .iter()
        .find(|d| d.dimension == "dominant_emotion")
        .unwrap();
    assert!(nominal.between_models.is_none() && nominal.models[0].icc.is_none());
    assert!(nominal.models[0].alpha.is_some());

    // One sample instead of the mean: sample 0's values alone.
    let one = analyse_study(
        &study,
        &ModelAnalysisOptions::new(0, 9, 0.5, ModelSamples::One(0)).unwrap(),
    )
    .unwrap();
    let one_row = one
        .dimensions
        .iter()
        .find(|d| d.dimension == "openness")
        .unwrap();
    let one_att = one_row.models.iter().find(|x| x.model == MODEL).unwrap();
    assert_ne!(one_att.alpha, attentive.alpha);
    assert!(one_att.alpha_ci.is_none());
    // Seeded: the same intervals again.
    assert_eq!(analyse_study(&study, &opts).unwrap(), r);
}

/// The app's run (`app::models::start_run_at`): its own connection to the file while the app's
/// study stays open and answering; every answer it commits is seen by the app's connection.
#[test]
fn the_app_runs_on_a_connection_of_its_own_while_the_study_stays_open() {
    use chameleon_core::app::models::{plan_run, start_run_at, RunRequest};
    let fx = Fixture::new();
    let (path, study) = fx.demo_study(3);
    let problems = Arc::new(Mutex::new(Vec::new()));
    let server = Server::start(&[MODEL], attentive(problems.clone(), &study));
    let req = RunRequest {
        endpoint: server.url(),
        model: MODEL.into(),
        samples: 2,
        ..Default::default()
    };
    let before = plan_run(&study, &req).unwrap();
    let mut seen = 0;
    let r = start_run_at(&path, &req, &AtomicBool::new(false), &mut |p| {
        // The app's connection reads while the run writes.
        seen = seen.max(study.model_done(MODEL).unwrap().len());
        assert!(p.done <= p.total);
    })
    .unwrap();
    assert!(
        problems.lock().unwrap().is_empty(),
        "{:?}",
        problems.lock().unwrap()
    );
    assert_eq!(r.requests, before.requests);
    let dims = before.dimensions.len();
    assert_eq!(
        study.model_done(MODEL).unwrap().len(),
        before.requests * dims
    );
    assert!(
        seen > 0,
        "answers were visible to the app while the run went on"
    );
    assert_eq!(plan_run(&study, &req).unwrap().requests, 0);
    // A bad form opens nothing.
    let bad = RunRequest {
        samples: 0,
        ..req.clone()
    };
    let e = start_run_at(
        &fx.path("missing.db"),
        &bad,
        &AtomicBool::new(false),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(e.is_bad_input(), "{e}");
}
