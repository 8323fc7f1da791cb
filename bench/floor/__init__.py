"""Bench only: Souk's settings plus a bare "floor" endpoint, for bench/checkin.py.

The floor is what any check-in must cost on this stack: the same gunicorn, the same Django
settings, middleware and database connection, one indexed read (a badge by its serial) and one
insert (a ``CheckIn`` row with a fresh nonce), a JSON body in and a small JSON answer out —
and nothing else: no authentication, no DRF, no validation, no row lock, no counters.
Never used outside bench/.
"""
