"""The visitor's IP address, by one rule for everything that needs it.

Login throttling (django-axes), the rate limits (django-ratelimit's key="ip"), the
creator's acceptance record and tracked-link visitor hashes all ask this function.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost one
    saw: X-Forwarded-For counted from the right (proxies append to it; anything further
    left came from the client and can be forged). "" when that is not an IP address."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""
