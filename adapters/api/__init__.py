"""The HTTP API (FastAPI, served by uvicorn with ``oversight api``): events in, records out,
under ``/v1``, with bearer-token roles and an access log. See :func:`create_app`."""

from oversight.adapters.api.app import create_app

__all__ = ["create_app"]
