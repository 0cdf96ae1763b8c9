#!/usr/bin/env python
from kehu.__main__ import main

if __name__ == "__main__":
    main()
