#include "server/ui_page.h"

namespace periscope {

namespace {

constexpr const char* kPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Periscope</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#0f1117;color:#e6e6e6}
header{padding:10px 16px;background:#171a23;display:flex;gap:12px;align-items:center}
header b{font-size:16px} select,input,button{background:#232734;color:#e6e6e6;border:1px solid #363b4a;padding:5px;border-radius:4px}
main{display:grid;grid-template-columns:420px 1fr;height:calc(100vh - 48px)}
#list{overflow:auto;border-right:1px solid #262a36} .t{padding:8px 12px;border-bottom:1px solid #222633;cursor:pointer}
.t:hover{background:#1b1f2a} .err{color:#ff6b6b} .muted{color:#8b90a0;font-size:12px}
#trace{overflow:auto;padding:12px} .row{display:grid;grid-template-columns:320px 1fr;align-items:center;height:22px;cursor:pointer}
.bar{height:12px;background:#4c8dff;border-radius:2px;position:relative} .bar.e{background:#ff6b6b}
.lbl{white-space:nowrap;overflow:hidden;text-overflow:ellipsis} pre{background:#171a23;padding:8px;white-space:pre-wrap}
</style></head><body>
<header><b>Periscope</b>
<select id="svc"><option value="">all services</option></select>
<input id="attr" placeholder="attr key=value" size="24">
<select id="status"><option value="">any status</option><option>error</option><option>ok</option><option>unset</option></select>
<input id="mind" placeholder="min duration (e.g. 100ms)" size="18">
<select id="range"><option value="900">last 15 min</option><option value="3600" selected>last hour</option><option value="86400">last day</option><option value="604800">last 7 days</option></select>
<button id="go">Search</button><span class="muted" id="info"></span></header>
<main><div id="list"></div><div id="trace"><p class="muted">Select a trace.</p></div></main>
<script>
const $=id=>document.getElementById(id);
const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const ms=ns=>(ns/1e6).toFixed(ns<1e7?2:1)+' ms';
async function j(u){const r=await fetch(u);if(!r.ok)throw new Error((await r.json()).error||r.status);return r.json();}
async function services(){const d=await j('/api/services');for(const s of d.services){const o=document.createElement('option');o.textContent=s;$('svc').appendChild(o);}}
async function search(){
  const p=new URLSearchParams();const now=Date.now()*1e6;
  if($('svc').value)p.set('service',$('svc').value);
  if($('attr').value)p.append('attr',$('attr').value);
  if($('status').value)p.set('status',$('status').value);
  if($('mind').value)p.set('min_duration',$('mind').value);
  p.set('start',String(BigInt(Date.now()-$('range').value*1000)*1000000n));p.set('limit','50');
  const h=location.hash.slice(1);
  try{const d=await j('/api/traces?'+p);$('info').textContent=d.traces.length+' traces';
    $('list').innerHTML=d.traces.map(t=>`<div class="t" data-id="${t.trace_id}"><div>${esc(t.root_service)}: ${esc(t.root_name)}</div>
    <div class="muted">${new Date(Number(BigInt(t.start_time_unix_nano)/1000000n)).toLocaleTimeString()} · ${ms(t.duration_ns)} · ${t.span_count} spans ${t.error_count?`<span class="err">· ${t.error_count} errors</span>`:''}</div></div>`).join('');
    for(const el of document.querySelectorAll('.t'))el.onclick=()=>{location.hash=el.dataset.id;};
    if(h)show(h);}catch(e){$('info').textContent=e.message;}
}
async function show(id){
  const d=await j('/api/traces/'+id);const spans=d.spans;const byId={},kids={};
  for(const s of spans){byId[s.span_id]=s;(kids[s.parent_span_id]=kids[s.parent_span_id]||[]).push(s);}
  const roots=spans.filter(s=>!s.parent_span_id||!byId[s.parent_span_id]);
  const t0=Math.min(...spans.map(s=>Number(BigInt(s.start_time_unix_nano)/1000n)));
  const t1=Math.max(...spans.map(s=>Number(BigInt(s.end_time_unix_nano)/1000n)));const w=Math.max(1,t1-t0);
  let html=`<h3>${esc(id)}</h3>`;const walk=(s,depth)=>{const st=Number(BigInt(s.start_time_unix_nano)/1000n)-t0;
    html+=`<div class="row" data-s="${s.span_id}"><div class="lbl" style="padding-left:${depth*12}px">${esc(s.service)} <span class="muted">${esc(s.name)}</span></div>
    <div><div class="bar ${s.status.code==='error'?'e':''}" style="margin-left:${st/w*100}%;width:${Math.max(0.3,s.duration_ns/1000/w*100)}%" title="${ms(s.duration_ns)}"></div></div></div>`;
    for(const c of (kids[s.span_id]||[]))walk(c,depth+1);};
  for(const r of roots)walk(r,0);html+='<pre id="detail"></pre>';$('trace').innerHTML=html;
  for(const el of document.querySelectorAll('.row'))el.onclick=()=>{$('detail').textContent=JSON.stringify(byId[el.dataset.s],null,2);};
}
window.onhashchange=()=>{const h=location.hash.slice(1);if(h)show(h);};
$('go').onclick=search;services();search();
</script></body></html>
)HTML";

}  // namespace

void RegisterUiPage(Router& router) {
  router.Add("GET", "/", [](HttpRequest&) {
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = kPage;
    return r;
  });
}

}  // namespace periscope
