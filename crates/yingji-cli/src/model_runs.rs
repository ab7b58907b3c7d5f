//! `yingji model runs`: the saved model runs, newest first (through the façade).

use std::path::Path;

use yingji_api::{ApiError, Console};

/// Prints the saved runs: JSON with `--json`, else one line each in the user's language.
pub fn list(db: &Path, json: bool, lang: &str) -> Result<(), ApiError> {
    let runs = Console::open(db)?.model_runs()?;
    if json {
        return crate::print_json(&runs);
    }
    let en = lang.starts_with("en");
    if runs.is_empty() {
        println!("{}", if en { "no saved model runs" } else { "没有已保存的模型运行" });
        return Ok(());
    }
    for r in runs {
        let kind = match (r.kind.as_str(), en) {
            ("gas_release", false) => "气体泄漏",
            ("river_spill", false) => "河流污染",
            ("gas_release", true) => "gas release",
            ("river_spill", true) => "river spill",
            (other, _) => other,
        };
        println!(
            "{}  {}  {:<12}  {}  {}  {}  v{}{}",
            r.id,
            r.created_at,
            kind,
            r.substance,
            if r.place.is_empty() { "-" } else { &r.place },
            r.region_name,
            r.model_version,
            r.label.map(|l| format!("  [{l}]")).unwrap_or_default()
        );
    }
    Ok(())
}
