"""The governance gate's pure core: semantic diff, change classes, checks, approvals, verdict.

Nothing in this package touches git, the network, the clock or the working directory: the
command (``commands/check.py``) reads files and git (``mlops_spec.git``) and passes plain data
in. See docs/governance.md.
"""
