"""Load the qualification catalogue from YAML fixtures: validate everything, then write.

Nothing is written unless every file is valid. Rows are matched by natural key (awarding body
code, qualification and unit reference, outcome number, criterion number), so a corrected
fixture updates text in place and a second run changes nothing.

parsing (files → specs with line numbers) → checks (across files and against the database) →
writing (one transaction); problems.py names what can be wrong.
"""

from __future__ import annotations

from qualifications.loader.checks import validate
from qualifications.loader.problems import CatalogueInvalid, CatalogueProblem
from qualifications.loader.writing import LoadReport, load_catalogue

__all__ = ["CatalogueInvalid", "CatalogueProblem", "LoadReport", "load_catalogue", "validate"]
