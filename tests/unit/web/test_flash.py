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
