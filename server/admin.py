"""POST /admin/reload: serve the newly published index version now instead of at the next poll.

Off unless POLICY_SEARCH_ADMIN_TOKEN (config.admin_token) is set; then answered only to
loopback clients that send `Authorization: Bearer <token>`.
"""
from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import Forbidden, Unauthorized

from .context import config, holder

bp = Blueprint("admin", __name__)


@bp.post("/admin/reload")
def reload():
    _authorise()
    served = holder()
    previous = served.current.version.name
    changed = served.reload()  # IndexUnavailableError -> 503; the old version keeps serving
    return jsonify({"reloaded": changed, "version": served.current.version.name, "previous": previous})


def _authorise() -> None:
    """Refuse unless the endpoint is on, the client is on this machine and the token matches."""
    token = config().admin_token.strip()  # a token pasted with a newline or spaces must still match
    if not token:
        raise Forbidden("the admin endpoint is off: set POLICY_SEARCH_ADMIN_TOKEN to turn it on")
    if not _is_loopback(request.remote_addr):
        raise Forbidden("the admin endpoint only answers requests from this machine")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("send the admin token as 'Authorization: Bearer <token>'")


def _is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback
