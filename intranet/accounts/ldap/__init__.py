"""Directory (LDAP / Active Directory) integration on ldap3.

- `config`: settings → a frozen `DirectoryConfig` (presets for OpenLDAP and Active Directory, attribute map);
- `connection`: the servers tried in turn, TLS, service and user binds;
- `errors`: every LDAP result code as an outage (`DirectoryUnavailable`) or a configuration problem
  (`DirectoryMisconfigured`, with what to change);
- `breaker`: servers marked down (or stalled) in the shared cache, so an outage answers logins at once;
- `directory`: reading entries and groups (login lookup, paged listing, nested groups);
- `provisioning`: applying entries to local accounts, in bulk, for a login and a sync (the steps of a run), with
  `matching` (an entry's account, the rows to write), `mappings` (group → role mapping, the role plan) and `grants`
  (role groups, directory attributes);
- `hooks`: the handlers the apps above register for accounts brought up to date (`hr.org` links the HR record by NIP,
  places unit and supervisor, keeps the directory's HR scopes: `hr/org/directory_sync.py`);
- `backend`: the Django authentication backend (search with the service account, then bind as the user);
- `sync`: the full synchronisation run behind `manage.py ldap_sync` and the Celery beat task;
- `doctor`: the connection doctor behind `manage.py ldap_check`; `role_checks`: the role mapping system check.
"""
