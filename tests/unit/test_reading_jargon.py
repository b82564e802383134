"""Practice areas from the jargon of outbound practice, negations, the asking clause, and direction."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.encoder import Encoder
from service.matching.reading import read_need_practice, read_practice_areas


def first(text: str) -> str:
    found = read_practice_areas(text)
    assert found, text
    return found[0].code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CBP detained our solar modules under the UFLPA", "export_control_sanctions"),
        # slang for a bribe, and a foreign fund taking a stake in the writer's company
        ("肯尼亚土地局的人要“茶水费”才批得快，想请当地律师把跟中间人的合同、付款这些理一理", "compliance_anticorruption"),
        ("货物因涉疆法案被美国海关暂扣", "export_control_sanctions"),
        ("A withhold release order hit our cotton shipments", "export_control_sanctions"),
        ("Brussels opened an in-depth review under the Foreign Subsidies Regulation", "antitrust"),
        ("欧盟外国补贴条例审查我们的投标", "antitrust"),
        ("The UK CMA opened a merger inquiry into our purchase", "antitrust"),
        ("CFIUS is reviewing our acquisition of a chip startup", "outbound_investment"),
        ("The FIRB filing for our lithium deal is due", "outbound_investment"),
        ("Philippines BOI registration for our plant", "outbound_investment"),
        ("Section 337 complaint filed at the ITC against our LED drivers", "intellectual_property"),
        ("美国337调查，涉及专利", "intellectual_property"),
        ("We are considering a treaty claim under the BIT", "international_arbitration"),
        ("ICSID仲裁，依据双边投资协定", "international_arbitration"),
        ("Our debtor filed for PKPU in Jakarta", "restructuring_insolvency"),
        ("The LC was dishonoured; the discrepancies are bogus under UCP600", "international_trade_contracts"),
        ("两反一保案件", "trade_remedies"),
        ("需要办理ODI备案", "outbound_investment"),
        ("FCPA review of our agents", "compliance_anticorruption"),
        ("An OFAC SDN hit on our buyer", "export_control_sanctions"),
        ("利润汇回受外汇管制", "finance_capital_markets"),
        ("works council consultation before layoffs", "labor_employment"),
        ("Our Mexican plant must comply with the outsourcing reform (REPSE)", "labor_employment"),
        ("Our Saudi sponsor refuses to transfer the iqamas of our workers", "labor_employment"),
        ("The employer is deducting liquidated damages for late completion", "construction_infrastructure"),  # not "liquidat*"
        ("新加坡的私募基金想入股我们的海外项目公司", "finance_capital_markets"),
        ("Our shipment is stuck in Rotterdam because of the EU forced labour regulation", "export_control_sanctions"),
        ("想了解在阿联酋设立公司的经济实质法要求", "tax"),
        ("We want to list our Singapore holding company on the SGX", "finance_capital_markets"),
        ("我们在墨西哥的工厂想申请IMMEX保税加工资质", "international_trade_contracts"),
        ("Our employee in Dubai was arrested over a contract dispute", "cross_border_litigation"),
        # customs work, and a dispute that names no other matter
        ("Vietnam customs post-clearance audit: they say we misdeclared HS codes", "tax"),
        ("海关说我们的商品编码归错了，要补缴关税", "tax"),
        ("our truck is stuck at the border, customs say the docs are wrong", "international_trade_contracts"),
        ("Need a lawyer in Almaty for a lease dispute with our landlord", "cross_border_litigation"),
        ("阿根廷的子公司没办法把利润汇回国内，比索管制太严", "finance_capital_markets"),  # 没办法: unable, not negated
        ("Our Mexican customer hasn't paid 3 invoices (USD 480k)", "international_trade_contracts"),
        ("The Indian Enforcement Directorate raided our Bangalore office under FEMA", "compliance_anticorruption"),
        ("Saudi Aramco wants our local entity registered with MISA first", "outbound_investment"),
        ("The FNE is looking at our acquisition of a copper wire maker; do we need to notify?", "antitrust"),
        ("SUNAT says our branch is a permanent establishment", "tax"),
        ("Our GM resigned and joined a competitor with our customer list", "labor_employment"),
        ("Our subsidiary can't get FX from the central bank to pay suppliers", "finance_capital_markets"),
        ("The employer called our advance payment bond in Uganda; we think the call is abusive", "construction_infrastructure"),
        ("Our Egyptian JV needs to dismiss its GM on a fixed-term contract", "labor_employment"),  # the JV is the employer
        ("We want to set up a JV with a Saudi partner", "outbound_investment"),
        ("Is the deal notifiable to UOKiK, or does it go to Brussels under the EUMR?", "antitrust"),
        ("A letter from the Kenyan data commissioner (ODPC) about user data stored in China", "data_privacy"),
        ("荷兰买家说电池有质量问题拒收，还要我们赔", "international_trade_contracts"),
        ("The Nigerian Customs Service disputes the valuation of imported generators", "tax"),
        ("CBP opened an EAPA investigation into duty evasion on our wheel hubs", "trade_remedies"),
        ("Setting up a rice trading company in Bangkok", "outbound_investment"),
        ("We need counsel in Lima to register a branch of our trading company", "outbound_investment"),
        ("欧盟客户要求做供应链尽职调查（CSDDD）", "compliance_anticorruption"),
        ("我们在俄罗斯的子公司想把卢布利润换成人民币汇回，怎么操作合规", "finance_capital_markets"),  # 操作合规: done properly
        ("Our Saudi sponsor took our company's seal and bank tokens and refuses to return them", "cross_border_litigation"),
        ("our Russian buyer can't pay because of SWIFT disconnection", "export_control_sanctions"),
        ("The Korean supplier's warranty claim for the battery modules is going nowhere", "international_trade_contracts"),
        ("被美国海关认定原产地是中国，要补征301关税", "trade_remedies"),
        ("有个以色列籍工程师离职后带走了源代码，去了竞争对手那里", "intellectual_property"),
        ("Brazilian CARF appeal on a PIS/COFINS assessment against our Sao Paulo subsidiary", "tax"),
        ("Jakarta PT PMA licensing issue under the OSS system", "outbound_investment"),
        ("马来西亚的工厂想申请Pioneer Status免税", "tax"),
        ("阿尔及利亚的住房项目工程结算纠纷", "construction_infrastructure"),
        # Taiwan and Hong Kong words for personal data, read in traditional characters without the engine
        ("我們在胡志明市的子公司要把員工和客戶個資傳回台灣總部的ERP", "data_privacy"),
        ("香港的個人資料（私隱）條例對員工監控有什麼要求", "data_privacy"),
        ("客户资料跨境传输要先做评估吗", "data_privacy"),
        ("HR data sent to Shenzhen needs a transfer impact assessment", "data_privacy"),
        # the contract administration of a FIDIC project
        ("The Engineer refuses to certify our interim payment certificates", "construction_infrastructure"),
        ("We have to prepare a DAAB referral within 28 days", "construction_infrastructure"),
        ("业主拖欠三期期中付款证书的款项", "construction_infrastructure"),
        ("Our delay claim of EUR 8m is with the employer", "construction_infrastructure"),
    ],
)
def test_jargon(text: str, expected: str) -> None:
    assert first(text) == expected


@pytest.mark.parametrize(
    ("text", "dropped", "kept"),
    [
        ("Not looking for litigation - just a compliance review of our agents", "cross_border_litigation",
         "compliance_anticorruption"),
        ("不需要诉讼，只要做反腐合规审查", "cross_border_litigation", "compliance_anticorruption"),
        ("我们不打算仲裁，想先做税务筹划", "international_arbitration", "tax"),
        ("客户收了货不付款，合同没有仲裁条款，想起诉", "international_arbitration", "cross_border_litigation"),
    ],
)
def test_negated_matter_is_not_read(text: str, dropped: str, kept: str) -> None:
    found = [r.code for r in read_practice_areas(text)]
    assert dropped not in found and kept in found


def _no_directory(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
    return []  # a directory with no labelled passage: the words alone decide


def test_host_country_foreign_investment_rules_are_outbound(encoder: Encoder) -> None:
    found = [r.code for r in read_need_practice("阿曼杜库姆经济特区设厂，想了解外资准入要求", encoder, _no_directory)]
    assert found[0] == "outbound_investment" and "inbound_investment" not in found


def test_foreign_investors_coming_to_china_stay_inbound(encoder: Encoder) -> None:
    for text in ("我们是一家泰国公司，想在中国设立外商独资企业",
                 "我们是一家泰国华人企业，在泰国注册，想到云南投资建厂，需要了解外资准入",  # a province is China
                 "Our fund in Abu Dhabi wants a 30% stake in a Chinese maker of satellite parts; is the sector restricted for foreign investors?",
                 # a foreign investor taking a stake in the writer's own company, and China's review regimes
                 "沙特一家主权基金下属的投资平台拟入股我司（苏州工业园区），持股约30%，想请律师看外商投资准入负面清单、"
                 "是否触发外商投资安全审查、是否需要经营者集中申报。",
                 "A Saudi fund wants a 30% stake in us; does it need a security review?",
                 "需求类型：引进外资。沙特某主权基金拟通过其在香港设立的特殊目的公司对我企业增资入股，持股约25%"):
        found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
        assert "inbound_investment" in found[:2], (text, found)


def test_the_asking_clause_leads(encoder: Encoder) -> None:
    text = "我们在越南的工厂去年裁员，工人罢工过。现在税务局稽查转让定价，需要律师应对"
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "tax"


def _labour_directory(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
    return [(0.9 - i * 0.001, "labor_employment") for i in range(k)]  # every neighbour a labour matter


def test_an_area_no_word_names_stays_below_one_a_term_names(encoder: Encoder) -> None:
    found = read_need_practice("越南设厂", encoder, _labour_directory)
    assert found[0].code == "outbound_investment", found


def test_the_industry_s_own_work_asked_for_is_the_matter(encoder: Encoder) -> None:
    # the forum of the contract (SIAC) and how the project is funded (a JICA loan) are the setting;
    # what is asked for now is the contract administration of the works
    text = ("Manila那个rail project（JICA loan funded）：employer（DOTr）拖欠3期IPC，约PHP 1.2bn，Engineer也一直不certify "
            "variations。合同是FIDIC Yellow Book 2017，争议先DAAB，再SIAC arbitration（seat Singapore）。"
            "现在先需要菲律宾律师帮我们prepare DAAB referral和notice of claim。")
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "construction_infrastructure" and "finance_capital_markets" not in found, found


def test_a_project_s_funding_is_not_a_finance_matter() -> None:
    found = [r.code for r in read_practice_areas("The JICA loan-funded bridge: the contractor's claim for variations")]
    assert found[0] == "construction_infrastructure" and "finance_capital_markets" not in found
