"""Reference data: practice areas, countries, languages, regions and place aliases.

Country and language names come from babel (CLDR) and pycountry; this module adds only what
those libraries do not carry: Chinese colloquial short forms of country names (沙特, 阿联酋,
印尼), English alternative names (UAE, DRC, Ivory Coast), adjectives (Saudi, Kazakh) and a
table of commercially important cities and provinces, and the regions Chinese outbound work
groups countries into (Central Asia, ASEAN, Central and Eastern Europe, ...; see REGIONS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale

_AREAS_FILE = Path(__file__).with_name("practice_areas.json")


@dataclass(frozen=True)
class PracticeArea:
    code: str
    zh: str
    en: str
    covers: tuple[str, ...]

    def label(self, locale: str = "en") -> str:
        return self.zh if locale.startswith("zh") else self.en


def _load_areas() -> dict[str, PracticeArea]:
    raw = json.loads(_AREAS_FILE.read_text(encoding="utf-8"))
    return {
        a["code"]: PracticeArea(a["code"], a["zh"], a["en"], tuple(a.get("covers", ())))
        for a in raw["areas"]
    }


PRACTICE_AREAS: dict[str, PracticeArea] = _load_areas()


def is_practice_area(code: str) -> bool:
    return code in PRACTICE_AREAS


# ---------------------------------------------------------------------------------------------
# Countries

# Codes outside ISO 3166-1 that people and the EU use for real countries.
_CODE_ALIASES = {"UK": "GB", "EL": "GR", "XK": "XK"}
# Kosovo has no ISO code but CLDR names it and lawyers serve it.
_EXTRA_COUNTRIES = {"XK"}


@lru_cache(maxsize=1)
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | _EXTRA_COUNTRIES


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def normalise_country(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code for an alpha-2, alpha-3 or common alias code, else None.

    A subdivision suffix (``US-NY``) is dropped: the country is ``US``.
    """
    if not code:
        return None
    c = code.strip().upper().split("-", 1)[0]
    if c in _CODE_ALIASES:
        return _CODE_ALIASES[c]
    if len(c) == 2 and c in _alpha2():
        return c
    if len(c) == 3:
        return _alpha3().get(c)
    return None


def is_country(code: str | None) -> bool:
    """True for an ISO 3166-1 alpha-2 code (case-insensitive) or a known alias such as UK."""
    return normalise_country(code) is not None


def _locale(locale: str) -> Locale:
    return Locale.parse("zh_Hans" if locale.startswith("zh") else locale.replace("-", "_"))


@lru_cache(maxsize=8)
def territory_names(locale: str) -> dict[str, str]:
    """CLDR's names of countries and regions in ``locale``, by code (shared: do not mutate)."""
    return dict(_locale(locale).territories)


def country_name(code: str, locale: str = "en") -> str:
    """The country's name in ``locale`` (CLDR short form: 俄罗斯, Russia); the code if unknown."""
    c = normalise_country(code) or code
    name = territory_names(locale).get(c)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=c)
    return str(getattr(country, "common_name", None) or getattr(country, "name", c))


def all_countries() -> list[str]:
    return sorted(_alpha2())


# Chinese short and alternative forms that CLDR does not give (CLDR zh has 沙特阿拉伯,
# 阿拉伯联合酋长国, 印度尼西亚, 刚果（金）...). Only forms a Chinese enterprise writes.
ZH_COUNTRY_ALIASES: dict[str, str] = {
    "沙特": "SA", "阿联酋": "AE", "印尼": "ID", "俄国": "RU", "俄联邦": "RU",
    "白俄": "BY", "哈国": "KZ", "哈萨克": "KZ", "乌兹别克": "UZ", "吉尔吉斯": "KG",
    "吉尔吉斯共和国": "KG", "塔吉克": "TJ", "土库曼": "TM", "阿塞拜疆共和国": "AZ",
    "刚果金": "CD", "刚果(金)": "CD", "民主刚果": "CD", "刚果民主共和国": "CD",
    "刚果布": "CG", "刚果(布)": "CG", "刚果共和国": "CG",
    "坦桑": "TZ", "埃塞": "ET", "南苏丹共和国": "SS", "象牙海岸": "CI",
    "马其顿": "MK", "波黑": "BA", "波斯尼亚": "BA", "捷克共和国": "CZ",
    "澳洲": "AU", "新西兰": "NZ", "英格兰": "GB", "苏格兰": "GB", "大不列颠": "GB",
    "美利坚": "US", "大马": "MY", "孟加拉": "BD", "缅甸联邦": "MM", "东帝汶": "TL",
    "斯威士兰": "SZ", "土耳其共和国": "TR", "蒙古国": "MN", "老挝人民民主共和国": "LA",
    "巴勒斯坦": "PS", "伊朗伊斯兰共和国": "IR", "大韩民国": "KR", "南韩": "KR",
    "北韩": "KP", "德意志": "DE", "荷兰王国": "NL", "梵蒂冈": "VA", "内地": "CN",
    "中国大陆": "CN", "香港": "HK", "澳门": "MO", "台湾地区": "TW",
}

# English alternative names CLDR's short names do not cover.
EN_COUNTRY_ALIASES: dict[str, str] = {
    "UAE": "AE", "U.A.E.": "AE", "Emirates": "AE", "KSA": "SA", "Saudi": "SA",
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "US": "US", "America": "US",
    "United States of America": "US", "UK": "GB", "U.K.": "GB", "Britain": "GB",
    "Great Britain": "GB", "England": "GB", "Scotland": "GB", "Wales": "GB",
    "Russian Federation": "RU", "DRC": "CD", "DR Congo": "CD", "D.R. Congo": "CD",
    "Democratic Republic of the Congo": "CD", "Democratic Republic of Congo": "CD",
    "Congo-Kinshasa": "CD", "Republic of the Congo": "CG", "Congo-Brazzaville": "CG",
    "Ivory Coast": "CI", "Cote d'Ivoire": "CI", "Côte d'Ivoire": "CI", "Burma": "MM",
    "Turkey": "TR", "Turkiye": "TR", "Czech Republic": "CZ", "Holland": "NL",
    "Viet Nam": "VN", "Lao PDR": "LA", "Macedonia": "MK", "Swaziland": "SZ",
    "East Timor": "TL", "Republic of Korea": "KR", "Korea": "KR", "PRC": "CN",
    "Mainland China": "CN", "Hong Kong SAR": "HK", "Bosnia": "BA", "Kirghizia": "KG",
    "Persia": "IR", "the Philippines": "PH", "Cabo Verde": "CV", "Cape Verde": "CV",
}

# English adjectives / demonyms (babel has none). Those that are also language names
# (Russian, French, ...) are read as a country only before a noun such as "company".
EN_DEMONYMS: dict[str, str] = {
    "Afghan": "AF", "Albanian": "AL", "Algerian": "DZ", "Angolan": "AO", "Argentine": "AR",
    "Argentinian": "AR", "Armenian": "AM", "Australian": "AU", "Austrian": "AT",
    "Azerbaijani": "AZ", "Azeri": "AZ", "Bahraini": "BH", "Bangladeshi": "BD",
    "Belarusian": "BY", "Belgian": "BE", "Bolivian": "BO", "Brazilian": "BR",
    "British": "GB", "Bruneian": "BN", "Bulgarian": "BG", "Cambodian": "KH",
    "Cameroonian": "CM", "Canadian": "CA", "Chilean": "CL", "Chinese": "CN",
    "Colombian": "CO", "Congolese": "CD", "Croatian": "HR", "Cuban": "CU", "Cypriot": "CY",
    "Czech": "CZ", "Danish": "DK", "Dutch": "NL", "Ecuadorian": "EC", "Egyptian": "EG",
    "Emirati": "AE", "Estonian": "EE", "Ethiopian": "ET", "Filipino": "PH", "Finnish": "FI",
    "French": "FR", "Gabonese": "GA", "Georgian": "GE", "German": "DE", "Ghanaian": "GH",
    "Greek": "GR", "Guinean": "GN", "Hungarian": "HU", "Indian": "IN", "Indonesian": "ID",
    "Iranian": "IR", "Iraqi": "IQ", "Irish": "IE", "Israeli": "IL", "Italian": "IT",
    "Ivorian": "CI", "Japanese": "JP", "Jordanian": "JO", "Kazakh": "KZ", "Kazakhstani": "KZ",
    "Kenyan": "KE", "Korean": "KR", "South Korean": "KR", "Kuwaiti": "KW", "Kyrgyz": "KG",
    "Lao": "LA", "Laotian": "LA", "Latvian": "LV", "Lebanese": "LB", "Libyan": "LY",
    "Lithuanian": "LT", "Malagasy": "MG", "Malaysian": "MY", "Malian": "ML",
    "Mexican": "MX", "Mongolian": "MN", "Montenegrin": "ME", "Moroccan": "MA",
    "Mozambican": "MZ", "Burmese": "MM", "Myanmar": "MM", "Namibian": "NA", "Nepali": "NP",
    "Nepalese": "NP", "New Zealand": "NZ", "Nigerian": "NG", "Nigerien": "NE",
    "Norwegian": "NO", "Omani": "OM", "Pakistani": "PK", "Panamanian": "PA",
    "Paraguayan": "PY", "Peruvian": "PE", "Philippine": "PH", "Polish": "PL",
    "Portuguese": "PT", "Qatari": "QA", "Romanian": "RO", "Russian": "RU", "Rwandan": "RW",
    "Saudi Arabian": "SA", "Senegalese": "SN", "Serbian": "RS", "Singaporean": "SG",
    "Slovak": "SK", "Slovenian": "SI", "South African": "ZA", "Spanish": "ES",
    "Sri Lankan": "LK", "Sudanese": "SD", "Swedish": "SE", "Swiss": "CH", "Syrian": "SY",
    "Tajik": "TJ", "Tanzanian": "TZ", "Thai": "TH", "Tunisian": "TN", "Turkish": "TR",
    "Turkmen": "TM", "Ugandan": "UG", "Ukrainian": "UA", "Uruguayan": "UY", "Uzbek": "UZ",
    "Venezuelan": "VE", "Vietnamese": "VN", "Yemeni": "YE", "Zambian": "ZM",
    "Zimbabwean": "ZW", "American": "US",
}

# Commercially important cities, provinces and states (Belt and Road and main trading
# partners), in Chinese and English. A name shared by two countries is left out.
CITY_ALIASES: dict[str, str] = {
    # Central Asia
    "阿拉木图": "KZ", "Almaty": "KZ", "阿斯塔纳": "KZ", "Astana": "KZ", "努尔苏丹": "KZ",
    "Nur-Sultan": "KZ", "奇姆肯特": "KZ", "Shymkent": "KZ", "阿克套": "KZ", "Aktau": "KZ",
    "阿特劳": "KZ", "Atyrau": "KZ", "霍尔果斯": "KZ", "卡拉干达": "KZ", "Karaganda": "KZ",
    "塔什干": "UZ", "Tashkent": "UZ", "撒马尔罕": "UZ", "Samarkand": "UZ", "纳沃伊": "UZ",
    "Navoi": "UZ", "吉扎克": "UZ", "Jizzakh": "UZ", "安集延": "UZ", "Andijan": "UZ",
    "比什凯克": "KG", "Bishkek": "KG", "奥什": "KG", "杜尚别": "TJ", "Dushanbe": "TJ",
    "阿什哈巴德": "TM", "Ashgabat": "TM",
    # Russia, Eastern Europe, Caucasus
    "莫斯科": "RU", "Moscow": "RU", "圣彼得堡": "RU", "St. Petersburg": "RU",
    "Saint Petersburg": "RU", "St Petersburg": "RU", "符拉迪沃斯托克": "RU",
    "海参崴": "RU", "Vladivostok": "RU", "新西伯利亚": "RU", "Novosibirsk": "RU",
    "叶卡捷琳堡": "RU", "Yekaterinburg": "RU", "喀山": "RU", "Kazan": "RU",
    "伊尔库茨克": "RU", "Irkutsk": "RU", "哈巴罗夫斯克": "RU", "Khabarovsk": "RU",
    "明斯克": "BY", "Minsk": "BY", "中白工业园": "BY", "Great Stone": "BY",
    "基辅": "UA", "Kyiv": "UA", "Kiev": "UA", "敖德萨": "UA", "Odesa": "UA", "Odessa": "UA",
    "华沙": "PL", "Warsaw": "PL", "罗兹": "PL", "Lodz": "PL", "马拉舍维奇": "PL",
    "Malaszewicze": "PL", "布达佩斯": "HU", "Budapest": "HU", "德布勒森": "HU",
    "Debrecen": "HU", "布拉格": "CZ", "Prague": "CZ", "布加勒斯特": "RO", "Bucharest": "RO",
    "索非亚": "BG", "Sofia": "BG", "贝尔格莱德": "RS", "Belgrade": "RS", "诺维萨德": "RS",
    "Novi Sad": "RS", "斯梅代雷沃": "RS", "Smederevo": "RS", "萨拉热窝": "BA",
    "Sarajevo": "BA", "地拉那": "AL", "Tirana": "AL", "波德戈里察": "ME", "Podgorica": "ME",
    "比雷埃夫斯": "GR", "Piraeus": "GR", "雅典": "GR", "Athens": "GR", "第比利斯": "GE",
    "Tbilisi": "GE", "巴统": "GE", "Batumi": "GE", "巴库": "AZ", "Baku": "AZ",
    "埃里温": "AM", "Yerevan": "AM",
    # Western and Northern Europe
    "伦敦": "GB", "London": "GB", "巴黎": "FR", "Paris": "FR", "法兰克福": "DE",
    "Frankfurt": "DE", "柏林": "DE", "Berlin": "DE", "慕尼黑": "DE", "Munich": "DE",
    "汉堡": "DE", "Hamburg": "DE", "杜伊斯堡": "DE", "Duisburg": "DE", "杜塞尔多夫": "DE",
    "Düsseldorf": "DE", "Dusseldorf": "DE", "鹿特丹": "NL", "Rotterdam": "NL",
    "阿姆斯特丹": "NL", "Amsterdam": "NL", "安特卫普": "BE", "Antwerp": "BE",
    "布鲁塞尔": "BE", "Brussels": "BE", "米兰": "IT", "Milan": "IT", "罗马": "IT",
    "Rome": "IT", "马德里": "ES", "Madrid": "ES", "巴塞罗那": "ES", "Barcelona": "ES",
    "里斯本": "PT", "Lisbon": "PT", "维也纳": "AT", "Vienna": "AT", "日内瓦": "CH",
    "Geneva": "CH", "苏黎世": "CH", "Zurich": "CH", "斯德哥尔摩": "SE", "Stockholm": "SE",
    # Western Asia
    "伊斯坦布尔": "TR", "Istanbul": "TR", "安卡拉": "TR", "Ankara": "TR", "伊兹密尔": "TR",
    "Izmir": "TR", "迪拜": "AE", "Dubai": "AE", "阿布扎比": "AE", "Abu Dhabi": "AE",
    "沙迦": "AE", "Sharjah": "AE", "杰贝阿里": "AE", "Jebel Ali": "AE",
    "利雅得": "SA", "Riyadh": "SA", "吉达": "SA", "Jeddah": "SA", "达曼": "SA",
    "Dammam": "SA", "朱拜勒": "SA", "Jubail": "SA", "吉赞": "SA", "Jazan": "SA",
    "NEOM": "SA", "新未来城": "SA", "多哈": "QA", "Doha": "QA", "科威特城": "KW",
    "Kuwait City": "KW", "马斯喀特": "OM", "Muscat": "OM", "杜库姆": "OM", "Duqm": "OM",
    "麦纳麦": "BH", "Manama": "BH", "巴格达": "IQ", "Baghdad": "IQ", "巴士拉": "IQ",
    "Basra": "IQ", "德黑兰": "IR", "Tehran": "IR", "安曼": "JO", "Amman": "JO",
    "特拉维夫": "IL", "Tel Aviv": "IL", "海法": "IL", "Haifa": "IL", "贝鲁特": "LB",
    "Beirut": "LB",
    # South and South-east Asia
    "卡拉奇": "PK", "Karachi": "PK", "伊斯兰堡": "PK", "Islamabad": "PK", "拉合尔": "PK",
    "Lahore": "PK", "瓜达尔": "PK", "Gwadar": "PK", "新德里": "IN", "New Delhi": "IN",
    "孟买": "IN", "Mumbai": "IN", "班加罗尔": "IN", "Bangalore": "IN", "Bengaluru": "IN",
    "金奈": "IN", "Chennai": "IN", "达卡": "BD", "Dhaka": "BD", "吉大港": "BD",
    "Chittagong": "BD", "科伦坡": "LK", "Colombo": "LK", "汉班托塔": "LK",
    "Hambantota": "LK", "加德满都": "NP", "Kathmandu": "NP", "喀布尔": "AF", "Kabul": "AF",
    "雅加达": "ID", "Jakarta": "ID", "泗水": "ID", "Surabaya": "ID", "万隆": "ID",
    "Bandung": "ID", "苏拉威西": "ID", "Sulawesi": "ID", "巴厘岛": "ID", "Bali": "ID",
    "苏门答腊": "ID", "Sumatra": "ID", "加里曼丹": "ID", "Kalimantan": "ID",
    "莫罗瓦利": "ID", "Morowali": "ID", "曼谷": "TH", "Bangkok": "TH", "罗勇": "TH",
    "Rayong": "TH", "春武里": "TH", "Chonburi": "TH", "清迈": "TH", "Chiang Mai": "TH",
    "林查班": "TH", "Laem Chabang": "TH", "胡志明市": "VN", "胡志明": "VN",
    "Ho Chi Minh City": "VN", "Saigon": "VN", "河内": "VN", "Hanoi": "VN", "海防": "VN",
    "Haiphong": "VN", "Hai Phong": "VN", "北宁": "VN", "Bac Ninh": "VN", "平阳": "VN",
    "Binh Duong": "VN", "同奈": "VN", "Dong Nai": "VN", "岘港": "VN", "Da Nang": "VN",
    "金边": "KH", "Phnom Penh": "KH", "西哈努克港": "KH", "西港": "KH",
    "Sihanoukville": "KH", "万象": "LA", "Vientiane": "LA", "仰光": "MM", "Yangon": "MM",
    "曼德勒": "MM", "Mandalay": "MM", "皎漂": "MM", "Kyaukphyu": "MM", "马尼拉": "PH",
    "Manila": "PH", "宿务": "PH", "Cebu": "PH", "吉隆坡": "MY", "Kuala Lumpur": "MY",
    "槟城": "MY", "Penang": "MY", "柔佛": "MY", "Johor": "MY", "关丹": "MY",
    "Kuantan": "MY", "沙巴": "MY", "Sabah": "MY", "砂拉越": "MY", "Sarawak": "MY",
    "斯里巴加湾": "BN", "Bandar Seri Begawan": "BN", "乌兰巴托": "MN", "Ulaanbaatar": "MN",
    "首尔": "KR", "Seoul": "KR", "釜山": "KR", "Busan": "KR", "东京": "JP", "Tokyo": "JP",
    "大阪": "JP", "Osaka": "JP",
    # Africa
    "开罗": "EG", "Cairo": "EG", "亚历山大港": "EG", "Alexandria": "EG", "苏伊士": "EG",
    "Suez": "EG", "新行政首都": "EG", "卡萨布兰卡": "MA", "Casablanca": "MA",
    "丹吉尔": "MA", "Tangier": "MA", "拉巴特": "MA", "Rabat": "MA", "阿尔及尔": "DZ",
    "Algiers": "DZ", "突尼斯市": "TN", "喀土穆": "SD", "Khartoum": "SD",
    "拉各斯": "NG", "Lagos": "NG", "阿布贾": "NG", "Abuja": "NG", "卡诺": "NG", "Kano": "NG",
    "阿克拉": "GH", "Accra": "GH", "特马": "GH", "Tema": "GH", "阿比让": "CI",
    "Abidjan": "CI", "达喀尔": "SN", "Dakar": "SN", "科纳克里": "GN", "Conakry": "GN",
    "巴马科": "ML", "Bamako": "ML", "洛美": "TG", "Lomé": "TG", "Lome": "TG",
    "内罗毕": "KE", "Nairobi": "KE", "蒙巴萨": "KE", "Mombasa": "KE",
    "亚的斯亚贝巴": "ET", "Addis Ababa": "ET", "吉布提市": "DJ", "达累斯萨拉姆": "TZ",
    "Dar es Salaam": "TZ", "坎帕拉": "UG", "Kampala": "UG", "基加利": "RW", "Kigali": "RW",
    "卢萨卡": "ZM", "Lusaka": "ZM", "铜带省": "ZM", "Copperbelt": "ZM", "哈拉雷": "ZW",
    "Harare": "ZW", "马普托": "MZ", "Maputo": "MZ", "罗安达": "AO", "Luanda": "AO",
    "金沙萨": "CD", "Kinshasa": "CD", "卢本巴希": "CD", "Lubumbashi": "CD",
    "科卢韦齐": "CD", "Kolwezi": "CD", "卢阿拉巴": "CD", "Lualaba": "CD",
    "加丹加": "CD", "Katanga": "CD", "布拉柴维尔": "CG", "Brazzaville": "CG",
    "黑角": "CG", "Pointe-Noire": "CG", "利伯维尔": "GA", "Libreville": "GA",
    "雅温得": "CM", "Yaoundé": "CM", "杜阿拉": "CM", "Douala": "CM",
    "约翰内斯堡": "ZA", "Johannesburg": "ZA", "开普敦": "ZA", "Cape Town": "ZA",
    "德班": "ZA", "Durban": "ZA", "比勒陀利亚": "ZA", "Pretoria": "ZA",
    "豪登省": "ZA", "Gauteng": "ZA", "温得和克": "NA", "Windhoek": "NA",
    "哈博罗内": "BW", "Gaborone": "BW", "塔那那利佛": "MG", "Antananarivo": "MG",
    # Americas
    "圣保罗": "BR", "São Paulo": "BR", "Sao Paulo": "BR", "里约热内卢": "BR",
    "Rio de Janeiro": "BR", "巴西利亚": "BR", "Brasília": "BR", "Brasilia": "BR",
    "桑托斯": "BR", "Santos": "BR", "巴伊亚": "BR", "Bahia": "BR", "马瑙斯": "BR",
    "Manaus": "BR", "墨西哥城": "MX", "Mexico City": "MX", "新莱昂": "MX",
    "Nuevo León": "MX", "Nuevo Leon": "MX", "蒙特雷": "MX", "Monterrey": "MX",
    "瓜达拉哈拉": "MX", "Guadalajara": "MX", "蒂华纳": "MX", "Tijuana": "MX",
    "布宜诺斯艾利斯": "AR", "Buenos Aires": "AR", "圣地亚哥": "CL", "Santiago de Chile": "CL",
    "利马": "PE", "Lima": "PE", "钱凯": "PE", "Chancay": "PE", "波哥大": "CO",
    "Bogotá": "CO", "Bogota": "CO", "基多": "EC", "Quito": "EC", "瓜亚基尔": "EC",
    "Guayaquil": "EC", "加拉加斯": "VE", "Caracas": "VE", "拉巴斯": "BO", "La Paz": "BO",
    "蒙得维的亚": "UY", "Montevideo": "UY", "巴拿马城": "PA", "Panama City": "PA",
    "哈瓦那": "CU", "Havana": "CU", "纽约": "US", "New York": "US", "华盛顿": "US",
    "洛杉矶": "US", "Los Angeles": "US", "硅谷": "US", "Silicon Valley": "US",
    "加州": "US", "加利福尼亚": "US", "California": "US", "德克萨斯": "US", "德州": "US",
    "Texas": "US", "特拉华": "US", "Delaware": "US", "多伦多": "CA", "Toronto": "CA",
    "温哥华": "CA", "Vancouver": "CA",
    # Oceania
    "悉尼": "AU", "Sydney": "AU", "墨尔本": "AU", "Melbourne": "AU", "珀斯": "AU",
    "Perth": "AU", "西澳": "AU", "奥克兰": "NZ", "Auckland": "NZ", "莫尔兹比港": "PG",
    "Port Moresby": "PG", "苏瓦": "FJ", "Suva": "FJ",
    # China's own places (never targets, but masked and recognised as home)
    "北京": "CN", "上海": "CN", "深圳": "CN", "广州": "CN", "钦州": "CN", "海南": "CN",
    "Shenzhen": "CN", "Shanghai": "CN", "Beijing": "CN", "Guangzhou": "CN",
    "Hong Kong": "HK", "Macau": "MO", "Macao": "MO", "Taiwan": "TW",
}


# ---------------------------------------------------------------------------------------------
# Languages


@lru_cache(maxsize=1)
def _alpha2_languages() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def is_language(code: str | None) -> bool:
    """True for an ISO 639-1 code."""
    if not code:
        return False
    return code.strip().lower() in _alpha2_languages()


@lru_cache(maxsize=8)
def language_names(locale: str) -> dict[str, str]:
    """CLDR's names of languages in ``locale``, by code (shared: do not mutate)."""
    return dict(_locale(locale).languages)


def language_name(code: str, locale: str = "en") -> str:
    c = code.strip().lower()
    name = language_names(locale).get(c)
    if name:
        return name
    lang = pycountry.languages.get(alpha_2=c)
    return getattr(lang, "name", c)


def all_languages() -> list[str]:
    return sorted(_alpha2_languages())


# Short forms a Chinese enterprise writes that CLDR's zh names (俄语, 阿拉伯语, 葡萄牙语,
# 印度尼西亚语, 柯尔克孜语, 高棉语) do not cover. "X文" for "X语" is generated by the reader.
ZH_LANGUAGE_ALIASES: dict[str, str] = {
    "阿语": "ar", "西语": "es", "葡语": "pt", "法文": "fr", "印尼语": "id", "印尼文": "id",
    "马来西亚语": "ms", "吉尔吉斯语": "ky", "柬埔寨语": "km", "菲律宾语": "tl",
    "他加禄语": "tl", "斯语": "sw", "普通话": "zh", "汉语": "zh", "中文": "zh",
    "国语": "zh", "粤语": "zh", "广东话": "zh", "波斯文": "fa",
}
EN_LANGUAGE_ALIASES: dict[str, str] = {
    "Farsi": "fa", "Filipino": "tl", "Tagalog": "tl", "Mandarin": "zh", "Cantonese": "zh",
    "Bahasa Indonesia": "id", "Bahasa Malaysia": "ms", "Bahasa Melayu": "ms",
    "Kiswahili": "sw", "Kirghiz": "ky", "Kyrgyz": "ky", "Khmer": "km", "Burmese": "my",
}


# ---------------------------------------------------------------------------------------------
# Regions, for "a neighbouring country of the same region": the groupings Chinese outbound
# investment and the Belt and Road work in (商务部/一带一路 reporting): the five Central Asian
# states, ASEAN, South Asia, West Asia and the Gulf, Central and Eastern Europe (the China-CEEC
# 17), Russia with Mongolia and the CIS, the developed economies (North America, Western
# Europe, Japan, Korea, Australia, New Zealand), and, where those say nothing, the UN M49
# sub-regions (Northern Africa, Sub-Saharan Africa, Latin America, the Pacific islands).
# The M49 sub-regions alone split what a going-out enterprise sees as one market (Serbia and
# Poland are "Southern" and "Eastern" Europe) and join what it does not (Armenia with Saudi Arabia).
_SUB_SAHARAN = (
    "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR", "NE", "NG", "SH", "SN",
    "SL", "TG",  # Western Africa
    "BI", "KM", "DJ", "ER", "ET", "KE", "MG", "MW", "MU", "YT", "MZ", "RE", "RW", "SC", "SO",
    "SS", "TZ", "UG", "ZM", "ZW", "IO", "TF",  # Eastern Africa
    "AO", "CM", "CF", "TD", "CG", "CD", "GQ", "GA", "ST",  # Middle Africa
    "BW", "SZ", "LS", "NA", "ZA",  # Southern Africa
)
_LATIN_AMERICA = (
    "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM", "DO", "GD", "GP", "HT",
    "JM", "MQ", "MS", "PR", "BL", "KN", "LC", "MF", "VC", "SX", "TT", "TC", "VI",  # Caribbean
    "BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA",  # Central America
    "AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PY", "PE", "SR", "UY", "VE", "BV",
    "GS",  # South America
)
REGIONS: dict[str, tuple[str, ...]] = {
    "central_asia": ("KZ", "KG", "TJ", "TM", "UZ"),
    "southeast_asia": ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"),
    "south_asia": ("AF", "BD", "BT", "IN", "MV", "NP", "PK", "LK"),
    "west_asia": ("AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "YE"),
    "north_africa": ("DZ", "EG", "LY", "MA", "SD", "TN", "EH"),
    "sub_saharan_africa": _SUB_SAHARAN,
    "latin_america": _LATIN_AMERICA,
    "central_eastern_europe": ("AL", "BA", "BG", "CZ", "EE", "GR", "HR", "HU", "LT", "LV", "ME", "MK", "PL",
                               "RO", "RS", "SI", "SK", "XK"),
    "russia_cis": ("AM", "AZ", "BY", "GE", "MD", "MN", "RU", "UA"),
    "developed": ("AD", "AT", "AU", "BE", "BM", "CA", "CH", "CY", "DE", "DK", "ES", "FI", "FO", "FR", "GB",
                  "GG", "GI", "GL", "IE", "IM", "IS", "IT", "JE", "JP", "KR", "LI", "LU", "MC", "MT", "NL",
                  "NO", "NZ", "PM", "PT", "SE", "SM", "US", "VA", "AX", "SJ"),
    "east_asia": ("CN", "HK", "KP", "MO", "TW"),
    "pacific_islands": ("FJ", "NC", "PG", "SB", "VU", "GU", "KI", "MH", "FM", "NR", "MP", "PW", "UM", "AS",
                        "CK", "PF", "NU", "PN", "WS", "TK", "TO", "TV", "WF", "NF", "CX", "CC", "HM"),
}
REGION_NAMES: dict[str, tuple[str, str]] = {  # code -> (en, zh)
    "central_asia": ("Central Asia", "中亚"),
    "southeast_asia": ("South-East Asia", "东南亚"),
    "south_asia": ("South Asia", "南亚"),
    "west_asia": ("West Asia and the Gulf", "西亚"),
    "north_africa": ("North Africa", "北非"),
    "sub_saharan_africa": ("Sub-Saharan Africa", "撒哈拉以南非洲"),
    "latin_america": ("Latin America and the Caribbean", "拉丁美洲和加勒比"),
    "central_eastern_europe": ("Central and Eastern Europe", "中东欧"),
    "russia_cis": ("Russia, Mongolia and the CIS", "俄罗斯、蒙古及独联体"),
    "developed": ("developed economies", "发达经济体"),
    "east_asia": ("East Asia", "东亚"),
    "pacific_islands": ("Pacific islands", "太平洋岛国"),
}
_REGION_OF: dict[str, str] = {c: r for r, members in REGIONS.items() for c in members}


@lru_cache(maxsize=4096)  # scoring asks for every served country of every candidate
def region_of(country: str) -> str | None:
    """The region code ("central_asia", "central_eastern_europe") of a country."""
    c = normalise_country(country)
    return _REGION_OF.get(c) if c else None


def region_name(region: str, locale: str = "en") -> str:
    en, zh = REGION_NAMES.get(region, (region, region))
    return zh if locale == "zh" else en


def same_region(a: str, b: str) -> bool:
    ra = region_of(a)
    return ra is not None and ra == region_of(b)


def region_members(region: str) -> tuple[str, ...]:
    """Members of a region given by its code, or by its English or Chinese name."""
    if region in REGIONS:
        return REGIONS[region]
    for code, names in REGION_NAMES.items():
        if region.lower() in (n.lower() for n in names):
            return REGIONS[code]
    return ()
