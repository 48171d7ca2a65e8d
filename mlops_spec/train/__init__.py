"""Training, evaluation and batch scoring from the spec (``mlops-spec train|evaluate|score``).

One module per job: ``dataset`` reads and joins the sources, ``pii`` applies the declared
handling, ``pipeline`` builds the scikit-learn pipeline, ``fit`` splits, searches and fits,
``scoring`` computes the metrics, ``artifact`` saves and safely loads models, ``card``,
``datasheet`` and ``lineage`` write the evidence, ``outputs`` moves a finished directory
into place, ``run`` ties them together, ``batch`` streams scoring. Heavy libraries
(scikit-learn, numpy, pandas, skops) are imported only inside these modules, which only the
three commands import.
"""

from __future__ import annotations

from mlops_spec.diagnostics import UserError


class TrainError(UserError):
    """A training, evaluation or scoring input problem (exit 2); codes ``T…``."""
