"""Reading a bid workbook: blank rows are no bid, every problem is named, a lot is bid on once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from carepool.core.errors import CarepoolError
from carepool.procurement.bid_workbook import read_bids, read_clean


def test_blank_rows_are_no_bid_and_a_lot_is_bid_on_once(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"
    path.write_text("lot,lot_name,hours_per_week,price_per_hour,quality,max_hours_per_week,capacity\n"
                    "hc-a,A,100,21.40,80,,\n"
                    "HC-B,B,200,,,,\n"
                    "HC-A,A,100,22.00,70,,\n"
                    "HC-C,C,300,20.123,70,,\n", encoding="utf-8")
    bids, problems = read_bids(path)
    assert [(b.value[0], b.value[1].price.plain(), b.value[1].quality, b.row) for b in bids] == [
        ("HC-A", "21.40", Decimal(80), 2)]
    assert str(problems[0]).startswith("bids.csv, row 5, column price_per_hour")
    assert "row 4, column lot: lot HC-A is bid on again (first on row 2)" in str(problems[1])
    assert len(problems) == 2


def test_a_refused_workbook_lists_its_problems_down_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"  # row 5's bad number is found while reading, rows 3 and 4 after
    path.write_text("lot,lot_name,hours_per_week,price_per_hour,quality,max_hours_per_week,capacity\n"
                    "HC-A,A,100,21.40,80,,\n"
                    "HC-B,B,200,,70,,\n"
                    "HC-A,A,100,22.00,70,,\n"
                    "HC-C,C,300,20.123,70,,\n", encoding="utf-8")
    with pytest.raises(CarepoolError) as refused:
        read_clean(path)
    rows = [line.split(", column")[0].rsplit("row ", 1)[1] for line in str(refused.value).splitlines()]
    assert rows == ["3", "4", "5"] and str(refused.value).startswith("nothing was sealed: bids.csv, row 3")


def test_a_capacity_given_on_one_row_holds_for_every_bid_of_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "bids.csv"
    path.write_text("lot,lot_name,hours_per_week,price_per_hour,quality,max_hours_per_week,capacity\n"
                    "HC-A,A,900,22.10,80,,\nHC-B,B,600,22.40,78,,500\nHC-C,C,300,23.00,75,,\n")
    bids, problems = read_bids(path)
    assert problems == [] and [b.value[1].capacity for b in bids] == [Decimal(500)] * 3
    path.write_text("lot,lot_name,hours_per_week,price_per_hour,quality,max_hours_per_week,capacity\n"
                    "HC-A,A,900,22.10,80,,400\nHC-B,B,600,22.40,78,,500\nHC-C,C,300,23.00,75,,\n")
    assert [b.value[1].capacity for b in read_bids(path)[0]] == [Decimal(400), Decimal(500), None]  # as typed
