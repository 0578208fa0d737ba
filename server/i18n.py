"""The interface in Chinese and English: the message catalogue, the reader's language and links
that keep it.

The language is `?lang=en|zh`, else the first Accept-Language tag (en* -> English), else
Chinese. Every label, button, help text and error message of the pages and of JSON errors is a
key of CATALOGUE; document text is never translated. Errors raised with a message key
(indexer/errors.py: the English text) are said here in both languages.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import g, request

from indexer.errors import MESSAGES, PolicySearchError

from .markup import citation_text

LANGUAGES = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

# key -> (Chinese, English). Parameters are str.format fields.
UI = {
    "site_name": ("科技政策条款检索", "Policy Clause Search"),
    "site_tagline": ("条款级检索 · 责任分工 · 各地对比", "Clauses · responsibilities · regions side by side"),
    "brand_mark": ("政", "P"),
    "nav_label": ("主导航", "Main navigation"),
    "nav_search": ("检索", "Search"),
    "nav_compare": ("各地对比", "Compare"),
    "nav_documents": ("政策文件", "Documents"),
    "switch_label": ("切换语言", "Change language"),
    "footer_note": ("检索结果以原文为准，引用请核对文件原文。",
                    "The documents' own text is authoritative; check citations against it."),
    "page_json": ("本页数据（JSON）", "This page as JSON"),
    "home_title": ("在政策文件中查找条款与责任单位", "Find clauses and who is responsible in policy documents"),
    "home_lead": ("用自然语言提问，例如“孵化器由哪个部门负责”，系统返回相关条款、章节位置、责任分工与规范引用。",
                  ("Ask in plain words, e.g. “who is responsible for technology business incubators”: you get "
                  "the matching clauses, their place in the document, who is responsible, and a citation.")),
    "search_label": ("检索问题", "Question"),
    "search_placeholder": ("输入问题或关键词，例如：孵化器由哪个部门负责",
                           "A question or keywords, e.g. who is responsible for incubators"),
    "search_button": ("检索", "Search"),
    "region": ("地区", "Region"),
    "all_regions": ("全部地区", "All regions"),
    "issuer": ("发文机关", "Issuer"),
    "all_issuers": ("全部机关", "All issuers"),
    "year": ("年份", "Year"),
    "year_from": ("起始年份", "From year"),
    "year_to": ("截止年份", "To year"),
    "any_year": ("不限", "Any"),
    "year_dash": ("至", "to"),
    "year_hint": ("起始年份不能晚于截止年份。", "The start year cannot be after the end year."),
    "cannot_search": ("无法检索：", "Cannot search: "),
    "cannot_compare": ("无法对比：", "Cannot compare: "),
    "relevant_count": ("共 {count} 条相关条款", "{count} relevant clauses"),
    "took": ("用时 {ms} 毫秒", "{ms} ms"),
    "to_compare": ("各地对比", "Compare regions"),
    "answer_title": ("责任分工", "Who is responsible"),
    "lead": ("牵头单位", "Lead units"),
    "cooperating": ("配合单位", "Cooperating units"),
    "persons": ("责任人", "Responsible persons"),
    "lead_short": ("牵头", "lead"),
    "coop_short": ("配合", "with"),
    "person_short": ("责任人", "person"),
    "in_text": ("（正文）", " (in text)"),
    "in_text_title": ("从条款正文中识别，而非责任分工注释", "Found in the clause text, not in a responsibility note"),
    "sources": ("依据", "Sources"),
    "cooperating_with": ("配合：", "with: "),
    "value_title": ("目标值", "Target value"),
    "value_answer": ("目标值：{value}{unit}", "Target: {value} {unit}"),
    "value_approx": ("{value}多", "over {value}"),  # '300多名', '10余万元': more than the number
    "value_year": ("（{year}年）", " ({year})"),
    "date_answer": ("日期：{date}", "Date: {date}"),
    "copy_all": ("复制全部", "Copy all"),
    "answer_as_text": ("答案全文（可复制）", "The answer as text (to copy)"),
    "maybe_relevant": ("另有 {count} 条可能相关的条款", "{count} more clauses that may be relevant"),
    "none_relevant": ("没有找到足够相关的条款。可以换一种说法，或放宽地区、机关、年份筛选。",
                      "No clause is relevant enough. Try other words, or widen the region, issuer or year."),
    "none_relevant_rephrase": ("没有找到足够相关的条款。可以换一种说法，或用文件中的词语提问。",
                               "No clause is relevant enough. Try asking in other words, or in the documents' own terms."),
    "nearest": ("可能相关：最接近的 {count} 条条款", "Perhaps relevant: the {count} nearest clauses"),
    "no_results": ("没有找到相关条款。可以换一种说法，或放宽地区、机关、年份筛选。",
                   "No matching clauses. Try other words, or widen the region, issuer or year."),
    "no_results_rephrase": ("没有找到相关条款。可以换一种说法，或用文件中的词语提问。",
                            "No matching clauses. Try asking in other words, or in the documents' own terms."),
    "try_these": ("试试这些问题", "Try these questions"),
    "indexed_count": ("已收录 {count} 份政策文件", "{count} policy documents indexed"),
    "clause_count": ("{count} 条", "{count} clauses"),
    "copy_citation": ("复制引用", "Copy citation"),
    "citation": ("引用", "Citation"),
    "copied": ("已复制", "Copied"),
    "copy_failed": ("复制失败", "Copy failed"),
    "also_in": ("另有 {count} 份文件载有相同条文", "The same text is in {count} more documents"),
    "similar": ("相似条款", "Similar clauses"),
    "open_document": ("查看原文", "Read in document"),
    "relevance": ("相关度", "Relevance"),
    "relevance_title": ("相关度 {value}：估计该条款回答问题的概率",
                        "Relevance {value}: the estimated chance that the clause answers"),
    "relevance_level": ("相关度：{level}", "Relevance: {level}"),
    "relevance_high": ("高", "high"),
    "relevance_mid": ("中", "medium"),
    "relevance_low": ("低", "low"),
    "relevance_maybe": ("可能相关", "perhaps relevant"),
    "section_path": ("章节位置", "Section"),
    "unknown_issuer": ("发文机关不详", "Issuer unknown"),
    "unknown_region": ("地区不详", "Region unknown"),
    "unknown": ("不详", "unknown"),
    "similar_title": ("其他文件中的相似条款", "Similar clauses in other documents"),
    "similar_none": ("没有找到相似条款。", "No similar clauses found."),
    "similar_loading": ("正在查找相似条款…", "Looking for similar clauses…"),
    "similar_failed": ("相似条款加载失败：", "Could not load similar clauses: "),
    "similarity": ("相似度", "Similarity"),
    "similar_page_title": ("相似条款", "Similar clauses"),
    "similar_lead": ("与下面这一条款内容相近的条款。", "Clauses that say something close to this one."),
    "scope": ("范围", "Scope"),
    "scope_other-documents": ("其他文件", "Other documents"),
    "scope_other-regions": ("其他地区", "Other regions"),
    "scope_all": ("全部", "All"),
    "show": ("显示", "Show"),
    "compare_title": ("各地对比", "Compare regions"),
    "compare_lead": ("同一问题在各份文件（或各地区）中最相关的条款，并排阅读。",
                     "The best clause for one question in each document (or region), side by side."),
    "compare_label": ("对比主题", "Topic"),
    "compare_placeholder": ("输入要对比的主题，例如：科技特派员", "A topic to compare, e.g. technology commissioners"),
    "compare_button": ("对比", "Compare"),
    "group": ("分组", "Group"),
    "by_document": ("按文件", "By document"),
    "by_region": ("按地区", "By region"),
    "compare_count_document": ("共 {count} 份文件有相关条款", "{count} documents have a matching clause"),
    "compare_count_region": ("共 {count} 个地区有相关条款", "{count} regions have a matching clause"),
    "back_to_results": ("返回检索结果", "Back to results"),
    "examples": ("示例：", "Examples: "),
    "documents_title": ("政策文件", "Policy documents"),
    "documents_lead": ("已收录 {count} 份文件。", "{count} documents indexed."),
    "title": ("标题", "Title"),
    "doc_number": ("文号", "Number"),
    "date": ("日期", "Date"),
    "clauses": ("条款", "Clauses"),
    "year_suffix": ("{year}年", "{year}"),
    "contents": ("目录", "Contents"),
    "find_label": ("在本文件中查找", "Find in this document"),
    "find_button": ("查找", "Find"),
    "find_count": ("找到 {count} 处", "{count} found"),
    "find_none": ("没有找到“{text}”", "“{text}” not found"),
    "find_next": ("下一处", "Next"),
    "terms_marked": ("已标出检索词：", "Search terms marked: "),
    "clear_marks": ("清除标记", "Clear marks"),
    "error_404": ("未找到该页面或文件", "Page or document not found"),
    "error_405": ("不支持的请求方法", "Method not allowed"),
    "error_5xx": ("服务暂时不可用", "Service unavailable"),
    "error_4xx": ("请求有误", "Bad request"),
    "back_to_search": ("返回检索", "Back to search"),
    "no_such_path": ("地址 {path} 不存在。", "There is nothing at {path}."),
    "method_not_allowed": ("此处不接受 {method} 请求；请使用 {allowed}。",
                           "{method} is not allowed here; use {allowed}"),
    "internal_error": ("服务器未能答复此请求，已记录该错误。",
                       "the server failed to answer this request; it has been logged"),
    "overloaded": ("检索繁忙，请 {seconds} 秒后重试。", "All search slots are busy; retry in {seconds} s."),
    "code_bad_query": ("请求参数有误", "The request is not valid"),
    "code_not_found": ("未找到", "Not found"),
    "code_index_error": ("索引暂时不可用", "The index is unavailable"),
    "code_error": ("出错了", "Something went wrong"),
    # Units (责任矩阵), targets (指标) and lineage (引用/被引用): server/intel.py and document.html.
    "nav_units": ("责任单位", "Units"),
    "nav_targets": ("指标", "Targets"),
    "units_title": ("责任单位", "Responsible units"),
    "units_lead": ("各文件中列为牵头、配合或责任人的单位和人员，共 {count} 个；点击查看其承担的全部任务。",
                   "{count} units and persons named as lead, cooperating or responsible; open one to see all its tasks."),
    "units_label": ("单位名称", "Unit name"),
    "units_placeholder": ("输入单位名称的一部分，例如：科技局", "Part of a unit's name"),
    "units_button": ("查找", "Find"),
    "units_none": ("没有名称含“{q}”的单位。", "No unit's name contains “{q}”."),
    "unit": ("单位", "Unit"),
    "tasks": ("任务", "Tasks"),
    "documents": ("文件", "Documents"),
    "person": ("人员", "Person"),
    "spellings": ("写法：", "Spellings: "),
    "unit_counts": ("牵头 {lead} 项 · 配合 {cooperating} 项 · 责任人 {person} 项 · 涉及 {documents} 份文件",
                    "lead {lead} · cooperating {cooperating} · responsible person {person} · documents {documents}"),
    "export": ("导出任务清单：", "Export the task sheet: "),
    "role_lead": ("牵头", "lead"),
    "role_cooperating": ("配合", "cooperating"),
    "role_person": ("责任人", "responsible person"),
    "co_units": ("同一任务的其他单位：", "Other units on this task: "),
    "from_text": ("（正文）", " (in text)"),
    "all_units": ("全部单位", "All units"),
    "targets_title": ("指标对比", "Targets compared"),
    "targets_lead": ("各文件提出的量化目标（指标值、目标年份），按指标在各地区、各文件间对比。",
                     "Quantitative targets the documents set (value, target year), one metric across regions and documents."),
    "targets_label": ("指标", "Metric"),
    "targets_placeholder": ("输入指标，例如：高新技术企业", "A metric as the documents name it (in Chinese), e.g. high-tech enterprises"),
    "targets_button": ("对比", "Compare"),
    "targets_count": ("共 {count} 项指标", "{count} targets"),
    "targets_none": ("没有找到符合条件的指标。", "No target matches."),
    "target_year": ("目标年份", "Target year"),
    "value": ("目标值", "Value"),
    "comparator": ("表述", "Wording"),
    "clause": ("条款", "Clause"),
    "no_year": ("未写明", "not stated"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "chart_label": ("{metric}：各文件目标值", "{metric}: target values by document"),
    "cites": ("引用文件", "Documents cited"),
    "cited_by": ("被以下文件引用", "Cited by"),
    "not_indexed": ("（未收录）", " (not indexed)"),
    "in_clause": ("见条款", "in clause"),
    # Validity (现行有效), sort, pages of results, facets, exports: the search page.
    "validity": ("效力", "Validity"),
    "any_status": ("不限", "Any"),
    "status_in_force": ("现行有效", "In force"),
    "status_expired": ("已失效", "Expired"),
    "status_not_yet": ("尚未施行", "Not yet in force"),
    "status_unknown": ("效力未知", "Validity unknown"),
    "validity_basis": ("依据：{basis}", "Based on: {basis}"),
    "validity_period": ("有效期：{start} 至 {end}", "In force from {start} to {end}"),
    "validity_from": ("自 {start} 起施行", "In force from {start}"),
    "validity_until": ("有效至 {end}", "In force until {end}"),
    "as_of": ("截至", "As of"),
    "as_of_hint": ("按此日期判断文件是否有效（默认今天）", "The day validity is judged on (default: today)"),
    "sort": ("排序", "Sort"),
    "sort_relevance": ("按相关度", "By relevance"),
    "sort_date": ("按日期", "By date"),
    "pages_label": ("翻页", "Pages"),
    "next_page": ("下一页", "Next page"),
    "prev_page": ("上一页", "Previous page"),
    "page_range": ("第 {start}–{end} 条", "Results {start}–{end}"),
    "facets_title": ("按结果筛选", "Narrow the results"),
    "facet_remove": ("取消筛选", "Remove filter"),
    "preferred": ("问题提到：{names} — 相同条文由多份文件发布时，优先引用其文件",
                  "Your question names {names}: where several notices publish the same text, theirs is cited"),
    "preferred_absent": ("（结果中没有来自{names}的文件）", " (no result comes from {names})"),
    "export_results": ("导出结果：", "Export the results: "),
    "col_rank": ("序号", "Rank"),
    "col_relevant": ("相关", "Relevant"),
    "col_clause_id": ("条款编号", "Clause id"),
    "col_permalink": ("链接", "Link"),
    "col_text": ("条款原文", "Clause text"),
    "col_group": ("分组", "Group"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # Similar clauses of a pasted passage, and two clauses side by side.
    "similar_text_title": ("查找相似条款", "Find similar clauses"),
    "similar_text_lead": ("粘贴一段政策条文，查找各文件中内容相近的条款。",
                          "Paste a passage of a policy to find the clauses that say something close to it."),
    "paste_label": ("粘贴的文字", "Pasted text"),
    "paste_placeholder": ("粘贴政策条文，例如：加强科技企业孵化器建设……",
                          "Paste a passage, e.g. a clause from another province's plan"),
    "paste_button": ("查找相似", "Find similar"),
    "paste_other": ("粘贴其他文字查找", "Paste another passage"),
    "similar_count": ("共 {count} 条相似条款", "{count} similar clauses"),
    "matched_piece": ("对应原条款的：", "Matches this part of the source: "),
    "copy_badge": ("同文", "Copy"),
    "copy_of": ("与 {citation} 同文", "Same text as {citation}"),
    "near_copy_of": ("与 {citation} 几乎相同", "Nearly the same as {citation}"),
    "the_source_clause": ("原条款", "the source clause"),
    "the_pasted_text": ("所粘贴的文字", "the pasted text"),
    "shared_terms": ("共同词语：", "Shared terms: "),
    "side_by_side": ("并排对比", "Side by side"),
    "pair_title": ("两条款并排对比", "Two clauses side by side"),
    "pair_lead": ("两条款共有的词句已标出。", "The phrases the two clauses share are marked."),
    "shared_ratio": ("相同文字约占 {percent}%", "About {percent}% of the wording is shared"),
    "no_shared": ("两条款没有共同的词句。", "The two clauses share no phrase."),
    "clause_a": ("条款一", "First clause"),
    "clause_b": ("条款二", "Second clause"),
}

# English of a UI key when its {count} is 1 (Chinese has one form): t() picks it.
ENGLISH_ONE = {
    "relevant_count": "{count} relevant clause",
    "maybe_relevant": "{count} more clause that may be relevant",
    "nearest": "Perhaps relevant: the {count} nearest clause",
    "indexed_count": "{count} policy document indexed",
    "clause_count": "{count} clause",
    "also_in": "The same text is in {count} more document",
    "compare_count_document": "{count} document has a matching clause",
    "compare_count_region": "{count} region has a matching clause",
    "documents_lead": "{count} document indexed.",
    "units_lead": "{count} unit or person named as lead, cooperating or responsible; open it to see all its tasks.",
    "targets_count": "{count} target",
    "similar_count": "{count} similar clause",
}
ONE = ".one"  # suffix of the singular keys in CATALOGUE

# Chinese of the errors whose English is indexer.errors.MESSAGES.
ERRORS_ZH = {
    "query_empty": "问题为空：请输入问题或关键词。",
    "query_too_long": "问题长 {length} 个字符，上限为 {limit} 个。",
    "query_no_words": "问题中没有文字或数字（只有标点或符号）。",
    "k_not_number": "k 须为 1 到 {limit} 之间的整数，不能是 {value!r}。",
    "k_range": "k 须在 1 到 {limit} 之间，不能是 {value}。",
    "bad_encoding": "查询字符串不是有效的 UTF-8（百分号编码有误）。",
    "param_too_long": "参数 {name} 长 {length} 个字符，上限为 {limit} 个。",
    "missing_q": "缺少参数 q：要检索的问题或关键词。",
    "not_digits": "参数 {name} 只能用数字 0-9 书写，不能是 {value!r}。",
    "bad_year": "参数 {name} 须为 {min_year} 到 9999 之间的四位年份，不能是 {value!r}。",
    "bad_flag": "参数 {name} 须为 1 或 0，不能是 {value!r}。",
    "bad_choice": "{name} 须为 {choices} 之一，不能是 {value!r}。",
    "year_order": "起始年份 {year_from} 晚于截止年份 {year_to}。",
    "unknown_document": "没有编号为 {value!r} 的文件。",
    "unknown_region": "没有来自“{value}”的已收录文件。",
    "unknown_issuer": "没有发文机关为“{value}”的已收录文件。",
    "no_clause": "没有编号为 {value!r} 的条款。",
    "no_document": "没有编号为 {value!r} 的文件。",
    "missing_param": "缺少参数 {name}。",
    "page_range": "offset {offset} 加 k {k} 超出了前 {limit} 条结果。",
    "bad_date": "参数 {name} 须为 YYYY-MM-DD 格式的有效日期，不能是 {value!r}。",
    "similar_source": "请给出一个条款编号或一段文字（二者选一）来查找相似条款。",
    "text_empty": "文字为空：请粘贴一段文字来查找相似条款。",
    "text_too_long": "文字长 {length} 个字符，上限为 {limit} 个。",
    "text_no_words": "文字中没有文字或数字。",
    "no_unit": "没有名为“{value}”的单位；可在 /api/units 查看已收录的单位。",
}

CATALOGUE: dict[str, dict[str, str]] = {
    **{key: {"zh": zh, "en": en} for key, (zh, en) in UI.items()},
    **{key + ONE: {"zh": UI[key][0], "en": en} for key, en in ENGLISH_ONE.items()},
    **{f"error.{key}": {"zh": ERRORS_ZH.get(key, ""), "en": en} for key, en in MESSAGES.items()},
}


def language() -> str:
    """The reader's language for this request: ?lang=, else Accept-Language, else Chinese."""
    if "lang" not in g:
        chosen = lang_args().get("lang", "")
        if chosen not in LANGUAGES:
            header = request.headers.get("Accept-Language", "").strip().lower()
            chosen = "en" if header.startswith("en") else "zh"
        g.lang = chosen
    return g.lang


def t(key: str, **params) -> str:
    """The catalogue text of `key` in the reader's language, its fields filled from params;
    the singular form where the key has one and `count` is 1 ("1 relevant clause")."""
    if params.get("count") == 1 and key + ONE in CATALOGUE:
        key += ONE
    return CATALOGUE[key][language()].format(**params)


def error_message(exc: PolicySearchError) -> str:
    """An error in the reader's language. Errors raised with free text (no catalogue key) get
    the catalogue's words for their code, the English detail after them in Chinese."""
    if exc.key:
        return t(f"error.{exc.key}", **exc.params)
    if language() == "en":
        return str(exc)
    general = f"code_{exc.code}" if f"code_{exc.code}" in CATALOGUE else "code_error"
    return f"{t(general)}（{exc}）"


def lang_args() -> dict[str, str]:
    """?lang= as chosen in the URL, for links and forms (empty when the header chose)."""
    try:
        chosen = request.args.get("lang", "")
    except UnicodeDecodeError:  # raw non-UTF-8 bytes in the query string
        return {}
    return {"lang": chosen} if chosen in LANGUAGES else {}


def page_url(url: str, **extra) -> str:
    """`url` (may carry a #fragment) with the reader's ?lang= and the non-empty `extra`
    parameters (e.g. q for a document opened from a search)."""
    base, hash_, fragment = url.partition("#")
    values = {k: v for k, v in {**extra, **lang_args()}.items() if v}
    if not values:
        return url
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}{urlencode(values)}{hash_}{fragment}"


def switch_url() -> str:
    """This page in the other language."""
    other = "zh" if language() == "en" else "en"
    try:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    except UnicodeDecodeError:
        args = []
    return f"{request.path}?{urlencode([*args, ('lang', other)])}"


def cite(hit: dict, doc: dict | None = None) -> str:
    """The full citation of a hit (or of a document's clause, with its document) in the
    reader's language, linking to the clause on this server."""
    doc = doc or hit["document"]
    url = hit.get("url") or f"{doc['url']}#{hit['id']}"
    return citation_text(doc, hit["section"], hit["pages"], request.url_root.rstrip("/") + url, language())


def template_values() -> dict:
    """What every template sees: t(), the language, links that keep it, citations."""
    lang = language()
    return {"t": t, "lang": lang, "html_lang": HTML_LANG[lang], "lang_args": lang_args(),
            "page_url": page_url, "switch_url": switch_url, "cite": cite,
            "other_lang": "zh" if lang == "en" else "en"}
