"""`python -m devidp COMMAND`: Django's manage.py for the development identity provider's own settings."""

import os
import sys

from django.core.management import execute_from_command_line

os.environ["DJANGO_SETTINGS_MODULE"] = "devidp.settings"
execute_from_command_line([sys.argv[0], *sys.argv[1:]])
