//! What a wish's public text must not give away: who wished, where they live, how to reach them,
//! and that they are in a care group (DOMAIN.md §5). Everything others read on the wall — the
//! title and the story, a fulfilment's proof note, a release note, the thanks — passes
//! [`details`]. The answer names the *kind* of detail to remove, never the words matched: the
//! names and addresses come from the registry, and echoing them would let anyone who can post
//! ask the registry who lives where (issue 28).
//!
//! Addresses are recognised by their shape, not only as the household's own: a numeral (digits,
//! full-width digits or Chinese numerals) before 号楼, 栋, 幢, 单元, 室 or 号院, and door labels
//! such as 1-1-601. Care-group words and their synonyms are a reviewed list (`care_words.txt`).

use yijia_kernel::redact::{numbers_in, Number};
use yijia_kernel::vocab;

vocab!(
    /// A kind of personal detail a public text gave away.
    Detail {
        Name = "name" / "姓名" / "a name",
        Address = "address" / "门牌地址" / "an address",
        Phone = "phone" / "电话号码" / "a phone number",
        IdNumber = "id_number" / "证件号码" / "an ID number",
        CareGroup = "care_group" / "困难群体类别" / "a care group",
    }
);

/// The care-group words and their synonyms, one a line; `#` starts a comment.
const CARE_WORDS: &str = include_str!("care_words.txt");

/// The reviewed care-group words, lower-cased.
pub fn care_words() -> Vec<String> {
    CARE_WORDS
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// What `text` must not hold, known for the wish at hand: the household members' and the
/// wisher's names, the household's door as the registry labels it, and the care groups of the
/// community (the built-in list, its custom groups).
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub names: Vec<String>,
    pub doors: Vec<String>,
    pub care: Vec<String>,
}

/// The kinds of detail `text` gives away, each once, in a fixed order.
pub fn details(text: &str, known: &Known) -> Vec<Detail> {
    let folded = text.to_lowercase();
    let has = |words: &[String]| {
        words
            .iter()
            .map(|w| w.trim().to_lowercase())
            .any(|w| w.chars().count() >= 2 && folded.contains(&w))
    };
    let numbers = numbers_in(text);
    let mut out = Vec::new();
    if has(&known.names) {
        out.push(Detail::Name);
    }
    if has(&known.doors) || looks_like_address(text) {
        out.push(Detail::Address);
    }
    if numbers.contains(&Number::Phone) {
        out.push(Detail::Phone);
    }
    if numbers.contains(&Number::Id) {
        out.push(Detail::IdNumber);
    }
    if has(&known.care) || care_words().iter().any(|w| folded.contains(w.as_str())) {
        out.push(Detail::CareGroup);
    }
    out
}

/// A numeral as people write one in an address.
fn numeral(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "一二三四五六七八九十百零〇两".contains(c)
}

/// True when the text holds a building, unit or door in one of the forms people write.
fn looks_like_address(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        // 1号楼, 三栋, 2幢, 一单元, 601室, 5号院 — but not 第一单元 (a lesson of a textbook).
        let marker = ['号', '栋', '幢', '单', '室'].contains(c)
            && match c {
                '号' => matches!(chars.get(i + 1), Some('楼' | '院')),
                '单' => chars.get(i + 1) == Some(&'元'),
                _ => true,
            };
        if marker && i > 0 && numeral(chars[i - 1]) {
            let start = chars[..i].iter().rposition(|c| !numeral(*c)).map_or(0, |p| p + 1);
            if start == 0 || chars[start - 1] != '第' {
                return true;
            }
        }
        // 1-1-601, 3-602: groups of digits joined by dashes, the last a door of three or more.
        if c.is_ascii_digit() && (i == 0 || !(chars[i - 1].is_ascii_digit() || chars[i - 1] == '-')) {
            let mut groups = vec![0usize];
            let mut j = i;
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    if let Some(g) = groups.last_mut() {
                        *g += 1;
                    }
                } else if matches!(chars[j], '-' | '－' | '—') && chars.get(j + 1).is_some_and(char::is_ascii_digit)
                {
                    groups.push(0);
                } else {
                    break;
                }
                j += 1;
            }
            let door = groups.last().copied().unwrap_or_default();
            if groups.len() >= 2 && (3..=4).contains(&door) && groups[..groups.len() - 1].iter().all(|g| *g <= 2) {
                return true;
            }
        }
    }
    false
}

/// The door of a household as the registry labels it and as people write it: `3号楼2单元302`,
/// `3号楼 2单元 302`, `2单元302`, `3号楼302`.
pub fn address_forms(building: &str, unit: &str, door: &str) -> Vec<String> {
    let (b, u, d) = (building.trim(), unit.trim(), door.trim());
    vec![
        format!("{b}{u}{d}"),
        format!("{b} {u} {d}"),
        format!("{u}{d}"),
        format!("{b}{d}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            names: vec!["徐艳".into(), "杨秀兰".into()],
            doors: address_forms("1号楼", "1单元", "601"),
            care: vec!["独居老人".into()],
        }
    }

    #[test]
    fn each_form_found_by_independent_testing_is_refused_by_kind() {
        use Detail::*;
        let cases: &[(&str, &[Detail])] = &[
            (
                "已送到海亮小区1号楼1单元202徐艳家，独居老人，电话13909311001",
                &[Name, Address, Phone, CareGroup],
            ),
            ("1号楼601", &[Address]),
            ("1-1-601", &[Address]),
            ("海亮小区一号楼一单元601", &[Address]),
            ("独居的老奶奶想要一台收音机", &[CareGroup]),
            ("空巢", &[CareGroup]),
            ("残障", &[CareGroup]),
            ("留守孩子的书包", &[CareGroup]),
            ("dibao household", &[CareGroup]),
            ("谢谢刘洋送到1号楼202", &[Address]),
            ("身份证11010519491231002X", &[IdNumber]),
            ("请找杨秀兰", &[Name]),
            ("３栋２０２室", &[Address]),
        ];
        for (text, want) in cases {
            assert_eq!(details(text, &known()), *want, "{text}");
        }
    }

    #[test]
    fn ordinary_wishes_pass() {
        for text in [
            "二年级小学生想要一个新书包和一套文具",
            "第一单元的练习册",
            "想学用智能手机视频通话",
            "2026-12-07 下午三点以后在家",
            "价值约200元",
        ] {
            assert!(
                details(text, &known()).is_empty(),
                "{text}: {:?}",
                details(text, &known())
            );
        }
    }

    #[test]
    fn the_care_words_list_holds_the_synonyms_and_no_blank_lines() {
        let words = care_words();
        for w in ["独居", "空巢", "残障", "留守", "dibao", "低保", "特困"] {
            assert!(words.contains(&w.to_owned()), "{w}");
        }
        assert!(words.iter().all(|w| w.chars().count() >= 2));
    }
}
