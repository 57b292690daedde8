"""The status page's stylesheet: GitHub-like colours, light and dark, one per state code.

State colours: `--c0`..`--c4` (text), `--b0`..`--b4` (backgrounds), `--k1`..`--k4`
(accents); `.s0`..`.s4` apply them to pills, rows and grid cells.
"""

from __future__ import annotations

STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;
--c0:#1a7f37;--b0:#dafbe1;--c1:#0969da;--b1:#ddf4ff;--c2:#7d4e00;--b2:#fff8c5;
--c3:#bc4c00;--b3:#ffe2cc;--c4:#cf222e;--b4:#ffd8d6;--cs:#59636e;--bs:#eff2f5;
--k1:#0969da;--k2:#d4a72c;--k3:#e16f24;--k4:#cf222e;--q0:#f0fbf2}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;
--card:#151b23;--line:#3d444d;--c0:#3fb950;--b0:#12331d;--c1:#4493f8;--b1:#0f2a4a;
--c2:#d29922;--b2:#3a2e08;--c3:#f0883e;--b3:#42230d;--c4:#f85149;--b4:#4a1515;
--cs:#9198a1;--bs:#212830;--k1:#4493f8;--k2:#d29922;--k3:#f0883e;--k4:#f85149;--q0:#0f2418}}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
color:var(--fg);background:var(--bg)}
main{max-width:1240px;margin:0 auto;padding:20px 24px 32px}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px}
h1{font-size:22px;margin:0} h2{font-size:16px;margin:28px 0 8px}
h2 small{font-weight:400;color:var(--muted);font-size:13px;margin-left:6px}
a{color:var(--c1)}
.meta{color:var(--muted);font-size:13px;display:flex;flex-wrap:wrap;gap:4px 18px;margin:6px 0 0}
.meta b{color:var(--fg);font-weight:600}
.banner{margin:16px 0 0;padding:14px 18px;border-radius:8px;border:1px solid var(--line);
border-left:6px solid var(--cs);background:var(--card);display:flex;flex-wrap:wrap;
align-items:center;gap:8px 24px}
.banner strong{font-size:18px}
.banner.s0{border-left-color:var(--c0)}.banner.s1{border-left-color:var(--k1)}
.banner.s2{border-left-color:var(--k2)}.banner.s3{border-left-color:var(--k3)}
.banner.s4{border-left-color:var(--k4)}.banner.stale{border-left-color:var(--cs)}
.counts{display:flex;flex-wrap:wrap;gap:6px}
.pill{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;
font-weight:600;white-space:nowrap;border:1px solid transparent}
.pill.s0{color:var(--c0);background:var(--b0)}.pill.s1{color:var(--c1);background:var(--b1)}
.pill.s2{color:var(--c2);background:var(--b2)}.pill.s3{color:var(--c3);background:var(--b3)}
.pill.s4{color:var(--c4);background:var(--b4)}.pill.sched{color:var(--cs);background:var(--bs)}
.pill.ok{color:var(--c0);background:var(--b0)}.pill.down{color:var(--c4);background:var(--b4)}
.alert{margin:12px 0 0;padding:10px 14px;border-radius:8px;color:var(--c4);
background:var(--b4);border:1px solid var(--c4)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:auto}
table{border-collapse:separate;border-spacing:0;width:100%;font-size:13px}
th,td{padding:5px 10px;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th,td.nw{white-space:nowrap}
tr:last-child td{border-bottom:0}
th{position:sticky;top:0;z-index:1;background:var(--bs);font-weight:600;color:var(--muted)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.id{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:var(--muted)}
.when{white-space:nowrap}.when small{display:block;color:var(--muted)}
tr.s1 td:first-child{box-shadow:inset 4px 0 var(--k1)}
tr.s2 td:first-child{box-shadow:inset 4px 0 var(--k2)}
tr.s3 td:first-child{box-shadow:inset 4px 0 var(--k3)}
tr.s4 td:first-child{box-shadow:inset 4px 0 var(--k4)}
tr.s4 td.name{font-weight:600}
.zero{color:var(--muted)}
#products .pill.s0{background:transparent;padding-left:0}
.grid th:not(:first-child){text-align:center;white-space:normal;min-width:112px;vertical-align:bottom}
.grid td{text-align:center;white-space:nowrap;font-variant-numeric:tabular-nums;padding:4px 6px;
border-left:1px solid var(--bg)}
.grid td:first-child,.grid th:first-child{text-align:left;position:sticky;left:0;
background:var(--card);z-index:1}
.grid th:first-child{z-index:2;background:var(--bs);vertical-align:bottom}
.grid td.s0{color:var(--c0);background:var(--q0)}.grid td.s1{color:var(--c1);background:var(--b1)}
.grid td.s2{color:var(--c2);background:var(--b2)}.grid td.s3{color:var(--c3);background:var(--b3)}
.grid td.s4{color:#fff;background:var(--c4);font-weight:700}
.grid td.none{color:var(--line)}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;color:var(--muted);
font-size:12px;margin:0;padding:8px 10px;border-bottom:1px solid var(--line)}
td.says{min-width:240px;max-width:440px}
.says .title{display:block;font-weight:600}
.says .message{display:block;white-space:pre-line;overflow-wrap:anywhere;color:var(--muted)}
.says.tokens span{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
footer{margin-top:20px;color:var(--muted);font-size:12px}
"""
