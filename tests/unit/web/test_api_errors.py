"""FastAPI's validation errors on the API, as the API answers every refusal: one problem for each field, in words an
API caller acts on, and an error naming the field (or every field)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from carepool.procurement.schemas import BidCreate, PanelScore
from carepool.web.errors import api_validation_error

MONEY = 'expected an amount as text, like "23.50" (money travels as text, never as a JSON number)'


class Figure(BaseModel):
    month: str
    actual: str | StrictInt  # as pooled budgets declare money: text, or whole pounds


class Figures(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figures: list[Figure]
    limit: int = Field(1, le=100)


def _errors(model: type[BaseModel], data: Any) -> list[dict[str, Any]]:
    """The errors as FastAPI hands them over: located in the request's body."""
    with pytest.raises(ValidationError) as found:
        model.model_validate(data)
    return [{**e, "loc": ("body", *e["loc"])} for e in found.value.errors()]


def test_one_field_of_the_wrong_type_is_the_error_and_the_one_problem() -> None:
    error = api_validation_error(_errors(BidCreate, {"lot": "RB-HOUN-HH", "price": 23.5, "quality": 70}))
    said = f"price: {MONEY}, got 23.5"
    assert (error.message, error.kind, [str(p) for p in error.problems]) == (said, "invalid", [said])


def test_several_fields_are_each_a_problem_and_the_error_names_them() -> None:
    error = api_validation_error(_errors(BidCreate, {"price": 23, "quality": [70], "capacity": 5}))
    assert error.message == "the request has 4 problems (each in problems): lot, price, quality, capacity"
    assert [str(p) for p in error.problems] == [
        "lot: missing; the request must give it", f"price: {MONEY}, got 23",
        "quality: expected a score from 0 to 100, like 75, got [70]", "capacity: expected text, got 5"]


def test_a_score_may_be_a_number_or_text_but_nothing_else() -> None:
    for score in (72, 72.5, "72.5"):
        assert PanelScore.model_validate({"score": score, "note": "read"}).score == score
    refused = api_validation_error(_errors(PanelScore, {"score": None, "note": "read"}))
    assert refused.message == "score: expected a score from 0 to 100, like 75, got null"


def test_a_union_that_took_neither_form_is_one_field_and_nested_fields_are_written_as_a_caller_writes_them() -> None:
    errors = _errors(Figures, {"figures": [{"month": "2025-04", "actual": 12.5}, {"month": True, "actual": "1"}],
                               "limit": 500, "extra": 1})
    error = api_validation_error(errors)
    assert [str(p) for p in error.problems] == [
        "figures[0].actual: expected text or a whole number, got 12.5",
        "figures[1].month: expected text, got true",
        "limit: expected a value that fits (input should be less than or equal to 100), got 500",
        "extra: not a field this request takes"]
    assert error.message.endswith(": figures[0].actual, figures[1].month, limit, extra")


def test_two_fields_sent_the_same_wrong_value_stay_two_problems() -> None:
    class Pair(BaseModel):
        first: str
        second: str

    error = api_validation_error(_errors(Pair, {"first": 1, "second": 1}))
    assert [str(p) for p in error.problems] == ["first: expected text, got 1", "second: expected text, got 1"]


def test_the_address_the_query_and_the_body_itself_are_named_as_such() -> None:
    path = {"type": "int_parsing", "loc": ("path", "consortium_id"), "msg": "Input should be a valid integer",
            "input": "seven"}
    query = {"type": "missing", "loc": ("query", "entity_type"), "msg": "Field required", "input": None}
    assert [str(p) for p in api_validation_error([path, query]).problems] == [
        'path parameter consortium_id: expected a whole number, got "seven"',
        "query parameter entity_type: missing; the request must give it"]
    nothing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
    assert api_validation_error([nothing]).message == "the request body: missing; send a JSON object"
    broken = {"type": "json_invalid", "loc": ("body", 8), "msg": "JSON decode error", "input": {},
              "ctx": {"error": "Expecting value"}}
    assert api_validation_error([broken]).message == "the request body is not valid JSON (Expecting value)"
    listed = {"type": "model_attributes_type", "loc": ("body",), "msg": "Input should be a valid dictionary",
              "input": [1]}
    assert api_validation_error([listed]).message == "the request body: expected a JSON object, got [1]"
    long = {"type": "string_type", "loc": ("body", "name"), "msg": "Input should be a valid string", "input": [1] * 40}
    assert api_validation_error([long]).message == f"name: expected text, got {json.dumps([1] * 40)[:39]}…"


def test_a_request_with_thousands_of_bad_fields_is_worded_quickly_and_briefly() -> None:
    """Each bad figure is refused by both members of its union: grouping them must not compare every error with
    every other (40,000 figures took minutes), and the answer lists the first fields, then how many more."""
    errors = _errors(Figures, {"figures": [{"month": "2026-04", "actual": 1.5}] * 40_000})
    error = api_validation_error(errors)
    assert len(errors) == 80_000 and len(error.problems) == 51
    assert str(error.problems[0]) == "figures[0].actual: expected text or a whole number, got 1.5"
    assert str(error.problems[-1]) == "… and 39,950 more fields with a problem"
    assert error.message.startswith("the request has 40,000 problems (each in problems): figures[0].actual, ")
    assert error.message.endswith("figures[9].actual and 39,990 more")
