"""The two forms of a tender's page that change what a colleague may be changing at the same moment: "Change the
tender" and "Change the award by hand".

Each form carries a token of what it was filled in from (the tender's ``edit_token``, the award's
``award_token``), so a form filled in on an older tender or award is refused rather than saved over a colleague's
change. And a refused form never comes back able to save, unseen, what the page showed before that change:

- the edit form also carries a mark of each field as it showed it, so a refusal can tell the fields the user
  changed from those the colleague did. It comes back as the tender is now, with the fresh token and the user's
  own changes put back on it, and the message names both; a field both changed shows the colleague's value and the
  message says what the user had typed. A form sent without the marks (a page of an older version) keeps what was
  typed with its old token, so sending it again is refused again, and the page offers to start again.
- the override form comes back showing the award as it is now, the reason kept, and the message names what the
  user had typed, lot by lot, where it differs from that award: hours a week only make sense against the whole
  award (each lot must add up, the rules weigh every lot together), so they are not put back on a changed one.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from carepool.core.errors import CarepoolError
from carepool.core.periods import parse_day
from carepool.partners.model import Caller
from carepool.procurement import evaluation, reports, tendering
from carepool.procurement.award_rules import RULE_LABELS
from carepool.procurement.model import TenderStatus, hours_text, quantity
from carepool.web.deps import CallerDep, UowDep
from carepool.web.flash import attempt, flash, keep_typed

router = APIRouter(include_in_schema=False)
RULE_FIELDS = tuple(RULE_LABELS)
EDIT_FIELDS = ("title", "description", "deadline", "contract_start", *RULE_FIELDS)
FIELD_NAMES = {"title": "Title", "description": "Description", "deadline": "Deadline", "contract_start":
               "Contracts start", **{k: label.split(" (")[0] for k, label in RULE_LABELS.items()}}
EDIT_FORM, OVERRIDE_FORM = "edit", "override"  # the session keys of what a refused form brings back


def _back(ref: str) -> str:
    return f"/tenders/{ref}"


def contract_start_typed(text: str) -> date | None:
    """A contracts start as a form gives it (none if empty)."""
    return parse_day(text.strip(), what="contracts start", example="2027-04-01") if text.strip() else None


def deadline_typed(text: str) -> datetime | None:
    """A deadline as a form gives it (the form's times are UTC unless a time zone is typed)."""
    if not text.strip():
        return None
    try:
        typed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CarepoolError(f"deadline {text!r} is not a date and time") from None
    return typed.replace(tzinfo=UTC) if typed.tzinfo is None else typed.astimezone(UTC)


# --- the tender's edit form ---------------------------------------------------------------------------------------

def edit_values(tender: tendering.TenderView) -> dict[str, str]:
    """Each field of the edit form as it shows the tender (the deadline to the minute)."""
    rules = tender.rules.as_dict()
    return {"title": tender.title, "description": tender.description,
            "deadline": f"{tender.deadline:%Y-%m-%dT%H:%M}" if tender.deadline else "",
            "contract_start": f"{tender.contract_start:%Y-%m-%d}" if tender.contract_start else "",
            **{k: "" if rules.get(k) is None else str(rules[k]) for k in RULE_FIELDS}}


def _mark(value: str) -> str:
    """A field's value in a few characters, to tell later whether it was changed (a browser sends a textarea's
    lines with CRLF and drops its first line break, so neither counts as a change)."""
    return hashlib.sha256(value.replace("\r\n", "\n").strip().encode()).hexdigest()[:10]


def _marks(values: dict[str, str]) -> str:
    return json.dumps({k: _mark(v) for k, v in values.items()}, separators=(",", ":"))


def _read_marks(text: str) -> dict[str, str] | None:
    try:
        marks = json.loads(text)
    except ValueError:
        return None
    return marks if isinstance(marks, dict) and all(isinstance(v, str) for v in marks.values()) else None


NOTES = {"theirs": "Changed by someone else since you opened the page",
         "yours": "Your change, put back on the tender as it is now: not saved yet"}


def edit_form(tender: tendering.TenderView, kept: dict[str, Any] | None) -> dict[str, Any]:
    """The edit form as the page shows it: the tender as it is, or as a refusal brought it back (``kept``), always
    with the token of what its values were filled in from, and a note on each field a refusal is about."""
    current = edit_values(tender)
    if not kept:
        return {"fields": current, "based_on": tender.edit_token, "shown": _marks(current),
                "deadline_shown": current["deadline"], "notes": {}, "open": False, "stale": False,
                "rules": RULE_FIELDS}
    had = kept.get("had", {})
    notes = {k: NOTES.get(code) or (f"Changed by someone else; you had typed {_quoted(had.get(k, ''))}"
                                    if code == "both" else f"The tender now says {_quoted(current[k])}")
             for k, code in kept.get("notes", {}).items() if k in current}
    return {"fields": {**current, **kept.get("values", {})}, "based_on": kept.get("based_on") or tender.edit_token,
            "shown": kept.get("shown", ""), "deadline_shown": kept.get("deadline_shown", current["deadline"]),
            "notes": notes, "open": True, "stale": bool(kept.get("stale")), "rules": RULE_FIELDS}


def _save_edit(uow: Any, caller: Caller, ref: str, form: dict[str, str]) -> str:
    view = tendering.update_tender(
        uow=uow, caller=caller, ref=ref, title=form.get("title"),
        description=form["description"].replace("\r\n", "\n") if "description" in form else None,
        deadline=None if form.get("deadline") == form.get("deadline_shown") else deadline_typed(
            form.get("deadline", "")),  # to the minute, as shown: a deadline with seconds stays as it is
        based_on=form.get("based_on", "") or None, contract_start=contract_start_typed(form.get("contract_start", "")),
        clear_contract_start="contract_start" in form and not form["contract_start"].strip(),
        rules={k: form[k] if form[k].strip() else None for k in RULE_FIELDS if k in form} or None)
    if not view.changed:
        return "Nothing was changed: the form held what the tender already says."
    gone, moved = view.bids_invalidated, view.contract_start_moved
    return "Tender changed." + (f" {gone} submitted bid{'s were' if gone != 1 else ' was'} invalidated; "
                                "the bidders are asked to bid again." if gone else "") + (
        f" The deadline moved out, so contracts now start {moved:%Y-%m-%d}, the earliest it allows." if moved
        else "")


@router.post("/tenders/{ref}/edit")
async def edit(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        said = _save_edit(uow, caller, ref, form)
    except CarepoolError as error:
        uow.rollback()
        message = _refused_edit(request, uow, caller, ref, form, error)
        flash(request, message, "error", to=_back(ref))
        return RedirectResponse(_back(ref), status_code=303)
    flash(request, said, to=_back(ref))
    return RedirectResponse(_back(ref), status_code=303)


def _refused_edit(request: Request, uow: Any, caller: Caller, ref: str, form: dict[str, str],
                  error: CarepoolError) -> str:
    """Keep what the refused form is to show again, and say why it was refused."""
    typed = {k: form[k].replace("\r\n", "\n") for k in EDIT_FIELDS if k in form}
    based_on = form.get("based_on", "")
    if error.kind == "conflict" and based_on:
        now = tendering.get_tender(uow=uow, caller=caller, ref=ref)
        editable = now.status in (TenderStatus.DRAFT, TenderStatus.PUBLISHED) and not now.deadline_passed
        if editable and based_on != now.edit_token:
            return _merged(request, now, typed, form)
    kept = {"values": typed, "based_on": based_on, "shown": form.get("shown", ""),
            "deadline_shown": form.get("deadline_shown", "")}
    return str(error) + ("" if keep_typed(request, EDIT_FORM, kept) else
                         "\nWhat you typed was too long to bring back into the form: type it again.")


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    return "(empty)" if not value else f"“{value[:60]}…”" if len(value) > 60 else f"“{value}”"


def _merged(request: Request, now: tendering.TenderView, typed: dict[str, str], form: dict[str, str]) -> str:
    """The edit form of a tender someone else changed after it was opened, brought back on the tender as it is
    now; what it says."""
    head = f"Tender {now.ref} was changed by someone else after you opened it: nothing was saved."
    current = edit_values(now)
    shown = _read_marks(form.get("shown", ""))
    if shown is None:  # an older page, without its fields' marks: who changed what cannot be told
        differs = [k for k in typed if _mark(typed[k]) != _mark(current[k])]
        keep_typed(request, EDIT_FORM, {"values": typed, "based_on": form.get("based_on", ""), "shown": "",
                                   "deadline_shown": form.get("deadline_shown", ""), "stale": True,
                                   "notes": {k: "differs" for k in differs}})
        return head + (" The form still holds what you sent, and saving it again is refused as well: start again "
                       "from the tender as it is now (the link under the form) and make your change again."
                       + ("\nWhere what you sent differs from the tender now:\n" + "\n".join(
                           f"  {FIELD_NAMES[k]}: you sent {_quoted(typed[k])}; it is now {_quoted(current[k])}"
                           for k in differs) if differs else ""))
    theirs = [k for k in current if shown.get(k) != _mark(current[k])]
    mine = [k for k in typed if shown.get(k) != _mark(typed[k]) and _mark(typed[k]) != _mark(current[k])]
    yours = [k for k in mine if k not in theirs]
    both = [k for k in mine if k in theirs]
    notes = {**dict.fromkeys(theirs, "theirs"), **dict.fromkeys(yours, "yours"), **dict.fromkeys(both, "both")}
    kept = keep_typed(request, EDIT_FORM, {"values": {k: typed[k] for k in yours}, "based_on": now.edit_token,
                                      "shown": _marks(current), "deadline_shown": current["deadline"],
                                      "notes": notes, "had": {k: typed[k][:80] for k in both}})
    lines = [head, "They changed: " + "; ".join(f"{FIELD_NAMES[k]} (now {_quoted(current[k])})" for k in theirs)
             if theirs else "They changed nothing this form shows (the tender's lots)."]
    if yours:
        listed = "; ".join(f"{FIELD_NAMES[k]} {_quoted(typed[k])}" for k in yours)
        lines.append(f"Your changes are back in the form, on the tender as it is now, not saved yet: {listed}."
                     if kept else f"Your changes were too long to bring back into the form; make them again: {listed}.")
    if both:
        lines.append("You both changed " + "; ".join(
            f"{FIELD_NAMES[k]}: it is now {_quoted(current[k])}, you had typed {_quoted(typed[k])}" for k in both)
            + ". The form shows theirs: type yours again if it should stand.")
    lines.append("Check the form, then save it again." if yours or both else
                 "The form shows the tender as it is now; make your change again if it is still needed.")
    return "\n".join(lines)


# --- the award's override form ------------------------------------------------------------------------------------

def award_token(summary: reports.AwardSummary | None) -> str:
    """The award a page showed: an override typed on a page older than the award is refused, not applied to it."""
    lines = sorted((a.lot_code, a.provider_code, str(a.weekly_quantity), a.source) for a in
                   (summary.awards if summary else []))
    return hashlib.sha256(repr(lines).encode()).hexdigest()[:16]


@router.post("/tenders/{ref}/override")
async def override(request: Request, ref: str, caller: CallerDep, uow: UowDep) -> Response:
    form = await request.form()
    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    current = {(a.lot_code, a.provider_code): a.weekly_quantity for a in (summary.awards if summary else [])}
    listing = reports.bid_listing(uow=uow, caller=caller, ref=ref)
    typed = {bid.reference: str(form.get(f"q{bid.reference}", "")).strip() for bid in listing.bids}
    reason = str(form.get("reason", ""))
    seen = str(form.get("award_seen", ""))
    if seen and seen != award_token(summary):  # the form comes back as the award is now: hours=None
        keep_typed(request, OVERRIDE_FORM, {"hours": None, "reason": reason[:300], "seen": ""})
        flash(request, _award_moved(listing.bids, typed, current), "error", to=_back(ref))
        return RedirectResponse(_back(ref), status_code=303)
    return attempt(request, lambda: _override(uow, caller, ref, listing.bids, typed, current, reason), "",
                   _back(ref), keep=(OVERRIDE_FORM, {"hours": {k: v[:20] for k, v in typed.items() if v},
                                                     "reason": reason[:300], "seen": seen}))


def _award_moved(bids: list[reports.BidLine], typed: dict[str, str],
                 current: dict[tuple[str, str], Decimal]) -> str:
    """Why an override typed on an older award was refused, and what was typed that differs from the award now."""
    by_lot: dict[str, list[str]] = {}
    for bid in bids:
        if not typed[bid.reference]:
            continue
        now = current.get((bid.lot_code, bid.provider_code), Decimal(0))
        try:  # read as the override reads it
            same = quantity(typed[bid.reference], what="hours a week", zero_ok=True) == now
        except CarepoolError:
            same = False
        if not same:
            by_lot.setdefault(bid.lot_code, []).append(
                f"{bid.provider_name} {_quoted(typed[bid.reference])} (now {hours_text(now)})")
    said = ("Not saved: the award changed after you opened the page (it was run again, or changed by hand), so "
            "the form now shows the award as it is.")
    if not by_lot:
        return said + " Check it, then make your change again if it is still needed."
    return (said + " The hours you had typed that differ from it, to type again if they should still stand:\n"
            + "\n".join(f"  {lot}: {'; '.join(lines)}" for lot, lines in sorted(by_lot.items())))


def _override(uow: Any, caller: Caller, ref: str, bids: list[reports.BidLine], typed: dict[str, str],
              current: dict[tuple[str, str], Decimal], reason: str) -> str | tuple[str, str]:
    """Replace the award of the lots whose typed hours differ from the award; say what was done."""
    changed_lots: set[str] = set()
    wanted: dict[str, tuple[str, Decimal]] = {}
    for bid in bids:
        if not typed[bid.reference]:
            continue
        hours = quantity(typed[bid.reference], what=f"hours a week for {bid.provider_name} on {bid.lot_code}",
                         zero_ok=True)
        wanted[bid.reference] = (bid.lot_code, hours)
        if hours != current.get((bid.lot_code, bid.provider_code), Decimal(0)):
            changed_lots.add(bid.lot_code)
    allocations = [evaluation.Allocation(bid_ref, hours) for bid_ref, (lot, hours) in wanted.items()
                   if lot in changed_lots]
    if not allocations:
        return "Nothing was changed."
    broken = evaluation.override(uow=uow, caller=caller, ref=ref, allocations=allocations, reason=reason)
    done = f"Award of {', '.join(sorted(changed_lots))} changed; the reason is recorded."
    if not broken:
        return done
    return (done + "\nIt now breaks the tender's published rules (recorded in the History). Put it right, or be sure "
            "the recorded reason justifies each before you confirm:\n" + "\n".join(f"  {b}" for b in broken), "warning")
