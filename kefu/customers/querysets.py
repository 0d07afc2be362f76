from django.db import models


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status="active")

    def vendors(self):
        return self.filter(is_vendor=True)

    def customers(self):
        return self.filter(is_vendor=False)


class SiteQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_organization(self, organization_id: int):
        return self.filter(organization_id=organization_id)


class ContactQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def of_organization(self, organization_id: int):
        return self.filter(memberships__organization_id=organization_id)
