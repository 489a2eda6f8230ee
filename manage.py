#!/usr/bin/env python
from intranet.cli import main

if __name__ == "__main__":
    main()
