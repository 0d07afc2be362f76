"""Customer search: indexing organizations and contacts, and finding them for the global box.

What is indexed (``kefu.core.search``):

* ``customers.organization``: name and alternative name (as names: every CJK character and
  pair, so "示例" and "示" find "上海示例科技"), e-mail domains, website, phone digits.
* ``customers.contact``: name and alternative name (as names), job title, the primary
  organization's names, and every identity: e-mail addresses whole and in words, phone numbers
  as digits with every suffix of four or more digits, other IDs whole and in words.

Exact e-mail addresses and full phone numbers in any format are looked up directly on the
``ContactIdentity.normalized`` index first (``normalize_phone`` turns "+86 138-0013-8000",
"13800138000" and "138 0013 8000" into the same E.164 number); partial input goes through the
full-text index.

Freshness: signal receivers below mark changed records, and they are re-indexed once when the
transaction commits (see ``kefu.core.search.indexing``). ``bulk_create`` sends no signals:
importers call :func:`index_contacts` / :func:`index_organizations` with the new ids after
writing them; ``kefu seed`` calls :func:`bulk_index` (everything above the newest indexed id);
``kefu search_rebuild`` rebuilds from scratch.
"""

from collections.abc import Iterable

import phonenumbers
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _

from kefu.accounts import policy
from kefu.core.search import (
    Document,
    get_backend,
    index_objects,
    register_indexer,
    schedule,
    tokenize,
)
from kefu.core.search.providers import register_provider
from kefu.customers.choices import IdentityKindChoices
from kefu.customers.identities import normalize_phone
from kefu.customers.models import Contact, ContactIdentity, Organization

CONTACT = "customers.contact"
ORGANIZATION = "customers.organization"
_PHONE_KINDS = (IdentityKindChoices.PHONE, IdentityKindChoices.WHATSAPP)
_SHORTEST_FULL_PHONE = 7


def _national_digits(e164: str) -> str:
    """Return the national significant number of an E.164 number ("" if unknown).

    Country codes are prefix-free (1 to 3 digits), so the first prefix that is a known code
    is the code: far cheaper than a full ``phonenumbers.parse`` when indexing millions.
    """
    digits = e164.lstrip("+")
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return digits[length:]
    return ""


def _identity_tokens(kind: str, normalized: str, out: list[str]) -> None:
    if kind in _PHONE_KINDS:
        tokenize.phone_tokens(normalized, _national_digits(normalized), out=out)
    else:
        tokenize.email_tokens(normalized, out=out)


def contact_document(
    pk: int | None,
    name: str,
    alt_name: str,
    title: str,
    organization: tuple[int, str, str] | None,
    identities: Iterable[tuple[str, str]],
) -> Document:
    """The search document of one contact; ``organization`` is ``(id, name, alt_name)``.

    Services build it from what they are writing (before their transaction, so segmenting
    the names does not hold the write lock), :func:`contact_documents` from the database.
    """
    org_id, org_name, org_alt_name = organization or (None, "", "")
    tokens: list[str] = []
    for kind, normalized in identities:
        _identity_tokens(kind, normalized, tokens)
    document = Document(
        kind=CONTACT,
        object_id=pk,
        names=(name, alt_name),
        body=" ".join(filter(None, (title, org_name, org_alt_name))),
        tokens=tokens,
        organization_id=org_id,
    )
    return document.prepare()


def contact_documents(ids: list[int]) -> list[Document]:
    """Return the search documents of the contacts ``ids`` that exist (one query).

    One row per identity (a contact without any comes once, with NULLs), in contact order.
    """
    rows = (
        Contact.objects.filter(pk__in=ids)
        # order_by pk only: the model's default ordering would sort by name for nothing.
        .order_by("pk")
        .values_list(
            "pk",
            "name",
            "alt_name",
            "title",
            "primary_organization_id",
            "primary_organization__name",
            "primary_organization__alt_name",
            "identities__kind",
            "identities__normalized",
        )
    )
    grouped: dict[int, tuple] = {}
    for pk, name, alt_name, title, org_id, org_name, org_alt, kind, normalized in rows:
        if pk not in grouped:
            organization = (org_id, org_name, org_alt) if org_id is not None else None
            grouped[pk] = (name, alt_name, title, organization, [])
        if kind is not None:
            grouped[pk][4].append((kind, normalized))
    return [
        contact_document(pk, name, alt_name, title, organization, identities)
        for pk, (name, alt_name, title, organization, identities) in grouped.items()
    ]


def _organization_excerpt(name: str, alt_name: str) -> str:
    return f"{name}\n{alt_name}"


def organization_documents(ids: list[int]) -> list[Document]:
    """Return the search documents of the organizations ``ids`` that exist (one query)."""
    documents = []
    rows = (
        Organization.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "name", "alt_name", "email_domains", "website", "phone", "is_vendor")
    )
    for pk, name, alt_name, domains, website, phone, is_vendor in rows:
        tokens: list[str] = []
        for domain in filter(None, (domains or "").split(",")):
            tokenize.email_tokens(domain, out=tokens)
        e164 = normalize_phone(phone) if phone else None
        if e164:
            tokenize.phone_tokens(e164, _national_digits(e164), out=tokens)
        documents.append(
            Document(
                kind=ORGANIZATION,
                object_id=pk,
                names=(name, alt_name),
                body=website or "",
                tokens=tokens,
                organization_id=pk,
                facet="vendor" if is_vendor else "",
                excerpt=_organization_excerpt(name, alt_name),
            )
        )
    return documents


def index_contacts(ids: Iterable[int]) -> int:
    """Index the contacts ``ids`` now, in batches (the bulk path for imports and seeding)."""
    return index_objects(CONTACT, ids)


def index_organizations(ids: Iterable[int]) -> int:
    """Index the organizations ``ids`` now, in batches (the bulk path for imports and seeding)."""
    return index_objects(ORGANIZATION, ids)


def bulk_index(*, stdout=None) -> int:
    """Index the organizations and contacts added by bulk inserts since the last indexing.

    ``kefu seed`` calls this after it writes; rows are found by id above the newest indexed
    one (bulk loaders append). With ``stdout`` a progress bar is shown and a summary written.
    """
    import sys

    from tqdm import tqdm

    from kefu.core.search.indexing import catch_up, pending_count

    total = 0
    for kind in (ORGANIZATION, CONTACT):
        with tqdm(
            total=pending_count(kind) if stdout else None,
            desc=f"search {kind}",
            unit="rec",
            disable=stdout is None,
            file=sys.stderr,
        ) as bar:
            written = catch_up(kind, progress=bar.update)
        total += written
        if stdout is not None:
            stdout.write(f"search: {kind}: {written} indexed")
    return total


register_indexer(CONTACT, build=contact_documents, all_ids=lambda: Contact.objects.all())
register_indexer(
    ORGANIZATION, build=organization_documents, all_ids=lambda: Organization.objects.all()
)


# --- keeping the index current ----------------------------------------------------------------


def _contact_changed(sender, instance, using, **kwargs):
    schedule(CONTACT, [instance.pk], using=using)


def _identity_changed(sender, instance, using, **kwargs):
    schedule(CONTACT, [instance.contact_id], using=using)


def _organization_saved(sender, instance, using, created, **kwargs):
    schedule(ORGANIZATION, [instance.pk], using=using)
    if created:
        return
    from kefu.core.models import SearchDocument

    indexed = (
        SearchDocument.objects.using(using)
        .filter(kind=ORGANIZATION, object_id=instance.pk)
        .values_list("excerpt", flat=True)
        .first()
    )
    # Contacts carry their organization's names: re-index them only when those changed.
    if indexed is not None and indexed != _organization_excerpt(instance.name, instance.alt_name):
        contact_ids = Contact.objects.using(using).filter(primary_organization_id=instance.pk)
        schedule(CONTACT, contact_ids.values_list("pk", flat=True), using=using)


def _organization_deleting(sender, instance, using, **kwargs):
    # Deleting sets its contacts' primary organization to NULL by UPDATE, without signals.
    contact_ids = Contact.objects.using(using).filter(primary_organization_id=instance.pk)
    schedule(CONTACT, contact_ids.values_list("pk", flat=True), using=using)


def _organization_deleted(sender, instance, using, **kwargs):
    schedule(ORGANIZATION, [instance.pk], using=using)


post_save.connect(_contact_changed, sender=Contact, dispatch_uid="search_contact_saved")
post_delete.connect(_contact_changed, sender=Contact, dispatch_uid="search_contact_deleted")
post_save.connect(_identity_changed, sender=ContactIdentity, dispatch_uid="search_identity_saved")
post_delete.connect(
    _identity_changed, sender=ContactIdentity, dispatch_uid="search_identity_deleted"
)
post_save.connect(_organization_saved, sender=Organization, dispatch_uid="search_org_saved")
pre_delete.connect(_organization_deleting, sender=Organization, dispatch_uid="search_org_deleting")
post_delete.connect(_organization_deleted, sender=Organization, dispatch_uid="search_org_deleted")


# --- finding ----------------------------------------------------------------------------------


def _ordered(queryset, ids: list[int]) -> list:
    by_id = {obj.pk: obj for obj in queryset}
    return [by_id[i] for i in ids if i in by_id]


def _direct_contact_ids(query: str) -> list[int]:
    """Contacts whose identity is exactly this e-mail address or phone number (any format)."""
    text = query.strip()
    lookups = []
    if "@" in text:
        lookups.append((IdentityKindChoices.EMAIL, text.lower()))
    digits = tokenize.phone_digits(text)
    if digits and len(digits) >= _SHORTEST_FULL_PHONE:
        e164 = normalize_phone(text)
        if e164:
            lookups.extend((kind, e164) for kind in _PHONE_KINDS)
    ids: list[int] = []
    for kind, normalized in lookups:
        for contact_id in ContactIdentity.objects.filter(
            kind=kind, normalized=normalized
        ).values_list("contact_id", flat=True):
            if contact_id not in ids:
                ids.append(contact_id)
    return ids


def contact_search_ids(*, user, query: str, limit: int = 10) -> list[int]:
    """Return the ids of up to ``limit`` contacts matching ``query``, best first.

    Exact identity matches (e-mail, phone in any format) come first, then full-text hits on
    names, organization names, e-mail prefixes and phone digits. Nothing for users without
    ``customers.view_contact`` (portal customers included); callers load the contacts through
    ``policy.scope``.
    """
    if not policy.can(user, "customers.view_contact") or not query.strip():
        return []
    ids = _direct_contact_ids(query)
    for hit in get_backend().search(CONTACT, query, limit=limit):
        if hit.object_id not in ids:
            ids.append(hit.object_id)
    return ids[:limit]


def contact_search(*, user, query: str, limit: int = 10) -> list[Contact]:
    """Return up to ``limit`` contacts ``user`` may see that match ``query``, best first
    (see :func:`contact_search_ids`), with their organization and identities loaded."""
    ids = contact_search_ids(user=user, query=query, limit=limit)
    if not ids:
        return []
    queryset = (
        policy.scope(user, Contact.objects.filter(pk__in=ids))
        .select_related("primary_organization")
        .prefetch_related("identities")
    )
    return _ordered(queryset, ids)


def organization_search_ids(*, user, query: str, limit: int = 10) -> list[int]:
    """Return the ids of up to ``limit`` organizations matching ``query``, best first (nothing
    without ``customers.view_organization``; callers load them through ``policy.scope``)."""
    if not policy.can(user, "customers.view_organization") or not query.strip():
        return []
    return [hit.object_id for hit in get_backend().search(ORGANIZATION, query, limit=limit)]


def organization_search(*, user, query: str, limit: int = 10) -> list[Organization]:
    """Return up to ``limit`` organizations ``user`` may see that match ``query``, best first."""
    ids = organization_search_ids(user=user, query=query, limit=limit)
    if not ids:
        return []
    queryset = policy.scope(user, Organization.objects.filter(pk__in=ids)).select_related("parent")
    return _ordered(queryset, ids)


def _rows_in_order(user, model, ids: list[int], columns: tuple[str, ...]) -> list[tuple]:
    """``(pk, *columns)`` of the records ``ids`` that ``user`` may see, in the order of ``ids``.

    The global box shows a few columns: reading them plainly instead of loading objects (and
    prefetching a contact's identities) was most of a search's time after the index.
    """
    rows = {
        row[0]: row
        for row in policy.scope(user, model.objects.filter(pk__in=ids))
        .order_by()
        .values_list("pk", *columns)
    }
    return [rows[pk] for pk in ids if pk in rows]


def _result(model, pk: int, title: str, subtitle: str, organization: str | None, details=()):
    return {
        "title": title,
        "subtitle": subtitle,
        "organization": organization or "",
        "details": list(details)[:4],
        "url": model.url_for(pk),
    }


def contacts_provider(user, query: str, limit: int) -> dict | None:
    if not policy.can(user, "customers.view_contact"):
        return None
    ids = contact_search_ids(user=user, query=query, limit=limit)
    rows = _rows_in_order(user, Contact, ids, ("name", "alt_name", "primary_organization__name"))
    identities: dict[int, list[str]] = {}
    for contact_id, value in (
        ContactIdentity.objects.filter(contact_id__in=[row[0] for row in rows])
        .order_by("contact_id", "kind", "-is_primary", "id")  # the model's order per contact
        .values_list("contact_id", "value")
    ):
        identities.setdefault(contact_id, []).append(value)
    results = [_result(Contact, *row, identities.get(row[0], ())) for row in rows]
    return {"key": "contacts", "label": _("Contacts"), "results": results}


def organizations_provider(user, query: str, limit: int) -> dict | None:
    if not policy.can(user, "customers.view_organization"):
        return None
    ids = organization_search_ids(user=user, query=query, limit=limit)
    rows = _rows_in_order(user, Organization, ids, ("name", "alt_name", "parent__name"))
    results = [_result(Organization, *row) for row in rows]
    return {"key": "organizations", "label": _("Organizations"), "results": results}


register_provider(organizations_provider)
register_provider(contacts_provider)
