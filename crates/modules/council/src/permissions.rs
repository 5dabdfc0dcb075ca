//! Who may do what in the council. Anyone of a community raises topics, co-signs, discusses and
//! votes (a ballot also needs a place in the vote's electorate); staff triage topics, hold
//! meetings and votes, enter paper ballots and run resolutions; the property company and
//! departments answer officially and report progress on their tasks; supervisors read.

use yijia_kernel::permission::{Capability, Reach};
use yijia_kernel::Role;

/// Raising a topic, co-signing, commenting, reporting a comment, casting one's ballot.
pub const TAKE_PART: Capability = Capability {
    name: "council.take_part",
    roles: &[
        Role::Resident,
        Role::PartyMember,
        Role::Volunteer,
        Role::TeamLeader,
        Role::GridWorker,
        Role::PropertyStaff,
        Role::DepartmentStaff,
        Role::CommunityStaff,
        Role::CommunityAdmin,
    ],
    reach: Reach::Member,
};

/// Triage, meetings, votes and their paper ballots, resolutions and their tasks, moderation.
pub const MANAGE: Capability = Capability {
    name: "council.manage",
    roles: &[Role::CommunityAdmin, Role::CommunityStaff],
    reach: Reach::Within,
};

/// Answering a topic on a party's behalf and reporting progress on a resolution's tasks.
pub const ANSWER: Capability = Capability {
    name: "council.answer",
    roles: &[
        Role::CommunityAdmin,
        Role::CommunityStaff,
        Role::PropertyStaff,
        Role::DepartmentStaff,
    ],
    reach: Reach::Member,
};

/// Reading everything of the council, tallies included, without taking part.
pub const READ: Capability = Capability {
    name: "council.read",
    roles: &[
        Role::PlatformAdmin,
        Role::Supervisor,
        Role::CommunityAdmin,
        Role::CommunityStaff,
    ],
    reach: Reach::Within,
};
