//! The deadline watch's schedule, as a pure function of an appeal's state: when it next has
//! something to do (warn, mark overdue, escalate) and what. Stored as `appeal.watch_at`, so the
//! watch reads only the appeals whose instant has come, through an index, however many wait.

const HOUR: i64 = 3_600_000;
/// The longest warning ahead of a deadline; shorter deadlines are warned a quarter ahead.
pub const WARN_AHEAD_MS: i64 = 24 * HOUR;
/// How long an appeal stays overdue before the subdistrict hears of it.
pub const SUBDISTRICT_AFTER_MS: i64 = 24 * HOUR;

/// What the watch looks at in an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch<'a> {
    pub status: &'a str,
    pub dispatch_due_at: i64,
    pub reply_due_at: Option<i64>,
    pub created_at: i64,
    pub dispatched_at: Option<i64>,
    pub warned_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub escalation: i64,
}

/// What the watch does to an appeal at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Its handlers hear that the deadline is near.
    Warn,
    /// Past the deadline: its handlers and the community's administrators hear of it.
    Overdue,
    /// Still open a day after: the subdistrict hears of it.
    Escalate,
}

impl Watch<'_> {
    /// Waiting for the desk to dispatch it (rather than for a party's reply).
    pub fn waiting_dispatch(&self) -> bool {
        matches!(self.status, "submitted" | "accepted")
    }

    /// The deadline being watched and when its span began; `None` once nothing is awaited.
    fn deadline(&self) -> Option<(i64, i64)> {
        match self.status {
            "submitted" | "accepted" => Some((self.dispatch_due_at, self.created_at)),
            "dispatched" | "in_progress" | "return_requested" => Some((
                self.reply_due_at.unwrap_or(self.dispatch_due_at),
                self.dispatched_at.unwrap_or(self.created_at),
            )),
            _ => None,
        }
    }

    /// The deadline being watched; `None` once nothing is awaited.
    pub fn due(&self) -> Option<i64> {
        self.deadline().map(|(due, _)| due)
    }

    fn warn_at(due: i64, start: i64) -> i64 {
        due - ((due - start) / 4).min(WARN_AHEAD_MS)
    }

    /// The next instant the watch has something to do; `None` when it never will.
    pub fn next_at(&self) -> Option<i64> {
        let (due, start) = self.deadline()?;
        match (self.warned_at, self.overdue_at) {
            // (A span that started after its deadline has no time to warn in.)
            (None, None) => Some(Self::warn_at(due, start).min(due)),
            (_, None) => Some(due),
            (_, Some(o)) if self.escalation < 2 => Some(o + SUBDISTRICT_AFTER_MS),
            _ => None,
        }
    }

    /// What is due at `now`, if anything.
    pub fn event_at(&self, now: i64) -> Option<Event> {
        let (due, start) = self.deadline()?;
        match self.overdue_at {
            None if now >= due => Some(Event::Overdue),
            None if self.warned_at.is_none() && now >= Self::warn_at(due, start) => Some(Event::Warn),
            Some(o) if self.escalation < 2 && now - o >= SUBDISTRICT_AFTER_MS => Some(Event::Escalate),
            _ => None,
        }
    }

    /// The state after `event` happened at `now`.
    pub fn after(mut self, event: Event, now: i64) -> Self {
        match event {
            Event::Warn => self.warned_at = Some(now),
            Event::Overdue => {
                self.warned_at = self.warned_at.or(Some(now));
                self.overdue_at = Some(now);
                self.escalation = 1;
            }
            Event::Escalate => self.escalation = 2,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 24 * HOUR;

    fn waiting_reply() -> Watch<'static> {
        Watch {
            status: "in_progress",
            dispatch_due_at: 10 * HOUR,
            reply_due_at: Some(10 * HOUR + 7 * DAY),
            created_at: 0,
            dispatched_at: Some(10 * HOUR),
            warned_at: None,
            overdue_at: None,
            escalation: 0,
        }
    }

    #[test]
    fn a_long_deadline_is_warned_a_day_ahead_then_marked_then_escalated_a_day_later() {
        let due = 10 * HOUR + 7 * DAY;
        let w = waiting_reply();
        assert_eq!(w.next_at(), Some(due - DAY));
        assert_eq!(w.event_at(due - DAY - 1), None);
        assert_eq!(w.event_at(due - DAY), Some(Event::Warn));
        let w = w.after(Event::Warn, due - DAY);
        assert_eq!(w.next_at(), Some(due));
        assert_eq!(w.event_at(due - 1), None);
        assert_eq!(w.event_at(due), Some(Event::Overdue));
        let w = w.after(Event::Overdue, due + 5);
        assert_eq!(w.next_at(), Some(due + 5 + DAY));
        assert_eq!(w.event_at(due + 4 + DAY), None);
        assert_eq!(w.event_at(due + 5 + DAY), Some(Event::Escalate));
        let w = w.after(Event::Escalate, due + 5 + DAY);
        assert_eq!(w.next_at(), None);
        assert_eq!(w.event_at(due + 30 * DAY), None);
    }

    #[test]
    fn a_short_deadline_is_warned_a_quarter_ahead_and_a_missed_warning_is_not_sent_late() {
        // A one-hour dispatch deadline (emergency tier): warned at 45 minutes.
        let w = Watch {
            status: "submitted",
            dispatch_due_at: HOUR,
            reply_due_at: None,
            created_at: 0,
            dispatched_at: None,
            warned_at: None,
            overdue_at: None,
            escalation: 0,
        };
        assert_eq!(w.next_at(), Some(HOUR * 3 / 4));
        // The watch first looks after the deadline (a restart): overdue, not a late warning.
        assert_eq!(w.event_at(2 * HOUR), Some(Event::Overdue));
        let w = w.after(Event::Overdue, 2 * HOUR);
        assert_eq!(w.warned_at, Some(2 * HOUR));
    }

    #[test]
    fn finished_or_replied_appeals_are_not_watched() {
        for status in ["replied", "verified", "rated", "closed", "declined"] {
            let w = Watch {
                status,
                ..waiting_reply()
            };
            assert_eq!(w.next_at(), None, "{status}");
            assert_eq!(w.event_at(i64::MAX / 2), None, "{status}");
        }
    }
}
