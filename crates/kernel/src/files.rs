//! Stored files: bytes under `DATA_DIR/files/ab/abcdef…` named by their SHA-256, the type
//! sniffed from the bytes (never taken from the client), the size limited, and photos stripped
//! of their EXIF block (which carries GPS positions) before anything is written.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use yijia_db::{on_db, on_tx, Db, Tx};

use crate::error::Message;
use crate::{Error, Result};

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

/// The image without its EXIF metadata. A file whose structure does not parse is refused
/// rather than stored with metadata that could not be removed.
pub fn strip_metadata(kind: ImageType, bytes: &[u8]) -> Option<Vec<u8>> {
    match kind {
        ImageType::Jpeg => strip_jpeg(bytes),
        ImageType::Png => strip_png(bytes),
    }
}

/// Drops APP1 (EXIF/XMP) segments; copies everything else, and the entropy-coded data after
/// the start of scan unchanged.
fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0xFF, 0xD8];
    let mut i = 2;
    loop {
        if i + 4 > b.len() || b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        if len < 2 || i + 2 + len > b.len() {
            return None;
        }
        let segment = &b[i..i + 2 + len];
        if marker != 0xE1 {
            out.extend_from_slice(segment);
        }
        i += 2 + len;
        if marker == 0xDA {
            out.extend_from_slice(&b[i..]);
            return Some(out);
        }
    }
}

/// Drops `eXIf`, `tEXt`, `zTXt` and `iTXt` chunks.
fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = b[..8].to_vec();
    let mut i = 8;
    while i + 12 <= b.len() {
        let len = usize::try_from(u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])).ok()?;
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > b.len() {
            return None;
        }
        let kind = &b[i + 4..i + 8];
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt") {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

/// A file as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredFile {
    pub sha256: String,
    pub mime: String,
    pub size_bytes: i64,
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

/// Checks an image of at most `max_bytes` and strips its metadata; errors name `field`.
pub fn prepare_image(field: &str, bytes: &[u8], max_bytes: usize) -> Result<PreparedImage> {
    if bytes.len() > max_bytes {
        return Err(Error::Validation({
            let mut e = crate::FieldErrors::default();
            e.add(field, Message::new("file.too_large").arg("max_kb", max_bytes / 1024));
            e
        }));
    }
    let kind = sniff_image(bytes).ok_or_else(|| Error::field(field, "file.not_an_image"))?;
    let clean = strip_metadata(kind, bytes).ok_or_else(|| Error::field(field, "file.damaged"))?;
    let sha256 = hex::encode(Sha256::digest(&clean));
    Ok(PreparedImage { kind, clean, sha256 })
}

/// Writes a prepared image's bytes under the data directory (under a temporary name, then
/// renamed), unless the same bytes are there already. A file whose row is never written (a
/// transaction rolled back) is harmless: files are named by their content.
pub async fn write_image(data_dir: &Path, image: &PreparedImage) -> Result<()> {
    let path = path_of(data_dir, &image.sha256);
    if path.exists() {
        return Ok(());
    }
    let dir = path
        .parent()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no parent")))?;
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    let tmp = path.with_extension("partial");
    tokio::fs::write(&tmp, &image.clean)
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    tokio::fs::rename(&tmp, &path)
        .await
        .map_err(|e| Error::Internal(e.into()))
}

/// Checks and writes the photos of one form field, at most `max_count` of `max_bytes` each,
/// before the write transaction: one that is not an image, or too large, refuses them all.
pub async fn prepare_images(
    data_dir: &Path,
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
        let image = prepare_image(field, p, max_bytes)?;
        write_image(data_dir, &image).await?;
        out.push(image);
    }
    Ok(out)
}

/// Records a written image in the caller's transaction; returns its record.
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
    Ok(StoredFile {
        sha256: image.sha256.clone(),
        mime: image.kind.mime().to_owned(),
        size_bytes: size,
    })
}

/// Checks and stores an image of at most `max_bytes`; returns its record. The bytes are written
/// before the row, so a row always has its file.
pub async fn store_image(
    tx: &mut Tx,
    data_dir: &Path,
    field: &str,
    bytes: &[u8],
    max_bytes: usize,
    now: i64,
) -> Result<StoredFile> {
    let image = prepare_image(field, bytes, max_bytes)?;
    write_image(data_dir, &image).await?;
    record_image(tx, &image, now).await
}

/// A stored file's record and bytes, if both exist.
pub async fn load(db: &Db, data_dir: &Path, sha256: &str) -> Result<Option<(StoredFile, Vec<u8>)>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row: Option<StoredFile> = on_db!(db, |p| {
        sqlx::query_as("select sha256, mime, size_bytes from stored_file where sha256 = $1")
            .bind(sha256)
            .fetch_optional(p)
            .await?
    });
    let Some(row) = row else { return Ok(None) };
    match tokio::fs::read(path_of(data_dir, sha256)).await {
        Ok(bytes) => Ok(Some((row, bytes))),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an APP0 (JFIF), an APP1 (EXIF with a fake GPS tag) and a start of scan.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0]);
        let exif = b"Exif\0\0GPS:36.1,103.6";
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        b.extend_from_slice(exif);
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 1, 2, 3, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn exif_is_stripped_from_a_jpeg() {
        let src = jpeg_with_exif();
        assert_eq!(sniff_image(&src), Some(ImageType::Jpeg));
        let out = strip_metadata(ImageType::Jpeg, &src).unwrap();
        assert!(!out.windows(4).any(|w| w == b"Exif"));
        assert!(out.windows(4).any(|w| w == b"JFIF"));
        assert!(out.ends_with(&[1, 2, 3, 0xFF, 0xD9]));
    }

    #[test]
    fn a_truncated_jpeg_is_refused() {
        let src = jpeg_with_exif();
        assert!(strip_metadata(ImageType::Jpeg, &src[..10]).is_none());
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b"GIF89a"), None);
    }
}
