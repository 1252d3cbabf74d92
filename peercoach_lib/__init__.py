"""peercoach: a reflective workbook for peer-coaching partnerships.

The library behind the workbook's apps: domain records (:mod:`peercoach_lib.model`), the store
(:mod:`peercoach_lib.store`), the demo cohort, import and export, and the widget apps.
"""

from peercoach_lib.errors import ValidationError

__version__ = "0.1.0"
__all__ = ["ValidationError", "__version__"]
