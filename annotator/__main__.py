"""`python -m annotator` runs the same CLI as the `annotator` entry point."""

from annotator.cli import main

if __name__ == "__main__":
    main()
