"""Import and export organisations, localities and populations as CSV or Excel.

A CSV file holds one table, recognised by its header; a workbook may hold any of
the three as sheets. Everything is read and checked before anything is written.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carepool.core import tabular
from carepool.core.errors import CarepoolError, Problem
from carepool.core.tabular import Column, Sheet
from carepool.partners.model import (
    Locality,
    Organisation,
    OrgKind,
    Population,
    age_band,
    code_for_kind,
    locality_code,
    parse_kind,
)
from carepool.partners.service import Located, PartnerBatch


def _upper(value: Any) -> str:
    return str(value).strip().upper()


ORGANISATION_COLUMNS = [
    Column("code", _upper),
    Column("name", tabular.text),
    Column("kind", parse_kind),
    Column("sme", tabular.yes_no, required=False),  # blank: as on record (see PartnerBatch.sme_unstated)
]
LOCALITY_COLUMNS = [
    Column("code", locality_code),
    Column("name", tabular.text),
    Column("council_code", _upper),
    Column("nhs_code", _upper),
]
POPULATION_COLUMNS = [
    Column("locality_code", locality_code),
    Column("age_band", age_band),
    Column("year", tabular.year),
    Column("count", tabular.non_negative_whole_number),
]
TABLES = {
    "organisations": ORGANISATION_COLUMNS,
    "localities": LOCALITY_COLUMNS,
    "populations": POPULATION_COLUMNS,
}


def _table_of(sheet: Sheet) -> str | None:
    if sheet.name and sheet.name.strip().lower() in TABLES:
        return sheet.name.strip().lower()
    headers = set(sheet.headers)
    for table, columns in TABLES.items():
        if {c.name for c in columns if c.required} <= headers:
            return table
    return None


def _organisation(record: dict[str, Any]) -> Organisation:
    kind: OrgKind = record["kind"]
    return Organisation(code=code_for_kind(record["code"], kind), name=record["name"], kind=kind,
                        sme=bool(record["sme"]))  # blank reads as no here; the import keeps what is on record


def _build(
    sheet: Sheet, records: list[tuple[int, dict[str, Any]]], make: Callable[[dict[str, Any]], Any],
    problems: list[Problem], check_field: str,
) -> list[Located[Any]]:
    built = []
    for number, record in records:
        try:
            built.append(Located(make(record), sheet.file, sheet.name, number))
        except CarepoolError as error:
            problems.append(Problem(error.message, sheet.file, sheet.name, number, check_field))
    return built


def read_partner_file(path: Path) -> PartnerBatch:
    """Read a CSV or workbook into a batch; row problems travel with it to the import.

    An unreadable file raises at once; bad cells are kept in ``batch.problems`` so the
    import reports them together with references that do not resolve.
    """
    batch = PartnerBatch()
    problems: list[Problem] = []
    sheets = tabular.read_tables(path)
    recognised = 0
    for sheet in sheets:
        table = _table_of(sheet)
        if table is None:
            if sheet.name is None:
                expected = "; ".join(f"{t}: {', '.join(c.name for c in cols)}" for t, cols in TABLES.items())
                problems.append(Problem(f"header not recognised; expected the columns of one of {expected}",
                                        sheet.file, None, 1))
            continue
        recognised += 1
        records, found = tabular.read_rows(sheet, TABLES[table])
        problems.extend(found)
        if table == "organisations":
            built = _build(sheet, records, _organisation, problems, "code")
            unstated = {number for number, record in records if record["sme"] is None}
            batch.organisations += built
            batch.sme_unstated |= {item.value.code for item in built if item.row in unstated}
        elif table == "localities":
            batch.localities += _build(sheet, records, lambda r: Locality(**r), problems, "code")
        else:
            batch.populations += _build(sheet, records, lambda r: Population(**r), problems, "count")
    if recognised == 0 and not problems:
        problems.append(Problem("no sheet named Organisations, Localities or Populations", path.name))
    batch.problems.extend(problems)
    return batch


def _rows(table: str, items: Sequence[Any]) -> list[list[Any]]:
    if table == "organisations":
        return [[o.code, o.name, o.kind.value, "yes" if o.sme else "no"] for o in items]
    if table == "localities":
        return [[loc.code, loc.name, loc.council_code, loc.nhs_code] for loc in items]
    return [[p.locality_code, p.age_band, p.year, p.count] for p in items]


def write_partner_file(path: Path, tables: dict[str, Sequence[Any]]) -> None:
    """Write tables as a workbook (one sheet each) or, for .csv, the single table given. Names come from people
    (a provider names itself), so a name a spreadsheet would run as a formula is written as text."""
    from carepool.core.workbook import add_table_sheet, inert_rows, new_workbook

    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(tables) != 1:
            raise CarepoolError("a CSV file holds one table: choose --table organisations|localities|populations")
        ((table, items),) = tables.items()
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in TABLES[table]])
            writer.writerows(inert_rows(_rows(table, items)))
        return
    if suffix != ".xlsx":
        raise CarepoolError(f"{path.name}: expected a .csv or .xlsx file name")
    workbook = new_workbook()
    for table, items in tables.items():
        add_table_sheet(workbook, table.capitalize(), [c.name for c in TABLES[table]], _rows(table, items))
    workbook.save(path)
