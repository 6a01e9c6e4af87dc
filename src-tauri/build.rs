use std::path::Path;

fn main() {
    // `generate_context!` embeds ui/dist and fails to compile when it is missing, which would
    // break `cargo test --workspace` on a fresh clone. Give it a placeholder page then; the app
    // scripts always build the real UI first.
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        let page = "<!doctype html><meta charset=utf-8><title>Chameleon Studio</title>\
                    <p>The UI was not built: run scripts/app/build.sh.</p>\n";
        if std::fs::create_dir_all(dist)
            .and_then(|_| std::fs::write(dist.join("index.html"), page))
            .is_err()
        {
            println!("cargo:warning=could not write a placeholder ui/dist/index.html");
        }
    }
    // Rebuild when the built UI changes.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
