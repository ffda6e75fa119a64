"""``python -m ats_reject`` runs the command line."""

import sys

from ats_reject.cli import main

sys.exit(main())
