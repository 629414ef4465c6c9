"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be overridden with the usual GUNICORN_CMD_ARGS or the variables below.
Scale out by raising WEB_CONCURRENCY or running more hosts behind the load balancer.

gunicorn listens on the loopback interface unless told otherwise: the TLS proxy in front of it
runs on the same host. Where the proxy reaches it over the network (another host, a container
platform), set GUNICORN_BIND, e.g. GUNICORN_BIND=0.0.0.0:8000.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
