#!/usr/bin/env bash
# Renders a self-contained HTML report the way a reader sees it, so that its layout can be
# checked by eye (or by an image viewer) without opening a browser:
#
#   OUT_DIR/STEM-screen.png    the whole page on screen at a laptop width (1280 CSS px),
#                              full height (not just the first window)
#   OUT_DIR/STEM.pdf           the page printed by the browser (the report's own print
#                              stylesheet and @page size, no browser headers or footers)
#   OUT_DIR/STEM-page-N.png    each page of that PDF at 80 dpi
#
# where STEM is the report's file name without .html and OUT_DIR defaults to the report's
# folder. Prints the paths written and the page count.
#
# Usage: scripts/screenshot-report.sh REPORT.html [OUT_DIR]
#
# Needs chromium and pdftoppm (Debian packages chromium and poppler-utils) and python3; it
# installs what is missing with apt-get (as root), so it runs on a fresh Debian bookworm.
# No network: the report is opened as a file:// URL in a throw-away browser profile.
#
# Headless chromium's --screenshot only captures the window, so the screen capture talks
# the DevTools protocol over --remote-debugging-pipe (fds 3 and 4, NUL-delimited JSON)
# from a small python3 script: load the page at 1280 px wide, wait for its load event and
# fonts, measure the content height (Page.getLayoutMetrics), then capture that whole area
# (Page.captureScreenshot with captureBeyondViewport). Each browser run times out after
# SCREENSHOT_TIMEOUT seconds (default 60) rather than hang.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 REPORT.html [OUT_DIR]" >&2
  exit 2
fi
if [[ ! -f $1 ]]; then
  echo "$0: no such file: $1" >&2
  exit 2
fi
report=$(realpath "$1")
stem=$(basename "$report")
stem=${stem%.*}
out=${2:-$(dirname "$report")}
mkdir -p "$out"
out=$(realpath "$out")
width=1280
limit=${SCREENSHOT_TIMEOUT:-60}

# Installs the Debian packages whose commands are missing; `apt-get update` only if the
# install fails without it (a fresh image has no package lists).
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v python3 >/dev/null || need+=(python3)
if ((${#need[@]})); then
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  install=(apt-get install -y --no-install-recommends "${need[@]}")
  "${install[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Chromium logs harmless complaints (no D-Bus, the launcher's /dev/shm test) on stderr;
# they go to a log shown only when a run fails.
log=$tmp/chromium.log
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --disable-dev-shm-usage
  --no-first-run --no-default-browser-check --user-data-dir="$tmp/profile")
url=$(python3 -c 'import pathlib, sys; print(pathlib.Path(sys.argv[1]).as_uri())' "$report")

fail() {
  echo "$0: $1; chromium said:" >&2
  grep -v -e dbus/ -e 'unexpected operator' "$log" | tail -n 20 >&2
  exit 1
}

# Screen: the full page at WIDTH CSS px, through the DevTools protocol.
screen=$out/$stem-screen.png
python3 - "$url" "$screen" "$width" "$limit" "${flags[@]}" 2>>"$log" <<'PY' ||
import base64, json, math, os, select, subprocess, sys, time

url, png, width, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
deadline = time.monotonic() + limit
to_browser, from_browser = os.pipe(), os.pipe()


def child_fds():
    # The browser reads commands on fd 3 and writes answers on fd 4. The pipes' fds are
    # both above 2 and in creation order, so the first dup2 cannot clobber the second.
    os.dup2(to_browser[0], 3)
    os.dup2(from_browser[1], 4)


browser = subprocess.Popen(
    ["chromium", *sys.argv[5:], "--remote-debugging-pipe", "about:blank"],
    stdin=subprocess.DEVNULL, stdout=sys.stderr, preexec_fn=child_fds, pass_fds=(3, 4))
os.close(to_browser[0])
os.close(from_browser[1])
out, inp = to_browser[1], from_browser[0]
buf, next_id, events = b"", 0, []


def read_message():
    global buf
    while b"\0" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([inp], [], [], left)[0]:
            sys.exit(f"timed out after {limit:g} s")
        chunk = os.read(inp, 1 << 20)
        if not chunk:
            sys.exit("browser closed the DevTools pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def send(method, session=None, **params):
    """Sends a command and returns its result, keeping the events received meanwhile."""
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params}
    if session:
        msg["sessionId"] = session
    os.write(out, json.dumps(msg).encode() + b"\0")
    while True:
        reply = read_message()
        if "method" in reply:
            events.append(reply["method"])
        elif reply.get("id") == next_id:
            if "error" in reply:
                sys.exit(f"{method}: {reply['error']}")
            return reply["result"]


def wait_for(event):
    while event not in events:
        msg = read_message()
        if "method" in msg:
            events.append(msg["method"])


try:
    target = send("Target.createTarget", url="about:blank")["targetId"]
    s = send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    send("Emulation.setDeviceMetricsOverride", s, width=width, height=800,
         deviceScaleFactor=1, mobile=False)
    send("Page.enable", s)
    events.clear()  # about:blank's own load event is not the report's
    nav = send("Page.navigate", s, url=url)
    if "errorText" in nav:
        sys.exit(f"cannot open {url}: {nav['errorText']}")
    wait_for("Page.loadEventFired")
    # Web fonts, then two frames so that the layout measured is the one painted.
    send("Runtime.evaluate", s, awaitPromise=True, expression="""
        document.fonts.ready.then(() => new Promise(done =>
          requestAnimationFrame(() => requestAnimationFrame(done))))""")
    size = send("Page.getLayoutMetrics", s)["cssContentSize"]
    height = math.ceil(size["height"])
    shot = send("Page.captureScreenshot", s, format="png", captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print(f"screen: {width} x {height} CSS px")
    try:
        send("Browser.close")
    except SystemExit:
        pass  # the pipe closing as the browser quits is the expected end
finally:
    os.close(out)  # the browser quits when its end of the pipe closes
    try:
        browser.wait(5)
    except subprocess.TimeoutExpired:
        browser.kill()
        browser.wait()
PY
  fail "screen capture failed"

# Print: chromium's own PDF output (honours @page size and @media print).
pdf=$out/$stem.pdf
timeout -k 5 "$limit" chromium "${flags[@]}" --no-pdf-header-footer \
  --print-to-pdf="$pdf" "$url" >>"$log" 2>&1 || fail "printing to PDF failed"
[[ -s $pdf ]] || fail "no PDF written"

rm -f "$out/$stem"-page-*.png
pdftoppm -png -r 80 "$pdf" "$out/$stem-page"
# pdftoppm pads page numbers to the width of the page count (page-01 when 10 or more);
# rename to the unpadded STEM-page-N.png.
pages=0
for f in "$out/$stem"-page-*.png; do
  n=${f##*-page-}
  n=${n%.png}
  n=$((10#$n))
  [[ $f == "$out/$stem-page-$n.png" ]] || mv "$f" "$out/$stem-page-$n.png"
  pages=$((pages + 1))
done

echo "$screen"
echo "$pdf"
for ((n = 1; n <= pages; n++)); do
  echo "$out/$stem-page-$n.png"
done
echo "pages: $pages"
