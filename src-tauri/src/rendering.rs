//! How the webview draws its pages.
//!
//! WebKitGTK's accelerated compositing draws every frame through OpenGL. On a machine without a
//! usable GPU (a VM, a remote desktop, Xvfb) that is Mesa's software rasteriser, and there each
//! frame after a change to the rating form took 60–160 ms where painting without compositing took
//! one frame (issue 19: keypress → "Saved" shown p95 103 ms, 100k-profile study, release build).
//! The app's pages are forms and text, nothing that needs a GPU, so it paints without
//! compositing — unless the person set the variable themselves, which is left as it is.

/// Read by WebKitGTK as it starts (its web process inherits the environment).
pub const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Call first in `run`, before any thread is started (changing the environment is not thread-safe).
pub fn configure() {
    if cfg!(target_os = "linux") && std::env::var_os(DISABLE_COMPOSITING).is_none() {
        std::env::set_var(DISABLE_COMPOSITING, "1");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_compositing_off_unless_the_person_chose() {
        // The one test of this process that touches the variable.
        std::env::set_var(DISABLE_COMPOSITING, "0");
        configure();
        assert_eq!(std::env::var(DISABLE_COMPOSITING).as_deref(), Ok("0"));
        std::env::remove_var(DISABLE_COMPOSITING);
        configure();
        let expected = if cfg!(target_os = "linux") {
            Some("1")
        } else {
            None
        };
        assert_eq!(std::env::var(DISABLE_COMPOSITING).ok().as_deref(), expected);
        std::env::remove_var(DISABLE_COMPOSITING);
    }
}
