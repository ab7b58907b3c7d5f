//! Incident actions as the window offers them beyond the CLI's: a material request served
//! from warehouses the commander picks, and exports written into a folder under a readable
//! file name (the window shows the path).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use yingji_incident::{
    self as inc,
    dispatch::{self, NewRequest},
    report,
};

use crate::{ApiError, Console, ErrorCode, MaterialRequestDto, RequestOutcomeDto};

/// A quantity taken from one stock line.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AllocationPickDto {
    pub stock_item_id: String,
    pub quantity: f64,
}

/// A file written by an export.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportedFileDto {
    pub path: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

/// A file name from free text: no path separators or characters file systems refuse.
pub fn file_name_part(s: &str) -> String {
    let cleaned: String =
        s.trim().chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).take(60).collect();
    if cleaned.is_empty() {
        "incident".into()
    } else {
        cleaned
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<ExportedFileDto, ApiError> {
    let failed = |e: std::io::Error| {
        ApiError::new(
            ErrorCode::Internal,
            format!("无法写入 {}：{e}。请检查磁盘空间和文件夹权限。", path.display()),
            format!("cannot write {}: {e}", path.display()),
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    std::fs::write(path, bytes).map_err(failed)?;
    Ok(ExportedFileDto { path: path.display().to_string(), bytes: bytes.len() as u64 })
}

impl Console {
    /// A material request served from the stock lines the commander picked (one or more
    /// warehouses), or nearest first when none is picked. One transaction: all or nothing.
    pub fn request_materials_from(
        &mut self,
        id: &str,
        req: &MaterialRequestDto,
        picks: &[AllocationPickDto],
        author: &str,
    ) -> Result<RequestOutcomeDto, ApiError> {
        if picks.is_empty() {
            return self.request_materials(id, req, author);
        }
        let clock = self.clock.clone();
        let tx = self.store.transaction()?;
        let new = NewRequest {
            item: req.item.clone(),
            quantity: req.quantity,
            unit: req.unit.clone(),
            unit_cost_yuan: req.unit_cost_yuan,
        };
        let request_id = dispatch::request(&tx, clock.as_ref(), id, &new, author)?;
        let mut allocations = Vec::new();
        for p in picks {
            allocations.push(dispatch::allocate(
                &tx,
                clock.as_ref(),
                &request_id,
                &p.stock_item_id,
                p.quantity,
                author,
            )?);
        }
        tx.commit()?;
        let allocated: f64 = allocations.iter().map(|a| a.quantity).sum();
        Ok(RequestOutcomeDto {
            request_id,
            item: req.item.trim().into(),
            requested: req.quantity,
            unit: req.unit.trim().into(),
            allocated,
            shortfall: (req.quantity - allocated).max(0.0),
            allocations: allocations.into_iter().map(crate::incidents::allocation_dto).collect(),
        })
    }

    /// Writes a report version into `dir` as `<incident>-<kind>-v<version>.<format>`.
    pub fn export_report_to(&self, report_id: &str, format: &str, dir: &Path) -> Result<ExportedFileDto, ApiError> {
        let r = report::get(self.store.conn(), report_id)?;
        let i = inc::get(self.store.conn(), &r.incident_id)?;
        let name = format!(
            "{}-{}-v{}.{}",
            file_name_part(&i.name),
            r.kind.label_zh(),
            r.version,
            if format == "pdf" { "pdf" } else { "docx" }
        );
        let path: PathBuf = dir.join(name);
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("无法创建导出文件夹 {}：{e}。请检查磁盘空间和文件夹权限。", dir.display()),
                format!("cannot create the export folder {}: {e}", dir.display()),
            )
        })?;
        self.export_report(report_id, format, &path)?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(ExportedFileDto { path: path.display().to_string(), bytes })
    }

    /// Writes a warning as CAP 1.2 XML into `dir` as `<incident>-预警-<time>.xml`.
    pub fn export_warning_cap_to(&self, warning_id: &str, dir: &Path) -> Result<ExportedFileDto, ApiError> {
        let (incident_id, issued_at): (String, String) = self
            .store
            .conn()
            .query_row("SELECT incident_id, issued_at FROM incident_warnings WHERE id = ?1", [warning_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => ApiError::new(
                    ErrorCode::RecordNotFound,
                    format!("找不到预警 {warning_id}"),
                    format!("no warning with id {warning_id}"),
                ),
                e => e.into(),
            })?;
        let i = inc::get(self.store.conn(), &incident_id)?;
        // CAP's sender: this console, named by the incident's region (no spaces or commas).
        let sender = format!("yingji-{}@console", i.region_code);
        let xml = self.warning_cap_xml(warning_id, &sender)?;
        let stamp: String = issued_at.chars().filter(|c| c.is_ascii_digit()).take(14).collect();
        write_file(&dir.join(format!("{}-预警-{stamp}.xml", file_name_part(&i.name))), xml.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report is written into a folder that does not exist yet, under a readable name.
    #[test]
    fn a_report_exports_into_a_new_folder() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        crate::init(&db, true, 2026).unwrap();
        let mut c = Console::open(&db).unwrap();
        let i = c
            .create_incident(&crate::NewIncidentDto {
                name: "苯/泄漏".into(),
                incident_type: "water".into(),
                lat: 33.64,
                lon: 118.87,
                region_code: None,
                risk_source_id: None,
                source_description: String::new(),
                occurred_at: None,
                reported_by: "值班员".into(),
                exercise: true,
                pollutants: vec![],
            })
            .unwrap();
        let r = c.save_report(&i.id, "initial", None, "值班员").unwrap();
        let out = dir.path().join("exports/new");
        let f = c.export_report_to(&r.id, "docx", &out).unwrap();
        assert_eq!(f.path, out.join("苯_泄漏-初报-v1.docx").display().to_string());
        assert!(f.bytes > 0 && std::fs::metadata(&f.path).unwrap().len() == f.bytes);
    }

    #[test]
    fn file_names_drop_separators() {
        assert_eq!(file_name_part(" a/b\\c:d "), "a_b_c_d");
        assert_eq!(file_name_part(""), "incident");
        assert_eq!(file_name_part("苯泄漏入江"), "苯泄漏入江");
    }
}
