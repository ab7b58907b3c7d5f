//! Scope and rights. A replica pulls its own region, the regions around it and province-wide
//! reference data; it writes only its own region's records.
//!
//! "Around": for a county or a city replica, its city, every county of that city, and every
//! city whose centre lies within [`NEIGHBOUR_CITY_KM`] of its city's centre, with their
//! counties; plus records held at province level (`320000`). A province replica sees all.

use std::collections::BTreeSet;

/// Cities whose centres are this close count as neighbours. Jiangsu's adjacent city seats are
/// 50–130 km apart (e.g. Nanjing–Zhenjiang 65 km, Nanjing–Yangzhou 75 km), non-adjacent ones
/// mostly farther; measured on the region coordinates in `assets/demo/jiangsu-geo.json`.
pub const NEIGHBOUR_CITY_KM: f64 = 100.0;

/// Mean Earth radius, km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0;

#[derive(Debug, Clone)]
pub struct RegionInfo {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// `320102` → `320100`; `320100` → itself; `320000` → itself.
pub fn city_of(code: &str) -> String {
    if code.len() == 6 && !code.ends_with("0000") {
        format!("{}00", &code[..4])
    } else {
        code.to_owned()
    }
}

pub fn is_province(code: &str) -> bool {
    code.len() == 6 && code.ends_with("0000")
}

/// May a device of `device_region` write a record of `record_region`?
pub fn may_write(device_region: &str, record_region: &str) -> bool {
    if is_province(device_region) {
        return record_region.starts_with(&device_region[..2]);
    }
    if device_region.ends_with("00") {
        return record_region.starts_with(&device_region[..4]);
    }
    device_region == record_region
}

fn km(a: &RegionInfo, b: &RegionInfo) -> Option<f64> {
    let (la1, lo1, la2, lo2) = (a.lat?.to_radians(), a.lon?.to_radians(), b.lat?.to_radians(), b.lon?.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    Some(2.0 * EARTH_RADIUS_KM * h.sqrt().asin())
}

/// Region codes whose records a device of `device_region` pulls; `None` = everything.
pub fn visible_regions(device_region: &str, regions: &[RegionInfo]) -> Option<BTreeSet<String>> {
    if is_province(device_region) {
        return None;
    }
    let city = city_of(device_region);
    let mut cities = BTreeSet::from([city.clone()]);
    if let Some(own) = regions.iter().find(|r| r.code == city) {
        for other in regions.iter().filter(|r| r.level == "city") {
            if km(own, other).is_some_and(|d| d <= NEIGHBOUR_CITY_KM) {
                cities.insert(other.code.clone());
            }
        }
    }
    let mut out: BTreeSet<String> = cities.clone();
    out.insert(format!("{}0000", &device_region[..2]));
    out.insert(device_region.to_owned());
    for r in regions {
        if r.parent_code.as_ref().is_some_and(|p| cities.contains(p)) {
            out.insert(r.code.clone());
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_follow_the_region_tree() {
        assert!(may_write("320102", "320102"));
        assert!(!may_write("320102", "320104"));
        assert!(may_write("320100", "320104"));
        assert!(!may_write("320100", "320200"));
        assert!(may_write("320000", "321302"));
        assert_eq!(city_of("320102"), "320100");
    }

    #[test]
    fn a_county_sees_its_city_and_close_cities() {
        let r = |code: &str, parent: Option<&str>, level: &str, lat: f64, lon: f64| RegionInfo {
            code: code.into(),
            parent_code: parent.map(Into::into),
            level: level.into(),
            lat: Some(lat),
            lon: Some(lon),
        };
        let regions = vec![
            r("320000", None, "province", 32.06, 118.8),
            r("320100", Some("320000"), "city", 32.06, 118.80),
            r("320102", Some("320100"), "county", 32.05, 118.79),
            r("320104", Some("320100"), "county", 32.02, 118.78),
            r("321100", Some("320000"), "city", 32.19, 119.42), // Zhenjiang, ~60 km
            r("321102", Some("321100"), "county", 32.2, 119.45),
            r("320300", Some("320000"), "city", 34.26, 117.18), // Xuzhou, ~290 km
            r("320302", Some("320300"), "county", 34.27, 117.19),
        ];
        let seen = visible_regions("320102", &regions).unwrap();
        for c in ["320000", "320100", "320102", "320104", "321100", "321102"] {
            assert!(seen.contains(c), "{c}");
        }
        assert!(!seen.contains("320300") && !seen.contains("320302"));
        assert!(visible_regions("320000", &regions).is_none());
    }
}
