from tests.enrollments.test_sheets import *  # noqa

def test_probe(world, staff_client):
    c = make_class(world, 3, sessions=4)
    staff_client.get(matrix_url(c))
    with CaptureQueriesContext(connection) as q:
        staff_client.get(matrix_url(c))
    for x in q.captured_queries: print(x["sql"][:200])
