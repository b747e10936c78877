from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class PMAUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Certificates"), {"fields": ("certificate_name",)}),
    )
    list_display = ("email", "certificate_name", "is_staff", "date_joined")
