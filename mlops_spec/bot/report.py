"""Read the gate's report (contract 4: docs/governance.md, schemas/gate-report.schema.json)
strictly: an unreadable or malformed report is an error, never a verdict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_spec.bot.errors import BotError

FORMAT = "mlops-spec/gate-report/v1"
VERDICTS = ("pass", "fail", "pending")
STATE_OF = {"pass": "success", "fail": "failure", "pending": "pending"}
MAX_REPORT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class SpecReport:
    name: str
    path: str
    verdict: str
    summary: str
    markdown: str
    diagnostics: list[dict[str, Any]]


@dataclass(frozen=True)
class Report:
    verdict: str
    base_ref: str | None
    specs: list[SpecReport]


def _bad(file: str, why: str) -> BotError:
    return BotError.of("B010", f"{file}: not a gate report: {why}",
                       "pass the file `mlops-spec check --report FILE` wrote")


def read(path: Path) -> Report:
    file = str(path)
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise _bad(file, "larger than 16 MiB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BotError.of("B010", f"cannot read the gate report {file}: {exc.strerror}",
                          "run `mlops-spec check ... --report FILE` first") from None
    except ValueError as exc:
        raise _bad(file, f"invalid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(file, f"`format` is not {FORMAT!r}")
    if data.get("verdict") not in VERDICTS:
        raise _bad(file, f"`verdict` is not one of {', '.join(VERDICTS)}")
    specs = data.get("specs")
    if not isinstance(specs, list) or not specs:
        raise _bad(file, "`specs` is not a non-empty list")
    base = data.get("base")
    base = base if isinstance(base, dict) else {}
    return Report(verdict=data["verdict"], base_ref=_text_or_none(base.get("ref")),
                  specs=[_spec(file, index, item) for index, item in enumerate(specs)])


def _spec(file: str, index: int, item: Any) -> SpecReport:
    where = f"specs[{index}]"
    if not isinstance(item, dict):
        raise _bad(file, f"{where} is not an object")
    for key in ("name", "path", "verdict", "summary", "markdown"):
        if not isinstance(item.get(key), str):
            raise _bad(file, f"{where}.{key} is not text")
    if item["verdict"] not in VERDICTS:
        raise _bad(file, f"{where}.verdict is not one of {', '.join(VERDICTS)}")
    diagnostics = item.get("diagnostics", [])
    if not isinstance(diagnostics, list) or not all(isinstance(d, dict) for d in diagnostics):
        raise _bad(file, f"{where}.diagnostics is not a list of objects")
    return SpecReport(name=item["name"], path=item["path"], verdict=item["verdict"],
                      summary=item["summary"], markdown=item["markdown"],
                      diagnostics=diagnostics)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def branch_name(ref: str | None) -> str | None:
    """``refs/heads/main`` or ``origin/main`` -> ``main``; a bare SHA is not a branch."""
    if not ref:
        return None
    name = ref.removeprefix("refs/heads/").removeprefix("origin/")
    if len(name) == 40 and all(c in "0123456789abcdef" for c in name):
        return None
    return name
