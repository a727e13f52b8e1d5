"""``python -m callcore``: the command line (extra ``cli``)."""

from callcore.cli import main

raise SystemExit(main())
