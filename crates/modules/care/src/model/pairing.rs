//! Pairing suggestions: every care-group household without a carer, offered the carers of its
//! own grid who still have room, the least loaded first. A carer's load counts the pairings they
//! have and those suggested in the same round, so one carer is not offered to every household.

use std::collections::BTreeMap;

use serde::Serialize;

/// A household waiting for a carer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub household_id: i64,
    pub grid_id: i64,
    /// The most demanding care group's interval in days: the shortest go first.
    pub interval_days: i64,
}

/// Someone who may be paired: a party member, a volunteer or a grid worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Carer {
    pub carer_id: i64,
    pub grid_id: i64,
    /// Households they are paired with now.
    pub load: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub household_id: i64,
    pub carer_id: i64,
}

/// Suggests a carer of the same grid for each waiting household, at most `capacity` households
/// a carer; those most in need (the shortest interval) first, then by household. A household
/// whose grid has no carer with room gets none: the grid worker's page shows it uncovered.
pub fn suggest(waiting: &[Waiting], carers: &[Carer], capacity: i64) -> Vec<Suggestion> {
    let mut order: Vec<&Waiting> = waiting.iter().collect();
    order.sort_by_key(|w| (w.interval_days, w.household_id));
    let mut load: BTreeMap<i64, i64> = carers.iter().map(|c| (c.carer_id, c.load)).collect();
    let mut out = Vec::new();
    for w in order {
        let best = carers
            .iter()
            .filter(|c| c.grid_id == w.grid_id)
            .map(|c| (load.get(&c.carer_id).copied().unwrap_or(c.load), c.carer_id))
            .filter(|(l, _)| *l < capacity)
            .min();
        if let Some((_, carer_id)) = best {
            *load.entry(carer_id).or_default() += 1;
            out.push(Suggestion {
                household_id: w.household_id,
                carer_id,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(household_id: i64, grid_id: i64, interval_days: i64) -> Waiting {
        Waiting {
            household_id,
            grid_id,
            interval_days,
        }
    }

    fn carer(carer_id: i64, grid_id: i64, load: i64) -> Carer {
        Carer {
            carer_id,
            grid_id,
            load,
        }
    }

    #[test]
    fn the_least_loaded_carer_of_the_grid_is_offered_and_capacity_holds() {
        // Grid 1: carer 10 has 2 households, carer 11 has 3; capacity 4.
        let carers = [carer(10, 1, 2), carer(11, 1, 3), carer(20, 2, 0)];
        let w = [
            waiting(101, 1, 30),
            waiting(102, 1, 7),
            waiting(103, 1, 14),
            waiting(104, 1, 30),
            waiting(201, 2, 7),
            waiting(301, 3, 7),
        ];
        let got: Vec<(i64, i64)> = suggest(&w, &carers, 4)
            .iter()
            .map(|s| (s.household_id, s.carer_id))
            .collect();
        // 102 (weekly) first to 10 (load 2→3); 201 to 20; 103 to 10 or 11 at 3 each: the lower
        // id, 10 (→4, full); 101 to 11 (→4, full); 104 finds no room; 301's grid has no carer.
        assert_eq!(got, [(102, 10), (201, 20), (103, 10), (101, 11)]);
    }

    #[test]
    fn nothing_is_suggested_across_grids_or_beyond_capacity() {
        assert!(suggest(&[waiting(1, 1, 7)], &[carer(9, 2, 0)], 5).is_empty());
        assert!(suggest(&[waiting(1, 1, 7)], &[carer(9, 1, 5)], 5).is_empty());
        assert_eq!(suggest(&[waiting(1, 1, 7)], &[carer(9, 1, 4)], 5).len(), 1);
    }
}
