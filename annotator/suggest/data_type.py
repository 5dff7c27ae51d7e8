"""DATA_TYPE: kinds of personal data, with their owners written together.

`淘宝客户手机号` is one span: up to two owner words (platforms, 用户, 买家 …)
glued to a data noun. Ambiguous nouns (电话, 地址, 照片 …) count only with an
owner or inside a list (姓名、电话、地址). Latin field names such as user_id
count too.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import SuggestContext, make
from annotator.suggest.lexicon_files import lexicon
from annotator.suggest.triere import trie_pattern

NAME = "data_type"
LABEL = "DATA_TYPE"

_LIST_BEFORE = frozenset("、及和与或/（(：:")
_LIST_AFTER = frozenset("、及和与或/等）)")
_FIELD_PARTS = (
    "uid|name|nick|nickname|phone|mobile|tel|email|mail|pwd|pass|password|passwd|addr|"
    "address|ip|card|idcard|birthday|birth|gender|sex|age|token|salt|hash|account|user|"
    "realname|zip|city|location|lat|lng|imei|mac|qq|wechat|alipay|bank|balance|order"
)
_FIELD = re.compile(
    r"(?<![A-Za-z0-9_])(?:[a-z][a-z0-9]*_)+[a-z0-9]+(?![A-Za-z0-9_])",
)
_FIELD_PART = re.compile(rf"(?:{_FIELD_PARTS})")


class DataTypeSuggester:
    """Personal-data nouns from the lexicon, owner compounds, Latin field names."""

    name = NAME
    labels = frozenset({LABEL})

    def __init__(self) -> None:
        base = lexicon("data_type")
        ambiguous = lexicon("data_type_ambiguous")
        owners = trie_pattern(lexicon("data_owner"))
        nouns = trie_pattern(base + ambiguous)
        self._ambiguous = frozenset(a.lower() for a in ambiguous)
        self._re = re.compile(rf"(?P<owner>(?:{owners}){{1,2}})?(?P<noun>{nouns})", re.IGNORECASE)

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        n = len(shadow)
        spans: list[tuple[int, int, float]] = []
        for m in self._re.finditer(shadow):
            start, end = m.span()
            if _glued_latin(shadow, start, end) or _NAMING_AFTER.match(shadow, end):
                continue  # 昵称为“DragonPike”: the noun introduces a name
            end = _extend_right(shadow, end)
            noun = m.group("noun")
            score = 0.88 if m.group("owner") else 0.85
            if not m.group("owner"):
                new_start = _extend_left(ctx, start, noun.lower() in self._ambiguous)
                if new_start < 0:
                    if noun.lower() in self._ambiguous:
                        continue
                    new_start = start
                if new_start < start:
                    start, score = new_start, 0.8
                elif noun.lower() in self._ambiguous and end == m.end():
                    if not _on_edges(ctx, start, end):
                        continue
                    before = shadow[start - 1] if start else ""
                    after = shadow[end] if end < n else ""
                    if before not in _LIST_BEFORE and after not in _LIST_AFTER:
                        continue
                    score = 0.6
            if spans and spans[-1][1] >= start:  # adjacent nouns are one kind (紧急联系人姓名)
                start = min(start, spans.pop()[0])
            if (
                shadow[start - 1 : start] in _NEGATION
                or shadow[start - 2 : start] in _NEGATION_WORDS
            ):
                continue  # 无密码的测试库, 未设密码: the data is absent
            spans.append((start, end, score))
        spans.extend(_records(ctx, spans))
        spans.extend(_list_siblings(ctx, spans))
        for start, end, score in spans:
            sug = make(text, start, end, LABEL, NAME, score)
            if sug is not None:
                out.append(sug)
        if "_" in shadow:
            for m in _FIELD.finditer(shadow):
                parts = m.group().split("_")
                listed = shadow[m.start() - 1 : m.start()] in _LIST_BEFORE or (
                    shadow[m.end() : m.end() + 1] in _LIST_AFTER
                )
                if listed or any(_FIELD_PART.fullmatch(p) for p in parts):
                    sug = make(text, m.start(), m.end(), LABEL, NAME, 0.8)
                    if sug is not None:
                        out.append(sug)
        return out


_NAMING_AFTER = re.compile(r"为?[“「『\"]")
_COMPLETE_HEADS = frozenset("号码名址称")
_NEGATION = frozenset("无没未")
_NEGATION_WORDS = frozenset(["未设", "没设", "不设", "无需", "未加", "没有", "未经"])
_RIGHT_HEADS = re.compile(r"(?:信息|记录|号码|码|摘要|内容|列表|明细|详情)")
# jieba tags of words that may modify a data noun (机主姓名, 网上银行密码, 收餐地址).
_MODIFIER_TAGS = frozenset({"n", "nz", "ng", "b", "j", "eng"})
_NOT_MODIFIER = frozenset(
    [
        "信息",
        "数据",
        "资料",
        "个人",
        "用户",
        "大量",
        "全部",
        "部分",
        "相关",
        "有关",
        "其他",
        "其它",
        "其余",
        "各类",
        "各种",
        "所有",
        "敏感",
        "真实",
        "内部",
        "系统",
        "后台",
        "平台",
        "公司",
        "网站",
        "服务器",
        "数据库",
        "样本",
        "明文",
        "加密",
        "泄露",
        "非法",
        "批量",
        "包括",
        "以及",
        "访问",
        "登录",
        "设置",
        "修改",
        "利用",
        "附有",
        "传输",
        "重设",
        "影响",
        "诈骗",
        "全市",
        "跨境",
        "精准",
        # places on a network, not a person (公网地址)
        "公网",
        "内网",
        "外网",
        "网页",
        "网址",
        "未设",
        "没设",
    ]
)


_JOINER = re.compile(r"(?:、|以及|及|和|与|或)")
_ITEM_AFTER = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9_]{2,8}?(?=以及|[、，。；：,;.及和与或等\s（(“”「」]|$)"
)
_ITEM_STOP = frozenset("的了是在被将把对从向给让这那其该他她它们我你也都还就又已曾很")
_UMBRELLA = re.compile(r"^(?:.*(?:信息|资料|数据|隐私)|个人.*|用户.*)$")


_RECORD = re.compile(r"(?:记录|明细|流水|详单)")
_RECORD_TAGS = frozenset({"n", "nz", "vn", "v", "b", "j", "ng"})
_LIST_CUES = ("包括", "包含", "含有", "涉及", "如")


def _records(
    ctx: SuggestContext, spans: list[tuple[int, int, float]]
) -> list[tuple[int, int, float]]:
    """`…记录` phrases inside a list (贷款记录、信用卡逾期记录、社保缴纳记录等)."""
    shadow = ctx.shadow
    if "记录" not in shadow and "明细" not in shadow and "流水" not in shadow:
        return []
    from annotator.suggest.jieba_tags import tag_of

    covered = bytearray(len(shadow))
    for s, e, _ in spans:
        covered[s:e] = b"\x01" * (e - s)
    out: list[tuple[int, int, float]] = []
    for m in _RECORD.finditer(shadow):
        end = m.end()
        if covered.find(1, m.start(), end) >= 0:
            continue
        after = shadow[end : end + 1]
        start = m.start()
        for t0, t1 in reversed([t for t in ctx.clause_tokens(start, end) if t[1] <= start]):
            word = shadow[t0:t1]
            if (
                tag_of(word) not in _RECORD_TAGS
                or word in _NOT_MODIFIER
                or word in _LIST_CUES
                or start - t0 > 6
            ):
                break
            start = t0
        if start == m.start():
            continue
        before = shadow[max(0, start - 2) : start]
        listed = after in _LIST_AFTER or (before[-1:] in _LIST_BEFORE) or before in _LIST_CUES
        if listed:
            out.append((start, end, 0.6))
    return out


def _list_siblings(
    ctx: SuggestContext, spans: list[tuple[int, int, float]]
) -> list[tuple[int, int, float]]:
    """Items listed right after a data noun (姓名、看诊科别与就诊日期) are data too."""
    shadow = ctx.shadow
    taken = {(s, e) for s, e, _ in spans}
    starts = {s for s, _, _ in spans}
    out: list[tuple[int, int, float]] = []
    queue = [e for _, e, _ in spans]
    while queue:
        end = queue.pop()
        joiner = _JOINER.match(shadow, end)
        if joiner is None:
            continue
        item = _ITEM_AFTER.match(shadow, joiner.end())
        if item is None or item.start() in starts:
            continue
        word = item.group()
        if _ITEM_STOP.intersection(word) or _UMBRELLA.match(word) or word.isdigit():
            continue
        if not _noun_final(ctx, item.start(), item.end()):
            continue
        if (item.start(), item.end()) not in taken:
            taken.add((item.start(), item.end()))
            out.append((item.start(), item.end(), 0.55))
            queue.append(item.end())
    return out


def _noun_final(ctx: SuggestContext, start: int, end: int) -> bool:
    """Whether shadow[start:end] ends in a noun-like word (not 吻合, not 作为)."""
    from annotator.suggest.jieba_tags import tag_of

    if ctx.shadow[start].isascii():
        return True
    tokens = [t for t in ctx.clause_tokens(start, end) if start <= t[0] and t[1] <= end]
    if not tokens:
        return False
    tag = tag_of(ctx.shadow[tokens[-1][0] : tokens[-1][1]])
    return tag is None or not (tag[0] in "vadpcuryfmq" and tag != "vn")


def _on_edges(ctx: SuggestContext, start: int, end: int) -> bool:
    tokens = ctx.clause_tokens(start, end)
    edges = {t0 for t0, _ in tokens} | {tokens[-1][1]} if tokens else set()
    return start in edges and end in edges


def _extend_right(shadow: str, end: int) -> int:
    """行踪轨迹 + 信息, IMEI + 码: a data noun with a head right after it."""
    m = _RIGHT_HEADS.match(shadow, end)
    if m is None or (m.group() == "信息" and shadow[end - 1] in _COMPLETE_HEADS):
        return end  # 淘宝客户手机号 + 信息: the kind is already named
    return m.end()


def _extend_left(ctx: SuggestContext, start: int, ambiguous: bool) -> int:
    """Start of the noun phrase ending in a data noun (中文姓名, 收餐地址), at most 6 chars.

    -1 when the noun starts inside a word. Cheap dictionary checks come first,
    so that most nouns never need jieba.
    """
    if start == 0:
        return start
    shadow = ctx.shadow
    if not ("\u4e00" <= shadow[start - 1] <= "\u9fff"):
        return start
    from annotator.suggest.jieba_tags import tag_of

    if not ambiguous:
        if shadow[start - 1] in _ITEM_STOP:
            return start  # 的姓名, 了密码: nothing modifies it
        before = tag_of(shadow[start - 2 : start])
        if before is not None and (
            before not in _MODIFIER_TAGS or shadow[start - 2 : start] in _NOT_MODIFIER
        ):
            return start  # 泄露姓名, 包括身份证号码: a verb, not a modifier

    new_start = start
    tokens = ctx.clause_tokens(start, start + 1)
    if start not in {t0 for t0, _ in tokens}:
        return -1  # the noun starts inside a word (员工资料 holds no 工资)
    for t0, t1 in reversed([t for t in tokens if t[1] <= start]):
        word = shadow[t0:t1]
        tag = tag_of(word)
        if tag is None and len(word) == 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
            tag = "n"  # an unknown two-character word: most often a noun (收餐, 健保)
        if tag not in _MODIFIER_TAGS or word in _NOT_MODIFIER or start - t0 > 6:
            break
        new_start = t0
    if shadow[new_start : new_start + 1] == "人" and new_start < start:
        # 接送|人|照片, 联系|人|电话: the person is named by the verb before 人
        prev = [t for t in tokens if t[1] == new_start]
        if prev and tag_of(shadow[prev[0][0] : prev[0][1]]) in ("v", "vn"):
            new_start = prev[0][0]
    return new_start


def _glued_latin(shadow: str, start: int, end: int) -> bool:
    """A Latin entry (ID, UID, IMEI) inside a longer Latin word is not a match."""
    first, last = shadow[start], shadow[end - 1]
    if first.isascii() and first.isalnum() and start and _latin_char(shadow[start - 1]):
        return True
    return last.isascii() and last.isalnum() and end < len(shadow) and _latin_char(shadow[end])


def _latin_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


@cache
def suggester() -> DataTypeSuggester:
    return DataTypeSuggester()
