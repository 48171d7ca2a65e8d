"""Rendering: typed spec -> planned files (targets) -> one owning writer."""
