"""A staff assistant for the trust's policies: quoted answers and the site approval workflow."""

__version__ = "0.1.0"
