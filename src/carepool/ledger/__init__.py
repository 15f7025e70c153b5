"""One double-entry ledger for pooled funds, the equipment store and personal budgets."""
