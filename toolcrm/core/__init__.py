"""Cross-cutting code: PII encryption, blind index and masking, roles and store scoping,
audit helpers, middleware, base templates. No domain models live here."""
