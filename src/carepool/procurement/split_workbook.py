"""The savings split as an Excel workbook, for the finance directors: the split by member, then every group's
saving alone (the savings game), then the verdicts. Amounts are exact Decimals shown as pounds."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from carepool.core.money import Money
from carepool.core.workbook import POUNDS, add_table_sheet, inert, new_workbook

if TYPE_CHECKING:
    from carepool.procurement.splitting import SplitView

MEMBER_HEADERS = ("member", "code", "spend today", "saving alone", "as the prices fell", "proportional to spend",
                  "Shapley", "nucleolus", "pays in (+) / receives (-) for Shapley")
GROUP_HEADERS = ("group", "members", "spend today", "yearly cost of its award", "saving alone", "how found")


def workbook(view: SplitView) -> bytes:
    book = new_workbook()
    members = [[inert(m.name), m.code, m.spend.amount, m.alone.amount, m.realised.amount, m.proportional.amount,
                m.shapley.amount, m.nucleolus.amount, m.transfer.amount] for m in view.members]
    members.append(["Total", "", Money.sum(m.spend for m in view.members).amount,
                    None, view.total.amount, view.total.amount, view.total.amount, view.total.amount, Money(0).amount])
    add_table_sheet(book, "Split", MEMBER_HEADERS, members,
                    number_formats={h: POUNDS for h in MEMBER_HEADERS[2:]})
    groups = [[inert(view.group_name(g.members)), " ".join(g.members), Money(g.baseline).amount,
               None if g.cost is None else Money(g.cost).amount, Money(g.saving).amount, inert(g.how_found)]
              for g in view.groups]
    add_table_sheet(book, "Groups alone", GROUP_HEADERS, groups,
                    number_formats={h: POUNDS for h in GROUP_HEADERS[2:5]})
    verdicts = [[verdict] for verdict in view.verdicts]
    add_table_sheet(book, "Verdicts", ("verdict",), verdicts)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
