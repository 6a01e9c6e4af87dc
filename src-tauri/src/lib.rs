//! Chameleon Studio's desktop shell: Tauri commands over `chameleon-core`.

#[cfg(test)]
mod bindings;
pub mod commands;
pub mod dto;
pub mod error;
pub mod instance;
pub mod locale;
pub mod paths;
pub mod recent;
pub mod rendering;
pub mod state;

use paths::AppPaths;
use state::AppState;

/// Logs go to `chameleon-studio.log` in the OS log dir (or `$CHAMELEON_DATA_DIR/logs`).
fn init_tracing(paths: &AppPaths) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CHAMELEON_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,chameleon_studio_lib=debug"));
    let file = std::fs::create_dir_all(&paths.log_dir).and_then(|_| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(paths.log_dir.join("chameleon-studio.log"))
    });
    let result = match file {
        Ok(f) => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(f))
            .try_init(),
        Err(e) => {
            eprintln!(
                "chameleon-studio: cannot open log file in {}: {e}",
                paths.log_dir.display()
            );
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init()
        }
    };
    let _ = result;
}

pub fn run() {
    rendering::configure();
    let paths = AppPaths::from_env();
    init_tracing(&paths);
    tracing::info!(data = %paths.data_dir.display(), config = %paths.config_dir.display(), "starting");
    let context = tauri::generate_context!();
    let single_instance = instance::plugin(&paths, &context.config().identifier);
    let result = tauri::Builder::default()
        // First, so a second launch hands its study over before anything else starts.
        .plugin(single_instance)
        .plugin(tauri_plugin_dialog::init())
        .manage(std::sync::Arc::new(
            chameleon_core::app::analysis::jobs::AnalysisJobs::new(paths.analysis_dir()),
        ))
        .manage(AppState::new(paths))
        .manage(std::sync::Arc::new(
            chameleon_core::app::review::AgreementCache::default(),
        ))
        .manage(std::sync::Arc::new(
            commands::models::ModelRunState::default(),
        ))
        .invoke_handler(tauri::generate_handler![
            commands::start::recent_studies,
            commands::start::forget_recent_study,
            commands::annotate::gold_accuracy,
            commands::annotate::codebook_changes,
            commands::start::open_study,
            commands::start::create_study,
            commands::start::open_demo_study,
            commands::start::startup_study,
            commands::start::system_languages,
            commands::start::current_session,
            commands::start::close_study,
            commands::identity::list_raters,
            commands::identity::choose_rater,
            commands::annotate::queue,
            commands::annotate::dimension_progress,
            commands::annotate::rating_history,
            commands::annotate::next_unrated,
            commands::annotate::queue_generation,
            commands::annotate::load_profile,
            commands::annotate::save_rating,
            commands::annotate::save_review,
            commands::review::review_agreement,
            commands::review::review_agreement_detail,
            commands::review::review_agreement_intervals,
            commands::review::review_set_thresholds,
            commands::review::review_disagreements,
            commands::review::review_profile,
            commands::review::review_adjudicate,
            commands::review::review_codebook,
            commands::review::review_save_codebook,
            commands::review::review_scale_reliability,
            commands::review::review_codebook_changed,
            commands::review::review_codebook_diff,
            commands::start::rename_study,
            commands::review::review_gold,
            commands::review::review_set_gold,
            commands::review::review_clear_gold,
            commands::analysis::analysis_state,
            commands::analysis::run_analysis,
            commands::analysis::cancel_analysis,
            commands::analysis::export_analysis,
            commands::analysis::check_formula,
            commands::team::team_overview,
            commands::team::package_info,
            commands::team::assignment_table,
            commands::team::design_assignments,
            commands::team::export_package,
            commands::team::merge_packages,
            commands::team::audit_trail,
            commands::team::export_audit_csv,
            commands::models::models_test_connection,
            commands::models::models_preview,
            commands::models::models_plan,
            commands::models::models_run,
            commands::models::models_cancel,
            commands::models::models_runs,
            commands::models::models_report,
            commands::team::import_ratings_file,
            commands::team::add_profiles_file,
            commands::team::export_ratings_file,
        ])
        .build(context)
        .map(|app| {
            app.run(|handle, event| {
                // Tauri ends the process without dropping managed state: close the open study
                // here so its -wal is folded into the file (a package is then complete alone).
                if let tauri::RunEvent::Exit = event {
                    use tauri::Manager;
                    let closed = handle.state::<AppState>().run_now(|session, _| {
                        match session.study.take() {
                            Some(study) => study.close().map_err(Into::into),
                            None => Ok(()),
                        }
                    });
                    if let Err(e) = closed {
                        tracing::warn!(error = %e, "closing the study at exit failed");
                    }
                }
            })
        });
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        eprintln!("chameleon-studio: {e}");
        std::process::exit(1);
    }
}
