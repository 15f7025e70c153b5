"""The award optimiser: a pure MILP engine with a repair heuristic, no storage."""
