"""The JSON API: one NinjaAPI assembled from each app's router, served under ``/api/``.

Operations live under ``/api/v1/``; the OpenAPI 3.1 schema is ``/api/openapi.json`` and the
interactive documentation ``/api/docs``.
"""

from ninja import NinjaAPI

from kefu.apikit import idempotency, problems
from kefu.apikit.auth import api_auth

api = NinjaAPI(
    title="Kefu API",
    version="1",
    description="Kefu (客服) customer-service CRM. Errors are RFC 9457 problem+json; POSTs "
    "honour an Idempotency-Key header. Authenticate with `Authorization: Bearer <token>`.",
    auth=api_auth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
problems.install(api)
idempotency.document(api)


def _add_routers() -> None:
    from kefu.accounts.api import router as accounts_router
    from kefu.channels.api import router as channels_router
    from kefu.core.api import router as core_router
    from kefu.customers.api import router as customers_router
    from kefu.knowledge.api import router as knowledge_router
    from kefu.service.api import router as service_router
    from kefu.service.api_contracts import router as contracts_router
    from kefu.service.api_sla import router as sla_router
    from kefu.service.api_surveys import router as surveys_router
    from kefu.service.api_team import router as team_router

    api.add_router("/v1/", core_router)
    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", customers_router)
    api.add_router("/v1/", service_router)
    api.add_router("/v1/", surveys_router)
    api.add_router("/v1/", team_router)
    api.add_router("/v1/", sla_router)
    api.add_router("/v1/", contracts_router)
    api.add_router("/v1/", channels_router)
    api.add_router("/v1/", knowledge_router)


_add_routers()
