//! Shipping: zones (the cooperative's own province, its region, the rest of the country), the
//! department's rate table by weight step, the parcel of one cooperative's order, and the
//! carriers an order can be shipped with (and their tracking pages).
use serde::{Deserialize, Serialize};

/// Where a parcel goes, seen from the cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    Province,
    Region,
    National,
}

impl Zone {
    pub const ALL: [Zone; 3] = [Zone::Province, Zone::Region, Zone::National];

    pub fn key(self) -> &'static str {
        match self {
            Zone::Province => "province",
            Zone::Region => "region",
            Zone::National => "national",
        }
    }

    pub fn from_key(key: &str) -> Option<Zone> {
        Zone::ALL.into_iter().find(|z| z.key() == key)
    }
}

/// The 34 provinces and centrally-run cities since the 2025 reorganisation, as shipping
/// addresses name them.
pub const PROVINCES: [&str; 34] = [
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Hồ Chí Minh",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Tuyên Quang",
    "Vĩnh Long",
];

/// The three regions of Vietnam, as carriers price them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    North,
    Central,
    South,
}

/// The region of one of the 34 provinces.
pub fn region_of(province: &str) -> Option<Region> {
    const NORTH: [&str; 15] = [
        "Bắc Ninh",
        "Cao Bằng",
        "Điện Biên",
        "Hà Nội",
        "Hải Phòng",
        "Hưng Yên",
        "Lai Châu",
        "Lạng Sơn",
        "Lào Cai",
        "Ninh Bình",
        "Phú Thọ",
        "Quảng Ninh",
        "Sơn La",
        "Thái Nguyên",
        "Tuyên Quang",
    ];
    const CENTRAL: [&str; 11] = [
        "Đà Nẵng",
        "Đắk Lắk",
        "Gia Lai",
        "Hà Tĩnh",
        "Huế",
        "Khánh Hòa",
        "Lâm Đồng",
        "Nghệ An",
        "Quảng Ngãi",
        "Quảng Trị",
        "Thanh Hóa",
    ];
    const SOUTH: [&str; 8] =
        ["An Giang", "Cà Mau", "Cần Thơ", "Đồng Nai", "Đồng Tháp", "Hồ Chí Minh", "Tây Ninh", "Vĩnh Long"];
    if NORTH.contains(&province) {
        Some(Region::North)
    } else if CENTRAL.contains(&province) {
        Some(Region::Central)
    } else if SOUTH.contains(&province) {
        Some(Region::South)
    } else {
        None
    }
}

/// The zone of a parcel from `origin` to `destination` (province names). An unknown province is
/// as far as can be.
pub fn zone_between(origin: &str, destination: &str) -> Zone {
    if origin == destination {
        Zone::Province
    } else if region_of(origin).is_some_and(|r| region_of(destination) == Some(r)) {
        Zone::Region
    } else {
        Zone::National
    }
}

/// The weight steps of the rate table, in grams.
pub const STEPS_GRAMS: [i64; 5] = [500, 1_000, 2_000, 3_000, 5_000];
/// Beyond the last step, each started 500 g costs the zone's `beyond` fee.
pub const BEYOND_GRAMS: i64 = 500;
/// A product whose weight its cooperative has not given counts as this heavy.
pub const UNKNOWN_ITEM_GRAMS: i64 = 500;
/// A cooperative ships free from this order value until it chooses otherwise.
pub const DEFAULT_FREE_SHIPPING_FROM_VND: i64 = 500_000;
/// The most a step's fee may be, to catch a typo of three zeros.
pub const MAX_FEE_VND: i64 = 5_000_000;

/// The department's rates: a fee per zone and step, and per started 500 g beyond the last step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RateTable {
    /// (zone, up to grams, fee), each zone's steps in increasing weight.
    pub steps: Vec<(Zone, i64, i64)>,
    pub beyond: Vec<(Zone, i64)>,
}

impl RateTable {
    /// The fee of a `grams` parcel in `zone`: the first step it fits, else the last step and
    /// every started 500 g beyond it. `None` when the zone has no rates.
    pub fn fee(&self, zone: Zone, grams: i64) -> Option<i64> {
        let mut steps: Vec<(i64, i64)> =
            self.steps.iter().filter(|s| s.0 == zone).map(|s| (s.1, s.2)).collect();
        steps.sort_unstable();
        if let Some((_, fee)) = steps.iter().find(|(up_to, _)| grams <= *up_to) {
            return Some(*fee);
        }
        let (last, fee) = *steps.last()?;
        let per = self.beyond.iter().find(|b| b.0 == zone).map_or(0, |b| b.1);
        let extra = (grams - last + BEYOND_GRAMS - 1) / BEYOND_GRAMS;
        Some(fee + extra * per)
    }
}

/// One cooperative's parcel of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// The cooperative's province and the address's.
    pub origin: String,
    pub destination: String,
    pub grams: i64,
    /// The goods' value, for the cooperative's free-shipping threshold.
    pub subtotal_vnd: i64,
    /// Free from this goods value (`None`: never free).
    pub free_from_vnd: Option<i64>,
}

/// What shipping a parcel costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub zone: Zone,
    pub grams: i64,
    pub fee_vnd: i64,
    /// Free by the cooperative's threshold (`fee_vnd` is then 0).
    pub free: bool,
}

/// The quote of `parcel` by `table`.
pub fn quote_by_table(table: &RateTable, parcel: &Parcel) -> Option<Quote> {
    let zone = zone_between(&parcel.origin, &parcel.destination);
    let free = parcel.free_from_vnd.is_some_and(|from| parcel.subtotal_vnd >= from);
    let fee = if free { 0 } else { table.fee(zone, parcel.grams)? };
    Some(Quote { zone, grams: parcel.grams, fee_vnd: fee, free })
}

/// The carriers an order can be shipped with: key, name, and the address of a parcel's tracking
/// page (`{}` is the tracking number).
pub const CARRIERS: [(&str, &str, &str); 5] = [
    ("ghn", "Giao Hàng Nhanh (GHN)", "https://donhang.ghn.vn/?order_code={}"),
    ("ghtk", "Giao Hàng Tiết Kiệm (GHTK)", "https://i.ghtk.vn/{}"),
    ("viettel_post", "Viettel Post", "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/?code={}"),
    ("vnpost", "VNPost", "https://vnpost.vn/tra-cuu-hanh-trinh/buu-pham?key={}"),
    ("other", "—", ""),
];

/// A carrier's name.
pub fn carrier_name(key: &str) -> Option<&'static str> {
    CARRIERS.iter().find(|c| c.0 == key).map(|c| c.1)
}

/// The tracking page of `tracking` at the carrier `key`, when it has one.
pub fn tracking_url(key: &str, tracking: &str) -> Option<String> {
    let template = CARRIERS.iter().find(|c| c.0 == key).map(|c| c.2).filter(|t| !t.is_empty())?;
    let code: String = tracking.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (!code.is_empty()).then(|| template.replace("{}", &code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RateTable {
        let mut steps = Vec::new();
        for (zone, base) in [(Zone::Province, 16_000), (Zone::Region, 22_000), (Zone::National, 30_000)] {
            for (i, up_to) in STEPS_GRAMS.into_iter().enumerate() {
                steps.push((zone, up_to, base + 5_000 * i as i64));
            }
        }
        RateTable {
            steps,
            beyond: vec![(Zone::Province, 2_500), (Zone::Region, 4_000), (Zone::National, 5_000)],
        }
    }

    #[test]
    fn the_zone_is_the_province_then_the_region_then_the_country() {
        assert_eq!(zone_between("Tuyên Quang", "Tuyên Quang"), Zone::Province);
        assert_eq!(zone_between("Tuyên Quang", "Hà Nội"), Zone::Region);
        assert_eq!(zone_between("Tuyên Quang", "Huế"), Zone::National);
        assert_eq!(zone_between("Tuyên Quang", "Hồ Chí Minh"), Zone::National);
        assert_eq!(zone_between("Tuyên Quang", "Atlantis"), Zone::National);
        assert!(PROVINCES.iter().all(|p| region_of(p).is_some()), "every province has its region");
    }

    #[test]
    fn a_parcel_pays_its_step_and_every_started_500_g_beyond_the_last() {
        let t = table();
        assert_eq!(t.fee(Zone::Province, 1), Some(16_000));
        assert_eq!(t.fee(Zone::Province, 500), Some(16_000));
        assert_eq!(t.fee(Zone::Province, 501), Some(21_000));
        assert_eq!(t.fee(Zone::National, 5_000), Some(50_000));
        assert_eq!(t.fee(Zone::National, 5_001), Some(55_000), "a started 500 g");
        assert_eq!(t.fee(Zone::National, 6_000), Some(60_000));
        assert_eq!(RateTable::default().fee(Zone::Region, 100), None);
    }

    #[test]
    fn the_cooperatives_threshold_makes_a_parcel_free() {
        let parcel = Parcel {
            origin: "Tuyên Quang".into(),
            destination: "Hà Nội".into(),
            grams: 1_200,
            subtotal_vnd: 499_999,
            free_from_vnd: Some(500_000),
        };
        let paid = quote_by_table(&table(), &parcel).expect("quote");
        assert_eq!((paid.zone, paid.fee_vnd, paid.free), (Zone::Region, 32_000, false));
        let free =
            quote_by_table(&table(), &Parcel { subtotal_vnd: 500_000, ..parcel.clone() }).expect("quote");
        assert_eq!((free.fee_vnd, free.free), (0, true));
        let never =
            quote_by_table(&table(), &Parcel { subtotal_vnd: 9_000_000, free_from_vnd: None, ..parcel });
        assert_eq!(never.map(|q| q.fee_vnd), Some(32_000));
    }

    #[test]
    fn a_carrier_links_to_its_tracking_page() {
        assert_eq!(
            tracking_url("ghn", " GYUK 123 "),
            Some("https://donhang.ghn.vn/?order_code=GYUK123".into())
        );
        assert_eq!(tracking_url("other", "X1"), None);
        assert_eq!(tracking_url("ghtk", "<script>"), Some("https://i.ghtk.vn/script".into()));
        assert_eq!(tracking_url("nope", "X1"), None);
        assert_eq!(carrier_name("vnpost"), Some("VNPost"));
    }
}
