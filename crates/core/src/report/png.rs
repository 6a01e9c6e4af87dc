//! SVG → PNG for exported figures (`resvg`). The figures' text asks for `sans-serif`; resvg
//! has no fonts of its own, so the system's fonts are loaded once and `sans-serif` is mapped to
//! the first common sans family found (DejaVu Sans on Debian: `fonts-dejavu-core`). Without any
//! font the text would silently be left out, so that is an error.

use crate::error::{CoreError, Result};
use resvg::tiny_skia;
use resvg::usvg;
use std::sync::{Arc, OnceLock};

/// Families tried, in order, for the generic `sans-serif`.
const SANS: [&str; 5] = [
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "FreeSans",
    "Arial",
];

fn png_err(e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("rendering a figure as PNG failed: {e}"))
}

/// The system's fonts, loaded on first use (loading takes tens of milliseconds).
fn fonts() -> &'static Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        let has = |name: &str| {
            db.faces()
                .any(|f| f.families.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        };
        let family = SANS
            .iter()
            .find(|n| has(n))
            .map(|s| s.to_string())
            .or_else(|| {
                db.faces()
                    .next()
                    .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
            });
        if let Some(family) = family {
            db.set_sans_serif_family(family.clone());
            db.set_serif_family(family);
        }
        Arc::new(db)
    })
}

/// The pixel size of the PNG that [`svg_to_png`] makes of `svg` at `scale`.
pub fn png_size(svg: &str, scale: f32) -> Result<(u32, u32)> {
    let size = scaled_size(&parse(svg)?, scale)?;
    Ok((size.width(), size.height()))
}

fn scaled_size(tree: &usvg::Tree, scale: f32) -> Result<tiny_skia::IntSize> {
    tree.size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| png_err("the figure has no size"))
}

fn parse(svg: &str) -> Result<usvg::Tree> {
    let db = fonts();
    if db.is_empty() {
        return Err(png_err(
            "no fonts found on this system (install fonts-dejavu-core)",
        ));
    }
    let opts = usvg::Options {
        fontdb: Arc::clone(db),
        ..Default::default()
    };
    usvg::Tree::from_str(svg, &opts).map_err(png_err)
}

/// Renders an SVG document to PNG bytes on a white background, `scale` pixels per SVG unit
/// (2 gives print-friendly figures).
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>> {
    let tree = parse(svg)?;
    let size = scaled_size(&tree, scale)?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| png_err("empty size"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(png_err)
}
