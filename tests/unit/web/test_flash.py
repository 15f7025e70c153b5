from starlette.requests import Request

from carepool.web.flash import MOST_CHARACTERS, flash, take_flash


def _request() -> Request:
    return Request({"type": "http", "session": {}})


def test_a_long_message_is_cut_at_a_line_so_the_session_cookie_always_fits() -> None:
    request = _request()
    problems = "\n".join(f"  bids.xlsx, sheet Bids, row {n}, column price_per_hour: is empty" for n in range(2, 200))
    flash(request, "nothing was sealed:\n" + problems, "error")
    shown = take_flash(request)
    assert shown is not None and shown["kind"] == "error"
    assert len(shown["message"]) < MOST_CHARACTERS + 80
    assert shown["message"].endswith("... and more: put these right and try again to see the rest")
    assert "row 2, column price_per_hour" in shown["message"] and "row 199," not in shown["message"]
    assert take_flash(request) is None  # shown once


def test_a_short_message_is_kept_whole() -> None:
    request = _request()
    flash(request, "2 bids sealed. Keep your receipts.")
    assert take_flash(request) == {"message": "2 bids sealed. Keep your receipts.", "kind": "notice"}


def test_typed_values_come_back_once_and_only_when_they_fit() -> None:
    from carepool.web.flash import keep_typed, typed_back

    request = _request()
    keep_typed(request, "bid", {"lot": "HC-HF-NORTH", "price": "21,50"})
    assert typed_back(request, "override") is None  # one form's values are not another's
    assert typed_back(request, "bid") == {"lot": "HC-HF-NORTH", "price": "21,50"}
    assert typed_back(request, "bid") is None
    keep_typed(request, "override", {"hours": {str(n): "400.00" for n in range(200)}, "reason": "x"})
    assert typed_back(request, "override") is None  # too big for the session cookie: left out
