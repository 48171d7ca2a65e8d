"""The store's user-facing errors (A codes, docs/diagnostics.md) and credential scrubbing."""

from __future__ import annotations

import re

from mlops_spec.diagnostics import UserError

_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")
_SECRET_QUERY = re.compile(r"(?i)([?&](?:x-amz-[a-z-]*|sig|signature|token|sv|se|sp)=)[^&\s]*")


class StoreError(UserError):
    """The artifact store or registry refused or could not do what was asked (exit 2)."""


def redact(text: str) -> str:
    """``text`` with URI userinfo (``user:password@``) and signed-URL query values hidden,
    so no message built from a URI or a backend's error can carry a credential."""
    return _SECRET_QUERY.sub(r"\1***", _USERINFO.sub(r"\g<scheme>***@", text))
