"""``deployment.mode: embedded``: the fitted pipeline exported to ONNX and checked.

Writes ``embedded/model.onnx`` (and ``embedded/model.int8.onnx`` with
``deployment.embedded.quantize``: onnxruntime's dynamic quantization, 8-bit weights) and
``embedded/report.json``: size, the largest absolute difference between ONNX and
scikit-learn scores on the held-out rows, the share of equal labels and latency. A
difference above ``deployment.embedded.tolerance`` fails the run (T014): an embedded model
that disagrees with the one evaluated must not ship.

Inputs are one ``[N, 1]`` tensor per feature, named after it: float32 for numeric and
boolean features, strings for categorical ones (missing as ``""``). scikit-learn's
``FunctionTransformer(numpy.log1p)`` (transform: log) has no skl2onnx converter; one is
registered here (``Log(X + 1)``). Needs the ``onnx`` extra.
"""

from __future__ import annotations

import copy
import hashlib
import time
from pathlib import Path
from typing import Any

from mlops_spec.diagnostics import require
from mlops_spec.spec.sections import Embedded, Spec
from mlops_spec.train import TrainError, outputs
from mlops_spec.train.progress import Progress

DIRECTORY = "embedded"


def _register_log1p() -> None:
    import numpy as np
    from skl2onnx import update_registered_converter
    from skl2onnx.algebra.onnx_ops import OnnxAdd, OnnxLog
    from sklearn.preprocessing import FunctionTransformer  # type: ignore[import-untyped]

    def shape(operator: Any) -> None:
        operator.outputs[0].type = operator.inputs[0].type.__class__(
            operator.inputs[0].type.shape)

    def convert(scope: Any, operator: Any, container: Any) -> None:
        if operator.raw_operator.func is not np.log1p:
            raise TrainError.single("T014", "only the log transform's FunctionTransformer "
                                    "converts to ONNX", "")
        version = container.target_opset
        one = np.array([1], dtype=np.float32)
        node = OnnxLog(OnnxAdd(operator.inputs[0], one, op_version=version),
                       op_version=version, output_names=operator.outputs[:1])
        node.add_to(scope, container)

    update_registered_converter(FunctionTransformer, "MlopsSpecLog1p", shape, convert,
                                overwrite=True)


def _onnx_ready(model: Any) -> Any:
    """A copy whose categorical imputers treat ``""`` as missing (skl2onnx needs a string
    missing value for string inputs)."""
    from sklearn.impute import SimpleImputer  # type: ignore[import-untyped]

    ready = copy.deepcopy(model)
    for _, branch, _ in ready.named_steps["preprocess"].transformers_:
        for _, step in getattr(branch, "steps", []):
            if isinstance(step, SimpleImputer) and isinstance(step.fill_value, str):
                step.missing_values = ""
    return ready


def feeds(spec: Spec, x: Any) -> dict[str, Any]:
    import numpy as np

    out = {}
    for feature in spec.features.columns:
        column = x[feature.name]
        if feature.type == "categorical":
            out[feature.name] = np.array(["" if v != v else str(v) for v in column],
                                         dtype=object).reshape(-1, 1)
        else:
            out[feature.name] = column.to_numpy(dtype=np.float32).reshape(-1, 1)
    return out


def _scores(spec: Spec, session: Any, inputs: dict[str, Any]) -> tuple[Any, Any]:
    results = session.run(None, inputs)
    if spec.model.task == "regression":
        return results[0].ravel(), results[0].ravel()
    probabilities = results[1]
    column = 1 if spec.model.task == "binary_classification" else slice(None)
    return results[0].ravel(), probabilities[:, column]


def _check(spec: Spec, path: Path, model: Any, x: Any, tolerance: float) -> dict[str, Any]:
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = feeds(spec, x)
    labels, scores = _scores(spec, session, inputs)
    if spec.model.task == "regression":
        expected = model.predict(x)
    else:
        expected = model.predict_proba(x)
        expected = expected[:, 1] if spec.model.task == "binary_classification" else expected
    gaps = np.abs(np.asarray(scores, dtype=float) - expected).reshape(len(x), -1).max(axis=1)
    difference = float(gaps.max()) if len(x) else 0.0
    same_labels = float(np.mean(labels == model.predict(x))) if len(x) else 1.0
    single = {name: value[:1] for name, value in inputs.items()}
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        session.run(None, single)
        timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    session.run(None, inputs)
    batch = time.perf_counter() - start
    data = path.read_bytes()
    return {"file": f"{DIRECTORY}/{path.name}", "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "max_abs_difference": difference, "tolerance": tolerance,
            "within_tolerance": difference <= tolerance, "label_agreement": same_labels,
            "rows": len(x), "rows_beyond_tolerance": int((gaps > tolerance).sum()),
            "latency_ms_one_row_median": round(sorted(timings)[len(timings) // 2] * 1e3, 4),
            "rows_per_second_batch": round(len(x) / batch) if batch > 0 else None}


def export(spec: Spec, model: Any, x_test: Any, out: Path, progress: Progress) -> dict[str, Any]:
    require("skl2onnx", "onnx", "deployment.mode: embedded")
    require("onnxruntime", "onnx", "deployment.mode: embedded")
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    config = spec.deployment.embedded or Embedded()
    progress.step("exporting to ONNX")
    _register_log1p()
    ready = _onnx_ready(model)
    types = [(f.name, StringTensorType([None, 1]) if f.type == "categorical"
              else FloatTensorType([None, 1])) for f in spec.features.columns]
    options = ({id(ready.named_steps["model"]): {"zipmap": False}}
               if spec.model.task != "regression" else None)
    import warnings

    try:
        with warnings.catch_warnings():  # onnx's notice about skl2onnx's boolean ints
            warnings.simplefilter("ignore", DeprecationWarning)
            converted = to_onnx(ready, initial_types=types, options=options)
    except Exception as exc:  # skl2onnx raises many types for unsupported estimators
        raise TrainError.single("T014", f"{spec.model.estimator} does not export to ONNX: "
                                f"{type(exc).__name__}: {str(exc)[:300]}", "",
                                hint="see docs/training.md for the estimators that export, "
                                     "or use deployment.mode realtime/batch") from None
    directory = out / DIRECTORY
    directory.mkdir()
    path = directory / "model.onnx"
    path.write_bytes(converted.SerializeToString())
    report: dict[str, Any] = {"format": "mlops-spec/embedded-report/v1",
                              "onnx": _check(spec, path, model, x_test, config.tolerance)}
    if config.quantize:
        import logging

        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantized = directory / "model.int8.onnx"
        root = logging.getLogger()
        level, root.level = root.level, logging.ERROR  # a pre-processing advice warning
        try:
            quantize_dynamic(str(path), str(quantized), weight_type=QuantType.QInt8)
        finally:
            root.level = level
        report["quantized"] = _check(spec, quantized, model, x_test, config.tolerance)
    outputs.write_json(directory / "report.json", report)
    failed = [r for r in (report["onnx"], report.get("quantized")) if r and not
              r["within_tolerance"]]
    if failed:
        worst = failed[0]
        raise TrainError.single(
            "T014", f"{worst['file']} disagrees with scikit-learn by up to "
                    f"{worst['max_abs_difference']:.3g} on {worst['rows_beyond_tolerance']} of "
                    f"{worst['rows']} held-out rows (tolerance {config.tolerance})", "",
            hint="raise deployment.embedded.tolerance if that is acceptable, drop quantize, "
                 "or pick an estimator that exports exactly (docs/training.md)")
    return report
