"""A synthetic watchlist of realistic person entries (for bench/screening.py).

Name parts are drawn from Arabic, Kurdish, Persian, Turkish and Western name
lists, each name with the spellings it really has in Latin script (and its
Arabic-script form where it has one). Entries are built the way Iraqi and
regional lists hold them: given name + father + grandfather (+ tribe or
family name), some written in Arabic script, some with an alias, with full,
year-only or 1-January dates of birth, nationalities and gender. Persian
and Turkish names carry a family name (Iranian and Turkish documents do),
Western names draw on ~40 given and ~85 family names: with only 15 of each
(the first version of this file) one Western full name recurred ~440 times
per million entries, far denser than any real list.

Deterministic for a given seed. No real person is described.
"""

from __future__ import annotations

import random

VERSION = 2
"""Bumped whenever the generated list changes, so stored copies (bench/screening_db.py) are reloaded."""

# Each name: spellings separated by "|"; an Arabic-script form, if any, last
# after "=".
ARABIC_MALE = """
Mohammed|Muhammad|Mohamed|Mohammad|Muhammed|Mohamad=محمد
Ahmed|Ahmad|Ahmet=أحمد
Ali|Aly=علي
Hussein|Husayn|Hussain|Hossein|Husain=حسين
Hassan|Hasan=حسن
Mahmoud|Mahmud|Mahmood|Mahmut=محمود
Mustafa|Moustafa|Mostafa|Mustapha=مصطفى
Ibrahim|Ebrahim|Ibraheem=إبراهيم
Khalid|Khaled|Khalied=خالد
Omar|Umar|Omer=عمر
Abdullah|Abdallah|Abd Allah|Abdulla=عبد الله
Abdulrahman|Abdelrahman|Abd al-Rahman|Abdul Rahman=عبد الرحمن
Abdulaziz|Abdelaziz|Abd al-Aziz=عبد العزيز
Abdulkarim|Abdelkarim|Abd al-Karim=عبد الكريم
Yousef|Youssef|Yusuf|Yousif|Yosef=يوسف
Ismail|Ismael|Esmail=إسماعيل
Tariq|Tarek|Tareq|Tarik=طارق
Saad|Sa'ad|Saed=سعد
Said|Saeed|Sayed|Saied=سعيد
Jamal|Gamal|Jamaal=جمال
Kamal|Kamaal=كمال
Karim|Kareem|Kerim=كريم
Kadhim|Kazim|Kathim|Kazem=كاظم
Jasim|Jassim|Jasem=جاسم
Qasim|Kassim|Qassem|Kasim=قاسم
Hamid|Hameed|Hamed=حميد
Hamad|Hamed=حمد
Majid|Majeed|Maged=ماجد
Rashid|Rasheed|Rachid=رشيد
Salim|Saleem|Selim=سليم
Salih|Saleh|Salah=صالح
Nasser|Nasir|Naser=ناصر
Yasser|Yasir|Yaser=ياسر
Adnan|Adnane=عدنان
Firas|Feras=فراس
Faris|Fares=فارس
Haider|Hayder|Haidar=حيدر
Ammar|Amar=عمار
Amer|Aamer|Amir=عامر
Uday|Odai|Udai=عدي
Qusay|Qusai|Kusay=قصي
Laith|Layth|Leith=ليث
Sajjad|Sajad=سجاد
Mustafa|Mostafa=مصطفى
Walid|Waleed|Oualid=وليد
Ziad|Ziyad|Zeyad=زياد
Haitham|Haytham|Haisam=هيثم
Othman|Uthman|Osman=عثمان
Munther|Mundhir|Munzir=منذر
Fadhil|Fadel|Fadil|Fazil=فاضل
Raed|Raid=رائد
Raad|Ra'ad=رعد
Basim|Bassem|Basem=باسم
Sabah|Sabbah=صباح
Jabbar|Jabar=جبار
Jaber|Jabir=جابر
Khalil|Khaleel|Halil=خليل
Abbas|Abas=عباس
Hamza|Hamzah=حمزة
Shakir|Shaker|Sakir=شاكر
Shawqi|Shawki|Chawki=شوقي
Nabil|Nabeel=نبيل
Nizar|Nezar=نزار
Samir|Sameer=سمير
Munir|Muneer=منير
Bilal|Belal=بلال
Anas|Anass=أنس
Osama|Usama|Oussama=أسامة
Taha|Tahaa=طه
Yahya|Yehia|Yahia=يحيى
Zakaria|Zakariya|Zakaria=زكريا
Suleiman|Sulaiman|Sleiman|Suleyman=سليمان
Dawood|Dawud|Daoud|Davud=داود
Idris|Idrees=إدريس
Jawad|Javad=جواد
Mahdi|Mehdi=مهدي
Murtadha|Murtada|Mortaza=مرتضى
Mujtaba|Mojtaba=مجتبى
Hadi|Hady=هادي
Fadi|Fady=فادي
Rami|Ramy=رامي
Sami|Samy=سامي
Wael|Wail=وائل
Nawaf|Nawwaf=نواف
Faisal|Faysal|Faycal=فيصل
Talal|Tallal=طلال
Zaid|Zayd|Zeid=زيد
Ayman|Aiman=أيمن
Ihsan|Ehsan=إحسان
Riyadh|Riad|Riyad=رياض
Ghazi|Ghazy|Gazi=غازي
Naji|Nagi=ناجي
Muhsin|Mohsen|Mohsin=محسن
Jalal|Galal=جلال
Akram|Akrem=أكرم
Hisham|Hicham|Hesham=هشام
Ghassan|Gassan=غسان
Tawfiq|Tawfik|Toufic=توفيق
Sadiq|Sadek|Sadik=صادق
Mundher|Munther=منذر
Dhiya|Diaa|Dia=ضياء
Ziyad|Ziad=زياد
Kifah|Kefah=كفاح
Wisam|Wissam|Wesam=وسام
Sattar|Satar=ستار
Ghanim|Ghanem=غانم
Khudhair|Khudair|Khodair=خضير
Obaid|Ubaid|Obeid=عبيد
Abdulhadi|Abdelhadi|Abd al-Hadi=عبد الهادي
Abdulwahab|Abdelwahab|Abd al-Wahhab=عبد الوهاب
Salahuddin|Salah al-Din|Salaheddine=صلاح الدين
Nasrallah|Nasrullah=نصر الله
Abu Bakr|Abubakr|Abou Bakr=أبو بكر
""".strip().splitlines()

ARABIC_FEMALE = """
Fatima|Fatimah|Fatma=فاطمة
Zainab|Zeinab|Zaynab=زينب
Maryam|Mariam|Meryem=مريم
Aisha|Aysha|Aicha=عائشة
Huda|Hoda=هدى
Nadia|Nadiya=نادية
Rasha|Racha=رشا
Noura|Nora|Nura=نورة
Layla|Leila|Laila=ليلى
Sara|Sarah=سارة
Amal|Amel=أمل
Iman|Eman=إيمان
Hanan|Hanane=حنان
Suad|Souad=سعاد
Khadija|Khadijah|Khadidja=خديجة
Rana|Ranaa=رنا
Shaima|Shaymaa|Chaimaa=شيماء
Asma|Asmaa=أسماء
Zahra|Zahraa=زهراء
Ruqaya|Ruqayya|Rokaya=رقية
Samira|Sameera=سميرة
Wafaa|Wafa=وفاء
Hala|Halah=هالة
Dalia|Dalya=داليا
Rania|Raniya=رانيا
""".strip().splitlines()

FAMILY = """
Al-Khafaji|Alkhafaji|El-Khafaji=الخفاجي
Al-Saadi|Alsaadi|Al-Saady=الساعدي
Al-Rubaie|Al-Rubaiy|Alrubaie=الربيعي
Al-Ani|Alani=العاني
Al-Obaidi|Al-Ubaidi|Alobaidi=العبيدي
Al-Dulaimi|Al-Dulaymi|Aldulaimi=الدليمي
Al-Jubouri|Al-Juburi|Aljubouri=الجبوري
Al-Tamimi|Altamimi|Al-Tamimy=التميمي
Al-Shammari|Alshammari|Al-Shamari=الشمري
Al-Zubaidi|Alzubaidi=الزبيدي
Al-Hashimi|Alhashimi|Al-Hashemi=الهاشمي
Al-Maliki|Almaliki=المالكي
Al-Hakim|Alhakim=الحكيم
Al-Karbalai|Alkarbalai=الكربلائي
Al-Mosawi|Al-Musawi|Almousawi=الموسوي
Al-Husseini|Al-Husaini=الحسيني
Al-Azzawi|Alazzawi=العزاوي
Al-Janabi|Aljanabi=الجنابي
Al-Bayati|Albayati=البياتي
Al-Kubaisi|Alkubaisi=الكبيسي
Al-Qaisi|Al-Kaisi=القيسي
Al-Sudani|Alsudani=السوداني
Al-Basri|Albasri=البصري
Al-Tikriti|Altikriti=التكريتي
Al-Mashhadani|Almashhadani=المشهداني
Al-Lami|Allami=اللامي
Al-Kaabi|Al-Kaaby=الكعبي
Al-Asadi|Alasadi=الأسدي
Al-Fartousi|Alfartousi=الفرطوسي
Al-Sharif|Alsharif|Al-Cherif=الشريف
""".strip().splitlines()

KURDISH_MALE = """
Azad|Azaad=ئازاد
Kawa|Kaweh|Kawe=کاوە
Rezan|Rêzan=ڕێزان
Shwan|Shiwan|Şivan=شوان
Dilovan|Dîlovan=دیلۆڤان
Barzan|Berzan=بەرزان
Hemin|Hêmin=هێمن
Rebin|Rêbîn=ڕێبین
Bakhtiyar|Bakhtiar|Bextiyar=بەختیار
Karwan|Kerwan=کاروان
Sherko|Şêrko|Shirko=شێرکۆ
Hama|Heme|Hamah=حەمە
Sarkawt|Serkewt=سەرکەوت
Aram|Aaram=ئارام
Rawand|Rewend=ڕەوەند
Dler|Dilêr=دلێر
Hewa|Hiwa=هیوا
Zana|Zane=زانا
Soran|Sorran=سۆران
Goran|Goraan=گۆران
""".strip().splitlines()

KURDISH_FEMALE = """
Dilan|Dîlan=دیلان
Shilan|Şîlan=شیلان
Nasrin|Nesrîn=نەسرین
Bafrin|Befrîn=بەفرین
Rojin|Rojîn=ڕۆژین
Shirin|Şîrîn=شیرین
Hawzhin|Hawjîn=هاوژین
""".strip().splitlines()

PERSIAN_MALE = """
Gholamreza|Golamreza|Gholam Reza=غلامرضا
Mohammadreza|Mohammad Reza=محمدرضا
Hamidreza|Hamid Reza=حمیدرضا
Reza|Rezza=رضا
Mehdi|Mahdi=مهدی
Javad|Jawad=جواد
Saeed|Saeid|Said=سعید
Farhad|Farhaad=فرهاد
Dariush|Daryoush|Dariush=داریوش
Kourosh|Kurosh|Koorosh=کوروش
Behzad|Behzaad=بهزاد
Siamak|Syamak=سیامک
Hossein|Husayn=حسین
Morteza|Murtaza=مرتضی
Rezaei|Rezai|Rezaee=رضایی
Ahmadi|Ahmady=احمدی
Hosseini|Husseini=حسینی
Karimi|Kareemi=کریمی
Moradi|Muradi=مرادی
Jafari|Jaafari|Ja'fari=جعفری
""".strip().splitlines()

PERSIAN_FAMILY = """
Rezaei|Rezai|Rezaee=رضایی
Ahmadi|Ahmady=احمدی
Hosseini|Husseini=حسینی
Karimi|Kareemi=کریمی
Moradi|Muradi=مرادی
Jafari|Jaafari|Ja'fari=جعفری
Mohammadi|Mohamadi|Muhammadi=محمدی
Rahimi|Raheemi=رحیمی
Sadeghi|Sadeqi|Sadegi=صادقی
Heidari|Haidari|Heydari=حیدری
Ghasemi|Qasemi|Ghassemi=قاسمی
Salehi|Salihi=صالحی
Kazemi|Kadhemi|Kazimi=کاظمی
Rostami|Rustami=رستمی
Ebrahimi|Ibrahimi=ابراهیمی
Najafi|Nadjafi=نجفی
Akbari|Akbary=اکبری
Hashemi|Hashimi=هاشمی
Nouri|Noori|Nuri=نوری
Mousavi|Musavi|Moosavi=موسوی
Tehrani|Tehranee=تهرانی
Shirazi|Sheerazi=شیرازی
Esfahani|Isfahani=اصفهانی
Tabrizi|Tabrizy=تبریزی
Mashhadi|Mashadi=مشهدی
Khorasani|Khurasani=خراسانی
Yazdani|Yazdanee=یزدانی
Bagheri|Baqeri|Bageri=باقری
Soltani|Sultani=سلطانی
Zamani|Zamany=زمانی
Amini|Ameeni=امینی
Rahmani|Rahmany=رحمانی
Ansari|Ansary=انصاری
Asadi|Assadi=اسدی
Farahani|Farahany=فراهانی
""".strip().splitlines()

TURKISH_FAMILY = """
Yılmaz|Yilmaz
Öztürk|Ozturk
Çelik|Celik
Şahin|Sahin
Yıldız|Yildiz
Aydın|Aydin
Kaya|Kaja
Demir|Demır
Arslan|Aslan
Doğan|Dogan
Kılıç|Kilic
Koç|Koc
Kurt|Kurd
Özdemir|Ozdemir
Polat|Pollat
Erdoğan|Erdogan
Aksoy|Aksoi
Güneş|Gunes
Korkmaz|Korkmas
Çetin|Cetin
Kara|Karah
Bulut|Bullut
Keskin|Keskın
Ünal|Unal
Tekin|Tekın
Aktaş|Aktas
Kaplan|Kaplann
Yavuz|Yawuz
Özkan|Ozkan
Avcı|Avci
Güler|Guler
Türk|Turk
Altun|Altın|Altin
Erdem|Erdim
Acar|Adjar
Sarı|Sari
Çakır|Cakir
Uçar|Ucar
Bozkurt|Boskurt
Tunç|Tunc
""".strip().splitlines()

TURKISH = """
Mehmet|Mehmed
Mustafa|Mustapha
Hüseyin|Huseyin
Hasan|Hassan
Ahmet|Ahmed
İbrahim|Ibrahim
Yılmaz|Yilmaz
Öztürk|Ozturk
Çelik|Celik
Şahin|Sahin
Yıldız|Yildiz
Aydın|Aydin
Kaya|Kaya
Demir|Demır
Arslan|Aslan
Doğan|Dogan
Kılıç|Kilic
Emre|Emreh
Murat|Murad
Ömer|Omer
""".strip().splitlines()

WESTERN_GIVEN = """
John|Jon
Michael|Michel
David|Davide
James|Jaimes
Robert|Robbert
Peter|Pieter
Thomas|Tomas
Daniel|Daniele
Mark|Marc
Anna|Ana
Maria|Mariya
Elena|Elina
Sophie|Sophia
Laura|Lora
Stefan|Stephan
William|Wiliam
Richard|Richart
Joseph|Josef
Paul|Pawel
Andrew|Andrei|Andrey
Christopher|Kristopher
George|Georg
Henry|Henri
Charles|Karl
Alexander|Aleksandr|Alexandre
Nicholas|Nikolas|Nicolas
Sergei|Sergey
Ivan|Iwan
Pierre|Piere
Jean|Jan
Luca|Luka
Marco|Marko
Emma|Ema
Olivia|Olivija
Julia|Yulia|Yuliya
Katarina|Katharina|Catarina
Natalia|Natalya
Claire|Clare
Helen|Helene|Elena
Sarah|Sara
""".strip().splitlines()

WESTERN_FAMILY = """
Smith|Smyth
Johnson|Jonson
Brown|Browne
Miller|Millar
Wilson|Willson
Anderson|Andersen
Taylor|Tailor
Thomas|Tomas
Martin|Martins
Garcia|Garsia
Rossi|Rosi
Novak|Nowak
Schmidt|Schmid
Dubois|Du Bois
Petrov|Petroff
Williams|Wiliams
Jones|Joness
Davis|Davies
Clark|Clarke
Lewis|Louis
Walker|Walkar
Hall|Hal
Young|Yung
King|Kyng
Wright|Right
Scott|Scot
Green|Greene
Baker|Backer
Adams|Addams
Campbell|Cambell
Mitchell|Michell
Roberts|Robberts
Turner|Terner
Phillips|Philips
Evans|Evens
Edwards|Edwardes
Collins|Colins
Stewart|Stuart
Murphy|Murphey
Cook|Cooke
Morgan|Morgen
Bell|Bel
Murray|Murrey
Fischer|Fisher
Weber|Webber
Meyer|Meier|Mayer
Wagner|Wagener
Becker|Bekker
Schulz|Schultz
Hoffmann|Hoffman
Koch|Kock
Richter|Rikhter
Klein|Kline
Wolf|Wolff
Neumann|Newman
Schwarz|Schwartz
Zimmermann|Zimmerman
Bernard|Bernhard
Durand|Durant
Lefebvre|Lefevre
Moreau|Moro
Laurent|Lorent
Bianchi|Bianki
Romano|Romanow
Colombo|Columbo
Ricci|Richi
Kowalski|Kovalski
Wisniewski|Vishnevsky
Lewandowski|Levandovsky
Ivanov|Ivanoff
Smirnov|Smirnoff
Kuznetsov|Kuznetsoff
Popov|Popoff
Sokolov|Sokoloff
Jansen|Janssen
De Vries|Devries
Horvat|Horvath
Nagy|Nady
Silva|Sylva
Santos|Santoz
Fernandez|Fernandes
Lopez|Lopes
""".strip().splitlines()


def _parse(lines):
    out = []
    for line in lines:
        if "=" in line:
            latin, arabic = line.split("=", 1)
        else:
            latin, arabic = line, ""
        spellings = [s.strip() for s in latin.replace(" ", "\u00a0").split("|") if s.strip()]
        spellings = [s.replace("\u00a0", " ") for s in spellings]
        out.append((spellings, arabic.strip()))
    return out


POOLS = {
    "arabic_m": _parse(ARABIC_MALE),
    "arabic_f": _parse(ARABIC_FEMALE),
    "family": _parse(FAMILY),
    "kurdish_m": _parse(KURDISH_MALE),
    "kurdish_f": _parse(KURDISH_FEMALE),
    "persian_m": _parse(PERSIAN_MALE),
    "turkish": _parse(TURKISH),
    "turkish_family": _parse(TURKISH_FAMILY),
    "persian_family": _parse(PERSIAN_FAMILY),
    "western_g": _parse(WESTERN_GIVEN),
    "western_f": _parse(WESTERN_FAMILY),
}

CULTURES = [
    # culture, weight, nationalities
    ("arabic", 0.55, ["IRQ", "SYR", "JOR", "SAU", "EGY", "LBN", "KWT", "YEM"]),
    ("kurdish", 0.15, ["IRQ", "SYR", "TUR", "IRN"]),
    ("persian", 0.12, ["IRN", "AFG"]),
    ("turkish", 0.08, ["TUR", "DEU"]),
    ("western", 0.10, ["GBR", "USA", "FRA", "DEU", "ITA", "POL", "RUS"]),
]


def _pick(rng: random.Random, pool, arabic_script: bool) -> str:
    spellings, arabic = rng.choice(pool)
    if arabic_script and arabic:
        return arabic
    # Spelling popularity falls off: first spellings are commoner.
    weights = [1.0 / (i + 1) for i in range(len(spellings))]
    return rng.choices(spellings, weights)[0]


def _dob(rng: random.Random) -> str:
    year = rng.randint(1940, 2006)
    r = rng.random()
    if r < 0.6:
        return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if r < 0.8:
        return f"{year:04d}"
    return f"{year:04d}-01-01"


def make_person(rng: random.Random) -> dict:
    culture = rng.choices([c[0] for c in CULTURES], [c[1] for c in CULTURES])[0]
    nats = {c[0]: c[2] for c in CULTURES}[culture]
    female = rng.random() < 0.2
    arabic_script = culture in ("arabic", "kurdish", "persian") and rng.random() < 0.2
    p = POOLS
    if culture == "arabic":
        given = _pick(rng, p["arabic_f"] if female else p["arabic_m"], arabic_script)
        n_fathers = rng.choice([1, 2, 2, 2])
        parts = [given] + [_pick(rng, p["arabic_m"], arabic_script) for _ in range(n_fathers)]
        if rng.random() < 0.7:
            parts.append(_pick(rng, p["family"], arabic_script))
    elif culture == "kurdish":
        given = _pick(rng, p["kurdish_f"] if female else p["kurdish_m"], arabic_script)
        parts = [given] + [
            _pick(rng, rng.choice([p["kurdish_m"], p["arabic_m"]]), arabic_script) for _ in range(rng.choice([1, 2]))
        ]
    elif culture == "persian":
        given = _pick(rng, p["arabic_f"] if female else p["persian_m"], arabic_script)
        # Iranian documents: given name + family name; lists also hold given + father
        second = p["persian_family"] if rng.random() < 0.7 else p["persian_m"]
        parts = [given, _pick(rng, second, arabic_script)]
    elif culture == "turkish":
        # given name (sometimes two) + surname
        parts = [_pick(rng, p["turkish"], False) for _ in range(rng.choice([1, 1, 2]))]
        parts.append(_pick(rng, p["turkish_family"], False))
    else:
        parts = [_pick(rng, p["western_g"], False), _pick(rng, p["western_f"], False)]
    names = [" ".join(parts)]
    if rng.random() < 0.1:
        # an alias: same person, other spelling or order
        alias = list(parts)
        rng.shuffle(alias)
        names.append(" ".join(alias))
    return {
        "names": names,
        "date_of_birth": _dob(rng) if rng.random() < 0.9 else None,
        "nationalities": [rng.choice(nats)] if rng.random() < 0.9 else [],
        "gender": ("F" if female else "M") if rng.random() < 0.95 else None,
    }


def generate(n: int, seed: int = 42):
    """Yield ``n`` synthetic entries (dicts) deterministically."""
    rng = random.Random(seed)
    for i in range(n):
        person = make_person(rng)
        person["id"] = i + 1
        yield person


def _alternatives(part: str):
    for pool in POOLS.values():
        for spellings, arabic in pool:
            if part in spellings or part == arabic:
                return spellings, arabic
    return None


def spelling_variant(rng: random.Random, name: str) -> str:
    """Another spelling of a generated name: each part becomes another
    spelling of the same name; one time in five the whole name is written in
    Arabic script instead (when every part has an Arabic-script form)."""
    parts = name.split(" ")
    found = [_alternatives(p) for p in parts]
    # Multi-word spellings (Abd al-Rahman) are looked up as whole strings.
    if any(f is None for f in found):
        return name
    if rng.random() < 0.2 and all(arabic for _, arabic in found):
        return " ".join(arabic for _, arabic in found)
    return " ".join(rng.choice(spellings) for spellings, _ in found)
