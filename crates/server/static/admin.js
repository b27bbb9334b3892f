// The newsroom's one script (served under a hashed name: no inline script, so the
// Content-Security-Policy allows scripts from this site only). Each part enhances a page
// that works without it, and starts only where its elements are.
'use strict';

// 写稿 / 修改: the rich-text editor over the plain body field.
if (document.getElementById('editor-form')) (function () {
  var ta=document.getElementById('body'), rich=document.querySelector('.rich'), bar=document.querySelector('.toolbar');
  rich.innerHTML=ta.value; rich.hidden=false; bar.hidden=false; ta.hidden=true;
  var saved=null;
  function keep(){var s=window.getSelection(); if(s.rangeCount&&rich.contains(s.anchorNode))saved=s.getRangeAt(0).cloneRange();}
  rich.addEventListener('keyup',keep); rich.addEventListener('mouseup',keep); rich.addEventListener('input',keep);
  function insertImage(src,alt){
    rich.focus(); var s=window.getSelection();
    if(saved){s.removeAllRanges(); s.addRange(saved);}
    var img=document.createElement('img'); img.src=src; img.alt=alt||'';
    if(s.rangeCount&&rich.contains(s.anchorNode)){var r=s.getRangeAt(0); r.deleteContents(); r.insertNode(img); r.setStartAfter(img); r.collapse(true); s.removeAllRanges(); s.addRange(r); saved=r.cloneRange();}
    else{var p=document.createElement('p'); p.appendChild(img); rich.appendChild(p);}
  }
  bar.addEventListener('click',function(e){var b=e.target.closest('button'); if(!b)return; document.execCommand(b.dataset.cmd,false,b.dataset.arg||null); rich.focus();});
  bar.querySelector('.insert-image').addEventListener('change',function(e){
    Array.prototype.forEach.call(e.target.files,function(f){var rd=new FileReader(); rd.onload=function(){insertImage(rd.result,'');}; rd.readAsDataURL(f);});
    e.target.value='';
  });
  var lib=document.querySelector('.library');
  if(lib){lib.hidden=false; lib.addEventListener('click',function(e){var b=e.target.closest('.insert-existing'); if(b)insertImage(b.dataset.src,b.dataset.alt);});}
  document.getElementById('editor-form').addEventListener('submit',function(){ta.value=rich.innerHTML;});
})();

// The manuscript page: a mark in the text and its entry in the list find each other.
if (document.getElementById('check')) (function () {
document.addEventListener('click', function (e) {
  var mark = e.target.closest('mark.ck');
  if (mark) {
    var item = document.getElementById('f' + mark.dataset.f.split(' ')[0]);
    if (item) { item.scrollIntoView({block: 'center'}); flash(item); }
    return;
  }
  var go = e.target.closest('[data-goto]');
  if (go) {
    var id = go.dataset.goto;
    var marks = Array.prototype.filter.call(document.querySelectorAll('mark.ck'), function (m) { return m.dataset.f.split(' ').indexOf(id) >= 0; });
    if (marks.length) { marks[0].scrollIntoView({block: 'center'}); marks.forEach(flash); }
  }
});
function flash(el) { el.classList.add('ck-focus'); setTimeout(function () { el.classList.remove('ck-focus'); }, 1600); }
})();

// 监测规则: the rule tried live as it is typed.
if (document.getElementById('rule-expr')) (function () {
  var box = document.getElementById('rule-expr'), out = document.getElementById('rule-test'), timer = null, last = '';
  box.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var expr = box.value.trim();
      if (expr === last) return;
      last = expr;
      fetch('/admin/monitor/rules/test?expr=' + encodeURIComponent(expr), {credentials: 'same-origin'})
        .then(function (r) { return r.text(); }).then(function (html) { out.innerHTML = html; });
    }, 400);
  });
})();

// 监测来源: the fields of the chosen kind of source.
if (document.getElementById('source-kind')) (function () {
  var kind = document.getElementById('source-kind');
  function show() {
    document.querySelectorAll('fieldset.kind-json').forEach(function (f) { f.hidden = kind.value !== 'json'; });
    document.querySelectorAll('fieldset.kind-html').forEach(function (f) { f.hidden = kind.value !== 'html'; });
  }
  kind.addEventListener('change', show);
  show();
})();

// 复制为公众号格式.
if (document.getElementById('copy')) (function () {
document.getElementById('copy').addEventListener('click', async () => {
  const box = document.getElementById('wechat');
  const status = document.getElementById('copy-status');
  const done = '已复制。请到公众号后台的正文编辑器中粘贴。';
  try {
    await navigator.clipboard.write([new ClipboardItem({
      'text/html': new Blob([box.innerHTML], { type: 'text/html' }),
      'text/plain': new Blob([box.innerText], { type: 'text/plain' }),
    })]);
    status.textContent = done;
  } catch (e) {
    // Older browsers: select the preview and copy it the old way.
    const range = document.createRange();
    range.selectNodeContents(box);
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    status.textContent = document.execCommand('copy') ? done : '浏览器不允许自动复制：预览已选中，请按 Ctrl+C 复制。';
  }
});
})();
