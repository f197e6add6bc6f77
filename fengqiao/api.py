from ninja import NinjaAPI
from ninja.security import django_auth

from territory.api import router as territory_router

api = NinjaAPI(
    title="Fengqiao API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    description="JSON API of the Fengqiao grid governance platform. Every endpoint is limited to the "
    "caller's territory: an object outside it answers 404, like a missing one.",
)
api.add_router("/", territory_router)
