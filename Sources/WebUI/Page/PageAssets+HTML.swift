extension PageAssets {
    /// The chart page.
    static let indexHTML = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Backfill · charts</title>
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body>
        <header>
          <strong>Backfill</strong>
          <div class="search">
            <input id="symbol" placeholder="Symbol or name (e.g. AAPL, Meta)" autocomplete="off" spellcheck="false">
            <ul id="results" hidden></ul>
          </div>
          <div id="timeframes">
            <button data-timeframe="1m">1m</button><button data-timeframe="5m">5m</button>
            <button data-timeframe="15m">15m</button><button data-timeframe="30m">30m</button>
            <button data-timeframe="1h">1h</button><button data-timeframe="4h">4h</button>
            <button data-timeframe="1d" class="active">1d</button><button data-timeframe="1w">1w</button>
          </div>
          <select id="adjust" title="Price adjustment">
            <option value="none">Raw</option><option value="splits">Split-adjusted</option><option value="all">Fully adjusted</option>
          </select>
          <span id="live" title="Live bars over the WebSocket"></span>
          <a href="/monitor">Monitor</a>
        </header>
        <div id="indicators">
          <label><input type="checkbox" id="show-sma" checked> SMA <input id="sma-period" value="20" size="3"></label>
          <label><input type="checkbox" id="show-ema" checked> EMA <input id="ema-period" value="50" size="3"></label>
          <label><input type="checkbox" id="show-bollinger" checked> Bollinger <input id="bb-period" value="20" size="3">
            <input id="bb-width" value="2" size="2"></label>
          <label><input type="checkbox" id="show-vwap"> VWAP</label>
          <label><input type="checkbox" id="show-rsi" checked> RSI <input id="rsi-period" value="14" size="3"></label>
          <label><input type="checkbox" id="show-macd" checked> MACD <input id="macd-periods" value="12,26,9" size="7"></label>
          <span id="status"></span>
        </div>
        <main>
          <section id="chart-root" data-ready="0" data-candles="0">
            <div id="readout"></div>
            <canvas id="chart"></canvas>
          </section>
          <aside>
            <h2>News</h2>
            <ul id="news"></ul>
          </aside>
        </main>
        <script type="module" src="/static/app.js"></script>
        </body>
        </html>
        """#
    /// The backfill monitor page.
    static let monitorHTML = #"""
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Backfill · monitor</title><link rel="stylesheet" href="/static/style.css"></head>
        <body>
        <header><strong>Backfill monitor</strong><a href="/">Charts</a></header>
        <div class="monitor" id="monitor" data-ready="0">
          <h2>Backfill</h2>
          <form id="backfill-form">
            <label>Tickers <input id="bf-tickers" value="AMD,NVDA" size="24"></label>
            <label>Years <input id="bf-years" value="1" size="2"></label>
            <label><input type="checkbox" id="bf-sandbox" checked> sandbox</label>
            <span class="bf-phases" title="scraper --phases: which parts to fetch, in this order">phases
              <label><input type="checkbox" id="bf-phase-reference" checked> reference</label>
              <label><input type="checkbox" id="bf-phase-actions" checked> actions</label>
              <label><input type="checkbox" id="bf-phase-daily" checked> daily</label>
              <label><input type="checkbox" id="bf-phase-minute" checked> minute</label>
              <label><input type="checkbox" id="bf-phase-news" checked> news</label></span>
            <label title="scraper --flatfiles: daily and minute bars from the day files (S3 keys POLYGON_S3_*, or the sandbox's S3)"><input type="checkbox" id="bf-flatfiles"> flat files</label>
            <label title="scraper live: stores minute bars as they trade, until Stop"><input type="checkbox" id="bf-live"> live instead</label>
            <button type="submit" id="bf-start">Start</button>
            <button type="button" id="bf-stop">Stop</button>
            <span id="bf-status"></span>
          </form>
          <p id="bf-progress"></p>
          <p id="bf-latency-figures"></p>
          <div class="bf-charts">
            <canvas id="bf-rates" width="560" height="140" hidden></canvas>
            <canvas id="bf-latency" width="560" height="140" hidden></canvas>
          </div>
          <pre id="bf-log"></pre>
          <h2>Tasks by state</h2><table id="tasks"><thead><tr><th>kind</th><th>state</th><th>tasks</th><th>rows</th>
            <th>quarantined</th><th>latest errors</th></tr></thead><tbody></tbody></table>
          <p id="quarantine"></p>
          <table id="quarantined" hidden><thead><tr><th>file</th><th>line</th><th>reason</th><th>row as read</th></tr></thead>
            <tbody></tbody></table>
          <h2>Runs</h2><table id="runs"><thead><tr><th>started</th><th>status</th><th>tickers</th><th>bars</th><th>requests</th>
            <th>seconds</th><th>errors</th></tr></thead><tbody></tbody></table>
          <h2>Completeness (minute bars, last 250 weekdays; click a cell for its gaps)</h2>
          <p class="legend"><span class="complete"></span> complete <span class="partial"></span> partial
            <span class="missing"></span> missing <span class="holiday"></span> holiday / not listed</p>
          <div id="heatmap"></div>
          <div id="gaps" hidden></div>
        </div>
        <script type="module" src="/static/monitor.js"></script>
        </body>
        </html>
        """#
    /// Both pages' style sheet.
    static let styleCSS = #"""
        * { box-sizing: border-box; }
        html, body { margin: 0; height: 100%; font: 13px system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
        body { display: flex; flex-direction: column; }
        header { display: flex; gap: 12px; align-items: center; padding: 8px 12px; border-bottom: 1px solid #ddd; }
        header a { margin-left: auto; }
        .search { position: relative; }
        #symbol { width: 260px; padding: 5px 8px; font-size: 14px; }
        #results { position: absolute; z-index: 10; top: 100%; left: 0; width: 420px; margin: 0; padding: 0; list-style: none;
          background: #fff; border: 1px solid #ccc; box-shadow: 0 4px 12px rgba(0,0,0,.15); max-height: 360px; overflow: auto; }
        #results li { padding: 5px 8px; cursor: pointer; }
        #results li:hover { background: #eef4ff; }
        #results li.renamed, #results li.delisted { color: #888; }
        #timeframes button { border: 1px solid #ccc; background: #fafafa; padding: 4px 8px; cursor: pointer; }
        #timeframes button.active { background: #1e88e5; color: #fff; border-color: #1e88e5; }
        #indicators { display: flex; gap: 14px; align-items: center; padding: 6px 12px; border-bottom: 1px solid #eee; }
        #indicators input[size] { padding: 1px 3px; }
        #status { margin-left: auto; color: #555; }
        #status.error { color: #c62828; }
        #live { color: #2e7d32; font-weight: 600; }
        main { flex: 1; display: flex; min-height: 0; }
        #chart-root { flex: 1; position: relative; min-width: 0; }
        #chart { width: 100%; height: 100%; display: block; outline: none; cursor: crosshair; }
        #readout { position: absolute; top: 6px; left: 10px; font: 12px ui-monospace, monospace; background: rgba(255,255,255,.85);
          pointer-events: none; }
        aside { width: 300px; border-left: 1px solid #ddd; overflow: auto; padding: 0 10px; }
        aside h2 { font-size: 14px; }
        #news { list-style: none; margin: 0; padding: 0; }
        #news li { margin-bottom: 10px; }
        #news time { display: block; color: #777; font-size: 11px; }
        table { border-collapse: collapse; }
        td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; }
        #quarantined td:last-child { font-family: monospace; font-size: 12px; word-break: break-all; }
        #runs td.errors { max-width: 420px; }
        .monitor { padding: 12px; overflow: auto; }
        #heatmap span { display: inline-block; width: 9px; height: 9px; margin: 0 1px 1px 0; cursor: pointer; }
        #gaps { margin-top: 10px; padding: 8px; border: 1px solid #ddd; background: #fafafa; max-width: 700px; }
        #gaps h3 { font-size: 13px; margin: 0 0 6px; }
        #gaps ul { margin: 0 0 8px; padding-left: 18px; max-height: 160px; overflow: auto; }
        #backfill-form { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
        #bf-log { max-height: 220px; overflow: auto; background: #f6f8fa; padding: 8px; font-size: 12px; white-space: pre-wrap; }
        #bf-log:empty { display: none; }
        .bf-charts { display: flex; gap: 12px; flex-wrap: wrap; }
        .legend span { display: inline-block; width: 10px; height: 10px; margin-left: 10px; }
        .legend .complete { background: #43a047; }
        .legend .partial { background: #fdd835; }
        .legend .missing { background: #e53935; }
        .legend .holiday { background: #cfd8dc; }
        """#
}
