"""``render --check``: unified diffs from the tree to a fresh render; writes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlops_spec.render.writer.manifest import MANIFEST, TreeCache
from mlops_spec.render.writer.plan import TreePlan
from mlops_spec.render.writer.state import Desired, desired_state


def unified(path: str, before: str | None, after: str | None) -> str:
    return _unified_lines(path, (before or "").splitlines(keepends=True),
                          (after or "").splitlines(keepends=True),
                          before is not None, after is not None)


_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@")


def _unified_lines(path: str, before: list[str], after: list[str], exists_before: bool = True,
                   exists_after: bool = True, offset: int = 0) -> str:
    """A unified diff of ``before`` and ``after``, which start at line ``offset + 1``."""
    import difflib

    lines = difflib.unified_diff(
        before, after, fromfile=f"a/{path}" if exists_before else "/dev/null",
        tofile=f"b/{path}" if exists_after else "/dev/null")
    out = []
    for line in lines:
        if offset and line.startswith("@@"):
            line = _HUNK.sub(lambda m: f"@@ -{int(m[1]) + offset}{m[2] or ''} "
                                       f"+{int(m[3]) + offset}{m[4] or ''} @@", line)
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _manifest_diff(cache: TreeCache, spec_path: str, desired: Desired) -> str:
    """The manifest's diff for one spec: only its entry's lines when the file is canonical
    (the other entries are the same on both sides), else the whole file."""
    span = cache.entry_span(spec_path)
    if span is None:
        return unified(MANIFEST, cache.read(MANIFEST), desired.manifest)
    start, stop = span
    before = (cache.read(MANIFEST) or "").splitlines(keepends=True)[start:stop]
    entry = json.dumps({spec_path: desired.specs[spec_path]}, indent=2, sort_keys=True)
    after = [f"  {line}\n" for line in entry.splitlines()[1:-1]]
    if before[-1].rstrip("\n").endswith(","):
        after[-1] = after[-1].rstrip("\n") + ",\n"
    return _unified_lines(MANIFEST, before, after, offset=start)


def check(root: Path, plan: TreePlan, cache: TreeCache | None = None) -> list[str]:
    """Unified diffs from the tree to a fresh render; empty when the tree is up to date.

    Pass one ``TreeCache`` to every check of the same root in one invocation (nothing may
    write the tree in between).
    """
    cache = cache or TreeCache(root)
    desired = desired_state(root, plan, force=True, cache=cache)
    diffs: list[str] = []
    for path, text in sorted(desired.texts.items()):
        current = cache.read(path)
        if current != text:
            diffs.append(unified(path, current, text))
    for path in desired.stale:
        current = cache.read(path)
        if current is not None:
            diffs.append(unified(path, current, None))
    # The same test as comparing the file with desired.manifest, without serialising the
    # whole manifest for every spec.
    entry = desired.specs[plan.spec_path]
    if not cache.manifest_canonical() or cache.manifest().get(plan.spec_path) != entry:
        diffs.append(_manifest_diff(cache, plan.spec_path, desired))
    return diffs
