"""gunicorn settings: the one place the web server is configured (Dockerfile and docker-compose.yml
run ``gunicorn -c gunicorn.conf.py bmis.wsgi``).

Access log: no query strings and no referrer. Name searches travel in query strings
(``/watchlists/<code>/?q=<name>``, ``/api/v1/watchlists/<code>/persons?q=<name>``), and the
referrer is the previous page's full URL, query included. ``%(U)s`` is the path alone (``%(r)s``,
the default's request line, and ``%(q)s`` would log the query). The response's X-Request-ID ties
a line to the application's log.
"""

import os

bind = os.environ.get("BMIS_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("BMIS_WEB_WORKERS", "4"))
timeout = 60
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
