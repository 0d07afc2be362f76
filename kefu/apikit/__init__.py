"""Shared pieces of the JSON API: problem+json errors, authentication, idempotency, pagination.

The API itself is assembled in ``kefu/api.py`` from each app's ``api.py`` router.
"""
