"""mlops-spec: one declarative mlops.yaml per model, validated and rendered from git."""

__version__ = "0.1.0"
