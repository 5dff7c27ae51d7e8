"""Suggestion throughput next to jieba.tokenize on the same ~1 MB of Chinese text.

Prints one JSON line. The text is built from fictional breach sentences
written for this benchmark, shuffled with a fixed seed so every run measures
the same input. Usage: python benchmarks/suggest.py [--size CHARS] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable

SENTENCES = (
    "据警方通报，犯罪嫌疑人王某某利用爬虫软件非法获取某电商平台用户数据约3200万条。",
    "法院审理查明，被告人赵某犯侵犯公民个人信息罪，判处有期徒刑三年六个月，并处罚金人民币12万元。",
    "泄露的信息包括用户姓名、手机号码、身份证号码、家庭住址及银行卡号等。",
    "星辰云数据科技有限公司的一名员工将5000多万条客户记录出售给境外买家，获利近80万元。",
    "黑客组织在论坛上兜售23太字节的数据库，其中含有约1.2亿名会员的登录密码和电子邮箱。",
    "上海市公安局浦东分局网安支队在2021年3月破获此案，抓获嫌疑人11名。",
    "涉案的杭州远帆信息技术有限公司被处以罚款300万元，两名高管被判处有期徒刑2年。",
    "記者從法院獲悉，被告人林某以涉嫌非法獲取計算機信息系統數據罪被提起公訴。",
    "該公司承認，約有一千二百萬名用戶的暱稱、手機號碼和收貨地址遭到外洩。",
    "律师陈明表示，此案涉及的公民个人信息超过6亿条，属于情节特别严重。",
    "调查显示，78.2%的受访者曾收到骚扰电话，近半数的人遭遇过诈骗。",
    "团伙成员通过1100个微信群出售快递面单信息，每条售价0.5至2元。",
    "根据《网络安全法》第四十一条，网络运营者收集个人信息应当遵循合法、正当、必要的原则。",
    "2019年11月至2020年7月，周先生先后从内部系统导出学员信息20余万条。",
    "深圳市南山区人民法院以帮助信息网络犯罪活动罪判处被告人刘某有期徒刑一年多。",
    "該數據庫大小約為20G，包含用戶ID、注册时间、评价内容和IP地址等字段。",
    "记者注意到，涉事平台在过去三年间累计被投诉600～1000次，罚金高达20万美元。",
    "犯罪嫌疑人黎女士供述，她以每条3分钱的价格收购了1180738048条用户记录。",
    "法院认定二人构成破坏计算机信息系统罪，分别判处有期徒刑3年3个月和2年半。",
    "某某日报援引知情人士的话称，泄露事件影响了约三分之一的注册用户。",
    "The leaked table contains columns user_id, user_nick, phone and email for 4.5 million rows.",
    "警方提醒，市民千萬不要點擊陌生鏈接，以免個人信息被竊取。",
)


def build_text(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        paragraph = list(SENTENCES)
        rng.shuffle(paragraph)
        chunk = "".join(paragraph[: rng.randint(6, len(paragraph))]) + "\n"
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)[:size]


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of text")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from annotator.suggest.engine import default_suggesters, suggest_document
    from annotator.text.tokens import jieba_module

    text = build_text(args.size)
    jieba = jieba_module()
    default_suggesters()  # build lexicons once, outside the timing
    suggest_document(text[:2000])

    count = 0

    def run_suggest() -> None:
        nonlocal count
        count = len(suggest_document(text))

    def run_jieba() -> None:
        for _ in jieba.tokenize(text, HMM=True):
            pass

    # Interleaved, so that a busy machine slows both sides alike.
    suggest_times: list[float] = []
    jieba_times: list[float] = []
    for _ in range(args.repeats):
        suggest_times.append(_seconds(run_suggest))
        jieba_times.append(_seconds(run_jieba))
    suggest_s = statistics.median(suggest_times)
    jieba_s = statistics.median(jieba_times)
    result = {
        "benchmark": "suggest",
        "chars": len(text),
        "repeats": args.repeats,
        "suggestions": count,
        "suggest_seconds": round(suggest_s, 3),
        "suggest_chars_per_s": round(len(text) / suggest_s),
        "jieba_tokenize_seconds": round(jieba_s, 3),
        "jieba_tokenize_chars_per_s": round(len(text) / jieba_s),
        "ratio_vs_jieba": round(jieba_s / suggest_s, 3),
        "python": sys.version.split()[0],
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
