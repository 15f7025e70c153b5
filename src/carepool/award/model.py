"""The award problem and its result as frozen dataclasses, and the one way in from a dict.

``parse_problem`` turns the JSON-shaped input of ``carepool tender award`` into an
``AwardProblem``; every mistake is one ``CarepoolError`` line naming the lot, provider
or bid and the field. Money is ``Money`` (never float); quantities, quality and
rule fractions are exact ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.core.money import LARGEST_QUANTITY, Money, refuse_beyond

QUANTUM = Decimal("0.01")  # quantities are stated and reported to 1/100 of a unit


class Objective(StrEnum):
    COST = "cost"  # cheapest plan in real money
    VALUE = "value"  # price weighted up for lower quality ("most economically advantageous")


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven within a relative gap of 1e-6
    FEASIBLE = "feasible"  # meets every rule; not proven optimal (see gap)
    INFEASIBLE = "infeasible"


class JsonDecimal(Decimal):
    """A JSON number with a decimal point, read exactly (``json.loads(parse_float=...)``).

    It is accepted for quantities, quality and rule fractions but refused for money,
    where a number like ``19.8`` reads as a float in most other tools.
    """

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Lot:
    id: str
    name: str
    quantity: Decimal
    unit: str = "unit"
    max_providers: int = 1
    baseline_price: Money | None = None


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    sme: bool = False
    capacity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    provider: str
    lot: str
    price: Money  # per unit of the lot
    quality: Decimal = Decimal(0)  # 0..100
    max_quantity: Decimal | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.lot}"


@dataclass(frozen=True, slots=True)
class Package:
    """A conditional discount: ``discount`` off the provider's value on ``lots`` if it wins all."""

    provider: str
    lots: tuple[str, ...]
    discount: Decimal


@dataclass(frozen=True, slots=True)
class Rules:
    objective: Objective = Objective.COST
    quality_weight: Decimal = Decimal(0)
    min_quality: Decimal | None = None
    max_share: Decimal | None = None
    min_sme_share: Decimal | None = None
    min_award_fraction: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class AwardProblem:
    tender: str
    lots: tuple[Lot, ...]
    providers: tuple[Provider, ...]
    bids: tuple[Bid, ...]
    rules: Rules = Rules()
    packages: tuple[Package, ...] = ()
    currency: str = "GBP"

    def eligible(self, bid: Bid) -> bool:
        floor = self.rules.min_quality
        return floor is None or bid.quality >= floor


@dataclass(frozen=True, slots=True)
class Award:
    provider: str
    lot: str
    quantity: Decimal
    price: Money
    cost: Money  # price x quantity, rounded half-up to the penny


@dataclass(frozen=True, slots=True)
class PackageAward:
    provider: str
    lots: tuple[str, ...]
    discount: Decimal
    amount: Money  # taken off the provider's value on those lots


@dataclass(frozen=True, slots=True)
class AwardResult:
    status: Status
    total_cost: Money
    objective: Money
    gap: float | None
    baseline_cost: Money | None
    savings: Money | None
    savings_pct: Decimal | None
    awards: tuple[Award, ...]
    provider_shares: dict[str, Decimal]
    hhi: Decimal
    sme_share: Decimal
    seconds: float
    solver: str = "highs"
    heuristic_cost: Money | None = None
    bound: float | None = None
    packages: tuple[PackageAward, ...] = ()


# --- parsing ---------------------------------------------------------------------------


def _fail(where: str, message: str) -> CarepoolError:
    return CarepoolError(f"{where}: {message}")


def _get(item: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in item or item[key] is None:
        raise _fail(where, f'missing field "{key}"')
    return item[key]


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f'"{key}" must be non-empty text, got {value!r}')
    return value.strip()


def _number(value: Any, where: str, key: str) -> Decimal:
    """An exact number: int, Decimal, text, or a float read through its shortest repr."""
    if isinstance(value, bool):
        raise _fail(where, f'"{key}" must be a number, got {value!r}')
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | Decimal | str):
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            raise _fail(where, f'"{key}" must be a number, got {value!r}') from None
        if result.is_finite():
            return result
    raise _fail(where, f'"{key}" must be a number, got {value!r}')


def _fraction(value: Any, where: str, key: str, *, allow_zero: bool = True) -> Decimal:
    result = _number(value, where, key)
    if result > 1 or result < 0 or (result == 0 and not allow_zero):
        bounds = "between 0 and 1" if allow_zero else "above 0 and at most 1"
        raise _fail(where, f'"{key}" must be a fraction {bounds}, got {value}')
    return result


def _money(value: Any, where: str, key: str) -> Money:
    if isinstance(value, float | JsonDecimal):
        raise _fail(
            where, f'"{key}" {value} is a bare number; give money as text like "{Decimal(str(value)):.2f}"'
        )
    try:
        amount = Money.parse(value, what=f'"{key}"')
    except CarepoolError as error:
        raise _fail(where, str(error)) from None
    if amount.pence < 0:
        raise _fail(where, f'"{key}" must not be negative, got {value}')
    return amount


def _positive(value: Any, where: str, key: str, *, zero_ok: bool = False) -> Decimal:
    result = _number(value, where, key)
    if result < 0 or (result == 0 and not zero_ok):
        raise _fail(where, f'"{key}" must be {"zero or more" if zero_ok else "positive"}, got {value}')
    try:
        refuse_beyond(result, LARGEST_QUANTITY, what=f'"{key}"', given=value)
    except CarepoolError as error:
        raise _fail(where, str(error)) from None
    return result


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise CarepoolError(f'input: "{key}" must be a non-empty list')
    for n, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise CarepoolError(f"{key} #{n}: expected an object, got {item!r}")
    return items


def _lot(item: Mapping[str, Any], n: int) -> Lot:
    where = f"lot #{n}"
    lot_id = _text(_get(item, "id", where), where, "id")
    where = f"lot {lot_id}"
    quantity = _positive(_get(item, "quantity", where), where, "quantity")
    if quantity != quantity.quantize(QUANTUM):
        raise _fail(where, f'"quantity" {quantity} has more than 2 decimals')
    max_providers = item.get("max_providers", 1)
    if isinstance(max_providers, bool) or not isinstance(max_providers, int) or max_providers < 1:
        raise _fail(where, f'"max_providers" must be a whole number of at least 1, got {max_providers!r}')
    baseline = item.get("baseline_price")
    return Lot(
        id=lot_id,
        name=str(item.get("name") or lot_id),
        quantity=quantity,
        unit=str(item.get("unit") or "unit"),
        max_providers=max_providers,
        baseline_price=None if baseline is None else _money(baseline, where, "baseline_price"),
    )


def _provider(item: Mapping[str, Any], n: int) -> Provider:
    where = f"provider #{n}"
    provider_id = _text(_get(item, "id", where), where, "id")
    where = f"provider {provider_id}"
    sme = item.get("sme", False)
    if not isinstance(sme, bool):
        raise _fail(where, f'"sme" must be true or false, got {sme!r}')
    capacity = item.get("capacity")
    return Provider(
        id=provider_id,
        name=str(item.get("name") or provider_id),
        sme=sme,
        capacity=None if capacity is None else _positive(capacity, where, "capacity", zero_ok=True),
    )


def _bid(item: Mapping[str, Any], n: int, lots: set[str], providers: set[str]) -> Bid:
    where = f"bid #{n}"
    provider = _text(_get(item, "provider", where), where, "provider")
    lot = _text(_get(item, "lot", where), where, "lot")
    where = f"bid #{n} ({provider} on {lot})"
    if provider not in providers:
        raise _fail(where, f'unknown provider "{provider}"')
    if lot not in lots:
        raise _fail(where, f'unknown lot "{lot}"')
    quality = _number(item.get("quality", 0), where, "quality")
    if not 0 <= quality <= 100:
        raise _fail(where, f'"quality" must be between 0 and 100, got {quality}')
    max_quantity = item.get("max_quantity")
    return Bid(
        provider=provider,
        lot=lot,
        price=_money(_get(item, "price", where), where, "price"),
        quality=quality,
        max_quantity=None if max_quantity is None else _positive(max_quantity, where, "max_quantity"),
    )


def _rules(data: Any) -> Rules:
    where = "rules"
    if data is None:
        return Rules()
    if not isinstance(data, Mapping):
        raise _fail(where, f"expected an object, got {data!r}")
    known = {"objective", "quality_weight", "min_quality", "max_share", "min_sme_share", "min_award_fraction"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise _fail(where, f'unknown rule "{unknown[0]}" (known: {", ".join(sorted(known))})')
    try:
        objective = Objective(data.get("objective", "cost"))
    except ValueError:
        raise _fail(where, f'"objective" must be "cost" or "value", got {data.get("objective")!r}') from None

    def optional(key: str, *, allow_zero: bool = True) -> Decimal | None:
        value = data.get(key)
        return None if value is None else _fraction(value, where, key, allow_zero=allow_zero)

    min_quality = data.get("min_quality")
    weight = _positive(data.get("quality_weight", 0), where, "quality_weight", zero_ok=True)
    return Rules(
        objective=objective,
        quality_weight=weight,
        min_quality=None if min_quality is None else _number(min_quality, where, "min_quality"),
        max_share=optional("max_share", allow_zero=False),
        min_sme_share=optional("min_sme_share"),
        min_award_fraction=optional("min_award_fraction") or Decimal(0),
    )


def _packages(data: Any, lots: set[str], providers: set[str]) -> tuple[Package, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise CarepoolError(f'input: "packages" must be a list, got {data!r}')
    packages = []
    for n, item in enumerate(data, 1):
        where = f"package #{n}"
        if not isinstance(item, Mapping):
            raise _fail(where, f"expected an object, got {item!r}")
        provider = _text(_get(item, "provider", where), where, "provider")
        if provider not in providers:
            raise _fail(where, f'unknown provider "{provider}"')
        names = _get(item, "lots", where)
        if not isinstance(names, list) or len(names) < 2:
            raise _fail(where, '"lots" must list at least two lot ids')
        for name in names:
            if name not in lots:
                raise _fail(where, f'unknown lot "{name}"')
        discount = _fraction(_get(item, "discount", where), where, "discount", allow_zero=False)
        packages.append(Package(provider, tuple(dict.fromkeys(names)), discount))
    return tuple(packages)


def _unique(ids: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise CarepoolError(f'{what} "{item}" appears twice')
        seen.add(item)
    return seen


def parse_problem(data: Any) -> AwardProblem:
    """Read the award input (a dict shaped like the JSON contract) or raise one clear error."""
    if not isinstance(data, Mapping):
        raise CarepoolError("input: expected a JSON object with lots, providers, bids and rules")
    currency = data.get("currency", "GBP")
    if currency != "GBP":
        raise CarepoolError(f'input: currency {currency!r} is not supported; carepool works in "GBP"')
    lots = tuple(_lot(item, n) for n, item in enumerate(_items(data, "lots"), 1))
    providers = tuple(_provider(item, n) for n, item in enumerate(_items(data, "providers"), 1))
    lot_ids = _unique([lot.id for lot in lots], "lot")
    provider_ids = _unique([p.id for p in providers], "provider")
    bids = tuple(_bid(item, n, lot_ids, provider_ids) for n, item in enumerate(_items(data, "bids"), 1))
    _unique([bid.key for bid in bids], "bid")
    return AwardProblem(
        tender=str(data.get("tender") or "tender"),
        lots=lots,
        providers=providers,
        bids=bids,
        rules=_rules(data.get("rules")),
        packages=_packages(data.get("packages"), lot_ids, provider_ids),
        currency="GBP",
    )
