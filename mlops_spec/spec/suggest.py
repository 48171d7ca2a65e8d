"""Did-you-mean suggestions for misspelt keys and values."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option a typo most likely meant, or None when nothing is close."""
    import difflib  # only needed when something is wrong

    choices = [str(option) for option in options]
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return lowered[word.lower()]
    matches = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[matches[0]] if matches else None


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    match = closest(word, options)
    return f"did you mean {match!r}?" if match is not None else None
