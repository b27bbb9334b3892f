"""Builds the export benchmark's data: N published articles (about 1.5 KB of Chinese text
each, our own sentences shuffled with a fixed seed) in a Yuanxun data folder seeded with the
demo hospital, and the same N articles as Markdown for Hugo with equally simple templates.
Usage: build_data.py DATA_DIR HUGO_DIR N"""
import os
import random
import sqlite3
import sys

data, hugo, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(20261124)
SUBJECTS = ["心血管内科", "骨科", "护理部", "急诊医学科", "儿科", "药学部", "信息中心", "康复医学科", "检验科", "影像科"]
ACTIONS = ["开展义诊活动", "举办业务培训", "优化就诊流程", "推出便民措施", "完成疑难手术", "开展健康讲座", "召开质量分析会", "组织应急演练"]
DETAILS = [
    "活动现场秩序井然，医务人员耐心解答群众提出的问题。",
    "此次工作进一步提升了科室的服务能力和管理水平。",
    "患者和家属对医护人员的专业和细致表示感谢。",
    "科室负责人表示，将持续改进服务，让群众就医更加便捷。",
    "培训采用理论授课与现场演示相结合的方式进行。",
    "相关负责同志对下一步工作提出了明确要求。",
    "医院将以此为契机，不断提高医疗质量和安全水平。",
    "参与人员认真记录要点，纷纷表示收获很大。",
]


def story(i):
    s, a = rng.choice(SUBJECTS), rng.choice(ACTIONS)
    title = f"{s}{a}（第{i}期）"
    paras = []
    while sum(len(p) for p in paras) * 3 < 1500:
        paras.append("".join(rng.choice(DETAILS) for _ in range(3)))
    return title, paras


db = sqlite3.connect(os.path.join(data, "yuanxun.db"))
cur = db.cursor()
site = cur.execute("SELECT id FROM sites ORDER BY id LIMIT 1").fetchone()[0]
channels = [r[0] for r in cur.execute("SELECT id FROM channels WHERE site_id = ? ORDER BY sort", (site,))]
m_cols = [r[1] for r in cur.execute("PRAGMA table_info(manuscripts)") if r[1] != "id"]
a_cols = [r[1] for r in cur.execute("PRAGMA table_info(articles)") if r[1] != "id"]
m_template = dict(zip(m_cols, cur.execute(f"SELECT {','.join(m_cols)} FROM manuscripts WHERE status = 'published' LIMIT 1").fetchone()))
a_template = dict(zip(a_cols, cur.execute(f"SELECT {','.join(a_cols)} FROM articles LIMIT 1").fetchone()))
os.makedirs(os.path.join(hugo, "content", "news"), exist_ok=True)
base_time = 1_700_000_000
for i in range(1, n + 1):
    title, paras = story(i)
    body = "".join(f"<p>{p}</p>" for p in paras)
    ch = channels[i % len(channels)]
    m = dict(m_template, title=title, body_html=body, channel_id=ch, cover_media_id=None)
    cur.execute(f"INSERT INTO manuscripts ({','.join(m)}) VALUES ({','.join('?' * len(m))})", list(m.values()))
    a = dict(a_template, manuscript_id=cur.lastrowid, title=title, body_html=body, channel_id=ch, cover_media_id=None, published_at=base_time + i * 600, view_count=0)
    cur.execute(f"INSERT INTO articles ({','.join(a)}) VALUES ({','.join('?' * len(a))})", list(a.values()))
    with open(os.path.join(hugo, "content", "news", f"{i}.md"), "w") as f:
        f.write(f'---\ntitle: "{title}"\ndate: {base_time + i * 600}\nsection: "{ch}"\n---\n\n' + "\n\n".join(paras) + "\n")
db.commit()

layouts = os.path.join(hugo, "layouts", "_default")
os.makedirs(layouts, exist_ok=True)
head = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title><link rel="stylesheet" href="/site.css"></head><body><header><a href="/">{{ .Site.Title }}</a></header><main>'
foot = "</main><footer>党委宣传部</footer></body></html>"
open(os.path.join(layouts, "single.html"), "w").write(head + '<article><h1>{{ .Title }}</h1><p class="meta">发布日期：{{ .Date.Format "2006-01-02 15:04" }}</p>{{ .Content }}</article>' + foot)
open(os.path.join(layouts, "list.html"), "w").write(head + '<h1>{{ .Title }}</h1><ul>{{ range (.Paginate .Pages.ByDate.Reverse).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ with .Paginator }}{{ if .HasNext }}<a href="{{ .Next.URL }}">下一页</a>{{ end }}{{ end }}' + foot)
open(os.path.join(layouts, "index.html"), "w").write(head + '<ul>{{ range first 20 (where .Site.RegularPages "Section" "news").ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>' + foot)
open(os.path.join(hugo, "hugo.toml"), "w").write('baseURL = "https://news.example.cn/"\ntitle = "院讯示范医院"\ndisableKinds = ["taxonomy", "term"]\n[pagination]\npagerSize = 20\n')
print(f"{n} articles in {data} and {hugo}")
