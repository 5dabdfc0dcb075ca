//! Time as the application sees it: epoch milliseconds in UTC, with a clock that tests can move.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The application's clock. `System` in production; tests hold a `Manual` one and move it.
#[derive(Clone, Debug)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// Milliseconds since the Unix epoch, UTC.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => jiff::Timestamp::now().as_millisecond(),
            Clock::Manual(at) => at.load(Ordering::SeqCst),
        }
    }

    /// A manual clock starting at `ms`.
    pub fn manual(ms: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(ms)))
    }

    /// Moves a manual clock forward; a system clock cannot be moved and ignores it.
    pub fn advance_ms(&self, by: i64) {
        if let Clock::Manual(at) = self {
            at.fetch_add(by, Ordering::SeqCst);
        }
    }
}

/// Formats an instant in a time zone as `YYYY-MM-DD HH:MM`, for display.
pub fn format_local(ms: i64, time_zone: &str) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The local date of an instant in a time zone.
pub fn local_date(ms: i64, tz: &jiff::tz::TimeZone) -> jiff::civil::Date {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).date())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_display_in_the_community_time_zone() {
        // 2026-01-01T00:00:00Z is 08:00 in Shanghai.
        assert_eq!(format_local(1_767_225_600_000, "Asia/Shanghai"), "2026-01-01 08:00");
        assert_eq!(format_local(1_767_225_600_000, "UTC"), "2026-01-01 00:00");
    }

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let c = Clock::manual(1000);
        assert_eq!(c.now_ms(), 1000);
        c.advance_ms(500);
        assert_eq!(c.now_ms(), 1500);
    }
}
