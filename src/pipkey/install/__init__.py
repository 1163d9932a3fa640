"""install layer: put resolved distributions into a target environment.

Rooms, by noun:

- :mod:`pipkey.install.env` — the target environment: interpreter facts, installed
  distributions, the already-satisfied audit, ``pipkey check``.
- :mod:`pipkey.install.store` — what is kept between runs: downloaded wheels, unpacked wheels,
  the run's artifacts (downloads, builds, metadata).
- :mod:`pipkey.install.commit` — changing an environment safely: transaction, journal, linker,
  uninstall, repair, the environment lock.

The modules at this level (``commands``, ``sync``, ``compile``, ``pipeline``, ``session``,
``request``, ``report``, ``build_env``) are the commands and the steps they share.
"""
