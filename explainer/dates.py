"""Dates as precise as the sources give them, and their display in the explainer's style."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime

_PARTIAL = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})")

# AP style, as EDITORIAL.md asks: "Oct. 23", "June 19"; months alone are spelled out.
_AP_MONTHS = ("", "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        """The date as written: YYYY, YYYY-MM or YYYY-MM-DD."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.display()

    def display(self) -> str:
        """'June 19, 2024', 'October 2024' or '2024': never more precise than known."""
        if self.day:
            return f"{_AP_MONTHS[self.month]} {self.day}, {self.year}"
        if self.month:
            return f"{_MONTHS[self.month]} {self.year}"
        return str(self.year)


def parse_partial(text: str) -> PartialDate | None:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; None if malformed or impossible."""
    match = _PARTIAL.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    if match.group(2) and not 1 <= month <= 12:
        return None
    if match.group(3) and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    if year < 1:
        return None
    return PartialDate(year, month, day)


def parse_time(text: str) -> str | None:
    """Validate HH:MM with a UTC offset ('02:22+09:00', '14:00Z')."""
    return text if _TIME.fullmatch(text) else None


def parse_datetime(text: str) -> datetime | None:
    """Parse an ISO 8601 date-time that carries a UTC offset."""
    if not _DATETIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def display_range(start: PartialDate, end: PartialDate | None) -> str:
    """'Oct. 8–13, 2024', 'Oct. 28–Nov. 2, 2024', 'June–August 2024'."""
    if end is None or end == start:
        return start.display()
    if start.precision == end.precision == "day":
        if start.year == end.year and start.month == end.month:
            return f"{_AP_MONTHS[start.month]} {start.day}–{end.day}, {start.year}"
        if start.year == end.year:
            return f"{_AP_MONTHS[start.month]} {start.day}–{_AP_MONTHS[end.month]} {end.day}, {start.year}"
    if start.precision == end.precision == "month" and start.year == end.year:
        return f"{_MONTHS[start.month]}–{_MONTHS[end.month]} {start.year}"
    return f"{start.display()} – {end.display()}"


def display_time(time: str) -> str:
    """'02:22 (UTC+09:00)'."""
    clock, offset = time[:5], time[5:]
    return f"{clock} (UTC{'' if offset == 'Z' else offset})"


def display_datetime(moment: datetime) -> str:
    """'Dec. 16, 2024, 09:00 UTC' for the updates log, in the time zone the writer gave."""
    offset = moment.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"{_AP_MONTHS[moment.month]} {moment.day}, {moment.year}, {moment:%H:%M} {zone}"
