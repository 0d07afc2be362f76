"""CSV import of organizations, sites, contacts and assets.

Every import is checked first and written all or nothing:

* ``import_rows(kind, header, rows, dry_run=True)`` reports every bad row as
  ``{"line", "column", "message"}`` and writes nothing;
* without ``dry_run`` the same checks run and, only if no row is bad, everything is written in
  one transaction (a failure part-way rolls all of it back).

A row whose ``external_id`` is already known UPDATES that record instead of creating a second
one (assets also match on product SKU + serial number). An empty cell means "not given": it never
erases a value that is already stored.

Organizations, sites and assets go through the services themselves, one savepoint per row, so
their rules are the services' rules by construction (a dry run is the same work, rolled back).
Contacts are the big files (hundreds of thousands of rows), so they are checked row by row with
the same functions the contact service uses (``assign_fields``, the model's field validation,
``clean_custom_fields``, ``normalize_identity``, the service's error messages) and then written
with bulk inserts; ``tests/test_import_contacts.py`` holds the two paths to the same answers.

Audit: service-path rows are logged by django-auditlog as usual, attributed to the importing user
with source "import". The contact bulk path writes one ``LogEntry`` per contact it creates or
changes (with the field changes, identities and organization folded into that entry), also with
source "import", so the history of every record shows the import, as it would for a change made
in the UI; that costs one extra bulk insert per batch, which is cheap next to the rows themselves.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import AuditSource, audit_context
from kefu.core.customfields import clean_custom_fields, definitions_for
from kefu.core.errors import ServiceError
from kefu.customers import services
from kefu.customers.choices import IdentityKindChoices
from kefu.customers.identities import normalize_identity
from kefu.customers.importexport.bulk import db_value, insert_rows, reserve_ids
from kefu.customers.models import (
    Asset,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
)
from kefu.customers.services._common import assign_fields
from kefu.customers.services.contacts import CONTACT_FIELDS

Progress = Callable[[str, int, int], None]
BATCH = 1000
CHUNK = 500
TRUE_WORDS = {"1", "true", "yes", "y", "on", "是", "t"}
FALSE_WORDS = {"0", "false", "no", "n", "off", "否", "f"}
MULTI_VALUE = re.compile(r"[|;；]")


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.errors

    @property
    def bad_lines(self) -> int:
        return len({error["line"] for error in self.errors})

    def add_error(self, line: int, column: str, message: str) -> None:
        self.errors.append({"line": line, "column": column, "message": str(message)})


class RowInvalid(Exception):
    """A row cannot be imported; ``errors`` maps column names to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def parse_bool(value: str, column: str) -> bool:
    text = value.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RowInvalid({column: [_("Enter yes or no.")]})


def split_values(value: str) -> list[str]:
    return [part.strip() for part in MULTI_VALUE.split(value or "") if part.strip()]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class BaseImporter(ABC):
    """Column handling shared by every kind: header checks and error-key mapping."""

    kind = ""
    target = ""
    columns: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()
    # Service error keys (model field names) -> the CSV column a user sees.
    field_columns: dict[str, str] = {}

    def __init__(self, *, actor=None, progress: Progress | None = None):
        self.actor = actor
        self.progress = progress or _no_progress
        self.custom_keys = {d.key for d in definitions_for(self.target)}

    def check_header(self, header: list[str], result: ImportResult) -> None:
        for name in self.required_columns:
            if name not in header:
                result.add_error(1, name, _("This column is required."))
        seen = set()
        for name in header:
            if name in seen:
                result.add_error(1, name, _("This column appears twice."))
            seen.add(name)
            if name.startswith("cf_"):
                if name[3:] not in self.custom_keys:
                    result.add_error(1, name, _("Unknown custom field."))
            elif name not in self.columns:
                result.add_error(1, name, _("Unknown column."))

    def column_for(self, key: str) -> str:
        if key.startswith("custom_fields."):
            return "cf_" + key.split(".", 1)[1]
        if key == "__all__":
            return ""
        return self.field_columns.get(key, key)

    def errors_from(self, exc: Exception) -> dict[str, list[str]]:
        if isinstance(exc, RowInvalid):
            return exc.errors
        if isinstance(exc, ValidationError):
            if hasattr(exc, "error_dict"):
                return {self.column_for(k): list(v) for k, v in exc.message_dict.items()}
            return {"": list(exc.messages)}
        if isinstance(exc, ServiceError):
            column = self.column_for(getattr(exc, "field", "") or "")
            return {column: [str(exc.detail)]}
        raise exc

    @staticmethod
    def given(row: dict[str, str], name: str) -> bool:
        """A column counts as given when present and not empty (empty never erases)."""
        return bool(row.get(name))

    def custom_values(self, row: dict[str, str]) -> dict[str, str]:
        return {
            name[3:]: value for name, value in row.items() if name.startswith("cf_") and value != ""
        }

    @abstractmethod
    def run(
        self, header: list[str], rows: Iterable[tuple[int, dict]], *, dry_run: bool
    ) -> ImportResult:
        """Check, and unless ``dry_run`` write, ``rows``; return what was (or would be) done."""


class _Lookups:
    """Resolve the natural keys CSV files use (external IDs, SKUs, usernames) to primary keys."""

    def __init__(self):
        self._organizations: dict[str, int] = {}
        self._vendors: dict[str, bool] = {}

    def organization(self, external_id: str, column: str) -> int:
        pk = self._organizations.get(external_id)
        if pk is None:
            pk = (
                Organization.objects.filter(external_id=external_id)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is None:
                raise RowInvalid(
                    {column: [_("Unknown organization: %(id)s.") % {"id": external_id}]}
                )
            self._organizations[external_id] = pk
        return pk

    @staticmethod
    def tier(key: str, column: str) -> int:
        pk = OrganizationTier.objects.filter(key=key).values_list("pk", flat=True).first()
        if pk is None:
            raise RowInvalid({column: [_("Unknown tier: %(key)s.") % {"key": key}]})
        return pk

    @staticmethod
    def staff_user(name: str, column: str) -> int:
        users = get_user_model().objects.filter(is_staff=True, is_active=True)
        pk = (
            users.filter(username=name).values_list("pk", flat=True).first()
            or users.filter(email__iexact=name).values_list("pk", flat=True).first()
        )
        if pk is None:
            raise RowInvalid({column: [_("Unknown staff user: %(name)s.") % {"name": name}]})
        return pk

    @staticmethod
    def site(external_id: str, column: str) -> int:
        pk = Site.objects.filter(external_id=external_id).values_list("pk", flat=True).first()
        if pk is None:
            raise RowInvalid({column: [_("Unknown site: %(id)s.") % {"id": external_id}]})
        return pk

    @staticmethod
    def product(sku: str, column: str) -> int:
        pk = Product.objects.filter(sku=sku).values_list("pk", flat=True).first()
        if pk is None:
            raise RowInvalid({column: [_("Unknown product: %(sku)s.") % {"sku": sku}]})
        return pk


class ServiceImporter(BaseImporter):
    """Import through the services, one savepoint per row, inside one transaction."""

    @abstractmethod
    def apply(self, row: dict[str, str]) -> bool:
        """Create or update one record through its service; return True if created."""

    def run(self, header, rows, *, dry_run: bool) -> ImportResult:
        result = ImportResult(kind=self.kind, dry_run=dry_run)
        self.check_header(header, result)
        if result.errors:
            return result
        rows = list(rows)
        total = len(rows)
        result.total = total
        self.lookups = _Lookups()
        with audit_context(source=AuditSource.IMPORT, actor=self.actor), transaction.atomic():
            for done, (line, row) in enumerate(rows, start=1):
                try:
                    if "" in row:
                        raise RowInvalid({"": [_("This row has more cells than the header.")]})
                    with transaction.atomic():
                        created = self.apply(row)
                except (RowInvalid, ValidationError, ServiceError) as exc:
                    for column, messages in self.errors_from(exc).items():
                        for message in messages:
                            result.add_error(line, column, message)
                else:
                    if created:
                        result.created += 1
                    else:
                        result.updated += 1
                if done % 200 == 0 or done == total:
                    self.progress("write" if not dry_run else "check", done, total)
            if dry_run or result.errors:
                transaction.set_rollback(True)
        if result.errors:
            result.created = result.updated = 0
        return result


class OrganizationImporter(ServiceImporter):
    kind = "organizations"
    target = "customers.organization"
    columns = (
        "external_id",
        "name",
        "alt_name",
        "parent_external_id",
        "tier",
        "industry",
        "owner",
        "status",
        "is_vendor",
        "website",
        "email_domains",
        "phone",
        "notes",
        "tags",
    )
    required_columns = ("name",)
    field_columns = {"parent_id": "parent_external_id", "tier_id": "tier", "owner_id": "owner"}
    plain = ("name", "alt_name", "industry", "status", "website", "email_domains", "phone", "notes")

    def apply(self, row):
        fields: dict[str, Any] = {name: row[name] for name in self.plain if self.given(row, name)}
        errors: dict[str, list[str]] = {}
        resolvers = {
            "parent_external_id": ("parent_id", self.lookups.organization),
            "tier": ("tier_id", self.lookups.tier),
            "owner": ("owner_id", self.lookups.staff_user),
        }
        for column, (name, resolve) in resolvers.items():
            if self.given(row, column):
                try:
                    fields[name] = resolve(row[column], column)
                except RowInvalid as exc:
                    errors.update(exc.errors)
        if self.given(row, "is_vendor"):
            try:
                fields["is_vendor"] = parse_bool(row["is_vendor"], "is_vendor")
            except RowInvalid as exc:
                errors.update(exc.errors)
        if errors:
            raise RowInvalid(errors)
        tags = split_values(row["tags"]) if self.given(row, "tags") else None
        custom = self.custom_values(row)
        external_id = row.get("external_id") or None
        existing = (
            Organization.objects.filter(external_id=external_id).first() if external_id else None
        )
        if existing is not None:
            services.organization_update(
                actor=self.actor,
                organization=existing,
                tags=tags,
                custom_fields=custom or None,
                **fields,
            )
            return False
        name = fields.pop("name", "")
        organization = services.organization_create(
            actor=self.actor,
            name=name,
            external_id=external_id,
            tags=tags,
            custom_fields=custom,
            **fields,
        )
        if external_id:
            self.lookups._organizations[external_id] = organization.pk
        return True


class SiteImporter(ServiceImporter):
    kind = "sites"
    target = "customers.site"
    columns = (
        "external_id",
        "organization_external_id",
        "name",
        "code",
        "address",
        "city",
        "region",
        "postal_code",
        "country",
        "time_zone",
        "is_active",
    )
    required_columns = ("organization_external_id", "name")
    field_columns = {
        "organization_id": "organization_external_id",
        "organization": "organization_external_id",
    }
    plain = ("name", "code", "address", "city", "region", "postal_code", "country", "time_zone")

    def apply(self, row):
        fields: dict[str, Any] = {name: row[name] for name in self.plain if self.given(row, name)}
        errors: dict[str, list[str]] = {}
        organization_id = None
        if self.given(row, "organization_external_id"):
            try:
                organization_id = self.lookups.organization(
                    row["organization_external_id"], "organization_external_id"
                )
            except RowInvalid as exc:
                errors.update(exc.errors)
        if self.given(row, "is_active"):
            try:
                fields["is_active"] = parse_bool(row["is_active"], "is_active")
            except RowInvalid as exc:
                errors.update(exc.errors)
        if errors:
            raise RowInvalid(errors)
        custom = self.custom_values(row)
        external_id = row.get("external_id") or None
        existing = Site.objects.filter(external_id=external_id).first() if external_id else None
        if existing is not None:
            if organization_id is not None:
                fields["organization_id"] = organization_id
            services.site_update(
                actor=self.actor, site=existing, custom_fields=custom or None, **fields
            )
            return False
        if organization_id is None:
            raise RowInvalid({"organization_external_id": [_("This field is required.")]})
        services.site_create(
            actor=self.actor,
            organization_id=organization_id,
            name=fields.pop("name", ""),
            external_id=external_id,
            custom_fields=custom,
            **fields,
        )
        return True


class AssetImporter(ServiceImporter):
    kind = "assets"
    target = "customers.asset"
    columns = (
        "external_id",
        "product_sku",
        "serial_number",
        "organization_external_id",
        "site_external_id",
        "install_date",
        "warranty_end",
        "status",
        "vendor_external_id",
        "notes",
    )
    required_columns = ("product_sku", "serial_number", "organization_external_id")
    field_columns = {
        "product_id": "product_sku",
        "product": "product_sku",
        "organization_id": "organization_external_id",
        "organization": "organization_external_id",
        "site_id": "site_external_id",
        "vendor_id": "vendor_external_id",
    }
    plain = ("serial_number", "install_date", "warranty_end", "status", "notes")

    def apply(self, row):
        fields: dict[str, Any] = {name: row[name] for name in self.plain if self.given(row, name)}
        errors: dict[str, list[str]] = {}
        resolvers = {
            "product_sku": ("product_id", self.lookups.product),
            "organization_external_id": ("organization_id", self.lookups.organization),
            "site_external_id": ("site_id", self.lookups.site),
            "vendor_external_id": ("vendor_id", self.lookups.organization),
        }
        for column, (name, resolve) in resolvers.items():
            if self.given(row, column):
                try:
                    fields[name] = resolve(row[column], column)
                except RowInvalid as exc:
                    errors.update(exc.errors)
        for column in self.required_columns:
            if not self.given(row, column) and column not in errors:
                errors[column] = [_("This field is required.")]
        if errors:
            raise RowInvalid(errors)
        custom = self.custom_values(row)
        external_id = row.get("external_id") or None
        existing = None
        if external_id:
            existing = Asset.objects.filter(external_id=external_id).first()
        if existing is None:
            existing = Asset.objects.filter(
                product_id=fields["product_id"], serial_number=fields["serial_number"]
            ).first()
        if existing is not None:
            if external_id:
                fields["external_id"] = external_id
            services.asset_update(
                actor=self.actor, asset=existing, custom_fields=custom or None, **fields
            )
            return False
        services.asset_create(
            actor=self.actor,
            product_id=fields.pop("product_id"),
            serial_number=fields.pop("serial_number"),
            organization_id=fields.pop("organization_id"),
            external_id=external_id,
            custom_fields=custom,
            **fields,
        )
        return True


IDENTITY_COLUMNS = tuple(IdentityKindChoices.values)
CONTACT_INSERT_FIELDS = (
    "id",
    "name",
    "alt_name",
    "external_id",
    "title",
    "preferred_language",
    "preferred_channel",
    "primary_organization_id",
    "is_active",
    "notes",
    "custom_fields",
    "created_at",
    "updated_at",
)
IDENTITY_FIELDS = (
    "contact_id",
    "kind",
    "value",
    "normalized",
    "label",
    "is_primary",
    "is_verified",
    "is_undeliverable",
    "created_at",
)
MEMBERSHIP_FIELDS = (
    "contact_id",
    "organization_id",
    "title",
    "is_primary",
    "is_admin",
    "created_at",
)
LOG_FIELDS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "timestamp",
    "additional_data",
    "actor_email",
)


@dataclass
class _ContactRow:
    line: int
    contact: Contact
    is_new: bool
    changes: dict[str, list[Any]]
    identities: list[dict[str, Any]]
    organization_id: int | None


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _shown(value: Any) -> str:
    return "None" if value is None else str(value)


class ContactImporter(BaseImporter):
    """Contacts with their identities and primary organization, checked then bulk-written."""

    kind = "contacts"
    target = "customers.contact"
    columns = (
        "external_id",
        "name",
        "alt_name",
        "title",
        "preferred_language",
        "preferred_channel",
        "is_active",
        "notes",
        "organization_external_id",
        *IDENTITY_COLUMNS,
    )
    required_columns = ("name",)
    field_columns = {
        "primary_organization": "organization_external_id",
        "organizations.0.organization_id": "organization_external_id",
    }
    plain = tuple(sorted(CONTACT_FIELDS - {"is_active", "external_id"}))

    def run(self, header, rows, *, dry_run: bool) -> ImportResult:
        result = ImportResult(kind=self.kind, dry_run=dry_run)
        self.check_header(header, result)
        if result.errors:
            return result
        rows = list(rows)
        result.total = len(rows)
        checked = self._check(rows, result)
        if result.errors:
            return result
        if dry_run:
            result.created = sum(1 for item in checked if item.is_new)
            result.updated = len(checked) - result.created
            return result
        with audit_context(source=AuditSource.IMPORT, actor=self.actor):
            self._write(checked, result)
        return result

    # --- checking ------------------------------------------------------------------------
    def _preload(self, rows):
        external_ids = sorted({row["external_id"] for _line, row in rows if row.get("external_id")})
        existing: dict[str, Contact] = {}
        for chunk in _chunks(external_ids):
            for contact in Contact.objects.filter(external_id__in=chunk):
                existing[contact.external_id] = contact
        org_ids = sorted(
            {
                row["organization_external_id"]
                for _l, row in rows
                if row.get("organization_external_id")
            }
        )
        organizations: dict[str, int] = {}
        for chunk in _chunks(org_ids):
            organizations.update(
                Organization.objects.filter(external_id__in=chunk).values_list("external_id", "pk")
            )
        return existing, organizations

    def _check(self, rows, result: ImportResult) -> list[_ContactRow]:
        existing, organizations = self._preload(rows)
        use_custom = bool(self.custom_keys)
        checked: list[_ContactRow] = []
        claimed: dict[tuple[str, str], int] = {}
        seen_external: dict[str, int] = {}
        total = len(rows)
        for done, (line, row) in enumerate(rows, start=1):
            errors: dict[str, list[str]] = {}
            try:
                item = self._check_row(line, row, existing, organizations, use_custom, errors)
            except (RowInvalid, ValidationError) as exc:
                for column, messages in self.errors_from(exc).items():
                    errors.setdefault(column, []).extend(messages)
                item = None
            external_id = row.get("external_id")
            if external_id:
                if external_id in seen_external:
                    errors.setdefault("external_id", []).append(
                        _("This external ID is also on line %(line)d.")
                        % {"line": seen_external[external_id]}
                    )
                else:
                    seen_external[external_id] = line
            if item is not None:
                for identity in item.identities:
                    key = (identity["kind"], identity["normalized"])
                    if key in claimed:
                        errors.setdefault(identity["kind"], []).append(
                            _("%(value)s is also on line %(line)d.")
                            % {"value": identity["value"], "line": claimed[key]}
                        )
                    else:
                        claimed[key] = line
            if errors:
                for column, messages in errors.items():
                    for message in messages:
                        result.add_error(line, column, message)
            elif item is not None:
                checked.append(item)
            if done % BATCH == 0 or done == total:
                self.progress("check", done, total)
        self._check_owners(checked, result)
        if result.errors:
            result.errors.sort(key=lambda e: e["line"])
        return checked

    def _check_row(
        self, line, row, existing, organizations, use_custom, errors
    ) -> _ContactRow | None:
        if "" in row:
            raise RowInvalid({"": [_("This row has more cells than the header.")]})
        external_id = row.get("external_id") or None
        contact = existing.get(external_id) if external_id else None
        is_new = contact is None
        fields: dict[str, Any] = {name: row[name] for name in self.plain if self.given(row, name)}
        if "name" in fields:
            fields["name"] = fields["name"].strip()
        if self.given(row, "is_active"):
            try:
                fields["is_active"] = parse_bool(row["is_active"], "is_active")
            except RowInvalid as exc:
                errors.update(exc.errors)
        before: dict[str, Any] = {}
        if is_new:
            contact = Contact(name=fields.pop("name", ""), external_id=external_id)
        else:
            before = {name: getattr(contact, name) for name in (*fields, "custom_fields")}
        assign_fields(contact, fields, CONTACT_FIELDS)
        custom = self.custom_values(row)
        if use_custom or custom:
            try:
                if is_new:
                    contact.custom_fields = clean_custom_fields(self.target, custom)
                elif custom:
                    contact.custom_fields = clean_custom_fields(
                        self.target, custom, existing=contact.custom_fields, partial=True
                    )
            except ValidationError as exc:
                errors.update(self.errors_from(exc))
        try:
            contact.clean_fields(exclude=["primary_organization"])
            contact.clean()
        except ValidationError as exc:
            for column, messages in self.errors_from(exc).items():
                errors.setdefault(column, []).extend(messages)
        organization_id = None
        if self.given(row, "organization_external_id"):
            organization_id = organizations.get(row["organization_external_id"])
            if organization_id is None:
                errors["organization_external_id"] = [_("Unknown organization.")]
        identities = self._check_identities(row, errors)
        if errors:
            return None
        if is_new:
            changes = {
                name: ["None", _shown(getattr(contact, name))]
                for name in ("name", "external_id", *fields)
                if getattr(contact, name) not in (None, "")
            }
        else:
            changes = {
                name: [_shown(old), _shown(getattr(contact, name))]
                for name, old in before.items()
                if getattr(contact, name) != old
            }
        return _ContactRow(line, contact, is_new, changes, identities, organization_id)

    def _check_identities(self, row, errors) -> list[dict[str, Any]]:
        cleaned: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for kind in IDENTITY_COLUMNS:
            if not self.given(row, kind):
                continue
            for position, value in enumerate(split_values(row[kind])):
                try:
                    normalized = normalize_identity(kind, value)
                except ValidationError as exc:
                    errors.setdefault(kind, []).extend(exc.messages)
                    continue
                if (kind, normalized) in seen:
                    errors.setdefault(kind, []).append(_("This identity is listed twice."))
                    continue
                seen.add((kind, normalized))
                cleaned.append(
                    {
                        "kind": kind,
                        "value": value[:254],
                        "normalized": normalized,
                        "is_primary": position == 0,
                    }
                )
        return cleaned

    def _check_owners(self, checked: list[_ContactRow], result: ImportResult) -> None:
        """Refuse identities another contact owns (the service's ``IdentityTaken``)."""
        wanted: dict[tuple[str, str], _ContactRow] = {}
        for item in checked:
            for identity in item.identities:
                wanted[(identity["kind"], identity["normalized"])] = item
        normalized = sorted({key[1] for key in wanted})
        owners: dict[tuple[str, str], tuple[int, str]] = {}
        for chunk in _chunks(normalized):
            for kind, value, contact_id, name in ContactIdentity.objects.filter(
                normalized__in=chunk
            ).values_list("kind", "normalized", "contact_id", "contact__name"):
                owners[(kind, value)] = (contact_id, name)
        refused: set[int] = set()
        for key, item in wanted.items():
            owner = owners.get(key)
            if owner is None:
                continue
            if not item.is_new and owner[0] == item.contact.pk:
                item.identities = [
                    i for i in item.identities if (i["kind"], i["normalized"]) != key
                ]
                continue
            identity = next(i for i in item.identities if (i["kind"], i["normalized"]) == key)
            result.add_error(
                item.line,
                key[0],
                _("%(value)s already belongs to %(name)s.")
                % {"value": identity["value"], "name": owner[1]},
            )
            refused.add(item.line)
        if refused:
            checked[:] = [item for item in checked if item.line not in refused]

    # --- writing -------------------------------------------------------------------------
    def _write(self, checked: list[_ContactRow], result: ImportResult) -> None:
        total = len(checked)
        self.progress("write", 0, total)
        content_type = ContentType.objects.get_for_model(Contact)
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        source = db_value(LogEntry, "additional_data", {"source": AuditSource.IMPORT})
        with transaction.atomic(), disable_auditlog():
            done = 0
            for batch in _chunks(checked, BATCH):
                new = [item for item in batch if item.is_new]
                old = [item for item in batch if not item.is_new]
                for item in new:
                    item.contact.primary_organization_id = item.organization_id
                has_primary = set(
                    ContactIdentity.objects.filter(
                        contact_id__in=[item.contact.pk for item in old], is_primary=True
                    ).values_list("contact_id", "kind")
                )
                self._insert_contacts([item.contact for item in new])
                for item in old:
                    self._update_membership(item)
                changed_fields = sorted(
                    {
                        name
                        for item in old
                        for name in item.changes
                        if name != "primary_organization"
                    }
                )
                if changed_fields:
                    Contact.objects.bulk_update(
                        [item.contact for item in old if item.changes],
                        changed_fields,
                        batch_size=CHUNK,
                    )
                now = db_value(ContactIdentity, "created_at", timezone.now())
                identities = []
                memberships = []
                entries = []
                for item in batch:
                    pk = item.contact.pk
                    for identity in item.identities:
                        primary = (
                            identity["is_primary"] and (pk, identity["kind"]) not in has_primary
                        )
                        identities.append(
                            (
                                pk,
                                identity["kind"],
                                identity["value"],
                                identity["normalized"],
                                "",
                                primary,
                                False,
                                False,
                                now,
                            )
                        )
                    if item.identities:
                        item.changes["identities"] = [
                            "",
                            ", ".join(f"{i['kind']}: {i['value']}" for i in item.identities),
                        ]
                    if item.is_new and item.organization_id:
                        memberships.append(
                            (pk, item.organization_id, item.contact.title, True, False, now)
                        )
                    if item.changes:
                        action = LogEntry.Action.CREATE if item.is_new else LogEntry.Action.UPDATE
                        entries.append(
                            (
                                content_type.pk,
                                str(pk),
                                pk,
                                str(item.contact)[:200],
                                action,
                                "",
                                db_value(LogEntry, "changes", item.changes),
                                actor.pk if actor else None,
                                now,
                                source,
                                getattr(actor, "email", None) if actor else None,
                            )
                        )
                insert_rows(ContactIdentity, IDENTITY_FIELDS, identities)
                insert_rows(ContactMembership, MEMBERSHIP_FIELDS, memberships)
                insert_rows(LogEntry, LOG_FIELDS, entries)
                result.created += len(new)
                result.updated += len(old)
                done += len(batch)
                self.progress("write", done, total)
        self.contact_ids = [item.contact.pk for item in checked]

    @staticmethod
    def _insert_contacts(contacts: list[Contact]) -> None:
        """INSERT validated new contacts with reserved ids (``bulk.insert_rows``).

        ``bulk_create`` spent nine tenths of the write phase building SQL; the values here are
        the model's own, already through ``clean_fields``, converted with ``db_value``.
        """
        ids = reserve_ids(Contact, len(contacts))
        now = timezone.now()
        rows = []
        for pk, contact in zip(ids, contacts, strict=True):
            contact.pk = pk
            contact.created_at = contact.updated_at = now
            contact._state.adding = False
            rows.append(
                tuple(
                    db_value(Contact, name, getattr(contact, name))
                    if name in ("custom_fields", "created_at", "updated_at")
                    else getattr(contact, name)
                    for name in CONTACT_INSERT_FIELDS
                )
            )
        insert_rows(Contact, CONTACT_INSERT_FIELDS, rows)

    @staticmethod
    def _update_membership(item: _ContactRow) -> None:
        """Make the row's organization the contact's primary one (others are kept)."""
        contact = item.contact
        if item.organization_id is None or contact.primary_organization_id == item.organization_id:
            return
        ContactMembership.objects.filter(contact=contact, is_primary=True).update(is_primary=False)
        ContactMembership.objects.update_or_create(
            contact=contact,
            organization_id=item.organization_id,
            defaults={"is_primary": True},
        )
        item.changes["primary_organization"] = [
            _shown(contact.primary_organization_id),
            _shown(item.organization_id),
        ]
        contact.primary_organization_id = item.organization_id
        Contact.objects.filter(pk=contact.pk).update(primary_organization_id=item.organization_id)


IMPORTERS: dict[str, type[BaseImporter]] = {
    "organizations": OrganizationImporter,
    "sites": SiteImporter,
    "contacts": ContactImporter,
    "assets": AssetImporter,
}


def import_rows(
    kind: str,
    header: list[str],
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    actor=None,
    dry_run: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Check (``dry_run``) or import ``rows`` of ``kind``; see the module docstring."""
    importer = IMPORTERS[kind](actor=actor, progress=progress)
    result = importer.run(header, rows, dry_run=dry_run)
    if not dry_run and result.is_ok and kind == "contacts":
        _reindex(getattr(importer, "contact_ids", []))
    if not dry_run and result.is_ok:
        _refresh_statistics(kind, result)
    return result


def _refresh_statistics(kind: str, result: ImportResult) -> None:
    """After a big import, refresh the planner statistics of the tables it wrote (on commit)."""
    from kefu.core.dbstats import refresh_statistics

    tables = {
        "organizations": [Organization],
        "sites": [Site],
        "contacts": [Contact, ContactIdentity, ContactMembership],
        "assets": [Asset],
    }[kind]
    written = result.created + result.updated
    transaction.on_commit(lambda: refresh_statistics(tables, rows=written))


def import_file(
    kind: str,
    data: bytes,
    *,
    encoding: str | None = None,
    actor=None,
    dry_run: bool = True,
    progress: Progress | None = None,
) -> tuple[ImportResult, str]:
    """Decode and import CSV bytes; return the result and the encoding used."""
    from kefu.customers.importexport.csvfile import decode, read_rows

    text, used = decode(data, encoding)
    header, rows = read_rows(text)
    result = import_rows(kind, header, rows, actor=actor, dry_run=dry_run, progress=progress)
    return result, used


def _reindex(contact_ids: list[int]) -> None:
    """Bulk writes skip the signals search listens to: index the imported contacts explicitly."""
    try:
        from kefu.customers import search
    except ImportError:
        return
    hook = getattr(search, "index_contacts", None)
    if hook is not None and contact_ids:
        transaction.on_commit(lambda: hook(contact_ids))
