import pytest
from starlette.requests import Request

from carepool.web.errors import back_link, validation_message, wants_json


def _request(path: str, method: str = "GET", **headers: str) -> Request:
    raw = [(b"host", b"carepool.test"), *((k.replace("_", "-").encode(), v.encode()) for k, v in headers.items())]
    return Request({"type": "http", "method": method, "path": path, "query_string": b"", "headers": raw})


def test_a_missing_form_field_is_named_in_words() -> None:
    error = {"type": "missing", "loc": ("body", "lot_ids"), "msg": "Field required", "input": None}
    assert validation_message(error) == "The form was sent without lot ids: fill it in and send it again."
    query = {"type": "missing", "loc": ("query", "entity_type"), "msg": "Field required", "input": None}
    assert validation_message(query) == \
        "The page address is missing entity type: go back and follow a link to this page."


def test_a_field_of_the_wrong_type_says_what_was_expected() -> None:
    item = {"type": "int_parsing", "loc": ("body", "lot_ids", 1), "msg": "Input should be a valid integer",
            "input": "seven"}
    assert validation_message(item) == \
        "The form gave “seven” for lot ids, which must be a whole number: correct it and send it again."
    path = {"type": "int_parsing", "loc": ("path", "bid_id"), "msg": "Input should be a valid integer", "input": "x"}
    assert "The page address gives “x” for bid id, which must be a whole number" in validation_message(path)
    choice = {"type": "enum", "loc": ("body", "kind"), "msg": "Input should be 'a' or 'b'", "input": "c",
              "ctx": {"expected": "'a' or 'b'"}}
    assert "which must be one of 'a' or 'b'" in validation_message(choice)
    other = {"type": "string_too_long", "loc": ("body", "name"), "msg": "String should have at most 5 characters",
             "input": "x" * 60}
    assert validation_message(other) == (f"The form gave “{'x' * 40}…” for name, which must be valid (string should "
                                         "have at most 5 characters): correct it and send it again.")


@pytest.mark.parametrize(("path", "accept", "expected"), [
    ("/api/partners/import", "", True),
    ("/api", "text/html", True),
    ("/apiary", "", False),
    ("/static/nope.css", "", True),
    ("/open-data/contracts.csv", "", True),
    ("/pool/1/download/ledger", "", True),
    ("/partners", "", False),
    ("/partners", "*/*", False),
    ("/partners", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
    ("/partners", "application/json", True),
    ("/partners", "application/problem+json, text/html;q=0.5", True),
    ("/partners", "application/json;q=0.5, text/html", False),
])
def test_who_keeps_json(path: str, accept: str, expected: bool) -> None:
    request = _request(path, accept=accept) if accept else _request(path)
    assert wants_json(request) is expected


def test_back_goes_only_to_this_site_and_never_to_the_same_failing_page() -> None:
    assert back_link(_request("/x", referer="http://carepool.test/partners?kind=provider")) == "/partners?kind=provider"
    assert back_link(_request("/x", referer="https://elsewhere.test/partners")) == "/"
    assert back_link(_request("/x", referer="http://carepool.test//elsewhere.test/")) == "/"
    assert back_link(_request("/x", referer="http://carepool.test/\\elsewhere.test/")) == "/"
    assert back_link(_request("/x")) == "/"
    assert back_link(_request("/x", referer="http://carepool.test/x")) == "/"
    assert back_link(_request("/x", "POST", referer="http://carepool.test/x")) == "/x"
