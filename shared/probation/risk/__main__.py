import sys

from probation.risk.cli import main

sys.exit(main())
