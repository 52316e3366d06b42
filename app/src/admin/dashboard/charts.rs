//! Draws the dashboard's charts as SVG on the server with `charts-rs`: they are in the page
//! before any WASM runs, and a live refresh swaps the markup. Titles are HTML headings on the
//! page; the series names and district, group and product labels come in the reader's language.
use charts_rs::{BarChart, HorizontalBarChart, PieChart, Series, SeriesCategory};

use super::model::*;
use crate::lang::Lang;
use crate::ui::money::group_thousands;

const WIDTH: f32 = 640.0;
const HEIGHT: f32 = 320.0;
const FONT: &str = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";

/// The reader's words for the series.
struct Words {
    revenue: &'static str,
    orders: &'static str,
    visits: &'static str,
    visitors: &'static str,
    products: &'static str,
    empty: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Vi => Words {
            revenue: "Doanh thu (triệu ₫)",
            orders: "Đơn hàng",
            visits: "Lượt vào gian hàng",
            visitors: "Khách",
            products: "Sản phẩm",
            empty: "Chưa có dữ liệu trong khoảng này",
        },
        Lang::En => Words {
            revenue: "Revenue (million ₫)",
            orders: "Orders",
            visits: "Booth visits",
            visitors: "Visitors",
            products: "Products",
            empty: "No data in this range",
        },
    }
}

fn millions(vnd: i64) -> f32 {
    (vnd as f64 / 1_000_000.0) as f32
}

fn money(vnd: i64) -> String {
    format!("{} ₫", group_thousands(vnd))
}

/// Sizes and fonts every chart shares.
fn dress(base: &mut charts_rs::ChartBase, empty: &str) {
    base.width = WIDTH;
    base.height = HEIGHT;
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
    let mut orders = Series::new(w.orders.to_owned(), data.per_day.iter().map(|d| d.orders as f32).collect());
    orders.y_axis_index = 1;
    let mut revenue =
        Series::new(w.revenue.to_owned(), data.per_day.iter().map(|d| millions(d.revenue_vnd)).collect());
    revenue.category = Some(SeriesCategory::Line);
    let mut chart = BarChart::new(vec![orders, revenue], labels);
    dress(&mut chart.base, w.empty);
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
    let revenue =
        Series::new(w.revenue.to_owned(), data.by_district.iter().map(|d| millions(d.revenue_vnd)).collect());
    let mut orders =
        Series::new(w.orders.to_owned(), data.by_district.iter().map(|d| d.orders as f32).collect());
    orders.y_axis_index = 1;
    orders.category = Some(SeriesCategory::Line);
    let mut chart = BarChart::new(vec![revenue, orders], labels);
    dress(&mut chart.base, w.empty);
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

fn pie(id: ChartId, counts: &[Count], lang: Lang, w: &Words) -> ChartSvg {
    let series: Vec<Series> =
        counts.iter().map(|c| Series::new(c.label.best(lang), vec![c.products as f32])).collect();
    let mut chart = PieChart::new(series);
    dress(&mut chart.base, w.empty);
    let summary = summarise(counts.iter().map(|c| (c.label.best(lang), c.products.to_string())), w);
    let svg = if counts.is_empty() { String::new() } else { or_empty(chart.svg(), id) };
    ChartSvg { id, svg, summary }
}

fn horizontal(id: ChartId, labels: Vec<String>, series: Series, summary: String) -> ChartSvg {
    let empty = labels.is_empty();
    // Drawn bottom-up: the first item goes on top.
    let mut series = series;
    series.data.reverse();
    series.label_show = true;
    let mut chart = HorizontalBarChart::new(vec![series], labels.into_iter().rev().collect());
    dress(&mut chart.base, "");
    chart.legend.show = Some(false);
    let svg = if empty { String::new() } else { or_empty(chart.svg(), id) };
    ChartSvg { id, svg, summary }
}

fn by_group(data: &ChartData, lang: Lang, w: &Words) -> ChartSvg {
    horizontal(
        ChartId::ByGroup,
        data.by_group.iter().map(|c| c.label.best(lang)).collect(),
        Series::new(w.products.to_owned(), data.by_group.iter().map(|c| c.products as f32).collect()),
        summarise(data.by_group.iter().map(|c| (c.label.best(lang), c.products.to_string())), w),
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
        summarise(data.top_products.iter().map(|p| (p.name.best(lang), money(p.revenue_vnd))), w),
    )
}

fn fair_traffic(data: &ChartData, lang: Lang, w: &Words) -> ChartSvg {
    let labels: Vec<String> = data.fair_traffic.iter().map(|f| f.fair.best(lang)).collect();
    let visits =
        Series::new(w.visits.to_owned(), data.fair_traffic.iter().map(|f| f.visits as f32).collect());
    let visitors =
        Series::new(w.visitors.to_owned(), data.fair_traffic.iter().map(|f| f.visitors as f32).collect());
    let mut chart = BarChart::new(vec![visits, visitors], labels);
    dress(&mut chart.base, w.empty);
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

/// Every chart of the dashboard, in `ChartId::ALL` order.
pub fn draw(data: &ChartData, lang: Lang) -> Vec<ChartSvg> {
    let w = words(lang);
    vec![
        per_day(data, &w),
        by_district(data, lang, &w),
        pie(ChartId::ByStars, &data.by_stars, lang, &w),
        by_group(data, lang, &w),
        top_products(data, lang, &w),
        fair_traffic(data, lang, &w),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Text;

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
        assert!(per_day.svg.starts_with("<svg") && per_day.svg.contains("viewBox"), "{}", per_day.svg);
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
