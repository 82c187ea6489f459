"""The mechanisms of ccsim as small functions over numpy arrays, one module per idea.

Each function cites the anchor it comes from (docs/ODD.md, References) and can be neutralised
by a parameter value (see ``neutral`` in ccsim/params.py).
"""
