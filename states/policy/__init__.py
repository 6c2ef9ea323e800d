"""An authority's policy: the model, its rules, versions, lint, diff and comparison."""
