//! Demo data: the facts of `data/tuyen_quang_ocop.json` (cooperatives, districts, products, the
//! six OCOP groups, the seven 4-star products exported to the UK) plus demo values for what the
//! facts do not give (prices, stock, units, descriptions, certificate numbers and dates), each
//! flagged `is_demo`. Seeding runs on an empty database and is idempotent: every insert is
//! `ON CONFLICT DO NOTHING` on a natural key, so a second run changes nothing.
use serde::Deserialize;
use tracing::instrument;

pub mod history;

use crate::certificates::model::{expiry, parse_date};
use crate::clock::now_unix;
use crate::db::Db;
use crate::search::fold::{fold, search_text, slugify};

const FACTS: &str = include_str!("../data/tuyen_quang_ocop.json");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the facts file does not parse: {0}")]
    Facts(#[from] serde_json::Error),
    #[error("the facts file is inconsistent: {0}")]
    Inconsistent(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

#[derive(Deserialize)]
struct Facts {
    program: Program,
    province: Province,
    cooperatives: Vec<CoopFact>,
    products: Vec<ProductFact>,
}

#[derive(Deserialize)]
struct Program {
    product_groups_en: Vec<String>,
    product_groups_vi: Vec<String>,
}

#[derive(Deserialize)]
struct Province {
    districts_vi: Vec<String>,
    districts_en: Vec<String>,
}

#[derive(Deserialize)]
struct CoopFact {
    key: String,
    name_en: String,
    name_vi: String,
    district_en: Option<String>,
}

#[derive(Deserialize)]
struct ProductFact {
    cooperative: String,
    name_en: String,
    name_vi: String,
    group_en: String,
    stars: Option<i64>,
    exported_to: Option<String>,
}

/// Slugs of the six groups, in the order the facts list them.
const GROUP_SLUGS: [&str; 6] = ["food", "beverages", "herbs", "textiles", "souvenirs", "tourism"];

/// Demo values for one product (the facts give none of these).
struct DemoValues {
    price_vnd: i64,
    stock: i64,
    unit_vi: &'static str,
    unit_en: &'static str,
    weight_grams: i64,
    description_vi: &'static str,
    description_en: &'static str,
}

fn demo_values(name_en: &str) -> DemoValues {
    let (price_vnd, stock, unit_vi, unit_en, weight_grams, description_vi, description_en) = match name_en {
        "Green-heart black bean tea bags" => (
            85_000,
            120,
            "hộp 25 túi lọc",
            "box of 25 tea bags",
            250,
            "Trà túi lọc từ đậu đen xanh lòng rang, pha nhanh, vị bùi thơm; sản xuất trên dây chuyền túi lọc của hợp tác xã.",
            "Tea bags of roasted green-heart black beans: quick to brew, nutty and fragrant, packed on the cooperative's tea-bag line.",
        ),
        "Guava tea" => (
            65_000,
            90,
            "hộp 20 túi lọc",
            "box of 20 tea bags",
            200,
            "Trà lá ổi sấy khô, hương thơm nhẹ, uống nóng hoặc lạnh.",
            "Dried guava-leaf tea with a light aroma, to drink hot or iced.",
        ),
        "Male papaya flowers soaked in honey" => (
            150_000,
            40,
            "lọ 500 ml",
            "500 ml jar",
            700,
            "Hoa đu đủ đực ngâm mật ong rừng theo cách truyền thống của đồng bào địa phương.",
            "Male papaya flowers steeped in wild honey, a traditional local remedy.",
        ),
        "Dried bananas" => (
            45_000,
            200,
            "túi 300 g",
            "300 g bag",
            300,
            "Chuối sấy dẻo từ chuối sạch Chiêu Yên, không đường, không chất bảo quản.",
            "Chewy dried bananas from Chieu Yen's clean bananas, with no added sugar or preservatives.",
        ),
        "Soi Ha grapefruit" => (
            60_000,
            300,
            "quả (khoảng 1,2 kg)",
            "fruit (about 1.2 kg)",
            1200,
            "Bưởi Soi Hà múi mọng, vị ngọt thanh, trồng tại Xuân Vân, Yên Sơn.",
            "Soi Ha grapefruit, juicy and mildly sweet, grown in Xuan Van, Yen Son.",
        ),
        "Lemon syrup" => (
            70_000,
            80,
            "chai 500 ml",
            "500 ml bottle",
            650,
            "Siro chanh nấu từ chanh tươi Hàm Yên, pha nước mát hoặc làm đồ uống.",
            "Syrup of fresh Ham Yen lemons, for cool drinks and cocktails.",
        ),
        "Kumquat syrup" => (
            75_000,
            80,
            "chai 500 ml",
            "500 ml bottle",
            650,
            "Siro quất thơm, chua ngọt, dùng pha trà hoặc nước giải khát.",
            "Sweet-and-sour kumquat syrup for tea and soft drinks.",
        ),
        "Sturgeon products" => (
            350_000,
            15,
            "kg",
            "kg",
            1000,
            "Cá tầm nuôi nước lạnh ở Lâm Bình, liên kết sản xuất và tiêu thụ Thượng Lâm.",
            "Cold-water sturgeon raised in Lam Binh by the Thuong Lam production linkage.",
        ),
        "Corn wine with leaf yeast" => (
            120_000,
            50,
            "can 2 lít",
            "2-litre flask",
            2100,
            "Rượu ngô ủ men lá rừng theo bí quyết của người Tày, Na Hang.",
            "Corn wine fermented with forest-leaf yeast, a Tay recipe from Na Hang.",
        ),
        "Black pork sour meat" => (
            180_000,
            30,
            "hộp 500 g",
            "500 g box",
            500,
            "Thịt lợn đen muối chua, đặc sản của đồng bào vùng cao Na Hang.",
            "Fermented sour black pork, a speciality of Na Hang's highland villages.",
        ),
        _ => (50_000, 50, "sản phẩm", "item", 500, "", ""),
    };
    DemoValues { price_vnd, stock, unit_vi, unit_en, weight_grams, description_vi, description_en }
}

fn demo_story(key: &str) -> (String, String) {
    let (vi, en) = match key {
        "binh-minh" => (
            "Hợp tác xã đầu tư dây chuyền sản xuất trà túi lọc, tạo việc làm cho lao động địa phương.",
            "The cooperative invested in a tea-bag production line that created local jobs.",
        ),
        "thuong-lam-sturgeon" | "nang-kha" | "thanh-tuong" => (
            "Mô hình sản xuất nhỏ đang tìm thị trường cho sản phẩm của mình.",
            "A small production model still looking for markets for its products.",
        ),
        _ => (
            "Hợp tác xã có sản phẩm đạt chứng nhận OCOP 4 sao, đã ký hợp đồng xuất khẩu sang Vương quốc Anh.",
            "A cooperative with a 4-star OCOP product under export contract to the United Kingdom.",
        ),
    };
    (vi.to_owned(), en.to_owned())
}

/// What one seeding run inserted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub groups: u64,
    pub districts: u64,
    pub cooperatives: u64,
    pub products: u64,
    pub certificates: u64,
}

/// Seeds the facts when the catalogue is empty; returns `None` when it already had data.
pub async fn seed_if_empty(db: &Db) -> Result<Option<SeedReport>, SeedError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives").fetch_one(&db.pool).await?;
    if count > 0 {
        return Ok(None);
    }
    seed(db).await.map(Some)
}

/// Inserts the facts and demo values; safe to run again.
#[instrument(skip(db))]
pub async fn seed(db: &Db) -> Result<SeedReport, SeedError> {
    let facts: Facts = serde_json::from_str(FACTS)?;
    if facts.program.product_groups_en.len() != GROUP_SLUGS.len()
        || facts.program.product_groups_vi.len() != GROUP_SLUGS.len()
        || facts.province.districts_en.len() != facts.province.districts_vi.len()
    {
        return Err(SeedError::Inconsistent("group or district lists differ in length".into()));
    }
    let now = now_unix();
    let mut report = SeedReport::default();
    let mut tx = db.pool.begin().await?;

    for (i, slug) in GROUP_SLUGS.iter().enumerate() {
        report.groups += sqlx::query(
            "INSERT INTO product_groups (slug, name_vi, name_en, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(*slug)
        .bind(&facts.program.product_groups_vi[i])
        .bind(&facts.program.product_groups_en[i])
        .bind(i as i64)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (i, (vi, en)) in facts.province.districts_vi.iter().zip(&facts.province.districts_en).enumerate() {
        report.districts += sqlx::query(
            "INSERT INTO districts (slug, name_vi, name_en, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slugify(en))
        .bind(vi)
        .bind(en)
        .bind(i as i64)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    for (i, coop) in facts.cooperatives.iter().enumerate() {
        let district_slug = coop.district_en.as_deref().map(slugify);
        let (story_vi, story_en) = demo_story(&coop.key);
        // Made-up Agribank accounts, so a demo bank-transfer order shows its VietQR code.
        let holder = crate::coops::model::bank_holder_name(&coop.name_vi).unwrap_or_default();
        report.cooperatives += sqlx::query(
            "INSERT INTO cooperatives (slug, name_vi, name_en, story_vi, story_en, district_id, status, \
             is_demo, bank_bin, bank_account, bank_holder, created_at, contact_phone, contact_email, show_phone, \
             show_zalo, show_email) \
             VALUES ($1, $2, $3, $4, $5, (SELECT id FROM districts WHERE slug = $6), 'approved', 1, \
             $7, $8, $9, $10, $11, $12, 1, 1, 1) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&coop.key)
        .bind(&coop.name_vi)
        .bind(&coop.name_en)
        .bind(story_vi)
        .bind(story_en)
        .bind(district_slug)
        .bind("970405")
        .bind(format!("1900{:08}", i + 1))
        .bind(holder)
        .bind(now)
        // Made-up contacts too (a 0912 mobile number, an address of the demo domain).
        .bind(format!("0912 {:03} {:03}", 100 + i, 200 + i))
        .bind(format!("{}@ocop.demo", coop.key))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    let issued = parse_date("2024-06-15").ok_or_else(|| SeedError::Inconsistent("demo date".into()))?;
    let expires = expiry(issued).to_string();
    for (i, p) in facts.products.iter().enumerate() {
        let group_index = facts
            .program
            .product_groups_en
            .iter()
            .position(|g| *g == p.group_en)
            .ok_or_else(|| SeedError::Inconsistent(format!("unknown group {}", p.group_en)))?;
        let demo = demo_values(&p.name_en);
        let slug = slugify(&p.name_vi);
        let exported =
            p.exported_to.as_deref().map(|c| if c == "United Kingdom" { "GB" } else { c }.to_owned());
        report.products += sqlx::query(
            "INSERT INTO products (slug, cooperative_id, group_id, name_vi, name_en, description_vi, \
             description_en, unit_vi, unit_en, price_vnd, stock, weight_grams, exported_to, featured, \
             status, is_demo, search_text, sort_name_vi, sort_name_en, created_at, updated_at) \
             VALUES ($1, (SELECT id FROM cooperatives WHERE slug = $2), \
             (SELECT id FROM product_groups WHERE slug = $3), \
             $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'published', 1, $15, $16, $17, $18, $19) \
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&slug)
        .bind(&p.cooperative)
        .bind(GROUP_SLUGS[group_index])
        .bind(&p.name_vi)
        .bind(&p.name_en)
        .bind(demo.description_vi)
        .bind(demo.description_en)
        .bind(demo.unit_vi)
        .bind(demo.unit_en)
        .bind(demo.price_vnd)
        .bind(demo.stock)
        .bind(demo.weight_grams)
        .bind(exported.clone())
        .bind(i64::from(exported.is_some()))
        .bind(search_text(&p.name_vi, &p.name_en, demo.description_vi, demo.description_en))
        .bind(fold(&p.name_vi))
        .bind(fold(&p.name_en))
        // Spread creation times so "newest" has a stable, meaningful order.
        .bind(now - (facts.products.len() - i) as i64 * 3600)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();

        if let Some(stars) = p.stars {
            report.certificates += sqlx::query(
                "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, \
                 is_demo, created_at) \
                 VALUES ((SELECT id FROM products WHERE slug = $1), $2, $3, $4, $5, $6, 1, $7) \
                 ON CONFLICT (product_id, decision_no) DO NOTHING",
            )
            .bind(slug)
            .bind(stars)
            // 3 and 4 stars are granted by the provincial council, 5 by the national one.
            .bind(if stars >= 5 { "national" } else { "provincial" })
            .bind(format!("DEMO-{:03}/QĐ-UBND", i + 1))
            .bind(issued.to_string())
            .bind(&expires)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
    }
    for coop in &facts.cooperatives {
        seed_booth(&mut tx, &coop.key, &coop.name_vi, &coop.name_en, now).await?;
    }
    let slugs: Vec<&str> = facts.cooperatives.iter().map(|c| c.key.as_str()).collect();
    seed_fairs(&mut tx, &slugs, now).await?;
    tx.commit().await?;
    Ok(report)
}

/// A demo booth: a welcome line, a member of the team on duty and two livestream slots.
async fn seed_booth(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    slug: &str,
    name_vi: &str,
    name_en: &str,
    now: i64,
) -> Result<(), SeedError> {
    let inserted = sqlx::query(
        "INSERT INTO booths (cooperative_id, welcome_vi, welcome_en, updated_at) \
         VALUES ((SELECT id FROM cooperatives WHERE slug = $1), $2, $3, $4) \
         ON CONFLICT (cooperative_id) DO NOTHING",
    )
    .bind(slug)
    .bind(format!("Chào mừng bạn đến gian hàng {name_vi}. Hỏi chúng tôi bất cứ điều gì!"))
    .bind(format!("Welcome to the {name_en} booth. Ask us anything!"))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Seeded before: leave the cooperative's own team and schedule alone.
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO booth_team (cooperative_id, name, role_vi, role_en, on_duty, position) \
         VALUES ((SELECT id FROM cooperatives WHERE slug = $1), \
         'Nguyễn Thu Hà', 'Tư vấn bán hàng', 'Sales adviser', '8:00–17:00, thứ 2 – thứ 7', 0)",
    )
    .bind(slug)
    .execute(&mut **tx)
    .await?;
    for (days, vi, en) in [
        (1, "Livestream: hái chè và sao chè tại vườn", "Livestream: picking and roasting tea in the garden"),
        (3, "Giảm giá 10% cho đơn đầu tiên trong hội chợ", "10% off your first order during the fair"),
    ] {
        sqlx::query(
            "INSERT INTO booth_slots (cooperative_id, starts_at, title_vi, title_en) \
             VALUES ((SELECT id FROM cooperatives WHERE slug = $1), $2, $3, $4)",
        )
        .bind(slug)
        .bind(now + days * 86_400)
        .bind(vi)
        .bind(en)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Two demo fairs: one running now (for two weeks) with every demo booth, and one starting in a
/// month with the first half of them. Seeded once, by slug.
async fn seed_fairs(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    coops: &[&str],
    now: i64,
) -> Result<(), SeedError> {
    const DAY: i64 = 86_400;
    let fairs = [
        (
            "tuyen-quang-ocop-online-fair-2026",
            "Hội chợ OCOP Tuyên Quang trực tuyến 2026",
            "Tuyen Quang OCOP Online Fair 2026",
            "Gian hàng của các hợp tác xã OCOP Tuyên Quang: chè, chuối sấy, bưởi Soi Hà, siro, cá tầm, rượu ngô. \
             Trò chuyện trực tiếp với người sản xuất và gửi yêu cầu xuất khẩu.",
            "Booths of Tuyen Quang's OCOP cooperatives: tea, dried bananas, Soi Ha grapefruit, syrups, sturgeon, \
             corn wine. Chat with the producers live and send export inquiries.",
            now - DAY,
            now + 14 * DAY,
            coops.len(),
        ),
        (
            "tuyen-quang-export-week",
            "Tuần lễ hàng OCOP xuất khẩu",
            "OCOP Export Week",
            "Dành cho nhà nhập khẩu: sản phẩm OCOP đã và sắp xuất khẩu sang Vương quốc Anh.",
            "For importers: OCOP products exported, or soon to be, to the United Kingdom.",
            now + 30 * DAY,
            now + 37 * DAY,
            coops.len().div_ceil(2),
        ),
    ];
    for (slug, name_vi, name_en, description_vi, description_en, starts_at, ends_at, booths) in fairs {
        let inserted = sqlx::query(
            "INSERT INTO fairs (slug, name_vi, name_en, description_vi, description_en, starts_at, ends_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug)
        .bind(name_vi)
        .bind(name_en)
        .bind(description_vi)
        .bind(description_en)
        .bind(starts_at)
        .bind(ends_at)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        for coop in &coops[..booths] {
            sqlx::query(
                "INSERT INTO fair_booths (fair_id, cooperative_id) SELECT f.id, c.id FROM fairs f, cooperatives c \
                 WHERE f.slug = $1 AND c.slug = $2",
            )
            .bind(slug)
            .bind(*coop)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}
