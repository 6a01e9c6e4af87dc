//! The user's preferred languages, read from the environment as glibc and GLib read it:
//! `LANGUAGE` (a colon-separated list), then the first of `LC_ALL`, `LC_MESSAGES` and `LANG`.
//! Read here because WebKitGTK reports `en-US` whenever that locale is not installed (a minimal
//! system, a container), even with `LANG=de_DE.UTF-8`. Elsewhere the list is usually empty and
//! the webview's own `navigator.languages` (which follows the OS) decides.

/// BCP 47 tags (`de-DE`), most wanted first, from an environment lookup; `C` and `POSIX` are no
/// language.
pub fn preferred_languages(get: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |raw: &str| {
        // de_DE.UTF-8@euro → de-DE
        let tag = raw.split(['.', '@']).next().unwrap_or("").replace('_', "-");
        if !tag.is_empty() && tag != "C" && tag != "POSIX" && !out.contains(&tag) {
            out.push(tag);
        }
    };
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|k| get(k).filter(|v| !v.is_empty()));
    // glibc ignores LANGUAGE when the locale is C (C.UTF-8 too): so do we.
    let base = locale
        .as_deref()
        .map(|l| l.split(['.', '@']).next().unwrap_or(""));
    if base.is_some_and(|b| b != "C" && b != "POSIX") {
        if let Some(list) = get("LANGUAGE") {
            list.split(':').for_each(&mut push);
        }
    }
    if let Some(l) = locale {
        push(&l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_language_then_the_locale_like_glibc() {
        assert_eq!(
            preferred_languages(env(&[("LANG", "de_DE.UTF-8")])),
            ["de-DE"]
        );
        assert_eq!(
            preferred_languages(env(&[("LANG", "en_US.UTF-8"), ("LANGUAGE", "de_AT:de:en")])),
            ["de-AT", "de", "en", "en-US"]
        );
        assert_eq!(
            preferred_languages(env(&[("LC_ALL", "fr_FR@euro"), ("LANG", "de_DE.UTF-8")])),
            ["fr-FR"]
        );
        assert_eq!(
            preferred_languages(env(&[
                ("LC_MESSAGES", "de_CH.UTF-8"),
                ("LANG", "en_GB.UTF-8")
            ])),
            ["de-CH"]
        );
    }

    #[test]
    fn the_c_locale_is_no_language() {
        assert!(preferred_languages(env(&[])).is_empty());
        assert!(preferred_languages(env(&[("LANG", "C.UTF-8"), ("LANGUAGE", "de")])).is_empty());
        assert!(preferred_languages(env(&[("LC_ALL", "POSIX")])).is_empty());
        assert!(preferred_languages(env(&[("LANG", "")])).is_empty());
    }
}
