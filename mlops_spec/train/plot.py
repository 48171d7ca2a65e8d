"""Small SVG plots for the model card, written directly (no plotting dependency).

Binary classification gets its ROC curve, regression a predicted-versus-actual scatter
(at most 500 points, evenly sampled). Output is deterministic text.
"""

from __future__ import annotations

from typing import Any

SIZE = 240
PAD = 30


def _frame(title: str, x_label: str, y_label: str, body: list[str]) -> str:
    inner = SIZE - 2 * PAD
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" font-family="sans-serif" font-size="10">',
        f"<title>{title}</title>",
        f'<rect x="{PAD}" y="{PAD}" width="{inner}" height="{inner}" fill="none" '
        'stroke="#444"/>',
        f'<text x="{SIZE / 2}" y="{PAD - 10}" text-anchor="middle">{title}</text>',
        f'<text x="{SIZE / 2}" y="{SIZE - 8}" text-anchor="middle">{x_label}</text>',
        f'<text x="10" y="{SIZE / 2}" text-anchor="middle" '
        f'transform="rotate(-90 10 {SIZE / 2})">{y_label}</text>',
        *body,
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def _xy(x: float, y: float) -> str:
    inner = SIZE - 2 * PAD
    return f"{PAD + x * inner:.1f},{SIZE - PAD - y * inner:.1f}"


def roc(y_true: Any, scores: Any, positive: Any, auc: float | None) -> str:
    from sklearn.metrics import roc_curve  # type: ignore[import-untyped]

    fpr, tpr, _ = roc_curve(y_true, scores, pos_label=positive)
    step = max(1, len(fpr) // 400)
    points = " ".join(_xy(float(a), float(b)) for a, b in
                      zip([*fpr[::step].tolist(), 1.0], [*tpr[::step].tolist(), 1.0],
                          strict=True))
    body = [f'<polyline points="{_xy(0, 0)} {_xy(1, 1)}" fill="none" stroke="#bbb" '
            'stroke-dasharray="4"/>',
            f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>']
    title = "ROC curve" + (f" (AUC {auc:.3f})" if auc is not None else "")
    return _frame(title, "false positive rate", "true positive rate", body)


def residuals(y_true: Any, predicted: Any) -> str:
    import numpy as np

    actual = np.asarray(y_true, dtype=float)
    guess = np.asarray(predicted, dtype=float)
    low = float(min(actual.min(), guess.min()))
    high = float(max(actual.max(), guess.max()))
    span = (high - low) or 1.0
    index = np.linspace(0, len(actual) - 1, min(500, len(actual))).astype(int)
    dots = [f'<circle cx="{_xy((actual[i] - low) / span, 0).split(",")[0]}" '
            f'cy="{_xy(0, (guess[i] - low) / span).split(",")[1]}" r="1.5" fill="#1f77b4"/>'
            for i in index]
    diagonal = (f'<polyline points="{_xy(0, 0)} {_xy(1, 1)}" fill="none" stroke="#bbb" '
                'stroke-dasharray="4"/>')
    return _frame("predicted vs actual", "actual", "predicted", [diagonal, *dots])
