from carepool.audit.details import Detail, Shown, details


def _lines(before: object, after: object) -> list[tuple[str, str | None, str]]:
    return [(d.label, d.was and d.was.full, d.now.full) for d in details(before, after)]


def test_fields_in_plain_words_with_the_old_value_only_where_it_changed() -> None:
    assert _lines({"status": "closed", "sme": False}, {"status": "cancelled", "sme": False, "amount_pence": 1250}) \
        == [("Status", "closed", "cancelled"), ("Sme", None, "no"), ("Amount pence", None, "1250")]


def test_a_removed_field_and_payloads_that_are_not_objects() -> None:
    assert _lines({"name": "Brent"}, None) == [("Name", "Brent", "none")]
    assert _lines([["P1", "L1", "10"]], {"reason": "capacity"}) == [("Before", None, '[["P1", "L1", "10"]]'),
                                                                   ("Reason", None, "capacity")]
    assert _lines(None, ["a"]) == [("Details", None, '["a"]')] and details(None, None) == []


def test_long_values_are_cut_but_kept_whole() -> None:
    value = Shown("x" * 64)
    assert value.cut and value.short == "x" * 47 + "…" and value.full == "x" * 64
    assert details(None, {"a": "short"}) == [Detail("A", Shown("short"))]


def test_an_actor_reads_as_a_person() -> None:
    from carepool.audit.model import actor_label

    assert actor_label("user:priya@brent.demo") == "priya@brent.demo"
    assert actor_label("cli:ops") == "ops (command line)"
    assert actor_label("system") == "system"
