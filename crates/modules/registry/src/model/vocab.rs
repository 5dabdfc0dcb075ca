//! The closed lists of the registry. Each value has a stable code (stored, and used by the API)
//! and its Chinese and English labels; imports accept the code or the Chinese label, as the
//! community's Excel sheets write it.

use yijia_kernel::vocab;

vocab!(Gender {
    Male = "male" / "男" / "Male",
    Female = "female" / "女" / "Female",
    Unknown = "unknown" / "未说明" / "Not stated",
});

vocab!(
    /// The identity document a resident's number belongs to.
    IdType {
        Citizen = "citizen" / "居民身份证" / "Citizen ID",
        HmtPermit = "hmt_permit" / "港澳台居民居住证" / "HK/Macao/Taiwan residence permit",
        Passport = "passport" / "护照" / "Passport",
        Other = "other" / "其他证件" / "Other document",
        None = "none" / "无" / "None",
    }
);

/// The names an office sheet gives an identity document, beyond the official labels, mapped to
/// the registry's types (after the document names of GB/T 2261-style code lists and what
/// street offices write). The residence permit of Hong Kong, Macao and Taiwan residents carries
/// an 18-digit number under the citizen rule, so it has its own type; the travel permits
/// (回乡证, 台胞证) carry 8–10 character numbers of their own and are "other documents".
const ID_TYPE_SYNONYMS: &[(&str, IdType)] = &[
    ("身份证", IdType::Citizen),
    ("居民身份证", IdType::Citizen),
    ("二代身份证", IdType::Citizen),
    ("第二代居民身份证", IdType::Citizen),
    ("二代证", IdType::Citizen),
    ("临时身份证", IdType::Citizen),
    ("临时居民身份证", IdType::Citizen),
    ("公民身份号码", IdType::Citizen),
    ("身份证号", IdType::Citizen),
    ("身份证号码", IdType::Citizen),
    // The number in a household register (户口簿) is the citizen ID number.
    ("户口簿", IdType::Citizen),
    ("户口本", IdType::Citizen),
    ("港澳台居民居住证", IdType::HmtPermit),
    ("港澳居民居住证", IdType::HmtPermit),
    ("台湾居民居住证", IdType::HmtPermit),
    ("港澳台居住证", IdType::HmtPermit),
    ("居住证（港澳台）", IdType::HmtPermit),
    ("护照", IdType::Passport),
    ("普通护照", IdType::Passport),
    ("中国护照", IdType::Passport),
    ("外国护照", IdType::Passport),
    ("港澳居民来往内地通行证", IdType::Other),
    ("港澳通行证", IdType::Other),
    ("回乡证", IdType::Other),
    ("港澳同胞回乡证", IdType::Other),
    ("台湾居民来往大陆通行证", IdType::Other),
    ("台胞证", IdType::Other),
    ("外国人永久居留身份证", IdType::Other),
    ("外国人永久居留证", IdType::Other),
    ("永久居留证", IdType::Other),
    ("军官证", IdType::Other),
    ("士兵证", IdType::Other),
    ("其他", IdType::Other),
    ("其它", IdType::Other),
    ("其它证件", IdType::Other),
    ("无证件", IdType::None),
];

impl IdType {
    /// A document type as an office sheet writes it: the code, the official label, or a common
    /// name for it (`身份证`, `二代身份证`, `台胞证` …), in half- or full-width characters,
    /// ignoring spaces and the case of English codes.
    pub fn parse_loose(s: &str) -> Option<IdType> {
        let folded = yijia_kernel::text::fold_width(s);
        let s: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
        let s = s.replace('(', "（").replace(')', "）");
        IdType::parse(&s)
            .or_else(|| IdType::parse(&s.to_ascii_lowercase()))
            .or_else(|| ID_TYPE_SYNONYMS.iter().find(|(name, _)| *name == s).map(|(_, t)| *t))
    }
}

vocab!(
    /// Relation to the head of the household.
    Relation {
        Head = "head" / "户主" / "Head of household",
        Spouse = "spouse" / "配偶" / "Spouse",
        Child = "child" / "子女" / "Child",
        Parent = "parent" / "父母" / "Parent",
        Grandchild = "grandchild" / "孙子女" / "Grandchild",
        Grandparent = "grandparent" / "祖父母" / "Grandparent",
        Sibling = "sibling" / "兄弟姐妹" / "Sibling",
        InLaw = "in_law" / "儿媳女婿" / "Child-in-law",
        Tenant = "tenant" / "租户" / "Tenant",
        Other = "other" / "其他" / "Other",
    }
);

vocab!(
    /// Whether the person's 户籍 is here and whether they live here.
    Residence {
        RegisteredLiving = "registered_living" / "户籍在住" / "Registered and living here",
        LivingUnregistered = "living_unregistered" / "人在户不在" / "Living here, registered elsewhere",
        RegisteredAway = "registered_away" / "户在人不在" / "Registered here, living away",
        MovedOut = "moved_out" / "已迁出" / "Moved out",
        Deceased = "deceased" / "已故" / "Deceased",
    }
);

impl Residence {
    /// Still on the registry's current lists.
    pub fn current(self) -> bool {
        !matches!(self, Residence::MovedOut | Residence::Deceased)
    }
}

vocab!(Political {
    PartyMember = "party_member" / "中共党员" / "Party member",
    LeagueMember = "league_member" / "共青团员" / "League member",
    Masses = "masses" / "群众" / "Masses",
});

vocab!(
    /// Care groups (特殊群体). Sensitive (DOMAIN.md §5): sealed at rest, shown only to those who
    /// care for the person.
    CareKind {
        ElderlyAlone = "elderly_alone" / "独居老人" / "Elderly living alone",
        EmptyNest = "empty_nest" / "空巢老人" / "Empty-nest elderly",
        Disabled = "disabled" / "残疾人" / "Person with a disability",
        Dibao = "dibao" / "低保" / "Minimum living allowance (dibao)",
        Tekun = "tekun" / "特困" / "Extreme-poverty support (tekun)",
        LowIncome = "low_income" / "低收入" / "Low income",
        ChildInDifficulty = "child_in_difficulty" / "困境儿童" / "Child in difficulty",
        LeftBehindChild = "left_behind_child" / "留守儿童" / "Left-behind child",
        FullTimeMother = "full_time_mother" / "全职妈妈" / "Full-time mother",
        Veteran = "veteran" / "退役军人" / "Veteran",
        Minority = "minority" / "少数民族" / "Ethnic minority",
        SeriousIllness = "serious_illness" / "重病患者" / "Serious illness",
        Other = "other" / "其他" / "Other",
    }
);

vocab!(
    /// Categories of disability certificate.
    DisabilityCategory {
        Visual = "visual" / "视力" / "Visual",
        Hearing = "hearing" / "听力" / "Hearing",
        Speech = "speech" / "言语" / "Speech",
        Physical = "physical" / "肢体" / "Physical",
        Intellectual = "intellectual" / "智力" / "Intellectual",
        Mental = "mental" / "精神" / "Mental",
        Multiple = "multiple" / "多重" / "Multiple",
    }
);

vocab!(HoldingKind {
    Owner = "owner" / "业主" / "Owner",
    Tenant = "tenant" / "租户" / "Tenant",
});

vocab!(
    /// Where an exclusive area comes from (DOMAIN.md §1): the real-estate register, a survey,
    /// or the sales contract.
    AreaSource {
        Register = "register" / "不动产登记" / "Real-estate register",
        Survey = "survey" / "测绘" / "Survey",
        Contract = "contract" / "合同" / "Sales contract",
    }
);

/// GB/T 3304 codes of the 56 ethnic groups, with 97 (other) and 98 (foreign origin).
pub const ETHNICITIES: &[(&str, &str, &str)] = &[
    ("01", "汉族", "Han"),
    ("02", "蒙古族", "Mongol"),
    ("03", "回族", "Hui"),
    ("04", "藏族", "Tibetan"),
    ("05", "维吾尔族", "Uyghur"),
    ("06", "苗族", "Miao"),
    ("07", "彝族", "Yi"),
    ("08", "壮族", "Zhuang"),
    ("09", "布依族", "Buyei"),
    ("10", "朝鲜族", "Korean"),
    ("11", "满族", "Manchu"),
    ("12", "侗族", "Dong"),
    ("13", "瑶族", "Yao"),
    ("14", "白族", "Bai"),
    ("15", "土家族", "Tujia"),
    ("16", "哈尼族", "Hani"),
    ("17", "哈萨克族", "Kazakh"),
    ("18", "傣族", "Dai"),
    ("19", "黎族", "Li"),
    ("20", "傈僳族", "Lisu"),
    ("21", "佤族", "Va"),
    ("22", "畲族", "She"),
    ("23", "高山族", "Gaoshan"),
    ("24", "拉祜族", "Lahu"),
    ("25", "水族", "Shui"),
    ("26", "东乡族", "Dongxiang"),
    ("27", "纳西族", "Naxi"),
    ("28", "景颇族", "Jingpo"),
    ("29", "柯尔克孜族", "Kyrgyz"),
    ("30", "土族", "Tu"),
    ("31", "达斡尔族", "Daur"),
    ("32", "仫佬族", "Mulao"),
    ("33", "羌族", "Qiang"),
    ("34", "布朗族", "Blang"),
    ("35", "撒拉族", "Salar"),
    ("36", "毛南族", "Maonan"),
    ("37", "仡佬族", "Gelao"),
    ("38", "锡伯族", "Xibe"),
    ("39", "阿昌族", "Achang"),
    ("40", "普米族", "Pumi"),
    ("41", "塔吉克族", "Tajik"),
    ("42", "怒族", "Nu"),
    ("43", "乌孜别克族", "Uzbek"),
    ("44", "俄罗斯族", "Russian"),
    ("45", "鄂温克族", "Evenki"),
    ("46", "德昂族", "De'ang"),
    ("47", "保安族", "Bonan"),
    ("48", "裕固族", "Yugur"),
    ("49", "京族", "Gin"),
    ("50", "塔塔尔族", "Tatar"),
    ("51", "独龙族", "Derung"),
    ("52", "鄂伦春族", "Oroqen"),
    ("53", "赫哲族", "Hezhen"),
    ("54", "门巴族", "Monba"),
    ("55", "珞巴族", "Lhoba"),
    ("56", "基诺族", "Jino"),
    ("97", "其他", "Other"),
    ("98", "外国血统", "Foreign origin"),
];

/// The code of an ethnicity given as its code, its Chinese name (with or without 族) or its
/// English name.
pub fn parse_ethnicity(s: &str) -> Option<&'static str> {
    let s = s.trim();
    ETHNICITIES
        .iter()
        .find(|(code, zh, en)| *code == s || *zh == s || zh.strip_suffix('族') == Some(s) || en.eq_ignore_ascii_case(s))
        .map(|(code, _, _)| *code)
}

/// The label of an ethnicity code in the reader's language.
pub fn ethnicity_label(code: &str, lang: &str) -> &'static str {
    ETHNICITIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or("", |(_, zh, en)| if lang == "en" { en } else { zh })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_six_groups_and_two_more_are_known_by_code_and_by_name() {
        assert_eq!(ETHNICITIES.len(), 58);
        assert_eq!(parse_ethnicity("回族"), Some("03"));
        assert_eq!(parse_ethnicity("回"), Some("03"));
        assert_eq!(parse_ethnicity("01"), Some("01"));
        assert_eq!(parse_ethnicity("火星族"), None);
    }

    #[test]
    fn every_id_type_synonym_maps_to_its_official_type() {
        for (name, want) in [
            ("身份证", IdType::Citizen),
            ("居民身份证", IdType::Citizen),
            ("二代身份证", IdType::Citizen),
            (" 身份证 ", IdType::Citizen),
            ("CITIZEN", IdType::Citizen),
            ("港澳居民居住证", IdType::HmtPermit),
            ("台湾居民居住证", IdType::HmtPermit),
            ("港澳台居民居住证", IdType::HmtPermit),
            ("护照", IdType::Passport),
            ("港澳居民来往内地通行证", IdType::Other),
            ("回乡证", IdType::Other),
            ("台胞证", IdType::Other),
            ("居住证(港澳台)", IdType::HmtPermit),
        ] {
            assert_eq!(IdType::parse_loose(name), Some(want), "{name}");
        }
        for (name, _) in ID_TYPE_SYNONYMS {
            assert!(IdType::parse_loose(name).is_some(), "{name}");
        }
        assert_eq!(IdType::parse_loose("驾驶证"), None);
    }

    #[test]
    fn an_error_can_name_every_accepted_value() {
        assert_eq!(Gender::zh_list(), "男、女、未说明");
        assert_eq!(Relation::zh_list().split('、').count(), Relation::ALL.len());
        assert!(IdType::code_list().starts_with("citizen, hmt_permit"));
    }

    #[test]
    fn vocabularies_read_their_chinese_labels() {
        assert_eq!(Gender::parse("女"), Some(Gender::Female));
        assert_eq!(Relation::parse("户主"), Some(Relation::Head));
        assert_eq!(CareKind::parse("low_income"), Some(CareKind::LowIncome));
        assert_eq!(Residence::MovedOut.label("en"), "Moved out");
    }
}
