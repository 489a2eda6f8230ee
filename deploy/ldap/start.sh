#!/bin/sh
# Start slapd; on the first start (empty database) load the demo entries.
set -e
mkdir -p /var/run/slapd /var/lib/ldap
slapd -f /ldap/slapd.conf -h "ldap://0.0.0.0:389/" -d 0 &
pid=$!
for i in $(seq 1 30); do ldapsearch -x -H ldap://127.0.0.1:389 -b "" -s base >/dev/null 2>&1 && break; sleep 1; done
if ! ldapsearch -x -H ldap://127.0.0.1:389 -b "dc=kemencontoh,dc=go,dc=id" -s base >/dev/null 2>&1; then
  ldapadd -x -H ldap://127.0.0.1:389 -D cn=admin,dc=kemencontoh,dc=go,dc=id -w "${LDAP_ADMIN_PASSWORD:-serambi-admin-demo}" -f /ldap/seed.ldif
fi
wait $pid
