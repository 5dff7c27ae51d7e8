"""The data the whole product agrees on: schema, documents, spans, label files.

Pydantic models validate what comes from disk; every model is frozen so that
an undo stack can keep earlier states without copying them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["todo", "in_progress", "done", "skipped", "flagged"]
STATUSES: tuple[Status, ...] = ("todo", "in_progress", "done", "skipped", "flagged")

LABEL_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")
ANNOTATOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
# Ids become file names: word characters (CJK included), dot and dash, no
# leading dot, no separators, never "." or "..".
DOC_ID_RE = re.compile(r"^(?!\.)[\w.\-]{1,128}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def doc_id_problem(doc_id: str) -> str | None:
    """Why `doc_id` cannot name a document file, or None when it can."""
    if not isinstance(doc_id, str) or not doc_id:
        return "document id is empty"
    if "/" in doc_id or "\\" in doc_id or doc_id.startswith(("/", "~")):
        return f"document id {doc_id!r} looks like a path (contains a separator)"
    if ".." in doc_id:
        return f"document id {doc_id!r} looks like a path (contains '..')"
    if not DOC_ID_RE.match(doc_id):
        return (
            f"document id {doc_id!r} is not allowed: use 1-128 letters, digits, "
            "'_', '-' or '.', not starting with '.'"
        )
    return None


def annotator_problem(name: str) -> str | None:
    if not ANNOTATOR_RE.match(name or ""):
        return (
            f"annotator name {name!r} is not allowed: use 1-64 ASCII letters, digits, "
            "'_', '-' or '.', starting with a letter or digit"
        )
    return None


def utc_now() -> str:
    """Timestamps are ISO-8601 strings in UTC, to the second, so files diff cleanly."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------- schema


class LabelDef(_Frozen):
    name: str
    hotkey: str
    color: str
    definition: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not LABEL_NAME_RE.match(value):
            raise ValueError(
                f"label name {value!r} must be upper-case letters, digits or '_' "
                "(at most 32), starting with a letter"
            )
        return value

    @field_validator("hotkey")
    @classmethod
    def _hotkey(cls, value: str) -> str:
        if not value or len(value) > 16 or " " in value:
            raise ValueError(f"hotkey {value!r} must be one Textual key name, e.g. '1' or 'f6'")
        return value

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        if not COLOR_RE.match(value):
            raise ValueError(f"colour {value!r} must be written as #rrggbb")
        return value.lower()


class LabelSchema(_Frozen):
    schema_version: int = 1
    name: str = "breach"
    allow_overlap: bool = False
    labels: tuple[LabelDef, ...]

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"schema_version {value} is not supported (this annotator reads 1)")
        return value

    @model_validator(mode="after")
    def _unique(self) -> LabelSchema:
        if not self.labels:
            raise ValueError("the schema defines no labels")
        for attr in ("name", "hotkey"):
            seen: set[str] = set()
            for label in self.labels:
                value = getattr(label, attr)
                if value in seen:
                    raise ValueError(f"two labels share the {attr} {value!r}")
                seen.add(value)
        return self

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    def get(self, name: str) -> LabelDef | None:
        for label in self.labels:
            if label.name == name:
                return label
        return None


# ------------------------------------------------------------------ documents


class DocumentMeta(BaseModel):
    """What is known about where a text came from; unknown keys are kept."""

    model_config = ConfigDict(frozen=True, extra="allow")

    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    language: str | None = None
    script: Literal["simplified", "traditional", "mixed", "unknown"] | None = None


class Document(_Frozen):
    id: str
    text: str
    sha256: str
    meta: DocumentMeta = Field(default_factory=DocumentMeta)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        problem = doc_id_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def title(self) -> str:
        return self.meta.title or self.id


# ---------------------------------------------------------------------- spans


class Span(_Frozen):
    """A labelled span: code-point offsets, end exclusive, plus its surface text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: str
    text: str
    source: str = "manual"
    uncertain: bool = False
    # Adjudicated spans record which annotators proposed them.
    agreed_by: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


class Suggestion(Span):
    """A pending suggestion: a span the annotator has not yet accepted or rejected."""

    score: float = Field(default=1.0, ge=0.0, le=1.0)


class RejectedSpan(_Frozen):
    """A suggestion the annotator said no to; never proposed again for the document."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: str
    text: str

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


class LabelFile(_Frozen):
    """One annotator's work on one document (one JSON file under labels/)."""

    doc_id: str
    text_sha256: str
    annotator: str
    status: Status = "todo"
    spans: tuple[Span, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    rejected: tuple[RejectedSpan, ...] = ()
    note: str = ""
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    active_seconds: float = 0.0
    # Where the annotator's cursor was, so reopening resumes there.
    cursor: int = 0

    @classmethod
    def new(cls, document: Document, annotator: str) -> LabelFile:
        return cls(doc_id=document.id, text_sha256=document.sha256, annotator=annotator)
