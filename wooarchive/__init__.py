"""woo-archive: an evidence archive of what Dutch municipalities publish on privacy and openness."""

__version__ = "0.1.0"
