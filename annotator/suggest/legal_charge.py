"""LEGAL_CHARGE: named criminal charges ending in 罪.

A lexicon of the charges of the PRC Criminal Law (and the Hong Kong, Macau and
Taiwan offences news cites) finds the known names; a general pattern finds
other `…罪` names after a charging verb (涉嫌, 犯, 构成 …), after a previous
charge (…罪及…罪) or inside quotes, when the words between hold no function
word. Titles in 《》, `…犯罪` and verbs alone never match.
"""

from __future__ import annotations

import re
from functools import cache

from annotator.model import Suggestion
from annotator.suggest.base import SuggestContext, inside_title, make
from annotator.suggest.lexicon_files import lexicon
from annotator.suggest.triere import trie_pattern

NAME = "legal_charge"
LABEL = "LEGAL_CHARGE"

_CUES = sorted(
    [
        "涉嫌",
        "犯有",
        "构成",
        "被控",
        "指控",
        "控告",
        "触犯",
        "定性为",
        "认定为",
        "判犯",
        "罪名为",
        "依刑法",
        "刑法",
        "犯",
        "以",
        "因",
        "涉",
        "控",
        "依",
    ],
    key=len,
    reverse=True,
)
_FORBIDDEN = frozenset("了是他她其并已认被我你们这那该之此也都又还的罪不与会")


class LegalChargeSuggester:
    """Charge names: the lexicon first, then `cue + …罪`."""

    name = NAME
    labels = frozenset({LABEL})

    def __init__(self) -> None:
        names = lexicon("legal_charge")
        self._known = re.compile(trie_pattern(names))
        cues = "|".join(_CUES)
        # A charging verb, or 罪 + 及/、 (the next charge of a list), or a quote.
        self._general = re.compile(
            rf"(?:(?:{cues})|(?<=罪)(?:及|、|和|与|或|以及)|[「“『])"
            r"(?P<charge>[\u4e00-\u9fff、]{2,24}?罪)"
        )
        self._known_names = frozenset(names)

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        shadow = ctx.shadow
        out: list[Suggestion] = []
        taken: dict[int, int] = {}
        for m in self._known.finditer(shadow):
            if inside_title(shadow, m.start()):
                continue
            sug = make(text, m.start(), m.end(), LABEL, NAME, 0.97)
            if sug is not None:
                out.append(sug)
                taken[m.end()] = m.start()
        if "罪" not in shadow:
            return out
        for m in self._general.finditer(shadow):
            start, end = m.span("charge")
            charge = m.group("charge")
            stripped = True
            while stripped:  # 因涉嫌…罪: the cue is 涉嫌, not 因
                stripped = False
                for cue in _CUES:
                    if charge.startswith(cue) and len(charge) - len(cue) >= 3:
                        charge = charge[len(cue) :]
                        start += len(cue)
                        stripped = True
                        break
            body = charge[:-1]
            if _FORBIDDEN.intersection(body) or charge.startswith("、") or len(body) < 2:
                continue
            if body.endswith("犯"):  # …犯罪 names a kind of crime, not a charge
                continue
            score = 0.75
            if taken.get(end) == start:
                continue  # the lexicon has it already
            if end in taken:
                # A known charge with a qualifier before it (串谋诈骗罪) wins.
                inner = next((k for k in self._suffixes_of(charge) if k != charge), None)
                if inner is None or len(charge) - len(inner) > 4:
                    continue
                score = 0.98
            if inside_title(shadow, start):
                continue
            sug = make(text, start, end, LABEL, NAME, score)
            if sug is not None:
                out.append(sug)
        return out

    def _suffixes_of(self, charge: str) -> list[str]:
        return [charge[i:] for i in range(1, len(charge) - 1) if charge[i:] in self._known_names]


@cache
def suggester() -> LegalChargeSuggester:
    return LegalChargeSuggester()
