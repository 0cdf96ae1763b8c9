"""The public routes of kehu.core in the permission matrix (test_permission_matrix.py): the
load balancer's /healthz answers everyone 200 `ok`, signed in or not, and says nothing else."""

from kehu.core.tests.matrix import Route

ROUTES = [
    Route("healthz", scoped=False, public=True, rule="PLT-2", note="public"),
]
