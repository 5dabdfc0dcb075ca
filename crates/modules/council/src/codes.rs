//! The codes of this module's refusals as the API gives them (`error.code`): stable, whatever
//! the wording or the key of their messages.

yijia_kernel::error_codes! {
    ALREADY_COSIGNED = "already_cosigned",
    ALREADY_REPORTED = "already_reported",
    ALREADY_VOTED = "already_voted",
    BAD_OPTIONS = "bad_options",
    BIRTH_DATES_MISSING = "birth_dates_missing",
    CONFIRM_BY_ANOTHER = "confirm_by_another",
    ELECTORATE_EMPTY = "electorate_empty",
    ELECTORATE_INCOMPLETE = "electorate_incomplete",
    ENTRIES_DIFFER = "entries_differ",
    HANDS_CONFIRMED = "hands_confirmed",
    HANDS_UNCONFIRMED = "hands_unconfirmed",
    MEETING_NOT_HELD = "meeting_not_held",
    NOT_IN_ELECTORATE = "not_in_electorate",
    OWN_TOPIC = "own_topic",
    TALLY_EXCEEDS_ELECTORATE = "tally_exceeds_electorate",
    TOPIC_CLOSED = "topic_closed",
    TOPIC_NOT_TRIAGEABLE = "topic_not_triageable",
    VOTE_BY_BALLOT = "vote_by_ballot",
    VOTE_BY_HANDS = "vote_by_hands",
    VOTE_CLOSED = "vote_closed",
    VOTE_NOT_DRAFT = "vote_not_draft",
    VOTE_NOT_OPEN = "vote_not_open",
}
