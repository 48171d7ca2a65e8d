"""Built-in governance checks a checklist may name (automated ones; others are attested)."""

BUILTIN_CHECKS: dict[str, str] = {
    "data-provenance": "every data source has an owner and provenance evidence",
    "pii-lawful-basis": "every source holding PII declares a lawful basis, and each PII "
                        "column its handling",
    "model-card": "purpose, intended use, limitations and metrics are present",
    "promotion-thresholds": "the evaluation met model.promotion",
    "monitoring-configured": "a realtime or batch model in production has drift monitoring",
}
