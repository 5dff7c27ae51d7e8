"""Pure edits of a LabelFile. Each returns a new LabelFile and never touches disk.

Because label files are immutable, undo is a stack of earlier states: the TUI
keeps the stack, this module defines what one step is.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from annotator.model import LabelFile, RejectedSpan, Span, Status, Suggestion

_EDGE_JUNK = frozenset(" \t\n\u3000")


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and text[start] in _EDGE_JUNK:
        start += 1
    while end > start and text[end - 1] in _EDGE_JUNK:
        end -= 1
    return start, end


def span_at(label_file: LabelFile, offset: int) -> Span | None:
    for span in label_file.spans:
        if span.start <= offset < span.end:
            return span
    return None


def suggestion_at(label_file: LabelFile, offset: int) -> Suggestion | None:
    for suggestion in label_file.suggestions:
        if suggestion.start <= offset < suggestion.end:
            return suggestion
    return None


def _without_overlapping_suggestions(
    suggestions: Iterable[Suggestion], start: int, end: int
) -> tuple[Suggestion, ...]:
    return tuple(s for s in suggestions if not s.overlaps(start, end))


def _started(label_file: LabelFile) -> Status:
    return "in_progress" if label_file.status == "todo" else label_file.status


def add_span(
    label_file: LabelFile,
    text: str,
    start: int,
    end: int,
    label: str,
    *,
    source: str = "manual",
    allow_overlap: bool = False,
) -> LabelFile:
    """Label [start, end): trims whitespace, replaces spans it overlaps (unless
    overlaps are allowed) and drops the pending suggestions it covers."""
    start, end = trim(text, start, end)
    if start >= end:
        return label_file
    new = Span(start=start, end=end, label=label, text=text[start:end], source=source)
    if allow_overlap:
        kept = tuple(s for s in label_file.spans if s.key != new.key)
    else:
        kept = tuple(s for s in label_file.spans if not s.overlaps(start, end))
    return label_file.model_copy(
        update={
            "spans": (*kept, new),
            "suggestions": _without_overlapping_suggestions(label_file.suggestions, start, end),
            "status": _started(label_file),
        }
    )


def relabel(label_file: LabelFile, span: Span, label: str) -> LabelFile:
    if span.label == label:
        return label_file
    replaced = span.model_copy(update={"label": label, "source": "manual"})
    spans = tuple(replaced if s == span else s for s in label_file.spans)
    return label_file.model_copy(update={"spans": spans, "status": _started(label_file)})


def remove_span(label_file: LabelFile, span: Span) -> LabelFile:
    spans = tuple(s for s in label_file.spans if s != span)
    return label_file.model_copy(update={"spans": spans, "status": _started(label_file)})


def resize_span(label_file: LabelFile, text: str, span: Span, start: int, end: int) -> LabelFile:
    """Move a span's boundaries (character fine-tuning); no-op if it would be empty."""
    start, end = trim(text, max(0, start), min(len(text), end))
    if start >= end:
        return label_file
    moved = span.model_copy(update={"start": start, "end": end, "text": text[start:end]})
    others = tuple(s for s in label_file.spans if s != span and not s.overlaps(start, end))
    return label_file.model_copy(
        update={
            "spans": (*others, moved),
            "suggestions": _without_overlapping_suggestions(label_file.suggestions, start, end),
            "status": _started(label_file),
        }
    )


def toggle_uncertain(label_file: LabelFile, span: Span) -> LabelFile:
    flipped = span.model_copy(update={"uncertain": not span.uncertain})
    spans = tuple(flipped if s == span else s for s in label_file.spans)
    return label_file.model_copy(update={"spans": spans})


def accept_suggestion(
    label_file: LabelFile, suggestion: Suggestion, *, allow_overlap: bool = False
) -> LabelFile:
    span = Span(
        start=suggestion.start,
        end=suggestion.end,
        label=suggestion.label,
        text=suggestion.text,
        source=suggestion.source,
        agreed_by=suggestion.agreed_by,
    )
    if allow_overlap:
        spans = (*label_file.spans, span)
    else:
        spans = (*(s for s in label_file.spans if not s.overlaps(span.start, span.end)), span)
    return label_file.model_copy(
        update={
            "spans": spans,
            "suggestions": _without_overlapping_suggestions(
                label_file.suggestions, span.start, span.end
            ),
            "status": _started(label_file),
        }
    )


def reject_suggestion(label_file: LabelFile, suggestion: Suggestion) -> LabelFile:
    rejected = RejectedSpan(
        start=suggestion.start, end=suggestion.end, label=suggestion.label, text=suggestion.text
    )
    return label_file.model_copy(
        update={
            "suggestions": tuple(s for s in label_file.suggestions if s != suggestion),
            "rejected": (*label_file.rejected, rejected),
            "status": _started(label_file),
        }
    )


def accept_all(label_file: LabelFile, *, allow_overlap: bool = False) -> LabelFile:
    """Accept every pending suggestion, highest score first where they compete."""
    result = label_file
    for suggestion in sorted(label_file.suggestions, key=lambda s: (-s.score, s.start)):
        if suggestion in result.suggestions:
            result = accept_suggestion(result, suggestion, allow_overlap=allow_overlap)
    return result


def set_suggestions(label_file: LabelFile, suggestions: Iterable[Suggestion]) -> LabelFile:
    """Store fresh suggestions, minus those overlapping a span or already rejected."""
    rejected = {r.key for r in label_file.rejected}
    spans = label_file.spans
    kept = tuple(
        s
        for s in suggestions
        if s.key not in rejected and not any(span.overlaps(s.start, s.end) for span in spans)
    )
    return label_file.model_copy(update={"suggestions": kept})


TAUGHT_SOURCE = "taught"
TAUGHT_SCORE = 0.9


def worth_teaching(surface: str) -> bool:
    """Two or more characters, at least one of them a letter, digit or Han character."""
    return len(surface.strip()) >= 2 and any(ch.isalnum() for ch in surface)


def propagate(label_file: LabelFile, text: str, taught: Span) -> LabelFile:
    """Suggest `taught`'s surface text at its other occurrences in the document.

    What an annotator just labelled is the best evidence there is: it is
    proposed at once wherever the same string appears, except where a span
    already is or the annotator rejected it. Competing pending suggestions
    there give way. Runs on every label key, so it stays O((n + k) log n).
    A single character or a run of punctuation is not evidence of anything
    (it matches inside every other word), so it is not propagated.
    """
    surface = taught.text
    if not worth_teaching(surface):
        return label_file
    rejected = {r.key for r in label_file.rejected}
    span_ranges = sorted((s.start, s.end) for s in label_file.spans)
    span_starts = [start for start, _ in span_ranges]
    reach = list(accumulate((end for _, end in span_ranges), max))  # furthest end so far

    def covered(start: int, end: int) -> bool:
        before = bisect_left(span_starts, end)  # spans starting before `end`
        return before > 0 and reach[before - 1] > start

    places: list[tuple[int, int]] = []
    position = text.find(surface)
    while position != -1:
        end = position + len(surface)
        if (position, end, taught.label) not in rejected and not covered(position, end):
            places.append((position, end))
        position = text.find(surface, end)
    if not places:
        return label_file
    place_starts = [start for start, _ in places]
    label = taught.label

    def competes(suggestion: Suggestion) -> bool:
        index = bisect_left(place_starts, suggestion.end)
        return index > 0 and places[index - 1][1] > suggestion.start

    def already(suggestion: Suggestion) -> bool:
        return (
            suggestion.source == TAUGHT_SOURCE
            and suggestion.label == label
            and (suggestion.start, suggestion.end) in place_set
        )

    # A place that already holds this taught suggestion keeps the same object,
    # so views that diff by identity repaint only what really changed.
    place_set = set(places)
    kept = [s for s in label_file.suggestions if already(s) or not competes(s)]
    held = {(s.start, s.end) for s in kept if already(s)}
    taught_suggestions = [
        Suggestion(
            start=start,
            end=end,
            label=label,
            text=surface,
            source=TAUGHT_SOURCE,
            score=TAUGHT_SCORE,
        )
        for start, end in places
        if (start, end) not in held
    ]
    if not taught_suggestions and len(kept) == len(label_file.suggestions):
        return label_file
    return label_file.model_copy(update={"suggestions": (*kept, *taught_suggestions)})


def new_spans(before: LabelFile, after: LabelFile) -> list[Span]:
    """Spans present in `after` but not in `before` (what an edit labelled).

    Edits keep the Span objects they do not touch, so identity finds the
    candidates without hashing every span; equality then drops a span that
    was only replaced by an equal one.
    """
    kept = set(map(id, before.spans))
    fresh = [s for s in after.spans if id(s) not in kept]
    if not fresh:
        return []
    places = {(s.start, s.end) for s in fresh}
    same_place = [s for s in before.spans if (s.start, s.end) in places]
    return [s for s in fresh if s not in same_place]


def set_status(label_file: LabelFile, status: Status, note: str | None = None) -> LabelFile:
    update: dict[str, object] = {"status": status}
    if note is not None:
        update["note"] = note
    return label_file.model_copy(update=update)


@dataclass
class History:
    """Undo/redo over whole LabelFile states for one editing session."""

    current: LabelFile
    _undo: list[LabelFile] = field(default_factory=list)
    _redo: list[LabelFile] = field(default_factory=list)
    limit: int = 10_000

    def push(self, new_state: LabelFile) -> bool:
        """Record an edit; returns False (and records nothing) when nothing changed."""
        if new_state == self.current:
            return False
        self._undo.append(self.current)
        if len(self._undo) > self.limit:
            del self._undo[0]
        self._redo.clear()
        self.current = new_state
        return True

    def amend(self, new_state: LabelFile) -> bool:
        """Fold a follow-up change into the current step (undo takes both back)."""
        if new_state == self.current:
            return False
        self._redo.clear()
        self.current = new_state
        return True

    def undo(self) -> LabelFile | None:
        if not self._undo:
            return None
        self._redo.append(self.current)
        self.current = self._undo.pop()
        return self.current

    def redo(self) -> LabelFile | None:
        if not self._redo:
            return None
        self._undo.append(self.current)
        self.current = self._redo.pop()
        return self.current

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)
