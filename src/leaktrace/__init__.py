"""LeakTrace: find, count and trace leaked lists of Chinese citizens' personal information."""

__version__ = "0.1.0"
