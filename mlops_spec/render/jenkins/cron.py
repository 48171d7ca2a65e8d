"""Spec schedules (POSIX cron, UTC) as Jenkins cron lines that fire at the same times."""

from __future__ import annotations

import re

from mlops_spec.spec.sections import Spec

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS: tuple[tuple[int, int, list[str], int], ...] = (
    # (low, high, names, value of the first name)
    (0, 59, [], 0), (0, 23, [], 0), (1, 31, [], 1), (1, 12, _MONTHS, 1), (0, 7, _DAYS, 0),
)
_ITEM = re.compile(r"^(\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/([0-9]+))?$")


def _number(text: str, names: list[str], first: int) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names.index(text) + first
    raise ValueError(f"{text!r} is not a cron value")


def _jenkins_field(text: str, index: int) -> tuple[str, set[int]]:
    """One cron field in the subset Jenkins reads (numbers only; ``a/n`` as ``a-max/n``), and
    the values it matches."""
    low, high, names, first = _FIELDS[index]
    items: list[str] = []
    values: set[int] = set()
    for item in text.lower().split(","):
        match = _ITEM.match(item)
        if not match:
            raise ValueError(f"{item!r} is not a cron item")
        base, step_text = match.group(1), match.group(2)
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"step 0 in {item!r}")
        if base == "*":
            start, end = low, high
            out = "*"
        else:
            start_text, _, end_text = base.partition("-")
            start = _number(start_text, names, first)
            end = _number(end_text, names, first) if end_text else (
                high if step_text else start)
            if not low <= start <= end <= high:
                raise ValueError(f"{item!r} is out of range {low}-{high}")
            out = f"{start}-{end}" if end != start or step_text else f"{start}"
        items.append(f"{out}/{step}" if step_text else out)
        values.update(range(start, end + 1, step))
    return ",".join(items), values


def jenkins_cron(expression: str) -> list[str]:
    """A five-field POSIX cron expression as Jenkins cron lines that fire at the same times.

    * Minutes: a field that fires at minute 0 only becomes ``H``; one that fires every N
      minutes from minute 0 (``*/N``, ``0-59/N``, ``0,N,2N,...``) with N dividing 60 becomes
      ``H/N``. Jenkins replaces ``H`` with a fixed per-job offset, so each run moves later
      by less than its spacing (less than an hour for ``H``), never earlier, and the number
      and spacing of runs stay the same. Every other minute field is kept as written.
    * Hours, days, months and weekdays are never hashed. Month and weekday names become
      numbers, and ``a/N`` becomes ``a-max/N``: Jenkins reads neither.
    * POSIX cron fires when the day of month OR the weekday matches if both are restricted
      (neither starts with ``*``); Jenkins requires both. Such an expression becomes two
      lines, one per day field, which Jenkins unites.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} does not have five fields")
    out = []
    for index, text in enumerate(fields):
        jenkins, values = _jenkins_field(text, index)
        if index == 0:
            jenkins = _hash_minutes(values) or jenkins
        out.append(jenkins)
    minute, hour, dom, month, dow = out
    if not fields[2].startswith("*") and not fields[4].startswith("*"):
        return [f"{minute} {hour} {dom} {month} *", f"{minute} {hour} * {month} {dow}"]
    return [" ".join(out)]


def _hash_minutes(values: set[int]) -> str | None:
    if values == {0}:
        return "H"
    for step in (2, 3, 4, 5, 6, 10, 12, 15, 20, 30):
        if values == set(range(0, 60, step)):
            return f"H/{step}"
    return None


def cron_lines(spec: Spec) -> list[str]:
    """The Jenkins cron spec: ``TZ=UTC`` (spec schedules are UTC), then one line per schedule
    (monitoring first, then retrain), duplicates dropped. Empty when nothing is scheduled,
    or when another CI provider owns delivery (and with it the schedules)."""
    if spec.deployer != "jenkins":
        return []
    schedules = [s for s in (scheduled_monitoring(spec),
                             spec.retrain.schedule if spec.retrain else None) if s]
    lines = list(dict.fromkeys(line for s in schedules for line in jenkins_cron(s)))
    return ["TZ=UTC", *lines] if lines else []


def scheduled_monitoring(spec: Spec) -> str | None:
    """The monitoring schedule, when monitoring has current data to compare (else nothing
    could run on it)."""
    monitoring = spec.monitoring
    if monitoring is None or monitoring.current_data is None:
        return None
    return monitoring.schedule
