import sys

from probation.ops.cli import main

sys.exit(main())
