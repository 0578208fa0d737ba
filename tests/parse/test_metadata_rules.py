"""Metadata rules read from a document's structure and language, each a specification written
on texts made for it (single-line pages whose line breaks survive only as gaps, as scraped)."""
from __future__ import annotations

from indexer.parse.dates import arabic_dates
from indexer.parse.metadata import find_date, read_text_meta
from indexer.parse.organs import is_central, is_organ, signatures
from indexer.parse.regions import body_region, resolve_region

BODY = "为做好疫情防控工作，现将有关事项通告如下。 一、严格落实防控措施。 二、本通告自发布之日起施行。"


def meta(text: str):
    return read_text_meta(text, text)


def test_a_headline_keeps_the_lines_printed_with_it_up_to_the_report():
    m = meta("湖南公布热线电话 受理疫情防控工作问题线索及意见建议 新华社长沙2月9日电（记者 张三）"
             "湖南省开通热线电话，受理群众反映。")
    assert m.title == "湖南公布热线电话 受理疫情防控工作问题线索及意见建议"
    assert meta("吉林省电力八项举措降低用电成本 吉林省电力八项举措降低用电成本 为支持企业复工复产，"
                "今天出台八项举措。").title == "吉林省电力八项举措降低用电成本"


def test_a_headline_stops_at_a_lead_in_the_first_person_or_a_byline_organ():
    assert meta("云南：设立三道防线 我省召开第二场新闻发布会 1月26日，云南召开发布会。").title == \
        "云南：设立三道防线"
    assert meta("天津：“一对一”监管 保障企业复工复产 市应急管理局 近日，该局开展检查。").title == \
        "天津：“一对一”监管 保障企业复工复产"


def test_a_decree_title_names_its_whole_organ_and_its_number():
    m = meta("某某省新型冠状病毒感染的肺炎疫情防控应急指挥部令第13号 " + BODY)
    assert m.issuer == "某某省新型冠状病毒感染的肺炎疫情防控应急指挥部"
    assert m.doc_number == "第13号" and m.kind == "notice"


def test_an_act_title_names_its_issuer():
    m = meta("德阳市交通运输局通告 " + BODY + " 特此通告。 德阳市交通运输局 2020年2月5日 【 打印本页】 【 关闭窗口】")
    assert (m.issuer, m.date) == ("德阳市交通运输局", "2020-02-05")


def test_a_signature_followed_by_page_chrome_still_signs():
    text = ("关于暂停窗口服务的通知 " + BODY + " 广西壮族自治区新型冠状病毒感染的肺炎疫情 "
            "防控工作领导小组指挥部 2020年1月27日 扫一扫在手机打开当前页")
    m = meta(text)
    assert m.issuer == "广西壮族自治区新型冠状病毒感染的肺炎疫情防控工作领导小组指挥部"
    assert m.date == "2020-01-27"
    assert meta("关于开展扫码通行的通告 " + BODY + " 泰安市疫情处置工作领导小组（指挥部） 2020年2月13日 "
                "“泰安通”单位版二维码").issuer == "泰安市疫情处置工作领导小组（指挥部）"


def test_a_date_in_a_sentence_or_before_a_time_is_no_signature():
    assert signatures("来源：重庆日报 时间： 2020-02-19 07:33:20 正文") == []
    assert not [s for s in signatures("市商务局 2020年2月3日起暂停办理。") if s.organs]


def test_signing_dates_in_every_printed_form():
    for printed in ("2020年2月5日", "2020-02-05", "2020.2.5", "二〇二〇年二月五日"):
        m = meta("关于做好复工复产的通知 " + BODY + f" 海陵区行政审批局 {printed}")
        assert (m.issuer, m.date) == ("海陵区行政审批局", "2020-02-05"), printed


def test_chinese_numeral_dates_become_arabic():
    assert arabic_dates("二〇二〇年二月十一日 二〇一九年十二月三十一日") == "2020年2月11日 2019年12月31日"


def test_a_wrapped_issuer_name_is_taken_whole():
    m = meta("四川省应对新型冠状病毒肺炎 疫情应急指挥部公告 （第6号） " + BODY +
             " 四川省应对新型冠状病毒 肺炎疫情应急指挥部 2020年2月9日")
    assert m.title == "四川省应对新型冠状病毒肺炎疫情应急指挥部公告（第6号）"
    assert m.issuer == "四川省应对新型冠状病毒肺炎疫情应急指挥部"


def test_a_notice_that_closes_with_its_formula_is_a_notice():
    m = meta("广西壮族自治区新型冠状病毒感染的肺炎 " + BODY + " 特此通告。 2020年2月17日 扫一扫在手机打开当前页")
    assert (m.kind, m.date) == ("notice", "2020-02-17")


def test_an_organ_never_is_a_piece_cut_out_of_a_bracket_or_a_document_name():
    assert not is_organ("市有关部门）北京市人民政府办公厅")
    assert not is_organ("扫码系统操作使用说明天津市疫情防控工作指挥部")
    assert is_organ("泰安市疫情处置工作领导小组（指挥部）")


def test_units_of_national_organs_are_national_unless_they_name_a_place():
    assert is_central("国务院应对新型冠状病毒肺炎疫情联防联控机制综合组")
    assert is_central("教育部应对新型冠状病毒肺炎疫情工作领导小组办公室")
    assert not is_central("国家税务总局重庆市税务局")
    assert resolve_region("国务院应对新型冠状病毒感染肺炎疫情联防联控机制").label == "全国"


def test_a_report_about_a_national_organ_is_national():
    assert resolve_region("", "应急管理部调拨第三批中央救灾物资全力支持湖北疫情防控工作").label == "全国"
    assert resolve_region("", "多措并举 全力打好交通运输疫情防控阻击战——访交通运输部有关负责人").label == "全国"
    assert resolve_region("", "国家税务总局深圳市税务局推出便民措施").label != "全国"
    lead = "权威发布！ 2月6日，国务院联防联控机制召开新闻发布会，介绍湖北湖北湖北的情况。"
    assert body_region(lead).label == "全国"


def test_a_national_body_named_by_its_form_is_national_and_its_city_branch_is_not():
    assert resolve_region("", "国家气象信息中心提供气象云视频服务保障疫情防控").label == "全国"
    assert resolve_region("", "中国银监会发布《商业银行委托贷款管理办法》").label == "全国"
    assert resolve_region("", "返程潮来袭，如何筑牢病毒“防火墙”——中国疾控中心消毒学首席专家张流波回应焦点").label == "全国"
    assert resolve_region("", "中国人民银行成都分行出台措施").label != "全国"


def test_a_report_across_provinces_is_none_of_them():
    assert resolve_region("", "福建、江苏、山东积极协助台企复工复产").label == ""
    wire = "福建、江苏、山东积极协助台企复工复产\n新华社北京2月18日电 连日来，在国务院台办和地方省市台办积极协助下…"
    assert body_region(wire).label == "全国"  # the national wire's Beijing desk reporting across provinces
    assert body_region("开足马力保防控——中央企业全力以赴抗击疫情\n新华社北京2月18日电 题：…").label == "全国"
    beijing = "北京：社区防控再升级\n新华社北京2月10日电 北京市要求…北京各社区…北京市民…"
    assert body_region(beijing).label == "北京市"  # the desk reporting on Beijing itself


def test_an_autonomous_prefecture_by_its_short_form():
    assert resolve_region("中共大理州委").label == "云南省·大理白族自治州"
    assert resolve_region("", "黔东南州人民政府关于做好复工复产的通知").label == "贵州省·黔东南苗族侗族自治州"
    assert resolve_region("", "上海南州路商户复工指引").label != "青海省·海南藏族自治州"  # no 海南州 inside a word
    assert resolve_region("恩施州卫生健康委员会").label == "湖北省·恩施土家族苗族自治州"
    assert resolve_region("广州市卫生健康委员会").label == "广东省·广州市"


def test_a_destination_after_a_verb_is_no_second_province():
    assert resolve_region("", "重庆急调26万毫升血液支援湖北").label == "重庆市"


def test_party_committee_and_government_sign_apart_and_their_joint_body_as_one():
    from indexer.parse.organs import split_organs
    assert split_organs("中共浙江省委浙江省人民政府") == ("中共浙江省委", "浙江省人民政府")
    joint = "中共大理州委大理州人民政府应对新型冠状病毒感染肺炎疫情防控工作领导小组指挥部"
    assert split_organs(joint) == (joint,)
    assert split_organs("福州市人民政府中国农业发展银行福建省分行") == ("福州市人民政府", "中国农业发展银行福建省分行")


def test_a_leader_s_visit_is_news_and_a_truncated_signature_date_still_signs():
    from indexer.parse.metadata import read_text_meta
    visit = "蔡奇调研检查重点项目复工复产工作时强调落实落细防控措施\n2月9日上午，市委书记蔡奇到通州区调研。市领导参加。"
    assert read_text_meta(visit, visit).kind == "news"
    notice = ("某市市场监督管理局关于规范疫情防控督导检查时要求企业提供材料有关事项的通知\n市市监发〔2020〕3号\n各区市场监管局：\n"
              "现将有关事项通知如下。\n特此通知。\n某市市场监督管理局\n2020年2月10日")
    assert read_text_meta(notice, notice).kind == "notice"  # signed, numbered: a notice whatever its title
    signed = ("关于疫情期间实行非接触式办理的温馨提示\n尊敬的纳税人：\n请通过网上渠道办理。\n"
              "国家税务总局深圳市税务局\n2020\n")
    assert read_text_meta(signed, signed).issuers == ("国家税务总局深圳市税务局",)


def test_a_spaced_time_field_dates_a_press_conference():
    from indexer.parse.metadata import news_date
    assert news_date("回放｜新闻发布会\n时 间：2020年2月16日11:00\n地 点：南宁市") == "2020-02-16"
    assert news_date("河南省政府新闻办于2020年2月19日16时召开疫情防控专题第十二场新闻发布会。") == "2020-02-19"
    assert news_date("助力小微企业渡难关 作者：齐金钊 2020-02-25 16:10来源：中国证券报·中证网") == "2020-02-25"
    assert news_date("会议要求，于2020年3月1日前完成。") == ""  # a deadline is no date of the report


def test_the_central_bank_s_branch_in_a_capital_serves_its_province():
    assert resolve_region("中国人民银行成都分行办公室").label == "四川省"
    assert resolve_region("中国农业银行成都分行").label == "四川省·成都市"  # a commercial bank's is the city's


def test_a_wen_hao_its_annexes_carry_or_glued_to_the_title():
    from indexer.parse.metadata import find_doc_number
    annexed = "北京市住房和城乡建设委员会关于印发《预案》的通知\n各区住房城乡建设委：\n现印发给你们。\n 京建发〔2020〕46号附件1 \n名单"
    assert find_doc_number(annexed, annexed.split("\n")[0]) == "京建发〔2020〕46号"
    glued = "财政部 海关总署 税务总局关于进口物资免税政策的公告财政部公告2020年第6号 根据…"
    assert find_doc_number(glued, glued) == "财政部公告2020年第6号"
    cited = "北京市住房和城乡建设委员会关于做好施工现场疫情防控的通知\n各区住房城乡建设委：\n请按照 京建发〔2020〕46号附件2 的要求填报。"
    assert find_doc_number(cited, cited.split("\n")[0]) == ""  # a number cited in a sentence


def test_a_slogan_after_the_headline_does_not_hide_its_place():
    assert resolve_region("", "河南省新冠肺炎疫情防控工作第十四场新闻发布会召开 上车不带病 中途不感染 平安到终点").label == "河南省"


def test_a_central_bank_branch_in_a_capital_serves_its_province():
    assert resolve_region("中国人民银行杭州中心支行").label == "浙江省"


def test_a_page_that_opens_on_its_wen_hao_keeps_it_and_its_title():
    m = meta("石政发〔2020〕3号-北京市石景山区人民政府关于印发若干措施的通知 各街道办事处： " + BODY)
    assert (m.doc_number, m.issuer) == ("石政发〔2020〕3号", "北京市石景山区人民政府")
    m = meta("成银发〔2020〕15号 关于加强金融服务支持打赢疫情防控阻击战的通知 各银行机构： 按照《中共中央关于"
             "加强党的领导的通知》等文件精神，现将有关事项通知如下：")
    assert (m.doc_number, m.title) == ("成银发〔2020〕15号", "关于加强金融服务支持打赢疫情防控阻击战的通知")


def test_the_organ_that_forwards_a_document_issues_the_notice():
    m = meta("龙岩市人力资源和社会保障局转发福建省人力资源和社会保障厅办公室 转发人力资源和社会保障部办公厅"
             "关于切实 做好疫情防控期间事业单位人事管理工作有关问题的通知 各县（市、区）人社局： " + BODY +
             " 人力资源社会保障部办公厅 2020年1月30日")
    assert m.issuer == "龙岩市人力资源和社会保障局"
    assert not is_organ("广东省人民政府办公厅转发省卫生健康委")
    assert meta("转发国家卫生健康委办公厅关于部分消毒剂紧急上市的通知 各县（区）卫生健康委： " + BODY).issuer == ""


def test_organs_standing_after_the_last_sentence_sign_without_a_date():
    m = meta("关于暂停企业档案现场查询的通知 " + BODY + " 北京市市场监督管理局")
    assert m.issuer == "北京市市场监督管理局"
    assert meta("关于优化纳税缴费服务的通知 " + BODY + " 国家税务总局 扫一扫在手机打开当前页").issuer == "国家税务总局"
    assert meta("关于暂停企业档案现场查询的通知 " + BODY + " 附件：北京市企业境外投资备案邮寄信息表").issuer == ""


def test_a_letterhead_completes_an_organ_the_title_names_by_its_level():
    text = ("贵阳市人民政府办公厅文件\n筑府办发电〔2020〕5号\n市人民政府办公厅关于切实加强疫情防控安全有序推进企业"
            "复工复产的通知\n各区、市、县人民政府：\n为认真贯彻落实有关要求，现通知如下。\n2020年2月11日")
    m = meta(text)
    assert m.issuer == "贵阳市人民政府办公厅"
    assert resolve_region(m.issuer, m.title, m.doc_number).label == "贵州省·贵阳市"
    assert meta("政策文件 关于做好复工复产的通知 " + BODY).issuer == ""  # a site's menu is no letterhead


def test_a_ministry_department_signs_for_the_country():
    m = meta("关于民爆行业做好疫情防控期间安全防范工作的通知 " + BODY + " 工业和信息化部安全生产司 2020年1月31日")
    assert (m.issuer, m.date) == ("工业和信息化部安全生产司", "2020-01-31")
    assert resolve_region(m.issuer).label == "全国"


def test_a_ministry_wen_hao_is_national_and_a_city_wen_hao_is_no_province():
    assert resolve_region("", "关于加强社区防控工作的通知", "国卫基层家医便函〔2020〕2号").label == "全国"
    assert resolve_region("", "关于阶段性减免企业社会保险费的通知", "人社部发〔2020〕11号").label == "全国"
    for number in ("肺炎机制发〔2020〕5号", "财税〔2020〕8号", "税总函〔2020〕28号", "财政部公告2020年第6号"):
        assert resolve_region("", "关于做好疫情防控工作的通知", number).label == "全国"  # central families
    assert resolve_region("", "关于做好疫情防控工作的通知", "粤财社〔2020〕5号").label == "广东省"
    assert resolve_region("", "关于切实加强疫情防控的通知", "筑府办发电〔2020〕5号").label == ""
    assert resolve_region("", "关于切实加强疫情防控的通知", "京政办发〔2020〕7号").label == "北京市"


def test_a_province_s_own_paper_places_its_report():
    assert body_region("压实防控责任 确保企业运行有序 重庆日报讯（记者 杨帆）2月17日上午，全市疫情防控工作"
                       "视频会议召开。").label == "重庆市"
    assert body_region("疫情防控重点保障企业贷款可获贴息支持 近日，记者从省财政厅获悉，该厅下发通知。 "
                       "来源：江西日报").label == "江西省"
    assert body_region("浙江重庆两地医学专家视频连线 重庆日报讯（记者 匡丽娜）2月18日，两地专家连线。").label == ""
    assert body_region("抗疫一线见闻 经济日报讯（记者 张三）各地加快复工。").label == ""


def test_a_municipality_by_its_short_name_and_the_district_its_headline_names():
    fengxian = ("奉贤发布全行业疫情防控规范 奉贤区日前召开疫情防控专题会议。在沪企业员工返沪后须登记，"
                "离沪人员须报备，来沪人员须隔离。")
    assert body_region(fengxian).label == "上海市·奉贤区"  # 沪 three times, 奉贤 in the headline
    assert body_region("返沪复工有序 在沪企业员工返沪后须登记，离沪人员须报备。").label == "上海市"
    # a place of another province in the headline is not taken into the report's province
    assert body_region("杭州企业来沪对接 在沪企业员工返沪后须登记，离沪人员须报备。").label == "上海市"
    assert body_region("来京人员信息采集平台上线 来京人员扫码录入，返京人员打卡，抵京后报备。").label == "北京市"
    # where a national meeting sits is no subject: '在京召开' does not count
    assert body_region("工作会议在京召开 会议在京召开，在京举行，在京部署各地工作。").label == ""
    assert body_region("全国会议在京召开 会议在京召开，在京举行，在京部署各地工作。").label == "全国"  # the country's
    # a headline that puts the province's short name before the city ('吉林长春：…')
    changchun = "吉林长春：公交实名制让疫情防控可追溯 当日，吉林省长春市公共交通启用实名登记。吉林省…吉林省…"
    assert body_region(changchun).label == "吉林省·长春市"
    # a headline's common word is no district ('各地公安交管部门' is no 公安县), unless named in full
    police = "各地公安交管部门全力投入疫情防控 湖北省交警在岗。湖北省各地检查站。湖北省公安厅部署。"
    assert body_region(police).label == "湖北省"
    # 沪 inside other words ('沪深股市') is no mention of Shanghai
    assert body_region("股市回暖 沪深两市今日上涨，沪指收涨，沪市成交放量。").label == ""
    listing = "多地支持企业上市 一家企业在沪深交易所上市，两家赴沪深两市上市，在沪深两市上市的企业增多。"
    assert body_region(listing).label == ""  # a market after a verb of travel, not a city


def test_a_forwarding_notice_is_signed_by_the_date_before_the_document_it_forwards():
    text = ("广西壮族自治区新型冠状病毒感染的肺炎疫情 各市、县防控指挥部： 现将《国务院应对新型冠状病毒感染肺炎疫情"
            "联防联控机制关于印发企事业单位复工复产疫情防控措施指南的通知》转发给你们，请结合实际，立即部署。"
            "如有不一致的，以国家制定的指南为准执行。 2020年2月22日 企事业单位复工复产疫情防控措施指南 "
            "为指导落实好新冠肺炎疫情防控各项工作要求，特制定本指南。" + "一、做好防控。" * 80)
    assert find_date(text) == "2020-02-22"
    # without a document carried, a date after the last sentence with a long text after it is no signature
    assert find_date(text.replace("转发给你们", "请你们")) == ""


def test_a_report_closing_on_its_reporter_is_news():
    m = meta("省委领导小组办公室下发通知 全面开展重点场所排查 为确保不发生聚集性疫情，日前，省委领导小组办公室"
             "下发通知。 通知要求，各级医疗机构要开展排查。（记者 李振）")
    assert (m.kind, m.issuer) == ("news", "")


def test_a_document_without_a_title_is_called_by_its_opening_words_not_its_file_name():
    from indexer.parse.documents import opening_words, parse_source
    from indexer.types import SourceText

    text = "广西应对疫情加紧建设自治区级定点收治医院 新华社南宁2月4日电（记者 何伟）记者从指挥部获悉，正加紧建设。"
    assert opening_words(text) == "广西应对疫情加紧建设自治区级定点收治医院"
    doc = parse_source(SourceText(text), "0123abcd", "0123abcdef0123456789abcdef012345.txt")
    assert doc.title != "0123abcdef0123456789abcdef012345"
    assert opening_words("") == "" and opening_words("通知") == ""


def test_a_national_organ_that_wrote_what_a_report_is_about_makes_it_national():
    drafted = ("解读《关于做好出院患者跟踪随访工作的通知》 为指导各地做好随访工作，国家卫生健康委组织相关专家，"
               "研究起草了《关于做好出院患者跟踪随访工作的通知》。")
    assert body_region(drafted).label == "全国"
    briefing = "继续深化细化防控措施 2月15日，国务院联防联控机制就春运返程疫情防控工作情况举行新闻发布会。"
    assert body_region(briefing).label == "全国"
    # a province between the organ and what is issued: the province acted, not the organ
    local = "解读 按照国家卫生健康委要求，湖北省卫生健康委研究起草了《关于做好随访工作的通知》。"
    assert body_region(local).label != "全国"


def test_a_notice_that_names_no_issuer_takes_its_region_from_its_text(tmp_path):
    from indexer.parse.documents import load_document
    path = tmp_path / "qa.txt"
    path.write_text("出院患者跟踪随访工作问答 为指导各地做好随访工作，国家卫生健康委组织相关专家，研究起草了"
                    "《关于做好出院患者跟踪随访工作的通知》。 一、谁负责随访？ 答：定点医院。", encoding="utf-8")
    document = load_document(path, tmp_path)
    assert document.kind == "notice" and document.issuer == ""  # no organ signs it or heads its title
    assert document.region.label == "全国"


def test_a_punctuated_headline_first_is_the_title_not_a_later_line_naming_a_document_type():
    m = meta("市场监管总局：全国检验检测机构积极发挥技术支撑作用，助力复工复产 采取多项应急措施 "
             "新冠肺炎疫情发生后，口罩需求急剧增加。市场监管总局第一时间出台多项应急措施。")
    assert m.title.startswith("市场监管总局：全国检验检测机构")
    # a document's own '关于…' title after a headline-like line is still the title
    assert meta("吉林：支持企业复工复产 关于做好复工的通知 为支持复工，现通知如下。").title == "关于做好复工的通知"


def test_an_issuer_named_by_its_level_takes_the_full_name_it_signs_with():
    text = ("省发展改革委印发《关于支持服务业市场主体的若干措施》的通知 各市州发展改革委： 现将《若干措施》印发给你们，"
            "请认真贯彻执行。 贵州省发展和改革委员会 2020年2月9日 一、减免租金。")
    assert meta(text).issuer == "贵州省发展和改革委员会"
    # another organ's signature is no long form of it
    other = text.replace("贵州省发展和改革委员会", "贵州省财政厅")
    assert meta(other).issuer == "省发展改革委"


def test_an_unsigned_guide_is_issued_by_the_organ_its_lead_says_compiled_it():
    text = ("“非接触式”网上办税清单及问题解答 为降低疫情传播风险，国家税务总局按照“尽可能网上办”的原则，针对纳税人"
            "关注的问题，编制了《电子税务局非接触式办税相关问题解答》。 一、如何进入电子税务局？ 答：访问官网。")
    assert meta(text).issuer == "国家税务总局"
    # what it compiled is another kind of document than the title: no author of this one
    assert meta(text.replace("相关问题解答》", "相关工作方案》")).issuer == ""
    # a report on a guide names its compilers without a quoted title: no issuer
    report = "湖北省为企业防疫提供法律服务指引 省工商联和省司法厅组织公益律师服务团编制了该服务指引，供企业参考。"
    assert meta(report).issuer == ""


def test_co_issuers_spaced_by_an_undecoded_entity_are_two_organs():
    from indexer.parse.readers import normalize_text
    text = normalize_text("关于支持疫情防控有关个人所得税政策的公告 现就有关政策公告如下： 一、免征个人所得税。 "
                          "二、本公告自2020年1月1日起施行。 财政部&ensp;税务总局 2020年2月6日 链接：")
    assert meta(text).issuer == "财政部 税务总局"
    assert normalize_text("&ldquo;六稳&rdquo; A&amp;B") == "“六稳” A&B"


def test_an_exclaimed_headline_is_a_report_not_the_notice_it_links():
    text = ("全体一线医务人员请注意！“国家保障”来了！ 确保基层医务人员防护……权威发布！ "
            "国务院办公厅转发国家卫生健康委《关于改善一线医务人员工作条件若干措施》的通知 国务院办公厅转发…的通知 "
            "在重大考验中考察识别干部")
    m = meta(text)
    assert m.title.startswith("全体一线医务人员请注意！") and m.kind == "news" and m.issuer == ""
    assert body_region(text).label == "全国"  # 国务院办公厅转发…: a national organ's act
    # a short tag before the title is no headline
    assert meta("速查看！ 我区“预约办税”和“错峰办税”服务指南 为了您的健康，我们倡议线上办理。").title \
        == "我区“预约办税”和“错峰办税”服务指南"


def test_a_page_opening_on_its_sites_channel_is_posted_by_that_organ():
    text = ("国家税务总局山东省税务局 通知公告 新冠肺炎疫情防控税收优惠政策指引 面对疫情防控的严峻形势，税务部门"
            "全力参与疫情防控工作。 一、支持防护救治。")
    m = meta(text)
    assert m.title == "新冠肺炎疫情防控税收优惠政策指引"
    assert m.issuer == "国家税务总局山东省税务局"
    # a reading channel holds others' texts: its site is no issuer
    reading = text.replace("通知公告", "政策解读")
    assert meta(reading).title == "新冠肺炎疫情防控税收优惠政策指引" and meta(reading).issuer == ""


def test_a_forwarding_notice_is_dated_by_its_own_signature_not_the_forwarded_ones():
    text = ("龙岩市人力资源和社会保障局转发人力资源和社会保障部办公厅关于做好事业单位人事管理工作的通知 各县（市、区）人社局： "
            "现将有关文件转发给你们，请认真贯彻执行。 龙岩市人力资源和社会保障局 2020年2月7日 "
            "人力资源社会保障部办公厅关于做好事业单位人事管理工作的通知 各省人社厅： 一、做好招聘。 "
            "人力资源社会保障部办公厅 2020年1月30日")
    assert meta(text).date == "2020-02-07"


def test_national_acts_with_co_organs_adverbs_and_the_state_councils_mechanisms():
    assert body_region("抗疫情减免税政策密集打包落地 日前，财政部、税务总局等部门密集发布文件，一系列政策落地。").label == "全国"
    assert body_region("让新鲜蔬菜卖得出 国务院应对新型冠状病毒感染肺炎疫情联防联控机制2月12日发布通知，要求压实责任。"
                       ).label == "全国"
    assert body_region("抗击疫情同聚力 2月18日，国家税务总局以“抗击疫情同聚力”为主题举行在线访谈活动。").label == "全国"
    assert body_region("国资委推动央企转产 2月5日，国务院国资委专门成立医疗物资专项工作组。").label == "全国"
    # a province's organ acting after the ministry is named: not national
    assert body_region("复工 湖北省、人力资源社会保障部印发通知，湖北省湖北省湖北省").label != "全国"


def test_an_unsigned_notice_is_placed_by_the_places_its_addressees_name(tmp_path):
    from indexer.parse.documents import load_document
    path = tmp_path / "n.txt"
    path.write_text("关于金融支持服务企业复工复产的实施意见 各县市区，阜阳经开区、阜合现代产业园区管委会疫情防控指挥部，"
                    "市疫情防控指挥部各成员单位： 为支持企业复工复产，提出如下意见。 一、加大信贷投放。", encoding="utf-8")
    assert load_document(path, tmp_path).region.label == "安徽省·阜阳市"
    path.write_text("关于做好复工复产的通知 各省、自治区、直辖市卫生健康委： 为做好复工，现通知如下。 一、做好防护。",
                    encoding="utf-8")
    assert load_document(path, tmp_path).region.label == ""  # the country's list of provinces is no place


def test_a_page_naming_no_place_takes_its_sites_city(tmp_path):
    from indexer.parse.documents import load_document
    page = ('<html><head><meta charset="utf-8"><meta name="SiteName" content="广州市天河区人民政府门户网站">'
            '<meta name="ArticleTitle" content="电子居住证如何申领？一文说清"></head><body>'
            '<h1>电子居住证如何申领？一文说清</h1><p>一、申领条件。持有有效居住证的人员可以申领电子居住证。</p>'
            '<p>二、申领流程。通过微信小程序提交申请。</p></body></html>')
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    assert load_document(path, tmp_path).region.label == "广东省·广州市"  # the district portal's city


def test_a_cry_before_a_headline_about_a_national_organ_leaves_it_national():
    title = "集结湖北！ 国家卫生健康委建立省际对口支援湖北省除武汉以外地市防治工作机制"
    assert resolve_region("", title).label == "全国"
    assert resolve_region("", "集结湖北！ 湖北省卫生健康委建立对口支援机制").label != "全国"


def test_an_attachment_name_before_the_signature_is_not_joined_to_the_first_organ():
    text = ("广州市医疗保障局 广州市财政局 广州市卫生健康委员会关于印发门诊特定病种费用范围及标准的通知 各有关单位： "
            "现将有关标准印发给你们，请遵照执行。 附件：1. 门诊特定病种范围 2. 广州市社会医疗保险门诊特定病种准入标准 "
            "广州市医疗保障局 广州市财政局 广州市卫生健康委员会 2019年6月14日")
    assert meta(text).issuer == "广州市医疗保障局 广州市财政局 广州市卫生健康委员会"
    from indexer.parse.organs import split_organs
    assert split_organs("浙江省应对新型冠状病毒感染的肺炎 疫情防控工作领导小组办公室") == (
        "浙江省应对新型冠状病毒感染的肺炎疫情防控工作领导小组办公室",)  # a wrapped name still joins


def test_a_notice_that_issues_a_document_with_现予以印发_is_dated_above_it():
    text = ("市市场监管委印发关于服务企业第二批措施的通知 各区局： 市市场监管委研究制定了《第二批措施》。现予以印发，"
            "请遵照执行。 2020年2月19日 关于服务企业的第二批措施 一、优化审批服务。企业可以网上办理。"
            + "二、减免相关费用。" * 40)
    assert meta(text).date == "2020-02-19"


def test_review_cases_of_the_title_and_region_rules(tmp_path):
    from indexer.parse.documents import load_document
    from indexer.parse.regions import addressee_region
    # a breadcrumb or a headline above an addressed notice: the notice's own title wins
    for text in ("当前位置：首页 郴州市人民政府办公室印发《若干措施》的通知 各县市区人民政府，市直各单位： 现将《若干措施》印发给你们。",
                 "郴州：多措并举支持企业复工复产 郴州市人民政府办公室印发《若干措施》的通知 各县市区人民政府： 现将《若干措施》印发给你们。"):
        m = meta(text)
        assert m.title == "郴州市人民政府办公室印发《若干措施》的通知" and m.issuer == "郴州市人民政府办公室"
    # a province's own addressees name no city of its own
    assert addressee_region("通知 各省辖市人民政府、济源示范区管委会、各省直管县（市）人民政府，省人民政府各部门： 一、").label == ""
    assert addressee_region("通知 各市人民政府，广德市、宿松县人民政府，省政府各部门、各直属机构： 一、").label == ""
    # a page on a city's site about another province takes no region from the site
    page = ('<html><head><meta charset="utf-8"><meta name="SiteName" content="广州市人民政府门户网站"></head><body>'
            '<h1>十条措施支持中小企业渡过难关</h1><p>近日，湖北省出台十条措施支持中小企业。一、减免房租。</p>'
            '<p>二、延期缴纳社保费。</p></body></html>')
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    assert load_document(path, tmp_path).region.label != "广东省·广州市"


def test_leaving_and_arriving_at_a_municipality_by_its_short_name_count_as_naming_it():
    guide = ("中小学校防控指引 一、开学前的准备。对到京人员进行登记，出京返京人员需居家观察。"
             "二、到京学生和出京教职工每日报告健康状况。")
    assert body_region(guide).label == "北京市"


def test_a_page_opening_on_its_sites_breadcrumb_takes_the_sites_region(tmp_path):
    from indexer.parse.documents import load_document
    path = tmp_path / "r.txt"
    path.write_text("山东省人民政府 政策解读 部门解读｜《关于加快恢复农业生产的若干措施》 为有效应对疫情影响，"
                    "省政府办公厅印发了《若干措施》。 一、稳定生猪生产。", encoding="utf-8")
    document = load_document(path, tmp_path)
    assert document.region.label == "山东省" and document.issuer == ""  # a reading channel: no issuer


def test_the_party_centres_bodies_and_the_national_count_leave_a_report_national():
    assert body_region("人民日报：毫不放松做好疫情防控工作 中共中央政治局常委会2月12日召开会议，分析疫情形势。").label == "全国"
    lead = ("发挥乡村医生作用 截至2月10日24时，31个省区市和新疆生产建设兵团现有确诊病例37626例。"
            "2月11日，国务院联防联控机制召开新闻发布会，介绍农村疫情防控情况。")
    assert body_region(lead).label == "全国"


def test_the_beijing_desk_reports_on_the_country_unless_its_headline_or_lead_names_a_place():
    national = ("互联网+，如何为宅家生活助力？ 新华社北京2月7日电 题：互联网+，如何为宅家生活助力？ 工信部近日提出，"
                "要发挥互联网作用。" + "各地电商平台加大保供力度，线上订单快速增长。" * 12
                + "北京一家企业推出服务，北京市民可在线下单，北京的快递小哥说。" * 2)
    assert body_region(national).label == "全国"
    local = ("中小微企业可享受一次性社会保险补贴 新华社北京2月13日电 企业可通过北京市人力资源和社会保障局官网申请。"
             "这是记者在北京市新闻发布会上获悉的。北京市将加大支持。")
    assert body_region(local).label == "北京市"


def test_a_joint_prevention_working_mechanism_signs_as_an_organ():
    text = ("关于加强新型冠状病毒感染的肺炎疫情社区防控工作的通知 各省、自治区、直辖市卫生健康委： 现就社区防控工作通知如下。"
            "一、加强组织领导。 附件：社区防控工作方案（试行） 应对新型冠状病毒感染的肺炎 疫情联防联控工作机制 2020年1月24日 "
            "（信息公开形式：主动公开） 社区防控工作方案（试行） 一、适用范围。")
    m = meta(text)
    assert m.issuer == "应对新型冠状病毒感染的肺炎疫情联防联控工作机制" and m.date == "2020-01-24"


def test_a_colon_headline_is_a_report_unless_it_names_its_own_type():
    m = meta("市场监管总局：全国检验检测机构积极发挥技术支撑作用，助力复工复产 采取多项应急措施 "
             "新冠肺炎疫情发生后，口罩需求急剧增加。市场监管总局第一时间出台多项应急措施。")
    assert m.kind == "news" and m.issuer == ""
    assert meta("温馨提示：疫情期间办税指南 各纳税人： 请通过电子税务局办理。 特此通知。").kind == "notice"


def test_a_ministrys_bureau_acting_or_a_headline_on_the_whole_country_makes_a_report_national():
    assert body_region("交管业务网上办 对不能按期办理的业务可延期。 据了解，公安部交管局指导各地公安交管部门推行网上办理。"
                       ).label == "全国"
    assert body_region("道路客运恢复 连日来，交通运输部积极协调各地交通运输部门做好客流研判。").label == "全国"
    assert body_region("全国道路客运及城市公交有序恢复运营 九省份恢复省际道路客运 截至2月12日，江苏、浙江等9个省份已恢复。"
                       ).label == "全国"
    # a place's claim to be the country's first is the place's; a notice forwarding a ministry's is local
    assert body_region("全国首个无接触服务站在杭州启用 杭州市杭州市杭州市昨天启用服务站。").label != "全国"
    assert body_region("福州市卫生健康委员会转发国家卫生健康委办公厅消毒剂上市的通知 各县（区）卫生健康委： 为保障供应，"
                       "国家卫生健康委办公厅下发了《通知》，现将文件转发给你们。").label != "全国"
    assert body_region("转发国家卫生健康委办公厅关于消毒剂上市的通知 各县（区）卫生健康委： 为保障供应，"
                       "国家卫生健康委办公厅下发了《通知》，现将文件转发给你们。").label == ""


def test_a_bracketed_issue_date_dates_an_unsigned_notice_and_a_signature_outranks_a_posting_date():
    head = "国家税务总局关于优化纳税缴费服务的通知 【发文单位】 国家税务总局 【发文日期】 2020-01-30 【是否有效】 全文有效 "
    assert find_date(head + BODY + " 国家税务总局") == "2020-01-30"
    assert find_date("发布机构：开发区 发文日期：2020-01-29 名称：关于做好防控的通知 " + BODY
                     + " 开发区党建工作部 2020年1月28日") == "2020-01-28"


def test_an_organ_printed_alone_between_a_title_and_its_restatement_is_the_issuer():
    title = "关于《若干措施》有关事项办理流程"
    assert meta(f"{title} 北京市地方金融监督管理局 {title} 为落实若干措施，现将办理流程公布如下。 一、申请。").issuers == \
        ("北京市地方金融监督管理局",)
    # a sentence between them is no byline
    assert meta(f"{title} 为落实若干措施现公布流程 {title} 一、申请。").issuers == ()
