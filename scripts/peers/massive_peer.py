"""Drives the official Polygon/Massive Python client (`massive` on PyPI) against a base URL and
prints what it got as one JSON object, so a Swift test can compare it with our own client.

Usage: massive_peer.py BASE_URL TICKER_WITH_ACTIONS   (the key comes from MASSIVE_API_KEY)
"""
import json
import os
import sys

from massive import RESTClient

base, actions_ticker = sys.argv[1], sys.argv[2]
client = RESTClient(api_key=os.environ["MASSIVE_API_KEY"], base=base, retries=0)

tickers = list(client.list_tickers(market="stocks", date="2025-03-03", limit=50))
aggs = list(client.list_aggs("AMD", 1, "minute", "2025-01-06", "2025-01-08", adjusted=False, limit=1000))
splits = list(client.list_splits(ticker=actions_ticker))
modern_splits = list(client.list_stocks_splits(ticker=actions_ticker))
dividends = list(client.list_dividends(ticker=actions_ticker))
modern_dividends = list(client.list_stocks_dividends(ticker=actions_ticker))
news = list(client.list_ticker_news(ticker="AAPL", published_utc_gte="2024-01-01", published_utc_lte="2024-12-31", limit=5))
details = client.get_ticker_details("META")
status = client.get_market_status()
grouped = client.get_grouped_daily_aggs("2025-03-03", adjusted=False)

print(json.dumps({
    "tickers": [t.ticker for t in tickers],
    "aggs": [[a.timestamp, a.open, a.high, a.low, a.close, a.volume] for a in aggs],
    "splits": len(splits),
    "modern_splits": [s.historical_adjustment_factor for s in modern_splits],
    "dividends": len(dividends),
    "modern_dividends": [d.historical_adjustment_factor for d in modern_dividends],
    "news": [n.id for n in news],
    "details": [details.ticker, details.list_date, details.composite_figi],
    "status": status.market,
    "grouped": len(grouped),
}))
