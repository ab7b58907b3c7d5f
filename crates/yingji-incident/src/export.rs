//! Reports as files: PDF with the CJK font embedded (subset) and DOCX.
//!
//! * PDF: `krilla` — it embeds and subsets OpenType/TrueType fonts including CFF-flavoured ones
//!   and TrueType collections (Noto CJK ships as .ttc with CFF outlines), writes ToUnicode maps so
//!   the text can be searched and copied, and needs no system library. `printpdf` and `genpdf`
//!   embed whole fonts (tens of MB for CJK) or need TTF outlines.
//! * DOCX: a minimal WordprocessingML package written with `zip`; fonts are named (Noto Serif CJK
//!   SC, then 宋体/SimSun as East Asian fallbacks), not embedded: the reader's CJK font is used.
//! * Page layout after GB/T 9704-2012 党政机关公文格式 §5.2: A4, text block 156 × 225 mm, top
//!   margin 37 mm, left margin 28 mm, 22 lines of 28 characters, body in 三号 (16 pt).

use std::{io::Write, path::PathBuf, sync::Arc};

use krilla::{
    geom::Point,
    page::PageSettings,
    text::{Font, TextDirection},
    Document,
};

use crate::{IncidentError, Result};

/// Points per millimetre (1 pt = 1/72 in, 1 in = 25.4 mm).
const PT_PER_MM: f32 = 72.0 / 25.4;
/// ISO 216 A4, mm.
const A4_W_MM: f32 = 210.0;
const A4_H_MM: f32 = 297.0;
/// GB/T 9704-2012 §5.2.1–5.2.2: top margin 37 mm, left margin 28 mm, text block 156 × 225 mm.
const TOP_MM: f32 = 37.0;
const LEFT_MM: f32 = 28.0;
const BLOCK_W_MM: f32 = 156.0;
const BLOCK_H_MM: f32 = 225.0;
/// GB/T 9704-2012 §5.2.3: 22 lines per page, 28 characters per line.
const LINES_PER_PAGE: usize = 22;
const CHARS_PER_LINE: f32 = 28.0;
/// 二号 = 22 pt for the title (GB/T 9704-2012 §7.3.3 uses 2号小标宋 for the title).
const TITLE_PT: f32 = 22.0;
/// Width of a non-CJK character in em: Noto CJK's proportional Latin glyphs are ≤ 0.6 em wide
/// for digits and most letters; counting 0.6 never overflows the line.
pub const NARROW_EM: f32 = 0.6;

/// Where a CJK font is looked for: `YINGJI_CJK_FONT` (a path, optionally `path#index`), then
/// Debian's fonts-noto-cjk (face 2 of the collections is Simplified Chinese).
pub fn find_cjk_font() -> Result<(PathBuf, u32)> {
    if let Ok(v) = std::env::var("YINGJI_CJK_FONT") {
        let (p, i) = v.rsplit_once('#').map(|(p, i)| (p.to_owned(), i.parse().unwrap_or(0))).unwrap_or((v.clone(), 0));
        return Ok((PathBuf::from(p), i));
    }
    let candidates = [
        ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
        ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
        ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ];
    for (p, i) in candidates {
        if std::path::Path::new(p).exists() {
            return Ok((PathBuf::from(p), i));
        }
    }
    Err(IncidentError::NoCjkFont { searched: candidates.iter().map(|c| c.0).collect::<Vec<_>>().join(", ") })
}

/// Whether `c` is drawn one em wide (CJK ideographs, kana, hangul, full-width forms).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// Breaks a paragraph into lines of at most `width_em` ems.
pub fn wrap(text: &str, width_em: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    for c in text.chars() {
        let cw = if is_wide(c) { 1.0 } else { NARROW_EM };
        if w + cw > width_em + 1e-3 && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            w = 0.0;
        }
        line.push(c);
        w += cw;
    }
    lines.push(line);
    lines
}

fn export_err(what: &str, e: impl std::fmt::Display) -> IncidentError {
    IncidentError::Export { message: format!("{what}: {e}") }
}

/// The CJK font of [`find_cjk_font`], loaded for krilla (also used by the plan cards of `yingji-prep`).
pub fn load_cjk_font() -> Result<Font> {
    let (path, index) = find_cjk_font()?;
    let data = std::fs::read(&path).map_err(|e| export_err(&format!("cannot read the font {}", path.display()), e))?;
    Font::new(Arc::new(data).into(), index)
        .ok_or_else(|| export_err("cannot use the font", format!("{} face {index}", path.display())))
}

/// The report as a PDF with the CJK font subset and embedded.
pub fn report_pdf(title: &str, body: &str) -> Result<Vec<u8>> {
    let font = load_cjk_font()?;
    let (page_w, page_h) = (A4_W_MM * PT_PER_MM, A4_H_MM * PT_PER_MM);
    let (left, top) = (LEFT_MM * PT_PER_MM, TOP_MM * PT_PER_MM);
    let block_w = BLOCK_W_MM * PT_PER_MM;
    let line_h = BLOCK_H_MM * PT_PER_MM / LINES_PER_PAGE as f32;
    let body_pt = block_w / CHARS_PER_LINE;

    // Lay out: (text, size, x) per line; the title centred, paragraphs indented two characters.
    let mut lines: Vec<(String, f32, f32)> = Vec::new();
    for l in wrap(title, block_w / TITLE_PT) {
        let w: f32 = l.chars().map(|c| if is_wide(c) { TITLE_PT } else { TITLE_PT * NARROW_EM }).sum();
        lines.push((l, TITLE_PT, left + (block_w - w).max(0.0) / 2.0));
    }
    lines.push((String::new(), body_pt, left));
    for para in body.split('\n') {
        let indented =
            if para.trim().is_empty() { String::new() } else { format!("\u{3000}\u{3000}{}", para.trim_end()) };
        for l in wrap(&indented, CHARS_PER_LINE) {
            lines.push((l, body_pt, left));
        }
    }

    let mut doc = Document::new();
    let pages: Vec<_> = lines.chunks(LINES_PER_PAGE).collect();
    let n_pages = pages.len();
    for (i, chunk) in pages.into_iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(page_w, page_h).expect("A4 is a valid size"));
        let mut surface = page.surface();
        for (j, (text, size, x)) in chunk.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let baseline = top + line_h * j as f32 + size;
            surface.draw_text(Point::from_xy(*x, baseline), font.clone(), *size, text, false, TextDirection::Auto);
        }
        // GB/T 9704-2012 §7.5: page numbers as "— N —" below the text block.
        let number = format!("— {} / {n_pages} —", i + 1);
        let nw = number.chars().count() as f32 * 14.0 * NARROW_EM;
        surface.draw_text(
            Point::from_xy(left + (block_w - nw) / 2.0, top + BLOCK_H_MM * PT_PER_MM + 14.0 * PT_PER_MM),
            font.clone(),
            14.0,
            &number,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| export_err("cannot write the PDF", format!("{e:?}")))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The report as a DOCX (Office Open XML, ECMA-376) document.
pub fn report_docx(title: &str, body: &str) -> Result<Vec<u8>> {
    let fonts = r#"<w:rFonts w:ascii="Noto Serif CJK SC" w:hAnsi="Noto Serif CJK SC" w:eastAsia="Noto Serif CJK SC" w:cs="Noto Serif CJK SC"/>"#;
    let run = |text: &str, half_pt: u32, bold: bool| {
        format!(
            r#"<w:r><w:rPr>{fonts}{}<w:sz w:val="{half_pt}"/><w:szCs w:val="{half_pt}"/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
            if bold { "<w:b/>" } else { "" },
            xml_escape(text)
        )
    };
    let mut paras = vec![format!(
        r#"<w:p><w:pPr><w:jc w:val="center"/><w:spacing w:after="480"/></w:pPr>{}</w:p>"#,
        run(title, 44, true)
    )];
    for para in body.split('\n') {
        // Body: 三号 (16 pt = 32 half-points), first line indented two characters (640 twips).
        paras.push(format!(
            r#"<w:p><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/><w:spacing w:line="560" w:lineRule="exact"/></w:pPr>{}</w:p>"#,
            run(para.trim_end(), 32, false)
        ));
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        paras.join("")
    );
    let files: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#.into(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#.into(),
        ),
        (
            "docProps/core.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>应急 Yingji</dc:creator></cp:coreProperties>"#,
                xml_escape(title)
            ),
        ),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in files {
        zip.start_file(name, options).map_err(|e| export_err("cannot write the DOCX", e))?;
        zip.write_all(content.as_bytes()).map_err(|e| export_err("cannot write the DOCX", e))?;
    }
    Ok(zip.finish().map_err(|e| export_err("cannot write the DOCX", e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_counts_cjk_as_one_em_and_latin_as_narrow() {
        let lines = wrap(&"应".repeat(30), 28.0);
        assert_eq!(lines.iter().map(|l| l.chars().count()).collect::<Vec<_>>(), [28, 2]);
        let lines = wrap(&"a".repeat(50), 28.0);
        assert_eq!(lines[0].chars().count(), 46);
    }
}
