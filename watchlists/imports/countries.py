"""Country names and ISO 3166 alpha-2 codes to the ICAO (alpha-3) codes used here."""

_ISO2_TO_ISO3 = dict(
    pair.split(":")
    for pair in """
ad:AND ae:ARE af:AFG ag:ATG al:ALB am:ARM ao:AGO ar:ARG at:AUT au:AUS az:AZE ba:BIH bb:BRB bd:BGD
be:BEL bf:BFA bg:BGR bh:BHR bi:BDI bj:BEN bn:BRN bo:BOL br:BRA bs:BHS bt:BTN bw:BWA by:BLR bz:BLZ
ca:CAN cd:COD cf:CAF cg:COG ch:CHE ci:CIV cl:CHL cm:CMR cn:CHN co:COL cr:CRI cu:CUB cv:CPV cy:CYP
cz:CZE de:D dj:DJI dk:DNK dm:DMA do:DOM dz:DZA ec:ECU ee:EST eg:EGY er:ERI es:ESP et:ETH fi:FIN
fj:FJI fr:FRA ga:GAB gb:GBR gd:GRD ge:GEO gh:GHA gm:GMB gn:GIN gq:GNQ gr:GRC gt:GTM gw:GNB gy:GUY
hn:HND hr:HRV ht:HTI hu:HUN id:IDN ie:IRL il:ISR in:IND iq:IRQ ir:IRN is:ISL it:ITA jm:JAM jo:JOR
jp:JPN ke:KEN kg:KGZ kh:KHM km:COM kn:KNA kp:PRK kr:KOR kw:KWT kz:KAZ la:LAO lb:LBN lc:LCA li:LIE
lk:LKA lr:LBR ls:LSO lt:LTU lu:LUX lv:LVA ly:LBY ma:MAR mc:MCO md:MDA me:MNE mg:MDG mk:MKD ml:MLI
mm:MMR mn:MNG mr:MRT mt:MLT mu:MUS mv:MDV mw:MWI mx:MEX my:MYS mz:MOZ na:NAM ne:NER ng:NGA ni:NIC
nl:NLD no:NOR np:NPL nz:NZL om:OMN pa:PAN pe:PER pg:PNG ph:PHL pk:PAK pl:POL ps:PSE pt:PRT py:PRY
qa:QAT ro:ROU rs:SRB ru:RUS rw:RWA sa:SAU sc:SYC sd:SDN se:SWE sg:SGP si:SVN sk:SVK sl:SLE sn:SEN
so:SOM sr:SUR ss:SSD sv:SLV sy:SYR sz:SWZ td:TCD tg:TGO th:THA tj:TJK tl:TLS tm:TKM tn:TUN tr:TUR
tt:TTO tw:TWN tz:TZA ua:UKR ug:UGA us:USA uy:URY uz:UZB ve:VEN vn:VNM ye:YEM za:ZAF zm:ZMB zw:ZWE
xk:RKS
""".split()
)

_NAMES = {
    "afghanistan": "AFG", "algeria": "DZA", "bahrain": "BHR", "egypt": "EGY", "iran": "IRN",
    "iran (islamic republic of)": "IRN", "iraq": "IRQ", "jordan": "JOR", "kuwait": "KWT", "lebanon": "LBN",
    "libya": "LBY", "libyan arab jamahiriya": "LBY", "mali": "MLI", "mauritania": "MRT", "morocco": "MAR",
    "nigeria": "NGA", "oman": "OMN", "pakistan": "PAK", "qatar": "QAT", "saudi arabia": "SAU", "somalia": "SOM",
    "sudan": "SDN", "south sudan": "SSD", "syria": "SYR", "syrian arab republic": "SYR", "tunisia": "TUN",
    "turkey": "TUR", "türkiye": "TUR", "united arab emirates": "ARE", "yemen": "YEM", "india": "IND",
    "indonesia": "IDN", "philippines": "PHL", "russian federation": "RUS", "russia": "RUS",
    "united kingdom": "GBR", "united kingdom of great britain and northern ireland": "GBR",
    "united states": "USA", "united states of america": "USA", "france": "FRA", "germany": "D",
    "belgium": "BEL", "netherlands": "NLD", "sweden": "SWE", "denmark": "DNK", "norway": "NOR",
    "australia": "AUS", "canada": "CAN", "china": "CHN", "democratic people's republic of korea": "PRK",
    "republic of korea": "KOR", "uzbekistan": "UZB", "tajikistan": "TJK", "kazakhstan": "KAZ",
    "kyrgyzstan": "KGZ", "azerbaijan": "AZE", "georgia": "GEO", "armenia": "ARM", "bangladesh": "BGD",
    "eritrea": "ERI", "ethiopia": "ETH", "kenya": "KEN", "chad": "TCD", "niger": "NER", "palestine": "PSE",
    "state of palestine": "PSE", "spain": "ESP", "italy": "ITA", "trinidad and tobago": "TTO",
}


def to_icao(value: str) -> str | None:
    """'iq' / 'IRQ' / 'Iraq' -> 'IRQ'; None when unknown."""
    v = (value or "").strip()
    if not v:
        return None
    if len(v) == 3 and v.isalpha():
        return v.upper()
    if len(v) == 2 and v.isalpha():
        return _ISO2_TO_ISO3.get(v.lower())
    if v.upper() == "D":
        return "D"
    return _NAMES.get(v.lower())
