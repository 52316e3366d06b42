//! Draws the dashboard's charts as SVG on the server with `charts-rs`: they are in the page
//! before any WASM runs, and a live refresh swaps the markup. Titles are HTML headings on the
//! page; the series names and district, group and product labels come in the reader's language.
//!
//! Every value axis is set here rather than left to the library: it starts at 0, steps by a
//! round number (a whole one for counts, so no axis reads "0.9 orders"), and a chart with two
//! axes splits both into the same number of steps, so both sets of labels sit on the grid lines.
//! Shares (products by stars, by group) are horizontal bars with their counts written on them,
//! which read at a glance where a pie of two or three slices does not.
use charts_rs::{BarChart, HorizontalBarChart, Series, SeriesCategory, YAxisConfig};

use super::model::*;
use crate::clock::day_date;
use crate::lang::Lang;
use crate::ui::money::group_thousands;

/// Each chart is drawn twice: wide for a desktop's card, narrow for a phone's (where the wide
/// one, scaled down, would have 6 px labels); the page's style shows one of them.
#[derive(Clone, Copy)]
struct Size {
    width: f32,
    height: f32,
}
const WIDE: Size = Size { width: 640.0, height: 320.0 };
const NARROW: Size = Size { width: 360.0, height: 300.0 };
/// Longest product name on a bar, in characters (the summary below has them whole).
const LABEL_CHARS: usize = 22;
const FONT: &str = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

/// The reader's words for the series, and the size they are drawn at.
struct Words {
    size: Size,
    revenue: &'static str,
    orders: &'static str,
    visits: &'static str,
    visitors: &'static str,
    products: &'static str,
    empty: &'static str,
}

fn words(lang: Lang, size: Size) -> Words {
    match lang {
        Lang::Vi => Words {
            size,
            revenue: "Doanh thu (triệu ₫)",
            orders: "Đơn hàng",
            visits: "Lượt vào gian hàng",
            visitors: "Khách",
            products: "Sản phẩm",
            empty: "Chưa có dữ liệu trong khoảng này",
        },
        Lang::En => Words {
            size,
            revenue: "Revenue (million ₫)",
            orders: "Orders",
            visits: "Booth visits",
            visitors: "Visitors",
            products: "Products",
            empty: "No data in this range",
        },
    }
}

/// The most steps a value axis is split into.
const MAX_SPLITS: usize = 5;

/// Round steps: 1, 2, 3, 4, 5, 6, 8 times a power of ten.
const STEPS: [f64; 7] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0];

/// The smallest round step (at least `smallest`) that covers `max` in `splits` steps.
fn round_step(max: f64, splits: usize, smallest: f64) -> f64 {
    let mut scale = smallest;
    loop {
        for step in STEPS {
            let step = step * scale;
            if step * splits as f64 >= max || scale > 1e15 {
                return step;
            }
        }
        scale *= 10.0;
    }
}

/// A count axis from 0: the fewest whole steps (at most `MAX_SPLITS`) that cover `max`.
/// Returns the step and the number of steps.
fn count_axis(max: f64) -> (f64, usize) {
    let max = max.max(1.0);
    let mut scale = 1.0;
    loop {
        for step in STEPS {
            let step = step * scale;
            let splits = (max / step).ceil() as usize;
            if splits <= MAX_SPLITS {
                return (step, splits.max(1));
            }
        }
        scale *= 10.0;
    }
}

/// A money axis from 0 on its own: of three to five round steps, the one that ends nearest
/// above `max` (4.5 million: 0–5 in steps of 1, rather than 0–8 in steps of 2).
fn money_axis(max: f64) -> (f64, usize) {
    (3..=MAX_SPLITS)
        .map(|splits| (round_step(max, splits, 0.1), splits))
        .min_by(|a, b| (a.0 * a.1 as f64).total_cmp(&(b.0 * b.1 as f64)))
        .unwrap_or((1.0, 1))
}

/// Fixes `config` to run from 0 in `splits` steps of `step`.
fn set_axis(config: &mut YAxisConfig, step: f64, splits: usize) {
    config.min = Some(0.0);
    config.max = Some((step * splits as f64) as f32);
    config.split_number = splits;
}

fn highest(values: impl Iterator<Item = f32>) -> f64 {
    values.fold(0.0_f64, |m, v| m.max(f64::from(v)))
}

/// Axis 0 carries money (million ₫, steps of at least 0.1), axis 1 counts; both get the
/// counts' number of steps.
fn money_and_counts(configs: &mut Vec<YAxisConfig>, money: &[f32], counts: &[f32]) {
    let (count_step, splits) = count_axis(highest(counts.iter().copied()));
    let money_step = round_step(highest(money.iter().copied()), splits, 0.1);
    while configs.len() < 2 {
        let first = configs.first().cloned().unwrap_or_default();
        configs.push(first);
    }
    set_axis(&mut configs[0], money_step, splits);
    set_axis(&mut configs[1], count_step, splits);
}

fn millions(vnd: i64) -> f32 {
    (vnd as f64 / 1_000_000.0) as f32
}

fn money(vnd: i64) -> String {
    format!("{} ₫", group_thousands(vnd))
}

/// `label` cut to `LABEL_CHARS`, and padded with en spaces at its end. charts-rs sizes label
/// and legend boxes with the Roboto it embeds; a browser drawing them in a wider face (DejaVu
/// Sans on Linux) would run them into the bars and the next legend item. The invisible padding
/// leaves room for that.
fn label(text: &str) -> String {
    let count = text.chars().count();
    let mut label: String = text.chars().take(LABEL_CHARS).collect();
    if count > LABEL_CHARS {
        label.pop();
        label.push('…');
    }
    let pad = 1 + label.chars().count() / 6;
    label.extend(std::iter::repeat_n('\u{2002}', pad));
    label
}

/// Sizes and fonts every chart shares.
fn dress(base: &mut charts_rs::ChartBase, empty: &str, size: Size) {
    base.width = size.width;
    base.height = size.height;
    base.font_family = FONT.to_owned();
    base.empty_text = Some(empty.to_owned());
    base.title.text = String::new();
}

fn or_empty(svg: charts_rs::Result<String>, id: ChartId) -> String {
    svg.unwrap_or_else(|e| {
        tracing::error!(error = ?e, chart = id.dom_id(), "could not draw a chart");
        String::new()
    })
}

/// `(label, value)` pairs as one line of text: "Hàm Yên: 3 · Sơn Dương: 1".
fn summarise<'a>(pairs: impl Iterator<Item = (String, String)> + 'a, w: &Words) -> String {
    let text: Vec<String> = pairs.map(|(k, v)| format!("{k}: {v}")).collect();
    if text.is_empty() { w.empty.to_owned() } else { text.join(" · ") }
}

fn per_day(data: &ChartData, w: &Words) -> ChartSvg {
    let labels: Vec<String> = data
        .per_day
        .iter()
        .map(|d| {
            day_date(d.day)
                .map(|date| format!("{:02}/{:02}", date.day(), date.month() as u8))
                .unwrap_or_default()
        })
        .collect();
    let counts: Vec<f32> = data.per_day.iter().map(|d| d.orders as f32).collect();
    let revenues: Vec<f32> = data.per_day.iter().map(|d| millions(d.revenue_vnd)).collect();
    let mut orders = Series::new(label(w.orders), counts.clone());
    orders.y_axis_index = 1;
    let mut revenue = Series::new(label(w.revenue), revenues.clone());
    revenue.category = Some(SeriesCategory::Line);
    let mut chart = BarChart::new(vec![orders, revenue], labels);
    dress(&mut chart.base, w.empty, w.size);
    money_and_counts(&mut chart.y_axis_configs, &revenues, &counts);
    let total = format!(
        "{}: {} · {}: {}",
        w.orders,
        data.orders(),
        w.revenue.split(" (").next().unwrap_or(w.revenue),
        money(data.revenue_vnd())
    );
    let svg = if data.orders() == 0 { String::new() } else { or_empty(chart.svg(), ChartId::PerDay) };
    ChartSvg { id: ChartId::PerDay, svg, summary: total }
}

fn by_district(data: &ChartData, lang: Lang, w: &Words) -> ChartSvg {
    let labels: Vec<String> = data.by_district.iter().map(|d| d.district.best(lang)).collect();
    let revenues: Vec<f32> = data.by_district.iter().map(|d| millions(d.revenue_vnd)).collect();
    let counts: Vec<f32> = data.by_district.iter().map(|d| d.orders as f32).collect();
    let revenue = Series::new(label(w.revenue), revenues.clone());
    let mut orders = Series::new(label(w.orders), counts.clone());
    orders.y_axis_index = 1;
    orders.category = Some(SeriesCategory::Line);
    let mut chart = BarChart::new(vec![revenue, orders], labels);
    dress(&mut chart.base, w.empty, w.size);
    money_and_counts(&mut chart.y_axis_configs, &revenues, &counts);
    let summary = summarise(
        data.by_district
            .iter()
            .map(|d| (d.district.best(lang), format!("{} · {}", d.orders, money(d.revenue_vnd)))),
        w,
    );
    let svg =
        if data.by_district.is_empty() { String::new() } else { or_empty(chart.svg(), ChartId::ByDistrict) };
    ChartSvg { id: ChartId::ByDistrict, svg, summary }
}

/// What a horizontal bar chart counts: whole things, or money (million ₫).
#[derive(Clone, Copy)]
enum Measure {
    Count,
    Money,
}

fn horizontal(
    id: ChartId,
    labels: Vec<String>,
    series: Series,
    measure: Measure,
    summary: String,
    size: Size,
) -> ChartSvg {
    let empty = labels.is_empty();
    // Drawn bottom-up: the first item goes on top.
    let mut series = series;
    series.data.reverse();
    series.label_show = true;
    // Room past the longest bar for the value written at its end ("7", or "4.5" of money).
    let headroom = match measure {
        Measure::Count => 1.1,
        Measure::Money => 1.2,
    };
    let max = highest(series.data.iter().flatten().copied()) * headroom;
    let labels = labels.iter().rev().map(|l| label(l)).collect();
    let mut chart = HorizontalBarChart::new(vec![series], labels);
    dress(&mut chart.base, "", size);
    chart.legend.show = Some(false);
    let (step, splits) = match measure {
        Measure::Count => count_axis(max),
        Measure::Money => money_axis(max),
    };
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        set_axis(axis, step, splits);
    }
    let svg = if empty { String::new() } else { or_empty(chart.svg(), id) };
    ChartSvg { id, svg, summary }
}

/// Products per label (stars, group), most first as the data comes.
fn counts(id: ChartId, counts: &[Count], lang: Lang, w: &Words) -> ChartSvg {
    horizontal(
        id,
        counts.iter().map(|c| c.label.best(lang)).collect(),
        Series::new(w.products.to_owned(), counts.iter().map(|c| c.products as f32).collect()),
        Measure::Count,
        summarise(counts.iter().map(|c| (c.label.best(lang), c.products.to_string())), w),
        w.size,
    )
}

fn top_products(data: &ChartData, lang: Lang, w: &Words) -> ChartSvg {
    horizontal(
        ChartId::TopProducts,
        data.top_products.iter().map(|p| p.name.best(lang)).collect(),
        Series::new(
            w.revenue.to_owned(),
            data.top_products.iter().map(|p| millions(p.revenue_vnd)).collect(),
        ),
        Measure::Money,
        summarise(data.top_products.iter().map(|p| (p.name.best(lang), money(p.revenue_vnd))), w),
        w.size,
    )
}

fn fair_traffic(data: &ChartData, lang: Lang, w: &Words) -> ChartSvg {
    let labels: Vec<String> = data.fair_traffic.iter().map(|f| f.fair.best(lang)).collect();
    let visits = Series::new(label(w.visits), data.fair_traffic.iter().map(|f| f.visits as f32).collect());
    let visitors =
        Series::new(label(w.visitors), data.fair_traffic.iter().map(|f| f.visitors as f32).collect());
    let max = highest(data.fair_traffic.iter().map(|f| f.visits.max(f.visitors) as f32));
    let mut chart = BarChart::new(vec![visits, visitors], labels);
    dress(&mut chart.base, w.empty, w.size);
    let (step, splits) = count_axis(max);
    if let Some(axis) = chart.y_axis_configs.first_mut() {
        set_axis(axis, step, splits);
    }
    let summary = summarise(
        data.fair_traffic.iter().map(|f| (f.fair.best(lang), format!("{} / {}", f.visits, f.visitors))),
        w,
    );
    let svg = if data.fair_traffic.is_empty() {
        String::new()
    } else {
        or_empty(chart.svg(), ChartId::FairTraffic)
    };
    ChartSvg { id: ChartId::FairTraffic, svg, summary }
}

/// Every chart at one size, in `ChartId::ALL` order.
fn draw_at(data: &ChartData, lang: Lang, size: Size) -> Vec<ChartSvg> {
    let w = words(lang, size);
    vec![
        per_day(data, &w),
        by_district(data, lang, &w),
        counts(ChartId::ByStars, &data.by_stars, lang, &w),
        counts(ChartId::ByGroup, &data.by_group, lang, &w),
        top_products(data, lang, &w),
        fair_traffic(data, lang, &w),
    ]
}

/// Every chart of the dashboard, in `ChartId::ALL` order: each one's SVG wide and narrow, in
/// `chart-svg--wide` and `chart-svg--narrow` boxes (the style shows the one for the screen).
pub fn draw(data: &ChartData, lang: Lang) -> Vec<ChartSvg> {
    draw_at(data, lang, WIDE)
        .into_iter()
        .zip(draw_at(data, lang, NARROW))
        .map(|(wide, narrow)| ChartSvg {
            svg: if wide.svg.is_empty() {
                String::new()
            } else {
                format!(
                    r#"<div class="chart-svg chart-svg--wide">{}</div><div class="chart-svg chart-svg--narrow">{}</div>"#,
                    wide.svg, narrow.svg
                )
            },
            ..wide
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Text;

    /// The text of every `<text>` element of `svg`.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("</text>")
            .filter_map(|chunk| chunk.rfind("<text").map(|at| &chunk[at..]))
            .filter_map(|t| t.find('>').map(|end| t[end + 1..].trim().to_owned()))
            .collect()
    }

    /// The numbers written in `svg` (axis labels and values on bars).
    fn numbers(svg: &str) -> Vec<f64> {
        texts(svg).iter().filter_map(|t| t.parse::<f64>().ok()).collect()
    }

    fn sample() -> ChartData {
        ChartData {
            per_day: vec![
                DayFigure { day: 20_000, orders: 2, revenue_vnd: 3_000_000 },
                DayFigure { day: 20_001, orders: 0, revenue_vnd: 0 },
                DayFigure { day: 20_002, orders: 1, revenue_vnd: 1_000_000 },
            ],
            by_district: vec![
                DistrictFigure {
                    district: Text::new("Hàm Yên", "Ham Yen"),
                    orders: 7,
                    revenue_vnd: 4_000_000,
                },
                DistrictFigure {
                    district: Text::new("Sơn Dương", "Son Duong"),
                    orders: 2,
                    revenue_vnd: 1_000_000,
                },
            ],
            by_stars: vec![
                Count { label: Text::new("4 sao", "4 stars"), products: 7 },
                Count { label: Text::new("Chưa có chứng nhận", "No certificate"), products: 3 },
            ],
            by_group: vec![
                Count { label: Text::new("Thực phẩm", "Food"), products: 4 },
                Count { label: Text::new("Đồ uống", "Drinks"), products: 5 },
                Count { label: Text::new("Thảo dược", "Herbs"), products: 1 },
            ],
            fair_traffic: vec![FairTraffic {
                fair: Text::new("Hội chợ", "Fair"), visits: 9, visitors: 4
            }],
            ..Default::default()
        }
    }

    #[test]
    fn count_axes_step_by_whole_round_numbers_in_at_most_five_steps() {
        for (max, step, splits) in [
            (0.0, 1.0, 1),
            (1.0, 1.0, 1),
            (3.0, 1.0, 3),
            (7.0, 2.0, 4),
            (12.0, 3.0, 4),
            (23.0, 5.0, 5),
            (1000.0, 200.0, 5),
        ] {
            assert_eq!(count_axis(max), (step, splits), "max {max}");
        }
        assert_eq!(money_axis(4.95), (1.0, 5));
        assert_eq!(money_axis(0.35), (0.1, 4));
        // Money follows the counts' steps with a round step of its own.
        assert_eq!(round_step(3.0, 2, 0.1), 2.0);
        assert_eq!(round_step(0.35, 4, 0.1), 0.1);
        assert_eq!(round_step(14.2, 4, 0.1), 4.0);
    }

    #[test]
    fn every_number_on_a_count_chart_is_whole() {
        let charts = draw(&sample(), Lang::Vi);
        for chart in &charts {
            if matches!(chart.id, ChartId::TopProducts) {
                continue;
            }
            assert!(!chart.svg.is_empty(), "{:?} is drawn", chart.id);
            let numbers = numbers(&chart.svg);
            assert!(!numbers.is_empty(), "{:?} has labels", chart.id);
            assert!(numbers.iter().all(|n| n.fract() == 0.0), "{:?}: {numbers:?}", chart.id);
        }
        // Orders 0, 1, 2 on one side; revenue 0, 2, 4 million on the other: one label per grid line.
        let per_day = numbers(&charts[0].svg);
        for n in [0.0, 1.0, 2.0, 4.0] {
            assert!(per_day.contains(&n), "{n} in {per_day:?}");
        }
        assert!(!per_day.iter().any(|n| *n > 4.0), "{per_day:?}");
    }

    #[test]
    fn products_by_stars_are_bars_with_their_counts_not_a_broken_pie() {
        let stars = &draw(&sample(), Lang::Vi)[2];
        assert_eq!(stars.id, ChartId::ByStars);
        let paths: Vec<&str> = stars.svg.split("d=\"").skip(1).filter_map(|d| d.split('"').next()).collect();
        assert!(paths.iter().all(|d| !d.contains('A')), "no arcs (pie slices): {paths:?}");
        let texts = texts(&stars.svg);
        for label in ["4 sao", "Chưa có chứng nhận", "7", "3"] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
        assert!(stars.svg.matches("<rect").count() >= 2, "a bar per label");
    }

    #[test]
    fn charts_are_svg_with_the_figures_in_their_summary_and_empty_ones_say_so() {
        let data = ChartData {
            per_day: vec![
                DayFigure { day: 20_000, orders: 2, revenue_vnd: 1_500_000 },
                DayFigure { day: 20_001, orders: 0, revenue_vnd: 0 },
            ],
            by_district: vec![DistrictFigure {
                district: Text::new("Hàm Yên", "Ham Yen"),
                orders: 2,
                revenue_vnd: 1_500_000,
            }],
            by_stars: vec![Count { label: Text::new("4 sao", "4 stars"), products: 3 }],
            ..Default::default()
        };
        let charts = draw(&data, Lang::Vi);
        assert_eq!(charts.iter().map(|c| c.id).collect::<Vec<_>>(), ChartId::ALL);
        let per_day = &charts[0];
        assert!(per_day.svg.contains("<svg") && per_day.svg.contains("viewBox"), "{}", per_day.svg);
        assert_eq!(per_day.svg.matches("<svg").count(), 2, "drawn wide and narrow");
        assert!(per_day.svg.contains("Đơn hàng"), "the legend is in Vietnamese");
        assert_eq!(per_day.summary, "Đơn hàng: 2 · Doanh thu: 1.500.000 ₫");
        assert_eq!(charts[1].summary, "Hàm Yên: 2 · 1.500.000 ₫");
        assert!(charts[1].svg.contains("Hàm Yên"));
        assert_eq!(charts[2].summary, "4 sao: 3");
        // Nothing sold in a range: no drawing, and words instead.
        let top = &charts[4];
        assert!(top.svg.is_empty());
        assert_eq!(top.summary, "Chưa có dữ liệu trong khoảng này");
        let english = draw(&data, Lang::En);
        assert!(english[1].svg.contains("Ham Yen") && english[0].svg.contains("Orders"));
    }
}
