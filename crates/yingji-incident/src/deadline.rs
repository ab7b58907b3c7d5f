//! Reporting deadlines of the 突发环境事件信息报告办法 (环境保护部令第17号, 2011), relative to the
//! moment the console learned of the incident, with the time left on a [`Clock`]'s now.

use serde::{Deserialize, Serialize};
use time::Duration;
use yingji_store::Timestamp;

use crate::severity::Tier;

/// 第三条: 一般/较大 — the county or city environment department reports to its government and the
/// next department up within 4 hours of learning of the incident.
pub const GENERAL_LARGER_REPORT_H: i64 = 4;
/// 第三条: 重大/特别重大 — within 2 hours to its government and the province's department, and at
/// the same time to the ministry.
pub const MAJOR_REPORT_H: i64 = 2;
/// 第三条: the province's department, once it has the report, verifies it and reports to the
/// ministry within 1 hour.
pub const PROVINCE_ONWARD_H: i64 = 1;

/// One reporting obligation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    /// Who must report.
    pub from_zh: String,
    pub from_en: String,
    /// To whom.
    pub to_zh: String,
    pub to_en: String,
    pub due_at: String,
    /// Seconds left at `now`; negative when overdue.
    pub remaining_s: i64,
    pub overdue: bool,
    /// The article it comes from.
    pub article: String,
}

fn fmt(t: Timestamp) -> String {
    crate::rfc3339(t)
}

/// The deadlines for an incident of `tier` that the console learned of at `known_at`.
/// `province_received_at` starts the province's one-hour clock once the province has the report
/// (before that, it is counted from the lower level's own deadline, the latest it may arrive).
pub fn deadlines(
    tier: Tier,
    known_at: Timestamp,
    province_received_at: Option<Timestamp>,
    now: Timestamp,
) -> Vec<Deadline> {
    let article = "环境保护部令第17号（2011）第三条".to_owned();
    let mut out = Vec::new();
    let mut push = |from: (&str, &str), to: (&str, &str), due: Timestamp| {
        let remaining_s = (due - now).whole_seconds();
        out.push(Deadline {
            from_zh: from.0.into(),
            from_en: from.1.into(),
            to_zh: to.0.into(),
            to_en: to.1.into(),
            due_at: fmt(due),
            remaining_s,
            overdue: remaining_s < 0,
            article: article.clone(),
        });
    };
    let local = ("事发地县级或设区的市级环境保护主管部门", "the county or city environment department");
    match tier {
        Tier::General | Tier::Larger => {
            let due = known_at + Duration::hours(GENERAL_LARGER_REPORT_H);
            push(local, ("本级人民政府和上一级环境保护主管部门", "its government and the next department up"), due);
        }
        Tier::Major | Tier::EspeciallyMajor => {
            let due = known_at + Duration::hours(MAJOR_REPORT_H);
            push(
                local,
                (
                    "本级人民政府和省级环境保护主管部门，同时上报环境保护部",
                    "its government and the province, and at the same time the ministry",
                ),
                due,
            );
            let start = province_received_at.unwrap_or(due);
            push(
                ("省级环境保护主管部门", "the provincial environment department"),
                ("环境保护部（生态环境部）", "the ministry"),
                start + Duration::hours(PROVINCE_ONWARD_H),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn four_hours_for_general_and_larger() {
        let known = datetime!(2026-11-29 02:00 UTC);
        for tier in [Tier::General, Tier::Larger] {
            let d = deadlines(tier, known, None, known + Duration::minutes(30));
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].due_at, "2026-11-29T06:00:00Z");
            assert_eq!(d[0].remaining_s, 3 * 3600 + 1800);
            assert!(!d[0].overdue);
        }
    }

    #[test]
    fn two_hours_for_major_then_one_hour_onward_from_the_province() {
        let known = datetime!(2026-11-29 02:00 UTC);
        let d = deadlines(Tier::Major, known, None, known + Duration::hours(3));
        assert_eq!(d[0].due_at, "2026-11-29T04:00:00Z");
        assert!(d[0].overdue);
        assert_eq!(d[0].remaining_s, -3600);
        assert_eq!(d[1].due_at, "2026-11-29T05:00:00Z");
        let got = deadlines(Tier::EspeciallyMajor, known, Some(known + Duration::minutes(50)), known);
        assert_eq!(got[1].due_at, "2026-11-29T03:50:00Z");
        assert_eq!(got[1].remaining_s, 110 * 60);
    }
}
