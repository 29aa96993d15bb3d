"""Woo decisions as data: what each published decision says (dates, outcome, grounds), read
from its pages with the evidence for every value, into tables researchers can count."""
