//! Closed lists with a stable code (stored, and used by the API) and Chinese and English labels,
//! declared once by [`vocab!`] in the module that owns them.

/// Declares a vocabulary: `Variant = "code" / "中文" / "English"`.
#[macro_export]
macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $zh:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The label in the reader's language (`zh-CN` or `en`).
            pub fn label(self, lang: &str) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, "en") => $en,)+
                    $(($name::$variant, _) => $zh),+
                }
            }

            /// Every value's Chinese label joined by `、`: an error names what it accepts.
            pub fn zh_list() -> String {
                [$($zh),+].join("、")
            }

            /// Every value's code joined by `, `, for English readers and API clients.
            pub fn code_list() -> String {
                [$($code),+].join(", ")
            }

            /// The code or the Chinese label, as typed.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.zh() == s)
            }
        }

        impl $crate::vocab::Vocab for $name {
            fn parse(s: &str) -> Option<$name> {
                $name::parse(s)
            }
            fn zh_list() -> String {
                $name::zh_list()
            }
            fn code_list() -> String {
                $name::code_list()
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = <String as $crate::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    <D::Error as $crate::serde::de::Error>::custom(format!("unknown {}: {s}", stringify!($name)))
                })
            }
        }
    };
}

/// What every vocabulary answers, so that code taking "one of a closed list" can name the list
/// in its error (`请从列表中选择：男、女、未说明`) whatever the list is.
pub trait Vocab: Sized + Copy {
    /// The code or the Chinese label, as typed.
    fn parse(s: &str) -> Option<Self>;
    /// Every value's Chinese label joined by `、`.
    fn zh_list() -> String;
    /// Every value's code joined by `, `.
    fn code_list() -> String;
}
