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
          $('quarantine').textContent = `${tasks.quarantinedTotal} quarantined rows`;
          $('runs').tBodies[0].replaceChildren(...runs.map((r) => row([
            new Date(r.startedAtMs).toISOString().slice(0, 19).replace('T', ' '), r.status, r.tickers.join(','),
            r.barsReceived, r.requests, ((r.finishedAtMs - r.startedAtMs) / 1000).toFixed(1), r.errors.length])));
          const heatmap = $('heatmap');
          heatmap.replaceChildren();
          for (const symbol of ledger.symbols.slice(0, 200)) {
            const entries = await getJSON('/api/ledger', { symbol });
            const line = document.createElement('div');
            const label = document.createElement('code');
            label.textContent = symbol.padEnd(8, '\u00a0');
            line.append(label);
            for (const session of entries.sessions.slice(-250)) {
              const cell = document.createElement('span');
              cell.style.background = COLORS[session.status] || '#000';
              cell.title = `${symbol} ${session.date}: ${session.status}, ${session.regular}/${session.expected} regular minutes`;
              cell.dataset.status = session.status;
              line.append(cell);
            }
            heatmap.append(line);
          }
          $('monitor').dataset.ready = '1';
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
          $('bf-start').disabled = status.running;
          $('bf-stop').disabled = !status.running;
          // While a backfill runs, its status and log are read every 2 s; the tables refresh when it ends.
          clearTimeout(watching);
          if (status.running) watching = setTimeout(watchBackfill, 2000);
          else if (monitor.dataset.wasRunning === '1') refresh();
          monitor.dataset.wasRunning = status.running ? '1' : '0';
        }

        async function watchBackfill() {
          try { showBackfill(await getJSON('/api/backfill')); } catch (error) { $('bf-status').textContent = error.message; }
        }

        $('backfill-form').addEventListener('submit', async (e) => {
          e.preventDefault();
          try {
            showBackfill(await post('/api/backfill', {
              tickers: $('bf-tickers').value, years: Number($('bf-years').value), sandbox: $('bf-sandbox').checked,
              minute: $('bf-minute').checked, news: $('bf-news').checked,
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
