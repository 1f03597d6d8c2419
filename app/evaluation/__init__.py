"""Efficiency evaluation (M.33–M.34): schemes, scores, published results and settlement coefficients."""
