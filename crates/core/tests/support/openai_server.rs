//! An OpenAI-compatible chat-completions server for tests: loopback only, one thread per
//! connection, answers from a closure the test gives. It is the double at the HTTP edge: the
//! code under test talks to it over real TCP with its real client.
//!
//! Shared by the core and CLI test suites (`#[path]`-included), so it uses only std and
//! serde_json.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: serde_json::Value,
}

impl Request {
    /// The first message's content (the prompt).
    pub fn prompt(&self) -> &str {
        self.body
            .pointer("/messages/0/content")
            .and_then(|c| c.as_str())
            .unwrap_or("")
    }

    /// The dimension names the request's `response_format` schema lists.
    pub fn schema_dimensions(&self) -> Vec<String> {
        self.body
            .pointer("/response_format/json_schema/schema/properties")
            .and_then(|p| p.as_object())
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// What to answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    /// A chat-completions answer whose message content is `content`.
    pub fn chat(content: &str) -> Reply {
        let body = serde_json::json!({
            "id": "chatcmpl-test", "object": "chat.completion", "model": "test",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 100 + content.len() % 7, "completion_tokens": content.len(),
                      "total_tokens": 100 + content.len()}
        });
        Reply {
            status: 200,
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

pub type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    pub requests: Arc<AtomicUsize>,
    /// Connections accepted (any route): a run with nothing to do opens none.
    pub connections: Arc<AtomicUsize>,
    /// Every chat request received, in arrival order.
    pub log: Arc<Mutex<Vec<Request>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts on 127.0.0.1 (a free port). `GET /v1/models` lists `models`; chat requests go to
    /// `handler`.
    pub fn start(models: &[&str], handler: Arc<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let models: Vec<String> = models.iter().map(|m| m.to_string()).collect();
        let thread = {
            let (stop, requests, log) = (stop.clone(), requests.clone(), log.clone());
            let connections = connections.clone();
            std::thread::spawn(move || {
                // Bounded: the server stops with its test, and at the latest after 10 minutes.
                let deadline = std::time::Instant::now() + Duration::from_secs(600);
                while !stop.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            connections.fetch_add(1, Ordering::SeqCst);
                            let (handler, models, requests, log, stop) = (
                                handler.clone(),
                                models.clone(),
                                requests.clone(),
                                log.clone(),
                                stop.clone(),
                            );
                            std::thread::spawn(move || {
                                serve(stream, handler.as_ref(), &models, &requests, &log, &stop)
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Server {
            addr,
            stop,
            requests,
            connections,
            log,
            thread: Some(thread),
        }
    }

    /// The base URL to give a run.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    handler: &Handler,
    models: &[String],
    requests: &AtomicUsize,
    log: &Mutex<Vec<Request>>,
    stop: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut stream = stream;
    // Keep-alive: several requests per connection, as ureq pools connections.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_owned();
        let path = parts.next().unwrap_or("").to_owned();
        let (mut len, mut authorization) = (0usize, None);
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("authorization") {
                    authorization = Some(v.trim().to_owned());
                }
            }
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = if method == "GET" && path == "/v1/models" {
            let data: Vec<_> = models
                .iter()
                .map(|m| serde_json::json!({"id": m, "object": "model"}))
                .collect();
            Reply::status(
                200,
                &serde_json::json!({"object": "list", "data": data}).to_string(),
            )
        } else if method == "POST" && path == "/v1/chat/completions" {
            requests.fetch_add(1, Ordering::SeqCst);
            let req = Request {
                method,
                path,
                authorization,
                body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
            };
            log.lock().unwrap().push(req.clone());
            handler(&req)
        } else {
            Reply::status(404, "{\"error\":\"no such route\"}")
        };
        if !reply.delay.is_zero() {
            let end = std::time::Instant::now() + reply.delay;
            while std::time::Instant::now() < end && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            reply.status,
            reply.body.len()
        );
        if stream.write_all(head.as_bytes()).is_err()
            || stream.write_all(reply.body.as_bytes()).is_err()
        {
            return;
        }
        let _ = stream.flush();
    }
}

/// Problems found in a chat request against what every request must hold: the model, a
/// prompt, a json_schema `response_format` whose properties are the dimensions asked, each
/// with its allowed values and listed as required.
pub fn request_problems(req: &Request, model: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = &req.body;
    if b["model"] != serde_json::json!(model) {
        out.push(format!("model is {}", b["model"]));
    }
    if req.prompt().is_empty() {
        out.push("no prompt".into());
    }
    if b.pointer("/response_format/type").and_then(|t| t.as_str()) != Some("json_schema") {
        out.push("response_format is not json_schema".into());
    }
    let schema = &b["response_format"]["json_schema"]["schema"];
    let props = req.schema_dimensions();
    if props.is_empty() {
        out.push("the schema lists no dimension".into());
    }
    let required: Vec<String> = schema["required"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut sorted = props.clone();
    sorted.sort();
    let mut req_sorted = required.clone();
    req_sorted.sort();
    if sorted != req_sorted {
        out.push(format!(
            "required {required:?} is not the properties {props:?}"
        ));
    }
    for p in &props {
        let prop = &schema["properties"][p];
        if prop.get("enum").is_none() && prop.get("minimum").is_none() {
            out.push(format!("{p}: no allowed values"));
        }
    }
    if schema["additionalProperties"] != serde_json::json!(false) {
        out.push("additionalProperties is not false".into());
    }
    out
}

/// FNV-1a: a hash that is the same on every machine and run.
pub fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// One allowed value of a schema property, picked by `h`.
pub fn pick(prop: &serde_json::Value, h: u64) -> serde_json::Value {
    if let Some(e) = prop.get("enum").and_then(|e| e.as_array()) {
        return e[(h % e.len() as u64) as usize].clone();
    }
    let lo = prop["minimum"].as_f64().unwrap_or(0.0);
    let hi = prop["maximum"].as_f64().unwrap_or(1.0);
    let x = lo + (hi - lo) * ((h % 1000) as f64 / 999.0);
    serde_json::json!((x * 100.0).round() / 100.0)
}

/// A deterministic fake model: each dimension's value is a hash of `basis` (what the model
/// "looks at"), and with probability 1/5 a hash of `basis` and the request's seed (so samples
/// with different seeds sometimes differ).
pub fn fake_answer(req: &Request, basis: &str) -> String {
    let seed = req.body["seed"].to_string();
    let props = &req.body["response_format"]["json_schema"]["schema"]["properties"];
    let mut out = serde_json::Map::new();
    for d in req.schema_dimensions() {
        let base = fnv(&[basis, &d]);
        let h = if matches!(fnv(&[basis, &d, &seed]) % 5, 0) {
            fnv(&[basis, &d, &seed, "other"])
        } else {
            base
        };
        out.insert(d.clone(), pick(&props[&d], h));
    }
    serde_json::Value::Object(out).to_string()
}

/// The material part of a default-template prompt (context and texts): what an attentive
/// fake model answers from.
pub fn material(prompt: &str) -> &str {
    let start = prompt.find("# Material").unwrap_or(0);
    let end = prompt.find("# Your answer").unwrap_or(prompt.len());
    &prompt[start..end.max(start)]
}

/// The `Person: ID` line of a prompt made from a template with `Person: {{person}}`: what
/// the state-blind fake answers from (it ignores the context and the texts).
pub fn person_line(prompt: &str) -> &str {
    prompt
        .lines()
        .find(|l| l.starts_with("Person: "))
        .unwrap_or("")
}
