"""Half-years (半年) and the June/December submission: 004 三(五), 二(三).

004 三(五) (加强对象动态管理): "各镇街要对特殊困难老年人根据走访巡查情况即时更新，
每年6月和12月将更新后的台账、《渝北区特殊困难老年人信息登记表》（附件2）、《渝北区特殊困难老年人探访关爱服务记录表》（附件3）
报送至区民政局。" Each town sends the district, every June and December, the updated ledger and the
forms of the half-year: the first half-year (H1) runs 1 January – 30 June and closes on 30 June,
the second (H2) 1 July – 31 December and closes on 31 December. The submission falls due in the
closing month: it may be sent from the first day of June (December) and is due by the closing day.

004 二(三): the registration (附件2) is "每半年动态更新一次", so the same half-year is the
unit in which a registration is reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FIRST, SECOND = 1, 2


@dataclass(frozen=True, order=True)
class HalfYear:
    """One half-year: ``half`` 1 (1 Jan – 30 Jun) or 2 (1 Jul – 31 Dec) of ``year``."""

    year: int
    half: int

    def __post_init__(self) -> None:
        if self.half not in (FIRST, SECOND):
            raise ValueError(f"half must be 1 or 2, not {self.half!r}")

    @property
    def starts_on(self) -> date:
        return date(self.year, 1 if self.half == FIRST else 7, 1)

    @property
    def closes_on(self) -> date:
        """The closing date: 30 June or 31 December (inclusive last day)."""
        return date(self.year, 6, 30) if self.half == FIRST else date(self.year, 12, 31)

    @property
    def opens_for_submission_on(self) -> date:
        """First day the package may be sent: 1 June or 1 December (每年6月和12月)."""
        return date(self.year, 6 if self.half == FIRST else 12, 1)

    @property
    def due_on(self) -> date:
        """The submission is due by the closing day."""
        return self.closes_on

    @property
    def key(self) -> str:
        """``2026H1``: how the period is written in URLs and file names."""
        return f"{self.year}H{self.half}"

    def previous(self) -> HalfYear:
        return (
            HalfYear(self.year, FIRST) if self.half == SECOND else HalfYear(self.year - 1, SECOND)
        )

    def next(self) -> HalfYear:
        return HalfYear(self.year, SECOND) if self.half == FIRST else HalfYear(self.year + 1, FIRST)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.closes_on

    def covered_until(self, today: date) -> date:
        """Last day a package built on ``today`` can cover: the closing day, or today if earlier."""
        return min(self.closes_on, today)

    def may_submit(self, today: date) -> bool:
        """Whether the package may be marked submitted on ``today`` (from 1 June / 1 December)."""
        return today >= self.opens_for_submission_on

    def is_overdue(self, today: date, submitted: bool) -> bool:
        """Not submitted and the closing day has passed."""
        return not submitted and today > self.due_on


def half_year_of(day: date) -> HalfYear:
    """The half-year ``day`` falls in (30 June is H1, 1 July is H2)."""
    return HalfYear(day.year, FIRST if day.month <= 6 else SECOND)


def parse_half_year(text: str) -> HalfYear | None:
    """``2026H1`` → HalfYear(2026, 1); anything else → None."""
    year, separator, half = text.upper().partition("H")
    if not separator or not year.isdigit() or half not in ("1", "2") or len(year) != 4:
        return None
    return HalfYear(int(year), int(half))


def recent_half_years(today: date, count: int) -> list[HalfYear]:
    """The half-year of ``today`` and the ``count - 1`` before it, newest first."""
    periods = [half_year_of(today)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods
