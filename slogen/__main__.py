from slogen.cli import main

main()
