"""Write the synthetic data set of the reference registry: ``python -m registry_service.generate``.

A few hundred invented Iraqi citizens (seeded, so the file is reproducible): a 12-digit national
ID number, names in Arabic and in Latin letters (given name, father's and grandfather's names and,
for most, a family name), date and place of birth, sex, alive or deceased, and for some a small
generated face image (a flat-coloured PNG standing for a photograph; no real face). The names are
common first names and family names combined at random: no real person is described.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "citizens.json"

MALE = [
    ("محمد", "MOHAMMED"), ("أحمد", "AHMED"), ("علي", "ALI"), ("حسين", "HUSSEIN"), ("حسن", "HASSAN"),
    ("عمر", "OMAR"), ("مصطفى", "MUSTAFA"), ("يوسف", "YOUSIF"), ("كريم", "KAREEM"), ("زيد", "ZAID"),
    ("عباس", "ABBAS"), ("سعد", "SAAD"), ("خالد", "KHALID"), ("ابراهيم", "IBRAHIM"), ("جاسم", "JASSIM"),
    ("حيدر", "HAIDER"), ("مهدي", "MAHDI"), ("سلمان", "SALMAN"), ("فاضل", "FADHIL"), ("كاظم", "KADHIM"),
    ("قاسم", "QASIM"), ("رعد", "RAAD"), ("ياسر", "YASIR"), ("محمود", "MAHMOUD"), ("نبيل", "NABIL"),
]
FEMALE = [
    ("فاطمة", "FATIMA"), ("زينب", "ZAINAB"), ("مريم", "MARYAM"), ("نور", "NOOR"), ("سارة", "SARA"),
    ("هدى", "HUDA"), ("رقية", "RUQAYA"), ("آمنة", "AMNA"), ("شيماء", "SHAIMAA"), ("دعاء", "DUAA"),
    ("سجى", "SAJA"), ("رنا", "RANA"), ("ليلى", "LAYLA"), ("هبة", "HIBA"), ("إسراء", "ISRAA"),
]
FAMILIES = [
    ("الجبوري", "AL JUBOURI"), ("التميمي", "AL TAMIMI"), ("الدليمي", "AL DULAIMI"), ("العبيدي", "AL OBAIDI"),
    ("الساعدي", "AL SAADI"), ("الخفاجي", "AL KHAFAJI"), ("الربيعي", "AL RUBAIE"), ("الزبيدي", "AL ZUBAIDI"),
    ("البياتي", "AL BAYATI"), ("الشمري", "AL SHAMMARI"), ("الكعبي", "AL KAABI"), ("الموسوي", "AL MOUSAWI"),
    ("الحسيني", "AL HUSSAINI"), ("العزاوي", "AL AZZAWI"), ("الجنابي", "AL JANABI"), ("اللامي", "AL LAMI"),
]
PLACES = [
    ("بغداد", "BAGHDAD"), ("البصرة", "BASRA"), ("الموصل", "MOSUL"), ("أربيل", "ERBIL"), ("النجف", "NAJAF"),
    ("كربلاء", "KARBALA"), ("كركوك", "KIRKUK"), ("السليمانية", "SULAYMANIYAH"), ("الحلة", "HILLA"),
    ("الناصرية", "NASIRIYAH"), ("العمارة", "AMARAH"), ("الرمادي", "RAMADI"), ("بعقوبة", "BAQUBAH"),
    ("الكوت", "KUT"), ("دهوك", "DUHOK"), ("سامراء", "SAMARRA"),
]


def _png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """A tiny flat-coloured PNG (stdlib only)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def citizens(count: int = 300, seed: int = 20261203) -> list[dict]:
    rng = random.Random(seed)
    seen: set[str] = set()
    people = []
    while len(people) < count:
        number = str(rng.randint(1, 2)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
        if number in seen:
            continue
        seen.add(number)
        sex = rng.choice("MF")
        given = rng.choice(MALE if sex == "M" else FEMALE)
        father, grandfather = rng.choice(MALE), rng.choice(MALE)
        family = rng.choice(FAMILIES) if rng.random() < 0.85 else None
        # The card's Latin surname is the family name, or the grandfather's name without one.
        surname = family or grandfather
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 365 * 66))
        place = rng.choice(PLACES)
        name_ar = " ".join(p[0] for p in (given, father, grandfather, family) if p)
        people.append({
            "national_id": number,
            "name_ar": name_ar,
            "surname_ar": surname[0],
            "given_names_ar": f"{given[0]} {father[0]}",
            "surname_latin": surname[1],
            "given_names_latin": f"{given[1]} {father[1]}",
            "father_name_latin": father[1],
            "grandfather_name_latin": grandfather[1],
            "date_of_birth": born.isoformat(),
            "sex": sex,
            "place_of_birth_ar": place[0],
            "place_of_birth_latin": place[1],
            "status": "deceased" if rng.random() < 0.04 else "alive",
            "face_image": (
                base64.b64encode(_png((rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)))).decode()
                if rng.random() < 0.2 else None
            ),
        })
    return people


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args(argv)
    data = {"synthetic": True, "generator": "registry_service/generate.py", "seed": args.seed,
            "citizens": citizens(args.count, args.seed)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data['citizens'])} synthetic citizens to {args.out}")


if __name__ == "__main__":
    main()
