"""A small application for the local task runner's tests: what `local_app_command` runs.

It listens on 127.0.0.1:$PORT; its health path answers $TASK_APP_HEALTH_STATUS (200); other paths
answer 200 and print a line naming the path. At start it writes the environment variables named
in $TASK_APP_RECORD (and its pid) to $TASK_APP_DIR/<PORT>.json, so a test can read what it was
given without any secret reaching a log line.
"""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORT = int(os.environ["PORT"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            status = int(os.environ.get("TASK_APP_HEALTH_STATUS", "200"))
        else:
            status = 200
            print(f"task-app on {PORT} served {self.path}", flush=True)
        body = f"{status}\n".encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
record = {name: os.environ.get(name) for name in os.environ.get("TASK_APP_RECORD", "").split(",") if name}
record["pid"] = os.getpid()
directory = Path(os.environ["TASK_APP_DIR"])
directory.mkdir(parents=True, exist_ok=True)
(directory / f"{PORT}.json").write_text(json.dumps(record))
print(f"task-app listening on {PORT}", flush=True)
server.serve_forever()
