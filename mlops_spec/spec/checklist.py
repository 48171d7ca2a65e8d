"""Built-in governance checks a checklist may name (automated ones; others are attested)."""

BUILTIN_CHECKS: dict[str, str] = {
    "data-provenance": "every data source has an owner and provenance evidence",
    "pii-lawful-basis": "every source holding PII declares a lawful basis, and each PII "
                        "column its handling",
    "model-card": "purpose, intended use, limitations and metrics are present",
    "retention-declared": "every source holding PII declares how long it is kept",
    "promotion-thresholds": "the evaluation met model.promotion.thresholds",
    "champion-challenger": "the new model is no worse than production by more than "
                           "model.promotion.vs_production allows",
    "monitoring-configured": "a realtime or batch model in production has drift monitoring",
}
