//! The live dashboard's figures: the KPI tiles, the activity feed, the chart data and the
//! filters that come from the URL. Days are Vietnam days (UTC+7), as the department counts them.
use serde::{Deserialize, Serialize};

use crate::clock::date_day;
use crate::lang::Text;

/// Days the charts cover when the URL names no range.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// The longest range a chart covers, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Products in the "top products" chart.
pub const TOP_PRODUCTS: i64 = 10;
/// Fairs in the booth traffic chart (the latest that overlap the range).
pub const TRAFFIC_FAIRS: i64 = 12;

/// The tiles and the feed travel over the live socket, so the live protocol defines them.
pub use crate::live::model::{
    ACTIVE_VISITOR_SECS, FEED_ITEMS, FeedItem, FeedKind, Kpis, merge_feed, push_feed,
};

/// The chart filters as they come from the URL (`?district=&group=&stars=&from=&to=`).
/// Unknown values mean "any"; dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DashboardFilter {
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub stars: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl DashboardFilter {
    pub fn district(&self) -> Option<&str> {
        Some(self.district.trim()).filter(|s| !s.is_empty() && s.len() <= 80)
    }

    pub fn group(&self) -> Option<&str> {
        Some(self.group.trim()).filter(|s| !s.is_empty() && s.len() <= 80)
    }

    pub fn stars(&self) -> Option<i64> {
        self.stars.trim().parse::<i64>().ok().filter(|s| (3..=5).contains(s))
    }

    /// Whether the figures must be taken per order line (a product filter is set).
    pub fn by_product(&self) -> bool {
        self.group().is_some() || self.stars().is_some()
    }

    /// The first and last Vietnam day the charts cover: the URL's, put in order and cut to
    /// `MAX_RANGE_DAYS`, or the `DEFAULT_RANGE_DAYS` ending `today`.
    pub fn days(&self, today: i64) -> (i64, i64) {
        let parse = |s: &str| crate::certificates::model::parse_date(s).map(date_day);
        let (from, to) = match (parse(&self.from), parse(&self.to)) {
            (Some(a), Some(b)) => (a.min(b), a.max(b)),
            (Some(a), None) => (a, today.max(a)),
            (None, Some(b)) => (b - (DEFAULT_RANGE_DAYS - 1), b),
            (None, None) => (today - (DEFAULT_RANGE_DAYS - 1), today),
        };
        (from.max(to - (MAX_RANGE_DAYS - 1)), to)
    }
}

/// One day of the revenue chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayFigure {
    pub day: i64,
    pub orders: i64,
    pub revenue_vnd: i64,
}

/// Orders and revenue of one district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictFigure {
    pub district: Text,
    pub orders: i64,
    pub revenue_vnd: i64,
}

/// How many published products have a label (stars or a product group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub label: Text,
    pub products: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFigure {
    pub name: Text,
    pub slug: String,
    pub quantity: i64,
    pub revenue_vnd: i64,
}

/// Booth visits (tabs that walked in) and distinct visitors during one fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairTraffic {
    pub fair: Text,
    pub visits: i64,
    pub visitors: i64,
}

/// Everything the charts draw, for one filter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChartData {
    /// Every day of the range, oldest first, zero where nothing was sold.
    pub per_day: Vec<DayFigure>,
    /// Districts with orders, by revenue.
    pub by_district: Vec<DistrictFigure>,
    /// Published products by their best valid certificate's stars ("no certificate" last).
    pub by_stars: Vec<Count>,
    pub by_group: Vec<Count>,
    pub top_products: Vec<ProductFigure>,
    pub fair_traffic: Vec<FairTraffic>,
}

impl ChartData {
    pub fn orders(&self) -> i64 {
        self.per_day.iter().map(|d| d.orders).sum()
    }

    pub fn revenue_vnd(&self) -> i64 {
        self.per_day.iter().map(|d| d.revenue_vnd).sum()
    }
}

/// The charts, in page order; each is drawn into the element with its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartId {
    PerDay,
    ByDistrict,
    ByStars,
    ByGroup,
    TopProducts,
    FairTraffic,
}

impl ChartId {
    pub const ALL: [ChartId; 6] = [
        ChartId::PerDay,
        ChartId::ByDistrict,
        ChartId::ByStars,
        ChartId::ByGroup,
        ChartId::TopProducts,
        ChartId::FairTraffic,
    ];

    pub fn dom_id(self) -> &'static str {
        match self {
            ChartId::PerDay => "chart-per-day",
            ChartId::ByDistrict => "chart-by-district",
            ChartId::ByStars => "chart-by-stars",
            ChartId::ByGroup => "chart-by-group",
            ChartId::TopProducts => "chart-top-products",
            ChartId::FairTraffic => "chart-fair-traffic",
        }
    }
}

/// A drawn chart (SVG markup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartSvg {
    pub id: ChartId,
    pub svg: String,
    /// The figures in words, for screen readers and the table under the chart.
    pub summary: String,
}

/// A choice in a filter's select: the URL value and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// The dashboard as first rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub kpis: Kpis,
    pub feed: Vec<FeedItem>,
    pub charts: Vec<ChartSvg>,
    pub districts: Vec<Choice>,
    pub groups: Vec<Choice>,
    /// The range the charts cover, as `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
}

/// What a tab re-reads after its live connection came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveSnapshot {
    pub kpis: Kpis,
    pub feed: Vec<FeedItem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: FeedKind, id: i64, at: i64) -> FeedItem {
        FeedItem {
            kind,
            id,
            at,
            cooperative: Text::new("HTX", "Coop"),
            cooperative_slug: "htx".into(),
            label: String::new(),
            amount_vnd: None,
        }
    }

    #[test]
    fn the_range_defaults_to_thirty_days_and_is_put_in_order_and_capped() {
        let today = 20_000;
        let at =
            |from: &str, to: &str| DashboardFilter { from: from.into(), to: to.into(), ..Default::default() };
        assert_eq!(DashboardFilter::default().days(today), (today - 29, today));
        let day = |s: &str| crate::certificates::model::parse_date(s).map(date_day).unwrap_or_default();
        assert_eq!(at("2026-11-30", "2026-11-01").days(today), (day("2026-11-01"), day("2026-11-30")));
        assert_eq!(at("2020-01-01", "2026-11-30").days(today), (day("2026-11-30") - 365, day("2026-11-30")));
        assert_eq!(at("not a date", "").days(today), (today - 29, today));
        assert_eq!(DashboardFilter { stars: "6".into(), ..Default::default() }.stars(), None);
        assert!(DashboardFilter { stars: "4".into(), ..Default::default() }.by_product());
        assert!(!DashboardFilter { district: "ham-yen".into(), ..Default::default() }.by_product());
    }

    #[test]
    fn the_feed_keeps_the_newest_once_each_and_no_more_than_its_cap() {
        let mut feed = merge_feed((0..30).map(|i| item(FeedKind::Order, i, 100 + i)).collect());
        assert_eq!(feed.len(), FEED_ITEMS);
        assert_eq!(feed[0].id, 29);
        push_feed(&mut feed, item(FeedKind::Chat, 1, 500));
        push_feed(&mut feed, item(FeedKind::Chat, 1, 500));
        assert_eq!((feed[0].kind, feed.len()), (FeedKind::Chat, FEED_ITEMS));
        assert_eq!(feed.iter().filter(|f| f.kind == FeedKind::Chat).count(), 1);
        // An order and an inquiry with the same id are different lines.
        push_feed(&mut feed, item(FeedKind::Inquiry, 29, 600));
        assert_eq!(feed.iter().filter(|f| f.id == 29).count(), 2);
    }
}
