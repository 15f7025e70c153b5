"""Is a workbook (a zip archive of XML parts) safe to hand to openpyxl? Checked before openpyxl opens it.

Its zip directory must promise at most ``MAX_UNPACKED_BYTES`` in ``MAX_PARTS`` parts, no part over 1 MB
unpacking to more than ``MAX_PACKING_RATIO`` times its packed size (a zip bomb). Then expat counts, building
nothing, what openpyxl would hold: it holds a whole row before handing it over and keeps elements it does not
know, so a few packed megabytes of one wide row would cost gigabytes. Refused: more than ``MAX_XML_ITEMS``
elements and attributes in all, ``MAX_ROW_ITEMS`` in a row, ``MAX_LOOSE_ITEMS`` outside rows, a text or tag
over 1 MB, a DTD.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from carepool.core.errors import CarepoolError

MAX_UNPACKED_BYTES = 100 * 2**20
MAX_PACKING_RATIO = 100  # for parts over 1 MB unpacked; real workbooks pack 5 to 20 times
MAX_PARTS = 5_000
MAX_XML_ITEMS = 2_000_000  # about 4 a cell (500,000 cells); openpyxl reads some 400,000 a second
MAX_ROW_ITEMS = 100_000  # Excel writes at most 16,384 cells in a row
MAX_LOOSE_ITEMS = 1_000_000  # outside rows (shared strings, styles, merged cells...), which openpyxl keeps
_MB = 2**20


def _refuse(message: str, file: str) -> NoReturn:
    raise CarepoolError(f"{file}: {message}")


class _XmlCount:
    """What openpyxl would hold in memory reading a workbook, counted by expat without building any of it."""

    def __init__(self, file: str) -> None:
        self.file, self.part = file, ""
        self.items = self.loose = self.depth = self.row_depth = self.row_items = 0

    def scan(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        parser = expat.ParserCreate()
        parser.StartElementHandler, parser.EndElementHandler = self._start, self._end
        parser.StartDoctypeDeclHandler = lambda *_: self._damaged("declares a document type (DTD)")
        self.part, self.depth, self.row_depth = part.filename, 0, 0
        run = 0  # bytes since the last "<": one text or tag, which expat holds whole before reporting it
        with archive.open(part) as stream:
            try:
                while chunk := stream.read(_MB):
                    parser.Parse(chunk, False)
                    first = chunk.find(b"<")
                    spanning = run + (len(chunk) if first < 0 else first)
                    run = spanning if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
                    if spanning > _MB:
                        self._damaged("holds a text or a tag longer than 1 MB")
                parser.Parse(b"", True)
            except expat.ExpatError:
                return  # not XML (a picture) or broken: openpyxl stops where expat stops, so nothing after counts

    def _damaged(self, what: str, part: bool = True) -> NoReturn:
        where = f"part {self.part} of the workbook" if part else "the workbook"
        _refuse(f"{where} {what}; the file is damaged or was not saved by a spreadsheet program", self.file)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        items = 1 + len(attributes)
        self.items += items
        self.depth += 1
        if self.row_depth:
            self.row_items += items
            if self.row_items > MAX_ROW_ITEMS:
                self._damaged(f"has a row (or text) of more than {MAX_ROW_ITEMS:,} XML elements and attributes")
        elif name.rpartition(":")[2] in ("row", "si"):  # openpyxl empties each row, and shared text, once read
            self.row_depth, self.row_items = self.depth, 0
        else:
            self.loose += items
            if self.loose > MAX_LOOSE_ITEMS:
                self._damaged(f"holds more than {MAX_LOOSE_ITEMS:,} XML elements and attributes outside its "
                              "rows of cells", part=False)
        if self.items > MAX_XML_ITEMS:
            _refuse(f"the workbook holds more than {MAX_XML_ITEMS:,} XML elements and attributes (about "
                    f"{MAX_XML_ITEMS // 4:,} cells), more than carepool reads from one file; split the file",
                    self.file)

    def _end(self, name: str) -> None:
        if self.depth == self.row_depth:
            self.row_depth = 0
        self.depth -= 1


def check_workbook_archive(path: Path, *, scan: bool = True) -> None:
    """Refuse a workbook whose reading would cost far more than its size suggests (see the module's docstring),
    from its zip directory (milliseconds) and, if ``scan``, from its XML (about a second a million items)."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            _refuse(f"the workbook is made of {len(parts):,} parts, more than the {MAX_PARTS:,} carepool reads; "
                    "split the file", path.name)
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            _refuse(f"the workbook unpacks to {unpacked / _MB:,.1f} MB, more than the {MAX_UNPACKED_BYTES / _MB:g} "
                    "MB carepool reads; split the file", path.name)
        for part in parts:
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > _MB and ratio > MAX_PACKING_RATIO:
                _refuse(f"part {part.filename} of the workbook unpacks to {ratio:,.0f} times its packed size, "
                        f"and a real workbook to less than {MAX_PACKING_RATIO}: refused as a zip bomb", path.name)
        count = _XmlCount(path.name)
        for part in parts if scan else ():
            count.scan(archive, part)
