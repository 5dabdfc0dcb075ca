//! The codes of this module's refusals as the API gives them (`error.code`): stable, whatever
//! the wording or the key of their messages.

yijia_kernel::error_codes! {
    BAD_CHOICE = "bad_choice",
    CHANGED = "changed",
    FINISHED = "finished",
    NOT_ALLOWED = "not_allowed",
}
