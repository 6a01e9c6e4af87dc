//! `chameleon model …` against the OpenAI-compatible test server on loopback (issue #14):
//! the demo study rated whole, a SIGKILL mid-run and the resume, bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{ok, run, s};

#[path = "../../core/tests/support/openai_server.rs"]
mod openai_server;

use openai_server::{fake_answer, material, person_line, request_problems, Reply, Request, Server};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MODEL: &str = "fake-attentive";
const BLIND: &str = "fake-blind";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
}

/// The demo study (36 persons × 3 contexts, three annotators and the imported model-gpt).
fn demo(dir: &Path) -> PathBuf {
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files)]);
    let study = dir.join("demo.db");
    ok(&["study", "new", s(&study)]);
    ok(&[
        "import",
        "profiles",
        s(&study),
        s(&files.join("profiles.jsonl")),
    ]);
    ok(&[
        "import",
        "codebook",
        s(&study),
        s(&files.join("codebook.toml")),
    ]);
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&files.join("ratings.csv")),
    ]);
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&files.join("model_ratings.csv")),
        "--rater-kind",
        "model",
    ]);
    study
}

fn db(study: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(study).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    c
}

fn count(study: &Path, sql: &str) -> i64 {
    db(study).query_row(sql, [], |r| r.get(0)).unwrap()
}

type Samples = BTreeMap<(i64, String, i64), f64>;

/// Every sample rating of `rater`: (profile, dimension, sample) → value.
fn samples(study: &Path, rater: &str) -> Samples {
    let c = db(study);
    let mut st = c
        .prepare(
            "SELECT m.profile_id, d.name, m.sample, m.value FROM model_rating m
               JOIN dimension d ON d.id = m.dimension_id JOIN rater t ON t.id = m.rater_id
              WHERE t.name = ?1",
        )
        .unwrap();
    let rows = st
        .query_map([rater], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<Samples>>()
        .unwrap();
    rows
}

/// The attentive fake (answers from the material, checks every request) and the state-blind
/// one (answers from the person line only).
fn server(delay: Duration, problems: Arc<Mutex<Vec<String>>>) -> Server {
    Server::start(
        &[MODEL, BLIND],
        Arc::new(move |req: &Request| {
            let model = req.body["model"].as_str().unwrap_or("").to_owned();
            let mut p = request_problems(req, &model);
            let prompt = req.prompt();
            let answer = if model == BLIND {
                fake_answer(req, person_line(prompt))
            } else {
                if !prompt.contains("--- Text 1 ---") || !prompt.contains("Definition: ") {
                    p.push("the prompt lacks the texts or the definitions".into());
                }
                fake_answer(req, material(prompt))
            };
            problems.lock().unwrap().extend(p);
            Reply::chat(&answer).after(delay)
        }),
    )
}

#[test]
fn the_demo_is_rated_whole_survives_a_kill_and_resumes_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let a = demo(dir.path());
    let b = dir.path().join("copy.db");
    std::fs::copy(&a, &b).unwrap();
    let problems = Arc::new(Mutex::new(Vec::new()));
    let srv = server(Duration::from_millis(15), problems.clone());
    let url = srv.url();
    let args = |study: &Path| -> Vec<String> {
        [
            "model",
            "rate",
            s(study),
            "--endpoint",
            &url,
            "--model",
            MODEL,
            "--samples",
            "2",
            "--seed",
            "11",
            "--temperature",
            "0.5",
            "--concurrency",
            "2",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };

    // Uninterrupted, on the copy.
    let out = bin().args(args(&b)).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("endpoint {url}")),
        "the endpoint is shown first: {stderr}"
    );
    let profiles = count(&b, "SELECT COUNT(*) FROM profile");
    let dims = count(&b, "SELECT COUNT(*) FROM dimension");
    let whole = samples(&b, MODEL);
    assert_eq!(
        whole.len() as i64,
        profiles * dims * 2,
        "every profile × dimension × sample"
    );
    assert!(
        problems.lock().unwrap().is_empty(),
        "{:?}",
        problems.lock().unwrap()
    );

    // Killed mid-run.
    let mut child = bin()
        .args(args(&a))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut seen = Samples::new();
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
        let c = rusqlite::Connection::open(&a).unwrap();
        let n: i64 = c
            .query_row("SELECT COUNT(*) FROM model_request", [], |r| r.get(0))
            .unwrap_or(0);
        if n >= 25 {
            drop(c);
            seen = samples(&a, MODEL);
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!seen.is_empty(), "the run had started answering");
    let after = samples(&a, MODEL);
    assert!(
        (after.len() as i64) < profiles * dims * 2,
        "killed before the end ({} ratings)",
        after.len()
    );
    for (k, v) in &seen {
        assert_eq!(
            after.get(k),
            Some(v),
            "committed rating {k:?} lost by the kill"
        );
    }
    assert_eq!(
        count(
            &a,
            &format!(
                "SELECT COUNT(*) FROM model_request q
                  WHERE (SELECT COUNT(*) FROM model_rating m WHERE m.request_id = q.id) <> {dims}"
            )
        ),
        0,
        "no half answer: every committed request has all its dimensions"
    );

    // Resumed: the same result as the uninterrupted run, and the summary ratings agree.
    let out = bin().args(args(&a)).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already there"),
        "the rerun says what it skips"
    );
    assert_eq!(samples(&a, MODEL), whole);
    let summary = |p: &Path| -> Vec<(i64, i64, f64)> {
        let c = db(p);
        let mut st = c
            .prepare(
                "SELECT r.profile_id, r.dimension_id, r.value FROM rating r JOIN rater t ON t.id = r.rater_id
                  WHERE t.name = ?1 ORDER BY 1, 2",
            )
            .unwrap();
        let v = st
            .query_map([MODEL], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        v
    };
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(summary(&a).len() as i64, profiles * dims);

    // The runs are listed with their counts; the export holds the model rater.
    let out = ok(&["model", "runs", s(&a), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "the killed run and its resume");
    let total: i64 = runs.iter().map(|r| r["ratings"].as_i64().unwrap()).sum();
    assert_eq!(total, profiles * dims * 2);
    assert_eq!(runs[1]["status"], "finished");
    assert_eq!(
        runs[0]["status"], "interrupted",
        "the killed run, found running by the next"
    );
    let csv = dir.path().join("export.csv");
    ok(&["export", "ratings", s(&a), s(&csv)]);
    let exported = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        exported
            .lines()
            .filter(|l| l.contains(&format!(",{MODEL},")))
            .count() as i64,
        profiles * dims
    );
}

#[test]
fn the_prompt_preview_is_the_exact_prompt_sent() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let srv = server(Duration::ZERO, Arc::new(Mutex::new(Vec::new())));
    let out = ok(&[
        "model",
        "prompt",
        s(&study),
        "--model",
        MODEL,
        "--profile",
        "2",
    ]);
    let preview = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        preview.contains("Definition: Curiosity, imagination"),
        "{preview}"
    );
    ok(&[
        "model",
        "rate",
        s(&study),
        "--endpoint",
        &srv.url(),
        "--model",
        MODEL,
        "--limit",
        "2",
    ]);
    let log = srv.log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter().any(|r| format!("{}\n", r.prompt()) == preview),
        "the preview (plus println's newline) is what was sent"
    );
    let out = ok(&[
        "model",
        "prompt",
        s(&study),
        "--model",
        MODEL,
        "--profile",
        "2",
        "--request",
        "--seed",
        "3",
    ]);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["seed"], 3);
    assert!(request_problems(
        &Request {
            method: "POST".into(),
            path: "/v1/chat/completions".into(),
            authorization: None,
            body
        },
        MODEL
    )
    .is_empty());
}

#[test]
fn bad_input_exits_2_naming_it_and_server_trouble_exits_1_naming_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let before = std::fs::read(&study).unwrap();
    let srv = server(Duration::ZERO, Arc::new(Mutex::new(Vec::new())));
    let url = srv.url();
    let prompt = dir.path().join("prompt.txt");
    std::fs::write(&prompt, "Rate this.\n{{texts}}\nAs {{role}} would.\n").unwrap();
    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (
            vec!["--model", MODEL, "--prompt", s(&prompt)],
            2,
            vec!["prompt.txt", "line 3, column 4", "'{{role}}'"],
        ),
        (
            vec!["--model", "gpt-9"],
            2,
            vec![url.as_str(), "no model 'gpt-9'", MODEL],
        ),
        (
            vec!["--model", MODEL, "--dimension", "opennes"],
            2,
            vec!["'opennes'"],
        ),
        (
            vec![
                "--model",
                MODEL,
                "--api-key-env",
                "CHAMELEON_TEST_NO_SUCH_KEY",
            ],
            2,
            vec!["CHAMELEON_TEST_NO_SUCH_KEY"],
        ),
        (
            vec!["--model", MODEL, "--samples", "0"],
            2,
            vec!["--samples"],
        ),
        (
            vec!["--model", MODEL, "--temperature", "3"],
            2,
            vec!["--temperature"],
        ),
    ];
    for (extra, code, needles) in cases {
        let mut args = vec!["model", "rate", s(&study), "--endpoint", &url];
        args.extend(extra.iter().copied());
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{extra:?}: {err} lacks {n}");
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("http://127.0.0.1:{port}/v1");
    let out = run(&[
        "model",
        "rate",
        s(&study),
        "--endpoint",
        &down,
        "--model",
        MODEL,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&down));
    let out = run(&[
        "model",
        "rate",
        s(&study),
        "--endpoint",
        "localhost:1/v1",
        "--model",
        MODEL,
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(srv.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(std::fs::read(&study).unwrap(), before, "nothing written");
    assert_eq!(count(&study, "SELECT COUNT(*) FROM model_run"), 0);
}

#[test]
fn the_report_flags_the_state_blind_models_of_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let srv = server(Duration::ZERO, Arc::new(Mutex::new(Vec::new())));
    let url = srv.url();
    ok(&[
        "model",
        "rate",
        s(&study),
        "--endpoint",
        &url,
        "--model",
        MODEL,
        "--samples",
        "2",
        "--seed",
        "1",
        "--concurrency",
        "4",
    ]);
    let blind_prompt = dir.path().join("blind.txt");
    std::fs::write(
        &blind_prompt,
        "Person: {{person}}\n\n{{dimensions}}\n\n{{answer_format}}\n",
    )
    .unwrap();
    ok(&[
        "model",
        "rate",
        s(&study),
        "--endpoint",
        &url,
        "--model",
        BLIND,
        "--prompt",
        s(&blind_prompt),
        "--concurrency",
        "4",
    ]);
    let out = ok(&[
        "model",
        "report",
        s(&study),
        "--json",
        "--bootstrap",
        "100",
        "--seed",
        "3",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let blind = |m: &str| {
        v["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["model"] == m)
            .unwrap_or_else(|| panic!("{m} in {}", v["summary"]))["state_blind"]
            .as_bool()
            .unwrap()
    };
    assert!(
        blind("model-gpt"),
        "the demo's imported model is state-blind"
    );
    assert!(blind(BLIND));
    assert!(!blind(MODEL));
    let openness = v["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "openness")
        .unwrap();
    let attentive = openness["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == MODEL)
        .unwrap();
    assert_eq!(attentive["samples"], 2);
    assert!(attentive["alpha_ci"].is_array() && attentive["state_ratio_ci"].is_array());
    assert!(openness["between_models"]["kendall_w"].is_number());
    let table = ok(&["model", "report", s(&study), "--dimension", "openness"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("STATE-BLIND") && text.contains("BLIND"),
        "{text}"
    );
    let bad = run(&["model", "report", s(&study), "--dimension", "opennes"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(&["model", "report", s(&study), "--blind-ratio", "2"]);
    assert_eq!(bad.status.code(), Some(2));

    // Agreement and decomposition see the samples' mean unless one sample is asked for.
    let alpha = |extra: &[&str]| -> Vec<serde_json::Value> {
        // Agreement pools humans only unless asked (issue #15): these are about the models.
        let mut args = vec!["agreement", s(&study), "--json", "--rater-kind", "any"];
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
        v["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["alpha"]["interval"].clone())
            .collect()
    };
    let mean = alpha(&[]);
    assert_ne!(mean, alpha(&["--model-sample", "1"]));
    assert_eq!(
        alpha(&["--model-sample", "1"]),
        alpha(&["--model-sample", "1"])
    );
    let state = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["decompose", s(&study), "--json", "--dimension", "openness"];
        args.extend_from_slice(extra);
        let v: serde_json::Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
        v["dimensions"][0]["rater_level"].clone()
    };
    assert_ne!(state(&[]), state(&["--model-sample", "0"]));
}

#[test]
fn ctrl_c_finishes_the_requests_in_flight_commits_them_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let srv = server(Duration::from_millis(150), Arc::new(Mutex::new(Vec::new())));
    let url = srv.url();
    let args = [
        "model",
        "rate",
        s(&study),
        "--endpoint",
        &url,
        "--model",
        MODEL,
        "--concurrency",
        "3",
        "--dimension",
        "openness",
        "--dimension",
        "dominant_emotion",
    ];
    let mut child = bin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while count(&study, "SELECT COUNT(*) FROM model_request") < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the run never answered"
        );
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    let asked_before = srv.requests.load(std::sync::atomic::Ordering::SeqCst);
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("stopping") && err.contains("resume"), "{err}");
    let asked = srv.requests.load(std::sync::atomic::Ordering::SeqCst);
    // Three were in flight when counted; each worker may have started one more before the
    // signal arrived (a stalled machine could allow a second round), never the rest.
    assert!(
        asked <= asked_before + 6 && (asked as i64) < count(&study, "SELECT COUNT(*) FROM profile"),
        "no new requests after Ctrl+C beyond those in flight ({asked_before} → {asked})"
    );
    let answered = count(&study, "SELECT COUNT(*) FROM model_request");
    assert_eq!(
        answered as usize, asked,
        "every request in flight was answered and committed"
    );
    assert_eq!(
        count(&study, "SELECT COUNT(*) FROM model_rating"),
        answered * 2,
        "each committed whole"
    );
    assert_eq!(
        count(&study, "SELECT status = 'cancelled' FROM model_run"),
        1,
        "the run is marked cancelled"
    );
    let profiles = count(&study, "SELECT COUNT(*) FROM profile");
    assert!(answered < profiles);
    // Every request the server saw is counted, by the run's own summary and by `model runs`.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("{asked} request(s): {asked} answered, 0 failed")),
        "{said}"
    );
    assert!(err.contains("in flight at the stop"), "{err}");
    let runs: serde_json::Value =
        serde_json::from_slice(&ok(&["model", "runs", s(&study), "--json"]).stdout).unwrap();
    assert_eq!(runs["runs"][0]["requests"], asked as i64);
    assert_eq!(runs["runs"][0]["answered"], asked as i64);
    assert_eq!(runs["runs"][0]["failed"], 0);
    ok(&args);
    assert_eq!(
        count(&study, "SELECT COUNT(*) FROM model_rating"),
        profiles * 2
    );
    let text = String::from_utf8_lossy(&ok(&["model", "runs", s(&study)]).stdout).into_owned();
    assert!(text.contains("requests = answered + failed"), "{text}");
    assert!(text.contains("sent again"), "{text}");
}
