//! The same plan on an Apache Ballista cluster (`--cluster df://HOST:PORT`, docs/scale.md).
//!
//! The driver sends the logical plan to a Ballista scheduler, which plans the stages and hands
//! their tasks to executors. Plans name our aggregates (`person_summary`, …) and Ballista
//! resolves a name through each process's function registry, so the scheduler
//! ([`scheduler_session`]) and every executor ([`function_registry`]) must be ours: the
//! `chameleon-scheduler` and `chameleon-executor` binaries of this crate, or the in-process
//! [`StandaloneCluster`]. All three register the aggregates with [`crate::register_functions`],
//! the same function the local path uses.
//!
//! The data are read by path: the driver, the scheduler and every executor must see `DATA` at
//! the same path (one machine, or a shared file system).

use crate::{register_functions, EngineError, EngineOptions};
use ballista::prelude::SessionContextExt;
use ballista_core::extension::SessionConfigExt;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use ballista_core::serde::protobuf::GetJobStatusParams;
use ballista_core::serde::BallistaCodec;
use ballista_core::utils::{default_config_producer, default_session_builder};
use datafusion::common::Result as DfResult;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::{SessionState, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The scheme of a cluster address (Ballista's own).
pub const SCHEME: &str = "df://";

/// How long the driver waits for the scheduler to answer before giving up: long enough for a
/// busy scheduler, short enough that a wrong address fails at once rather than mid-run.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A scheduler's address, from `df://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterAddress {
    /// Host name or IP address (brackets of an IPv6 address kept).
    pub host: String,
    /// The scheduler's gRPC port.
    pub port: u16,
}

impl ClusterAddress {
    /// Parses `df://HOST:PORT` (the port is required: Ballista's default 50050 is easy to
    /// collide with, and a silent default would hide a typo).
    pub fn parse(url: &str) -> Result<Self, EngineError> {
        let bad = |message: &str| EngineError::Cluster {
            address: url.to_owned(),
            message: message.to_owned(),
        };
        let rest = url
            .strip_prefix(SCHEME)
            .ok_or_else(|| bad("expected df://HOST:PORT"))?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| bad("expected df://HOST:PORT (the port is required)"))?;
        if host.is_empty() || host.contains('/') {
            return Err(bad("expected df://HOST:PORT"));
        }
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?;
        Ok(ClusterAddress {
            host: host.to_owned(),
            port,
        })
    }

    /// `df://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("{SCHEME}{}:{}", self.host, self.port)
    }

    fn grpc_url(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }
}

/// A driver session whose queries run on the cluster at `url`, the aggregates registered.
///
/// Checks first that a scheduler answers there (a gRPC call within [`CONNECT_TIMEOUT`]), so
/// that an unreachable or refusing address is a clear error before any planning. `opts.target_partitions` travels with each query to the scheduler; memory
/// limits are the executors' own (`chameleon-executor --memory-limit`).
pub async fn remote_session(
    url: &str,
    opts: &EngineOptions,
) -> Result<SessionContext, EngineError> {
    let address = ClusterAddress::parse(url)?;
    let refused = |message: String| EngineError::Cluster {
        address: address.url(),
        message,
    };
    // A gRPC connection and one harmless call (the status of a job that does not exist): a
    // port that accepts connections but is no scheduler fails here, not mid-query.
    let probe = async {
        let mut client = SchedulerGrpcClient::connect(address.grpc_url())
            .await
            .map_err(|e| {
                let cause = std::error::Error::source(&e)
                    .map(|s| format!("{e}: {s}"))
                    .unwrap_or_else(|| e.to_string());
                format!("cannot reach a Ballista scheduler: {cause}")
            })?;
        client
            .get_job_status(GetJobStatusParams {
                job_id: "chameleon-probe".into(),
            })
            .await
            .map_err(|e| format!("no Ballista scheduler answers: {}", e.message()))?;
        Ok::<(), String>(())
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, probe).await {
        Err(_) => {
            return Err(refused(format!(
                "no answer from a Ballista scheduler within {} s",
                CONNECT_TIMEOUT.as_secs()
            )))
        }
        Ok(Err(message)) => return Err(refused(message)),
        Ok(Ok(())) => {}
    }
    let mut config = SessionConfig::new_with_ballista();
    if let Some(n) = opts.target_partitions {
        config = config.with_target_partitions(n.max(1));
    }
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    let ctx = SessionContext::remote_with_state(&address.url(), state)
        .await
        .map_err(|e| refused(e.to_string()))?;
    // Ballista's upgrade replaces the state's aggregate list with its defaults.
    register_functions(&ctx);
    Ok(ctx)
}

/// The scheduler's session for each job: Ballista's default, plus our aggregates, so that the
/// logical plans the driver sends decode.
pub fn scheduler_session(config: SessionConfig) -> DfResult<SessionState> {
    let ctx = SessionContext::new_with_state(default_session_builder(config)?);
    register_functions(&ctx);
    Ok(ctx.state())
}

/// The executors' function registry: DataFusion's defaults plus our aggregates, so that the
/// stages the scheduler sends decode.
pub fn function_registry() -> BallistaFunctionRegistry {
    let ctx = SessionContext::new();
    register_functions(&ctx);
    BallistaFunctionRegistry::from(&ctx.state())
}

/// Logging of the two server binaries: Ballista logs through `log`, shown on stderr; `RUST_LOG`
/// filters (default `info`: a line per job and per task).
fn init_server_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

/// The `main` of the two server binaries: logging, then `serve`'s server until it stops; an
/// error (bad arguments, a port taken, the scheduler unreachable) is exit code 2, named on
/// stderr after the binary.
pub fn server_main<F, E>(name: &str, serve: impl FnOnce() -> Result<F, String>) -> ExitCode
where
    F: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    init_server_logging();
    let run = || {
        let server = serve()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        runtime.block_on(server).map_err(|e| e.to_string())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::from(2)
        }
    }
}

/// A scheduler and `executors` executors in this process, on loopback ports the system picks:
/// the cluster of the tests, the same code as the two binaries. Dropping it stops them.
pub struct StandaloneCluster {
    address: ClusterAddress,
    // Runs every server task; dropping it stops them.
    _runtime: tokio::runtime::Runtime,
}

impl StandaloneCluster {
    /// Starts the scheduler, then the executors, each with `vcores` task slots.
    pub fn start(executors: usize, vcores: usize) -> Result<Self, EngineError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(EngineError::Runtime)?;
        let standalone = |e: ballista_core::error::BallistaError| EngineError::Cluster {
            address: "an in-process cluster".into(),
            message: e.to_string(),
        };
        let address = runtime.block_on(async {
            let codec = BallistaCodec::default();
            let addr = ballista_scheduler::standalone::new_standalone_scheduler_with_builder(
                Arc::new(scheduler_session),
                Arc::new(default_config_producer),
                codec.clone(),
            )
            .await
            .map_err(standalone)?;
            let address = ClusterAddress {
                host: "localhost".into(),
                port: addr.port(),
            };
            for _ in 0..executors.max(1) {
                let scheduler = SchedulerGrpcClient::connect(address.grpc_url())
                    .await
                    .map_err(|e| EngineError::Cluster {
                        address: address.url(),
                        message: e.to_string(),
                    })?;
                ballista_executor::new_standalone_executor_from_builder(
                    scheduler,
                    vcores.max(1),
                    Arc::new(default_config_producer),
                    Arc::new(standalone_runtime),
                    codec.clone(),
                    function_registry(),
                )
                .await
                .map_err(standalone)?;
            }
            Ok::<_, EngineError>(address)
        })?;
        Ok(StandaloneCluster {
            address,
            _runtime: runtime,
        })
    }

    /// `df://localhost:PORT`.
    pub fn url(&self) -> String {
        self.address.url()
    }
}

/// Each task's runtime on an in-process executor: DataFusion's default (no memory pool).
fn standalone_runtime(_: &SessionConfig) -> DfResult<Arc<RuntimeEnv>> {
    Ok(Arc::new(RuntimeEnvBuilder::new().build()?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn addresses_need_scheme_host_and_port() {
        let a = ClusterAddress::parse("df://127.0.0.1:50050").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("127.0.0.1", 50050));
        assert_eq!(a.url(), "df://127.0.0.1:50050");
        assert_eq!(
            ClusterAddress::parse("df://[::1]:7/").unwrap().host,
            "[::1]"
        );
        for bad in [
            "127.0.0.1:50050",
            "http://h:1",
            "df://h",
            "df://:5",
            "df://h:0",
            "df://h:x",
            "df://h:99999",
            "df://h/p:5",
        ] {
            let e = ClusterAddress::parse(bad).unwrap_err();
            assert!(e.to_string().contains(bad), "{bad}: {e}");
            assert!(e.is_bad_input());
        }
    }

    #[test]
    fn executors_and_schedulers_know_our_aggregates() {
        let name = crate::udaf::person_summary().name().to_owned();
        assert!(function_registry().aggregate_functions.contains_key(&name));
        let state = scheduler_session(SessionConfig::new_with_ballista()).unwrap();
        assert!(state.aggregate_functions().contains_key(&name));
    }
}
