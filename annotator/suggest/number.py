"""NUMBER: a quantity with its number and its unit or measure word.

One precompiled regex over the simplified shadow finds candidates (Arabic,
full-width and Chinese numerals, ranges, approximations, percentages,
fractions); a few cheap checks then drop what the guidelines exclude: dates,
article numbers, ordinals, 一 used as "a", vague quantities.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import SuggestContext, make
from annotator.suggest.triere import trie_pattern

NAME = "number"
LABEL = "NUMBER"

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
CN_MAGS = "十百千万亿拾佰仟"
_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.．]\d+)?"
_CN = f"[{CN_DIGITS}{CN_MAGS}]+"
_NUM = rf"(?:{_ARABIC}|{_CN})(?:[多余来]?[十百千万亿]+(?:\d+[十百千万亿]*)*)?"
_APPROX = "将近|接近|大约|大概|近|约"
_SEP = "至|到|~|～|-|－|—|–|〜"

# Units by kind; the kind decides the checks below.
TIME_UNITS = (
    "年",
    "个月",
    "个多月",
    "个半月",
    "周",
    "个星期",
    "星期",
    "礼拜",
    "个礼拜",
    "天",
    "晚",
    "个晚上",
    "小时",
    "个小时",
    "个多小时",
    "个半小时",
    "分钟",
    "秒",
    "秒钟",
    "个工作日",
    "工作日",
    "昼夜",
)
MONEY_UNITS = (
    "元",
    "万元",
    "亿元",
    "元人民币",
    "人民币",
    "块",
    "块钱",
    "美元",
    "美金",
    "港元",
    "港币",
    "欧元",
    "英镑",
    "日元",
    "韩元",
    "澳元",
    "加元",
    "新台币",
    "台币",
    "卢布",
    "比特币",
    "澳门币",
    "新加坡元",
    "令吉",
    "泰铢",
    "澳门元",
    "美分",
    "分钱",
    "毛钱",
    "角",
)
SIZE_UNITS = (
    "G",
    "GB",
    "T",
    "TB",
    "M",
    "MB",
    "K",
    "KB",
    "PB",
    "EB",
    "Gb",
    "Mb",
    "字节",
    "千字节",
    "兆字节",
    "吉字节",
    "太字节",
    "拍字节",
    "艾字节",
    "兆",
    "个G",
    "比特",
    "bit",
)
OTHER_UNITS = ("岁", "周岁", "倍", "%", "％", "‰", "个百分点", "百分点", "成")
MEASURE_UNITS = (
    "条",
    "个",
    "人",
    "人次",
    "名",
    "位",
    "家",
    "次",
    "起",
    "份",
    "件",
    "项",
    "台",
    "部",
    "张",
    "笔",
    "户",
    "款",
    "宗",
    "单",
    "批",
    "组",
    "套",
    "类",
    "种",
    "样",
    "篇",
    "页",
    "行",
    "字段",
    "个字段",
    "所",
    "间",
    "辆",
    "座",
    "枚",
    "只",
    "封",
    "场",
    "轮",
    "届",
    "颗",
    "段",
    "层",
    "吨",
    "公斤",
    "千克",
    "米",
    "公里",
    "平方米",
    "股",
    "遍",
    "台次",
    "条次",
    "万",
    "亿",
    "余",
    "多",
)
_TIME = frozenset(TIME_UNITS)
_MEASURE = frozenset(MEASURE_UNITS)
_SIZE = frozenset(SIZE_UNITS)
_ALL_UNITS = TIME_UNITS + MONEY_UNITS + SIZE_UNITS + OTHER_UNITS + MEASURE_UNITS
_UNIT = trie_pattern(u for u in _ALL_UNITS if u not in ("万", "亿", "余", "多"))

_MAIN = re.compile(
    rf"(?P<approx>{_APPROX})?"
    rf"(?:(?P<pct>百分之{_CN}(?:点{_CN})?)"
    rf"|(?P<frac>(?:\d+|{_CN})分之(?:\d+|{_CN}))"
    rf"|(?P<half>半数|一半)"
    rf"|(?P<num>{_NUM}|半)(?P<fuzz>[多余来])?(?P<unit>{_UNIT})?"
    rf"(?:(?P<sep>{_SEP})(?:{_APPROX})?(?P<num2>{_NUM})(?P<fuzz2>[多余来])?(?P<unit2>{_UNIT})?)?"
    r")"
)
# A second duration part: 3年3个月, 三年零六个月.
_MORE_TIME = re.compile(
    rf"零?(?:{_ARABIC}|{_CN}|半)(?:个多?月|个半月|周|个?星期|天|个?小时|分钟|秒)[多半]?"
)
_RANGE_TAIL = re.compile(f"(?:{_SEP})")
_MONTH_AFTER = re.compile(rf"(?:\d{{1,2}}|[{CN_DIGITS}十]{{1,3}})月")
_YEAR_CN = re.compile(f"[{CN_DIGITS}]{{2,4}}")
_VAGUE_BEFORE = frozenset("数几上成少好")
_LIMIT_BEFORE = frozenset("逾超过近约达占有")
_AFTER_CHENG = frozenset("为了立员交本果绩型品功")
_AFTER_QIANWAN = ("不", "别", "要", "注意", "小心", "记", "保", "莫")
_YEAR_WORDS = frozenset("度代初底末中间级龄前后内来")
_LATIN = re.compile(r"[A-Za-z]")
_G_TECH = ("网", "手机", "信号", "技术", "时代", "基站", "牌照", "套餐", "流量")


def _has_mag(num: str) -> bool:
    return any(ch in "百千万亿佰仟" for ch in num)


def _is_year(num: str) -> bool:
    if num.isdigit() or all(ch.isdigit() for ch in num):
        return len(num) == 4 and num[0] in "12１２"
    return bool(_YEAR_CN.fullmatch(num)) and len(num) in (2, 4) and "十" not in num


def _quantity_ok(num: str, unit: str | None, shadow: str, end: int) -> bool:
    """Whether `num` + `unit` (ending at `end`) is a quantity, not a date or a word."""
    is_arabic = num[0].isdigit()
    if unit is None:
        # Bare numbers count only with a magnitude: 近10亿, 5000万, 千万.
        if num in ("万一", "一一"):
            return False
        if is_arabic:
            return num[-1] in "万亿"
        if len(num) < 2 or not _has_mag(num):
            return False
        return not (num == "千万" and shadow.startswith(_AFTER_QIANWAN, end))
    if not is_arabic and len(num) == 1 and num in "百千万亿佰仟":
        return False
    if unit == "年":
        if _is_year(num) or _MONTH_AFTER.match(shadow, end):
            return False
        if end < len(shadow) and shadow[end] in _YEAR_WORDS:
            return shadow[end] in "间前后中内来"  # 一年间, 3年前; not 年代, 年级, 年底
        if is_arabic and len(num) >= 3 and not _has_mag(num):
            return False
    if unit == "成":
        if is_arabic or len(num) != 1 or (end < len(shadow) and shadow[end] in _AFTER_CHENG):
            return False
        if num == "八" and end < len(shadow) and shadow[end] in "是会就要也都":
            return False
    if unit in _SIZE:
        if end < len(shadow) and _LATIN.match(shadow[end]):
            return False
        if unit == "G" and len(num) == 1 and shadow.startswith(_G_TECH, end):
            return False
    if (
        unit in ("%", "％")
        and end < len(shadow)
        and shadow[end].isascii()
        and shadow[end].isalnum()
    ):
        return False  # URL escapes such as %E7%9C%BE
    if unit in ("M", "K", "T") and not is_arabic:
        return False
    if num == "二" and unit == "次":
        return False  # 二次 is "secondary" (二次验证); a count is 两次
    return not (num == "一" and unit in _MEASURE)


class NumberSuggester:
    """Quantities: counts, money, durations, sizes, percentages, ages, fractions."""

    name = NAME
    labels = frozenset({LABEL})

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        search = _MAIN.search
        m = search(shadow)
        while m is not None:
            span = _check(m, shadow)
            pos = m.end() if m.end() > m.start() else m.start() + 1
            if span is not None:
                sug = make(text, span[0], span[1], LABEL, NAME, span[2])
                if sug is not None:
                    out.append(sug)
                    pos = max(pos, span[1])
            m = search(shadow, pos)
        return out


def _check(m: re.Match[str], shadow: str) -> tuple[int, int, float] | None:
    """(start, end, score) of the quantity in match `m`, or None."""
    start, end = m.start(), m.end()
    approx = m.group("approx")
    if approx:
        before = shadow[start - 1] if start else " "
        if (approx == "近" and before in "最附靠贴逼临") or (
            approx == "约" and before in "预合签公制节契条违简邀相"
        ):
            start += len(approx)
    first = start + (len(approx) if approx and start == m.start() else 0)
    before = shadow[first - 1] if first else " "
    if before == "第" or (before and before.isascii() and before.isalnum()) or before in ".．%":
        return None
    num = m.group("num")
    if num is None:
        if m.group("half") and before in "多过":
            return None
        return start, end, 0.85
    if (
        before in _VAGUE_BEFORE
        and num[0] in "十百千万亿"
        and (before != "少" or shadow[first - 2 : first] == "多少")
    ):
        return None
    if num == "半" and before in "上下前后":
        return None  # 上半年 is a calendar half, not a quantity
    if m.group("unit") == "成" and before in _LIMIT_BEFORE:
        return _extend(shadow, start, m.end("unit"), "成")
    unit = m.group("unit")
    if m.group("sep"):
        num2, unit2 = m.group("num2"), m.group("unit2")
        if (
            num2
            and _quantity_ok(num2, unit2, shadow, end)
            and (unit is None or unit == unit2 or unit2 in ("万元", "亿元"))
            and not (unit is None and num[0].isdigit() != num2[0].isdigit())
        ):
            return _extend(shadow, start, end, unit2)
        end = m.end("unit") if unit else (m.end("fuzz") if m.group("fuzz") else m.end("num"))
    if num == "半":
        if unit not in _TIME:
            return None
    elif not _quantity_ok(num, unit, shadow, end):
        return None
    return _extend(shadow, start, end, unit)


def _extend(shadow: str, start: int, end: int, unit: str | None) -> tuple[int, int, float]:
    """Add what follows a quantity: 半 / 多 after a duration, further parts, 左右."""
    if unit in _TIME:
        if end < len(shadow) and shadow[end] in "多半":
            end += 1
        more = _MORE_TIME.match(shadow, end)
        while more:
            end = more.end()
            more = _MORE_TIME.match(shadow, end)
    if shadow.startswith("左右", end):
        end += 2
    tail = _RANGE_TAIL.match(shadow, end)
    if tail is not None:
        nxt = _MAIN.match(shadow, tail.end())
        if nxt is not None and nxt.group("num") and nxt.group("unit") and not nxt.group("sep"):
            second = _check(nxt, shadow)
            if second is not None and second[0] == tail.end():
                end = second[1]
    score = 0.9 if unit is not None else 0.8
    return start, end, score


@cache
def suggester() -> NumberSuggester:
    return NumberSuggester()
