from rest_framework.routers import SimpleRouter

from core.api.views import BorderPostViewSet

router = SimpleRouter(trailing_slash=False)
router.register("border-posts", BorderPostViewSet, basename="border-post")

urlpatterns = router.urls
