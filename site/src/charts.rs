//! The geometry of the stats page's charts: a line chart of counts over time and horizontal bars.
//!
//! It computes coordinates and labels only (numbers formatted to one decimal); the SVG markup is
//! in `templates/macros.html` (`line_chart`, `bar_chart`), which escapes every label. Colours come
//! from CSS classes (the CSP forbids inline styles). No JavaScript.

use serde::Serialize;

/// One line of a line chart, as input.
pub struct Series {
    pub label: String,
    /// CSS class suffix: `c1` … `c6`.
    pub class: &'static str,
    pub points: Vec<f64>,
}

/// A horizontal grid line with its value label.
#[derive(Debug, Clone, Serialize)]
pub struct GridLine {
    pub y: String,
    pub text_y: String,
    pub label: String,
}

/// One series as drawn: a polyline, or a dot when there is one point.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    pub label: String,
    pub class: &'static str,
    pub points: String,
    pub dot: Option<(String, String)>,
}

/// A line chart, ready for the `line_chart` macro.
#[derive(Debug, Clone, Serialize)]
pub struct LineChart {
    pub title: String,
    pub w: f64,
    pub h: f64,
    pub left: f64,
    pub right: f64,
    pub label_x: f64,
    pub date_y: f64,
    pub grid: Vec<GridLine>,
    /// First and last date, shown under the axis.
    pub dates: Option<(String, String)>,
    pub series: Vec<SeriesView>,
}

/// A line chart of several series over the same `dates` (oldest first).
pub fn line_chart(title: &str, dates: &[String], series: &[Series]) -> LineChart {
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
    let grid = (0..=4)
        .map(|k| {
            let v = max * k as f64 / 4.0;
            let yy = y(v);
            GridLine {
                y: format!("{yy:.1}"),
                text_y: format!("{:.1}", yy + 4.0),
                label: crate::view::compact(v as u64),
            }
        })
        .collect();
    let series = series
        .iter()
        .filter(|se| !se.points.is_empty())
        .map(|se| SeriesView {
            label: se.label.clone(),
            class: se.class,
            points: se
                .points
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect::<Vec<_>>()
                .join(" "),
            dot: (se.points.len() == 1)
                .then(|| (format!("{:.1}", x(0)), format!("{:.1}", y(se.points[0])))),
        })
        .collect();
    LineChart {
        title: title.to_string(),
        w: W,
        h: H,
        left: L,
        right: W - R,
        label_x: L - 6.0,
        date_y: H - 8.0,
        grid,
        dates: dates
            .first()
            .zip(dates.last())
            .map(|(a, b)| (a.clone(), b.clone())),
        series,
    }
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

/// One bar, as input.
pub struct Bar {
    pub label: String,
    pub value: u64,
    /// CSS class: `good`, `warn`, `bad`, `none` or `c1`.
    pub class: &'static str,
    /// A link (already a safe internal path) for the label, if any.
    pub href: Option<String>,
}

/// One bar as drawn.
#[derive(Debug, Clone, Serialize)]
pub struct BarView {
    pub label: String,
    pub href: Option<String>,
    pub class: &'static str,
    pub y: String,
    pub text_y: String,
    pub w: String,
    pub value_x: String,
    pub value: String,
}

/// Horizontal bars with labels and values, ready for the `bar_chart` macro.
#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    pub title: String,
    pub w: f64,
    pub h: f64,
    /// `group` when the labels are links, else `img`.
    pub role: &'static str,
    pub label_x: f64,
    pub bar_x: f64,
    pub bar_h: f64,
    pub bars: Vec<BarView>,
}

/// Horizontal bars with labels and values.
pub fn bar_chart(title: &str, bars: &[Bar]) -> BarChart {
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
    let bars = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let yy = i as f64 * ROW + 2.0;
            let w = ((W - LABEL - VALUE) * b.value as f64 / max).max(if b.value > 0 {
                2.0
            } else {
                0.0
            });
            BarView {
                label: crate::markdown::shorten(&b.label, 28),
                href: b.href.clone(),
                class: b.class,
                y: format!("{:.1}", yy + 3.0),
                text_y: format!("{:.1}", yy + 17.0),
                w: format!("{w:.1}"),
                value_x: format!("{:.1}", LABEL + w + 6.0),
                value: crate::view::thousands(b.value),
            }
        })
        .collect();
    BarChart {
        title: title.to_string(),
        w: W,
        h,
        role,
        label_x: LABEL - 8.0,
        bar_x: LABEL,
        bar_h: ROW - 8.0,
        bars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let c = bar_chart(
            "t",
            &[
                Bar {
                    label: "a".into(),
                    value: 3,
                    class: "c1",
                    href: None,
                },
                Bar {
                    label: "b".into(),
                    value: 6,
                    class: "c1",
                    href: Some("/x/".into()),
                },
            ],
        );
        assert_eq!(c.role, "group");
        assert_eq!(c.bars[1].w, "380.0");
        assert_eq!(c.bars[0].w, "190.0");
        assert_eq!(c.bars[1].value, "6");
    }

    #[test]
    fn line_chart_scales_to_a_nice_maximum() {
        let c = line_chart(
            "t",
            &["2026-11-21".into(), "2026-11-22".into()],
            &[Series {
                label: "servers".into(),
                class: "c1",
                points: vec![10.0, 17.0],
            }],
        );
        assert_eq!(nice_ceiling(17.0), 20.0);
        assert_eq!(c.grid[4].label, "20");
        assert!(c.series[0].dot.is_none());
        assert_eq!(c.series[0].points.split(' ').count(), 2);
    }
}
