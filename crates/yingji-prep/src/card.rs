//! The plan card (预案卡片化) of a risk source: one page generated from the replica's data for
//! the first hour of an incident there.
//!
//! * what it holds — its chemicals with hazards and disposal from the chemical library;
//! * where a spill goes — the downstream drinking-water intakes with travel times, and the
//!   control works to close, from the stored river network (`yingji-spill`, a reference release);
//! * who to call — the nearest teams, experts and stockpiles with their contacts;
//! * three levels of containment — enterprise, park, river — assembled from the above;
//! * its own plan and its park's, with their revision state, and its open hazard findings.
//!
//! [`pdf`] draws the card on one A4 page with the CJK font (`yingji-incident`'s export helpers).

use krilla::{
    color::rgb,
    geom::{PathBuilder, Point, Rect},
    page::PageSettings,
    paint::Fill,
    text::{Font, TextDirection},
    Document,
};
use rusqlite::Connection;
use serde::Serialize;
use yingji_incident::export::{load_cjk_font, wrap};
use yingji_spill::{RiverSpillRequest, SpillError};
use yingji_store::{
    chemicals,
    query::{self, Kind, LatLon},
    records::{chemicals_of, Expert, RiskSource, RiskSourceKind, Team, Warehouse},
    Clock,
};

use crate::{
    inspect::{self, FindingFilter},
    plans::{self, PlanFilter, PlanView},
    PrepError, Result,
};

/// The card's reference release into the river: 1 t of a conservative pollutant, at once (this
/// crate's choice; the travel times of the peak do not depend on the mass).
pub const REFERENCE_RELEASE_KG: f64 = 1_000.0;
/// The concentration counted as the front's arrival for the reference release, mg/L (this
/// crate's choice: 0.001 mg/L, below the GB 3838-2002 表3 limits of most of the library's
/// pollutants, so the front is reported early rather than late).
pub const ARRIVAL_THRESHOLD_MG_L: f64 = 0.001;
/// How many of each list the card shows (one page).
pub const CARD_INTAKES: usize = 5;
pub const CARD_WORKS: usize = 5;
pub const CARD_CONTACTS: usize = 3;
pub const CARD_CHEMICALS: usize = 6;
/// How far the contacts are looked for, m.
pub const CONTACT_RADIUS_M: f64 = 150_000.0;

/// A chemical held, with what the library says about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardChemical {
    pub name_zh: String,
    pub name_en: String,
    pub cas: String,
    pub un_number: String,
    pub max_quantity_t: f64,
    pub in_library: bool,
    pub hazards_zh: Vec<String>,
    pub hazards_en: Vec<String>,
    pub disposal_zh: Vec<String>,
    pub disposal_en: Vec<String>,
    /// False when the library's texts were written by hand and not checked against a source.
    pub texts_verified: bool,
    pub gb3838_limit_mg_l: Option<f64>,
}

/// A downstream intake and when the reference release reaches it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardIntake {
    pub target_id: String,
    pub name: String,
    pub region_code: String,
    /// When the front exceeds [`ARRIVAL_THRESHOLD_MG_L`], s after the release (`None`: it stays below).
    pub front_s: Option<f64>,
    /// When the peak passes, s after the release.
    pub peak_s: f64,
}

/// A control work to close, and by when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardWork {
    pub work_id: String,
    pub name: String,
    pub kind: String,
    pub close_by_s: f64,
    /// Names of the intakes below it that closing it protects.
    pub protects: Vec<String>,
}

/// What the river model says for the card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardRiver {
    pub reach_name: String,
    pub snap_distance_m: f64,
    pub model_version: String,
    pub release_kg: f64,
    pub threshold_mg_l: f64,
    pub intakes: Vec<CardIntake>,
    pub works: Vec<CardWork>,
}

/// Someone or something to call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardContact {
    pub id: String,
    pub name: String,
    /// Team type, expert specialty and organisation, or warehouse owner.
    pub detail: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub region_code: String,
    pub distance_m: f64,
}

/// One level of the three-level containment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainmentLevel {
    /// enterprise | park | river
    pub level: String,
    pub steps_zh: Vec<String>,
    pub steps_en: Vec<String>,
}

/// The card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanCard {
    pub generated_at: String,
    pub source: RiskSource,
    pub park: Option<RiskSource>,
    pub plan: Option<PlanView>,
    pub park_plan: Option<PlanView>,
    pub chemicals: Vec<CardChemical>,
    /// More chemicals are held than the card lists.
    pub more_chemicals: usize,
    pub river: Option<CardRiver>,
    /// Why there is no river section (no position, no waterway within reach), both languages.
    pub river_unavailable_zh: Option<String>,
    pub river_unavailable_en: Option<String>,
    pub teams: Vec<CardContact>,
    pub experts: Vec<CardContact>,
    pub stockpiles: Vec<CardContact>,
    pub containment: Vec<ContainmentLevel>,
    pub open_findings: usize,
    pub overdue_findings: usize,
    pub is_demo: bool,
}

fn chemical(conn: &Connection, h: &yingji_store::records::ChemicalHolding) -> Result<CardChemical> {
    let entry = if h.cas.is_empty() { None } else { chemicals::by_cas(conn, &h.cas)? };
    Ok(match entry {
        Some(e) => CardChemical {
            name_zh: h.name_zh.clone(),
            name_en: e.name_en.clone(),
            cas: h.cas.clone(),
            un_number: if h.un_number.is_empty() { e.un_number.clone() } else { h.un_number.clone() },
            max_quantity_t: h.max_quantity_t,
            in_library: true,
            texts_verified: e.hazards.verified && e.disposal.verified,
            hazards_zh: e.hazards.zh.clone(),
            hazards_en: e.hazards.en.clone(),
            disposal_zh: e.disposal.zh.clone(),
            disposal_en: e.disposal.en.clone(),
            gb3838_limit_mg_l: e.gb3838.as_ref().map(|g| g.limit_mg_l),
        },
        None => CardChemical {
            name_zh: h.name_zh.clone(),
            name_en: String::new(),
            cas: h.cas.clone(),
            un_number: h.un_number.clone(),
            max_quantity_t: h.max_quantity_t,
            in_library: false,
            texts_verified: false,
            hazards_zh: Vec::new(),
            hazards_en: Vec::new(),
            disposal_zh: Vec::new(),
            disposal_en: Vec::new(),
            gb3838_limit_mg_l: None,
        },
    })
}

fn river(conn: &Connection, p: LatLon) -> Result<std::result::Result<CardRiver, (String, String)>> {
    let req = RiverSpillRequest {
        lat: p.lat,
        lon: p.lon,
        mass_kg: REFERENCE_RELEASE_KG,
        threshold_mg_l: ARRIVAL_THRESHOLD_MG_L,
        decay_per_s: 0.0,
        duration_s: None,
    };
    let r = match yingji_spill::river_spill(conn, &req) {
        Ok(r) => r,
        Err(SpillError::NoWaterway { max_km, .. }) => {
            return Ok(Err((
                format!("{max_km} km 内没有已录入的河道：泄漏不会直接进入河网，河流级措施不适用。"),
                format!("no mapped waterway within {max_km} km: a spill does not enter the river network directly."),
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let mut intakes: Vec<CardIntake> = r
        .affected_intakes
        .iter()
        .chain(&r.intakes_below_threshold)
        .filter_map(|i| {
            Some(CardIntake {
                target_id: i.target_id.clone(),
                name: i.name.clone(),
                region_code: i.region_code.clone(),
                front_s: i.stats.first_above_s,
                peak_s: i.stats.peak_time_s?,
            })
        })
        .collect();
    intakes.sort_by(|a, b| a.peak_s.total_cmp(&b.peak_s).then_with(|| a.target_id.cmp(&b.target_id)));
    intakes.truncate(CARD_INTAKES);
    let names: std::collections::HashMap<&str, &str> =
        r.affected_intakes.iter().map(|i| (i.target_id.as_str(), i.name.as_str())).collect();
    let mut works: Vec<CardWork> = r
        .interceptions
        .iter()
        .map(|w| CardWork {
            work_id: w.work_id.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            close_by_s: w.close_by_s,
            protects: w.protects.iter().filter_map(|id| names.get(id.as_str()).map(|n| (*n).to_owned())).collect(),
        })
        .collect();
    works.sort_by(|a, b| a.close_by_s.total_cmp(&b.close_by_s).then_with(|| a.work_id.cmp(&b.work_id)));
    works.truncate(CARD_WORKS);
    Ok(Ok(CardRiver {
        reach_name: r.release_reach_name,
        snap_distance_m: r.snap_distance_m,
        model_version: r.model_version,
        release_kg: REFERENCE_RELEASE_KG,
        threshold_mg_l: ARRIVAL_THRESHOLD_MG_L,
        intakes,
        works,
    }))
}

fn contacts(conn: &Connection, p: LatLon, kind: Kind) -> Result<Vec<CardContact>> {
    let hits = query::nearest(conn, p, &[kind], CARD_CONTACTS, CONTACT_RADIUS_M)?;
    let mut out = Vec::new();
    for h in hits {
        let c = match kind {
            Kind::Team => Team::get(conn, &h.item_id)?.map(|t| CardContact {
                detail: t.team_type,
                contact_name: t.contact_name,
                contact_phone: t.contact_phone,
                id: t.id,
                name: t.name,
                region_code: t.region_code,
                distance_m: h.distance_m,
            }),
            Kind::Expert => Expert::get(conn, &h.item_id)?.map(|e| CardContact {
                detail: format!("{} · {}", e.specialty, e.organisation),
                contact_name: e.name.clone(),
                contact_phone: e.contact_phone,
                id: e.id,
                name: e.name,
                region_code: e.region_code,
                distance_m: h.distance_m,
            }),
            _ => Warehouse::get(conn, &h.item_id)?.map(|w| CardContact {
                detail: w.owner,
                contact_name: w.contact_name,
                contact_phone: w.contact_phone,
                id: w.id,
                name: w.name,
                region_code: w.region_code,
                distance_m: h.distance_m,
            }),
        };
        out.extend(c);
    }
    Ok(out)
}

/// Hours or minutes, as a commander reads them.
pub fn duration_zh(s: f64) -> String {
    if s < 3600.0 {
        format!("{:.0} 分钟", (s / 60.0).max(1.0))
    } else {
        format!("{:.1} 小时", s / 3600.0)
    }
}

pub fn duration_en(s: f64) -> String {
    if s < 3600.0 {
        format!("{:.0} min", (s / 60.0).max(1.0))
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

fn plan_line(p: &Option<PlanView>, whose_zh: &str, whose_en: &str) -> (String, String) {
    match p {
        Some(v) => (
            format!(
                "启动{whose_zh}预案《{}》（{}，{}{}）",
                v.plan.title,
                v.plan.status.label_zh(),
                v.revision_state.label_zh(),
                v.revision_due_on.as_deref().map(|d| format!("，修订期限 {d}")).unwrap_or_default()
            ),
            format!(
                "Activate the {whose_en} plan \"{}\" ({}, {}{})",
                v.plan.title,
                v.plan.status.label_en(),
                v.revision_state.label_en(),
                v.revision_due_on.as_deref().map(|d| format!(", revision due {d}")).unwrap_or_default()
            ),
        ),
        None => (
            format!("{whose_zh}没有录入应急预案：按县级预案处置"),
            format!("no {whose_en} plan on record: follow the county plan"),
        ),
    }
}

fn containment(card: &PlanCard) -> Vec<ContainmentLevel> {
    let s = &card.source;
    let mut ent = ContainmentLevel { level: "enterprise".into(), steps_zh: Vec::new(), steps_en: Vec::new() };
    let (zh, en) = plan_line(&card.plan, "企业", "enterprise");
    ent.steps_zh.push(zh);
    ent.steps_en.push(en);
    if !s.contact_name.is_empty() || !s.contact_phone.is_empty() {
        ent.steps_zh.push(format!("企业联系人：{} {}", s.contact_name, s.contact_phone));
        ent.steps_en.push(format!("Enterprise contact: {} {}", s.contact_name, s.contact_phone));
    }
    for c in card.chemicals.iter().filter(|c| !c.disposal_zh.is_empty()).take(3) {
        ent.steps_zh.push(format!("{}：{}", c.name_zh, c.disposal_zh[0]));
        ent.steps_en.push(format!(
            "{}: {}",
            if c.name_en.is_empty() { &c.name_zh } else { &c.name_en },
            c.disposal_en.first().map_or("", String::as_str)
        ));
    }
    let mut park = ContainmentLevel { level: "park".into(), steps_zh: Vec::new(), steps_en: Vec::new() };
    match &card.park {
        Some(p) => {
            park.steps_zh.push(format!("通知园区：{}（{} {}）", p.name, p.contact_name, p.contact_phone));
            park.steps_en.push(format!("Alert the park: {} ({} {})", p.name, p.contact_name, p.contact_phone));
            let (zh, en) = plan_line(&card.park_plan, "园区", "park");
            park.steps_zh.push(zh);
            park.steps_en.push(en);
        }
        None if s.kind == RiskSourceKind::ChemicalPark => {
            park.steps_zh.push("本风险源即化工园区：按园区预案组织园区内企业".into());
            park.steps_en.push("This risk source is the chemical park: its plan directs the enterprises in it".into());
        }
        None => {
            park.steps_zh.push("不在化工园区内：无园区级防线，由企业级直接进入河流级".into());
            park.steps_en
                .push("Not in a chemical park: no park level; from the enterprise straight to the river".into());
        }
    }
    let mut riv = ContainmentLevel { level: "river".into(), steps_zh: Vec::new(), steps_en: Vec::new() };
    match &card.river {
        Some(r) => {
            for w in &r.works {
                riv.steps_zh.push(format!("{} 内关闭{}", duration_zh(w.close_by_s), w.name));
                riv.steps_en.push(format!("Close {} within {}", w.name, duration_en(w.close_by_s)));
            }
            for i in r.intakes.iter().take(3) {
                riv.steps_zh.push(format!("通知{}：峰值约 {} 后到达", i.name, duration_zh(i.peak_s)));
                riv.steps_en.push(format!("Warn {}: the peak arrives after about {}", i.name, duration_en(i.peak_s)));
            }
            if r.works.is_empty() && r.intakes.is_empty() {
                riv.steps_zh.push(format!("下游河网（{}）无已录入的闸坝和取水口", r.reach_name));
                riv.steps_en.push(format!("No control works or intakes recorded downstream ({})", r.reach_name));
            }
        }
        None => {
            riv.steps_zh.extend(card.river_unavailable_zh.clone());
            riv.steps_en.extend(card.river_unavailable_en.clone());
        }
    }
    vec![ent, park, riv]
}

/// The card of a risk source.
pub fn card(conn: &Connection, clock: &dyn Clock, risk_source_id: &str) -> Result<PlanCard> {
    let source = RiskSource::get(conn, risk_source_id)?
        .ok_or(PrepError::NotFound { kind: "risk source", id: risk_source_id.to_owned() })?;
    let park = match &source.park_id {
        Some(id) => RiskSource::get(conn, id)?,
        None => None,
    };
    let plan_of = |id: &str| -> Result<Option<PlanView>> {
        let mut v = plans::list(conn, clock, &PlanFilter { subject_id: Some(id.to_owned()), ..PlanFilter::default() })?;
        // The most recently issued plan of the subject.
        v.sort_by(|a, b| b.plan.issued_on.cmp(&a.plan.issued_on));
        Ok(v.into_iter().next())
    };
    let plan = plan_of(&source.id)?;
    let park_plan = match &park {
        Some(p) => plan_of(&p.id)?,
        None => None,
    };
    let held = chemicals_of(conn, &source.id)?;
    let more_chemicals = held.len().saturating_sub(CARD_CHEMICALS);
    let chemicals = held.iter().take(CARD_CHEMICALS).map(|h| chemical(conn, h)).collect::<Result<Vec<_>>>()?;
    let position = source.lat.zip(source.lon).map(|(lat, lon)| LatLon { lat, lon });
    let (river, unavailable) = match position {
        Some(p) => match river(conn, p)? {
            Ok(r) => (Some(r), None),
            Err(why) => (None, Some(why)),
        },
        None => (
            None,
            Some(("该风险源没有坐标，无法计算下游影响。".to_owned(), "the risk source has no position".to_owned())),
        ),
    };
    let (teams, experts, stockpiles) = match position {
        Some(p) => {
            (contacts(conn, p, Kind::Team)?, contacts(conn, p, Kind::Expert)?, contacts(conn, p, Kind::Warehouse)?)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let findings = inspect::list(
        conn,
        clock,
        &FindingFilter { risk_source_id: Some(source.id.clone()), open_only: true, ..Default::default() },
    )?;
    let mut card = PlanCard {
        generated_at: clock.now_rfc3339(),
        is_demo: source.data_source == "demo",
        park,
        plan,
        park_plan,
        chemicals,
        more_chemicals,
        river,
        river_unavailable_zh: unavailable.as_ref().map(|u| u.0.clone()),
        river_unavailable_en: unavailable.map(|u| u.1),
        teams,
        experts,
        stockpiles,
        containment: Vec::new(),
        open_findings: findings.len(),
        overdue_findings: findings.iter().filter(|f| f.overdue).count(),
        source,
    };
    card.containment = containment(&card);
    Ok(card)
}

// ---- the PDF --------------------------------------------------------------------------------

/// Points per millimetre (1 pt = 1/72 in, 1 in = 25.4 mm).
const PT_PER_MM: f32 = 72.0 / 25.4;
/// ISO 216 A4, mm.
const A4_W_MM: f32 = 210.0;
const A4_H_MM: f32 = 297.0;
/// Page margin, mm (this crate's choice: a card is read, not bound).
const MARGIN_MM: f32 = 14.0;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.38;

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Title,
    Heading,
    Body,
    Small,
}

struct Line {
    text: String,
    style: Style,
    indent_em: f32,
}

fn km(m: f64) -> String {
    if m < 1000.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.1} km", m / 1000.0)
    }
}

/// The language a card's PDF is written in. Chinese is the default (the language of reports);
/// English is for a console whose window is in English. Names, addresses and contacts are data
/// and stay as entered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en` (also `zh-CN`, `en-GB`, any case); anything else is refused with the choices.
    pub fn parse(s: &str) -> Result<Lang> {
        let l = s.trim().to_ascii_lowercase();
        match l.split(['-', '_']).next().unwrap_or("") {
            "" | "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            _ => Err(crate::invalid(
                "lang",
                format!("不支持的语言「{s}」，可选：zh（中文）/ en（英文）"),
                format!("unsupported language {s:?}: zh or en"),
            )),
        }
    }
}

fn lines(card: &PlanCard, lang: Lang) -> Vec<Line> {
    match lang {
        Lang::Zh => lines_zh(card),
        Lang::En => lines_en(card),
    }
}

/// The card as text lines in English, before wrapping: the same sections as [`lines_zh`].
fn lines_en(card: &PlanCard) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |style, indent_em: f32, text: String| out.push(Line { text, style, indent_em });
    let s = &card.source;
    let or_dash = |t: &str| if t.is_empty() { "—".to_owned() } else { t.to_owned() };
    push(Style::Title, 0.0, format!("Emergency response card: {}", s.name));
    push(
        Style::Small,
        0.0,
        format!(
            "{} · risk grade: {} · {} · {} · generated {}{}",
            s.kind.label_en(),
            s.grade.label_en(),
            or_dash(&s.industry),
            or_dash(&s.address),
            card.generated_at.get(..16).unwrap_or(&card.generated_at).replace('T', " "),
            if card.is_demo { " · DEMO DATA (fictitious)" } else { "" }
        ),
    );
    push(Style::Heading, 0.0, "1. Three levels of containment".into());
    for (level, title) in card.containment.iter().zip(["Enterprise", "Chemical park", "River"]) {
        push(Style::Body, 0.0, format!("[{title}]"));
        for step in &level.steps_en {
            push(Style::Body, 1.0, format!("· {step}"));
        }
    }
    push(Style::Heading, 0.0, "2. Hazardous chemicals".into());
    if card.chemicals.is_empty() {
        push(Style::Body, 0.0, "No hazardous chemicals recorded.".into());
    }
    for c in &card.chemicals {
        push(
            Style::Body,
            0.0,
            format!(
                "{}  CAS {}  UN {}  max. held {} t{}",
                if c.name_en.is_empty() { &c.name_zh } else { &c.name_en },
                or_dash(&c.cas),
                or_dash(&c.un_number),
                c.max_quantity_t,
                c.gb3838_limit_mg_l.map(|l| format!("  GB 3838 limit {l} mg/L")).unwrap_or_default()
            ),
        );
        if c.in_library {
            let mark = if c.texts_verified { "" } else { " (hand-written in the library, not yet verified)" };
            push(Style::Small, 1.0, format!("Hazards: {}{mark}", c.hazards_en.join("; ")));
            push(Style::Small, 1.0, format!("Response: {}", c.disposal_en.join("; ")));
        } else {
            push(Style::Small, 1.0, "Not in the chemical library: see its safety data sheet (SDS)".into());
        }
    }
    if card.more_chemicals > 0 {
        push(Style::Small, 0.0, format!("{} more chemicals not listed: see the console.", card.more_chemicals));
    }
    push(Style::Heading, 0.0, "3. Downstream intakes and control works".into());
    match &card.river {
        Some(r) => {
            push(
                Style::Small,
                0.0,
                format!(
                    "Enters the river at {} ({} away). Reference release: {} kg of a conservative pollutant at once, \
                     front counted at {} mg/L; river network model {}.",
                    r.reach_name,
                    km(r.snap_distance_m),
                    r.release_kg,
                    r.threshold_mg_l,
                    r.model_version
                ),
            );
            if r.intakes.is_empty() {
                push(Style::Body, 0.0, "No drinking-water intakes recorded downstream.".into());
            }
            for (i, t) in r.intakes.iter().enumerate() {
                push(
                    Style::Body,
                    0.0,
                    format!(
                        "{}. {}  peak after about {}{}",
                        i + 1,
                        t.name,
                        duration_en(t.peak_s),
                        t.front_s.map_or(
                            format!(" (below {} mg/L in the reference release)", r.threshold_mg_l),
                            |f| format!(", front after {}", duration_en(f))
                        )
                    ),
                );
            }
            for w in &r.works {
                push(
                    Style::Body,
                    0.0,
                    format!(
                        "Close {} within {}{}",
                        w.name,
                        duration_en(w.close_by_s),
                        if w.protects.is_empty() {
                            String::new()
                        } else {
                            format!(" (protects {})", w.protects.join(", "))
                        }
                    ),
                );
            }
        }
        None => push(Style::Body, 0.0, card.river_unavailable_en.clone().unwrap_or_default()),
    }
    push(Style::Heading, 0.0, "4. Nearest response resources".into());
    for (title, list) in [("Teams", &card.teams), ("Experts", &card.experts), ("Stockpiles", &card.stockpiles)] {
        push(Style::Body, 0.0, format!("[{title}]"));
        if list.is_empty() {
            push(Style::Body, 1.0, format!("none within {} km", CONTACT_RADIUS_M / 1000.0));
        }
        for c in list.iter() {
            push(
                Style::Body,
                1.0,
                format!("{} ({}) {} {} · {}", c.name, c.detail, c.contact_name, c.contact_phone, km(c.distance_m)),
            );
        }
    }
    push(Style::Heading, 0.0, "5. Plans and hazard findings".into());
    let plan = |p: &Option<PlanView>, whose: &str| match p {
        Some(v) => format!(
            "{whose} plan: \"{}\" {} · issued {} · filed {} {} · revision due {} ({})",
            v.plan.title,
            v.plan.status.label_en(),
            v.plan.issued_on.as_deref().unwrap_or("—"),
            v.plan.filed_on.as_deref().unwrap_or("—"),
            v.plan.filing_number,
            v.revision_due_on.as_deref().unwrap_or("—"),
            v.revision_state.label_en()
        ),
        None => format!("{whose} plan: none on record"),
    };
    push(Style::Body, 0.0, plan(&card.plan, "Enterprise"));
    if card.park.is_some() {
        push(Style::Body, 0.0, plan(&card.park_plan, "Park"));
    }
    push(
        Style::Body,
        0.0,
        format!("{} open hazard findings, {} of them overdue.", card.open_findings, card.overdue_findings),
    );
    push(
        Style::Small,
        0.0,
        "Generated by the Yingji console from this computer's database; the river figures are a reference \
         release: recompute with the actual release during an incident."
            .into(),
    );
    out
}

/// The card as text lines in Chinese, before wrapping (the default language of reports).
fn lines_zh(card: &PlanCard) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |style, indent_em: f32, text: String| out.push(Line { text, style, indent_em });
    let s = &card.source;
    push(Style::Title, 0.0, format!("{} 应急处置卡", s.name));
    push(
        Style::Small,
        0.0,
        format!(
            "{} · 风险等级：{} · {} · {} · 生成于 {}{}",
            s.kind.label_zh(),
            s.grade.label_zh(),
            if s.industry.is_empty() { "—" } else { &s.industry },
            if s.address.is_empty() { "—" } else { &s.address },
            card.generated_at.get(..16).unwrap_or(&card.generated_at).replace('T', " "),
            if card.is_demo { " · 演示数据（虚构）" } else { "" }
        ),
    );
    push(Style::Heading, 0.0, "一、三级防控".into());
    for (level, title) in card.containment.iter().zip(["企业级", "园区级", "河流级"]) {
        push(Style::Body, 0.0, format!("【{title}】"));
        for step in &level.steps_zh {
            push(Style::Body, 1.0, format!("· {step}"));
        }
    }
    push(Style::Heading, 0.0, "二、危险化学品".into());
    if card.chemicals.is_empty() {
        push(Style::Body, 0.0, "未录入危险化学品。".into());
    }
    for c in &card.chemicals {
        push(
            Style::Body,
            0.0,
            format!(
                "{}  CAS {}  UN {}  最大存量 {} t{}",
                c.name_zh,
                if c.cas.is_empty() { "—" } else { &c.cas },
                if c.un_number.is_empty() { "—" } else { &c.un_number },
                c.max_quantity_t,
                c.gb3838_limit_mg_l.map(|l| format!("  GB 3838 限值 {l} mg/L")).unwrap_or_default()
            ),
        );
        if c.in_library {
            let mark = if c.texts_verified { "" } else { "（库内手工整理，未核实）" };
            push(Style::Small, 1.0, format!("危害：{}{mark}", c.hazards_zh.join("；")));
            push(Style::Small, 1.0, format!("处置：{}", c.disposal_zh.join("；")));
        } else {
            push(Style::Small, 1.0, "化学品库中没有该物质：查阅其安全技术说明书（SDS）".into());
        }
    }
    if card.more_chemicals > 0 {
        push(Style::Small, 0.0, format!("另有 {} 种化学品未列出，见系统。", card.more_chemicals));
    }
    push(Style::Heading, 0.0, "三、下游敏感目标与闸坝".into());
    match &card.river {
        Some(r) => {
            push(
                Style::Small,
                0.0,
                format!(
                    "入河位置：{}（距 {}）。参考情景：瞬时排放 {} kg 保守性污染物，前锋按 {} mg/L 计；河网模型 {}。",
                    r.reach_name,
                    km(r.snap_distance_m),
                    r.release_kg,
                    r.threshold_mg_l,
                    r.model_version
                ),
            );
            if r.intakes.is_empty() {
                push(Style::Body, 0.0, "下游无已录入的饮用水取水口。".into());
            }
            for (i, t) in r.intakes.iter().enumerate() {
                push(
                    Style::Body,
                    0.0,
                    format!(
                        "{}. {}  峰值约 {} 后到达{}",
                        i + 1,
                        t.name,
                        duration_zh(t.peak_s),
                        t.front_s.map_or(format!("（参考情景下浓度低于 {} mg/L）", r.threshold_mg_l), |f| format!(
                            "，前锋 {}",
                            duration_zh(f)
                        ))
                    ),
                );
            }
            for w in &r.works {
                push(
                    Style::Body,
                    0.0,
                    format!(
                        "关闭 {}：{} 内{}",
                        w.name,
                        duration_zh(w.close_by_s),
                        if w.protects.is_empty() {
                            String::new()
                        } else {
                            format!("（保护 {}）", w.protects.join("、"))
                        }
                    ),
                );
            }
        }
        None => push(Style::Body, 0.0, card.river_unavailable_zh.clone().unwrap_or_default()),
    }
    push(Style::Heading, 0.0, "四、最近的救援力量".into());
    for (title, list) in [("应急队伍", &card.teams), ("专家", &card.experts), ("物资库", &card.stockpiles)] {
        push(Style::Body, 0.0, format!("【{title}】"));
        if list.is_empty() {
            push(Style::Body, 1.0, format!("{} km 内没有", CONTACT_RADIUS_M / 1000.0));
        }
        for c in list.iter() {
            push(
                Style::Body,
                1.0,
                format!("{}（{}）{} {} · {}", c.name, c.detail, c.contact_name, c.contact_phone, km(c.distance_m)),
            );
        }
    }
    push(Style::Heading, 0.0, "五、预案与隐患".into());
    let plan = |p: &Option<PlanView>, whose: &str| match p {
        Some(v) => format!(
            "{whose}预案：《{}》{} · 发布 {} · 备案 {} {} · 修订期限 {}（{}）",
            v.plan.title,
            v.plan.status.label_zh(),
            v.plan.issued_on.as_deref().unwrap_or("—"),
            v.plan.filed_on.as_deref().unwrap_or("—"),
            v.plan.filing_number,
            v.revision_due_on.as_deref().unwrap_or("—"),
            v.revision_state.label_zh()
        ),
        None => format!("{whose}预案：未录入"),
    };
    push(Style::Body, 0.0, plan(&card.plan, "企业"));
    if card.park.is_some() {
        push(Style::Body, 0.0, plan(&card.park_plan, "园区"));
    }
    push(Style::Body, 0.0, format!("未销号隐患 {} 项，其中逾期 {} 项。", card.open_findings, card.overdue_findings));
    push(
        Style::Small,
        0.0,
        "本卡由应急指挥台根据本机数据库自动生成；河网计算为参考情景，事件中请按实际排放量重新计算。".into(),
    );
    out
}

fn size_of(style: Style, body_pt: f32) -> f32 {
    match style {
        Style::Title => body_pt * 1.7,
        Style::Heading => body_pt * 1.15,
        Style::Body => body_pt,
        Style::Small => body_pt * 0.88,
    }
}

/// Wraps the lines for a body size: (text, style, x offset pt, size pt) per printed line.
fn layout(lines: &[Line], body_pt: f32, width_pt: f32) -> Vec<(String, Style, f32, f32)> {
    let mut out = Vec::new();
    for l in lines {
        let size = size_of(l.style, body_pt);
        let indent = l.indent_em * size;
        for (i, piece) in wrap(&l.text, (width_pt - indent) / size).into_iter().enumerate() {
            // Continuation lines hang under the text, not under the bullet.
            let hang = if i > 0 && l.text.starts_with('·') { size } else { 0.0 };
            out.push((piece, l.style, indent + hang, size));
        }
    }
    out
}

/// The card on one A4 page: the body size shrinks from 9.5 pt until everything fits (never
/// below 6 pt; anything still left over is cut with a note).
pub fn pdf(card: &PlanCard, lang: Lang) -> Result<Vec<u8>> {
    let font: Font = load_cjk_font()?;
    let (page_w, page_h) = (A4_W_MM * PT_PER_MM, A4_H_MM * PT_PER_MM);
    let margin = MARGIN_MM * PT_PER_MM;
    let width = page_w - 2.0 * margin;
    let height = page_h - 2.0 * margin;
    let source = lines(card, lang);
    let mut body_pt = 9.5_f32;
    let mut laid = layout(&source, body_pt, width);
    let total = |l: &[(String, Style, f32, f32)]| -> f32 {
        l.iter().map(|(_, st, _, sz)| sz * LEADING + if *st == Style::Heading { sz * 0.6 } else { 0.0 }).sum()
    };
    while total(&laid) > height && body_pt > 6.0 {
        body_pt -= 0.25;
        laid = layout(&source, body_pt, width);
    }
    while total(&laid) > height && laid.len() > 2 {
        laid.pop();
        if total(&laid) + body_pt * LEADING <= height {
            let more = match lang {
                Lang::Zh => "……（内容过长，余下见系统）",
                Lang::En => "… (too long for one page: see the console for the rest)",
            };
            laid.push((more.into(), Style::Small, 0.0, body_pt));
            break;
        }
    }
    let mut doc = Document::new();
    let mut page = doc.start_page_with(PageSettings::from_wh(page_w, page_h).expect("A4 is a valid size"));
    let mut surface = page.surface();
    let mut y = margin;
    for (text, style, x, size) in &laid {
        if *style == Style::Heading {
            y += size * 0.6;
            // A light band behind each section heading.
            let mut pb = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(margin, y - size * 0.15, width, size * LEADING) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                surface.set_fill(Some(Fill { paint: rgb::Color::new(226, 232, 240).into(), ..Fill::default() }));
                surface.draw_path(&path);
                surface.set_fill(Some(Fill::default()));
            }
        }
        let colour = match style {
            Style::Title => rgb::Color::new(153, 27, 27),
            Style::Small => rgb::Color::new(71, 85, 105),
            _ => rgb::Color::new(15, 23, 42),
        };
        surface.set_fill(Some(Fill { paint: colour.into(), ..Fill::default() }));
        let baseline = y + size;
        surface.draw_text(Point::from_xy(margin + x, baseline), font.clone(), *size, text, false, TextDirection::Auto);
        y += size * LEADING;
    }
    surface.finish();
    page.finish();
    doc.finish().map_err(|e| PrepError::Pdf(yingji_incident::IncidentError::Export { message: format!("{e:?}") }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn the_card_of_a_demo_source_holds_its_chemicals_river_contacts_and_levels() {
        let store = testutil::demo();
        let clock = testutil::clock();
        let conn = store.conn();
        // Find a source whose card has downstream intakes (most sources near a river do).
        let ids: Vec<String> = conn
            .prepare(
                "SELECT s.id FROM risk_sources s WHERE s.kind = 'enterprise' AND s.park_id IS NOT NULL
                   AND EXISTS (SELECT 1 FROM risk_source_chemicals c WHERE c.risk_source_id = s.id) ORDER BY s.id",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let card = ids
            .iter()
            .map(|id| card(conn, &clock, id).unwrap())
            .find(|c| c.river.as_ref().is_some_and(|r| !r.intakes.is_empty() && !r.works.is_empty()))
            .expect("a demo source with intakes and works downstream");
        let s = &card.source;
        assert!(card.is_demo);
        let held = chemicals_of(conn, &s.id).unwrap();
        assert_eq!(card.chemicals.len(), held.len().min(CARD_CHEMICALS));
        assert_eq!(card.chemicals[0].name_zh, held[0].name_zh, "largest holding first");
        assert!(
            card.chemicals.iter().all(|c| c.in_library && !c.hazards_zh.is_empty()),
            "demo chemicals are all in the library"
        );
        let r = card.river.as_ref().unwrap();
        assert!(r.intakes.windows(2).all(|w| w[0].peak_s <= w[1].peak_s), "nearest in time first");
        assert!(r.intakes.iter().all(|i| i.peak_s > 0.0 && i.front_s.is_none_or(|f| f <= i.peak_s)));
        assert!(r.works.windows(2).all(|w| w[0].close_by_s <= w[1].close_by_s));
        assert_eq!(card.teams.len(), CARD_CONTACTS);
        assert!(card.teams.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
        assert!(card.teams.iter().all(|t| !t.contact_phone.is_empty()));
        assert_eq!(card.experts.len(), CARD_CONTACTS);
        assert_eq!(card.stockpiles.len(), CARD_CONTACTS);
        let park = card.park.as_ref().expect("in a park");
        assert_eq!(
            card.containment.iter().map(|l| l.level.as_str()).collect::<Vec<_>>(),
            ["enterprise", "park", "river"]
        );
        assert!(card.containment[1].steps_zh[0].contains(&park.name));
        assert!(card.containment[2].steps_zh.iter().any(|s| s.contains(&r.works[0].name)));
        assert!(card.plan.is_some(), "every demo enterprise has a plan");
        // The same river answer as the model itself.
        let direct = yingji_spill::river_spill(
            conn,
            &RiverSpillRequest {
                lat: s.lat.unwrap(),
                lon: s.lon.unwrap(),
                mass_kg: REFERENCE_RELEASE_KG,
                threshold_mg_l: ARRIVAL_THRESHOLD_MG_L,
                decay_per_s: 0.0,
                duration_s: None,
            },
        )
        .unwrap();
        assert_eq!(direct.interceptions[0].close_by_s, r.works[0].close_by_s);

        // English: the same sections with English headings and the library's English texts.
        let en: Vec<String> = lines(&card, Lang::En).into_iter().map(|l| l.text).collect();
        let zh: Vec<String> = lines(&card, Lang::Zh).into_iter().map(|l| l.text).collect();
        assert_eq!(en.len(), zh.len(), "one English line for each Chinese line");
        assert!(en[0].starts_with("Emergency response card: ") && zh[0].ends_with("应急处置卡"));
        assert!(en.contains(&"1. Three levels of containment".to_owned()));
        assert!(en.iter().any(|l| l.starts_with("Hazards: ") && l.contains(&card.chemicals[0].hazards_en[0])));
        let headings =
            |ls: &[String]| ls.iter().filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit())).count();
        assert!(headings(&en) >= 5);
        // The template's own words are English: no CJK outside the data (names, places, contacts).
        let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c);
        for l in [&en[2], &en[en.len() - 1], &en[en.len() - 2]] {
            assert!(!l.chars().any(is_cjk), "{l}");
        }
        let en_pdf = pdf(&card, Lang::En).unwrap();
        assert!(en_pdf.starts_with(b"%PDF-"));
        assert_eq!(Lang::parse("en-GB").unwrap(), Lang::En);
        assert_eq!(Lang::parse("").unwrap(), Lang::Zh);
        assert!(matches!(Lang::parse("fr"), Err(PrepError::Invalid { field: "lang", .. })));

        let bytes = pdf(&card, Lang::Zh).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        // Page objects: `/Type /Page` (any spacing) not followed by `s` (the page tree).
        let compact: String = text.split_whitespace().collect();
        let pages = compact.matches("/Type/Page").count() - compact.matches("/Type/Pages").count();
        assert_eq!(pages, 1, "one page");
    }

    #[test]
    fn an_unknown_source_is_not_found() {
        let store = testutil::demo();
        let e = card(store.conn(), &testutil::clock(), "nope").unwrap_err();
        assert!(matches!(e, PrepError::NotFound { .. }));
    }
}
