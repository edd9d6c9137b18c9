# BMIS production image: the web app (gunicorn), Celery workers and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VENV=/opt/venv PATH=/opt/venv/bin:$PATH \
    BMIS_DEBUG=false BMIS_VAR_DIR=/var/lib/bmis BMIS_MEDIA_ROOT=/var/lib/bmis/media

# make: the Makefile is the one place that knows how to install the dependencies;
# libgomp1/libopenblas0: runtime libraries of faiss-cpu and dlib-bin; gettext: compilemessages.
RUN apt-get update && apt-get install -y --no-install-recommends make libgomp1 libopenblas0 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt Makefile ./
RUN make deps VENV=/opt/venv PYTHON=python3.11

COPY . .
# Build-time placeholders only (the settings refuse to start without keys when DEBUG is off); the
# running containers get theirs from docker secrets.
RUN export BMIS_SECRET_KEY=build-only-secret-key-not-used-at-run-time-0123456789 \
           BMIS_AUDIT_KEY=build-only-audit-key-not-used-at-run-time-0123456789 \
 && python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore "/opt/venv/*" \
 && useradd --system --uid 10001 --home /var/lib/bmis bmis \
 && mkdir -p /var/lib/bmis/media /var/lib/bmis/anchors && chown -R bmis /var/lib/bmis

USER bmis
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "bmis.wsgi"]
