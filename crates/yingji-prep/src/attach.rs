//! Attachments of plans (the plan document: PDF or DOCX) and of inspection findings (evidence:
//! also JPEG or PNG photos), kept in the replica. The type is read from the file's first bytes,
//! never from its name; files above [`MAX_ATTACHMENT_BYTES`] are refused.
//!
//! Attachments stay on the replica that received them (they do not sync, see migration 0008).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use yingji_store::{new_id, Clock};

use crate::{PrepError, Result};

/// The largest attachment, bytes: 20 MiB (this crate's limit, so the replica stays small enough
/// to copy; a scanned plan of a few hundred pages fits). Also CHECKed by migration 0008.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

pub const PDF: &str = "application/pdf";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";

/// What an attachment is for: the plan document, or evidence of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    Plan(&'a str),
    Finding(&'a str),
}

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttachmentInfo {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    pub added_by: String,
    pub created_at: String,
}

/// The media type of `bytes` by their magic numbers: PDF (`%PDF-`, ISO 32000-1 §7.5.2), DOCX
/// (a ZIP local file header `PK\x03\x04`, ECMA-376 Part 2, holding `word/document.xml`), JPEG
/// (`FF D8 FF`) or PNG (the 8-byte signature of ISO/IEC 15948 §5.2). `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Entry names are stored uncompressed in the local headers and the central directory.
        let holds = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        (holds(b"word/document.xml") && holds(b"[Content_Types].xml")).then_some(DOCX)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else {
        None
    }
}

fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "empty file".to_owned();
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return "a ZIP archive that is not a Word document (XLSX? ZIP?)".to_owned();
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return "an old binary Office file (.doc/.xls); save it as DOCX or PDF".to_owned();
    }
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// Refuses an attachment of `size_bytes` above [`MAX_ATTACHMENT_BYTES`]. [`add`] checks the bytes
/// it is given; [`read_file`] checks a file's length before reading it into memory.
pub fn check_size(file_name: &str, size_bytes: u64) -> Result<()> {
    if size_bytes > MAX_ATTACHMENT_BYTES {
        return Err(PrepError::TooLarge {
            file_name: file_name.to_owned(),
            size_bytes,
            max_bytes: MAX_ATTACHMENT_BYTES,
        });
    }
    Ok(())
}

/// Reads a file to attach: its name and bytes, refusing a file above the limit before reading
/// it. The bytes then go through [`add`] like bytes sent by the window, so both paths are
/// checked the same way.
pub fn read_file(path: &Path) -> Result<(String, Vec<u8>)> {
    let io = |source| PrepError::Io { path: path.to_owned(), source };
    let meta = std::fs::metadata(path).map_err(io)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    check_size(&name, meta.len())?;
    Ok((name, std::fs::read(path).map_err(io)?))
}

/// Stores `bytes` as an attachment of `owner`, after checking size and type.
pub fn add(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    owner: Owner<'_>,
    file_name: &str,
    bytes: &[u8],
    added_by: &str,
) -> Result<AttachmentInfo> {
    let file_name = file_name.trim();
    if file_name.is_empty() {
        return Err(crate::invalid("file_name", "请填写文件名", "the file needs a name"));
    }
    let size = bytes.len() as u64;
    check_size(file_name, size)?;
    let (expected, allowed): (&'static str, &[&str]) = match owner {
        Owner::Plan(_) => ("PDF or DOCX", &[PDF, DOCX]),
        Owner::Finding(_) => ("PDF, DOCX, JPEG or PNG", &[PDF, DOCX, JPEG, PNG]),
    };
    let media_type = match sniff(bytes) {
        Some(t) if allowed.contains(&t) => t,
        _ => return Err(PrepError::WrongType { file_name: file_name.to_owned(), expected, found: describe(bytes) }),
    };
    let (region_code, plan_id, finding_id) = match owner {
        Owner::Plan(id) => {
            let region: Option<String> =
                tx.query_row("SELECT region_code FROM emergency_plans WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            (region.ok_or(PrepError::NotFound { kind: "emergency plan", id: id.to_owned() })?, Some(id), None)
        }
        Owner::Finding(id) => {
            let region: Option<String> = tx
                .query_row("SELECT region_code FROM inspection_findings WHERE id = ?1", [id], |r| r.get(0))
                .optional()?;
            (region.ok_or(PrepError::NotFound { kind: "finding", id: id.to_owned() })?, None, Some(id))
        }
    };
    let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let info = AttachmentInfo {
        id: new_id(),
        file_name: file_name.to_owned(),
        media_type: media_type.to_owned(),
        size_bytes: size,
        sha256,
        added_by: added_by.trim().to_owned(),
        created_at: clock.now_rfc3339(),
    };
    tx.execute(
        "INSERT INTO prep_attachments (id, region_code, plan_id, finding_id, file_name, media_type, size_bytes, sha256,
             content, added_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            info.id,
            region_code,
            plan_id,
            finding_id,
            info.file_name,
            info.media_type,
            info.size_bytes as i64,
            info.sha256,
            bytes,
            info.added_by,
            info.created_at
        ],
    )?;
    Ok(info)
}

fn list(conn: &Connection, column: &str, id: &str) -> Result<Vec<AttachmentInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, file_name, media_type, size_bytes, sha256, added_by, created_at FROM prep_attachments
         WHERE {column} = ?1 ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([id], |r| {
        Ok(AttachmentInfo {
            id: r.get(0)?,
            file_name: r.get(1)?,
            media_type: r.get(2)?,
            size_bytes: r.get::<_, i64>(3)? as u64,
            sha256: r.get(4)?,
            added_by: r.get(5)?,
            created_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The attachments of a plan, oldest first.
pub fn of_plan(conn: &Connection, plan_id: &str) -> Result<Vec<AttachmentInfo>> {
    list(conn, "plan_id", plan_id)
}

/// The attachments of a finding, oldest first.
pub fn of_finding(conn: &Connection, finding_id: &str) -> Result<Vec<AttachmentInfo>> {
    list(conn, "finding_id", finding_id)
}

/// An attachment's name and bytes.
pub fn content(conn: &Connection, id: &str) -> Result<(String, Vec<u8>)> {
    conn.query_row("SELECT file_name, content FROM prep_attachments WHERE id = ?1", [id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()?
    .ok_or(PrepError::NotFound { kind: "attachment", id: id.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{plans, testutil};

    fn minimal_docx() -> Vec<u8> {
        yingji_incident::export::report_docx("预案", "正文").unwrap()
    }

    fn a_plan(tx: &Transaction<'_>) -> String {
        tx.query_row("SELECT id FROM emergency_plans ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn types_are_read_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(PDF));
        assert_eq!(sniff(&minimal_docx()), Some(DOCX));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(JPEG));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(PNG));
        assert_eq!(sniff(b"PK\x03\x04 xl/workbook.xml [Content_Types].xml"), None, "a spreadsheet is not a DOCX");
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn plan_attachments_are_checked_for_size_and_type_and_kept_whole() {
        let mut store = testutil::demo();
        let clock = testutil::clock();
        let tx = store.transaction().unwrap();
        let plan = a_plan(&tx);
        let docx = minimal_docx();
        let info = add(&tx, &clock, Owner::Plan(&plan), "预案.docx", &docx, "张三").unwrap();
        assert_eq!(info.media_type, DOCX);
        assert_eq!(info.size_bytes, docx.len() as u64);
        assert_eq!(info.sha256.len(), 64);
        // A PDF named .docx is still a PDF: the name does not decide.
        let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
        assert_eq!(add(&tx, &clock, Owner::Plan(&plan), "misnamed.docx", &pdf, "").unwrap().media_type, PDF);
        // A photo is not a plan document.
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let e = add(&tx, &clock, Owner::Plan(&plan), "photo.png", &png, "").unwrap_err();
        assert!(matches!(e, PrepError::WrongType { .. }), "{e}");
        let e = add(&tx, &clock, Owner::Plan(&plan), "old.doc", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1], "").unwrap_err();
        assert!(e.to_string().contains(".doc"), "{e}");
        // One byte over the limit is refused; exactly the limit is taken.
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_ATTACHMENT_BYTES as usize + 1, b' ');
        let e = add(&tx, &clock, Owner::Plan(&plan), "big.pdf", &big, "").unwrap_err();
        assert!(matches!(e, PrepError::TooLarge { size_bytes, .. } if size_bytes == MAX_ATTACHMENT_BYTES + 1), "{e}");
        big.truncate(MAX_ATTACHMENT_BYTES as usize);
        add(&tx, &clock, Owner::Plan(&plan), "limit.pdf", &big, "").unwrap();
        let listed = of_plan(&tx, &plan).unwrap();
        assert_eq!(listed.len(), 3);
        let (name, back) = content(&tx, &info.id).unwrap();
        assert_eq!((name.as_str(), back), ("预案.docx", docx));
        // A finding takes photos too, but not a text file; an empty name is refused.
        let finding: String =
            tx.query_row("SELECT id FROM inspection_findings ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
        assert_eq!(add(&tx, &clock, Owner::Finding(&finding), "p.png", &png, "").unwrap().media_type, PNG);
        let e = add(&tx, &clock, Owner::Finding(&finding), "a.txt", b"plain text", "").unwrap_err();
        assert!(matches!(e, PrepError::WrongType { .. }), "{e}");
        let e = add(&tx, &clock, Owner::Plan(&plan), "  ", &pdf, "").unwrap_err();
        assert!(matches!(e, PrepError::Invalid { field: "file_name", .. }), "{e}");
        let none = add(&tx, &clock, Owner::Plan("no-such-plan"), "a.pdf", &pdf, "").unwrap_err();
        assert!(matches!(none, PrepError::NotFound { .. }));
        let _ = plans::get(&tx, &plan).unwrap();
    }

    #[test]
    fn files_are_read_through_the_same_checks_and_refused_by_length_before_reading() {
        let dir = std::env::temp_dir().join(format!("yingji-attach-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pdf = dir.join("计划.pdf");
        std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").unwrap();
        let (name, bytes) = read_file(&pdf).unwrap();
        assert_eq!((name.as_str(), bytes.as_slice()), ("计划.pdf", &b"%PDF-1.4\n%%EOF\n"[..]));
        // A sparse file one byte over the limit: refused from its length alone.
        let big = dir.join("big.pdf");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_ATTACHMENT_BYTES + 1).unwrap();
        let e = read_file(&big).unwrap_err();
        assert!(matches!(e, PrepError::TooLarge { size_bytes, .. } if size_bytes == MAX_ATTACHMENT_BYTES + 1), "{e}");
        let e = read_file(&dir.join("missing.pdf")).unwrap_err();
        assert!(matches!(e, PrepError::Io { .. }), "{e}");
        assert!(check_size("x", MAX_ATTACHMENT_BYTES).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
