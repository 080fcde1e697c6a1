"""Input formats for Vietnamese: Django's "vi" locale defines none, so typed dates fell back to
the US month/day order (03/09/2026 read as 9 March). Day first, ISO still accepted; the dates are
motcua.lib.dates.DATE_INPUT_FORMATS, the one list every date field uses."""

from motcua.lib.dates import DATE_INPUT_FORMATS as _DATES

DATE_INPUT_FORMATS = list(_DATES)
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y",
]
