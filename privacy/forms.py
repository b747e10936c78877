"""The erasure request form: the learner confirms, and chooses what becomes of their certificates."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureRequestForm(forms.Form):
    keep_certificates_public = forms.BooleanField(
        required=False,
        label=_("Keep my certificates publicly verifiable with my name"),
        help_text=_(
            "If you leave this unticked, the verification page of each certificate keeps "
            "answering that it is valid, issued to a learner who has since left, without your "
            "name, and the stored PDFs with your name are deleted."
        ),
    )
    confirm = forms.BooleanField(
        required=True,
        label=_("I understand that my account and personal data will be deleted"),
        error_messages={
            "required": _("Tick the box to confirm that you want your account deleted.")
        },
    )
