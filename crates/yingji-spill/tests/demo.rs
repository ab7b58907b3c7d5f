//! A spill on the demo province's Yangtze at Nanjing, routed to the intakes downstream.

use yingji_spill::{river_spill, RiverSpillRequest, SpillError};
use yingji_store::Store;

fn demo() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    yingji_demo::populate(&mut store, yingji_demo::DEFAULT_SEED).unwrap();
    store
}

#[test]
fn a_yangtze_spill_at_nanjing_reaches_intakes_downstream_in_order() {
    let s = demo();
    // 20 t of benzene into the Yangtze at Nanjing's Jiangbei chemical park; GB 3838-2002
    // Table 3 limit for benzene at drinking-water sources: 0.01 mg/L.
    let r = river_spill(
        s.conn(),
        &RiverSpillRequest {
            lat: 32.15,
            lon: 118.79,
            mass_kg: 20_000.0,
            threshold_mg_l: 0.01,
            decay_per_s: 0.0,
            duration_s: None,
        },
    )
    .unwrap();
    assert!(r.release_reach_id.contains("yangtze"), "{}", r.release_reach_id);
    assert!(!r.affected_intakes.is_empty(), "{r:#?}");
    // Earliest first; each arrives before it peaks and stays above until after.
    let firsts: Vec<f64> = r.affected_intakes.iter().map(|i| i.stats.first_above_s.unwrap()).collect();
    assert!(firsts.windows(2).all(|w| w[0] <= w[1]));
    for i in &r.affected_intakes {
        let (f, p, l) = (i.stats.first_above_s.unwrap(), i.stats.peak_time_s.unwrap(), i.stats.last_above_s.unwrap());
        assert!(f <= p && p <= l, "{}: {f} {p} {l}", i.name);
        assert!(i.stats.peak_mg_l >= 0.01);
    }
    // Nothing upstream of Nanjing is affected: every intake named for Ma'anshan-side counties
    // upstream would be on reaches above the release; check by region — no Gaochun/Lishui intakes.
    assert!(r.affected_intakes.iter().all(|i| i.region_code != "320118" && i.region_code != "320117"));
}

#[test]
fn interceptions_are_ordered_and_protect_downstream_intakes() {
    let s = demo();
    // A spill into the Grand Canal north of Huai'an, upstream of sluices on the canal.
    let r = river_spill(
        s.conn(),
        &RiverSpillRequest {
            lat: 33.64,
            lon: 118.87,
            mass_kg: 5_000.0,
            threshold_mg_l: 0.01,
            decay_per_s: 0.0,
            duration_s: None,
        },
    )
    .unwrap();
    let times: Vec<f64> = r.interceptions.iter().map(|w| w.close_by_s).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    for w in &r.interceptions {
        for t in &w.protects {
            let intake = r.affected_intakes.iter().find(|i| &i.target_id == t).expect("protects an affected intake");
            // The front reaches the sluice before the intake it protects.
            assert!(w.close_by_s <= intake.stats.first_above_s.unwrap() + 1.0, "{} vs {}", w.name, intake.name);
        }
    }
}

#[test]
fn far_from_water_and_bad_input_are_refused() {
    let s = demo();
    let far = river_spill(
        s.conn(),
        &RiverSpillRequest {
            lat: 30.0,
            lon: 124.5,
            mass_kg: 1.0,
            threshold_mg_l: 0.01,
            decay_per_s: 0.0,
            duration_s: None,
        },
    );
    assert!(matches!(far, Err(SpillError::NoWaterway { .. })));
    let bad = river_spill(
        s.conn(),
        &RiverSpillRequest {
            lat: 32.2,
            lon: 118.78,
            mass_kg: -1.0,
            threshold_mg_l: 0.01,
            decay_per_s: 0.0,
            duration_s: None,
        },
    );
    assert!(matches!(bad, Err(SpillError::Invalid { field: "mass_kg", .. })));
}

/// The same mass released over six hours instead of at once: lower peaks, later peak times,
/// longer above the limit; the series passes through the reported peak; the path starts at the
/// release reach and the intakes and sluices carry their positions.
#[test]
fn a_release_over_hours_is_lower_and_longer_than_a_slug() {
    let s = demo();
    let slug = RiverSpillRequest {
        lat: 33.64,
        lon: 118.87,
        mass_kg: 5_000.0,
        threshold_mg_l: 0.01,
        decay_per_s: 0.0,
        duration_s: None,
    };
    let hours = RiverSpillRequest { duration_s: Some(6.0 * 3600.0), ..slug.clone() };
    let a = river_spill(s.conn(), &slug).unwrap();
    let b = river_spill(s.conn(), &hours).unwrap();
    assert!(!a.affected_intakes.is_empty());
    assert_eq!(a.path[0].id, a.release_reach_id);
    assert!(a.path.iter().all(|p| p.coordinates.len() >= 2));
    for i in &a.affected_intakes {
        let j =
            b.affected_intakes.iter().chain(&b.intakes_below_threshold).find(|j| j.target_id == i.target_id).unwrap();
        assert!(j.stats.peak_mg_l < i.stats.peak_mg_l, "{}", i.name);
        assert!(j.stats.peak_time_s.unwrap() > i.stats.peak_time_s.unwrap());
        let peak_in_series = i.series.iter().map(|p| p[1]).fold(0.0, f64::max);
        assert!((peak_in_series - i.stats.peak_mg_l).abs() < 0.02 * i.stats.peak_mg_l, "{}", i.name);
        assert!(i.lat > 30.0 && i.lon > 116.0);
        if let (Some(f), Some(l)) = (j.stats.first_above_s, j.stats.last_above_s) {
            // Above the limit at least as long as the release lasted, where the peak is well above it.
            if j.stats.peak_mg_l > 0.05 {
                assert!(l - f > 6.0 * 3600.0 * 0.9, "{}: {}", i.name, l - f);
            }
        }
    }
    // The box-convolved release holds its mass: ∫C·Q dt over the series equals the cloud's mass,
    // so the time integral of C is the same for the slug and the six-hour release.
    let integral =
        |series: &[[f64; 2]]| series.windows(2).map(|w| (w[1][0] - w[0][0]) * (w[0][1] + w[1][1]) / 2.0).sum::<f64>();
    let i = &a.affected_intakes[0];
    let j = b.affected_intakes.iter().chain(&b.intakes_below_threshold).find(|j| j.target_id == i.target_id).unwrap();
    let (ia, ib) = (integral(&i.series), integral(&j.series));
    assert!((ia - ib).abs() < 0.01 * ia, "{ia} vs {ib}");
}
