"""The fixed "now" of one demo load: every date is placed relative to it, so that a load made
today has orders today, and times are carried as integer epoch seconds until a model needs a
datetime (cheaper than datetime arithmetic for millions of rows)."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

DAY = 86_400
HISTORY_DAYS = 730  # two years of orders


@dataclass(frozen=True)
class Clock:
    now: datetime  # aware
    tz: tzinfo

    @property
    def now_ts(self) -> int:
        return int(self.now.timestamp())

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def today_start_ts(self) -> int:
        return int(datetime.combine(self.today, datetime.min.time(), self.tz).timestamp())

    def at(self, timestamp: int) -> datetime:
        return datetime.fromtimestamp(timestamp, self.tz)

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def month_windows(self, count: int) -> list[tuple[int, int]]:
        """The last ``count`` months as days-ago ranges (newest, oldest), month 0 first, counted
        back the way a rule tag's "each month" window counts them: month 0 runs from the same
        day a month before tomorrow up to today, month 1 the month before that. A range leaves
        out its first and last day, so a date drawn from it stays inside the month however the
        boundary moments fall."""
        end = self.today + timedelta(days=1)
        windows = []
        for month in range(count):
            start, stop = months_before(end, month + 1), months_before(end, month)
            windows.append(((self.today - stop).days + 2, (self.today - start).days - 1))
        return windows

    def timestamp(self, *, days_ago: int, minute: int, rng: random.Random) -> int:
        """A moment ``minute`` minutes into the day ``days_ago`` days back, never in the future:
        a moment later today than now moves to a random earlier moment of today."""
        value = self.today_start_ts - days_ago * DAY + minute * 60 + rng.randrange(60)
        if value > self.now_ts:
            value = self.today_start_ts + rng.randrange(max(self.now_ts - self.today_start_ts, 1))
        return value


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the end of a shorter month (31 March → 28 or
    29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
