"""Undo/redo over every kind of edit, driven through the screen's edit methods by hypothesis.

One app runs for the whole property; each example resets the document to the
same starting label file, applies a random sequence of edits, undos and redos
through the AnnotateScreen, and checks it against a plain list-of-states model
— and, at the end of each example, that the file on disk equals the screen's state.
"""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import edits
from annotator.model import LabelFile, Suggestion
from annotator.spans import check_label_file
from annotator.workspace import Workspace

from .conftest import SIMPLIFIED, read_labels, span, write_labels
from .helpers import annotate_screen, running

DOC = "a-simplified"
LABELS = ("ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE")

offsets = st.integers(min_value=0, max_value=len(SIMPLIFIED) - 1)
operations = st.one_of(
    st.tuples(st.just("label"), offsets, st.sampled_from(LABELS)),
    st.tuples(st.just("remove"), offsets),
    st.tuples(st.just("uncertain"), offsets),
    st.tuples(st.just("accept"), offsets),
    st.tuples(st.just("reject"), offsets),
    st.tuples(st.just("accept_all")),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
    st.tuples(st.just("status"), st.sampled_from(["done", "skipped", "in_progress"])),
)


def comparable(label_file: LabelFile) -> tuple[object, ...]:
    return (
        sorted(label_file.spans, key=lambda s: s.key),
        sorted(label_file.suggestions, key=lambda s: s.key),
        sorted(label_file.rejected, key=lambda s: s.key),
        label_file.status,
        label_file.note,
    )


def taught(before: LabelFile, after: LabelFile) -> LabelFile:
    """The model of teaching: each newly labelled string suggested at its other places."""
    for new in edits.new_spans(before, after):
        after = edits.propagate(after, SIMPLIFIED, new)
    return after


def test_undo_redo_sequences_match_a_model_and_the_disk(workspace: Workspace) -> None:
    write_labels(
        workspace,
        DOC,
        spans=[span(SIMPLIFIED, "王某", "PERSON")],
        suggestions=[
            span(SIMPLIFIED, "星河数据科技有限公司", "ORG", cls=Suggestion),
            span(SIMPLIFIED, "120万条", "NUMBER", cls=Suggestion),
            span(SIMPLIFIED, "手机号码", "DATA_TYPE", cls=Suggestion),
        ],
    )

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, _pilot):
            screen = annotate_screen(app)
            session = screen.session
            start = session.label_file
            document = session.document

            @settings(
                max_examples=40,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            )
            @given(st.lists(st.tuples(operations, st.booleans()), max_size=14))
            def check(steps: list[tuple[tuple[object, ...], bool]]) -> None:
                session.history = edits.History(start)
                session.save()  # the disk starts from the same state as the model
                screen.view.set_label_file(start)
                states = [start]  # the model: states[:at+1] are undoable, states[at+1:] redoable
                at = 0
                for op, frame_passed in steps:
                    kind = op[0]
                    before = session.label_file
                    if kind == "undo":
                        changed = screen.undo()
                        assert changed == (at > 0)
                        at = max(0, at - 1)
                    elif kind == "redo":
                        changed = screen.redo()
                        assert changed == (at < len(states) - 1)
                        at = min(len(states) - 1, at + 1)
                    else:
                        if kind == "accept_all":
                            changed = screen.accept_all()
                        elif kind == "status":
                            screen.set_document_status(op[1])  # type: ignore[arg-type]
                            changed = session.label_file != before
                        else:
                            screen.view.move_cursor(int(op[1]))  # type: ignore[call-overload]
                            if kind == "label":
                                changed = screen.label_target(str(op[2]))
                            else:
                                changed = {
                                    "remove": screen.remove_at_cursor,
                                    "uncertain": screen.toggle_uncertain_at_cursor,
                                    "accept": screen.accept_at_cursor,
                                    "reject": screen.reject_at_cursor,
                                }[str(kind)]()
                        if changed:
                            del states[at + 1 :]
                            states.append(taught(before, session.label_file))
                            at += 1
                    if frame_passed or kind in ("undo", "redo"):
                        # The screen teaches after the edit's frame; any later
                        # edit, undo or redo teaches first, so the model holds
                        # the taught state either way.
                        session.teach()
                        assert session.label_file == states[at]
                    assert not check_label_file(session.label_file, document, session.schema, "x")
                session.teach()
                assert session.saver is not None
                assert session.saver.flush()
                assert session.saver.last_error is None
                assert comparable(read_labels(workspace, DOC)) == comparable(session.label_file)

            check()

    asyncio.run(scenario())
