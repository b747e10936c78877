from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class PMAUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Certificates", {"fields": ("certificate_name",)}))
    list_display = ("email", "certificate_name", "is_staff", "date_joined")
