#!/bin/sh
# A CGI/1.1 demo script (RFC 3875): a response header block, a blank line, then the body.
# It sees only the meta-variables the host sets (nothing else from the server's environment).
printf 'Content-Type: text/plain; charset=utf-8\n'
printf 'X-Cgi-Demo: yes\n'
printf '\n'
printf 'Hello from CGI\n'
printf 'method=%s\nscript=%s\npath_info=%s\nquery=%s\n' "$REQUEST_METHOD" "$SCRIPT_NAME" "${PATH_INFO:-}" "$QUERY_STRING"
if [ -n "${CONTENT_LENGTH:-}" ]; then
  printf 'body_bytes=%s\n' "$(head -c "$CONTENT_LENGTH" | wc -c)"
fi
