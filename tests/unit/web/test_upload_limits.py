"""A small upload cannot tie up the server: every file is read within limits, and a workbook built to be expensive
(a false size, a million empty rows, a zip bomb, one enormous row) is refused or read for what it really holds."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from fastapi import UploadFile

from carepool.core import tabular, workbook_archive
from carepool.core.errors import CarepoolError
from carepool.pooled_budget.definition import read_definition
from carepool.pooled_budget.io import write_template
from carepool.pooled_budget.workbook import read_workbook
from carepool.web import uploads
from carepool.web.uploads import read_upload
from tests.unit.pooled_budget.pool_builders import fill_workbook, herefordshire, m

SHEET = "xl/worksheets/sheet1.xml"


def _demand(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Demand"
    for row in [["member_code", "hours"], *rows]:
        sheet.append(row)
    book.save(path)
    return path


def _rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with one part changed, as a hand-made file would have it."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def _rows_xml(rows: bytes) -> Callable[[bytes], bytes]:
    """Put ``rows`` (raw ``<row>`` elements) at the end of the sheet's data."""
    return lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")


def test_a_sheet_claiming_every_cell_of_excel_costs_only_its_real_cells(tmp_path: Path) -> None:
    path = _demand(tmp_path / "demand.xlsx", [["BRENT", 12], ["EALING", 7]])
    _rewrite(path, SHEET, lambda xml: xml.replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:XFD1048576"/>'))
    assert b"XFD1048576" in zipfile.ZipFile(path).read(SHEET)
    (sheet,) = tabular.read_tables(path)
    assert sheet.headers == ["member_code", "hours"]  # not 16,384 columns wide
    assert sheet.rows == [(2, {"member_code": "BRENT", "hours": 12}), (3, {"member_code": "EALING", "hours": 7})]


def test_a_sheet_claiming_fewer_rows_than_it_has_is_read_whole(tmp_path: Path) -> None:
    path = _demand(tmp_path / "demand.xlsx", [["BRENT", 12], ["EALING", 7]])
    _rewrite(path, SHEET, lambda xml: xml.replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:B2"/>'))
    (sheet,) = tabular.read_tables(path)
    assert [number for number, _ in sheet.rows] == [2, 3]  # openpyxl alone stops at the claimed row 2


def test_a_thousand_blank_rows_end_a_sheet_so_a_cell_at_the_bottom_of_excel_costs_nothing(tmp_path: Path) -> None:
    path = _demand(tmp_path / "demand.xlsx", [["BRENT", 12]])
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>FAR</t></is></c></row>'
    _rewrite(path, SHEET, _rows_xml(b'<row r="500"><c r="A500" t="inlineStr"><is><t>NEAR</t></is></c></row>' + far))
    (sheet,) = tabular.read_tables(path)
    assert [(number, row["member_code"]) for number, row in sheet.rows] == [(2, "BRENT"), (500, "NEAR")]


def test_a_sheet_of_more_than_100000_rows_is_refused_naming_file_and_sheet(tmp_path: Path) -> None:
    path = tmp_path / "demand.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Demand")
    sheet.append(["member_code"])
    for _ in range(tabular.MAX_ROWS + 1):
        sheet.append(["BRENT"])
    book.save(path)
    with pytest.raises(CarepoolError) as refused:
        tabular.read_tables(path)
    assert str(refused.value) == "demand.xlsx, sheet Demand: more than 100,000 rows; split the file"


def test_the_row_limit_counts_rows_of_data_not_blank_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    path = tmp_path / "demand.csv"
    path.write_text("member_code,hours\nBRENT,1\n\n,\nEALING,2\nHARROW,3\n")
    assert [n for n, _ in tabular.read_tables(path)[0].rows] == [2, 5, 6]
    path.write_text("member_code,hours\nBRENT,1\n\nEALING,2\nHARROW,3\nBARNET,4\n")
    with pytest.raises(CarepoolError, match=r"^demand\.csv: more than 3 rows; split the file$"):
        tabular.read_tables(path)


def test_a_csv_file_of_more_than_100000_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text("member_code,hours\n" + "BRENT,1\n" * (tabular.MAX_ROWS + 1))
    with pytest.raises(CarepoolError, match=r"^demand\.csv: more than 100,000 rows; split the file$"):
        tabular.read_tables(path)


def test_a_million_blank_lines_do_not_hide_what_comes_after_the_first_thousand(tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_bytes(b"member_code,hours\nBRENT,1\n" + b",\n" * 1_000_000 + b"EALING,2\n")
    (sheet,) = tabular.read_tables(path)
    assert sheet.rows == [(2, {"member_code": "BRENT", "hours": "1"})]  # the sheet ended after 1,000 blank rows


def test_a_value_beyond_column_200_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = _demand(tmp_path / "demand.xlsx", [["BRENT", 12], ["EALING", 7]])
    _rewrite(path, SHEET, _rows_xml(b'<row r="4"><c r="GS4"><v>1</v></c></row>'))
    with pytest.raises(CarepoolError) as refused:
        tabular.read_tables(path)
    assert str(refused.value) == ("demand.xlsx, sheet Demand, row 4: has a value beyond column 200 (GR); carepool "
                                  "reads at most 200 columns: move or delete it")
    csv_path = tmp_path / "demand.csv"
    csv_path.write_text("member_code,hours" + "," * 200 + "\nBRENT,1" + "," * 199 + ",x\n")
    with pytest.raises(CarepoolError, match=r"^demand\.csv, row 2: has a value beyond column 200"):
        tabular.read_tables(csv_path)


def test_all_the_sheets_of_a_workbook_share_one_row_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_FILE_ROWS", 5)
    path = tmp_path / "demand.xlsx"
    book = openpyxl.Workbook(write_only=True)
    for title in ("One", "Two"):
        sheet = book.create_sheet(title)
        for row in [["member_code"], ["BRENT"], ["EALING"]]:
            sheet.append(row)
    book.save(path)
    with pytest.raises(CarepoolError, match=r"^demand\.xlsx: more than 5 rows in all \(blank rows between the data"):
        tabular.read_tables(path)


def _bomb(path: Path) -> Path:
    """A real sheet followed by 20 MB of nothing (in well under 100 KB)."""
    return _rewrite(_demand(path, [["BRENT", 12]]), SHEET, lambda xml: xml + b" " * (20 * 2**20))


def test_a_zip_bomb_is_refused_from_its_directory_before_openpyxl_opens_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _bomb(tmp_path / "demand.xlsx")
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: pytest.fail("the bomb was opened"))
    with pytest.raises(CarepoolError, match=r"^demand\.xlsx: part xl/worksheets/sheet1\.xml of the workbook unpacks "
                                            r"to [\d,]+ times its packed size.*refused as a zip bomb$"):
        tabular.read_tables(path)
    upload = UploadFile(io.BytesIO(path.read_bytes()), filename="demand.xlsx")
    with pytest.raises(CarepoolError, match="refused as a zip bomb"):  # refused on arrival, whoever reads it
        read_upload(upload, lambda saved: pytest.fail("a reader was given the bomb"))
    with pytest.raises(CarepoolError, match="refused as a zip bomb"):  # and by `carepool pool settle FILE`
        read_workbook(path)


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook_archive, "MAX_UNPACKED_BYTES", 2**20)
    path = _rewrite(_demand(tmp_path / "demand.xlsx", []), SHEET, lambda xml: xml + b" " * 3 * 2**20)
    with pytest.raises(CarepoolError, match=r"^demand\.xlsx: the workbook unpacks to 3\.0 MB, more than the 1 MB "
                                            r"carepool reads; split the file$"):
        tabular.read_tables(path)


@pytest.mark.parametrize(("limit", "extra", "refusal"), [
    ("MAX_ROW_ITEMS", b'<row r="9">' + b"<c><v>1</v></c>" * 3000 + b"</row>",
     "part xl/worksheets/sheet1.xml of the workbook has a row \\(or text\\) of more than 5,000 XML elements"),
    ("MAX_LOOSE_ITEMS", b"<junk/>" * 6000, "the workbook holds more than 5,000 XML elements and attributes "
                                          "outside its rows of cells"),
    ("MAX_XML_ITEMS", b'<row r="9"><c><v>1</v></c></row>' * 2000, "the workbook holds more than 5,000 XML elements"),
], ids=["in one row", "outside rows", "in all"])
def test_what_openpyxl_would_hold_in_memory_is_counted_before_it_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, extra: bytes, refusal: str) -> None:
    monkeypatch.setattr(workbook_archive, limit, 5000)
    path = _rewrite(_demand(tmp_path / "demand.xlsx", []), SHEET, _rows_xml(extra))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: pytest.fail("openpyxl was reached"))
    with pytest.raises(CarepoolError, match=f"^demand\\.xlsx: {refusal}"):
        tabular.read_tables(path)


def test_a_document_type_is_refused(tmp_path: Path) -> None:
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    path = _rewrite(_demand(tmp_path / "demand.xlsx", []), SHEET, lambda xml: doctype + xml)
    with pytest.raises(CarepoolError, match=r"sheet1\.xml of the workbook declares a document type \(DTD\)"):
        tabular.read_tables(path)


class _EndlessUpload(io.RawIOBase):
    """An upload that never ends, and that fails a reader asking for all of it at once."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and 0 < size <= 2**20, "the upload was read whole"
        return b"x" * size


def test_a_file_over_the_upload_limit_is_refused_by_name_as_soon_as_it_passes_it() -> None:
    upload = UploadFile(_EndlessUpload(), filename="C:\\fakepath/ledger.csv")  # type: ignore[arg-type]
    with pytest.raises(CarepoolError) as refused:
        read_upload(upload, lambda saved: pytest.fail("a reader was given the file"))
    assert str(refused.value) == ("ledger.csv: the file is larger than 10 MB, the most carepool takes in one "
                                  "upload; split it into smaller files")
    assert refused.value.kind == "too_large"  # HTTP 413
    exactly = UploadFile(io.BytesIO(b"x" * uploads.MAX_UPLOAD_BYTES), filename="ledger.csv")
    assert read_upload(exactly, lambda saved: saved.stat().st_size) == uploads.MAX_UPLOAD_BYTES


def test_a_pool_definition_is_read_read_only_whatever_size_its_sheets_claim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pool.xlsx"
    write_template(path)
    fill_workbook(path, herefordshire())
    book = openpyxl.load_workbook(path)
    book["Schemes"].cell(row=2, column=3, value=None)  # actual: empty, read as 0
    name = book["Schemes"].cell(row=2, column=2, value="=HYPERLINK(x)")
    name.data_type = "s"  # typed as text: stays text
    book.save(path)
    for part in [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/worksheets/sheet")]:
        _rewrite(path, part, lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
    opened: list[object] = []
    load = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(k.get("read_only")) or load(*a, **k))
    definition = read_definition(path)
    assert opened and all(opened)  # never a whole workbook in memory
    scheme = definition.agreement.schemes[0]
    assert scheme.name == "=HYPERLINK(x)" and scheme.budget == m("564000") and scheme.actual == m("0")
