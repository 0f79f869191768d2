#!/usr/bin/env python3
"""Consecutive day files for `backfill-bench dayfiles DIR`, from one realistic day file.

Usage: consecutive_days.py SOURCE.csv.gz OUT_ROOT [DAYS=20]
SOURCE is a minute_aggs_v1 day file (../shared/peers/gen_bars.py --realistic --format polygon);
OUT_ROOT receives us_stocks_sip/minute_aggs_v1/YYYY/MM/YYYY-MM-DD.csv.gz for DAYS consecutive XNYS
sessions starting at SOURCE's date: the same rows, window_start moved by whole days (the sessions
must share SOURCE's hours: pick a start after a DST change with no early close in the span).
Needs exchange_calendars and pandas (the peers venv).
"""
import gzip, os, sys
import exchange_calendars as xcals
import pandas as pd

source, root = sys.argv[1], sys.argv[2]
days = int(sys.argv[3]) if len(sys.argv) > 3 else 20
base = pd.Timestamp(os.path.basename(source).split(".")[0])
calendar = xcals.get_calendar("XNYS", start=str(base.date()), end=str((base + pd.Timedelta(days=days * 2 + 14)).date()))
sessions = [s.date() for s in calendar.sessions if s >= base][:days]
lines = gzip.open(source, "rb").read().split(b"\n")
header, rows = lines[0], [line for line in lines[1:] if line]
for day in sessions:
    delta = (day - base.date()).days * 86_400 * 1_000_000_000
    out = [header]
    for line in rows:
        fields = line.split(b",")
        fields[6] = str(int(fields[6]) + delta).encode()
        out.append(b",".join(fields))
    path = os.path.join(root, "us_stocks_sip", "minute_aggs_v1", f"{day:%Y}", f"{day:%m}", f"{day:%Y-%m-%d}.csv.gz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as f:
        f.write(b"\n".join(out) + b"\n")
    print(path, len(rows), flush=True)
