"""A tender's award rules: read from a form or JSON (every problem at once, by the form's labels and the API's
keys), described in words, and handed to the award engine."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.procurement.model import quantity


def as_stated(value: Decimal) -> str:
    """A rule's number as people write it: 60, 0.3, 12.5 (no trailing zeros)."""
    return f"{value.normalize():f}"


def as_percent(fraction: Decimal) -> str:
    """A rule's fraction as the tender states it: 30%, 12.5%."""
    return f"{as_stated(fraction * 100)}%"


RULE_LABELS = {
    "max_share": "Largest share of the total value one provider may win (fraction, e.g. 0.30 or 30%)",
    "min_sme_share": "Least small and medium providers must win (fraction of total value, e.g. 0.25 or 25%)",
    "min_quality": "Quality floor (score 0-100)",
    "quality_weight": "Quality weight (0: lowest price wins)",
    "min_award_fraction": "Smallest part of a lot a provider may be given (fraction, e.g. 0.2 or 20%)",
    "max_providers": "Most providers per lot",
}
RULE_NAMES = {  # the rules an award can be run without, to cost them, in a few words
    "max_share": "cap on any one provider's share",
    "min_sme_share": "floor for small and medium providers",
    "min_quality": "quality floor",
    "min_award_fraction": "minimum part of a lot",
}


RULE_TITLES = {  # each rule as the tender form labels it, for messages
    "max_share": "Largest share one provider may win",
    "min_sme_share": "Least share small and medium providers must win",
    "min_quality": "Quality floor",
    "quality_weight": "Quality weight",
    "min_award_fraction": "Smallest part of a lot",
    "max_providers": "Most providers per lot",
}


_PROVIDERS_PER_LOT = re.compile(r"\d{1,3}", re.ASCII)  # not str.isdigit(), which takes "1²"; no lot has 1,000


def _score(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    score = quantity(value, what="min_quality", zero_ok=True)
    if score > 100:
        raise CarepoolError(f"must be a score from 0 to 100, got {score}")
    return score


def _whole(value: Any) -> int:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not _PROVIDERS_PER_LOT.fullmatch(text) or int(text) < 1:
        raise CarepoolError(f"must be a whole number from 1 to 999, got {value!r}")
    return int(text)


def _fraction(data: dict[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool | float):
        value = repr(value)
    text = str(value).strip()
    try:
        number = Decimal(text[:-1].strip()) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise CarepoolError(f"must be a fraction like 0.3 (or 30%), got {value!r}") from None
    if not number.is_finite() or not Decimal(0) <= number <= 1:
        raise CarepoolError(f"must be a fraction between 0 and 1 (e.g. 0.3 or 30%), got {value}")
    return number


@dataclass(frozen=True)
class AwardRules:
    max_share: Decimal | None = None  # no provider wins more than this share of total value
    min_sme_share: Decimal | None = None  # small and medium providers win at least this share
    min_quality: Decimal | None = None  # bids scoring below this (0-100) are excluded
    quality_weight: Decimal = Decimal(0)  # 0 = cheapest; above 0 weighs price up for low quality
    min_award_fraction: Decimal = Decimal(0)  # a provider given part of a lot gets at least this fraction
    max_providers: int = 1  # per lot

    @classmethod
    def parse(cls, data: dict[str, Any]) -> AwardRules:
        """The rules from a form or JSON; every problem at once, each naming the rule as the form labels it and
        by its key (``min_quality``), as the API sends it."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise CarepoolError(f"unknown award rule {unknown[0]!r}; known: {', '.join(cls.__dataclass_fields__)}")
        problems: list[str] = []

        def read(key: str, parse: Callable[[], Any], default: Any = None) -> Any:
            try:
                return parse()
            except CarepoolError as error:
                problems.append(f"{RULE_TITLES[key]} ({key}): {error.message.removeprefix(f'{key}: ')}")
                return default

        rules = cls(
            max_share=read("max_share", lambda: _fraction(data, "max_share")),
            min_sme_share=read("min_sme_share", lambda: _fraction(data, "min_sme_share")),
            min_quality=read("min_quality", lambda: _score(data.get("min_quality"))),
            quality_weight=read("quality_weight", lambda: quantity(data.get("quality_weight") or 0,
                                                                   what="quality_weight", zero_ok=True), Decimal(0)),
            min_award_fraction=read("min_award_fraction", lambda: _fraction(data, "min_award_fraction"))
            or Decimal(0),
            max_providers=read("max_providers", lambda: _whole(data.get("max_providers", 1)), 1),
        )
        if problems:
            raise CarepoolError("The award rules need correcting:\n" + "\n".join(f"  {p}" for p in problems))
        return rules

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "max_share": None if self.max_share is None else str(self.max_share),
            "min_sme_share": None if self.min_sme_share is None else str(self.min_sme_share),
            "min_quality": None if self.min_quality is None else str(self.min_quality),
            "quality_weight": str(self.quality_weight),
            "min_award_fraction": str(self.min_award_fraction),
            "max_providers": self.max_providers,
        }

    def engine_rules(self, *, without: frozenset[str] = frozenset()) -> dict[str, str]:
        """The rules in the award engine's input shape, leaving out the named ones."""
        rules: dict[str, str] = {"objective": "value" if self.quality_weight > 0 else "cost",
                                 "quality_weight": str(self.quality_weight)}
        for name in ("max_share", "min_sme_share", "min_quality", "min_award_fraction"):
            value = getattr(self, name)
            if name not in without and value is not None and not (name == "min_award_fraction" and value == 0):
                rules[name] = str(value)
        return rules

    def describe(self) -> str:
        parts = []
        if self.max_share is not None:
            parts.append(f"no provider above {as_percent(self.max_share)} of total value")
        if self.min_sme_share is not None:
            parts.append(f"at least {as_percent(self.min_sme_share)} to small and medium providers")
        if self.min_quality is not None:
            parts.append(f"quality score at least {as_stated(self.min_quality)}")
        weight = self.quality_weight
        parts.append("lowest price" if weight == 0 else f"price weighted for quality (weight {as_stated(weight)})")
        if self.min_award_fraction:
            parts.append(f"a provider given part of a lot gets at least {as_percent(self.min_award_fraction)} of it")
        parts.append(f"up to {self.max_providers} provider{'s' if self.max_providers > 1 else ''} per lot")
        return "; ".join(parts)


def unmeetable(rules: AwardRules, lot_count: int) -> str | None:
    """Why no award of ``lot_count`` lots could keep the cap on one provider's share, whatever is bid: each winner
    holds at most ``max_share`` of the value, so it takes at least 1 / max_share winners, and the lots allow at
    most ``max_providers`` each (fewer when the smallest part of a lot leaves room for fewer). None: it could."""
    if rules.max_share is None or rules.max_share >= 1 or lot_count == 0:
        return None
    per_lot = rules.max_providers
    if rules.min_award_fraction > 0:
        per_lot = min(per_lot, int(1 / rules.min_award_fraction))
    needed = math.ceil(1 / rules.max_share)
    if needed <= lot_count * per_lot:
        return None
    why = (f" (no more than {per_lot}, each with at least {as_percent(rules.min_award_fraction)} of it)"
           if per_lot < rules.max_providers else "")
    return (f"no award can keep the cap of {as_percent(rules.max_share)} on any one provider's share: it needs at "
            f"least {needed} winners, but {lot_count} lot{'s' if lot_count != 1 else ''} of at most {per_lot} "
            f"provider{'s' if per_lot != 1 else ''} each{why} allow{'s' if lot_count == 1 else ''} "
            f"{lot_count * per_lot}; raise the cap, allow more providers per lot, or add lots")
