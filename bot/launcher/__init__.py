"""The ``./hw`` launcher: one module per group of commands, ``__main__`` dispatches.

Building the parser imports only the standard library, so ``./hw --help`` and the
argument checks run with any Python 3 before the venv exists.
"""
