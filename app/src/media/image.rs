//! Upload checks and re-encoding. The declared type (the browser's MIME type and the file's
//! extension) must match what the bytes are; the header's dimensions are read before anything is
//! decoded, so a small file claiming 20000×20000 pixels is refused without allocating them.
//! Decoding and re-encoding drop every metadata block (EXIF, GPS, XMP); only pixels are kept.
use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::model::{LARGE_WIDTH, MAX_UPLOAD_BYTES, SMALL_WIDTH};

/// The largest picture accepted, in each direction and in all.
const MAX_SIDE: u32 = 8000;
const MAX_PIXELS: u64 = 40_000_000;
const WEBP_QUALITY: f32 = 80.0;

/// Why an upload was refused; each names a message in the locale files (`errors.field.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than 8 MB")]
    TooLarge,
    #[error("the file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the file's content does not match its type")]
    TypeMismatch,
    #[error("the picture is too large in pixels")]
    TooManyPixels,
    #[error("the image is damaged or incomplete")]
    Corrupt,
}

impl UploadError {
    pub fn code(self) -> crate::error::FieldCode {
        match self {
            UploadError::Empty => crate::error::FieldCode::UploadEmpty,
            UploadError::TooLarge => crate::error::FieldCode::UploadTooLarge,
            UploadError::NotAnImage => crate::error::FieldCode::UploadNotImage,
            UploadError::TypeMismatch => crate::error::FieldCode::UploadTypeMismatch,
            UploadError::TooManyPixels => crate::error::FieldCode::UploadTooManyPixels,
            UploadError::Corrupt => crate::error::FieldCode::UploadCorrupt,
        }
    }
}

/// The format a browser says a file has, from its MIME type or else its extension.
fn declared_format(content_type: Option<&str>, file_name: Option<&str>) -> Option<ImageFormat> {
    let by_mime = content_type.and_then(|m| match m.trim().to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    });
    by_mime.or_else(|| {
        let ext = file_name?.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            "png" => Some(ImageFormat::Png),
            "webp" => Some(ImageFormat::WebP),
            _ => None,
        }
    })
}

/// A photo re-encoded for the web.
#[derive(Debug)]
pub struct Processed {
    pub format: ImageFormat,
    /// Size of the original after applying its orientation.
    pub width: u32,
    pub height: u32,
    pub small: Vec<u8>,
    pub large: Vec<u8>,
}

/// Checks an upload and re-encodes it to WebP at `SMALL_WIDTH` and `LARGE_WIDTH` (never
/// enlarged). CPU-heavy: call it on the blocking pool.
pub fn process(
    bytes: &[u8],
    content_type: Option<&str>,
    file_name: Option<&str>,
) -> Result<Processed, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    let actual = match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ => return Err(UploadError::NotAnImage),
    };
    // A type that says something else is refused, even when the bytes are a fine image: the
    // mismatch is what a disguised file looks like.
    match declared_format(content_type, file_name) {
        Some(declared) if declared == actual => {}
        _ => return Err(UploadError::TypeMismatch),
    }
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), actual)
        .into_dimensions()
        .map_err(|_| UploadError::Corrupt)?;
    if width == 0 || height == 0 {
        return Err(UploadError::Corrupt);
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(UploadError::TooManyPixels);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), actual);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| UploadError::Corrupt)?;
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| UploadError::Corrupt)?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    let small = encode_webp(&picture, SMALL_WIDTH);
    let large = encode_webp(&picture, LARGE_WIDTH);
    Ok(Processed { format: actual, width: picture.width(), height: picture.height(), small, large })
}

fn encode_webp(picture: &DynamicImage, max_width: u32) -> Vec<u8> {
    let resized = if picture.width() > max_width {
        let height = (u64::from(picture.height()) * u64::from(max_width) / u64::from(picture.width())).max(1);
        picture.resize_exact(max_width, height as u32, image::imageops::FilterType::CatmullRom)
    } else {
        picture.clone()
    };
    let rgba = resized.to_rgba8();
    webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height()).encode(WEBP_QUALITY).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let picture =
            RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .expect("encode png");
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let picture = RgbImage::from_fn(width, height, |x, _| image::Rgb([200, (x % 256) as u8, 40]));
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .expect("encode jpeg");
        out
    }

    /// CRC-32 (IEEE), as PNG chunks carry it.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    fn webp_size(bytes: &[u8]) -> (u32, u32) {
        let decoded = image::load_from_memory_with_format(bytes, ImageFormat::WebP).expect("a webp");
        (decoded.width(), decoded.height())
    }

    #[test]
    fn a_photo_is_reencoded_to_webp_at_two_widths_without_enlarging() {
        let p = process(&jpeg(1600, 1200), Some("image/jpeg"), Some("che.jpg")).expect("processed");
        assert_eq!((p.width, p.height), (1600, 1200));
        assert_eq!(image::guess_format(&p.small).ok(), Some(ImageFormat::WebP));
        assert_eq!(webp_size(&p.small), (400, 300));
        assert_eq!(webp_size(&p.large), (1200, 900));
        let small = process(&png(300, 200), Some("image/png"), Some("logo.png")).expect("processed");
        assert_eq!(webp_size(&small.large), (300, 200), "never enlarged");
    }

    #[test]
    fn a_png_renamed_to_jpg_is_refused() {
        assert_eq!(
            process(&png(10, 10), Some("image/jpeg"), Some("anh.jpg")).err(),
            Some(UploadError::TypeMismatch)
        );
        assert_eq!(process(&png(10, 10), None, Some("anh.jpg")).err(), Some(UploadError::TypeMismatch));
    }

    #[test]
    fn a_truncated_file_is_refused_as_damaged() {
        let whole = jpeg(64, 64);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(process(cut, Some("image/jpeg"), Some("cut.jpg")).err(), Some(UploadError::Corrupt));
        let whole = png(64, 64);
        assert_eq!(
            process(&whole[..60], Some("image/png"), Some("cut.png")).err(),
            Some(UploadError::Corrupt)
        );
    }

    #[test]
    fn a_decompression_bomb_header_is_refused_before_decoding() {
        // A valid PNG signature and IHDR chunk claiming 20000×20000 pixels, and nothing else.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        // The chunk's CRC covers its type and data (bytes 12..29), so the header stays valid.
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            process(&bomb, Some("image/png"), Some("bomb.png")).err(),
            Some(UploadError::TooManyPixels)
        );
    }

    #[test]
    fn something_that_is_not_an_image_is_refused() {
        let text = "Trà ổi Bình Minh".as_bytes();
        assert_eq!(process(text, Some("image/jpeg"), Some("tra.jpg")).err(), Some(UploadError::NotAnImage));
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(process(gif, Some("image/gif"), Some("a.gif")).err(), Some(UploadError::NotAnImage));
        assert_eq!(process(&[], Some("image/png"), None).err(), Some(UploadError::Empty));
        assert_eq!(
            process(&vec![0u8; MAX_UPLOAD_BYTES + 1], Some("image/png"), None).err(),
            Some(UploadError::TooLarge)
        );
    }

    #[test]
    fn metadata_does_not_survive_reencoding() {
        // A JPEG with an EXIF APP1 block (holding a GPS-like marker) after SOI.
        let plain = jpeg(32, 32);
        let payload = b"Exif\0\0GPS-21.8233N-105.2180E";
        let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1];
        with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        with_exif.extend_from_slice(payload);
        with_exif.extend_from_slice(&plain[2..]);
        let p = process(&with_exif, Some("image/jpeg"), Some("gps.jpg")).expect("processed");
        let needle = b"GPS-21.8233N";
        assert!(!p.small.windows(needle.len()).any(|w| w == needle));
        assert!(!p.large.windows(needle.len()).any(|w| w == needle));
    }
}
