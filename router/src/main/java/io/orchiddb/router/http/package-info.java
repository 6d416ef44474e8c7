/**
 * The HTTP gateway: the public API as JSON over HTTP on every router (port 4206 by default,
 * setting {@code http-port}, 0 = any free port), plus the curl shortcuts. HTTP/1.1 and cleartext
 * HTTP/2 (h2c). Every request goes through the same validation, limits and routing as gRPC
 * ({@code KvRouter}); this package only translates.
 *
 * <h2>Curl shortcuts</h2>
 * <pre>
 * curl "127.0.0.1:4206/put?key2=baz"     # stores key2 = baz; prints OK (201 when new, 200 when replaced)
 * curl "127.0.0.1:4206/get/key2"         # prints baz: the raw value, nothing else; 404 when absent
 * curl "127.0.0.1:4206/delete/key2"      # removes key2; prints OK (also when it did not exist)
 * </pre>
 * {@code /put} takes exactly one {@code key=value}, decoded as a form: {@code +} is a space,
 * {@code %XX} escapes as usual. {@code /get/} answers {@code text/plain; charset=utf-8}, or
 * {@code application/octet-stream} when the value is not UTF-8; it takes {@code ?consistency=}.
 *
 * <h2>JSON API</h2>
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>request</th><th>success</th></tr>
 * <tr><td>{@code PUT /v1/kv/{key}} body = the value's raw bytes;
 *     {@code ?if_absent=true | if_version=N | if_value=V}, {@code session}</td>
 *     <td>201 (key created) or 200: {@code {"version":7,"previous_version":0,"created":true,"session":"CgQIAxAH"}}</td></tr>
 * <tr><td>{@code GET /v1/kv/{key}?consistency=strong|session|eventual}</td>
 *     <td>200: {@code {"key":"k","value":"v","version":7,"create_version":5,"modify_time_ms":1764000000000,
 *     "served_by":"n2","applied_index":9,"cached":false,"session":"CgQIAxAJ"}}; 404 when absent</td></tr>
 * <tr><td>{@code DELETE /v1/kv/{key}}; same conditions as PUT</td>
 *     <td>200: {@code {"deleted":true,"previous_version":7,"index":10,"session":"..."}}
 *     ({@code "deleted":false} when the key did not exist)</td></tr>
 * <tr><td>{@code GET /v1/kv?prefix=P} or {@code ?start=A&end=B}; {@code limit} (at most 10000; default 100),
 *     {@code after} (the previous page's {@code next}), {@code keys_only=true}, {@code consistency}</td>
 *     <td>200: {@code {"kvs":[{"key":..,"value":..,"version":..,"create_version":..,"modify_time_ms":..}],
 *     "next":"AQ3x..." or null,"session":".."}}: ordered by key (unsigned bytes), merged across shards</td></tr>
 * <tr><td>{@code POST /v1/batch} body {@code {"ops":[{"op":"put","key":"k","value":"v","if_version":3},
 *     {"op":"delete","key":"x"}]}}</td>
 *     <td>200: {@code {"results":[{"outcome":"APPLIED","version":12,"previous_version":3},..],"session":".."}};
 *     outcome APPLIED, CONDITION_FAILED, ABORTED (another op of the same shard failed its condition) or
 *     UNKNOWN (may or may not have been applied); ops on one shard commit all or none</td></tr>
 * <tr><td>{@code POST /v1/getmany} body {@code {"keys":["a","b"]}}; {@code consistency}, {@code session}</td>
 *     <td>200: {@code {"results":[{"key":"a","value":"v","version":7,"create_version":5,"modify_time_ms":..,
 *     "found":true,"served_by":"n1","applied_index":9,"cached":false},{"found":false,"served_by":"n1","applied_index":9,"cached":false}],
 *     "session":".."}}: one result per key, in order; at most 1024 keys (batch-ops-max)</td></tr>
 * <tr><td>{@code POST /v1/putmany} body {@code {"puts":[{"key":"a","value":"1"},{"key":"b","value":"2",
 *     "if_absent":true}]}}; {@code session}</td>
 *     <td>200: {@code {"results":[{"version":12,"previous_version":0,"created":true},{"error":{"code":
 *     "CONDITION_FAILED","message":..,"current_version":7}}],"session":".."}}: one result per put, in order,
 *     each put written on its own (not atomically); at most 1024 puts (batch-ops-max)</td></tr>
 * <tr><td>{@code GET /v1/cluster}</td>
 *     <td>200: {@code {"map_epoch":1,"nodes":[{"id":"n1","address":"127.0.0.1:7001","reachable":true}],
 *     "shards":[{"id":0,"hash_start":"0","hash_end":"2305843009213693952","leader":"n1","epoch":1,
 *     "commit_index":40,"group_id":"..","replicas":["n1","n2","n3"],
 *     "replica_applied":[{"node":"n1","applied_index":40}]}]}}</td></tr>
 * <tr><td>{@code GET /health}</td>
 *     <td>200 {@code {"status":"ok"}} once the router has read the shard map; 503 before</td></tr>
 * <tr><td>{@code GET /metrics}</td>
 *     <td>200: the router's metrics in Prometheus's text format (README, "Metrics")</td></tr>
 * </table>
 * Versions and indexes are JSON numbers; the 64-bit hash bounds are decimal strings (they exceed
 * what JSON numbers hold exactly). Session tokens and continuations are opaque URL-safe base64.
 * Each endpoint accepts only its own query parameters: an unknown or repeated one is refused
 * (400, naming it), so a typo never drops a condition.
 *
 * <h2>Keys and values</h2>
 * <ul>
 * <li>The key in a path is <b>one path segment, percent-decoded to bytes</b>: any byte can be
 *     written as {@code %XX}. Encode {@code /} as {@code %2F}, {@code ;} as {@code %3B} (a bare
 *     {@code ;} is refused: it would start path parameters), {@code %} as {@code %25}, {@code ?}
 *     and {@code #}, spaces and non-ASCII (UTF-8). {@code +} in a path is a plus sign.
 *     {@code curl -X PUT --data-binary v "127.0.0.1:4206/v1/kv/users%2F42%2Fname"} stores key
 *     {@code users/42/name}.</li>
 * <li>By default ({@code encoding=utf8}) keys and values in JSON and in query parameters
 *     ({@code prefix}, {@code start}, {@code end}, {@code if_value}, batch fields) are UTF-8 text. A
 *     response that would have to show bytes that are not UTF-8 is refused (400, field
 *     {@code encoding}) rather than altered.</li>
 * <li>{@code ?encoding=base64} is for binary data: the path key is base64 (URL-safe alphabet,
 *     padding optional), as are {@code prefix}, {@code start}, {@code end}, {@code if_value} and the
 *     batch's {@code key}, {@code value} and {@code if_value}; responses show keys and values in
 *     standard base64 with padding. Either alphabet is accepted everywhere (in URLs prefer the
 *     URL-safe one: a standard {@code +} in a query string reads as a space).</li>
 * <li>The body of {@code PUT /v1/kv/{key}} is always the value's raw bytes, whatever the encoding
 *     ({@code curl --data-binary @file}).</li>
 * <li>The HTTP layer refuses a path segment or query value that is exactly {@code ..}, and
 *     {@code %00} in a path (path-traversal guards); such keys and values need base64.</li>
 * </ul>
 *
 * <h2>Consistency and sessions</h2>
 * Reads take {@code consistency=strong} (default: linearizable), {@code session} or
 * {@code eventual}. Every response that touched a shard carries an updated session token in the
 * JSON ({@code "session"}) and in the {@code X-Orchid-Session} header. Send the newest token back
 * with {@code X-Orchid-Session: <token>} or {@code ?session=<token>} (not both) and
 * {@code consistency=session} reads never go back in time and always see your own writes. A
 * token is the SessionToken proto message in URL-safe base64.
 *
 * <h2>Errors</h2>
 * Every error is JSON: {@code {"error":{"code":"LIMIT_EXCEEDED","message":"key-bytes-max: key is 1025
 * bytes; the limit is 1024","limit":"key-bytes-max"}}}. {@code code} is the router's reason (as in
 * gRPC's ErrorInfo) or NOT_FOUND / METHOD_NOT_ALLOWED; its metadata are merged in ({@code limit},
 * {@code field}, {@code current_version}, {@code shard}; whole numbers as JSON numbers). No
 * response ever carries a stack trace.
 * <table>
 * <caption>Statuses</caption>
 * <tr><th>status</th><th>code</th><th>meaning</th></tr>
 * <tr><td>400</td><td>LIMIT_EXCEEDED</td><td>a limit was broken; {@code limit} names it (key-bytes-max,
 *     value-bytes-max, batch-ops-max, scan-limit-max). Nothing was written.</td></tr>
 * <tr><td>400</td><td>BAD_REQUEST</td><td>a malformed request; {@code field} names the parameter or
 *     JSON field ({@code after}, {@code ops[3].if_version}, {@code body}, {@code encoding}, ...).
 *     Nothing was written.</td></tr>
 * <tr><td>404</td><td>NOT_FOUND</td><td>no such key, or no such endpoint</td></tr>
 * <tr><td>405</td><td>METHOD_NOT_ALLOWED</td><td>the endpoint does not take that method</td></tr>
 * <tr><td>408</td><td>DEADLINE_EXCEEDED</td><td>the request did not arrive in full within
 *     http-idle-timeout-ms. Nothing was written.</td></tr>
 * <tr><td>409</td><td>CONDITION_FAILED</td><td>a PUT/DELETE condition did not hold;
 *     {@code current_version} is the key's version (0 = absent). Nothing was written. (409 rather
 *     than 412: conditions are query parameters, not If-Match headers.)</td></tr>
 * <tr><td>413</td><td>LIMIT_EXCEEDED</td><td>the body is over request-bytes-max (4 MiB); it is not
 *     read. A value of 1 MiB + 1 fits the body cap and gets 400 value-bytes-max instead.</td></tr>
 * <tr><td>414, 431</td><td>LIMIT_EXCEEDED</td><td>request line or headers over 64 KiB
 *     ({@code url-bytes-max}, fixed); send large values as a PUT body. (Over HTTP/2 the 431 may
 *     come without a body.)</td></tr>
 * <tr><td>500</td><td>INTERNAL</td><td>a bug; details only in the router's log</td></tr>
 * <tr><td>503</td><td>NO_QUORUM</td><td>the shard has no leader or majority now; nothing was written;
 *     retry (a {@code Retry-After} header is set)</td></tr>
 * <tr><td>503</td><td>LIMIT_EXCEEDED, {@code limit} http-connections-max</td><td>the router has as
 *     many connections as it serves; nothing was done, and the connection is closed after this
 *     answer; retry on a new connection later or use another router ({@code Retry-After} is
 *     set)</td></tr>
 * <tr><td>504</td><td>OUTCOME_UNKNOWN</td><td>a write did not complete in time: it <b>may or may not
 *     have been applied</b>; read the key to find out</td></tr>
 * <tr><td>504</td><td>DEADLINE_EXCEEDED</td><td>a read did not complete in time</td></tr>
 * </table>
 *
 * <h2>Limits and timeouts</h2>
 * The body is read with a hard cap of request-bytes-max; the request line and headers are capped
 * at 64 KiB; at most {@code http-connections-max} connections (default 4096; requests on any beyond
 * get 503, and beyond twice as many new connections are closed unanswered). A connection with no request in progress is closed after
 * {@code http-idle-timeout-ms} (default 10000), and a request must arrive in full, headers and
 * body, within the same time (else 408), so slow or half-open clients cannot hold connections.
 * Once a request has arrived, the router's {@code request-timeout-ms} bounds it (a 2 s margin
 * lets the router report its precise error first).
 */
package io.orchiddb.router.http;
