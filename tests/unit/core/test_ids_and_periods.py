from datetime import date

import pytest

from carepool.core.errors import CarepoolError
from carepool.core.ids import gss_code, ods_code, provider_code
from carepool.core.periods import FinancialMonth, FinancialYear


@pytest.mark.parametrize("code", ["E09000005", "E06000019", "e10000034", "E07000223", "E08000025"])
def test_council_gss_codes(code: str) -> None:
    assert gss_code(code) == code.upper()


@pytest.mark.parametrize("code", ["E05000005", "E0900005", "W06000001", "E090000051", ""])
def test_not_council_gss_codes(code: str) -> None:
    with pytest.raises(CarepoolError, match="GSS"):
        gss_code(code)


@pytest.mark.parametrize("code", ["QRV", "qgh", "RYJ", "A81001", "U10501", "08E"])
def test_ods_codes(code: str) -> None:
    assert ods_code(code) == code.upper()


@pytest.mark.parametrize("code", ["QR", "1234", "TOOLONG1", "Q-RV"])
def test_not_ods_codes(code: str) -> None:
    with pytest.raises(CarepoolError, match="ODS"):
        ods_code(code)


def test_provider_codes_take_ods_or_cqc() -> None:
    assert provider_code("1-101234567") == "1-101234567"
    assert provider_code("rxh") == "RXH"
    with pytest.raises(CarepoolError):
        provider_code("1-12")


def test_financial_year() -> None:
    year = FinancialYear.parse("2024/25")
    assert year == FinancialYear.parse("2024-2025")
    assert year.first_day == date(2024, 4, 1)
    assert year.last_day == date(2025, 3, 31)
    assert str(year) == "2024/25"
    assert FinancialYear.containing(date(2025, 3, 31)) == year
    assert FinancialYear.containing(date(2025, 4, 1)) == FinancialYear(2025)
    assert FinancialYear.parse("1999/00").start == 1999


@pytest.mark.parametrize("bad", ["2024/26", "2024", "24/25", "twenty"])
def test_bad_financial_years(bad: str) -> None:
    with pytest.raises(CarepoolError, match="financial year"):
        FinancialYear.parse(bad)


def test_financial_months() -> None:
    months = FinancialYear(2024).months()
    assert [m.label for m in months[:1] + months[-1:]] == ["Apr 2024", "Mar 2025"]
    assert FinancialMonth.containing(date(2025, 1, 15)) == FinancialMonth(FinancialYear(2024), 10)
    assert months[9].first_day == date(2025, 1, 1)
    with pytest.raises(CarepoolError):
        FinancialMonth(FinancialYear(2024), 13)
