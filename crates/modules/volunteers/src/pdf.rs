//! A minimal one-page PDF writer for the volunteer service certificate (志愿服务证明).
//!
//! No font is embedded: the text uses `STSong-Light`, one of Adobe's standard CJK fonts for the Adobe-GB1
//! character collection, which every conforming PDF reader substitutes with a local Song/Ming face. So nothing
//! is fetched or bundled at run time, the binary stays small and a certificate is a few kilobytes. Text goes
//! through the `UniGB-UCS2-H` CMap, i.e. as UTF-16BE code units, and a `/ToUnicode` CMap lets copy-paste and
//! text extraction recover the characters.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// One line of the page, top to bottom.
pub struct Line<'a> {
    pub text: &'a str,
    /// Font size in points.
    pub size: u16,
    pub centred: bool,
    /// Points of space above the line.
    pub gap_before: u16,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BORDER: f32 = 28.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// A QR code to draw: `width` modules a side, `dark` row by row.
pub struct Qr {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// The side of a QR code on the page, quiet zone included: about 3.4 cm, which a phone reads
/// from a printed sheet at arm's length.
const QR_SIZE: f32 = 96.0;

/// A one-page A4 PDF showing the lines from the top, and the footer's lines (with a QR code at
/// their right, if any) at the bottom. The footer is drawn first, so it is always on the page;
/// body lines that would run into it are dropped, so the caller keeps lists short enough.
pub fn page(title: &str, lines: &[Line<'_>], footer: &[Line<'_>], qr: Option<&Qr>) -> Vec<u8> {
    let mut used = BTreeSet::new();
    let (w, h) = (PAGE_W - 2.0 * BORDER, PAGE_H - 2.0 * BORDER);
    let mut content = format!("0.8 w {BORDER} {BORDER} {w} {h} re S\n");
    let footer_w = if qr.is_some() { TEXT_W - QR_SIZE - 12.0 } else { TEXT_W };
    let footer_h: f32 = footer
        .iter()
        .map(|l| {
            let size = f32::from(l.size.max(1));
            #[expect(clippy::cast_precision_loss, reason = "a handful of rows")]
            let rows = wrap(l.text, size, footer_w).len() as f32;
            f32::from(l.gap_before) + rows * size * 1.5
        })
        .sum();
    let footer_top = MARGIN + footer_h.max(if qr.is_some() { QR_SIZE } else { 0.0 });
    draw(
        &mut content,
        &mut used,
        lines,
        PAGE_H - MARGIN,
        footer_top + 12.0,
        TEXT_W,
    );
    draw(&mut content, &mut used, footer, footer_top, MARGIN - 1.0, footer_w);
    if let Some(qr) = qr {
        draw_qr(&mut content, qr, PAGE_W - MARGIN - QR_SIZE, MARGIN);
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        stream(&content),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
         /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>"
            .to_owned(),
        // The /W ranges give ASCII half-width advances, matching the layout estimate; everything else is 1000.
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R \
         /DW 1000 /W [1 95 500 814 939 500 7712 7716 500 22127 22357 500] >>"
            .to_owned(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] \
         /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
            .to_owned(),
        stream(&to_unicode(&used)),
        format!("<< /Title <FEFF{}> /Producer (Yijia) >>", hex(title.encode_utf16())),
    ];
    assemble(&objects)
}

/// UTF-16 code units the UCS-2 CMap can show; astral characters have no 2-byte code, so they become '?'.
fn ucs2(text: &str) -> impl Iterator<Item = u16> + '_ {
    text.chars()
        .map(|c| u16::try_from(u32::from(c)).unwrap_or(u16::from(b'?')))
}

/// Draws lines down from `top`; one page only, so whatever would fall below `floor` is dropped
/// rather than drawn over the footer or off the paper.
fn draw(content: &mut String, used: &mut BTreeSet<u16>, lines: &[Line<'_>], top: f32, floor: f32, text_w: f32) {
    let mut top = top;
    for line in lines {
        let size = f32::from(line.size.max(1));
        top -= f32::from(line.gap_before);
        for row in wrap(line.text, size, text_w) {
            let baseline = top - size;
            if baseline < floor {
                return;
            }
            if !row.is_empty() {
                let x = if line.centred {
                    (PAGE_W - width(row, size)) / 2.0
                } else {
                    MARGIN
                };
                used.extend(ucs2(row));
                let text = hex(ucs2(row));
                let _ = writeln!(
                    content,
                    "BT /F1 {} Tf {x:.1} {baseline:.1} Td <{text}> Tj ET",
                    line.size
                );
            }
            top -= size * 1.5;
        }
    }
}

/// Draws a QR code as filled squares, with its quiet zone of four modules, its lower left
/// corner at (`x`, `y`): vector squares stay sharp at any zoom and need no image object.
fn draw_qr(content: &mut String, qr: &Qr, x: f32, y: f32) {
    if qr.width == 0 {
        return;
    }
    // QR codes are at most 177 modules a side; the conversions are exact.
    #[expect(clippy::cast_precision_loss, reason = "at most 185 modules")]
    let m = QR_SIZE / (qr.width + 8) as f32;
    content.push_str("0 g\n");
    for (i, dark) in qr.dark.iter().enumerate() {
        if *dark {
            #[expect(clippy::cast_precision_loss, reason = "at most 185 modules")]
            let (row, col) = ((i / qr.width) as f32, (i % qr.width) as f32);
            let _ = writeln!(
                content,
                "{:.2} {:.2} {m:.2} {m:.2} re",
                x + (col + 4.0) * m,
                y + QR_SIZE - (row + 5.0) * m
            );
        }
    }
    content.push_str("f\n");
}

fn hex(units: impl Iterator<Item = u16>) -> String {
    units.map(|u| format!("{u:04X}")).collect()
}

fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum::<f32>() * size
}

/// Breaks anywhere, not just at spaces: Chinese has no spaces, and the lines here are short prose.
fn wrap(text: &str, size: f32, text_w: f32) -> Vec<&str> {
    let mut rows = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i > start && width(&text[start..i + c.len_utf8()], size) > text_w {
            rows.push(&text[start..i]);
            start = i;
        }
    }
    rows.push(&text[start..]);
    rows
}

fn stream(data: &str) -> String {
    format!("<< /Length {} >>\nstream\n{data}\nendstream", data.len())
}

/// Codes of UniGB-UCS2-H are the Unicode values themselves, so each used code maps to itself.
fn to_unicode(used: &BTreeSet<u16>) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // The CMap syntax allows at most 100 entries per bfchar block.
    for chunk in used.iter().copied().collect::<Vec<_>>().chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for u in chunk {
            let _ = writeln!(cmap, "<{u:04X}> <{u:04X}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend");
    cmap
}

/// Objects are numbered from 1 in order; the catalog is 1 and the info dictionary is last.
fn assemble(objects: &[String]) -> Vec<u8> {
    // The binary comment tells transfer tools the file is not plain text.
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1);
    for offset in offsets {
        let _ = write!(tail, "{offset:010} 00000 n\r\n");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info {} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1,
        objects.len()
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let long = "兹证明该同志在本社区志愿服务活动中表现突出，累计服务时长达到规定要求，特发此证。".repeat(3);
        let lines = [
            Line {
                text: "志愿服务证明",
                size: 24,
                centred: true,
                gap_before: 20,
            },
            Line {
                text: &long,
                size: 14,
                centred: false,
                gap_before: 30,
            },
            Line {
                text: "No. 2024-001 (A)",
                size: 12,
                centred: false,
                gap_before: 10,
            },
        ];
        page("志愿服务证明 (张三)", &lines, &[], None)
    }

    /// One char per byte, so string indices are file offsets.
    fn text(pdf: &[u8]) -> String {
        pdf.iter()
            .map(|&b| if b.is_ascii() { b as char } else { '?' })
            .collect()
    }

    #[test]
    fn header_and_trailer() {
        let pdf = sample();
        assert!(pdf.starts_with(b"%PDF-1.4\n%"));
        assert!(pdf[10..14].iter().all(|&b| b >= 0x80));
        assert!(pdf.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let s = text(&sample());
        let at = s.rfind("startxref\n").unwrap() + "startxref\n".len();
        let xref: usize = s[at..].lines().next().unwrap().parse().unwrap();
        assert!(s[xref..].starts_with("xref\n0 10\n"));
        let table = xref + "xref\n0 10\n".len();
        assert_eq!(&s[table..table + 20], "0000000000 65535 f\r\n");
        for n in 1..10 {
            let entry = &s[table + 20 * n..table + 20 * (n + 1)];
            assert!(entry.ends_with(" 00000 n\r\n"), "{entry:?}");
            let offset: usize = entry[..10].parse().unwrap();
            assert!(s[offset..].starts_with(&format!("{n} 0 obj\n")), "object {n}");
        }
        assert!(s[table + 200..].starts_with("trailer\n<< /Size 10 /Root 1 0 R /Info 9 0 R >>"));
    }

    #[test]
    fn chinese_is_hex_ucs2() {
        let s = text(&sample());
        assert_eq!(hex(ucs2("志愿服务证明")), "5FD7613F670D52A18BC1660E");
        assert_eq!(hex(ucs2("a😀")), "0061003F", "no 2-byte code outside the BMP");
        assert!(s.contains("<5FD7613F670D52A18BC1660E> Tj"));
        assert!(s.contains("<5FD7> <5FD7>"), "ToUnicode maps used codes");
        assert!(s.contains("/Title <FEFF5FD7613F670D52A18BC1660E00200028"));
    }

    #[test]
    fn stream_lengths_match() {
        let s = text(&sample());
        let mut streams = 0;
        for (at, _) in s.match_indices("/Length ") {
            let length: usize = s[at + 8..].split(' ').next().unwrap().parse().unwrap();
            let start = at + s[at..].find("stream\n").unwrap() + "stream\n".len();
            assert_eq!(s[start..].find("\nendstream"), Some(length));
            streams += 1;
        }
        assert_eq!(streams, 2);
    }

    #[test]
    fn the_footer_and_its_qr_code_stay_on_the_page_when_the_body_is_too_long() {
        let many: Vec<String> = (0..80).map(|i| format!("服务 {i}")).collect();
        let body: Vec<Line<'_>> = many
            .iter()
            .map(|t| Line {
                text: t,
                size: 10,
                centred: false,
                gap_before: 2,
            })
            .collect();
        let footer = [Line {
            text: "https://yijia.example/volunteers/certificates/ABCDEFGHJKMN",
            size: 10,
            centred: false,
            gap_before: 0,
        }];
        let qr = Qr {
            width: 2,
            dark: vec![true, false, false, true],
        };
        let s = text(&page("t", &body, &footer, Some(&qr)));
        assert!(s.contains(&hex(ucs2("https://yijia.example/"))), "the URL is printed");
        assert!(!s.contains(&hex(ucs2("服务 79"))), "the body stops above the footer");
        assert_eq!(
            s.matches(" re\n").count(),
            2,
            "two dark modules (the border is stroked)"
        );
    }

    #[test]
    fn long_lines_wrap_and_parens_stay_in_hex() {
        let s = text(&sample());
        let start = s.find("4 0 obj").unwrap();
        let content = &s[start..start + s[start..].find("endstream").unwrap()];
        assert!(content.matches(" Tj").count() > 3, "the long line spans several rows");
        assert!(content.contains(&format!("<{}> Tj", hex(ucs2("No. 2024-001 (A)")))));
        assert!(!content.contains('(') && !content.contains(')'));
        let long = "志a".repeat(50);
        let rows = wrap(&long, 14.0, TEXT_W);
        assert!(rows.len() > 1 && rows.iter().all(|row| width(row, 14.0) <= TEXT_W));
        assert_eq!(rows.concat(), long);
    }
}
