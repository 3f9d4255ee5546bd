#!/usr/bin/env python3
# Start-to-first-poll of a generated handler: time from spawning the binary to its first
# GET /2018-06-01/runtime/invocation/next against a stand-in Runtime API. Usage:
#   cargo build -q --release -p lambda-task && python3 scripts/first-poll.py target/release/lambda-task
import http.server, socketserver, subprocess, threading, time, os, statistics, sys
binary = sys.argv[1]
results = []
for run in range(10):
    got = threading.Event()
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            got.set(); time.sleep(0.2)
            self.send_response(500); self.end_headers()
        def log_message(self, *a): pass
    srv = socketserver.TCPServer(("127.0.0.1", 0), H); port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    env = {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}", "AWS_LAMBDA_FUNCTION_NAME": "task", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
           "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "BUCKET_NAME": "b", "DISCOUNT_TABLE": '{"currency":"USD","promo_codes":{},"bulk_tiers":[]}', "PATH": os.environ["PATH"]}
    t0 = time.perf_counter(); p = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    got.wait(10); results.append((time.perf_counter() - t0) * 1000); p.kill(); srv.shutdown()
print(f"start-to-first-poll over {len(results)} runs: median {statistics.median(results):.1f} ms, max {max(results):.1f} ms")
