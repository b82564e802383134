"""Places of a need with their roles: only targets bind (issue 12's traps, and others)."""

from __future__ import annotations

import pytest

from service.matching.reading import read_places, read_target_countries, resolve
from service.matching.reading.blocs import bloc_members, seat_countries
from service.matching.reading.text import to_simplified
from service.matching.rules import HARD_READING_CONFIDENCE


def binding(text: str) -> set[str]:
    return {r.code for r in read_target_countries(text) if r.confidence >= HARD_READING_CONFIDENCE}


def roles(text: str) -> dict[str, str]:
    places, _ = resolve(text)
    return {p.code: p.role for p in places}


@pytest.mark.parametrize(
    ("text", "target", "other", "role"),
    [
        # nationality of people or of a counterparty
        ("我们在塞尔维亚的轮胎厂雇了两百名越南工人，劳动合同被劳动监察认定不合规", "RS", "VN", "origin"),
        ("About 400 Vietnamese workers are employed at our tyre plant in Serbia.", "RS", "VN", "origin"),
        ("我们在哥伦比亚的地铁分包合同纠纷，总包是西班牙公司", "CO", "ES", "origin"),
        ("我们的哈萨克斯坦子公司和俄罗斯承包商在阿拉木图法院打官司", "KZ", "RU", "origin"),
        # registration, listing, flag
        ("Our Singapore-registered fund is buying a gold mine in Australia.", "AU", "SG", "registration"),
        ("Our holding company incorporated in the Netherlands is building a plant in Poland.", "PL", "NL", "registration"),
        ("我们是新加坡注册的公司，想在越南开一家贸易公司", "VN", "SG", "registration"),
        ("我司系美国纳斯达克上市公司，在越南的工厂被税务稽查", "VN", "US", "registration"),
        ("The Liberian-flagged vessel was arrested in Durban.", "ZA", "LR", "registration"),
        ("我们新加坡的控股公司要卖掉印尼那个镍铁厂30%股份", "ID", "SG", "registration"),
        ("英国的收购方要求我们做W&I保险，标的公司在西班牙", "ES", "GB", "origin"),  # the acquirer's nationality
        ("Our Cayman SPV is buying a port in Peru", "PE", "KY", "registration"),
        # governing law
        ("The supply contract with the Chilean mine is governed by Spanish law; we need a litigator in Chile.", "CL", "ES", "law"),
        ("Compliance review of our agents in Kenya against the UK Bribery Act", "KE", "GB", "law"),
        # transit
        ("货物经哈萨克斯坦转运到俄罗斯，在莫斯科被拒收", "RU", "KZ", "transit"),
        ("They say we route the yarn through Vietnam to dodge duties in Turkey.", "TR", "VN", "transit"),
        # the project's country over the arbitral seat (as the public evaluation set judges it)
        ("缅甸的合资方违约，合同约定在新加坡国际仲裁中心仲裁", "MM", "SG", "seat"),
        ("Our JV partner in Penang breached the SHA; ICC arbitration seated in Singapore.", "MY", "SG", "seat"),
        ("我们在哈萨克斯坦总包的风电项目有争议，合同约定在新加坡仲裁", "KZ", "SG", "seat"),
        # an authority deciding is where counsel is needed
        ("我们在土耳其的光伏组件厂，美国商务部发起了反规避调查", "US", "TR", "mention"),
        ("我们在越南的工厂被土耳其双反调查了", "TR", "VN", "mention"),  # the author of a trade-remedy case
        ("我们在塞尔维亚的钢厂出口的产品被美国反倾销调查了", "US", "RS", "mention"),
        # trade remedies are the importing country's
        ("Our plant in Vietnam exports steel to Turkey and an anti-dumping probe has started", "TR", "VN", "mention"),
        # the place of the lawyer asked for
        ("Our Istanbul warehouse holds goods of a buyer now on the SDN list; need a US sanctions lawyer.", "US", "TR", "mention"),
    ],
)
def test_only_the_target_binds(text: str, target: str, other: str, role: str) -> None:
    assert binding(text) == {target}
    shown = {p.code: p for p in _shown(text)}
    assert shown[other].role == role and not shown[other].binding
    assert shown[target].binding


def _shown(text: str):  # type: ignore[no-untyped-def]
    from service.matching.need import places

    resolved, bound = resolve(text)
    return places(resolved, bound)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Looking for a Kazakh lawyer for a tax audit of our branch", {"KZ"}),  # a demonym alone
        ("CBP detained our solar modules under the UFLPA; we need the shipment released", {"US"}),  # agency jargon
        ("Section 337 complaint at the ITC against our LED drivers", {"US"}),
        ("CFIUS is reviewing our acquisition of a chip-testing startup", {"US"}),
        ("The FNE is looking at our acquisition of a local copper wire maker", {"CL"}),
        ("SUNAT wants income tax from our branch for 2021-2023", {"PE"}),
        ("A local importer filed our brand at INAPI before us", {"CL"}),
        ("Need advice under Uzbek law on a land lease", {"UZ"}),  # a law alone is where the work is
        ("Our Kazakh distributor owes us USD 2m", {"KZ"}),  # a counterparty alone is too
        ("Our Kazakh distributor owes us USD 2m; the clause says SIAC, seated in Singapore", {"SG"}),  # seat over nationality
        ("付款方可能和被美国列名的主体有关联，我们向俄罗斯客户出口配件", {"RU"}),  # a sanctions authority's country is law
        ("我们是一家泰国公司，想在中国设立外商独资企业", {"TH"}),  # inbound: the origin is the client's country
        ("Our Luanda project pays engineers in US dollars; the inspectorate wants kwanza", {"AO"}),  # a currency
        ("The buyer paid with US-dollar notes in Angola", {"AO"}),
        ("A Singapore dollar loan for our Vietnam plant", {"VN"}),
        ("Argentine peso controls stop our subsidiary from paying dividends", {"AR"}),  # a currency alone
        ("Korea won the tender; we are the subcontractor", {"KR"}),  # "won" is no currency here
        ("Brazil real estate: our warehouse lease in Santos", {"BR"}),
        ("Georgia (the country, not the US state): our Batumi JV partner wants out", {"GE"}),
        ("欧洲总部设在卢森堡还是荷兰，税务上哪个更合适", {"LU", "NL"}),  # coordinated with 还是
        ("不是在越南，是在柬埔寨金边的一个工业园，想设厂", {"KH"}),  # negation
        ("贵阳的公司想在老挝、柬埔寨两个国家同时注册商标，找东南亚的知识产权律师", {"LA", "KH"}),  # named members of a bloc
        ("The Thai BOI revoked our promotion certificate", {"TH"}),
        ("An American law firm represents the other side; we need our own lawyer in Vietnam", {"VN"}),
        ("We are a Korean company investing in Vietnam", {"VN"}),
        ("Looking for an English solicitor for a charter party dispute", {"GB"}),
        ("The contract is governed by Singapore law; the project is in Myanmar", {"MM"}),
        # ports and zones, a transshipment, the place of the dispute, places coordinated with the one asked for
        ("Our containers are held at Tanjung Priok port", {"ID"}),
        ("Our plant in the Lekki Free Zone needs a new land lease", {"NG"}),
        ("The shipment was transshipped in Jebel Ali and is now stuck in Bandar Abbas", {"IR"}),
        ("We're in Astana but the dispute is in Tashkent", {"UZ"}),
        ("我们公司在阿斯塔纳，但官司在塔什干打", {"UZ"}),
        ("We need counsel in Almaty and Bishkek for a regional distribution network", {"KZ", "KG"}),
        # the writer corrects the place just named
        ("need lawyer in Ukraine? no - Poland. our Ukrainian JV partner moved the assets to a Polish company", {"PL"}),
        ("找越南律师，不对，是柬埔寨", {"KH"}),
        ("Can we sue in Vietnam? No idea how it works", {"VN"}),
        # the place the need says it is about, among several named; the company bought
        ("我们在越南和泰国都有工厂，这次是泰国工厂的工人集体解约纠纷，越南那边没事", {"TH"}),
        ("我们在塞尔维亚和匈牙利都有工厂，但这次只涉及匈牙利的工厂", {"HU"}),
        ("我们要收购一家新加坡公司，它在印尼和马来西亚有子公司，需要做尽调", {"SG"}),
        ("We have plants in Vietnam and Thailand; this time it is the Thai plant: 40 workers walked out", {"TH"}),
        ("Plants in Serbia and Hungary, but the dispute only concerns the Hungarian plant", {"HU"}),
        # counsel asked for at home: the foreign places are where things happened
        ("塞尔维亚籍员工在国内工作时受伤了，现在回了贝尔格莱德，要求赔偿，找个国内懂涉外工伤的律师就行", set()),
        ("Our Kenyan agent cheated us; we want a lawyer in mainland China to sue him here", set()),
        # a national authority beside the bloc's: the member state is the more precise
        ("Is our acquisition of a Polish battery recycler notifiable to UOKiK, or does it go to Brussels under the EUMR?", {"PL"}),
        # the bloc the work is in, within the wider region asked for
        ("我们的App在欧盟上线，需要做GDPR合规，找欧洲的数据合规律师", set(bloc_members("EU"))),
        # a headquarters is the enterprise's own vehicle; a brand's or a miner's country is its origin
        ("Our Singapore HQ wants to open a branch office in Hanoi rather than a subsidiary", {"VN"}),
        ("我们收购了一个意大利品牌，现在一家法国公司说这个品牌在法国侵犯了他们的商标，已经在巴黎起诉了", {"FR"}),
        ("Our Chilean JV partner is a subsidiary of a Canadian miner; they want to sell the stake to an Australian fund", {"CL"}),
        # laws coordinated; a sentence that only names the lawyer asks for one
        ("A lawyer who knows both Saudi and UAE law, for a distribution deal covering the two markets", {"SA", "AE"}),
        ("The Cambodian buyer paid via a bank in Thailand and the money never arrived. Phnom Penh lawyer I guess.", {"KH"}),
        ("我们在埃塞的鞋厂出口到欧洲，欧盟客户要求做供应链尽职调查（CSDDD），需要欧洲律师", set(bloc_members("EU"))),
        # abbreviations as desks write them; a payment routed through a third country
        ("HCMC factory, landlord wants us out 2 yrs before lease ends. advice pls", {"VN"}),
        ("JKT - PT PMA needs to change KBLI business codes", {"ID"}),
        ("吉国的矿山被当地村民堵路，政府让我们停工整改", {"KG"}),
        ("塔国的水泥厂要延长税收优惠期，当地税务局不同意", {"TJ"}),
        ("our Kenyan buyer offers to pay via a third country (UAE) because its bank is slow", {"KE"}),
        # a language-demonym before a noun of people or firms is a nationality ("Thai" alone is a language)
        ("A Thai competitor copied our patented rice cooker design and sells it on Lazada", {"TH"}),
        # a listing is where a company is registered, not where the work is
        ("Can our Mexican subsidiary pay a facilitation fee at customs in Manzanillo? We worry about FCPA because of our US listing", {"MX"}),
    ],
)
def test_reads_the_target(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "bloc"),
    [
        ("The EU imposed provisional anti-dumping duties on our e-bikes", "EU"),
        ("欧盟委员会对我们的玻璃纤维发起反补贴调查，需要布鲁塞尔的律师", "EU"),
        ("Brussels is looking at our bid under the Foreign Subsidies Regulation", "EU"),
        ("我们想进入东盟市场，平台合规不太清楚", "ASEAN"),
        ("海合会对我们的瓷砖发起了反倾销调查", "GCC"),
        ("EAEU anti-dumping investigation on our steel pipes", "EAEU"),
        ("我们在泰国的工厂出口到欧盟的产品，担心反倾销", "EU"),  # trade remedies are the importing side's
        ("Eurasian Economic Commission questionnaire on our tyres", "EAEU"),
        ("公司计划在中亚五国布局光伏电站", "CENTRAL_ASIA"),
        ("想进入欧洲市场，CE认证和产品责任", "EUROPE"),
        ("We want to expand in the Gulf", "GCC"),
        ("我们在非洲多个国家有工程项目，想统一做合规体系", "AFRICA"),
        ("a Latin American distributor network", "LATIN_AMERICA"),
    ],
)
def test_blocs_read_as_their_members(text: str, bloc: str) -> None:
    assert binding(text) == set(bloc_members(bloc))
    assert any(p.code == bloc and p.kind == "bloc" for p in read_places(text))


def test_bloc_data_for_the_ranking() -> None:
    assert "BE" in seat_countries("EU") and "BE" in bloc_members("EU")
    assert set(bloc_members("CENTRAL_ASIA")) == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert bloc_members("nowhere") == ()


def test_a_bloc_law_does_not_displace_named_countries() -> None:
    assert binding("GDPR advice: our app has users in France and Germany") == {"FR", "DE"}
    assert binding("Buying a stake in a Hungarian battery plant: the FDI screening and EU merger control both apply") == {"HU"}
    assert roles("GDPR advice: our app has users in France and Germany")["EU"] == "law"


def test_non_targets_still_rank_softly() -> None:
    found = {r.code: r.confidence for r in read_target_countries("我们在塞尔维亚的工厂雇了越南工人")}
    assert found["RS"] >= 0.9 and 0 < found["VN"] < HARD_READING_CONFIDENCE


def test_countries_named_inside_a_bloc_are_more_precise() -> None:
    assert binding("我们想开拓中东市场，主要是沙特和阿联酋") == {"SA", "AE"}
    assert binding("A Dutch court in Europe froze our account") == {"NL"}
    assert binding("the EU and the UK") == set(bloc_members("EU")) | {"GB"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a demonym alone, with the kind of lawyer asked for
        ("We need a Kazakh lawyer to chase a distributor", {"KZ"}),
        ("Russian contract, but we need an Uzbek lawyer", {"UZ"}),
        # chat English: lower-case demonyms
        ("turkmen gas contract: the state company keeps delaying payments to us", {"TM"}),
        ("the kazakh side stopped paying for the turbines", {"KZ"}),
    ],
)
def test_demonyms_name_places_in_any_case(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the longest name wins over a shorter one of another case ("Russian" the demonym)
        ("customs of the Russian Federation seized the cargo", {"RU"}),
        ("a mining licence in Lao PDR", {"LA"}),
        ("a subcontract in the Kyrgyz Republic", {"KG"}),
        # names in the country's own language, and the misspellings of hurried English
        ("our plant in México", {"MX"}),
        ("distributor in Brasil stopped paying", {"BR"}),
        ("our Kazakstan subsidiary", {"KZ"}),
        ("a buyer in the Phillipines", {"PH"}),
        # terse specs write a few ISO codes, in capitals
        ("KZ arbitration, russian speaking", {"KZ"}),
        ("RU buyer stopped paying, we need counsel in KZ", {"KZ"}),
        ("UAE company setup", {"AE"}),  # a company to be formed there, not an Emirati client
    ],
)
def test_country_names_as_people_write_them(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


def test_lower_case_ordinary_words_are_not_places_and_languages_are_not_countries() -> None:
    assert binding("we need to polish the settlement letter for the German buyer") == {"DE"}
    assert binding("our lawyer must speak russian; the project is in Kazakhstan") == {"KZ"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a regime asked about: counsel of its author
        ("Does the EU's 14th sanctions package bar us from selling lathes to a Kyrgyz trader?", set(bloc_members("EU"))),
        ("US sanctions on Iran: can our Turkish subsidiary keep selling pumps to Tehran?", {"US"}),
        ("美国对伊朗的制裁会不会影响我们在阿联酋的贸易公司？", {"US"}),
        ("EU/US export controls: can we ship the lathes to our Kazakh buyer?", set(bloc_members("EU")) | {"US"}),
        # a regime cited in the story is law; the work is where the matter is
        ("Our bank in Almaty delays payments citing EU, UK and US sanctions; we need to sue it.", {"KZ"}),
        # the country sanctioned is named, not where counsel is needed
        ("我们在哈萨克斯坦的工厂因为对俄罗斯的制裁收不到货款，要起诉当地买家", {"KZ"}),
        ("Sanctions against Russia froze our payments in Uzbekistan; we need a lawyer in Tashkent.", {"UZ"}),
        ("Iran sanctions compliance review for our trading company in Dubai", {"AE"}),
        ("We sell to Kazakhstan and Russia sanctions risk worries us", {"KZ"}),
    ],
)
def test_sanctions_bind_their_author_when_asked_about_never_the_sanctioned(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


def test_a_sanctioned_country_alone_still_ranks_softly() -> None:
    assert roles("Iran sanctions screening of our customer list") == {"IR": "sanctioned"}
    assert binding("Iran sanctions screening of our customer list") == set()
    assert 0 < {r.code: r.confidence for r in read_target_countries("Iran sanctions screening")}["IR"] < HARD_READING_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lawyer of the place refused, the place set aside, or the matter there already in hand
        ("老板定了去墨西哥蒙特雷建厂，要找墨西哥律师做公司设立。注意不是要美国律师哈，美国那边的原产地问题我们另外问。", {"MX"}),
        ("合同约定SIAC新加坡仲裁，适用蒙古法，现在需要新加坡的仲裁律师牵头，蒙古律师暂时不需要。", {"SG"}),
        ("Distributor network in Latin America; Brazil not this year. The lawyer must speak Spanish.",
         set(bloc_members("LATIN_AMERICA")) - {"BR"}),
        ("We sell across the EU marketplaces and need an EU product compliance lawyer for GPSR. "
         "The US Amazon store is separate, no need.", set(bloc_members("EU"))),
        ("Our KK was sued in the Tokyo District Court for patent infringement. The same patent family is asserted "
         "at the US ITC, that case already has a US firm.", {"JP"}),
        ("海湾几个国家的经销协议要统一审一遍，找个能cover整个GCC的律所。沙特不用管，沙特已经单独找了利雅得的律所。",
         set(bloc_members("GCC")) - {"SA"}),
        ("想在撒哈拉以南非洲建个水泥粉磨站，国家还没定；北非（埃及、摩洛哥）不考虑。", set(bloc_members("SUB_SAHARAN_AFRICA"))),
        ("东盟的经销网络要搭起来，越南和泰国先不做，其他国家都要看", set(bloc_members("ASEAN")) - {"VN", "TH"}),
        ("需要懂欧盟GDPR的律师，德国不用考虑（德国子公司有自己的律所）", set(bloc_members("EU")) - {"DE"}),
        # a city set aside within the country asked for is no exclusion of the country
        ("Need a lawyer in Almaty (not Astana) for a lease dispute", {"KZ"}),
        # set aside after a "but", in a chat's space-separated clauses, done already, or in a lawyer's hands
        ("商标在越南被抢注了要提异议 柬埔寨那边也有人抢注但是先不管", {"VN"}),
        ("东盟几个国家都要铺经销商 印尼不用 印尼我们自己有人", set(bloc_members("ASEAN")) - {"ID"}),
        ("海湾六国都要注册商标，阿联酋去年已经注册下来了，不用再做。", set(bloc_members("GCC")) - {"AE"}),
        ("被告在印度，要在德里起诉。英国那边的平行诉讼已由英国律师处理。", {"IN"}),
        ("店铺开了越南、泰国两个站，菲律宾站今年先不做", {"VN", "TH"}),
        ("需要 review GCC 各国的代理法。Oman 和 Qatar 已有 counsel。", set(bloc_members("GCC")) - {"OM", "QA"}),
        ("Our Thai subsidiary is sorted. Now we need a labour lawyer for the plant in Penang.", {"MY"}),
        ("We have a firm in Jakarta for the licences; the smelter JV in the Philippines needs counsel.", {"PH"}),
        ("GDPR across the EU, but France is already covered by a French firm we use.", set(bloc_members("EU")) - {"FR"}),
        # counsel at home asked for: no place abroad binds in its stead
        ("对方是印度公司，合同约定香港仲裁，要找香港的律师", set()),
        # but a Chinese lawyer asked for a suit abroad still wants the matter there served
        ("我们在肯尼亚的子公司被当地分包商告了，需要一位能和当地出庭律师配合的中国律师", {"KE"}),
    ],
)
def test_a_place_set_aside_never_binds(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


def test_a_place_set_aside_is_shown_as_such() -> None:
    text = "找个能cover整个GCC的律所审经销协议。沙特不用管，沙特已经单独找了利雅得的律所。"
    assert roles(text)["SA"] == "excluded"


def test_a_place_the_need_keeps_naming_outweighs_one_named_in_passing() -> None:
    text = "我们计划在北欧收购陆上风电项目，在几个北欧国家之间比较，需要熟悉北欧补贴和电网接入的律师。之前在英国做海上风电用的律所不太合适。"
    assert binding(text) == set(bloc_members("NORDICS"))
    assert roles(text)["GB"] == "mention"


@pytest.mark.parametrize(
    ("text", "expected", "other", "role"),
    [
        # a Latin name inside Chinese text reads by the Chinese words around it, and the other way round
        ("我们的bulk carrier在Manila港被arrest了，船东是Marshall Islands注册的SPV，需要Philippine maritime lawyer尽快处理release。",
         {"PH"}, "MH", "registration"),
        ("EU对我们越南厂出口的e-bike发起了anti-circumvention调查，需要做trade defence的lawyer。", set(bloc_members("EU")), "VN", "origin"),  # where the goods are made
        ("集团的Cayman holding计划de-SPAC上市，需要US securities counsel负责F-4。", {"US"}, "KY", "registration"),
        # a flag, a London arbitration and a past project name places where the work is not
        ("Vessel arrested at Durban by the cargo receivers. C/P provides London arbitration (LMAA). Flag Panama. "
         "We need local counsel to contest the arrest.", {"ZA"}, "PA", "registration"),
        ("Vessel arrested at Durban by the cargo receivers. C/P provides London arbitration (LMAA). Flag Panama. "
         "We need local counsel to contest the arrest.", {"ZA"}, "GB", "seat"),
        ("Before we had a project in Chile and the lawyer there was very good, but now we need a Peru lawyer for mining.",
         {"PE"}, "CL", "mention"),
        # the Thai Eastern Economic Corridor is "EEC" too: not the Eurasian Economic Commission
        ("泰国罗勇（EEC东部经济走廊）准备建汽车零部件厂，先做公司设立和BOI申请。", {"TH"}, "TH", "requested"),
    ],
)
def test_roles_across_scripts_and_stories(text: str, expected: set[str], other: str, role: str) -> None:
    assert binding(text) == expected
    if other not in expected:
        assert roles(text)[other] == role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Looking for merger control counsel: the target JV has turnover in Saudi + UAE.", {"SA", "AE"}),
        ("我们在Uzbekistan（Navoi）和Kyrgyzstan（Bishkek）各有一个JV，明年要exit，需要两国当地律师。", {"UZ", "KG"}),
    ],
)
def test_places_coordinated_across_a_plus_or_a_bracket(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("準備同時進軍日本樂天和韓國Coupang，想請律師確認兩國的化妝品進口通關和成分標示", {"JP", "KR"}),
        ("拟于墨西哥新莱昂州（蒙特雷周边）及美国德州同时设厂，需就两地的公司设立架构提供意见", {"MX", "US"}),
        # a count that does not match the places named changes nothing
        ("我们在越南的工厂要出口到两个国家，越南海关查了", {"VN"}),
    ],
)
def test_a_text_that_counts_its_places_binds_them_all(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # desk abbreviations and a currency named alone
        ("乌兹那边工人集体讨薪闹到劳动局了，找个会俄语的律师", {"UZ"}),
        ("Our distributor has been sitting on 4.5 million cedis of our receivables for eight months.", {"GH"}),
        ("The buyer in Kumasi has not paid; the contract is governed by local law.", {"GH"}),
        # the port of loading is where goods came from
        ("Cargo claim: coils loaded at Tanjung Pelepas, discharged at Port Qasim; we need to arrest the ship.", {"PK"}),
        ("从桑托斯装船的一万吨豆粕卸在达米埃塔港，买家说质量不达标拒付", {"EG"}),
        # the holding vehicle placed elsewhere; a choice of where to put the headquarters is the work
        ("印尼镍矿的IUP能不能转到合资公司名下？合资公司的持股平台打算放在新加坡。", {"ID"}),
        ("欧洲总部设在卢森堡还是荷兰，税务上哪个更合适", {"LU", "NL"}),
        # two places of the work, the second introduced as "the other"
        ("Two grinding units, one just outside Tashkent, the other in Shymkent; one firm for both.", {"UZ", "KZ"}),
        ("两个项目，一个在老挝万象，另一个在柬埔寨金边，想找一家律所都能做", {"LA", "KH"}),
        # a past project, and the place the need turns to now
        ("After our toll-road concession in Serbia (handed over in 2022), we're now bidding a PPP in Cluj-Napoca, Romania.", {"RO"}),
        # a stock exchange names its country; a listing elsewhere given for reference is the past
        ("集团拟将手套业务分拆，在 Bursa 主板 IPO，需要当地 lead counsel。参考：同行某公司当年是在 SGX 上市的。", {"MY"}),
        ("We want 19.9% of an ASX-listed lithium explorer and need FIRB approval.", {"AU"}),
        # the matter in the forum's country already in hand: counsel is needed where the assets are
        ("业主集团在新加坡法院申请了重整，新加坡那边的债权申报已经委托了律师，现在需要斯里兰卡和马尔代夫两地的律师评估能否在当地承认。",
         {"LK", "MV"}),
    ],
)
def test_places_as_desks_write_them(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


def test_a_currency_does_not_make_a_lawyer_serve_its_country() -> None:
    assert roles("We were paid in tenge, the project is in Uzbekistan")["KZ"] == "currency"
    assert binding("We were paid in tenge, the project is in Uzbekistan") == {"UZ"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an authority in one of two countries spoken of together: both
        ("各位，KZ/UZ两边的work permit quota今年都被砍了，阿拉木图那边劳动部门说local content要到70%。要找local lawyer，两国各一个。", {"KZ", "UZ"}),
        # "SA" is whichever of Saudi Arabia and South Africa the text otherwise names
        ("Competition Commission raided our Joburg office; Botswana's authority wants documents too. SA/BW 两边都要 competition lawyer", {"ZA", "BW"}),
        ("SA tender: the Riyadh municipality excluded our bid, we need a lawyer", {"SA"}),
        # the lawyer of the past, and a lawyer already known, are not asked for
        ("前几年做马德里国际注册是找德国一个律所办的。德国那个律所说土耳其的事他们做不了，我要找个土耳其律师。", {"TR"}),
        # a lawyer who knows the country's law is one of that country; our vehicle elsewhere is not the work
        ("企业通过其设在迪拜的中东区域子公司参与阿曼杜库姆经济特区的项目，需熟悉阿曼法律的律师审查分包合同。", {"OM"}),
        ("We'd like to engage a London firm for a sanctions screening against OFSI and OFAC lists.", {"GB"}),
        # "seat Singapore" is a seat; the counterparty's country with the lawyer's expertise is the work
        ("The JV agreement is governed by New York law; ICC arbitration, seat Singapore. Retain arbitration counsel "
         "with Chilean mining-law depth; an Australian competitor approached the Chilean partner.", {"CL"}),
        # the previous counsel's city is the past
        ("We need local counsel in Kazakhstan as well as Kyrgyzstan for the licence extensions. Our previous counsel "
         "was a London firm, which has since closed its Almaty office, so please don't suggest them.", {"KZ", "KG"}),
        # an end user named with "now" is no focus; a list item naming the lawyer asks for one
        ("A batch we shipped to Jebel Ali we now suspect was re-exported to an end user in Russia. We need two workstreams: "
         "(a) US counsel to assess EAR exposure; (b) UK counsel, because our sales hub is a UK company, on OFSI exposure.", {"US", "GB"}),
        # a regime set aside ("not the same thing as OFAC"), counsel here at home, a nickname, an authority named "Commerce"
        ("尼泊尔世行贷款项目，INT说我们投标时有collusive practice，可能被debarment，跟OFAC那种制裁不是一回事。需要尼泊尔当地律师。", {"NP"}),
        ("Our Istanbul distributor may send part of the order on to Russia. This is a Chinese export control question, "
         "so counsel here in China is what we need.", set()),
        ("本司一名期租承租人已在獅城向高等法院申請司法管理，需請當地律師協助申報債權。", {"SG"}),
        ("老板让我问一下：US Commerce刚对我们的铝型材发起了anti-circumvention inquiry，理由是我们在马来西亚槟城的工厂只做了minor processing。", {"US"}),
        ("Site manager here, road rehab job outside Dodoma; the revenue authority is auditing us.", {"TZ"}),
        # an agent given up last year is set aside
        ("塞内加尔、科特迪瓦、马里都有代理，想把科特迪瓦和塞内加尔这两个代理合同重新弄好，马里那家去年就不做了不用管。", {"SN", "CI"}),
    ],
)
def test_places_in_chats_and_forms(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Taiwan's and Hong Kong's names of countries, and a bloc named with its count
        ("擬於海灣六國中除卡達以外的其餘五國申請商標註冊（卡達部分已由當地代理商辦妥）", set(bloc_members("GCC")) - {"QA"}),
        ("我們在澳洲的礦場要裁員", {"AU"}),
        ("坦尚尼亞的道路工程被業主扣款", {"TZ"}),
        ("數據回傳到我們位於法蘭克福的雲端伺服器。明年要進北歐四國（冰島暫不考慮）的市場，請推薦資料保護律師。",
         set(bloc_members("NORDICS")) - {"IS"}),
        # a trader of a country is its nationality; the three places the text counts bind
        ("印度一家贸易商欠我们货款，它在阿联酋、肯尼亚、南非都有账户和仓库，想三地同时申请承认和执行仲裁裁决", {"AE", "KE", "ZA"}),
    ],
)
def test_places_in_other_scripts_and_counts(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lawyer of the place already on it; a place left out; a Chinese bureau named like the US's
        ("在Morocco的Kenitra附近建正极材料厂，主要供US市场（FEOC那块美国律师已经在看了，不用管）。现在需要摩洛哥律师。", {"MA"}),
        ("We are now opening a sales office to serve the Nordic countries directly - but leaving Iceland out.",
         set(bloc_members("NORDICS")) - {"IS"}),
        ("The Department of Commerce of our Province is selecting law firms for enterprises investing in Serbia and Hungary.",
         {"RS", "HU"}),
        # counsel asked for by its field; customs papers are no customs authority
        ("Payment for bearings shipped to a buyer in Bishkek is held by a New York bank citing OFAC; we have the Kyrgyz "
         "customs entries. Need US sanctions counsel to prepare a submission to the bank.", {"US"}),
        # places coordinated across a bracket's words, in Cantonese, and counted as 两边
        ("产能挪出去，目前看 Ethiopia（Hawassa 工业园）和 Kenya（Athi River 那边的 EPZ），可能两边各设一个厂。", {"ET", "KE"}),
        ("我哋打算喺 Dubai 同 Doha 各開一間 branch 做 re-export，想搵律師 advise 兩邊嘅 corporate setup", {"AE", "QA"}),
    ],
)
def test_places_of_the_last_held_out_batch(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a party's nationality said with 是…的公司; workers who came from somewhere; a customer of a place
        ("在迪拜有个酒店项目 业主那边是卡塔尔的公司 现在工程款一直拖", {"AE"}),
        ("泰国罗勇的工厂要裁员 工人主要是缅甸和老挝来的", {"TH"}),
        ("越南海防要建个厂 主要是日本客户要求我们过去 找个越南律师", {"VN"}),
        # a lawyer of the place asked for, whatever law or controls follow the word
        ("子公司在印尼，要印尼律师出个法律意见书给银行", {"ID"}),
        ("货卖到伊朗的风险我们不清楚，想找英国律师就出口管制出个意见", {"GB"}),
        # counsel at home already chosen is no reason to bind nothing
        ("准备去香港上市 香港那边律师已经定好了 现在要泰国律师出个法律意见书", {"TH"}),
        # an authority of one of the places the text counts binds them all
        ("收购一家在智利和秘鲁都有业务的公司 要在这两个国家做经营者集中申报 智利那个FNE 秘鲁那个也要", {"CL", "PE"}),
        # provinces, regulators and a bloc as Taiwan writes it
        ("Lithium brine project in Salta province; the target is incorporated in British Columbia.", {"AR"}),
        ("想申请 Dubai 的 VARA 牌照同埋 MAS 的牌照，两边一起做", {"AE", "SG"}),
        ("敝公司擬於東協各國設立換電站網絡", set(bloc_members("ASEAN"))),
    ],
)
def test_places_as_new_writers_put_them(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # set aside: handled separately, by counsel already acting, left for later, in the very next clause
        ("需要泰国律师处理工厂裁员。我们在马来西亚的贸易公司另外找马来西亚律师看，这次不用。", {"TH"}),
        ("We need UK counsel for the High Court claim; BVI counsel is already acting on the freezing order.", {"GB"}),
        ("找一个在日内瓦做过WTO争端的律师 印度当地的事先不管", {"CH"}),
        ("需要在新加坡的仲裁律师 越南当地的执行问题以后再说", {"SG"}),
        ("Lazada菲律宾站被封了需要菲律宾律师。泰国站正常的，不用管。", {"PH"}),
        ("先找墨西哥律师看设厂，美国客户那边的合同纽约的律所在跟", {"MX"}),
        # a request for proposal asks for its counsel
        ("Re: Request for proposal — Hungarian counsel. The client earlier built a plant in Slovakia.", {"HU"}),
        # a sentence closed inside a bracket ends there
        ("We need Thai counsel for the BOI filing. (The Vietnamese firm that set up our Hanoi office can't act here.) "
         "FYI the request concerns tax incentives only.", {"TH"}),
    ],
)
def test_places_of_a_second_new_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Shopee MY店铺被ban了，payout卡了RM 8万，想找律师appeal", {"MY"}),
        ("我们在Lazada PH上被人投诉侵权，店铺限流", {"PH"}),
        ("Amazon DE的listing被下架了，说包装法没注册", {"DE"}),
        # a port the goods pass through is no target ("走新加坡transit")
        ("货是宁波发的，走新加坡transit，Shopee MY的店铺被封了要申诉", {"MY"}),
    ],
)
def test_marketplace_sites_name_their_country(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # where data goes or servers sit is no place of the work
        ("We are expanding across ASEAN; need PDPA counsel for transfers to our servers in Japan.", set(bloc_members("ASEAN"))),
        ("越南子公司的员工资料要迁到集团HR系统，服务器在新加坡，想请越南律师看个资合规", {"VN"}),
        # goods shipped via a warehouse somewhere pass through it
        ("We need EU trade counsel for the anti-dumping questionnaire; sales are shipped via a bonded warehouse "
         "in Antwerp.", set(bloc_members("EU"))),
        # counsel in Hong Kong, however written, binds no other place in its stead
        ("想搵个hk律师帮手应诉，个客户系印度人", set()),
    ],
)
def test_places_of_data_goods_and_home(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the world's cities (GeoNames), in English and in Chinese, name their country in a need
        ("I manage the HR of our battery plant near Bécancour; need employment counsel in Trois-Rivières", {"CA"}),
        ("our EPC site is in Navoiy and the employer stopped paying; workers are Chinese", {"UZ"}),
        ("我常驻班加罗尔，公司准备裁员，三名新加坡籍管理人员的合同也要看", {"IN"}),
        ("We run a plant in Łódź and the labour inspectorate fined us. Need employment counsel.", {"PL"}),
        # provinces, states and regions (ISO 3166-2)
        ("Substation upgrade in Canton Ticino; EOT claim under FIDIC, seat Paris. Need local construction counsel.", {"CH"}),
        ("我们在Copperbelt的铜矿和当地社区有土地纠纷，需要律师", {"ZM"}),
        ("Maquila in Nuevo León got a SAT audit; need tax counsel", {"MX"}),
        # an ordinary word that is also a small city's name is no place, nor is a region called "Central"
        ("Split the fee between the two offices; we need Vietnamese labour counsel", {"VN"}),
        ("Central Asia distributor network: need counsel in Kazakhstan", {"KZ"}),
        # the other side's team somewhere is not a lawyer asked for
        ("We need Thai counsel; the investor's legal team in Nagoya will only negotiate in Japanese.", {"TH"}),
    ],
)
def test_the_worlds_cities_name_their_country(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


def test_a_profile_is_read_without_the_worlds_cities() -> None:
    # the cost of reading every passage of a rebuild stays that of our own lexicons
    from service.matching.reading import read_countries

    assert {r.code for r in read_countries("Advised a client in Navoiy.")} == set()
    assert {r.code for r in read_countries("Advised a client in Navoiy.", world=True)} == {"UZ"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # workers' nationalities in a list; a seat before the law named with it; a court cited for its case law
        ("项目在阿联酋，现场外籍劳工主要是孟加拉和尼泊尔籍，需要当地劳动律师", {"AE"}),
        ("Our contractor is a Spanish company; arbitration CAM-CCBC, seat São Paulo, Brazilian law. Need counsel.", {"BR"}),
        ("Our tender in Kraków was rejected with reference to the CJEU Kolin judgment; we appeal to KIO.", {"PL"}),
        # counsel already in place somewhere; a matter there already with a firm named after a city
        ("Lead counsel is already in place (a London firm). What we need is Kazakh counsel in Almaty.", {"KZ"}),
        ("需要Kenyan advocate处理appeal。坦桑那边同样的问题已经找了Dar es Salaam的律所。", {"KE"}),
        # where people come from
        ("The inspectorate fined us over work permits of 60 workers from Ukraine and Belarus at our plant near Wrocław.", {"PL"}),
    ],
)
def test_places_of_a_third_new_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a mail's signature, a postal address and a quoted header say where the writer sits
        ("Please find us Thai counsel for the BOI licence.\n\nBest regards\nLin Hao\nLegal, Acme Holdings (Singapore) Pte Ltd\n"
         "10 Marina Boulevard, Singapore", {"TH"}),
        ("需要越南律师看一下劳动合同。\n\n谢谢\n张伟\n海外事业部 迪拜办事处\n电话：+971 4 000 0000", {"VN"}),
        ("Need Kenyan counsel to arrest the vessel in Mombasa.\n-----Original Message-----\nFrom: ops@line.example (Rotterdam office)\n"
         "Sent: Monday", {"KE"}),
        ("Our office: 88 Queen Street, Auckland. We need counsel in Fiji for a land lease in Nadi.", {"FJ"}),
        # Chinese countries written back to back are a list
        ("缅甸老挝柬埔寨三个国家的商标都要注册", {"MM", "LA", "KH"}),
        # a list set aside as a whole; set-asides of later, of lawyers arranged by others, of no referral
        ("马来印尼暂时都不考虑了，先做菲律宾", {"PH"}),
        ("Kenya and Uganda are out of scope; counsel in Tanzania only.", {"TZ"}),
        ("先做沙特，卡塔尔后面再说", {"SA"}),
        ("Poland first, Czechia later.", {"PL"}),
        ("阿曼那边暂时没事，需要阿联酋律师", {"AE"}),
        ("新加坡的律师我们已经在接触了，需要印尼律师", {"ID"}),
        ("泰国当地律师由总所自己对接，我们只需要越南律师", {"VN"}),
        ("孟加拉不去了，改去斯里兰卡设厂", {"LK"}),
        ("Swiss counsel already handling the escrow; we need Austrian counsel.", {"AT"}),
        ("Don't engage French counsel for this; we need Belgian counsel.", {"BE"}),
        # a whole bloc asked for keeps the bloc, not the members named elsewhere
        ("我们在越南和泰国都有厂，想找一家能覆盖整个东盟的律所", set(bloc_members("ASEAN"))),
        # parties after a list, goods' origin, a ship's flag, a lawyer named by a term
        ("客户主要是意大利和西班牙的车企，我们要在墨西哥设厂", {"MX"}),
        ("从澳大利亚黑德兰港进口的铁矿石在印度被扣，找印度律师", {"IN"}),
        ("船挂巴拿马旗，在巴西被扣，需要巴西律师", {"BR"}),
        ("We need two teams: English counsel for the LCIA case and Zambian counsel for enforcement.", {"GB", "ZM"}),
        # a Chinese lawyer asked for, and no place abroad where the work is: nothing abroad binds
        ("韩国船东的船在天津港撞了码头，找有海事经验的中国律师", set()),
        # a country or city typed one letter wrong; an English word one letter from a place is a word
        ("Need merger filings in Malaysia and Singapor.", {"MY", "SG"}),
        ("our factory in Kazakstan got a tax audit", {"KZ"}),
        ("Surname of the director was misspelt on the filing in Vietnam.", {"VN"}),
    ],
)
def test_places_of_a_fifth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


def test_a_misspelt_place_needs_a_capital_and_only_one_country_near() -> None:
    from service.matching.reading.places import misspelt_codes, one_letter_apart

    assert misspelt_codes("veitnam") == {"VN"}
    assert one_letter_apart("britian", "britain") and not one_letter_apart("ritalin", "britain")
    assert binding("germane to our Vietnam plant") == {"VN"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a place said to have nothing to do with this need, or where no lawyer is wanted
        ("土库曼斯坦那边只是有个代理商在，不用找那边的律师。需要格鲁吉亚律师做执行", {"GE"}),
        ("印度那个保障措施案跟这次无关，这次是土耳其的反倾销", {"TR"}),
        # "当地" asks for the place just named, over a place named as plain target before it
        ("我们在墨西哥有分销，工厂在波兰弗罗茨瓦夫，员工偷了模具，要在当地起诉他", {"PL"}),
        ("设备从德国采购，项目在安哥拉罗安达，需要当地律师审合同", {"AO"}),
        # ... unless that lawyer is another's, already there, or only speaks
        ("葡萄牙和巴西都有仓库，巴西部分我们另请当地律师，这次只看葡萄牙", {"PT"}),
        # an entity that only signs is where it is registered
        ("德国子公司只是签合同的主体，项目在塞尔维亚，需要塞尔维亚律师", {"RS"}),
    ],
)
def test_places_of_a_sixth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # in a mail thread the latest message decides over its quoted history and the subject line
        ("Change of plan: we need counsel in Ghana for the land lease.\n\n-----Original Message-----\nFrom: ops\n"
         "Please find Nigerian counsel for the land lease.", {"GH"}),
        ("Update: Peru, the concession review moved there. Need Peruvian counsel.\n> On Mon, Li Na wrote:\n"
         "> need Chilean counsel for the concession", {"PE"}),
        ("See below - any news on this?\n-----Original Message-----\nFrom: ops\nNeed Kenyan counsel for a lease in Nairobi.",
         {"KE"}),
        ("Subject: FW: Peru mining concession\nThe board moved the deal to Bolivia; we need Bolivian counsel for the concession.",
         {"BO"}),
        # where the writer sits: an office, a postcode and a business park line
        ("Need Thai counsel for the BOI filing.\nLi Wei\nLevel 12, Menara Citibank, 165 Jalan Ampang, 50450 Kuala Lumpur, Malaysia",
         {"TH"}),
        ("We need Czech counsel for the warehouse lease.\nMüller Logistik GmbH, Friedrichstraße 68, 10117 Berlin", {"CZ"}),
        ("Need Ugandan counsel for the land title in Jinja.\nRiverside Business Park, Ngong Road, Nairobi, Kenya", {"UG"}),
        # a longer place name over the bloc inside it
        ("We need a South African data protection lawyer for the POPIA complaint.", {"ZA"}),
        # set aside: no more lawyers sought there, a plan given up, a place with no need
        ("刚果金的律师先不要找了，改成赞比亚，需要赞比亚律师做尽调", {"ZM"}),
        ("越南海防方案不做了，改在泰国设厂，找泰国律师", {"TH"}),
        ("智利先放掉，找阿根廷律师看盐湖项目", {"AR"}),
        ("stop sourcing Angolan counsel; we need Mozambican counsel for the farm-in.", {"MZ"}),
        ("The Angola opportunity is on hold. Need Mozambican counsel for the farm-in.", {"MZ"}),
        ("赞比亚项目运营正常，暂无需求；刚果金需要当地律师跟矿业部沟通", {"CD"}),
        ("美国那边没有法律问题，需要墨西哥劳动法律师", {"MX"}),
        ("这次的事跟德国无关，德国不需要律师。需要荷兰律师应对海关稽查", {"NL"}),
        # a project suspended is a dispute's fact, not a plan given up; having no lawyer there is no refusal
        ("我们在刚果金的项目暂停了，需要律师处理停工索赔", {"CD"}),
        ("We have no Kenyan counsel yet and need one for the Mombasa claim.", {"KE"}),
        # a lawyer asked for, then taken back by the country's name, stays aside; a demonym said of others does not
        ("您建议先找新加坡律师，但签约主体是马来西亚公司，新加坡就不用找了，请找吉隆坡的律师", {"MY"}),
        ("上周准备找华盛顿的律所；现在确认美国律师不用找了，需要英国律师回复OFSI", {"GB"}),
        ("We need Tanzanian counsel for the DAAB referral; the DAAB members are not Tanzanian.", {"TZ"}),
        # counsel for two countries with their authorities in brackets
        ("We need merger control counsel for Colombia (SIC) and Chile (FNE).", {"CO", "CL"}),
        # a country taken back; a city taken back for another of the same country
        ("阿根廷对我们的瓷砖发起反倾销调查了\n打错了 是巴西！！不是阿根廷", {"BR"}),
        ("金边那块地想买下来建仓库\n说错了 是西港 不是金边", {"KH"}),
        # a language name that begins with a country's
        ("需要南非律师，南非荷兰语不需要，这个不用考虑", {"ZA"}),
    ],
)
def test_places_of_a_seventh_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # chat English: a lower-case demonym before a lawyer or a court
        ("I am sales manager in our JKT regional office. Customer in Bangkok refuse pay, need thai lawyer.", {"TH"}),
        ("buyer in Novosibirsk not pay, we want sue in russian arbitrazh court", {"RU"}),
        # a past matter's place, said in its own sentence
        ("Buyer in Almaty not pay. Last year we had similar case with a buyer in Uzbekistan and we won.", {"KZ"}),
        # a bloc said around a country of it
        ("Our sales office in Medellin, Colombia (south america) fired a salesman, need labor lawyer", {"CO"}),
        # a foreign investor coming into our own company: no place abroad is where the work is
        ("沙特基金要入股我们公司，外资准入审批怎么走？", set()),
        ("A Saudi fund wants to invest in our company. What approvals do we need?", set()),
        ("沙特的主权基金要投资我们在越南的工厂", {"VN"}),
    ],
)
def test_places_of_an_eighth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a brief's scope names the counsel asked for; our own counsel elsewhere is on its part already
        ("2. Scope: Armenian M&A counsel in Yerevan for legal DD.\n3. The SPA is under English law; our London counsel will draft it.",
         {"AM"}),
        ("Our Kenyan counsel must speak Swahili; we need one in Mombasa for the arrest.", {"KE"}),
    ],
)
def test_places_of_a_ninth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a memo's workstreams: an item in other hands, put off or done is the story's
        ("三、相关工作：\n（一）税务稽查答辩：拟委任墨西哥税务律师处理；\n（二）工会协约：由现有墨西哥城事务所办理中；\n"
         "（三）美国海关（CBP）的原产地询问：暂缓，待稽查案结束后再议。", {"MX"}),
        ("2. Workstreams.\n(a) Extension of the mining lease: new PNG counsel is required.\n"
         "(b) Tax consolidation for the Brisbane company: remains with our Sydney advisers, outside this engagement.", {"PG"}),
        # an authority of a past matter; a city inside a longer transliterated name
        ("二、以往经验。2018年我司曾参与印度DGTR的反倾销调查。三、现需应对欧盟委员会的反规避调查，聘请律师应诉。", set(bloc_members("EU"))),
        ("货物在芬兰瓦利马（Vaalimaa）口岸被海关扣押，需要芬兰律师", {"FI"}),
        # counsel practising in a place; the local part there left for later
        ("拟聘请在瑞典斯德哥尔摩执业的仲裁律师。在土库曼斯坦当地的财产保全问题，待裁决作出后另行研究，本次不涉及。", {"SE"}),
        # a past sentence about the group
        ("In 2020 the Group exited its interest in the Solomon Islands. We need counsel in Papua New Guinea for the lease.", {"PG"}),
    ],
)
def test_places_of_formal_memos(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # demonyms of smaller countries
        ("We want Mauritian counsel to sue the issuing bank in Port Louis.", {"MU"}),
        ("Need a Fijian lawyer for the land lease in Nadi.", {"FJ"}),
        # a place of past experience; a short city inside a longer transliterated name; a country before its city
        ("去年我们在加纳做过一个类似项目。需要阿比让的能源律师审PPA", {"CI"}),
        ("我公司在索格德州有一个金锑矿合资公司，想请杜尚别当地律师处理许可证续期", {"TJ"}),
        ("意大利米兰的仓库租约纠纷", {"IT"}),
        # another lawyer handling it, and "don't bother here" a clause later
        ("美国FTC那边的问题另外有律所在处理，这里不用管。需要爱尔兰的数据合规律师", {"IE"}),
        # counsel in hand there, and counsel who left it
        ("We are well represented in Brasilia and Mexico City. Our Argentine counsel has just withdrawn, "
         "we need a replacement in Buenos Aires.", {"AR"}),
        ("A related claim in Slovenia is already being defended by our Ljubljana firm, so this mandate is Croatia only.", {"HR"}),
        ("Jakarta counsel is already conducting the fact-finding and we are not looking for another Indonesian firm. "
         "We need US securities counsel for the SEC inquiry.", {"US"}),
        # ... but work run by an authority, or by the counsel asked for, is not in hand
        ("The board wants an independent investigation run by Indonesian counsel.", {"ID"}),
        # a based-in counsel; a seat; two countries with a long bracket between
        ("We need Singapore-based international arbitration counsel for the SIAC case on our EPC contract in Nepal.", {"SG"}),
        ("We want enforcement in Uganda (High Court, Commercial Division, plus garnishee against UNRA) and in Kenya "
         "against the Nairobi accounts.", {"UG", "KE"}),
        # a treaty named after a city
        ("We need Ghanaian aviation counsel to exercise the IDERA under the Cape Town Convention.", {"GH"}),
        # a marketplace site's domain and a Chinese province name
        ("Amazon.ca上的listing被投诉，需要魁北克律师", {"CA"}),
    ],
)
def test_places_of_an_eleventh_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # our people somewhere are not where counsel is asked for; our office there may be
        ("We need Mexican customs/tax counsel for the SAT audit. English is also required, because our regional finance "
         "team in Texas reads the reports.", {"MX"}),
        ("Our sales office in Medellin fired a salesman, need labor lawyer", {"CO"}),
        # where the lawyer practises does not matter
        ("集团要搭反腐败合规体系，覆盖我们在非洲十几个国家的项目，想找一家国际律所统筹，具体在哪个国家执业无所谓。", set()),
        # the market a new plant sells to
        ("想在亚松森附近设一个电动两轮车组装厂，组装完出口巴西和阿根廷，要当地律师帮忙", {"PY"}),
        ("我们在越南设厂，出口到美国的货被CBP扣了，需要美国律师", {"US"}),
        # counsel there already, said the Chinese way
        ("对方同时在首尔起诉我们，那边我们已经委任韩国律所了。需要美国ITC 337律师", {"US"}),
        ("美国律师我们已经有了，不需要。想找乌兹别克斯坦律师做客户尽调", {"UZ"}),
        # leave a place aside; the Dominican Republic's short name; a free zone is no Brazilian city
        ("Our road project in Paramaribo has a similar problem but leave Suriname aside for now. Contract under Guyanese law.", {"GY"}),
        ("多米尼加那个光伏电站，项目公司由我们西班牙子公司持股。想请多米尼加当地律师。", {"DO"}),
        ("Our plant is in the Zona Franca of Santiago de los Caballeros; DGA audits our local sales.", {"DO"}),
    ],
)
def test_places_of_a_twelfth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a firm's reach is no place set aside
        ("合作的贝尔格莱德律所不在黑山执业，本次不考虑。需要黑山律师，建议对接在波德戈里察有办公室的律所。", {"ME"}),
        # an acronym glossing the authority of the place just named
        ("特多税务局（BIR）认为现场服务已构成常设机构，企业需要特多的税务律师。", {"TT"}),
        # a lawyer of a field of law is asked for, not the law
        ("找芬兰劳动法律师全程指导变更谈判，该公司CEO是瑞典籍。", {"FI"}),
        # in hand already, said in a wider window; a place not looked for
        ("We already have a Brazilian firm on the cargo lien side in Paranagua, so not looking for Brazil. Need London solicitors.",
         {"GB"}),
        ("Need EU counsel for GDPR. The matter with the Italian Garante is already with Milan counsel and out of scope.",
         set(bloc_members("EU")) - {"IT"}),  # a bloc binds without the member set aside
        ("荷兰海关说要申请出口许可证，需要荷兰律师。美国EAR的问题由我们华盛顿的律所负责，不在这次范围内。", {"NL"}),
        # ... but "the former" is another matter's
        ("拟在瑞士证券交易所上市（前者已由香港律师负责）。现需瑞士律师就GDR发行提供服务。", {"CH"}),
        # a past step's firm and its city; a language name with a country in it
        ("We need an Iraqi tax lawyer. The contract was negotiated with help of a Jordanian law firm in Amman.", {"IQ"}),
        ("We need a Malaysian construction lawyer for the adjudication. Bahasa Malaysia not required.", {"MY"}),
    ],
)
def test_places_of_a_thirteenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need a Chilean lawyer for CORFO. Our Argentine project in Salta has its own counsel, please do not include it.", {"CL"}),
        ("Need PH data privacy lawyer for the NPC order. Same thing happened to our Jakarta app last year with OJK, it is settled.",
         {"PH"}),
        ("Need counsel for the GCC anti-dumping investigation. We did the Indian DGTR case in 2017, data is ready.",
         set(bloc_members("GCC"))),
        # a two-letter code that is an English abbreviation stays one
        ("Need IT lawyer for the software licence in Poland", {"PL"}),
    ],
)
def test_places_of_a_last_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们在哈萨克、乌兹别克、吉尔吉斯都有经销商，这次只有塔什干那家拖款。阿拉木图和比什凯克那两家回款都正常，这次不需要找律师。"
         "请推荐乌兹别克当地律师。", {"UZ"}),
        ("欧亚经济委员会内部市场保护司对冷轧板发起反倾销调查。我们最大的客户在俄罗斯叶卡捷琳堡，但调查是联盟层面的。需要律师做问卷。",
         set(bloc_members("EAEU"))),
        ("Our distributor in Izmir also covers Azerbaijan and Georgia on paper. Azerbaijan and Georgia aren't part of this. "
         "Need counsel for the Turkish claim.", {"TR"}),
        ("Our Oslo firm is covering Norway and Denmark. We still need counsel for the Swedish side.", {"SE"}),
        ("CITT也要做损害复审。出口到那边的货现在主要是泰国罗勇工厂生产的。需要当地做贸易救济的律师。", {"CA"}),
        ("Issuing bank in Chattogram refused our documents. The LC was advised through a bank in Singapore but they're not "
         "involved in this. Need local counsel to sue in Dhaka.", {"BD"}),
    ],
)
def test_places_of_the_hard_cases(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a text that counts its places binds as many as it names
        ("Shopee要在泰国、菲律宾、马来西亚三个站开本地店，数据合规都要看，越南站去年做过了不用", {"TH", "PH", "MY"}),
        ("Guarantees from our plants in Ghana, Togo and Benin; the bank wants capacity opinions in each of the three "
         "countries. Togo counsel must work in French.", {"GH", "TG", "BJ"}),
        ("墨西哥、智利、秘鲁、哥伦比亚四国都要报，阿根廷已经由我们自己的代理办完了，这次不包括", {"MX", "CL", "PE", "CO"}),
        # set aside, in hand or dropped, in the words people use
        ("乌兹和哈萨两国都要做商标注册，土库曼先不弄以后再说", {"UZ", "KZ"}),
        ("适用法为英国法（英国律师已由我行另行聘请）。需委托秘鲁律师出具担保可执行性意见。", {"PE"}),
        ("ICC仲裁由我所和法国律师处理，不需要另外推荐。需要土耳其律师在伊斯坦布尔法院申请临时措施。", {"TR"}),
        ("德国那边的申报由客户自己的德国律所负责。需要找波兰和捷克的merger control counsel。", {"PL", "CZ"}),
        ("Enforcing in Vietnam is not on the table. The debtor's ships call at Manila, so we need counsel in the Philippines.",
         {"PH"}),
        ("Filings with COFECE and CADE are needed; Peru's INDECOPI thresholds are not met, so no filing there.", {"MX", "BR"}),
        # a bloc's authority decides; a lawyer in one member is allowed, not asked for
        ("欧亚经济委员会对我们的钢管发起反倾销调查，整个联盟都覆盖。律师必须会俄语，明斯克的律所也可以。", set(bloc_members("EAEU"))),
        ("欧亚经济委员会（EEC）Department for Internal Market Protection对我司出口的welded pipes发起了expiry review。"
         "我们的客户主要在Armenia和Kyrgyzstan。需要律师做问卷答复。", set(bloc_members("EAEU"))),
        # a rollout across a whole bloc, some members named as examples, one set aside
        ("Rolling out one franchise template across ASEAN, all members except Myanmar; watch the registration rules "
         "(esp. Indonesia and Vietnam).", set(bloc_members("ASEAN")) - {"MM"}),
    ],
)
def test_places_of_the_fourteenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dealer agreements in all of the Andean Community countries except Bolivia; our regional office is in Lima.",
         {"CO", "EC", "PE"}),
        ("The related ITC case is with our US counsel, keep it out of scope. We need counsel in Seoul for the KIPO "
         "invalidation.", {"KR"}),
        ("We are buying a Polish maker. Polish deal counsel (SPA, FDI screening) is already engaged. We need separate "
         "counsel only for the FSR notification with DG COMP.", set(bloc_members("EU")) - {"PL"}),  # the member in hand set aside
        ("We were prequalified for the Rwanda and Burundi lots. The Uganda and Kenya lots go to tender next year, we'll look "
         "at those later - out of scope for now. Need counsel in each of the two countries.", {"RW", "BI"}),
        ("Some Nigerian firms have approached us but they cannot appear in Ghana, so local counsel only please.", {"GH"}),
        ("收购西班牙那家公司的SPA已经签了，西班牙那边的律师在弄。现在是FSR要不要申报，找个Brussels的counsel。",
         set(bloc_members("EU")) - {"ES"}),
        ("我们比利时安特卫普港的货被扣了，要起诉仓储公司。布鲁塞尔有些律所主要讲法语，不太合适。", {"BE"}),
        ("越南海防的工厂（约800名员工）和柬埔寨的工厂都要做用工合规检查。", {"VN", "KH"}),
        ("哈萨克斯坦两个光伏项目要做融资前的许可梳理。另外吉尔吉斯斯坦一个水电项目，也请同一家律所看。", {"KZ", "KG"}),
    ],
)
def test_places_of_the_fourteenth_round_continued(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("拟在都柏林设立一支基金，LP主要是中东主权基金和欧洲的养老金。需要爱尔兰律师做基金设立。", {"IE"}),
        ("肯尼特拉附近的电池材料项目，要跟AMDIE签投资协议拿补贴。产品主要出口到Germany和Italy。律师必须会法语。", {"MA"}),
        ("亚喀巴经济特区管理局撤销了我们组件厂的投资注册，想找当地律师谈恢复注册。", {"JO"}),
        ("项目原计划在加纳、多哥、贝宁三国推进。贝宁因为选举原因暂停，先不做，待明年再议。请推荐另外两国的律所。", {"GH", "TG"}),
        ("We need counsel for the Polish side (consultation with the works council) and the Czech side (the merger filing).",
         {"PL", "CZ"}),
    ],
)
def test_places_of_the_twelfth_round_reread(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Need employment counsel in Georgia. Our plant is outside Savannah and the NLRB office in Atlanta served a charge.",
         {"US"}),
        ("Need counsel in Georgia for our Batumi port lease; the Tbilisi court hearing is next month.", {"GE"}),
        ("商标注册进度：泰国 已注册；越南 已注册；柬埔寨 驳回。前两个都搞定了，现在只剩柬埔寨，要找当地律师做复审。", {"KH"}),
        ("注意是几内亚比绍，上次有同事搞混了，找了个科纳克里的律师。需要几内亚比绍当地律师。", {"GW"}),
        ("老板让找一个卡塔尔律师看分包合同，卡塔尔那个是下个月的事，现在先不管，就巴林。找巴林律师。", {"BH"}),
        ("墨西哥客户在蒙特雷申请了重整，我们是债权人。对方说以后可能去美国申请Chapter 15承认，那个到时候再说。律师必须会西语。",
         {"MX"}),
        ("我们迪拜的中东区域总部之前找过一家DIFC的律所，但他们不做沙特法，所以要另外找沙特本地律师。", {"SA"}),
        ("阿布扎比一家基金准备领投我们B轮。对方请的是一家伦敦律所，要求我们出中国法意见。找国内律所就可以。", set()),
        ("以后投阿曼、约旦的项目到时候再单独找当地律师，这次不涉及。需要ADGM这边的律师做基金架构。", {"AE"}),
        ("集团在马来西亚（槟城）和菲律宾（宿务）各有一个工厂，员工手册要按两地法律各审一遍。越南工厂刚开，手册是当地律所新做的，"
         "这次不用。可以找一家两地都有办公室的所。", {"MY", "PH"}),
        ("今年美国对 Vietnam、Cambodia、Thailand 三国的 solar panels 发起调查。需要 US trade counsel 做问卷答复。柬埔寨这边暂时不需要律师。",
         {"US"}),
        ("RFP: representation before the IAAC concerning payments to officials in a Mongolian aimag. The partner's own exposure "
         "in Canada is handled by its counsel and is outside scope.", {"MN"}),
    ],
)
def test_places_of_a_fifteenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a place read only through its city or region stays the target beside an origin said tersely
        ("项目在东爪哇泗水的冶炼厂扩建，需要当地律师看环评和电力许可。主要设备德国进口，进口免税另议。", {"ID"}),
        ("我们从越南平阳一家家具厂长期采购，对方宣布不可抗力。部分木料是从柬埔寨收购的。想找律师评估。", {"VN"}),
        ("我们在巴伐利亚慕尼黑的研发中心要解雇一名员工，需要当地律师。车间工人很多是波兰裔。", {"DE"}),
        ("一家美国竞争对手在韩国特许厅对我们的专利提起无效审判，我们要应诉。", {"KR"}),
        ("Korean counsel is coordinating the global filings; we just need Brazilian antitrust counsel for CADE.", {"BR"}),
        ("Need Mozambican counsel to sue the ministry. Portuguese lawyers admitted in Mozambique are fine.", {"MZ"}),
        ("需要做越南竞争管理局的经营者集中申报。泰国那边曼谷的律所已经评估过不用报，不需要再看。", {"VN"}),
        ("印度DGTR对我们发起反倾销调查，需要律师应诉。关税和BIS认证的问题之后再说。", {"IN"}),
    ],
)
def test_places_said_tersely(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("买方要求的制裁筛查由香港律所负责，不在本次范围。需要柬埔寨律师办理股权变更登记。", {"KH"}),
        ("seller是Zurich的一家trader，合同English law，LCIA仲裁，seat London。需要arbitration counsel，最好London based，不需要在秘鲁。",
         {"GB"}),
        ("想在泰国的Lazada开店：1. 需不需要在泰国设公司 2. 认证 3. 退货。之前在越南做没碰到这些问题。", {"TH"}),
    ],
)
def test_places_of_the_second_reading(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Paris office is coordinating with the French bookrunner but we still need Swiss listing counsel for the prospectus.",
         {"CH"}),
        ("East Africa两家子公司同时被查：\n- Kenya：KRA出了additional assessment\n- Tanzania：TRA认为我们构成PE\n"
         "Uganda子公司暂时没事。\n两个国家都要找当地tax lawyer。", {"KE", "TZ"}),
        ("越南一家大型电子集团拟在我市高新区设立外商独资企业。越方对接团队在河内，律师必须会越南语。", set()),
        ("目标国家：西班牙、葡萄牙。马德里的监管机构来函要求说明数据出境依据。葡萄牙目前没有任何监管问题，这次只处理西班牙。", {"ES"}),
    ],
)
def test_places_of_a_representative_week(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("對方已在港口申請扣船，需要智利海事律師。保險部分由船東互保協會在倫敦委任的律師處理，不需要另找英國律師。", {"CL"}),
        ("Our Thai subsidiary was sued in the Central IP Court. Licensing talks are handled by HQ with their US counsel.", {"TH"}),
        ("矿权被暂停，需要比什凯克的矿业律师。我们用的Almaty律所说他们在吉国没有执业资格。", {"KG"}),
        ("We need Indonesian solicitors for the IPO. A Singapore firm offered to do it but management wants a local firm.", {"ID"}),
        ("I am in charge of regional distribution, based in Nairobi. We want one master template across the GCC, "
         "so we need Gulf-wide counsel.", set(bloc_members("GCC"))),
        ("欧盟对我们的产品发起反倾销调查，需要律师应诉。我司在比利时设立的销售子公司是关联进口商，也一并委托。", set(bloc_members("EU"))),
        ("走的SIAC仲裁，仲裁地新加坡，代理律师已经定了。现在要另找一位哈萨克斯坦法律专家出具专家意见。", {"KZ"}),
        ("迪拜那家贸易公司被抽查反洗钱合规，我们的客户主要是印度和土耳其的珠宝商。需要阿联酋合规律师。", {"AE"}),
        ("对方坚持认购协议和股东协议适用英格兰法，需要一位英国律师审协议。", {"GB"}),
    ],
)
def test_places_of_a_sixteenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("商务局转：企业计划在乌兹别克斯坦纳沃伊设立组装厂，ODI备案已经在走，国内部分不需要律师。需要乌方律师协助公司注册。", {"UZ"}),
        ("我所代理一家出口企业（部分产能在泰国工厂），应对巴西外贸秘书处（SECEX）发起的反倾销调查。现需要巴西当地co-counsel。",
         {"BR"}),
        ("The WFO caught our accounts in Dubai and Geneva, but at this stage we do not need Swiss or UAE lawyers. "
         "We need English solicitors to discharge it.", {"GB"}),
        ("The Bavarian filings are handled by our Munich counsel. We need counsel for the FSR notification to the "
         "European Commission. Bidco is a Luxembourg S.à r.l.", set(bloc_members("EU")) - {"DE"}),
        ("Filings with the Competition Commission in Pretoria and the NaCC in Windhoek are both needed.", {"ZA", "NA"}),
    ],
)
def test_places_of_a_sixteenth_round_continued(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Plan is a new plant in Guanajuato. Need Mexican counsel for the land. Our El Paso warehouse team has its own US "
         "counsel, not in scope.", {"MX"}),
        ("A Durban equipment distributor owes us. We want to sue in the KwaZulu-Natal High Court. Need SA litigation "
         "attorneys in South Africa.", {"ZA"}),
        ("Need Hong Kong counsel for a share charge. BVI counsel for the BVI topco is already appointed, we don't need another.",
         set()),
        ("We are respondent in an ICC arbitration seated in Geneva brought by a Ghanaian state-owned utility. We want a "
         "Geneva-based arbitration team.", {"CH"}),
    ],
)
def test_places_of_a_seventeenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Antwerp的distributor要求我们签No Russia clause，怀疑我们的零件经Armenia转到了俄罗斯。想请Belgian sanctions counsel评估。",
         {"BE"}),
        ("吉隆坡子公司被举报到MACC。需要马来西亚律师做内部调查。新加坡区域总部的compliance officer会配合。", {"MY"}),
        ("要发Notice of Arbitration，找Singapore的arbitration counsel。哈萨当地律师等到执行阶段再说，现在不找。", {"SG"}),
        ("业主是摩洛哥国企，合同约定ICC arbitration, seat Paris。我们想找巴黎的arbitration counsel代表claimant。", {"FR"}),
        ("投资方是Doha的，但文件全英文，不需要阿拉伯语，也不需要Qatar律师。需要中国律师做投资协议。", set()),
    ],
)
def test_places_of_a_seventeenth_round_continued(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("目标国家：泰国\n需求描述：不好意思国家选错了，下拉框里没找到柬埔寨就随手点了泰国。我们的商标在柬埔寨被金边一家公司抢注了。",
         {"KH"}),
        ("目标国家：沙特阿拉伯\n业务领域：海外劳动用工\n需求描述：业务领域点错了，应该是税务。需要沙特税务律师提复议。", {"SA"}),
        ("Target Country: Kenya, Uganda\nKenya was ticked by mistake, our Nairobi customer paid. The problem is a buyer in "
         "Kampala. Need Ugandan lawyer.", {"UG"}),
        ("客户向哈萨克斯坦一家贸易公司出口机床，部件是从德国一家供应商采购的。德国供应商要求签no re-export条款。需要德国出口管制律师。",
         {"DE"}),
    ],
)
def test_form_fields_and_counterparties(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("业主欠我们工程款，想先发律师函。融资那块的英国律师总部已经请了，这次只要肯尼亚本地的。", {"KE"}),
        ("需要柬埔寨律师，必须能直接看高棉文文件。越南合作方推荐过一家胡志明市律所，但他们在柬埔寨没有执照，不考虑。", {"KH"}),
        ("需要新加坡做过SOPA的建筑律师。主合同是香港仲裁，但跟这次分包争议无关。", {"SG"}),
        ("EPC合同有ICC仲裁条款（仲裁地伦敦），伦敦的仲裁律师我们已经请好了。现在需要秘鲁诉讼律师提管辖异议。", {"PE"}),
        ("Need Ghanaian counsel for the licence. Our Kenya business is handled separately by a Nairobi firm.", {"GH"}),
        ("Need Finnish and Danish employment counsel (one firm covering both is fine).", {"FI", "DK"}),
        ("两个项目：坦桑尼亚的电站和乌干达的道路。两个国家都要找本地律师。卢旺达的项目去年已经做过一轮，不用重复。", {"TZ", "UG"}),
    ],
)
def test_places_of_an_eighteenth_round(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KPPU来函要调查我们的独家供应协议。环评的问题已经由雅加达的另一家律所在跟，不用重复。这次只找竞争法律师，专门处理KPPU程序。",
         {"ID"}),
        ("我们在泰国、老挝、缅甸都有工厂。泰国厂的罢工已经和解了。现在麻烦的是万象那个厂：工会要求补发工资。想找当地劳动法律师。", {"LA"}),
        ("Colombia this year, then Peru and Chile in 2026. For now please only look at Colombia. Don't send us Peru or Chile "
         "firms yet.", {"CO"}),
        ("律师得自己直接用波兰语跟工会谈。欧洲区总部在杜塞尔多夫，邮件抄送他们就行。我们华沙工厂要裁员，需要当地律师。", {"PL"}),
        ("马尼拉的前经销商抢注了我们的商标，找当地知识产权律师。越南那边同样的抢注问题已经在NOIP走程序了，当地代理在办，这次不用管。",
         {"PH"}),
        ("We want a WFOE in Dalian. Our Lisbon counsel covers everything on the Portuguese side, so we only need China-qualified "
         "lawyers.", set()),
        ("对方在奥克兰有物业，另外在悉尼的银行有账户。先在当地申请承认和执行，悉尼那边的账户看这边结果再说，暂时不动。需要当地律师。",
         {"NZ"}),
        ("The complaint went to the Belgian APD but was transferred to the DPC, so we don't need separate Belgian counsel. Need "
         "a GDPR lawyer for the DPC inquiry in Dublin.", {"IE"}),
        ("P&I推荐了一家开罗的律所，但报价太高。想另外找埃及海事律师比比价。", {"EG"}),
    ],
)
def test_places_of_an_eighteenth_round_continued(text: str, expected: set[str]) -> None:
    assert binding(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("原来计划在乌克兰建厂，后来因为战争改到了罗马尼亚，现在需要罗马尼亚律师做土地和环评。", {"RO"}),
        ("我们原本打算去印尼设厂，现在改成越南了，需要律师帮忙做投资许可。", {"VN"}),
        ("本来想找泰国律师，后来项目换到马来西亚了，麻烦推荐马来西亚的。", {"MY"}),
        ("We originally planned the plant in Mexico but the board moved it to Brazil; need counsel for the land purchase.", {"BR"}),
        ("The project was first going to be in Ghana; it is now in Côte d'Ivoire. French required.", {"CI"}),
        ("We moved the assembly line from Thailand to Indonesia last year and now need Indonesian employment counsel.", {"ID"}),
        ("The distributor will now be appointed for Kenya instead of Uganda, please find us counsel for the agreement.", {"KE"}),
        # a place kept: moved away from, but its own staff still need counsel there
        ("原来在越南的工厂现在搬到了柬埔寨，越南那边的员工要遣散，需要越南律师。", {"VN"}),
    ],
)
def test_a_plan_given_up_names_no_target(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a plan moved by the bureau's note
        ("局里备注：企业来电，工厂选址已由印尼变更为马来西亚，印尼方面暂不推进，请按马来西亚对接。", {"MY"}),
        # the writer takes a country back
        ("想找一位坦桑尼亚的税务律师——抱歉写错了，是莫桑比克，项目在马普托。", {"MZ"}),
        ("Need a Peruvian lawyer for the mine permit -- sorry, BOLIVIAN, wrong country again.", {"BO"}),
        ("We need Ghanaian counsel. Typo: Togo, the warehouse is in Lomé.", {"TG"}),
        # not the writer's own correction
        ("我们在越南的工厂给泰国客户的报价单金额打错了，泰国客户要求赔偿，想找泰国律师。", {"TH"}),
        # lines keyed by their places
        ("申报梳理：\n- 欧盟层面：不触发；\n- 法国：门槛没到，不用报；\n- 捷克、斯洛伐克：都触发，需要申报；\n- 匈牙利：也触发，但我们布达佩斯的律师已经在准备了。\n"
         "所以需要捷克、斯洛伐克两国的 merger control 律师。", {"CZ", "SK"}),
        ("Status by country:\n- Kenya (Naivasha, 60 MW): in operation, nothing needed.\n- Uganda (Tororo, 40 MW): need Ugandan counsel now for the PPA.\n"
         "- Tanzania (Dodoma): feasibility only, maybe next year.", {"UG"}),
        # a line that only holds a colon is no key
        ("需要新西兰律师：债权申报、参加债权人会议。他们澳洲的母公司好像也出问题了，但澳洲那边没欠我们钱，不用管。", {"NZ"}),
        # a deal's code name
        ("Project Santiago: we are buying a Polish logistics company and need Polish M&A counsel.", {"PL"}),
        # a count that names the list before it
        ("小程序在印尼 马来西亚 泰国都有用户，数据存在新加坡。想找能同时cover这三个国家的律师做数据合规。", {"ID", "MY", "TH"}),
        ("Regulators in Peru opened a case; Ecuador and Chile have none yet but we want a gap analysis. One firm for all three.", {"PE", "EC", "CL"}),
        # the firm asked for by its experience there
        ("We need one firm (or two) with energy experience in Morocco and Tunisia; they must work with the ministries.", {"MA", "TN"}),
    ],
)
def test_places_of_a_nineteenth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We need top Egyptian counsel in Cairo for this. English counsel we will consider later if it goes to arbitration, not now.", {"EG"}),
        ("We need Irish counsel for the licence. Dutch counsel not needed at this stage, the licensee's own lawyers are Dutch.", {"IE"}),
        ("Need a Kiwi customs lawyer to run the response. Don't reckon we need anyone in Australia, it's all run from Wellington.", {"NZ"}),
        ("The PDPC letter for our Rayong plant must be in Thai. Our Vietnam HR uses the same system but they will check with Vietnamese lawyers by themselves.", {"TH"}),
        ("Our lead counsel in Geneva is handling the arbitration, but they asked us to appoint a Libyan law firm for an expert opinion.", {"LY"}),
        ("Scratch the Kenya request - the dividends came through. The problem now is Zambia. Please find Zambian counsel.", {"ZM"}),
        ("局里备注：该企业已在阿联酋自行注册，本次对接不含阿联酋。需要阿曼、卡塔尔的商标律师。", {"OM", "QA"}),
        ("土耳其、埃及、约旦目前运营正常，不需要。只有摩洛哥：海关扣了货。想找摩洛哥律师。", {"MA"}),
        ("沙特律师现在不需要，以后拿到裁决再找。需要新加坡的仲裁律师。", {"SG"}),
        ("This is not something our local Warsaw law firm can do; we need Brussels competition counsel. Please help find EU counsel.", set(bloc_members("EU"))),
        ("Two things we need:\n1) Thai counsel on the BOI permit.\n2) US export control counsel on the EAR side, since our Indian customer wants assurances.", {"TH", "US"}),
        ("主要是日本那几个大客户要求原产地证明。现在需要越南律师设立公司。", {"VN"}),
        ("非洲、中亚都有代理商在接触，具体先进哪个国家还没定。想先请律师做一套代理商合规制度。", set()),
        ("Fwd: Re: counsel for Ghana / Nigeria\n\n--- Latest ---\nForget Ghana, it got paid. Please find Nigerian counsel.\n\n"
         "--- Earlier (5 May) ---\nPlease find Ghanaian counsel for the dividend issue.", {"NG"}),
        ("Company: XX Tech\nLanguage Requirement: Spanish and Portuguese\nDescription: need counsel in Argentina", {"AR"}),
        ("明年想在内罗毕和坎帕拉各开一个办事处。卢旺达表上填了 但那边现在不急 老板说先不去。", {"KE", "UG"}),
    ],
)
def test_places_of_a_nineteenth_round_set_aside(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Need lawyer for Ghana, Togo and Benin do customs recordation.\nsorry Togo wrong, should be Niger. Togo agent handle himself.", {"GH", "NE", "BJ"}),
        ("Our Lima office lawyer already handle Peru side, so only need Ecuador lawyer.", {"EC"}),
        ("We want distributors in all GCC. Kuwait already done, our partner lawyer did. So other 5 country pls.",
         set(bloc_members("GCC")) - {"KW"}),
        ("A Madrid law firm introduce us but we need Equatorial Guinea local lawyer for the liquidation.", {"GQ"}),
        ("Two things, ideally one firm with offices in both:\n1) Colombia - the mine permit, Spanish is a must.\n"
         "2) Ecuador - just a review of an offtake agreement.\nThe Peru project is on hold, no need to cover it.", {"CO", "EC"}),
        ("我们拟收购保加利亚一个光伏电站。需要保加利亚律师做并购申报。SPA 由我们在伦敦的律所牵头，不需要保加利亚律师参与。", {"BG"}),
    ],
)
def test_places_of_a_twentieth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an EU-level filing beside a national one, the bloc asked for at its institutions
        ("二、需聘请的外部律师：（一）FSR申报：需向欧委会申报，需熟悉布鲁塞尔程序的律师；（二）葡萄牙外商投资审查：需葡萄牙律师。",
         set(bloc_members("EU"))),
        # a second place asked of the same firm, another taken back in brackets
        ("一、需聘请赞比亚律师出庭。\n二、马拉维（更正：原稿误写为莫桑比克）项目贷款的先决条件审查，也请同一家律所出具意见。", {"ZM", "MW"}),
        ("1. 加纳税务局作出补税决定，需加纳律师提出异议；\n2. 多哥的公司面临相同问题，请同一律所或其合作所一并处理；\n3. 贝宁项目暂缓。", {"GH", "TG"}),
        # the narrower of two blocs
        ("成品主要销往欧洲各地经销商。欧盟委员会对我们启动反规避调查，恳请推荐熟悉欧盟贸易救济之律师，能出席布鲁塞尔听证。",
         set(bloc_members("EU"))),
    ],
)
def test_places_of_a_twentieth_round_in_memos(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("跟 B 端客户的 DPA 模板 + SCC module 2/3 要重做，找懂 EU 的律师。", set(bloc_members("EU"))),
        ("巴西：我们的品牌在 INPI 被抢注了，需要巴西 IP 律师提异议。", {"BR"}),
        ("阿根廷：我们的品牌在 INPI 被一个当地进口商抢注了，需要阿根廷 IP 律师提异议。", {"AR"}),
        ("意大利和西班牙我们有子公司，当地律师已经在做了；其他欧盟国家需要一家 firm 统筹 recall notification。",
         set(bloc_members("EU")) - {"IT", "ES"}),
        ("需要比利时律师跟海关交涉。法国买家那边的律师我们不需要。", {"BE"}),
        ("奥克兰子公司两件事，找新西兰劳动+移民律师。惠灵顿那个展厅已经关了不用管。", {"NZ"}),
        ("韩国贸易委员会立案反倾销，想找韩国律师。日本之前的案子是东京的律所做的，不用再找。", {"KR"}),
        ("要找卢森堡 data protection 律师。法国那边也有用户投诉，先只处理卢森堡。", {"LU"}),
        ("The FSR review is handled by the client's Brussels counsel and is not part of this. We need Czech procurement counsel.", {"CZ"}),
        ("The Club's London solicitors will advise on English law, but we need Belgian counsel to contest the arrest in Antwerp.", {"BE"}),
        ("We need (i) UK counsel for the OFSI licence and (ii) Swiss counsel for SECO. We do not need U.S. local help.", {"GB", "CH"}),
    ],
)
def test_places_of_a_twenty_first_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("签约主体是 Delaware 的 Inc.，数据存在 AWS Frankfurt。找懂 EU 的律师做 GDPR 合规。", set(bloc_members("EU"))),
        ("我们在海湾六国都有代理商，想请律师把这几国的代理合同统一审一遍。巴林和阿曼的合同今年刚由当地律所重签过，这两个不用看。",
         set(bloc_members("GCC")) - {"BH", "OM"}),
    ],
)
def test_places_of_a_twenty_first_round_continued(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("智利那边也有类似要求，顺便问下能不能推荐智利律所，但这次委托只给阿根廷。需要阿根廷律师代理。", {"AR"}),
        ("5/2 李经理：越南发起反倾销调查，请帮忙推荐越南律师。\n6/1 李经理：印尼也发起了保障措施调查，麻烦找印尼律师。\n所以现在要的是印尼的。", {"ID"}),
        ("Our Quito office lawyer already handle Ecuador side, so only need Colombia lawyer.", {"CO"}),
    ],
)
def test_a_need_narrowed_to_one_place(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bloc with members set aside, and its members named as parts of the work
        ("乌兹别克斯坦那边的代理商我们自己处理，不用管。现在要在除乌兹别克斯坦以外的中亚国家找律师审经销合同，哈萨克斯坦部分顺带看下税。",
         set(bloc_members("CENTRAL_ASIA")) - {"UZ"}),
        ("We plan to roll out across the GCC next year.\n- Bahrain: registered already, nothing to do.\n"
         "We need one firm for the filings in the remaining GCC states.", set(bloc_members("GCC")) - {"BH"}),
        ("除阿曼以外的海湾合作委员会国家都要评估，改由利雅得区域公司统一管理后代理协议怎么终止。", set(bloc_members("GCC")) - {"OM"}),
        # a bloc's authority investigates goods sold to some of its members
        ("欧亚经济委员会对我们出口到俄罗斯和哈萨克斯坦的轮胎发起反倾销调查，需要律师应诉。", set(bloc_members("EAEU"))),
        ("我们在波兰的工厂也被欧盟反倾销调查影响，这次需要波兰律师看劳动问题。", {"PL"}),
        # places set aside: had a lawyer before, not handled now, already in hand
        ("意大利那边之前找过律师了，现在西班牙 葡萄牙 希腊都还没做，想找一家能覆盖这三个国家的律所。", {"ES", "PT", "GR"}),
        ("罗马尼亚那边的经销商先不处理。匈牙利那家要终止，需要律师。", {"HU"}),
        ("秘鲁那个矿的环评已经在做了，这次不涉及。玻利维亚的税务稽查需要当地律师。", {"BO"}),
        ("智利当地合同层面的问题暂时不需要律师。需要美国律师看出口管制。", {"US"}),
        ("前期顾问在迪拜，不熟悉当地法律，故需另聘格鲁吉亚律师。", {"GE"}),
        # a second filing asked about, a numbered item headed by the lawyer, a lawyer worked beside
        ("需要竞争法律师评估波兰的经营者集中申报，还有捷克、斯洛伐克要不要报。", {"PL", "CZ", "SK"}),
        ("分两块：\n1. 马来西亚律师：海关问询的回复；\n2. 美国律师：ECCN 分类。", {"MY", "US"}),
        ("想请香港的律所代理HKIAC仲裁，最好有印尼工程争议经验，必要时配合印尼律师出法律意见。", set()),
        # where data goes, where people were recruited, a sanctions regime an opinion is asked under
        ("We run a fitness app in Saudi Arabia. User data sits on our cloud in Ireland and support is done from Cairo. "
         "We need a PDPL gap analysis and a basis for the transfer to Ireland.", {"SA"}),
        ("Forty Nepali drivers recruited through an agency in Kathmandu have sued our Doha logistics company. We need Qatari counsel.", {"QA"}),
        ("We need a sanctions opinion under OFAC and under the UK sanctions regulations on Belarus.", {"US", "GB"}),
    ],
)
def test_places_of_a_twenty_second_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a line keyed by its place that asks for a filing there
        ("Project Kestrel merger control:\n- Egypt ECA：达到门槛，要报\n- Morocco：也要报，材料法语\n- Tunisia：我们律师已经在跑，不用\n请推荐律所。",
         {"EG", "MA"}),
        # a whole bloc less members, its members' authorities named as parts of the work
        ("请找海合会范围内的商标律师，除科威特以外的国家都要检索。沙特SAIP那边的异议也一起做。",
         set(bloc_members("GCC")) - {"KW"}),
        ("我们在中亚五国都有项目。其中，塔吉克斯坦项目的税务由当地合作方负责，本次不纳入委托范围。其余四国需要税务律师。",
         set(bloc_members("CENTRAL_ASIA")) - {"TJ"}),
        # set aside: not triggered, out of scope, below threshold, a lawyer not needed there
        ("土耳其和塞尔维亚要做经营者集中申报；欧盟层面外部律师已经确认不触发。请推荐律师。", {"TR", "RS"}),
        ("The Danish filing was checked and is below threshold. We need counsel for the Swedish filing with Konkurrensverket.", {"SE"}),
        ("The target's Brazilian distribution arm is out of scope. We need Chilean counsel for the SPA.", {"CL"}),
        ("标的在泰国、越南、柬埔寨都有子公司，泰国和越南需要当地律师做DD；柬埔寨只是一个销售代表处，lead counsel说看一下资料就够，不需要当地律师。",
         {"TH", "VN"}),
        # the vehicle, a professional worked beside, our own lawyer, NZ, a lower-case demonym before 律师
        ("Bidco will be our Hong Kong subsidiary. We need NZ counsel for the consent application.", {"NZ"}),
        ("We need English counsel; they will have to work with a Romanian valuation expert, but we don't need Romanian lawyers now.", {"GB"}),
        ("我们香港的律师说越南这边他们做不了。需要越南律师处理劳动仲裁。", {"VN"}),
        ("需要german labour律师看一下裁员方案。", {"DE"}),
    ],
)
def test_places_of_a_twenty_third_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # markets compared, not yet chosen; the Madrid system is no Spain
        ("明年准备出海，先做哪个市场还没定，德国、法国、意大利都在看。想先请律师给个商标布局建议，走马德里还是逐国注册。", set()),
        # set aside: 'is done already', 'we can park', a past matter's lawyer not used again, a Latin name set aside in Chinese
        ("Need a TM lawyer for the GCC. Oman is done already (our agent filed it), so it's the remaining five.", set(bloc_members("GCC")) - {"OM"}),
        ("Our apps earn revenue in Egypt and Nigeria. Egypt we can park - our Cairo advisers closed that out. We need tax counsel in Nigeria.", {"NG"}),
        ("企业被巴西发起反倾销调查，需要应诉律师。另，企业2022年美国商务部双反案的代理律所本次不再考虑。", {"BR"}),
        ("我们要在 GCC 注册商标。Kuwait 去年已经注册好了，这次只需要其他五个国家。", set(bloc_members("GCC")) - {"KW"}),
        ("想找 Quebec 的律师做隐私合规。Ontario 那边没问题。", {"CA"}),
        # a condition is not a place done; where an app is run from; a lawyer preferably in a city; 巴新; a Mexican lawyer for a local remedy
        ("A collecting society in Mexico sent a claim too, but Mexico is on hold until Italy is sorted. We'd like Italian IP counsel.", {"IT"}),
        ("Our streaming app (operated out of Ireland) got a claim letter in Poland. We need Polish counsel.", {"PL"}),
        ("需要熟悉多边开发银行制裁程序的律师，最好在华盛顿。另外需要一位秘鲁律师配合。", {"US", "PE"}),
        ("马当省的项目被村民起诉了，需要巴新当地律师马上出庭应诉。", {"PG"}),
        ("ISDS（或者用我们荷兰holdco走Netherlands-Venezuela BIT）以后再说。所以现在要找委内瑞拉本地做行政诉讼的律师。", {"VE"}),
        ("需要哥伦比亚律师做legal DD。SPA适用纽约法，不需要哥伦比亚律师起草SPA，但要看哥伦比亚法下的CPs。", {"CO"}),
        ("We need a lawyer in Nouméa to look at the nickel export authorisation regime.", {"NC"}),
    ],
)
def test_places_of_a_twenty_fourth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # workstreams after an item's mark and a dash, a table's rows keyed by their first cell
        ("各workstream状态：\nWS1 Kenya —— 已完成，Nairobi counsel已交付；\nWS2 Ghana —— need local counsel，数据出境备案；\n"
         "WS3 Senegal —— need local counsel；\nWS4 Egypt —— 暂缓。", {"GH", "SN"}),
        ("Workstreams:\n1. Thailand subsidiary（Rayong工厂）land title search —— 需聘请；\n2. BVI holdco restructuring —— 已完成，BVI counsel已出具opinion。",
         {"TH"}),
        ("| 国别 | 工作内容 | 状态 |\n| 越南 | 土地租赁 | 进行中（已聘河内律所） |\n| 柬埔寨 | 投资协议谈判 | 需聘请 |\n| 老挝 | 可研 | 暂缓 |", {"KH"}),
        ("我们是孟加拉达卡—吉大港高速公路的承包商，业主拖欠进度款，先不启动仲裁，需要达卡本地律师发索赔通知。", {"BD"}),
        # Chinese set-asides: this phase, struck from the scope, no need to repeat, done with no more to do, a case closed
        ("拟在东盟全部成员国注册商标。新加坡、马来西亚两国已于去年注册完成，无需重复；缅甸本期暂不申请。"
         "补充：菲律宾申请已递交，也从本次范围中剔除。其余国家委托当地律师。", set(bloc_members("ASEAN")) - {"SG", "MY", "MM", "PH"}),
        ("我们的品牌在海湾合作委员会成员国遭抢注，其中沙特部分已于去年经利雅得律师异议胜诉，毋须再处理。其余五国需委托当地律师。",
         set(bloc_members("GCC")) - {"SA"}),
        ("拟在欧亚经济联盟范围内发展经销商，亚美尼亚、吉尔吉斯斯坦本期暂不纳入。需外聘律师起草经销协议。", {"RU", "BY", "KZ"}),
        ("欧亚经济委员会对华反倾销立案，需要律师应诉。巴西那个案子已经结案了，不用再找人。", set(bloc_members("EAEU"))),
        ("- WS1 Chile：铜矿环评，需要聘请当地律师；\n\nPS 更正一下：WS1写错了，不是Chile，是Peru，智利那个项目去年已经结束了。", {"PE"}),
        # a bloc less what is done, counted; colloquial Gulf; a count in digits; 'not need'
        ("We want to register our marks in the GCC countries. Oman we already did last year, so the rest only. Need a firm who can do all five.",
         set(bloc_members("GCC")) - {"OM"}),
        ("想把商标在海湾那几个国家都注册了，巴林去年已经注册好了不用再弄，其他五个都要。", set(bloc_members("GCC")) - {"BH"}),
        ("We sell on Shopee in Malaysia, Thailand, Philippines and Vietnam, and Singapore by own website. Need a team to cover these 5 countries. "
         "Indonesia we stopped selling, not need.", {"MY", "TH", "PH", "VN", "SG"}),
        # 'a respondent in both' investigations is no count of places
        ("Commerce initiated AD and CVD investigations on cells from Vietnam and our Bac Ninh plant is a respondent in both. "
         "We need US trade counsel in DC.", {"US"}),
    ],
)
def test_places_of_a_twenty_fifth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # someone else's lawyer, or ours, where that lawyer sits; a firm copied in
        ("The bank's counsel in Paris has asked for a local-law opinion on the PPA with KEGOC.", {"KZ"}),
        ("Our arbitration counsel in London will only step in if it goes to arbitration. The Ghana Grid Company has not paid the capacity charges.",
         {"GH"}),
        ("The Madrid firm cc'd here only advises the lenders on the Luanda road project claim.", {"AO"}),
        ("@法务 抄送的德国律所只是集团常年顾问，不做这个案子。智利工厂工会起诉了，需要劳动律师。", {"CL"}),
        ("The Board approved the notice. Before that we need Peruvian counsel to review the concession contract, while the ICC case stays with Paris.",
         {"PE"}),
        # set aside in chat: left alone, approved, sorted, a certificate in hand, kept with its firm, the law part not needed, not looked at
        ("玻利维亚的用户也投诉了，玻利维亚先不碰。秘鲁那边的监管问询要处理。", {"PE"}),
        ("肯尼亚 CMA 那个已经批了，赞比亚的牌照也要申请。", {"ZM"}),
        ("日本站的标签那块已经搞定了，韩国站的广告法问题要看一下。", {"KR"}),
        ("越南的游戏许可证下来了🎉 泰国和菲律宾的隐私政策要改。", {"TH", "PH"}),
        ("德国的继续用现在那家所，奥地利的外资申报也要做。", {"AT"}),
        ("OFAC SDN未命中，英国OFSI名单有同名实体。美国法部分暂不需要，请评估英国制裁风险。", {"GB"}),
        ("Jerry：比利时不看，先做荷兰", {"NL"}),
        ("Apologies, the concession is in Arequipa – NOT in Chile. Please disregard the request for Chilean counsel. We need a Peruvian firm for the DD.",
         {"PE"}),
        # a city set aside while another of the same country is where the work is
        ("项目在安大略，不涉及魁北克，请做矿权尽调。", {"CA"}),
        # a correction of a language does not take back a place named again with the new one
        ("CEO：卢旺达也要同步申请\nCEO：律师必须会法语—\nCEO：说错了，肯尼亚卢旺达都用英语，语言不做要求", {"KE", "RW"}),
        # the vehicle that runs it or holds it, a treaty's party
        ("短视频应用由新加坡运营主体运营，拟在欧盟上线，做GDPR合规评估。", set(bloc_members("EU"))),
        ("通过新加坡的持股公司投资格鲁吉亚的木材厂，问分红税。", {"GE"}),
        ("新加坡和格鲁吉亚的税收协定能不能用？格鲁吉亚的分红税怎么算。", {"GE"}),
        # workstreams done or pending; filings counted with a bloc's; members in brackets; a region's staff
        ("Status:\n- EU merger control: Form CO with DG COMP.\n- Serbia: filing triggered, not started.\n- Morocco: filing triggered, not started.\n"
         "Please find counsel for the three open filings.", set(bloc_members("EU")) | {"RS", "MA"}),
        ("1. 海湾经销协议：Qatar 部分本周已签署 – DONE。\n2. 其余 GCC 国家（UAE, KSA, Kuwait, Bahrain, Oman）：审阅模板 – 进行中。\n"
         "3. 约旦经销商纠纷 – 待定，等材料。", set(bloc_members("GCC")) - {"QA"}),
        ("张总，下面是中东区合规经理的邮件，要找能覆盖海湾几个国家数据合规的律所。With the app live across the GCC – except Oman and Bahrain – "
         "we need a gap assessment.", set(bloc_members("GCC")) - {"OM", "BH"}),
        # new names: Addis, Zhambyl and KEGOC, Australia's Anti-Dumping Commission, VSIP
        ("我是亚的斯那边子公司的GM，税务局说我们VAT没交清。", {"ET"}),
        ("Zhambyl 100 MW wind: KEGOC has not issued the grid connection approval.", {"KZ"}),
        ("The Anti-Dumping Commission has opened an anti-circumvention inquiry into extrusions from our Penang plant.", {"AU"}),
        ("我们在VSIP越南新加坡工业园区的工厂要裁员。", {"VN"}),
    ],
)
def test_places_of_a_twenty_sixth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what is left of a list or a bloc once some of it is spoken of, counted
        ("首批五个国家：新加坡、马来西亚、泰国、越南、菲律宾。\n新加坡和越南两个市场去年已经请过当地所。\n其余三个国家需要律师做上线前合规清单。",
         {"MY", "TH", "PH"}),
        ("We have entities in France, Belgium, Austria, Italy and Greece. France was reviewed last year and Belgium is handled by our "
         "Brussels firm, so we need counsel for the other three.", {"AT", "IT", "GR"}),
        ("Our bubble-tea chain is going franchise-only in the Gulf. Saudi is already underway with a Riyadh firm. "
         "For the other five GCC countries we need counsel to structure master franchises.", set(bloc_members("GCC")) - {"SA"}),
        # ... not when the rest is what is set aside
        ("APP准备进GCC，第一批只上 KSA 和 UAE，其余四国（卡塔尔、科威特、巴林、阿曼）明年再说。", {"SA", "AE"}),
        # a deal dropped, a market done, one put off to a later phase or a later meeting
        ("马来西亚那家卖方撤了不算，越南那家的尽调要做。", {"VN"}),
        ("中亚收购：哈萨克2个、乌兹别克1个电站，塔吉克那个卖方撤了不算。要能同时做两国尽调的律所。", {"KZ", "UZ"}),
        ("手游拉美发行：Brazil 去年已经上线，LGPD 那套做完了。今年要上 Mexico、Colombia，Argentina 看情况Q4再议。", {"MX", "CO"}),
        ("Rwanda is phase 2, don't scope it now. Phase 1 is Kenya.", {"KE"}),
        ("越南那间厂年底会出售，不纳入这次重组。泰国子公司的股权转让要做。", {"TH"}),
        ("北欧五国里冰岛我们没卖过，不涉及。需要一家能协调四国的律所处理产品责任。", set(bloc_members("NORDICS")) - {"IS"}),
        ("东盟十国扣掉文莱、老挝、缅甸，其余都要，需要律师审阅经销合同。", set(bloc_members("ASEAN")) - {"BN", "LA", "MM"}),
        # counsel in each place; a bloc covered whole; a fund's home in brackets; where data goes
        ("Our fund is buying a solar plant in Colombia; the wind farm is in Peru. Need local counsel in each for DD.", {"CO", "PE"}),
        ("目标公司在泰国有工厂，在越南也有仓库，需要各地律师做尽调。", {"TH", "VN"}),
        ("need counsel covering the whole EAEU to screen our distributors against OFAC lists", set(bloc_members("EAEU"))),
        ("本基金（开曼注册）拟投资印尼一家物流公司。", {"ID"}),
        ("能不能跨境传回新加坡的服务器？卡塔尔那边的数据本地化要求也要看。", {"QA"}),
        # places added to a list or to a bloc
        ("子公司在法国、意大利，另外英国和瑞士各一家（不在欧盟但也要一起做）。德国那家去年已经整改过了，这次跳过。", {"FR", "IT", "GB", "CH"}),
        ("GCC 里除了 Oman（去年刚做完），另外加 Egypt 和 Jordan，需要对代理做尽调。", set(bloc_members("GCC")) - {"OM"} | {"EG", "JO"}),
    ],
)
def test_places_of_a_twenty_seventh_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a form's country field explained by its free text, or taken back there
        ("国家：阿联酋\n领域：建工\n备注：country填的是我们区域总部（迪拜注册）的所在地，项目实际在卡塔尔，业主扣了进度款。", {"QA"}),
        ("目标国家/地区：英国\n备注：写英国是因为合同适用英国法、在伦敦仲裁。对方资产都在乌兹别克斯坦，要申请承认和执行。", {"UZ"}),
        ("国家：Peru 秘鲁\n备注：update一下——不是秘鲁那边的案子。是智利海关扣了我们的货，需要智利律师。西语要求取消，那是当初给秘鲁律师准备的。", {"CL"}),
        # a lawyer already appointed for a piece of the deal; a sanctions lawyer of a country asked for; nobody sought there
        ("The IPO plan: Jurisdiction: Switzerland. US counsel for the Reg S / 144A piece is already appointed.", {"CH"}),
        ("1）找美国制裁律师，评估申请除名；2）找阿联酋律师处理迪拜的账户冻结。", {"US", "AE"}),
        ("We need Kenyan counsel for the notifications. We are not looking for counsel in Uganda or Tanzania at this stage.", {"KE"}),
        # a brand's home; a destination the but does not refer back to; a subsidiary to pursue as well
        ("订单主要是美国品牌的。需找越南劳动法律师。", {"VN"}),
        ("我们马来西亚子公司也往印度出口，但那边的货不在调查范围里，暂时不管。印度DGTR的问卷要填。", {"IN"}),
        ("塞尔维亚经销商拖欠货款，我们准备在贝尔格莱德起诉。他们在黑山还有个子公司，也要一起追。", {"RS", "ME"}),
    ],
)
def test_places_of_a_twenty_seventh_round_forms(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # counsel there already in hand; a certificate in hand; a bloc's other members than those named before it
        ("船在德班被扣。租约适用英国法、伦敦仲裁，仲裁那边我们已经在伦敦请了律师。现在急需当地海事律师申请放船。", {"ZA"}),
        ("卡塔尔的经销商去年就签好了，律师也是那边的。今年想把海合会其他几个国家都铺开，需要律师起草经销协议。", set(bloc_members("GCC")) - {"QA"}),
        ("品牌出海：沙特去年已经在 SAIP 拿到注册证了，这次不用做。找一家能 cover 海合会其余五国的所。", set(bloc_members("GCC")) - {"SA"}),
        # customers' brands; a foreign investor coming to China; 'Lux'
        ("拟在摩洛哥丹吉尔设厂，为当地的欧洲车企配套（客户主要是西班牙、法国品牌）。", {"MA"}),
        ("德国巴登-符腾堡州一家家族精密机械企业（在我局欧洲招商推介会上接洽）拟在常州设立外商独资企业，希望推荐中国律师。", set()),
        ("We need Lux counsel to run the share pledge enforcement.", {"LU"}),
    ],
)
def test_places_of_a_twenty_eighth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an old request quoted, then replaced; a plan put aside for now; a firm of a past matter
        ("（引用上月需求）「需要日本律师协助处理大阪仓库租约纠纷」——此事已经与房东和解，不用再找了。现在需要韩国律师处理原产地认定。", {"KR"}),
        ("> We need Chilean counsel for the offtake. Spanish mandatory.\n\nAll – update on the above. Chile is off: the producer pulled out. "
         "Please look for Argentine counsel instead.", {"AR"}),
        ("1. 墨西哥方案暂时搁置。\n2. 得克萨斯州的厂房租赁要做。", {"US"}),
        ("刘律师好！您推荐的那家土耳其律所把我们海关那个案子办得很漂亮。这次又要麻烦您：我们在乌兹别克斯坦的纺织厂被税务局查了。", {"UZ"}),
        # a workstream's brackets tell of the past, not its status; a workstream with counsel on it
        ("3. Indonesia – KPPU summoned us over the late notification of our acquisition (closed in March, filing late).\n4. Vietnam – nothing new.",
         {"ID"}),
        ("周会纪要：\n1. US Section 301 exclusion — 外部律师跟进中\n2. Chile：卖方不发货，要评估查封的可能性。", {"CL"}),
        # the list a lawyer 'covering the above four' points back to, whatever the roles of its places; the next
        # clause's set-aside is not a list's across another place named in between
        ("一、印尼镍项目环评——雅加达现有律所配合。\n二、美方对经中亚转运至俄罗斯的两用物项加强执法，我司对哈萨克斯坦、吉尔吉斯斯坦、塔吉克斯坦、"
         "乌兹别克斯坦四国经销商的出货需全面排查（土库曼斯坦目前无业务，暂不纳入）。需外聘一家能覆盖上述四国的律所。", {"KZ", "KG", "TJ", "UZ"}),
    ],
)
def test_places_of_a_twenty_ninth_round(text: str, expected: set[str]) -> None:
    assert binding(text) == expected
