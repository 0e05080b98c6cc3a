"""makemessages that also extracts the lazy aliases the code uses for module-level constants.

xgettext knows `_`, `gettext`, `gettext_lazy`, … but not the short aliases `_l` and `_lazy`
(`from django.utils.translation import gettext_lazy as _l`): without these keywords their strings
never reach the catalogue and stay Swedish in English. tests/test_translations.py checks it.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = makemessages.Command.xgettext_options + ["--keyword=_l", "--keyword=_lazy"]
