"""Drift and decay monitoring: compare current data with a stored training reference.

Stages, each a module with one job, data flowing forward only:

* ``columns``: normalise one column (numbers or categories) and count missing values;
* ``profile``: build, save and load the reference profile kept next to the artifact;
* ``readers``: read current or training data (CSV, Parquet) with schema checks;
* ``methods`` and ``ks``: the drift statistics, vectorised with numpy;
* ``compare``: run the chosen method on every watched feature (in a thread pool);
* ``decide``: per-feature, dataset and performance decisions, and the retrain trigger;
* ``performance``: the spec's metric on labelled current data;
* ``report``: the terminal table and the JSON document.

Nothing here is imported by ``mlops-spec validate``: numpy, scipy and pyarrow load only when
the drift command (or a trainer) imports these modules.
"""
