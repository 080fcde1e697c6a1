"""The dossier app's forms, by page: intake, actions on a dossier, list filters, surveys; shared
fields in ``fields``. They validate and normalise; services and the workflow do the writing."""

from .actions import (
    AssignForm,
    ExtendForm,
    NoteForm,
    PublicNoteForm,
    RequiredNoteForm,
    ResultForm,
    ReturnForm,
    TransferForm,
)
from .filters import BookForm, DossierSearchForm
from .intake import IntakeForm
from .surveys import FollowUpForm, RatingForm

__all__ = [
    "AssignForm",
    "BookForm",
    "DossierSearchForm",
    "ExtendForm",
    "FollowUpForm",
    "IntakeForm",
    "NoteForm",
    "PublicNoteForm",
    "RatingForm",
    "RequiredNoteForm",
    "ResultForm",
    "ReturnForm",
    "TransferForm",
]
