extension PageAssets {
    /// `api.js`: JSON requests and the live WebSocket with reconnects.
    static let apiJS = #"""
        // The gui's JSON API; the token (if any) travels in the gui_token cookie set by /?token=….
        export async function getJSON(path, params) {
          const query = new URLSearchParams();
          for (const [key, value] of Object.entries(params || {})) {
            if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
          }
          const response = await fetch(query.size ? `${path}?${query}` : path, { credentials: 'same-origin' });
          const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
          if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
          return body;
        }

        /** Opens the live socket for a chart; `onBar` gets each bar frame. Returns a close function. */
        export function openLive(params, onBar, onStatus, onStored) {
          const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
          const query = new URLSearchParams(params);
          let socket = null;
          let closed = false;
          let retry = 500;
          const connect = () => {
            socket = new WebSocket(`${scheme}://${location.host}/api/live?${query}`);
            socket.onmessage = (event) => {
              const frame = JSON.parse(event.data);
              if (frame.type === 'hello') { retry = 500; onStatus(frame.live ? 'live' : 'no bus'); }
              if (frame.type === 'bar') onBar(frame);
              if (frame.type === 'stored' && onStored) onStored(frame);
            };
            socket.onclose = () => {
              if (closed) return;
              onStatus('reconnecting');
              setTimeout(connect, retry);
              retry = Math.min(retry * 2, 10000);
            };
          };
          connect();
          return () => { closed = true; if (socket) socket.close(); };
        }
        """#
}
