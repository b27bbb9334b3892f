//! Pictures: decoded under limits, turned upright, scaled for the web and re-encoded, which
//! drops EXIF and every other piece of metadata. Originals are never kept or served.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::{DocxError, Limits};

/// A picture that is safe to serve.
#[derive(Debug, Clone)]
pub struct CleanImage {
    pub bytes: Vec<u8>,
    /// `jpg` or `png`.
    pub ext: &'static str,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// A picture's format and size from its header alone (nothing decoded): what decoding it
/// would cost. Only JPEG, PNG, GIF, WebP and BMP are pictures here.
pub fn image_header(name: &str, bytes: &[u8]) -> Result<(ImageFormat, u32, u32), DocxError> {
    let bad = || DocxError::BadImage { name: name.to_string() };
    let format = image::guess_format(bytes).map_err(|_| bad())?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP | ImageFormat::Bmp) {
        return Err(bad());
    }
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format).into_dimensions().map_err(|_| bad())?;
    Ok((format, w, h))
}

/// Refuses a picture of `w`×`h` beyond one picture's limits.
pub fn within_limits(name: &str, w: u32, h: u32, limits: &Limits) -> Result<(), DocxError> {
    let too_large = w > limits.max_image_side || h > limits.max_image_side || u64::from(w) * u64::from(h) > limits.max_image_pixels;
    if too_large {
        return Err(DocxError::ImageTooLarge { name: name.to_string(), width: w, height: h, max: limits.max_image_side });
    }
    Ok(())
}

/// Decodes `bytes` (JPEG, PNG, GIF, WebP or BMP) under `limits` and re-encodes it: JPEG for
/// photos, PNG for pictures with transparency or that were PNG/GIF (charts, logos).
pub fn clean_image(name: &str, bytes: &[u8], limits: &Limits) -> Result<CleanImage, DocxError> {
    let bad = || DocxError::BadImage { name: name.to_string() };
    // Header first: refuse a bomb before allocating for it.
    let (format, w, h) = image_header(name, bytes)?;
    within_limits(name, w, h, limits)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_image_side);
    l.max_image_height = Some(limits.max_image_side);
    l.max_alloc = Some(limits.max_image_pixels * 8);
    reader.limits(l);
    let mut decoder = reader.into_decoder().map_err(|_| bad())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| bad())?;
    img.apply_orientation(orientation);
    let long = img.width().max(img.height());
    if long >= 2 * limits.web_image_side {
        // Far too large: area averaging (each source pixel counted once) is as good as a
        // filter for a downscale this big, and several times faster on a 50-megapixel photo.
        img = img.thumbnail(limits.web_image_side, limits.web_image_side);
    } else if long > limits.web_image_side {
        img = img.resize(limits.web_image_side, limits.web_image_side, image::imageops::FilterType::Triangle);
    }
    let keep_png = matches!(format, ImageFormat::Png | ImageFormat::Gif) || img.color().has_alpha();
    let mut out = Vec::new();
    let (ext, content_type) = if keep_png {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|_| bad())?;
        ("png", "image/png")
    } else {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
        rgb.write_with_encoder(enc).map_err(|_| bad())?;
        ("jpg", "image/jpeg")
    };
    Ok(CleanImage { bytes: out, ext, content_type, width: img.width(), height: img.height() })
}

/// The long side a photo is given in a Word download: 15 cm of text width at about 270 dpi,
/// as sharp as an office printer prints and a fraction of the web copy's bytes.
pub const PRINT_IMAGE_SIDE: u32 = 1_600;

/// A stored picture (JPEG or PNG, as [`clean_image`] wrote it) made ready for a Word
/// download: kept as it is when it is already small, else scaled to
/// [`PRINT_IMAGE_SIDE`] and re-encoded (JPEG, or PNG where it has transparency). `None`
/// when the bytes are not a picture we wrote.
pub fn print_image(bytes: &[u8]) -> Option<CleanImage> {
    let (format, w, h) = image_header("print", bytes).ok()?;
    within_limits("print", w, h, &Limits::default()).ok()?;
    let (ext, content_type) = match format {
        ImageFormat::Jpeg => ("jpg", "image/jpeg"),
        ImageFormat::Png => ("png", "image/png"),
        _ => return None,
    };
    let small = w.max(h) <= PRINT_IMAGE_SIDE && (format == ImageFormat::Jpeg || bytes.len() <= 1024 * 1024);
    if small {
        return Some(CleanImage { bytes: bytes.to_vec(), ext, content_type, width: w, height: h });
    }
    let mut img = image::load_from_memory_with_format(bytes, format).ok()?;
    if w.max(h) >= 2 * PRINT_IMAGE_SIDE {
        img = img.thumbnail(PRINT_IMAGE_SIDE, PRINT_IMAGE_SIDE);
    } else if w.max(h) > PRINT_IMAGE_SIDE {
        img = img.resize(PRINT_IMAGE_SIDE, PRINT_IMAGE_SIDE, image::imageops::FilterType::Triangle);
    }
    let mut out = Vec::new();
    if img.color().has_alpha() {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).ok()?;
        Some(CleanImage { bytes: out, ext: "png", content_type: "image/png", width: img.width(), height: img.height() })
    } else {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)).ok()?;
        Some(CleanImage { bytes: out, ext: "jpg", content_type: "image/jpeg", width: img.width(), height: img.height() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_exif() -> Vec<u8> {
        let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 128]));
        let mut jpg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpg).encode_image(&img).unwrap();
        // Splice an APP1 Exif segment with a GPS-looking marker right after SOI.
        let payload = b"Exif\0\0MM\0*\0\0\0\x08GPS-LATITUDE-36.66";
        let len = (payload.len() + 2) as u16;
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&jpg[2..]);
        out
    }

    #[test]
    fn exif_is_removed_by_reencoding() {
        let src = jpeg_with_exif();
        assert!(src.windows(4).any(|w| w == b"Exif"));
        let clean = clean_image("photo.jpg", &src, &Limits::default()).unwrap();
        assert_eq!((clean.width, clean.height, clean.ext), (64, 48, "jpg"));
        assert!(!clean.bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!clean.bytes.windows(12).any(|w| w == b"GPS-LATITUDE"));
    }

    #[test]
    fn pixel_bombs_are_refused_from_the_header() {
        let png = crate::testdata::png_bomb(30_000, 30_000);
        let err = clean_image("bomb.png", &png, &Limits::default()).unwrap_err();
        assert!(matches!(err, DocxError::ImageTooLarge { width: 30_000, height: 30_000, .. }), "{err:?}");
        assert!(err.to_string().contains("尺寸异常"));
    }

    #[test]
    fn not_an_image_is_a_clear_error() {
        let err = clean_image("x.jpg", b"<script>alert(1)</script>", &Limits::default()).unwrap_err();
        assert_eq!(err, DocxError::BadImage { name: "x.jpg".into() });
    }

    #[test]
    fn large_photos_are_scaled_for_the_web() {
        let img = image::RgbImage::new(3000, 1000);
        let mut jpg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpg).encode_image(&img).unwrap();
        let clean = clean_image("wide.jpg", &jpg, &Limits::default()).unwrap();
        assert_eq!((clean.width, clean.height), (2560, 853));
    }


    #[test]
    fn print_copies_are_scaled_and_small_ones_kept() {
        // A noisy 2,400×1,800 PNG (no transparency) becomes a 1,600-pixel JPEG of a fraction of the bytes.
        let img = image::RgbImage::from_fn(2_400, 1_800, |x, y| image::Rgb([(x * 7 + y * 13) as u8, (x ^ y) as u8, (x * y) as u8]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).unwrap();
        let p = print_image(&png).unwrap();
        assert_eq!((p.width, p.height, p.ext), (1_600, 1_200, "jpg"));
        assert!(p.bytes.len() * 4 < png.len(), "{} vs {}", p.bytes.len(), png.len());
        // A small JPEG goes in as stored, byte for byte.
        let small = jpeg_with_exif();
        let clean = clean_image("a.jpg", &small, &Limits::default()).unwrap();
        assert_eq!(print_image(&clean.bytes).unwrap().bytes, clean.bytes);
        assert!(print_image(b"not a picture").is_none());
    }
}
