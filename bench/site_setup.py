"""Publishes one long article (about 30 KB of page) on a running demo site through the JSON
API, the way the newsroom would: the correspondent writes, three levels approve, the editor
publishes. Prints the article's path. Usage: site_setup.py BASE PASSWORD"""
import http.cookiejar
import json
import sys
import urllib.request

BASE, PASSWORD = sys.argv[1], sys.argv[2]

# Our own sentences (demo content is ours to write), varied so no paragraph repeats.
TOPICS = ["门诊", "病房", "急诊", "药房", "检验科", "影像科", "护理单元", "康复中心"]
ACTIONS = ["优化预约流程", "增加便民设施", "完善随访制度", "开展健康讲座", "推行床旁结算", "改进标识导引"]


def paragraphs(n):
    for i in range(n):
        t, a = TOPICS[i % len(TOPICS)], ACTIONS[(i // len(TOPICS)) % len(ACTIONS)]
        yield f"<p>第{i + 1}项举措：{t}{a}，工作人员逐项梳理患者反映较多的环节，明确责任人和完成时限，每月通报进展情况。</p>"


def session(user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = call(opener, None, "POST", "/session", {"username": user, "password": PASSWORD})["csrf_token"]
    return opener, token


def call(opener, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/api/v1" + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-CSRF-Token", token)
    with opener.open(req) as r:
        return json.loads(r.read() or b"null")


writer = session("correspondent")
body = "".join(paragraphs(115))
m = call(*writer, "POST", "/manuscripts", {"title": "医院推出改善就医体验十五项举措", "channel_id": 1, "authors": "陈通讯员", "body_html": body})
mid = m["id"]
call(*writer, "POST", f"/manuscripts/{mid}/submit", {})
for user in ["editor", "reviewer", "chief"]:
    call(*session(user), "POST", f"/manuscripts/{mid}/decisions", {"verdict": "approve", "comment": "同意", "override_reason": "基准测试稿件"})
call(*session("editor"), "POST", f"/manuscripts/{mid}/publish", {})
for a in call(*writer, "GET", "/articles?limit=100"):
    if a["title"] == "医院推出改善就医体验十五项举措":
        print(a["url"].split("://", 1)[-1].split("/", 1)[-1] if "://" in a["url"] else a["url"].lstrip("/"))
        break
else:
    sys.exit("the article was not published")
