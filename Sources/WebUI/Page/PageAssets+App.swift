extension PageAssets {
    /// `app.js`: the market-data view (search, timeframe, adjustment, indicators, news, live).
    static let appJS = #"""
        // The market-data view: symbol search, timeframe and adjustment, indicators, chart, news, live bars.
        import { getJSON, openLive } from './api.js';
        import { Chart, formatTime } from './chart.js';

        const $ = (id) => document.getElementById(id);
        const root = $('chart-root');
        const state = {
          symbol: null, timeframe: '1d', adjust: 'none', from: null, to: null, liveFrames: 0, closeLive: null, loads: 0,
        };

        const chart = new Chart($('chart'), (s) => {
          root.dataset.candles = s.candles;
          root.dataset.markers = s.markers;
          root.dataset.panes = s.panes;
          root.dataset.bars = s.bars;
          root.dataset.firstT = chart.data && chart.data.t.length ? chart.data.t[0] : '';
          root.dataset.visible = s.visible;
          root.dataset.stride = s.stride;
          root.dataset.frameMs = s.frameMs;
          root.dataset.extended = s.extended;
          root.dataset.firstVisible = s.firstVisible;
          root.dataset.lastVisible = s.lastVisible;
          root.dataset.highlightIndex = s.highlightIndex;
          root.dataset.highlightX = s.highlightX;
        });

        const MINUTE = 60000;
        const BAR_MS = {
          '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '30m': 30 * MINUTE, '1h': 60 * MINUTE, '4h': 240 * MINUTE,
          '1d': 1440 * MINUTE, '1w': 7 * 1440 * MINUTE,
        };
        const SPAN_DAYS = { '1m': 7, '5m': 45, '15m': 120, '30m': 240, '1h': 400, '4h': 1000, '1d': 3650, '1w': 3650 };
        const EARLIEST = Date.UTC(2000, 0, 1, 5);
        let older = { loading: false, done: false, loads: 0 };

        // Panning past the first bar loads the page before it (same timeframe, adjustment, indicators).
        chart.onNeedOlder = async () => {
          const data = chart.data;
          if (older.loading || older.done || !data || data.t.length === 0 || !state.symbol) return;
          older.loading = true;
          const load = state.loads;
          try {
            let span = SPAN_DAYS[state.timeframe] * 86400000;
            for (let attempt = 0; attempt < 4; attempt++) {
              const to = data.t[0] - 1;
              if (to <= EARLIEST) { older.done = true; break; }
              const from = Math.max(EARLIEST, to - span);
              const page = await getJSON('/api/bars', {
                symbol: state.symbol, timeframe: state.timeframe, adjust: state.adjust, from, to, ...indicatorParams(),
              });
              if (load !== state.loads) return;
              if (page.next) { span /= 4; continue; }  // more than one page: ask for a shorter window
              if (page.t.length > 0) {
                chart.prepend(page);
                older.loads += 1;
                root.dataset.older = older.loads;
                break;
              }
              if (from === EARLIEST || attempt === 3) { older.done = true; break; }
              span *= 4;  // nothing there (a long gap, or before the listing): look further back
            }
          } catch (error) {
            setStatus(error.message, true);
          } finally {
            older.loading = false;
          }
        };

        chart.onReadout = (bar) => {
          const out = $('readout');
          if (!bar) { out.textContent = ''; return; }
          if (bar.t === undefined) { out.textContent = bar.marker || ''; return; }
          const daily = state.timeframe === '1d' || state.timeframe === '1w';
          const f = (x) => Number(x).toFixed(x >= 1 ? 2 : 4);
          out.textContent = `${formatTime(bar.t, daily)}  O ${f(bar.o)}  H ${f(bar.h)}  L ${f(bar.l)}  C ${f(bar.c)}  `
            + `V ${Math.round(bar.v).toLocaleString('en-US')}${bar.marker ? `  · ${bar.marker}` : ''}`;
          out.dataset.t = bar.t;
        };

        function indicatorParams() {
          const params = {};
          const number = (id) => $(id).value.trim();
          if ($('show-sma').checked) params.sma = number('sma-period');
          if ($('show-ema').checked) params.ema = number('ema-period');
          if ($('show-bollinger').checked) params.bollinger = `${number('bb-period')},${number('bb-width')}`;
          if ($('show-rsi').checked) params.rsi = number('rsi-period');
          if ($('show-macd').checked) params.macd = number('macd-periods');
          if ($('show-vwap').checked) params.vwap = 'true';
          return params;
        }

        function setStatus(text, error) {
          $('status').textContent = text;
          $('status').className = error ? 'error' : '';
        }

        async function load() {
          if (!state.symbol) return;
          const load = ++state.loads;
          const loadStarted = performance.now();
          root.dataset.ready = '0';
          setStatus(`Loading ${state.symbol} ${state.timeframe}…`);
          try {
            const [bars, actions] = await Promise.all([
              getJSON('/api/bars', {
                symbol: state.symbol, timeframe: state.timeframe, adjust: state.adjust, from: state.from, to: state.to,
                ...indicatorParams(),
              }),
              getJSON('/api/actions', { symbol: state.symbol }),
            ]);
            if (load !== state.loads) return;
            bars.daily = state.timeframe === '1d' || state.timeframe === '1w';
            bars.barMs = BAR_MS[state.timeframe];
            delete root.dataset.highlight;
            bars.indicators = bars.indicators || {};
            for (const key of ['sma', 'ema', 'bollinger', 'vwap', 'rsi', 'macd']) chart.show[key] = $(`show-${key}`).checked;
            older = { loading: false, done: false, loads: 0 };
            chart.setData(bars);
            chart.setActions(actions);
            root.dataset.symbol = state.symbol;
            root.dataset.timeframe = state.timeframe;
            root.dataset.adjust = state.adjust;
            root.dataset.splits = actions.splits.length;
            root.dataset.dividends = actions.dividends.length;
            setStatus(`${state.symbol} · ${bars.count.toLocaleString('en-US')} bars${bars.next ? ' (more after this page)' : ''}`);
            await loadNews(bars);
            startLive();
            requestAnimationFrame(() => {
              root.dataset.loadMs = Math.round(performance.now() - loadStarted);
              root.dataset.ready = '1';
            });
          } catch (error) {
            setStatus(error.message, true);
            root.dataset.ready = 'error';
          }
        }

        async function loadNews(bars) {
          const n = bars.t.length;
          const params = { symbol: state.symbol, limit: 100 };
          if (n) { params.from = bars.t[0]; params.to = bars.t[n - 1] + 7 * 86400000; }
          const news = await getJSON('/api/news', params);
          const list = $('news');
          list.replaceChildren();
          for (const article of news) {
            const item = document.createElement('li');
            item.dataset.t = article.t;
            const when = document.createElement('time');
            when.textContent = formatTime(article.t, false);
            const title = document.createElement('a');
            title.textContent = article.title;
            title.href = '#';
            title.title = `${article.publisher}${article.description ? ` — ${article.description}` : ''}`;
            title.addEventListener('click', (e) => {
              e.preventDefault();
              chart.setHighlight(article.t);
              root.dataset.highlight = article.t;
            });
            item.append(when, title);
            list.append(item);
          }
          root.dataset.news = news.length;
        }

        function startLive() {
          if (state.closeLive) state.closeLive();
          state.closeLive = openLive({ symbol: state.symbol, timeframe: state.timeframe }, (bar) => {
            chart.applyLive(bar);
            state.liveFrames += 1;
            root.dataset.liveFrames = state.liveFrames;
            root.dataset.lastLiveT = bar.t;
          }, (status) => { $('live').textContent = status; root.dataset.live = status; }, onStored);
        }

        // A backfill stored bars of this symbol: read the chart again when they fall in what it shows
        // (or after it, when the page follows the latest bars). One read at a time; frames arriving
        // during a read ask for one more after it.
        const refreshing = { busy: false, again: false };
        function onStored(frame) {
          root.dataset.storedFrames = (Number(root.dataset.storedFrames) || 0) + 1;
          const d = chart.data;
          const n = d ? d.t.length : 0;
          const lo = n ? d.t[0] : -Infinity;
          const hi = n && state.to != null ? d.t[n - 1] + BAR_MS[state.timeframe] : Infinity;
          if (frame.toMs < lo || frame.fromMs > hi) return;
          refresh();
        }

        async function refresh() {
          if (refreshing.busy) { refreshing.again = true; return; }
          refreshing.busy = true;
          try {
            do {
              refreshing.again = false;
              const load = state.loads;
              const bars = await getJSON('/api/bars', {
                symbol: state.symbol, timeframe: state.timeframe, adjust: state.adjust, from: state.from, to: state.to,
                ...indicatorParams(),
              });
              if (load !== state.loads) return;  // another symbol or timeframe was loaded meanwhile
              bars.daily = state.timeframe === '1d' || state.timeframe === '1w';
              bars.barMs = BAR_MS[state.timeframe];
              bars.indicators = bars.indicators || {};
              older = { loading: false, done: false, loads: 0 };
              chart.replaceData(bars);
              root.dataset.refreshes = (Number(root.dataset.refreshes) || 0) + 1;
              setStatus(`${state.symbol} · ${bars.count.toLocaleString('en-US')} bars${bars.next ? ' (more after this page)' : ''} · updated by a backfill`);
            } while (refreshing.again);
          } catch (error) {
            setStatus(error.message, true);
          } finally {
            refreshing.busy = false;
          }
        }

        async function search(text) {
          const results = await getJSON('/api/tickers', { q: text, limit: 15 });
          const list = $('results');
          list.replaceChildren();
          for (const match of results) {
            const item = document.createElement('li');
            let note = '';
            if (match.renamed) note = ` → now ${match.currentTicker}`;
            else if (match.delisted) note = ` (delisted${match.delistedOn ? ` ${match.delistedOn}` : ''})`;
            item.textContent = `${match.ticker} — ${match.name || ''}${note}`;
            item.dataset.ticker = match.currentTicker;
            if (match.renamed) item.className = 'renamed';
            if (match.delisted) item.className = 'delisted';
            item.addEventListener('click', () => choose(match.currentTicker));
            list.append(item);
          }
          list.hidden = results.length === 0;
        }

        function choose(symbol) {
          state.symbol = symbol;
          $('symbol').value = symbol;
          $('results').hidden = true;
          history.replaceState(null, '', `?symbol=${encodeURIComponent(symbol)}&timeframe=${state.timeframe}`);
          load();
        }

        let searchTimer = null;
        $('symbol').addEventListener('input', (e) => {
          clearTimeout(searchTimer);
          searchTimer = setTimeout(() => search(e.target.value.trim()).catch((err) => setStatus(err.message, true)), 150);
        });
        $('symbol').addEventListener('keydown', (e) => {
          if (e.key === 'Enter') { const first = $('results').querySelector('li'); choose(first ? first.dataset.ticker : e.target.value.trim()); }
        });
        for (const button of document.querySelectorAll('#timeframes button')) {
          button.addEventListener('click', () => {
            state.timeframe = button.dataset.timeframe;
            for (const other of document.querySelectorAll('#timeframes button')) other.classList.toggle('active', other === button);
            if (state.symbol) history.replaceState(null, '', `?symbol=${encodeURIComponent(state.symbol)}&timeframe=${state.timeframe}`);
            load();
          });
        }
        $('adjust').addEventListener('change', (e) => { state.adjust = e.target.value; load(); });
        for (const input of document.querySelectorAll('#indicators input')) input.addEventListener('change', () => load());

        const params = new URLSearchParams(location.search);
        if (params.get('timeframe')) {
          state.timeframe = params.get('timeframe');
          for (const b of document.querySelectorAll('#timeframes button')) b.classList.toggle('active', b.dataset.timeframe === state.timeframe);
        }
        if (params.get('adjust')) { state.adjust = params.get('adjust'); $('adjust').value = state.adjust; }
        state.from = params.get('from');
        state.to = params.get('to');
        if (params.get('symbol')) choose(params.get('symbol'));
        else {
          // What there is to chart: an empty warehouse (a first run) points to the monitor.
          getJSON('/api/inventory').then((rows) => {
            const symbols = new Set(rows.map((r) => r.symbol));
            root.dataset.stored = symbols.size;
            if (!state.symbol) {
              setStatus(symbols.size === 0 ? 'The warehouse is empty: start a backfill from the Monitor'
                : `${symbols.size.toLocaleString('en-US')} symbols stored: search one`);
            }
          }).catch((error) => setStatus(error.message, true));
        }
        window.backfillChart = chart;
        """#
}
