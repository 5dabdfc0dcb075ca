//! Stored files: bytes named by their SHA-256, the type sniffed from the bytes (never taken from
//! the client), the size limited, and photos decoded and encoded again (see [`clean_image`]) so
//! that no metadata, GPS positions among them, is written.
//!
//! Where the bytes live depends on the database. On SQLite (one machine) they are files under
//! `DATA_DIR/files/ab/abcdef…`, written before the transaction that records them. On PostgreSQL
//! they are rows of `stored_blob`, written in that transaction: every instance behind a load
//! balancer serves a photo that any of them received, whatever its data directory.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use yijia_db::{on_db, on_tx, Backend, Tx};

use crate::error::Message;
use crate::{AppState, Error, Result};

/// The image types Yijia accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
}

impl ImageType {
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Png => "image/png",
            ImageType::Jpeg => "image/jpeg",
        }
    }
}

/// The type of an image from its first bytes; `None` for anything else (SVG is refused: it can
/// carry scripts).
pub fn sniff_image(bytes: &[u8]) -> Option<ImageType> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageType::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageType::Jpeg)
    } else {
        None
    }
}

/// The longest edge a stored photo keeps, in pixels. Larger photos are scaled down before they
/// are rotated and encoded: a 4 000 × 3 000 phone photo becomes 2 560 × 1 920, still enough to
/// read a meter or see a crack on any screen. Decoding still needs the full image, so the peak
/// memory is not lower, but the buffers rotated and encoded are 2.4 times smaller, and encoding
/// is most of the cost (0.6 s of CPU for 2 560 × 1 920: the encoder does about 8 million pixels
/// a second). Preparing the test's 4 000 × 3 000 photo took 0.9 s of CPU scaled against 1.7 s
/// at full size, and gave 0.7 MB to download instead of 3.1 MB.
pub const MAX_EDGE: u32 = 2560;

/// The widest or tallest image that is decoded at all, in pixels; checked from the header, before
/// any pixel is decoded. Phones' largest sensors (200 million pixels) are 16 320 px wide, and their
/// photos of that size are well over the upload limits, so a header claiming more is a bomb.
const MAX_DIMENSION: u32 = 16_384;

/// The memory a decoded image may take: 160 MiB holds a 50-million-pixel phone photo (8 160 ×
/// 6 120 in RGB, 143 MiB); larger photos rarely fit in the upload limits (5 and 8 MB), and are
/// refused with a message that says why. A small file claiming more (a PNG of zeros deflates a
/// thousand to one, a JPEG of one colour hundreds to one) is refused before the buffer is
/// allocated. A progressive JPEG's coefficients take up to
/// twice as much again inside the decoder, which this limit does not see; [`decode_slots`]
/// bounds how many such images are in memory at once.
const MAX_DECODED_BYTES: u64 = 160 * 1024 * 1024;

/// JPEG quality for re-encoded photos: 85, the usual choice for photos on the web; phones' cameras
/// save at about 95, which took 2.3 times the bytes (7.0 MB against 3.1 MB for the test's
/// 4 000 × 3 000 pattern).
const JPEG_QUALITY: u8 = 85;

/// Why an image could not be cleaned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// The bytes do not decode as the type they claim.
    Damaged,
    /// The image is larger than [`MAX_DIMENSION`] or [`MAX_DECODED_BYTES`] allow.
    TooManyPixels,
}

impl Unreadable {
    fn key(self) -> &'static str {
        match self {
            Unreadable::Damaged => "file.damaged",
            Unreadable::TooManyPixels => "file.too_many_pixels",
        }
    }
}

/// The image decoded and encoded again, so that nothing but its pixels survives: EXIF (and its
/// GPS position), XMP, comments, IPTC, ICC profiles and whatever follows the end of the image
/// (phones' "motion photos" append a video there). Copying the file while dropping known
/// segments, as Yijia did before, let every segment it did not know through. The EXIF
/// orientation is applied first, so that a photo a phone stored sideways stands upright; photos
/// larger than [`MAX_EDGE`] are scaled down. JPEG stays JPEG and PNG stays PNG. The encoders are
/// deterministic, so the same photo uploaded twice gives the same bytes and is stored once.
///
/// CPU-bound (about a second for a 12-million-pixel photo, see [`MAX_EDGE`]); call it off the
/// async workers, as [`prepare_image`] does.
pub fn clean_image(kind: ImageType, bytes: &[u8]) -> std::result::Result<Vec<u8>, Unreadable> {
    use image::{ImageDecoder, ImageError, ImageReader, Limits};

    let refusal = |e: ImageError| match e {
        ImageError::Limits(_) => Unreadable::TooManyPixels,
        _ => Unreadable::Damaged,
    };
    let format = match kind {
        ImageType::Jpeg => image::ImageFormat::Jpeg,
        ImageType::Png => image::ImageFormat::Png,
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    // `into_decoder` checks the dimensions against the limits; the size of the buffer is checked
    // here, because `DynamicImage::from_decoder` allocates it without asking (only
    // `ImageReader::decode` does, and it offers no orientation).
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(Unreadable::TooManyPixels);
    }
    // A damaged EXIF block should not cost the photo: it is upright or not, and dropped anyway.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(refusal)?;
    if img.width() > MAX_EDGE || img.height() > MAX_EDGE {
        // Scaled before it is rotated, so the rotation copies the smaller image. `thumbnail`
        // averages the source pixels each target pixel covers, so it does not alias; on a
        // 4 000 × 3 000 photo it took a fifth of the time of `resize` with the Triangle filter
        // (0.23 s against 1.6 s, both on a loaded machine).
        img = img.thumbnail(MAX_EDGE, MAX_EDGE);
    }
    img.apply_orientation(orientation);

    let mut out = Vec::new();
    match kind {
        ImageType::Jpeg => {
            // The JPEG encoder takes grey or RGB; a JPEG decodes to one of them unless it is CMYK
            // or carries alpha, which are converted.
            if !matches!(
                img,
                image::DynamicImage::ImageLuma8(_) | image::DynamicImage::ImageRgb8(_)
            ) {
                img = image::DynamicImage::ImageRgb8(img.to_rgb8());
            }
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
            img.write_with_encoder(encoder).map_err(refusal)?;
        }
        ImageType::Png => {
            let encoder = image::codecs::png::PngEncoder::new(&mut out);
            img.write_with_encoder(encoder).map_err(refusal)?;
        }
    }
    Ok(out)
}

/// How many images are decoded at once: one per core. More would not finish sooner, and each
/// may hold a few hundred megabytes while it is worked on (see [`MAX_DECODED_BYTES`]).
fn decode_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

/// A file as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredFile {
    pub sha256: String,
    pub mime: String,
    pub size_bytes: i64,
}

/// The name a file's bytes are stored under.
pub fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("files").join(&sha256[..2]).join(sha256)
}

/// An image checked, cleaned of its metadata and named by its hash, not yet stored. Done before
/// a write transaction, so the database's write lock is not held while images are worked on.
pub struct PreparedImage {
    kind: ImageType,
    clean: Vec<u8>,
    sha256: String,
}

/// Checks an image of at most `max_bytes` and re-encodes it without its metadata (see
/// [`clean_image`]); errors name `field`. The work runs on a blocking thread, at most one image
/// per core at a time.
pub async fn prepare_image(field: &str, bytes: &[u8], max_bytes: usize) -> Result<PreparedImage> {
    if bytes.len() > max_bytes {
        return Err(Error::Validation({
            let mut e = crate::FieldErrors::default();
            e.add(field, Message::new("file.too_large").arg("max_kb", max_bytes / 1024));
            e
        }));
    }
    let kind = sniff_image(bytes).ok_or_else(|| Error::field(field, "file.not_an_image"))?;
    let _slot = decode_slots().acquire().await.map_err(|e| Error::Internal(e.into()))?;
    let owned = bytes.to_vec();
    let clean = tokio::task::spawn_blocking(move || clean_image(kind, &owned))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("image worker: {e}")))?
        .map_err(|u| Error::field(field, u.key()))?;
    let sha256 = sha256_of(&clean);
    Ok(PreparedImage { kind, clean, sha256 })
}

/// Whether stored files' bytes live in the database (see the module's note).
pub fn in_database(backend: Backend) -> bool {
    backend == Backend::Postgres
}

/// Writes a prepared image's bytes where the files live, before the transaction that records
/// it: under the data directory (under a temporary name, then renamed), unless the same bytes
/// are there already. A file whose row is never written (a transaction rolled back) is harmless:
/// files are named by their content. In the database, [`record_image`] writes the bytes.
pub async fn write_image(state: &AppState, image: &PreparedImage) -> Result<()> {
    if in_database(state.db.backend()) {
        return Ok(());
    }
    write_file(&state.config.data_dir, &image.sha256, &image.clean).await
}

/// Writes bytes under the data directory by their hash (see [`write_image`]).
pub async fn write_file(data_dir: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let path = path_of(data_dir, sha256);
    if path.exists() {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no parent")))?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    // A name of its own per write: two people sending the same photo at once do not write
    // into one file.
    let tmp = path.with_extension(format!("{:016x}.{PARTIAL}", rand::random::<u64>()));
    let written = match tokio::fs::write(&tmp, bytes).await {
        Ok(()) => tokio::fs::rename(&tmp, &path).await,
        Err(e) => Err(e),
    };
    if let Err(e) = written {
        // A disk that filled up halfway leaves a piece behind: it goes, to give the space back.
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(Error::Internal(e.into()));
    }
    Ok(())
}

/// The ending of a file being written, renamed to its own name once whole.
const PARTIAL: &str = "partial";

/// A piece older than this is no write going on: even a slow disk writes a photo in seconds.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the pieces of files whose writing never finished (the process was killed, or the disk
/// filled up) from the stored files' folders; returns how many went. Run at start. Pieces still
/// fresh are left: another instance sharing the folder may be writing them.
pub fn sweep_partial(data_dir: &Path) -> std::io::Result<usize> {
    let root = data_dir.join("files");
    let Ok(folders) = std::fs::read_dir(&root) else {
        return Ok(0);
    };
    let mut removed = 0;
    for folder in folders {
        let folder = folder?.path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder)? {
            let file = file?.path();
            let abandoned = || {
                std::fs::metadata(&file)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= ABANDONED_AFTER))
            };
            if file.extension().is_some_and(|e| e == PARTIAL) && abandoned() {
                std::fs::remove_file(&file)?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// Checks and writes the photos of one form field, at most `max_count` of `max_bytes` each,
/// before the write transaction: one that is not an image, or too large, refuses them all.
pub async fn prepare_images(
    state: &AppState,
    field: &str,
    photos: &[Vec<u8>],
    max_count: usize,
    max_bytes: usize,
) -> Result<Vec<PreparedImage>> {
    if photos.len() > max_count {
        return Err(Error::Validation({
            let mut e = crate::FieldErrors::default();
            e.add(field, Message::new("file.too_many").arg("max", max_count));
            e
        }));
    }
    let mut out = Vec::with_capacity(photos.len());
    for p in photos {
        let image = prepare_image(field, p, max_bytes).await?;
        write_image(state, &image).await?;
        out.push(image);
    }
    Ok(out)
}

/// Records a written image in the caller's transaction, with its bytes where the database
/// keeps them; returns its record.
pub async fn record_image(tx: &mut Tx, image: &PreparedImage, now: i64) -> Result<StoredFile> {
    let size = i64::try_from(image.clean.len()).unwrap_or(i64::MAX);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into stored_file (sha256, mime, size_bytes, created_at) values ($1, $2, $3, $4) on conflict (sha256) do nothing",
        )
        .bind(&image.sha256)
        .bind(image.kind.mime())
        .bind(size)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    if in_database(tx.backend()) {
        keep_bytes(tx, &image.sha256, &image.clean).await?;
    }
    Ok(StoredFile {
        sha256: image.sha256.clone(),
        mime: image.kind.mime().to_owned(),
        size_bytes: size,
    })
}

/// Keeps a stored file's bytes in the database, in the caller's transaction, when its
/// `stored_file` row is there (a file restored from a backup without a row is not kept).
pub async fn keep_bytes(tx: &mut Tx, sha256: &str, bytes: &[u8]) -> Result<usize> {
    let done = on_tx!(tx, |c| {
        sqlx::query(
            "insert into stored_blob (sha256, bytes) select $1, $2 \
             where exists (select 1 from stored_file where sha256 = $1) on conflict (sha256) do nothing",
        )
        .bind(sha256)
        .bind(bytes)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(usize::try_from(done).unwrap_or(usize::MAX))
}

/// Puts the files of a folder laid out as the data directory's `files` into the database, each
/// one whose row exists and whose bytes are what its name says, in one transaction; returns how
/// many were new. For a restore on PostgreSQL, and at the start of an instance whose files were
/// kept in its folder before their bytes moved into the database.
pub async fn keep_folder(db: &yijia_db::Db, folder: &Path) -> Result<usize> {
    let io = |e: std::io::Error| Error::Internal(anyhow::anyhow!("{}: {e}", folder.display()));
    let Ok(subfolders) = std::fs::read_dir(folder) else {
        return Ok(0);
    };
    // Those kept at an earlier start are not read again: one query, not one per file.
    let already: std::collections::HashSet<String> =
        on_db!(db, |p| sqlx::query_scalar("select sha256 from stored_blob")
            .fetch_all(p)
            .await?)
        .into_iter()
        .collect();
    let mut tx = db.begin_write().await?;
    let mut kept = 0;
    for sub in subfolders {
        let sub = sub.map_err(io)?.path();
        if !sub.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&sub).map_err(io)? {
            let file = file.map_err(io)?.path();
            let Some(name) = file.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            if name.len() != 64 || already.contains(&name) {
                continue; // a piece of an unfinished write, not ours, or kept already
            }
            let bytes = std::fs::read(&file).map_err(io)?;
            if sha256_of(&bytes) != name {
                tracing::warn!(file = %file.display(), "not kept: its bytes are not what its name says");
                continue;
            }
            kept += keep_bytes(&mut tx, &name, &bytes).await?;
        }
    }
    tx.commit().await?;
    Ok(kept)
}

/// Checks and stores an image of at most `max_bytes`; returns its record. The bytes are written
/// before the row or with it, so a row always has its file.
pub async fn store_image(
    tx: &mut Tx,
    state: &AppState,
    field: &str,
    bytes: &[u8],
    max_bytes: usize,
    now: i64,
) -> Result<StoredFile> {
    let image = prepare_image(field, bytes, max_bytes).await?;
    write_image(state, &image).await?;
    record_image(tx, &image, now).await
}

/// A stored file's record and bytes, if both exist. In the database a file stored before its
/// bytes moved there is still read from the data directory.
pub async fn load(state: &AppState, sha256: &str) -> Result<Option<(StoredFile, Vec<u8>)>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row: Option<(String, String, i64, Option<Vec<u8>>)> = on_db!(&state.db, |p| {
        sqlx::query_as(
            "select f.sha256, f.mime, f.size_bytes, b.bytes from stored_file f \
             left join stored_blob b on b.sha256 = f.sha256 where f.sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(p)
        .await?
    });
    let Some((sha256, mime, size_bytes, kept)) = row else {
        return Ok(None);
    };
    let file = StoredFile {
        sha256,
        mime,
        size_bytes,
    };
    if let Some(bytes) = kept {
        return Ok(Some((file, bytes)));
    }
    match tokio::fs::read(path_of(&state.config.data_dir, &file.sha256)).await {
        Ok(bytes) => Ok(Some((file, bytes))),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView, ImageEncoder};

    /// A real JPEG of `w` × `h`: its left quarter red, the rest blue, with a faint pattern.
    fn photo(w: u32, h: u32, quality: u8) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let grain = u8::try_from((x * 7 + y * 13) % 32).unwrap();
            if x < w / 4 {
                image::Rgb([220, grain, grain])
            } else {
                image::Rgb([grain, grain, 220])
            }
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut b = vec![0xFF, marker];
        b.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    /// An EXIF block (big-endian TIFF, one IFD0 entry: the orientation) followed by a position
    /// in the clear, as a GPS IFD's values would be.
    fn exif(orientation: u16) -> Vec<u8> {
        let mut b = b"Exif\0\0MM\0\x2A\0\0\0\x08".to_vec();
        b.extend_from_slice(&1u16.to_be_bytes());
        b.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
        b.extend_from_slice(&orientation.to_be_bytes());
        b.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(b"GPS 36.0611N 103.8343E");
        b
    }

    /// `jpeg` with `segments` spliced in after its start-of-image marker.
    fn with_segments(jpeg: &[u8], segments: &[Vec<u8>]) -> Vec<u8> {
        let mut b = jpeg[..2].to_vec();
        for s in segments {
            b.extend_from_slice(s);
        }
        b.extend_from_slice(&jpeg[2..]);
        b
    }

    fn has(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut b = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        let start = b.len();
        b.extend_from_slice(kind);
        b.extend_from_slice(data);
        let crc = crc32(&b[start..]);
        b.extend_from_slice(&crc.to_be_bytes());
        b
    }

    /// A PNG whose header claims `w` × `h` RGB pixels, with a few bytes of data.
    fn png_claiming(w: u32, h: u32) -> Vec<u8> {
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
        b.extend(chunk(b"IHDR", &ihdr));
        b.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x63, 0, 0, 0, 1, 0, 1]));
        b.extend(chunk(b"IEND", &[]));
        b
    }

    /// A 1×1 PNG with a `tEXt` chunk holding a position, as a phone might write it.
    const PNG_WITH_TEXT: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000e744558744750530033362e312c3130332e369fd13a640000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082";

    #[test]
    fn no_metadata_segment_or_trailing_video_survives_a_jpeg() {
        let trailer = b"\0\0\0\x18ftypmp42 motion photo video";
        let mut src = with_segments(
            &photo(64, 48, 90),
            &[
                segment(0xE1, &exif(1)),
                segment(0xFE, "拍摄者 王秀兰".as_bytes()),
                segment(0xED, b"Photoshop 3.0\08BIM\x04\x04 By-line: Wang Xiulan"),
                segment(0xE2, b"ICC_PROFILE\0\x01\x01 profile with a device serial"),
            ],
        );
        src.extend_from_slice(trailer);
        assert_eq!(sniff_image(&src), Some(ImageType::Jpeg));

        let out = clean_image(ImageType::Jpeg, &src).unwrap();
        for marker in [[0xFF, 0xE1], [0xFF, 0xFE], [0xFF, 0xED], [0xFF, 0xE2]] {
            assert!(!has(&out, &marker), "marker {marker:02X?} survived");
        }
        for text in [
            &b"Exif"[..],
            b"GPS",
            "王秀兰".as_bytes(),
            b"Photoshop",
            b"Wang",
            b"ICC_PROFILE",
            b"serial",
            b"ftyp",
            b"motion",
        ] {
            assert!(!has(&out, text), "{} survived", String::from_utf8_lossy(text));
        }
        assert!(out.ends_with(&[0xFF, 0xD9]), "nothing after the end of the image");
        let back = image::load_from_memory_with_format(&out, image::ImageFormat::Jpeg).unwrap();
        assert_eq!(back.dimensions(), (64, 48));
    }

    #[test]
    fn a_photo_stored_sideways_comes_out_upright() {
        let src = with_segments(&photo(40, 20, 90), &[segment(0xE1, &exif(6))]);
        let out = clean_image(ImageType::Jpeg, &src).unwrap();
        let back = image::load_from_memory(&out).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (20, 40), "width and height swapped");
        // Orientation 6 is a quarter turn clockwise: the red left quarter becomes the top.
        let top = back.get_pixel(10, 3);
        let bottom = back.get_pixel(10, 36);
        assert!(top[0] > 150 && top[2] < 100, "{top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{bottom:?}");
    }

    #[test]
    fn a_png_loses_its_text_chunks_and_stays_a_png() {
        let src = hex::decode(PNG_WITH_TEXT).unwrap();
        assert!(has(&src, b"tEXt"));
        let out = clean_image(ImageType::Png, &src).unwrap();
        assert_eq!(sniff_image(&out), Some(ImageType::Png));
        assert!(!has(&out, b"tEXt") && !has(&out, b"GPS"));
        let back = image::load_from_memory_with_format(&out, image::ImageFormat::Png).unwrap();
        assert_eq!(back.dimensions(), (1, 1));
    }

    #[test]
    fn decompression_bombs_are_refused_before_they_are_decoded() {
        // Past the largest edge, and within it but past the memory budget (300 MB as RGB).
        for (w, h) in [(100_000, 100_000), (10_000, 10_000)] {
            let got = clean_image(ImageType::Png, &png_claiming(w, h));
            assert_eq!(got, Err(Unreadable::TooManyPixels), "{w} × {h}");
        }
        // A JPEG's header rewritten to claim 60 000 × 60 000.
        let mut jpeg = photo(16, 16, 90);
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        assert_eq!(clean_image(ImageType::Jpeg, &jpeg), Err(Unreadable::TooManyPixels));
    }

    #[test]
    fn a_truncated_or_garbled_image_is_refused_as_damaged() {
        let src = photo(32, 32, 90);
        assert_eq!(clean_image(ImageType::Jpeg, &src[..10]), Err(Unreadable::Damaged));
        assert_eq!(
            clean_image(ImageType::Png, b"\x89PNG\r\n\x1a\nnonsense"),
            Err(Unreadable::Damaged)
        );
    }

    #[test]
    fn a_large_photo_is_scaled_down_to_the_longest_edge() {
        let out = clean_image(ImageType::Jpeg, &photo(3000, 120, 90)).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!(back.dimensions(), (MAX_EDGE, 102));
    }

    #[tokio::test]
    async fn the_same_photo_uploaded_twice_is_named_by_the_same_hash() {
        let src = with_segments(&photo(64, 48, 90), &[segment(0xFE, b"Wang Xiulan")]);
        let a = prepare_image("photo", &src, 1 << 20).await.unwrap();
        let b = prepare_image("photo", &src, 1 << 20).await.unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.sha256, hex::encode(Sha256::digest(&a.clean)));
    }

    #[tokio::test]
    async fn refusals_name_the_field_and_the_reason() {
        let key = |r: Result<PreparedImage>| match r {
            Err(Error::Validation(f)) => format!("{f:?}"),
            Err(e) => format!("other error: {e}"),
            Ok(_) => "accepted".to_owned(),
        };
        let bomb = key(prepare_image("photos", &png_claiming(100_000, 100_000), 1 << 20).await);
        assert!(
            bomb.contains("photos") && bomb.contains("file.too_many_pixels"),
            "{bomb}"
        );
        let garbled = key(prepare_image("photos", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], 1 << 20).await);
        assert!(garbled.contains("file.damaged"), "{garbled}");
        let svg = key(prepare_image("photos", b"<svg onload=alert(1)>", 1 << 20).await);
        assert!(svg.contains("file.not_an_image"), "{svg}");
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b"GIF89a"), None);
    }

    #[test]
    fn pieces_of_abandoned_writes_are_swept_and_everything_else_stays() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("files").join("ab");
        std::fs::create_dir_all(&folder).unwrap();
        let whole = folder.join("ab12");
        let abandoned = folder.join("ab34.00000000000000aa.partial");
        let in_progress = folder.join("ab56.00000000000000bb.partial");
        for f in [&whole, &abandoned, &in_progress] {
            std::fs::write(f, b"bytes").unwrap();
        }
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for f in [&whole, &abandoned] {
            std::fs::File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(an_hour_ago)
                .unwrap();
        }
        assert_eq!(sweep_partial(dir.path()).unwrap(), 1);
        assert!(whole.exists() && in_progress.exists() && !abandoned.exists());
        assert_eq!(sweep_partial(&dir.path().join("nothing here")).unwrap(), 0);
    }

    /// The time this thread has run on a CPU, where Linux tells it: wall time on a shared
    /// machine counts the other processes too.
    fn cpu_time() -> Option<std::time::Duration> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        Some(std::time::Duration::from_nanos(stat.split(' ').next()?.parse().ok()?))
    }

    /// Every photo upload waits for this: run with
    /// `cargo test -p yijia-kernel files::tests::time -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn time_to_prepare_a_12_megapixel_phone_photo() {
        let src = photo(4000, 3000, 95);
        let cpu = cpu_time();
        let start = std::time::Instant::now();
        let out = clean_image(ImageType::Jpeg, &src).unwrap();
        let wall = start.elapsed();
        let cpu = cpu.zip(cpu_time()).map(|(a, b)| b - a);
        println!(
            "4000 × 3000 JPEG, {} KB in, {} KB out: {} ms wall, {:?} on the CPU",
            src.len() / 1024,
            out.len() / 1024,
            wall.as_millis(),
            cpu.map(|c| c.as_millis())
        );
    }
}
