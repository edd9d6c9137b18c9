"""Celery tasks of the biometrics app (queue `biometrics`). Celery's autodiscovery imports this
package; each submodule registers its tasks."""

from biometrics.tasks import face, fingerprint  # noqa: F401
