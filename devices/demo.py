"""Demo devices for `manage.py seed_demo`: readers, cameras and scanners at Baghdad airport's
arrival booths and Zurbatiyah, green-border sectors along the Iran and Syria borders with
thermal cameras, and patrol handsets. Their credentials are fixed demo values (like the demo
partner token), written to `$BMIS_VAR_DIR/demo-devices.json` for the booth agent's simulator.
Idempotent. The sectors follow Natural Earth's border line (1:10m), not a survey."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import transaction

from accounts.tokens import hash_secret
from audit.services import audit_log
from core.models import Booth, BorderPost, Sector
from devices.credentials import split_credential
from devices.models import Device, DeviceCredential
from devices.services.registry import device_register

SECTORS = [
    # code, post, name, Arabic name, border line ([lon, lat] ...), along Natural Earth's border line
    # (incidents/static/incidents/iraq-borders.geojson)
    ("ZRB-S1", "ZRB", "Zurbatiyah - Mehran line", "خط زرباطية - مهران",
     [[46.111, 33.294], [46.165, 33.244], [46.158, 33.213], [46.176, 33.181], [46.126, 33.132], [46.090, 33.115],
      [46.050, 33.115], [46.028, 33.093]]),
    ("QAIM-N", "QAIM", "Al-Qaim north (Euphrates to Husaybah)", "القائم الشمالي",
     [[41.197, 34.768], [41.110, 34.630], [41.024, 34.495], [40.988, 34.429]]),
    ("QAIM-S", "QAIM", "Al-Qaim south (desert line)", "القائم الجنوبي",
     [[40.988, 34.429], [40.967, 34.402], [40.938, 34.387], [40.689, 34.331], [40.545, 34.258]]),
]

DEVICES = [
    # code, kind, post, booth, sector, vendor, model, lat, lon
    ("BGW-A1-READER", "document_reader", "BGW", "A1", None, "Regula", "7028M", None, None),
    ("BGW-A1-CAM", "face_camera", "BGW", "A1", None, "Logitech", "Brio 4K", None, None),
    ("BGW-A1-FP", "fingerprint_scanner", "BGW", "A1", None, "Integrated Biometrics", "Kojak", None, None),
    ("BGW-A2-READER", "document_reader", "BGW", "A2", None, "Regula", "7028M", None, None),
    ("ZRB-P1-READER", "document_reader", "ZRB", "P1", None, "Access-IS", "ATOM", None, None),
    ("ZRB-TC1", "thermal_camera", "ZRB", None, "ZRB-S1", "FLIR", "Ranger HRC-U", 33.160, 46.120),
    ("QAIM-TC1", "thermal_camera", "QAIM", None, "QAIM-N", "FLIR", "Ranger HRC-U", 34.600, 41.120),
    ("QAIM-TC2", "thermal_camera", "QAIM", None, "QAIM-S", "Hikvision", "DS-2TD6267", 34.310, 40.720),
    ("QAIM-PTZ1", "surveillance_camera", "QAIM", None, "QAIM-S", "Axis", "Q6318-LE", 34.405, 40.985),
    ("QAIM-HS1", "patrol_handset", "QAIM", None, None, "Motorola", "MXP600", None, None),
    ("QAIM-HS2", "patrol_handset", "QAIM", None, None, "Motorola", "MXP600", None, None),
    ("ZRB-HS1", "patrol_handset", "ZRB", None, None, "Motorola", "MXP600", None, None),
]


def demo_credential(number: int) -> str:
    """Fixed demo credentials, valid across runs. Demo only (seed_demo is refused in production)."""
    return f"bmisdev_de{number:010x}_DemoOnlyDeviceCredential_NotForProduction"


def seed(stdout) -> None:
    posts = {post.code: post for post in BorderPost.objects.filter(code__in={"BGW", "ZRB", "QAIM"})}
    if len(posts) < 3:
        stdout.write("devices: core demo data missing, skipped")
        return
    created = 0
    with transaction.atomic():
        for code, post, name, local, line in SECTORS:
            if not Sector.objects.filter(code=code).exists():
                sector = Sector(code=code, post=posts[post], name=name, name_local=local,
                                geometry={"type": "LineString", "coordinates": line}, buffer_m=4000)
                sector.full_clean()
                sector.save()
                audit_log(actor=None, action="sector.create", obj=sector, metadata={"via": "seed_demo"})
                created += 1
        listing = []
        for number, (code, kind, post, booth, sector, vendor, model, lat, lon) in enumerate(DEVICES, start=1):
            raw = demo_credential(number)
            device = Device.objects.filter(code=code).first()
            if device is None:
                device, _issued = device_register(
                    actor=None, code=code, kind=kind, post=posts[post],
                    booth=Booth.objects.get(post=posts[post], code=booth) if booth else None,
                    sector=Sector.objects.get(code=sector) if sector else None,
                    vendor=vendor, model=model, latitude=lat, longitude=lon,
                )
                # The issued credential is replaced by the fixed demo one.
                device.credentials.all().delete()
                key_id, secret = split_credential(raw)
                DeviceCredential.objects.create(device=device, key_id=key_id, secret_hash=hash_secret(secret))
                created += 1
            listing.append({"code": code, "kind": kind, "post": post, "booth": booth, "sector": sector,
                            "latitude": lat, "longitude": lon, "credential": raw})
    path = settings.VAR_DIR / "demo-devices.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"devices": listing, "sectors": [
        {"code": c, "post": p, "name": n, "line": line} for c, p, n, _l, line in SECTORS]}, indent=2))
    stdout.write(f"devices: {created} demo sectors and devices created; credentials in {path}")
