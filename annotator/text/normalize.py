"""One normalization for every text the workspace stores.

Offsets are code points into the *normalized* text, so every path that
creates a document must go through `normalize_text` exactly once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# C0/C1 controls except \t and \n, plus DEL. \r is handled before this runs.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS_RE = re.compile(r"\r\n|\r|\u2028|\u2029|\x85|\x0b|\x0c")
_BOM = "\ufeff"


def normalize_text(text: str) -> str:
    """NFC, `\\n` newlines, no BOM, no control characters but `\\n` and `\\t`."""
    text = text.replace(_BOM, "")
    text = _LINE_BREAKS_RE.sub("\n", text)
    text = _CONTROL_RE.sub("", text)
    return unicodedata.normalize("NFC", text)


def is_normalized(text: str) -> bool:
    return normalize_text(text) == text


def text_sha256(text: str) -> str:
    """The hash every label file records of the text it was made on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
