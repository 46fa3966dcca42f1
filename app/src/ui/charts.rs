//! Live charts: small SVG line-chart components, one per metric family, plus the loss curve.

use forgetlab_core::eval::{Chart, METRICS, Role};
use leptos::prelude::*;

use super::state::AppState;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub points: Vec<(f64, f64)>,
}

const W: f64 = 300.0;
const H: f64 = 150.0;
const LEFT: f64 = 34.0;
const BOTTOM: f64 = 18.0;
const TOP: f64 = 6.0;
const RIGHT: f64 = 6.0;

fn fmt_tick(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A line chart of `series` against steps (`id` names it for tests and for PNG export).
/// `y_range` fixes the y axis (metrics in [0, 1]); `None` fits it to the data (the loss). With
/// `log`, the y axis is log₁₀ from the data's lowest decade up to 1 (p-values, as TOFU plots
/// forget quality); ticks read 1e-k. `bands` shades stages: each stage's step count in order (the
/// x axis then spans them all, before any step is taken); `x_label` names the x axis ("step").
#[component]
pub fn LineChart(
    #[prop(into)] id: String,
    title: &'static str,
    #[prop(into)] series: Signal<Vec<Series>>,
    y_range: Option<(f64, f64)>,
    #[prop(optional)] log: bool,
    #[prop(optional, into)] bands: Option<Signal<Vec<usize>>>,
    #[prop(optional)] x_label: Option<&'static str>,
) -> impl IntoView {
    let x_label = x_label.unwrap_or("step");
    let band_steps = move || bands.map(|b| b.get()).unwrap_or_default();
    let geometry = move || {
        let mut all = series.get();
        if log {
            for s in &mut all {
                for p in &mut s.points {
                    p.1 = if p.1 > 0.0 { p.1.log10() } else { f64::NAN };
                }
            }
        }
        let y_range = if log {
            let lowest = all
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .filter(|y| y.is_finite())
                .fold(-1.0_f64, f64::min);
            Some((lowest.floor(), 0.0))
        } else {
            y_range
        };
        let xs = all.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let x_max = xs.fold(band_steps().iter().sum::<usize>().max(1) as f64, f64::max);
        let ys: Vec<f64> = all
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|y| y.is_finite())
            .collect();
        let (y_min, y_max) = y_range.unwrap_or_else(|| {
            let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                (0.0, 1.0)
            } else if (hi - lo).abs() < 1e-9 {
                (lo - 1.0, hi + 1.0)
            } else {
                (lo, hi)
            }
        });
        (all, x_max, y_min, y_max)
    };
    let sx = move |x: f64, x_max: f64| LEFT + (W - LEFT - RIGHT) * x / x_max;
    let sy = move |y: f64, lo: f64, hi: f64| {
        TOP + (H - TOP - BOTTOM) * (1.0 - (y.clamp(lo, hi) - lo) / (hi - lo))
    };
    let png_id = id.clone();
    let on_png = move |_| {
        super::actions::chart_png(&png_id);
    };
    view! {
        <figure class="chart" data-chart={id.clone()}>
            <figcaption>
                {title}" "
                <button
                    class="link png"
                    data-testid={format!("png-{id}")}
                    on:click={on_png}
                    title="Download this chart as PNG"
                >
                    "PNG"
                </button>
            </figcaption>
            <svg
                viewBox={format!("0 0 {W} {H}")}
                role="img"
                aria-label={move || alt_text(title, &series.get())}
            >
                {move || {
                    let (all, x_max, lo, hi) = geometry();
                    let grid = [lo, (lo + hi) / 2.0, hi]
                        .into_iter()
                        .map(|v| {
                            let y = sy(v, lo, hi);
                            view! {
                                <line x1={LEFT} x2={W - RIGHT} y1={y} y2={y} class="grid"></line>
                                <text x={LEFT - 3.0} y={y + 3.0} class="tick" text-anchor="end">
                                    {if log { format!("1e{}", v.round()) } else { fmt_tick(v) }}
                                </text>
                            }
                        })
                        .collect_view();
                    let lines = all
                        .into_iter()
                        .map(|s| {
                            let finite: Vec<(f64, f64)> = s
                                .points
                                .iter()
                                .copied()
                                .filter(|p| p.1.is_finite())
                                .collect();
                            let pts = finite
                                .iter()
                                .map(|&(x, y)| format!("{:.1},{:.1}", sx(x, x_max), sy(y, lo, hi)))
                                .collect::<Vec<_>>()
                                .join(" ");
                            let dots = finite
                                .iter()
                                .map(|&(x, y)| {
                                    view! {
                                        <circle
                                            cx={sx(x, x_max)}
                                            cy={sy(y, lo, hi)}
                                            r="1.8"
                                            fill={s.color}
                                        ></circle>
                                    }
                                })
                                .collect_view();
                            view! {
                                <g data-series={s.name.clone()} data-points={s.points.len()}>
                                    <polyline
                                        points={pts}
                                        fill="none"
                                        stroke={s.color}
                                        stroke-width="1.6"
                                    ></polyline>
                                    {dots}
                                </g>
                            }
                        })
                        .collect_view();
                    let mut start = 0usize;
                    let stage_bands = band_steps()
                        .into_iter()
                        .enumerate()
                        .map(|(k, steps)| {
                            let (x0, x1) = (
                                sx(start as f64, x_max),
                                sx((start + steps) as f64, x_max),
                            );
                            start += steps;
                            // Stage bands: alternate shading, a label at the top of each.
                            view! {
                                <rect
                                    class="stage-band"
                                    class:odd={k % 2 == 1}
                                    data-stage={k + 1}
                                    x={x0}
                                    y={TOP}
                                    width={(x1 - x0).max(0.0)}
                                    height={H - TOP - BOTTOM}
                                ></rect>
                                <text x={x0 + 2.0} y={TOP + 8.0} class="tick band-label">
                                    {format!("stage {}", k + 1)}
                                </text>
                            }
                        })
                        .collect_view();
                    view! {
                        {stage_bands}
                        {grid}
                        <text x={W - RIGHT} y={H - 4.0} class="tick" text-anchor="end">
                            {format!("{x_label} {}", x_max as usize)}
                        </text>
                        {lines}
                    }
                }}
            </svg>
            <div class="legend">
                {move || {
                    series
                        .get()
                        .into_iter()
                        .map(|s| {
                            view! {
                                <span>
                                    <i style={format!("background:{}", s.color)}></i>
                                    {s.name}
                                </span>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </figure>
    }
}

/// A chart's text alternative: its title and each line's latest value.
fn alt_text(title: &str, series: &[Series]) -> String {
    let latest: Vec<String> = series
        .iter()
        .filter_map(|s| s.points.last().map(|(x, y)| format!("{} {y:.3} at {x}", s.name)))
        .collect();
    if latest.is_empty() {
        format!("{title}: no values yet")
    } else {
        format!("{title}, latest: {}", latest.join("; "))
    }
}

/// The page's one palette: the first four colours mean forget, retain, world and "other" in the
/// charts; kept runs in the history take them in turn.
pub const PALETTE: [&str; 8] =
    ["#d9480f", "#1971c2", "#2f9e44", "#7048e8", "#e8590c", "#0c8599", "#c2255c", "#5c940d"];
const FORGET: &str = PALETTE[0];
const RETAIN: &str = PALETTE[1];
const WORLD: &str = PALETTE[2];
const OTHER: &str = PALETTE[3];

/// The colour of the `i`-th of several runs.
pub fn run_color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The lines of one chart: the metric table's rows drawn on it, in the table's order.
fn chart_series(state: AppState, chart: Chart) -> Signal<Vec<Series>> {
    Signal::derive(move || {
        state.history.with(|h| {
            METRICS
                .iter()
                .filter_map(|m| {
                    let (c, line, role) = m.chart?;
                    (c == chart).then(|| Series {
                        name: line.into(),
                        color: match role {
                            Role::Forget => FORGET,
                            Role::Retain => RETAIN,
                            Role::World => WORLD,
                            Role::Other => OTHER,
                        },
                        points: h.iter().map(|s| (s.step as f64, (m.read)(s))).collect(),
                    })
                })
                .collect()
        })
    })
}

/// The first screen's chart: answer probability of forget, retain and world items.
#[component]
pub fn MainChart() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <LineChart
            id="prob"
            title="Answer probability"
            series={chart_series(state, Chart::Prob)}
            y_range={Some((0.0, 1.0))}
        />
    }
}

/// Every other chart of the page, the metrics table and the per-kind table.
#[component]
pub fn ChartsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let series = move |chart| chart_series(state, chart);
    let loss = Signal::derive(move || {
        state.losses.with(|l| {
            vec![Series {
                name: "loss".into(),
                color: OTHER,
                points: l.iter().map(|&(s, v)| (s as f64, v)).collect(),
            }]
        })
    });
    view! {
        <section class="panel charts" aria-label="Charts" data-panel="charts-panel">
            <h2>"Metrics over steps"</h2>
            <div class="chart-grid">
                <LineChart
                    id="rouge"
                    title="ROUGE-L recall"
                    series={series(Chart::Rouge)}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart
                    id="truth"
                    title="Truth ratio"
                    series={series(Chart::Truth)}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart
                    id="knowledge"
                    title="KFR / KRR / Linguistic Score"
                    series={series(Chart::Knowledge)}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart
                    id="quality"
                    title="Forget quality (KS p vs. the retain model, log axis)"
                    series={series(Chart::Quality)}
                    y_range={None}
                    log=true
                />
                <LineChart
                    id="utility"
                    title="Model utility / forget prob., paraphrased question"
                    series={series(Chart::Utility)}
                    y_range={Some((0.0, 1.0))}
                />
                <LineChart id="loss" title="Training loss" series={loss} y_range={None} />
            </div>
            <super::metrics::MetricsTable />
            <super::by_kind::KindTable />
        </section>
    }
}
