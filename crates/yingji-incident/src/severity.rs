//! The national severity tier suggested from the criteria of the 国家突发环境事件应急预案
//! (国办函〔2014〕119号), 附件1 突发环境事件分级标准. "以上" includes the number, "以下" excludes it
//! (附件1, last paragraph). The highest tier any criterion meets is suggested; the commander
//! confirms it (a `tier` log entry). Criteria this console cannot judge from numbers (ecological
//! function loss, protected species, radioactive sources) are left to the commander.

use serde::{Deserialize, Serialize};

text_enum!(
    /// 突发环境事件分级 (国家突发环境事件应急预案 2014, 1.4 事件分级): 特别重大 I, 重大 II, 较大 III, 一般 IV.
    Tier {
        General = "general", "一般（Ⅳ级）", "general (IV)";
        Larger = "larger", "较大（Ⅲ级）", "larger (III)";
        Major = "major", "重大（Ⅱ级）", "major (II)";
        EspeciallyMajor = "especially_major", "特别重大（Ⅰ级）", "especially major (I)";
    }
);

impl Tier {
    /// Ordering by severity: General < Larger < Major < EspeciallyMajor.
    pub fn rank(self) -> u8 {
        match self {
            Tier::General => 0,
            Tier::Larger => 1,
            Tier::Major => 2,
            Tier::EspeciallyMajor => 3,
        }
    }
}

text_enum!(
    /// The level of the city or town a drinking-water source that had to stop serves.
    IntakeLevel {
        Township = "township", "乡镇", "township";
        County = "county", "县级城市", "county-level city";
        City = "city", "设区的市级以上城市", "prefecture-level city or above";
    }
);

text_enum!(
    /// How far the pollution reaches across administrative boundaries.
    Boundary {
        County = "county", "跨县级行政区域", "across county boundaries";
        City = "city", "跨设区的市级行政区域", "across prefecture boundaries";
        Province = "province", "跨省级行政区域", "across provincial boundaries";
        National = "national", "重大跨国境影响", "major cross-border (international) impact";
    }
);

/// What is known about the consequences, as entered by the commander.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeverityFacts {
    pub deaths: u32,
    /// 中毒或重伤 (poisoned or seriously injured).
    pub poisoned_or_injured: u32,
    /// 疏散、转移人员.
    pub evacuated: u32,
    /// 直接经济损失, yuan.
    pub direct_loss_yuan: f64,
    /// 集中式饮用水水源地取水中断: the level of the town the interrupted source serves.
    pub intake_interrupted: Option<IntakeLevel>,
    pub cross_boundary: Option<Boundary>,
}

/// One criterion met: the tier it points to and why, in both languages, citing the clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub tier: Tier,
    /// e.g. "附件1 二、(2)".
    pub clause: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The suggested tier and every criterion behind it (highest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub tier: Tier,
    pub reasons: Vec<Reason>,
}

/// Section numbers of 附件1: 一 特别重大, 二 重大, 三 较大, 四 一般.
fn section(t: Tier) -> &'static str {
    match t {
        Tier::EspeciallyMajor => "一",
        Tier::Major => "二",
        Tier::Larger => "三",
        Tier::General => "四",
    }
}

fn reason(tier: Tier, item: u8, zh: String, en: String) -> Reason {
    Reason {
        tier,
        clause: format!("国办函〔2014〕119号 附件1 {}、({item})", section(tier)),
        reason_zh: zh,
        reason_en: en,
    }
}

/// Thresholds (value ≥ threshold ⇒ tier), highest tier first.
fn by_threshold(value: f64, thresholds: &[(f64, Tier)]) -> Option<Tier> {
    thresholds.iter().find(|(t, _)| value >= *t).map(|(_, tier)| *tier)
}

/// Suggests the tier from the facts. With no criterion above 一般, the tier is 一般 with the
/// catch-all clause 附件1 四、(6) (对环境造成一定影响，尚未达到较大突发环境事件级别的).
pub fn suggest(f: &SeverityFacts) -> Suggestion {
    use Tier::*;
    let mut reasons = Vec::new();
    // 附件1 (1): deaths 30 / 10 / 3; poisoned or seriously injured 100 / 50 / 10.
    let by_deaths = by_threshold(f.deaths as f64, &[(30.0, EspeciallyMajor), (10.0, Major), (3.0, Larger)]);
    let by_poisoned =
        by_threshold(f.poisoned_or_injured as f64, &[(100.0, EspeciallyMajor), (50.0, Major), (10.0, Larger)]);
    if let Some(t) = by_deaths {
        reasons.push(reason(
            t,
            1,
            format!("因环境污染直接导致 {} 人死亡", f.deaths),
            format!("{} deaths caused directly by the pollution", f.deaths),
        ));
    } else if f.deaths > 0 {
        reasons.push(reason(
            General,
            1,
            format!("因环境污染直接导致 {} 人死亡（3 人以下）", f.deaths),
            format!("{} deaths (fewer than 3)", f.deaths),
        ));
    }
    if let Some(t) = by_poisoned {
        reasons.push(reason(
            t,
            1,
            format!("{} 人中毒或重伤", f.poisoned_or_injured),
            format!("{} people poisoned or seriously injured", f.poisoned_or_injured),
        ));
    } else if f.poisoned_or_injured > 0 {
        reasons.push(reason(
            General,
            1,
            format!("{} 人中毒或重伤（10 人以下）", f.poisoned_or_injured),
            format!("{} people poisoned or seriously injured (fewer than 10)", f.poisoned_or_injured),
        ));
    }
    // 附件1 (2): evacuated 50 000 / 10 000 / 5 000.
    if let Some(t) =
        by_threshold(f.evacuated as f64, &[(50_000.0, EspeciallyMajor), (10_000.0, Major), (5_000.0, Larger)])
    {
        reasons.push(reason(
            t,
            2,
            format!("因环境污染疏散、转移人员 {} 人", f.evacuated),
            format!("{} people evacuated or relocated", f.evacuated),
        ));
    } else if f.evacuated > 0 {
        reasons.push(reason(
            General,
            2,
            format!("疏散、转移人员 {} 人（5000 人以下）", f.evacuated),
            format!("{} people evacuated (fewer than 5,000)", f.evacuated),
        ));
    }
    // 附件1 (3): direct economic loss 1 亿 / 2000 万 / 500 万 yuan.
    let loss_wan = f.direct_loss_yuan / 10_000.0;
    if let Some(t) = by_threshold(
        f.direct_loss_yuan,
        &[(100_000_000.0, EspeciallyMajor), (20_000_000.0, Major), (5_000_000.0, Larger)],
    ) {
        reasons.push(reason(
            t,
            3,
            format!("直接经济损失约 {loss_wan:.0} 万元"),
            format!("direct economic loss about {:.0} yuan", f.direct_loss_yuan),
        ));
    } else if f.direct_loss_yuan > 0.0 {
        reasons.push(reason(
            General,
            3,
            format!("直接经济损失约 {loss_wan:.1} 万元（500 万元以下）"),
            format!("direct economic loss about {:.0} yuan (below 5 million)", f.direct_loss_yuan),
        ));
    }
    // 附件1 (5): a centralised drinking-water source stops supplying: city / county / township.
    if let Some(level) = f.intake_interrupted {
        let t = match level {
            IntakeLevel::City => EspeciallyMajor,
            IntakeLevel::County => Major,
            IntakeLevel::Township => Larger,
        };
        reasons.push(reason(
            t,
            5,
            format!("{}集中式饮用水水源地取水中断", level.label_zh()),
            format!("a centralised drinking-water source of a {} had to stop", level.label_en()),
        ));
    }
    // 附件1 一(7) 跨国境, 二(7) 跨省, 三(7) 跨设区的市, 四(4) 跨县.
    if let Some(b) = f.cross_boundary {
        let (t, item) = match b {
            Boundary::National => (EspeciallyMajor, 7),
            Boundary::Province => (Major, 7),
            Boundary::City => (Larger, 7),
            Boundary::County => (General, 4),
        };
        reasons.push(reason(t, item, format!("造成{}影响", b.label_zh()), format!("impact {}", b.label_en())));
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.tier.rank()));
    let tier = reasons.first().map(|r| r.tier).unwrap_or(General);
    if reasons.is_empty() {
        reasons.push(reason(
            General,
            6,
            "对环境造成一定影响，尚未达到较大突发环境事件级别".into(),
            "some environmental impact, below the 'larger' criteria".into(),
        ));
    }
    Suggestion { tier, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(f: SeverityFacts) -> Tier {
        suggest(&f).tier
    }

    #[test]
    fn deaths_boundaries_include_the_number() {
        let d = |n| tier(SeverityFacts { deaths: n, ..Default::default() });
        assert_eq!(d(0), Tier::General);
        assert_eq!(d(2), Tier::General);
        assert_eq!(d(3), Tier::Larger);
        assert_eq!(d(9), Tier::Larger);
        assert_eq!(d(10), Tier::Major);
        assert_eq!(d(29), Tier::Major);
        assert_eq!(d(30), Tier::EspeciallyMajor);
    }

    #[test]
    fn poisoned_boundaries() {
        let p = |n| tier(SeverityFacts { poisoned_or_injured: n, ..Default::default() });
        assert_eq!(p(9), Tier::General);
        assert_eq!(p(10), Tier::Larger);
        assert_eq!(p(49), Tier::Larger);
        assert_eq!(p(50), Tier::Major);
        assert_eq!(p(99), Tier::Major);
        assert_eq!(p(100), Tier::EspeciallyMajor);
    }

    #[test]
    fn evacuation_boundaries() {
        let e = |n| tier(SeverityFacts { evacuated: n, ..Default::default() });
        assert_eq!(e(4_999), Tier::General);
        assert_eq!(e(5_000), Tier::Larger);
        assert_eq!(e(9_999), Tier::Larger);
        assert_eq!(e(10_000), Tier::Major);
        assert_eq!(e(49_999), Tier::Major);
        assert_eq!(e(50_000), Tier::EspeciallyMajor);
    }

    #[test]
    fn loss_boundaries() {
        let l = |y| tier(SeverityFacts { direct_loss_yuan: y, ..Default::default() });
        assert_eq!(l(4_999_999.0), Tier::General);
        assert_eq!(l(5_000_000.0), Tier::Larger);
        assert_eq!(l(19_999_999.0), Tier::Larger);
        assert_eq!(l(20_000_000.0), Tier::Major);
        assert_eq!(l(99_999_999.0), Tier::Major);
        assert_eq!(l(100_000_000.0), Tier::EspeciallyMajor);
    }

    #[test]
    fn intake_and_boundary_levels() {
        let i = |l| tier(SeverityFacts { intake_interrupted: Some(l), ..Default::default() });
        assert_eq!(i(IntakeLevel::Township), Tier::Larger);
        assert_eq!(i(IntakeLevel::County), Tier::Major);
        assert_eq!(i(IntakeLevel::City), Tier::EspeciallyMajor);
        let b = |x| tier(SeverityFacts { cross_boundary: Some(x), ..Default::default() });
        assert_eq!(b(Boundary::County), Tier::General);
        assert_eq!(b(Boundary::City), Tier::Larger);
        assert_eq!(b(Boundary::Province), Tier::Major);
        assert_eq!(b(Boundary::National), Tier::EspeciallyMajor);
    }

    #[test]
    fn the_highest_criterion_wins_and_every_reason_cites_its_clause() {
        let s = suggest(&SeverityFacts {
            deaths: 1,
            evacuated: 12_000,
            intake_interrupted: Some(IntakeLevel::Township),
            ..Default::default()
        });
        assert_eq!(s.tier, Tier::Major);
        assert_eq!(s.reasons.len(), 3);
        assert_eq!(s.reasons[0].tier, Tier::Major);
        assert_eq!(s.reasons[0].clause, "国办函〔2014〕119号 附件1 二、(2)");
        assert!(s.reasons[0].reason_zh.contains("12000"), "{:?}", s.reasons[0]);
        assert!(s.reasons.iter().all(|r| !r.reason_en.is_empty() && r.clause.contains("附件1")));
        let none = suggest(&SeverityFacts::default());
        assert_eq!(none.tier, Tier::General);
        assert_eq!(none.reasons[0].clause, "国办函〔2014〕119号 附件1 四、(6)");
    }

    proptest::proptest! {
        /// More harm never gives a lower tier (the criteria are monotone).
        #[test]
        fn more_harm_never_lowers_the_tier(d in 0u32..60, p in 0u32..200, e in 0u32..80_000, extra in 0u32..50) {
            let a = SeverityFacts { deaths: d, poisoned_or_injured: p, evacuated: e, ..Default::default() };
            let b = SeverityFacts { deaths: d + extra, poisoned_or_injured: p + extra, evacuated: e + extra * 100, ..Default::default() };
            proptest::prop_assert!(suggest(&b).tier.rank() >= suggest(&a).tier.rank());
        }
    }
}
