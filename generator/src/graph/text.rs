//! Text helpers shared by the renderers: escaping, and the width a line takes in the SVG's
//! monospace font.

/// `&`, `<`, `>`, `"` and `'` as XML entities.
pub(super) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(character),
        }
    }
    out
}

/// The width of `text` at `font_size` in a monospace font (0.6 em per character).
pub(super) fn width(text: &str, font_size: f64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "short labels")]
    let characters = text.chars().count() as f64;
    characters * font_size * 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml_escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
    }
}
