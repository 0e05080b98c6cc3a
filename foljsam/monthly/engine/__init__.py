"""Pure analytical engine of the monthly home-care follow-up (no Django imports here)."""
