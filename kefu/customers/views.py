"""Customer-master pages: lists, forms, the 360° pages and their htmx partials.

Views are thin: they check the policy, parse a form, call a service or a queryset, and render.
Every list goes through ``policy.scope``; every page also answers htmx with just its partial.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.policy import can, require, scope, staff_required
from kefu.core.customfields import display_values
from kefu.core.errors import ServiceError
from kefu.customers import services
from kefu.customers.filtersets import (
    AssetFilterForm,
    ContactFilterForm,
    OrganizationFilterForm,
    ProductFilterForm,
    SiteFilterForm,
    paginate,
)
from kefu.customers.forms import (
    AssetForm,
    CallForm,
    ConsentForm,
    ContactForm,
    IdentityFormSet,
    MembershipFormSet,
    NoteForm,
    OrganizationForm,
    ProductForm,
    SiteForm,
    TierForm,
    apply_service_errors,
    identity_rows,
    membership_rows,
)
from kefu.customers.models import (
    Asset,
    ConsentRecord,
    Contact,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
    TimelineEvent,
)
from kefu.customers.panels import extra_panels
from kefu.customers.tables import (
    ASSET_COLUMNS,
    CONTACT_COLUMNS,
    ORGANIZATION_COLUMNS,
    PRODUCT_COLUMNS,
    SITE_COLUMNS,
    render_list,
    timeline_page,
)

# --- Lists ----------------------------------------------------------------------------------


@staff_required("customers.view_organization")
def organization_list(request):
    queryset = scope(request.user, Organization.objects.select_related("tier", "owner"))
    return render_list(
        request,
        template="customers/organization_list.html",
        queryset=queryset,
        filter_form=OrganizationFilterForm(request.GET),
        columns=ORGANIZATION_COLUMNS,
        default_sort="name",
        row_template="customers/rows/organization.html",
        title=_("Organizations"),
        list_url=reverse("customers:organization_list"),
    )


@staff_required("customers.view_contact")
def contact_list(request):
    queryset = scope(
        request.user,
        Contact.objects.select_related("primary_organization").prefetch_related("identities"),
    )
    return render_list(
        request,
        template="customers/contact_list.html",
        queryset=queryset,
        filter_form=ContactFilterForm(request.GET),
        columns=CONTACT_COLUMNS,
        default_sort="name",
        row_template="customers/rows/contact.html",
        title=_("Contacts"),
        list_url=reverse("customers:contact_list"),
    )


@staff_required("customers.view_site")
def site_list(request, pk):
    organization = _get_scoped(request, Organization, pk)
    queryset = scope(
        request.user,
        Site.objects.filter(organization=organization).select_related("contact_person"),
    )
    return render_list(
        request,
        template="customers/site_list.html",
        queryset=queryset,
        filter_form=SiteFilterForm(request.GET),
        columns=SITE_COLUMNS,
        default_sort="name",
        row_template="customers/rows/site.html",
        title=_("Sites of %(name)s") % {"name": organization.name},
        list_url=reverse("customers:site_list", args=[organization.pk]),
        extra={"organization": organization},
    )


@staff_required("customers.view_product")
def product_list(request):
    return render_list(
        request,
        template="customers/product_list.html",
        queryset=scope(request.user, Product.objects.all()),
        filter_form=ProductFilterForm(request.GET),
        columns=PRODUCT_COLUMNS,
        default_sort="name",
        row_template="customers/rows/product.html",
        title=_("Products"),
        list_url=reverse("customers:product_list"),
    )


@staff_required("customers.view_asset")
def asset_list(request):
    queryset = scope(
        request.user,
        Asset.objects.select_related("product", "organization", "site", "vendor"),
    )
    return render_list(
        request,
        template="customers/asset_list.html",
        queryset=queryset,
        filter_form=AssetFilterForm(request.GET),
        columns=ASSET_COLUMNS,
        default_sort="serial",
        row_template="customers/rows/asset.html",
        title=_("Assets"),
        list_url=reverse("customers:asset_list"),
    )


LOOKUPS = {
    "organization": (
        "customers.view_organization",
        lambda: Organization.objects.all(),
        ("name", "alt_name"),
    ),
    "vendor": (
        "customers.view_organization",
        lambda: Organization.objects.vendors(),
        ("name", "alt_name"),
    ),
    "contact": ("customers.view_contact", lambda: Contact.objects.all(), ("name", "alt_name")),
    "site": (
        "customers.view_site",
        lambda: Site.objects.select_related("organization"),
        ("name", "code", "city"),
    ),
    "product": ("customers.view_product", lambda: Product.objects.all(), ("name", "sku")),
}


@staff_required()
def lookup(request, kind):
    """``<option>`` rows matching ``?lookup=`` for a :class:`~kefu.customers.forms.LookupSelect`."""
    if kind not in LOOKUPS:
        raise Http404
    perm, base, fields = LOOKUPS[kind]
    require(request.user, perm)
    text = (request.GET.get("lookup") or "").strip()
    queryset = scope(request.user, base())
    if text:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": text})
        queryset = queryset.filter(condition)
    rows = list(queryset[:30])
    return render(request, "customers/widgets/lookup_options.html", {"rows": rows, "text": text})


# --- Shared helpers -------------------------------------------------------------------------


def _get_scoped(request, model, pk, queryset=None):
    queryset = queryset if queryset is not None else model.objects.all()
    return get_object_or_404(scope(request.user, queryset), pk=pk)


def _get_for_change(request, model, pk, perm: str):
    obj = _get_scoped(request, model, pk)
    require(request.user, perm, obj)
    return obj


def _form_page(request, context: dict, template: str = "customers/form.html"):
    return render(request, template, context)


def _delete_page(request, *, obj, perm: str, delete, success_url: str, cancel_url: str):
    require(request.user, perm, obj)
    error = None
    if request.method == "POST":
        try:
            delete(actor=request.user)
        except (ValidationError, ServiceError) as exc:
            error = exc.detail if isinstance(exc, ServiceError) else " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": obj})
            return redirect(success_url)
    context = {"obj": obj, "error": error, "cancel_url": cancel_url}
    return render(request, "customers/confirm_delete.html", context)


def _timeline_owner(request, owner: str, pk: int):
    if owner == "organization":
        obj = _get_scoped(request, Organization, pk)
        return obj, {"organization_id": obj.pk}, Q(organization=obj)
    if owner == "contact":
        obj = _get_scoped(request, Contact, pk)
        return obj, {"contact_id": obj.pk}, Q(contact=obj)
    raise Http404


def _timeline_context(request, owner: str, obj, condition, *, note_form=None, call_form=None):
    events, cursor = timeline_page(TimelineEvent.objects.filter(condition), None)
    can_add = can(request.user, "customers.add_timelineevent")
    return {
        "timeline_owner": owner,
        "timeline_obj": obj,
        "events": events,
        "cursor": cursor,
        "can_add_event": can_add,
        "note_form": note_form or NoteForm(),
        "call_form": call_form or CallForm(),
    }


@staff_required("customers.view_timelineevent")
def timeline_more(request, owner, pk):
    """The next page of a 360° timeline (htmx "load more")."""
    obj, _ids, condition = _timeline_owner(request, owner, pk)
    events, cursor = timeline_page(
        TimelineEvent.objects.filter(condition), request.GET.get("before")
    )
    context = {"events": events, "cursor": cursor, "timeline_owner": owner, "timeline_obj": obj}
    return render(request, "customers/_timeline_items.html", context)


def _timeline_post(request, owner, pk, *, form_class, call):
    obj, ids, condition = _timeline_owner(request, owner, pk)
    form = form_class(request.POST)
    saved = False
    if form.is_valid():
        try:
            call(actor=request.user, data=form.cleaned_data, **ids)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            saved = True
    if not request.htmx:
        if saved:
            messages.success(request, _("Saved to the timeline."))
        else:
            messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect(obj.get_absolute_url())
    forms_kwargs = {}
    if not saved:
        forms_kwargs["note_form" if form_class is NoteForm else "call_form"] = form
    context = _timeline_context(request, owner, obj, condition, **forms_kwargs)
    context["open_form"] = "" if saved else ("note" if form_class is NoteForm else "call")
    return render(request, "customers/_timeline.html", context)


@require_POST
@staff_required("customers.add_timelineevent")
def timeline_note_add(request, owner, pk):
    def call(*, actor, data, **ids):
        services.note_add(actor=actor, text=data["text"], **ids)

    return _timeline_post(request, owner, pk, form_class=NoteForm, call=call)


@require_POST
@staff_required("customers.add_timelineevent")
def timeline_call_log(request, owner, pk):
    def call(*, actor, data, **ids):
        minutes = data.get("duration_minutes")
        services.call_log(
            actor=actor,
            direction=data["direction"],
            number=data.get("number") or "",
            summary=data.get("summary") or "",
            duration_seconds=minutes * 60 if minutes is not None else None,
            **ids,
        )

    return _timeline_post(request, owner, pk, form_class=CallForm, call=call)


# --- Organizations --------------------------------------------------------------------------


PANEL_PAGE = 10


def _organization_panel(request, organization, panel: str, number: int = 1) -> dict:
    if panel == "sites":
        perm = "customers.view_site"
        queryset = Site.objects.filter(organization=organization).select_related("contact_person")
    elif panel == "contacts":
        perm = "customers.view_contactmembership"
        queryset = (
            ContactMembership.objects.filter(organization=organization)
            .select_related("contact")
            .order_by("-is_primary", "contact__name", "pk")
        )
    elif panel == "assets":
        perm = "customers.view_asset"
        queryset = Asset.objects.filter(organization=organization).select_related("product", "site")
    else:
        raise Http404
    if not can(request.user, perm):
        return {"panel": panel, "allowed": False}
    if panel != "contacts":
        queryset = scope(request.user, queryset)
    page = paginate(queryset, {"page": number}, default_per_page=PANEL_PAGE)
    return {"panel": panel, "allowed": True, "page": page, "organization": organization}


@staff_required("customers.view_organization")
def organization_detail(request, pk):
    organization = _get_scoped(
        request,
        Organization,
        pk,
        Organization.objects.select_related("tier", "owner", "parent"),
    )
    children = list(organization.children.order_by("name")[:20])
    context = {
        "organization": organization,
        "children": children,
        "more_children": len(children) == 20,
        "tags": list(organization.tags.all()),
        "custom_values": display_values("customers.organization", organization.custom_fields),
        "panels": [
            _organization_panel(request, organization, name)
            for name in ("sites", "contacts", "assets")
        ],
        "extra_panels": extra_panels(request, organization=organization),
        "can_change": can(request.user, "customers.change_organization", organization),
        "can_delete": can(request.user, "customers.delete_organization", organization),
        "can_add_site": can(request.user, "customers.add_site"),
        "can_add_contact": can(request.user, "customers.add_contact"),
        "can_add_asset": can(request.user, "customers.add_asset"),
        **_timeline_context(request, "organization", organization, Q(organization=organization)),
    }
    return render(request, "customers/organization_detail.html", context)


@staff_required("customers.view_organization")
def organization_panel(request, pk, panel):
    """One page of a 360° panel (sites, contacts, assets), for htmx pagination."""
    organization = _get_scoped(request, Organization, pk)
    page_text = request.GET.get("page", "1")
    number = max(1, int(page_text)) if page_text.isdigit() else 1
    context = _organization_panel(request, organization, panel, number)
    if not context["allowed"]:
        raise PermissionDenied
    return render(
        request, "customers/_org_panel.html", {"p": context, "organization": organization}
    )


def _organization_save(request, form, organization=None):
    kwargs = dict(
        actor=request.user,
        tags=form.tag_names(),
        custom_fields=form.custom_field_values(),
        **form.service_fields(),
    )
    if organization is None:
        return services.organization_create(**kwargs)
    return services.organization_update(
        organization=organization, partial_custom_fields=False, **kwargs
    )


@staff_required("customers.add_organization")
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = _organization_save(request, form)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Organization %(name)s created.") % {"name": organization})
            return redirect(organization)
    context = {
        "title": _("New organization"),
        "form": form,
        "cancel_url": reverse("customers:organization_list"),
        "submit_label": _("Create organization"),
    }
    return _form_page(request, context)


@staff_required("customers.change_organization")
def organization_edit(request, pk):
    organization = _get_for_change(request, Organization, pk, "customers.change_organization")
    form = OrganizationForm(
        request.POST or None, instance=organization, custom_fields=organization.custom_fields
    )
    if request.method == "POST" and form.is_valid():
        try:
            organization = _organization_save(request, form, organization)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(organization)
    context = {
        "title": _("Edit %(name)s") % {"name": organization},
        "form": form,
        "cancel_url": organization.get_absolute_url(),
        "submit_label": _("Save"),
    }
    return _form_page(request, context)


@staff_required("customers.delete_organization")
def organization_delete(request, pk):
    organization = _get_scoped(request, Organization, pk)
    return _delete_page(
        request,
        obj=organization,
        perm="customers.delete_organization",
        delete=lambda actor: services.organization_delete(actor=actor, organization=organization),
        success_url=reverse("customers:organization_list"),
        cancel_url=organization.get_absolute_url(),
    )


# --- Sites ----------------------------------------------------------------------------------


@staff_required("customers.view_site")
def site_detail(request, pk):
    site = _get_scoped(
        request, Site, pk, Site.objects.select_related("organization", "contact_person")
    )
    assets = scope(request.user, site.assets.select_related("product").order_by("serial_number"))
    context = {
        "site": site,
        "assets": list(assets[:25]),
        "custom_values": display_values("customers.site", site.custom_fields),
        "can_change": can(request.user, "customers.change_site", site),
        "can_delete": can(request.user, "customers.delete_site", site),
    }
    return render(request, "customers/site_detail.html", context)


def _site_save(request, form, *, organization, site=None):
    kwargs = dict(
        actor=request.user, custom_fields=form.custom_field_values(), **form.service_fields()
    )
    if site is None:
        return services.site_create(organization_id=organization.pk, **kwargs)
    return services.site_update(site=site, partial_custom_fields=False, **kwargs)


@staff_required("customers.add_site")
def site_create(request, pk):
    organization = _get_scoped(request, Organization, pk)
    form = SiteForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            site = _site_save(request, form, organization=organization)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Site %(name)s added.") % {"name": site})
            return redirect(organization)
    context = {
        "title": _("Add site to %(name)s") % {"name": organization},
        "form": form,
        "cancel_url": organization.get_absolute_url(),
        "submit_label": _("Add site"),
    }
    return _form_page(request, context)


@staff_required("customers.change_site")
def site_edit(request, pk):
    site = _get_for_change(request, Site, pk, "customers.change_site")
    form = SiteForm(
        request.POST or None,
        instance=site,
        organization=site.organization,
        custom_fields=site.custom_fields,
    )
    if request.method == "POST" and form.is_valid():
        try:
            site = _site_save(request, form, organization=site.organization, site=site)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(site)
    context = {
        "title": _("Edit %(name)s") % {"name": site},
        "form": form,
        "cancel_url": site.get_absolute_url(),
        "submit_label": _("Save"),
    }
    return _form_page(request, context)


@staff_required("customers.delete_site")
def site_delete(request, pk):
    site = _get_scoped(request, Site, pk)
    return _delete_page(
        request,
        obj=site,
        perm="customers.delete_site",
        delete=lambda actor: services.site_delete(actor=actor, site=site),
        success_url=site.organization.get_absolute_url(),
        cancel_url=site.get_absolute_url(),
    )


# --- Contacts -------------------------------------------------------------------------------


@staff_required("customers.view_contact")
def contact_detail(request, pk):
    contact = _get_scoped(
        request, Contact, pk, Contact.objects.select_related("primary_organization", "user")
    )
    consents = list(
        ConsentRecord.objects.filter(contact=contact).select_related("recorded_by")[:200]
    )
    current = {}
    for record in consents:
        current.setdefault(record.channel, record)
    context = {
        "contact": contact,
        "identities": list(contact.identities.all()),
        "memberships": list(
            contact.memberships.select_related("organization").order_by(
                "-is_primary", "organization__name"
            )
        ),
        "consent_current": sorted(current.values(), key=lambda r: r.channel),
        "consent_history": consents,
        "consent_form": ConsentForm(),
        "identity_history": contact.identities.all(),
        "membership_history": contact.memberships.all(),
        "can_add_consent": can(request.user, "customers.add_consentrecord"),
        "custom_values": display_values("customers.contact", contact.custom_fields),
        "extra_panels": extra_panels(request, contact=contact),
        "can_change": can(request.user, "customers.change_contact", contact),
        "can_delete": can(request.user, "customers.delete_contact", contact),
        **_timeline_context(request, "contact", contact, Q(contact=contact)),
    }
    return render(request, "customers/contact_detail.html", context)


def _contact_formsets(request, contact=None):
    if contact is not None:
        identities = [
            {"kind": i.kind, "value": i.value, "label": i.label, "is_primary": i.is_primary}
            for i in contact.identities.all()
        ]
        identities.append({"kind": "email"})
        memberships = [
            {
                "organization": m.organization_id,
                "title": m.title,
                "is_primary": m.is_primary,
                "is_admin": m.is_admin,
            }
            for m in contact.memberships.order_by("-is_primary", "pk")
        ]
        memberships.append({})
    else:
        identities = [{"kind": "email", "is_primary": True}, {"kind": "phone", "is_primary": True}]
        organization_id = request.GET.get("organization")
        memberships = [{}]
        if organization_id and organization_id.isdigit():
            memberships = [{"organization": int(organization_id), "is_primary": True}]
    data = request.POST if request.method == "POST" else None
    # Every row is read, changed or not: an unchanged "extra" row would otherwise come back
    # empty and the service would drop that identity.
    rows = {"empty_permitted": False, "use_required_attribute": False}
    return (
        IdentityFormSet(data, initial=identities, prefix="identities", form_kwargs=rows),
        MembershipFormSet(data, initial=memberships, prefix="memberships", form_kwargs=rows),
    )


def _contact_form_view(request, contact=None):
    form = ContactForm(
        request.POST or None,
        instance=contact,
        custom_fields=contact.custom_fields if contact else None,
    )
    identity_set, membership_set = _contact_formsets(request, contact)
    if request.method == "POST":
        valid = all([form.is_valid(), identity_set.is_valid(), membership_set.is_valid()])
        if valid:
            identities, identity_index = identity_rows(identity_set)
            organizations, membership_index = membership_rows(membership_set)
            kwargs = dict(
                actor=request.user,
                identities=identities,
                organizations=organizations,
                custom_fields=form.custom_field_values(),
                **form.service_fields(),
            )
            formsets = {
                "identities": (identity_set, identity_index),
                "organizations": (membership_set, membership_index),
            }
            try:
                if contact is None:
                    saved = services.contact_create(**kwargs)
                else:
                    saved = services.contact_update(
                        contact=contact, partial_custom_fields=False, **kwargs
                    )
            except services.IdentityTaken as exc:
                index = int(exc.field.split(".")[1]) if exc.field.count(".") == 2 else 0
                row = identity_set.forms[identity_index[index]]
                row.add_error("value", exc.detail)
                row.taken_link = exc.link
                row.taken_owner = exc.owner
            except ValidationError as exc:
                apply_service_errors(exc, form, formsets)
            else:
                if contact is None:
                    messages.success(request, _("Contact %(name)s created.") % {"name": saved})
                else:
                    messages.success(request, _("Changes saved."))
                return redirect(saved)
    if contact is None:
        title, cancel_url = _("New contact"), reverse("customers:contact_list")
        organization_id = request.GET.get("organization")
        if organization_id and organization_id.isdigit():
            cancel_url = reverse("customers:organization_detail", args=[int(organization_id)])
    else:
        title, cancel_url = _("Edit %(name)s") % {"name": contact}, contact.get_absolute_url()
    context = {
        "title": title,
        "form": form,
        "identity_set": identity_set,
        "membership_set": membership_set,
        "cancel_url": cancel_url,
        "submit_label": _("Create contact") if contact is None else _("Save"),
    }
    return render(request, "customers/contact_form.html", context)


@staff_required("customers.add_contact")
def contact_create(request):
    return _contact_form_view(request)


@staff_required("customers.change_contact")
def contact_edit(request, pk):
    contact = _get_for_change(request, Contact, pk, "customers.change_contact")
    return _contact_form_view(request, contact)


@staff_required("customers.delete_contact")
def contact_delete(request, pk):
    contact = _get_scoped(request, Contact, pk)
    return _delete_page(
        request,
        obj=contact,
        perm="customers.delete_contact",
        delete=lambda actor: services.contact_delete(actor=actor, contact=contact),
        success_url=reverse("customers:contact_list"),
        cancel_url=contact.get_absolute_url(),
    )


@require_POST
@staff_required("customers.add_consentrecord")
def contact_consent_add(request, pk):
    contact = _get_scoped(request, Contact, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(
                actor=request.user,
                contact=contact,
                channel=form.cleaned_data["channel"],
                is_granted=form.cleaned_data["is_granted"],
                source="agent",
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Consent recorded."))
    else:
        messages.error(request, _("Choose a channel and whether consent is granted."))
    return redirect(reverse("customers:contact_detail", args=[contact.pk]) + "#consent")


# --- Products and assets --------------------------------------------------------------------


@staff_required("customers.view_product")
def product_detail(request, pk):
    product = _get_scoped(request, Product, pk)
    assets = scope(
        request.user, product.assets.select_related("organization", "site").order_by("pk")
    )
    context = {
        "product": product,
        "assets": list(assets[:25]),
        "can_change": can(request.user, "customers.change_product", product),
        "can_delete": can(request.user, "customers.delete_product", product),
    }
    return render(request, "customers/product_detail.html", context)


def _simple_form_view(request, *, form, save, title, cancel_url, submit_label, success_message):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, success_message)
            return redirect(obj)
    context = {"title": title, "form": form, "cancel_url": cancel_url, "submit_label": submit_label}
    return _form_page(request, context)


@staff_required("customers.add_product")
def product_create(request):
    return _simple_form_view(
        request,
        form=ProductForm(request.POST or None),
        save=lambda form: services.product_create(actor=request.user, **form.service_fields()),
        title=_("New product"),
        cancel_url=reverse("customers:product_list"),
        submit_label=_("Create product"),
        success_message=_("Product created."),
    )


@staff_required("customers.change_product")
def product_edit(request, pk):
    product = _get_for_change(request, Product, pk, "customers.change_product")
    return _simple_form_view(
        request,
        form=ProductForm(request.POST or None, instance=product),
        save=lambda form: services.product_update(
            actor=request.user, product=product, **form.service_fields()
        ),
        title=_("Edit %(name)s") % {"name": product},
        cancel_url=product.get_absolute_url(),
        submit_label=_("Save"),
        success_message=_("Changes saved."),
    )


@staff_required("customers.delete_product")
def product_delete(request, pk):
    product = _get_scoped(request, Product, pk)
    return _delete_page(
        request,
        obj=product,
        perm="customers.delete_product",
        delete=lambda actor: services.product_delete(actor=actor, product=product),
        success_url=reverse("customers:product_list"),
        cancel_url=product.get_absolute_url(),
    )


@staff_required("customers.view_asset")
def asset_detail(request, pk):
    asset = _get_scoped(
        request,
        Asset,
        pk,
        Asset.objects.select_related("product", "organization", "site", "vendor"),
    )
    context = {
        "asset": asset,
        "custom_values": display_values("customers.asset", asset.custom_fields),
        "can_change": can(request.user, "customers.change_asset", asset),
        "can_delete": can(request.user, "customers.delete_asset", asset),
    }
    return render(request, "customers/asset_detail.html", context)


def _asset_save(request, form, asset=None):
    kwargs = dict(
        actor=request.user, custom_fields=form.custom_field_values(), **form.service_fields()
    )
    if asset is None:
        return services.asset_create(**kwargs)
    return services.asset_update(asset=asset, partial_custom_fields=False, **kwargs)


@staff_required("customers.add_asset")
def asset_create(request):
    initial = {
        name: request.GET[name]
        for name in ("organization", "site")
        if request.GET.get(name, "").isdigit()
    }
    return _simple_form_view(
        request,
        form=AssetForm(request.POST or None, initial=initial),
        save=lambda form: _asset_save(request, form),
        title=_("New asset"),
        cancel_url=reverse("customers:asset_list"),
        submit_label=_("Create asset"),
        success_message=_("Asset created."),
    )


@staff_required("customers.change_asset")
def asset_edit(request, pk):
    asset = _get_for_change(request, Asset, pk, "customers.change_asset")
    return _simple_form_view(
        request,
        form=AssetForm(request.POST or None, instance=asset, custom_fields=asset.custom_fields),
        save=lambda form: _asset_save(request, form, asset),
        title=_("Edit %(name)s") % {"name": asset},
        cancel_url=asset.get_absolute_url(),
        submit_label=_("Save"),
        success_message=_("Changes saved."),
    )


@staff_required("customers.delete_asset")
def asset_delete(request, pk):
    asset = _get_scoped(request, Asset, pk)
    return _delete_page(
        request,
        obj=asset,
        perm="customers.delete_asset",
        delete=lambda actor: services.asset_delete(actor=actor, asset=asset),
        success_url=reverse("customers:asset_list"),
        cancel_url=asset.get_absolute_url(),
    )


# --- Tier settings --------------------------------------------------------------------------


@staff_required("customers.change_organizationtier")
def tier_list(request):
    tiers = OrganizationTier.objects.order_by("rank", "key")
    return render(request, "customers/settings_tiers.html", {"tiers": tiers})


@staff_required("customers.change_organizationtier")
def tier_edit(request, pk=None):
    tier = get_object_or_404(OrganizationTier, pk=pk) if pk else None
    if tier is None:
        require(request.user, "customers.add_organizationtier")
    form = TierForm(request.POST or None, instance=tier)
    if request.method == "POST" and form.is_valid():
        try:
            if tier is None:
                services.tier_create(actor=request.user, **form.cleaned_data)
            else:
                services.tier_update(actor=request.user, tier=tier, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("Tier saved."))
            return redirect("customers:tier_list")
    context = {
        "title": _("New tier") if tier is None else _("Edit tier %(name)s") % {"name": tier},
        "form": form,
        "cancel_url": reverse("customers:tier_list"),
        "submit_label": _("Save"),
    }
    return _form_page(request, context)


@staff_required("customers.delete_organizationtier")
def tier_delete(request, pk):
    tier = get_object_or_404(OrganizationTier, pk=pk)
    return _delete_page(
        request,
        obj=tier,
        perm="customers.delete_organizationtier",
        delete=lambda actor: services.tier_delete(actor=actor, tier=tier),
        success_url=reverse("customers:tier_list"),
        cancel_url=reverse("customers:tier_list"),
    )
