"""A supervisor's wallboard: the centre's real-time figures as a page that refreshes itself.

``GET /`` is the page; ``GET /wallboard.json`` the figures it polls every
second (``?refresh=500`` polls faster): per queue, the contacts waiting and
ringing, the longest wait and the members by state; per agent, the state and
the time in it, from :meth:`callcore.center.ContactCenter.wallboard` (the
ACD's statistics query). It needs nothing beyond the standard library: a host
with its own web framework serves :func:`page` and :func:`figures` from two
routes instead.

Run ``python examples/wallboard_app.py --serve`` and open http://127.0.0.1:8000/;
run as a plain script, it serves on a free port, lets one call arrive, reads
the figures back over HTTP and stops.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from callcore.center import ContactCenter, load_center
from callcore.clock import Clock, ManualClock
from callcore.ivr import Digits

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Wallboard</title>
<style>
 body { font: 16px system-ui, sans-serif; margin: 1.5em; background: #f7f7f9; color: #222; }
 h1 { font-size: 1.4em; margin: 0 0 .2em; } p.now { color: #666; margin: 0 0 1em; }
 table { border-collapse: collapse; margin-bottom: 1.5em; background: #fff; }
 th, td { border: 1px solid #ccd; padding: .35em .8em; text-align: right; }
 th:first-child, td:first-child { text-align: left; }
 th { background: #e8ebf3; } td.alert { background: #fde2e1; font-weight: bold; }
</style></head>
<body>
<h1>Wallboard</h1><p class="now">as of <span id="now">…</span></p>
<table id="queues"><thead><tr><th>queue</th><th>waiting</th><th>ringing</th>
<th>longest wait (s)</th><th>available</th><th>busy</th><th>wrap-up</th><th>not ready</th>
</tr></thead><tbody></tbody></table>
<table id="agents"><thead><tr><th>agent</th><th>state</th><th>in state (s)</th></tr></thead>
<tbody></tbody></table>
<script>
const refresh = Number(new URLSearchParams(location.search).get("refresh")) || 1000;
function cell(row, text, id, alert) {
  const td = row.insertCell(); td.textContent = text; if (id) td.id = id;
  if (alert) td.className = "alert";
}
async function update() {
  const board = await (await fetch("wallboard.json", {cache: "no-store"})).json();
  document.getElementById("now").textContent = board.now;
  const queues = document.querySelector("#queues tbody"); queues.replaceChildren();
  for (const q of board.queues) {
    const row = queues.insertRow(); row.id = "queue-" + q.queue;
    cell(row, q.queue);
    cell(row, q.waiting, "q-" + q.queue + "-waiting", q.waiting > 0);
    cell(row, q.ringing, "q-" + q.queue + "-ringing");
    cell(row, q.longest_wait, "q-" + q.queue + "-longest");
    for (const key of ["available", "busy", "wrap_up", "not_ready"])
      cell(row, q[key], "q-" + q.queue + "-" + key);
  }
  const agents = document.querySelector("#agents tbody"); agents.replaceChildren();
  for (const a of board.agents) {
    const row = agents.insertRow(); row.id = "agent-" + a.agent;
    cell(row, a.agent); cell(row, a.state, "a-" + a.agent + "-state");
    cell(row, a.seconds_in_state ?? "");
  }
}
update(); setInterval(update, refresh);
</script></body></html>
"""


def page() -> str:
    """The wallboard page (HTML with the script that polls ``wallboard.json``)."""
    return PAGE


def figures(center: ContactCenter) -> dict[str, Any]:
    """The figures the page shows, as JSON-able data."""
    board = center.wallboard()
    return {
        "now": board.now.isoformat(timespec="seconds"),
        "queues": [
            {
                "queue": q.queue,
                "waiting": q.waiting,
                "ringing": q.offered,
                "longest_wait": round(q.longest_wait.total_seconds()),
                "available": q.available,
                "busy": q.busy + q.reserved,
                "wrap_up": q.wrap_up,
                "not_ready": q.not_ready,
            }
            for q in board.queues
        ],
        "agents": [
            {
                "agent": a.agent_id,
                "state": a.state.value,
                "seconds_in_state": None
                if a.time_in_state is None
                else round(a.time_in_state.total_seconds()),
            }
            for a in board.agents
        ],
    }


def server(center: ContactCenter, port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server of the wallboard on 127.0.0.1 (``port`` 0: a free one); not started."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.partition("?")[0]
            if path == "/":
                self._send(page().encode(), "text/html; charset=utf-8")
            elif path == "/wallboard.json":
                self._send(json.dumps(figures(center)).encode(), "application/json")
            else:
                self.send_error(404)

        def _send(self, body: bytes, media_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401
            """Stay quiet: the centre logs what matters."""

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def demo_center(clock: Clock | None = None) -> ContactCenter:
    """The example centre (``examples/center.yaml``), open for business, with a1 logged in.

    Args:
        clock: The centre's clock (default: a manual one on a Monday at 10:00
            in Bucharest, inside the flow's office hours).
    """
    if clock is None:
        clock = ManualClock(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc))
    center = load_center(Path(__file__).with_name("center.yaml"), clock=clock)
    center.agent_logged_in("a1")
    return center


def main() -> None:
    """Serve the wallboard; as a plain script, show one call arriving and stop."""
    center = demo_center()
    if "--serve" in sys.argv:
        with server(center, 8000) as httpd:
            print("wallboard on http://127.0.0.1:8000/")
            httpd.serve_forever()
        return
    with server(center) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/wallboard.json"

        def waiting() -> dict[str, int]:
            with urllib.request.urlopen(url, timeout=10) as answer:
                board = json.load(answer)
            return {q["queue"]: q["waiting"] + q["ringing"] for q in board["queues"]}

        print("before the call:", waiting())
        center.inbound_call(caller="+40721234567", dialled="+40213004000", contact_id="CA1")
        center.caller_input("CA1", Digits("2"))  # technical support
        print("a call for support:", waiting())
        httpd.shutdown()


if __name__ == "__main__":
    main()
