"""Crowds (audiences): rules over tags, uploads, lookalikes, profiles and exported crowd packages."""
