from rest_framework.routers import DefaultRouter

from .api import ContractViewSet

router = DefaultRouter(trailing_slash=True)
router.register("contracts", ContractViewSet, basename="contract")

urlpatterns = router.urls
