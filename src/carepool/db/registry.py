"""Import every feature's tables so ``Base.metadata`` knows the whole schema."""

from carepool.audit import tables as audit_tables
from carepool.db import meta
from carepool.jobs import tables as jobs_tables
from carepool.ledger import tables as ledger_tables
from carepool.partners import tables as partners_tables
from carepool.pooled_budget import tables as pooled_budget_tables
from carepool.procurement import tables as procurement_tables

MODULES = [meta, audit_tables, partners_tables, ledger_tables, pooled_budget_tables, procurement_tables, jobs_tables]
