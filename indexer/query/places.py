"""The question's place and organ: "上海市人社局如何帮企业渡过难关" asks about 上海's documents,
"国家邮政局对…提供了哪些便利政策" about 国家邮政局's. When a question names a place or an organ
that the index's documents have, their clauses get PREFERENCE added to the fused score.

PREFERENCE is a tie-breaker, by measurement (docs/BENCHMARKS.md, issue 15): a real bonus
(0.05–0.2) fitted on half of NCP dev raised its MRR, and on the other half pushed the question's
own region's off-topic notices above the answer (R@5 0.862 -> 0.828 at 0.1). What it still does:
when several notices publish the same text (equal scores; collapse.py keeps the first as the
result), the notice from the place or organ the question names is the one cited, the others
listed under "also in". `preferred` in the response says which names were read.

The converse is not a tie-breaker: clauses of a document placed in another province than every
place the question names lose CONFLICT (a question on 北京 is not answered by 上海's notices;
national and unplaced documents lose nothing; fitted on half of NCP dev, it raised the other
half's R@1 and MRR and changed no R@5).

Names come from the documents themselves: each region part (浙江省, 舟山市, 嵊泗县) and its short
form (浙江, 舟山, 嵊泗; 广西壮族自治区 -> 广西), and each issuing organ as written (国家邮政局,
上海市人力资源和社会保障局). A short form of one character, or a common word (新区, 开发区), is
never a name.

An English question names places in pinyin ("Which department in Huaihua…"): `romanised`
finds the index's places written so, and the provinces and prefectures (cpca's division table)
its texts name though no document is from them ('support Xiaogan' -> 孝感) (pypinyin, toneless,
syllables run together or apart; the conventional 陕西 Shaanxi and 山西 Shanxi, 西藏 Tibet, 内蒙古
Inner Mongolia, 香港 Hong Kong, 澳门 Macau), and the engine adds the Chinese name to the question as
a glossary term. A spelling several places share (山西 and 陕西 are both "shanxi" in plain
pinyin; 苏州 and 宿州 "suzhou") names the one of them the index has documents from, else the one
provincial capital ('Fuzhou' is 福州, not 抚州), else none. Only the index's own places name
documents to prefer, and a mentioned place's name is read whole ('马鞍山' is not the 鞍山 inside it).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from indexer.types import DocumentInfo

PREFERENCE = 0.001  # a tie-breaker: see the module docstring and docs/BENCHMARKS.md
# Taken from the fused score of clauses of a document placed in another province than every
# place the question names: '北京市…' is not answered by 上海's notices. National documents
# (全国) and documents with no region lose nothing, nor does any document when the question names
# no place (an organ alone, '国家税务总局…', names none). Fitted on the even NCP dev questions,
# reported on the odd ones (docs/BENCHMARKS.md, session 7): 0.05 to 0.2 measured alike.
CONFLICT = 0.1
_CONVENTIONAL = {"陕西": ("shaanxi",), "山西": ("shanxi",), "西藏": ("tibet", "xizang"),
                 "内蒙古": ("innermongolia", "neimenggu"), "香港": ("hongkong",), "澳门": ("macau", "macao"),
                 # capitals whose English names are not pinyin (Wulumuqi, Huhehaote, Haerbin, Lasa)
                 "乌鲁木齐": ("urumqi", "urumchi"), "呼和浩特": ("hohhot",), "哈尔滨": ("harbin",), "拉萨": ("lhasa",)}
_CAPITALS = frozenset({"石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌",
                       "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明", "拉萨", "西安",
                       "兰州", "西宁", "银川", "乌鲁木齐", "台北"})
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
             "地区", "新区", "省", "市", "区", "县", "盟", "旗")
_NEVER = {"全国", "中国", "国家", "国外", "新区", "开发区", "高新区", "城区", "市区", "郊区", "山区", "社区", "地区"}


@dataclass(frozen=True)
class Preference:
    """What a question named (as written in it) and which documents that prefers (a mask over
    the index's documents)."""

    names: tuple[str, ...]
    documents: np.ndarray
    conflicting: np.ndarray | None = None  # documents of another province than every place named
    numbered: np.ndarray | None = None  # documents whose own 文号 the question names (doc_numbers.py)
    numbers: tuple[str, ...] = ()  # those 文号, as the documents write them: no place, unlike `names`


class PlaceNames:
    """Place and organ names of an index's documents, and the documents each one names.

    Args: the index's documents (in the order doc_of_row indexes them), and whether the index's
    texts use a name (the engine: its BM25 vocabulary), for the places they mention though no
    document is from them (None: the documents' places alone).
    """

    def __init__(self, documents: Sequence[DocumentInfo], used: Callable[[str], bool] | None = None):
        self.count = len(documents)
        self.provinces = np.asarray([doc.province or "" for doc in documents], dtype=object)
        owners: dict[str, set[int]] = {}
        for i, doc in enumerate(documents):
            for part in (doc.province, doc.city, doc.county):
                for name in _forms(part):
                    owners.setdefault(name, set()).add(i)
            for organ in (*doc.issuers, *([doc.issuer] if doc.issuer and not doc.issuers else [])):
                if len(organ) >= 3:
                    owners.setdefault(organ, set()).add(i)
        self.owners = {name: np.fromiter(sorted(found), dtype=np.int64) for name, found in owners.items()}
        names = sorted(self.owners, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, names))) if names else None
        # the index's places, and the provinces and prefectures its texts name though no document
        # is from them ('which provinces were assigned to support Xiaogan' -> 孝感)
        places = {n for n in self.owners if _is_place_form(n)}
        mentioned = [n for n in _divisions() if n not in self.owners and used(n)] if used is not None else []
        self.pinyin = _romanised_places(sorted(places | set(mentioned)), places)
        # Names are matched over the mentioned places too, longest first, so that '马鞍山' is read
        # as 马鞍山 (no document's), not as the 鞍山 of Liaoning's documents inside it.
        if mentioned:
            names = sorted({*self.owners, *mentioned}, key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, names)))

    def romanised(self, question: str) -> list[tuple[str, str]]:
        """The places an English question names in pinyin, as (the words as written, the Chinese
        name): 'Huaihua' -> 怀化, 'Inner Mongolia' -> 内蒙古. One or two words per name."""
        if not self.pinyin or not question.isascii() and not re.search(r"[A-Za-z]{3}", question):
            return []
        words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+(?:'[A-Za-z]+)?", question)]
        found, i = [], 0
        while i < len(words):
            for width in (2, 1):  # 'Inner Mongolia', 'Huai Hua' before 'Huaihua'
                if i + width > len(words):
                    continue
                key = "".join(re.sub(r"'s$", "", w.lower()).replace("'", "") for w, _, _ in words[i:i + width])
                if key in self.pinyin:
                    found.append((question[words[i][1]:words[i + width - 1][2]], self.pinyin[key]))
                    i += width
                    break
            else:
                i += 1
        return found

    def preference(self, question: str) -> Preference | None:
        """The documents a question's place and organ names prefer (None when it names none),
        and those of another province than every place it names (`conflicting`; None when it
        names no place).

        Names are matched longest first without overlap, so "上海市人社局" names 上海市 and
        "国家邮政局" names the organ, not a place inside it. A question naming several places
        prefers documents from any of them.
        """
        if self.pattern is None:
            return None
        names = tuple(dict.fromkeys(m.group(0) for m in self.pattern.finditer(question) if m.group(0) in self.owners))
        if not names:
            return None
        mask = np.zeros(self.count, dtype=bool)
        for name in names:
            mask[self.owners[name]] = True
        named = {p for name in names if _is_place_form(name) for p in self.provinces[self.owners[name]]} - {"", "全国"}
        conflicting = None
        if named:  # a mask over every document, per question: one array pass, not a Python loop
            placed = (self.provinces != "") & (self.provinces != "全国")
            conflicting = placed & ~np.isin(self.provinces, list(named))
        return Preference(names, mask, conflicting)


def _is_place_form(name: str) -> bool:
    """A region part or its short form (not an organ's name): 2-8 CJK characters."""
    return 2 <= len(name) <= 8 and all("\u4e00" <= c <= "\u9fff" for c in name) and not name.endswith(
        ("局", "委", "厅", "办", "部", "署", "会", "院", "组", "中心", "政府", "公司", "银行"))


@functools.lru_cache(maxsize=1)
def _divisions() -> tuple[str, ...]:
    """The short forms of every province and prefecture of cpca's division table (浙江, 孝感,
    恩施; 'parse/regions.py' reads documents' regions with the same table)."""
    import csv
    from importlib.resources import files

    from indexer.parse.regions import _PEOPLES, _cpca

    _cpca()  # the package, imported as regions.py does (it warns on import)
    out: dict[str, None] = {}
    with files("cpca.resources").joinpath("pca.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            for part in (row["sheng"], row["shi"]):
                if part.endswith("自治州"):  # 恩施土家族苗族自治州 -> 恩施
                    part = _PEOPLES.sub("", part.removesuffix("自治州"))
                for name in _forms(part):
                    if _is_place_form(name):
                        out[name] = None
    return tuple(out)


def _romanised_places(names, owned: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """Toneless pinyin (syllables run together) of each short place name -> the name; of a
    spelling several names share, the one place among them that has documents (`owned`), else
    the one provincial capital, else none; the conventional English names added."""
    from pypinyin import lazy_pinyin  # imported lazily: its dictionaries load on import

    keys: dict[str, set[str]] = {}
    names = list(names)
    for name in names:
        if any(name.endswith(s) for s in _SUFFIXES) and len(name) > 2:
            continue  # '怀化市': its short form '怀化' stands for it
        # read as a place name is ('花都市': huadu, not the 'dou' of 都 alone; 闵行 minhang)
        keys.setdefault("".join(lazy_pinyin(name + "市")[:len(name)]).replace("ü", "v"), set()).add(name)
    out = {}
    for key, found in keys.items():
        # the index's own place ('Taizhou' 泰州 where only 台州 is mentioned), else the capital
        # ('Fuzhou' 福州, not 抚州)
        for among in (found, found & owned, found & _CAPITALS):
            if len(among) == 1 and len(key) >= 4:
                out[key] = next(iter(among))
                break
    out.pop("shanxi", None)  # plain pinyin of 陕西 too: 'Shanxi' is 山西 only by convention, below
    for name, spellings in _CONVENTIONAL.items():
        if name in names:
            out.update(dict.fromkeys(spellings, name))
    return out


def _forms(part: str) -> list[str]:
    """A region part and its short form ('嵊泗县' -> ['嵊泗县', '嵊泗'])."""
    if not part or part in _NEVER:
        return []
    forms = [part]
    for suffix in _SUFFIXES:
        if part.endswith(suffix) and len(part) - len(suffix) >= 2:
            short = part[:-len(suffix)]
            if short not in _NEVER:
                forms.append(short)
            break
    return forms
