"""What the city publishes: open-data files, the static public site, council reports (PDF, Excel).

Everything here reads through the views (metrics.views), so every output follows the one
visibility rule: the site and the open data read as the public portal, reports as staff.
"""
