# Exercise 06 (Flask track) — sessions in a Redis Cluster (reference solution).
#
# The client is cluster-aware (redis-py's `RedisCluster`): it learns which primary serves which
# slot from the nodes in REDIS_CLUSTER_NODES and sends each key to its own, following MOVED and
# ASK by itself. Flask-Session's Redis store takes it as SESSION_REDIS and needs nothing more:
# every command it sends (GET, SETEX, DEL) touches one key.
# "Log out everywhere" deletes the user's set and all of their sessions in one DEL, in one slot:
# a user's keys share a hash tag, `{<user>}`. The set is `<prefix>{ada}:sessions`, and at login
# the session gets a new id that starts with `{ada}` (which also ends any session fixation), so
# its key `<prefix>{ada}…` is in the same slot. The session prefix itself has no braces:
# anonymous sessions spread over every primary.
import os
from uuid import uuid4

from flask import Flask, session
from flask_session import Session
from markupsafe import escape
from redis.cluster import ClusterNode, RedisCluster

port = os.environ.get("APP_PORT", "5000")
prefix = os.environ.get("SESSION_PREFIX", "session:")

nodes = [
    ClusterNode(host, int(node_port))
    for host, node_port in (
        address.strip().split(":")
        for address in os.environ.get("REDIS_CLUSTER_NODES", "127.0.0.1:7000").split(",")
    )
]
store = RedisCluster(startup_nodes=nodes)

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SESSION_SECRET", "change-me")
app.config["SESSION_TYPE"] = "redis"
app.config["SESSION_REDIS"] = store
app.config["SESSION_KEY_PREFIX"] = prefix
Session(app)


def tag_of(user):
    """The hash tag of a user: braces inside a name would end the tag early, so they are left out."""
    return "{" + user.replace("{", "").replace("}", "") + "}"


def sessions_of(user):
    """The set of a user's session ids, in the user's slot."""
    return f"{prefix}{tag_of(user)}:sessions"


@app.route("/login/<user>")
def login(user):
    # A new session, whose id carries the user's hash tag: Flask-Session 0.3 has no
    # regenerate(), so the old key is deleted and the id replaced; the store saves the session
    # under the new key at the end of the request, and sends its cookie.
    store.delete(prefix + session.sid)
    session.clear()
    session.sid = tag_of(user) + str(uuid4())
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
        # One DEL, one slot: the set and every session id in it share the user's hash tag.
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
