# Exercise 05 (Flask track) — sessions that survive a Sentinel failover (reference solution).
#
# Flask-Session's Redis store takes any redis-py client as SESSION_REDIS: here the one
# redis-py's Sentinel support gives for the primary, `Sentinel(...).master_for(name)`. Each
# new connection asks the sentinels where the primary is now; a connection to a primary turned
# replica (READONLY) is dropped and the command sent once more, through the sentinels, to the
# new one; a socket timeout of a second gives up on a hung primary, and the error handler
# answers 503 meanwhile. The sessions themselves are on the primary, which the replica copies:
# the promoted replica has them all.
import os

import redis
from flask import Flask, session
from flask_session import Session
from markupsafe import escape
from redis.sentinel import Sentinel
from werkzeug.exceptions import InternalServerError

port = os.environ.get("APP_PORT", "5000")
sentinels = [
    (host, int(sentinel_port))
    for host, sentinel_port in (
        address.strip().split(":")
        for address in os.environ.get("REDIS_SENTINELS", "127.0.0.1:26379").split(",")
    )
]
sentinel = Sentinel(sentinels, socket_timeout=0.5)
primary = sentinel.master_for(
    os.environ.get("REDIS_MASTER_NAME", "mymaster"),
    # A primary that hangs must not hang the pages: give up after a second, answer 503.
    socket_timeout=1,
    socket_connect_timeout=1,
    # A write that meets READONLY (the old primary, now a replica) is a ConnectionError here:
    # send it once more, on a new connection to the primary the sentinels name now.
    retry_on_error=[redis.exceptions.ConnectionError],
)

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SESSION_SECRET", "change-me")
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_REDIS"] = primary
app.config["SESSION_KEY_PREFIX"] = os.environ.get("SESSION_PREFIX", "session:")
Session(app)


def page(note=""):
    value = session.get("value")
    shown = (
        "<p>No session value is set.</p>"
        if value is None
        else f'<p>Session value: <strong id="value">{escape(value)}</strong></p>'
    )
    return f'<!doctype html><html><head><meta charset="utf-8"><title>Redis failover (Flask)</title><link rel="icon" href="data:,"></head><body>{f"<p>{note}</p>" if note else ""}{shown}<p>Served by port <span id="port">{port}</span>.</p></body></html>\n'


@app.route("/")
def index():
    return page()


@app.route("/session/set/<value>")
def set_value(value):
    session["value"] = value
    return page("Stored.")


@app.route("/session/unset/")
def unset_value():
    session.pop("value", None)
    return page("Removed.")


# Flask-Session loads and saves the session outside the view: its errors reach Flask as an
# unhandled exception, that is a 500 whose original_exception is redis-py's error.
@app.errorhandler(InternalServerError)
def session_store_down(error):
    if isinstance(error.original_exception, redis.exceptions.RedisError):
        # Flask saves the session again after this page, and Flask-Session 0.3 saves any session
        # that is not empty: empty it, unmodified, so that the 503 does not wait for Redis twice.
        if session:
            session.clear()
            session.modified = False
        return "<p>The session service is down; try again in a moment.</p>\n", 503
    return error


if __name__ == "__main__":
    app.run(host=os.environ.get("APP_HOST", "127.0.0.1"), port=int(port))
