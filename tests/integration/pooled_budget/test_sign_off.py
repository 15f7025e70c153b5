"""Each partner signs the settled year's statement in carepool (Priya's "settlement statement both sign"):
once, for its own organisation, by a finance officer or admin, after settlement; the page, the API, the
CLI and the statement workbook show who signed, in what role and when, and the audit trail records it."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.audit import service as audit
from carepool.cli import main
from carepool.db.engine import Database
from tests.integration.helpers import add_user, sign_in
from tests.integration.pooled_budget.builders import (
    BRENT,
    HUGHES,
    ICB,
    MARCUS,
    MONTHS,
    PRIYA,
    auth,
    new_pool,
)


def _settled_pool(client: TestClient, database: Database) -> int:
    pool = new_pool(client, database)
    figures = [{"scheme_id": scheme, "month": month, "source": BRENT, "actual": "9000.00"}
               for scheme in ("REAB", "ICES") for month in MONTHS]
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures}).status_code == 200
    assert client.post(f"/api/pool/agreements/{pool}/settlement").status_code == 200
    return pool


def test_each_partner_signs_once_for_itself_and_everyone_sees_who_signed(client: TestClient, database: Database,
                                                                          cli_env: Database) -> None:
    before = new_pool(client, database)
    early = client.post(f"/api/pool/agreements/{before}/settlement/sign-offs", json={"title": "Director of Finance"})
    assert early.status_code == 409 and "has not been settled yet" in early.json()["error"]

    pool = _settled_pool(client, database)
    page = client.get(f"/pool/{pool}/settlement").text
    assert "Sign the statement for London Borough of Brent" in page and page.count("not signed yet") == 2
    assert "UTC by priya (London Borough of Brent)." in page  # the person by name, as History names them
    blank = client.post(f"/pool/{pool}/settlement/sign", data={"title": "  "})
    assert blank.status_code == 422 and "say in what role you sign" in blank.text
    done = client.post(f"/pool/{pool}/settlement/sign", data={"title": "Director of  Finance"}, follow_redirects=True)
    assert "You signed the statement for London Borough of Brent as Director of Finance." in done.text
    assert "Sign the statement for" not in done.text and done.text.count("not signed yet") == 1
    again = client.post(f"/api/pool/agreements/{pool}/settlement/sign-offs", json={"title": "Chief Executive"})
    assert again.status_code == 409 and "a partner signs once" in again.json()["error"]

    viewer = client.post(f"/api/pool/agreements/{pool}/settlement/sign-offs", json={"title": "Councillor"},
                         headers=auth(database, HUGHES))
    assert viewer.status_code == 403  # Brent's viewer: not a finance officer or admin
    stranger = client.post(f"/api/pool/agreements/{pool}/settlement/sign-offs", json={"title": "Director"},
                           headers=auth(database, "finance@ealing.test"))
    assert stranger.status_code == 404  # Ealing is no partner of this pool

    assert main(["pool", "sign", str(pool), "--as", MARCUS, "--title", "Chief Finance Officer"]) == 0
    statement = client.get(f"/api/pool/agreements/{pool}/settlement").json()
    assert statement["unsigned"] == []
    signed = {s["partner"]: (s["name"], s["title"], s["signed_by"]) for s in statement["sign_offs"]}
    assert signed == {BRENT: ("priya", "Director of Finance", f"user:{PRIYA}"),
                      ICB: ("marcus", "Chief Finance Officer", f"user:{MARCUS}")}
    assert "Every partner has signed." in client.get(f"/pool/{pool}/settlement").text

    book = load_workbook(io.BytesIO(client.get(f"/pool/{pool}/download/statement").content))
    rows = {row[0]: row[2:5] for row in book["Signed"].iter_rows(min_row=2, values_only=True)}
    assert rows[ICB] == ("marcus", "Chief Finance Officer", "signed in carepool")
    with database.uow() as uow:
        events = audit.list_events(uow=uow, organisation=ICB, action="pool.statement_signed", limit=5)
    assert [(e.actor, e.after["title"]) for e in events] == [(f"user:{MARCUS}", "Chief Finance Officer")]


def test_each_partner_sees_every_partners_actions_on_the_pool(client: TestClient, database: Database) -> None:
    pool = _settled_pool(client, database)  # Priya (Brent) created, imported and settled it
    client.post(f"/pool/{pool}/settlement/sign", data={"title": "Director of Finance"})
    marcus = auth(database, MARCUS)
    assert client.post(f"/api/pool/agreements/{pool}/settlement/sign-offs", json={"title": "Chief Finance Officer"},
                       headers=marcus).status_code == 201
    brent_view = client.get(f"/pool/{pool}/history").text
    rows = re.findall(r"<tr><td class=\"ref\">.*?</tr>", brent_view, re.S)
    signed = next(row for row in rows if "Pool: statement signed" in row and "Chief Finance Officer" in row)
    assert "<td>marcus (" in signed  # the ICB's action, seen by Brent: who did it by name and organisation
    assert "Pool: year settled" in brent_view
    client.cookies.clear()
    sign_in(client, MARCUS)
    icb_view = client.get(f"/pool/{pool}/history").text
    assert "Pool: year settled" in icb_view and "<td>priya (" in icb_view  # and Brent's, seen by the ICB
    client.cookies.clear()
    sign_in(client, "finance@ealing.test")
    assert client.get(f"/pool/{pool}/history").status_code == 404  # no partner of this pool


def test_a_commissioner_who_is_not_in_finance_cannot_sign(client: TestClient, database: Database) -> None:
    pool = _settled_pool(client, database)
    add_user(database, "comm@brent.test", BRENT, "commissioner")
    refused = client.post(f"/api/pool/agreements/{pool}/settlement/sign-offs", json={"title": "Director"},
                          headers=auth(database, "comm@brent.test"))
    assert refused.status_code == 403
    assert client.get(f"/api/pool/agreements/{pool}/settlement").json()["sign_offs"] == []
