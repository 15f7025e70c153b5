"""A tender goes out only with award rules some award could keep."""

from __future__ import annotations

from carepool.core.errors import CarepoolError
from carepool.procurement import tendering
from tests.integration.procurement.conftest import World


def test_a_tender_whose_cap_no_award_could_keep_is_not_published(world: World) -> None:
    ref = world.tender(publish=False, rules={"max_share": "0.1", "min_sme_share": "0.95", "max_providers": 2})
    with world.db.uow() as uow:
        try:
            tendering.publish(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
        except CarepoolError as error:
            said = error.message
        else:
            raise AssertionError("published")
    assert said == (f"tender {ref}: no award can keep the cap of 10% on any one provider's share: it needs at least "
                    "10 winners, but 3 lots of at most 2 providers each allow 6; raise the cap, allow more providers "
                    "per lot, or add lots")
    with world.db.uow() as uow:
        assert tendering.get_tender(uow=uow, caller=world.caller("proc@hf.test"), ref=ref).status.value == "draft"
