# Exercise 05 (Flask track) — sessions that survive a Sentinel failover.
#
# In production Redis is not one server: a primary, a replica that copies it, and three
# sentinels that watch the primary and promote the replica when it fails (or when an operator
# asks, for maintenance). The lab starts such a set-up of its own and tells every instance
# where the sentinels are: REDIS_SENTINELS (host:port,host:port,...) and REDIS_MASTER_NAME.
# This app connects to one fixed address. After a failover that address is a read-only
# replica (writes fail with READONLY), or a primary that hangs: the site must follow the new
# primary by itself, keep every session, and say 503 (not hang) while the switch is under way.
import os

import redis
from flask import Flask, session
from flask_session import Session
from markupsafe import escape

port = os.environ.get("APP_PORT", "5000")
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SESSION_SECRET", "change-me")
app.config["SESSION_TYPE"] = "redis"
# TODO: ask the sentinels (REDIS_SENTINELS, REDIS_MASTER_NAME) where the primary is, and follow it.
app.config["SESSION_REDIS"] = redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
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


# TODO: while the primary changes, answer 503 with a page that says so.

if __name__ == "__main__":
    app.run(host=os.environ.get("APP_HOST", "127.0.0.1"), port=int(port))
