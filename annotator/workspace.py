"""A workspace folder and the one API through which everything reads and writes it.

Layout::

    labels/schema.json              the label schema
    labels/<annotator>/<doc>.json   one label file per document per annotator
    labels/lexicon/<LABEL>.txt      taught lexicon (sorted, one entry per line)
    labels/assignment.json          who annotates what (teams)
    documents/<doc>.json            normalized text + sha256 + metadata
    exports/                        default export target
    .annotator/                     derived caches and locks (ignored by git)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from annotator import store
from annotator.errors import InvalidLabelsError, WorkspaceError
from annotator.model import (
    Document,
    DocumentMeta,
    LabelFile,
    LabelSchema,
    annotator_problem,
    doc_id_problem,
    utc_now,
)
from annotator.spans import check_label_file
from annotator.text.normalize import normalize_text, text_sha256

if TYPE_CHECKING:
    from filelock import FileLock

SCHEMA_RELPATH = Path("labels") / "schema.json"
RESERVED_LABEL_DIRS = frozenset({"lexicon"})
WORKSPACE_GITIGNORE = ".annotator/\nexports/*\n!exports/.gitkeep\n"


def default_schema_bytes() -> bytes:
    return resources.files("annotator.resources").joinpath("default_schema.json").read_bytes()


def default_schema() -> LabelSchema:
    return LabelSchema.model_validate_json(default_schema_bytes())


def load_schema_file(path: Path) -> LabelSchema:
    data = store.read_bytes(path, 4 * 1024 * 1024)
    raw = store.parse_json(data, path)
    try:
        return LabelSchema.model_validate(raw)
    except ValidationError as exc:
        raise WorkspaceError(
            "invalid label schema: " + "; ".join(store.validation_messages(exc)),
            path=path,
            fix="fix the schema (see the README's schema section)",
        ) from None


@dataclass
class Workspace:
    root: Path
    _schema: tuple[int, LabelSchema] | None = field(default=None, repr=False)
    _documents: dict[str, tuple[int, int, Document]] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------- paths

    @property
    def name(self) -> str:
        return self.root.resolve().name

    @property
    def labels_dir(self) -> Path:
        return self.root / "labels"

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".annotator"

    @property
    def lexicon_dir(self) -> Path:
        return self.labels_dir / "lexicon"

    @property
    def schema_path(self) -> Path:
        return self.root / SCHEMA_RELPATH

    def document_path(self, doc_id: str) -> Path:
        problem = doc_id_problem(doc_id)
        if problem:
            raise WorkspaceError(problem, fix="document ids become file names; pick a plain name")
        return self.documents_dir / f"{doc_id}.json"

    def annotator_dir(self, annotator: str) -> Path:
        problem = annotator_problem(annotator)
        if problem or annotator in RESERVED_LABEL_DIRS:
            raise WorkspaceError(problem or f"annotator name {annotator!r} is reserved")
        return self.labels_dir / annotator

    def label_path(self, annotator: str, doc_id: str) -> Path:
        problem = doc_id_problem(doc_id)
        if problem:
            raise WorkspaceError(problem)
        return self.annotator_dir(annotator) / f"{doc_id}.json"

    def lock_path(self, annotator: str, doc_id: str) -> Path:
        return self.cache_dir / "locks" / annotator / f"{doc_id}.lock"

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    # ------------------------------------------------------------ schema

    def schema(self) -> LabelSchema:
        """The label schema, re-read only when the file changes."""
        try:
            mtime = self.schema_path.stat().st_mtime_ns
        except FileNotFoundError:
            raise WorkspaceError(
                "no label schema", path=self.schema_path, fix="run `annotator init` here"
            ) from None
        if self._schema is None or self._schema[0] != mtime:
            self._schema = (mtime, load_schema_file(self.schema_path))
        return self._schema[1]

    def save_schema(self, schema: LabelSchema) -> None:
        store.atomic_write_bytes(self.schema_path, store.dumps_schema(schema))

    # --------------------------------------------------------- documents

    def document_ids(self) -> list[str]:
        """Every stored document id, sorted (a directory scan, no parsing)."""
        try:
            names = os.listdir(self.documents_dir)  # a third faster than scandir at 100k
        except FileNotFoundError:
            return []
        return sorted([n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")])

    def has_document(self, doc_id: str) -> bool:
        return self.document_path(doc_id).is_file()

    def load_document(self, doc_id: str) -> Document:
        """A stored document, cached until its file changes."""
        path = self.document_path(doc_id)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise WorkspaceError(
                f"no document {doc_id!r} in this workspace",
                path=path,
                fix="import it with `annotator import`, or check the id",
            ) from None
        cached = self._documents.get(doc_id)
        if cached and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        document = store.load_document_file(path)
        if document.id != doc_id:
            raise WorkspaceError(
                f"document file holds id {document.id!r}",
                path=path,
                fix="rename the file to match its id",
            )
        if len(self._documents) > 256:
            self._documents.clear()
        self._documents[doc_id] = (st.st_mtime_ns, st.st_size, document)
        return document

    def iter_documents(self) -> Iterator[Document]:
        for doc_id in self.document_ids():
            yield self.load_document(doc_id)

    def save_document(self, document: Document) -> None:
        store.write_document(self.document_path(document.id), document)

    # ------------------------------------------------------- label files

    def annotators(self) -> list[str]:
        """Annotators with a folder under labels/, sorted."""
        try:
            entries = os.scandir(self.labels_dir)
        except FileNotFoundError:
            return []
        with entries:
            names = [
                e.name
                for e in entries
                if e.is_dir()
                and e.name not in RESERVED_LABEL_DIRS
                and annotator_problem(e.name) is None
            ]
        return sorted(names)

    def label_ids(self, annotator: str) -> list[str]:
        try:
            entries = os.scandir(self.annotator_dir(annotator))
        except FileNotFoundError:
            return []
        with entries:
            ids = [
                e.name[:-5]
                for e in entries
                if e.name.endswith(".json") and not e.name.startswith(".")
            ]
        return sorted(ids)

    def load_labels(self, annotator: str, doc_id: str) -> LabelFile | None:
        """The annotator's label file for a document, or None when there is none yet."""
        path = self.label_path(annotator, doc_id)
        if not path.exists():
            return None
        return store.load_label_file(path)

    def labels_or_new(self, annotator: str, doc_id: str) -> LabelFile:
        existing = self.load_labels(annotator, doc_id)
        if existing is not None:
            return existing
        return LabelFile.new(self.load_document(doc_id), annotator)

    def check_labels(self, label_file: LabelFile) -> None:
        """Raise InvalidLabelsError when the label file breaks any span or file rule."""
        path = self.label_path(label_file.annotator, label_file.doc_id)
        document = self.load_document(label_file.doc_id)
        problems = check_label_file(label_file, document, self.schema(), self.relative(path))
        if problems:
            shown = "; ".join((p.span + ": " if p.span else "") + p.message for p in problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise InvalidLabelsError(
                f"refusing to save invalid labels: {shown}{more}",
                path=path,
                fix="nothing was written; fix the spans and save again",
            )

    def lock_labels(self, annotator: str, doc_id: str) -> FileLock:
        """The per-file lock every writer of this label file takes."""
        return store.make_lock(self.lock_path(annotator, doc_id))

    def save_labels(
        self,
        label_file: LabelFile,
        *,
        lock_held: bool = False,
        timeout: float = 5.0,
        touch: bool = True,
    ) -> LabelFile:
        """Check, then write atomically under the file's lock; returns what was written.

        The TUI holds the lock for as long as a document is open and passes
        `lock_held=True`; every other writer waits up to `timeout` seconds.
        """
        self.check_labels(label_file)
        if touch:
            label_file = label_file.model_copy(update={"updated_at": utc_now()})
        path = self.label_path(label_file.annotator, label_file.doc_id)
        if lock_held:
            store.write_label_file(path, label_file)
            return label_file
        lock = self.lock_labels(label_file.annotator, label_file.doc_id)
        store.acquire(lock, path, timeout)
        try:
            store.write_label_file(path, label_file)
        finally:
            lock.release()
        return label_file


def make_document(
    text: str, doc_id: str | None = None, meta: DocumentMeta | None = None
) -> Document:
    """A Document from raw text: normalized once, hashed, id defaulting to the hash."""
    normalized = normalize_text(text)
    digest = text_sha256(normalized)
    return Document(
        id=doc_id or f"doc-{digest[:12]}",
        text=normalized,
        sha256=digest,
        meta=meta or DocumentMeta(),
    )


def find_workspace(explicit: Path | None = None, start: Path | None = None) -> Workspace:
    """The workspace named by --workspace, else the nearest folder up holding labels/schema.json."""
    if explicit is not None:
        root = explicit.expanduser()
        if not (root / SCHEMA_RELPATH).is_file():
            raise WorkspaceError(
                "not a workspace (no labels/schema.json)",
                path=root,
                fix=f"run `annotator init {root}` to create one",
            )
        return Workspace(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SCHEMA_RELPATH).is_file():
            return Workspace(folder)
    raise WorkspaceError(
        "no workspace here or in any parent folder (looked for labels/schema.json)",
        path=here,
        fix="pass --workspace DIR or run `annotator init`",
    )


GITATTRIBUTES = (
    "# Written by annotator: these files only gain lines, so a merge keeps both sides' additions.\n"
    "assignment.json merge=union\n"
    "lexicon/*.txt merge=union\n"
)


def ensure_gitattributes(workspace: Workspace) -> bool:
    """Write `labels/.gitattributes` (union merges for the append-only files) unless one
    exists; True when written."""
    path = workspace.labels_dir / ".gitattributes"
    if path.exists():
        return False
    store.atomic_write_bytes(path, GITATTRIBUTES.encode())
    return True


def init_workspace(root: Path) -> Workspace:
    """Create (or complete) a workspace with the default breach schema; never overwrites."""
    root.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(root)
    workspace.labels_dir.mkdir(exist_ok=True)
    workspace.documents_dir.mkdir(exist_ok=True)
    workspace.exports_dir.mkdir(exist_ok=True)
    if not workspace.schema_path.exists():
        store.atomic_write_bytes(workspace.schema_path, default_schema_bytes())
    ensure_gitattributes(workspace)
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        store.atomic_write_bytes(gitignore, WORKSPACE_GITIGNORE.encode())
    return workspace
