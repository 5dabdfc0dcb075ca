//! Synthetic residents for the demo community and for benchmarks: realistic names, ages and
//! households, checksum-valid citizen IDs with Lanzhou's Xigu address code, and phone numbers
//! in a range no real subscriber holds. Never real people.

use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::{Gender, IdType, Political, Relation, Residence, ResidentValues};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "魏", "丁", "雷", "冯", "韩", "曹", "邓", "彭", "苏", "蒋",
];
/// Given names by sex and generation: a name has to agree with the sex and the age the ID
/// number states (a 建国 is a man born around 1949, a 梓萱 a girl of this century), or the demo
/// teaches staff to overlook exactly the mismatch the registry refuses.
const GIVEN_MEN_OLDER: &[&str] = &["建国", "志强", "国庆", "德明", "春生", "永福", "军", "强", "勇", "斌"];
const GIVEN_WOMEN_OLDER: &[&str] = &["秀兰", "桂英", "玉梅", "淑珍", "海燕", "红梅", "金花", "芳", "丽", "霞"];
const GIVEN_MEN_YOUNGER: &[&str] = &["浩然", "宇轩", "文博", "明", "伟", "磊", "洋", "杰", "涛", "鹏"];
const GIVEN_WOMEN_YOUNGER: &[&str] = &["子涵", "欣怡", "梓萱", "雨桐", "婷", "静", "敏", "艳", "娟", "玲"];
/// People born from this year on get the younger generation's names.
const YOUNGER_FROM: i16 = 1980;
const OCCUPATIONS: &[&str] = &[
    "退休",
    "职工",
    "个体经营",
    "教师",
    "司机",
    "医生",
    "学生",
    "务工",
    "自由职业",
    "",
];
/// Xigu District, Lanzhou (GB/T 2260).
const ADDRESS_CODE: &str = "620104";

/// A deterministic generator: the same seed gives the same people.
pub struct Synth {
    rng: StdRng,
    today: Date,
    serial: u32,
}

/// The check character of 17 digits (GB 11643).
fn check(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

impl Synth {
    pub fn new(seed: u64, today: Date) -> Synth {
        Synth {
            rng: StdRng::seed_from_u64(seed),
            today,
            serial: 0,
        }
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.gen_range(0..list.len())]
    }

    fn birth(&mut self, min_age: i16, max_age: i16) -> Date {
        let year = self.today.year() - self.rng.gen_range(min_age..=max_age);
        let month = self.rng.gen_range(1..=12);
        let day = self.rng.gen_range(1..=28);
        Date::new(year, month, day).unwrap_or(self.today)
    }

    /// A citizen ID for a birth date and gender; the serial keeps numbers apart.
    fn id_number(&mut self, birth: Date, male: bool) -> String {
        self.serial += 1;
        let seq = (self.serial % 500) * 2 + u32::from(male);
        let first17 = format!("{ADDRESS_CODE}{}{seq:03}", birth.strftime("%Y%m%d"));
        let c = check(&first17);
        format!("{first17}{c}")
    }

    /// A mobile number in 199 0931 xxxx: a fictitious range for the demo.
    fn phone(&mut self) -> String {
        format!("1990931{:04}", self.rng.gen_range(0..10_000))
    }

    /// One person of a household with their relation to its head.
    pub fn person(&mut self, relation: Relation, surname: &str) -> ResidentValues {
        let (min, max) = match relation {
            Relation::Head | Relation::Spouse => (28, 88),
            Relation::Child => (1, 30),
            Relation::Parent => (60, 92),
            Relation::Grandchild => (0, 12),
            _ => (18, 70),
        };
        let birth = self.birth(min, max);
        let male = self.rng.gen_bool(0.5);
        let age = i64::from(self.today.year() - birth.year());
        let hui = surname == "马" && self.rng.gen_bool(0.6);
        let political = match self.rng.gen_range(0..10) {
            0 if age >= 18 => Political::PartyMember,
            1 if (14..=28).contains(&age) => Political::LeagueMember,
            _ => Political::Masses,
        };
        let given = self.pick(match (male, birth.year() >= YOUNGER_FROM) {
            (true, false) => GIVEN_MEN_OLDER,
            (false, false) => GIVEN_WOMEN_OLDER,
            (true, true) => GIVEN_MEN_YOUNGER,
            (false, true) => GIVEN_WOMEN_YOUNGER,
        });
        ResidentValues {
            name: format!("{surname}{given}"),
            gender: if male { Gender::Male } else { Gender::Female },
            birth_date: Some(birth),
            ethnicity: if hui { "03".into() } else { "01".into() },
            id_type: IdType::Citizen,
            id_number: Some(self.id_number(birth, male)),
            phone: (age >= 14).then(|| self.phone()),
            phone2: None,
            relation,
            residence: if self.rng.gen_bool(0.9) {
                Residence::RegisteredLiving
            } else {
                Residence::LivingUnregistered
            },
            moved_in_on: Date::new(self.rng.gen_range(1995..=2025), self.rng.gen_range(1..=12), 1).ok(),
            occupation: if age >= 60 {
                "退休".into()
            } else if age < 18 {
                "学生".into()
            } else {
                self.pick(OCCUPATIONS).to_owned()
            },
            employer: String::new(),
            party_branch: if political == Political::PartyMember {
                "西柳沟社区第一党支部".into()
            } else {
                String::new()
            },
            political,
            veteran: age >= 40 && male && self.rng.gen_bool(0.04),
            notes: String::new(),
            health: None,
        }
    }

    /// The members of one household: 1–5 people around a head.
    pub fn household(&mut self) -> Vec<ResidentValues> {
        let surname = self.pick(SURNAMES).to_owned();
        let size = match self.rng.gen_range(0..100) {
            0..=17 => 1,
            18..=49 => 2,
            50..=79 => 3,
            80..=93 => 4,
            _ => 5,
        };
        let mut people = vec![self.person(Relation::Head, &surname)];
        let rest = [Relation::Spouse, Relation::Child, Relation::Child, Relation::Parent];
        for relation in rest.iter().take(size - 1) {
            let name = if *relation == Relation::Spouse {
                self.pick(SURNAMES).to_owned()
            } else {
                surname.clone()
            };
            people.push(self.person(*relation, &name));
        }
        people
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    pub fn below(&mut self, n: u32) -> u32 {
        self.rng.gen_range(0..n.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResidentInput;

    #[test]
    fn synthetic_people_pass_the_registry_checks() {
        let today = Date::new(2026, 11, 27).unwrap();
        let mut s = Synth::new(7, today);
        for _ in 0..200 {
            for p in s.household() {
                let input = ResidentInput {
                    name: p.name.clone(),
                    gender: p.gender.as_str().into(),
                    id_number: p.id_number.clone().unwrap(),
                    birth_date: p.birth_date.unwrap().to_string(),
                    phone: p.phone.clone().unwrap_or_default(),
                    ..ResidentInput::default()
                };
                assert!(input.parse(today).is_ok(), "{input:?}");
            }
        }
    }

    #[test]
    fn a_given_name_matches_the_sex_and_generation_the_id_states() {
        let today = Date::new(2026, 11, 27).unwrap();
        let mut s = Synth::new(11, today);
        for _ in 0..200 {
            for p in s.household() {
                let id = crate::model::parse_citizen_id(p.id_number.as_deref().unwrap(), today).unwrap();
                let given: String = p.name.chars().skip(1).collect();
                let pool = match (id.male, id.birth.year() >= YOUNGER_FROM) {
                    (true, false) => GIVEN_MEN_OLDER,
                    (false, false) => GIVEN_WOMEN_OLDER,
                    (true, true) => GIVEN_MEN_YOUNGER,
                    (false, true) => GIVEN_WOMEN_YOUNGER,
                };
                assert!(pool.contains(&given.as_str()), "{} {:?}", p.name, id);
                assert_eq!(p.gender == Gender::Male, id.male);
                assert_eq!(p.birth_date, Some(id.birth));
            }
        }
    }
}
