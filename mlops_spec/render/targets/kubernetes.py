"""Kubernetes manifests: a kustomize base and one overlay per environment under deploy/.

Applies when the spec serves from a cluster (``deployment.platform``) or trains on one
(``training.platform: kubernetes``). The objects are built as plain data in
``mlops_spec.render.kubernetes`` and written by its escaping YAML writer; see
docs/kubernetes.md for what each mode, platform and strategy produces.
"""

from __future__ import annotations

from mlops_spec.render.kubernetes import custom
from mlops_spec.render.kubernetes.kustomize import layout
from mlops_spec.render.outputs import OutputBlock, OutputFile, RenderContext, TargetOutput
from mlops_spec.spec.sections import Spec


def applies(spec: Spec) -> bool:
    return spec.deployment.platform is not None or spec.training.platform == "kubernetes"


def render(ctx: RenderContext) -> TargetOutput:
    files = layout(ctx.spec).files
    blocks = []
    if ctx.spec.deployment.platform is not None:
        # User-owned Components: mlops-spec keeps only the block that makes each one valid.
        names = [env.name for env in ctx.spec.deployment.environments]
        blocks = [OutputBlock(ctx.in_model_dir(f"deploy/{directory}/{custom.KUSTOMIZATION}"),
                              custom.component_lines(directory))
                  for directory in custom.component_dirs(names)]
    return TargetOutput(files=[OutputFile(ctx.in_model_dir(f"deploy/{path}"), text)
                               for path, text in sorted(files.items())], blocks=blocks)
