#!/usr/bin/env python3
"""Writes the fuzz targets' starting inputs (our own, small) into corpus/<target>/.

The fuzzer grows each corpus from these; only this script is kept in the repository.
"""
import io, os, struct, sys, zipfile, zlib

out = sys.argv[1] if len(sys.argv) > 1 else "corpus"


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def png(w, h):
    raw = b"".join(b"\0" + bytes((x * 7 + y) % 256 for x in range(w * 3)) for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def zipped(parts):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)
    return b.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
content_types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>'
doc = f'''<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>心内科开展义诊活动</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>本报讯</w:t></w:r><w:r><w:t xml:space="preserve">（通讯员 陈某）3月5日，心内科在门诊大厅开展义诊。</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>测血压</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>人次</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="图片 1" descr="义诊现场"/><a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed="rId9"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="Caption"/></w:pPr><w:r><w:t>义诊现场（摄影 王某）</w:t></w:r></w:p>
</w:body></w:document>'''
put("docx", "story.docx", zipped([("[Content_Types].xml", content_types), ("word/_rels/document.xml.rels", rels), ("word/document.xml", doc), ("word/media/image1.png", png(24, 16))]))
put("docx", "text-only.docx", zipped([("[Content_Types].xml", content_types), ("word/document.xml", doc.split("<w:p><w:r><w:drawing>")[0] + "</w:body></w:document>")]))

put("check", "story.txt", "本报讯（通讯员 陈某）2026年3月5日，心内科专家在门诊大厅开展义诊，患者张某某（身份证号110101199003071234）说，这是全省最好的医院，包治百病。")
put("check", "story.html", "<p>习近平总书记强调……</p><p>我院<b>国家级</b>重点专科，治愈率100%。联系电话：13800138000</p>")
put("sanitize", "word.html", '<p class="MsoNormal" style="margin:0"><b>本报讯</b> 3月5日<span lang="EN-US">，</span>心内科开展<a href="https://example.org/a" onclick="x()">义诊</a>。</p><p></p><script>alert(1)</script>')
put("sanitize", "pasted.html", '<figure><img src="data:image/png;base64,iVBORw0KGgo=" alt="现场"><figcaption>义诊现场</figcaption></figure><table><tr><td>项目</td></tr></table><ul><li>一</li></ul><h2>小标题</h2><iframe src="https://x"></iframe>')

put("feed", "rss.xml", '<?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel><title>网</title><item><title>示范医院急诊科</title><link>https://news.example/1</link><guid>1</guid><description><![CDATA[<p>患者家属投诉</p>]]></description><pubDate>Mon, 30 Nov 2026 08:00:00 +0800</pubDate><author>记者</author></item></channel></rss>')
put("feed", "atom.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>示范医院</title><link href="https://a.example/2"/><updated>2026-11-30T08:00:00Z</updated><content type="html">&lt;p&gt;好评&lt;/p&gt;</content><author><name>网友</name></author></entry></feed>')

put("json_mapping", "list.txt", '{"items":"data.list","title":"t","url":"u","text":"c","guid":"id","published":"time"}\n{"data":{"list":[{"t":"示范医院","u":"https://x.example/1","c":"投诉","id":7,"time":"2026-11-30 08:00:00"},{"t":"二","u":"/2","c":"","id":"8"}]}}')
put("json_mapping", "root.txt", '{"items":"","title":"0","url":"1"}\n[["示范医院急诊","https://x.example/3"]]')

put("html_recipe", "list.txt", '{"item":"ul.news li","title":"a","link":"","text":"span.sum"}\n<html><body><ul class="news"><li><a href="/n/1.html">示范医院开展义诊</a><span class="sum">摘要</span></li><li><a href="https://o.example/2">二</a></li></ul></body></html>')
put("html_recipe", "table.txt", '{"item":"table tr:nth-child(n+2)","title":"td:first-child","link":"a[href]","text":""}\n<table><tr><th>题</th></tr><tr><td>示范医院</td><td><a href="x">链接</a></td></tr></table>')

put("rule_expr", "dispute.txt", '(@院名 | 人民医院) & (纠纷 | 投诉 | 死亡) & !招聘\n示范医院急诊科发生纠纷')
put("rule_expr", "near.txt", '"急诊科 医生" | NEAR(院名简称, 打人, 10) 或 (非 招聘 且 医闹)\n医闹')
put("rule_expr", "words.txt", 'AND OR NOT ( ) " NEAR(a,b,200) @空 ＡＢＣ１２３')

put("people_table", "utf8.csv", b"\x00" + "姓名,登录名,科室,角色,初始密码\n张三,zhangsan,心内科,通讯员,\n李四,lisi,\"骨科,二病区\",编辑,Abcdef2026xx\n".encode("utf-8-sig"))
put("people_table", "gbk.csv", b"\x00" + "姓名,登录名,科室\n王五,wangwu,儿科\n".encode("gbk"))
sheet = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>42</v></c></row></sheetData></worksheet>'
shared = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si><si><t>登录名</t></si></sst>'
workbook = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
wb_rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
root_rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
xl_types = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
put("people_table", "list.xlsx", b"\x01" + zipped([("[Content_Types].xml", xl_types), ("_rels/.rels", root_rels), ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", wb_rels), ("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)]))

# Theme files: the first byte picks the file (0 base.html … 7 site.js), NUL separates files.
put("theme", "notice.txt", b"\x04" + '{% extends "base.html" %}{% block main %}<h1>{{ heading }}</h1><p>{{ message|upper }}</p>{% for c in channels %}{{ loop.index }}{{ c.name }}{% endfor %}{% endblock %}'.encode())
put("theme", "css-js.txt", b"\x06body{color:teal}\x00\x07console.log(1)")
put("theme", "home.txt", b"\x01" + '{% extends "base.html" %}{% block main %}{% for a in latest %}{{ a.title }} {{ a.published_at|date }}{% else %}无{% endfor %}{% set x = range(3)|list %}{{ x|length }}{% endblock %}'.encode())
print(f"seeds written under {out}/")
