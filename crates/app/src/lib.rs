//! The Yijia application: the list of installed modules and the commands of the binary.

pub mod cli;

use std::sync::Arc;

use yijia_kernel::Module;

/// Every installed module, in the order their demo data loads (structure before the accounts
/// that are placed in it, accounts before the residents linked to them) and their navigation
/// is merged.
pub fn modules() -> Vec<Arc<dyn Module>> {
    vec![
        Arc::new(yijia_structure::Structure),
        Arc::new(yijia_accounts::Accounts),
        Arc::new(yijia_registry::Registry),
        Arc::new(yijia_appeals::Appeals),
        Arc::new(yijia_volunteers::Volunteers),
        Arc::new(yijia_council::Council),
        Arc::new(yijia_care::Care),
        Arc::new(yijia_audit::Audit),
    ]
}
