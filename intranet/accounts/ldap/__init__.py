"""Directory (LDAP / Active Directory) integration on ldap3.

- `config`: settings → a frozen `DirectoryConfig` (presets for OpenLDAP and Active Directory, attribute map);
- `connection`: the servers tried in turn, TLS, service and user binds;
- `errors`: every LDAP result code as an outage (`DirectoryUnavailable`) or a configuration problem
  (`DirectoryMisconfigured`, with what to change);
- `breaker`: servers marked down (or stalled) in the shared cache, so an outage answers logins at once;
- `directory`: reading entries and groups (login lookup, paged listing, nested groups);
- `provisioning`: applying an entry to a local user (fields, Employee link by NIP, group → role mapping);
- `backend`: the Django authentication backend (search with the service account, then bind as the user);
- `sync`: the full synchronisation run behind `manage.py ldap_sync` and the Celery beat task;
- `doctor`: the connection doctor behind `manage.py ldap_check`; `role_checks`: the role mapping system check.
"""
