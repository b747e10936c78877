"""Forms on the public verification page and the learner's sharing switch."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .verification import MAX_UPLOAD_BYTES


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Certificate code"),
        max_length=80,
        help_text=_(
            "Printed under the QR code, e.g. PMA-7KQ2-M9XD-4HTN-WB3C-R6FE. "
            "Case, spaces and dashes don't matter."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )


class CredentialUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate PDF or credential JSON"),
        help_text=_("The PDF as downloaded from PM Academy, or the .json credential it contains."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.json,application/pdf,application/json"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("That file is %(size)s KB; certificates are under %(limit)s MB.")
                % {"size": upload.size // 1024, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class ShareForm(forms.Form):
    shared = forms.BooleanField(
        required=False,
        label=_("Anyone with the link to this page may see and download my certificate"),
    )
