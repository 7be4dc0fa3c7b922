"""The public short redirect /r/<code>: count the click, send the visitor to the stored destination.

No login: the link is pasted in creators' posts. The only place a visitor can be sent
is the destination a member stored (plus UTM parameters); nothing in the request (query
string, path, headers) changes where the redirect goes, so it is not an open redirect.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from apps.accounts.client_ip import client_ip

from .. import conversions, links


@require_http_methods(["GET", "HEAD"])
@never_cache
def tracked_link_redirect(request, code: str) -> HttpResponse:
    # Per IP, generous (a shared office or mobile carrier NAT clicks a lot). Over the
    # limit the visitor gets a 429 page and is not redirected: a flood should neither
    # inflate the counts nor be served redirects for free.
    if is_ratelimited(
        request,
        group="tracked_link_redirect",
        key="ip",
        rate=settings.TRACKED_LINK_RATE_LIMIT,
        increment=True,
    ):
        response = TemplateResponse(request, "reporting/links/too_many.html", status=429)
        response["Retry-After"] = "60"
        return response

    now = timezone.now()
    ip = client_ip(request)
    user_agent = request.headers.get("User-Agent", "")[:1000]
    visitor = links.visitor_hash(ip=ip, user_agent=user_agent, day=now.date())
    link = conversions.tracked_link_for_code(code=code, visitor=visitor, now=now)
    # Unknown, archived, or a destination that no longer passes the checks: a 404, never
    # a redirect anywhere.
    if link is None or not links.destination_is_safe(link.destination_url):
        raise Http404("No such link")
    conversions.link_click_record(
        link=link,
        ip=ip,
        user_agent=user_agent,
        method=request.method,
        referer=request.headers.get("Referer", ""),
        now=now,
    )
    target = links.utm_merge(
        link.destination_url, {name: getattr(link, name) for name in links.UTM_FIELDS}
    )
    response = HttpResponseRedirect(target)
    # The site-wide policy is same-origin, which would hide from the destination where
    # the visitor came from (instagram.com, tiktok.com...). The brand's analytics want that
    # origin, and our URL carries nothing private (the code is public), so use the
    # browsers' default: the origin only, and nothing on a downgrade to http.
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
