from tests.security.conftest import log_in
from tests.security.routes import routes, user_for
from flask import got_request_exception

HUGE = "99999999999999999999"

def test_probe(app, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    errors = []
    got_request_exception.connect(lambda s, exception, **k: errors.append(repr(exception)[:150]), app)
    clients = {}
    bad = set()
    for route in routes(app, world):
        if route.method != "GET":
            continue
        user = user_for(route, world)
        key = getattr(user, "username", None)
        if key not in clients:
            clients[key] = log_in(app, user) if user else app.test_client()
        c = clients[key]
        import re
        url = re.sub(r"/\d+(?=/|$|\.)", "/" + HUGE, route.url)
        for u in {url, route.url + ("&" if "?" in route.url else "?") + f"village={HUGE}&town={HUGE}&area={HUGE}&page={HUGE}&elder={HUGE}&visitor={HUGE}&q=%00&from=9999-99-99&on=0001-01-01&month=99999"}:
            r = c.get(u)
            if r.status_code >= 500:
                bad.add((route.endpoint, u[:100], errors[-1] if errors else ""))
            r.close()
    for b in sorted(bad):
        print(b)
