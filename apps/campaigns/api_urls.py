from rest_framework.routers import DefaultRouter

from .api import (
    CampaignCreatorViewSet,
    CampaignViewSet,
    MessageTemplateViewSet,
    OutreachMessageViewSet,
)

router = DefaultRouter(trailing_slash=True)
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-creators", CampaignCreatorViewSet, basename="campaigncreator")
router.register("message-templates", MessageTemplateViewSet, basename="messagetemplate")
router.register("messages", OutreachMessageViewSet, basename="outreachmessage")

urlpatterns = router.urls
