"""ORG: named organizations.

Three sources: a lexicon of well-known companies, platforms, media and
authorities; names ending in an organization suffix (…有限公司, …人民法院,
…律师事务所), whose start is found by walking back over jieba words of a small
window while they look like name parts; and jieba's own `nt` dictionary
entries. A suffix alone, or after generic words only, is never a name.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import CLAUSE_BREAKS, SuggestContext, make
from annotator.suggest.jieba_tags import FUNCTION_WORD_TAGS, tag_of, word_tags
from annotator.suggest.lexicon_files import lexicon
from annotator.suggest.triere import trie_pattern

NAME = "org"
LABEL = "ORG"

# jieba tags that never belong inside a name.
_STOP_TAGS = FUNCTION_WORD_TAGS | {"ag", "mq", "rr", "rz", "tg", "zg"}
_STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "在",
        "与",
        "和",
        "及",
        "或",
        "向",
        "对",
        "被",
        "由",
        "从",
        "据",
        "该",
        "其",
        "这",
        "那",
        "等",
        "某",
        "某某",
        "是",
        "将",
        "把",
        "给",
        "让",
        "为",
        "以",
        "于",
        "到",
        "至",
        "经",
        "即",
        "并",
        "也",
        "都",
        "已",
        "曾",
        "后",
        "前",
        "中",
        "内",
        "上",
        "下",
        "里",
        "称",
        "指",
        "说",
        "及其",
        "以及",
        "通过",
        "包括",
        "成立",
        "起诉",
        "报警",
        "入职",
        "任职",
        "就职",
        "收购",
        "运营",
        "通报",
        "披露",
        "发布",
        "表示",
        "联系",
        "判决",
        "审理",
        "宣判",
        "委托",
        "属于",
        "隶属",
        "注册",
        "位于",
        "来自",
        "加入",
        "离开",
        "针对",
        "根据",
        "所在",
        "同时",
        "此外",
        "另外",
        "其中",
        "获悉",
        "接到",
        "来到",
        "前往",
        "进入",
        "负责",
        "主管",
        "开发",
        "研发",
        "创办",
        "创立",
        "发起",
        "旗下",
        "利用",
        "使用",
        "透过",
        "当地",
        "原系",
        "现系",
        "经由",
        "雇佣",
        "聘请",
        "要求",
        "责令",
        "约谈",
        "提醒",
        "回应",
        "指出",
        "介绍",
        "认为",
        "检查",
        "查处",
        "处罚",
        # verbs of telling and trading that stand between two names
        "回复",
        "答复",
        "告诉",
        "接受",
        "致函",
        "致电",
        "通知",
        "出售",
        "贩卖",
        "转卖",
        "转售",
        "卖给",
        "售予",
        "购买",
        "提供",
        "泄露",
        "窃取",
        "盗取",
        "入侵",
        "攻击",
        "冒充",
        "假冒",
        "约谈",
    ]
)
# Characters right after a suffix that turn it into another word (大学生, 银行卡).
_BLOCK_AFTER = {
    "大学": "生城",
    "银行": "卡账流",
    "公司": "法",
    "日报": "道",
    "时报": "道",
    "学院": "派",
    "法院": "网",
}
_BLOCK_BEFORE = {"公司": "母", "集团": "母"}
_STOP_CHARS = frozenset(
    "的了在与和及或向对被由从据该其这那等某是将把给让为以于到至经即并也都已曾后前中内上下里称指说"
    "个家名位次又再还就才很最更多少每各全本此另有无不没系予"
)
_COMPANY_SUFFIXES = frozenset(
    [
        "公司",
        "有限公司",
        "集团",
        "股份有限公司",
        "有限责任公司",
        "团队",
        "开发商",
        "运营商",
        "服务商",
        "供应商",
        "厂商",
        "业者",
        "机构",
        "组织",
        "单位",
        "企业",
        "平台",
        "网站",
        # relations and roles written right before a name (母公司上海…有限公司)
        "母公司",
        "子公司",
        "分公司",
        "总公司",
        "控股公司",
        "关联公司",
        "方",
        "运营方",
        "主办方",
        "开发方",
        "业者",
        "零售商",
        "品牌方",
    ]
)
_SUFFIX_ENDS = ("局", "院", "部", "行", "司", "团", "会", "所", "社", "厅", "署", "处", "办")
_LATIN_AFTER = re.compile(
    r"(?:论坛|平台|网站|社群平台|暗网|交易所)([A-Za-z][A-Za-z0-9_.\-]{1,30})(?![A-Za-z0-9_])"
)
# A capitalised Latin name right after a noun that says what kind of body it is
# (网络安全公司Redwall Labs, 保安公司Mandiant).
_LATIN_NAME = r"[A-Z][A-Za-z0-9&]*(?:[ .\-][A-Z][A-Za-z0-9&]*){0,3}"
_LATIN_AFTER_KIND = re.compile(
    r"(?:公司|企业|厂商|集团|机构|媒体|品牌|组织|团伙|实验室|服务商|供应商|运营商|银行|"
    rf"事务所|研究所|大学|交易所|报|网站|论坛|平台)\s?({_LATIN_NAME})(?![A-Za-z0-9_])"
)
_NOT_LATIN_NAME = frozenset(
    [
        "CEO",
        "CTO",
        "CFO",
        "COO",
        "CISO",
        "CIO",
        "App",
        "APP",
        "VPN",
        "IT",
        "AI",
        "API",
        "SDK",
        "SQL",
        "IP",
        "ID",
        "PDF",
        "Excel",
        "Wi-Fi",
    ]
)
# Latin names whose last word says they are an organization (Orbis Data, Redwall Labs).
_LATIN_ORG = re.compile(
    r"(?<![A-Za-z0-9_])((?:[A-Z][A-Za-z0-9&\-]*\s){1,3}"
    r"(?:Labs?|Logistics|Data|Inc|Ltd|LLC|GmbH|AG|Group|Security|Technologies|Technology|Tech|"
    r"Systems|Networks|Software|Capital|Bank|Corp|Corporation|Holdings|Analytics|Solutions|"
    r"Research|Intelligence|Media|News|Partners|Digital|Ventures|Airlines|Motors|Electronics|"
    r"Games|Studios|Foundation|Institute|University|Agency|Consulting|Services|Insurance|"
    r"Pharma|Health|Telecom|Energy|Finance|Bancorp|Cyber))(?![A-Za-z0-9_])"
)
# A brand: two unknown characters and an industry word (数衡科技, 奥丁资安).
_BRAND = re.compile(
    r"([\u4e00-\u9fff]{2})(?:科技|资安|网络|智能|数科|软件|传媒|物流|安全)"
    r"(?=[，。；、：\s]|负责人|发言人|公司|方面|表示|称|回应|的|在|已|搭建|开发|运营|提供|进行|与|和)"
)
# A media outlet named before its reporter or report (潮声新闻记者).
_MEDIA = re.compile(r"([\u4e00-\u9fff]{2})新闻(?=记者|报道|客户端|援引|获悉|消息)")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9（）()·&\-]+")
_MAX_NAME = 24


class OrgSuggester:
    """Organization names from a lexicon, suffixes and jieba's nt entries."""

    name = NAME
    labels = frozenset({LABEL})

    def __init__(self) -> None:
        self._lexicon = re.compile(trie_pattern(lexicon("org")))
        self._suffixes = frozenset(lexicon("org_suffix"))
        self._suffix = re.compile(trie_pattern(self._suffixes))
        self._generic = frozenset(lexicon("org_generic")) | self._suffixes
        self._blocked = re.compile("淘宝客(?!户)|阿里山|京东路|百度百科")

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        blocked = [m.span() for m in self._blocked.finditer(shadow)]
        for m in self._lexicon.finditer(shadow):
            start, end = m.span()
            if any(b0 <= start < b1 for b0, b1 in blocked) or _glued(shadow, start, end):
                continue
            if end - start == 2 and not _on_token_edges(ctx, start, end):
                continue
            sug = make(text, start, end, LABEL, NAME, 0.8)
            if sug is not None:
                out.append(sug)
        known = [(s.start, s.end) for s in out]
        named: list[Suggestion] = []
        # Suffixes may overlap (信息办 / 办公室): search again one character on.
        hit = self._suffix.search(shadow)
        while hit is not None:
            span = self._named(ctx, hit.start(), hit.end(), hit.group())
            if span is not None:
                # The longest name wins over a known name inside it (中国人民银行安徽省分行).
                inner = any(span[0] <= k0 and k1 <= span[1] for k0, k1 in known)
                sug = make(text, span[0], span[1], LABEL, NAME, 0.85 if inner else 0.78)
                if sug is not None:
                    named.append(sug)
            hit = self._suffix.search(shadow, hit.start() + 1)
        out.extend(named)
        out.extend(self._short_names(ctx, text, named))
        for m in _LATIN_AFTER.finditer(shadow):
            sug = make(text, m.start(1), m.end(1), LABEL, NAME, 0.75)
            if sug is not None:
                out.append(sug)
        out.extend(_latin_names(text, shadow))
        out.extend(self._brands(ctx, text))
        return out

    def _brands(self, ctx: SuggestContext, text: str) -> list[Suggestion]:
        """Names without a company suffix: 数衡科技, 奥丁资安, and media such as 潮声新闻.

        Two characters that jieba does not know as an ordinary word, followed by an
        industry word; or a media name before 记者 / 报道.
        """
        shadow = ctx.shadow
        out: list[Suggestion] = []
        for m in _BRAND.finditer(shadow):
            start, end = m.span()
            prefix = m.group(1)
            if (
                prefix in self._generic
                or _STOP_CHARS.intersection(prefix)
                or tag_of(prefix) not in (None, "nr", "nrt", "nrfg")
                or tag_of(shadow[end - 2 : end + 1]) is not None  # 信息化, 科技园
                or start not in {t0 for t0, _ in ctx.clause_tokens(start, end)}
            ):
                continue
            sug = make(text, start, end, LABEL, NAME, 0.7)
            if sug is not None:
                out.append(sug)
        for m in _MEDIA.finditer(shadow):
            start, end = m.span()
            prefix = m.group(1)
            if prefix in self._generic or _STOP_CHARS.intersection(prefix):
                continue
            if start and tag_of(shadow[start - 1 : start + 1]) is not None:
                continue
            sug = make(text, start, end, LABEL, NAME, 0.7)
            if sug is not None:
                out.append(sug)
        return out

    def _named(
        self, ctx: SuggestContext, start: int, end: int, suffix: str
    ) -> tuple[int, int] | None:
        """(name start, end) of the organization whose suffix is shadow[start:end]."""
        shadow = ctx.shadow
        if end < len(shadow) and shadow[end] in _BLOCK_AFTER.get(suffix, ""):
            return None
        if start == 0 or shadow[start - 1] in _STOP_CHARS or shadow[start - 1] in CLAUSE_BREAKS:
            return None  # nothing names it (该公司, 。公司)
        if shadow[start - 1] in _BLOCK_BEFORE.get(suffix, ""):
            return None  # 母公司, 控股公司: a relation, not the end of a name
        if (
            end < len(shadow)
            and shadow[end] not in CLAUSE_BREAKS
            and tag_of(shadow[start : end + 1])
        ):
            return None  # the suffix begins a longer word (部分, 大学生, 银行卡)
        if len(suffix) == 1 and tag_of(shadow[start - 1 : end]) not in (None, "nt", "ns"):
            return None  # a one-character suffix ends a common word (全部, 结局, 关系)
        tokens = ctx.clause_tokens(start, end)
        name_start = start
        pending = placed = False
        specific = committed_specific = False
        only_places = True
        depth = 0
        for t0, t1 in tokens:
            if t0 < end < t1 and (t1 - end < 2 or tag_of(shadow[end:t1]) is None):
                return None  # the suffix begins a longer word (部分, 部署, 大学生, 银行卡)
        if len(suffix) == 1:
            # A one-character suffix must not end a common word (全部, 结局, 关系).
            inside = [t for t in tokens if t[0] < start < t[1]]
            if inside and inside[0][1] - inside[0][0] == 2:
                return None
        for t0, t1 in reversed(tokens):
            if t0 >= start:
                continue
            word = shadow[t0:t1] if t1 <= start else shadow[t0:start]
            if t1 > start and (word in _STOP_WORDS or tag_of(word) in _STOP_TAGS):
                break
            if word in _COMPANY_SUFFIXES and t1 <= start:
                break  # 第三方公司|杭州…有限公司: a generic noun before the name
            if word in "）)":
                depth += 1
            elif word in "（(":
                if depth == 0:
                    break
                depth -= 1
            else:
                tag = tag_of(word)
                if tag is None and len(word) > 1 and _STOP_CHARS.intersection(word):
                    break  # an HMM-made word swallowing a function character (已约, 谈该)
                if tag is None and len(word) > 1 and shadow[t0 - 1 : t0 + 1] in _STOP_WORDS:
                    # 约|谈学伴通: a verb split across words; the name starts after it
                    if t0 + 1 < start and word[1:] not in self._generic:
                        name_start, committed_specific = t0 + 1, True
                    break
                if len(word) > 2 and word[-2:] in _STOP_WORDS:
                    break  # a word ending in a verb such as 通报 (情况通报|国家…中心)
                if word == suffix and t1 <= start:
                    break  # 连锁药房|康汇药房: a kind noun before the name
                if len(word) == 1:
                    if word in _STOP_CHARS or shadow[t0 - 1 : t1] in _STOP_WORDS:
                        break  # 约谈 split as 已约|谈
                    # 江州|市|江北区: a lone 市 after a place name is part of it
                    tag = "ns" if word in "省市县区州" else None
                if word in _STOP_WORDS or not _NAME_CHAR.fullmatch(word):
                    break
                if placed and tag not in ("ns", "nt") and not word.endswith(_SUFFIX_ENDS):
                    break  # left of 浙江省 / 杭州市 only places and institutions continue
                if tag == "ns" and word.endswith(("省", "市", "县", "区", "州", "镇")):
                    placed = True
                # A name never starts with a verb: a verb inside it needs a name word before.
                anchor = tag not in ("v", "vn") or word in self._suffixes
                if tag in ("v", "vn") and word not in self._suffixes and word not in _STOP_WORDS:
                    # A verb inside a name (消费者权益保护委员会, 保卫支队) is kept only
                    # when a name word further left anchors it.
                    pending = True
                elif tag in _STOP_TAGS and word not in self._suffixes:
                    break
                if word not in self._generic and tag not in ("v", "vn"):
                    specific = True
                if tag != "ns":
                    only_places = False
                if anchor:
                    pending = False
            if not pending:
                name_start, committed_specific = t0, specific
        if depth:
            return None
        while name_start < start and shadow[name_start] in "（(":
            name_start += 1
        if name_start >= start or not committed_specific:
            return None
        if len(suffix) == 1 and start - name_start < 3:
            return None  # 客服部, 招商部: an unnamed department
        if suffix in ("警方", "政府") and not only_places:
            return None
        return name_start, end

    def _short_names(
        self, ctx: SuggestContext, text: str, named: list[Suggestion]
    ) -> list[Suggestion]:
        """Short forms of company names (浙江飞鸾速递有限公司 → 飞鸾速递) where they recur."""
        shadow = ctx.shadow
        shorts: set[str] = set()
        for name in named:
            full = shadow[name.start : name.end]
            suffix = next((x for x in _SHORTENABLE if full.endswith(x)), None)
            if suffix is None:
                continue
            words = [shadow[a:b] for a, b in ctx.window_tokens(name.start, name.end - len(suffix))]
            while words and tag_of(words[0]) == "ns":
                words.pop(0)
            short = "".join(words)
            while len(short) >= 2 and short not in self._generic:
                shorts.add(short)
                tail = next((g for g in _GENERIC_TAILS if short.endswith(g)), None)
                if tail is None:
                    break
                short = short[: -len(tail)]
        if not shorts:
            return []
        pattern = re.compile(trie_pattern(shorts))
        out: list[Suggestion] = []
        for m in pattern.finditer(shadow):
            sug = make(text, m.start(), m.end(), LABEL, NAME, 0.72)
            if sug is not None:
                out.append(sug)
        return out


# Industry words stripped one by one from a company name's end (畅融网络科技 → 畅融网络).
_GENERIC_TAILS = (
    "科技",
    "网络",
    "信息",
    "技术",
    "数据",
    "软件",
    "电子商务",
    "电商",
    "商务",
    "互联网",
    "金融",
    "投资",
    "贸易",
    "实业",
    "文化",
    "传媒",
    "咨询",
    "服务",
    "管理",
    "发展",
    "控股",
    "股份",
)
_SHORTENABLE = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团有限公司",
    "集团",
    "公司",
)


def _latin_names(text: str, shadow: str) -> list[Suggestion]:
    """Latin organization names, and their first word where it recurs alone (Redwall)."""
    if not any("A" <= ch <= "Z" for ch in shadow):
        return []
    out: list[Suggestion] = []
    found: list[tuple[int, int]] = []
    for m in _LATIN_AFTER_KIND.finditer(shadow):
        if m.group(1) not in _NOT_LATIN_NAME and len(m.group(1)) >= 3:
            found.append(m.span(1))
    found.extend(m.span(1) for m in _LATIN_ORG.finditer(shadow))
    firsts: set[str] = set()
    for start, end in found:
        sug = make(text, start, end, LABEL, NAME, 0.76)
        if sug is not None:
            out.append(sug)
            first = sug.text.split()[0]
            if first != sug.text and len(first) >= 4 and first[1:].islower():
                firsts.add(first)
    for first in firsts:
        for m in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(first)}(?![A-Za-z0-9_])", shadow):
            sug = make(text, m.start(), m.end(), LABEL, NAME, 0.7)
            if sug is not None:
                out.append(sug)
    return out


def _glued(shadow: str, start: int, end: int) -> bool:
    """A Latin name inside a longer Latin word (Meta in Metaverse) is not a match."""
    before = shadow[start - 1] if start else ""
    after = shadow[end] if end < len(shadow) else ""
    return (shadow[start].isascii() and before.isascii() and before.isalnum()) or (
        shadow[end - 1].isascii() and after.isascii() and after.isalnum()
    )


def _on_token_edges(ctx: SuggestContext, start: int, end: int) -> bool:
    """Whether jieba puts word boundaries at both ends (中通 inside 中通过 is not)."""
    shadow = ctx.shadow
    straddling = (shadow[start - 1 : start + 1] if start else "", shadow[end - 1 : end + 1])
    if not any(len(w) == 2 and tag_of(w) for w in straddling):
        return True  # no dictionary word crosses either edge: no need to segment
    tokens = ctx.clause_tokens(start, end)
    edges = {t0 for t0, _ in tokens} | {t1 for _, t1 in tokens}
    return start in edges and end in edges


@cache
def suggester() -> OrgSuggester:
    word_tags()
    return OrgSuggester()
