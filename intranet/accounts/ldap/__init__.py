"""Directory (LDAP / Active Directory) integration on ldap3.

- `config`: settings → a frozen `DirectoryConfig` (presets for OpenLDAP and Active Directory, attribute map);
- `connection`: server pool, TLS, service and user binds, the `DirectoryUnavailable` error;
- `directory`: reading entries and groups (login lookup, paged listing, nested groups);
- `provisioning`: applying an entry to a local user (fields, Employee link by NIP, group → role mapping);
- `backend`: the Django authentication backend (search with the service account, then bind as the user);
- `sync`: the full synchronisation run behind `manage.py ldap_sync` and the Celery beat task.
"""
