//! VietQR: the EMVCo merchant-presented QR payload that Vietnamese banking apps read to fill in a
//! transfer (NAPAS 247). The payload is a string of TLV fields (two-digit id, two-digit length,
//! value) ending in a CRC-16/CCITT-FALSE over everything before the CRC's value.
use std::fmt::Write;

/// NAPAS's globally unique identifier, under field 38 (merchant account information).
pub const NAPAS_GUID: &str = "A000000727";
/// Service code: a transfer to a bank account (as opposed to a card).
pub const TO_ACCOUNT: &str = "QRIBFTTA";
/// ISO 4217 numeric code of the Vietnamese đồng.
pub const VND: &str = "704";

/// What a transfer needs: the receiving bank and account, the amount, and the purpose (the
/// order reference, so the cooperative can match the payment to the order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The bank's 6-digit NAPAS BIN (e.g. 970436 for Vietcombank).
    pub bank_bin: String,
    pub account: String,
    /// In đồng; `None` lets the payer type it (a static code).
    pub amount_vnd: Option<i64>,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    #[error("the bank BIN must be 6 digits")]
    BadBin,
    #[error("the account number must be 1 to 19 letters or digits")]
    BadAccount,
    #[error("the amount must be positive and at most 13 digits")]
    BadAmount,
    #[error("the purpose must be at most 25 characters")]
    BadPurpose,
    #[error("the payload is not well-formed TLV")]
    Malformed,
    #[error("the checksum does not match")]
    BadChecksum,
    #[error("the payload is not a VietQR transfer")]
    NotVietQr,
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

fn field(out: &mut String, id: &str, value: &str) {
    // Lengths are checked by the callers: every value here is under 100 characters.
    let _ = write!(out, "{id}{:02}{value}", value.chars().count());
}

/// Letters, digits and spaces, which every banking app shows as typed.
fn plain(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

impl Transfer {
    /// The payload string to encode in the QR code.
    pub fn payload(&self) -> Result<String, VietQrError> {
        if self.bank_bin.len() != 6 || !self.bank_bin.chars().all(|c| c.is_ascii_digit()) {
            return Err(VietQrError::BadBin);
        }
        if self.account.is_empty()
            || self.account.len() > 19
            || !self.account.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(VietQrError::BadAccount);
        }
        if self.purpose.chars().count() > 25 || !plain(&self.purpose) {
            return Err(VietQrError::BadPurpose);
        }
        let amount = match self.amount_vnd {
            Some(a) if a <= 0 || a > 9_999_999_999_999 => return Err(VietQrError::BadAmount),
            Some(a) => Some(a.to_string()),
            None => None,
        };

        let mut beneficiary = String::new();
        field(&mut beneficiary, "00", &self.bank_bin);
        field(&mut beneficiary, "01", &self.account);
        let mut merchant = String::new();
        field(&mut merchant, "00", NAPAS_GUID);
        field(&mut merchant, "01", &beneficiary);
        field(&mut merchant, "02", TO_ACCOUNT);

        let mut out = String::new();
        field(&mut out, "00", "01");
        // 12: a dynamic code, for one payment of a set amount; 11: a static one.
        field(&mut out, "01", if amount.is_some() { "12" } else { "11" });
        field(&mut out, "38", &merchant);
        field(&mut out, "53", VND);
        if let Some(amount) = &amount {
            field(&mut out, "54", amount);
        }
        field(&mut out, "58", "VN");
        if !self.purpose.is_empty() {
            let mut additional = String::new();
            field(&mut additional, "08", &self.purpose);
            field(&mut out, "62", &additional);
        }
        out.push_str("6304");
        let crc = crc16(out.as_bytes());
        let _ = write!(out, "{crc:04X}");
        Ok(out)
    }

    /// Reads a payload back, checking its CRC.
    pub fn parse(payload: &str) -> Result<Transfer, VietQrError> {
        let body = payload.trim();
        if body.len() < 8 || !body.is_ascii() {
            return Err(VietQrError::Malformed);
        }
        let (signed, crc) = body.split_at(body.len() - 4);
        if !signed.ends_with("6304") {
            return Err(VietQrError::Malformed);
        }
        let expected = u16::from_str_radix(crc, 16).map_err(|_| VietQrError::Malformed)?;
        if crc16(signed.as_bytes()) != expected {
            return Err(VietQrError::BadChecksum);
        }
        let fields = tlv(&signed[..signed.len() - 4])?;
        let get = |fields: &[(String, String)], id: &str| {
            fields.iter().find(|(i, _)| i == id).map(|(_, v)| v.clone())
        };
        let merchant = tlv(&get(&fields, "38").ok_or(VietQrError::NotVietQr)?)?;
        if get(&merchant, "00").as_deref() != Some(NAPAS_GUID) {
            return Err(VietQrError::NotVietQr);
        }
        let beneficiary = tlv(&get(&merchant, "01").ok_or(VietQrError::NotVietQr)?)?;
        let purpose = match get(&fields, "62") {
            Some(additional) => get(&tlv(&additional)?, "08").unwrap_or_default(),
            None => String::new(),
        };
        Ok(Transfer {
            bank_bin: get(&beneficiary, "00").ok_or(VietQrError::NotVietQr)?,
            account: get(&beneficiary, "01").ok_or(VietQrError::NotVietQr)?,
            amount_vnd: get(&fields, "54")
                .map(|a| a.parse().map_err(|_| VietQrError::Malformed))
                .transpose()?,
            purpose,
        })
    }
}

/// The payload as a QR code in SVG, sized by the viewer (a `viewBox`, no fixed width), with the
/// quiet zone the standard asks for. Medium error correction: a phone reads it off a screen or a
/// printed card.
#[cfg(feature = "ssr")]
pub fn qr_svg(payload: &str) -> Result<String, VietQrError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::M)
        .map_err(|_| VietQrError::Malformed)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// Splits a TLV string into (id, value) pairs.
fn tlv(mut s: &str) -> Result<Vec<(String, String)>, VietQrError> {
    let mut out = Vec::new();
    while !s.is_empty() {
        if s.len() < 4 {
            return Err(VietQrError::Malformed);
        }
        let (id, rest) = s.split_at(2);
        let (len, rest) = rest.split_at(2);
        let len: usize = len.parse().map_err(|_| VietQrError::Malformed)?;
        if rest.len() < len {
            return Err(VietQrError::Malformed);
        }
        let (value, rest) = rest.split_at(len);
        out.push((id.to_owned(), value.to_owned()));
        s = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order_payment() -> Transfer {
        Transfer {
            bank_bin: "970436".to_owned(),
            account: "0011001234567".to_owned(),
            amount_vnd: Some(250_000),
            purpose: "OCOP DH2611290001".to_owned(),
        }
    }

    #[test]
    fn crc_is_ccitt_false() {
        // The catalogue check value of CRC-16/CCITT-FALSE.
        assert_eq!(crc16(b"123456789"), 0x29B1);
    }

    #[test]
    fn payload_matches_the_hand_checked_example() {
        // Assembled field by field from the NAPAS VietQR layout, and its CRC computed apart from
        // this code, with Python's binascii.crc_hqx(payload_up_to_6304, 0xFFFF) = 0xCD9F.
        let expected = [
            "000201",
            "010212",
            "3857",
            "0010A000000727",
            "0127",
            "0006970436",
            "01130011001234567",
            "0208QRIBFTTA",
            "5303704",
            "5406250000",
            "5802VN",
            "6221",
            "0817OCOP DH2611290001",
            "6304CD9F",
        ]
        .concat();
        assert_eq!(order_payment().payload(), Ok(expected));
    }

    #[test]
    fn the_parser_reads_back_what_was_built() {
        let transfer = order_payment();
        let payload = transfer.payload().expect("payload");
        assert_eq!(Transfer::parse(&payload), Ok(transfer));
        let without_amount = Transfer { amount_vnd: None, purpose: String::new(), ..order_payment() };
        let payload = without_amount.payload().expect("payload");
        assert!(payload.starts_with("000201010211"), "no amount: a static code");
        assert!(!payload.contains("5406"));
        assert_eq!(Transfer::parse(&payload), Ok(without_amount));
    }

    #[test]
    fn a_changed_payload_fails_its_checksum() {
        let payload = order_payment().payload().expect("payload").replace("250000", "950000");
        assert_eq!(Transfer::parse(&payload), Err(VietQrError::BadChecksum));
        assert_eq!(Transfer::parse("0002"), Err(VietQrError::Malformed));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_qr_code_scans_back_to_the_payload() {
        let payload = order_payment().payload().expect("payload");
        let svg = qr_svg(&payload).expect("svg");
        assert!(svg.contains("<svg") && svg.contains("#000000"));
        // The same code's modules, read by an independent QR decoder.
        let code = qrcode::QrCode::with_error_correction_level(&payload, qrcode::EcLevel::M).expect("code");
        let width = code.width();
        let colors = code.to_colors();
        let grid = rqrr::SimpleGrid::from_func(width, |x, y| colors[y * width + x] == qrcode::Color::Dark);
        let grid = rqrr::Grid::new(grid);
        let (_, text) = grid.decode().expect("decodes");
        assert_eq!(text, payload);
        assert_eq!(Transfer::parse(&text), Ok(order_payment()));
    }

    #[test]
    fn bad_details_are_refused() {
        let bad = |t: Transfer| t.payload().err();
        assert_eq!(bad(Transfer { bank_bin: "97043".into(), ..order_payment() }), Some(VietQrError::BadBin));
        assert_eq!(
            bad(Transfer { account: "12 34".into(), ..order_payment() }),
            Some(VietQrError::BadAccount)
        );
        assert_eq!(bad(Transfer { amount_vnd: Some(0), ..order_payment() }), Some(VietQrError::BadAmount));
        assert_eq!(
            bad(Transfer { purpose: "Thanh toán đơn hàng".into(), ..order_payment() }),
            Some(VietQrError::BadPurpose),
            "banking apps read ASCII; the order number is enough"
        );
    }
}
