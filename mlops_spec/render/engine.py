"""Render a validated spec through the chosen targets into one in-memory tree plan."""

from __future__ import annotations

import re
from pathlib import Path

from mlops_spec.render import targets as target_table
from mlops_spec.render.outputs import OutputBlock, OutputFile, RenderContext
from mlops_spec.render.writer import TreePlan, plan_tree
from mlops_spec.spec.sections import Spec

SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$")


class RenderError(Exception):
    """A spec that validated but cannot be rendered as asked (a clear, user-facing error)."""


def default_targets(spec: Spec) -> list[str]:
    return [name for name in target_table.TARGETS if target_table.load(name).applies(spec)]


def context_for(spec: Spec, spec_file: Path, root: Path) -> RenderContext:
    try:
        relative = spec_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise RenderError(f"{spec_file} is not inside the output directory {root}; pass "
                          "--out with a directory that contains the spec") from None
    if not SAFE_PATH.match(relative):
        raise RenderError(f"{relative!r}: spec paths may use letters, digits, '.', '_', "
                          "'-' and '/' only (they appear in workflows and CODEOWNERS)")
    model_dir = Path(relative).parent.as_posix()
    return RenderContext(spec=spec, spec_path=relative, model_dir=model_dir)


def render(ctx: RenderContext, names: list[str]) -> TreePlan:
    outputs: dict[str, tuple[list[OutputFile], list[OutputBlock]]] = {}
    for name in names:
        output = target_table.load(name).render(ctx)
        outputs[name] = (output.files, output.blocks)
    return plan_tree(ctx.spec_path, outputs)
