"""The pure model: Adobe's vocabulary as the contract's states, and what follows from it.

No I/O and no clock of its own: `vocabulary` (states, products, an event's impact on one
product, the status rules), `impacts` (one event of either of Adobe's shapes, already
decoded, read into Impacts), `report` (catalog + impacts + selection -> StatusReport),
`texts` (Adobe's words for an event, made safe to show).
"""
