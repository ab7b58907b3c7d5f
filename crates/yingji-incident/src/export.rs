//! Reports as files: PDF with the CJK font embedded (subset) and DOCX.
//!
//! * PDF: `krilla` — it embeds and subsets OpenType/TrueType fonts including CFF-flavoured ones
//!   and TrueType collections (Noto CJK ships as .ttc with CFF outlines), writes ToUnicode maps so
//!   the text can be searched and copied, and needs no system library. `printpdf` and `genpdf`
//!   embed whole fonts (tens of MB for CJK) or need TTF outlines.
//! * DOCX: a minimal WordprocessingML package written with `zip`, with the CJK font embedded as
//!   a subset holding exactly the document's characters (ECMA-376 Part 1 §17.8.1 font embedding,
//!   obfuscated per §17.8.1 as the format requires). The subset is made by `allsorts`, which
//!   (unlike krilla's PDF subsetter) writes a standalone OpenType font with its own `cmap`,
//!   `OS/2` and `name` tables, so a word processor can install it while the document is open.
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
    let width = |u: &str| u.chars().map(|c| if is_wide(c) { 1.0 } else { NARROW_EM }).sum::<f32>();
    // Units that stay on one line: a CJK character with the closing punctuation after it (GB/T
    // 15834 标点: ，。、；：？！ and closing brackets never begin a line), or a run of Latin letters
    // and digits (a number such as 5000 or a CAS number is never broken).
    let mut units: Vec<String> = Vec::new();
    for c in text.chars() {
        let closing = "，。、；：？！）》」』】,.;:?!)".contains(c);
        let latin = !is_wide(c) && !c.is_whitespace() && !closing;
        match units.last_mut() {
            Some(u) if closing => u.push(c),
            Some(u) if latin && u.chars().last().is_some_and(|l| !is_wide(l) && !l.is_whitespace()) => u.push(c),
            _ => units.push(c.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    for unit in units {
        let uw = width(&unit);
        if w + uw > width_em + 1e-3 && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            w = 0.0;
        }
        if uw > width_em + 1e-3 {
            // Longer than a line on its own: broken by character after all.
            for c in unit.chars() {
                let cw = width(&c.to_string());
                if w + cw > width_em + 1e-3 && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                }
                line.push(c);
                w += cw;
            }
        } else {
            line.push_str(&unit);
            w += uw;
        }
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

/// A subset of the CJK font holding the characters of `text`, as a standalone OpenType font, and
/// its family name (what `w:rFonts` must name for the embedded font to be used).
pub fn cjk_font_subset(text: &str) -> Result<(Vec<u8>, String)> {
    use allsorts::{
        binary::read::ReadScope, font::read_cmap_subtable, font_data::FontData, tables::cmap::Cmap,
        tables::FontTableProvider, tables::NameTable, tag,
    };
    let (path, index) = find_cjk_font()?;
    let data = std::fs::read(&path).map_err(|e| export_err(&format!("cannot read the font {}", path.display()), e))?;
    let bad = |e: &dyn std::fmt::Display| {
        export_err(&format!("cannot use the font {} face {index}", path.display()), e.to_string())
    };
    let font = ReadScope::new(&data).read::<FontData<'_>>().map_err(|e| bad(&e))?;
    let provider = font.table_provider(index as usize).map_err(|e| bad(&e))?;
    let name_data = provider.read_table_data(tag::NAME).map_err(|e| bad(&e))?;
    let names = ReadScope::new(&name_data).read::<NameTable<'_>>().map_err(|e| bad(&e))?;
    let family = names
        .string_for_id(NameTable::TYPOGRAPHIC_FAMILY_NAME)
        .or_else(|| names.string_for_id(NameTable::FONT_FAMILY_NAME))
        .ok_or_else(|| bad(&"the font has no family name"))?;
    let cmap_data = provider.read_table_data(tag::CMAP).map_err(|e| bad(&e))?;
    let cmap = ReadScope::new(&cmap_data).read::<Cmap<'_>>().map_err(|e| bad(&e))?;
    let (_, unicode) =
        read_cmap_subtable(&cmap).map_err(|e| bad(&e))?.ok_or_else(|| bad(&"the font has no Unicode cmap"))?;
    // Glyph 0 (.notdef) must be kept; characters the font lacks fall back to the reader's fonts.
    let mut glyphs = std::collections::BTreeSet::from([0u16]);
    for c in text.chars().chain(" 0123456789".chars()) {
        if let Some(g) = unicode.map_glyph(c as u32).map_err(|e| bad(&e))? {
            glyphs.insert(g);
        }
    }
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let profile = allsorts::subset::SubsetProfile::Minimal;
    let subset = allsorts::subset::subset(&provider, &glyphs, &profile, allsorts::subset::CmapTarget::Unrestricted)
        .map_err(|e| bad(&e))?;
    Ok((subset, family))
}

/// A font key (a GUID, `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`) derived from the font bytes, so
/// the same document gives the same file.
fn font_key(font: &[u8]) -> String {
    // FNV-1a (64 bit) twice with different offsets: any 16 bytes are a valid key.
    let fnv = |offset: u64| font.iter().fold(offset, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3));
    let hex = format!("{:016X}{:016X}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!("{{{}-{}-{}-{}-{}}}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// ECMA-376 Part 1 §17.8.1: an embedded font's first 32 bytes are XORed with the font key's 16
/// bytes taken in reverse order (the last pair of hex digits first). Applying it twice undoes it.
pub fn obfuscate_font(font: &mut [u8], key: &str) {
    let hex: Vec<u8> = key.bytes().filter(u8::is_ascii_hexdigit).collect();
    let byte =
        |i: usize| u8::from_str_radix(std::str::from_utf8(&hex[2 * i..2 * i + 2]).unwrap_or("00"), 16).unwrap_or(0);
    let key_bytes: Vec<u8> = (0..16).rev().map(byte).collect();
    for (i, b) in font.iter_mut().take(32).enumerate() {
        *b ^= key_bytes[i % 16];
    }
}

/// The report as a DOCX (Office Open XML, ECMA-376) document with the CJK font embedded.
pub fn report_docx(title: &str, body: &str) -> Result<Vec<u8>> {
    let (mut font, family) = cjk_font_subset(&format!("{title}{body}"))?;
    let key = font_key(&font);
    obfuscate_font(&mut font, &key);
    let family = xml_escape(&family);
    let fonts = format!(r#"<w:rFonts w:ascii="{family}" w:hAnsi="{family}" w:eastAsia="{family}" w:cs="{family}"/>"#);
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
    const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
    let document = format!(
        r#"{XML}
<w:document xmlns:w="{W}"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        paras.join("")
    );
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "[Content_Types].xml",
            format!(r#"{XML}
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.obfuscatedFont"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#).into_bytes(),
        ),
        (
            "_rels/.rels",
            format!(r#"{XML}
<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "docProps/core.xml",
            format!(
                r#"{XML}
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>应急 Yingji</dc:creator></cp:coreProperties>"#,
                xml_escape(title)
            ).into_bytes(),
        ),
        ("word/document.xml", document.into_bytes()),
        (
            "word/_rels/document.xml.rels",
            format!(r#"{XML}
<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{R}/fontTable" Target="fontTable.xml"/><Relationship Id="rId2" Type="{R}/settings" Target="settings.xml"/></Relationships>"#).into_bytes(),
        ),
        (
            "word/settings.xml",
            // Tells Word to keep the embedded font when the document is saved again.
            format!(r#"{XML}
<w:settings xmlns:w="{W}"><w:embedTrueTypeFonts/><w:saveSubsetFonts/></w:settings>"#).into_bytes(),
        ),
        (
            "word/fontTable.xml",
            format!(r#"{XML}
<w:fonts xmlns:w="{W}" xmlns:r="{R}"><w:font w:name="{family}"><w:charset w:val="86"/><w:family w:val="roman"/><w:embedRegular r:id="rId1" w:fontKey="{key}"/></w:font></w:fonts>"#).into_bytes(),
        ),
        (
            "word/_rels/fontTable.xml.rels",
            format!(r#"{XML}
<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{R}/font" Target="fonts/font1.odttf"/></Relationships>"#).into_bytes(),
        ),
        ("word/fonts/font1.odttf", font),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in files {
        zip.start_file(name, options).map_err(|e| export_err("cannot write the DOCX", e))?;
        zip.write_all(&content).map_err(|e| export_err("cannot write the DOCX", e))?;
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

    #[test]
    fn numbers_stay_whole_and_no_line_begins_with_closing_punctuation() {
        // 26 em of characters, then a number that would straddle the end of the 28-em line.
        let text = format!("{}估计约5000千克，已关闭。", "应".repeat(23));
        let lines = wrap(&text, 28.0);
        assert!(lines.iter().any(|l| l.contains("5000")), "{lines:?}");
        let punctuated = wrap(&format!("{}，下一句", "应".repeat(28)), 28.0);
        assert!(punctuated.iter().all(|l| !l.starts_with('，')), "{punctuated:?}");
        assert_eq!(punctuated[0].chars().count(), 27, "the last character moves down with its comma");
    }

    #[test]
    fn obfuscation_xors_the_first_32_bytes_with_the_reversed_key_and_undoes_itself() {
        let key = "{00112233-4455-6677-8899-AABBCCDDEEFF}";
        let original: Vec<u8> = (0..40).collect();
        let mut font = original.clone();
        obfuscate_font(&mut font, key);
        // The key's last byte (0xFF) comes first, its first (0x00) sixteenth.
        assert_eq!(font[0], 0xFF);
        assert_eq!(font[15], 15);
        assert_eq!(font[16], 16 ^ 0xFF);
        assert_eq!(font[32..], original[32..]);
        obfuscate_font(&mut font, key);
        assert_eq!(font, original);
    }

    #[test]
    fn the_docx_font_subset_maps_the_documents_characters() {
        use allsorts::{
            binary::read::ReadScope, font::read_cmap_subtable, font_data::FontData, tables::cmap::Cmap,
            tables::FontTableProvider, tag,
        };
        let (subset, family) = cjk_font_subset("突发环境事件信息报告").unwrap();
        assert!(family.contains("CJK") || !family.is_empty(), "{family}");
        let font = ReadScope::new(&subset).read::<FontData<'_>>().unwrap();
        let provider = font.table_provider(0).unwrap();
        let cmap_data = provider.read_table_data(tag::CMAP).unwrap();
        let cmap = ReadScope::new(&cmap_data).read::<Cmap<'_>>().unwrap();
        let (_, unicode) = read_cmap_subtable(&cmap).unwrap().unwrap();
        for c in "突发环境事件信息报告".chars() {
            assert!(unicode.map_glyph(c as u32).unwrap().is_some_and(|g| g > 0), "{c} is in the subset");
        }
        assert_eq!(unicode.map_glyph('鑫' as u32).unwrap().unwrap_or(0), 0, "a character not in the text is not");
        assert!(subset.len() < 400_000, "a subset, not the whole font: {} bytes", subset.len());
    }
}
