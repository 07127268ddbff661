"""`python -m gcfinops`."""

from gcfinops.cli import main

main()
