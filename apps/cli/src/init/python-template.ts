// `mp init <dir> --python`: one file, standard library only (urllib), so it runs on any Python 3.

export const pythonStarter = (o: { modelId: string; symbol: string; timeframe: string }): Record<string, string> => ({
  'model.py': `#!/usr/bin/env python3
"""Starter signal model for NeuronetIQ Trader (scaffolded by mp init --python).

At every bar close: read the latest bars, compute RSI(14), push a BUY/SELL/NEUTRAL signal for the bar now open.
Uses the login of \`mp login\` (~/.config/mp/config.json) or MP_API_URL and MP_API_KEY. Standard library only.
Run: python3 model.py --once   (one cycle)   or   python3 model.py   (every bar close, Ctrl-C stops)
"""
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

MODEL_ID = ${JSON.stringify(o.modelId)}
SYMBOL = ${JSON.stringify(o.symbol)}
TIMEFRAME = ${JSON.stringify(o.timeframe)}
RSI_PERIOD = 14
CONTRACTS_VERSION = "0.16.4"
TIMEFRAME_SECONDS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400}


def credentials():
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    stored = {}
    try:
        with open(os.path.join(config_home, "mp", "config.json")) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        pass
    api_url = (os.environ.get("MP_API_URL") or stored.get("default_api_url") or "http://127.0.0.1:8787").rstrip("/")
    api_key = os.environ.get("MP_API_KEY") or stored.get("hosts", {}).get(api_url, {}).get("api_key")
    if not api_key:
        sys.exit(f"not logged in to {api_url}: run \`mp login\` or set MP_API_KEY")
    return api_url, api_key


API_URL, API_KEY = credentials()


def api(path, body=None, headers=None):
    request = urllib.request.Request(
        API_URL + path,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={
            "Authorization": "Bearer " + API_KEY,
            "X-Contracts-Version": CONTRACTS_VERSION,
            "Content-Type": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{request.get_method()} {path} answered {e.code}: {e.read().decode()[:300]}")


def rsi(closes, period):
    """Wilder's RSI of the last close (TA-Lib's definition); None until period + 1 closes."""
    if len(closes) <= period:
        return None
    gains = losses = 0.0
    for a, b in zip(closes[:period], closes[1 : period + 1]):
        gains += max(b - a, 0.0)
        losses += max(a - b, 0.0)
    avg_gain, avg_loss = gains / period, losses / period
    for a, b in zip(closes[period:], closes[period + 1 :]):
        avg_gain = (avg_gain * (period - 1) + max(b - a, 0.0)) / period
        avg_loss = (avg_loss * (period - 1) + max(a - b, 0.0)) / period
    if avg_loss == 0:
        return 100.0 if avg_gain > 0 else 50.0
    return 100.0 - 100.0 / (1.0 + avg_gain / avg_loss)


def cycle(owner):
    query = urllib.parse.urlencode({"symbol": SYMBOL, "tf": TIMEFRAME, "limit": 200})
    bars = list(reversed(api("/api/marketdata/ohlcv?" + query)["data"]))
    value = rsi([b["close"] for b in bars], RSI_PERIOD)
    if value is None:
        print(f"{len(bars)} {SYMBOL} {TIMEFRAME} bars: not enough for RSI({RSI_PERIOD}) yet")
        return
    decision = "BUY" if value < 30 else "SELL" if value > 70 else "NEUTRAL"
    step = TIMEFRAME_SECONDS[TIMEFRAME]
    bar_seconds = int(time.time()) // step * step  # the bar in progress
    bar_ts = datetime.fromtimestamp(bar_seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    signal = {
        "owner": owner,
        "model_id": MODEL_ID,
        "symbol": SYMBOL,
        "timeframe": TIMEFRAME,
        "bar_ts": bar_ts,
        "decision": decision,
        "confidence": round(min(1.0, abs(value - 50) / 50), 3),
        "meta": {"rsi": round(value, 2), "period": RSI_PERIOD},
    }
    # The platform's key of this signal (owner:model:symbol:timeframe:bar in 5 s steps) plus a digest of what it says:
    # a retry replays, a changed call for the bar still open is a new request (one key with two bodies is refused).
    said = json.dumps([signal["decision"], signal["confidence"], signal["meta"]], separators=(",", ":"))
    key = f"{owner}:{MODEL_ID}:{SYMBOL}:{TIMEFRAME}:{bar_seconds // 5}:{hashlib.sha256(said.encode()).hexdigest()[:16]}"
    api("/api/signals/store", signal, {"Idempotency-Key": key})
    print(f"{bar_ts} {SYMBOL} {TIMEFRAME} {decision} {signal['confidence']} (RSI {value:.1f})")


def main():
    owner = api("/api/me")["data"].get("owner")
    if not owner:
        sys.exit("these credentials have no owner: use a vendor API key from \`mp login\`")
    print(f"{owner}/{MODEL_ID} on {SYMBOL} {TIMEFRAME} against {API_URL}")
    step = TIMEFRAME_SECONDS[TIMEFRAME]
    while True:
        cycle(owner)
        if "--once" in sys.argv:
            return
        time.sleep(step - time.time() % step + 2)


if __name__ == "__main__":
    main()
`,
  'README.md': `# ${o.modelId}

A signal model for NeuronetIQ Trader in one Python file (standard library only), scaffolded by \`mp init --python\`.

\`\`\`sh
python3 model.py --once   # one cycle, then exit
python3 model.py          # a cycle at every ${o.timeframe} bar close, until Ctrl-C
\`\`\`
`,
});
