//! The endpoint and the HTTP client.
//!
//! The base URL is what OpenAI clients call `base_url`: it ends in `/v1`
//! (`http://localhost:11434/v1` for Ollama, `http://127.0.0.1:8080/v1` for llama.cpp's
//! server). Requests go to `{base}/chat/completions` and, to check the model before a run,
//! `{base}/models`. A URL given without a path (`http://localhost:8080`) gets `/v1`.
//!
//! The client is ureq (blocking, rustls) used from worker threads: a model run is a handful of
//! concurrent requests that each take seconds, so an async runtime would buy nothing. Proxy
//! variables are ignored, so a request goes to the host the user named and nowhere else.

use super::{cut, ModelError};
use std::time::{Duration, Instant};

/// Where the run's requests go when the user names no endpoint: Ollama on this machine.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:11434/v1";

/// Most characters of a server's answer kept as raw text or quoted in a message.
pub(crate) const RAW_KEEP: usize = 65_536;

/// A checked base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
}

impl Endpoint {
    /// Checks `url`: `http` or `https`, a host, no user name or password (a key belongs in an
    /// environment variable, never in the study file), no query or fragment.
    pub fn parse(url: &str) -> Result<Endpoint, ModelError> {
        let bad = |reason: &str| ModelError::BadEndpoint {
            url: cut(url, 200),
            reason: reason.to_owned(),
        };
        let url = url.trim();
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("not a URL (expected http://host:port/v1)"))?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(bad("only http and https endpoints are supported"));
        }
        if rest.contains('?') || rest.contains('#') {
            return Err(bad("a base URL has no query or fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(bad(
                "credentials in the URL would be stored with the run; put the key in an \
                 environment variable and pass --api-key-env",
            ));
        }
        if authority.is_empty() || authority.starts_with(':') {
            return Err(bad("the URL has no host"));
        }
        if authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad("the host has spaces or control characters"));
        }
        let path = path.trim_end_matches('/');
        let path = if path.is_empty() { "/v1" } else { path };
        Ok(Endpoint {
            base: format!("{}://{}{}", scheme.to_ascii_lowercase(), authority, path),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.base)
    }

    pub fn models_url(&self) -> String {
        format!("{}/models", self.base)
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// How one request went.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// HTTP 200 with its body.
    Answer { body: String, latency: Duration },
    /// A status worth retrying (429, 5xx, 408) or a timeout, after every retry.
    Transient { reason: String, body: String },
    /// A status that concerns this request only (400, 413, 422: too long, refused).
    Refused { status: u16, body: String },
}

/// Retry policy for statuses 429, 408 and 5xx and for timeouts: `retries` more tries, waiting
/// `backoff × 2^try` (at most [`MAX_BACKOFF`]) or what `Retry-After` asks, whichever is longer
/// up to that cap.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub retries: u32,
    pub backoff: Duration,
}

pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl Default for Retry {
    fn default() -> Self {
        Retry {
            retries: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A blocking client for one endpoint; cheap to clone into worker threads.
#[derive(Clone)]
pub struct Client {
    endpoint: Endpoint,
    agent: ureq::Agent,
    api_key: Option<String>,
    retry: Retry,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint)
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .finish()
    }
}

/// What `GET {base}/models` said.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelList {
    Listed(Vec<String>),
    /// The server does not list its models (404, or not the OpenAI shape).
    NotListed,
}

impl Client {
    pub fn new(
        endpoint: Endpoint,
        api_key: Option<String>,
        timeout: Duration,
        retry: Retry,
    ) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .user_agent(concat!("chameleon-studio/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            endpoint,
            agent,
            api_key,
            retry,
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn unreachable(&self, e: &ureq::Error) -> ModelError {
        ModelError::Unreachable {
            endpoint: self.endpoint.to_string(),
            reason: e.to_string(),
        }
    }

    /// The models the server lists; an error when it cannot be reached or refuses the key.
    pub fn list_models(&self) -> Result<ModelList, ModelError> {
        let mut req = self.agent.get(self.endpoint.models_url());
        if let Some(k) = &self.api_key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let mut resp = req.call().map_err(|e| self.unreachable(&e))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(RAW_KEEP as u64 * 16)
            .read_to_string()
            .unwrap_or_default();
        if status == 401 || status == 403 {
            return Err(ModelError::Unauthorized {
                endpoint: self.endpoint.to_string(),
                status,
                body: cut(&body, 200),
            });
        }
        if status != 200 {
            return Ok(ModelList::NotListed);
        }
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) else {
            return Ok(ModelList::NotListed);
        };
        let Some(data) = v.get("data").and_then(|d| d.as_array()) else {
            return Ok(ModelList::NotListed);
        };
        Ok(ModelList::Listed(
            data.iter()
                .filter_map(|m| m.get("id").and_then(|i| i.as_str()).map(str::to_owned))
                .collect(),
        ))
    }

    /// Checks before a run that the server answers, accepts the key and has `model` (when it
    /// lists its models). Ollama lists `name:latest` for `name`.
    pub fn check(&self, model: &str) -> Result<(), ModelError> {
        match self.list_models()? {
            ModelList::NotListed => Ok(()),
            ModelList::Listed(ids) if ids.is_empty() => Ok(()),
            ModelList::Listed(ids) => {
                let known = ids
                    .iter()
                    .any(|id| id == model || id.strip_suffix(":latest") == Some(model));
                if known {
                    Ok(())
                } else {
                    Err(ModelError::UnknownModel {
                        endpoint: self.endpoint.to_string(),
                        model: cut(model, 200),
                        available: ids.into_iter().take(20).map(|i| cut(&i, 100)).collect(),
                    })
                }
            }
        }
    }

    /// POSTs one chat-completions body, retrying 429/408/5xx and timeouts. Fatal for the run:
    /// the server unreachable, 401/403, 404.
    pub fn chat(&self, body: &str, stop: &dyn Fn() -> bool) -> Result<Outcome, ModelError> {
        let mut attempt = 0u32;
        loop {
            let (reason, raw, hint) = match self.attempt(body)? {
                Attempt::Done(o) => return Ok(o),
                Attempt::Retry { reason, raw, hint } => (reason, raw, hint),
            };
            attempt += 1;
            if attempt > self.retry.retries || stop() {
                return Ok(Outcome::Transient {
                    reason: format!("{reason} after {attempt} attempt(s)"),
                    body: raw,
                });
            }
            let backoff = self
                .retry
                .backoff
                .saturating_mul(1 << (attempt - 1).min(16))
                .max(hint.unwrap_or_default())
                .min(MAX_BACKOFF);
            tracing::debug!(endpoint = %self.endpoint, attempt, ?backoff, "retrying: {reason}");
            sleep_unless(backoff, stop);
        }
    }

    fn attempt(&self, body: &str) -> Result<Attempt, ModelError> {
        let url = self.endpoint.chat_url();
        let started = Instant::now();
        let mut req = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json");
        if let Some(k) = &self.api_key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let timeout = |what: &str| Attempt::Retry {
            reason: format!("no {what} within the timeout"),
            raw: String::new(),
            hint: None,
        };
        let mut resp = match req.send(body) {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => return Ok(timeout("answer")),
            Err(e) => return Err(self.unreachable(&e)),
        };
        let status = resp.status().as_u16();
        let hint = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = match resp
            .body_mut()
            .with_config()
            .limit(RAW_KEEP as u64 * 16)
            .read_to_string()
        {
            Ok(t) => t,
            Err(ureq::Error::Timeout(_)) => return Ok(timeout("complete answer")),
            Err(e) => format!("(the answer could not be read: {e})"),
        };
        Ok(match status {
            200 => Attempt::Done(Outcome::Answer {
                body: text,
                latency: started.elapsed(),
            }),
            401 | 403 => {
                return Err(ModelError::Unauthorized {
                    endpoint: self.endpoint.to_string(),
                    status,
                    body: cut(&text, 200),
                })
            }
            404 => {
                return Err(ModelError::NotFound {
                    endpoint: self.endpoint.to_string(),
                    url,
                    body: cut(&text, 200),
                })
            }
            408 | 429 | 500..=599 => Attempt::Retry {
                reason: format!("HTTP {status}"),
                raw: cut(&text, RAW_KEEP),
                hint,
            },
            _ => Attempt::Done(Outcome::Refused {
                status,
                body: cut(&text, RAW_KEEP),
            }),
        })
    }
}

enum Attempt {
    Done(Outcome),
    Retry {
        reason: String,
        raw: String,
        hint: Option<Duration>,
    },
}

/// Sleeps `d`, waking early when `stop` says so (Ctrl+C during a long backoff).
fn sleep_unless(d: Duration, stop: &dyn Fn() -> bool) {
    let end = Instant::now() + d;
    while Instant::now() < end && !stop() {
        std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_gets_v1_when_it_has_no_path_and_loses_trailing_slashes() {
        let e = Endpoint::parse("http://localhost:8080").unwrap();
        assert_eq!(e.chat_url(), "http://localhost:8080/v1/chat/completions");
        let e = Endpoint::parse("https://Host.example/openai/v1/").unwrap();
        assert_eq!(e.base(), "https://Host.example/openai/v1");
        assert_eq!(e.models_url(), "https://Host.example/openai/v1/models");
    }

    #[test]
    fn urls_with_credentials_other_schemes_or_no_host_are_refused() {
        for bad in [
            "localhost:8080",
            "ftp://host/v1",
            "http://key:secret@host/v1",
            "http:///v1",
            "http://host/v1?x=1",
        ] {
            let e = Endpoint::parse(bad).unwrap_err();
            assert!(e.is_bad_input(), "{bad}: {e}");
            assert!(e.to_string().contains("endpoint '"), "{e}");
        }
    }
}
