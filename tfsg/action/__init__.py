"""The GitHub Action's logic: run the gate, write the job summary and outputs, keep one sticky
pull-request comment up to date (``run``), and a small GitHub REST client for that (``comment``).

Only the standard library is used here: the action adds no runtime dependency to tfsg.
"""
