# SPDX-License-Identifier: BSD-3-Clause
# tests/nginx.sh — sourced after tests/lib.sh: a private nginx on 127.0.0.1.
#   nginx_start ROOT DIR   serve ROOT on a free high port with config, pid and
#                          logs in DIR; sets $nginx_port and $nginx_log (access
#                          log); stopped at exit. ROOT/noranges/ is served
#                          without byte ranges (max_ranges 0), ROOT/slow/ at
#                          1 MB/s per connection (limit_rate). Every URL under
#                          /html200/ answers an HTML page with status 200 (a
#                          login portal or a catch-all route), every one under
#                          /tofile/ redirects to file:///etc/hostname.
nginx_start() {
	local root=$1 dir=$2 try
	mkdir -p "$dir"
	nginx_log=$dir/access.log
	for try in 1 2 3 4 5 6 7 8; do
		nginx_port=$((20000 + RANDOM % 30000))
		cat >"$dir/nginx.conf" <<-CONF
		user root;
		daemon on;
		worker_processes 1;
		pid $dir/nginx.pid;
		error_log $dir/error.log;
		events { worker_connections 64; }
		http {
		    access_log $nginx_log;
		    client_body_temp_path $dir/body;
		    proxy_temp_path $dir/proxy;
		    sendfile on;
		    server {
		        listen 127.0.0.1:$nginx_port;
		        root $root;
		        location /noranges/ { max_ranges 0; }
		        location /slow/ { limit_rate 1m; }
		        location /html200/ {
		            default_type text/html;
		            return 200 "<html>\n<head><title>Sign in</title></head>\n<body>Please sign in.</body>\n</html>\n";
		        }
		        location /tofile/ { return 302 file:///etc/hostname; }
		    }
		}
		CONF
		if nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" 2>>"$dir/start.log"; then
			at_exit "kill \$(cat '$dir/nginx.pid')"
			return 0
		fi
	done
	cat "$dir/start.log" >&2
	return 1
}
