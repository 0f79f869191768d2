extension PageAssets {
    /// `monitor.js`: tasks, runs and the completeness heatmap.
    static let monitorJS = #"""
        // The backfill monitor: tasks by state, past runs and the ledger as a symbols × sessions heatmap.
        import { getJSON } from './api.js';

        const $ = (id) => document.getElementById(id);
        const COLORS = { complete: '#43a047', partial: '#fdd835', missing: '#e53935', holiday: '#cfd8dc', 'not listed': '#eceff1' };

        function row(cells) {
          const tr = document.createElement('tr');
          for (const text of cells) { const td = document.createElement('td'); td.textContent = text; tr.append(td); }
          return tr;
        }

        async function refresh() {
          const [tasks, runs, ledger] = await Promise.all([getJSON('/api/tasks'), getJSON('/api/runs', { limit: 20 }), getJSON('/api/ledger')]);
          $('tasks').tBodies[0].replaceChildren(...tasks.states.map((s) =>
            row([s.kind, s.state, s.count, s.rows, s.quarantined, s.errors.join('; ')])));
          const shownRows = tasks.quarantined.length;
          $('quarantine').textContent = `${tasks.quarantinedTotal} quarantined rows`
            + (tasks.quarantinedTotal > shownRows ? ` (the latest ${shownRows} below)` : '');
          $('quarantined').hidden = shownRows === 0;
          $('quarantined').tBodies[0].replaceChildren(...tasks.quarantined.map((q) => row([q.source, q.line, q.reason, q.raw])));
          $('runs').tBodies[0].replaceChildren(...runs.map((r) => {
            const tr = row([
              new Date(r.startedAtMs).toISOString().slice(0, 19).replace('T', ' '), r.status, r.tickers.join(','),
              r.barsReceived, r.requests, ((r.finishedAtMs - r.startedAtMs) / 1000).toFixed(1),
              r.errors.length === 0 ? '0' : `${r.errors.length}: ${r.errors[r.errors.length - 1]}`]);
            tr.lastChild.className = 'errors';
            tr.lastChild.title = r.errors.join('\n');
            return tr;
          }));
          const heatmap = $('heatmap');
          heatmap.replaceChildren();
          for (const symbol of ledger.symbols.slice(0, 200)) {
            const entries = await getJSON('/api/ledger', { symbol });
            const line = document.createElement('div');
            const label = document.createElement('code');
            label.textContent = symbol.padEnd(8, '\u00a0');
            line.append(label);
            const shown = entries.sessions.slice(-250);
            for (const session of shown) {
              const cell = document.createElement('span');
              cell.style.background = COLORS[session.status] || '#000';
              cell.title = `${symbol} ${session.date}: ${session.status}, ${session.regular}/${session.expected} regular minutes`;
              cell.dataset.status = session.status;
              cell.dataset.symbol = symbol;
              cell.dataset.date = session.date;
              const window = { from: shown[0].date, to: shown[shown.length - 1].date };
              cell.addEventListener('click', () => showGaps(symbol, session.date, window)
                .catch((error) => { $('gaps').textContent = error.message; }));
              line.append(cell);
            }
            heatmap.append(line);
          }
          if (shownGaps) await showGaps(...shownGaps);
          $('monitor').dataset.ready = '1';
        }

        const newYorkTime = new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hour12: false,
        });

        /** A heatmap cell's gaps: the session's missing minutes, the symbol's open sessions, and a repair button. */
        let shownGaps = null;
        async function showGaps(symbol, date, window) {
          shownGaps = [symbol, date, window];
          const gaps = await getJSON('/api/gaps', { symbol, from: window.from, to: window.to, session: date });
          const panel = $('gaps');
          panel.replaceChildren();
          panel.dataset.symbol = symbol;
          panel.dataset.session = date;
          const entry = gaps.session.entry;
          const title = document.createElement('h3');
          title.textContent = entry
            ? `${symbol} ${date}: ${entry.status}, ${entry.regular}/${entry.expected} regular minutes (${entry.received} in all)`
            : `${symbol} ${date}: no ledger entry`;
          panel.append(title);
          const minutes = document.createElement('ul');
          minutes.id = 'gap-minutes';
          for (const run of gaps.session.missingMinutes) {
            const item = document.createElement('li');
            item.textContent = `${newYorkTime.format(new Date(run.from))}–${newYorkTime.format(new Date(run.to))} `
              + `missing (${run.minutes} min)`;
            minutes.append(item);
          }
          if (gaps.session.missingMinuteRuns > gaps.session.missingMinutes.length) {
            const more = document.createElement('li');
            more.textContent = `… ${gaps.session.missingMinuteRuns - gaps.session.missingMinutes.length} more`;
            minutes.append(more);
          }
          panel.append(minutes);
          const sessions = document.createElement('ul');
          sessions.id = 'gap-sessions';
          for (const s of gaps.sessions) {
            const item = document.createElement('li');
            item.dataset.date = s.date;
            item.textContent = `${s.date} ${s.status}: ${s.regular}/${s.expected} regular minutes`;
            sessions.append(item);
          }
          panel.append(sessions);
          panel.dataset.openSessions = gaps.sessions.length;
          if (gaps.repair.length) {
            const from = gaps.repair[0].from;
            const to = gaps.repair[gaps.repair.length - 1].to;
            const count = gaps.repair.reduce((n, r) => n + r.sessions, 0);
            const button = document.createElement('button');
            button.id = 'gap-repair';
            button.textContent = `Repair ${count} sessions of ${symbol} (${from} … ${to})`;
            button.addEventListener('click', async () => {
              try {
                showBackfill(await post('/api/repair', { symbol, from, to, sandbox: $('bf-sandbox').checked }));
              } catch (error) { $('bf-status').textContent = error.message; }
            });
            panel.append(button);
          } else {
            const none = document.createElement('p');
            none.textContent = 'Nothing to repair in this window.';
            panel.append(none);
          }
          panel.hidden = false;
          panel.dataset.ready = '1';
        }

        async function post(path, body) {
          const response = await fetch(path, {
            method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}),
          });
          const json = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
          if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
          return json;
        }

        let watching = null;
        function showBackfill(status) {
          const monitor = $('monitor');
          monitor.dataset.backfill = status.running ? 'running' : (status.exitCode == null ? 'idle' : `exited ${status.exitCode}`);
          $('bf-status').textContent = status.running ? `running: scraper ${status.arguments.join(' ')}`
            : (status.exitCode == null ? '' : `finished with exit code ${status.exitCode}`);
          $('bf-log').textContent = status.log;
          showProgress(status.progress || []);
          $('bf-start').disabled = status.running;
          $('bf-stop').disabled = !status.running;
          // While a backfill runs, its status and log are read every 2 s; the tables refresh when it ends.
          clearTimeout(watching);
          if (status.running) watching = setTimeout(watchBackfill, 2000);
          else if (monitor.dataset.wasRunning === '1') refresh();
          monitor.dataset.wasRunning = status.running ? '1' : '0';
        }

        /**
         * The latest figures, and rows/s (green) and requests/s (blue, each on its own scale) over the
         * run's seconds: each point the rate since the sample before it. The latest and peak rates are
         * on the canvas's data attributes.
         */
        function showProgress(samples) {
          const canvas = $('bf-rates');
          const last = samples[samples.length - 1];
          $('monitor').dataset.samples = samples.length;
          showLatency(samples);
          if (!last) { $('bf-progress').textContent = ''; canvas.hidden = true; return; }
          const rows = rates(samples, 'bars');
          const requests = rates(samples, 'requests');
          const now = (values) => Math.round(values[values.length - 1]);
          $('bf-progress').textContent = `chunks ${n(last.chunksDone)}/${n(last.chunksTotal)}`
            + `${last.chunksFailed ? ` (${n(last.chunksFailed)} failed)` : ''} · bars ${n(last.bars)}`
            + ` · ${n(Math.round(last.barsPerSecond))} bars/s · requests ${n(last.requests)} · retries ${n(last.retries)}`
            + ` · 429s ${n(last.rateLimited)}${last.eta != null ? ` · ETA ${Math.round(last.eta)} s` : ''}`
            + `${last.rateBudget != null ? ` · rate budget ${last.rateBudget}` : ''}${last.lastError ? ` · last error: ${last.lastError}` : ''}`;
          const g = startChart(canvas);
          const tmax = Math.max(1, last.elapsed);
          const rowsPeak = Math.max(1, ...rows);
          const requestsPeak = Math.max(1, ...requests);
          Object.assign(canvas.dataset, {
            points: samples.length, rowsPerSecond: now(rows), rowsPeak: Math.round(rowsPeak),
            requestsPerSecond: now(requests), requestsPeak: Math.round(requestsPeak),
          });
          plot(g, canvas, samples, rows, tmax, rowsPeak, '#43a047');
          plot(g, canvas, samples, requests, tmax, requestsPeak, '#1e88e5');
          g.fillText(`rows/s (green, now ${n(now(rows))}, peak ${n(Math.round(rowsPeak))})`
            + ` · requests/s (blue, now ${n(now(requests))}, peak ${n(Math.round(requestsPeak))}) · over ${tmax.toFixed(1)} s`, 6, 12);
        }

        /** Per sample, the rate of `key` since the sample before it (the first: since the start). */
        function rates(samples, key) {
          return samples.map((s, i) => {
            const before = i === 0 ? { elapsed: 0, [key]: 0 } : samples[i - 1];
            const seconds = s.elapsed - before.elapsed;
            return seconds > 0 ? Math.max(0, s[key] - before[key]) / seconds : 0;
          });
        }

        const n = (x) => Number(x).toLocaleString('en-US');
        const LATENCY = [
          ['requestP50Ms', '#1e88e5', []], ['requestP99Ms', '#1e88e5', [4, 3]],
          ['storeWriteP50Ms', '#fb8c00', []], ['storeWriteP99Ms', '#fb8c00', [4, 3]],
        ];

        /**
         * Request and store-write latency (p50 solid, p99 dashed; ms, one scale) over the run's seconds,
         * and the latest values. The chart's state is on the canvas's data attributes.
         */
        function showLatency(samples) {
          const canvas = $('bf-latency');
          const timed = samples.filter((s) => LATENCY.some(([key]) => s[key] != null));
          const last = timed[timed.length - 1];
          canvas.dataset.points = timed.length;
          for (const [key] of LATENCY) canvas.dataset[key] = last && last[key] != null ? last[key] : '';
          if (!last) { $('bf-latency-figures').textContent = ''; canvas.hidden = true; return; }
          const ms = (x) => (x == null ? '–' : `${x.toFixed(1)} ms`);
          $('bf-latency-figures').textContent =
            `latency: requests p50 ${ms(last.requestP50Ms)} p99 ${ms(last.requestP99Ms)} (${n(last.requestsTimed)})`
            + ` · store writes p50 ${ms(last.storeWriteP50Ms)} p99 ${ms(last.storeWriteP99Ms)} (${n(last.storeWrites)})`;
          const g = startChart(canvas);
          const tmax = Math.max(1, samples[samples.length - 1].elapsed);
          const vmax = Math.max(1, ...timed.flatMap((s) => LATENCY.map(([key]) => s[key] || 0)));
          canvas.dataset.maxMs = vmax;
          for (const [key, color, dash] of LATENCY) {
            const shown = timed.filter((s) => s[key] != null);
            plot(g, canvas, shown, shown.map((s) => s[key]), tmax, vmax, color, dash);
          }
          g.fillText(`latency ms (max ${vmax.toFixed(1)}): requests (blue), store writes (orange); p50 solid, p99 dashed`, 6, 12);
        }

        /** Shows and clears `canvas`; returns its context with the label style set. */
        function startChart(canvas) {
          canvas.hidden = false;
          const g = canvas.getContext('2d');
          g.clearRect(0, 0, canvas.width, canvas.height);
          g.fillStyle = '#555'; g.font = '11px system-ui, sans-serif';
          return g;
        }

        /** One line with a dot per sample: x the sample's elapsed seconds of `tmax`, y its value of `vmax`. */
        function plot(g, canvas, samples, values, tmax, vmax, color, dash = []) {
          const x = (s) => 4 + s.elapsed / tmax * (canvas.width - 8);
          const y = (v) => canvas.height - 4 - v / vmax * (canvas.height - 20);
          g.save();
          g.strokeStyle = color; g.fillStyle = color; g.lineWidth = 1.5; g.setLineDash(dash); g.beginPath();
          samples.forEach((s, i) => { if (i) g.lineTo(x(s), y(values[i])); else g.moveTo(x(s), y(values[i])); });
          g.stroke();
          samples.forEach((s, i) => g.fillRect(x(s) - 2, y(values[i]) - 2, 4, 4));
          g.restore();
        }

        async function watchBackfill() {
          try { showBackfill(await getJSON('/api/backfill')); } catch (error) { $('bf-status').textContent = error.message; }
        }

        $('backfill-form').addEventListener('submit', async (e) => {
          e.preventDefault();
          try {
            showBackfill(await post('/api/backfill', {
              tickers: $('bf-tickers').value, years: Number($('bf-years').value), sandbox: $('bf-sandbox').checked,
              phases: ['reference', 'actions', 'daily', 'minute', 'news'].filter((p) => $(`bf-phase-${p}`).checked).join(','),
              flatFiles: $('bf-flatfiles').checked, live: $('bf-live').checked,
            }));
          } catch (error) { $('bf-status').textContent = error.message; }
        });
        $('bf-stop').addEventListener('click', async () => {
          try { showBackfill(await post('/api/backfill/stop')); } catch (error) { $('bf-status').textContent = error.message; }
        });

        watchBackfill();
        refresh().catch((error) => { $('monitor').dataset.ready = 'error'; $('quarantine').textContent = error.message; });
        """#
}
