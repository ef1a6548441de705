-- replay.lua: wrk script that POSTs each line of a JSONL file exactly once (SNS benchmark replay).
--
-- Usage: wrk -t T -c C -d MAX_SECONDS --latency -s Benchmarks/wrk/replay.lua URL \
--          -- BODIES.jsonl STATE_DIR T [park|stop]
--   T must repeat wrk's -t (wrk runs each thread's init() before the next thread exists, so the
--   script cannot count them itself). Line i goes to thread (i-1) % T; each request takes the
--   thread's next body, with x-amz-sns-message-type: Notification, x-amz-sns-message-id,
--   x-amz-sns-topic-arn, the SNS User-Agent and Content-Type: text/plain; charset=UTF-8 (as SNS does).
--   Tail: "park" (default) parks a thread's idle connections once its bodies are all sent; "stop"
--   ends the thread right after its last body is sent (for servers that block a worker per idle
--   connection, e.g. gunicorn sync). When every body of a thread got an answer (or its connection
--   died), the thread stops and writes STATE_DIR/done-<id>, so the caller can SIGINT wrk early
--   (wrk's main thread otherwise sleeps the whole -d). Its first request writes STATE_DIR/started-<id>,
--   so the caller can tell the replay from wrk's start-up. done() prints one machine-readable line:
--   REPLAY sent=N ok2xx=N non2xx=N lost=N dups=N unanswered=N seconds=S rate2xx=R p50_ms=X p99_ms=Y
--   sent = distinct bodies sent; rate2xx = 2xx answers / wall time from the first request to the
--   last answer; lost = requests whose connection died before an answer (wrk reconnects and moves
--   on); dups = last body re-sent after such a loss when nothing else was left; unanswered = still
--   in flight when a "stop" thread ended. p50/p99 are wrk's latency percentiles over all requests.
--   Several instances: with REPLAY_PORTS=p1,p2,... in the environment, thread i connects to
--   URL's host on port p[(i % n) + 1] (T should be a multiple of n so each gets the same share).

local ffi = require("ffi")
ffi.cdef [[
  typedef long time_t;
  typedef struct { time_t tv_sec; long tv_nsec; } sluice_timespec;
  int clock_gettime(int clk_id, sluice_timespec *tp);
]]
local ts = ffi.new("sluice_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC, same clock in every thread
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  local ports = {}
  for port in (os.getenv("REPLAY_PORTS") or ""):gmatch("%d+") do table.insert(ports, port) end
  if #ports > 0 then
    thread.addr = wrk.lookup(wrk.host, ports[(thread_count % #ports) + 1])[1]
  end
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

-- thread-local state
reqs, total, reserved, issued, answered, ok2xx, non2xx = {}, 0, 0, 0, 0, 0, 0
lost, dups, pending = 0, 0, 0 -- pending: delay() reservations not yet taken by request()
first_us, last_us, finished = 0, 0, false

function init(args)
  local path, state, n_threads = args[1], args[2], tonumber(args[3] or "")
  -- "stop": end the thread as soon as its last body is sent instead of parking idle connections
  -- (for servers that block a worker per open connection, e.g. gunicorn sync workers).
  tail_stop = args[4] == "stop"
  if not (path and state and n_threads) then
    error("replay.lua needs arguments: wrk ... -- BODIES.jsonl STATE_DIR THREADS")
  end
  state_dir = state
  nthreads = n_threads
  local f = assert(io.open(path, "r"))
  local n = 0
  for line in f:lines() do
    if #line > 0 then
      if n % nthreads == id then
        local mid = line:match('"MessageId":"([^"]+)"') or ""
        local topic = line:match('"TopicArn":"([^"]+)"') or ""
        total = total + 1
        reqs[total] = wrk.format("POST", nil, {
          ["Content-Type"] = "text/plain; charset=UTF-8",
          ["x-amz-sns-message-type"] = "Notification",
          ["x-amz-sns-message-id"] = mid,
          ["x-amz-sns-topic-arn"] = topic,
          ["User-Agent"] = "Amazon Simple Notification Service Agent",
        }, line)
      end
      n = n + 1
    end
  end
  f:close()
end

local function finish()
  if finished then return end
  finished = true
  local f = io.open(state_dir .. "/done-" .. id, "w")
  if f then f:write(tostring(answered) .. "\n"); f:close() end
  wrk.thread:stop()
end

-- All bodies issued and each request sent so far answered or known lost: this thread is done. A body
-- reserved by delay() but not yet handed out by request() (pending) still has to go: stopping then
-- lost it (a run sent 19,996 of 20,000 bodies).
local function check_done()
  if reserved >= total and pending == 0 and answered + lost >= issued + dups then finish() end
end

function delay()
  -- Reserve the next body for this connection, or park the connection for good.
  if total == 0 then finish() end
  if tail_stop and issued >= total then finish() end
  if reserved < total then
    reserved = reserved + 1
    pending = pending + 1
    return 0
  end
  return 3600000
end

function request()
  if reserved == 0 then
    -- wrk calls request() once on thread 0 before the run to count pipelined requests: not sent.
    return reqs[1]
  end
  if first_us == 0 then
    first_us = now_us()
    -- Tells the caller this thread is past init() (reading and formatting its bodies) and sending now.
    local f = io.open(state_dir .. "/started-" .. id, "w")
    if f then f:close() end
  end
  if pending > 0 then
    pending = pending - 1
  else
    -- wrk asks for a request without delay() only when it reconnects after the connection died with
    -- a request in flight: that request is lost (no answer will come).
    lost = lost + 1
    if reserved < total then reserved = reserved + 1 end
  end
  if issued >= total then
    -- Nothing left to send (only possible after a lost request): repeat the last body, which the
    -- server must treat as a duplicate.
    dups = dups + 1
    check_done()
    return reqs[total]
  end
  issued = issued + 1
  return reqs[issued]
end

function response(status, headers, body)
  answered = answered + 1
  last_us = now_us()
  if status >= 200 and status < 300 then ok2xx = ok2xx + 1 else non2xx = non2xx + 1 end
  check_done()
end

function done(summary, latency, requests)
  local sent, ok, bad, lost_n, dup_n, first, last = 0, 0, 0, 0, 0, nil, 0
  for _, t in ipairs(threads) do
    sent = sent + (t:get("issued") or 0)
    lost_n = lost_n + (t:get("lost") or 0)
    dup_n = dup_n + (t:get("dups") or 0)
    ok = ok + (t:get("ok2xx") or 0)
    bad = bad + (t:get("non2xx") or 0)
    local f, l = t:get("first_us") or 0, t:get("last_us") or 0
    if f > 0 and (first == nil or f < first) then first = f end
    if l > last then last = l end
  end
  local secs = (first and last > first) and (last - first) / 1e6 or 0
  local rate = secs > 0 and ok / secs or 0
  io.write(string.format("REPLAY sent=%d ok2xx=%d non2xx=%d lost=%d dups=%d unanswered=%d seconds=%.3f rate2xx=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    sent, ok, bad, lost_n, dup_n, math.max(0, sent + dup_n - ok - bad - lost_n), secs, rate, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
