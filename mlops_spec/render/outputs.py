"""What targets produce: whole files the tool owns, and blocks inside users' files."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_spec.spec.sections import Spec


@dataclass(frozen=True, slots=True)
class RenderContext:
    """Where the spec sits in the output tree; targets are pure functions of this."""

    spec: Spec
    spec_path: str
    """The spec file, POSIX, relative to the output root (e.g. ``models/a/mlops.yaml``)."""
    model_dir: str
    """The spec's directory relative to the root: ``.`` for a one-model repository."""

    def in_model_dir(self, relative: str) -> str:
        return relative if self.model_dir == "." else f"{self.model_dir}/{relative}"


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A file owned by mlops-spec: written whole, with a generated-file header."""

    path: str
    content: str
    comment: str | None = "#"
    """Line-comment syntax for the header; None for formats without comments."""


@dataclass(frozen=True, slots=True)
class OutputBlock:
    """Lines owned by mlops-spec inside a file the user also edits (CODEOWNERS, ...)."""

    path: str
    lines: tuple[str, ...]
    comment: str = "#"


@dataclass(slots=True)
class TargetOutput:
    files: list[OutputFile] = field(default_factory=list)
    blocks: list[OutputBlock] = field(default_factory=list)
