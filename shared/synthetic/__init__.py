"""A seeded synthetic recruitment market for demos, tests and model training.

Occupations and skills come from ESCO (see ``attribution()``); everything else is drawn.
"""

from shared.synthetic.generator import SyntheticMarket
from shared.synthetic.outcomes import STAGES, Outcomes, PairEvents, Stage
from shared.synthetic.taxonomy import Taxonomy, attribution, load_taxonomy

__all__ = [
    "STAGES",
    "Outcomes",
    "PairEvents",
    "Stage",
    "SyntheticMarket",
    "Taxonomy",
    "attribution",
    "load_taxonomy",
]
