//! The river-network model on a 10 000-reach network: every main-stem receptor is reached, in
//! order, and no tributary receptor is. (Its speed is measured by `yingji-bench`, not here.)

use serde_json::{json, Value};
use yingji_model::{fixtures::synthetic_network, river_network};

#[test]
fn ten_thousand_reaches_route_to_every_downstream_receptor() {
    let request = synthetic_network(5000, 5000);
    assert_eq!(request.reaches.len(), 10_000);
    let response = river_network::run(&request).unwrap();

    // Every main-stem receptor is reached; no tributary receptor is.
    let reached = response.receptors.iter().filter(|r| r.peak_time_s.is_some()).count();
    assert_eq!(reached, 5000);
    // Downstream of the release the peak arrives later and later.
    let times: Vec<f64> = response.receptors[..5000].iter().map(|r| r.peak_time_s.unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]));

    // The JSON contract gives the same answer.
    let mut request_json = serde_json::to_value(&request).unwrap().as_object().unwrap().clone();
    request_json.insert("model".into(), json!("river_network"));
    let answer = yingji_model::run_json(&Value::Object(request_json)).unwrap();
    assert_eq!(answer["receptors"].as_array().unwrap().len(), 10_000);
    assert_eq!(answer["receptors"][4999]["peak_time_s"].as_f64(), response.receptors[4999].peak_time_s);
}
