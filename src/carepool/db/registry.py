"""Import every feature's tables so ``Base.metadata`` knows the whole schema."""

from carepool.audit import tables as audit_tables
from carepool.db import meta
from carepool.ledger import tables as ledger_tables
from carepool.partners import tables as partners_tables

MODULES = [meta, audit_tables, partners_tables, ledger_tables]
