from tests.ldap_ad import ad_server, ad_settings  # noqa: F401
from tests.ldap_server import ldap_private_server, ldap_server, ldap_settings, ldap_tls_server  # noqa: F401
