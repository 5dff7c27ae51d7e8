"""PERSON: named people, anonymised or full, with their titles kept outside.

Anonymised forms (逯某, 周某某, 黎先生) are found by a surname followed by
某 / 先生 / 女士; full names by a role written just before them (律师陈良,
文|孟帅), the name's extent taken from jieba's words of a small window and
jieba's dictionary tags (nr). Names found here are then echoed to their other
mentions by the engine.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import SuggestContext, make
from annotator.suggest.jieba_tags import FUNCTION_WORD_TAGS, tag_of, word_tags
from annotator.suggest.lexicon_files import lexicon
from annotator.suggest.triere import trie_pattern

NAME = "person"
LABEL = "PERSON"

# What follows 某 when it means "a certain" thing, not a person (某公司, 某市).
_NOT_PERSON_AFTER = re.compile(
    "公司|科技|集团|企业|机构|单位|平台|网站|网络|银行|医院|学校|大学|部门|品牌|酒店|电商|"
    "互联网|知名|大型|国内|境外|境内|外卖|快递|物流|app|APP|支行|分行|门店|网点|"
    "[市省县区镇村乡州国地网些种项次处类款家个条位名天年月日部局院所店站]"
)
# Surnames that are also common function words need a clean left edge.
_RISKY = frozenset("于向将和由经与从把对在为以其时全成安明平国方高文江")
_HONORIFIC = "某某|某|先生|女士|小姐"
_NOT_GIVEN = frozenset("的了在是和与及等称说指也则就曾已将被因向对为从于但并而又都还")
_NAME_STOP_TAGS = FUNCTION_WORD_TAGS
# A Latin first and last name before a verb of saying (Kelvin Lam表示), and a
# transliterated foreign name written with a middle dot (约翰·史密斯).
_NOT_SURNAME_WORD = frozenset(
    [
        "Labs",
        "Lab",
        "Data",
        "Group",
        "Security",
        "Systems",
        "Networks",
        "Software",
        "Capital",
        "Bank",
        "Media",
        "News",
        "Research",
        "Technologies",
        "Technology",
        "Tech",
        "Inc",
        "Ltd",
        "Corp",
        "Holdings",
        "Analytics",
        "Solutions",
        "Services",
    ]
)
_DOTTED = re.compile(r"[\u4e00-\u9fff](?:[·・‧•][\u4e00-\u9fff])+")
_SPEECH_AFTER = frozenset("说称表指认介透在的是等和与")
# A Latin name of two or three capitalised words (Maria Chen); a person after a
# role (分析师Maria Chen) or before a verb of saying (Kelvin Lam表示).
_LATIN_FULL = re.compile(r"(?<![A-Za-z0-9_])[A-Z][a-z]+(?:[ ·][A-Z][a-z]+){1,2}(?![A-Za-z0-9_])")
_SPEECH_VERB = re.compile(
    r"说|表示|称|指出|认为|透露|告诉|回应|介绍|坦言|强调|写道|承认|坦承|解释|补充|提醒"
)


class PersonSuggester:
    """Anonymised names and names after a role word."""

    name = NAME
    labels = frozenset({LABEL})

    def __init__(self) -> None:
        surnames = lexicon("surname")
        # The surname file lists several surnames per line.
        names = tuple(s for line in surnames for s in line.split())
        self._surnames = frozenset(names)
        sur = trie_pattern(names)
        self._anon = re.compile(rf"(?:{sur})(?:{_HONORIFIC})")
        roles = tuple(r for r in lexicon("person_role"))
        # 记者 王晓峰: a byline may put a space between the role and the name
        self._role = re.compile(rf"(?:{trie_pattern(roles)})[ 　]?(?=[\u4e00-\u9fff])")
        self._role_before = re.compile(rf"(?:{trie_pattern(roles)})\s?$")

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        n = len(shadow)
        for m in self._anon.finditer(shadow):
            start, end = m.span()
            if shadow[end - 1] == "某" and _NOT_PERSON_AFTER.match(shadow, end):
                continue
            if end < n and shadow[end] == "某":
                continue
            before = shadow[start - 1] if start else ""
            if before and before not in "人告师者官长犯及、和与" and tag_of(before + shadow[start]):
                continue  # the surname character ends a word (公司某支行)
            if (
                shadow[start] in _RISKY
                and "\u4e00" <= before <= "\u9fff"
                and before not in "人告师者官长犯及、和与"
            ):
                continue
            sug = make(text, start, end, LABEL, NAME, 0.9)
            if sug is not None:
                out.append(sug)
        if "·" in shadow or "・" in shadow or "‧" in shadow or "•" in shadow:
            for m in _DOTTED.finditer(shadow):
                span = _dotted_extent(ctx, m.start(), m.end())
                if span is not None:
                    sug = make(text, span[0], span[1], LABEL, NAME, 0.72)
                    if sug is not None:
                        out.append(sug)
        if any("A" <= ch <= "Z" for ch in shadow):
            for m in _LATIN_FULL.finditer(shadow):
                start, end = m.span()
                if self._role_before.search(shadow, max(0, start - 8), start):
                    score = 0.75
                elif _SPEECH_VERB.match(shadow, end) and (
                    m.group().split()[-1] not in _NOT_SURNAME_WORD
                ):
                    score = 0.72
                else:
                    continue
                sug = make(text, start, end, LABEL, NAME, score)
                if sug is not None:
                    out.append(sug)
        for m in self._role.finditer(shadow):
            span = self._name_after(ctx, m.end())
            while span is not None:
                sug = make(text, span[0], span[1], LABEL, NAME, 0.7)
                if sug is not None:
                    out.append(sug)
                # 被告人张伟、李娜、王强: names listed after the first share its role
                if span[1] + 1 >= n or shadow[span[1]] != "、":
                    break
                span = self._name_after(ctx, span[1] + 1)
        return out

    def _name_after(self, ctx: SuggestContext, start: int) -> tuple[int, int] | None:
        """(start, end) of a 2-3 character name starting at `start`, or None."""
        shadow = ctx.shadow
        if shadow[start] not in self._surnames and shadow[start : start + 2] not in self._surnames:
            return None
        tokens = [t for t in ctx.window_tokens(start, min(len(shadow), start + 6))]
        if not tokens:
            return None
        t0, t1 = tokens[0]
        word = shadow[t0:t1]
        if 2 <= len(word) <= 3:
            if word.endswith(("某", "先生", "女士", "小姐")):
                return None  # the anonymised rule has it
            tag = tag_of(word)
            if tag is not None and not tag.startswith("nr"):
                return None
            if len(word) == 2 and len(tokens) > 1:
                # jieba often splits an unknown three-character name 2 + 1 (倪子|谦).
                n0, n1 = tokens[1]
                last = shadow[n0:n1]
                if (
                    n1 - n0 == 1
                    and _is_chinese(last)
                    and tag_of(last) not in _NAME_STOP_TAGS
                    and last not in _NOT_GIVEN
                ):
                    return t0, n1
                if (
                    n1 - n0 == 2
                    and tag_of(shadow[t0:t1]) == "nrfg"
                    and shadow[n0 + 1] in _SPEECH_AFTER
                    and tag_of(last) is None
                    and shadow[n0] not in _NOT_GIVEN
                ):
                    return t0, n0 + 1  # 梁家|豪说: jieba glued the given name to a verb
            return t0, t1
        if len(word) == 1 and len(tokens) > 1:
            n0, n1 = tokens[1]
            given = shadow[n0:n1]
            if 1 <= len(given) <= 2 and given not in ("某", "某某"):
                tag = tag_of(given)
                if not _is_chinese(given) or (tag in _NAME_STOP_TAGS):
                    return None
                return t0, n1
        return None


def _dotted_extent(ctx: SuggestContext, first: int, last: int) -> tuple[int, int] | None:
    """约翰·史密斯: the jieba word before the first dot to the word after the last."""
    tokens = ctx.clause_tokens(first, last)
    before = [t for t in tokens if t[0] <= first < t[1]]
    after = [t for t in tokens if t[0] < last <= t[1]]
    if not before or not after:
        return None
    start, end = before[0][0], after[0][1]
    head, tail = ctx.shadow[start : first + 1], ctx.shadow[last - 1 : end]
    if len(head) < 2 or len(tail) < 2 or not (_is_chinese(head) and _is_chinese(tail)):
        return None
    if tag_of(head) in _NAME_STOP_TAGS or tag_of(tail) in _NAME_STOP_TAGS:
        return None
    return start, end


def _is_chinese(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


@cache
def suggester() -> PersonSuggester:
    word_tags()
    return PersonSuggester()
