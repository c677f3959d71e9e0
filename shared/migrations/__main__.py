import sys

from shared.migrations import main

main(sys.argv[1:])
