"""The grammar of the .regel language, shipped as package data."""
