"""The engine: overlap resolution, labelled and rejected spans, schema labels, trimming."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.model import RejectedSpan, Span, Suggestion
from annotator.suggest.base import resolve_overlaps, trim
from annotator.suggest.engine import suggest_document, suggest_text

TEXT = "被告人黎某犯侵犯公民个人信息罪，泄露淘宝客户手机号5000多万条，罚款35万元。"


def sug(start: int, end: int, label: str = "ORG", score: float = 0.5) -> Suggestion:
    return Suggestion(start=start, end=end, label=label, text="x" * (end - start), score=score)


def test_resolution_prefers_score_then_length() -> None:
    kept = resolve_overlaps([sug(0, 4, score=0.5), sug(2, 3, score=0.9), sug(3, 9, score=0.5)])
    assert [(s.start, s.end) for s in kept] == [(2, 3), (3, 9)]
    kept = resolve_overlaps([sug(0, 2), sug(0, 5), sug(5, 6)])
    assert [(s.start, s.end) for s in kept] == [(0, 5), (5, 6)]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 8), st.floats(0, 1)), min_size=0, max_size=25
    )
)
def test_resolution_never_overlaps(items: list[tuple[int, int, float]]) -> None:
    kept = resolve_overlaps([sug(s, s + n, score=p) for s, n, p in items])
    for a, b in itertools.pairwise(kept):
        assert a.end <= b.start
    # every dropped candidate overlaps a kept one at least as good
    for s, n, p in items:
        if not any(k.start == s and k.end == s + n for k in kept):
            assert any(k.start < s + n and s < k.end and k.score >= p for k in kept)


def test_trim_removes_spaces_and_punctuation_but_not_percent() -> None:
    assert trim("「淘宝」", 0, 4) == (1, 3)
    assert trim(" 7% ", 0, 4) == (1, 3)


def test_suggest_text_covers_all_labels_without_overlaps() -> None:
    got = suggest_text(TEXT)
    labels = {(s.label, s.text) for s in got}
    assert ("PERSON", "黎某") in labels
    assert ("LEGAL_CHARGE", "侵犯公民个人信息罪") in labels
    assert ("DATA_TYPE", "淘宝客户手机号") in labels
    assert ("NUMBER", "5000多万条") in labels and ("NUMBER", "35万元") in labels
    for a, b in itertools.pairwise(got):
        assert a.end <= b.start
    for s in got:
        assert TEXT[s.start : s.end] == s.text and s.text == s.text.strip()


def test_labelled_spans_are_never_overlapped() -> None:
    start = TEXT.index("淘宝")
    labelled = [Span(start=start, end=start + 2, label="ORG", text="淘宝")]
    got = suggest_document(TEXT, labelled=labelled)
    assert not any(s.overlaps(start, start + 2) for s in got)


def test_rejected_suggestion_is_not_proposed_again() -> None:
    first = suggest_document(TEXT)
    victim = next(s for s in first if s.label == "NUMBER")
    rejected = [
        RejectedSpan(start=victim.start, end=victim.end, label=victim.label, text=victim.text)
    ]
    again = suggest_document(TEXT, rejected=rejected)
    assert victim.key not in {s.key for s in again}
    assert len(again) == len(first) - 1


def test_only_schema_labels_are_proposed() -> None:
    got = suggest_document(TEXT, labels=["NUMBER"])
    assert got and {s.label for s in got} == {"NUMBER"}
    assert suggest_document(TEXT, labels=[]) == []


def test_empty_and_plain_texts() -> None:
    assert suggest_text("") == []
    assert suggest_text("hello world") == []


def test_every_lexicon_entry_matches_in_traditional_script() -> None:
    """A lexicon written in simplified serves traditional text through the shadow."""
    from annotator.suggest.lexicon_files import LEXICON_DIR, lexicon, read_entries
    from annotator.text.script import to_simplified_shadow, to_traditional_shadow

    for path in sorted(LEXICON_DIR.glob("*.txt")):
        folded = set(lexicon(path.stem))
        for entry in read_entries(path):
            for word in entry.split() if path.stem == "surname" else [entry]:
                shadow = to_simplified_shadow(to_traditional_shadow(word))
                assert shadow in folded or path.stem == "surname", (path.name, word)


def test_importing_the_engine_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, annotator.suggest.engine as e, annotator.suggest.taught;"
        "print(sorted(m for m in ('jieba', 'opencc', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
