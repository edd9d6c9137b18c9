"""A reference civil-registry service: its own process, its own synthetic data, no Django.

BMIS talks to a national civil registry through ``travelers.civil_registry``; this small service
answers that adapter's HTTP/JSON protocol so the integration is tested against a real service.
Run it with ``python -m registry_service --port 8010 --data registry_service/data/citizens.json``.
The data set is synthetic (``registry_service/generate.py``): no real person is in it.
"""
