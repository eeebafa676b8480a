"""Demo-export generator: realistic Salesforce, HubSpot, Marketo, web and intent exports
(the landing-file contract in docs/exports.md) plus a separate truth folder.

Entry points: `generate(GenerateOptions(...))` and the `leadscore generate` command.
"""

from leadscore.generate.core import generate
from leadscore.generate.options import GenerateOptions

__all__ = ["GenerateOptions", "generate"]
