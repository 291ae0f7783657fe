"""Gunicorn settings for ToolCRM's web tier.

Started by deploy/systemd/toolcrm-web.service as
``gunicorn --config deploy/gunicorn.conf.py``, behind nginx (deploy/nginx/toolcrm.conf) on the same
machine. Each value can be tuned from the environment file without editing this one.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "toolcrm.wsgi:application"

# nginx proxies to this address; never expose gunicorn directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads let a worker overlap database waits; processes use the cores. WEB_CONCURRENCY is the
# conventional knob (Heroku, Render, Dokku) for the process count.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request slower than this is a bug or a job for a background task; kill the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak never grows into an outage.
max_requests = 2000
max_requests_jitter = 200

# Heartbeat files in RAM: a disk stall must not look like a hung worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Only the local nginx may tell us the original scheme (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Django's RequestLogMiddleware writes one structured line per request, so gunicorn's own access
# log would only duplicate it; errors and worker life-cycle still go to stderr (the journal).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = True

proc_name = "toolcrm-web"
