"""GiveFirst web application: the app factory."""

from __future__ import annotations

import os

from flask import Flask

from app.config import Config, config_from_env
from app.extensions import csrf, db, migrate


def create_app(config: type[Config] | None = None, **overrides: object) -> Flask:
    """Build the Flask app. No scheduler, network or migrations happen here."""
    config = config or config_from_env()
    config.validate()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        instance_path=os.path.join(root, "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy: trust its X-Forwarded-* headers, so the sign-in throttle
        # sees each visitor's address rather than the proxy's.
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"))
    from app import security

    # Before CSRFProtect, so a view re-displaying a form after a CSRF failure knows the user.
    security.init_app(app)
    csrf.init_app(app)

    from app.account.routes import bp as account_bp
    from app.admin.routes import bp as admin_bp
    from app.audit.routes import bp as audit_bp
    from app.auth.routes import bp as auth_bp
    from app.dashboard.routes import bp as dashboard_bp
    from app.exports.routes import bp as exports_bp
    from app.imports.routes import bp as imports_bp
    from app.main.routes import bp as main_bp
    from app.partnerships.routes import bp as partnerships_bp
    from app.people.routes import bp as people_bp
    from app.posts.routes import bp as posts_bp
    from app.replies.routes import bp as replies_bp
    from app.review.routes import bp as review_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(posts_bp)
    app.register_blueprint(partnerships_bp, url_prefix="/partnerships")
    app.register_blueprint(account_bp, url_prefix="/account")
    # Every coordinator page lives under /coordinator.
    app.register_blueprint(admin_bp, url_prefix="/coordinator")
    app.register_blueprint(people_bp, url_prefix="/coordinator/people")
    app.register_blueprint(imports_bp, url_prefix="/coordinator/import")
    app.register_blueprint(review_bp, url_prefix="/coordinator/review")
    app.register_blueprint(dashboard_bp, url_prefix="/coordinator/dashboard")
    app.register_blueprint(audit_bp, url_prefix="/coordinator/audit")
    app.register_blueprint(exports_bp, url_prefix="/coordinator/exports")
    # Pages reached from links in emails; they need no sign-in, only a signed token.
    app.register_blueprint(replies_bp, url_prefix="/email")

    from app.cli import register_cli

    register_cli(app)

    from app import templating

    templating.init_app(app)
    return app
