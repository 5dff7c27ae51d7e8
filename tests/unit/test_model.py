"""The pydantic models: what a schema, a document id and a span may be."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from annotator.model import (
    Document,
    LabelDef,
    LabelFile,
    LabelSchema,
    Span,
    annotator_problem,
    doc_id_problem,
)
from annotator.workspace import default_schema


def test_default_schema_has_the_five_labels_in_order() -> None:
    schema = default_schema()
    assert schema.label_names == ("ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE")
    assert schema.allow_overlap is False and schema.schema_version == 1
    assert all(
        label.definition and label.examples and label.counter_examples for label in schema.labels
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "org", "must be upper-case"),
        ("name", "1ORG", "must be upper-case"),
        ("hotkey", "", "one Textual key name"),
        ("hotkey", "ctrl x", "one Textual key name"),
        ("color", "red", "#rrggbb"),
        ("color", "#12345", "#rrggbb"),
    ],
)
def test_label_def_rules(field: str, value: str, message: str) -> None:
    values = {"name": "ORG", "hotkey": "1", "color": "#000000", field: value}
    with pytest.raises(ValidationError, match=message):
        LabelDef(**values)


def test_colour_is_stored_lower_case() -> None:
    assert LabelDef(name="ORG", hotkey="1", color="#AbCdEf").color == "#abcdef"


def test_schema_rejects_duplicates_empty_and_unknown_version() -> None:
    org = LabelDef(name="ORG", hotkey="1", color="#000000")
    with pytest.raises(ValidationError, match="two labels share the name 'ORG'"):
        LabelSchema(labels=(org, org.model_copy(update={"hotkey": "2"})))
    with pytest.raises(ValidationError, match="two labels share the hotkey '1'"):
        LabelSchema(labels=(org, org.model_copy(update={"name": "PERSON"})))
    with pytest.raises(ValidationError, match="defines no labels"):
        LabelSchema(labels=())
    with pytest.raises(ValidationError, match="schema_version 2 is not supported"):
        LabelSchema(schema_version=2, labels=(org,))


@pytest.mark.parametrize(
    ("doc_id", "problem"),
    [
        ("../x", "looks like a path (contains a separator)"),
        ("..", "looks like a path (contains '..')"),
        ("a..b", "looks like a path (contains '..')"),
        ("/etc/passwd", "looks like a path (contains a separator)"),
        ("a/b", "looks like a path (contains a separator)"),
        ("a\\b", "looks like a path (contains a separator)"),
        ("~root", "looks like a path"),
        (".hidden", "is not allowed"),
        ("has space", "is not allowed"),
        ("x" * 129, "is not allowed"),
        ("", "document id is empty"),
    ],
)
def test_document_ids_that_are_refused(doc_id: str, problem: str) -> None:
    message = doc_id_problem(doc_id)
    assert message is not None and problem in message
    with pytest.raises(ValidationError):
        Document(id=doc_id, text="x", sha256="0" * 64)


@pytest.mark.parametrize("doc_id", ["d1", "doc-3f2a9c", "新闻_2024-01.a", "x" * 128])
def test_document_ids_that_are_fine(doc_id: str) -> None:
    assert doc_id_problem(doc_id) is None


def test_annotator_names() -> None:
    assert annotator_problem("alice.w-2") is None
    for bad in ("", "-x", "two words", "名字", "a/b", "x" * 65):
        assert annotator_problem(bad) is not None, bad


def test_span_rules_in_the_model() -> None:
    span = Span(start=2, end=5, label="ORG", text="abc")
    assert span.key == (2, 5, "ORG") and span.source == "manual"
    assert span.overlaps(4, 9) and not span.overlaps(5, 9) and not span.overlaps(0, 2)
    with pytest.raises(ValidationError):
        Span(start=-1, end=2, label="ORG", text="ab")
    with pytest.raises(ValidationError):
        span.start = 3  # type: ignore[misc]  # frozen: undo keeps earlier states safely


def test_label_file_defaults_and_unknown_keys() -> None:
    document = Document(id="d1", text="星辰", sha256="0" * 64)
    label_file = LabelFile.new(document, "ann")
    assert (label_file.status, label_file.spans, label_file.text_sha256) == ("todo", (), "0" * 64)
    assert label_file.created_at.endswith("Z")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        LabelFile.model_validate({"doc_id": "d", "text_sha256": "x", "annotator": "a", "colour": 1})
    with pytest.raises(ValidationError, match="Input should be 'todo'"):
        LabelFile.model_validate(
            {"doc_id": "d", "text_sha256": "x", "annotator": "a", "status": "finished"}
        )
