//! The bundle configuration of every platform (tauri.conf.json merged with
//! tauri.{linux,windows,macos}.conf.json, as the Tauri CLI merges them) parses with Tauri's own
//! config types, which refuse unknown fields: the Windows and macOS settings cannot be built on
//! this machine, but a misspelt key or a wrong value fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use tauri_utils::config::{BundleTarget, BundleType, Config, WebviewInstallMode};
use tauri_utils::platform::Target;

fn config(target: Target) -> Config {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (value, paths) = tauri_utils::config::parse::read_from(target, dir).unwrap();
    assert_eq!(
        paths.len(),
        2,
        "{target}: a platform file is merged: {paths:?}"
    );
    serde_json::from_value(value).unwrap_or_else(|e| panic!("{target}: {e}"))
}

fn targets(c: &Config) -> Vec<BundleType> {
    match &c.bundle.targets {
        BundleTarget::List(l) => l.clone(),
        BundleTarget::One(t) => vec![t.clone()],
        BundleTarget::All => panic!("every target: name them"),
    }
}

#[test]
fn linux_builds_deb_and_rpm_with_a_space_free_name_and_the_study_type() {
    let c = config(Target::Linux);
    assert_eq!(targets(&c), [BundleType::Deb, BundleType::Rpm]);
    assert_eq!(c.product_name.as_deref(), Some("chameleon-studio"));
    let assoc = c.bundle.file_associations.as_ref().unwrap();
    assert_eq!(
        assoc[0].mime_type.as_deref(),
        Some("application/x-chameleon-study")
    );
    let deb = &c.bundle.linux.deb;
    assert!(deb
        .files
        .keys()
        .any(|k| k.ends_with("mime/packages/chameleon-studio.xml")));
    assert!(deb.desktop_template.is_some());
}

#[test]
fn windows_installers_carry_the_webview_for_offline_machines() {
    let c = config(Target::Windows);
    assert_eq!(targets(&c), [BundleType::Nsis, BundleType::Msi]);
    assert!(matches!(
        c.bundle.windows.webview_install_mode,
        WebviewInstallMode::OfflineInstaller { .. }
    ));
    assert!(c.bundle.icon.iter().any(|i| i.ends_with(".ico")));
    assert_eq!(c.product_name.as_deref(), Some("Chameleon Studio"));
}

#[test]
fn macos_builds_an_app_and_a_dmg() {
    let c = config(Target::MacOS);
    assert_eq!(targets(&c), [BundleType::App, BundleType::Dmg]);
    assert!(c.bundle.icon.iter().any(|i| i.ends_with(".icns")));
    assert_eq!(
        c.bundle.macos.minimum_system_version.as_deref(),
        Some("10.15")
    );
}
