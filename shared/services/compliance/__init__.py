"""Working-time compliance (limits, evaluation, violations, the check-in rest warning) and personal data
(retention, subject access, erasure)."""
