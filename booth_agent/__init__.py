"""The booth agent: a small program on the booth PC (or a field gateway) that bridges local devices
(document readers, fingerprint scanners, cameras, IP cameras' ONVIF events) to the BMIS device API.

Plain Python, no Django: events are queued on disk (`queue`), sent in order with retries and
idempotent `event_id`s (`sender`), read from devices by `sources`, and played by the `simulator`.
Run `python -m booth_agent --help`.
"""

__version__ = "0.1.0"
