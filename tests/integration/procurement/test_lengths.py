"""Names and codes are kept within what the database holds: PostgreSQL refuses a longer value (a 500 error, the
award's contracts left unmade), SQLite would keep it silently; so each is refused, or kept short, up front."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carepool.core.errors import CarepoolError
from carepool.procurement import consortia, tendering
from carepool.procurement import service as procurement
from tests.integration.procurement.conftest import BRENT, RULES, World

LEAD = "proc@hf.test"


def test_long_names_are_refused_with_their_length_and_nothing_is_written(world: World) -> None:
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        lots = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="a consortium's name is at most 120 characters; "
                                                                    "this one has 300"):
        consortia.create_consortium(uow=uow, caller=lead, name="N" * 300, members=[BRENT])
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="a tender's title is at most 200 characters"):
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="T" * 201,
                                lot_ids=[lots[0].id], rules=RULES, deadline=world.clock.now + timedelta(days=14))
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="a lot's name is at most 200 characters; this "
                                                                    "one has 450"):
        procurement.merge_lots(uow=uow, caller=lead, lot_ids=[s.id for s in lots[:2]], name="M" * 450)
    with world.db.uow() as uow:
        assert [s.lot.code for s in procurement.list_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
                ] == [s.lot.code for s in lots]  # all three as they were


def test_a_merged_lots_code_stays_short_enough_to_name_its_contracts(world: World) -> None:
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        lots = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    with world.db.uow() as uow:
        parts = procurement.split_lot(uow=uow, caller=lead, lot_id=lots[0].id, parts=3)
    with world.db.uow() as uow:
        plan = procurement.list_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert len(parts) == 5
    with world.db.uow() as uow:
        merged = procurement.merge_lots(uow=uow, caller=lead, lot_ids=[s.id for s in plan])
    assert [s.lot.code for s in merged] == ["HC-BRENT-KIL-1+4"]  # not the 60 characters of every code joined
