"""Accounts views: log-in and passwords (``auth``), one's own account (``me``), administration
of users and teams (``admin``)."""
