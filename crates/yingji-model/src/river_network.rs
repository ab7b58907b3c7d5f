//! A spill routed through a network of river reaches (spec §8.4).
//!
//! **Method: moments along a topological order (frozen cloud).** The passing cloud is described
//! at any point by three numbers: the mass that passes (∫C·Q dt), the mean passage time t̄ and
//! the variance of the passage time σ_t². Along a reach of length L (velocity u, dispersion E,
//! loss k) travel times and temporal variances add and the mass decays
//! (Fischer et al. 1979; Rutherford 1994):
//!
//! ```text
//! t̄ += L/u,   σ_t² += 2·E·L/u³,   m *= exp(−k·L/u)
//! ```
//!
//! and at a receptor in a reach of flow Q the concentration passes as a Gaussian in time,
//! `C(t) = m/(Q·√(2π)·σ_t)·exp(−(t − t̄)²/(2σ_t²))`. The peak equals the 1D slug model's
//! frozen-cloud peak `M/(A·√(4πEx/u))` in a single reach.
//!
//! **Nodes.** Every node mixes what arrives by flow: the clouds arriving at a node are merged
//! into one with the same mass, mean and variance (moment matching; exact for a confluence of a
//! clean tributary, an approximation where two branches of the same spill rejoin). The mixed
//! concentration is `Σ Qᵢ·Cᵢ / max(Q_in, Q_out)`: when the reaches leaving carry more water than
//! the reaches arriving, the extra water is clean lateral inflow; when they carry less, the
//! difference leaves the network (a withdrawal) with its share of the mass. Each leaving reach
//! takes mass in proportion to its flow. A reach whose `from` node no other reach ends at
//! brings clean water. Nothing travels upstream (the frozen-cloud approximation), so a receptor
//! upstream of the release, or on a branch the spill never enters, is never reached.
//!
//! Each reach's `flow_m3_s` must equal `velocity_m_s × area_m2` to within 5 %: the flow sets the
//! dilution, the velocity the travel time, and a mismatch is usually a unit slip.
//!
//! **Cost.** One pass over the reaches in topological order (Kahn's algorithm) and one
//! constant-time evaluation per receptor: O(reaches + receptors), no time-stepping.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::constants::{kg_m3_to_mg_l, KG_M3_PER_MG_L};
use crate::error::{check, ModelError};
use crate::fields::{Fields, FromFields};
use crate::numeric::SQRT_2PI;
use crate::river::ReceptorStats;

/// Largest relative mismatch allowed between `flow_m3_s` and `velocity_m_s × area_m2`
/// (this crate's choice: loose enough for rounded survey data, tight enough to catch unit slips).
pub const FLOW_CONSISTENCY_TOLERANCE: f64 = 0.05;

/// One reach of the network, from node `from` to node `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkReach {
    pub id: String,
    pub from: String,
    pub to: String,
    pub length_m: f64,
    pub velocity_m_s: f64,
    pub area_m2: f64,
    pub dispersion_m2_s: f64,
    pub decay_per_s: f64,
    pub flow_m3_s: f64,
}

impl FromFields for NetworkReach {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(NetworkReach {
            id: f.id("id")?,
            from: f.id("from")?,
            to: f.id("to")?,
            length_m: f.number("length_m")?,
            velocity_m_s: f.number("velocity_m_s")?,
            area_m2: f.number("area_m2")?,
            dispersion_m2_s: f.number("dispersion_m2_s")?,
            decay_per_s: f.number("decay_per_s")?,
            flow_m3_s: f.number("flow_m3_s")?,
        })
    }
}

impl NetworkReach {
    fn check(&self) -> Result<(), ModelError> {
        check::name("id", &self.id)?;
        check::name("from", &self.from)?;
        check::name("to", &self.to)?;
        if self.from == self.to {
            return Err(ModelError::invalid("to", format!("the reach starts and ends at node \"{}\"", self.to)));
        }
        check::positive("length_m", self.length_m, "the reach length")?;
        check::positive("velocity_m_s", self.velocity_m_s, "the mean velocity")?;
        check::positive("area_m2", self.area_m2, "the cross-sectional area")?;
        check::positive("dispersion_m2_s", self.dispersion_m2_s, "the longitudinal dispersion coefficient")?;
        check::non_negative("decay_per_s", self.decay_per_s, "the first-order loss rate")?;
        check::positive("flow_m3_s", self.flow_m3_s, "the flow")?;
        let implied_m3_s = self.velocity_m_s * self.area_m2;
        if (implied_m3_s - self.flow_m3_s).abs() > FLOW_CONSISTENCY_TOLERANCE * self.flow_m3_s {
            return Err(ModelError::invalid(
                "flow_m3_s",
                format!(
                    "the flow ({} m³/s) must equal velocity × area ({} × {} = {implied_m3_s} m³/s) to within 5 %; \
                     check the units, or set area_m2 to {} m²",
                    self.flow_m3_s,
                    self.velocity_m_s,
                    self.area_m2,
                    self.flow_m3_s / self.velocity_m_s
                ),
            ));
        }
        Ok(())
    }
}

/// An instantaneous release of `mass_kg` at `offset_m` from the upstream end of `reach`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkRelease {
    pub reach: String,
    pub offset_m: f64,
    pub mass_kg: f64,
}

impl FromFields for NetworkRelease {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(NetworkRelease { reach: f.id("reach")?, offset_m: f.number("offset_m")?, mass_kg: f.number("mass_kg")? })
    }
}

/// A receptor at `offset_m` from the upstream end of `reach`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkReceptor {
    pub name: String,
    pub reach: String,
    pub offset_m: f64,
}

impl FromFields for NetworkReceptor {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(NetworkReceptor { name: f.text("name")?, reach: f.id("reach")?, offset_m: f.number("offset_m")? })
    }
}

/// `{"model": "river_network", "reaches", "release", "receptors", "threshold_mg_l"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverNetworkRequest {
    pub reaches: Vec<NetworkReach>,
    pub release: NetworkRelease,
    pub receptors: Vec<NetworkReceptor>,
    pub threshold_mg_l: f64,
}

impl FromFields for RiverNetworkRequest {
    fn from_fields(f: &mut Fields<'_>) -> Result<Self, ModelError> {
        Ok(RiverNetworkRequest {
            reaches: f.list("reaches")?,
            release: f.object("release")?,
            receptors: f.list("receptors")?,
            threshold_mg_l: f.number("threshold_mg_l")?,
        })
    }
}

/// Receptor statistics in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiverNetworkResponse {
    pub receptors: Vec<ReceptorStats>,
}

/// The spill as it passes one point: mass, and mean and variance of the passage time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cloud {
    /// ∫C·Q dt at this point, kg.
    pub mass_kg: f64,
    pub mean_time_s: f64,
    pub time_variance_s2: f64,
}

impl Cloud {
    /// The cloud `distance_m` further down `reach`.
    pub fn advected(self, reach: &NetworkReach, distance_m: f64) -> Cloud {
        let travel_s = distance_m / reach.velocity_m_s;
        Cloud {
            mass_kg: self.mass_kg * (-reach.decay_per_s * travel_s).exp(),
            mean_time_s: self.mean_time_s + travel_s,
            time_variance_s2: self.time_variance_s2
                + 2.0 * reach.dispersion_m2_s * distance_m / reach.velocity_m_s.powi(3),
        }
    }

    /// Concentration passing at time `t_s` in a flow of `flow_m3_s`, kg/m³.
    pub fn concentration_kg_m3(&self, flow_m3_s: f64, t_s: f64) -> f64 {
        let d = t_s - self.mean_time_s;
        self.peak_kg_m3(flow_m3_s) * (-(d * d) / (2.0 * self.time_variance_s2)).exp()
    }

    /// Peak concentration `m/(Q·√(2π)·σ_t)`, kg/m³.
    pub fn peak_kg_m3(&self, flow_m3_s: f64) -> f64 {
        self.mass_kg / (flow_m3_s * SQRT_2PI * self.time_variance_s2.sqrt())
    }

    /// Receptor statistics for a threshold in kg/m³. First-above times that the Gaussian puts
    /// before the release are reported as 0.
    pub fn stats(&self, name: &str, flow_m3_s: f64, threshold_kg_m3: f64) -> ReceptorStats {
        let peak = self.peak_kg_m3(flow_m3_s);
        let (first_above_s, last_above_s) = if peak >= threshold_kg_m3 && peak > 0.0 {
            let half_s = self.time_variance_s2.sqrt() * (2.0 * (peak / threshold_kg_m3).ln()).sqrt();
            (Some((self.mean_time_s - half_s).max(0.0)), Some(self.mean_time_s + half_s))
        } else {
            (None, None)
        };
        ReceptorStats {
            name: name.to_string(),
            first_above_s,
            peak_time_s: Some(self.mean_time_s),
            peak_mg_l: kg_m3_to_mg_l(peak),
            last_above_s,
        }
    }
}

/// Sums of the clouds arriving at a node, relative to the first arrival's mean time.
#[derive(Debug, Clone, Copy, Default)]
struct Arrivals {
    reference_time_s: f64,
    mass_kg: f64,
    mass_time_kg_s: f64,
    mass_second_moment_kg_s2: f64,
}

impl Arrivals {
    fn add(&mut self, cloud: Cloud) {
        if self.mass_kg == 0.0 {
            self.reference_time_s = cloud.mean_time_s;
        }
        let dt = cloud.mean_time_s - self.reference_time_s;
        self.mass_kg += cloud.mass_kg;
        self.mass_time_kg_s += cloud.mass_kg * dt;
        self.mass_second_moment_kg_s2 += cloud.mass_kg * (cloud.time_variance_s2 + dt * dt);
    }

    /// The merged cloud with the same mass, mean and variance.
    fn merged(&self) -> Cloud {
        let mean_dt = self.mass_time_kg_s / self.mass_kg;
        Cloud {
            mass_kg: self.mass_kg,
            mean_time_s: self.reference_time_s + mean_dt,
            time_variance_s2: (self.mass_second_moment_kg_s2 / self.mass_kg - mean_dt * mean_dt).max(0.0),
        }
    }
}

/// The spill routed through the network.
#[derive(Debug, Clone)]
pub struct Routing {
    /// The cloud entering each reach at its upstream end, in the order of the request's reaches
    /// (`None` where the spill never arrives). The release reach's entry is `None`: its cloud
    /// starts at the release point.
    pub entering: Vec<Option<Cloud>>,
    /// Mass leaving the network where reaches end at a node no reach leaves from, kg.
    pub outlet_mass_kg: f64,
    /// Mass leaving with water withdrawn at nodes where less flow leaves than arrives, kg.
    pub withdrawn_mass_kg: f64,
    /// The reach of each receptor, by position in the request.
    pub receptor_reaches: Vec<usize>,
    release_reach: usize,
}

impl Routing {
    /// The cloud as it passes `offset_m` along reach number `reach` (`None` if never reached).
    pub fn cloud_at(&self, request: &RiverNetworkRequest, reach: usize, offset_m: f64) -> Option<Cloud> {
        let r = &request.reaches[reach];
        if reach == self.release_reach {
            let release = &request.release;
            if offset_m <= release.offset_m {
                return None;
            }
            let start = Cloud { mass_kg: release.mass_kg, mean_time_s: 0.0, time_variance_s2: 0.0 };
            return Some(start.advected(r, offset_m - release.offset_m));
        }
        self.entering[reach].map(|c| c.advected(r, offset_m))
    }
}

/// Validates the request and routes the spill through the network.
pub fn route(request: &RiverNetworkRequest) -> Result<Routing, ModelError> {
    let reaches = &request.reaches;
    let mut reach_index: HashMap<&str, usize> = HashMap::with_capacity(reaches.len());
    for (i, r) in reaches.iter().enumerate() {
        r.check().map_err(|e| e.under(&format!("reaches[{i}]")))?;
        if let Some(first) = reach_index.insert(r.id.as_str(), i) {
            return Err(ModelError::invalid(
                format!("reaches[{i}].id"),
                format!("reach id \"{}\" is used twice (also by reaches[{first}])", r.id),
            ));
        }
    }
    check::positive("threshold_mg_l", request.threshold_mg_l, "the threshold")?;
    let release = &request.release;
    let release_reach = *reach_index
        .get(release.reach.as_str())
        .ok_or_else(|| ModelError::invalid("release.reach", format!("no reach has id \"{}\"", release.reach)))?;
    check::non_negative("release.mass_kg", release.mass_kg, "the released mass")?;
    check_offset(release.offset_m, &reaches[release_reach]).map_err(|e| e.under("release"))?;
    let mut receptor_reaches = Vec::with_capacity(request.receptors.len());
    for (i, receptor) in request.receptors.iter().enumerate() {
        let reach = check_receptor(receptor, &reach_index, reaches, release_reach, release.offset_m)
            .map_err(|e| e.under(&format!("receptors[{i}]")))?;
        receptor_reaches.push(reach);
    }

    // Nodes, the reaches leaving each, and the flows in and out.
    let mut node_index: HashMap<&str, usize> = HashMap::with_capacity(reaches.len() + 1);
    let mut ends: Vec<(usize, usize)> = Vec::with_capacity(reaches.len());
    for r in reaches {
        let from = intern(&mut node_index, &r.from);
        let to = intern(&mut node_index, &r.to);
        ends.push((from, to));
    }
    let nodes = node_index.len();
    let mut leaving: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    let mut arriving_reaches = vec![0usize; nodes];
    let mut flow_in_m3_s = vec![0.0; nodes];
    let mut flow_out_m3_s = vec![0.0; nodes];
    for (i, &(from, to)) in ends.iter().enumerate() {
        leaving[from].push(i);
        arriving_reaches[to] += 1;
        flow_in_m3_s[to] += reaches[i].flow_m3_s;
        flow_out_m3_s[from] += reaches[i].flow_m3_s;
    }

    // Topological order of the nodes (Kahn).
    let mut order: Vec<usize> = (0..nodes).filter(|&n| arriving_reaches[n] == 0).collect();
    let mut remaining = arriving_reaches.clone();
    let mut next = 0;
    while next < order.len() {
        let n = order[next];
        next += 1;
        for &r in &leaving[n] {
            let to = ends[r].1;
            remaining[to] -= 1;
            if remaining[to] == 0 {
                order.push(to);
            }
        }
    }
    if order.len() < nodes {
        let in_cycle = reach_on_a_loop(&ends, &remaining);
        return Err(ModelError::invalid(
            format!("reaches[{in_cycle}].to"),
            format!(
                "the reaches form a loop through reach \"{}\"; a river network must flow one way (check from/to)",
                reaches[in_cycle].id
            ),
        ));
    }

    // Route the cloud in that order.
    let mut arrivals = vec![Arrivals::default(); nodes];
    let mut entering: Vec<Option<Cloud>> = vec![None; reaches.len()];
    let mut outlet_mass_kg = 0.0;
    let mut withdrawn_mass_kg = 0.0;
    for &n in &order {
        if arrivals[n].mass_kg > 0.0 {
            let mixed = arrivals[n].merged();
            let mixing_flow_m3_s = flow_in_m3_s[n].max(flow_out_m3_s[n]);
            if leaving[n].is_empty() {
                outlet_mass_kg += mixed.mass_kg;
            } else {
                withdrawn_mass_kg += mixed.mass_kg * (1.0 - flow_out_m3_s[n] / mixing_flow_m3_s).max(0.0);
            }
            for &r in &leaving[n] {
                let share = reaches[r].flow_m3_s / mixing_flow_m3_s;
                entering[r] = Some(Cloud { mass_kg: mixed.mass_kg * share, ..mixed });
            }
        }
        for &r in &leaving[n] {
            let reach = &reaches[r];
            let exit = if r == release_reach {
                let start = Cloud { mass_kg: release.mass_kg, mean_time_s: 0.0, time_variance_s2: 0.0 };
                Some(start.advected(reach, reach.length_m - release.offset_m))
            } else {
                entering[r].map(|c| c.advected(reach, reach.length_m))
            };
            if let Some(cloud) = exit {
                if cloud.mass_kg > 0.0 {
                    arrivals[ends[r].1].add(cloud);
                }
            }
        }
    }
    entering[release_reach] = None;
    Ok(Routing { entering, outlet_mass_kg, withdrawn_mass_kg, receptor_reaches, release_reach })
}

/// A reach on a loop, given the nodes Kahn's algorithm could not order (`remaining > 0`): walk
/// upstream from one of them through reaches that come from such nodes until a node repeats.
fn reach_on_a_loop(ends: &[(usize, usize)], remaining: &[usize]) -> usize {
    let unordered = |node: usize| remaining[node] > 0;
    let mut arriving: Vec<Vec<usize>> = vec![Vec::new(); remaining.len()];
    for (r, &(from, to)) in ends.iter().enumerate() {
        if unordered(from) && unordered(to) {
            arriving[to].push(r);
        }
    }
    let mut seen = vec![false; remaining.len()];
    let mut node = (0..remaining.len()).find(|&n| unordered(n) && !arriving[n].is_empty()).unwrap_or(0);
    let mut reach = 0;
    while !seen[node] {
        seen[node] = true;
        let Some(&r) = arriving[node].first() else { break };
        reach = r;
        node = ends[r].0;
    }
    reach
}

/// The index of node `name`, adding it if new.
fn intern<'a>(index: &mut HashMap<&'a str, usize>, name: &'a str) -> usize {
    let next = index.len();
    *index.entry(name).or_insert(next)
}

fn check_offset(offset_m: f64, reach: &NetworkReach) -> Result<(), ModelError> {
    check::non_negative("offset_m", offset_m, "the offset from the upstream end of the reach")?;
    if offset_m > reach.length_m {
        return Err(ModelError::invalid(
            "offset_m",
            format!(
                "the offset ({offset_m} m) is beyond the end of reach \"{}\" ({} m long)",
                reach.id, reach.length_m
            ),
        ));
    }
    Ok(())
}

/// Checks a receptor and returns the index of its reach; field paths relative to the receptor.
fn check_receptor(
    receptor: &NetworkReceptor,
    reach_index: &HashMap<&str, usize>,
    reaches: &[NetworkReach],
    release_reach: usize,
    release_offset_m: f64,
) -> Result<usize, ModelError> {
    check::name("name", &receptor.name)?;
    let reach = *reach_index
        .get(receptor.reach.as_str())
        .ok_or_else(|| ModelError::invalid("reach", format!("no reach has id \"{}\"", receptor.reach)))?;
    check_offset(receptor.offset_m, &reaches[reach])?;
    if reach == release_reach && receptor.offset_m == release_offset_m {
        return Err(ModelError::invalid(
            "offset_m",
            "a receptor at the release point sees an unbounded peak; place it downstream of the release",
        ));
    }
    Ok(reach)
}

/// Receptor statistics for a spill routed through a river network.
pub fn run(request: &RiverNetworkRequest) -> Result<RiverNetworkResponse, ModelError> {
    let routing = route(request)?;
    let threshold_kg_m3 = request.threshold_mg_l * KG_M3_PER_MG_L;
    let receptors = request
        .receptors
        .iter()
        .zip(&routing.receptor_reaches)
        .map(|(receptor, &reach)| match routing.cloud_at(request, reach, receptor.offset_m) {
            Some(cloud) if cloud.mass_kg > 0.0 => {
                cloud.stats(&receptor.name, request.reaches[reach].flow_m3_s, threshold_kg_m3)
            }
            _ => ReceptorStats {
                name: receptor.name.clone(),
                first_above_s: None,
                peak_time_s: None,
                peak_mg_l: 0.0,
                last_above_s: None,
            },
        })
        .collect();
    Ok(RiverNetworkResponse { receptors })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::river::{receptor_stats, Reach, RiverRelease};
    use proptest::prelude::*;
    use std::f64::consts::PI;

    fn reach(id: &str, from: &str, to: &str, length_m: f64, flow_m3_s: f64) -> NetworkReach {
        let velocity_m_s = 0.5;
        NetworkReach {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            length_m,
            velocity_m_s,
            area_m2: flow_m3_s / velocity_m_s,
            dispersion_m2_s: 20.0,
            decay_per_s: 0.0,
            flow_m3_s,
        }
    }

    fn receptor(name: &str, reach: &str, offset_m: f64) -> NetworkReceptor {
        NetworkReceptor { name: name.into(), reach: reach.into(), offset_m }
    }

    fn request(
        reaches: Vec<NetworkReach>,
        release_reach: &str,
        receptors: Vec<NetworkReceptor>,
    ) -> RiverNetworkRequest {
        RiverNetworkRequest {
            reaches,
            release: NetworkRelease { reach: release_reach.into(), offset_m: 0.0, mass_kg: 1000.0 },
            receptors,
            threshold_mg_l: 0.01,
        }
    }

    /// In one reach the peak is the frozen-cloud peak of the 1D slug model, M/(A·√(4πEx/u)),
    /// and within 0.2 % of the exact slug peak 10 km downstream.
    #[test]
    fn single_reach_is_the_frozen_cloud() {
        let req = request(vec![reach("r", "a", "b", 20_000.0, 10.0)], "r", vec![receptor("x", "r", 10_000.0)]);
        let stats = &run(&req).unwrap().receptors[0];
        let frozen_cloud_mg_l = 1000.0 / (20.0 * (4.0 * PI * 20.0 * 10_000.0 / 0.5).sqrt()) * 1000.0;
        assert!((stats.peak_mg_l - frozen_cloud_mg_l).abs() < 1e-9 * frozen_cloud_mg_l, "{stats:?}");
        assert_eq!(stats.peak_time_s, Some(20_000.0));
        let slug = Reach { velocity_m_s: 0.5, area_m2: 20.0, dispersion_m2_s: 20.0, decay_per_s: 0.0 };
        let exact = receptor_stats(&RiverRelease::Instantaneous { mass_kg: 1000.0 }, &slug, "x", 10_000.0, 0.01);
        assert!((stats.peak_mg_l / exact.peak_mg_l - 1.0).abs() < 2e-3, "{stats:?} vs {exact:?}");
    }

    /// A clean tributary of 30 m³/s joining a 10 m³/s main stem dilutes the spill fourfold:
    /// C_down = Q_main·C_main/(Q_main + Q_trib).
    #[test]
    fn confluence_dilutes_by_flow() {
        let req = request(
            vec![
                reach("main", "m0", "j", 5_000.0, 10.0),
                reach("trib", "t0", "j", 3_000.0, 30.0),
                reach("down", "j", "sea", 5_000.0, 40.0),
            ],
            "main",
            vec![receptor("above", "main", 5_000.0), receptor("below", "down", 0.0), receptor("trib", "trib", 1_000.0)],
        );
        let out = run(&req).unwrap().receptors;
        assert!((out[1].peak_mg_l / out[0].peak_mg_l - 0.25).abs() < 1e-12, "{out:?}");
        assert_eq!(out[0].peak_time_s, out[1].peak_time_s);
        assert_eq!(out[2].peak_time_s, None, "the tributary never sees the spill");
        assert_eq!(out[2].peak_mg_l, 0.0);
        assert_eq!(route(&req).unwrap().outlet_mass_kg, 1000.0);
    }

    /// A bifurcation splits the mass by flow; where the branches rejoin the mass is whole again,
    /// with the mean passage time the mass-weighted mean of the branches.
    #[test]
    fn split_and_rejoin_conserve_mass() {
        let req = request(
            vec![
                reach("a", "n0", "n1", 1_000.0, 10.0),
                reach("b", "n1", "n2", 2_000.0, 6.0),
                reach("c", "n1", "n2", 4_000.0, 4.0),
                reach("d", "n2", "n3", 1_000.0, 10.0),
            ],
            "a",
            vec![],
        );
        let routing = route(&req).unwrap();
        let b = routing.entering[1].unwrap();
        let c = routing.entering[2].unwrap();
        assert!((b.mass_kg - 600.0).abs() < 1e-9 && (c.mass_kg - 400.0).abs() < 1e-9);
        let d = routing.entering[3].unwrap();
        assert!((d.mass_kg - 1000.0).abs() < 1e-9);
        // Travel to n2: via b 2000 + 4000 = 6000 s, via c 2000 + 8000 = 10 000 s.
        assert!((d.mean_time_s - (0.6 * 6000.0 + 0.4 * 10_000.0)).abs() < 1e-9, "{d:?}");
        assert!((routing.outlet_mass_kg - 1000.0).abs() < 1e-9);
    }

    /// Where less water leaves a node than arrives, the difference is withdrawn with its share
    /// of the spill; where more leaves, the extra water is clean and dilutes.
    #[test]
    fn withdrawal_and_lateral_inflow() {
        let mut reaches = vec![reach("a", "n0", "n1", 1_000.0, 10.0), reach("b", "n1", "n2", 1_000.0, 7.0)];
        let routing = route(&request(reaches.clone(), "a", vec![])).unwrap();
        assert!((routing.withdrawn_mass_kg - 300.0).abs() < 1e-9);
        assert!((routing.outlet_mass_kg - 700.0).abs() < 1e-9);
        reaches[1] = reach("b", "n1", "n2", 1_000.0, 20.0);
        let req = request(reaches, "a", vec![receptor("up", "a", 1_000.0), receptor("down", "b", 0.0)]);
        let out = run(&req).unwrap().receptors;
        assert!((out[1].peak_mg_l / out[0].peak_mg_l - 0.5).abs() < 1e-12);
        assert!((route(&req).unwrap().outlet_mass_kg - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn upstream_of_the_release_is_never_reached() {
        let mut req = request(vec![reach("a", "n0", "n1", 1_000.0, 10.0)], "a", vec![receptor("up", "a", 200.0)]);
        req.release.offset_m = 500.0;
        let stats = &run(&req).unwrap().receptors[0];
        assert_eq!((stats.first_above_s, stats.peak_time_s, stats.last_above_s), (None, None, None));
    }

    #[test]
    fn errors_name_the_field() {
        let ok = vec![reach("a", "n0", "n1", 1_000.0, 10.0), reach("b", "n1", "n2", 1_000.0, 10.0)];
        let mut cyclic = ok.clone();
        cyclic[1].to = "n0".into();
        let e = run(&request(cyclic, "a", vec![])).unwrap_err();
        assert!(e.field().ends_with(".to") && e.message().contains("loop"), "{e}");
        // A loop further down is named by a reach on it, not by one above it.
        let looped = vec![
            reach("a", "n0", "n1", 1_000.0, 10.0),
            reach("b", "n1", "n2", 1_000.0, 10.0),
            reach("c", "n2", "n1", 1_000.0, 10.0),
            reach("d", "n2", "n3", 1_000.0, 10.0),
        ];
        let e = run(&request(looped, "a", vec![])).unwrap_err();
        assert!(e.field() == "reaches[1].to" || e.field() == "reaches[2].to", "{e}");

        let mut inconsistent = ok.clone();
        inconsistent[1].area_m2 = 200.0;
        let e = run(&request(inconsistent, "a", vec![])).unwrap_err();
        assert_eq!(e.field(), "reaches[1].flow_m3_s");
        assert!(e.message().contains("set area_m2 to 20 m²"), "{}", e.message());

        let mut duplicate = ok.clone();
        duplicate[1].id = "a".into();
        assert_eq!(run(&request(duplicate, "a", vec![])).unwrap_err().field(), "reaches[1].id");

        assert_eq!(run(&request(ok.clone(), "zz", vec![])).unwrap_err().field(), "release.reach");
        let e = run(&request(ok.clone(), "a", vec![receptor("r", "b", 5_000.0)])).unwrap_err();
        assert_eq!(e.field(), "receptors[0].offset_m");
        let e = run(&request(ok, "a", vec![receptor("r", "a", 0.0)])).unwrap_err();
        assert!(e.message().contains("release point"), "{e}");
    }

    /// A random river tree draining to node "0" through reach "r0": reach i runs from node
    /// i+1 to a node with a smaller number, and carries the flow of the reaches above it plus
    /// a clean lateral inflow.
    fn random_tree() -> impl Strategy<Value = (Vec<NetworkReach>, usize, f64)> {
        (1usize..40).prop_flat_map(|n| {
            (
                prop::collection::vec(any::<prop::sample::Index>(), n),
                prop::collection::vec((100.0f64..8_000.0, 0.1f64..2.0, 1.0f64..100.0, 0.0f64..5.0, 1e-6f64..1e-4), n),
                0..n,
                0.0f64..0.9,
            )
                .prop_map(move |(parents, props, release, offset_fraction)| {
                    let to_node: Vec<usize> =
                        (0..n).map(|i| if i == 0 { 0 } else { 1 + parents[i].index(i) }).collect();
                    let mut flows = vec![0.0; n];
                    for i in (0..n).rev() {
                        let above: f64 = (i + 1..n).filter(|&j| to_node[j] == i + 1).map(|j| flows[j]).sum();
                        flows[i] = above + props[i].3 + 0.5;
                    }
                    let reaches = (0..n)
                        .map(|i| {
                            let (length_m, velocity_m_s, dispersion_m2_s, _, decay_per_s) = props[i];
                            NetworkReach {
                                id: format!("r{i}"),
                                from: (i + 1).to_string(),
                                to: to_node[i].to_string(),
                                length_m,
                                velocity_m_s,
                                area_m2: flows[i] / velocity_m_s,
                                dispersion_m2_s,
                                decay_per_s,
                                flow_m3_s: flows[i],
                            }
                        })
                        .collect::<Vec<_>>();
                    (reaches, release, offset_fraction)
                })
        })
    }

    fn outlet_request(reaches: Vec<NetworkReach>, release: usize, offset_fraction: f64) -> RiverNetworkRequest {
        let offset_m = offset_fraction * reaches[release].length_m;
        RiverNetworkRequest {
            release: NetworkRelease { reach: format!("r{release}"), offset_m, mass_kg: 250.0 },
            receptors: vec![receptor("outlet", "r0", reaches[0].length_m)],
            threshold_mg_l: 1e-3,
            reaches,
        }
    }

    proptest! {
        /// Mass conservation: with no loss, ∫C·Q dt at the outlet of a river tree equals the
        /// released mass (time integral by Simpson's rule over t̄ ± 12σ_t), and the bookkeeping
        /// of the routing says the same.
        #[test]
        fn outlet_passes_the_released_mass((reaches, release, offset_fraction) in random_tree()) {
            let reaches: Vec<NetworkReach> = reaches.into_iter().map(|r| NetworkReach { decay_per_s: 0.0, ..r }).collect();
            let req = outlet_request(reaches, release, offset_fraction);
            let routing = route(&req).unwrap();
            prop_assert!((routing.outlet_mass_kg / 250.0 - 1.0).abs() < 1e-12);
            let cloud = routing.cloud_at(&req, 0, req.reaches[0].length_m).unwrap();
            let q = req.reaches[0].flow_m3_s;
            let sigma = cloud.time_variance_s2.sqrt();
            let (a, b, n) = (cloud.mean_time_s - 12.0 * sigma, cloud.mean_time_s + 12.0 * sigma, 2_000);
            let h = (b - a) / n as f64;
            let mut sum = cloud.concentration_kg_m3(q, a) + cloud.concentration_kg_m3(q, b);
            for i in 1..n {
                sum += if i % 2 == 1 { 4.0 } else { 2.0 } * cloud.concentration_kg_m3(q, a + i as f64 * h);
            }
            let passed_kg = q * sum * h / 3.0;
            prop_assert!((passed_kg / 250.0 - 1.0).abs() < 1e-9, "passed {passed_kg} kg of 250");
        }

        /// The analytical moments: on a tree the path from the release to the outlet is unique,
        /// so at the outlet t̄ = Σ Lᵢ/uᵢ, σ_t² = Σ 2EᵢLᵢ/uᵢ³ and m = M·exp(−Σ kᵢLᵢ/uᵢ), with
        /// the release reach counted from the release point.
        #[test]
        fn outlet_moments_add_along_the_path((reaches, release, offset_fraction) in random_tree()) {
            let req = outlet_request(reaches, release, offset_fraction);
            let routing = route(&req).unwrap();
            let cloud = routing.cloud_at(&req, 0, req.reaches[0].length_m).unwrap();
            let (mut t, mut var, mut loss) = (0.0, 0.0, 0.0);
            let mut i = release;
            let mut length = req.reaches[i].length_m - req.release.offset_m;
            loop {
                let r = &req.reaches[i];
                t += length / r.velocity_m_s;
                var += 2.0 * r.dispersion_m2_s * length / r.velocity_m_s.powi(3);
                loss += r.decay_per_s * length / r.velocity_m_s;
                if i == 0 { break; }
                let next_from = r.to.clone();
                i = req.reaches.iter().position(|x| x.from == next_from).unwrap();
                length = req.reaches[i].length_m;
            }
            prop_assert!((cloud.mean_time_s / t - 1.0).abs() < 1e-9);
            prop_assert!((cloud.time_variance_s2 / var - 1.0).abs() < 1e-9);
            prop_assert!((cloud.mass_kg / (250.0 * (-loss).exp()) - 1.0).abs() < 1e-9);
        }
    }
}
