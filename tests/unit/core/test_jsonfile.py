from decimal import Decimal
from pathlib import Path

import pytest

from carepool.award.model import JsonDecimal
from carepool.core.errors import CarepoolError
from carepool.core.jsonfile import load_json, parse_json


def test_decimals_are_exact_and_the_caller_may_mark_them(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"amount": 0.1, "hours": 3}', encoding="utf-8")
    data = load_json(path)
    assert data == {"amount": Decimal("0.1"), "hours": 3} and type(data["amount"]) is Decimal  # type: ignore[index]
    marked = load_json(path, parse_float=JsonDecimal)
    assert isinstance(marked["amount"], JsonDecimal)  # type: ignore[index]


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1,', "in.json is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 9"),
    ('{"a": 1, "a": 2}', "in.json is not valid JSON: the key 'a' appears twice in one object"),
    ('[NaN]', "in.json is not valid JSON: NaN is not a number JSON allows"),
    ('[-Infinity]', "in.json is not valid JSON: -Infinity is not a number JSON allows"),
])
def test_a_mistake_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CarepoolError) as caught:
        load_json(path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(CarepoolError, match=r"nowhere\.json: no such file"):
        load_json(tmp_path / "nowhere.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Ca\u00f1ada"}'.encode("latin-1"))
    with pytest.raises(CarepoolError, match=r"latin\.json: cannot read the file"):
        load_json(latin)
    with pytest.raises(CarepoolError, match="the request body is not valid JSON"):
        parse_json(b"")
