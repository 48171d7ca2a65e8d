"""The one writer of generated files, split by job.

Everything is computed in memory first (``plan``: headers and merged blocks); ``state``
decides, with the ``manifest`` of what earlier renders wrote, the full desired tree (what to
write, what is stale, which generated files were edited by hand). ``commit.apply`` brings the
disk there atomically (manifest last, rollback on failure); ``diff.check`` compares the same
desired tree with the disk and writes nothing.
"""

from __future__ import annotations

from mlops_spec.render.errors import WriteConflict
from mlops_spec.render.writer.commit import ApplyResult, apply
from mlops_spec.render.writer.diff import check
from mlops_spec.render.writer.manifest import MANIFEST, TreeCache, load_manifest
from mlops_spec.render.writer.plan import TreePlan, header, plan_tree, splice_block
from mlops_spec.render.writer.state import GITATTRIBUTES, Desired, desired_state

__all__ = ["GITATTRIBUTES", "MANIFEST", "ApplyResult", "Desired", "TreeCache", "TreePlan",
           "WriteConflict", "apply", "check", "desired_state", "header", "load_manifest",
           "plan_tree", "splice_block"]
