# Exercise 06 (Flask track) — sessions in a Redis Cluster.
#
# The sessions outgrew one Redis: they now live in a Redis Cluster, three primaries (each with
# a replica) that share the 16384 hash slots between them. A key belongs to one slot, its slot
# to one primary, and a node asked for a key of another primary's slot answers
# `MOVED <slot> <host:port>`. The lab starts such a cluster of its own and tells every
# instance where its nodes are: REDIS_CLUSTER_NODES (host:port,host:port,...). REDIS_URL is
# one node of it, the fixed address this app uses.
#
# Routes: /login/<user>, /whoami, /logout, /logout-everywhere (exercise 02), and the lab's
# /, /session/set/<value>, /session/unset/.
import os

import redis
from flask import Flask, session
from flask_session import Session
from markupsafe import escape

port = os.environ.get("APP_PORT", "5000")
prefix = os.environ.get("SESSION_PREFIX", "session:")

# TODO: talk to the whole cluster (REDIS_CLUSTER_NODES), not to one of its nodes.
store = redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SESSION_SECRET", "change-me")
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_REDIS"] = store
app.config["SESSION_KEY_PREFIX"] = prefix
Session(app)


def sessions_of(user):
    """The set of a user's session ids, to end them all at once."""
    return f"{prefix}user:{user}"


@app.route("/login/<user>")
def login(user):
    session["user"] = user
    store.sadd(sessions_of(user), session.sid)
    return page(f"Logged in as {escape(user)}.")


@app.route("/whoami")
def whoami():
    return page()


@app.route("/logout")
def logout():
    user = session.get("user")
    if user:
        store.srem(sessions_of(user), session.sid)
    session.clear()  # Flask-Session deletes the session's key
    return page("Logged out.")


@app.route("/logout-everywhere")
def logout_everywhere():
    user = session.get("user")
    if user:
        ids = [sid.decode() for sid in store.smembers(sessions_of(user))]
        # One round trip: the user's set and every one of their sessions in a single DEL.
        store.delete(sessions_of(user), *(prefix + sid for sid in ids))
    session.clear()
    return page("Logged out everywhere.")


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


def page(note=""):
    user = session.get("user")
    value = session.get("value")
    who = f'Logged in as <strong id="user">{escape(user)}</strong>' if user else "Anonymous."
    shown = (
        "<p>No session value is set.</p>"
        if value is None
        else f'<p>Session value: <strong id="value">{escape(value)}</strong></p>'
    )
    return f'<!doctype html><html><head><meta charset="utf-8"><title>Redis Cluster (Flask)</title><link rel="icon" href="data:,"></head><body>{f"<p>{note}</p>" if note else ""}<p>{who}</p>{shown}<p>Served by port <span id="port">{port}</span>.</p></body></html>\n'


if __name__ == "__main__":
    app.run(host=os.environ.get("APP_HOST", "127.0.0.1"), port=int(port))
