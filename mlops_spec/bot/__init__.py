"""The pull-request bot: the only package that imports github3.py.

``client`` talks to the API (timeouts, retries, errors that name permissions), ``context``
works out the repository, pull request and login, ``comments``/``statuses`` publish a gate
report, ``approvals`` reads reviews for the gate, ``retrain`` opens retrain pull requests,
``protect`` makes the gate binding, ``summary`` writes the job summary for forks.
"""
