"""Offline evaluation on real data (UCI Online Retail), through the shop's own matrix builder."""
