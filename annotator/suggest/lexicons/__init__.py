"""Shipped lexicons (plain text, one entry per line); a package so wheels include them."""
