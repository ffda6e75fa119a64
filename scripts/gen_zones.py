"""Generate src/ats_reject/data/zones.json from the IANA time zone tables.

Usage::

    uv run python scripts/gen_zones.py [--zoneinfo /usr/share/zoneinfo] [--check]

What it writes, and where each part comes from:

* ``countries``: for every ISO 3166-1 country in ``zone.tab``, its zones (most populous first,
  as the IANA orders them) and, when the answer is certain, the one zone to use. The answer is
  certain when the country has one zone, or when all its zones give the same UTC offset at
  every hour of the ten years from the tzdata release year on (Germany's Europe/Busingen
  behaves exactly like Europe/Berlin).
* ``zone_countries``: zone name -> country, from ``zone.tab`` and the ``L`` (link) lines of
  ``tzdata.zi`` (so ``US/Pacific`` and ``Asia/Calcutta`` still find their country).
* ``subdivisions``: for countries with several zones, ISO 3166-2 subdivision code -> zone, from
  the tables below, which follow the comments of ``zone.tab`` (regions that straddle zones get
  their most populous zone and ``"partial": true``; regions whose zone is in dispute are left
  out so resolution falls through to the next link of the chain).
* ``subdivision_names``: folded names and codes -> subdivision code, from the tables below plus
  the aliases of the ``holidays`` package.

Rerun it when the machine's tzdata or the ``holidays`` package changes; ``--check`` exits 1 when
the committed file is out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from ats_reject._calendar import normalize_place_name

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "ats_reject" / "data" / "zones.json"

# code | zone | names separated by ";" | "*" when the region straddles zones
_TABLES: dict[str, str] = {
    "US": """
AL|America/Chicago|Alabama
AK|America/Anchorage|Alaska|*
AZ|America/Phoenix|Arizona|*
AR|America/Chicago|Arkansas
CA|America/Los_Angeles|California
CO|America/Denver|Colorado
CT|America/New_York|Connecticut
DE|America/New_York|Delaware
DC|America/New_York|District of Columbia;Washington DC;Washington D.C.
FL|America/New_York|Florida|*
GA|America/New_York|Georgia
HI|Pacific/Honolulu|Hawaii
ID|America/Boise|Idaho|*
IL|America/Chicago|Illinois
IN|America/Indiana/Indianapolis|Indiana|*
IA|America/Chicago|Iowa
KS|America/Chicago|Kansas|*
KY|America/New_York|Kentucky|*
LA|America/Chicago|Louisiana
ME|America/New_York|Maine
MD|America/New_York|Maryland
MA|America/New_York|Massachusetts
MI|America/Detroit|Michigan|*
MN|America/Chicago|Minnesota
MS|America/Chicago|Mississippi
MO|America/Chicago|Missouri
MT|America/Denver|Montana
NE|America/Chicago|Nebraska|*
NV|America/Los_Angeles|Nevada|*
NH|America/New_York|New Hampshire
NJ|America/New_York|New Jersey
NM|America/Denver|New Mexico
NY|America/New_York|New York;New York State
NC|America/New_York|North Carolina
ND|America/Chicago|North Dakota|*
OH|America/New_York|Ohio
OK|America/Chicago|Oklahoma
OR|America/Los_Angeles|Oregon|*
PA|America/New_York|Pennsylvania
RI|America/New_York|Rhode Island
SC|America/New_York|South Carolina
SD|America/Chicago|South Dakota|*
TN|America/Chicago|Tennessee|*
TX|America/Chicago|Texas|*
UT|America/Denver|Utah
VT|America/New_York|Vermont
VA|America/New_York|Virginia
WA|America/Los_Angeles|Washington;Washington State
WV|America/New_York|West Virginia
WI|America/Chicago|Wisconsin
WY|America/Denver|Wyoming
AS|Pacific/Pago_Pago|American Samoa
GU|Pacific/Guam|Guam
MP|Pacific/Saipan|Northern Mariana Islands
PR|America/Puerto_Rico|Puerto Rico
VI|America/St_Thomas|United States Virgin Islands;US Virgin Islands
""",
    "CA": """
AB|America/Edmonton|Alberta
BC|America/Vancouver|British Columbia|*
MB|America/Winnipeg|Manitoba
NB|America/Moncton|New Brunswick;Nouveau-Brunswick
NL|America/St_Johns|Newfoundland and Labrador;Newfoundland|*
NS|America/Halifax|Nova Scotia|*
NT|America/Edmonton|Northwest Territories
NU|America/Iqaluit|Nunavut|*
ON|America/Toronto|Ontario|*
PE|America/Halifax|Prince Edward Island
QC|America/Toronto|Quebec;Québec|*
SK|America/Regina|Saskatchewan|*
YT|America/Whitehorse|Yukon
""",
    "AU": """
ACT|Australia/Sydney|Australian Capital Territory
NSW|Australia/Sydney|New South Wales|*
NT|Australia/Darwin|Northern Territory
QLD|Australia/Brisbane|Queensland
SA|Australia/Adelaide|South Australia
TAS|Australia/Hobart|Tasmania
VIC|Australia/Melbourne|Victoria
WA|Australia/Perth|Western Australia|*
""",
    "BR": """
AC|America/Rio_Branco|Acre
AL|America/Maceio|Alagoas
AP|America/Belem|Amapá
AM|America/Manaus|Amazonas|*
BA|America/Bahia|Bahia
CE|America/Fortaleza|Ceará
DF|America/Sao_Paulo|Distrito Federal;Brasília
ES|America/Sao_Paulo|Espírito Santo
GO|America/Sao_Paulo|Goiás
MA|America/Fortaleza|Maranhão
MT|America/Cuiaba|Mato Grosso
MS|America/Campo_Grande|Mato Grosso do Sul
MG|America/Sao_Paulo|Minas Gerais
PA|America/Belem|Pará
PB|America/Fortaleza|Paraíba
PR|America/Sao_Paulo|Paraná
PE|America/Recife|Pernambuco|*
PI|America/Fortaleza|Piauí
RJ|America/Sao_Paulo|Rio de Janeiro
RN|America/Fortaleza|Rio Grande do Norte
RS|America/Sao_Paulo|Rio Grande do Sul
RO|America/Porto_Velho|Rondônia
RR|America/Boa_Vista|Roraima
SC|America/Sao_Paulo|Santa Catarina
SP|America/Sao_Paulo|São Paulo
SE|America/Maceio|Sergipe
TO|America/Araguaina|Tocantins
""",
    "MX": """
AGU|America/Mexico_City|Aguascalientes
BCN|America/Tijuana|Baja California
BCS|America/Mazatlan|Baja California Sur
CAM|America/Merida|Campeche
CHP|America/Mexico_City|Chiapas
CHH|America/Chihuahua|Chihuahua|*
CMX|America/Mexico_City|Ciudad de México;Mexico City;CDMX;Distrito Federal;DF
COA|America/Monterrey|Coahuila;Coahuila de Zaragoza|*
COL|America/Mexico_City|Colima
DUR|America/Monterrey|Durango
GRO|America/Mexico_City|Guerrero
GUA|America/Mexico_City|Guanajuato
HID|America/Mexico_City|Hidalgo
JAL|America/Mexico_City|Jalisco
MEX|America/Mexico_City|México;Estado de México;State of Mexico;Edomex
MIC|America/Mexico_City|Michoacán;Michoacán de Ocampo
MOR|America/Mexico_City|Morelos
NAY|America/Mazatlan|Nayarit|*
NLE|America/Monterrey|Nuevo León|*
OAX|America/Mexico_City|Oaxaca
PUE|America/Mexico_City|Puebla
QUE|America/Mexico_City|Querétaro
ROO|America/Cancun|Quintana Roo
SLP|America/Mexico_City|San Luis Potosí
SIN|America/Mazatlan|Sinaloa
SON|America/Hermosillo|Sonora
TAB|America/Mexico_City|Tabasco
TAM|America/Monterrey|Tamaulipas|*
TLA|America/Mexico_City|Tlaxcala
VER|America/Mexico_City|Veracruz;Veracruz de Ignacio de la Llave
YUC|America/Merida|Yucatán
ZAC|America/Mexico_City|Zacatecas
""",
    "RU": """
KGD|Europe/Kaliningrad|Kaliningrad Oblast;Kaliningrad
MOW|Europe/Moscow|Moscow;Moskva
MOS|Europe/Moscow|Moscow Oblast;Moskovskaya Oblast
SPE|Europe/Moscow|Saint Petersburg;St Petersburg;Sankt-Peterburg
LEN|Europe/Moscow|Leningrad Oblast
AD|Europe/Moscow|Adygea
ARK|Europe/Moscow|Arkhangelsk Oblast
BEL|Europe/Moscow|Belgorod Oblast
BRY|Europe/Moscow|Bryansk Oblast
CE|Europe/Moscow|Chechnya;Chechen Republic
CU|Europe/Moscow|Chuvashia;Chuvash Republic
DA|Europe/Moscow|Dagestan
IN|Europe/Moscow|Ingushetia
IVA|Europe/Moscow|Ivanovo Oblast
KB|Europe/Moscow|Kabardino-Balkaria
KC|Europe/Moscow|Karachay-Cherkessia
KDA|Europe/Moscow|Krasnodar Krai;Krasnodar
KL|Europe/Moscow|Kalmykia
KLU|Europe/Moscow|Kaluga Oblast
KO|Europe/Moscow|Komi;Komi Republic
KOS|Europe/Moscow|Kostroma Oblast
KR|Europe/Moscow|Karelia;Republic of Karelia
KRS|Europe/Moscow|Kursk Oblast
LIP|Europe/Moscow|Lipetsk Oblast
ME|Europe/Moscow|Mari El
MO|Europe/Moscow|Mordovia
MUR|Europe/Moscow|Murmansk Oblast
NEN|Europe/Moscow|Nenets Autonomous Okrug
NGR|Europe/Moscow|Novgorod Oblast
NIZ|Europe/Moscow|Nizhny Novgorod Oblast;Nizhny Novgorod
ORL|Europe/Moscow|Oryol Oblast
PNZ|Europe/Moscow|Penza Oblast
PSK|Europe/Moscow|Pskov Oblast
ROS|Europe/Moscow|Rostov Oblast
RYA|Europe/Moscow|Ryazan Oblast
SE|Europe/Moscow|North Ossetia-Alania;North Ossetia
SMO|Europe/Moscow|Smolensk Oblast
STA|Europe/Moscow|Stavropol Krai
TA|Europe/Moscow|Tatarstan;Republic of Tatarstan
TAM|Europe/Moscow|Tambov Oblast
TUL|Europe/Moscow|Tula Oblast
TVE|Europe/Moscow|Tver Oblast
VLA|Europe/Moscow|Vladimir Oblast
VLG|Europe/Moscow|Vologda Oblast
VOR|Europe/Moscow|Voronezh Oblast
YAR|Europe/Moscow|Yaroslavl Oblast
KIR|Europe/Kirov|Kirov Oblast
VGG|Europe/Volgograd|Volgograd Oblast
AST|Europe/Astrakhan|Astrakhan Oblast
SAR|Europe/Saratov|Saratov Oblast
ULY|Europe/Ulyanovsk|Ulyanovsk Oblast
SAM|Europe/Samara|Samara Oblast;Samara
UD|Europe/Samara|Udmurtia;Udmurt Republic
BA|Asia/Yekaterinburg|Bashkortostan;Republic of Bashkortostan
CHE|Asia/Yekaterinburg|Chelyabinsk Oblast
KGN|Asia/Yekaterinburg|Kurgan Oblast
KHM|Asia/Yekaterinburg|Khanty-Mansi Autonomous Okrug;Khanty-Mansi
ORE|Asia/Yekaterinburg|Orenburg Oblast
PER|Asia/Yekaterinburg|Perm Krai
SVE|Asia/Yekaterinburg|Sverdlovsk Oblast
TYU|Asia/Yekaterinburg|Tyumen Oblast
YAN|Asia/Yekaterinburg|Yamalo-Nenets Autonomous Okrug
OMS|Asia/Omsk|Omsk Oblast
NVS|Asia/Novosibirsk|Novosibirsk Oblast;Novosibirsk
ALT|Asia/Barnaul|Altai Krai
AL|Asia/Barnaul|Altai Republic
TOM|Asia/Tomsk|Tomsk Oblast
KEM|Asia/Novokuznetsk|Kemerovo Oblast;Kuzbass
KYA|Asia/Krasnoyarsk|Krasnoyarsk Krai
KK|Asia/Krasnoyarsk|Khakassia
TY|Asia/Krasnoyarsk|Tuva
IRK|Asia/Irkutsk|Irkutsk Oblast
BU|Asia/Irkutsk|Buryatia
ZAB|Asia/Chita|Zabaykalsky Krai
SA|Asia/Yakutsk|Sakha;Yakutia;Sakha Republic|*
AMU|Asia/Yakutsk|Amur Oblast
PRI|Asia/Vladivostok|Primorsky Krai
KHA|Asia/Vladivostok|Khabarovsk Krai
YEV|Asia/Vladivostok|Jewish Autonomous Oblast
SAK|Asia/Sakhalin|Sakhalin Oblast|*
MAG|Asia/Magadan|Magadan Oblast
KAM|Asia/Kamchatka|Kamchatka Krai
CHU|Asia/Anadyr|Chukotka Autonomous Okrug;Chukotka
""",
    "ES": """
AN|Europe/Madrid|Andalucía;Andalusia
AR|Europe/Madrid|Aragón
AS|Europe/Madrid|Asturias
CB|Europe/Madrid|Cantabria
CL|Europe/Madrid|Castilla y León;Castile and León
CM|Europe/Madrid|Castilla-La Mancha;Castile-La Mancha
CT|Europe/Madrid|Cataluña;Catalunya;Catalonia
EX|Europe/Madrid|Extremadura
GA|Europe/Madrid|Galicia
IB|Europe/Madrid|Illes Balears;Islas Baleares;Balearic Islands
MC|Europe/Madrid|Región de Murcia;Murcia
MD|Europe/Madrid|Comunidad de Madrid;Madrid
NC|Europe/Madrid|Navarra;Navarre
PV|Europe/Madrid|País Vasco;Euskadi;Basque Country
RI|Europe/Madrid|La Rioja
VC|Europe/Madrid|Comunitat Valenciana;Comunidad Valenciana;Valencian Community
CE|Africa/Ceuta|Ceuta
ML|Africa/Ceuta|Melilla
CN|Atlantic/Canary|Canarias;Canary Islands;Islas Canarias
GC|Atlantic/Canary|Las Palmas
TF|Atlantic/Canary|Santa Cruz de Tenerife;Tenerife
""",
    "PT": """
01|Europe/Lisbon|Aveiro
02|Europe/Lisbon|Beja
03|Europe/Lisbon|Braga
04|Europe/Lisbon|Bragança
05|Europe/Lisbon|Castelo Branco
06|Europe/Lisbon|Coimbra
07|Europe/Lisbon|Évora
08|Europe/Lisbon|Faro;Algarve
09|Europe/Lisbon|Guarda
10|Europe/Lisbon|Leiria
11|Europe/Lisbon|Lisboa;Lisbon
12|Europe/Lisbon|Portalegre
13|Europe/Lisbon|Porto;Oporto
14|Europe/Lisbon|Santarém
15|Europe/Lisbon|Setúbal
16|Europe/Lisbon|Viana do Castelo
17|Europe/Lisbon|Vila Real
18|Europe/Lisbon|Viseu
20|Atlantic/Azores|Açores;Azores
30|Atlantic/Madeira|Madeira
""",
    "NZ": """
AUK|Pacific/Auckland|Auckland
BOP|Pacific/Auckland|Bay of Plenty
CAN|Pacific/Auckland|Canterbury
GIS|Pacific/Auckland|Gisborne
HKB|Pacific/Auckland|Hawke's Bay
MBH|Pacific/Auckland|Marlborough
MWT|Pacific/Auckland|Manawatū-Whanganui
NSN|Pacific/Auckland|Nelson
NTL|Pacific/Auckland|Northland
OTA|Pacific/Auckland|Otago
STL|Pacific/Auckland|Southland
TAS|Pacific/Auckland|Tasman
TKI|Pacific/Auckland|Taranaki
WGN|Pacific/Auckland|Wellington
WKO|Pacific/Auckland|Waikato
WTC|Pacific/Auckland|West Coast
CIT|Pacific/Chatham|Chatham Islands
""",
    "CL": """
AN|America/Santiago|Antofagasta
AP|America/Santiago|Arica y Parinacota
AR|America/Santiago|La Araucanía;Araucanía
AT|America/Santiago|Atacama
BI|America/Santiago|Biobío;Bío Bío
CO|America/Santiago|Coquimbo
LI|America/Santiago|O'Higgins;Libertador General Bernardo O'Higgins
LL|America/Santiago|Los Lagos
LR|America/Santiago|Los Ríos
ML|America/Santiago|Maule
NB|America/Santiago|Ñuble
RM|America/Santiago|Región Metropolitana;Santiago Metropolitan;Metropolitana;Santiago
TA|America/Santiago|Tarapacá
VS|America/Santiago|Valparaíso|*
AI|America/Coyhaique|Aysén;Aisén
MA|America/Punta_Arenas|Magallanes;Magallanes y de la Antártica Chilena
""",
    "EC": """
A|America/Guayaquil|Azuay
B|America/Guayaquil|Bolívar
C|America/Guayaquil|Carchi
D|America/Guayaquil|Orellana
E|America/Guayaquil|Esmeraldas
F|America/Guayaquil|Cañar
G|America/Guayaquil|Guayas
H|America/Guayaquil|Chimborazo
I|America/Guayaquil|Imbabura
L|America/Guayaquil|Loja
M|America/Guayaquil|Manabí
N|America/Guayaquil|Napo
O|America/Guayaquil|El Oro
P|America/Guayaquil|Pichincha;Quito
R|America/Guayaquil|Los Ríos
S|America/Guayaquil|Morona-Santiago
SD|America/Guayaquil|Santo Domingo de los Tsáchilas
SE|America/Guayaquil|Santa Elena
T|America/Guayaquil|Tungurahua
U|America/Guayaquil|Sucumbíos
X|America/Guayaquil|Cotopaxi
Y|America/Guayaquil|Pastaza
Z|America/Guayaquil|Zamora-Chinchipe
W|Pacific/Galapagos|Galápagos;Galapagos Islands
""",
    "ID": """
AC|Asia/Jakarta|Aceh
SU|Asia/Jakarta|Sumatera Utara;North Sumatra
SB|Asia/Jakarta|Sumatera Barat;West Sumatra
RI|Asia/Jakarta|Riau
KR|Asia/Jakarta|Kepulauan Riau;Riau Islands
JA|Asia/Jakarta|Jambi
SS|Asia/Jakarta|Sumatera Selatan;South Sumatra
BB|Asia/Jakarta|Kepulauan Bangka Belitung;Bangka Belitung
BE|Asia/Jakarta|Bengkulu
LA|Asia/Jakarta|Lampung
JK|Asia/Jakarta|Jakarta;DKI Jakarta
JB|Asia/Jakarta|Jawa Barat;West Java
BT|Asia/Jakarta|Banten
JT|Asia/Jakarta|Jawa Tengah;Central Java
YO|Asia/Jakarta|Yogyakarta;DI Yogyakarta
JI|Asia/Jakarta|Jawa Timur;East Java
KB|Asia/Pontianak|Kalimantan Barat;West Kalimantan
KT|Asia/Pontianak|Kalimantan Tengah;Central Kalimantan
BA|Asia/Makassar|Bali
NB|Asia/Makassar|Nusa Tenggara Barat;West Nusa Tenggara
NT|Asia/Makassar|Nusa Tenggara Timur;East Nusa Tenggara
KS|Asia/Makassar|Kalimantan Selatan;South Kalimantan
KI|Asia/Makassar|Kalimantan Timur;East Kalimantan
KU|Asia/Makassar|Kalimantan Utara;North Kalimantan
SN|Asia/Makassar|Sulawesi Selatan;South Sulawesi
SR|Asia/Makassar|Sulawesi Barat;West Sulawesi
ST|Asia/Makassar|Sulawesi Tengah;Central Sulawesi
SG|Asia/Makassar|Sulawesi Tenggara;Southeast Sulawesi
SA|Asia/Makassar|Sulawesi Utara;North Sulawesi
GO|Asia/Makassar|Gorontalo
MA|Asia/Jayapura|Maluku
MU|Asia/Jayapura|Maluku Utara;North Maluku
PA|Asia/Jayapura|Papua
PB|Asia/Jayapura|Papua Barat;West Papua
PD|Asia/Jayapura|Papua Barat Daya;Southwest Papua
PE|Asia/Jayapura|Papua Pegunungan;Highland Papua
PS|Asia/Jayapura|Papua Selatan;South Papua
PT|Asia/Jayapura|Papua Tengah;Central Papua
""",
    # Xinjiang is left out: official Beijing Time and local Xinjiang Time are both in use.
    "CN": """
AH|Asia/Shanghai|Anhui
BJ|Asia/Shanghai|Beijing
CQ|Asia/Shanghai|Chongqing
FJ|Asia/Shanghai|Fujian
GD|Asia/Shanghai|Guangdong
GS|Asia/Shanghai|Gansu
GX|Asia/Shanghai|Guangxi
GZ|Asia/Shanghai|Guizhou
HA|Asia/Shanghai|Henan
HB|Asia/Shanghai|Hubei
HE|Asia/Shanghai|Hebei
HI|Asia/Shanghai|Hainan
HL|Asia/Shanghai|Heilongjiang
HN|Asia/Shanghai|Hunan
JL|Asia/Shanghai|Jilin
JS|Asia/Shanghai|Jiangsu
JX|Asia/Shanghai|Jiangxi
LN|Asia/Shanghai|Liaoning
NM|Asia/Shanghai|Nei Mongol;Inner Mongolia
NX|Asia/Shanghai|Ningxia
QH|Asia/Shanghai|Qinghai
SC|Asia/Shanghai|Sichuan
SD|Asia/Shanghai|Shandong
SH|Asia/Shanghai|Shanghai
SN|Asia/Shanghai|Shaanxi
SX|Asia/Shanghai|Shanxi
TJ|Asia/Shanghai|Tianjin
XZ|Asia/Shanghai|Xizang;Tibet
YN|Asia/Shanghai|Yunnan
ZJ|Asia/Shanghai|Zhejiang
""",
    # Oblasts under occupation, fully or in part, and Crimea are left out: their clocks are
    # in dispute.
    "UA": """
05|Europe/Kyiv|Vinnytsia Oblast;Vinnytsia
07|Europe/Kyiv|Volyn Oblast;Volyn
12|Europe/Kyiv|Dnipropetrovsk Oblast;Dnipropetrovsk
18|Europe/Kyiv|Zhytomyr Oblast;Zhytomyr
21|Europe/Kyiv|Zakarpattia Oblast;Zakarpattia
26|Europe/Kyiv|Ivano-Frankivsk Oblast;Ivano-Frankivsk
30|Europe/Kyiv|Kyiv;Kiev;Kyiv City
32|Europe/Kyiv|Kyiv Oblast;Kiev Oblast
35|Europe/Kyiv|Kirovohrad Oblast;Kirovohrad
46|Europe/Kyiv|Lviv Oblast;Lviv
48|Europe/Kyiv|Mykolaiv Oblast;Mykolaiv
51|Europe/Kyiv|Odesa Oblast;Odesa;Odessa
53|Europe/Kyiv|Poltava Oblast;Poltava
56|Europe/Kyiv|Rivne Oblast;Rivne
59|Europe/Kyiv|Sumy Oblast;Sumy
61|Europe/Kyiv|Ternopil Oblast;Ternopil
63|Europe/Kyiv|Kharkiv Oblast;Kharkiv
68|Europe/Kyiv|Khmelnytskyi Oblast;Khmelnytskyi
71|Europe/Kyiv|Cherkasy Oblast;Cherkasy
74|Europe/Kyiv|Chernihiv Oblast;Chernihiv
77|Europe/Kyiv|Chernivtsi Oblast;Chernivtsi
""",
}


def _read_zone_tab(zoneinfo: Path) -> dict[str, list[str]]:
    countries: dict[str, list[str]] = {}
    for line in (zoneinfo / "zone.tab").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone, *_comment = line.split("\t")
        countries.setdefault(code, []).append(zone)
    return countries


def _read_version_and_links(zoneinfo: Path) -> tuple[str, dict[str, str]]:
    version = "unknown"
    links: dict[str, str] = {}
    for line in (zoneinfo / "tzdata.zi").read_text(encoding="utf-8").splitlines():
        if line.startswith("# version "):
            version = line.removeprefix("# version ").strip()
        elif line.startswith("L "):
            _marker, target, link = line.split()
            links[link] = target
    return version, links


def _behave_alike(zones: list[str], first_year: int) -> bool:
    """Whether all *zones* show the same UTC offset every hour for ten years."""
    infos = [ZoneInfo(zone) for zone in zones]
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(first_year + 10, 1, 1, tzinfo=UTC)
    while moment < end:
        offsets = {moment.astimezone(info).utcoffset() for info in infos}
        if len(offsets) > 1:
            return False
        moment += timedelta(hours=1)
    return True


def _parse_table(country: str, text: str) -> dict[str, dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for line in text.strip().splitlines():
        code, zone, names, *flags = line.split("|")
        ZoneInfo(zone)  # fails loudly on a typo
        rows[code] = {"zone": zone, "names": names.split(";"), "partial": flags == ["*"]}
    return rows


def _names(country: str, rows: dict[str, dict[str, object]]) -> dict[str, str]:
    folded: dict[str, str] = {}

    def add(name: str, code: str, *, strict: bool) -> None:
        key = normalize_place_name(name)
        known = folded.get(key)
        if known is not None and known != code:
            if strict:
                raise SystemExit(f"{country}: {name!r} names both {known} and {code}")
            return
        folded[key] = code

    for code, row in rows.items():
        add(code, code, strict=True)
        for name in row["names"]:  # type: ignore[attr-defined]
            add(name, code, strict=True)
    if country in holidays.list_supported_countries():
        sample = holidays.country_holidays(country)
        for alias, code in getattr(sample, "subdivisions_aliases", {}).items():
            if code in rows:
                add(alias, code, strict=False)
    return dict(sorted(folded.items()))


def build(zoneinfo: Path) -> dict[str, object]:
    """Return the data file's content for the tzdata found in *zoneinfo*."""
    version, links = _read_version_and_links(zoneinfo)
    first_year = int(version[:4]) if version[:4].isdigit() else 2025
    by_country = _read_zone_tab(zoneinfo)
    countries: dict[str, dict[str, object]] = {}
    zone_countries: dict[str, str] = {}
    for code, zones in sorted(by_country.items()):
        certain = len(zones) == 1 or _behave_alike(zones, first_year)
        countries[code] = {"zone": zones[0] if certain else None, "zones": zones}
        for zone in zones:
            zone_countries[zone] = code
    for link, target in sorted(links.items()):
        if link not in zone_countries and target in zone_countries:
            zone_countries[link] = zone_countries[target]
    subdivisions: dict[str, dict[str, dict[str, object]]] = {}
    names: dict[str, dict[str, str]] = {}
    for code, table in _TABLES.items():
        if countries[code]["zone"] is not None:
            continue  # the country needs no table on this tzdata
        rows = _parse_table(code, table)
        subdivisions[code] = {
            sub: {"zone": row["zone"], "partial": row["partial"]} for sub, row in rows.items()
        }
        names[code] = _names(code, rows)
    return {
        "about": "Generated by scripts/gen_zones.py from the IANA tz database; do not edit.",
        "tzdata_version": version,
        "countries": countries,
        "zone_countries": dict(sorted(zone_countries.items())),
        "subdivisions": subdivisions,
        "subdivision_names": names,
    }


def main() -> int:
    """Write (or, with ``--check``, compare) the data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zoneinfo", type=Path, default=Path("/usr/share/zoneinfo"))
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    arguments = parser.parse_args()
    data = build(arguments.zoneinfo)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if arguments.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is out of date; run scripts/gen_zones.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT} from tzdata {data['tzdata_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
