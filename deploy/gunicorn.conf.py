"""gunicorn settings, one file for `make serve`, the systemd unit, the Procfile and bench/load.sh.

Every value can be changed from the environment; the defaults suit one machine with gunicorn facing clients
directly or behind a reverse proxy.
"""

import logging
import os
import sys

from gunicorn.glogging import Logger

from config.logs import JsonFormatter

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Sync workers, two per core and one more (gunicorn's advice): a request is mostly Python, which runs one thread
# at a time in a process, so threads in one process queue for it, and a thread back from PostgreSQL or Redis
# waits behind the busy ones. bench/load.sh on 2 cores: 5 sync processes served the verification page at 504
# requests/s (p99 122 ms) where 2 processes x 8 threads served 296 (p99 273 ms). A sync worker is held by a
# slow client, so clients reach it through a buffering proxy (nginx, deploy/README.md); WEB_THREADS > 1 gives
# threaded workers, which can face clients directly.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# Requests are short: batch printing, workbooks and big imports run in the task worker. A PDF render can take
# seconds, an upload of IMPORT_MAX_UPLOAD_MB over a slow line longer.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, a safety net should its memory grow (certificate rendering was
# measured flat). Rarely: a new worker imports the application, and requests queued on the old one wait meanwhile.
max_requests = 50000
max_requests_jitter = 5000
# Each worker imports the application itself (no preload_app), so a HUP (`systemctl reload`) after an upgrade
# starts workers running the new code while the old ones finish their requests.
preload_app = False


class JsonLogger(Logger):
    """gunicorn's own lines (workers starting, timeouts) in the application's JSON format, on stdout."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                handler.setStream(sys.stdout)


# The application logs one line per request with its id (config/middleware.py), so no access log here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = JsonLogger

# X-Forwarded-Proto is trusted from these addresses only (gunicorn's own setting; the default is the local host,
# where a reverse proxy on the same machine connects from).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's runtime control socket is one path per user; several servers on one machine (make serve and the
# benchmark) would fight over it, and nothing here uses it.
control_socket_disable = True
