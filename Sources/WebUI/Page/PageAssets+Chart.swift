extension PageAssets {
    /// `chart.js`: the canvas chart (candles, volume, overlays, RSI and MACD panes, crosshair, pan/zoom, level of detail).
    static let chartJS = #"""
        // A canvas candlestick chart: price pane with volume and overlays, optional RSI and MACD panes,
        // crosshair with readout, pan/zoom by mouse and keyboard, level of detail for 100,000+ bars.
        const UP = '#26a69a';
        const DOWN = '#ef5350';
        const GRID = '#e6e6e6';
        const AXIS = '#555';
        const OVERLAY = { sma: '#1e88e5', ema: '#fb8c00', bollinger: '#8e24aa', vwap: '#6d4c41' };
        const HIGHLIGHT = '#f9a825';
        const AXIS_W = 64;
        const TIME_H = 22;

        const newYork = new Intl.DateTimeFormat('en-US', {
          timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit',
          hour: '2-digit', minute: '2-digit', hour12: false,
        });

        /** `YYYY-MM-DD HH:MM` in New York; the date alone for daily and weekly bars. */
        export function formatTime(ms, daily) {
          const p = Object.fromEntries(newYork.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
          const date = `${p.year}-${p.month}-${p.day}`;
          return daily ? date : `${date} ${p.hour === '24' ? '00' : p.hour}:${p.minute}`;
        }

        /** Index of the first element of sorted `times` that is >= `t`. */
        export function lowerBound(times, t) {
          let lo = 0;
          let hi = times.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (times[mid] < t) lo = mid + 1; else hi = mid;
          }
          return lo;
        }

        export class Chart {
          constructor(canvas, onState) {
            this.canvas = canvas;
            this.ctx = canvas.getContext('2d');
            this.onState = onState || (() => {});
            this.data = null;
            this.actions = { splits: [], dividends: [] };
            this.start = 0;
            this.visible = 120;
            this.mouse = null;
            this.highlight = null;
            this.show = { sma: true, ema: true, bollinger: true, vwap: false, rsi: true, macd: true, volume: true };
            this.stats = { candles: 0, markers: 0, frameMs: 0, columns: 0 };
            this.pending = false;
            this.attach();
          }

          /** Replaces the series: `{t, o, h, l, c, v, indicators, daily, barMs}`; shows the latest bars. */
          setData(data) {
            this.data = data;
            this.highlight = null;
            const n = data.t.length;
            this.visible = Math.min(Math.max(n, 10), this.defaultVisible());
            this.start = Math.max(0, n - this.visible);
            this.requestDraw();
          }

          /**
           * Replaces the series with a fresh read of the same request (a backfill stored bars in it)
           * and keeps the view: on the latest bars when it was there, else on the same first bar.
           */
          replaceData(data) {
            const old = this.data;
            if (!old || old.t.length === 0) { this.setData(data); return; }
            const atEnd = this.start + this.visible >= old.t.length - 0.5;
            const firstT = old.t[Math.max(0, Math.min(old.t.length - 1, Math.floor(this.start)))];
            this.data = data;
            const n = data.t.length;
            let index = 0;
            while (index < n && data.t[index] < firstT) index += 1;
            this.start = atEnd ? Math.max(0, n - this.visible) : Math.min(index, Math.max(0, n - this.visible));
            this.requestDraw();
          }

          /**
           * Puts an earlier page in front of the series (bars at or after the current first are dropped)
           * and keeps the view on the same bars.
           */
          prepend(older) {
            const d = this.data;
            if (!d || !older) return 0;
            let count = older.t.length;
            while (count > 0 && older.t[count - 1] >= d.t[0]) count -= 1;
            if (count === 0) return 0;
            for (const k of ['t', 'o', 'h', 'l', 'c', 'v']) d[k] = older[k].slice(0, count).concat(d[k]);
            const ind = d.indicators || {};
            const old = older.indicators || {};
            for (const key of Object.keys(ind)) {
              if (!Array.isArray(ind[key])) continue;
              const before = Array.isArray(old[key]) ? old[key].slice(0, count) : new Array(count).fill(null);
              ind[key] = before.concat(ind[key]);
            }
            this.start += count;
            this.requestDraw();
            return count;
          }

          setActions(actions) { this.actions = actions || { splits: [], dividends: [] }; this.requestDraw(); }

          /**
           * Marks time `t` (ms) with a vertical line at the bar that contains it and scrolls that bar
           * into view when it lies outside the visible range.
           */
          setHighlight(t) {
            this.highlight = t;
            const i = this.highlightIndex();
            if (i >= 0 && (i < this.start || i > this.start + this.visible - 1)) {
              this.start = this.clampStart(i - this.visible / 2);
            }
            this.requestDraw();
          }

          /** The bar containing the highlighted time (the last one starting at or before it); -1 when none. */
          highlightIndex() {
            const d = this.data;
            if (!d || this.highlight == null || d.t.length === 0 || this.highlight < d.t[0]) return -1;
            if (d.barMs && this.highlight >= d.t[d.t.length - 1] + d.barMs) return -1;
            return lowerBound(d.t, this.highlight + 1) - 1;
          }

          defaultVisible() { return Math.max(30, Math.floor((this.canvas.clientWidth - AXIS_W) / 7)); }

          /** Applies one live bar: replaces the last candle of the same time or appends a newer one. */
          applyLive(bar) {
            const d = this.data;
            if (!d) return;
            const n = d.t.length;
            const atEnd = this.start + this.visible >= n - 0.5;
            if (n > 0 && d.t[n - 1] === bar.t) {
              d.o[n - 1] = bar.o; d.h[n - 1] = bar.h; d.l[n - 1] = bar.l; d.c[n - 1] = bar.c; d.v[n - 1] = bar.v;
            } else if (n === 0 || bar.t > d.t[n - 1]) {
              for (const k of ['t', 'o', 'h', 'l', 'c', 'v']) d[k].push(bar[k]);
              for (const values of Object.values(d.indicators || {})) if (Array.isArray(values)) values.push(null);
              if (atEnd) this.start += 1;
            } else {
              return;
            }
            this.requestDraw();
          }

          scrollTo(t) {
            if (!this.data || t == null) return;
            const i = lowerBound(this.data.t, t);
            this.start = this.clampStart(i - this.visible / 2);
          }

          clampStart(start) {
            const n = this.data ? this.data.t.length : 0;
            return Math.min(Math.max(start, -this.visible * 0.2), Math.max(0, n - this.visible * 0.8));
          }

          pan(bars) { this.start = this.clampStart(this.start + bars); this.requestDraw(); }

          /** Zooms by `factor` (<1 in) keeping the bar under `anchorX` (pixels) in place. */
          zoom(factor, anchorX) {
            if (!this.data) return;
            const width = this.plotWidth();
            const fraction = anchorX == null ? 1 : Math.min(1, Math.max(0, anchorX / width));
            const anchor = this.start + fraction * this.visible;
            const n = this.data.t.length;
            this.visible = Math.min(Math.max(this.visible * factor, 10), Math.max(n * 1.2, 20));
            this.start = this.clampStart(anchor - fraction * this.visible);
            this.requestDraw();
          }

          plotWidth() { return Math.max(10, this.canvas.clientWidth - AXIS_W); }

          /** Bars per drawn point for lines: about two points per pixel, whatever the zoom. */
          lodStep(first, last) { return Math.max(1, Math.floor((last - first) / (this.plotWidth() * 2))); }

          attach() {
            const c = this.canvas;
            let drag = null;
            c.tabIndex = 0;
            c.addEventListener('mousedown', (e) => { drag = { x: e.offsetX, start: this.start }; c.focus(); });
            window.addEventListener('mouseup', () => { drag = null; });
            c.addEventListener('mousemove', (e) => {
              this.mouse = { x: e.offsetX, y: e.offsetY };
              if (drag) {
                const perBar = this.plotWidth() / this.visible;
                this.start = this.clampStart(drag.start - (e.offsetX - drag.x) / perBar);
              }
              this.requestDraw();
            });
            c.addEventListener('mouseleave', () => { this.mouse = null; this.requestDraw(); });
            c.addEventListener('wheel', (e) => {
              e.preventDefault();
              if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) this.pan(e.deltaX / (this.plotWidth() / this.visible));
              else this.zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.offsetX);
            }, { passive: false });
            c.addEventListener('keydown', (e) => {
              const step = Math.max(1, this.visible / 10);
              const keys = {
                ArrowLeft: () => this.pan(-step), ArrowRight: () => this.pan(step),
                ArrowUp: () => this.zoom(1 / 1.25), ArrowDown: () => this.zoom(1.25),
                '+': () => this.zoom(1 / 1.25), '=': () => this.zoom(1 / 1.25), '-': () => this.zoom(1.25),
                Home: () => this.pan(-1e12), End: () => this.pan(1e12),
              };
              if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
            });
            new ResizeObserver(() => this.requestDraw()).observe(c);
          }

          requestDraw() {
            if (this.pending) return;
            this.pending = true;
            requestAnimationFrame(() => { this.pending = false; this.draw(); });
          }

          panes() {
            const height = this.canvas.clientHeight - TIME_H;
            const ind = (this.data && this.data.indicators) || {};
            const lower = [];
            if (this.show.rsi && ind.rsi) lower.push('rsi');
            if (this.show.macd && ind.macd) lower.push('macd');
            const lowerH = lower.length ? Math.round(height * 0.18) : 0;
            const panes = [{ name: 'price', top: 0, height: height - lowerH * lower.length }];
            let top = panes[0].height;
            for (const name of lower) { panes.push({ name, top, height: lowerH }); top += lowerH; }
            return panes;
          }

          /** Columns to draw: one per bar, or when bars outnumber pixels, one aggregate per pixel column. */
          columns(first, last, perBar) {
            const d = this.data;
            const cols = [];
            const stride = perBar >= 1 ? 1 : Math.ceil(1 / perBar);
            const aligned = Math.floor(first / stride) * stride;
            for (let i = Math.max(0, aligned); i <= last; i += stride) {
              const end = Math.min(i + stride - 1, last);
              let hi = -Infinity; let lo = Infinity; let vol = 0;
              for (let j = i; j <= end; j++) {
                if (d.h[j] > hi) hi = d.h[j];
                if (d.l[j] < lo) lo = d.l[j];
                vol += d.v[j];
              }
              cols.push({ i, end, o: d.o[i], c: d.c[end], h: hi, l: lo, v: vol });
            }
            return { cols, stride };
          }

          draw() {
            const began = performance.now();
            const dpr = window.devicePixelRatio || 1;
            const cw = this.canvas.clientWidth;
            const chh = this.canvas.clientHeight;
            if (this.canvas.width !== Math.round(cw * dpr) || this.canvas.height !== Math.round(chh * dpr)) {
              this.canvas.width = Math.round(cw * dpr);
              this.canvas.height = Math.round(chh * dpr);
            }
            const g = this.ctx;
            g.setTransform(dpr, 0, 0, dpr, 0, 0);
            g.fillStyle = '#fff';
            g.fillRect(0, 0, cw, chh);
            const d = this.data;
            const panes = this.panes();
            if (!d || d.t.length === 0) {
              g.fillStyle = AXIS;
              g.font = '14px system-ui, sans-serif';
              g.fillText(d ? 'No bars in this range' : 'Search a symbol', 20, 30);
              this.stats = { candles: 0, markers: 0, frameMs: 0, columns: 0 };
              this.onState(this.state(panes));
              return;
            }
            const width = this.plotWidth();
            const perBar = width / this.visible;
            const n = d.t.length;
            const first = Math.max(0, Math.floor(this.start));
            const last = Math.min(n - 1, Math.ceil(this.start + this.visible));
            const x = (i) => (i - this.start + 0.5) * perBar;
            const { cols, stride } = this.columns(first, last, perBar);
            const price = panes[0];
            const volH = this.show.volume ? price.height * 0.18 : 0;
            let hi = -Infinity; let lo = Infinity; let vmax = 0;
            for (const col of cols) { hi = Math.max(hi, col.h); lo = Math.min(lo, col.l); vmax = Math.max(vmax, col.v); }
            const ind = d.indicators || {};
            if (this.show.bollinger && ind.bollingerUpper) {
              for (let i = first; i <= last; i++) {
                if (ind.bollingerUpper[i] != null) hi = Math.max(hi, ind.bollingerUpper[i]);
                if (ind.bollingerLower[i] != null) lo = Math.min(lo, ind.bollingerLower[i]);
              }
            }
            const pad = (hi - lo) * 0.06 || 1;
            hi += pad; lo -= pad;
            const priceH = price.height - volH - 8;
            const y = (p) => 8 + (hi - p) / (hi - lo) * priceH;
            this.grid(g, price, width, lo, hi, y);
            g.save();
            g.beginPath();
            g.rect(0, 0, width, price.height);
            g.clip();
            if (!d.daily) this.drawSessions(g, cols, x, stride, perBar, price);
            this.drawVolume(g, cols, x, stride, perBar, price, volH, vmax);
            this.drawCandles(g, cols, x, stride, perBar, y);
            this.drawOverlays(g, ind, first, last, x, y);
            this.stats.markers = this.drawMarkers(g, first, last, x, price);
            g.restore();
            for (const pane of panes.slice(1)) this.drawLowerPane(g, pane, ind, first, last, x, width);
            this.drawTimeAxis(g, first, last, x, width, chh);
            if (this.start < 0 && this.onNeedOlder) this.onNeedOlder();
            this.drawCrosshair(g, panes, width, perBar, y, lo, hi);
            if (d.daily) this.stats.extended = 0;
            this.stats.candles = cols.length;
            this.stats.columns = stride;
            this.stats.frameMs = performance.now() - began;
            this.onState(this.state(panes));
          }

          state(panes) {
            return {
              candles: this.stats.candles, markers: this.stats.markers, stride: this.stats.columns,
              extended: this.stats.extended || 0,
              frameMs: this.stats.frameMs.toFixed(2), panes: panes.map((p) => p.name).join(','),
              bars: this.data ? this.data.t.length : 0, visible: Math.round(this.visible),
              firstVisible: Math.max(0, Math.floor(this.start)),
              lastVisible: this.data ? Math.min(this.data.t.length - 1, Math.ceil(this.start + this.visible) - 1) : -1,
              highlightIndex: this.highlightIndex(),
              highlightX: this.stats.highlightX == null ? '' : this.stats.highlightX,
            };
          }

          grid(g, pane, width, lo, hi, y) {
            g.strokeStyle = GRID;
            g.fillStyle = AXIS;
            g.lineWidth = 1;
            g.font = '11px system-ui, sans-serif';
            const step = niceStep((hi - lo) / 6);
            for (let p = Math.ceil(lo / step) * step; p <= hi; p += step) {
              const yy = Math.round(y(p)) + 0.5;
              g.beginPath(); g.moveTo(0, yy); g.lineTo(width, yy); g.stroke();
              g.fillText(formatPrice(p, step), width + 6, yy + 4);
            }
            g.strokeStyle = '#bbb';
            g.beginPath(); g.moveTo(width + 0.5, 0); g.lineTo(width + 0.5, pane.top + pane.height); g.stroke();
          }

          /** Shades pre- and post-market bars (outside 09:30–16:00 New York) on intraday charts. */
          drawSessions(g, cols, x, stride, perBar, pane) {
            g.fillStyle = 'rgba(120,144,156,0.10)';
            let shaded = 0;
            for (const col of cols) {
              const minute = newYorkMinute(this.data.t[col.i]);
              if (minute >= 570 && minute < 960) continue;
              const left = Math.round(x(col.i) - perBar / 2);
              g.fillRect(left, pane.top, Math.round(x(col.end) + perBar / 2) - left, pane.height);
              shaded += 1;
            }
            this.stats.extended = shaded;
          }

          drawVolume(g, cols, x, stride, perBar, pane, volH, vmax) {
            if (!volH || vmax <= 0) return;
            const bottom = pane.top + pane.height;
            const w = Math.max(1, perBar * stride * 0.7);
            for (const col of cols) {
              const h = col.v / vmax * volH;
              g.fillStyle = col.c >= col.o ? 'rgba(38,166,154,0.35)' : 'rgba(239,83,80,0.35)';
              g.fillRect(x((col.i + col.end) / 2) - w / 2, bottom - h, w, h);
            }
          }

          drawCandles(g, cols, x, stride, perBar, y) {
            const w = perBar * stride;
            const body = Math.max(1, Math.min(w * 0.7, 24));
            for (const up of [true, false]) {
              g.fillStyle = up ? UP : DOWN;
              g.strokeStyle = up ? UP : DOWN;
              g.beginPath();
              for (const col of cols) {
                if ((col.c >= col.o) !== up) continue;
                const cx = Math.round(x((col.i + col.end) / 2)) + 0.5;
                g.moveTo(cx, y(col.h)); g.lineTo(cx, y(col.l));
              }
              g.stroke();
              for (const col of cols) {
                if ((col.c >= col.o) !== up) continue;
                const cx = x((col.i + col.end) / 2);
                const top = y(Math.max(col.o, col.c));
                g.fillRect(cx - body / 2, top, body, Math.max(1, y(Math.min(col.o, col.c)) - top));
              }
            }
          }

          drawOverlays(g, ind, first, last, x, y) {
            const line = (values, color, dash) => {
              if (!values) return;
              g.strokeStyle = color; g.lineWidth = 1.3; g.setLineDash(dash || []);
              g.beginPath();
              let drawing = false;
              const step = this.lodStep(first, last);
              for (let i = first; i <= last; i += step) {
                const v = values[i];
                if (v == null) { drawing = false; continue; }
                if (drawing) g.lineTo(x(i), y(v)); else { g.moveTo(x(i), y(v)); drawing = true; }
              }
              g.stroke(); g.setLineDash([]);
            };
            if (this.show.bollinger) {
              line(ind.bollingerUpper, OVERLAY.bollinger, [4, 3]);
              line(ind.bollingerMiddle, OVERLAY.bollinger);
              line(ind.bollingerLower, OVERLAY.bollinger, [4, 3]);
            }
            if (this.show.sma) line(ind.sma, OVERLAY.sma);
            if (this.show.ema) line(ind.ema, OVERLAY.ema);
            if (this.show.vwap) line(ind.vwap, OVERLAY.vwap);
          }

          /** Split (S) and dividend (D) markers at the first bar on or after the ex-date. */
          drawMarkers(g, first, last, x, pane) {
            const t = this.data.t;
            let count = 0;
            this.markerSpots = [];
            const mark = (ms, label, color, text) => {
              const i = lowerBound(t, ms);
              if (i < first || i > last || i >= t.length) return;
              const cx = x(i);
              const by = pane.top + pane.height - 2;
              g.fillStyle = color;
              g.beginPath(); g.moveTo(cx, by - 14); g.lineTo(cx - 7, by); g.lineTo(cx + 7, by); g.closePath(); g.fill();
              g.fillStyle = '#fff'; g.font = 'bold 9px system-ui, sans-serif'; g.fillText(label, cx - 3, by - 3);
              this.markerSpots.push({ x: cx, y: by - 7, text });
              count += 1;
            };
            for (const s of this.actions.splits || []) mark(s.t, 'S', '#3949ab', `Split ${s.to}:${s.from} on ${s.date}`);
            for (const dv of this.actions.dividends || []) mark(dv.t, 'D', '#00897b', `Dividend $${dv.cash} ex ${dv.date}`);
            const i = this.highlightIndex();
            this.stats.highlightX = null;
            if (i >= first && i <= last) {
              const hx = Math.round(x(i));
              g.fillStyle = HIGHLIGHT;
              g.fillRect(hx - 1, pane.top, 3, pane.height);
              this.stats.highlightX = hx;
            }
            return count;
          }

          drawLowerPane(g, pane, ind, first, last, x, width) {
            g.strokeStyle = '#bbb'; g.lineWidth = 1;
            g.beginPath(); g.moveTo(0, pane.top + 0.5); g.lineTo(width + AXIS_W, pane.top + 0.5); g.stroke();
            g.fillStyle = AXIS; g.font = '11px system-ui, sans-serif';
            const series = pane.name === 'rsi' ? [ind.rsi] : [ind.macd, ind.macdSignal, ind.macdHistogram];
            let lo = pane.name === 'rsi' ? 0 : Infinity;
            let hi = pane.name === 'rsi' ? 100 : -Infinity;
            if (pane.name === 'macd') {
              for (const values of series) for (let i = first; i <= last; i++) {
                const v = values[i]; if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
              }
              if (!isFinite(lo)) { lo = -1; hi = 1; }
            }
            const y = (v) => pane.top + 6 + (hi - v) / ((hi - lo) || 1) * (pane.height - 12);
            g.fillText(pane.name === 'rsi' ? `RSI ${ind.rsiPeriod}` : `MACD ${(ind.macdPeriods || []).join(',')}`, 6, pane.top + 14);
            if (pane.name === 'rsi') {
              for (const level of [30, 70]) {
                g.strokeStyle = GRID; g.beginPath(); g.moveTo(0, y(level)); g.lineTo(width, y(level)); g.stroke();
                g.fillText(String(level), width + 6, y(level) + 4);
              }
            } else {
              // One bar per column when zoomed out: the column's largest histogram value by magnitude.
              const hist = ind.macdHistogram;
              const step = this.lodStep(first, last);
              const w = Math.max(1, width / this.visible * step * 0.6);
              for (const positive of [true, false]) {
                g.fillStyle = positive ? 'rgba(38,166,154,0.6)' : 'rgba(239,83,80,0.6)';
                for (let i = first; i <= last; i += step) {
                  let v = null;
                  for (let j = i; j < Math.min(i + step, last + 1); j++) {
                    if (hist[j] != null && (v == null || Math.abs(hist[j]) > Math.abs(v))) v = hist[j];
                  }
                  if (v == null || (v >= 0) !== positive) continue;
                  g.fillRect(x(i) - w / 2, Math.min(y(0), y(v)), w, Math.abs(y(v) - y(0)));
                }
              }
              g.fillStyle = AXIS;
              g.fillText(formatPrice(hi, (hi - lo) / 4), width + 6, pane.top + 14);
              g.fillText(formatPrice(lo, (hi - lo) / 4), width + 6, pane.top + pane.height - 4);
            }
            const lines = pane.name === 'rsi' ? [[ind.rsi, '#7e57c2']] : [[ind.macd, '#1e88e5'], [ind.macdSignal, '#fb8c00']];
            const step = this.lodStep(first, last);
            for (const [values, color] of lines) {
              g.strokeStyle = color; g.lineWidth = 1.2; g.beginPath();
              let drawing = false;
              for (let i = first; i <= last; i += step) {
                const v = values[i];
                if (v == null) { drawing = false; continue; }
                if (drawing) g.lineTo(x(i), y(v)); else { g.moveTo(x(i), y(v)); drawing = true; }
              }
              g.stroke();
            }
          }

          drawTimeAxis(g, first, last, x, width, height) {
            const t = this.data.t;
            g.fillStyle = AXIS; g.font = '11px system-ui, sans-serif';
            g.strokeStyle = '#bbb';
            g.beginPath(); g.moveTo(0, height - TIME_H + 0.5); g.lineTo(width + AXIS_W, height - TIME_H + 0.5); g.stroke();
            const every = Math.max(1, Math.ceil((last - first + 1) / Math.max(1, Math.floor(width / 130))));
            for (let i = Math.ceil(first / every) * every; i <= last; i += every) {
              g.fillText(formatTime(t[i], this.data.daily), x(i) - 40, height - 6);
            }
          }

          drawCrosshair(g, panes, width, perBar, y, lo, hi) {
            if (!this.mouse || this.mouse.x > width) { this.readout(null); return; }
            const d = this.data;
            const i = Math.round(this.start + this.mouse.x / perBar - 0.5);
            g.strokeStyle = 'rgba(0,0,0,0.45)'; g.setLineDash([3, 3]); g.lineWidth = 1;
            g.beginPath(); g.moveTo(this.mouse.x + 0.5, 0); g.lineTo(this.mouse.x + 0.5, this.canvas.clientHeight - TIME_H);
            g.moveTo(0, this.mouse.y + 0.5); g.lineTo(width, this.mouse.y + 0.5); g.stroke(); g.setLineDash([]);
            if (this.mouse.y < panes[0].height) {
              const p = hi - (this.mouse.y - 8) / (panes[0].height * 0.82 - 8) * (hi - lo);
              g.fillStyle = '#333'; g.fillRect(width, this.mouse.y - 8, AXIS_W, 16);
              g.fillStyle = '#fff'; g.fillText(formatPrice(p, (hi - lo) / 50), width + 4, this.mouse.y + 4);
            }
            const spot = (this.markerSpots || []).find((m) => Math.abs(m.x - this.mouse.x) < 8 && Math.abs(m.y - this.mouse.y) < 10);
            if (i < 0 || i >= d.t.length) { this.readout(spot ? { marker: spot.text } : null); return; }
            this.readout({ i, t: d.t[i], o: d.o[i], h: d.h[i], l: d.l[i], c: d.c[i], v: d.v[i], marker: spot && spot.text });
          }

          readout(bar) { this.onReadout && this.onReadout(bar); }
        }

        const offsets = new Map();
        const offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'longOffset' });

        /** Minutes after New York midnight of `ms`; the UTC offset is looked up once per UTC day. */
        export function newYorkMinute(ms) {
          const day = Math.floor(ms / 86400000);
          let offset = offsets.get(day);
          if (offset === undefined) {
            // At 12:00 UTC New York is already on that day's offset (DST changes at 2:00 local, 6:00/7:00 UTC).
            const name = offsetFormat.formatToParts(new Date(day * 86400000 + 43200000)).find((p) => p.type === 'timeZoneName');
            const match = /GMT([+-])(\d\d):(\d\d)/.exec(name ? name.value : '');
            offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : -300;
            offsets.set(day, offset);
          }
          return ((Math.floor(ms / 60000) + offset) % 1440 + 1440) % 1440;
        }

        function niceStep(raw) {
          const power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
          for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power) return m * power;
          return 10 * power;
        }

        export function formatPrice(p, step) {
          const digits = step >= 1 ? 2 : Math.min(6, Math.max(2, Math.ceil(-Math.log10(step || 1)) + 1));
          return Number(p).toFixed(digits);
        }
        """#
}
