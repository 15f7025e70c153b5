"""The rules an agreement must meet before it is settled.

Each rule is a pure function returning the issues it finds (beancount style);
``validate`` runs them all so a person sees everything wrong at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from carepool.core.errors import CarepoolError, Problem
from carepool.core.ids import is_gss_council, is_ods
from carepool.core.money import Money
from carepool.pooled_budget.model import Agreement, Capped, FixedShares, Lead, Scheme


@dataclass(frozen=True)
class Issue:
    """One thing wrong with an agreement, named by scheme and field path."""

    message: str
    scheme: str | None = None
    field: str | None = None
    about: str = "value"  # "code" when the partner code itself is wrong, not the value beside it

    def __str__(self) -> str:
        where = []
        if self.scheme is not None:
            where.append(f"scheme {self.scheme}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


def error_from(issues: list[Issue] | list[Problem], what: str = "") -> CarepoolError:
    """One error whose first line names the first issue; any others are listed below it."""
    first, rest = issues[0], issues[1:]
    message = f"{what}{first}"
    if rest:
        message += f" (and {len(rest)} more below)"
    return CarepoolError(message, problems=[Problem(f"{what}{issue}") for issue in rest])


def format_share(value: Decimal) -> str:
    """``Decimal("0.90")`` → ``"0.9"``; never scientific notation."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


def _known(agreement: Agreement, codes: Iterable[str], scheme: str | None, path: str) -> list[Issue]:
    partners = agreement.codes
    return [
        Issue(f"{code} is not a partner of this agreement (partners: {', '.join(partners)})", scheme,
              f"{path}.{code}", about="code")
        for code in codes
        if code not in partners
    ]


def _not_negative(amounts: Mapping[str, Money], scheme: str | None, path: str, what: str) -> list[Issue]:
    return [
        Issue(f"{what} must not be negative, got {amount.plain()}", scheme, f"{path}.{code}")
        for code, amount in amounts.items()
        if amount.is_negative()
    ]


def check_partners(agreement: Agreement) -> list[Issue]:
    issues = []
    if len(agreement.partners) < 2:
        issues.append(Issue("a pooled budget needs at least two partners", None, "partners"))
    for index, partner in enumerate(agreement.partners):
        if not (is_gss_council(partner.code) or is_ods(partner.code)):
            issues.append(Issue(
                f"{partner.code!r} is neither a council GSS code (e.g. E06000019) "
                "nor an NHS ODS code (e.g. QGH)", None, f"partners[{index}].code"))
        if not partner.name.strip():
            issues.append(Issue("every partner needs a name", None, f"partners[{index}].name"))
    for code, count in Counter(agreement.codes).items():
        if count > 1:
            issues.append(Issue(f"partner {code} is listed {count} times", None, "partners"))
    return issues


def check_host(agreement: Agreement) -> list[Issue]:
    if agreement.host in agreement.codes:
        return []
    return [Issue(f"the host {agreement.host} is not a partner of this agreement "
                  f"(partners: {', '.join(agreement.codes)})", None, "host")]


def check_contingency(agreement: Agreement) -> list[Issue]:
    contingency = agreement.contingency
    if contingency is None:
        return []
    issues = _known(agreement, contingency.funded, None, "contingency.funded")
    issues += _not_negative(contingency.funded, None, "contingency.funded", "contingency funding")
    if contingency.amount.is_negative():
        issues.append(Issue(f"the contingency must not be negative, got {contingency.amount.plain()}",
                            None, "contingency.amount"))
    funded = Money.sum(contingency.funded.values())
    if funded != contingency.amount:
        issues.append(Issue(f"contingency funding adds up to {funded.plain()}, "
                            f"but the contingency amount is {contingency.amount.plain()}",
                            None, "contingency.funded"))
    return issues


def check_scheme_ids(agreement: Agreement) -> list[Issue]:
    if not agreement.schemes:
        return [Issue("the agreement needs at least one scheme", None, "schemes")]
    issues = [Issue("every scheme needs an id", scheme.id, "id")
              for scheme in agreement.schemes if not scheme.id.strip()]
    for scheme_id, count in Counter(s.id for s in agreement.schemes).items():
        if count > 1:
            issues.append(Issue(f"the scheme id is used {count} times; ids must be unique", scheme_id, "id"))
    return issues


def check_money(agreement: Agreement, scheme: Scheme) -> list[Issue]:
    issues = _known(agreement, scheme.contributions, scheme.id, "contributions")
    issues += _not_negative(scheme.contributions, scheme.id, "contributions", "a contribution")
    if scheme.actual.is_negative():
        issues.append(Issue(f"actual spend must not be negative, got {scheme.actual.plain()}",
                            scheme.id, "actual"))
    if not issues and not scheme.budget:
        issues.append(Issue("the scheme's budget is 0: at least one partner must contribute",
                            scheme.id, "contributions"))
    return issues


def _check_shares(agreement: Agreement, rule: FixedShares, scheme: str, path: str) -> list[Issue]:
    issues = _known(agreement, rule.shares, scheme, path)
    issues += [Issue(f"a share must not be negative, got {format_share(share)}", scheme, f"{path}.{code}")
               for code, share in rule.shares.items() if share < 0]
    total = sum(rule.shares.values(), Decimal(0))
    if total != 1:
        issues.append(Issue(f"shares add up to {format_share(total)}, expected exactly 1", scheme, path))
    return issues


def check_rules(agreement: Agreement, scheme: Scheme) -> list[Issue]:
    issues: list[Issue] = []
    for side, rule in (("overspend", scheme.overspend), ("underspend", scheme.underspend)):
        if isinstance(rule, FixedShares):
            issues += _check_shares(agreement, rule, scheme.id, f"{side}.shares")
        elif isinstance(rule, Lead) and rule.partner not in agreement.codes:
            issues.append(Issue(f"the lead partner {rule.partner} is not a partner of this agreement "
                                f"(partners: {', '.join(agreement.codes)})", scheme.id, f"{side}.partner"))
        elif isinstance(rule, Capped):
            if isinstance(rule.base, FixedShares):
                issues += _check_shares(agreement, rule.base, scheme.id, f"{side}.base.shares")
            issues += _known(agreement, rule.caps, scheme.id, f"{side}.caps")
            issues += _not_negative(rule.caps, scheme.id, f"{side}.caps", "a cap")
    return issues


SchemeRule = Callable[[Agreement, Scheme], list[Issue]]
AGREEMENT_RULES: tuple[Callable[[Agreement], list[Issue]], ...] = (
    check_partners, check_host, check_contingency, check_scheme_ids,
)
SCHEME_RULES: tuple[SchemeRule, ...] = (check_money, check_rules)


def validate(agreement: Agreement) -> list[Issue]:
    """Every issue with the agreement, in the order a person would fix them."""
    issues = [issue for rule in AGREEMENT_RULES for issue in rule(agreement)]
    for scheme in agreement.schemes:
        issues += [issue for rule in SCHEME_RULES for issue in rule(agreement, scheme)]
    return issues


def ensure_valid(agreement: Agreement) -> None:
    issues = validate(agreement)
    if issues:
        raise error_from(issues)
