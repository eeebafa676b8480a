"""Evaluations of warehouse output against the demo generator's truth folder."""
