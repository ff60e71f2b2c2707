"""The real moment a hospital's wall-clock time names, across daylight-saving changes.

Slots are kept and compared as real (UTC) moments. A wall-clock time that a clock change
skips names no moment, and one it passes twice names two: both are refused rather than
guessed, with a message that says which.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from opd_graphql.service.errors import InvalidInput


def moment(wall: datetime, timezone: ZoneInfo, field: str) -> datetime:
    """`wall` as a UTC moment; a naive `wall` is a time in the hospital's `timezone`."""
    if wall.tzinfo is not None:
        return _utc(wall, field)
    earlier = wall.replace(tzinfo=timezone, fold=0)
    later = wall.replace(tzinfo=timezone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        when = f"{wall:%H:%M} on {wall:%Y-%m-%d}"
        if _utc(earlier, field).astimezone(timezone).replace(tzinfo=None) == wall:
            raise InvalidInput(
                f"{when} happens twice in {timezone.key}, as the clocks go back: give "
                "the time with its UTC offset, or choose another.",
                field,
            )
        raise InvalidInput(
            f"{when} does not exist in {timezone.key}: the clocks go forward past it.", field
        )
    return _utc(earlier, field)


def moment_on(day: date, at: time, timezone: ZoneInfo, field: str) -> datetime:
    return moment(datetime.combine(day, at), timezone, field)


def _utc(aware: datetime, field: str) -> datetime:
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        # Year 1 or 9999 moved across an offset leaves the calendar.
        raise InvalidInput(f"{field} is not a time a slot can have.", field) from None
