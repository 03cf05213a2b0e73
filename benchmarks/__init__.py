"""Reproducible comparisons of skcausal against other libraries (not part of the
test suite); see README.md."""
