"""Forms on identity's own pages (account, town admin, operator): accepted only when posted
from identity's origin with the page session's CSRF token."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request


def csrf_of(token: str, *, purpose: bytes) -> str:
    """The CSRF token of a page session, bound to its access token and to the pages' purpose."""
    return hmac.new(token.encode(), purpose, hashlib.sha256).hexdigest()


def same_origin(request: Request, *, issuer: str) -> bool:
    """Whether the request came from identity's own pages (no Origin header counts as ours)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    ours = urlsplit(issuer)
    theirs = urlsplit(origin)  # "null" (an opaque origin) has no netloc and never matches
    return bool(theirs.netloc) and (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


async def checked_form(request: Request, *, csrf: str, issuer: str) -> FormData | None:
    """The submitted form if its CSRF token is `csrf` and it came from identity's pages."""
    try:
        form = await request.form()
    except Exception:  # a malformed body is the sender's fault
        return None
    submitted = form.get("csrf_token")
    if not isinstance(submitted, str) or not same_origin(request, issuer=issuer):
        return None
    return form if hmac.compare_digest(submitted, csrf) else None
