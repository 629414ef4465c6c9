class ReadOnlyAdminMixin:
    """Governance data is changed only through the app's services, which write the audit trail.

    The Django admin shows it to superusers for support and inspection, and changes nothing.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
