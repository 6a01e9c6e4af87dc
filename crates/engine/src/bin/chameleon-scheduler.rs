//! `chameleon-scheduler`: a Ballista scheduler whose sessions know the decomposition's
//! aggregates (docs/scale.md), so that the plans `chameleon decompose --cluster` sends decode.
//! In-memory cluster state (one scheduler). Stops on SIGTERM or Ctrl-C.

use ballista_core::error::BallistaError;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use chameleon_engine::cluster::scheduler_session;
use clap::Parser;
use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

/// A Ballista scheduler for `chameleon decompose --engine datafusion --cluster df://HOST:PORT`.
#[derive(Parser)]
#[command(name = "chameleon-scheduler", version)]
struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The gRPC port (the PORT of df://HOST:PORT).
    #[arg(long, default_value_t = 50050)]
    bind_port: u16,
    /// The host name executors and drivers reach this scheduler by (default: the bind address).
    #[arg(long)]
    external_host: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    chameleon_engine::cluster::server_main("chameleon-scheduler", || run(args))
}

fn run(args: Args) -> Result<impl Future<Output = Result<(), BallistaError>>, String> {
    let addr: SocketAddr = format!("{}:{}", args.bind_host, args.bind_port)
        .parse()
        .map_err(|e| format!("--bind-host {}: {e}", args.bind_host))?;
    let config = SchedulerConfig {
        external_host: args.external_host.unwrap_or_else(|| args.bind_host.clone()),
        bind_host: args.bind_host,
        bind_port: args.bind_port,
        override_session_builder: Some(Arc::new(scheduler_session)),
        ..Default::default()
    };
    Ok(async move {
        let cluster = BallistaCluster::new_from_config(&config).await?;
        start_server(cluster, addr, Arc::new(config)).await
    })
}
