//! Synthetic inputs for tests and benchmarks (not a model).

use crate::river_network::{NetworkReach, NetworkReceptor, NetworkRelease, RiverNetworkRequest};

/// Deterministic pseudo-random numbers in [0, 1) (a 64-bit LCG, Knuth MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A synthetic network: a main stem of `main_stem` reaches with `tributaries` one-reach
/// tributaries joining it at random nodes, a receptor at the end of every reach and a release at
/// the top of the stem. Deterministic. Used by tests and by the benchmark.
pub fn synthetic_network(main_stem: usize, tributaries: usize) -> RiverNetworkRequest {
    let mut rng = Lcg(2026);
    let mut reaches = Vec::with_capacity(main_stem + tributaries);
    // Tributary j joins the main stem at node m(j); flows accumulate down the stem.
    let mut joining_flow = vec![0.0; main_stem + 1];
    let mut tributary_reaches = Vec::with_capacity(tributaries);
    for j in 0..tributaries {
        let node = 1 + (rng.next() * (main_stem - 1) as f64) as usize;
        let flow_m3_s = 0.5 + 5.0 * rng.next();
        joining_flow[node] += flow_m3_s;
        tributary_reaches.push(reach(
            &format!("t{j}"),
            &format!("spring{j}"),
            &format!("m{node}"),
            flow_m3_s,
            &mut rng,
        ));
    }
    let mut flow_m3_s = 10.0;
    for (i, joining_m3_s) in joining_flow.iter().take(main_stem).enumerate() {
        flow_m3_s += joining_m3_s;
        reaches.push(reach(&format!("m{i}"), &format!("m{i}"), &format!("m{}", i + 1), flow_m3_s, &mut rng));
    }
    reaches.extend(tributary_reaches);
    let receptors = reaches
        .iter()
        .map(|r| NetworkReceptor { name: format!("at {}", r.id), reach: r.id.clone(), offset_m: r.length_m })
        .collect();
    RiverNetworkRequest {
        reaches,
        release: NetworkRelease { reach: "m0".into(), offset_m: 0.0, mass_kg: 20_000.0 },
        receptors,
        threshold_mg_l: 0.001,
    }
}

fn reach(id: &str, from: &str, to: &str, flow_m3_s: f64, rng: &mut Lcg) -> NetworkReach {
    let velocity_m_s = 0.2 + rng.next();
    NetworkReach {
        id: id.into(),
        from: from.into(),
        to: to.into(),
        length_m: 500.0 + 2000.0 * rng.next(),
        velocity_m_s,
        area_m2: flow_m3_s / velocity_m_s,
        dispersion_m2_s: 5.0 + 50.0 * rng.next(),
        decay_per_s: 1e-6 * rng.next(),
        flow_m3_s,
    }
}
