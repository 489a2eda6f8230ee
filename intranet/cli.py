"""The `serambi` command (and manage.py): Django's management commands with Serambi's settings."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
