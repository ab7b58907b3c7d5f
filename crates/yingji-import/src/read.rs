//! Reading spreadsheets: CSV (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves
//! it) and XLSX/XLS (the first sheet).

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use crate::{ImportError, Table};

/// Reads the first sheet (or the CSV) into text cells; the first non-empty row is the header.
pub fn read_table(path: &Path) -> Result<Table, ImportError> {
    let fail = |message: String| ImportError::Read { path: path.display().to_string(), message };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut rows: Vec<Vec<String>> = match ext.as_str() {
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
            let text = decode(&bytes);
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            reader
                .records()
                .map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect()))
                .collect::<Result<_, _>>()
                .map_err(|e| fail(e.to_string()))?
        }
        "xlsx" | "xlsm" | "xls" | "ods" => {
            let mut book = open_workbook_auto(path).map_err(|e| fail(e.to_string()))?;
            let sheet = book
                .worksheet_range_at(0)
                .ok_or_else(|| fail("the workbook has no sheets".to_owned()))?
                .map_err(|e| fail(e.to_string()))?;
            sheet.rows().map(|r| r.iter().map(cell_text).collect()).collect()
        }
        _ => return Err(fail("only .csv, .xlsx, .xls and .ods files can be imported".to_owned())),
    };
    let first = rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty()));
    let Some(first) = first else {
        return Err(ImportError::Empty { path: path.display().to_string() });
    };
    let headers = rows[first].iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
    let rows = rows.split_off(first + 1);
    Ok(Table { headers, rows })
}

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (days since 1899-12-30, the 1900 system) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    // Days since 1970-01-01, then the civil-from-days algorithm (Hinnant, "chrono-Compatible
    // Low-Level Date Algorithms", 2013).
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date(25_569.0), "1970-01-01");
        assert_eq!(excel_date(46_388.0), "2027-01-01");
        assert_eq!(excel_date(45_351.5), "2024-02-29");
    }

    #[test]
    fn gb18030_csv_is_decoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("名称,人数\n南京队,12\n");
        assert_eq!(decode(&bytes), "名称,人数\n南京队,12\n");
        assert_eq!(decode("\u{feff}a".as_bytes()), "a");
    }
}
