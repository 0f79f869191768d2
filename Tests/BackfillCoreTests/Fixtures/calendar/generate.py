"""Writes the XNYS golden sessions used by CalendarGoldenTests.swift.

Reference: exchange_calendars 4.13.2 (pinned by /work/shared/peers/setup.sh), XNYS, 2000-2030.
Regenerate from the repository root with:

    bash ../shared/peers/setup.sh   # once; venv at $HOME/.cache/peers-venv
    $HOME/.cache/peers-venv/bin/python Tests/BackfillCoreTests/Fixtures/calendar/generate.py

Output: xnys-2000-2030.csv next to this script, one line per session:
    date,open_utc_s,close_utc_s
with the regular open and close as Unix seconds (UTC). Seconds keep the file small (< 300 KB)
and exact; the Swift test compares them minute by minute with TradingCalendar.
"""

import pathlib

import exchange_calendars as xc

FIRST, LAST = "2000-01-01", "2030-12-31"


def main() -> None:
    calendar = xc.get_calendar("XNYS", start=FIRST, end=LAST)
    schedule = calendar.schedule.loc[FIRST:LAST]
    out = pathlib.Path(__file__).with_name("xnys-2000-2030.csv")
    lines = ["date,open_utc_s,close_utc_s"]
    for day, row in schedule.iterrows():
        assert row["break_start"] is None or str(row["break_start"]) in ("NaT", "None")
        lines.append(f"{day:%Y-%m-%d},{int(row['open'].timestamp())},{int(row['close'].timestamp())}")
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(lines) - 1} sessions, exchange_calendars {xc.__version__}")


if __name__ == "__main__":
    main()
