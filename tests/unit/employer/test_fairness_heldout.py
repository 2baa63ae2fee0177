"""The protected-attribute screen measured on phrases written apart from its rules
(``protected_heldout.json``): it must refuse nearly every unlawful demand and let through all
but at most one lawful text in forty. Run with ``-s`` to see the figures and what it got wrong.

Each batch there was measured when written, before the rules were changed for it: the first
(50 unlawful, 48 lawful) gave recall 0.52 and precision 0.63 with 15 lawful texts refused on the
screen as it was; the three after the reworks gave recall 0.70, 0.79 and 0.78, precision 0.88,
0.94 and 0.97 (4, 2 and 1 lawful refused). The old screen on all four batches: recall 0.52,
precision 0.64, 52 of 172 lawful refused. So a new phrasing is caught about four times in five;
the floors below hold on every batch, which is what fails when a rule is broken."""

from __future__ import annotations

import json
from pathlib import Path

from services.employer.domain.fairness import protected_phrases

BATCHES = json.loads(Path(__file__).with_name("protected_heldout.json").read_text(encoding="utf-8"))[
    "batches"
]
MIN_RECALL = 0.95
MAX_LAWFUL_REFUSED = 1 / 40


def test_the_screen_refuses_unlawful_demands_and_lets_lawful_texts_through() -> None:
    unlawful = [text for batch in BATCHES for text in batch["unlawful"]]
    lawful = [text for batch in BATCHES for text in batch["lawful"]]
    missed = [text for text in unlawful if not protected_phrases(text)]
    refused = {text: found for text in lawful if (found := protected_phrases(text))}
    caught = len(unlawful) - len(missed)
    recall, precision = caught / len(unlawful), caught / (caught + len(refused))
    print(f"\n{len(unlawful)} unlawful, {len(lawful)} lawful: recall {recall:.3f}, precision {precision:.3f}")
    print(f"missed {missed}\nrefused {refused}")
    assert len(unlawful) >= 40
    assert len(lawful) >= 40
    assert recall >= MIN_RECALL, f"missed {missed}"
    assert len(refused) <= len(lawful) * MAX_LAWFUL_REFUSED, f"refused {refused}"
