"""Render a validated spec through the chosen targets into one in-memory tree plan."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from mlops_spec.render import targets as target_table
from mlops_spec.render.errors import RenderError as RenderError  # raised here, documented here
from mlops_spec.render.outputs import OutputBlock, OutputFile, RenderContext
from mlops_spec.render.writer import TreePlan, plan_tree
from mlops_spec.spec.sections import Spec

SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$")


def default_targets(spec: Spec) -> list[str]:
    return [name for name in target_table.TARGETS if target_table.load(name).applies(spec)]


def context_for(spec: Spec, spec_file: Path, root: Path) -> RenderContext:
    try:
        relative = spec_file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise RenderError(f"{spec_file} is not inside the output directory {root}",
                          hint="pass --out with a directory that contains the spec") from None
    if not SAFE_PATH.match(relative):
        raise RenderError(f"{relative!r}: spec paths may use letters, digits, '.', '_', "
                          "'-' and '/' only (they appear in workflows and CODEOWNERS)",
                          hint="rename the spec's directory") from None
    model_dir = Path(relative).parent.as_posix()
    return RenderContext(spec=spec, spec_path=relative, model_dir=model_dir)


def chosen_targets(spec: Spec, asked: Collection[str] | None) -> list[str]:
    """The targets that apply to the spec, or those of them named by ``--target``."""
    return [name for name in default_targets(spec) if asked is None or name in asked]


def render(ctx: RenderContext, names: Collection[str] | None = None) -> TreePlan:
    """The plan of the targets ``names`` (default: all that apply to the spec).

    Applicable targets left out keep their files as they are; files of targets that no
    longer apply are stale and removed.
    """
    applicable = default_targets(ctx.spec)
    chosen = applicable if names is None else list(names)
    outputs: dict[str, tuple[list[OutputFile], list[OutputBlock]]] = {}
    for name in chosen:
        output = target_table.load(name).render(ctx)
        outputs[name] = (output.files, output.blocks)
    return plan_tree(ctx.spec_path, outputs, skipped=frozenset(applicable) - set(chosen))
