"""The reporting API router. R2 (conversions) and R3 (report) register their viewsets
on this same router, each in its own section below."""

from rest_framework.routers import DefaultRouter

from .api import DeliverablePostViewSet

router = DefaultRouter(trailing_slash=True)

# --- posts
router.register("deliverable-posts", DeliverablePostViewSet, basename="deliverablepost")

# --- conversions (api_conversions.py)
from .api_conversions import (  # noqa: E402
    ConversionViewSet,
    PromoCodeViewSet,
    TrackedLinkViewSet,
)

router.register("tracked-links", TrackedLinkViewSet, basename="trackedlink")
router.register("promo-codes", PromoCodeViewSet, basename="promocode")
router.register("conversions", ConversionViewSet, basename="conversion")

# --- report (api_report.py)
from .api_report import CampaignReportViewSet  # noqa: E402

router.register("reports", CampaignReportViewSet, basename="campaignreport")

urlpatterns = router.urls
