"""Synthetic lawyer profiles in the exchange format, 10k to 1M, with bounded distinct sentences.

Bios are composed from matter sentences mined from the dev set (and the demo directory): each
sentence naming a country becomes a template, re-instantiated with the profile's own countries,
in Chinese or English as the original was. Field distributions (countries per lawyer, practice
areas, languages, status, years, firms, cities) follow the mined profiles. A tenth of the matter
sentences carry a detail (year, client, product, amount), so the distinct texts to encode grow
with the directory (about one per three profiles: ~35k at 100k, ~350k at 1M) as in a real one;
`--encode` fills the vector cache with them (same seed, same texts), so re-runs never re-encode.

    python benchmarks/synth.py --count 100000 --out /tmp/synth-100k.jsonl --encode --cache-dir ~/.cache/matchmaker/vectors
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from models.lawyer import LawyerStatus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SOURCES = [REPO.parent / "shared" / "eval" / "dev" / "lawyers.jsonl", REPO / "service" / "demo_data" / "lawyers.jsonl"]
DEFAULT_CACHE = Path.home() / ".cache" / "matchmaker" / "vectors"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞晓东文博浩然子涵婉清思远建国海燕志强宇轩"
# Matter details that make sentences distinct the way real bios are (amounts, years, counterparties,
# products): a sentence gets one with probability DETAIL_SHARE, so distinct passages grow with the
# profile count (about one per three profiles) instead of saturating at the template count.
DETAIL_SHARE = 0.1
PRODUCTS_ZH = ["光伏组件", "风电设备", "工程机械", "锂电池", "纺织品", "钢材", "汽车零部件", "医疗器械", "家电", "化工原料", "农产品", "通信设备"]
PRODUCTS_EN = ["solar modules", "wind turbines", "construction machinery", "lithium batteries", "textiles", "steel products", "auto parts", "medical devices", "home appliances", "chemicals", "agricultural products", "telecom equipment"]
PARTNERS_ZH = ["国有建筑企业", "民营制造企业", "上市能源公司", "跨境电商平台", "矿业集团", "物流企业", "港口运营商", "电力投资公司"]
PARTNERS_EN = ["a state-owned contractor", "a private manufacturer", "a listed energy company", "a cross-border e-commerce platform", "a mining group", "a logistics company", "a port operator", "a power investor"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "重庆", "成都", "西安", "乌鲁木齐", "昆明", "南宁", "厦门", "天津", "武汉", "青岛"]


class Templates:
    """Sentences mined from real-looking profiles, with country names turned into slots."""

    def __init__(self) -> None:
        from embeddings.passages import split_sentences
        from service import taxonomy

        names: list[tuple[str, str, str]] = []  # (name, code, locale)
        for code in taxonomy.all_countries():
            if code == "CN":
                continue
            for locale in ("en", "zh"):
                name = taxonomy.country_name(code, locale)
                if name and len(name) >= 2:
                    names.append((name, code, locale))
        names.sort(key=lambda n: -len(n[0]))  # longest first: "Niger" inside "Nigeria"
        self.by_area: dict[str, set[tuple[str, str]]] = defaultdict(set)  # area -> {(template, locale)}
        self.boilerplate: set[str] = set()
        self.country_weight: Counter[str] = Counter()
        self.area_weight: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()
        self.profiles = 0
        for path in SOURCES:
            if not path.exists():
                continue
            for line in path.open(encoding="utf-8"):
                row = json.loads(line)
                self.profiles += 1
                self.country_weight.update(row.get("countries") or [])
                self.area_weight.update(row.get("practice_areas") or [])
                self.languages.update(e["code"] for e in row.get("languages") or [] if e["code"] != "zh")
                areas = row.get("practice_areas") or []
                for sentence in split_sentences(row.get("bio") or ""):
                    template, locale = sentence, None
                    for name, _code, loc in names:
                        if name in template:
                            template, locale = template.replace(name, "{c}"), loc
                    if locale is None:
                        self.boilerplate.add(sentence)
                    elif len(areas) == 1:
                        self.by_area[areas[0]].add((template, locale))
        self.names = {(code, loc): name for name, code, loc in names}
        self.areas = sorted(a for a in self.by_area if self.by_area[a])
        self.area_list = {a: sorted(t) for a, t in self.by_area.items()}
        self.boiler_list = sorted(self.boilerplate)
        self.countries = [c for c, _ in self.country_weight.most_common() if (c, "en") in self.names and (c, "zh") in self.names]


def profile(i: int, t: Templates, rng: random.Random, detail_share: float = DETAIL_SHARE) -> dict:
    area_weights = [t.area_weight[a] + 1 for a in t.areas]
    country_weights = [t.country_weight[c] + 1 for c in t.countries]
    areas = list(dict.fromkeys(rng.choices(t.areas, weights=area_weights, k=rng.choice([1, 1, 2, 2, 3]))))
    countries = list(dict.fromkeys(rng.choices(t.countries, weights=country_weights, k=rng.choice([1, 1, 2, 2, 3, 4]))))
    sentences = []
    for area in areas:
        for template, locale in rng.sample(t.area_list[area], k=min(len(t.area_list[area]), rng.choice([1, 2, 2, 3]))):
            sentence = template.replace("{c}", t.names[(rng.choice(countries), locale)])
            if rng.random() < detail_share:
                sentence = with_detail(sentence, locale, rng)
            sentences.append(sentence)
    sentences += rng.sample(t.boiler_list, k=rng.choice([0, 1, 2]))
    rng.shuffle(sentences)
    chinese = rng.random() < 0.8
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice([1, 2]))) if chinese else f"Lawyer {i}"
    city = rng.choice(CITIES)
    firm_no = min(int(rng.paretovariate(0.35)), 40_000)  # a few large firms, a long tail of small ones
    languages = [{"code": "zh", "level": "native" if chinese else "working"}]
    if rng.random() < 0.85:
        languages.append({"code": "en", "level": rng.choice(["fluent", "working"])})
    for code in rng.sample(list(t.languages), k=rng.choice([0, 0, 1])):
        if code not in ("en", "zh"):
            languages.append({"code": code, "level": rng.choice(["native", "fluent", "working"])})
    low = rng.randrange(500, 3000, 100)
    return {
        "external_id": f"S-{i:07d}",
        "name": name,
        "name_en": f"Synthetic Lawyer {i}",
        "firm": f"{city}第{firm_no}律师事务所",
        "firm_en": f"Synthetic Law Firm {firm_no}",
        "city": city,
        "license_no": f"{20000000000000000 + i:017d}",
        "years_of_practice": min(40, int(rng.expovariate(1 / 9))),
        "bar_admissions": ["CN"],
        "countries": countries if rng.random() < 0.9 else [],
        "offices": countries[:1] if rng.random() < 0.15 else [],
        "practice_areas": areas if rng.random() < 0.9 else [],
        "languages": languages,
        "bio": " ".join(sentences),
        "cases": [],
        "talent_pools": rng.sample(["acla_foreign_related", "bri_cross_border", "provincial_leading"], k=rng.choice([0, 0, 0, 1, 2])),
        "hourly_rate": {"min": low, "max": low + rng.randrange(500, 3000, 100), "currency": "CNY"},
        "accepting_clients": rng.random() < 0.92,
        "status": rng.choices([LawyerStatus.verified, LawyerStatus.pending, LawyerStatus.suspended], weights=[88, 9, 3])[0],
        "email": f"s{i}@example.com",
        "phone": None,
    }


def with_detail(sentence: str, locale: str, rng: random.Random) -> str:
    """The sentence with a matter detail: client, product, amount and year."""
    year = rng.randrange(2005, 2026)
    amount = rng.randrange(1, 1000)
    if locale == "zh":
        body = sentence.rstrip("。；;. ")
        return f"{body}（{year}年，客户为{rng.choice(PARTNERS_ZH)}，涉及{rng.choice(PRODUCTS_ZH)}，金额约{amount}百万元）。"
    body = sentence.rstrip(". ")
    return f"{body} ({year}, for {rng.choice(PARTNERS_EN)}, {rng.choice(PRODUCTS_EN)}, about USD {amount} million)."


def generate(count: int, out: Path, seed: int = 7, detail_share: float = DETAIL_SHARE) -> dict:
    templates = Templates()
    rng = random.Random(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps(profile(i, templates, rng, detail_share), ensure_ascii=False) + "\n")
    return {
        "templates": sum(len(v) for v in templates.area_list.values()),
        "boilerplate": len(templates.boiler_list),
        "countries": len(templates.countries),
        "areas": len(templates.areas),
    }


def masked_texts(path: Path) -> list[str]:
    """The distinct texts the catalog will encode for these profiles."""
    from embeddings.passages import profile_passages
    from service.matching.reading import mask_places

    seen: dict[str, None] = {}
    raw: set[str] = set()
    for line in path.open(encoding="utf-8"):
        row = json.loads(line)
        for passage in profile_passages(row.get("bio"), row.get("cases")):
            if passage.text not in raw:
                raw.add(passage.text)
                seen[mask_places(passage.text)] = None
    return list(seen)


def encode_into_cache(path: Path, cache_dir: Path, processes: int) -> dict:
    from embeddings.encoder import load_encoder
    from service.matching.catalog.encoding import EncoderPool, VectorCache

    encoder = load_encoder()
    cache = VectorCache(f"{encoder.name}@{encoder.version}", encoder.dim, cache_dir, max_items=2_000_000)
    texts = masked_texts(path)
    _, missing = cache.lookup(texts)
    todo = [texts[i] for i in missing]
    started = time.perf_counter()
    if todo:
        pool = EncoderPool(encoder.name, processes) if processes > 1 and len(todo) > 512 else None
        try:
            vectors = [f.result() for f in pool.submit(todo)] if pool else [encoder.encode_documents(todo[i : i + 256]) for i in range(0, len(todo), 256)]
        finally:
            if pool:
                pool.close()
        import numpy as np

        cache.store(todo, np.concatenate(vectors))
        cache.save()
    return {"distinct_texts": len(texts), "encoded": len(todo), "encode_seconds": round(time.perf_counter() - started, 2), "cache_size": len(cache)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--encode", action="store_true", help="encode the distinct texts into the vector cache")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--detail-share", type=float, default=DETAIL_SHARE,
        help="share of matter sentences given a client/product/amount/year detail; 1.0 makes nearly every "
        "matter sentence unique (a directory of hand-written bios, the import's hardest case)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    figures: dict = {"count": args.count, "out": str(args.out), "detail_share": args.detail_share}
    figures |= generate(args.count, args.out, args.seed, args.detail_share)
    figures["generate_seconds"] = round(time.perf_counter() - started, 2)
    if args.encode:
        figures |= encode_into_cache(args.out, args.cache_dir, args.processes)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
