//! The codes of this module's refusals as the API gives them (`error.code`): stable, whatever
//! the wording or the key of their messages.

yijia_kernel::error_codes! {
    ALREADY_COMMITTED = "already_committed",
    CANCELLED = "cancelled",
    CHANGED = "changed",
    EXPORT_TOO_LARGE = "export_too_large",
    HOLDING_ENDED = "holding_ended",
    NOTHING_TO_COMMIT = "nothing_to_commit",
    NOTHING_TO_REVEAL = "nothing_to_reveal",
    NO_RECORD = "no_record",
    REQUEST_ANSWERED = "request_answered",
    RESIDENT_LEFT = "resident_left",
}
