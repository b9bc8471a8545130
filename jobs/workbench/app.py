"""The verifiers' workbench (核查工作台, issue #22): clues worked in the browser, outcomes straight into the lake.

FastAPI with Jinja2 templates (no JavaScript). Each user belongs to one region or to the province
(``accounts``); every page and every form reads through ``data`` with the session's region, so another region's
clue is a 404 whether it is clicked or typed. Every POST carries the session's CSRF token. Sessions live on the
server and expire; the cookie holds a random token only (HttpOnly, SameSite=Strict).

Pages: ``/`` this week's clues (filter by type and status, sort), ``/register`` the register and overdue clues,
``/clues/{id}`` one clue (evidence, settlements, trace-code sales, outcome form), ``/province`` precision and
recovered amounts by region and rule (province users). ``/api/clues/{id}`` is the same clue as JSON, and
``POST /api/clues/{id}/outcome`` the same outcome as the form (CSRF token in ``X-CSRF-Token``).
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from jobs.lake import Lake
from jobs.lake.tables import PROVINCE
from jobs.publish.evidence import region_names
from jobs.workbench import data
from jobs.workbench.accounts import SESSION_SECONDS, Accounts, Session, Throttled

COOKIE = "fw_session"
TEMPLATES = Path(__file__).parent / "templates"
SORTS = {"rank": ("rank", True), "fund": ("fund_amount", False), "risk": ("risk_score", False)}


def default_db(lake_root: Path | str) -> Path:
    """Where the accounts live unless ``--db`` says otherwise: beside the lake, never inside a table."""
    return Path(lake_root) / "workbench" / "accounts.db"


def _money(value) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(v) else f"{v:,.2f}"


def create_app(lake_root: Path | str, db: Path | str | None = None, today=dt.date.today) -> FastAPI:
    """The workbench over the lake at ``lake_root``; accounts in ``db`` (``default_db``)."""
    lake, accounts = Lake(lake_root), Accounts(db or default_db(lake_root))
    app = FastAPI(title="fundwatch 核查工作台", docs_url=None, redoc_url=None, openapi_url=None)
    pages = Jinja2Templates(directory=str(TEMPLATES))
    pages.env.filters["money"] = _money

    def who(request: Request) -> Session | None:
        return accounts.session(request.cookies.get(COOKIE))

    def render(request: Request, name: str, session: Session | None, code: int = 200, **ctx) -> HTMLResponse:
        region_name = region_names(lake).get(session.region, "") if session is not None else ""
        ctx |= {
            "session": session,
            "province": PROVINCE,
            "statuses": data.STATUSES,
            "region_name": region_name,
        }
        return pages.TemplateResponse(request, name, ctx, status_code=code)

    def login_first() -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    def not_found(request: Request, session: Session) -> HTMLResponse:
        return render(
            request, "message.html", session, 404, title="未找到", text="没有这条线索，或它不属于本地区。"
        )

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        return render(request, "login.html", None)

    @app.post("/login")
    def login(request: Request, username: str = Form(...), password: str = Form(...)):
        try:
            session = accounts.login(username, password)
        except Throttled:
            return render(request, "login.html", None, 429, error="登录失败次数过多，请15分钟后再试。")
        if session is None:
            return render(request, "login.html", None, 401, error="用户名或密码错误。")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session.token, max_age=SESSION_SECONDS, httponly=True, samesite="strict")
        return response

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form("")):
        session = who(request)
        if session is not None and session.csrf_ok(csrf):
            accounts.logout(session.token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    def week(request: Request, clue_type: str = "", status: str = "", sort: str = "rank"):
        session = who(request)
        if session is None:
            return login_first()
        as_of, rows = data.week(lake, session.region, today())
        types = sorted({t for s in rows.get("clue_types", []) for t in str(s).split("、") if t})
        if clue_type:
            rows = rows[rows.clue_types.astype(str).str.contains(clue_type, regex=False)]
        if status:
            rows = rows[rows.status == status]
        column, ascending = SORTS.get(sort, SORTS["rank"])
        if len(rows):
            rows = rows.sort_values(["admdvs", column] if column == "rank" else column, ascending=ascending)
        return render(request, "week.html", session, as_of=as_of, rows=rows.to_dict("records"), types=types,
                      clue_type=clue_type, status=status, sort=sort)  # fmt: skip

    @app.get("/register", response_class=HTMLResponse)
    def register(request: Request):
        session = who(request)
        if session is None:
            return login_first()
        reg = data.register(lake, session.region, today())
        reg = reg.sort_values(["overdue", "due_date"], ascending=[False, True]) if len(reg) else reg
        return render(request, "register.html", session, rows=reg.to_dict("records"))

    @app.get("/clues/{clue_id}", response_class=HTMLResponse)
    def clue_page(request: Request, clue_id: str, error: str = ""):
        session = who(request)
        if session is None:
            return login_first()
        row = data.clue(lake, session.region, clue_id)
        if row is None:
            return not_found(request, session)
        reg = data.register(lake, session.region, today())
        mine = reg[reg.clue_id == clue_id].to_dict("records")
        return render(request, "clue.html", session, clue=row, reg=mine[0] if mine else {}, error=error,
                      settlements=data.settlements(lake, row).to_dict("records"), today=today(),
                      codes=data.code_sales(lake, row).to_dict("records"),
                      rings=data.rings(lake, row).to_dict("records"))  # fmt: skip

    def save(session: Session, clue_id: str, form: dict) -> tuple[int, str, dict | None]:
        row = data.clue(lake, session.region, clue_id)
        if row is None:
            return 404, "没有这条线索，或它不属于本地区。", None
        try:
            day = dt.date.fromisoformat(form.get("feedback_date") or today().isoformat())
            saved = data.record_outcome(
                lake, row, session.name, form.get("status", ""), form.get("verified_amt"),
                form.get("recovered_amt"), form.get("note", ""), day, bool(form.get("confirm_over")),
            )  # fmt: skip
        except (data.OutcomeError, ValueError) as e:
            return 400, str(e), None
        return 200, "已保存", saved

    @app.post("/clues/{clue_id}/outcome")
    async def outcome_form(request: Request, clue_id: str):
        session = who(request)
        if session is None:
            return login_first()
        form = dict(await request.form())
        if not session.csrf_ok(form.get("csrf")):
            return render(
                request, "message.html", session, 403, title="请求无效", text="页面已过期，请返回重试。"
            )
        code, text, _ = save(session, clue_id, form)
        if code == 404:
            return not_found(request, session)
        if code == 400:
            return clue_page(request, clue_id, error=text)
        return RedirectResponse(f"/clues/{clue_id}", status_code=303)

    @app.get("/api/clues/{clue_id}")
    def clue_json(request: Request, clue_id: str):
        session = who(request)
        if session is None:
            return JSONResponse({"error": "login required"}, 401)
        row = data.clue(lake, session.region, clue_id)
        if row is None:
            return JSONResponse({"error": "not found"}, 404)
        keep = ["clue_id", "as_of", "entity_type", "admdvs", "rank", "risk_score", "clue_types", "evidence",
                "fund_amount", "entity_name", "certno_masked"]  # fmt: skip
        return JSONResponse({k: (str(row[k]) if k == "as_of" else row.get(k)) for k in keep})

    @app.post("/api/clues/{clue_id}/outcome")
    async def outcome_api(request: Request, clue_id: str):
        session = who(request)
        if session is None:
            return JSONResponse({"error": "login required"}, 401)
        if not session.csrf_ok(request.headers.get("X-CSRF-Token")):
            return JSONResponse({"error": "csrf"}, 403)
        code, text, saved = save(session, clue_id, await request.json())
        body = {"result": text} | (
            {k: str(v) if v is not None else None for k, v in saved.items()} if saved else {}
        )
        return JSONResponse(body if code == 200 else {"error": text}, code)

    @app.get("/province", response_class=HTMLResponse)
    def province(request: Request):
        session = who(request)
        if session is None:
            return login_first()
        if not session.province:
            return render(request, "message.html", session, 403, title="无权限", text="仅省级用户可查看。")
        return render(
            request, "province.html", session, rows=data.province_figures(lake, today()).to_dict("records")
        )

    return app
