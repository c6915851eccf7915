"""LeakTrace: find, count and trace leaked lists of Chinese citizens' personal information.

Importing the package has no side effects; the ``leaktrace`` command sets up its process in
:mod:`leaktrace.process`.
"""

from leaktrace.process import ALLOCATOR_CONF, ALLOCATOR_ENV

__all__ = ["ALLOCATOR_CONF", "ALLOCATOR_ENV", "__version__"]

__version__ = "0.1.0"
