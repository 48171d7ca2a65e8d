"""CODEOWNERS block: who must review changes to the spec, its data, code and pipelines.

Code-owner review is what protects the gate itself: a pull request can edit workflows,
the Jenkinsfile or the manifests, so those paths are owned by the roles that own the gate.
Later lines win in CODEOWNERS, so the block goes from general to specific.
"""

from __future__ import annotations

from mlops_spec.conventions import is_remote
from mlops_spec.render.outputs import OutputBlock, RenderContext, TargetOutput
from mlops_spec.spec.sections import Spec

PATH = ".github/CODEOWNERS"


def applies(spec: Spec) -> bool:
    return True


def _owners(spec: Spec, *roles: str) -> list[str]:
    """Handles of the first roles that have members, falling back to every owner."""
    handles = [h for role in roles for h in spec.owners.handles(role)]
    if not handles:
        handles = [h for role in spec.owners.roles() for h in spec.owners.handles(role)]
    return list(dict.fromkeys(handles))


def _line(pattern: str, owners: list[str]) -> str:
    return f"{pattern} {' '.join(owners)}"


def render(ctx: RenderContext) -> TargetOutput:
    spec = ctx.spec
    base = "" if ctx.model_dir == "." else f"/{ctx.model_dir}"
    lines = [
        _line(f"{base}/" if base else "*", _owners(spec, "data_scientist", "ml_engineer")),
    ]
    for source in spec.data.sources:
        if not is_remote(source.uri):
            lines.append(_line(f"{base}/{source.uri.rstrip('/')}",
                               _owners(spec, "data_engineer")))
    pipeline_owners = _owners(spec, "ml_engineer", "architect")
    # Only the pipelines this spec generates: a line for a file that cannot exist misleads.
    if "github_actions" in spec.ci.providers:
        lines.append(_line(f"/.github/workflows/mlops-{spec.name}-*", pipeline_owners))
    if "jenkins" in spec.ci.providers:
        lines.append(_line(f"{base}/Jenkinsfile", pipeline_owners))
    lines += [
        _line(f"{base}/deploy/", pipeline_owners),
        _line(f"{base}/argocd/", pipeline_owners),  # what Argo CD syncs
        # The spec carries the governance checklist: the gate's own owners review it.
        _line(f"/{ctx.spec_path}", _owners(spec, "ml_engineer", "sme", "architect",
                                           "compliance")),
        _line("/.mlops-spec/", pipeline_owners),
        _line("/.github/CODEOWNERS", _owners(spec, "architect", "ml_engineer")),
    ]
    return TargetOutput(blocks=[OutputBlock(PATH, tuple(lines))])
