"""The simulated guest: the host kernel in a private mount namespace (guest.py), its kernel log
(hostlog.py) and the run that uses it (run.py)."""
