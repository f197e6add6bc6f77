from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from cases.api import ApiConflict, ApiValidationError
from cases.api import router as cases_router
from core.api import TooManyRequests
from registry.api import router as registry_router
from territory.api import router as territory_router

api = NinjaAPI(
    title="Fengqiao API",
    version="1",
    auth=django_auth,
    urls_namespace="api",
    description="JSON API of the Fengqiao grid governance platform. Staff use their session; systems send "
    "`X-Api-Key`. Every read is limited to the caller's territory: an object outside it answers 404, like a "
    "missing one. Bad input answers 400 with `errors` naming each field; an action the case's state does not "
    "allow answers 409 with the allowed actions.",
)
api.add_router("/", territory_router)
api.add_router("/", cases_router)
api.add_router("/", registry_router)


@api.exception_handler(ApiValidationError)
def bad_input(request: HttpRequest, exc: ApiValidationError):
    return api.create_response(request, {"detail": "invalid input", "errors": exc.errors}, status=400)


@api.exception_handler(NinjaValidationError)
def bad_shape(request: HttpRequest, exc: NinjaValidationError):
    errors = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "payload", "query", "path", "body")]
        errors[".".join(loc) or "body"] = error.get("msg", "invalid")
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=400)


@api.exception_handler(ApiConflict)
def conflict(request: HttpRequest, exc: ApiConflict):
    return api.create_response(request, {"detail": exc.message, "allowed_actions": exc.allowed}, status=409)


@api.exception_handler(TooManyRequests)
def too_many(request: HttpRequest, exc: TooManyRequests):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.wait)
    return response
