"""Static reference lists for the demo data: places, people and texts, the catalog. Plain data,
no Django models, so the generators can be read (and tested) without a database."""
