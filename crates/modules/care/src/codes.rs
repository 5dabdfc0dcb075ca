//! The codes of this module's refusals as the API gives them (`error.code`): stable, whatever
//! the wording or the key of their messages.

yijia_kernel::error_codes! {
    ALREADY_CLAIMED = "already_claimed",
    ALREADY_PAIRED = "already_paired",
    APPEAL_RAISED = "appeal_raised",
    NOT_PAIRED = "not_paired",
    OWN_WISH = "own_wish",
    PAIRING_ENDED = "pairing_ended",
    WISH_NOT_NOW = "wish_not_now",
}
