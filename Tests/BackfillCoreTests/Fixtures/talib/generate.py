#!/usr/bin/env python3
"""Golden indicator values from TA-Lib for the BackfillCore indicator tests.

Regenerate (from the repository root, with the peers venv of ../shared/peers/setup.sh):

    $HOME/.cache/peers-venv/bin/python Tests/BackfillCoreTests/Fixtures/talib/generate.py

Writes, next to this script:
  inputs.csv        series,i,close        the input closes (repr: shortest exact round trip)
  <set>.csv         series,i,sma,ema,rsi,macd,macd_signal,macd_hist,bb_upper,bb_middle,bb_lower
                    one file per parameter set in PARAMETER_SETS; empty cell where TA-Lib gives NaN
Deterministic: fixed seeds, no clock. TA-Lib 0.8.2 (C library 0.8.1), numpy 2.4.6.

What these files showed about TA-Lib 0.8.1 (and the Swift code follows):
  * EMA steps are computed with a fused multiply-add (the C library is built with FMA
    contraction): `fma(x - prev, k, prev)`. Plain multiply-then-add drifts an ulp now and then,
    which MACD at $1e6 (a difference of two EMAs) turns into ~1e-8 relative error.
  * SMA keeps a running total (add, divide, subtract), bit for bit; BBANDS' middle band is that SMA.
  * BBANDS' deviation is numerically stable (not E[x^2] - E[x]^2) and exactly 0 on a flat window.
  * RSI is 0 only when average gain + loss is exactly 0 (changes of 1e-10 still give 100).
"""
import csv, os
import numpy as np
import talib

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (sma, ema, rsi, macd fast, slow, signal, bb period, bb deviations, series used or None for all)
# The non-default sets cover the first LIMIT bars of their series, to keep the files small.
LIMIT = 200
PARAMETER_SETS = {
    "default": (20, 20, 14, 12, 26, 9, 20, 2.0, None),
    "short": (2, 2, 2, 2, 3, 1, 2, 3.0, ["walk", "flat", "penny"]),
    "long": (50, 9, 21, 5, 35, 5, 10, 1.5, ["thousand", "flat", "million"]),
}


def series():
    rng = np.random.default_rng(20260101)
    walk = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 300)))
    thousand = 1000 * np.exp(np.cumsum(rng.normal(0, 2e-4, 300)))
    penny = 0.01 * np.exp(np.cumsum(rng.normal(0, 1e-3, 300)))
    million = 1e6 + np.cumsum(rng.normal(0, 1e-3, 200))
    # Flat runs (gains + losses exactly 0, also during the RSI seed), then cent-quantised steps
    # with many zero changes, then flat again.
    steps = np.round(50 + np.cumsum(rng.choice([-0.01, 0.0, 0.0, 0.01], 200)), 2)
    flat = np.concatenate([np.full(40, 50.0), steps, np.full(30, steps[-1]), np.round(steps[::-1], 2)[:30]])
    return {"walk": walk, "thousand": thousand, "penny": penny, "million": million, "flat": flat}


def cell(value):
    return "" if np.isnan(value) else repr(float(value))


def compute(closes, params):
    sma, ema, rsi, fast, slow, signal, bb_period, bb_dev, _ = params
    macd = talib.MACD(closes, fast, slow, signal)
    bands = talib.BBANDS(closes, bb_period, bb_dev, bb_dev, 0)
    return [talib.SMA(closes, sma), talib.EMA(closes, ema), talib.RSI(closes, rsi), *macd, *bands]


def main():
    all_series = series()
    with open(os.path.join(HERE, "inputs.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["series", "i", "close"])
        for name, closes in all_series.items():
            out.writerows([name, i, repr(float(c))] for i, c in enumerate(closes))
    header = ["series", "i", "sma", "ema", "rsi", "macd", "macd_signal", "macd_hist", "bb_upper", "bb_middle",
              "bb_lower"]
    for set_name, params in PARAMETER_SETS.items():
        with open(os.path.join(HERE, f"{set_name}.csv"), "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(header)
            for name in params[8] or all_series:
                closes = all_series[name] if params[8] is None else all_series[name][:LIMIT]
                columns = compute(closes, params)
                out.writerows([name, i, *(cell(c[i]) for c in columns)] for i in range(len(closes)))


if __name__ == "__main__":
    main()
