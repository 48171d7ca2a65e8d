"""The model card (``model-card.json`` and ``model-card.md``), after Google's Model Card
Toolkit: model details, intended use, factors, metrics, evaluation and training data, model
development, ethical considerations, caveats and limitations, owners. Built from the spec
and the run; the plot (ROC curve or predicted-vs-actual) is inline SVG in both files, so
the card stays two files of the output layout."""

from __future__ import annotations

from typing import Any

from mlops_spec.evaluation import Evaluation
from mlops_spec.spec.sections import Spec

FORMAT = "mlops-spec/model-card/v1"


def build(spec: Spec, evaluation: Evaluation, *, development: dict[str, Any],
          factors: dict[str, Any], plot: str | None, version: str | None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "model_details": {
            "name": spec.name, "description": spec.description, "version": version,
            "task": spec.model.task, "estimator": spec.model.estimator,
            "params": dict(spec.model.params), "artifact": evaluation.artifact.model_dump(),
            "risk_tier": spec.risk_tier, "spec_digest": evaluation.spec.digest,
            "tool": evaluation.tool.model_dump()},
        "intended_use": {"purpose": spec.purpose, "intended_use": spec.governance.intended_use,
                         "deployment_mode": spec.deployment.mode},
        "factors": factors,
        "metrics": {"held_out": evaluation.metrics,
                    "thresholds": [t.model_dump() for t in evaluation.thresholds],
                    "champion": evaluation.champion.model_dump() if evaluation.champion
                    else None,
                    "vs_production": evaluation.vs_production.model_dump()
                    if evaluation.vs_production else None,
                    "decision": evaluation.decision, "plot_svg": plot},
        "evaluation_data": {"rows": evaluation.rows.test,
                            "split": spec.model.split.model_dump()},
        "training_data": {"rows": evaluation.rows.train,
                          "sources": [d.model_dump() for d in evaluation.data]},
        "model_development": development,
        "ethical_considerations": {
            "pii": [{"source": s.name, "column": r.column, "category": r.category,
                     "handling": r.handling} for s in spec.data.sources for r in s.pii],
            "lawful_basis": {s.name: s.lawful_basis for s in spec.data.sources},
            "risk_tier": spec.risk_tier},
        "caveats_and_limitations": spec.governance.limitations,
        "owners": {role: spec.owners.handles(role) for role in spec.owners.roles()},
    }


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows]
    return lines


def _fmt(value: Any) -> str:
    return "-" if value is None else str(value)


def markdown(card: dict[str, Any]) -> str:
    details, metrics = card["model_details"], card["metrics"]
    out = [f"# Model card: {details['name']}", "", details["description"], "",
           "## Model details", ""]
    out += _table([[k, _fmt(details[k])] for k in
                   ("version", "task", "estimator", "risk_tier", "spec_digest")] +
                  [["params", ", ".join(f"{k}={v}" for k, v in details["params"].items())
                    or "defaults"],
                   ["artifact", f"{details['artifact']['file']} "
                                f"({details['artifact']['format']})"]], ["field", "value"])
    use = card["intended_use"]
    out += ["", "## Intended use", "", use["purpose"], ""]
    if use["intended_use"]:
        out += [use["intended_use"], ""]
    out += ["## Factors", ""]
    out += _table([[f["name"], f["type"], f["transform"]] for f in card["factors"]["features"]],
                  ["feature", "type", "transform"])
    for group in card["factors"]["groups"]:
        out += ["", f"{group['metric']} by `{group['feature']}` (held-out rows):", ""]
        out += _table([[g["value"], str(g["rows"]), _fmt(g["value_metric"])]
                       for g in group["values"]], ["value", "rows", group["metric"]])
    out += ["", "## Metrics", "", f"Promotion decision: **{metrics['decision']}**", ""]
    out += _table([[k, str(v)] for k, v in sorted(metrics["held_out"].items())],
                  ["metric (held-out)", "value"])
    if metrics["thresholds"]:
        rows = [[t["metric"], _fmt(t["min"]), _fmt(t["max"]), _fmt(t["value"]),
                 "pass" if t["passed"] else "fail"] for t in metrics["thresholds"]]
        out += ["", *_table(rows, ["threshold", "min", "max", "value", "result"])]
    champion = metrics["champion"]
    out += ["", f"Champion: {champion['version'] if champion else 'none (first version)'}"]
    if metrics["vs_production"]:
        v = metrics["vs_production"]
        out += [f"vs production on {v['metric']}: challenger {v['challenger']}, champion "
                f"{v['champion']}, drop {v['drop']} (max {v['max_drop']}): "
                f"{'pass' if v['passed'] else 'fail'}"]
    if metrics["plot_svg"]:
        out += ["", metrics["plot_svg"].rstrip()]
    train, test = card["training_data"], card["evaluation_data"]
    out += ["", "## Evaluation and training data", "",
            f"{train['rows']:,} training rows, {test['rows']:,} held-out rows "
            f"(test_size {test['split']['test_size']}, seed {test['split']['seed']}, "
            f"stratified: {test['split']['stratify']}).", ""]
    out += _table([[d["source"], d["uri"], str(d["rows"]), _fmt(d["sha256"])]
                   for d in train["sources"]], ["source", "uri", "rows", "sha256"])
    out += ["", "See `datasheets/<source>.json` for distributions and correlations.", "",
            "## Model development", ""]
    dev = card["model_development"]
    out += [f"Feature selection: {dev['selection'] or 'none'}",
            f"Encoded features: {len(dev['encoded_features'])}"
            + (f", selected: {', '.join(dev['selected_features'])}"
               if dev["selected_features"] is not None else "")]
    search = dev["search"]
    if search:
        out += ["", f"Hyperparameter search ({search['scoring']}, "
                    f"{search['candidates_tried']} candidates): best "
                    f"{search['best_params']} scored {search['best_score']}", ""]
        out += _table([[str(c["rank"]), str(c["params"]), str(c["mean_score"]),
                        str(c["std_score"])] for c in search["top"]],
                      ["rank", "params", "mean", "std"])
    ethics = card["ethical_considerations"]
    out += ["", "## Ethical considerations", "", f"Risk tier: {ethics['risk_tier']}.", ""]
    if ethics["pii"]:
        out += _table([[p["source"], p["column"], p["category"], p["handling"]]
                       for p in ethics["pii"]], ["source", "column", "category", "handling"])
    else:
        out += ["No personal data declared."]
    out += ["", "## Caveats and limitations", "", card["caveats_and_limitations"], "",
            "## Owners", ""]
    out += _table([[role, ", ".join(h)] for role, h in card["owners"].items()],
                  ["role", "handles"])
    return "\n".join(out) + "\n"
