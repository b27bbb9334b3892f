"""The million-article data set (issue 22, criterion 3) and its measurements.

  million.py generate PG_URL N FTS5_DB   N published articles across every site of the
        database (our own sentences, shuffled with a fixed seed), copied in with COPY as
        manuscripts, revisions and articles; the same texts into an SQLite FTS5 table with the
        trigram tokenizer, for the comparison.
  million.py queries OUT                 100 search queries of one, two and four words (two-
        character words that occur inside longer ones among them), one per line.
  million.py search BASE QUERIES HOSTS FTS5_DB PG_URL   each query against Yuanxun's public
        search (on a host picked in turn) and against FTS5 on the same site's texts: p50/p99,
        how many queries FTS5 cannot answer, and both counts beside the stories that hold
        every word (a scan of the site's articles in PostgreSQL).
  million.py pages BASE HOSTS            home and channel pages, uncached, p50/p99.

The texts are made of templates with slots filled from word lists below (departments,
diseases, techniques, places, people): about 600 characters per story, a vocabulary wide
enough that one word finds thousands of stories and four words find a few.
"""
import csv
import http.client
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse

DEPARTMENTS = ["心血管内科", "神经内科", "消化内科", "呼吸与危重症医学科", "内分泌科", "肾内科", "血液科", "风湿免疫科", "肿瘤科", "感染科",
               "普外科", "骨科", "神经外科", "心胸外科", "泌尿外科", "肝胆外科", "乳腺外科", "甲状腺外科", "整形外科", "烧伤科",
               "妇产科", "儿科", "新生儿科", "眼科", "耳鼻喉科", "口腔科", "皮肤科", "康复医学科", "中医科", "急诊医学科",
               "重症医学科", "麻醉科", "影像科", "检验科", "病理科", "药学部", "护理部", "营养科", "心理科", "健康管理中心"]
DISEASES = ["冠心病", "高血压", "糖尿病", "脑卒中", "慢阻肺", "哮喘", "胃癌", "肺癌", "肝癌", "乳腺癌", "甲状腺结节", "骨质疏松", "腰椎间盘突出",
            "膝关节炎", "白内障", "青光眼", "龋齿", "牙周炎", "湿疹", "银屑病", "帕金森病", "阿尔茨海默病", "癫痫", "痛风", "贫血", "肾结石",
            "前列腺增生", "过敏性鼻炎", "中耳炎", "手足口病", "流感", "肺炎", "胸痛", "心衰", "房颤", "胆结石", "阑尾炎", "疝气", "脊柱侧弯", "斜视"]
TECHNIQUES = ["腹腔镜手术", "达芬奇机器人手术", "介入治疗", "射频消融", "经导管主动脉瓣置换", "冠脉支架植入", "内镜下黏膜剥离术", "关节置换",
              "微创脊柱手术", "体外膜肺氧合", "血液透析", "放射治疗", "靶向治疗", "免疫治疗", "3D打印导板", "人工耳蜗植入", "飞秒激光",
              "无痛胃肠镜", "分娩镇痛", "日间手术", "远程会诊", "多学科会诊", "快速康复外科", "针灸推拿", "高压氧治疗"]
PLACES = ["社区卫生服务中心", "乡镇卫生院", "养老院", "中小学校", "机关单位", "工业园区", "农贸市场", "城市广场", "对口帮扶医院", "医联体成员单位",
          "门诊大厅", "住院部", "发热门诊", "体检中心", "健康小屋"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国伟华明丽静敏强军磊洋勇艳杰娟涛超秀英霞平刚桂芳玲鹏辉斌宇浩凯晨欣怡婷雪梅兰红波宁海峰亮林琳颖慧佳文博志坤鑫"
TITLES = ["主任医师", "副主任医师", "主治医师", "护士长", "主管护师", "科主任", "副院长", "院长", "党委书记", "教授", "博士生导师"]
ACTIONS = ["开展义诊活动", "举办业务培训", "优化就诊流程", "推出便民措施", "完成疑难手术", "开展健康讲座", "召开质量分析会", "组织应急演练",
           "成功救治危重患者", "开展新技术新项目", "举行学术年会", "开展志愿服务", "签约家庭医生", "举办护理技能竞赛", "开展科普进校园",
           "通过等级评审", "获批重点专科", "开设专病门诊", "启用新院区", "开展党建共建"]
TEMPLATES = [
    "{date}，{dept}在{place}{action}，为群众提供{disease}筛查和咨询服务{n}人次。",
    "{dept}{name}{title}介绍，{disease}早期症状不明显，建议高危人群定期体检，做到早发现、早诊断、早治疗。",
    "近日，{dept}团队运用{tech}为一名{age}岁的{disease}患者成功实施治疗，患者术后恢复良好，已康复出院。",
    "此次{action}由{dept}牵头，{dept2}、{dept3}等科室共同参与，{name}{title}现场讲解了{disease}的防治知识。",
    "{tech}具有创伤小、恢复快、并发症少等优点，目前{dept}已累计开展{n}例，技术水平位居区域前列。",
    "活动现场秩序井然，医务人员耐心解答群众提出的关于{disease}和{disease2}的问题，并发放宣传资料{n}余份。",
    "{name}{title}提醒，{season}是{disease}的高发季节，市民应注意饮食清淡、规律作息、适量运动。",
    "医院将以此为契机，持续推进{tech}等新技术应用，不断提高医疗质量和安全水平，让群众就医更加便捷。",
    "{dept}负责人表示，下一步将加强与{place}的合作，把优质医疗资源送到群众家门口。",
    "培训采用理论授课与现场演示相结合的方式进行，{n}名医护人员参加，{dept}{name}{title}作专题授课。",
    "据统计，今年以来{dept}门诊量达{n}人次，同比增长{pct}%，其中{disease}患者占比明显上升。",
    "参与人员认真记录要点，纷纷表示收获很大，将把所学运用到{disease}的诊疗和护理工作中。",
]
SEASONS = ["春季", "夏季", "秋季", "冬季", "换季时节", "节假日期间"]


class Slots(dict):
    """The template's slots, each drawn when the template asks for it."""

    def __init__(self, r, dept):
        super().__init__(dept=dept)
        self.r = r

    def __missing__(self, key):
        r = self.r
        if key == "name":
            return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")
        if key == "date":
            return f"{r.randint(1, 12)}月{r.randint(1, 28)}日"
        if key in ("n", "age", "pct"):
            return r.randint(12, 3000) if key == "n" else r.randint(3, 92) if key == "age" else r.randint(2, 40)
        return r.choice(POOLS[key])


POOLS = {"dept2": DEPARTMENTS, "dept3": DEPARTMENTS, "place": PLACES, "action": ACTIONS, "disease": DISEASES, "disease2": DISEASES, "tech": TECHNIQUES, "title": TITLES, "season": SEASONS}
HEADLINES = ["{dept}{action}", "{dept}运用{tech}救治{disease}患者", "{name}{title}：{season}谨防{disease}", "{dept}走进{place}{action}"]


def story(i):
    """The title and paragraphs of story `i`: the same every run."""
    r = random.Random(i * 7919 + 20261202)
    dept = r.choice(DEPARTMENTS)
    fill = lambda t: t.format_map(Slots(r, dept))
    title = fill(r.choice(HEADLINES))
    paras, size = [], 0
    while size < 600:
        p = "".join(fill(r.choice(TEMPLATES)) for _ in range(3))
        paras.append(p)
        size += len(p)
    return title, paras


def psql(url, sql):
    return subprocess.run(["psql", "-qtAX", url, "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def generate(url, n, fts5_path):
    sites = [tuple(map(int, l.split("|"))) for l in psql(url, "SELECT s.id, (SELECT MIN(u.id) FROM users u WHERE u.site_id = s.id), (SELECT MIN(d.id) FROM departments d WHERE d.site_id = s.id) FROM sites s ORDER BY s.id").splitlines()]
    # A new site has no channels: it gets the first site's.
    cols = [c for c in psql(url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'channels' AND column_name NOT IN ('id', 'site_id') ORDER BY ordinal_position").split()]
    for site, _, _ in sites[1:]:
        psql(url, f"INSERT INTO channels (site_id, {', '.join(cols)}) SELECT {site}, {', '.join(cols)} FROM channels WHERE site_id = {sites[0][0]} AND NOT EXISTS (SELECT 1 FROM channels WHERE site_id = {site})")
    channels = {site: [int(c) for c in psql(url, f"SELECT id FROM channels WHERE site_id = {site} ORDER BY sort, id").split()] for site, _, _ in sites}
    m0 = int(psql(url, "SELECT COALESCE(MAX(id), 0) FROM manuscripts")) + 1
    a0 = int(psql(url, "SELECT COALESCE(MAX(id), 0) FROM articles")) + 1
    r0 = int(psql(url, "SELECT COALESCE(MAX(id), 0) FROM revisions")) + 1
    base_time = 1_500_000_000  # 2017: the stories span the nine years before today

    m_cols = ["id", "site_id", "author_id", "department_id", "channel_id", "title", "subtitle", "authors", "photographers", "body_html", "status", "review_level", "review_levels", "revision", "created_at", "updated_at"]
    r_cols = ["id", "site_id", "manuscript_id", "number", "title", "subtitle", "authors", "photographers", "body_html", "editor_id", "note", "created_at"]
    a_cols = ["id", "site_id", "manuscript_id", "channel_id", "title", "subtitle", "authors", "photographers", "body_html", "source", "editor", "responsible_editor", "published_at", "view_count"]
    t = time.time()
    db = sqlite3.connect(fts5_path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("DROP TABLE IF EXISTS docs")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(site UNINDEXED, title, body, tokenize='trigram')")
    tmp = os.path.dirname(os.path.abspath(fts5_path))
    files = {k: open(os.path.join(tmp, f"{k}.csv"), "w", newline="") for k in ("manuscripts", "revisions", "articles")}
    # Strings quoted: an empty one is then an empty string to COPY, not NULL.
    w = {k: csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC) for k, f in files.items()}
    fts = []
    for k in range(n):
        site, author, dept = sites[k % len(sites)]
        chans = channels[site]
        ch = chans[(k // len(sites)) % len(chans)]
        title, paras = story(k)
        body = "".join(f"<p>{p}</p>" for p in paras)
        at = base_time + k * 280
        w["manuscripts"].writerow((m0 + k, site, author, dept, ch, title, "", "通讯员", "", body, "published", 1, 1, 1, at - 3600, at))
        w["revisions"].writerow((r0 + k, site, m0 + k, 1, title, "", "通讯员", "", body, author, "", at - 3600))
        w["articles"].writerow((a0 + k, site, m0 + k, ch, title, "", "通讯员", "", body, "本院", "宣传部", "宣传部", at, 0))
        fts.append((site, title, "".join(paras)))
        if len(fts) == 10_000:
            db.executemany("INSERT INTO docs (site, title, body) VALUES (?, ?, ?)", fts)
            fts.clear()
        if k and k % 100_000 == 0:
            print(f"  {k:,} / {n:,} written ({time.time() - t:.0f} s)", file=sys.stderr, flush=True)
    db.executemany("INSERT INTO docs (site, title, body) VALUES (?, ?, ?)", fts)
    db.commit()
    for f in files.values():
        f.close()
    print(f"{n:,} stories written and the FTS5 trigram table of the same texts built in {time.time() - t:.0f} s", flush=True)
    t = time.time()
    for table, cols in [("manuscripts", m_cols), ("revisions", r_cols), ("articles", a_cols)]:
        subprocess.run(["psql", "-qX", url, "-c", f"\\copy {table} ({','.join(cols)}) FROM '{os.path.join(tmp, table + '.csv')}' WITH (FORMAT csv)"], check=True)
        os.remove(os.path.join(tmp, table + ".csv"))
    for table in ["manuscripts", "revisions", "articles"]:
        psql(url, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    psql(url, "ANALYZE")
    print(f"{n:,} articles across {len(sites)} sites copied into PostgreSQL in {time.time() - t:.0f} s", flush=True)


def queries(out):
    r = random.Random(20261203)
    # Two-character words that occur inside longer ones (义诊 in 义诊活动, 护士 in 护士长 …).
    short = ["义诊", "护士", "手术", "门诊", "康复", "培训", "骨科", "儿科", "眼科", "体检", "肺炎", "胸痛", "心衰", "房颤", "痛风", "贫血", "哮喘", "流感", "湿疹", "斜视"]
    long_ = [w for w in DEPARTMENTS + DISEASES + TECHNIQUES + PLACES if len(w) >= 3]
    qs = []
    for i in range(100):
        words = 1 if i < 34 else 2 if i < 67 else 4
        pick = [r.choice(short) if (i + j) % 3 == 0 else r.choice(long_) for j in range(words)]
        qs.append(" ".join(pick))
    open(out, "w").write("\n".join(qs) + "\n")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(q * len(xs) + 0.5)) - 1))]


def get(conn, host, path):
    t = time.perf_counter()
    conn.request("GET", path, headers={"Host": host})
    r = conn.getresponse()
    body = r.read()
    return (time.perf_counter() - t) * 1000, r.status, body


def search(base, qfile, hosts_arg, fts5_path, pg_url):
    hosts = hosts_arg.split(",")
    site_of = {h: i + 1 for i, h in enumerate(hosts)}
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    db = sqlite3.connect(fts5_path)
    qs = [q for q in open(qfile).read().splitlines() if q]
    ours, theirs, misses, rows = [], [], [], []
    for rep in range(2):  # the first round warms the caches; the second is measured
        ours.clear(); theirs.clear(); misses.clear(); rows.clear()
        for i, q in enumerate(qs):
            host = hosts[i % len(hosts)]
            ms, status, body = get(conn, host, "/search?" + urllib.parse.urlencode({"q": q}))
            assert status == 200, (q, status)
            m = re.search(r"找到 (\d+) 篇", body.decode())
            found = int(m.group(1)) if m else 0
            ours.append(ms)
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in q.split())
            t = time.perf_counter()
            try:
                got = db.execute("SELECT COUNT(*) FROM (SELECT rowid FROM docs WHERE docs MATCH ? AND site = ? LIMIT 1000)", (match, site_of[host])).fetchone()[0]
            except sqlite3.OperationalError:
                got = 0
            theirs.append((time.perf_counter() - t) * 1000)
            if found and not got:
                misses.append(q)
            # The truth, in the measured round: stories of the site holding every word.
            # (PostgreSQL's copy of the site's articles, read whole: the FTS5 table is not
            # indexed by site.) A word never spans paragraphs, so the markup does not matter.
            truth = int(psql(pg_url, f"SELECT COUNT(*) FROM articles WHERE site_id = {site_of[host]} AND retracted = 0 AND " + " AND ".join(f"strpos(title || body_html, '{w}') > 0" for w in q.split()))) if rep else 0
            rows.append((q, found, got, truth))
    one = [q for q in qs if len(q.split()) == 1]
    print(f"Yuanxun search, {len(qs)} queries (1, 2 and 4 words) over {len(hosts)} sites: p50 {pct(ours, .5):.1f} ms, p99 {pct(ours, .99):.1f} ms, max {max(ours):.1f} ms (HTTP, the whole results page)")
    print(f"SQLite FTS5 trigram, the same queries and sites: p50 {pct(theirs, .5):.1f} ms, p99 {pct(theirs, .99):.1f} ms (in-process, first 1,000 matches counted)")
    print(f"FTS5 finds nothing for {len(misses)} of the {len(qs)} queries that Yuanxun answers (every query with a two-character word: {sorted(set(misses))[:6]} …)")
    exact = sum(1 for _, f, _, t in rows if f == t)
    print(f"Yuanxun's count of matching stories equals the count of stories holding every word (a full scan) for {exact} of {len(rows)} queries; queries with no result in Yuanxun: {sum(1 for _, f, _, _ in rows if not f)} (holding every word: {sum(1 for _, f, _, t in rows if not f and t)}); one-word queries: {len(one)}")
    for q, f, g, t in rows:
        if f != t:
            print(f"  {q}: Yuanxun {f}, FTS5 {g}, holding every word {t}")


def pages(base, hosts_arg):
    hosts = hosts_arg.split(",")
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    for label, paths in [("home", ["/"]), ("channel, first page", ["/channel/news"]), ("channel, page 50", ["/channel/news?page=50"]), ("channel, last pages", ["/channel/news?page=2000"])]:
        times = []
        for rep in range(3):
            for h in hosts:
                for p in paths:
                    ms, status, _ = get(conn, h, p)
                    assert status in (200, 404), (h, p, status)
                    if rep:
                        times.append(ms)
        print(f"{label:22} uncached: p50 {pct(times, .5):.1f} ms, p99 {pct(times, .99):.1f} ms over {len(times)} requests")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "generate":
        generate(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "queries":
        queries(sys.argv[2])
    elif cmd == "search":
        search(*sys.argv[2:7])
    elif cmd == "pages":
        pages(*sys.argv[2:4])
    else:
        sys.exit(__doc__)
