"""Grading a whole class: ``convbook-grade``, nbgrader's autograde distributed over Dask.

Run ``convbook-grade ASSIGNMENT`` from the course root. The modules, in the order a
submission meets them:

- :mod:`.cli` — the command line; loads the course, prints progress and the summary;
- :mod:`.course` — the course on the coordinator: its configuration, who needs
  grading, what to send, storing results (autograded folders, the gradebook);
- :mod:`.cluster` — scheduling on Dask (a local cluster, or an existing one);
- :mod:`.worker` — one submission on a worker: a scratch course, ``nbgrader
  autograde`` with the course's own configuration, the result as data;
- :mod:`.forkserver` — a process per worker that has imported nbgrader and torch
  once and forks a fresh ``nbgrader`` for each submission;
- :mod:`.gradebook` — the assignment's stored cells for the workers, and recording one
  student's grades in one transaction (workers do it on PostgreSQL, the coordinator on SQLite);
- :mod:`.progress` — the progress line and the summary.
"""
