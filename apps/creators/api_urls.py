from rest_framework.routers import DefaultRouter

from .api import CreatorViewSet, PostViewSet, SocialAccountViewSet

router = DefaultRouter(trailing_slash=True)
router.register("creators", CreatorViewSet, basename="creator")
router.register("social-accounts", SocialAccountViewSet, basename="socialaccount")
router.register("posts", PostViewSet, basename="post")

urlpatterns = router.urls
