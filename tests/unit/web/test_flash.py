from starlette.requests import Request

from carepool.web.flash import MOST_CHARACTERS, flash, take_flash


def _request(path: str = "/tenders/CP-1", session: dict | None = None) -> Request:
    return Request({"type": "http", "session": {} if session is None else session, "path": path, "headers": [],
                    "query_string": b"", "scheme": "http", "server": ("testserver", 80), "root_path": ""})


def test_a_long_message_is_cut_at_a_line_so_the_session_cookie_always_fits() -> None:
    request = _request()
    problems = "\n".join(f"  bids.xlsx, sheet Bids, row {n}, column price_per_hour: is empty" for n in range(2, 200))
    flash(request, "nothing was sealed:\n" + problems, "error", to="/tenders/CP-1")
    shown = take_flash(request)
    assert shown is not None and shown["kind"] == "error"
    assert len(shown["message"]) < MOST_CHARACTERS + 80
    assert shown["message"].endswith("... and more: put these right and try again to see the rest")
    assert "row 2, column price_per_hour" in shown["message"] and "row 199," not in shown["message"]
    assert take_flash(request) is None  # shown once


def test_a_short_message_is_kept_whole() -> None:
    request = _request()
    flash(request, "2 bids sealed. Keep your receipts.", to="/tenders/CP-1#bids")
    assert take_flash(request) == {"message": "2 bids sealed. Keep your receipts.", "kind": "notice",
                                   "to": "/tenders/CP-1"}


def test_a_message_is_shown_only_on_the_page_it_was_left_for() -> None:
    session: dict = {}
    flash(_request(session=session), "Figures imported.", to="/pool/1/monitoring")
    assert take_flash(_request("/pool/2/monitoring", session)) is None  # another pool, say in a second tab
    assert take_flash(_request("/pool/1/monitoring", session))["message"] == "Figures imported."  # type: ignore[index]


def test_typed_values_come_back_once_and_only_when_they_fit() -> None:
    from carepool.web.flash import keep_typed, typed_back

    request = _request()
    keep_typed(request, "bid", {"lot": "HC-HF-NORTH", "price": "21,50"})
    assert typed_back(request, "override") is None  # one form's values are not another's
    assert typed_back(request, "bid") == {"lot": "HC-HF-NORTH", "price": "21,50"}
    assert typed_back(request, "bid") is None
    keep_typed(request, "override", {"hours": {str(n): "400.00" for n in range(200)}, "reason": "x"})
    assert typed_back(request, "override") is None  # too big for the session cookie: left out
