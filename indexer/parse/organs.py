"""Issuing organs (发文机关): what counts as an organ's name, co-issuers run together, the
signature block that closes a notice, and whether a text is an organ's notice or a news report.

A notice names its issuers at the head of its title ('财政部 税务总局关于…') and signs at the end
('海陵区行政审批局 2020年1月30日'); a news report names organs only as the subject of sentences,
so it gets no issuer at all rather than a guessed one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.parse.dates import DATE_PATTERN as _DATE

# Ministries and national bodies: they sign for the whole country (region '全国'), and they
# mark where co-issuers printed without a gap split ('财政部税务总局' -> 财政部, 税务总局).
CENTRAL_ORGANS = (
    "国务院办公厅", "国务院", "中共中央办公厅", "中共中央", "全国人民代表大会常务委员会",
    "国家发展改革委", "国家发展和改革委员会", "教育部", "科技部", "科学技术部", "工业和信息化部",
    "公安部", "民政部", "司法部", "财政部", "人力资源社会保障部", "人力资源和社会保障部",
    "自然资源部", "生态环境部", "住房城乡建设部", "住房和城乡建设部", "交通运输部", "水利部",
    "农业农村部", "商务部", "文化和旅游部", "国家卫生健康委员会", "国家卫生健康委", "国家卫健委",
    "退役军人事务部", "应急管理部", "中国人民银行", "审计署", "国务院国资委", "海关总署",
    "国家税务总局", "税务总局", "国家市场监督管理总局", "市场监管总局", "国家金融监督管理总局",
    "银保监会", "中国银保监会", "证监会", "中国证监会", "国家统计局", "国家医疗保障局", "国家医保局",
    "国家知识产权局", "国家药监局", "国家药品监督管理局", "国家外汇管理局", "国家邮政局",
    "中国民用航空局", "民航局", "国家铁路局", "国家能源局", "国家林业和草原局", "国家移民管理局",
    "国家中医药管理局", "国家疾控局", "全国总工会", "共青团中央", "全国妇联", "中国残联",
    "中国红十字会总会", "国家互联网信息办公室", "国家网信办", "国家广播电视总局", "国家体育总局",
    "国家粮食和物资储备局", "中央组织部", "中央宣传部", "中央网信办", "国家铁路集团",
    "中国国家铁路集团有限公司", "国务院应对新型冠状病毒肺炎疫情联防联控机制", "国务院联防联控机制",
    "国务院新闻办公室", "国新办", "国家发改委", "工信部", "人社部", "住建部", "国家林草局", "中国气象局",
)
# A name ends in one of these: the unit an organ is (局, 委员会, 中心…).
_SUFFIX = (r"(?:厅|局|委|委员会|办公室|办公厅|政府|中心|管委会|党委|工委|科协|部|办|总署|署|司|法院|检察院|"
           r"指挥部|联防联控(?:工作)?机制|领导小组|组|红十字会|联合会|总工会|妇联|残联|科|处|所|站|队|院|"
           r"分行|支行|银行|集团|公司)")
_ENDS_ORGAN = re.compile(rf"{_SUFFIX}$")
# An organ may carry its other name in brackets: '泰安市疫情处置工作领导小组（指挥部）'.
_ORGAN = re.compile(rf"[\u4e00-\u9fff（）()]{{1,40}}{_SUFFIX}(?:[（(][\u4e00-\u9fff]{{0,12}}{_SUFFIX}[）)])?")
# Never an issuer: function words, and whatever starts like a clause of a sentence.
_NOT_ORGAN = re.compile(r"^(?:关于|印发|转发|根据|按照|为|经|由|对|在|各|现|请|本|我|该|其|有关|相关|全|特此)|"
                        r"(?:关于|印发|转发|通知|公告|通告|意见|决定|指引|指南|措施|名单|清单|方案|证明|说明)|[的了是将要把被和与及]$")
# Organs managed top-down keep their place inside the name: 国家税务总局河南省税务局 is one organ.
_VERTICAL = re.compile(r"^(?:国家税务总局|中国人民银行|国家金融监督管理总局|共青团|中共|中国共产党)")
_MEDIA = re.compile(r"日报|晚报|新闻|电视|广播|网$|报$|公众号|微信|南方\+|融媒|头条|数据库|客户端")


def is_organ(name: str) -> bool:
    """Whether a string is an organ's name ('宿州市公安局'), not a function word or a fragment
    (nor a piece cut out of a bracket: '市有关部门）北京市人民政府办公厅')."""
    name = name.strip()
    return 2 <= len(name) <= 45 and bool(_ORGAN.fullmatch(name) or name in CENTRAL_ORGANS) \
        and not _NOT_ORGAN.search(name) and _balanced(name)


def _balanced(name: str) -> bool:
    depth = 0
    for c in name:
        depth += (c in "（(") - (c in "）)")
        if depth < 0:
            return False
    return depth == 0


def is_media(name: str) -> bool:
    """Whether a page's stated source is a newspaper, a site or an account rather than an organ."""
    return bool(_MEDIA.search(name))


def split_organs(text: str) -> tuple[str, ...]:
    """Co-issuers as a tuple: '财政部 海关总署 税务总局', '财政部税务总局', '教育部、民政部'.

    Args: the issuing part of a title or a signature. Returns: the organs in order, () when any
    piece is not an organ's name (the text is then no list of issuers).
    """
    organs: list[str] = []
    pending = ""
    for piece in re.split(r"[\s、，,]+", text.strip()):
        if pending and _PLACED.match(piece) and is_organ(piece):
            return ()  # a whole organ after a piece that is none: '…准入标准' + '广州市医疗保障局' is no wrap
        pending += piece
        if not piece or not is_organ(pending):
            continue  # a name wrapped over two lines: '浙江省…的肺炎' + '疫情防控工作领导小组办公室'
        organs.extend(_unjoin(pending))
        pending = ""
    for i in range(len(organs) - 1, 0, -1):  # '国家税务总局 甘肃省税务局' printed with a gap is one organ
        if organs[i - 1] == "国家税务总局" and organs[i].endswith("税务局"):
            organs[i - 1:i + 1] = [organs[i - 1] + organs[i]]
    return tuple(organs) if organs and not pending else ()


# A name opening on its place ('广州市医疗保障局'): the start of a name, never the rest of a wrapped one.
_PLACED = re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|市|自治区|自治州|区|县)")


# The joint body of a party committee and a government is one organ: '中共大理州委大理州人民政府
# 应对新型冠状病毒感染肺炎疫情防控工作领导小组指挥部'.
_JOINT_BODY = re.compile(r"(?:领导小组|指挥部|工作组|委员会)(?:办公室|指挥部)?$")


def _unjoin(name: str) -> list[str]:
    """Split organs printed without a gap: at a ministry's name, or where the place that
    opened the run starts again ('广州市人力资源和社会保障局广州市财政局')."""
    party = name.startswith("中共")  # '中共浙江省委浙江省人民政府': the party committee, then the government
    if _VERTICAL.match(name) and not name.startswith(("国家税务总局", "中国人民银行")) and not party \
            or name in CENTRAL_ORGANS or party and _JOINT_BODY.search(name):
        return [name]
    place = name[2:4] if party else name[:2]
    cuts = [i for i in range(2, len(name) - 1)
            if name.startswith((place, "中国", "国家", "中共", *CENTRAL_ORGANS), i) and _ENDS_ORGAN.search(name[:i])]
    parts = [name[a:b] for a, b in zip([0, *cuts], [*cuts, len(name)])]
    if len(parts) > 1 and all(is_organ(p) for p in parts) and not \
            (name.startswith(("国家税务总局", "中国人民银行")) and len(parts) == 2
             and parts[0] in ("国家税务总局", "中国人民银行")):
        return parts
    return [name]


# A national organ's unit at a place ('国家税务总局重庆市税务局', '中国人民银行营业管理部') is local.
_LOCAL = re.compile(r"[省市县州]|自治区|地区|分行|支行|营业管理部|监管局")


def is_central(organ: str) -> bool:
    """Whether an organ acts for the whole country: a ministry, 国务院, 海关总署…, or a unit of
    one that names no place ('国务院应对新型冠状病毒肺炎疫情联防联控机制综合组', '教育部…领导小组办公室')."""
    organ = re.sub(r"^中华人民共和国|(?<=.)(?:办公厅|办公室)$", "", organ)
    if organ in CENTRAL_ORGANS:
        return True
    parent = next((c for c in CENTRAL_ORGANS if organ.startswith(c)), "")
    return bool(parent) and not _LOCAL.search(organ[len(parent):])


_CHROME = r"责任编辑|【|扫一扫|打印|关闭窗口|分享到"
# A signing date stands alone: after a gap or line start, before a gap, the end, or what
# follows a signature ('（此件公开发布）', '抄送', '附件'); never '于2020年2月7日发布' or '2月22日24时'.
_SIGNED_DATE = re.compile(rf"(?:^|(?<=[\s\u3000])){_DATE}(?=[ \t\u3000]*(?:$|\n|[（(]此件|抄送|附件|"
                          rf"[（(]?联系|公开方式|[ \t\u3000]{{2,}}|[（(]?公开|\d{{4}}\s*[年/.-]|$))", re.MULTILINE)
# Where the page goes on after the signature ('扫一扫在手机打开当前页', '【打印本页】', the name of
# an attachment), a date between gaps is still the signing date when organ names stand before it.
_GAPPED_DATE = re.compile(rf"(?:^|(?<=[\s\u3000])){_DATE}(?=[\s\u3000]+(?!\d{{1,2}}:\d{{2}})|$|{_CHROME})",
                          re.MULTILINE)
_CLOSING_CHARS = 300  # a date alone after the last sentence, with page chrome after it, signs
# A notice that forwards or issues a document ('现将《…》转发给你们，请…执行。 2020年2月22日 企事业单位
# 复工复产疫情防控措施指南 …'): the date alone after its last sentence signs it, and the document
# it carries follows.
_FORWARDS = re.compile(r"现将.{2,300}?(?:转发|印发|下发)给你们|现予以?(?:印发|转发)")
_NAME_PIECE = re.compile(r"^[\u4e00-\u9fff（）()、]{1,45}$")


@dataclass(frozen=True)
class Signature:
    """The signature block: the organs that sign (maybe none) and the date under them."""

    organs: tuple[str, ...]
    date_match: re.Match[str]


def signatures(text: str) -> list[Signature]:
    """Every signing date in the text with the organ names printed right before it.

    Args: the text (line breaks kept or lost). Returns: Signatures in text order; organs are
    () where the date stands after body text ('…执行。 2020年2月17日').
    """
    found = []
    forwards = _FORWARDS.search(text)  # '现将…转发给你们': what it forwards follows its date
    alone = {m.start(): m for m in _SIGNED_DATE.finditer(text)}
    gapped = (m for m in _GAPPED_DATE.finditer(text) if m.start() not in alone)
    for m in sorted([*alone.values(), *gapped], key=lambda m: m.start()):
        before = re.split(r"[。；;！!？?：:，,”》]", text[max(0, m.start() - 600):m.start()])[-1]
        pieces = before.split()
        names: list[str] = []
        for piece in reversed(pieces):  # the run of bare names closest to the date
            if not _NAME_PIECE.match(piece):
                break
            names.insert(0, piece)
        organs = ()
        for start in range(len(names)):  # the longest run that is all organs
            organs = split_organs(" ".join(names[start:]))
            if organs:
                break
        closing = not before.strip() and text[:m.start()].rstrip().endswith("。") \
            and (len(text) - m.end() < _CLOSING_CHARS or forwards is not None and forwards.end() <= m.start())
        if organs or m.start() in alone or closing:
            found.append(Signature(organs, m))
    return found


# A notice signed without a date: its organs stand alone after its last sentence ('…遵照执行。
# 北京市市场监督管理局'), perhaps before page chrome ('扫一扫在手机打开当前页') or a date cut short.
# A date cut short to its year ('国家税务总局深圳市税务局 2020') leaves it undated.
_UNDATED_SIGNATURE = re.compile(rf"[。！？!?]\s+([\u4e00-\u9fff（）()、\s]{{2,120}}?)\s*(?:(?:19|20)\d{{2}}\s*年?\s*)?"
                                rf"(?:(?:{_CHROME}).{{0,40}})?$", re.DOTALL)
# The letterhead that heads an official document: '贵阳市人民政府办公厅文件'.
_LETTERHEAD = re.compile(r"(?:^|(?<=\s))([\u4e00-\u9fff（）()]{2,40}?)文件(?=\s|$)", re.MULTILINE)
_HEAD_CHARS = 400


def closing_organs(text: str) -> tuple[str, ...]:
    """Organs that sign a text without a date: the names standing alone after its last sentence.

    Args: the text. Returns: the organs, () when what follows the last sentence is no list of
    organs (a reporter's byline '（记者 李振）', an attachment, a phone number).
    """
    m = _UNDATED_SIGNATURE.search(text[-_HEAD_CHARS:])
    return split_organs(m.group(1)) if m else ()


def letterhead(text: str) -> tuple[str, ...]:
    """The organ whose letterhead ('贵阳市人民政府办公厅文件') heads a text; () if none.
    Args: the text. Returns: the organs the letterhead names."""
    for m in _LETTERHEAD.finditer(text[:_HEAD_CHARS]):
        if organs := split_organs(m.group(1)):
            return organs
    return ()
