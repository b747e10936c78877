from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.verify_index, name="verify_index"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("certificates/", views.my_certificates, name="mine"),
    path("certificates/<str:code>/", views.share, name="share"),
    path("certificates/<str:code>/sharing/", views.sharing, name="sharing"),
    path("certificates/<str:code>/pdf/<str:page_size>/", views.download_pdf, name="download"),
    path("certificates/<str:code>/credential.json", views.download_credential, name="credential"),
    path("credentials/status/<int:list_number>/", views.status_list, name="status_list"),
    path("issuer/", views.issuer_profile, name="issuer"),
    path(".well-known/pma-issuer-keys.json", views.issuer_keys, name="issuer_keys"),
]
