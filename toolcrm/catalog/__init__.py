"""Products, categories (a tree), brands, accessories, warranty and maintenance policies."""
