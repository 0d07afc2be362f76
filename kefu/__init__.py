"""Kefu (客服): an open-source CRM built around customer service."""

__version__ = "0.1.0"
