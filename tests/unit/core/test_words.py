"""Lists of partners read as English: "A, B and C", and the verb agrees with the list."""

from carepool.core.words import joined, with_verb


def test_lists_join_with_commas_and_a_last_and() -> None:
    assert joined([]) == ""
    assert joined(["A"]) == "A"
    assert joined(["A", "B"]) == "A and B"
    assert joined(["A", "B", "C"]) == "A, B and C"


def test_the_verb_agrees_with_the_list() -> None:
    assert with_verb(["NHS North West London ICB"], "approves", "approve") == "NHS North West London ICB approves"
    assert with_verb(["NHS North West London ICB", "London Borough of Ealing"], "approves", "approve") == (
        "NHS North West London ICB and London Borough of Ealing approve")
