"""Customer insights: RFM scores, lifecycle stages, purchase cycles and CLV (issue 4)."""
