"""Kubernetes manifests built as plain data, one module per concern.

``common`` (images, labels, security, resources), ``kserve`` (InferenceService),
``workload`` (MLServer Deployment, Services, HPA, PDB), ``rollout`` (Argo Rollouts and
Istio), ``batch`` (CronJob), ``training`` (Job), ``kustomize`` (base, overlays, version
replacements) and ``yamlout`` (the deterministic, escaping YAML writer). Everything is
pure: the same spec always gives the same bytes.
"""
