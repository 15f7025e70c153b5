from carepool.audit.details import Detail, Shown, codes_in, details


def _lines(before: object, after: object) -> list[tuple[str, str | None, str]]:
    return [(d.label, d.was and d.was.full, d.now.full) for d in details(before, after)]


def test_fields_in_plain_words_with_the_old_value_only_where_it_changed() -> None:
    assert _lines({"status": "closed", "sme": False}, {"status": "cancelled", "sme": False, "amount_pence": 1250}) \
        == [("Status", "closed", "cancelled"), ("Sme", None, "no"), ("Amount pence", None, "1250")]


def test_a_removed_field_and_payloads_that_are_not_objects() -> None:
    assert _lines({"name": "Brent"}, None) == [("Name", "Brent", "none")]
    assert _lines([["P1", "L1", "10"], ["P2", "L1", "5"]], {"reason": "capacity"}) == [
        ("Before", None, "P1 L1 10; P2 L1 5"), ("Reason", None, "capacity")]
    assert _lines(None, ["a", "b"]) == [("Details", None, "a, b")] and details(None, None) == []


def test_nested_payloads_read_as_words_and_amounts_as_money() -> None:
    settled = {"partners": {"E09000005": {"contribution": "19520000.00", "final_cost": "19477940.82"},
                            "QRV": {"contribution": "-1334.18"}},
               "contingency": {"amount": "800000.00", "funded": {"E09000005": "400000.00", "QRV": "400000.00"}},
               "postings": [["POOL-1:Due:QRV", "19980000.00"], ["POOL-1:Contributions:QRV", "-19980000.00"]],
               "changes": [{"kind": "move", "amount": "200000.00"}, {"kind": "add"}], "counts": {"opened_bids": 1129},
               "odd": ["0001234.00", "1234.00\n", "١٢٣٤.٥٦"]}
    assert _lines(None, settled) == [
        ("Partners", None, "E09000005 — contribution: £19,520,000.00, final cost: £19,477,940.82; "
                           "QRV — contribution: -£1,334.18"),
        ("Contingency", None, "amount: £800,000.00, funded: (E09000005: £400,000.00, QRV: £400,000.00)"),
        ("Postings", None, "POOL-1:Due:QRV £19,980,000.00; POOL-1:Contributions:QRV -£19,980,000.00"),
        ("Changes", None, "kind: move, amount: £200,000.00; kind: add"),
        ("Counts", None, "opened bids: 1129"),  # a number not stored as money stays as it is
        ("Odd", None, "0001234.00, 1234.00\n, ١٢٣٤.٥٦")]  # and so does anything that only looks like it


def test_long_values_are_cut_but_kept_whole() -> None:
    value = Shown("x" * 64)
    assert value.cut and value.short == "x" * 47 + "…" and value.full == "x" * 64
    assert details(None, {"a": "short"}) == [Detail("A", Shown("short"))]


def test_an_actor_reads_as_a_person() -> None:
    from carepool.audit.model import actor_label

    assert actor_label("user:priya@brent.demo") == "priya@brent.demo"
    assert actor_label("cli:ops") == "ops (command line)"
    assert actor_label("system") == "system"


def test_actions_and_records_read_as_words() -> None:
    from carepool.audit.model import action_label, record_label

    assert action_label("pool.variation_applied") == "Pool: variation applied"
    assert action_label("user.created") == "User: created" and action_label("import") == "Import"
    assert record_label("pool_agreement", "1") == "Pool agreement 1"


def test_sets_of_records_are_also_tables() -> None:
    from carepool.audit.details import Table, shown

    by_partner = shown({"E09000005": {"contribution": "19520000.00", "final_cost": "19477940.82"},
                        "QRV": {"contribution": "1.00"}})
    assert by_partner.table == Table(("", "contribution", "final cost"),
                                     (("E09000005", "£19,520,000.00", "£19,477,940.82"), ("QRV", "£1.00", "")))
    postings = shown([["POOL-1:Due:QRV", "19980000.00"], ["POOL-1:Contributions:QRV", "-19980000.00"]],
                     "postings")
    assert postings.table == Table((), (("POOL-1:Due:QRV", "£19,980,000.00"),
                                        ("POOL-1:Contributions:QRV", "-£19,980,000.00")))
    assert shown([{"kind": "move"}, {"kind": "add", "amount": "2000.00"}]).table == Table(
        ("kind", "amount"), (("move", ""), ("add", "£2,000.00")))
    assert shown(["a", "b"]).table is None and shown([{"one": 1}]).table is None  # a list, or a single record


def test_stored_times_read_as_the_pages_write_them() -> None:
    sealed = {"submitted_at": "2026-09-29T19:00:00+00:00", "deadline": "2026-12-15 12:00:00+00:00",
              "opened": "2026-12-15T12:00:07.250000+00:00", "summer": "2026-07-01T10:30:00+01:00",
              "on": "2026-03-31", "not_a_time": "2026-13-45T99:00:00", "ref": "2026-09-29T19:00 and more"}
    assert _lines(None, sealed) == [
        ("Submitted at", None, "2026-09-29 19:00 UTC"), ("Deadline", None, "2026-12-15 12:00 UTC"),
        ("Opened", None, "2026-12-15 12:00:07 UTC"), ("Summer", None, "2026-07-01 09:30 UTC"),
        ("On", None, "2026-03-31"), ("Not a time", None, "2026-13-45T99:00:00"),
        ("Ref", None, "2026-09-29T19:00 and more")]


def test_what_a_number_means_comes_from_the_field_that_holds_it() -> None:
    evaluated = {"rules": {"max_share": "0.30", "min_sme_share": "0.25", "min_award_fraction": "0",
                           "min_quality": "60.00"},
                 "rule_costs": {"max_share": "112970.52", "min_sme_share": "0.50"},
                 "yearly_cost": "32912893.52", "awards": [["P1", "HC-1", "1028.00"], ["P2", "HC-1", "12.50"]],
                 "lots": [{"code": "HC-1", "weekly": "1040.50", "annual": "1180296.00"}], "threshold": "1500.00",
                 "overspend": {"rule": "fixed", "shares": {"E09000005": "0.6", "QRV": "0.4"}},
                 "schemes": [{"actual": "0.00"}]}
    assert _lines(None, evaluated) == [
        ("Rules", None, "max share: 30%, min sme share: 25%, min award fraction: 0%, min quality: 60.00"),
        ("Rule costs", None, "max share: £112,970.52, min sme share: £0.50"),  # costs of the rules are money
        ("Yearly cost", None, "£32,912,893.52"),
        ("Awards", None, "P1 HC-1 1,028.00; P2 HC-1 12.50"),  # hours: no £, only separators
        ("Lots", None, "code: HC-1, weekly: 1,040.50, annual: £1,180,296.00"),
        ("Threshold", None, "1,500.00"),
        ("Overspend", None, "rule: fixed, shares: (E09000005: 60%, QRV: 40%)"),
        ("Schemes", None, "actual: £0.00")]
    assert _lines(None, {"max_share": "1.5", "amount": "12.345"}) == [  # not a share, not pence: as stored
        ("Max share", None, "1.5"), ("Amount", None, "12.345")]


def test_a_tables_row_named_for_money_shows_money_and_settlement_positions_too() -> None:
    from carepool.audit.details import shown

    varied = shown({"contributions": {"E09000005": "500.00", "QRV": "3600000.00"}, "overspend": {"rule": "fixed"}})
    assert varied.table is not None and varied.table.rows[0] == ("contributions", "£500.00", "£3,600,000.00", "")
    assert _lines(None, {"positions": {"QRV": {"paid": "300.00", "unpaid_contribution": "300.00"}},
                         "outstanding": {"QRV": {"at_settlement": "360.00", "now": "0.00"}}}) == [
        ("Positions", None, "QRV — paid: £300.00, unpaid contribution: £300.00"),
        ("Outstanding", None, "QRV — at settlement: £360.00, now: £0.00")]


def test_organisations_codes_read_as_their_names() -> None:
    split = {"shapley": {"E09000005": "716585.79", "QRV": "245618.52"}, "members": ["E09000005", "E09000009"],
             "method": "exact"}
    names = {"E09000005": "London Borough of Brent", "QRV": "NHS North West London ICB"}
    assert [(d.label, d.now.full) for d in details(None, split, names)] == [
        ("Shapley", "London Borough of Brent: £716,585.79, NHS North West London ICB: £245,618.52"),
        ("Members", "London Borough of Brent, E09000009"),  # a code with no organisation stays as it is
        ("Method", "exact")]


def test_the_codes_a_page_looks_up_are_the_short_words_of_its_payloads_keys_and_values() -> None:
    before = {"shapley": {"E09000005": "716585.79"}, "members": ["QRV", "E09000009"]}
    after = {"reason": "Lot L2 re-awarded", "lead": "E09000013", "job": 3, "rows": [{"member": "E09000015"}]}
    assert codes_in(before, after, None) == {"shapley", "E09000005", "716585.79", "members", "QRV", "E09000009",
                                             "reason", "lead", "E09000013", "job", "rows", "member", "E09000015"}
