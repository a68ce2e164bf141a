package dev.labprovisioner.admin;

/** What an admin did, as the audit log names it. */
public enum AuditAction {
    CLIENT_CREATE, CLIENT_ROTATE, CLIENT_REVOKE, LABS_BULK_CREATE, COURSE_EXTEND, LAB_FORCE_TEARDOWN, LAB_RESET
}
