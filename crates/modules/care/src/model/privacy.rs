//! What a wish's public text must not show: who wished it, where they live, and the care group
//! they are in. The wall prints only the text typed for it, so the text is checked when it is
//! written: a name of the household, its building and door, or a care group's name in it is
//! refused with the words found, and the poster rewrites it ("a schoolbag for a pupil in year
//! two", not "a schoolbag for 小明 of 3号楼, a left-behind child").

/// The words of `forbidden` that occur in `text`, each once, in the order given. Words shorter
/// than two characters are ignored: a one-character name or door number matches too much.
pub fn leaks<'a>(text: &str, forbidden: &'a [String]) -> Vec<&'a str> {
    let folded = text.to_lowercase();
    let mut found: Vec<&str> = Vec::new();
    for w in forbidden {
        let w = w.trim();
        if w.chars().count() >= 2 && folded.contains(&w.to_lowercase()) && !found.contains(&w) {
            found.push(w);
        }
    }
    found
}

/// The door of a household as people write it: `3号楼2单元302`, `3号楼 2单元 302`, `2单元302`,
/// and the building alone.
pub fn address_forms(building: &str, unit: &str, door: &str) -> Vec<String> {
    let (b, u, d) = (building.trim(), unit.trim(), door.trim());
    vec![
        format!("{b}{u}{d}"),
        format!("{b} {u} {d}"),
        format!("{u}{d}"),
        format!("{b}{d}"),
        b.to_owned(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_name_an_address_or_a_care_group_in_the_text_is_found() {
        let mut forbidden = words(&["王小明", "留守儿童", "独居老人", "Left-behind child"]);
        forbidden.extend(address_forms("3号楼", "2单元", "302"));
        let text = "给3号楼2单元302的留守儿童王小明买一个书包";
        assert_eq!(
            leaks(text, &forbidden),
            ["王小明", "留守儿童", "3号楼2单元302", "2单元302", "3号楼"]
        );
        assert_eq!(
            leaks("a schoolbag for a LEFT-BEHIND CHILD", &forbidden),
            ["Left-behind child"]
        );
        assert!(leaks("二年级小学生想要一个新书包和一套文具", &forbidden).is_empty());
    }

    #[test]
    fn one_character_words_are_not_matched() {
        assert!(leaks("王阿姨想修窗户", &words(&["王", " "])).is_empty());
    }
}
