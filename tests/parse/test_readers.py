"""Format readers: what `read_source` gives the parser for each format, and what it refuses."""
from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest

from indexer.errors import CorpusError
from indexer.parse import readers
from indexer.parse.dates import DATE_RE, iso_date
from indexer.parse.readers import (
    MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    read_source,
    register_reader,
)
from indexer.parse.web import strip_site_name  # importing web registers .html/.htm
from indexer.types import SourceText

SHARED = Path(os.environ.get("POLICY_SHARED_DIR")
              or Path(__file__).resolve().parents[2].parent / "shared")
GZ_HTML = SHARED / "datasets" / "gz-policy-html"
GZ_PAGES = sorted(GZ_HTML.glob("*.html")) if GZ_HTML.is_dir() else []
needs_gz_html = pytest.mark.skipif(
    not GZ_PAGES, reason=f"dataset gz-policy-html not found at {GZ_HTML} (set POLICY_SHARED_DIR)"
)

# Lines that are site chrome, never article text, on the saved Guangzhou pages.
CHROME_LINE = re.compile(
    r"^[\[【]?(首页|网站地图|无障碍|无障碍浏览|打印|打印本页|关闭|关闭窗口|返回顶部|分享到?)[\]】:：]?$"
    r"|当前位置|版权所有|ICP备|网站标识码"
)
SCRIPT_CODE = re.compile(
    r"function\s*\(|window\.|document\.|jQuery|\$\(|\bvar \w+ ?=|</?(?:script|style|div|p|span)\b"
)


def write(tmp_path: Path, name: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    """A file under tmp_path holding `content` (str is encoded with `encoding`)."""
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


# ------------------------------------------------------------------------- dispatch


def test_dispatch_is_by_case_insensitive_extension(tmp_path):
    for name in ("a.TXT", "b.Md", "c.HTM", "d.Html"):
        text = read_source(write(tmp_path, name, "<p>第一条 总则</p>")).text
        assert "第一条" in text


def test_unknown_extension_is_refused_with_the_supported_list(tmp_path):
    path = write(tmp_path, "notice.xyz", "第一条")
    with pytest.raises(CorpusError) as err:
        read_source(path)
    message = str(err.value)
    assert "notice.xyz" in message and "'.xyz'" in message
    assert all(ext in message for ext in (".htm", ".html", ".md", ".txt"))
    assert "\n" not in message


def test_register_reader_adds_a_format_without_touching_the_dispatch(tmp_path):
    def read_fake(path: Path) -> SourceText:
        return SourceText(text=f"fake:{path.name}")

    register_reader("FAKEFMT", read_fake)
    try:
        assert ".fakefmt" in SUPPORTED_EXTENSIONS  # the exported view follows the registry
        assert read_source(write(tmp_path, "x.FakeFmt", b"\x00")).text == "fake:x.FakeFmt"
    finally:
        readers.READERS.pop(".fakefmt")
    assert ".fakefmt" not in SUPPORTED_EXTENSIONS


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", "\u3000\u00a0\n\u200b\n".encode()])
def test_empty_or_whitespace_only_file_is_refused(tmp_path, content):
    path = write(tmp_path, "empty.txt", content)
    with pytest.raises(CorpusError, match=r"empty.txt: file is empty"):
        read_source(path)


def test_png_renamed_txt_is_refused_as_binary(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4
    with pytest.raises(CorpusError, match=r"image.txt: binary file"):
        read_source(write(tmp_path, "image.txt", png))


def test_random_bytes_are_refused(tmp_path):
    noise = random.Random(7).randbytes(8192)
    with pytest.raises(CorpusError, match=r"noise.txt: (binary file|cannot decode)"):
        read_source(write(tmp_path, "noise.txt", noise))


def test_valid_utf8_full_of_control_characters_is_refused_as_binary(tmp_path):
    path = write(tmp_path, "ctl.txt", "第一条\x01\x02\x03\x04\x05\x06\x07\x08" * 20)
    with pytest.raises(CorpusError, match="binary file"):
        read_source(path)


def test_undecodable_bytes_are_refused_with_one_line_naming_the_file(tmp_path):
    high_bytes = bytes(b | 0x80 for b in random.Random(1).randbytes(2000))  # no NUL, no ASCII
    with pytest.raises(CorpusError) as err:
        read_source(write(tmp_path, "garbled.txt", high_bytes))
    assert "garbled.txt: cannot decode text" in str(err.value)
    assert "\n" not in str(err.value)


def test_file_over_the_limit_is_refused_without_being_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over MAX_BYTES"))
    with pytest.raises(CorpusError, match=r"huge.txt: file is 50.0 MB, over the 20 MB limit"):
        read_source(path)
    assert MAX_BYTES == 20 * 1024 * 1024


def test_missing_file_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="nowhere.txt: cannot read file"):
        read_source(tmp_path / "nowhere.txt")


# ------------------------------------------------------------------------- encodings

NOTICE = "穗府办规〔2024〕13号\n广州市人民政府办公厅关于印发广州市公共租赁住房管理办法的通知\n第一条　为完善本市住房保障体系，制定本办法。"


def test_gb18030_file_decodes_to_the_same_text(tmp_path):
    source = read_source(write(tmp_path, "gbk.txt", NOTICE + "\n㐀䶵", encoding="gb18030"))
    assert source.text == NOTICE + "\n㐀䶵"  # 㐀䶵 need GB18030's four-byte codes
    assert source.warnings == ()


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    source = read_source(write(tmp_path, "bom.txt", NOTICE, encoding="utf-8-sig"))
    assert source.text == NOTICE


def test_utf16_with_bom_is_read(tmp_path):
    assert read_source(write(tmp_path, "u16.txt", NOTICE, encoding="utf-16")).text == NOTICE


def test_big5_without_a_declaration_is_not_taken_for_gb18030(tmp_path):
    # Big5 bytes decode without error as GB18030, into rare characters; detection must win.
    text = "臺北市政府公告：本辦法自公布日施行。為落實長期照顧服務，提升服務品質，特訂定本辦法。"
    source = read_source(write(tmp_path, "tw.txt", text, encoding="big5"))
    assert source.text == text
    assert source.warnings == ("encoding guessed as big5",)


def test_other_encodings_fall_back_to_charset_detection_with_a_warning(tmp_path):
    text = "Société générale: résumé des données publiées. " * 5
    source = read_source(write(tmp_path, "latin.txt", text.strip(), encoding="cp1252"))
    assert source.text == text.strip()
    assert source.warnings and "encoding guessed" in source.warnings[0]


# ------------------------------------------------------------------------- normalisation


def test_text_is_normalised_but_keeps_full_width_punctuation_and_line_breaks(tmp_path):
    raw = ("一、总则\r\n（一）适用范围：\u200b本办法\t适用于全市。\r"
           "\u00a0\u3000 \n\n\n\n１．第一项；\n\u3000\u3000二、附则\u00a0\n")
    text = read_source(write(tmp_path, "n.txt", raw)).text
    assert text == "一、总则\n（一）适用范围：本办法 适用于全市。\n\n１．第一项；\n\u3000\u3000二、附则"


# ------------------------------------------------------------------------- markdown

MARKDOWN = """---
title: "广州市积分制入户管理办法"
doc_number: 穗府办规〔2025〕8号
issuer: 广州市人民政府办公厅
date: 2025年7月5日
region: 广东省广州市
source_url: https://www.gz.gov.cn/zwgk/fggw/sfbgtwj/content/post_10343148.html
---
# 广州市积分制入户管理办法

## 第一章 总则

**第一条** 为规范积分制入户工作，制定本办法。

- 申请人年龄不超过45周岁；
* 持有本市有效居住证；
1. 在本市缴纳社会保险满____年。
> 详见[附件1](https://example.gov.cn/a.pdf)。

| 单位 | 职责 |
|------|------|
| 市人力资源社会保障局 | 牵头 |
"""


def test_markdown_front_matter_becomes_meta(tmp_path):
    meta = read_source(write(tmp_path, "doc.md", MARKDOWN)).meta
    assert meta == {
        "title": "广州市积分制入户管理办法",
        "doc_number": "穗府办规〔2025〕8号",
        "issuer": "广州市人民政府办公厅",
        "date": "2025-07-05",
        "region": "广东省广州市",
        "source_url": "https://www.gz.gov.cn/zwgk/fggw/sfbgtwj/content/post_10343148.html",
    }


def test_markdown_syntax_is_stripped_and_content_kept(tmp_path):
    text = read_source(write(tmp_path, "doc.md", MARKDOWN)).text
    assert text.split("\n") == [
        "广州市积分制入户管理办法",
        "",
        "第一章 总则",
        "",
        "第一条 为规范积分制入户工作，制定本办法。",
        "",
        "申请人年龄不超过45周岁；",
        "持有本市有效居住证；",
        "1. 在本市缴纳社会保险满____年。",
        "详见附件1。",
        "",
        "单位 职责",
        "市人力资源社会保障局 牵头",
    ]


def test_markdown_without_front_matter_has_no_meta(tmp_path):
    source = read_source(write(tmp_path, "plain.md", "第一条 总则\n\n---\n\n第二条 附则"))
    assert source.meta == {}
    assert source.text == "第一条 总则\n\n第二条 附则"


# ------------------------------------------------------------------------- HTML (synthetic)

PAGE = """<!DOCTYPE html><html><head>
<meta charset="{charset}">
<meta name="SiteName" content="广州市人民政府门户网站">
<meta name="ArticleTitle" content="广州市人民政府办公厅关于印发广州市临时救助实施细则的通知">
<meta name="PubDate" content="2021-12-10 09:37">
<meta name="ContentSource" content="广州市人民政府办公厅">
<title>临时救助实施细则 - 广州市人民政府门户网站</title>
<style>.zoom {{ color: red }}</style>
</head><body>
<div class="header"><a href="/">首页</a> | <a href="/sitemap">网站地图</a> | 无障碍</div>
<nav>政务公开 政务服务</nav>
<div class="breadcrumb">当前位置：首页 &gt; 政策文件</div>
<div class="content"><div id="zoomcon">
<p>穗府办规〔2021〕19号</p>
<p>第一条　为完善广州市社会救助体系，<span>根据</span>《社会救助暂行办法》，
制定本细则。</p><script>alert(1)</script>
<p>&nbsp;</p><p style="display:none">隐藏的内容</p>
<table><tr><td>责任单位</td><td>市民政局</td><td> 区政府 </td></tr>
<tr><th>完成时限</th><td>2022年<br>底前</td></tr></table>
第二条 临时救助实行属地管理。<br>第三条 附则。
<div class="share">分享到：微信 微博</div>
</div></div>
<div class="footer">版权所有：广州市人民政府办公厅 粤ICP备05080321号 <a>打印</a> <a>关闭</a></div>
</body></html>"""


def test_html_article_text_is_clean_paragraph_lines(tmp_path):
    source = read_source(write(tmp_path, "page.html", PAGE.format(charset="utf-8")))
    assert source.text.split("\n") == [
        "穗府办规〔2021〕19号",
        "第一条　为完善广州市社会救助体系，根据《社会救助暂行办法》，制定本细则。",
        "责任单位 市民政局 区政府",
        "完成时限 2022年 底前",
        "第二条 临时救助实行属地管理。",
        "第三条 附则。",
    ]
    assert source.warnings == ()


def test_html_script_style_and_chrome_never_reach_the_text(tmp_path):
    text = read_source(write(tmp_path, "page.html", PAGE.format(charset="utf-8"))).text
    for junk in ("alert", "color: red", "首页", "网站地图", "当前位置", "版权所有", "ICP", "分享",
                 "隐藏", "政务公开", "打印"):
        assert junk not in text


def test_html_meta_tags_become_meta(tmp_path):
    meta = read_source(write(tmp_path, "page.html", PAGE.format(charset="utf-8"))).meta
    assert meta == {
        "title": "广州市人民政府办公厅关于印发广州市临时救助实施细则的通知",
        "date": "2021-12-10",
        "issuer": "广州市人民政府办公厅",
        "site": "广州市人民政府门户网站",
    }


def test_html_title_tag_is_the_fallback_title_without_the_site_name(tmp_path):
    page = PAGE.format(charset="utf-8").replace('name="ArticleTitle"', 'name="Other"')
    assert read_source(write(tmp_path, "p.htm", page)).meta["title"] == "临时救助实施细则"


def test_html_declared_gbk_page_decodes(tmp_path):
    page = PAGE.format(charset="gbk")
    text = read_source(write(tmp_path, "gbk.html", page, encoding="gb18030")).text
    assert text.startswith("穗府办规〔2021〕19号\n第一条　为完善广州市社会救助体系")


def test_html_declared_charset_is_honoured_over_the_gb18030_guess(tmp_path):
    # Big5 bytes also decode "cleanly" as GB18030, into nonsense: only the meta tag knows.
    page = "<html><head><meta charset='big5'></head><body><p>臺北市政府公告：本辦法自公布日施行。</p></body></html>"
    text = read_source(write(tmp_path, "tw.html", page, encoding="big5")).text
    assert text == "臺北市政府公告：本辦法自公布日施行。"


def test_html_without_an_article_container_uses_the_body_and_says_so(tmp_path):
    page = ("<html><body><div class='menu'>首页</div><div><p>第一条 本办法适用于全市。</p>"
            "<p>第二条 本办法自印发之日起施行。</p></div></body></html>")
    source = read_source(write(tmp_path, "bare.html", page))
    assert source.text == "第一条 本办法适用于全市。\n第二条 本办法自印发之日起施行。"
    assert any("no article container" in w for w in source.warnings)


def test_html_page_wide_form_is_not_mistaken_for_chrome(tmp_path):
    body = "".join(f"<p>第{n}条 本条规定第{n}项内容，由市民政局负责。</p>" for n in "一二三四五")
    page = f"<html><body><form id='form1'><input value='x'>{body}</form></body></html>"
    assert read_source(write(tmp_path, "aspx.html", page)).text.count("\n") == 4


def test_html_with_no_text_is_refused(tmp_path):
    page = "<html><head><title>t</title><script>var a = 1;</script></head><body> </body></html>"
    with pytest.raises(CorpusError, match="blank.html: file is empty"):
        read_source(write(tmp_path, "blank.html", page))


@pytest.mark.parametrize(("raw", "iso"), [
    ("2024-07-26 10:00", "2024-07-26"), ("2024年7月6日", "2024-07-06"),
    ("2019/6/17", "2019-06-17"), ("2023-02-30", ""), ("发布日期：", ""),
])
def test_iso_date(raw, iso):
    assert iso_date(DATE_RE.search(raw)) == iso


@pytest.mark.parametrize(("raw", "title"), [
    ("仲裁公告-广州市人力资源和社会保障局网站", "仲裁公告"),
    ("广州市市场监督管理局网站-中华人民共和国市场主体登记管理条例", "中华人民共和国市场主体登记管理条例"),
    ("通知 - 广州市天河区人民政府门户网站", "通知"),
    ("2024-2025学年招生方案_广州市人民政府", "2024-2025学年招生方案"),
])
def test_strip_site_name(raw, title):
    assert strip_site_name(raw) == title


# ------------------------------------------------------------------------- real saved pages


@pytest.mark.shared
@needs_gz_html
@pytest.mark.parametrize("page", GZ_PAGES or [None], ids=lambda p: p.name if p else "absent")
def test_every_saved_government_page_reads_cleanly(page):
    source = read_source(page)
    assert source.meta.get("title")
    assert len(source.text) > 200
    lines = source.text.split("\n")
    assert all(line and line == line.strip() for line in lines)  # no blank or padded lines
    assert [line for line in lines if CHROME_LINE.search(line)] == []
    assert not SCRIPT_CODE.search(source.text)


PINNED = [
    ("11_公共租赁住房保障办法_穗府办规2024-13号.html",  # gkmlpt 信息公开 page: date from info table
     "（转载）广州市人民政府办公厅关于印发广州市公共租赁住房管理办法的通知", "2024-09-12",
     "《广州市公共租赁住房管理办法》业经市人民政府同意，现印发给你们，请认真贯彻执行。"),
    ("10b_广州门特费用范围标准_穗医保规字2019-4号.html",  # 文号 split over five <span>s
     ("广州市医疗保障局 广州市财政局 广州市卫生健康委员会关于印发"
      "广州市社会医疗保险统筹基金支付门诊特定病种费用范围及标准的通知"), "2019-06-17",
     "穗医保规字〔2019〕4号"),
    ("37_市场主体登记管理条例_国务院令746号.html",  # <title> puts the site name first
     "中华人民共和国市场主体登记管理条例", "2021-07-30",
     ("第一条　为了规范市场主体登记管理行为，推进法治化市场建设，维护良好市场秩序和市场主体合法权益，"
      "优化营商环境，制定本条例。")),
    ("16_一次性创业补贴_市人社局.html",  # 越秀 district template (.newsMain)
     "广州市高校毕业生创业补贴，请查收", "2025-04-08",
     "补贴标准：一等奖20万元，二等奖15万元，三等奖10万元，优胜奖5万元。"),
    ("01b_天河招生细则新闻稿.html",  # 天河 district template
     "小学招生5月7日起网上报名！天河区义务教育阶段学校招生工作细则公布", "2026-04-29",
     "5月7日至11日网上报名"),
    ("08_家庭医生实施方案_穗卫函2023-1930号.html",  # table row: cells joined by a space
     "广州市卫生健康委等4部门关于印发推进广州市家庭医生签约服务高质量发展实施方案的通知",
     "2023-11-07", "一级指标 二级指标 评价标准 指标含义 数据来源"),
]


@pytest.mark.shared
@needs_gz_html
@pytest.mark.parametrize(("name", "title", "date", "sentence"), PINNED,
                         ids=[p[0].split("_")[0] for p in PINNED])
def test_pinned_pages_give_title_date_and_body_text(name, title, date, sentence):
    source = read_source(GZ_HTML / name)
    assert source.meta["title"] == title
    assert source.meta["date"] == date
    assert sentence in source.text


@pytest.mark.shared
@needs_gz_html
def test_site_placeholder_issuer_is_dropped_and_prefix_stripped():
    assert "issuer" not in read_source(GZ_HTML / PINNED[1][0]).meta  # ContentSource 本网
    page = GZ_HTML / "11b_2025年第一批户籍家庭公租房常态分配房源通告.html"
    assert read_source(page).meta["issuer"] == "广州市住房保障办公室"  # 本网广州市住房保障办公室


@pytest.mark.shared
@needs_gz_html
def test_list_page_falls_back_to_body_and_title_tag():
    source = read_source(GZ_HTML / "20b_广州劳动仲裁服务指南_目录.html")
    assert source.meta["title"] == "仲裁公告"
    assert source.warnings == ("no article container found; used the whole page body",)
    assert "广州市劳动人事争议仲裁服务指南[ 2023-03-13 ]" in source.text.split("\n")
    assert "下一页" not in source.text
