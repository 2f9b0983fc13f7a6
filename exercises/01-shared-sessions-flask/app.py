# Exercise 01 (Flask track) — the original exercise, in Python.
#
# This app keeps each visitor's session in files under sessions/<APP_PORT>/, one folder per
# instance (Flask-Session's filesystem store). One instance works; two behind a round-robin
# load balancer lose the session every other request. Move the sessions into Redis with
# Flask-Session's Redis store, on the REDIS_URL the lab passes to every instance.
import os

from flask import Flask, session
from flask_session import Session
from markupsafe import escape

port = os.environ.get("APP_PORT", "5000")
app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SESSION_SECRET", "change-me")
app.config["SESSION_TYPE"] = "filesystem"
app.config["SESSION_FILE_DIR"] = "sessions/" + port
Session(app)


def page(note=""):
    value = session.get("value")
    shown = (
        "<p>No session value is set.</p>"
        if value is None
        else f'<p>Session value: <strong id="value">{escape(value)}</strong></p>'
    )
    return f'<!doctype html><html><head><meta charset="utf-8"><title>Shared sessions (Flask)</title><link rel="icon" href="data:,"></head><body>{f"<p>{note}</p>" if note else ""}{shown}<p>Served by port <span id="port">{port}</span>.</p></body></html>\n'


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


if __name__ == "__main__":
    app.run(host=os.environ.get("APP_HOST", "127.0.0.1"), port=int(port))
