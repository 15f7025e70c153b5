"""Files for people: the monthly monitoring workbook, one partner's position workbook, a Better Care Fund
style income and expenditure return, the national register row (CSV), the settlement JSON and the Beancount
ledger.

Amounts go into Excel as exact Decimals with a pounds format; nothing is computed here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from carepool.audit.model import actor_label
from carepool.core.errors import CarepoolError, not_found
from carepool.core.money import Money
from carepool.core.periods import FinancialMonth
from carepool.core.workbook import POUNDS, add_table_sheet, inert, new_workbook
from carepool.db.uow import UnitOfWork
from carepool.pooled_budget import ledger_files, monitoring, service, variations, yearend
from carepool.pooled_budget.definition import describe_rule
from carepool.pooled_budget.monitoring import Monitoring
from carepool.pooled_budget.names import Who, namer
from carepool.pooled_budget.positions import PartnerTable, partner_table
from carepool.pooled_budget.service import StoredAgreement
from carepool.pooled_budget.service import Who as By
from carepool.pooled_budget.variations import Variation
from carepool.pooled_budget.yearend import Statement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the schemes' budget and the contingency apart, then together: "pooled" alone left readers guessing which
REGISTER_COLUMNS = ("year", "agreement_id", "agreement", "host_code", "host_name", "partner_count", "partners",
                    "partner_codes", "contributions_by_partner_incl_contingency", "schemes_budget", "contingency",
                    "total_pooled_incl_contingency", "client_groups", "schemes", "status")


def _d(amount: Money) -> Decimal:
    return amount.amount


def _totals(amounts: Sequence[Sequence[Money]], width: int) -> list[Decimal]:
    """Each column's total, for a table's "Total" row (a table with no lines totals £0.00 a column)."""
    return [_d(Money.sum(line[i] for line in amounts)) for i in range(width)]


def _formats(headers: Sequence[str], money: Sequence[str]) -> dict[str, str]:
    return {h: POUNDS for h in headers if h in money}


def _sheet(book: Workbook, title: str, headers: Sequence[str], rows: list[list[Any]],
           money: Sequence[str] = ()) -> None:
    add_table_sheet(book, title, headers, rows, number_formats=_formats(headers, money))


def _summary(m: Monitoring, statement: Statement | None) -> list[list[Any]]:
    a, f = m.stored.agreement, m.forecast
    return [
        ["Agreement", a.name], ["Financial year", a.year.label],
        ["Host", f"{a.partner_name(a.host)} ({a.host})"],
        ["Partners", "; ".join(f"{p.name} ({p.code})" for p in a.partners)],
        ["As at", f.as_at_label], ["Budget", _d(f.total("budget"))],
        ["Actual to date", _d(f.total("actual_to_date"))], ["Commitments", _d(f.total("commitments"))],
        ["Outturn (settled)" if statement else "Forecast outturn", _d(f.total("forecast"))],
        ["Variance" if statement else "Forecast variance", _d(f.total("variance"))],
        ["Status", m.stored.status],
        *(["Warning", warning] for warning in f.warnings),  # e.g. a forecast below zero, shared as £0.00
    ]


def _explained(statement: Statement | None) -> str:
    return "how each share was worked out (settled)" if statement else "how each forecast share is worked out"


def _schemes(m: Monitoring) -> list[list[Any]]:
    a = m.stored.agreement
    return [[s.id, s.name, s.client_group, _d(s.budget), _d(s.actual_to_date), _d(s.commitments),
             _d(s.forecast), _d(s.variance), s.basis, describe_rule(scheme.overspend, a),
             describe_rule(scheme.underspend, a)]
            for s, scheme in zip(m.forecast.schemes, a.schemes, strict=True)]


def _partners(table: PartnerTable) -> list[list[Any]]:
    return [[code, name, *map(_d, amounts)] for code, name, amounts in table.rows]


def _monthly(m: Monitoring) -> tuple[list[str], list[list[Any]]]:
    year = m.stored.agreement.year
    months = [FinancialMonth(year, n).label for n in range(1, 13)]
    rows = [[s.id, s.name, *(_d(v) for v in s.monthly), _d(s.actual_to_date)] for s in m.forecast.schemes]
    totals = [Money.sum(s.monthly[i] for s in m.forecast.schemes) for i in range(12)]
    rows.append(["", "Total", *(_d(v) for v in totals), _d(Money.sum(totals))])
    return ["scheme_id", "scheme", *months, "total"], rows


def _by_label(actor: str, organisation: str = "") -> str:
    """Who an actor is when no user names are at hand (a workbook built outside a request)."""
    label = actor_label(actor)
    return f"{label} ({organisation})" if organisation else label


def _variations(found: list[Variation], who: Who, names: Callable[[str], str]) -> list[list[Any]]:
    return [[v.number, v.status, v.description, "; ".join(v.lines),
             "; ".join(f"{d.partner_name}: {d.decision}d by {who(d.by, d.partner_name)} at {d.at:%Y-%m-%d %H:%M} UTC"
                       for d in v.decisions),
             f"{who(v.proposed_by, names(v.proposed_org))} at {v.proposed_at:%Y-%m-%d %H:%M} UTC"] for v in found]


def _settlement_amounts(statement: Statement) -> list[tuple[Money, ...]]:
    return [(p.contribution, p.overspend_share, p.underspend_share, p.final_cost, p.paid, p.balance,
             p.paid_since, p.outstanding) for p in statement.partners]


def _settlement_rows(statement: Statement) -> list[list[Any]]:
    return [[p.code, p.name, *map(_d, amounts), p.owes_words]
            for p, amounts in zip(statement.partners, _settlement_amounts(statement), strict=True)]


SETTLEMENT_HEADERS = ["code", "partner", "contribution", "overspend_share", "underspend_share", "final_cost",
                      "contributions_paid", "owed_at_settlement", "paid_since_settlement", "owes_or_owed_now",
                      "in words"]
MONEY = ("budget", "actual_to_date", "commitments", "forecast_outturn", "variance", "contribution", "paid_to_date",
         "still_to_pay", "forecast_overspend_share", "forecast_underspend_share", "forecast_final_cost",
         "overspend_share", "underspend_share", "final_cost", "contributions_paid", "owed_at_settlement",
         "paid_since_settlement", "owes_or_owed_now", "planned",
         "received_to_date", "outstanding", "contingency_funding", "planned_contribution", "forecast_variance",
         "value", "unpaid_at_year_end")


def monitoring_workbook(m: Monitoring, found: list[Variation], statement: Statement | None,
                        who: Who = _by_label) -> Workbook:
    """The monthly monitoring workbook a pool manager sends to every partner."""
    book = new_workbook()
    _sheet(book, "Summary", ["field", "value"], _summary(m, statement), ["value"])
    _sheet(book, "Schemes", ["scheme_id", "scheme", "client_group", "budget", "actual_to_date", "commitments",
                             "forecast_outturn", "variance", "forecast_basis", "overspend_rule", "underspend_rule"],
           _schemes(m), MONEY)
    partners = partner_table(m, statement)  # the settled view once settled, as the overview page shows
    _sheet(book, "Partners", ["code", "partner", *partners.keys], _partners(partners), [*MONEY, *partners.keys])
    headers, rows = _monthly(m)
    _sheet(book, "Monthly", headers, rows, headers[2:])
    _sheet(book, "Explanation", [_explained(statement)], [[line] for line in m.forecast.outcome.explanation()])
    _sheet(book, "Variations", ["number", "status", "description", "changes", "decisions", "proposed"],
           _variations(found, who, m.stored.agreement.partner_name))
    if statement is not None:
        _sheet(book, "Settlement", SETTLEMENT_HEADERS, _settlement_rows(statement), MONEY)
        _sheet(book, "Settlement explained", ["how each share was worked out"],
               [[line] for line in statement.explanation])
    return book


def position_workbook(m: Monitoring, code: str, statement: Statement | None) -> Workbook:
    """One partner's position, to send to that partner: what it pays, has paid and still owes, and its forecast
    share of each scheme's over- or underspend under the agreed rules (and, once settled, what it owes)."""
    a, f = m.stored.agreement, m.forecast
    partner = next(p for p in f.outcome.partners if p.code == code)
    # once settled, the contribution unpaid at the year end is part of what the partner owes on the settlement
    still = ("Unpaid at the year end (in the settlement)" if statement
             else "Due once every partner accepts" if m.stored.proposed else "Still to pay")
    lines = [
        ["Agreement", a.name], ["Financial year", a.year.label], ["Partner", f"{partner.name} ({code})"],
        ["Host", f"{a.partner_name(a.host)} ({a.host})"], ["As at", f.as_at_label],
        ["Contribution for the year", _d(m.contributions[code])], ["Paid to date", _d(m.paid[code])],
        [still, _d(m.outstanding[code])],
    ]
    if statement is None:
        lines += [["Forecast overspend share", _d(partner.overspend_share)],
                  ["Forecast underspend share", _d(partner.underspend_share)],
                  ["Forecast final cost", _d(partner.final_cost)]]
    lines += [["Status", m.stored.status], *(["Warning", warning] for warning in f.warnings)]
    if statement is not None:  # the settled view: the statement's shares, and what is owed
        settled = next(p for p in statement.partners if p.code == code)
        lines += [["Settled overspend share", _d(settled.overspend_share)],
                  ["Settled underspend share", _d(settled.underspend_share)],
                  ["Settled final cost", _d(settled.final_cost)],
                  ["Owed at settlement (+ owes, - is owed)", _d(settled.balance)],
                  ["of which contribution unpaid", _d(settled.unpaid_contribution)],
                  ["Paid since settlement", _d(settled.paid_since)],
                  ["Owes (+) or is owed (-) now", _d(settled.outstanding)], ["Settlement", settled.owes_words]]
    book = new_workbook()
    _sheet(book, "Position", ["field", "value"], lines, ["value"])
    amounts = [(s.budget, forecast.actual_to_date, forecast.forecast, forecast.variance,
                s.contributions.get(code, Money(0)), s.shares.get(code, Money(0)))
               for s, forecast in zip(f.outcome.schemes, f.schemes, strict=True)]
    rows = [[s.id, s.name, *map(_d, line), describe_rule(scheme.overspend, a), describe_rule(scheme.underspend, a)]
            for s, scheme, line in zip(f.outcome.schemes, a.schemes, amounts, strict=True)]
    fund = f.outcome.contingency
    if fund is not None:  # its funding is part of the contribution; what it does not use goes back
        amounts.append((Money(0), Money(0), Money(0), Money(0), fund.funded.get(code, Money(0)),
                        -fund.returned.get(code, Money(0))))
        rows.append(["", "Contingency", *map(_d, amounts[-1]), "meets overspends first",
                     "unused part returned to its funders"])
    rows.append(["", "Total", *_totals(amounts, 6), "", ""])
    share = "your_settled_share" if statement else "your_forecast_share"
    _sheet(book, "Schemes", ["scheme_id", "scheme", "budget", "actual_to_date",
                             "outturn" if statement else "forecast_outturn", "variance", "your_contribution", share,
                             "overspend_rule", "underspend_rule"], rows,
           [*MONEY, "outturn", "your_contribution", share])
    _sheet(book, "Explanation", [_explained(statement)], [[line] for line in f.outcome.explanation()])
    return book


def statement_workbook(stored: StoredAgreement, statement: Statement, who: Who = _by_label) -> Workbook:
    """The year-end settlement statement to print and sign: each partner's final cost, what it paid and what it
    owes or is owed, how each share was worked out, and a line for each partner's signature (filled in for the
    partners that have signed in carepool)."""
    a = stored.agreement
    lines = statement.partners
    cover = [["Agreement", a.name], ["Financial year", a.year.label], ["Host", f"{a.partner_name(a.host)} ({a.host})"],
             ["Settled", f"{statement.settled_at:%Y-%m-%d %H:%M} UTC by "
                         f"{who(statement.settled_by, a.partner_name(a.host))}"],
             # the check, so a reader sees why final costs and actual spend differ (e.g. an amount left for the board)
             ["Final costs (all partners)", _d(statement.total_final_cost)],
             ["Actual spend", _d(statement.total_actual)],
             ["Carried forward", _d(statement.money("carried_forward"))],
             ["Unallocated (left for the board to decide)", _d(statement.money("unallocated"))],
             ["Check", statement.check_words],
             *([["Note", note]] if (note := statement.unallocated_words) else [])]
    rows = _settlement_rows(statement)
    rows.append(["", "Total", *_totals(_settlement_amounts(statement), 8), ""])
    book = new_workbook()
    _sheet(book, "Statement", ["field", "value"], cover, ["value"])
    _sheet(book, "Settlement", SETTLEMENT_HEADERS, rows, MONEY)
    _sheet(book, "How it was worked out", ["how each share was worked out"], [[line] for line in statement.explanation])
    signed = statement.sign_offs
    _sheet(book, "Signed", ["code", "partner", "signed for the partner by (name)", "role", "signature", "date"],
           [[p.code, p.name, *([signed[p.code].name, signed[p.code].title, "signed in carepool",
                               f"{signed[p.code].signed_at:%Y-%m-%d}"] if p.code in signed else ["", "", "", ""])]
            for p in lines])
    return book


def bcf_return(m: Monitoring, statement: Statement | None) -> Workbook:
    """A Better Care Fund style income and expenditure return: planned against actual."""
    a, f = m.stored.agreement, m.forecast
    book = new_workbook()
    funded = a.contingency.funded if a.contingency else {}
    cover = [["Agreement", a.name], ["Financial year", a.year.label], ["Host", a.partner_name(a.host)],
             ["Period", f"actuals to {f.as_at_label}" if f.as_at else "no actuals yet"],
             ["Status", f"{m.stored.status} (final)" if statement else m.stored.status],
             *(["Warning", warning] for warning in f.warnings)]
    _sheet(book, "Cover", ["field", "value"], cover)
    settled = {p.code: p for p in statement.partners} if statement else {}
    # once settled, a contribution unpaid at the year end is owed through the settlement: say what is owed now
    amounts = [[m.contributions[p.code] - funded.get(p.code, Money(0)), funded.get(p.code, Money(0)),
                m.contributions[p.code], m.paid[p.code], m.outstanding[p.code],
                *([settled[p.code].paid_since, settled[p.code].outstanding] if settled else [])] for p in a.partners]
    income = [[p.code, p.name, *map(_d, line)] for p, line in zip(a.partners, amounts, strict=True)]
    income.append(["", "Total", *_totals(amounts, 7 if settled else 5)])
    _sheet(book, "Income", ["code", "partner", "planned_contribution", "contingency_funding", "planned",
                            "received_to_date", "unpaid_at_year_end" if settled else "outstanding",
                            *(["paid_since_settlement", "owes_or_owed_now"] if settled else [])], income, MONEY)
    final = {s["id"]: Money.from_stored(s["actual"]) for s in statement.data["schemes"]} if statement else {}
    expenditure = [[s.id, s.name, s.client_group, _d(s.budget), _d(s.actual_to_date), _d(s.forecast),
                    _d(s.variance), _d(final[s.id]) if final else ""] for s in f.schemes]
    expenditure.append(["", "Total", "", _d(f.total("budget")), _d(f.total("actual_to_date")),
                        _d(f.total("forecast")), _d(f.total("variance")),
                        _d(Money.sum(final.values())) if final else ""])
    _sheet(book, "Expenditure", ["scheme_id", "scheme", "client_group", "planned", "actual_to_date",
                                 "forecast_outturn", "forecast_variance", "final_outturn"], expenditure,
           [*MONEY, "final_outturn"])
    planned_income = Money.sum(m.contributions.values())
    summary = [["Income planned", _d(planned_income)], ["Income received to date", _d(Money.sum(m.paid.values()))],
               ["Expenditure planned", _d(f.total("budget"))], ["Expenditure to date", _d(f.total("actual_to_date"))],
               ["Expenditure forecast", _d(f.total("forecast"))],
               ["Forecast over (+) or under (-) spend", _d(f.total("variance"))]]
    _sheet(book, "Summary", ["line", "value"], summary, ["value"])
    return book


def register_rows(agreements: Sequence[StoredAgreement]) -> list[dict[str, str]]:
    """One row per agreement for the national register of pooled budgets."""
    rows = []
    for stored in agreements:
        a = stored.agreement
        totals = service.contribution_totals(a)
        groups = sorted({g for g in stored.definition.client_groups.values() if g})
        rows.append({
            "year": a.year.label, "agreement_id": str(stored.id), "agreement": a.name, "host_code": a.host,
            "host_name": a.partner_name(a.host), "partner_count": str(len(a.partners)),
            "partners": "; ".join(p.name for p in a.partners), "partner_codes": "; ".join(a.codes),
            "contributions_by_partner_incl_contingency": "; ".join(f"{p.name}: {totals[p.code].plain()}"
                                                                   for p in a.partners),
            "schemes_budget": Money.sum(s.budget for s in a.schemes).plain(),
            "contingency": a.contingency.amount.plain() if a.contingency else "0.00",
            "total_pooled_incl_contingency": Money.sum(totals.values()).plain(),
            "client_groups": "; ".join(groups), "schemes": "; ".join(s.name for s in a.schemes),
            "status": stored.status,
        })
    return rows


def register_csv(agreements: Sequence[StoredAgreement]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(REGISTER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: inert(value) for key, value in row.items()} for row in register_rows(agreements))
    return out.getvalue()


def _xlsx(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Report:
    filename: str
    media_type: str
    content: bytes


KINDS = ("monitoring", "position", "bcf-return", "register", "settlement", "statement", "ledger", "ledger-csv",
         "ledger-xlsx")


def build(*, uow: UnitOfWork, by: By, agreement_id: int, kind: str, as_at: int | None = None,
          partner: str | None = None) -> Report:
    """One report of an agreement, ready to save or send (``position`` is one ``partner``'s)."""
    if kind not in KINDS:
        raise CarepoolError(f"report: expected one of {', '.join(KINDS)}, got {kind!r}")
    stored = service.get(uow=uow, agreement_id=agreement_id, by=by)
    codes = [p.code for p in stored.agreement.partners]
    code = (partner or "").strip().upper()
    if kind == "position" and code not in codes:
        raise CarepoolError(f"partner: a position is for one partner of {stored.agreement.name} "
                            f"({', '.join(codes)}); got {partner!r}")
    stem = f"pool-{stored.id}-{stored.agreement.year.label.replace('/', '-')}"
    if kind == "register":
        return Report(f"{stem}-register.csv", "text/csv", register_csv([stored]).encode("utf-8"))
    if kind == "ledger":
        text = service.ledger_export(uow=uow, by=by, agreement_id=agreement_id)
        return Report(f"{stem}.beancount", "text/plain", text.encode("utf-8"))
    if kind in ("ledger-csv", "ledger-xlsx"):
        lines = ledger_files.posting_lines(uow=uow, stored=stored)
        if kind == "ledger-csv":
            return Report(f"{stem}-ledger.csv", "text/csv", ledger_files.postings_csv(lines).encode("utf-8"))
        return Report(f"{stem}-ledger.xlsx", XLSX, _xlsx(ledger_files.postings_workbook(stored, lines)))
    statement = yearend.statement(uow=uow, stored=stored)
    found = variations.list_variations(uow=uow, stored=stored) if kind == "monitoring" else []
    actors = [v.proposed_by for v in found] + [d.by for v in found for d in v.decisions]
    who = namer(uow=uow, actors=actors + ([statement.settled_by] if statement else []))
    if kind in ("settlement", "statement"):
        if statement is None:
            raise not_found(f"a settlement of agreement {agreement_id} (the year has not been settled yet)")
        if kind == "statement":
            return Report(f"{stem}-settlement-statement.xlsx", XLSX, _xlsx(statement_workbook(stored, statement, who)))
        body = json.dumps(statement.to_json(), indent=2, ensure_ascii=False)
        return Report(f"{stem}-settlement.json", "application/json", body.encode("utf-8"))
    m = monitoring.monitor(uow=uow, by=by, agreement_id=agreement_id, as_at=as_at)
    if kind == "monitoring":
        return Report(f"{stem}-monitoring.xlsx", XLSX, _xlsx(monitoring_workbook(m, found, statement, who)))
    if kind == "position":
        return Report(f"{stem}-position-{code}.xlsx", XLSX, _xlsx(position_workbook(m, code, statement)))
    return Report(f"{stem}-bcf-return.xlsx", XLSX, _xlsx(bcf_return(m, statement)))


def public_register_csv(*, uow: UnitOfWork) -> str:
    """The register entries of every agreement its partners have all accepted, for anyone: who pools how much, for
    which client groups (the facts councils publish in the national register of pooled budgets; no monitoring, no
    ledger). A proposed or declined agreement binds nobody yet, so it is not published."""
    return register_csv(service.list_agreements(uow=uow, by=service.Operator("public register"),
                                                statuses=service.AGREED))
