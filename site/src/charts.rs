//! Inline SVG charts for the stats page: a line chart of counts over time and horizontal bars.
//!
//! The SVG is built as a string; every label is HTML-escaped here because the templates insert
//! it unescaped. Colours come from CSS classes (the CSP forbids inline styles). No JavaScript.

/// Escapes text for HTML/SVG content and attribute values.
pub fn esc(s: &str) -> String {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One line of a line chart.
pub struct Series {
    pub label: String,
    /// CSS class suffix: `c1` … `c6`.
    pub class: &'static str,
    pub points: Vec<f64>,
}

/// A line chart of several series over the same `dates` (oldest first).
pub fn line_chart(title: &str, dates: &[String], series: &[Series]) -> String {
    const W: f64 = 640.0;
    const H: f64 = 220.0;
    const L: f64 = 56.0;
    const R: f64 = 12.0;
    const T: f64 = 12.0;
    const B: f64 = 28.0;
    let max = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1.0);
    let max = nice_ceiling(max);
    let n = dates.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            L + (W - L - R) / 2.0
        } else {
            L + (W - L - R) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| T + (H - T - B) * (1.0 - v / max);
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    for k in 0..=4 {
        let v = max * k as f64 / 4.0;
        let yy = y(v);
        s.push_str(&format!(
            "<line class=\"grid\" x1=\"{L}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - R,
            L - 6.0,
            yy + 4.0,
            crate::view::compact(v as u64)
        ));
    }
    if let (Some(first), Some(last)) = (dates.first(), dates.last()) {
        s.push_str(&format!(
            "<text class=\"axis\" x=\"{L}\" y=\"{}\">{}</text><text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            H - 8.0,
            esc(first),
            W - R,
            H - 8.0,
            esc(last)
        ));
    }
    for se in series {
        let pts: Vec<String> = se
            .points
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        if pts.len() == 1 {
            s.push_str(&format!(
                "<circle class=\"dot {}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{}</title></circle>",
                se.class,
                x(0),
                y(se.points[0]),
                esc(&se.label)
            ));
        } else if !pts.is_empty() {
            s.push_str(&format!(
                "<polyline class=\"line {}\" points=\"{}\"><title>{}</title></polyline>",
                se.class,
                pts.join(" "),
                esc(&se.label)
            ));
        }
    }
    s.push_str("</svg>");
    s
}

fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= v {
            return m * mag;
        }
    }
    10.0 * mag
}

/// One bar.
pub struct Bar {
    pub label: String,
    pub value: u64,
    /// CSS class: `good`, `warn`, `bad`, `none` or `c1`.
    pub class: &'static str,
    /// A link (already a safe internal path) for the label, if any.
    pub href: Option<String>,
}

/// Horizontal bars with labels and values.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    const W: f64 = 640.0;
    const ROW: f64 = 26.0;
    const LABEL: f64 = 190.0;
    const VALUE: f64 = 70.0;
    let h = ROW * bars.len().max(1) as f64 + 4.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1) as f64;
    // With links inside, the chart is a group of links, not an image.
    let role = if bars.iter().any(|b| b.href.is_some()) {
        "group"
    } else {
        "img"
    };
    let mut s = format!(
        "<svg class=\"chart bars\" viewBox=\"0 0 {W} {h}\" role=\"{role}\" aria-label=\"{}\">",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let yy = i as f64 * ROW + 2.0;
        let w =
            ((W - LABEL - VALUE) * b.value as f64 / max).max(if b.value > 0 { 2.0 } else { 0.0 });
        let label = esc(&crate::markdown::shorten(&b.label, 28));
        let label = match &b.href {
            Some(href) => format!("<a href=\"{}\">{label}</a>", esc(href)),
            None => label,
        };
        s.push_str(&format!(
            "<text class=\"label\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text><rect class=\"bar {}\" x=\"{LABEL}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{}\" rx=\"3\"/><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LABEL - 8.0,
            yy + 17.0,
            b.class,
            yy + 3.0,
            ROW - 8.0,
            LABEL + w + 6.0,
            yy + 17.0,
            crate::view::thousands(b.value)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = bar_chart(
            "t",
            &[Bar {
                label: "<script>x</script>".into(),
                value: 3,
                class: "c1",
                href: None,
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">3</text>"));
    }

    #[test]
    fn line_chart_scales_to_a_nice_maximum() {
        let svg = line_chart(
            "t",
            &["2026-11-21".into(), "2026-11-22".into()],
            &[Series {
                label: "servers".into(),
                class: "c1",
                points: vec![10.0, 17.0],
            }],
        );
        assert_eq!(nice_ceiling(17.0), 20.0);
        assert!(svg.contains(">20</text>"));
        assert!(svg.contains("<polyline"));
    }
}
