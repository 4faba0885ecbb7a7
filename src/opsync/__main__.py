from opsync.cli import main

main()
