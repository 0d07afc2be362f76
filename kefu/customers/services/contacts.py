"""Writes to contacts, their identities, organization memberships and consent."""

from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import log_created
from kefu.core.customfields import clean_custom_fields
from kefu.core.errors import Conflict
from kefu.core.search.indexing import flush as search_flush
from kefu.core.search.indexing import index_prepared
from kefu.core.search.indexing import schedule as search_schedule
from kefu.customers.choices import ChannelChoices, ConsentSourceChoices
from kefu.customers.identities import normalize_identity
from kefu.customers.models import (
    ConsentRecord,
    Contact,
    ContactIdentity,
    ContactMembership,
)
from kefu.customers.search import contact_document
from kefu.customers.services._common import assign_fields, full_clean, validate_unique

CONTACT_KIND = "customers.contact"  # the search index kind (kefu.customers.search)
CONTACT_FIELDS = {
    "name",
    "alt_name",
    "external_id",
    "title",
    "preferred_language",
    "preferred_channel",
    "is_active",
    "notes",
}


class IdentityTaken(Conflict):
    """An identity is already owned by another contact; ``owner`` is that contact."""

    def __init__(self, *, field: str, identity: ContactIdentity):
        owner = identity.contact
        super().__init__(
            _("%(value)s already belongs to %(name)s.")
            % {"value": identity.value, "name": owner.name},
            link=owner.get_absolute_url(),
            code="identity_taken",
        )
        self.field = field
        self.owner = owner
        self.problem_extra = {"contact_id": owner.pk}


def _clean_identities(
    identities: list[dict[str, Any]], *, contact_id: int | None, check_owners: bool = True
) -> list[dict]:
    """Validate and normalise identity dicts; raise on bad values, duplicates and owners.

    ``check_owners=False`` leaves "someone else owns it" to the unique index at INSERT
    (:func:`_save_identities` turns that into the same ``IdentityTaken``): a new contact's
    identities are checked once, not twice.
    """
    errors: dict[str, list[str]] = {}
    cleaned: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(identities):
        kind = raw.get("kind", "")
        value = (raw.get("value") or "").strip()
        try:
            normalized = normalize_identity(kind, value)
        except ValidationError as exc:
            errors[f"identities.{index}.value"] = list(exc.messages)
            continue
        if (kind, normalized) in seen:
            errors[f"identities.{index}.value"] = [_("This identity is listed twice.")]
            continue
        seen.add((kind, normalized))
        cleaned.append(
            {
                "kind": kind,
                "value": value,
                "normalized": normalized,
                "label": (raw.get("label") or "")[:50],
                "is_primary": bool(raw.get("is_primary")),
                "index": index,
            }
        )
    if errors:
        raise ValidationError(errors)
    if check_owners:
        _raise_if_owned(cleaned, contact_id=contact_id)
    # One primary per kind: the first flagged, else the first given.
    for kind in {item["kind"] for item in cleaned}:
        of_kind = [item for item in cleaned if item["kind"] == kind]
        primary = next((item for item in of_kind if item["is_primary"]), of_kind[0])
        for item in of_kind:
            item["is_primary"] = item is primary
    return cleaned


def _raise_if_owned(cleaned: list[dict], *, contact_id: int | None) -> None:
    """Raise ``IdentityTaken`` for the first identity another contact owns (one query)."""
    if not cleaned:
        return
    wanted = Q()
    for item in cleaned:
        wanted |= Q(kind=item["kind"], normalized=item["normalized"])
    owners = {
        (identity.kind, identity.normalized): identity
        for identity in ContactIdentity.objects.select_related("contact")
        .filter(wanted)
        .exclude(contact_id=contact_id)
    }
    for item in cleaned:
        owner = owners.get((item["kind"], item["normalized"]))
        if owner is not None:
            raise IdentityTaken(field=f"identities.{item['index']}.value", identity=owner)


def _save_identities(
    contact: Contact, cleaned: list[dict], *, audit: bool = True
) -> list[ContactIdentity]:
    """INSERT the identities in one statement; ``IdentityTaken`` if one is taken.

    Audit-logged here unless ``audit=False`` (the caller logs them with its other rows).
    """
    if not cleaned:
        return []
    rows = [
        ContactIdentity(
            contact=contact,
            kind=item["kind"],
            value=item["value"],
            normalized=item["normalized"],
            label=item["label"],
            is_primary=item["is_primary"],
        )
        for item in cleaned
    ]
    try:
        with transaction.atomic():
            ContactIdentity.objects.bulk_create(rows)
    except IntegrityError:
        # Owned by another contact: not checked before (new contacts), or a lost race.
        _raise_if_owned(cleaned, contact_id=contact.pk)
        raise
    # bulk_create sends no signals: audit-log and re-index as the receivers would have.
    if audit:
        log_created(rows)
    search_schedule(CONTACT_KIND, [contact.pk])
    return rows


def _clean_memberships(memberships: list[dict[str, Any]]) -> list[dict]:
    from kefu.customers.models import Organization

    errors: dict[str, list[str]] = {}
    cleaned = []
    seen = set()
    ids = [m.get("organization_id") for m in memberships]
    existing = Organization.objects.in_bulk([i for i in ids if i]) if ids else {}
    for index, raw in enumerate(memberships):
        organization_id = raw.get("organization_id")
        if organization_id not in existing:
            errors[f"organizations.{index}.organization_id"] = [_("Unknown organization.")]
            continue
        if organization_id in seen:
            errors[f"organizations.{index}.organization_id"] = [_("Listed twice.")]
            continue
        seen.add(organization_id)
        cleaned.append(
            {
                "organization": existing[organization_id],
                "title": (raw.get("title") or "")[:100],
                "is_primary": bool(raw.get("is_primary")),
                "is_admin": bool(raw.get("is_admin")),
            }
        )
    if errors:
        raise ValidationError(errors)
    if cleaned and not any(m["is_primary"] for m in cleaned):
        cleaned[0]["is_primary"] = True
    primaries = [m for m in cleaned if m["is_primary"]]
    for extra in primaries[1:]:
        extra["is_primary"] = False
    return cleaned


def _save_memberships(
    contact: Contact, cleaned: list[dict], *, is_new: bool = False
) -> list[ContactMembership]:
    if is_new:
        # A new contact has nothing to remove or demote (its primary organization is set before
        # its first save): one INSERT for all; the caller audit-logs them.
        rows = [ContactMembership(contact=contact, **item) for item in cleaned]
        if rows:
            ContactMembership.objects.bulk_create(rows)
        return rows
    ContactMembership.objects.filter(contact=contact).exclude(
        organization_id__in=[m["organization"].pk for m in cleaned]
    ).delete()
    # Clear the old primary first: the partial unique index allows one primary per contact.
    ContactMembership.objects.filter(contact=contact, is_primary=True).update(is_primary=False)
    for item in cleaned:
        ContactMembership.objects.update_or_create(
            contact=contact,
            organization=item["organization"],
            defaults={
                "title": item["title"],
                "is_primary": item["is_primary"],
                "is_admin": item["is_admin"],
            },
        )
    primary = next((m["organization"].pk for m in cleaned if m["is_primary"]), None)
    if contact.primary_organization_id != primary:
        contact.primary_organization_id = primary
        contact.save(update_fields=["primary_organization", "updated_at"])
    return []


def contact_create(
    *,
    actor,
    name: str,
    identities: list[dict[str, Any]] | None = None,
    organizations: list[dict[str, Any]] | None = None,
    custom_fields: dict[str, Any] | None = None,
    **fields: Any,
) -> Contact:
    """Create a contact with its identities and memberships, all or nothing.

    ``identities``: ``[{"kind", "value", "label"?, "is_primary"?}]``;
    ``organizations``: ``[{"organization_id", "title"?, "is_primary"?, "is_admin"?}]``.
    Raises ``ValidationError`` for bad fields and ``IdentityTaken`` (409) when an identity
    belongs to someone else. The new contact carries the rows it was created with in
    ``created_identities`` and ``created_memberships`` (``selectors.contact_as_created`` turns
    them into its loaded relations, so the API answers without reading them back).

    The checks that need no lock run before the transaction begins: on SQLite a write
    transaction holds the database's single write lock from BEGIN to COMMIT, so what happens
    inside it is what limits concurrent writers. Uniqueness, organizations and identity owners
    are checked inside it.
    """
    contact = Contact(name=(name or "").strip())
    assign_fields(contact, fields, CONTACT_FIELDS)
    contact.custom_fields = clean_custom_fields("customers.contact", custom_fields)
    full_clean(contact, exclude=["primary_organization"], validate_unique=False)
    cleaned_identities = _clean_identities(identities or [], contact_id=None, check_owners=False)
    identity_keys = [(item["kind"], item["normalized"]) for item in cleaned_identities]
    document = contact_document(
        None, contact.name, contact.alt_name, contact.title, None, identity_keys
    )
    with transaction.atomic():
        if contact.external_id is not None:
            validate_unique(contact, exclude=["primary_organization"])
        cleaned_memberships = _clean_memberships(organizations or [])
        primary = next((m["organization"] for m in cleaned_memberships if m["is_primary"]), None)
        contact.primary_organization = primary
        with disable_auditlog():
            contact.save()
        saved_identities = _save_identities(contact, cleaned_identities, audit=False)
        memberships = _save_memberships(contact, cleaned_memberships, is_new=True)
        # The contact, its identities and memberships: one audit INSERT for all of them.
        log_created([contact, *saved_identities, *memberships])
        # Write the search index in this transaction (one commit per create, not two), from
        # what was written: the document segmented above, or with the organization's names.
        if primary is not None:
            organization = (primary.pk, primary.name, primary.alt_name)
            document = contact_document(
                None, contact.name, contact.alt_name, contact.title, organization, identity_keys
            )
        document.object_id = contact.pk
        index_prepared([document])
        search_flush()
    contact.created_identities = saved_identities
    contact.created_memberships = memberships
    return contact


@transaction.atomic
def contact_update(
    *,
    actor,
    contact: Contact,
    identities: list[dict[str, Any]] | None = None,
    organizations: list[dict[str, Any]] | None = None,
    custom_fields: dict[str, Any] | None = None,
    partial_custom_fields: bool = True,
    **fields: Any,
) -> Contact:
    """Change a contact. Given ``identities`` or ``organizations`` replace the current lists."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    assign_fields(contact, fields, CONTACT_FIELDS)
    if custom_fields is not None:
        contact.custom_fields = clean_custom_fields(
            "customers.contact",
            custom_fields,
            existing=contact.custom_fields,
            partial=partial_custom_fields,
        )
    full_clean(contact, exclude=["primary_organization"])
    contact.save()
    if identities is not None:
        cleaned = _clean_identities(identities, contact_id=contact.pk)
        keep = {(i["kind"], i["normalized"]) for i in cleaned}
        current = {(i.kind, i.normalized): i for i in contact.identities.all()}
        for key, identity in current.items():
            if key not in keep:
                identity.delete()
        for item in cleaned:
            existing = current.get((item["kind"], item["normalized"]))
            if existing is not None:
                changed = (existing.value, existing.label, existing.is_primary) != (
                    item["value"],
                    item["label"],
                    item["is_primary"],
                )
                if changed:
                    existing.value = item["value"]
                    existing.label = item["label"]
                    existing.is_primary = item["is_primary"]
                    existing.save(update_fields=["value", "label", "is_primary"])
        _save_identities(
            contact, [i for i in cleaned if (i["kind"], i["normalized"]) not in current]
        )
    if organizations is not None:
        _save_memberships(contact, _clean_memberships(organizations))
    return contact


@transaction.atomic
def contact_delete(*, actor, contact: Contact) -> None:
    contact.delete()


@transaction.atomic
def identity_add(
    *,
    actor,
    contact: Contact,
    kind: str,
    value: str,
    label: str = "",
    is_primary: bool = False,
) -> ContactIdentity:
    """Add one identity to ``contact``; ``IdentityTaken`` if someone else owns it."""
    try:
        cleaned = _clean_identities(
            [{"kind": kind, "value": value, "label": label, "is_primary": True}],
            contact_id=contact.pk,
        )[0]
    except IdentityTaken as exc:
        exc.field = "value"
        raise
    except ValidationError as exc:
        # Errors name the one identity given, so report them against this request's fields.
        raise ValidationError(
            {key.rsplit(".", 1)[-1]: messages for key, messages in exc.message_dict.items()}
        ) from None
    cleaned["index"] = 0
    existing = contact.identities.filter(kind=kind, normalized=cleaned["normalized"]).first()
    if existing is not None:
        raise ValidationError({"value": [_("The contact already has this identity.")]})
    has_primary = contact.identities.filter(kind=kind, is_primary=True).exists()
    if is_primary and has_primary:
        contact.identities.filter(kind=kind, is_primary=True).update(is_primary=False)
    cleaned["is_primary"] = is_primary or not has_primary
    try:
        _save_identities(contact, [cleaned])
    except IdentityTaken as exc:
        exc.field = "value"
        raise
    return contact.identities.get(kind=kind, normalized=cleaned["normalized"])


@transaction.atomic
def identity_remove(*, actor, identity: ContactIdentity) -> None:
    contact, kind, was_primary = identity.contact, identity.kind, identity.is_primary
    identity.delete()
    if was_primary:
        successor = contact.identities.filter(kind=kind).order_by("id").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])


@transaction.atomic
def identity_mark_undeliverable(
    *, actor, kind: str, value: str, is_undeliverable: bool = True
) -> int:
    """Flag the identity ``value`` of ``kind`` as (un)deliverable, e.g. after a hard bounce.

    Locks the matching row; returns how many identities changed (0 for an unknown or invalid
    value, or one already in that state).
    """
    try:
        normalized = normalize_identity(kind, value)
    except ValidationError:
        return 0
    changed = 0
    rows = ContactIdentity.objects.select_for_update().filter(kind=kind, normalized=normalized)
    for identity in rows.exclude(is_undeliverable=is_undeliverable):
        identity.is_undeliverable = is_undeliverable
        identity.save(update_fields=["is_undeliverable"])
        changed += 1
    return changed


@transaction.atomic
def consent_record(
    *,
    actor,
    contact: Contact,
    channel: str,
    is_granted: bool,
    source: str,
    note: str = "",
    recorded_at=None,
) -> ConsentRecord:
    """Append a consent grant or withdrawal for ``channel``; the newest record is in force."""
    errors = {}
    if channel not in ChannelChoices.values:
        errors["channel"] = [_("Unknown channel.")]
    if source not in ConsentSourceChoices.values:
        errors["source"] = [_("Unknown source.")]
    if errors:
        raise ValidationError(errors)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return ConsentRecord.objects.create(
        contact=contact,
        channel=channel,
        is_granted=is_granted,
        source=source,
        note=note[:200],
        recorded_at=recorded_at or timezone.now(),
        recorded_by=actor_user,
    )
