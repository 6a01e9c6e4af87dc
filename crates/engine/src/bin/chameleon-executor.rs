//! `chameleon-executor`: a Ballista executor that knows the decomposition's aggregates
//! (docs/scale.md). Ballista's stock executor would fail every task of our plans: it cannot
//! decode `person_summary`. Stops on SIGTERM or Ctrl-C.

use ballista_core::error::BallistaError;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use chameleon_engine::cluster::{function_registry, ClusterAddress};
use clap::Parser;
use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

/// A Ballista executor for `chameleon decompose --engine datafusion --cluster df://HOST:PORT`.
#[derive(Parser)]
#[command(name = "chameleon-executor", version)]
struct Args {
    /// The scheduler: df://HOST:PORT (`chameleon-scheduler`).
    #[arg(long, value_name = "df://HOST:PORT")]
    scheduler: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind_host: String,
    /// The host name the scheduler and the other executors reach this one by (default: the
    /// bind address).
    #[arg(long)]
    external_host: Option<String>,
    /// The Arrow Flight port, from which the others fetch this executor's shuffle output.
    #[arg(long, default_value_t = 50051)]
    port: u16,
    /// The gRPC port for the scheduler's calls.
    #[arg(long, default_value_t = 50052)]
    grpc_port: u16,
    /// Tasks run at once (default: the number of cores).
    #[arg(long)]
    vcores: Option<usize>,
    /// Folder for shuffle files and spills (default: a folder in the system's temporary one).
    #[arg(long)]
    work_dir: Option<std::path::PathBuf>,
    /// The executor's memory pool (e.g. 512M, 2G), shared by its tasks; beyond it they spill.
    #[arg(long, value_name = "SIZE")]
    memory_limit: Option<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    chameleon_engine::cluster::server_main("chameleon-executor", || run(args))
}

fn run(args: Args) -> Result<impl Future<Output = Result<(), BallistaError>>, String> {
    let scheduler = ClusterAddress::parse(&args.scheduler).map_err(|e| e.to_string())?;
    let memory_pool_size = args
        .memory_limit
        .as_deref()
        .map(chameleon_engine::parse_size)
        .transpose()
        .map_err(|e| e.to_string())?
        .map(|b| b as u64);
    let work_dir = match args.work_dir {
        Some(d) => d,
        // Ballista's own default is a temporary folder it drops at once; this one stays.
        None => std::env::temp_dir().join(format!("chameleon-executor-{}", std::process::id())),
    };
    std::fs::create_dir_all(&work_dir).map_err(|e| format!("{}: {e}", work_dir.display()))?;
    let work_dir = work_dir
        .to_str()
        .ok_or_else(|| format!("{}: not valid UTF-8", work_dir.display()))?
        .to_owned();
    let mut config = ExecutorProcessConfig {
        external_host: Some(args.external_host.unwrap_or_else(|| args.bind_host.clone())),
        bind_host: args.bind_host,
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host: scheduler.host,
        scheduler_port: scheduler.port,
        work_dir: Some(work_dir),
        memory_pool_size,
        override_function_registry: Some(Arc::new(function_registry())),
        ..Default::default()
    };
    if let Some(v) = args.vcores {
        config.vcores = v.max(1);
    }
    Ok(start_executor_process(Arc::new(config)))
}
