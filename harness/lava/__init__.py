"""LAVA: job definitions for a lab, a device description for a local lava-run."""
