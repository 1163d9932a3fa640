"""Changing an environment safely: one run at a time (lock), every change journaled first, files
linked from the store, a failure or a kill rolled back by the same code.

Import what you need from its module (``pipkey.install.commit.transaction`` …): this package
loads nothing itself, so a dry run or a resolution that commits nothing never loads the linker
or ``installer``.
"""
