"""`python -m rnnlab` is the `rnnlab` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C in the first tenth of a second, before the CLI can say anything
    sys.exit(130)

sys.exit(main())
