//! Text functions registered on every connection and used by the index triggers.

use pinyin::ToPinyin;
use rusqlite::{functions::FunctionFlags, Connection};

pub(crate) fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("yj_grams", 1, flags, |ctx| {
        let text: Option<String> = ctx.get(0)?;
        Ok(grams(text.as_deref().unwrap_or("")))
    })?;
    conn.create_scalar_function("yj_pinyin", 1, flags, |ctx| {
        let text: Option<String> = ctx.get(0)?;
        Ok(pinyin_keys(text.as_deref().unwrap_or("")))
    })?;
    // The R*Tree's kind dimension (migration 0005): unknown text gets 0, which no query asks for.
    conn.create_scalar_function("yj_kind_code", 1, flags, |ctx| {
        let text: Option<String> = ctx.get(0)?;
        let kind = crate::query::Kind::ALL.iter().find(|k| Some(k.as_str()) == text.as_deref());
        Ok(kind.map_or(0, |k| k.index_code()))
    })?;
    Ok(())
}

/// Every 1- and 2-character gram of each word of `text`, lower-cased, space-separated: the
/// tokens that let a 1–2 character query (苯, 氯气) match, which the trigram index cannot.
pub fn grams(text: &str) -> String {
    let mut out = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let chars: Vec<char> = word.chars().flat_map(char::to_lowercase).collect();
        for (i, c) in chars.iter().enumerate() {
            out.push(*c);
            out.push(' ');
            if let Some(next) = chars.get(i + 1) {
                out.push(*c);
                out.push(*next);
                out.push(' ');
            }
        }
    }
    out.truncate(out.trim_end().len());
    out
}

/// The pinyin of the Chinese characters in `text`, spelled out and as initials
/// (南京市 → "nanjingshi njs"), so a search by pinyin finds Chinese names.
pub fn pinyin_keys(text: &str) -> String {
    let mut full = String::new();
    let mut initials = String::new();
    for p in text.to_pinyin().flatten() {
        full.push_str(p.plain());
        initials.push_str(p.first_letter());
    }
    if full.is_empty() {
        return String::new();
    }
    format!("{full} {initials}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_cover_single_and_double_characters() {
        assert_eq!(grams("氯气"), "氯 氯气 气");
        assert_eq!(grams("苯（99%）"), "苯 9 99 9");
        assert_eq!(grams(""), "");
    }

    #[test]
    fn pinyin_spells_and_abbreviates() {
        assert_eq!(pinyin_keys("南京市"), "nanjingshi njs");
        assert_eq!(pinyin_keys("ABC"), "");
    }
}
