//! One worked request per JSON form (and a few errors), shared by the round-trip test and by
//! `docs/model-api.md`. The test `docs_show_the_examples` checks that the document shows each
//! example with the answer this code gives; run it with `UPDATE_MODEL_API_DOC=1` to rewrite
//! the document's example blocks from the code (like `expect-test`'s `UPDATE_EXPECT`).

use serde_json::{json, Value};

/// Named example requests, in the order the document shows them.
pub(crate) fn examples() -> Vec<(&'static str, Value)> {
    vec![
        ("sigma", json!({"model": "sigma", "set": "briggs_rural", "stability": "D", "x_m": 1000})),
        (
            "wind_profile",
            json!({"model": "wind_profile", "u_ref_m_s": 3.0, "z_ref_m": 10, "z_m": 30, "stability": "E", "terrain": "rural"}),
        ),
        (
            "plume",
            json!({
                "model": "plume", "q_kg_s": 2.0, "height_m": 10, "wind_speed_m_s": 3.0, "stability": "D",
                "sigma": "briggs_rural",
                "receptors": [{"x_m": 500, "y_m": 0, "z_m": 0}, {"x_m": 2000, "y_m": 50, "z_m": 1.5}, {"x_m": -100, "y_m": 0, "z_m": 0}]
            }),
        ),
        (
            "plume_fixed_sigma",
            json!({
                "model": "plume", "q_kg_s": 0.003, "height_m": 0, "wind_speed_m_s": 7.0,
                "sigma": {"sigma_y_m": 190, "sigma_z_m": 65},
                "receptors": [{"x_m": 3000, "y_m": 0, "z_m": 0}]
            }),
        ),
        (
            "puff",
            json!({
                "model": "puff", "mass_kg": 1.0, "height_m": 0, "wind_speed_m_s": 2.0, "stability": "F",
                "sigma": "slade_puff",
                "receptors": [{"x_m": 500, "y_m": 0, "z_m": 0, "t_s": 250}, {"x_m": 500, "y_m": 5, "z_m": 0, "t_s": 240}]
            }),
        ),
        (
            "plume_rise",
            json!({
                "model": "plume_rise", "exit_velocity_m_s": 10, "diameter_m": 2, "stack_temp_k": 450,
                "ambient_temp_k": 298.15, "wind_speed_m_s": 5, "stability": "D"
            }),
        ),
        (
            "threat_zone",
            json!({
                "model": "threat_zone",
                "release": {"model": "plume", "q_kg_s": 2.0, "height_m": 0, "wind_speed_m_s": 3.0, "stability": "D", "sigma": "briggs_rural"},
                "molar_mass_g_mol": 70.906,
                "levels": [{"name": "AEGL-3", "ppm": 20}, {"name": "AEGL-2", "ppm": 2}, {"name": "AEGL-1", "ppm": 0.5}]
            }),
        ),
        (
            "source_liquid_hole",
            json!({
                "model": "source", "kind": "liquid_hole", "density_kg_m3": 879.4, "hole_diameter_m": 0.00254,
                "gauge_pressure_pa": 689475.7, "discharge_coefficient": 0.61, "head_m": 0, "duration_s": 5400
            }),
        ),
        (
            "source_tank_drain",
            json!({
                "model": "source", "kind": "tank_drain", "density_kg_m3": 879.4, "tank_diameter_m": 2.4384,
                "liquid_height_m": 3.6576, "pad_gauge_pressure_pa": 101325, "hole_diameter_m": 0.0254, "discharge_coefficient": 0.61
            }),
        ),
        (
            "source_gas_hole",
            json!({
                "model": "source", "kind": "gas_hole", "molar_mass_kg_mol": 0.070906, "heat_capacity_ratio": 1.33,
                "upstream_pressure_pa": 800000, "upstream_temp_k": 293.15, "hole_diameter_m": 0.01,
                "discharge_coefficient": 0.85, "ambient_pressure_pa": 101325
            }),
        ),
        (
            "source_pool_evaporation",
            json!({
                "model": "source", "kind": "pool_evaporation", "molar_mass_g_mol": 78.11, "pool_area_m2": 200,
                "liquid_temp_k": 298.15, "vapor_pressure_pa": 12700, "mass_transfer": "crowl_louvar"
            }),
        ),
        (
            "river",
            json!({
                "model": "river",
                "release": {"mass_kg": 10000},
                "reach": {"velocity_m_s": 0.6, "area_m2": 1500, "dispersion_m2_s": 100, "decay_per_s": 1e-6},
                "receptors": [{"name": "intake A", "x_m": 20000}, {"name": "intake B", "x_m": 60000}],
                "threshold_mg_l": 0.017,
                "at": [{"x_m": 20000, "t_s": 30000}, {"x_m": 20000, "t_s": 36000}]
            }),
        ),
        (
            "river_finite",
            json!({
                "model": "river",
                "release": {"rate_kg_s": 2.0, "duration_s": 3600},
                "reach": {"velocity_m_s": 0.6, "area_m2": 1500, "dispersion_m2_s": 100, "decay_per_s": 0},
                "receptors": [{"name": "intake A", "x_m": 20000}],
                "threshold_mg_l": 0.001
            }),
        ),
        (
            "river_steady",
            json!({
                "model": "river_steady", "effluent_mg_l": 50, "effluent_flow_m3_s": 2, "upstream_mg_l": 1,
                "upstream_flow_m3_s": 18, "velocity_m_s": 0.3, "dispersion_m2_s": 20, "decay_per_s": 2e-5,
                "receptors_x_m": [0, 1000, 10000]
            }),
        ),
        (
            "dispersion_coefficient",
            json!({"model": "dispersion_coefficient", "width_m": 50, "depth_m": 2, "velocity_m_s": 0.8, "slope": 0.0002}),
        ),
        (
            "river_network",
            json!({
                "model": "river_network",
                "reaches": [
                    {"id": "canal-1", "from": "gate", "to": "junction", "length_m": 8000, "velocity_m_s": 0.4,
                     "area_m2": 100, "dispersion_m2_s": 30, "decay_per_s": 0, "flow_m3_s": 40},
                    {"id": "creek", "from": "hills", "to": "junction", "length_m": 5000, "velocity_m_s": 0.5,
                     "area_m2": 40, "dispersion_m2_s": 10, "decay_per_s": 0, "flow_m3_s": 20},
                    {"id": "canal-2", "from": "junction", "to": "lake", "length_m": 12000, "velocity_m_s": 0.5,
                     "area_m2": 120, "dispersion_m2_s": 40, "decay_per_s": 0, "flow_m3_s": 60}
                ],
                "release": {"reach": "canal-1", "offset_m": 1000, "mass_kg": 500},
                "receptors": [
                    {"name": "bridge", "reach": "canal-1", "offset_m": 6000},
                    {"name": "waterworks", "reach": "canal-2", "offset_m": 9000},
                    {"name": "creek mouth", "reach": "creek", "offset_m": 4000}
                ],
                "threshold_mg_l": 0.01
            }),
        ),
        (
            "lake",
            json!({
                "model": "lake", "mass_kg": 500, "depth_m": 2.5, "ex_m2_s": 1.0, "ey_m2_s": 0.5,
                "velocity_m_s": 0.02, "decay_per_s": 0,
                "at": [{"x_m": 100, "y_m": 0, "t_s": 3600}, {"x_m": 100, "y_m": 50, "t_s": 3600}],
                "peaks": [{"x_m": 500, "y_m": 0}, {"x_m": 500, "y_m": 100}]
            }),
        ),
        ("error_wrong_type", json!({"model": "sigma", "set": "briggs_rural", "stability": "D", "x_m": "1000"})),
        (
            "error_out_of_range",
            json!({
                "model": "puff", "mass_kg": 10, "height_m": 0, "wind_speed_m_s": 0.5, "stability": "F",
                "sigma": "slade_puff", "receptors": []
            }),
        ),
        (
            "error_nested",
            json!({
                "model": "river_network",
                "reaches": [{"id": "r1", "from": "a", "to": "b", "length_m": 1000, "velocity_m_s": 0.5,
                             "area_m2": 100, "dispersion_m2_s": 10, "decay_per_s": 0, "flow_m3_s": 5}],
                "release": {"reach": "r1", "offset_m": 0, "mass_kg": 1},
                "receptors": [], "threshold_mg_l": 0.01
            }),
        ),
    ]
}

/// The example requests that succeed.
pub(crate) fn requests() -> Vec<Value> {
    examples().into_iter().filter(|(name, _)| !name.starts_with("error")).map(|(_, v)| v).collect()
}

/// The answer the document shows for a request: the response, or the error body.
fn answer(request: &Value) -> Value {
    match crate::run_json(request) {
        Ok(response) => response,
        Err(e) => e.to_error_json(),
    }
}

/// JSON laid out for reading: an object or list stays on one line when it fits in 96 columns.
fn layout(value: &Value, indent: usize) -> String {
    let compact = compact(value);
    if indent + compact.len() <= 96 {
        return compact;
    }
    let pad = " ".repeat(indent + 2);
    let close = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            let items: Vec<String> = ordered(map)
                .into_iter()
                .map(|(k, v)| format!("{pad}{}: {}", Value::String(k.clone()), layout(v, indent + 2)))
                .collect();
            format!("{{\n{}\n{close}}}", items.join(",\n"))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| format!("{pad}{}", layout(v, indent + 2))).collect();
            format!("[\n{}\n{close}]", items.join(",\n"))
        }
        other => other.to_string(),
    }
}

/// Keys in reading order: the tags and names first, then alphabetical.
fn ordered(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    const FIRST: [&str; 7] = ["model", "kind", "name", "id", "from", "to", "reach"];
    let rank = |k: &str| FIRST.iter().position(|f| *f == k).unwrap_or(FIRST.len());
    let mut items: Vec<(&String, &Value)> = map.iter().collect();
    items.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    items
}

fn compact(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let items: Vec<String> = ordered(map)
                .into_iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), compact(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(compact).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// Numbers equal to 1e-9 relative (other platforms' `exp`/`ln` may differ in the last bits).
fn approx_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| approx_eq(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| approx_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The JSON code blocks after `<!-- example: NAME -->`: (start, end) byte ranges of the
/// request and the response block contents.
fn example_blocks(doc: &str, name: &str) -> Option<[(usize, usize); 2]> {
    let marker = format!("<!-- example: {name} -->");
    let mut at = doc.find(&marker)? + marker.len();
    let mut blocks = [(0, 0); 2];
    for block in &mut blocks {
        let open = doc[at..].find("```json\n")? + at + "```json\n".len();
        let close = doc[open..].find("```")? + open;
        *block = (open, close);
        at = close + 3;
    }
    Some(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/model-api.md");

    /// `docs/model-api.md` shows every example with the answer this code gives.
    /// `UPDATE_MODEL_API_DOC=1 cargo test -p yingji-model docs_show` rewrites the blocks.
    #[test]
    fn docs_show_the_examples() {
        let mut doc = std::fs::read_to_string(DOC_PATH).expect("docs/model-api.md is readable");
        let update = std::env::var_os("UPDATE_MODEL_API_DOC").is_some();
        for (name, request) in examples() {
            let want = answer(&request);
            let blocks = example_blocks(&doc, name).unwrap_or_else(|| {
                panic!("docs/model-api.md lacks `<!-- example: {name} -->` with two ```json blocks")
            });
            if update {
                let [(req_start, req_end), (resp_start, resp_end)] = blocks;
                let new_response = format!("{}\n", layout(&want, 0));
                let new_request = format!("{}\n", layout(&request, 0));
                doc.replace_range(resp_start..resp_end, &new_response);
                doc.replace_range(req_start..req_end, &new_request);
                continue;
            }
            let shown_request: Value = serde_json::from_str(&doc[blocks[0].0..blocks[0].1])
                .unwrap_or_else(|e| panic!("{name}: the request block is not JSON: {e}"));
            let shown_answer: Value = serde_json::from_str(&doc[blocks[1].0..blocks[1].1])
                .unwrap_or_else(|e| panic!("{name}: the response block is not JSON: {e}"));
            assert_eq!(
                shown_request, request,
                "{name}: the document shows another request; run with UPDATE_MODEL_API_DOC=1"
            );
            assert!(
                approx_eq(&shown_answer, &want),
                "{name}: the document shows\n{shown_answer}\nbut the code answers\n{want}\n(run with UPDATE_MODEL_API_DOC=1)"
            );
        }
        if update {
            std::fs::write(DOC_PATH, doc).expect("docs/model-api.md is writable");
        }
    }

    #[test]
    fn layout_keeps_short_values_on_one_line() {
        let v = json!({"a": [1, 2], "b": {"c": "d"}});
        assert_eq!(layout(&v, 0), r#"{"a": [1, 2], "b": {"c": "d"}}"#);
        let long = json!({"receptors": (0..20).map(|i| json!({"x_m": i * 1000})).collect::<Vec<_>>()});
        assert!(layout(&long, 0).starts_with("{\n  \"receptors\": [\n    {\"x_m\": 0},"));
    }
}
