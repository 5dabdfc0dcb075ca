//! Reading back what Yijia itself stored as JSON text (a vote's options, a ballot, a category's
//! questions, an import row's errors). What it wrote it can read; when it cannot, the row was
//! changed outside the application, and the reader fails naming the row instead of taking an
//! empty default: a ballot read as blank would change a tally without anyone seeing it.

use std::fmt::Display;

use serde::de::DeserializeOwned;

use crate::Result;

/// Parses a stored JSON column; `what` names the row and column in the error (`vote 7 options`).
/// The error gives serde's position, never the text: some columns are opened from sealed data.
pub fn json<T: DeserializeOwned>(text: &str, what: impl Display) -> Result<T> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("stored {what} cannot be read ({e})").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_names_what_was_damaged() {
        let options: Vec<String> = json(r#"["甲","乙"]"#, "vote 1 options").unwrap();
        assert_eq!(options, ["甲", "乙"]);
        let err = json::<Vec<usize>>("[1,", "ballot of voter 9 in vote 1").unwrap_err();
        assert!(err.to_string().contains("ballot of voter 9 in vote 1"), "{err}");
        assert!(
            json::<Vec<usize>>("", "ballot").is_err(),
            "an empty column is not an empty list"
        );
    }
}
