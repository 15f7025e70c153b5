"""Organisations as people name them in a sentence ("Brent would save more alone"), not as the register does."""

import pytest

from carepool.partners.model import spoken_name, spoken_names


@pytest.mark.parametrize(("official", "spoken"), [
    ("London Borough of Brent", "Brent"),
    ("London Borough of Hammersmith and Fulham", "Hammersmith and Fulham"),
    ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
    ("Leeds City Council", "Leeds"),
    ("Herefordshire Council", "Herefordshire"),
    ("Kent County Council", "Kent"),
    ("Wigan Metropolitan Borough Council", "Wigan"),
    ("NHS Kent and Medway Integrated Care Board", "NHS Kent and Medway ICB"),
    ("NHS North West London ICB", "NHS North West London ICB"),  # already as people say it
    ("Council of the Isles of Scilly", "Council of the Isles of Scilly"),  # no rule fits: as it is
    ("City of London Corporation", "City of London Corporation"),
    ("Kindly Care Ltd", "Kindly Care Ltd"),
    ("London Borough of ", "London Borough of"),  # nothing would be left: as it is
])
def test_a_name_as_people_say_it(official: str, spoken: str) -> None:
    assert spoken_name(official) == spoken


def test_names_that_would_read_alike_keep_their_full_names() -> None:
    names = {"E10000016": "Kent County Council", "X1": "Kent Council", "E09000005": "London Borough of Brent"}
    assert spoken_names(names) == {"E10000016": "Kent County Council", "X1": "Kent Council", "E09000005": "Brent"}
